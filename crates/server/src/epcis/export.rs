//! EPCIS documents of a trace or a recall: the events a trace names, or the events that
//! name a recall's affected lots, as one EPCIS 2.0 `EPCISDocument` (JSON-LD or XML).
//! `lotrace export epcis` and the API (`GET /api/v1/trace/epcis?id=…&direction=…`,
//! `GET /api/v1/recalls/{id}/epcis`, `Accept: application/ld+json | application/xml`) both
//! use it; the events come through the same query code as `GET /epcis/events`.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use lotrace_app::App;
use lotrace_epcis::Event;
use lotrace_store::{Store, StoredEvent};
use lotrace_trace::Direction;
use serde::Deserialize;
use serde_json::json;

use super::matcher::{MatchField, Pattern};
use super::params::Query;
use super::{EPCIS_CONTEXT, query, wants_xml};
use crate::AppState;
use crate::api::ApiQuery;
use crate::problem::Problem;

/// The most events one export holds.
pub const MAX_EXPORT_EVENTS: usize = 1_000_000;
/// Identifiers (eventIDs or lots) looked up per store query.
const IDS_PER_QUERY: usize = 500;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/trace/epcis", get(trace_document))
        .route("/api/v1/recalls/{id}/epcis", get(recall_document))
}

/// The serialisation of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    JsonLd,
    Xml,
}

impl Format {
    pub fn media_type(self) -> &'static str {
        match self {
            Format::JsonLd => "application/ld+json",
            Format::Xml => "application/xml",
        }
    }
}

/// An `EPCISDocument` holding `events`, in `format`. Each event keeps its own `@context`
/// (the namespace prefixes of its extensions), so the document reads back to the same
/// events with the same hash IDs.
pub fn document(events: &[Event], format: Format) -> String {
    match format {
        Format::Xml => lotrace_epcis::to_xml_document(events),
        Format::JsonLd => {
            let doc = json!({
                "@context": [EPCIS_CONTEXT],
                "type": "EPCISDocument",
                "schemaVersion": "2.0",
                "creationDate": jiff::Timestamp::now().to_string(),
                "epcisBody": { "eventList": events },
            });
            let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
            text.push('\n');
            text
        }
    }
}

/// Every event `q` matches, at most `MAX_EXPORT_EVENTS` (more is an error, never a cut).
pub async fn query_events(store: &Store, q: &Query) -> Result<Vec<StoredEvent>, Problem> {
    let mut q = q.clone();
    q.per_page = None;
    q.next_page_token = None;
    let events = query::run_all(store, &q, MAX_EXPORT_EVENTS + 1).await?;
    if events.len() > MAX_EXPORT_EVENTS {
        return Err(too_many());
    }
    Ok(events)
}

fn too_many() -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "epcisException:QueryTooLargeException",
        format!("the export would hold more than {MAX_EXPORT_EVENTS} events; narrow it"),
    )
}

/// The events of `queries` (run each, all of their answers), each once, in log order.
async fn union(store: &Store, queries: Vec<Query>) -> Result<Vec<Event>, Problem> {
    let mut by_seq: BTreeMap<i64, Event> = BTreeMap::new();
    for q in queries {
        for stored in query_events(store, &q).await? {
            by_seq.insert(stored.seq, stored.event);
        }
        if by_seq.len() > MAX_EXPORT_EVENTS {
            return Err(too_many());
        }
    }
    Ok(by_seq.into_values().collect())
}

/// The stored events with these eventIDs (declarations of error included), in log order.
pub async fn events_by_id(store: &Store, ids: &[String]) -> Result<Vec<Event>, Problem> {
    let queries = ids
        .chunks(IDS_PER_QUERY)
        .map(|chunk| Query {
            event_ids: Some(chunk.to_vec()),
            ..Query::default()
        })
        .collect();
    union(store, queries).await
}

/// The events that name one of `lots` (canonical identifiers) as an EPC or an EPC class in
/// any role, in log order.
pub async fn events_of_lots(store: &Store, lots: &[String]) -> Result<Vec<Event>, Problem> {
    let mut queries = Vec::new();
    for chunk in lots.chunks(IDS_PER_QUERY) {
        let patterns: Vec<Pattern> = chunk.iter().cloned().map(Pattern::Exact).collect();
        for field in [MatchField::AnyEpc, MatchField::AnyEpcClass] {
            queries.push(Query {
                matches: vec![(field, patterns.clone())],
                ..Query::default()
            });
        }
    }
    union(store, queries).await
}

/// The events a trace of `id` names (its `events` list), in log order.
pub async fn trace_events(
    app: &App,
    id: &str,
    direction: Direction,
) -> Result<Vec<Event>, Problem> {
    let trace = app.trace(id, direction).await?;
    events_by_id(app.store(), &trace.events).await
}

/// The events that name the affected lots of recall `id`, in log order.
pub async fn recall_events(app: &App, id: &str) -> Result<Vec<Event>, Problem> {
    let view = app.recall(id).await?;
    let lots: Vec<String> = view.impact.lots.iter().map(|l| l.id.clone()).collect();
    events_of_lots(app.store(), &lots).await
}

/// XML when the client asked for it (`Accept: application/xml`), JSON-LD otherwise.
fn negotiated(headers: &HeaderMap) -> Format {
    if wants_xml(headers) {
        Format::Xml
    } else {
        Format::JsonLd
    }
}

fn respond(events: &[Event], format: Format, file_stem: &str) -> Response {
    let extension = match format {
        Format::JsonLd => "jsonld",
        Format::Xml => "xml",
    };
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, format.media_type())],
        document(events, format),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert("GS1-EPCIS-Version", HeaderValue::from_static("2.0.0"));
    headers.insert("GS1-CBV-Version", HeaderValue::from_static("2.0.0"));
    let safe: String = file_stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}.{extension}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TraceQuery {
    id: String,
    direction: Direction,
}

async fn trace_document(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<TraceQuery>,
) -> Result<Response, Problem> {
    let events = trace_events(&state.app, &q.id, q.direction).await?;
    Ok(respond(&events, negotiated(&headers), "trace-epcis"))
}

async fn recall_document(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let events = recall_events(&state.app, &id).await?;
    Ok(respond(
        &events,
        negotiated(&headers),
        &format!("{id}-epcis"),
    ))
}

/// The namespace prefixes a document binds in its `@context`, copied into the `@context` of
/// each of its events that uses one. The HTTP capture and `lotrace import` both read
/// documents through [`read_document`], so a stored event keeps the meaning (and the hash)
/// of its extension fields whichever way it came in.
pub fn read_document(
    bytes: &[u8],
    limits: &lotrace_epcis::Limits,
) -> Result<lotrace_epcis::Document, lotrace_epcis::CaptureError> {
    let mut document = if lotrace_epcis::looks_like_xml(bytes) {
        lotrace_epcis::parse_xml_document(bytes, limits)?
    } else {
        lotrace_epcis::parse_document(bytes, limits)?
    };
    super::capture::carry_context(&mut document.events, &document.context);
    Ok(document)
}
