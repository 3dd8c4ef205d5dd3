//! A small, realistic fresh-produce supply chain, so a new user has something to trace.
//!
//! Two farms harvest lettuce and carrots; FreshCut Foods receives them, makes salad mix and
//! coleslaw, palletises and ships to Metro Distribution; the DC breaks one pallet, re-packs,
//! and ships on to two Harbor Market stores. One receipt names a lot by its GS1 Digital Link
//! instead of its EPC URN, as real partners do.

use serde_json::{Value, json};

/// eventIDs are fixed so that loading the demo twice stores it once.
fn id(n: u32) -> String {
    format!("urn:uuid:6c0f9a3e-5d2b-4e61-9b7a-0000000000{n:02}")
}

struct Site {
    name: &'static str,
    sgln: &'static str,
    pgln: &'static str,
}

const GREEN_VALLEY: Site = Site {
    name: "Green Valley Farms",
    sgln: "urn:epc:id:sgln:0614141.00001.0",
    pgln: "urn:epc:id:pgln:0614141.00001",
};
const SUNRISE: Site = Site {
    name: "Sunrise Growers",
    sgln: "urn:epc:id:sgln:0012345.00001.0",
    pgln: "urn:epc:id:pgln:0012345.00001",
};
const FRESHCUT: Site = Site {
    name: "FreshCut Foods, plant 1",
    sgln: "urn:epc:id:sgln:4012345.00001.0",
    pgln: "urn:epc:id:pgln:4012345.00001",
};
const METRO_DC: Site = Site {
    name: "Metro Distribution DC",
    sgln: "urn:epc:id:sgln:9521141.00001.0",
    pgln: "urn:epc:id:pgln:9521141.00001",
};
const STORE_12: Site = Site {
    name: "Harbor Market #12",
    sgln: "urn:epc:id:sgln:0088888.00012.0",
    pgln: "urn:epc:id:pgln:0088888.00000",
};
const STORE_27: Site = Site {
    name: "Harbor Market #27",
    sgln: "urn:epc:id:sgln:0088888.00027.0",
    pgln: "urn:epc:id:pgln:0088888.00000",
};

/// The names of the demo's parties and places, for display.
pub fn site_names() -> Vec<(&'static str, &'static str)> {
    [
        GREEN_VALLEY,
        SUNRISE,
        FRESHCUT,
        METRO_DC,
        STORE_12,
        STORE_27,
    ]
    .iter()
    .map(|s| (s.sgln, s.name))
    .collect()
}

const ROMAINE_A: &str = "urn:epc:class:lgtin:0614141.012345.ROM-2611-A";
/// The same lot as written in a GS1 Digital Link (GTIN 00614141123452).
const ROMAINE_A_DL: &str = "https://id.gs1.org/01/00614141123452/10/ROM-2611-A";
const ROMAINE_B: &str = "urn:epc:class:lgtin:0614141.012345.ROM-2611-B";
const CARROTS: &str = "urn:epc:class:lgtin:0012345.044444.CAR-2611-07";
const SALAD_1: &str = "urn:epc:class:lgtin:4012345.011111.GSM-26307-1";
const SALAD_2: &str = "urn:epc:class:lgtin:4012345.011111.GSM-26307-2";
const SLAW_1: &str = "urn:epc:class:lgtin:4012345.033333.CSL-26307-1";
const PALLET_1: &str = "urn:epc:id:sscc:4012345.0000000001";
const PALLET_2: &str = "urn:epc:id:sscc:4012345.0000000002";
const PALLET_3: &str = "urn:epc:id:sscc:4012345.0000000003";
const DC_PALLET: &str = "urn:epc:id:sscc:9521141.0000000010";

fn kg(class: &str, quantity: u32) -> Value {
    json!({ "epcClass": class, "quantity": quantity, "uom": "KGM" })
}

fn common(n: u32, kind: &str, time: &str) -> serde_json::Map<String, Value> {
    let Value::Object(map) = json!({
        "type": kind,
        "eventID": id(n),
        "eventTime": time,
        "eventTimeZoneOffset": "-08:00",
    }) else {
        unreachable!("json! of an object literal is an object")
    };
    map
}

fn event(n: u32, kind: &str, time: &str, fields: Value) -> Value {
    let mut e = Value::Object(common(n, kind, time));
    merge(&mut e, fields);
    e
}

fn harvest(n: u32, time: &str, farm: &Site, lot: &str, kg_harvested: u32, expiry: &str) -> Value {
    event(
        n,
        "ObjectEvent",
        time,
        json!({
            "action": "ADD",
            "bizStep": "commissioning",
            "disposition": "active",
            "quantityList": [kg(lot, kg_harvested)],
            "readPoint": { "id": farm.sgln },
            "bizLocation": { "id": farm.sgln },
            "ilmd": {
                "cbvmda:itemExpirationDate": expiry,
                "cbvmda:countryOfOrigin": "US",
            },
        }),
    )
}

