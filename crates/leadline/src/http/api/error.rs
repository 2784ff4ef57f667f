//! The one error of the admin API: a status and `{"error": "..."}`, never
//! the internals (those go to the log).

use crate::http::StoreFailure;
use axum::Json;
use axum::http::header::{RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use leadline_stores::{AdminError, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(
        "the admin API is disabled: set LEADLINE_ADMIN_TOKEN (or admin_token in the config file) and send it as `Authorization: Bearer <token>`"
    )]
    NotConfigured,
    #[error("missing or wrong admin token: send `Authorization: Bearer <LEADLINE_ADMIN_TOKEN>`")]
    Unauthorized,
    #[error("too many wrong admin tokens from this address: wait a minute")]
    TooManyFailures,
    #[error("no conversation with this customer")]
    NotFound,
    #[error(
        "the customer's 24-hour window has closed: WhatsApp only delivers a template message until they write again"
    )]
    WindowClosed,
    #[error("{0}")]
    BadRequest(String),
    #[error("no effect {0}")]
    NoEffect(i64),
    #[error("effect {0} is not dead-lettered: only a dead effect can be retried")]
    NotDead(i64),
    #[error("the store is unavailable; try again later")]
    Unavailable,
    #[error("internal error")]
    Internal,
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match StoreFailure::of(&e, "admin API") {
            StoreFailure::Unavailable => ApiError::Unavailable,
            StoreFailure::Internal => ApiError::Internal,
        }
    }
}

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::NotFound => ApiError::NotFound,
            AdminError::WindowClosed => ApiError::WindowClosed,
            AdminError::Store(e) => e.into(),
        }
    }
}

/// The body of every refusal.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorJson {
    pub error: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match self {
            ApiError::NotConfigured | ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::NotFound | ApiError::NoEffect(_) => StatusCode::NOT_FOUND,
            ApiError::WindowClosed | ApiError::NotDead(_) => StatusCode::CONFLICT,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::TooManyFailures => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut response = (
            status,
            Json(ErrorJson {
                error: self.to_string(),
            }),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            response
                .headers_mut()
                .insert(RETRY_AFTER, crate::http::client::retry_after());
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn answer(e: ApiError) -> (StatusCode, String) {
        let response = e.into_response();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
            .await
            .expect("a body");
        (status, String::from_utf8(body.to_vec()).expect("UTF-8"))
    }

    #[tokio::test]
    async fn each_refusal_has_its_status_and_store_internals_stay_out() {
        let cases = [
            (AdminError::NotFound, StatusCode::NOT_FOUND),
            (AdminError::WindowClosed, StatusCode::CONFLICT),
            (
                AdminError::Store(StoreError::Unavailable("db.internal:5432 refused".into())),
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (
                AdminError::Store(StoreError::Corrupt("row 42 of leads".into())),
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
        ];
        for (error, status) in cases {
            let (got, body) = answer(error.into()).await;
            assert_eq!(got, status, "{body}");
            let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
            assert!(json["error"].is_string(), "{body}");
            assert!(!body.contains("5432") && !body.contains("row 42"), "{body}");
        }
        let (status, body) = answer(ApiError::NotConfigured).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body.contains("LEADLINE_ADMIN_TOKEN"), "{body}");
    }
}
