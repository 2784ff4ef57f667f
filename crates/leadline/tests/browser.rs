//! The dashboard in a real headless Chromium (Debian's `chromium`, driven
//! through `chromedriver` over WebDriver): log in, watch a conversation
//! appear live after a webhook, open it, take over, reply, hand back; a
//! customer named `<script>alert(1)</script>` shows as text.
//!
//! Without `/usr/bin/chromedriver` the test says so loudly and passes,
//! unless `LEADLINE_BROWSER_TESTS=required` (as `scripts/test` and CI set),
//! where it fails. `LEADLINE_SCREENSHOTS=docs/` saves PNGs of the pages
//! there (relative to the workspace root).

mod support;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use leadline_testkit::graph::FakeGraph;
use leadline_testkit::webhook;
use serde_json::json;
use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{ACCESS_TOKEN, Options, QUALIFY_EN, TestApp};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const TOKEN: &str = "browser-admin-token-1c9e4f7a2b8d6035";
const WAIT: Duration = Duration::from_secs(30);
const XSS: &str = "<script>alert(1)</script>";

/// A running chromedriver, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    /// Starts chromedriver; `None` (after a loud message) when it is not
    /// installed and the browser tests are not required.
    async fn start() -> Option<Driver> {
        if !Path::new(CHROMEDRIVER).exists() {
            let required = std::env::var("LEADLINE_BROWSER_TESTS").is_ok_and(|v| v == "required");
            assert!(
                !required,
                "LEADLINE_BROWSER_TESTS=required but {CHROMEDRIVER} is missing: apt-get install -y chromium chromium-driver"
            );
            eprintln!(
                "\n*** SKIPPED: browser tests need {CHROMEDRIVER} (apt-get install -y chromium chromium-driver) ***\n"
            );
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let status = format!("{}/status", driver.url);
        eventually("chromedriver to listen", || async {
            reqwest::get(&status)
                .await
                .is_ok_and(|r| r.status().is_success())
        })
        .await;
        Some(driver)
    }

    async fn browser(&self) -> Client {
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en"]
            }
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object literal");
        };
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a Chromium session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for `condition`, generously: the machine may be busy.
async fn eventually<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + WAIT;
    while !condition().await {
        assert!(Instant::now() < deadline, "waited {WAIT:?} for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The text of the first element matching `css`, if any.
async fn text(browser: &Client, css: &str) -> Option<String> {
    match browser.find(Locator::Css(css)).await {
        Ok(element) => element.text().await.ok(),
        Err(_) => None,
    }
}

async fn click(browser: &Client, css: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
}

/// Saves a PNG of the page as `<name>.png` when `LEADLINE_SCREENSHOTS`
/// names a directory.
async fn screenshot(browser: &Client, name: &str) {
    let Some(dir) = std::env::var_os("LEADLINE_SCREENSHOTS") else {
        return;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(PathBuf::from(dir));
    std::fs::create_dir_all(&dir).expect("the screenshot directory");
    let png = browser.screenshot().await.expect("a screenshot");
    std::fs::write(dir.join(format!("dashboard-{name}.png")), png).expect("save the screenshot");
}

/// A customer message whose sender's WhatsApp profile name is `name`.
async fn customer_named(app: &TestApp, wa_id: &str, id: &str, name: &str, text: &str) {
    let mut payload = webhook::notification(vec![webhook::text(wa_id, id, text)]);
    payload["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = name.into();
    let response = app.post_webhook(&payload).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn an_operator_takes_over_replies_and_hands_back_in_chromium() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let app =
        TestApp::spawn(Options::new(&graph.base_url()).env("LEADLINE_ADMIN_TOKEN", TOKEN)).await;
    // A lead the bot already qualified, so the pages are not empty.
    for (i, line) in QUALIFY_EN.into_iter().enumerate() {
        customer_named(
            &app,
            "14155550120",
            &format!("wamid.b0{i}"),
            "Ana García",
            line,
        )
        .await;
        eventually("the bot to answer Ana", || async {
            graph
                .sent()
                .iter()
                .filter(|s| s.to == "14155550120")
                .count()
                > i
        })
        .await;
    }

    let browser = driver.browser().await;
    let base = &app.base_url;
    browser
        .goto(&format!("{base}/login?lang=en"))
        .await
        .expect("open /login");
    screenshot(&browser, "login").await;
    browser
        .find(Locator::Css("#token"))
        .await
        .expect("the token field")
        .send_keys(TOKEN)
        .await
        .expect("type the token");
    click(&browser, "#log-in").await;
    eventually("the conversation list", || async {
        text(&browser, "a.conversation").await.as_deref() == Some("Ana García")
    })
    .await;

    // A new customer writes; the open list shows them without a reload.
    customer_named(
        &app,
        "14155550121",
        "wamid.b1",
        XSS,
        "Hola, quiero información",
    )
    .await;
    eventually("the new conversation to appear live", || async {
        let rows = browser
            .find_all(Locator::Css("a.conversation"))
            .await
            .unwrap_or_default();
        let mut names = Vec::new();
        for row in rows {
            names.push(row.text().await.unwrap_or_default());
        }
        names.iter().any(|n| n == XSS)
    })
    .await;
    // Shown as text: no script element in the rows, no alert open.
    let scripts = browser
        .execute(
            "return document.querySelectorAll('#rows script').length;",
            vec![],
        )
        .await
        .expect("run a script");
    assert_eq!(scripts, json!(0));
    assert!(browser.get_alert_text().await.is_err(), "an alert is open");
    screenshot(&browser, "list").await;

    // Open it, take over, reply, hand back.
    let link = browser
        .find(Locator::XPath(&format!(
            "//a[@class='conversation' and text()='{XSS}']"
        )))
        .await
        .expect("the new conversation's link");
    let href = link.attr("href").await.expect("href").unwrap_or_default();
    assert!(!href.contains("4155550121"), "a phone number in {href}");
    link.click().await.expect("open the conversation");
    eventually("the conversation page", || async {
        text(&browser, "h1")
            .await
            .is_some_and(|h| h.starts_with(XSS))
    })
    .await;
    click(&browser, "#take-over").await;
    eventually("the take-over", || async {
        text(&browser, "#handoff").await.as_deref() == Some("Team took over")
    })
    .await;
    // While the page is open, what the customer writes appears in it.
    let later = "¿Siguen ahí? Me interesa el plan anual";
    customer_named(&app, "14155550121", "wamid.browser.live", XSS, later).await;
    eventually("the customer's new message, live", || async {
        text(&browser, "#transcript")
            .await
            .is_some_and(|t| t.contains(later))
    })
    .await;
    let reply = "Hola, soy Marta del equipo de ventas";
    browser
        .find(Locator::Css("#reply-text"))
        .await
        .expect("the reply box")
        .send_keys(reply)
        .await
        .expect("type the reply");
    click(&browser, "#send-reply").await;
    eventually("the reply to reach the Graph API", || async {
        graph
            .sent()
            .iter()
            .any(|s| s.to == "14155550121" && s.text.as_deref() == Some(reply))
    })
    .await;
    eventually("the reply in the table of what was sent", || async {
        text(&browser, "#sent")
            .await
            .is_some_and(|t| t.contains(reply))
    })
    .await;
    screenshot(&browser, "conversation").await;
    browser
        .find(Locator::Css("#hand-back-stage"))
        .await
        .expect("the stage list")
        .select_by_value("qualification")
        .await
        .expect("choose a stage");
    click(&browser, "#hand-back").await;
    eventually("the hand-back", || async {
        text(&browser, "#who-answers").await.as_deref() == Some("The bot is answering.")
    })
    .await;
    assert_eq!(
        text(&browser, "#stage").await.as_deref(),
        Some("qualification")
    );

    browser
        .goto(&format!("{base}/funnel"))
        .await
        .expect("open /funnel");
    eventually("the funnel", || async {
        text(&browser, "#conversations").await.as_deref() == Some("2")
    })
    .await;
    screenshot(&browser, "funnel").await;

    // On a phone's screen the list fits its width: neither the page nor the
    // table scrolls sideways.
    browser
        .set_window_size(390, 844)
        .await
        .expect("a phone-sized window");
    browser.goto(&format!("{base}/")).await.expect("open /");
    eventually("the list on a phone", || async {
        text(&browser, "#rows")
            .await
            .is_some_and(|t| t.contains(XSS))
    })
    .await;
    let fits = browser
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth \
             && [...document.querySelectorAll('.table-wrap')].every(e => e.scrollWidth <= e.clientWidth)",
            vec![],
        )
        .await
        .expect("measure the page");
    assert_eq!(fits, json!(true), "the list scrolls sideways on a phone");
    screenshot(&browser, "phone").await;
    browser.close().await.expect("close Chromium");
}