fn ship(n: u32, time: &str, from: &Site, to: &Site, what: Value, po: &str) -> Value {
    let mut e = event(
        n,
        "ObjectEvent",
        time,
        json!({
            "action": "OBSERVE",
            "bizStep": "shipping",
            "disposition": "in_transit",
            "readPoint": { "id": from.sgln },
            "bizTransactionList": [
                { "type": "po", "bizTransaction": format!("urn:epcglobal:cbv:bt:{}:{po}", gln_of(to)) },
                { "type": "desadv", "bizTransaction": format!("urn:epcglobal:cbv:bt:{}:ASN-{po}", gln_of(from)) },
            ],
            "sourceList": [
                { "type": "owning_party", "source": from.pgln },
                { "type": "location", "source": from.sgln },
            ],
            "destinationList": [
                { "type": "owning_party", "destination": to.pgln },
                { "type": "location", "destination": to.sgln },
            ],
        }),
    );
    merge(&mut e, what);
    e
}

/// Adds the members of `extra` (an object, or null for nothing) to the event `target`.
fn merge(target: &mut Value, extra: Value) {
    if let (Value::Object(target), Value::Object(extra)) = (target, extra) {
        target.extend(extra);
    }
}

fn receive(n: u32, time: &str, from: &Site, to: &Site, what: Value, po: &str) -> Value {
    let mut shipped = ship(n, time, from, to, what, po);
    shipped["bizStep"] = json!("receiving");
    shipped["disposition"] = json!("in_progress");
    shipped["readPoint"] = json!({ "id": to.sgln });
    shipped["bizLocation"] = json!({ "id": to.sgln });
    shipped
}

/// A 13-digit GLN for business transaction URNs; these demo GLNs are fixed strings.
fn gln_of(site: &Site) -> &'static str {
    match site.sgln {
        s if s == GREEN_VALLEY.sgln => "0614141000012",
        s if s == SUNRISE.sgln => "0012345000010",
        s if s == FRESHCUT.sgln => "4012345000016",
        s if s == METRO_DC.sgln => "9521141000016",
        _ => "0088888000126",
    }
}

fn transform(n: u32, time: &str, inputs: Value, outputs: Value, extra: Value) -> Value {
    let mut e = event(
        n,
        "TransformationEvent",
        time,
        json!({
            "bizStep": "commissioning",
            "disposition": "active",
            "readPoint": { "id": "urn:epc:id:sgln:4012345.00001.101" },
            "bizLocation": { "id": FRESHCUT.sgln },
        }),
    );
    if !inputs.is_null() {
        e["inputQuantityList"] = inputs;
    }
    if !outputs.is_null() {
        e["outputQuantityList"] = outputs;
    }
    merge(&mut e, extra);
    e
}

fn pack(n: u32, time: &str, action: &str, pallet: &str, children: Value, site: &Site) -> Value {
    let mut e = event(
        n,
        "AggregationEvent",
        time,
        json!({
            "action": action,
            "parentID": pallet,
            "bizStep": if action == "ADD" { "packing" } else { "unpacking" },
            "disposition": "in_progress",
            "readPoint": { "id": site.sgln },
            "bizLocation": { "id": site.sgln },
        }),
    );
    if !children.is_null() {
        e["childQuantityList"] = children;
    }
    e
}

