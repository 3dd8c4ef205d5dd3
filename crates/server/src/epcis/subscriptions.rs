//! Webhook subscriptions to named queries (streaming, as the REST binding's
//! `QueryStreamSubscription`): `POST /epcis/queries/{name}/subscriptions` with
//! `{"dest": "http://…", "signatureToken": "…", "stream": true}`.
//!
//! Each subscription has a task that follows the log (`Store::wait_for_new_events`,
//! `events_after`) from its stored position, checks each new event against the query, and
//! POSTs the matches as one `EPCISQueryDocument` (JSON-LD) per batch to `dest`. With a
//! signature token the request carries `GS1-Signature: sha256=<hex HMAC-SHA256 of the
//! body, keyed by the token>`. A failed delivery is retried `MAX_ATTEMPTS` times with
//! doubling waits; after that the subscription records the error and tries the same batch
//! again after `PAUSE_AFTER_FAILURE`: events are never skipped, and the position only moves
//! once the receiver answered 2xx. Positions are stored, so subscriptions resume after a
//! restart (`resume_all`, called by `serve`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use lotrace_epcis::Event;
use lotrace_store::{Store, Subscription};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::params::{self, Query};
use crate::AppState;
use crate::problem::Problem;

pub const MAX_ATTEMPTS: u32 = 5;
pub const FIRST_RETRY_MS: u64 = 200;
pub const MAX_RETRY_MS: u64 = 5_000;
pub const PAUSE_AFTER_FAILURE: Duration = Duration::from_secs(30);
/// Events read from the log per delivery round (and at most delivered in one document).
pub const DELIVERY_BATCH: u32 = 500;
/// How long one delivery request may take.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);
const WAIT: Duration = Duration::from_secs(30);

/// The running delivery tasks, by subscription ID.
#[derive(Default)]
pub struct Subscriptions {
    tasks: Mutex<HashMap<String, tokio::task::JoinHandle<()>>>,
    /// The open WebSocket subscriptions (`websocket`).
    pub streams: super::websocket::Streams,
}

impl Subscriptions {
    pub fn stop(&self, id: &str) {
        if let Some(task) = self
            .tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id)
        {
            task.abort();
        }
    }

    pub fn stop_all(&self) {
        for (_, task) in self.tasks.lock().unwrap_or_else(|e| e.into_inner()).drain() {
            task.abort();
        }
        self.streams.stop_every();
    }

    fn start(&self, store: Store, subscription: Subscription, query: Query) {
        let id = subscription.id.clone();
        let task = tokio::spawn(deliver_forever(store, subscription, query));
        if let Some(old) = self
            .tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, task)
        {
            old.abort();
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/epcis/queries/{name}/subscriptions",
            get(list).post(create),
        )
        .route(
            "/epcis/queries/{name}/subscriptions/{id}",
            get(one).delete(remove),
        )
}

fn validation(detail: impl Into<String>) -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "epcisException:SubscribeNotPermittedException",
        detail,
    )
}

/// Starts the delivery task of every stored subscription.
pub async fn resume_all(state: &AppState) -> Result<(), Problem> {
    for s in state.app.store().subscriptions(None).await? {
        match super::named::definition(state, &s.query_name)
            .await
            .and_then(|raw| Ok(params::parse(&raw)?))
        {
            Ok(q) => state.subscriptions.start(state.app.store().clone(), s, q),
            Err(e) => tracing::warn!(subscription = %s.id, detail = %e.detail, "not resumed"),
        }
    }
    Ok(())
}

async fn create(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Response, Problem> {
    let raw = super::named::definition(&state, &name).await?;
    let mut q = params::parse(&raw)?;
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| validation(format!("the body is not JSON: {e}")))?;
    let dest = value
        .get("dest")
        .and_then(Value::as_str)
        .ok_or_else(|| validation("dest: missing; expected the URL to deliver to"))?;
    check_dest(dest)?;
    if value.get("schedule").is_some() {
        return Err(validation(
            "schedule: scheduled subscriptions are not supported; set \"stream\": true",
        ));
    }
    if value.get("stream").and_then(Value::as_bool) != Some(true) {
        return Err(validation(
            "stream: must be true (this repository delivers each new matching event)",
        ));
    }
    let token = match value.get("signatureToken") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) if !t.is_empty() && t.len() <= 1024 => Some(t.clone()),
        Some(_) => {
            return Err(validation(
                "signatureToken: expected a string of 1 to 1024 bytes",
            ));
        }
    };
    let report_if_empty = value
        .get("reportIfEmpty")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let store = state.app.store();
    // From now on, or (initialRecordTime) every event recorded since then.
    let after_seq = match value.get("initialRecordTime") {
        None | Some(Value::Null) => store.max_seq().await?,
        Some(Value::String(t)) => {
            let t = t.parse::<jiff::Timestamp>().map_err(|_| {
                validation(format!(
                    "initialRecordTime: {t:?} is not a date-time with offset"
                ))
            })?;
            q.record_time.ge = Some(q.record_time.ge.map_or(t, |g| g.max(t)));
            0
        }
        Some(_) => return Err(validation("initialRecordTime: expected a date-time string")),
    };
    let subscription = Subscription {
        id: uuid::Uuid::now_v7().to_string(),
        query_name: name.clone(),
        dest: dest.to_owned(),
        signature_token: token,
        report_if_empty,
        created_at: jiff::Timestamp::now(),
        after_seq,
        delivered: 0,
        last_error: None,
    };
    store.create_subscription(&subscription).await?;
    state
        .subscriptions
        .start(store.clone(), subscription.clone(), q);
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/epcis/queries/{name}/subscriptions/{}", subscription.id),
        )],
        Json(subscription),
    )
        .into_response())
}

