//! A late event (older than events already applied) or an error declaration, captured into
//! a store of a few thousand events, is replayed in part: the inventory equals what a fresh
//! `App::open` of the same store rebuilds in eventTime order, and each capture read a small
//! part of the log. Past the replay limits the app rebuilds from the whole log, with the same
//! answer. In a real SQLite file and, when `LOTRACE_TEST_POSTGRES` names one, on the real
//! PostgreSQL server.
//!
//! `LOTRACE_TEST_LATE_EVENTS=100000` runs it on a bigger store and prints the timings.

// The store's test helpers: a PostgreSQL schema of its own per test, dropped after.
#[path = "../../store/tests/common/mod.rs"]
mod store_common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use lotrace_app::{App, AppConfig};
use lotrace_core::inventory::ReplayLimits;
use lotrace_epcis::Event;
use lotrace_store::{Location, Store};
use lotrace_trace::synth::{Config, Generator, Rng};
use serde_json::json;

/// Late events captured one document at a time.
const LATE: usize = 24;

fn events_in_store() -> u64 {
    std::env::var("LOTRACE_TEST_LATE_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6_000)
}

async fn sqlite_store(dir: &tempfile::TempDir) -> Store {
    Store::open(&Location::SqliteFile(dir.path().join("t.db")))
        .await
        .unwrap()
}

/// The synthetic chain in eventTime order, with `LATE` events (spread over the whole span,
/// none of the first tenth, so there is plenty after each) held back.
fn chain(events: u64, seed: u64) -> (Vec<Event>, Vec<Event>) {
    let mut config = Config::for_events(events, seed);
    config.late_per_mille = 0;
    let mut events: Vec<Event> = Generator::new(config).collect();
    events.sort_by_key(|e| e.event_time.instant);
    let mut rng = Rng::new(seed);
    let mut held_back = BTreeSet::new();
    while held_back.len() < LATE {
        held_back.insert(rng.between(events.len() as u64 / 10, events.len() as u64 - 1) as usize);
    }
    let mut on_time = Vec::new();
    let mut late = Vec::new();
    for (i, e) in events.into_iter().enumerate() {
        if held_back.contains(&i) {
            late.push(e);
        } else {
            on_time.push(e);
        }
    }
    (on_time, late)
}

/// The containers (SSCCs) the events name, canonical.
fn containers_named(events: &[Event]) -> BTreeSet<String> {
    events
        .iter()
        .flat_map(lotrace_core::inventory::objects_named)
        .filter(|id| id.starts_with("https://id.gs1.org/00/"))
        .collect()
}

/// The app's inventory equals a rebuild: every lot, and every container the events name.
async fn assert_same_as_reopened(app: &App, store: &Store, containers: &BTreeSet<String>) {
    let reopened = App::open(store.clone(), AppConfig::default())
        .await
        .unwrap();
    let got = app.lots(|_| true).await.unwrap();
    let want = reopened.lots(|_| true).await.unwrap();
    assert_eq!(got.len(), want.len(), "lots");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w, "lot {}", w.id);
    }
    for c in containers {
        assert_eq!(
            app.container(c).await.unwrap(),
            reopened.container(c).await.unwrap(),
            "container {c}"
        );
    }
}

async fn capture_in_order(store: &Store, on_time: &[Event]) {
    for batch in on_time.chunks(3_000) {
        store.capture(batch.to_vec(), "on time").await.unwrap();
    }
}

