//! What can go wrong sending, and which failures are worth retrying.

use serde::Deserialize;

/// Why a send or read receipt failed. Display never shows the access token.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The message breaks one of WhatsApp's limits (or the client was given
    /// a bad setting); nothing was sent.
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The Graph API refused the request with an error body (boxed: it is
    /// the rare path, and keeps `Result<_, SendError>` small).
    #[error(transparent)]
    Graph(Box<GraphError>),
    /// An error status whose body is not a Graph error (a proxy's page, an
    /// empty body).
    #[error("the Graph API answered HTTP {status} without a Graph error body")]
    Http { status: u16 },
    /// No answer in time; the message may or may not have been sent.
    #[error("the Graph API did not answer in time")]
    Timeout,
    /// The request did not get through (DNS, connect, TLS, reset).
    #[error("cannot reach the Graph API: {0}")]
    Transport(#[source] reqwest::Error),
    /// A success status with a body this client cannot read.
    #[error("unexpected answer from the Graph API: {0}")]
    UnexpectedResponse(String),
}

/// An error answer of the Graph API:
/// `{"error":{"message":..,"type":..,"code":..,"error_subcode":..,"error_data":{"details":..},"fbtrace_id":..}}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Graph API error {code} (HTTP {status}): {message}{}", details.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
pub struct GraphError {
    /// The HTTP status.
    pub status: u16,
    /// The Graph error code (`131047`, `130429`, ...).
    pub code: i64,
    pub subcode: Option<i64>,
    /// `OAuthException`, ...
    pub error_type: Option<String>,
    pub message: String,
    /// `error_data.details`: the most specific explanation.
    pub details: Option<String>,
    /// Meta's trace id, for support requests.
    pub fbtrace_id: Option<String>,
}

impl SendError {
    /// The Graph error code, when the Graph API gave one.
    pub fn code(&self) -> Option<i64> {
        match self {
            SendError::Graph(e) => Some(e.code),
            _ => None,
        }
    }

    /// Whether sending the same message again later may succeed.
    ///
    /// By Graph code first (Meta's error-code reference): rate limits and
    /// temporary outages are retryable; token, permission, parameter,
    /// policy and 24-hour-window errors are not. An unknown code is
    /// retryable on 5xx and 429, permanent on other 4xx. Timeouts and
    /// connection errors are retryable.
    pub fn is_retryable(&self) -> bool {
        match self {
            SendError::Graph(e) => match code_class(e.code) {
                Some(retryable) => retryable,
                None => status_is_retryable(e.status),
            },
            SendError::Http { status } => status_is_retryable(*status),
            SendError::Timeout | SendError::Transport(_) => true,
            // A 2xx we cannot read may well have been sent: sending again
            // risks a duplicate.
            SendError::Invalid(_) | SendError::UnexpectedResponse(_) => false,
        }
    }

    /// Reads an error answer: a Graph error when the body is one, else the
    /// bare status.
    pub(crate) fn from_response(status: u16, body: &[u8]) -> SendError {
        #[derive(Deserialize)]
        struct Body {
            error: Fields,
        }
        #[derive(Deserialize)]
        struct Fields {
            code: i64,
            message: Option<String>,
            #[serde(rename = "type")]
            error_type: Option<String>,
            error_subcode: Option<i64>,
            error_data: Option<Data>,
            fbtrace_id: Option<String>,
        }
        #[derive(Deserialize)]
        struct Data {
            details: Option<String>,
        }
        match serde_json::from_slice::<Body>(body) {
            Ok(Body { error }) => SendError::Graph(Box::new(GraphError {
                status,
                code: error.code,
                subcode: error.error_subcode,
                error_type: error.error_type,
                message: error.message.unwrap_or_default(),
                details: error.error_data.and_then(|d| d.details),
                fbtrace_id: error.fbtrace_id,
            })),
            Err(_) => SendError::Http { status },
        }
    }

    pub(crate) fn from_reqwest(error: reqwest::Error) -> SendError {
        if error.is_timeout() {
            SendError::Timeout
        } else {
            SendError::Transport(error)
        }
    }
}

/// `Some(true)` for codes known to be temporary, `Some(false)` for codes
/// known to be permanent, `None` for codes left to the HTTP status.
fn code_class(code: i64) -> Option<bool> {
    match code {
        // Unknown/temporary errors, app and account rate limits,
        // throughput, "something went wrong", service unavailable, pair rate
        // limit, server temporarily unavailable.
        1 | 2 | 4 | 80007 | 130429 | 131000 | 131016 | 131056 | 133004 => Some(true),
        // Token, permissions, invalid parameter, parameter value, service
        // unavailable for the number, recipient cannot be sender, outside
        // the 24-hour window, ecosystem engagement, temporarily blocked.
        0
        | 190
        | 10
        | 200..=299
        | 100
        | 131008
        | 131009
        | 131026
        | 131031
        | 131047
        | 131050
        | 368 => Some(false),
        _ => None,
    }
}

fn status_is_retryable(status: u16) -> bool {
    status >= 500 || status == 429
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(status: u16, code: i64) -> SendError {
        SendError::Graph(Box::new(GraphError {
            status,
            code,
            subcode: None,
            error_type: None,
            message: "m".into(),
            details: None,
            fbtrace_id: None,
        }))
    }

    #[test]
    fn retryable_codes_are_retryable_whatever_the_status() {
        for code in [1, 2, 4, 80007, 130429, 131000, 131016, 131056, 133004] {
            assert!(graph(400, code).is_retryable(), "{code}");
            assert_eq!(graph(400, code).code(), Some(code));
        }
    }

    #[test]
    fn permanent_codes_are_permanent_whatever_the_status() {
        for code in [
            0, 190, 10, 200, 250, 299, 100, 131008, 131009, 131026, 131031, 131047, 131050, 368,
        ] {
            assert!(!graph(400, code).is_retryable(), "{code}");
            assert!(!graph(500, code).is_retryable(), "{code} on 500");
        }
    }

    #[test]
    fn unknown_codes_follow_the_status() {
        assert!(graph(500, 987_654).is_retryable());
        assert!(graph(503, 987_654).is_retryable());
        assert!(graph(429, 987_654).is_retryable());
        assert!(!graph(400, 987_654).is_retryable());
        assert!(!graph(404, 987_654).is_retryable());
    }

    #[test]
    fn transport_failures_are_retryable_and_local_ones_are_not() {
        assert!(SendError::Timeout.is_retryable());
        assert!(SendError::Http { status: 502 }.is_retryable());
        assert!(!SendError::Http { status: 403 }.is_retryable());
        assert!(!SendError::Invalid("x".into()).is_retryable());
        assert!(!SendError::UnexpectedResponse("x".into()).is_retryable());
        assert_eq!(SendError::Timeout.code(), None);
    }

    #[test]
    fn the_real_graph_error_body_is_read() {
        let body = br#"{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,
            "error_subcode":2494010,"error_data":{"messaging_product":"whatsapp",
            "details":"Message failed to send because more than 24 hours have passed since the customer last replied to this number."},
            "fbtrace_id":"AazhjVQ6CSJ1Kvk8zZgzl4w"}}"#;
        let SendError::Graph(e) = SendError::from_response(400, body) else {
            panic!("not a Graph error")
        };
        assert_eq!(
            (e.status, e.code, e.subcode),
            (400, 131047, Some(2_494_010))
        );
        assert_eq!(e.error_type.as_deref(), Some("OAuthException"));
        assert_eq!(e.message, "(#131047) Re-engagement message");
        assert!(e.details.as_deref().is_some_and(|d| d.contains("24 hours")));
        assert_eq!(e.fbtrace_id.as_deref(), Some("AazhjVQ6CSJ1Kvk8zZgzl4w"));
        let shown = SendError::Graph(e).to_string();
        assert!(
            shown.contains("131047") && shown.contains("HTTP 400") && shown.contains("24 hours"),
            "{shown}"
        );
    }

    #[test]
    fn a_non_json_or_odd_error_body_keeps_the_status() {
        for body in [
            &b"<html>Bad Gateway</html>"[..],
            b"",
            br#"{"error":"nope"}"#,
            br#"{"error":{"message":"no code"}}"#,
        ] {
            assert!(matches!(
                SendError::from_response(502, body),
                SendError::Http { status: 502 }
            ));
        }
    }
}
