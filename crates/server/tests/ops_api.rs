//! Operations and master data over the REST API, on a real server with a real SQLite file:
//! each operation writes its events, each rule refuses with a message and writes nothing,
//! and every event written is valid against the EPCIS 2.0 JSON Schema.

mod common;

use std::path::Path;

use common::TestServer;
use lotrace_store::Store;
use serde_json::{Value, json};

const SALAD: &str = "https://id.gs1.org/01/04012345111118/10/";
const LETTUCE_L1: &str = "https://id.gs1.org/01/00614141123452/10/L1";

/// The test server with the master data every test here starts from.
struct Ops(TestServer);

impl std::ops::Deref for Ops {
    type Target = TestServer;
    fn deref(&self) -> &TestServer {
        &self.0
    }
}

impl Ops {
    async fn start() -> Ops {
        let server = Ops(TestServer::start().await);
        server.master_data().await;
        server
    }

    async fn stop(self) {
        self.0.stop().await;
    }

    async fn master_data(&self) {
        for (kind, body) in [
            (
                "products",
                json!({ "code": "LETTUCE", "name": "Romaine lettuce", "uom": "KGM",
                                 "gtin": "00614141123452", "required_at_receipt": ["supplier_lot", "expiry"] }),
            ),
            (
                "products",
                json!({ "code": "SALAD", "name": "Salad mix", "uom": "KGM", "gtin": "04012345111118",
                                 "lot_template": "{yy}{doy:03}-{line}-{seq:03}", "shelf_life_days": 9 }),
            ),
            (
                "locations",
                json!({ "code": "PLANT", "name": "Plant", "kind": "site", "gln": "4012345000016" }),
            ),
            (
                "locations",
                json!({ "code": "COLD", "name": "Cold room", "kind": "zone", "parent": "PLANT" }),
            ),
            (
                "locations",
                json!({ "code": "L3", "name": "Line 3", "kind": "zone", "parent": "PLANT" }),
            ),
            (
                "parties",
                json!({ "code": "FARM", "name": "Green Valley", "roles": ["supplier"], "gln": "0614141000012" }),
            ),
            (
                "parties",
                json!({ "code": "SHOP", "name": "Harbor Market", "roles": ["customer"] }),
            ),
        ] {
            let (status, answer) = self.post(&format!("/api/v1/master/{kind}"), &body).await;
            assert_eq!(status, 201, "{kind}: {answer}");
        }
    }

    async fn op(&self, name: &str, body: Value) -> Value {
        let (status, answer) = self.post(&format!("/api/v1/ops/{name}"), &body).await;
        assert_eq!(status, 201, "{name}: {answer}");
        answer
    }

    /// The operation is refused with `status`, a message containing `says`, and no event.
    async fn refused(&self, name: &str, body: Value, status: u16, says: &str) -> Value {
        let before = self.store.event_count().await.unwrap();
        let (got, problem) = self.post(&format!("/api/v1/ops/{name}"), &body).await;
        assert_eq!(got, status, "{name}: {problem}");
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains(says),
            "{name}: expected {says:?} in {problem}"
        );
        assert_eq!(
            self.store.event_count().await.unwrap(),
            before,
            "{name} wrote nothing"
        );
        problem
    }

    async fn lot(&self, id: &str) -> Value {
        let (status, lot) = self.get("/api/v1/lot", &[("id", id)]).await;
        assert_eq!(status, 200, "{id}: {lot}");
        lot
    }
}

fn receive_lettuce(kg: u32, supplier_lot: &str, expiry: &str) -> Value {
    json!({ "product": "LETTUCE", "supplier": "FARM", "location": "COLD", "quantity": kg,
            "supplier_lot": supplier_lot, "expiry": expiry, "purchase_order": "PO-1" })
}

fn quantity(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) => s.parse().unwrap(),
        other => panic!("not a quantity: {other}"),
    }
}

