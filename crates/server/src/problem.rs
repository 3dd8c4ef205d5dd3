//! Errors over HTTP: RFC 9457 problem details (`application/problem+json`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lotrace_epcis::{CaptureError, FieldError};
use serde::Serialize;
use serde_json::json;

/// One problem response. `kind` becomes the `type` member; EPCIS endpoints use the
/// exception names of the EPCIS 2.0 REST binding (`epcisException:ValidationException`).
#[derive(Debug, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<serde_json::Value>,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: kind.to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::NOT_FOUND,
            "epcisException:NoSuchResourceException",
            detail,
        )
    }

    pub fn internal(error: impl std::fmt::Display) -> Problem {
        tracing::error!(%error, "internal error");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "epcisException:ImplementationException",
            "the server failed to complete the request; it has been logged",
        )
    }

    /// A rejected EPCIS document: every error, each naming the event and the field.
    pub fn invalid_document(error: &CaptureError) -> Problem {
        let mut problem = Problem::new(
            StatusCode::BAD_REQUEST,
            "epcisException:ValidationException",
            format!(
                "the document was rejected and nothing was stored: {}",
                error
                    .errors
                    .first()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            ),
        );
        problem.errors = error.errors.iter().map(field_error_json).collect();
        problem
    }
}

fn field_error_json(e: &FieldError) -> serde_json::Value {
    json!({
        "eventIndex": e.event_index,
        "eventID": e.event_id,
        "field": e.field,
        "rule": e.rule,
        "message": e.to_string(),
    })
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(&self)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

impl From<lotrace_store::StoreError> for Problem {
    fn from(e: lotrace_store::StoreError) -> Problem {
        Problem::internal(e)
    }
}
