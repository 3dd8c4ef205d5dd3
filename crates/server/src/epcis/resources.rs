//! Event queries over HTTP: `GET /epcis/events` with the standard query parameters, one
//! event by eventID, and the resource endpoints, each the same query with one parameter
//! taken from the path (`/epcis/bizSteps/shipping/events` is `EQ_bizStep=shipping`).

use axum::Json;
use axum::Router;
use axum::extract::{OriginalUri, Path, Query as UrlQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use lotrace_epcis::{Event, EventType};
use serde_json::json;

use super::params::{self, RawParams};
use super::{EPCIS_CONTEXT, answer, next_link, query};
use crate::AppState;
use crate::problem::Problem;

type Pairs = UrlQuery<Vec<(String, String)>>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/epcis/events/{event_id}", get(event_by_id))
        .route("/epcis/eventTypes", get(event_types))
        .route("/epcis/eventTypes/{value}/events", get(by_event_type))
        .route("/epcis/epcs/{value}/events", get(by_epc))
        .route("/epcis/bizSteps/{value}/events", get(by_biz_step))
        .route("/epcis/bizLocations/{value}/events", get(by_biz_location))
        .route("/epcis/readPoints/{value}/events", get(by_read_point))
        .route("/epcis/dispositions/{value}/events", get(by_disposition))
}

/// `GET /epcis/events`.
pub async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: OriginalUri,
    pairs: Result<Pairs, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Problem> {
    let raw = url_params(pairs)?;
    run(&state, &headers, &uri, raw, "SimpleEventQuery").await
}

fn url_params(
    pairs: Result<Pairs, axum::extract::rejection::QueryRejection>,
) -> Result<RawParams, Problem> {
    let UrlQuery(pairs) =
        pairs.map_err(|e| super::query_parameter("(query string)", e.body_text()))?;
    Ok(params::from_pairs(pairs))
}

/// Parses, runs and answers one page of a query given as `raw`.
pub async fn run(
    state: &AppState,
    headers: &HeaderMap,
    uri: &OriginalUri,
    raw: RawParams,
    query_name: &str,
) -> Result<Response, Problem> {
    let q = params::parse(&raw)?;
    let fingerprint = query::fingerprint(&raw);
    let page = query::run(state.app.store(), &q, &fingerprint, query::MAX_PER_PAGE).await?;
    let events: Vec<Event> = page.events.into_iter().map(|s| s.event).collect();
    let next = page
        .next_page_token
        .map(|t| next_link(uri.path(), uri.query(), &t));
    Ok(answer(headers, &events, query_name, next))
}

async fn event_by_id(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(event_id): Path<String>,
) -> Result<Response, Problem> {
    let mut stored = state.app.store().events_by_id(&event_id).await?;
    stored.retain(|s| crate::auth::partner::visible(&s.event));
    if stored.is_empty() {
        return Err(Problem::not_found(format!(
            "no event with eventID {event_id:?}"
        )));
    }
    let events: Vec<Event> = stored.into_iter().map(|s| s.event).collect();
    Ok(answer(&headers, &events, "SimpleEventQuery", None))
}

async fn event_types() -> Response {
    let members: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
    Json(json!({
        "@context": [EPCIS_CONTEXT],
        "type": "Collection",
        "member": members,
    }))
    .into_response()
}

/// A resource endpoint: the URL's query plus `name=value` from the path.
async fn by_path(
    state: AppState,
    headers: HeaderMap,
    uri: OriginalUri,
    pairs: Result<Pairs, axum::extract::rejection::QueryRejection>,
    name: &str,
    value: String,
) -> Result<Response, Problem> {
    let mut raw = url_params(pairs)?;
    if raw.iter().any(|(n, _)| n == name) {
        return Err(super::query_parameter(
            name,
            "is given by the path of this resource; leave it out of the query string",
        ));
    }
    raw.push((name.to_owned(), vec![value]));
    run(&state, &headers, &uri, raw, "SimpleEventQuery").await
}

macro_rules! resource {
    ($fn:ident, $param:literal) => {
        async fn $fn(
            State(state): State<AppState>,
            headers: HeaderMap,
            uri: OriginalUri,
            Path(value): Path<String>,
            pairs: Result<Pairs, axum::extract::rejection::QueryRejection>,
        ) -> Result<Response, Problem> {
            by_path(state, headers, uri, pairs, $param, value).await
        }
    };
}

resource!(by_event_type, "eventType");
resource!(by_epc, "MATCH_anyEPC");
resource!(by_biz_step, "EQ_bizStep");
resource!(by_biz_location, "EQ_bizLocation");
resource!(by_read_point, "EQ_readPoint");
resource!(by_disposition, "EQ_disposition");
