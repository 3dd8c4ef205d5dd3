//! Capture: `POST /epcis/capture` and `POST /epcis/events` take an EPCISDocument (or the
//! results of an EPCISQueryDocument) as JSON-LD or as EPCIS 2.0 / 1.2 XML.
//!
//! `GS1-Capture-Error-Behaviour: rollback` (the default) stores all or nothing: an invalid
//! document is refused (400) with every error. `proceed` stores the valid events and
//! reports the invalid ones in the capture job (`GET /epcis/capture/{captureID}`), which
//! then says `success: false`; a document that is broken as a whole (not JSON, no event
//! list) is still refused.

use std::collections::BTreeSet;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lotrace_epcis::{CaptureError, Event, FieldError, Limits};
use lotrace_store::{CaptureJob, CaptureReport};
use serde_json::{Value, json};

use crate::AppState;
use crate::problem::Problem;

/// How many capture jobs `GET /epcis/capture` lists.
const CAPTURE_JOBS_LISTED: u32 = 100;
/// The header's name in the REST binding, and the spelling some clients send.
const BEHAVIOUR_HEADERS: [&str; 2] = [
    "GS1-Capture-Error-Behaviour",
    "GS1-EPCIS-Capture-Error-Behaviour",
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/epcis/capture", get(list_capture_jobs).post(capture))
        .route("/epcis/capture/{capture_id}", get(capture_job))
        .route("/epcis/events", post(capture).get(super::resources::events))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Behaviour {
    Rollback,
    Proceed,
}

async fn capture(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let body = body.map_err(|rejection| {
        let status = rejection.status();
        let detail = if status == StatusCode::PAYLOAD_TOO_LARGE {
            format!(
                "the document is larger than the capture limit of {} bytes (max_body_bytes); split it into several captures",
                state.limits.max_body_bytes
            )
        } else {
            rejection.body_text()
        };
        let kind = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "epcisException:CaptureLimitExceededException"
        } else {
            "epcisException:ValidationException"
        };
        Problem::new(status, kind, detail)
    })?;
    let format = content_format(&headers, &body)?;
    let behaviour = error_behaviour(&headers)?;
    let limits = Limits {
        max_events: state.limits.max_capture_events,
    };
    let (events, rejected) = match behaviour {
        Behaviour::Rollback => (parse_whole(body.into(), format, limits).await?, Vec::new()),
        Behaviour::Proceed => {
            tokio::task::spawn_blocking(move || parse_greedy(&body, format, &limits))
                .await
                .map_err(Problem::internal)?
                .map_err(|e| Problem::invalid_document(&e))?
        }
    };
    let receipt = state.app.capture(events, "http").await?;
    let mut job = receipt.job;
    if behaviour == Behaviour::Proceed {
        let report = CaptureReport {
            capture_id: job.id.clone(),
            error_behaviour: "proceed".into(),
            events_rejected: rejected.len() as u64,
            errors: rejected.iter().map(error_json).collect(),
        };
        state.app.store().put_capture_report(&report).await?;
        job = merge(job, Some(report));
    }
    let location = format!("/epcis/capture/{}", job.id);
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        Json(job),
    )
        .into_response())
}

/// An uploaded EPCIS document (JSON-LD, or XML told by its first character), parsed whole:
/// one invalid event rejects it all, every error named.
pub(crate) async fn parse_upload(state: &AppState, body: Vec<u8>) -> Result<Vec<Event>, Problem> {
    let format = if lotrace_epcis::looks_like_xml(&body) {
        Format::Xml
    } else {
        Format::Json
    };
    let limits = Limits {
        max_events: state.limits.max_capture_events,
    };
    parse_whole(body, format, limits).await
}

/// Parses off the async threads (a large document takes a while); the events carry the
/// document's namespace prefixes.
async fn parse_whole(body: Vec<u8>, format: Format, limits: Limits) -> Result<Vec<Event>, Problem> {
    tokio::task::spawn_blocking(move || {
        parse(&body, format, &limits).map(|mut d| {
            carry_context(&mut d.events, &d.context);
            d.events
        })
    })
    .await
    .map_err(Problem::internal)?
    .map_err(|e| Problem::invalid_document(&e))
}

fn parse(
    body: &[u8],
    format: Format,
    limits: &Limits,
) -> Result<lotrace_epcis::Document, CaptureError> {
    match format {
        Format::Json => lotrace_epcis::parse_document(body, limits),
        Format::Xml => lotrace_epcis::parse_xml_document(body, limits),
    }
}

/// The valid events of a document and the errors of the others (indexes as in the
/// document). Errors of the document as a whole reject it.
fn parse_greedy(
    body: &[u8],
    format: Format,
    limits: &Limits,
) -> Result<(Vec<Event>, Vec<FieldError>), CaptureError> {
    let mut value: Value = match format {
        Format::Xml => lotrace_epcis::xml::xml_to_json(body, limits)?,
        Format::Json => match serde_json::from_slice(body) {
            Ok(v) => v,
            // parse_document words the error.
            Err(_) => {
                return lotrace_epcis::parse_document(body, limits).map(|d| (d.events, vec![]));
            }
        },
    };
    let count = event_list(&mut value).map_or(0, |l| l.len());
    let mut original: Vec<usize> = (0..count).collect();
    let mut rejected: Vec<FieldError> = Vec::new();
    loop {
        let bytes = serde_json::to_vec(&value).map_err(|e| CaptureError {
            errors: vec![FieldError {
                event_index: None,
                event_id: None,
                field: "(document)".into(),
                rule: e.to_string(),
            }],
        })?;
        let error = match lotrace_epcis::parse_document(&bytes, limits) {
            Ok(mut document) => {
                rejected.sort_by_key(|e| e.event_index);
                carry_context(&mut document.events, &document.context);
                return Ok((document.events, rejected));
            }
            Err(e) => e,
        };
        let bad: BTreeSet<usize> = error.errors.iter().filter_map(|e| e.event_index).collect();
        let whole = error
            .errors
            .iter()
            .any(|e| e.event_index.is_none() && !e.rule.ends_with("more errors not listed"));
        if whole || bad.is_empty() {
            return Err(error);
        }
        for mut e in error.errors.into_iter().filter(|e| e.event_index.is_some()) {
            e.event_index = e.event_index.and_then(|i| original.get(i).copied());
            rejected.push(e);
        }
        let Some(list) = event_list(&mut value) else {
            return Err(CaptureError { errors: rejected });
        };
        for &i in bad.iter().rev() {
            if i < list.len() {
                list.remove(i);
                original.remove(i);
            }
        }
    }
}

