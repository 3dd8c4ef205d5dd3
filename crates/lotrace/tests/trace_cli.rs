//! `lotrace trace`, run as a user runs it, on a hand-made supply chain
//! (`tests/data/trace_chain.jsonld`) whose answers are worked out by hand:
//!
//! - e101: RAW1 (500 KGM) received from supplier 4098765 (PO-7001, ASN-55);
//! - e102: RAW2 (200 KGM) received from supplier 4055555 (PO-7002, ASN-77);
//! - e103: a TransformationEvent turns RAW1 and RAW2 into FIN1;
//! - e104: an AggregationEvent ADD packs FIN1 onto pallet SSCC 4012345.0000000001;
//! - e105: the pallet is shipped to customer 4011111 (PO-9001, DESADV-3001), with a
//!   sourceList naming us and a destinationList naming the customer.

mod common;

use std::path::{Path, PathBuf};

use common::lotrace;
use serde_json::{Value, json};

const RAW1_URN: &str = "urn:epc:class:lgtin:4012345.011111.RAW1";
/// GTIN 0 4012345 11111 with check digit 8, and so on.
const RAW1: &str = "https://id.gs1.org/01/04012345111118/10/RAW1";
const RAW2: &str = "https://id.gs1.org/01/04012345222227/10/RAW2";
const FIN1: &str = "https://id.gs1.org/01/04012345333336/10/FIN1";
/// FIN1 as a Digital Link on another domain: the same lot.
const FIN1_DL_ELSEWHERE: &str = "https://example.com/01/04012345333336/10/FIN1";
/// SSCC 0 4012345 000000001, check digit 6.
const PALLET: &str = "https://id.gs1.org/00/040123450000000016";
const CUSTOMER_PARTY: &str = "https://id.gs1.org/417/4011111000014";
const CUSTOMER_SITE: &str = "https://id.gs1.org/414/4011111000014";

fn event_id(n: u32) -> String {
    format!("urn:uuid:5e1f0000-0000-4000-8000-000000000{n}")
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/trace_chain.jsonld")
}

/// A database with the hand-made chain imported.
fn imported() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("trace.db");
    let out = lotrace(&db, &["import", fixture().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("5 stored"));
    (dir, db)
}

fn trace_json(db: &Path, id: &str, direction: &str) -> Value {
    let out = lotrace(db, &["trace", id, direction, "--json"]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines().count(),
        1,
        "one JSON object on one line: {text}"
    );
    serde_json::from_str(&text).expect("stdout is JSON")
}

