//! Crash safety: the real `lotrace serve` on a SQLite file is killed with SIGKILL while
//! clients stream captures at it. After a restart every capture that was acknowledged
//! (HTTP 2xx) is there whole, no capture is there in part, and the hash chain verifies.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Events per capture: enough that a capture takes a while, so one is likely in flight.
const EVENTS_PER_CAPTURE: usize = 40;
/// Clients capturing at once.
const CLIENTS: usize = 4;
/// The most captures each client sends (the loop is bounded even if the kill comes late).
const MAX_CAPTURES_PER_CLIENT: usize = 500;
/// The kill comes once this many captures are acknowledged...
const KILL_AFTER_ACKS: usize = 40;
/// ...or after this long, whichever is first.
const KILL_AFTER: Duration = Duration::from_secs(30);

fn event_id(capture: usize, event: usize) -> String {
    format!("urn:uuid:c0000000-0000-4000-8000-{capture:06}{event:06}")
}

fn document(capture: usize) -> Value {
    let events: Vec<Value> = (0..EVENTS_PER_CAPTURE)
        .map(|e| {
            json!({
                "type": "ObjectEvent",
                "eventID": event_id(capture, e),
                "eventTime": "2026-11-02T06:00:00+01:00",
                "eventTimeZoneOffset": "+01:00",
                "action": "OBSERVE",
                "bizStep": "shipping",
                "readPoint": { "id": "urn:epc:id:sgln:0614141.00777.0" },
                "quantityList": [{
                    "epcClass": format!("urn:epc:class:lgtin:4012345.012345.C{capture}"),
                    "quantity": e + 1,
                    "uom": "KGM",
                }],
            })
        })
        .collect();
    json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-01T00:00:00Z",
        "epcisBody": { "eventList": events },
    })
}

/// Starts `lotrace serve` on a free loopback port; returns it and its base URL.
/// A server process, killed (if still running) and reaped when dropped, also on a panic.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(db: &str) -> (Server, String) {
    let mut child = Server(
        Command::new(env!("CARGO_BIN_EXE_lotrace"))
            .args(["--db", db, "serve", "--addr", "127.0.0.1:0"])
            .env("LOTRACE_LOG", "warn")
            .stderr(Stdio::piped())
            .spawn()
            .expect("the lotrace binary runs"),
    );
    let mut stderr = BufReader::new(child.0.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap_or(0) > 0,
            "serve stopped before it printed its address"
        );
        if let Some(rest) = line.split("http://").nth(1) {
            let base = format!("http://{}", rest.split('/').next().unwrap());
            std::thread::spawn(move || for _ in stderr.lines() {});
            return (child, base);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_capture_survives_a_sigkill_whole_and_the_chain_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db").to_str().unwrap().to_owned();
    let (mut server, base) = serve(&db);
    let client = reqwest::Client::new();
    let acked = Arc::new(Mutex::new(Vec::new()));
    let sent = Arc::new(Mutex::new(Vec::new()));

    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let (client, base, acked, sent) =
            (client.clone(), base.clone(), acked.clone(), sent.clone());
        clients.push(tokio::spawn(async move {
            for n in 0..MAX_CAPTURES_PER_CLIENT {
                let capture = n * CLIENTS + c;
                let body = serde_json::to_vec(&document(capture)).unwrap();
                sent.lock().unwrap().push(capture);
                let response = client
                    .post(format!("{base}/epcis/capture"))
                    .header("content-type", "application/ld+json")
                    .body(body)
                    .send()
                    .await;
                match response {
                    Ok(r) if r.status().is_success() => acked.lock().unwrap().push(capture),
                    Ok(r) => panic!("capture {capture}: {} before the kill", r.status()),
                    // The server is gone.
                    Err(_) => return,
                }
            }
        }));
    }

    let start = Instant::now();
    while acked.lock().unwrap().len() < KILL_AFTER_ACKS && start.elapsed() < KILL_AFTER {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // SIGKILL: no shutdown, no flush, whatever the server was doing.
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    for c in clients {
        c.await.unwrap();
    }
    let acked: HashSet<usize> = acked.lock().unwrap().iter().copied().collect();
    let sent: Vec<usize> = sent.lock().unwrap().clone();
    assert!(
        acked.len() >= KILL_AFTER_ACKS,
        "only {} captures acknowledged",
        acked.len()
    );
    assert!(
        sent.len() > acked.len(),
        "no capture was in flight at the kill"
    );

    // The restarted server opens the file (recovering its WAL) and captures again.
    let (mut server, base) = serve(&db);
    let after = client
        .post(format!("{base}/epcis/capture"))
        .header("content-type", "application/ld+json")
        .body(serde_json::to_vec(&document(1_000_000)).unwrap())
        .send()
        .await
        .unwrap();
    assert!(after.status().is_success(), "{}", after.status());
    let _ = Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status();
    server.0.wait().unwrap();

    let store = lotrace_store::Store::open(&lotrace_store::Location::parse(&db).unwrap())
        .await
        .unwrap();
    let mut stored = HashSet::new();
    store
        .for_each_event(|e| {
            stored.insert(e.event.event_id.unwrap_or_default());
            Ok(())
        })
        .await
        .unwrap();
    store.close().await;
    let mut whole = 0;
    for &capture in &sent {
        let present = (0..EVENTS_PER_CAPTURE)
            .filter(|&e| stored.contains(&event_id(capture, e)))
            .count();
        assert!(
            present == 0 || present == EVENTS_PER_CAPTURE,
            "capture {capture} is there in part: {present} of {EVENTS_PER_CAPTURE} events"
        );
        if acked.contains(&capture) {
            assert_eq!(
                present, EVENTS_PER_CAPTURE,
                "acknowledged capture {capture} is missing"
            );
        }
        whole += usize::from(present > 0);
    }
    assert_eq!(
        stored.len(),
        (whole + 1) * EVENTS_PER_CAPTURE,
        "events that no capture sent"
    );
    eprintln!(
        "{} captures sent, {} acknowledged, {whole} stored whole, none in part",
        sent.len(),
        acked.len()
    );

    let verify = Command::new(env!("CARGO_BIN_EXE_lotrace"))
        .args(["--db", &db, "verify"])
        .env("LOTRACE_LOG", "warn")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success(), "{text}");
    assert!(
        text.starts_with(&format!("OK: {} events verify", stored.len())),
        "{text}"
    );
}
