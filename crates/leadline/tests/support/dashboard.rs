//! A browser's part in the dashboard, by hand: the login form with its
//! double-submit cookie, the session cookie, and the forms' CSRF token.

use super::{ADMIN_TOKEN, TestApp};
use reqwest::StatusCode;
use reqwest::header::SET_COOKIE;

/// A client that shows redirects instead of following them.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

/// The value a response sets for cookie `name`, with its attributes.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// `name=value` of a `Set-Cookie` value, for a `Cookie` header.
pub fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or_default().to_owned()
}

/// The value of the first hidden `csrf` field of a page.
pub fn csrf_of(html: &str) -> String {
    let start = html
        .find("name=\"csrf\" value=\"")
        .map(|i| i + "name=\"csrf\" value=\"".len())
        .unwrap_or_else(|| panic!("no csrf field in {html}"));
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The login form's double-submit cookie (as `name=value`) and token.
pub async fn login_form(app: &TestApp, http: &reqwest::Client) -> (String, String) {
    let response = http
        .get(format!("{}/login", app.base_url))
        .send()
        .await
        .expect("GET /login");
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = pair(&set_cookie(&response, "leadline_login").expect("a login cookie"));
    let html = response.text().await.expect("a page");
    (cookie, csrf_of(&html))
}

pub async fn try_login(app: &TestApp, http: &reqwest::Client, token: &str) -> reqwest::Response {
    let (cookie, csrf) = login_form(app, http).await;
    http.post(format!("{}/login", app.base_url))
        .header("cookie", cookie)
        .form(&[("token", token), ("csrf", csrf.as_str())])
        .send()
        .await
        .expect("POST /login")
}

/// A logged-in browser: its session cookie and the session's form token.
pub struct Session {
    pub http: reqwest::Client,
    pub base: String,
    pub cookie: String,
    pub csrf: String,
}

impl Session {
    pub async fn start(app: &TestApp) -> Session {
        let http = client();
        let response = try_login(app, &http, ADMIN_TOKEN).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let cookie = pair(&set_cookie(&response, "leadline_session").expect("a session"));
        let mut session = Session {
            http,
            base: app.base_url.clone(),
            cookie,
            csrf: String::new(),
        };
        let (status, html) = session.get("/").await;
        assert_eq!(status, StatusCode::OK, "{html}");
        session.csrf = csrf_of(&html);
        session
    }

    /// The same browser talking to another process of the deployment.
    pub fn at(&self, app: &TestApp) -> Session {
        Session {
            http: self.http.clone(),
            base: app.base_url.clone(),
            cookie: self.cookie.clone(),
            csrf: self.csrf.clone(),
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .expect("GET");
        (response.status(), response.text().await.expect("a body"))
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(form)
            .send()
            .await
            .expect("POST")
    }

    /// The page path of the first conversation listed.
    pub async fn first_conversation(&self) -> String {
        let (_, html) = self.get("/").await;
        let start = html.find("href=\"/conversations/").expect("a conversation") + 6;
        html[start..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_owned()
    }
}