/// A movement's destination or source, without the parts every entry of the event shares.
fn places(movements: &Value) -> Vec<(String, String, String)> {
    movements
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["event"].as_str().unwrap().to_owned(),
                m["type"].as_str().unwrap().to_owned(),
                m["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn forward_trace_of_a_supplier_lot_named_by_its_epc_urn() {
    let (_dir, db) = imported();
    let t = trace_json(&db, RAW1_URN, "--forward");
    assert_eq!(t["origin"], RAW1);
    assert_eq!(t["direction"], "forward");
    assert_eq!(t["lots"], json!([FIN1]));
    assert_eq!(t["containers"], json!([PALLET]));
    assert_eq!(t["received_from"], json!([]));
    // One shipment, naming the customer as owning party and as location.
    let mut shipped = places(&t["shipped_to"]);
    shipped.sort();
    assert_eq!(
        shipped,
        vec![
            (event_id(105), "location".into(), CUSTOMER_SITE.into()),
            (event_id(105), "owning_party".into(), CUSTOMER_PARTY.into()),
        ]
    );
    for m in t["shipped_to"].as_array().unwrap() {
        assert_eq!(m["time"], "2026-03-02T09:00:00+01:00");
        assert_eq!(m["biz_step"], "shipping");
        assert_eq!(
            m["biz_transactions"],
            json!([
                { "type": "po", "id": "urn:epcglobal:cbv:bt:4011111000014:PO-9001" },
                { "type": "desadv", "id": "urn:epcglobal:cbv:bt:4012345000016:DESADV-3001" },
            ])
        );
        // FIN1 travelled on the pallet; RAW1 itself never left.
        assert_eq!(m["items"], json!([{ "id": FIN1, "via": PALLET }]));
    }
    // The transformation, the packing and the shipment; RAW1 was last seen at the
    // transformation (e103), which is also its holding.
    assert_eq!(
        t["events"],
        json!([event_id(103), event_id(104), event_id(105)])
    );
    let holdings: Vec<(String, String)> = t["holdings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["id"].as_str().unwrap().into(),
                h["state"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        holdings,
        vec![
            (RAW1.into(), "at_location".into()),
            (FIN1.into(), "in_transit".into())
        ]
    );
    assert_eq!(t["holdings"][1]["location"], CUSTOMER_SITE);
    assert_eq!(t["depth_hops"], 1);
}

#[test]
fn backward_trace_of_the_finished_lot_named_by_a_digital_link_elsewhere() {
    let (_dir, db) = imported();
    let t = trace_json(&db, FIN1_DL_ELSEWHERE, "--backward");
    assert_eq!(t["origin"], FIN1);
    assert_eq!(t["direction"], "backward");
    assert_eq!(t["lots"], json!([RAW1, RAW2]));
    assert_eq!(t["containers"], json!([]));
    assert_eq!(t["shipped_to"], json!([]));
    // The two receipts from the suppliers; not the outgoing shipment of FIN1, whose source
    // is this site itself.
    let mut sources = places(&t["received_from"]);
    sources.sort();
    assert_eq!(
        sources,
        vec![
            (
                event_id(101),
                "location".into(),
                "https://id.gs1.org/414/4098765000010".into()
            ),
            (
                event_id(101),
                "owning_party".into(),
                "https://id.gs1.org/417/4098765000010".into()
            ),
            (
                event_id(102),
                "location".into(),
                "https://id.gs1.org/414/4055555000018".into()
            ),
            (
                event_id(102),
                "owning_party".into(),
                "https://id.gs1.org/417/4055555000018".into()
            ),
        ]
    );
    let receipt = |n: u32| {
        t["received_from"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["event"] == event_id(n))
            .unwrap()
            .clone()
    };
    let first = receipt(101);
    assert_eq!(first["biz_step"], "receiving");
    assert_eq!(first["time"], "2026-03-01T08:00:00+01:00");
    assert_eq!(
        first["biz_transactions"],
        json!([
            { "type": "po", "id": "urn:epcglobal:cbv:bt:4012345000016:PO-7001" },
            { "type": "desadv", "id": "urn:epcglobal:cbv:bt:4098765000010:ASN-55" },
        ])
    );
    assert_eq!(
        first["items"],
        json!([{ "id": RAW1, "quantity": 500.0, "uom": "KGM" }])
    );
    assert_eq!(
        receipt(102)["items"],
        json!([{ "id": RAW2, "quantity": 200.0, "uom": "KGM" }])
    );
    assert_eq!(
        t["events"],
        json!([event_id(101), event_id(102), event_id(103)])
    );
}

#[test]
fn the_default_output_is_a_readable_tree() {
    let (_dir, db) = imported();
    let out = lotrace(&db, &["trace", RAW1_URN, "--forward"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(&format!("forward trace of {RAW1}\n")),
        "{text}"
    );
    assert!(text.contains(&format!("└─ made into {FIN1}")), "{text}");
    assert!(
        text.contains(&format!(
            "   └─ packed into {PALLET}  (from 2026-03-01T11:00:00+01:00"
        )),
        "{text}"
    );
    assert!(text.contains("shipped to (1 event(s)):"), "{text}");
    assert!(
        text.contains(&format!("    owning_party {CUSTOMER_PARTY}")),
        "{text}"
    );
    assert!(
        text.contains("po urn:epcglobal:cbv:bt:4011111000014:PO-9001"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{FIN1} in transit to {CUSTOMER_SITE}")),
        "{text}"
    );

    let out = lotrace(&db, &["trace", FIN1_DL_ELSEWHERE, "--backward"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("├─ made from {RAW1}")), "{text}");
    assert!(text.contains(&format!("└─ made from {RAW2}")), "{text}");
    assert!(text.contains("received from (2 event(s)):"), "{text}");
    assert!(text.contains(&format!("item {RAW1} 500 KGM")), "{text}");
}

#[test]
fn an_unknown_id_fails_saying_it_is_not_in_the_store() {
    let (_dir, db) = imported();
    let out = lotrace(
        &db,
        &[
            "trace",
            "urn:epc:class:lgtin:4012345.044444.NOPE",
            "--forward",
            "--json",
        ],
    );
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "nothing on stdout");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("urn:epc:class:lgtin:4012345.044444.NOPE"),
        "{stderr}"
    );
    assert!(stderr.contains("is not in the store"), "{stderr}");

    // A direction is required, and only one.
    let out = lotrace(&db, &["trace", RAW1_URN]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--forward"));
    let out = lotrace(&db, &["trace", RAW1_URN, "--forward", "--backward"]);
    assert!(!out.status.success());
}