fn location_qty(lot: &Value, code: &str) -> f64 {
    lot["locations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["location_code"] == code)
        .map_or(0.0, |l| quantity(&l["quantity"]))
}

#[tokio::test]
async fn the_operations_write_events_and_the_views_follow() {
    let s = Ops::start().await;
    let received = s
        .op("receive", receive_lettuce(100, "L1", "2099-03-30"))
        .await;
    assert_eq!(received["lots"], json!([LETTUCE_L1]));
    let lot = s.lot(LETTUCE_L1).await;
    assert_eq!(quantity(&lot["received"]), 100.0);
    assert_eq!(lot["attributes"]["lotrace:supplierLot"], "L1");

    let produced = s
        .op("produce", json!({ "product": "SALAD", "quantity": 50, "location": "L3",
            "inputs": [{ "product": "LETTUCE", "lot": "L1", "quantity": 30, "location": "COLD" }] }))
        .await;
    let salad_lot = produced["assigned_lots"][0].as_str().unwrap().to_owned();
    assert!(salad_lot.ends_with("-L3-001"), "{produced}");
    let salad = format!("{SALAD}{salad_lot}");
    assert_eq!(quantity(&s.lot(&salad).await["produced"]), 50.0);
    assert_eq!(quantity(&s.lot(LETTUCE_L1).await["consumed"]), 30.0);

    s.op(
        "move",
        json!({ "from": "COLD", "to": "L3",
        "lots": [{ "product": "LETTUCE", "lot": "L1", "quantity": 10 }] }),
    )
    .await;
    let packed = s
        .op("pack", json!({ "location": "L3", "lots": [{ "product": "SALAD", "lot": salad_lot, "quantity": 20 }] }))
        .await;
    let sscc = packed["sscc"].as_str().unwrap().to_owned();
    assert!(
        sscc.starts_with("https://id.gs1.org/00/04012345"),
        "{packed}"
    );
    s.op(
        "unpack",
        json!({ "location": "L3", "sscc": sscc.rsplit('/').next().unwrap(),
        "lots": [{ "product": "SALAD", "lot": salad_lot, "quantity": 5 }] }),
    )
    .await;
    s.op(
        "ship",
        json!({ "customer": "SHOP", "location": "L3", "containers": [sscc.clone()],
        "purchase_order": "SO-77" }),
    )
    .await;
    s.op(
        "adjust",
        json!({ "product": "LETTUCE", "lot": "L1", "location": "COLD", "counted": 58,
        "reason": "cycle count" }),
    )
    .await;
    s.op(
        "scrap",
        json!({ "product": "LETTUCE", "lot": "L1", "location": "L3", "quantity": 4,
        "reason": "damaged" }),
    )
    .await;
    s.op(
        "return",
        json!({ "customer": "SHOP", "location": "L3", "product": "SALAD", "lot": salad_lot,
        "quantity": 2, "rma": "RMA-1" }),
    )
    .await;
    s.op(
        "inspect",
        json!({ "product": "SALAD", "lot": salad_lot, "result": "pass",
        "measurements": [{ "name": "temperature", "value": 3.5, "uom": "CEL", "max": 5.0 }] }),
    )
    .await;
    s.op(
        "hold",
        json!({ "product": "SALAD", "lot": salad_lot, "reason": "customer complaint" }),
    )
    .await;
    assert_eq!(s.lot(&salad).await["status"], "on_hold");
    s.op(
        "release",
        json!({ "product": "SALAD", "lot": salad_lot, "reason": "complaint unfounded" }),
    )
    .await;

    // Worked out by hand: lettuce 100 in, 30 consumed, 10 moved to L3, counted 58 of 60 in
    // the cold room (-2), 4 scrapped on L3.
    let lettuce = s.lot(LETTUCE_L1).await;
    assert_eq!(location_qty(&lettuce, "COLD"), 58.0);
    assert_eq!(location_qty(&lettuce, "L3"), 6.0);
    assert_eq!(quantity(&lettuce["adjusted"]), -2.0);
    assert_eq!(quantity(&lettuce["scrapped"]), 4.0);
    assert_eq!(quantity(&lettuce["balance_difference"]), 0.0);
    // Salad: 50 made, 20 packed, 5 unpacked, the pallet (15) shipped, 2 returned.
    let salad_state = s.lot(&salad).await;
    assert_eq!(quantity(&salad_state["shipped"]), 15.0);
    assert_eq!(quantity(&salad_state["returned"]), 2.0);
    assert_eq!(location_qty(&salad_state, "L3"), 37.0);
    assert_eq!(salad_state["status"], "released");
    assert_eq!(quantity(&salad_state["balance_difference"]), 0.0);

    let (status, stock) = s.get("/api/v1/inventory", &[("location", "L3")]).await;
    assert_eq!(status, 200);
    assert_eq!(stock.as_array().unwrap().len(), 2, "{stock}");
    let (status, picks) = s
        .get(
            "/api/v1/picks",
            &[("product", "LETTUCE"), ("quantity", "60")],
        )
        .await;
    assert_eq!(status, 200, "{picks}");
    let picked: f64 = picks
        .as_array()
        .unwrap()
        .iter()
        .map(|p| quantity(&p["quantity"]))
        .sum();
    assert_eq!(picked, 60.0, "{picks}");

    assert_events_are_valid_epcis(&s.store).await;
    s.stop().await;
}

#[tokio::test]
async fn the_rules_refuse_with_a_reason_and_write_nothing() {
    let s = Ops::start().await;
    s.op("receive", receive_lettuce(10, "L1", "2099-03-30"))
        .await;
    s.refused(
        "receive",
        json!({ "product": "LETTUCE", "supplier": "FARM", "location": "COLD",
        "quantity": 5, "supplier_lot": "L2" }),
        400,
        "expiry",
    )
    .await;
    s.refused(
        "receive",
        json!({ "product": "LETTUCE", "supplier": "FARM", "location": "COLD",
        "quantity": 5, "uom": "LTR", "supplier_lot": "L2", "expiry": "2099-01-01" }),
        400,
        "uom",
    )
    .await;
    s.refused(
        "ship",
        json!({ "customer": "SHOP", "location": "COLD",
        "lots": [{ "product": "LETTUCE", "lot": "L1", "quantity": 11 }] }),
        409,
        "only 10",
    )
    .await;
    s.refused(
        "produce",
        json!({ "product": "SALAD", "quantity": 5, "location": "L3",
        "inputs": [{ "product": "LETTUCE", "lot": "L1", "quantity": 12, "location": "COLD" }] }),
        409,
        "only 10",
    )
    .await;
    s.refused(
        "produce",
        json!({ "product": "SALAD", "lot": "bad-lot", "quantity": 1, "location": "L3" }),
        400,
        "does not fit",
    )
    .await;
    s.op(
        "hold",
        json!({ "product": "LETTUCE", "lot": "L1", "reason": "Listeria swab positive" }),
    )
    .await;
    s.refused(
        "ship",
        json!({ "customer": "SHOP", "location": "COLD",
        "lots": [{ "product": "LETTUCE", "lot": "L1", "quantity": 1 }] }),
        409,
        "Listeria",
    )
    .await;
    s.op("receive", receive_lettuce(10, "OLD", "2020-01-01"))
        .await;
    s.refused(
        "ship",
        json!({ "customer": "SHOP", "location": "COLD",
        "lots": [{ "product": "LETTUCE", "lot": "OLD", "quantity": 1 }] }),
        409,
        "expired",
    )
    .await;
    s.refused(
        "receive",
        json!({ "product": "LETTUCE", "supplier": "FARM", "location": "COLD",
        "quantity": 5, "colour": "red" }),
        400,
        "colour",
    )
    .await;
    let problem = s
        .refused(
            "ship",
            json!({ "customer": "NOBODY", "location": "COLD",
        "lots": [{ "product": "LETTUCE", "lot": "L1", "quantity": 1 }] }),
            400,
            "NOBODY",
        )
        .await;
    assert_eq!(problem["errors"][0]["field"], "customer", "{problem}");
    let (status, _) = s.post("/api/v1/ops/teleport", &json!({})).await;
    assert_eq!(status, 404);

    // A recall recorded as an EPCIS event (disposition recalled) stops shipping too.
    s.op("receive", receive_lettuce(10, "L9", "2099-03-30"))
        .await;
    let recall = json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-11-01T00:00:00Z",
        "epcisBody": { "eventList": [{
            "type": "ObjectEvent", "eventTime": "2026-11-02T08:00:00Z",
            "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "holding",
            "disposition": "recalled",
            "quantityList": [{ "epcClass": "https://id.gs1.org/01/00614141123452/10/L9" }],
        }] },
    });
    let response = s
        .client
        .post(format!("{}/epcis/capture", s.base))
        .json(&recall)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    assert_eq!(
        s.lot("https://id.gs1.org/01/00614141123452/10/L9").await["status"],
        "recalled"
    );
    let problem = s
        .refused(
            "ship",
            json!({ "customer": "SHOP", "location": "COLD",
                    "lots": [{ "product": "LETTUCE", "lot": "L9", "quantity": 1 }] }),
            409,
            "recalled",
        )
        .await;
    assert_eq!(problem["errors"][0]["rule"], "lot_recalled", "{problem}");
    s.stop().await;
}

