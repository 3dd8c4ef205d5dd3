//! The FSMA 204 export gathers its events through the store's identifier index instead of
//! reading the whole log. On a synthetic supply chain (many-to-many transformations, cases
//! on pallets, pallets broken and re-built, uploads out of order), in a real SQLite file
//! and on the real PostgreSQL server, every selection gives the same spreadsheet both ways,
//! from fewer events.

// The store's test helpers: a PostgreSQL schema of its own per test, dropped after.
#[path = "../../store/tests/common/mod.rs"]
mod store_common;

use std::collections::BTreeSet;

use lotrace_app::{App, AppConfig, Fsma204Export, Fsma204Request, MasterKind};
use lotrace_epcis::Event;
use lotrace_store::{Location, Store};
use lotrace_trace::synth::{self, Config, Generator};

const EVENTS: u64 = 8_000;

fn lots_named(event: &Event) -> impl Iterator<Item = &str> {
    [
        &event.quantity_list,
        &event.child_quantity_list,
        &event.input_quantity_list,
        &event.output_quantity_list,
    ]
    .into_iter()
    .flatten()
    .flatten()
    .map(|q| q.epc_class.as_str())
}

/// The GTIN of a synthetic lot (`https://id.gs1.org/01/{gtin}/10/{lot}`).
fn gtin_of(lot: &str) -> &str {
    &lot["https://id.gs1.org/01/".len()..][..14]
}

async fn both_ways(app: &App, request: Fsma204Request) -> (Fsma204Export, Fsma204Export) {
    let gathered = app.fsma204(&request).await.unwrap();
    let whole = app
        .fsma204(&Fsma204Request {
            whole_log: true,
            ..request.clone()
        })
        .await
        .unwrap();
    assert!(!gathered.whole_log, "{request:?} was gathered");
    assert!(whole.whole_log);
    assert_eq!(gathered.sheet, whole.sheet, "{request:?}");
    assert!(
        gathered.events_read < whole.events_read,
        "{request:?}: gathered {} of {} events",
        gathered.events_read,
        whole.events_read
    );
    (gathered, whole)
}

#[tokio::test]
async fn gathered_exports_equal_whole_log_exports_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Location::SqliteFile(dir.path().join("t.db")))
        .await
        .unwrap();
    gathered_exports_equal_whole_log_exports(store).await;
}

#[tokio::test]
async fn gathered_exports_equal_whole_log_exports_on_postgres() {
    if let Some(t) = store_common::TestStore::postgres().await {
        gathered_exports_equal_whole_log_exports(t.store.clone()).await;
    }
}

async fn gathered_exports_equal_whole_log_exports(store: Store) {
    let config = Config::for_events(EVENTS, 11);
    let events: Vec<Event> = Generator::new(config.clone()).collect();
    let mut lots = BTreeSet::new();
    for e in &events {
        lots.extend(
            lots_named(e)
                .filter(|l| synth::is_lot(l))
                .map(str::to_owned),
        );
    }
    for batch in events.chunks(3_000) {
        store.capture(batch.to_vec(), "synthetic").await.unwrap();
    }
    let app = App::open(store.clone(), AppConfig::default())
        .await
        .unwrap();
    // Every product of the chain is on the Food Traceability List, so every lot has rows.
    let gtins: BTreeSet<&str> = lots.iter().map(|l| gtin_of(l)).collect();
    for (i, gtin) in gtins.iter().enumerate() {
        app.create(
            MasterKind::Product,
            serde_json::json!({ "code": format!("P{i}"), "name": format!("Product {i}"),
                                "uom": "KGM", "gtin": gtin, "food_traceability_list": true }),
        )
        .await
        .unwrap();
    }

    let lots: Vec<&String> = lots.iter().collect();
    let supplier_lot = lots.iter().find(|l| config.is_supplier_lot(l)).unwrap();
    let later_lot = lots
        .iter()
        .rev()
        .find(|l| !config.is_supplier_lot(l))
        .unwrap();
    let mut rows = 0;
    let mut through_containers = 0;
    let mut requests: Vec<Fsma204Request> = Vec::new();
    // One lot at a time, of every tier, and a trace of a supplier lot's whole chain.
    for lot in lots.iter().step_by(lots.len() / 8) {
        requests.push(Fsma204Request {
            lots: vec![(*lot).clone()],
            ..Fsma204Request::default()
        });
    }
    for lot in [supplier_lot, later_lot] {
        requests.push(Fsma204Request {
            lots: vec![(*lot).clone()],
            trace: true,
            ..Fsma204Request::default()
        });
    }
    // Many lots at once.
    requests.push(Fsma204Request {
        lots: lots.iter().step_by(29).map(|l| (*l).clone()).collect(),
        ..Fsma204Request::default()
    });
    // By product: the whole simulated span (it starts on 1 January 2026), and one week.
    let day = |d: &str| d.parse::<jiff::civil::Date>().unwrap();
    for (from, to) in [("2020-01-01", "2030-12-31"), ("2026-01-08", "2026-01-14")] {
        for product in ["P0", "P3"] {
            requests.push(Fsma204Request {
                product: Some(product.to_owned()),
                from: Some(day(from)),
                to: Some(day(to)),
                ..Fsma204Request::default()
            });
        }
    }
    for request in requests {
        let (gathered, _) = both_ways(&app, request).await;
        rows += gathered.sheet.rows.len();
        for row in &gathered.sheet.rows {
            // A shipment or receipt of a container: the event does not name the lot itself.
            let event = &store.events_by_id(&row.event_id).await.unwrap()[0].event;
            if !lots_named(event).any(|l| l == row.lot) {
                through_containers += 1;
            }
        }
    }
    assert!(rows > 200, "the selections have rows: {rows}");
    assert!(
        through_containers > 10,
        "some rows come from what a container held: {through_containers}"
    );
}
