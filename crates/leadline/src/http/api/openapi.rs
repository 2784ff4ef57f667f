//! `GET /api/openapi.json`: the admin API as an OpenAPI document, generated
//! from the handlers' annotations and the answers' types, so it follows
//! the code. Behind the admin token like every `/api` route.

use super::{conversations, effects, funnel, handoffs, leads, questions};
use crate::http::AppState;
use axum::Router;
use axum::response::Json;
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Leadline admin API",
        description = "Leads, conversations, the human side of a handoff, erasing a customer's data, the funnel, the questions customers asked (those the knowledge folder could not answer, for the team), and the effects handoffs set off (CRM deliveries, the rep's notices) with their dead letters. Every request needs `Authorization: Bearer <LEADLINE_ADMIN_TOKEN>`."
    ),
    paths(
        leads::list,
        leads::export,
        handoffs::inbox,
        conversations::show,
        conversations::erase,
        conversations::take_over,
        conversations::reply,
        conversations::hand_back,
        funnel::show,
        questions::list,
        effects::list,
        effects::retry,
        document,
    ),
    modifiers(&BearerToken),
    security(("bearer" = []))
)]
struct ApiDoc;

/// The one security scheme: the admin token as a bearer token.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(document))
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", responses(
    (status = 200, description = "The OpenAPI document of the admin API", content_type = "application/json"),
))]
async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sources of every module the API's router merges.
    const SOURCES: [&str; 7] = [
        include_str!("leads.rs"),
        include_str!("effects.rs"),
        include_str!("handoffs.rs"),
        include_str!("conversations.rs"),
        include_str!("funnel.rs"),
        include_str!("questions.rs"),
        include_str!("openapi.rs"),
    ];

    #[test]
    fn the_document_lists_every_route_of_the_router_and_no_other() {
        let document = serde_json::to_value(ApiDoc::openapi()).expect("a JSON document");
        let paths = document["paths"].as_object().expect("paths");
        let mut routes = 0;
        for source in SOURCES {
            for line in source.lines() {
                let Some(at) = line.find(".route(\"") else {
                    continue;
                };
                let rest = &line[at + ".route(\"".len()..];
                let path = format!("/api{}", rest.split('"').next().unwrap_or_default());
                let method = if rest.contains("post(") {
                    "post"
                } else {
                    "get"
                };
                let mut methods = vec![method];
                if rest.contains(".delete(") {
                    methods.push("delete");
                }
                for method in methods {
                    assert!(
                        paths.get(&path).and_then(|p| p.get(method)).is_some(),
                        "{method} {path} is routed but not in the document"
                    );
                    routes += 1;
                }
            }
        }
        let documented: usize = paths
            .values()
            .filter_map(|p| p.as_object())
            .map(|p| p.len())
            .sum();
        assert_eq!(
            routes, documented,
            "the document lists routes the router lacks"
        );
        assert_eq!(routes, 13);
        assert!(document["components"]["securitySchemes"]["bearer"].is_object());
    }
}