#[tokio::test]
async fn concurrent_productions_never_share_a_lot_number() {
    let s = Ops::start().await;
    s.op("receive", receive_lettuce(1000, "L1", "2099-03-30"))
        .await;
    const PRODUCTIONS: usize = 16;
    let mut tasks = Vec::new();
    for _ in 0..PRODUCTIONS {
        let client = s.client.clone();
        let url = format!("{}/api/v1/ops/produce", s.base);
        tasks.push(tokio::spawn(async move {
            let body = json!({ "product": "SALAD", "quantity": 5, "location": "L3",
                "inputs": [{ "product": "LETTUCE", "lot": "L1", "quantity": 1, "location": "COLD" }] });
            let response = client.post(url).json(&body).send().await.unwrap();
            assert_eq!(response.status(), 201);
            let answer: Value = response.json().await.unwrap();
            answer["assigned_lots"][0].as_str().unwrap().to_owned()
        }));
    }
    let mut lots = Vec::new();
    for task in tasks {
        lots.push(task.await.unwrap());
    }
    lots.sort();
    let mut distinct = lots.clone();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        PRODUCTIONS,
        "duplicate lot numbers: {lots:?}"
    );
    // The sequence has no gaps: 001 ..= 016.
    let sequences: Vec<String> = lots
        .iter()
        .map(|l| l.rsplit('-').next().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = (1..=PRODUCTIONS).map(|n| format!("{n:03}")).collect();
    assert_eq!(sequences, expected);
    s.stop().await;
}