async fn late_events_are_replayed_in_part(store: Store) {
    let (on_time, late) = chain(events_in_store(), 21);
    capture_in_order(&store, &on_time).await;
    let log = on_time.len() as u64;
    let containers = containers_named(&[on_time.as_slice(), late.as_slice()].concat());
    let app = App::open(store.clone(), AppConfig::default())
        .await
        .unwrap();

    let mut slowest = Duration::ZERO;
    let mut read = 0;
    for (i, event) in late.iter().enumerate() {
        let started = Instant::now();
        app.capture(vec![event.clone()], "late upload")
            .await
            .unwrap();
        slowest = slowest.max(started.elapsed());
        let stats = app.replay_stats().await;
        assert_eq!(stats.whole, 0, "never the whole log");
        assert_eq!(stats.partial, i as u64 + 1, "each late capture replays");
        assert!(
            stats.last_partial_events * 20 < log,
            "late event {i} read {} of {log} events",
            stats.last_partial_events
        );
        read += stats.last_partial_events;
    }
    assert_same_as_reopened(&app, &store, &containers).await;

    // A retraction (the event's body with a declaration, as EPCIS has it) undoes an event.
    let mut declaration = on_time[on_time.len() / 2].clone();
    declaration.error_declaration = Some(
        serde_json::from_value(json!({ "declarationTime": "2026-12-01T00:00:00Z",
            "reason": "incorrect_data" }))
        .unwrap(),
    );
    app.capture(vec![declaration], "correction").await.unwrap();
    let stats = app.replay_stats().await;
    assert_eq!((stats.partial, stats.whole), (LATE as u64 + 1, 0));
    assert!(stats.last_partial_events * 20 < log);
    assert_same_as_reopened(&app, &store, &containers).await;

    // The cost of a late capture past the limits (a rebuild from the whole log), to compare.
    let limits = ReplayLimits {
        events: 0,
        objects: 0,
    };
    let whole = App::open(
        store.clone(),
        AppConfig {
            replay_limits: limits,
            ..AppConfig::default()
        },
    )
    .await
    .unwrap();
    let mut older = on_time[on_time.len() / 3].clone();
    older.event_id = Some("urn:uuid:6f1e0a55-0000-4000-8000-000000000001".to_owned());
    let started = Instant::now();
    whole
        .capture(vec![older.clone()], "late upload")
        .await
        .unwrap();
    let rebuilt_in = started.elapsed();
    assert_eq!(whole.replay_stats().await.whole, 1);
    eprintln!(
        "{} events in the store: a late capture replaying in part took at most {slowest:?} \
         ({} events read a capture on average); rebuilding from the whole log {rebuilt_in:?}",
        log,
        read / LATE as u64
    );
    assert_same_as_reopened(&whole, &store, &containers).await;
    // The first app catches up with that capture too, in part.
    assert_same_as_reopened(&app, &store, &containers).await;
    assert_eq!(app.replay_stats().await.whole, 0);
}

#[tokio::test]
async fn late_events_are_replayed_in_part_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    late_events_are_replayed_in_part(sqlite_store(&dir).await).await;
}

#[tokio::test]
async fn late_events_are_replayed_in_part_on_postgres() {
    if let Some(t) = store_common::TestStore::postgres().await {
        late_events_are_replayed_in_part(t.store.clone()).await;
    }
}

/// With limits that a late pallet exceeds, the app rebuilds from the whole log: same answer.
#[tokio::test]
async fn past_the_limits_the_whole_log_is_replayed_with_the_same_answer() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir).await;
    // The default size whatever LOTRACE_TEST_LATE_EVENTS says: the first 3,000 events must
    // have late ones among them.
    let (on_time, late) = chain(6_000, 5);
    let on_time = &on_time[..on_time.len().min(3_000)];
    capture_in_order(&store, on_time).await;
    let containers = containers_named(&[on_time, late.as_slice()].concat());
    let config = AppConfig {
        replay_limits: ReplayLimits {
            events: 40,
            objects: 8,
        },
        ..AppConfig::default()
    };
    let app = App::open(store.clone(), config).await.unwrap();
    let late: Vec<Event> = late
        .into_iter()
        .filter(|e| e.event_time.instant < on_time[on_time.len() - 1].event_time.instant)
        .collect();
    assert!(late.len() > 2);
    for event in &late {
        app.capture(vec![event.clone()], "late upload")
            .await
            .unwrap();
    }
    let stats = app.replay_stats().await;
    assert!(stats.whole > 0, "{stats:?}");
    assert_eq!(stats.partial + stats.whole, late.len() as u64);
    assert_same_as_reopened(&app, &store, &containers).await;
}