fn check_dest(dest: &str) -> Result<(), Problem> {
    let Some(rest) = dest.strip_prefix("http://") else {
        return Err(validation(if dest.starts_with("https://") {
            "dest: https destinations need TLS, which this build does not include; use http:// (behind a TLS proxy)".to_owned()
        } else {
            format!("dest: {dest:?} is not an http:// URL")
        }));
    };
    if rest.is_empty() || rest.starts_with('/') || dest.len() > 2048 {
        return Err(validation(format!("dest: {dest:?} names no host")));
    }
    Ok(())
}

async fn list(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, Problem> {
    super::named::definition(&state, &name).await?;
    let mut list: Vec<Value> = Vec::new();
    for s in state.app.store().subscriptions(Some(&name)).await? {
        list.push(serde_json::to_value(s).map_err(Problem::internal)?);
    }
    for s in state.subscriptions.streams.list(&name) {
        list.push(serde_json::to_value(s).map_err(Problem::internal)?);
    }
    Ok(Json(list).into_response())
}

async fn one(
    State(state): State<AppState>,
    Path((name, id)): Path<(String, String)>,
) -> Result<Response, Problem> {
    match state.app.store().subscription(&id).await? {
        Some(s) if s.query_name == name => Ok(Json(s).into_response()),
        _ => Err(Problem::not_found(format!(
            "no subscription {id:?} to query {name:?}"
        ))),
    }
}

async fn remove(
    State(state): State<AppState>,
    Path((name, id)): Path<(String, String)>,
) -> Result<Response, Problem> {
    match state.app.store().subscription(&id).await? {
        Some(s) if s.query_name == name => {
            state.subscriptions.stop(&id);
            state.app.store().delete_subscription(&id).await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        None if state
            .subscriptions
            .streams
            .list(&name)
            .iter()
            .any(|s| s.id == id) =>
        {
            state.subscriptions.streams.stop(&id);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(Problem::not_found(format!(
            "no subscription {id:?} to query {name:?}"
        ))),
    }
}

/// HMAC-SHA256 (RFC 2104) of `message` keyed by `key`, in lowercase hex.
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| k.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    hex::encode(outer)
}

async fn deliver_forever(store: Store, mut s: Subscription, q: Query) {
    let client = match reqwest::Client::builder().timeout(DELIVERY_TIMEOUT).build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(subscription = %s.id, error = %e, "no HTTP client");
            return;
        }
    };
    loop {
        let batch = match store.events_after(s.after_seq, DELIVERY_BATCH).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(subscription = %s.id, error = %e, "cannot read the log");
                tokio::time::sleep(PAUSE_AFTER_FAILURE).await;
                continue;
            }
        };
        let Some(last) = batch.last().map(|e| e.seq) else {
            if store.wait_for_new_events(s.after_seq, WAIT).await.is_err() {
                tokio::time::sleep(PAUSE_AFTER_FAILURE).await;
            }
            continue;
        };
        let events: Vec<Event> = batch
            .into_iter()
            .filter(|stored| {
                let ids = stored.event.identifiers();
                super::matcher::matches(&q, &stored.event, &ids)
            })
            .map(|stored| stored.event)
            .collect();
        if !events.is_empty() || s.report_if_empty {
            let body = super::query_document_named(&events, &s.query_name, Some(&s.id)).to_string();
            match deliver(&client, &s, body).await {
                Ok(()) => {
                    s.delivered += 1;
                    s.last_error = None;
                }
                Err(error) => {
                    tracing::warn!(subscription = %s.id, %error, "delivery failed; will retry");
                    let _ = store
                        .record_delivery(&s.id, s.after_seq, s.delivered, Some(&error))
                        .await;
                    tokio::time::sleep(PAUSE_AFTER_FAILURE).await;
                    continue;
                }
            }
        }
        s.after_seq = last;
        if let Err(e) = store
            .record_delivery(&s.id, s.after_seq, s.delivered, s.last_error.as_deref())
            .await
        {
            tracing::warn!(subscription = %s.id, error = %e, "cannot record the position");
        }
    }
}

/// POSTs one document, retrying with doubling waits; the last error if every attempt failed.
async fn deliver(client: &reqwest::Client, s: &Subscription, body: String) -> Result<(), String> {
    let signature = s
        .signature_token
        .as_deref()
        .map(|t| format!("sha256={}", hmac_sha256_hex(t.as_bytes(), body.as_bytes())));
    let mut wait = FIRST_RETRY_MS;
    let mut last_error = String::new();
    for attempt in 1..=MAX_ATTEMPTS {
        let mut request = client
            .post(&s.dest)
            .header(header::CONTENT_TYPE, "application/ld+json")
            .header("GS1-Query-Name", &s.query_name)
            .header("GS1-Subscription-ID", &s.id)
            .body(body.clone());
        if let Some(sig) = &signature {
            request = request.header("GS1-Signature", sig);
        }
        match request.send().await {
            Ok(r) if r.status().is_success() => return Ok(()),
            Ok(r) => last_error = format!("attempt {attempt}: {} answered {}", s.dest, r.status()),
            Err(e) => last_error = format!("attempt {attempt}: {e}"),
        }
        if attempt < MAX_ATTEMPTS {
            tokio::time::sleep(Duration::from_millis(wait)).await;
            wait = (wait * 2).min(MAX_RETRY_MS);
        }
    }
    Err(last_error)
}

#[cfg(test)]
mod tests {
    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2.
        assert_eq!(
            super::hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block.
        assert_eq!(
            super::hmac_sha256_hex(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            ),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }
}