#[tokio::test]
async fn master_data_is_validated_listed_and_deactivated_not_deleted() {
    let s = Ops::start().await;
    let (status, problem) = s
        .post(
            "/api/v1/master/products",
            &json!({ "code": "BAD", "name": "Bad GTIN", "uom": "KGM", "gtin": "00614141123453" }),
        )
        .await;
    assert_eq!(status, 400, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("gtin"),
        "{problem}"
    );
    let (status, _) = s
        .post(
            "/api/v1/master/products",
            &json!({ "code": "LETTUCE", "name": "Again", "uom": "KGM" }),
        )
        .await;
    assert_eq!(status, 409);
    let (status, list) = s.get("/api/v1/master/locations", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 3, "{list}");
    // Edit: the whole record again, validated as on creation; the code cannot change.
    let edited = s
        .client
        .put(s.url("/api/v1/master/products/SALAD"))
        .json(
            &json!({ "code": "SALAD", "name": "Salad mix, 250 g", "uom": "KGM",
                       "gtin": "04012345111118", "lot_template": "{yy}{doy:03}-{line}-{seq:03}",
                       "shelf_life_days": 7 }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), 200);
    let (_, salad) = s.get("/api/v1/master/products/SALAD", &[]).await;
    assert_eq!(salad["name"], "Salad mix, 250 g", "{salad}");
    assert_eq!(salad["shelf_life_days"], 7, "{salad}");
    let renamed = s
        .client
        .put(s.url("/api/v1/master/products/SALAD"))
        .json(&json!({ "code": "SALAD2", "name": "x", "uom": "KGM" }))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), 400);

    let (status, answer) = s
        .post("/api/v1/master/parties/SHOP/deactivate", &json!({}))
        .await;
    assert!(status == 200 || status == 201, "{status} {answer}");
    let (status, shop) = s.get("/api/v1/master/parties/SHOP", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(shop["active"], false, "{shop}");
    s.stop().await;
}

