//! WebSocket subscriptions to named queries, as the REST binding's OpenAPI describes them:
//! `GET /epcis/queries/{name}/events?stream=true` with `Upgrade: websocket` opens a socket
//! on which the server sends, as text messages, one `EPCISQueryDocument` (JSON-LD, with the
//! `subscriptionID`) per batch of new events that match the query, in log order.
//! `initialRecordTime` starts with the events recorded since then; `reportIfEmpty=true`
//! also sends a document when new events came and none matched. The schedule parameters
//! (`second`, `minute`, `hour`, `dayOfMonth`, `month`, `dayOfWeek`) are refused: this
//! repository streams.
//!
//! The subscription lives as long as the socket: closing it (or deleting the query) ends
//! it. Nothing is stored; the active ones are listed with the webhook subscriptions
//! (`"websocket": true`). At most `MAX_STREAMS` are open at once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use lotrace_epcis::Event;
use lotrace_store::Store;
use serde::Serialize;
use tokio::sync::oneshot;

use super::params::{self, Query, RawParams};
use super::subscriptions::DELIVERY_BATCH;
use crate::AppState;
use crate::problem::Problem;

/// The most WebSocket subscriptions open at once.
pub const MAX_STREAMS: usize = 256;
/// How long a quiet socket waits before the server pings it.
pub const PING_INTERVAL: Duration = Duration::from_secs(30);
/// The largest message the server accepts from a subscriber (it only expects control
/// frames), in bytes.
pub const MAX_CLIENT_MESSAGE_BYTES: usize = 64 * 1024;

const SCHEDULE: [&str; 6] = [
    "second",
    "minute",
    "hour",
    "dayOfMonth",
    "month",
    "dayOfWeek",
];

/// An open WebSocket subscription, as listed.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamInfo {
    #[serde(rename = "subscriptionID")]
    pub id: String,
    pub query_name: String,
    pub stream: bool,
    pub websocket: bool,
    pub report_if_empty: bool,
    pub created_at: jiff::Timestamp,
}

/// The open WebSocket subscriptions, each with the sender that ends it.
#[derive(Default)]
pub struct Streams {
    open: Mutex<HashMap<String, (StreamInfo, oneshot::Sender<()>)>>,
}

impl Streams {
    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, (StreamInfo, oneshot::Sender<()>)>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The open subscriptions to `query_name`, oldest first.
    pub fn list(&self, query_name: &str) -> Vec<StreamInfo> {
        let mut list: Vec<StreamInfo> = self
            .lock()
            .values()
            .filter(|(i, _)| i.query_name == query_name)
            .map(|(i, _)| i.clone())
            .collect();
        list.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        list
    }

    /// Ends every subscription to `query_name` (the query was deleted).
    pub fn stop_query(&self, query_name: &str) {
        let mut open = self.lock();
        let ids: Vec<String> = open
            .iter()
            .filter(|(_, (i, _))| i.query_name == query_name)
            .map(|(id, _)| id.clone())
            .collect();
        for id in ids {
            if let Some((_, stop)) = open.remove(&id) {
                let _ = stop.send(());
            }
        }
    }

    /// Ends every open subscription (the server is stopping).
    pub fn stop_every(&self) {
        for (_, (_, stop)) in self.lock().drain() {
            let _ = stop.send(());
        }
    }

    /// Ends one subscription; false if it was not open.
    pub fn stop(&self, id: &str) -> bool {
        match self.lock().remove(id) {
            Some((_, stop)) => {
                let _ = stop.send(());
                true
            }
            None => false,
        }
    }

    fn register(&self, info: StreamInfo) -> Result<oneshot::Receiver<()>, Problem> {
        let mut open = self.lock();
        if open.len() >= MAX_STREAMS {
            return Err(controls(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "this server has {MAX_STREAMS} WebSocket subscriptions open, its limit; \
                     try again later or use a webhook subscription"
                ),
            ));
        }
        let (tx, rx) = oneshot::channel();
        open.insert(info.id.clone(), (info, tx));
        Ok(rx)
    }

    fn remove(&self, id: &str) {
        self.lock().remove(id);
    }
}

fn controls(status: StatusCode, detail: impl Into<String>) -> Problem {
    Problem::new(
        status,
        "epcisException:SubscriptionControlsException",
        detail,
    )
}