/// Copies the namespace prefixes a document binds in its `@context` into the `@context` of
/// each event that uses one, so that a stored event keeps the meaning (and the CBV hash) of
/// its extension fields when it is read back alone, in a query answer or an export.
pub(crate) fn carry_context(events: &mut [Event], context: &Value) {
    let mut bindings = serde_json::Map::new();
    let items: Vec<&Value> = match context {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    for item in items {
        if let Value::Object(map) = item {
            for (prefix, iri) in map {
                if iri.is_string() && !prefix.starts_with('@') {
                    bindings.insert(prefix.clone(), iri.clone());
                }
            }
        }
    }
    if bindings.is_empty() {
        return;
    }
    for event in events {
        let text = serde_json::to_string(&*event).unwrap_or_default();
        let used: serde_json::Map<String, Value> = bindings
            .iter()
            .filter(|(prefix, _)| text.contains(&format!("\"{prefix}:")))
            .map(|(p, i)| (p.clone(), i.clone()))
            .collect();
        if used.is_empty() {
            continue;
        }
        event.context = Some(match event.context.take() {
            None => Value::Object(used),
            Some(Value::Object(mut own)) => {
                for (p, i) in used {
                    own.entry(p).or_insert(i);
                }
                Value::Object(own)
            }
            Some(Value::Array(mut own)) => {
                own.insert(0, Value::Object(used));
                Value::Array(own)
            }
            Some(other) => Value::Array(vec![Value::Object(used), other]),
        });
    }
}

/// The event list of a capture or query document.
fn event_list(value: &mut Value) -> Option<&mut Vec<Value>> {
    let body = value.get_mut("epcisBody")?;
    if body.get("eventList").is_some() {
        return body.get_mut("eventList")?.as_array_mut();
    }
    body.get_mut("queryResults")?
        .get_mut("resultsBody")?
        .get_mut("eventList")?
        .as_array_mut()
}

fn error_json(e: &FieldError) -> Value {
    json!({
        "eventIndex": e.event_index,
        "eventID": e.event_id,
        "field": e.field,
        "rule": e.rule,
        "message": e.to_string(),
    })
}

fn content_format(headers: &HeaderMap, body: &[u8]) -> Result<Format, Problem> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(if lotrace_epcis::looks_like_xml(body) {
            Format::Xml
        } else {
            Format::Json
        });
    };
    let media = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "application/json" | "application/ld+json" => Ok(Format::Json),
        "application/xml" | "text/xml" => Ok(Format::Xml),
        _ => Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "epcisException:ValidationException",
            format!(
                "content type {media:?} is not accepted; send application/ld+json, \
                 application/json, application/xml or text/xml"
            ),
        )),
    }
}

fn error_behaviour(headers: &HeaderMap) -> Result<Behaviour, Problem> {
    let Some((name, value)) = BEHAVIOUR_HEADERS
        .iter()
        .find_map(|name| headers.get(*name).map(|v| (*name, v)))
    else {
        return Ok(Behaviour::Rollback);
    };
    match value
        .to_str()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
        .as_str()
    {
        "rollback" => Ok(Behaviour::Rollback),
        "proceed" => Ok(Behaviour::Proceed),
        other => Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "epcisException:ValidationException",
            format!("header {name}: {other:?} is not supported; use rollback or proceed"),
        )),
    }
}

/// A job as the store keeps it, with what a `proceed` capture left out.
fn merge(mut job: CaptureJob, report: Option<CaptureReport>) -> CaptureJob {
    if let Some(r) = report {
        job.capture_error_behaviour = r.error_behaviour;
        job.events_read += r.events_rejected;
        if r.events_rejected > 0 {
            job.success = false;
        }
        job.errors.extend(r.errors);
    }
    job
}

async fn capture_job(
    State(state): State<AppState>,
    Path(capture_id): Path<String>,
) -> Result<Response, Problem> {
    let store = state.app.store();
    let job = store.capture_job(&capture_id).await?;
    let job = job.ok_or_else(|| Problem::not_found(format!("no capture job {capture_id:?}")))?;
    let report = store.capture_report(&capture_id).await?;
    Ok(Json(merge(job, report)).into_response())
}

async fn list_capture_jobs(State(state): State<AppState>) -> Result<Response, Problem> {
    let store = state.app.store();
    let mut jobs = Vec::new();
    for job in store.capture_jobs(CAPTURE_JOBS_LISTED).await? {
        let report = store.capture_report(&job.id).await?;
        jobs.push(merge(job, report));
    }
    Ok(Json(jobs).into_response())
}