/// Every stored event, wrapped in a capture document, passes the EPCIS 2.0 JSON Schema
/// (read in place from `../shared/standards`; skipped without it) and our own validation.
async fn assert_events_are_valid_epcis(store: &Store) {
    let mut events = Vec::new();
    store
        .for_each_event(|stored| {
            events.push(serde_json::to_value(&stored.event).unwrap());
            Ok(())
        })
        .await
        .unwrap();
    assert!(events.len() > 10, "only {} events", events.len());
    let document = json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                     { "lotrace": "https://ns.lotrace.org/epcis/" }],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-01T00:00:00Z",
        "epcisBody": { "eventList": events },
    });
    // Our own capture validation accepts them as they stand.
    let bytes = serde_json::to_vec(&document).unwrap();
    if let Err(e) = lotrace_epcis::parse_document(&bytes, &lotrace_epcis::Limits::default()) {
        panic!("operations wrote events that capture would reject: {e}");
    }

    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/standards/epcis/schema/EPCIS-JSON-Schema.json");
    let Ok(schema_text) = std::fs::read_to_string(&schema_path) else {
        eprintln!(
            "skipping the schema check: {} is absent",
            schema_path.display()
        );
        return;
    };
    let schema: Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema errors:\n{}", errors.join("\n"));
    // The check itself can fail: a non-standard action is caught.
    let mut broken = document.clone();
    broken["epcisBody"]["eventList"][0]["action"] = json!("CREATE");
    assert!(!validator.is_valid(&broken), "the schema check cannot fail");
}

#[tokio::test]
async fn lots_are_listed_by_status_and_expiry_and_units_must_match() {
    let s = Ops::start().await;
    s.op("receive", receive_lettuce(10, "L1", "2099-03-30"))
        .await;
    let soon = jiff::Zoned::now()
        .date()
        .saturating_add(jiff::Span::new().days(5))
        .to_string();
    s.op("receive", receive_lettuce(10, "SOON", &soon)).await;
    s.op(
        "hold",
        json!({ "product": "LETTUCE", "lot": "L1", "reason": "pending lab result" }),
    )
    .await;

    let ids = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, held) = s.get("/api/v1/lots", &[("status", "on_hold")]).await;
    assert_eq!(ids(&held), [LETTUCE_L1]);
    assert_eq!(held[0]["hold_reason"], "pending lab result");
    let (_, expiring) = s
        .get("/api/v1/lots", &[("expiring_within_days", "7")])
        .await;
    assert_eq!(
        ids(&expiring),
        ["https://id.gs1.org/01/00614141123452/10/SOON"]
    );
    let (_, lettuce) = s.get("/api/v1/lots", &[("product", "LETTUCE")]).await;
    assert_eq!(ids(&lettuce).len(), 2);
    let (status, problem) = s.get("/api/v1/lots", &[("status", "lost")]).await;
    assert_eq!(status, 400, "{problem}");
    // A malformed parameter is a problem+json that names it, like every other error.
    let response = s
        .client
        .get(format!("{}/api/v1/lots?expiring_within_days=soon", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("expiring_within_days"),
        "{problem}"
    );

    // Salad is made in kilograms: litres are refused, not converted.
    s.refused(
        "produce",
        json!({ "product": "SALAD", "quantity": 5, "uom": "LTR", "location": "L3",
                "inputs": [{ "product": "LETTUCE", "lot": "SOON", "quantity": 1, "location": "COLD" }] }),
        400,
        "uom",
    )
    .await;
    s.stop().await;
}

