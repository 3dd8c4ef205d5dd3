//! The EPCIS 2.0 REST binding: capture, capture jobs, events.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use lotrace_epcis::Event;
use serde_json::{Value, json};

use crate::AppState;
use crate::problem::Problem;

/// The `@context` of every document this server writes.
pub const EPCIS_CONTEXT: &str = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";
/// How many capture jobs `GET /epcis/capture` lists.
const CAPTURE_JOBS_LISTED: u32 = 100;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/epcis/capture", get(list_capture_jobs).post(capture))
        .route("/epcis/capture/{capture_id}", get(capture_job))
        .route("/epcis/events/{event_id}", get(event_by_id))
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
                "the document is larger than the capture limit of {} bytes; split it into several captures",
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
    check_json_content_type(&headers)?;
    let limits = lotrace_epcis::Limits {
        max_events: state.limits.max_capture_events,
    };
    let document =
        tokio::task::spawn_blocking(move || lotrace_epcis::parse_document(&body, &limits))
            .await
            .map_err(Problem::internal)?
            .map_err(|e| Problem::invalid_document(&e))?;
    let receipt = state.app.capture(document.events, "http").await?;
    let location = format!("/epcis/capture/{}", receipt.job.id);
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        Json(receipt.job),
    )
        .into_response())
}

fn check_json_content_type(headers: &HeaderMap) -> Result<(), Problem> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let media = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if matches!(media.as_str(), "application/json" | "application/ld+json") {
        return Ok(());
    }
    Err(Problem::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "epcisException:ValidationException",
        format!(
            "content type {media:?} is not accepted; send application/ld+json or application/json"
        ),
    ))
}

async fn capture_job(
    State(state): State<AppState>,
    Path(capture_id): Path<String>,
) -> Result<Response, Problem> {
    let job = state.app.store().capture_job(&capture_id).await?;
    let job = job.ok_or_else(|| Problem::not_found(format!("no capture job {capture_id:?}")))?;
    Ok(Json(job).into_response())
}

async fn list_capture_jobs(State(state): State<AppState>) -> Result<Response, Problem> {
    let jobs = state.app.store().capture_jobs(CAPTURE_JOBS_LISTED).await?;
    Ok(Json(jobs).into_response())
}

async fn event_by_id(
    State(state): State<AppState>,
    Path(event_id): Path<String>,
) -> Result<Response, Problem> {
    let stored = state.app.store().events_by_id(&event_id).await?;
    if stored.is_empty() {
        return Err(Problem::not_found(format!(
            "no event with eventID {event_id:?}"
        )));
    }
    let events: Vec<Event> = stored.into_iter().map(|s| s.event).collect();
    Ok(Json(query_document(&events)).into_response())
}

/// An `EPCISQueryDocument` holding `events`, as the REST binding answers event queries.
pub fn query_document(events: &[Event]) -> Value {
    json!({
        "@context": [EPCIS_CONTEXT],
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": jiff::Timestamp::now().to_string(),
        "epcisBody": {
            "queryResults": {
                "queryName": "SimpleEventQuery",
                "resultsBody": { "eventList": events }
            }
        }
    })
}
