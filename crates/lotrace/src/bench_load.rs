//! `lotrace bench --load`: many clients capturing, querying and tracing at once, for a
//! bounded time, against a real server on 127.0.0.1; then a check that nothing was lost.
//!
//! The store is a fresh SQLite file in a temporary directory, or the PostgreSQL database
//! that `--db postgres://...` names. The server is the one `lotrace serve` runs
//! (`lotrace_server::serve`), in this process, on an ephemeral loopback port; with no users
//! in the store it is the open local server, so no token is needed.
//!
//! Each client has its own HTTP/1.1 connection pool and repeats, until the time is up:
//! 1. `POST /epcis/capture`: one document of `--events-per-capture` events, each with an
//!    eventID of its own: a commissioning of a new input lot, a transformation of it into a
//!    new output lot, shipping observations of the output lot;
//! 2. `GET /epcis/events?MATCH_anyEPCClass=<output lot>`: must answer the events of that
//!    capture that name the output lot (a read of one's own acknowledged write);
//! 3. `GET /api/v1/trace?id=<input lot>&direction=forward`: must reach the output lot.
//!
//! Each request is timed from sending to the last byte of the answer. Afterwards the log is
//! read from the position it had at the start: every eventID the server acknowledged (202)
//! must be there exactly once. The run fails on any 5xx, transport error, unexpected status,
//! wrong answer, lost or duplicated event. Clients and server share this process and its
//! cores, as they share a machine in any loopback test: the figures are for the whole.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_json::{Value, json};

/// Bounds on one run.
pub const MAX_CLIENTS: usize = 1_000;
pub const MAX_DURATION_S: u64 = 3_600;
/// Events per capture document: at least the commissioning and the transformation.
pub const MIN_EVENTS_PER_CAPTURE: usize = 2;
pub const MAX_EVENTS_PER_CAPTURE: usize = 1_000;
/// One request's answer must come within this; a slower one counts as a transport error.
const REQUEST_TIMEOUT_MS: u64 = 30_000;
/// Log rows read per round trip when checking what was stored.
const CHECK_PAGE_EVENTS: u32 = 5_000;
/// Problems kept for the report (each is also counted).
const MAX_REPORTED_PROBLEMS: usize = 20;
/// GS1 lot numbers (AI 10) are at most 20 characters.
const MAX_LOT_CHARS: usize = 20;

/// What one run is asked to do.
#[derive(Clone, Debug)]
pub struct LoadConfig {
    pub clients: usize,
    pub duration_s: u64,
    pub events_per_capture: usize,
    /// `Some(url)`: run against this PostgreSQL database; None: a fresh SQLite file.
    pub postgres: Option<String>,
    pub json: bool,
}

