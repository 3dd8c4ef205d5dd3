//! Named queries: `POST /epcis/queries` (`{"name": …, "query": {…parameters…}}`), `GET`
//! the list or one, `GET /epcis/queries/{name}/events` runs it (paged like `/epcis/events`),
//! or, with `Upgrade: websocket` and `stream=true`, subscribes to it over a WebSocket
//! (`websocket`); `DELETE` removes it and its subscriptions.

use axum::body::Bytes;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{OriginalUri, Path, Query as UrlQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use super::params::{self, RawParams};
use crate::AppState;
use crate::problem::Problem;

/// The longest query name.
pub const MAX_NAME_BYTES: usize = 128;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/epcis/queries", get(list).post(create))
        .route("/epcis/queries/{name}", get(one).delete(remove))
        .route("/epcis/queries/{name}/events", get(events))
}

fn no_such_name(name: &str) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "epcisException:NoSuchNameException",
        format!("no named query {name:?}"),
    )
}

fn validation(detail: impl Into<String>) -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "epcisException:ValidationException",
        detail,
    )
}

/// A query definition's parameters, checked as a query would be; paging belongs to the
/// request that runs it.
pub fn checked_definition(query: &Value) -> Result<RawParams, Problem> {
    let raw = params::from_json(query)?;
    if let Some((name, _)) = raw
        .iter()
        .find(|(n, _)| n == "nextPageToken" || n == "perPage")
    {
        return Err(super::query_parameter(
            name,
            "belongs to the request that runs the query, not to its definition",
        ));
    }
    params::parse(&raw)?;
    Ok(raw)
}

async fn create(State(state): State<AppState>, body: Bytes) -> Result<Response, Problem> {
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| validation(format!("the body is not JSON: {e}")))?;
    let name = value
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| validation("name: missing; expected {\"name\": …, \"query\": {…}}"))?;
    if name.is_empty()
        || name.len() > MAX_NAME_BYTES
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        return Err(validation(format!(
            "name: {name:?} must be 1 to {MAX_NAME_BYTES} letters, digits, '-', '_' or '.'"
        )));
    }
    let query = value
        .get("query")
        .ok_or_else(|| validation("query: missing; expected an object of query parameters"))?;
    checked_definition(query)?;
    let created = state
        .app
        .store()
        .create_named_query(name, query)
        .await
        .map_err(|e| match e {
            lotrace_store::StoreError::InvalidNamedQuery(m) => validation(m),
            other => other.into(),
        })?;
    let Some(created) = created else {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "epcisException:ValidationException",
            format!(
                "a query named {name:?} exists already; delete it first or choose another name"
            ),
        ));
    };
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/epcis/queries/{name}"))],
        Json(created),
    )
        .into_response())
}

async fn list(State(state): State<AppState>) -> Result<Response, Problem> {
    Ok(Json(state.app.store().named_queries().await?).into_response())
}

async fn one(State(state): State<AppState>, Path(name): Path<String>) -> Result<Response, Problem> {
    let q = state.app.store().named_query(&name).await?;
    Ok(Json(q.ok_or_else(|| no_such_name(&name))?).into_response())
}

async fn remove(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, Problem> {
    for s in state.app.store().subscriptions(Some(&name)).await? {
        state.subscriptions.stop(&s.id);
    }
    state.subscriptions.streams.stop_query(&name);
    if !state.app.store().delete_named_query(&name).await? {
        return Err(no_such_name(&name));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The stored definition of `name` as parameters.
pub async fn definition(state: &AppState, name: &str) -> Result<RawParams, Problem> {
    let q = state
        .app
        .store()
        .named_query(name)
        .await?
        .ok_or_else(|| no_such_name(name))?;
    Ok(params::from_json(&q.query)?)
}

/// Runs the query (one page), or with `Upgrade: websocket` subscribes to it (`websocket`).
async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: OriginalUri,
    Path(name): Path<String>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    pairs: Result<UrlQuery<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Problem> {
    let UrlQuery(pairs) =
        pairs.map_err(|e| super::query_parameter("(query string)", e.body_text()))?;
    let mut raw = definition(&state, &name).await?;
    if super::websocket::is_upgrade(&headers) {
        let upgrade = upgrade.map_err(|e| {
            Problem::new(
                e.status(),
                "epcisException:SubscriptionControlsException",
                format!("the WebSocket handshake is not valid: {}", e.body_text()),
            )
        })?;
        return super::websocket::subscribe(&state, &name, raw, params::from_pairs(pairs), upgrade)
            .await;
    }
    for (n, v) in params::from_pairs(pairs) {
        if n == "stream" || n == "initialRecordTime" || n == "reportIfEmpty" {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "epcisException:SubscriptionControlsException",
                format!(
                    "{n}: a subscription on this URL needs a WebSocket handshake \
                     (Upgrade: websocket); for a webhook POST to /epcis/queries/{name}/subscriptions"
                ),
            ));
        }
        if n != "perPage" && n != "nextPageToken" {
            return Err(super::query_parameter(
                &n,
                "a named query takes only perPage and nextPageToken; its other parameters are in its definition",
            ));
        }
        raw.push((n, v));
    }
    super::resources::run(&state, &headers, &uri, raw, &name).await
}
