//! Synthetic but plausible supply-chain events for benchmarks: each cycle receives two raw
//! lots, transforms them into a finished lot, packs it onto a pallet (SSCC) and ships the
//! pallet. Deterministic: cycle `n` always yields the same four events.

use lotrace_epcis::Event;
use serde_json::{Value, json};

/// Events per cycle.
pub const EVENTS_PER_CYCLE: usize = 4;
const COMPANY: &str = "4012345";
const PRODUCTS: u64 = 40;
const SITES: u64 = 6;

/// `count` events from cycle `first_cycle` on (a multiple of `EVENTS_PER_CYCLE` is best).
pub fn events(first_cycle: u64, count: usize) -> Vec<Event> {
    let mut out = Vec::with_capacity(count);
    let mut cycle = first_cycle;
    while out.len() < count {
        for value in cycle_events(cycle) {
            if out.len() == count {
                break;
            }
            out.push(serde_json::from_value(value).expect("synthetic events are valid"));
        }
        cycle += 1;
    }
    out
}

fn lgtin(product: u64, lot: &str) -> String {
    format!(
        "urn:epc:class:lgtin:{COMPANY}.0{:05}.{lot}",
        product % PRODUCTS + 1
    )
}

fn sgln(site: u64) -> String {
    format!("urn:epc:id:sgln:{COMPANY}.{:05}.0", site % SITES + 1)
}

fn pgln(site: u64) -> String {
    format!("urn:epc:id:pgln:{COMPANY}.{:05}", site % SITES + 1)
}

fn time(cycle: u64, step: u64) -> String {
    // One cycle every 30 s from 2026-01-01, steps a few minutes apart.
    let seconds = 1_767_225_600 + cycle * 30 + step * 240;
    jiff::Timestamp::from_second(seconds as i64)
        .expect("in range")
        .to_string()
}

fn id(cycle: u64, step: u64) -> String {
    format!("urn:uuid:7b3e0000-0000-4000-8000-{:08x}{:04x}", cycle, step)
}

fn cycle_events(n: u64) -> [Value; EVENTS_PER_CYCLE] {
    let (raw_a, raw_b) = (format!("R{n}A"), format!("R{n}B"));
    let finished = format!("F{n}");
    let site = n % SITES;
    let sscc = format!("urn:epc:id:sscc:{COMPANY}.{:010}", n);
    [
        json!({
            "type": "ObjectEvent",
            "eventID": id(n, 0),
            "eventTime": time(n, 0),
            "eventTimeZoneOffset": "+01:00",
            "action": "ADD",
            "bizStep": "receiving",
            "disposition": "in_progress",
            "readPoint": { "id": sgln(site) },
            "bizLocation": { "id": sgln(site) },
            "quantityList": [
                { "epcClass": lgtin(n, &raw_a), "quantity": 250, "uom": "KGM" },
                { "epcClass": lgtin(n + 1, &raw_b), "quantity": 120.5, "uom": "KGM" }
            ],
            "bizTransactionList": [
                { "type": "po", "bizTransaction": format!("urn:epcglobal:cbv:bt:{COMPANY}000009:PO{n}") }
            ],
            "sourceList": [{ "type": "owning_party", "source": pgln(site + 1) }],
            "destinationList": [{ "type": "owning_party", "destination": pgln(site) }],
        }),
        json!({
            "type": "TransformationEvent",
            "eventID": id(n, 1),
            "eventTime": time(n, 1),
            "eventTimeZoneOffset": "+01:00",
            "bizStep": "commissioning",
            "disposition": "active",
            "readPoint": { "id": sgln(site) },
            "bizLocation": { "id": sgln(site) },
            "inputQuantityList": [
                { "epcClass": lgtin(n, &raw_a), "quantity": 250, "uom": "KGM" },
                { "epcClass": lgtin(n + 1, &raw_b), "quantity": 120.5, "uom": "KGM" }
            ],
            "outputQuantityList": [
                { "epcClass": lgtin(n + 2, &finished), "quantity": 360, "uom": "KGM" }
            ],
            "ilmd": { "cbvmda:bestBeforeDate": "2027-06-30", "cbvmda:lotNumber": finished },
        }),
        json!({
            "type": "AggregationEvent",
            "eventID": id(n, 2),
            "eventTime": time(n, 2),
            "eventTimeZoneOffset": "+01:00",
            "action": "ADD",
            "bizStep": "packing",
            "disposition": "in_progress",
            "readPoint": { "id": sgln(site) },
            "parentID": sscc,
            "childQuantityList": [
                { "epcClass": lgtin(n + 2, &finished), "quantity": 360, "uom": "KGM" }
            ],
        }),
        json!({
            "type": "ObjectEvent",
            "eventID": id(n, 3),
            "eventTime": time(n, 3),
            "eventTimeZoneOffset": "+01:00",
            "action": "OBSERVE",
            "bizStep": "shipping",
            "disposition": "in_transit",
            "readPoint": { "id": sgln(site) },
            "epcList": [sscc],
            "bizTransactionList": [
                { "type": "desadv", "bizTransaction": format!("urn:epcglobal:cbv:bt:{COMPANY}000009:ASN{n}") }
            ],
            "sourceList": [{ "type": "location", "source": sgln(site) }],
            "destinationList": [{ "type": "location", "destination": sgln(site + 3) }],
        }),
    ]
}