impl LoadConfig {
    fn check(&self) -> Result<()> {
        if !(1..=MAX_CLIENTS).contains(&self.clients) {
            bail!("--clients: {} is outside 1..={MAX_CLIENTS}", self.clients);
        }
        if !(1..=MAX_DURATION_S).contains(&self.duration_s) {
            bail!(
                "--duration-s: {} is outside 1..={MAX_DURATION_S}",
                self.duration_s
            );
        }
        if !(MIN_EVENTS_PER_CAPTURE..=MAX_EVENTS_PER_CAPTURE).contains(&self.events_per_capture) {
            bail!(
                "--events-per-capture: {} is outside {MIN_EVENTS_PER_CAPTURE}..={MAX_EVENTS_PER_CAPTURE}",
                self.events_per_capture
            );
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Capture,
    Query,
    Trace,
}

const KINDS: [Kind; 3] = [Kind::Capture, Kind::Query, Kind::Trace];

/// What one client saw.
#[derive(Default)]
struct ClientLog {
    times: HashMap<Kind, Vec<Duration>>,
    /// Answers by kind and status code.
    statuses: HashMap<(Kind, u16), u64>,
    transport_errors: u64,
    wrong_answers: u64,
    /// eventIDs in captures the server acknowledged with 202.
    acknowledged: Vec<String>,
    /// eventIDs sent in captures that got no acknowledgement (these may or may not be stored).
    unacknowledged: Vec<String>,
    problems: Vec<String>,
}

impl ClientLog {
    fn problem(&mut self, text: String) {
        if self.problems.len() < MAX_REPORTED_PROBLEMS {
            self.problems.push(text);
        }
    }
}

#[derive(Serialize)]
struct KindReport {
    kind: Kind,
    requests: u64,
    requests_per_s: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    /// Answers by status code.
    statuses: std::collections::BTreeMap<u16, u64>,
}

#[derive(Serialize)]
struct LoadReport {
    backend: &'static str,
    clients: usize,
    duration_s: f64,
    events_per_capture: usize,
    requests: u64,
    requests_per_s: f64,
    events_acknowledged: u64,
    events_per_s: f64,
    kinds: Vec<KindReport>,
    server_errors_5xx: u64,
    unexpected_statuses: u64,
    transport_errors: u64,
    wrong_answers: u64,
    /// Acknowledged eventIDs not in the log.
    lost_events: u64,
    /// Acknowledged eventIDs in the log more than once.
    duplicated_events: u64,
    /// Events of unacknowledged captures that are in the log anyway (a timeout can do it).
    stored_unacknowledged: u64,
    problems: Vec<String>,
    passed: bool,
}

pub async fn run(config: LoadConfig) -> Result<()> {
    config.check()?;
    let dir = tempfile::Builder::new()
        .prefix("lotrace-bench-load-")
        .tempdir()
        .context("cannot make a temporary directory")?;
    let location = match &config.postgres {
        Some(url) => lotrace_store::Location::parse(url)?,
        None => lotrace_store::Location::parse(
            dir.path()
                .join("load.db")
                .to_str()
                .context("the temporary path is not UTF-8")?,
        )?,
    };
    let store = lotrace_store::Store::open(&location)
        .await
        .with_context(|| format!("cannot open the database {location}"))?;
    let start_seq = store.max_seq().await?;
    let app = lotrace_app::App::open(store.clone(), lotrace_app::AppConfig::default()).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let state = lotrace_server::AppState::new(app, lotrace_server::Limits::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(lotrace_server::serve(listener, state, async {
        let _ = stopped.await;
    }));

    // A tag of this run in every eventID and lot, so that a database used before (PostgreSQL)
    // cannot answer for it.
    let mut tag = [0u8; 4];
    getrandom::fill(&mut tag).map_err(|e| anyhow::anyhow!("no random bytes: {e}"))?;
    let run_tag = u32::from_be_bytes(tag);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(config.duration_s);
    let mut clients = Vec::with_capacity(config.clients);
    for client in 0..config.clients {
        let base = format!("http://{addr}");
        let events = config.events_per_capture;
        clients.push(tokio::spawn(async move {
            run_client(&base, run_tag, client, events, deadline).await
        }));
    }
    let mut logs = Vec::with_capacity(clients.len());
    for client in clients {
        logs.push(client.await.context("a load client panicked")??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let _ = stop.send(());
    server.await??;

    let (lost, duplicated, stored_unacknowledged, check_problems) =
        check_log(&store, start_seq, &logs).await?;
    store.close().await;
    let report = summarise(
        &config,
        &logs,
        elapsed,
        (lost, duplicated, stored_unacknowledged),
        check_problems,
    );
    print(&report, config.json)?;
    if !report.passed {
        bail!("the load run failed: see the counts above");
    }
    Ok(())
}

/// One client's loop: capture, query, trace, until the deadline.
async fn run_client(
    base: &str,
    run_tag: u32,
    client: usize,
    events_per_capture: usize,
    deadline: Instant,
) -> Result<ClientLog> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(REQUEST_TIMEOUT_MS))
        .pool_max_idle_per_host(1)
        .build()
        .context("cannot make an HTTP client")?;
    let mut log = ClientLog::default();
    let mut round: u64 = 0;
    while Instant::now() < deadline {
        // Six hex digits of the tag keep the lot numbers short.
        let lot_tag = run_tag & 0x00ff_ffff;
        let input = format!("R{lot_tag:06x}C{client}I{round}");
        let output = format!("R{lot_tag:06x}C{client}O{round}");
        if output.len() > MAX_LOT_CHARS {
            // Lot numbers would outgrow AI (10): stop this client rather than send bad data.
            break;
        }
        let ids: Vec<String> = (0..events_per_capture)
            .map(|i| {
                let n = round * events_per_capture as u64 + i as u64;
                format!("urn:uuid:{run_tag:08x}-{client:04x}-4000-8000-{n:012x}")
            })
            .collect();
        let document = capture_document(&ids, &input, &output);
        let answer = send(Kind::Capture, &mut log, || {
            http.post(format!("{base}/epcis/capture")).json(&document)
        })
        .await;
        match answer {
            Some((202, body)) => {
                let stored = body.get("eventsStored").and_then(Value::as_u64);
                if stored != Some(ids.len() as u64) {
                    log.wrong_answers += 1;
                    log.problem(format!(
                        "capture of {} new events stored {stored:?}",
                        ids.len()
                    ));
                }
                log.acknowledged.extend(ids);
            }
            _ => {
                log.unacknowledged.extend(ids);
                round += 1;
                continue;
            }
        }

        let class = lot_class(&output);
        if let Some((200, body)) = send(Kind::Query, &mut log, || {
            http.get(format!(
                "{base}/epcis/events?MATCH_anyEPCClass={}&perPage=1000",
                encode(&class)
            ))
        })
        .await
        {
            let found = body
                .pointer("/epcisBody/queryResults/resultsBody/eventList")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            // Every event of the capture but the commissioning names the output lot.
            if found != events_per_capture - 1 {
                log.wrong_answers += 1;
                log.problem(format!(
                    "query for {output} answered {found} events, not {}",
                    events_per_capture - 1
                ));
            }
        }

        let origin = lot_class(&input);
        if let Some((200, body)) = send(Kind::Trace, &mut log, || {
            http.get(format!(
                "{base}/api/v1/trace?id={}&direction=forward",
                encode(&origin)
            ))
        })
        .await
        {
            let suffix = format!("/10/{output}");
            let reached = body
                .get("lots")
                .and_then(Value::as_array)
                .is_some_and(|lots| {
                    lots.iter()
                        .any(|l| l.as_str().is_some_and(|l| l.ends_with(&suffix)))
                });
            if !reached {
                log.wrong_answers += 1;
                log.problem(format!(
                    "the forward trace of {input} does not reach {output}"
                ));
            }
        }
        round += 1;
    }
    Ok(log)
}

/// Sends one request, times it to the last byte, and files the outcome. The status and
/// JSON body (Null when not JSON) when an answer came.
async fn send(
    kind: Kind,
    log: &mut ClientLog,
    request: impl FnOnce() -> reqwest::RequestBuilder,
) -> Option<(u16, Value)> {
    let started = Instant::now();
    let answer = async {
        let response = request().send().await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        Ok::<_, reqwest::Error>((status, bytes))
    }
    .await;
    let elapsed = started.elapsed();
    match answer {
        Ok((status, bytes)) => {
            log.times.entry(kind).or_default().push(elapsed);
            *log.statuses.entry((kind, status)).or_default() += 1;
            if !matches!((kind, status), (Kind::Capture, 202) | (_, 200)) {
                let text = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned();
                log.problem(format!("{kind:?} answered {status}: {text}"));
            }
            Some((
                status,
                serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            ))
        }
        Err(e) => {
            log.transport_errors += 1;
            log.problem(format!("{kind:?}: {e}"));
            None
        }
    }
}

/// A query parameter's value, percent-encoded.
fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn lot_class(lot: &str) -> String {
    format!("urn:epc:class:lgtin:4012345.012345.{lot}")
}

/// A commissioning of `input`, its transformation into `output`, then shipping
/// observations of `output`: one event per eventID in `ids`.
fn capture_document(ids: &[String], input: &str, output: &str) -> Value {
    let now = jiff::Timestamp::now().to_string();
    let site = "urn:epc:id:sgln:4012345.00001.0";
    let (input, output) = (lot_class(input), lot_class(output));
    let mut events = vec![
        json!({
            "type": "ObjectEvent", "eventID": ids[0],
            "eventTime": now, "eventTimeZoneOffset": "+00:00",
            "action": "ADD", "bizStep": "commissioning", "disposition": "active",
            "quantityList": [{ "epcClass": input, "quantity": 10, "uom": "KGM" }],
            "readPoint": { "id": site }, "bizLocation": { "id": site },
        }),
        json!({
            "type": "TransformationEvent", "eventID": ids[1],
            "eventTime": now, "eventTimeZoneOffset": "+00:00",
            "bizStep": "commissioning",
            "inputQuantityList": [{ "epcClass": input, "quantity": 10, "uom": "KGM" }],
            "outputQuantityList": [{ "epcClass": output, "quantity": 9, "uom": "KGM" }],
            "readPoint": { "id": site }, "bizLocation": { "id": site },
        }),
    ];
    for id in &ids[2..] {
        events.push(json!({
            "type": "ObjectEvent", "eventID": id,
            "eventTime": now, "eventTimeZoneOffset": "+00:00",
            "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
            "quantityList": [{ "epcClass": output, "quantity": 1, "uom": "KGM" }],
            "readPoint": { "id": site },
        }));
    }
    json!({
        "@context": [lotrace_server::EPCIS_CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": now,
        "epcisBody": { "eventList": events },
    })
}

/// Reads the log from `start_seq` on: how many acknowledged eventIDs are missing, how many
/// are there more than once, how many unacknowledged ones are there anyway.
async fn check_log(
    store: &lotrace_store::Store,
    start_seq: i64,
    logs: &[ClientLog],
) -> Result<(u64, u64, u64, Vec<String>)> {
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut after = start_seq;
    loop {
        let page = store.events_after(after, CHECK_PAGE_EVENTS).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for stored in page {
            if let Some(id) = stored.event.event_id {
                *seen.entry(id).or_default() += 1;
            }
        }
    }
    let mut problems = Vec::new();
    let (mut lost, mut duplicated, mut stored_unacknowledged) = (0, 0, 0);
    for log in logs {
        for id in &log.acknowledged {
            match seen.get(id).copied().unwrap_or(0) {
                1 => {}
                0 => {
                    lost += 1;
                    if problems.len() < MAX_REPORTED_PROBLEMS {
                        problems.push(format!("{id} was acknowledged but is not stored"));
                    }
                }
                n => {
                    duplicated += 1;
                    if problems.len() < MAX_REPORTED_PROBLEMS {
                        problems.push(format!("{id} is stored {n} times"));
                    }
                }
            }
        }
        stored_unacknowledged += log
            .unacknowledged
            .iter()
            .filter(|id| seen.contains_key(*id))
            .count() as u64;
    }
    Ok((lost, duplicated, stored_unacknowledged, problems))
}

fn summarise(
    config: &LoadConfig,
    logs: &[ClientLog],
    elapsed_s: f64,
    (lost, duplicated, stored_unacknowledged): (u64, u64, u64),
    check_problems: Vec<String>,
) -> LoadReport {
    let mut kinds = Vec::new();
    let (mut server_errors, mut unexpected) = (0, 0);
    for kind in KINDS {
        let mut times: Vec<Duration> = logs
            .iter()
            .filter_map(|l| l.times.get(&kind))
            .flatten()
            .copied()
            .collect();
        let latency = crate::bench::Latency::of(&mut times);
        // `Latency::of` sorted the times; p90 by the same nearest-rank rule.
        let p90_us = if times.is_empty() {
            0.0
        } else {
            let rank = (times.len() as f64 * 0.90).ceil() as usize;
            times[rank.clamp(1, times.len()) - 1].as_secs_f64() * 1e6
        };
        let mut statuses = std::collections::BTreeMap::new();
        for log in logs {
            for (&(k, status), &n) in &log.statuses {
                if k == kind {
                    *statuses.entry(status).or_default() += n;
                }
            }
        }
        for (&status, &n) in &statuses {
            if status >= 500 {
                server_errors += n;
            } else if !matches!((kind, status), (Kind::Capture, 202) | (_, 200)) {
                unexpected += n;
            }
        }
        kinds.push(KindReport {
            kind,
            requests: times.len() as u64,
            requests_per_s: times.len() as f64 / elapsed_s,
            p50_ms: latency.p50_us / 1e3,
            p90_ms: p90_us / 1e3,
            p99_ms: latency.p99_us / 1e3,
            max_ms: latency.max_us / 1e3,
            statuses,
        });
    }
    let requests: u64 = kinds.iter().map(|k| k.requests).sum();
    let acknowledged: u64 = logs.iter().map(|l| l.acknowledged.len() as u64).sum();
    let transport_errors = logs.iter().map(|l| l.transport_errors).sum();
    let wrong_answers = logs.iter().map(|l| l.wrong_answers).sum();
    let mut problems: Vec<String> = logs
        .iter()
        .flat_map(|l| l.problems.iter().cloned())
        .chain(check_problems)
        .collect();
    problems.truncate(MAX_REPORTED_PROBLEMS);
    let passed = server_errors == 0
        && unexpected == 0
        && transport_errors == 0
        && wrong_answers == 0
        && lost == 0
        && duplicated == 0
        && acknowledged > 0;
    LoadReport {
        backend: if config.postgres.is_some() {
            "postgres"
        } else {
            "sqlite"
        },
        clients: config.clients,
        duration_s: elapsed_s,
        events_per_capture: config.events_per_capture,
        requests,
        requests_per_s: requests as f64 / elapsed_s,
        events_acknowledged: acknowledged,
        events_per_s: acknowledged as f64 / elapsed_s,
        kinds,
        server_errors_5xx: server_errors,
        unexpected_statuses: unexpected,
        transport_errors,
        wrong_answers,
        lost_events: lost,
        duplicated_events: duplicated,
        stored_unacknowledged,
        problems,
        passed,
    }
}

fn print(report: &LoadReport, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(report)?);
        return Ok(());
    }
    println!(
        "{} clients for {:.1} s on {}, {} events per capture",
        report.clients, report.duration_s, report.backend, report.events_per_capture
    );
    println!(
        "{:<8} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8}  statuses",
        "request", "count", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms"
    );
    for k in &report.kinds {
        let statuses: Vec<String> = k.statuses.iter().map(|(s, n)| format!("{s}:{n}")).collect();
        println!(
            "{:<8} {:>9} {:>9.1} {:>8.2} {:>8.2} {:>8.2} {:>8.2}  {}",
            format!("{:?}", k.kind).to_lowercase(),
            k.requests,
            k.requests_per_s,
            k.p50_ms,
            k.p90_ms,
            k.p99_ms,
            k.max_ms,
            statuses.join(" ")
        );
    }
    println!(
        "total {} requests ({:.1} req/s); {} events acknowledged ({:.1} events/s)",
        report.requests, report.requests_per_s, report.events_acknowledged, report.events_per_s
    );
    println!(
        "5xx {}, other unexpected statuses {}, transport errors {}, wrong answers {}, lost events {}, duplicated events {}, stored without acknowledgement {}",
        report.server_errors_5xx,
        report.unexpected_statuses,
        report.transport_errors,
        report.wrong_answers,
        report.lost_events,
        report.duplicated_events,
        report.stored_unacknowledged
    );
    for p in &report.problems {
        println!("  {p}");
    }
    println!("{}", if report.passed { "PASSED" } else { "FAILED" });
    Ok(())
}