/// Whether the request asks to upgrade to a WebSocket.
pub fn is_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::UPGRADE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',')
                .any(|p| p.trim().eq_ignore_ascii_case("websocket"))
        })
}

/// The subscription controls of the URL (`stream`, `reportIfEmpty`, `initialRecordTime`),
/// checked; anything else is an error naming it.
#[derive(Debug, PartialEq)]
struct Controls {
    report_if_empty: bool,
    initial_record_time: Option<jiff::Timestamp>,
}

fn controls_of(url: &RawParams) -> Result<Controls, Problem> {
    let bad = |detail: String| controls(StatusCode::BAD_REQUEST, detail);
    let single = |name: &str, values: &[String]| -> Result<String, Problem> {
        match values {
            [one] => Ok(one.clone()),
            _ => Err(bad(format!("{name}: give one value, not {}", values.len()))),
        }
    };
    let flag = |name: &str, values: &[String]| -> Result<bool, Problem> {
        match single(name, values)?.as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(bad(format!("{name}: {other:?} is not true or false"))),
        }
    };
    let mut stream = None;
    let mut out = Controls {
        report_if_empty: false,
        initial_record_time: None,
    };
    for (name, values) in url {
        match name.as_str() {
            "stream" => stream = Some(flag(name, values)?),
            "reportIfEmpty" => out.report_if_empty = flag(name, values)?,
            "initialRecordTime" => {
                let text = single(name, values)?.replace(' ', "+");
                out.initial_record_time = Some(text.parse().map_err(|_| {
                    bad(format!(
                        "initialRecordTime: {text:?} is not a date-time with a time zone offset"
                    ))
                })?);
            }
            n if SCHEDULE.contains(&n) => {
                return Err(bad(format!(
                    "{n}: scheduled subscriptions are not supported by this repository; \
                     subscribe with stream=true to receive each new matching event"
                )));
            }
            other => {
                return Err(bad(format!(
                    "{other}: not a subscription control; a WebSocket subscription takes \
                     stream=true, reportIfEmpty and initialRecordTime (the query's own \
                     parameters are in its definition)"
                )));
            }
        }
    }
    if stream != Some(true) {
        return Err(bad(
            "stream: a WebSocket subscription needs stream=true (this repository does not \
             schedule queries)"
                .to_owned(),
        ));
    }
    Ok(out)
}

/// Checks the subscription, then upgrades: events captured once the handshake is answered
/// are sent (or, with `initialRecordTime`, every one recorded since then).
pub async fn subscribe(
    state: &AppState,
    name: &str,
    definition: RawParams,
    url: RawParams,
    upgrade: WebSocketUpgrade,
) -> Result<Response, Problem> {
    let c = controls_of(&url)?;
    let mut q = params::parse(&definition)?;
    let store = state.app.store().clone();
    let after_seq = match c.initial_record_time {
        Some(t) => {
            q.record_time.ge = Some(q.record_time.ge.map_or(t, |g| g.max(t)));
            0
        }
        None => store.max_seq().await?,
    };
    let info = StreamInfo {
        id: uuid::Uuid::now_v7().to_string(),
        query_name: name.to_owned(),
        stream: true,
        websocket: true,
        report_if_empty: c.report_if_empty,
        created_at: jiff::Timestamp::now(),
    };
    let stop = state.subscriptions.streams.register(info.clone())?;
    let streams = state.subscriptions.clone();
    let id = info.id.clone();
    let mut response = upgrade
        .max_message_size(MAX_CLIENT_MESSAGE_BYTES)
        .on_failed_upgrade({
            let streams = streams.clone();
            let id = id.clone();
            move |error| {
                tracing::warn!(subscription = %id, %error, "WebSocket upgrade failed");
                streams.streams.remove(&id);
            }
        })
        .on_upgrade(move |socket| async move {
            let subscription = Subscription {
                store,
                query: q,
                info,
                after_seq,
            };
            subscription.run(socket, stop).await;
            streams.streams.remove(&id);
        });
    response.headers_mut().insert(
        "GS1-EPCIS-Version",
        axum::http::HeaderValue::from_static("2.0.0"),
    );
    Ok(response)
}

