//! Event builders for hand-made scenarios. Identifiers are GS1 Digital Links on id.gs1.org
//! with valid check digits, so they are canonical both before and after gs1 canonicalisation.
#![allow(dead_code)]

use lotrace_epcis::Event;
use serde_json::{Value, json};

/// GS1 mod-10 check digit of the digits given (without the check digit).
pub fn check_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    (10 - sum % 10) % 10
}

/// A lot of GTIN 0950600013435x (x the check digit) with lot number `lot`.
pub fn lot(lot: &str) -> String {
    let base = "0950600013435";
    format!("https://id.gs1.org/01/{base}{}/10/{lot}", check_digit(base))
}

/// An SSCC with serial reference `n`.
pub fn sscc(n: u32) -> String {
    let base = format!("1950600{n:010}");
    format!("https://id.gs1.org/00/{base}{}", check_digit(&base))
}

/// A location (SGLN) `n`.
pub fn place(n: u32) -> String {
    let base = format!("950600{n:06}");
    format!("https://id.gs1.org/414/{base}{}", check_digit(&base))
}

/// A party (PGLN) `n`.
pub fn party(n: u32) -> String {
    let base = format!("950601{n:06}");
    format!("https://id.gs1.org/417/{base}{}", check_digit(&base))
}

pub fn eid(name: &str) -> String {
    format!("urn:test:{name}")
}

/// `hh:mm` on 2026-03-02 UTC.
pub fn at(hhmm: &str) -> String {
    format!("2026-03-02T{hhmm}:00Z")
}

fn base(name: &str, kind: &str, hhmm: &str) -> Value {
    json!({
        "type": kind,
        "eventID": eid(name),
        "eventTime": at(hhmm),
        "eventTimeZoneOffset": "+00:00",
    })
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Value::Object(a), Value::Object(b)) = (&mut a, b) {
        a.extend(b);
    }
    a
}

pub fn event(v: Value) -> Event {
    serde_json::from_value(v).expect("test events are well-formed")
}

fn quantities(ids: &[&str]) -> Value {
    Value::Array(
        ids.iter()
            .map(|id| json!({ "epcClass": id, "quantity": 10, "uom": "KGM" }))
            .collect(),
    )
}

pub fn commission(name: &str, hhmm: &str, lot: &str, loc: &str) -> Event {
    event(merge(
        base(name, "ObjectEvent", hhmm),
        json!({
            "action": "ADD",
            "bizStep": "commissioning",
            "quantityList": quantities(&[lot]),
            "bizLocation": { "id": loc },
            "ilmd": { "cbvmda:bestBeforeDate": "2026-06-01" },
        }),
    ))
}

/// A TransformationEvent from lots `inputs` to lots `outputs`, optionally with a transformationID.
pub fn transform(
    name: &str,
    hhmm: &str,
    inputs: &[&str],
    outputs: &[&str],
    tid: Option<&str>,
) -> Event {
    let mut v = merge(
        base(name, "TransformationEvent", hhmm),
        json!({ "bizStep": "commissioning", "bizLocation": { "id": place(2) } }),
    );
    if !inputs.is_empty() {
        v["inputQuantityList"] = quantities(inputs);
    }
    if !outputs.is_empty() {
        v["outputQuantityList"] = quantities(outputs);
    }
    if let Some(t) = tid {
        v["transformationID"] = json!(t);
    }
    event(v)
}

/// AggregationEvent: children given as lots (childQuantityList) and instances (childEPCs).
pub fn aggregate(
    name: &str,
    hhmm: &str,
    action: &str,
    parent: &str,
    lots: &[&str],
    epcs: &[&str],
) -> Event {
    let mut v = merge(
        base(name, "AggregationEvent", hhmm),
        json!({
            "action": action,
            "parentID": parent,
            "bizStep": if action == "DELETE" { "unpacking" } else { "packing" },
            "bizLocation": { "id": place(2) },
        }),
    );
    if !lots.is_empty() {
        v["childQuantityList"] = quantities(lots);
    }
    if !epcs.is_empty() {
        v["childEPCs"] = json!(epcs);
    }
    event(v)
}

/// An ObjectEvent shipping `epcs` to a party and (optionally) a location, with a PO.
pub fn ship(
    name: &str,
    hhmm: &str,
    epcs: &[&str],
    to_party: &str,
    to_place: Option<&str>,
) -> Event {
    let mut destinations = vec![json!({ "type": "owning_party", "destination": to_party })];
    if let Some(p) = to_place {
        destinations.push(json!({ "type": "location", "destination": p }));
    }
    event(merge(
        base(name, "ObjectEvent", hhmm),
        json!({
            "action": "OBSERVE",
            "bizStep": "shipping",
            "disposition": "in_transit",
            "epcList": epcs,
            "readPoint": { "id": place(2) },
            "destinationList": destinations,
            "bizTransactionList": [
                { "type": "po", "bizTransaction": format!("urn:test:po:{name}") },
            ],
        }),
    ))
}

/// An ObjectEvent receiving `epcs` at `loc` from a party.
pub fn receive(name: &str, hhmm: &str, epcs: &[&str], from_party: &str, loc: &str) -> Event {
    event(merge(
        base(name, "ObjectEvent", hhmm),
        json!({
            "action": "OBSERVE",
            "bizStep": "urn:epcglobal:cbv:bizstep:receiving",
            "disposition": "in_progress",
            "epcList": epcs,
            "bizLocation": { "id": loc },
            "sourceList": [ { "type": "urn:epcglobal:cbv:sdt:owning_party", "source": from_party } ],
            "bizTransactionList": [
                { "type": "desadv", "bizTransaction": format!("urn:test:asn:{name}") },
            ],
        }),
    ))
}

/// The error declaration retracting event `name` (a copy of it with errorDeclaration).
pub fn retract(original: &Event) -> Event {
    let mut v = serde_json::to_value(original).expect("events serialise");
    v["errorDeclaration"] = json!({
        "declarationTime": "2026-03-03T00:00:00Z",
        "reason": "incorrect_data",
    });
    event(v)
}