#[tokio::test]
async fn time_sliced_lots_and_relabelled_receipts() {
    let s = Ops::start().await;
    // One lot per shift of continuous production, and our own lot number on receipt.
    let (status, _) = s
        .post(
            "/api/v1/master/products",
            &json!({ "code": "DOUGH", "name": "Dough", "uom": "KGM", "gtin": "04012345222227",
                 "lot_template": "D{yy}{doy:03}S{shift}" }),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = s
        .post(
            "/api/v1/master/products",
            &json!({ "code": "FLOUR", "name": "Flour", "uom": "KGM", "gtin": "04012345444445",
                 "lot_template": "F{yyyy}{mm}{dd}-{seq:02}" }),
        )
        .await;
    assert_eq!(status, 201);
    let received = s
        .op(
            "receive",
            json!({ "product": "FLOUR", "supplier": "FARM", "location": "COLD", "quantity": 500,
                    "supplier_lot": "MILL-778", "time": "2026-03-12T07:00:00Z" }),
        )
        .await;
    assert_eq!(
        received["assigned_lots"],
        json!(["F20260312-01"]),
        "{received}"
    );
    let flour = s
        .lot("https://id.gs1.org/01/04012345444445/10/F20260312-01")
        .await;
    assert_eq!(
        flour["attributes"]["lotrace:supplierLot"], "MILL-778",
        "{flour}"
    );

    let mut made = Vec::new();
    for time in [
        "2026-03-12T07:00:00Z",
        "2026-03-12T13:30:00Z",
        "2026-03-12T15:00:00Z",
    ] {
        let outcome = s
            .op(
                "produce",
                json!({ "product": "DOUGH", "quantity": 10, "location": "L3", "time": time,
                        "inputs": [{ "product": "FLOUR", "lot": "F20260312-01", "quantity": 5, "location": "COLD" }] }),
            )
            .await;
        let outputs: Vec<&Value> = outcome["lots"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l.as_str().unwrap().contains("/04012345222227/"))
            .collect();
        assert_eq!(outputs.len(), 1, "{outcome}");
        made.push(outputs[0].clone());
    }
    // 07:00 and 13:30 are shift 1 (06-14 h); 15:00 is shift 2. 2026-03-12 is day 071.
    let dough = |lot: &str| json!(format!("https://id.gs1.org/01/04012345222227/10/{lot}"));
    assert_eq!(
        made,
        [dough("D26071S1"), dough("D26071S1"), dough("D26071S2")]
    );
    assert_eq!(
        quantity(
            &s.lot("https://id.gs1.org/01/04012345222227/10/D26071S1")
                .await["produced"]
        ),
        20.0
    );
    s.stop().await;
}

#[tokio::test]
async fn an_inspection_cites_its_certificate_of_analysis_file() {
    let s = Ops::start().await;
    s.op("receive", receive_lettuce(10, "L1", "2099-03-30"))
        .await;
    let pdf = b"%PDF-1.7\nCertificate of analysis: lot L1, Listeria monocytogenes not detected\n";
    let response = s
        .client
        .post(s.url("/api/v1/documents?name=coa-L1.pdf"))
        .header("content-type", "application/pdf")
        .body(pdf.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let stored: Value = response.json().await.unwrap();
    let uri = stored["uri"].as_str().unwrap().to_owned();
    assert!(uri.starts_with("urn:lotrace:document:sha256:"), "{stored}");
    assert_eq!(stored["size_bytes"], pdf.len());

    let inspected = s
        .op(
            "inspect",
            json!({ "product": "LETTUCE", "lot": "L1", "result": "pass", "certificate": uri }),
        )
        .await;
    // The inspection event names the document it rests on.
    let event_id = inspected["event_ids"][0].as_str().unwrap();
    let (status, event) = s.get(&format!("/epcis/events/{event_id}"), &[]).await;
    assert_eq!(status, 200);
    assert!(event.to_string().contains(&uri), "{event}");

    let sha = stored["sha256"].as_str().unwrap();
    let back = s
        .client
        .get(s.url(&format!("/api/v1/documents/{sha}")))
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), 200);
    assert_eq!(back.headers()["content-type"], "application/pdf");
    assert!(
        back.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("coa-L1.pdf")
    );
    assert_eq!(back.bytes().await.unwrap().as_ref(), pdf);

    // A certificate that names no stored document is refused, and so is an empty upload.
    let missing = format!("urn:lotrace:document:sha256:{}", "0".repeat(64));
    s.refused(
        "inspect",
        json!({ "product": "LETTUCE", "lot": "L1", "result": "pass", "certificate": missing }),
        400,
        "upload the file first",
    )
    .await;
    let empty = s
        .client
        .post(s.url("/api/v1/documents?name=empty.pdf"))
        .body(Vec::new())
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 400);
    let (status, _) = s
        .get(&format!("/api/v1/documents/{}", "0".repeat(64)), &[])
        .await;
    assert_eq!(status, 404);
    s.stop().await;
}