/// The demo as one EPCIS 2.0 JSON-LD document.
pub fn document() -> Value {
    let pallets = |list: &[&str]| json!({ "epcList": list });
    let events = vec![
        harvest(
            1,
            "2026-11-02T06:00:00-08:00",
            &GREEN_VALLEY,
            ROMAINE_A,
            1200,
            "2026-11-16",
        ),
        harvest(
            2,
            "2026-11-02T06:30:00-08:00",
            &GREEN_VALLEY,
            ROMAINE_B,
            900,
            "2026-11-16",
        ),
        harvest(
            3,
            "2026-11-02T07:00:00-08:00",
            &SUNRISE,
            CARROTS,
            2000,
            "2026-12-02",
        ),
        ship(
            4,
            "2026-11-02T14:00:00-08:00",
            &GREEN_VALLEY,
            &FRESHCUT,
            json!({ "quantityList": [kg(ROMAINE_A, 1200), kg(ROMAINE_B, 500)] }),
            "PO-7781",
        ),
        ship(
            5,
            "2026-11-02T15:00:00-08:00",
            &SUNRISE,
            &FRESHCUT,
            json!({ "quantityList": [kg(CARROTS, 1500)] }),
            "PO-7782",
        ),
        receive(
            6,
            "2026-11-03T06:10:00-08:00",
            &GREEN_VALLEY,
            &FRESHCUT,
            json!({ "quantityList": [kg(ROMAINE_A_DL, 1200), kg(ROMAINE_B, 500)] }),
            "PO-7781",
        ),
        receive(
            7,
            "2026-11-03T06:40:00-08:00",
            &SUNRISE,
            &FRESHCUT,
            json!({ "quantityList": [kg(CARROTS, 1500)] }),
            "PO-7782",
        ),
        transform(
            8,
            "2026-11-03T09:00:00-08:00",
            json!([kg(ROMAINE_A, 800), kg(CARROTS, 300)]),
            json!([kg(SALAD_1, 1000)]),
            json!({ "ilmd": { "cbvmda:itemExpirationDate": "2026-11-12" } }),
        ),
        transform(
            9,
            "2026-11-03T11:00:00-08:00",
            json!([kg(ROMAINE_A, 400), kg(ROMAINE_B, 500), kg(CARROTS, 200)]),
            json!([kg(SALAD_2, 1050)]),
            json!({ "ilmd": { "cbvmda:itemExpirationDate": "2026-11-12" } }),
        ),
        // One transformation recorded as two events sharing a transformationID: the line
        // scanner logs the carrots going in, the packing scale logs the coleslaw coming out.
        transform(
            10,
            "2026-11-03T12:00:00-08:00",
            json!([kg(CARROTS, 800)]),
            Value::Null,
            json!({ "transformationID": "urn:uuid:9f5d3c1a-7e0b-4a8f-8d2e-3b6c5a4d1e00" }),
        ),
        transform(
            11,
            "2026-11-03T13:30:00-08:00",
            Value::Null,
            json!([kg(SLAW_1, 760)]),
            json!({ "transformationID": "urn:uuid:9f5d3c1a-7e0b-4a8f-8d2e-3b6c5a4d1e00",
                    "ilmd": { "cbvmda:itemExpirationDate": "2026-11-17" } }),
        ),
        pack(
            12,
            "2026-11-03T14:00:00-08:00",
            "ADD",
            PALLET_1,
            json!([kg(SALAD_1, 600)]),
            &FRESHCUT,
        ),
        pack(
            13,
            "2026-11-03T14:10:00-08:00",
            "ADD",
            PALLET_2,
            json!([kg(SALAD_1, 400), kg(SALAD_2, 300)]),
            &FRESHCUT,
        ),
        pack(
            14,
            "2026-11-03T14:20:00-08:00",
            "ADD",
            PALLET_3,
            json!([kg(SALAD_2, 750), kg(SLAW_1, 760)]),
            &FRESHCUT,
        ),
        ship(
            15,
            "2026-11-03T16:00:00-08:00",
            &FRESHCUT,
            &METRO_DC,
            pallets(&[PALLET_1, PALLET_2, PALLET_3]),
            "PO-55120",
        ),
        receive(
            16,
            "2026-11-04T05:30:00-08:00",
            &FRESHCUT,
            &METRO_DC,
            pallets(&[PALLET_1, PALLET_2, PALLET_3]),
            "PO-55120",
        ),
        // The DC breaks pallet 2 (DELETE with no child list empties it) and builds a mixed pallet.
        pack(
            17,
            "2026-11-04T08:00:00-08:00",
            "DELETE",
            PALLET_2,
            Value::Null,
            &METRO_DC,
        ),
        pack(
            18,
            "2026-11-04T08:20:00-08:00",
            "ADD",
            DC_PALLET,
            json!([kg(SALAD_1, 400), kg(SALAD_2, 150)]),
            &METRO_DC,
        ),
        ship(
            19,
            "2026-11-04T10:00:00-08:00",
            &METRO_DC,
            &STORE_12,
            pallets(&[PALLET_1]),
            "HM12-9001",
        ),
        ship(
            20,
            "2026-11-04T10:30:00-08:00",
            &METRO_DC,
            &STORE_27,
            pallets(&[DC_PALLET]),
            "HM27-9002",
        ),
        receive(
            21,
            "2026-11-04T13:00:00-08:00",
            &METRO_DC,
            &STORE_12,
            pallets(&[PALLET_1]),
            "HM12-9001",
        ),
        receive(
            22,
            "2026-11-04T14:15:00-08:00",
            &METRO_DC,
            &STORE_27,
            pallets(&[DC_PALLET]),
            "HM27-9002",
        ),
    ];
    json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-04T23:00:00Z",
        "epcisBody": { "eventList": events },
    })
}
