//! The audit trail: one entry per write request, written by the middleware before the
//! response goes out (who, role or scope, method, path, status, time, a short summary and
//! the client address). The summary is what the handler said it did (`AuditNote`), else
//! the `Location` it answered (a capture job, the page a form redirects to, with its
//! message), else the keys of a small JSON answer (`captureID`, `code`, `eventIDs`, ...).

use std::net::IpAddr;

use axum::body::Body;
use axum::body::HttpBody as _;
use axum::http::{Method, header};
use axum::response::Response;
use lotrace_store::NewAuditEntry;
use serde_json::Value;

use super::Principal;
use crate::AppState;

/// Largest JSON answer read for its summary, in bytes.
const MAX_SUMMARY_BODY_BYTES: u64 = 64 * 1024;

/// A handler's own summary of what it did, put in the response's extensions.
#[derive(Clone, Debug)]
pub struct AuditNote(pub String);

/// Keys of a JSON answer that name what was written, in order of preference.
const KEYS: &[&str] = &[
    "captureID",
    "recall_id",
    "id",
    "code",
    "name",
    "operation",
    "eventIDs",
    "event_ids",
    "assigned_lots",
    "sscc",
    "sha256",
];

fn summary_of_json(value: &Value) -> String {
    let Some(object) = value.as_object() else {
        return String::new();
    };
    let mut parts = Vec::new();
    for key in KEYS {
        let Some(v) = object.get(*key) else { continue };
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Array(items) if !items.is_empty() => {
                let first = match &items[0] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                if items.len() > 1 {
                    format!("{first} (+{})", items.len() - 1)
                } else {
                    first
                }
            }
            _ => continue,
        };
        parts.push(format!("{key}={text}"));
        if parts.len() == 3 {
            break;
        }
    }
    parts.join(" ")
}

/// The summary of a response, and the response (its body read back in when it was read).
async fn summarise(response: Response) -> (String, Response) {
    if let Some(AuditNote(note)) = response.extensions().get::<AuditNote>() {
        return (note.clone(), response);
    }
    if let Some(location) = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
    {
        let decoded = percent_encoding::percent_decode_str(location)
            .decode_utf8_lossy()
            .replace('+', " ");
        return (format!("-> {decoded}"), response);
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let small = response
        .body()
        .size_hint()
        .exact()
        .is_some_and(|n| n <= MAX_SUMMARY_BODY_BYTES);
    if !is_json || !small || response.status().is_client_error() && response.status() != 409 {
        return (String::new(), response);
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, MAX_SUMMARY_BODY_BYTES as usize).await {
        Ok(bytes) => {
            let summary = serde_json::from_slice::<Value>(&bytes)
                .map(|v| {
                    let s = summary_of_json(&v);
                    if s.is_empty() {
                        // A problem: its detail says what was refused.
                        v.get("detail")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned()
                    } else {
                        s
                    }
                })
                .unwrap_or_default();
            (summary, Response::from_parts(parts, Body::from(bytes)))
        }
        Err(e) => {
            tracing::error!(error = %e, "the answer could not be read for the audit trail");
            (
                String::new(),
                Response::from_parts(parts, Body::from("the answer was lost")),
            )
        }
    }
}

/// Records `response` to the write `method path` by `principal` in the audit trail, then
/// returns it. A failure to record is logged as an error; the write itself has happened.
pub(crate) async fn record(
    state: &AppState,
    principal: &Principal,
    method: &Method,
    path_and_query: &str,
    address: Option<IpAddr>,
    response: Response,
) -> Response {
    let (summary, response) = summarise(response).await;
    let address = address.map(|a| a.to_string());
    let entry = NewAuditEntry {
        actor: &principal.name,
        actor_kind: principal.kind.as_str(),
        role: principal.label,
        method: method.as_str(),
        path: path_and_query,
        status: response.status().as_u16(),
        summary: &summary,
        address: address.as_deref(),
    };
    if let Err(e) = state.app.store().append_audit(&entry).await {
        tracing::error!(error = %e, actor = %principal.name, path = %path_and_query,
            "the audit entry of a write could not be stored");
    }
    response
}

/// Records a login attempt (the middleware does not: nobody is signed in yet).
pub(crate) async fn record_login(
    state: &AppState,
    name: &str,
    status: u16,
    summary: &str,
    address: Option<IpAddr>,
) {
    let actor = if lotrace_store::check_auth_name("name", name).is_ok() {
        name
    } else {
        "(invalid name)"
    };
    let address = address.map(|a| a.to_string());
    let entry = NewAuditEntry {
        actor,
        actor_kind: "login",
        role: "-",
        method: "POST",
        path: "/login",
        status,
        summary,
        address: address.as_deref(),
    };
    if let Err(e) = state.app.store().append_audit(&entry).await {
        tracing::error!(error = %e, "the audit entry of a login could not be stored");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_name_what_was_written() {
        let v = serde_json::json!({"operation": "receive", "event_ids": ["a", "b"], "lots": ["x"]});
        assert_eq!(summary_of_json(&v), "operation=receive event_ids=a (+1)");
        let v = serde_json::json!({"code": "SALAD", "version": 2});
        assert_eq!(summary_of_json(&v), "code=SALAD");
        assert_eq!(summary_of_json(&serde_json::json!([1])), "");
    }
}