struct Subscription {
    store: Store,
    query: Query,
    info: StreamInfo,
    after_seq: i64,
}

enum Wake {
    NewEvents,
    Quiet,
    Closed,
}

impl Subscription {
    async fn run(mut self, mut socket: WebSocket, mut stop: oneshot::Receiver<()>) {
        tracing::info!(subscription = %self.info.id, query = %self.info.query_name, "WebSocket subscription opened");
        loop {
            // Send whatever is new first: with initialRecordTime there may be a backlog.
            if let Err(e) = self.send_new(&mut socket).await {
                tracing::info!(subscription = %self.info.id, error = %e, "WebSocket subscription ended");
                return;
            }
            let wake = tokio::select! {
                message = socket.recv() => match message {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => Wake::Closed,
                    // Pings are answered by the socket itself; other messages are ignored.
                    Some(Ok(_)) => continue,
                },
                waited = self.store.wait_for_new_events(self.after_seq, PING_INTERVAL) => match waited {
                    Ok(last) if last > self.after_seq => Wake::NewEvents,
                    Ok(_) => Wake::Quiet,
                    Err(e) => {
                        tracing::warn!(subscription = %self.info.id, error = %e, "cannot follow the log");
                        Wake::Closed
                    }
                },
                _ = &mut stop => Wake::Closed,
            };
            match wake {
                Wake::NewEvents => {}
                Wake::Quiet => {
                    if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                        return;
                    }
                }
                Wake::Closed => {
                    let _ = socket.send(Message::Close(None)).await;
                    tracing::info!(subscription = %self.info.id, "WebSocket subscription closed");
                    return;
                }
            }
        }
    }

    /// Sends the matching events after `after_seq`, batch by batch, moving on with each.
    async fn send_new(&mut self, socket: &mut WebSocket) -> Result<(), String> {
        loop {
            let batch = self
                .store
                .events_after(self.after_seq, DELIVERY_BATCH)
                .await
                .map_err(|e| e.to_string())?;
            let Some(last) = batch.last().map(|e| e.seq) else {
                return Ok(());
            };
            let events: Vec<Event> = batch
                .into_iter()
                .filter(|stored| {
                    let ids = stored.event.identifiers();
                    super::matcher::matches(&self.query, &stored.event, &ids)
                })
                .map(|stored| stored.event)
                .collect();
            if !events.is_empty() || self.info.report_if_empty {
                let body = super::query_document_named(
                    &events,
                    &self.info.query_name,
                    Some(&self.info.id),
                )
                .to_string();
                socket
                    .send(Message::Text(body.into()))
                    .await
                    .map_err(|e| e.to_string())?;
            }
            self.after_seq = last;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(pairs: &[(&str, &str)]) -> RawParams {
        params::from_pairs(
            pairs
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned())),
        )
    }

    #[test]
    fn controls_need_stream_and_refuse_schedules_and_strangers() {
        let ok = controls_of(&url(&[("stream", "true"), ("reportIfEmpty", "true")])).unwrap();
        assert!(ok.report_if_empty);
        let t = controls_of(&url(&[
            ("stream", "true"),
            ("initialRecordTime", "2026-03-01T00:00:00Z"),
        ]))
        .unwrap();
        assert!(t.initial_record_time.is_some());
        for (pairs, needle) in [
            (vec![], "stream"),
            (vec![("stream", "false")], "stream"),
            (vec![("stream", "yes")], "stream"),
            (vec![("stream", "true"), ("minute", "5")], "minute"),
            (
                vec![("stream", "true"), ("EQ_bizStep", "shipping")],
                "EQ_bizStep",
            ),
            (
                vec![("stream", "true"), ("initialRecordTime", "soon")],
                "initialRecordTime",
            ),
        ] {
            let e = controls_of(&url(&pairs)).unwrap_err();
            assert!(e.detail.starts_with(needle), "{pairs:?}: {}", e.detail);
            assert_eq!(e.status, 400);
        }
    }

    #[test]
    fn upgrade_header_is_recognised() {
        let mut h = HeaderMap::new();
        assert!(!is_upgrade(&h));
        h.insert(header::UPGRADE, "WebSocket".parse().unwrap());
        assert!(is_upgrade(&h));
    }
}
