//! Bills of materials, production orders, productions against an order, batch records and
//! where-used over HTTP, on a real server with a real SQLite file. The yield and variance
//! figures are worked out by hand in the comments.

mod common;

use common::TestServer;
use serde_json::{Value, json};

fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) => s.parse().unwrap(),
        other => panic!("not a number: {other}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

async fn events(server: &TestServer) -> u64 {
    let (_, health) = server.get("/health", &[]).await;
    health["events"].as_u64().unwrap()
}

async fn on_hand(server: &TestServer, product: &str, lot: &str) -> f64 {
    let (status, view) = server
        .get("/api/v1/lot", &[("product", product), ("lot", lot)])
        .await;
    assert_eq!(status, 200, "{view}");
    num(&view["on_hand"])
}

fn bom_v1() -> Value {
    json!({
        "code": "SALAD-STD", "product": "SALAD", "description": "salad mix",
        "components": [
            { "product": "LETTUCE", "quantity_per_unit": 0.6, "scrap_allowance_percent": 2,
              "substitutes": [{ "product": "ICEBERG", "quantity_per_unit": 0.75 }] },
            { "product": "CARROT", "quantity_per_unit": "0.3", "scrap_allowance_percent": 2 },
        ],
        "min_yield_percent": 95,
    })
}

fn line(product: &str, lot: &str, kg: &str) -> Value {
    json!({ "product": product, "lot": lot, "quantity": kg, "location": "COLD" })
}

#[tokio::test]
async fn boms_orders_productions_batch_records_and_where_used() {
    let server = TestServer::start().await;
    server.bom_stock().await;

    // BOMs: bad ones refused naming the field; v1 with a substitute; v2 on top of it.
    let mut bad = bom_v1();
    bad["components"][1]["product"] = json!("NOPE");
    let (status, p) = server.post("/api/v1/boms", &bad).await;
    assert_eq!(status, 400, "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("components[1].product"),
        "{p}"
    );
    let mut bad = bom_v1();
    bad["components"][1]["product"] = json!("ICEBERG");
    let (status, p) = server.post("/api/v1/boms", &bad).await;
    assert_eq!(status, 400, "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("appears twice"),
        "{p}"
    );
    let mut bad = bom_v1();
    bad["components"][0]["uom"] = json!("LTR");
    let (status, p) = server.post("/api/v1/boms", &bad).await;
    assert_eq!(status, 400, "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("components[0].uom"),
        "{p}"
    );
    let (status, v1) = server.post("/api/v1/boms", &bom_v1()).await;
    assert_eq!(status, 201, "{v1}");
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["components"][0]["uom"], "KGM");
    assert_eq!(v1["components"][0]["substitutes"][0]["product"], "ICEBERG");
    let v2_body = json!({
        "code": "SALAD-STD", "product": "SALAD",
        "components": [
            { "product": "LETTUCE", "quantity_per_unit": 0.5 },
            { "product": "CARROT", "quantity_per_unit": 0.4 },
        ],
    });
    let (status, p) = server.post("/api/v1/boms", &v2_body).await;
    assert_eq!(status, 400, "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("previous_version 1"),
        "{p}"
    );
    let mut v2_body = v2_body;
    v2_body["previous_version"] = json!(1);
    let (status, v2) = server.post("/api/v1/boms", &v2_body).await;
    assert_eq!(status, 201, "{v2}");
    assert_eq!(v2["version"], 2);
    let (status, bom) = server.get("/api/v1/boms/SALAD-STD", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(bom["latest"]["version"], 2);
    assert_eq!(bom["versions"].as_array().unwrap().len(), 2);
    let (_, old) = server.get("/api/v1/boms/SALAD-STD/versions/1", &[]).await;
    assert_eq!(old, v1, "a new version leaves the old one as it was");

    // An order against the old version (explicitly), and bad orders.
    let (status, p) = server
        .post(
            "/api/v1/orders",
            &json!({ "id": "PO-X", "product": "LETTUCE", "bom": "SALAD-STD", "quantity": 5, "location": "L3" }),
        )
        .await;
    assert_eq!(status, 400, "{p}");
    assert!(p["detail"].as_str().unwrap().starts_with("bom:"), "{p}");
    let (status, order) = server
        .post(
            "/api/v1/orders",
            &json!({ "id": "PO-1", "product": "SALAD", "bom": "SALAD-STD", "bom_version": 1,
                "quantity": 20, "location": "L3", "line": "L3",
                "planned_start": "2026-03-12T06:00:00Z", "planned_end": "2026-03-12T14:00:00Z" }),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["status"], "planned");
    let (status, _) = server
        .post(
            "/api/v1/orders",
            &json!({ "id": "PO-1", "product": "SALAD", "bom": "SALAD-STD", "quantity": 1, "location": "L3" }),
        )
        .await;
    assert_eq!(status, 409, "an order id is taken once");

    // The wrong component: refused naming the input line, nothing written.
    let before = events(&server).await;
    let produce = |lot: &str, kg: &str, inputs: Vec<Value>| {
        json!({ "order": "PO-1", "product": "SALAD", "lot": lot, "quantity": kg,
            "location": "L3", "inputs": inputs })
    };
    let wrong = produce(
        "S-001",
        "10",
        vec![
            line("LETTUCE", "L-A", "6"),
            line("CARROT", "C-A", "3"),
            line("SUGAR", "G-A", "1"),
        ],
    );
    let (status, p) = server.post("/api/v1/ops/produce", &wrong).await;
    assert_eq!(status, 409, "{p}");
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains(
            "inputs[2]: SUGAR is neither a component nor a substitute in BOM SALAD-STD v1"
        ),
        "{detail}"
    );
    assert_eq!(p["errors"][0]["rule"], "not_in_bom");
    assert_eq!(
        events(&server).await,
        before,
        "a refused production writes nothing"
    );
    assert!(close(on_hand(&server, "SUGAR", "G-A").await, 10.0));
    assert!(close(on_hand(&server, "LETTUCE", "L-A").await, 100.0));
    let (status, p) = server
        .get("/api/v1/lot", &[("product", "SALAD"), ("lot", "S-001")])
        .await;
    assert_eq!(status, 404, "no output lot: {p}");

    // A lot on hold: refused naming the line; a lot-tracked component missing: refused.
    let held = produce(
        "S-001",
        "10",
        vec![line("LETTUCE", "L-A", "6"), line("CARROT", "C-HOLD", "3")],
    );
    let (status, p) = server.post("/api/v1/ops/produce", &held).await;
    assert_eq!(status, 409, "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("inputs[1]: lot C-HOLD of CARROT is on hold (foreign matter)"),
        "{p}"
    );
    let missing = produce("S-001", "10", vec![line("LETTUCE", "L-A", "6")]);
    let (status, p) = server.post("/api/v1/ops/produce", &missing).await;
    assert_eq!(status, 409, "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("lot-tracked component CARROT"),
        "{p}"
    );
    // Overrides: without a reason, or on a line that passes, are refused.
    let mut no_reason = wrong.clone();
    no_reason["overrides"] = json!([{ "input": 2, "reason": " " }]);
    let (status, p) = server.post("/api/v1/ops/produce", &no_reason).await;
    assert_eq!(status, 400, "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .starts_with("overrides[0].reason"),
        "{p}"
    );
    let mut needless = wrong.clone();
    needless["overrides"] = json!([{ "input": 0, "reason": "x" }, { "input": 2, "reason": "y" }]);
    let (status, p) = server.post("/api/v1/ops/produce", &needless).await;
    assert_eq!(status, 400, "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("needs no override"),
        "{p}"
    );
    assert_eq!(
        events(&server).await,
        before,
        "nothing was written by any of these"
    );

    // Run 1, with the substitute; figures by hand:
    //   LETTUCE expected 0.6 × 10 = 6; consumed 4.2 + ICEBERG 2.5 × 0.6 / 0.75 = 2.0 → 6.2;
    //   variance +0.2 = +3.33 %; allowance 2 % of 6 = 0.12 → outside.
    //   CARROT expected 0.3 × 10 = 3; consumed 3.06; variance +0.06 = +2 %; allowance 0.06 →
    //   inside. Theoretical output min(6.2 / 0.6, 3.06 / 0.3) = min(10.333333, 10.2) = 10.2;
    //   yield 10 / 10.2 = 98.04 %, above the minimum of 95 %.
    let mut run1 = produce(
        "S-001",
        "10",
        vec![
            line("LETTUCE", "L-A", "4.2"),
            line("ICEBERG", "I-A", "2.5"),
            line("CARROT", "C-A", "3.06"),
        ],
    );
    run1["equipment"] = json!("Mixer M1");
    let started = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(90);
    run1["started"] = json!(started.to_string());
    let (status, made) = server.post("/api/v1/ops/produce", &run1).await;
    assert_eq!(status, 201, "{made}");
    let batch = &made["batch"];
    assert_eq!(batch["order"], "PO-1");
    assert_eq!(batch["bom_version"], 1);
    assert_eq!(batch["inputs"][1]["role"], "substitute");
    assert_eq!(batch["inputs"][1]["component"], "LETTUCE");
    assert!(close(num(&batch["inputs"][1]["equivalent"]), 2.0));
    let lettuce = &batch["variance"][0];
    assert_eq!(lettuce["component"], "LETTUCE");
    assert!(close(num(&lettuce["expected"]), 6.0));
    assert!(close(num(&lettuce["consumed"]), 6.2));
    assert!(close(num(&lettuce["variance"]), 0.2));
    assert!(close(num(&lettuce["variance_percent"]), 3.33));
    assert!(close(num(&lettuce["allowance"]), 0.12));
    assert_eq!(lettuce["within_allowance"], false);
    let carrot = &batch["variance"][1];
    assert!(close(num(&carrot["expected"]), 3.0));
    assert!(close(num(&carrot["consumed"]), 3.06));
    assert!(close(num(&carrot["variance_percent"]), 2.0));
    assert_eq!(carrot["within_allowance"], true);
    assert!(close(num(&batch["yield"]["theoretical_output"]), 10.2));
    assert!(close(num(&batch["yield"]["yield_percent"]), 98.04));
    assert_eq!(batch["yield"]["below_minimum"], false);
    let run1_event = made["event_ids"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        made["event_ids"].as_array().unwrap().len(),
        2,
        "staging from COLD, then the run"
    );
    // The event carries the order and the BOM version in the lotrace namespace.
    let (status, document) = server
        .get(&format!("/epcis/events/{run1_event}"), &[])
        .await;
    assert_eq!(status, 200, "{document}");
    let event = &document["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0];
    assert_eq!(event["lotrace:batch"]["lotrace:order"], "PO-1", "{event}");
    assert_eq!(event["lotrace:batch"]["lotrace:bomVersion"], 1);
    assert_eq!(event["lotrace:equipment"], "Mixer M1");
    assert!(close(on_hand(&server, "ICEBERG", "I-A").await, 47.5));

    // Run 2, with an override for the sugar: figures exact, the override kept with its reason.
    let mut run2 = produce(
        "S-002",
        "5",
        vec![
            line("LETTUCE", "L-A", "3"),
            line("CARROT", "C-A", "1.5"),
            line("SUGAR", "G-A", "0.2"),
        ],
    );
    run2["overrides"] = json!([{ "input": 2, "reason": "QA approved a sweetener trial" }]);
    let (status, made2) = server.post("/api/v1/ops/produce", &run2).await;
    assert_eq!(status, 201, "{made2}");
    assert_eq!(made2["batch"]["inputs"][2]["override_rule"], "not_in_bom");
    assert!(made2["batch"]["inputs"][2]["component"].is_null());
    assert!(close(num(&made2["batch"]["variance"][0]["variance"]), 0.0));
    assert!(close(num(&made2["batch"]["yield"]["yield_percent"]), 100.0));
    assert!(close(on_hand(&server, "SUGAR", "G-A").await, 9.8));

    // A held lot consumed on an override (quality concession); the hold stays.
    let mut run3 = produce(
        "S-003",
        "2",
        vec![
            line("LETTUCE", "L-A", "1.2"),
            line("CARROT", "C-HOLD", "0.6"),
        ],
    );
    run3["overrides"] = json!([{ "input": 1, "reason": "QA released for use after sorting" }]);
    let (status, made3) = server.post("/api/v1/ops/produce", &run3).await;
    assert_eq!(status, 201, "{made3}");
    assert_eq!(made3["batch"]["inputs"][1]["override_rule"], "lot_on_hold");

    // No inputs given: FEFO proposes them (the held lot is passed over).
    let (status, proposal) = server
        .get("/api/v1/orders/PO-1/proposal", &[("quantity", "2")])
        .await;
    assert_eq!(status, 200, "{proposal}");
    assert_eq!(proposal["lines"].as_array().unwrap().len(), 2, "{proposal}");
    assert_eq!(proposal["lines"][1]["lot"], "C-A");
    assert!(close(num(&proposal["lines"][1]["quantity"]), 0.6));
    let (status, made4) = server
        .post(
            "/api/v1/ops/produce",
            &json!({ "order": "PO-1", "product": "SALAD", "lot": "S-004", "quantity": 2, "location": "L3" }),
        )
        .await;
    assert_eq!(status, 201, "{made4}");
    assert_eq!(made4["batch"]["inputs"][0]["lot"], "L-A");
    assert_eq!(made4["batch"]["inputs"][1]["lot"], "C-A");
    assert!(close(num(&made4["batch"]["yield"]["yield_percent"]), 100.0));

    // The order: 10 + 5 + 2 + 2 = 19 produced, in progress.
    let (status, view) = server.get("/api/v1/orders/PO-1", &[]).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["effective_status"], "in_progress");
    assert!(close(num(&view["produced"]), 19.0));
    assert_eq!(view["productions"].as_array().unwrap().len(), 4);

    // A QC result on the first lot, then its batch record.
    let (status, answer) = server
        .post(
            "/api/v1/ops/inspect",
            &json!({ "product": "SALAD", "lot": "S-001", "result": "pass",
                "measurements": [{ "name": "temperature", "value": 3.5, "uom": "CEL" }] }),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    let (status, record) = server
        .get(
            "/api/v1/batch-record",
            &[("product", "SALAD"), ("lot", "S-001")],
        )
        .await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["order"]["id"], "PO-1");
    assert_eq!(
        record["bom"]["version"], 1,
        "made with v1 although v2 exists"
    );
    let run = &record["runs"][0];
    assert_eq!(run["event_id"], run1_event);
    assert_eq!(run["equipment"], "Mixer M1");
    assert_eq!(run["operator"], "api");
    assert_eq!(run["line"], "L3");
    assert_eq!(run["location"], "L3");
    let start: jiff::Timestamp = run["start"].as_str().unwrap().parse().unwrap();
    let end: jiff::Timestamp = run["end"].as_str().unwrap().parse().unwrap();
    assert_eq!(start.as_second(), started.as_second());
    assert!(end > start);
    let inputs = run["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 3);
    assert_eq!(inputs[0]["supplier_lot"], "FARM-778");
    assert_eq!(inputs[1]["role"], "substitute");
    let ids = inputs[0]["event_ids"].as_array().unwrap();
    assert_eq!(ids[0], run1_event.as_str());
    assert!(
        ids.len() >= 3,
        "the run, the staging move and the receipt: {ids:?}"
    );
    assert!(
        close(num(&run["figures"]["variance"][0]["consumed"]), 6.2),
        "the same figures rebuilt from the log"
    );
    assert!(close(num(&run["figures"]["yield"]["yield_percent"]), 98.04));
    assert_eq!(record["qc"][0]["result"], "pass");
    assert_eq!(
        record["qc"][0]["inspection"]["measurements"][0]["name"],
        "temperature"
    );
    let deviations = record["deviations"].as_array().unwrap();
    assert_eq!(deviations.len(), 1, "{deviations:?}");
    assert_eq!(deviations[0]["kind"], "variance");
    assert!(
        deviations[0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("LETTUCE")
    );
    let (_, record2) = server
        .get(
            "/api/v1/batch-record",
            &[("product", "SALAD"), ("lot", "S-002")],
        )
        .await;
    assert_eq!(record2["deviations"][0]["kind"], "override");
    assert_eq!(
        record2["deviations"][0]["reason"],
        "QA approved a sweetener trial"
    );
    assert_eq!(
        record2["runs"][0]["inputs"][2]["override_reason"],
        "QA approved a sweetener trial"
    );
    let (status, p) = server
        .get(
            "/api/v1/batch-record",
            &[("product", "LETTUCE"), ("lot", "L-A")],
        )
        .await;
    assert_eq!(status, 409, "a received lot has no batch record: {p}");

    // The PDF, read back.
    let response = server
        .client
        .get(server.url("/api/v1/batch-record?product=SALAD&lot=S-001&format=pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let pdf = response.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(text) = pdf_text(&pdf) {
        for needle in [
            "Batch record SALAD S-001",
            "PO-1",
            "BOM SALAD-STD v1",
            "FARM-778",
            "Mixer M1",
            "substitute for LETTUCE",
            "Consumed vs expected",
            "QC results",
        ] {
            assert!(
                text.contains(needle),
                "{needle:?} not in the PDF text:\n{text}"
            );
        }
    }

    // Where-used: a substitute only in v1; a component in both versions; a supplier lot.
    let (status, w) = server
        .get("/api/v1/where-used", &[("product", "ICEBERG")])
        .await;
    assert_eq!(status, 200, "{w}");
    assert_eq!(w["boms"].as_array().unwrap().len(), 1, "{w}");
    assert_eq!(w["boms"][0]["role"], "substitute");
    assert_eq!(w["boms"][0]["component"], "LETTUCE");
    assert_eq!(w["productions"].as_array().unwrap().len(), 1);
    assert_eq!(w["productions"][0]["order"], "PO-1");
    assert_eq!(w["productions"][0]["bom_version"], 1);
    let (_, w) = server
        .get("/api/v1/where-used", &[("product", "CARROT")])
        .await;
    let versions: Vec<u64> = w["boms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, [1, 2]);
    assert_eq!(w["productions"].as_array().unwrap().len(), 4, "{w}");
    let (_, w) = server
        .get("/api/v1/where-used", &[("supplier_lot", "FARM-778")])
        .await;
    assert_eq!(w["productions"].as_array().unwrap().len(), 4, "{w}");
    assert!(
        w["productions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["supplier_lot"] == "FARM-778")
    );
    assert_eq!(
        w["boms"].as_array().unwrap().len(),
        2,
        "LETTUCE is in v1 and v2: {w}"
    );
    let (status, _) = server.get("/api/v1/where-used", &[]).await;
    assert_eq!(status, 400);

    // The UI pages.
    for (path, needle) in [
        ("/production", "SALAD-STD"),
        ("/production/orders/PO-1", "S-004"),
        ("/batch-record?lot=SALAD:S-001", "substitute for LETTUCE"),
        ("/where-used?product=ICEBERG", "substitute for LETTUCE"),
    ] {
        let response = server.client.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let html = response.text().await.unwrap();
        assert!(html.contains(needle), "{needle:?} not on {path}");
    }

    // Closed: no more runs against it.
    let (status, closed) = server
        .post("/api/v1/orders/PO-1/status", &json!({ "status": "closed" }))
        .await;
    assert_eq!(status, 200, "{closed}");
    let (status, p) = server
        .post(
            "/api/v1/orders/PO-1/status",
            &json!({ "status": "released" }),
        )
        .await;
    assert_eq!(status, 409, "{p}");
    let (status, p) = server.post("/api/v1/ops/produce", &run2).await;
    assert_eq!(status, 409, "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("order PO-1 is closed"),
        "{p}"
    );
    server.stop().await;
}

/// The text of a PDF by Debian's pdftotext; None (with a note) where poppler is missing and
/// CI is not set.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    match std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(out) => {
            assert!(out.status.success(), "pdftotext failed");
            Some(String::from_utf8_lossy(&out.stdout).into_owned())
        }
        Err(_) if std::env::var_os("CI").is_none() => {
            eprintln!("skipping the PDF text check: pdftotext (poppler-utils) is not installed");
            None
        }
        Err(e) => panic!("pdftotext is needed in CI: {e}"),
    }
}

/// An override of a BOM check needs the quality role: an operator (by session or by a
/// capture token) is refused and nothing is written; a quality user's override runs.
#[tokio::test]
async fn an_override_needs_the_quality_role() {
    const PASSWORD: &str = "correct horse battery";
    let server = TestServer::start().await;
    server.bom_stock().await;
    let (status, bom) = server.post("/api/v1/boms", &bom_v1()).await;
    assert_eq!(status, 201, "{bom}");
    let (status, order) = server
        .post(
            "/api/v1/orders",
            &json!({ "id": "PO-9", "product": "SALAD", "bom": "SALAD-STD", "quantity": 5,
                "location": "L3", "line": "L3" }),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    for (name, role) in [("olga", "operator"), ("quinn", "quality")] {
        lotrace_server::auth::add_user(&server.store, name, role, PASSWORD)
            .await
            .unwrap();
    }
    let (_, capture_token) =
        lotrace_server::auth::create_token(&server.store, "mes", "capture", None, "test")
            .await
            .unwrap();
    // A server without users asks again at most once a second.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let (_, operator) = server.login("olga", PASSWORD).await;
    let (_, quality) = server.login("quinn", PASSWORD).await;

    let run = json!({ "order": "PO-9", "product": "SALAD", "lot": "S-900", "quantity": "1",
        "location": "L3",
        "inputs": [line("LETTUCE", "L-A", "0.6"), line("CARROT", "C-HOLD", "0.3")],
        "overrides": [{ "input": 1, "reason": "QA released for use after sorting" }] });
    let post = |auth: (&'static str, String)| {
        server
            .client
            .post(server.url("/api/v1/ops/produce"))
            .header(auth.0, auth.1)
            .header("origin", &server.base)
            .json(&run)
            .send()
    };
    let before = events_with(&server, &capture_token).await;
    for refused in [
        ("cookie", format!("lotrace_session={}", operator.unwrap())),
        ("authorization", format!("Bearer {capture_token}")),
    ] {
        let response = post(refused).await.unwrap();
        assert_eq!(response.status().as_u16(), 403);
        let problem: Value = response.json().await.unwrap();
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.starts_with("overrides:") && detail.contains("quality role"),
            "{problem}"
        );
    }
    assert_eq!(events_with(&server, &capture_token).await, before);

    // The same production without the override is the operator's to run... and refused by
    // the BOM check, because the carrots are on hold.
    let mut plain = run.clone();
    plain.as_object_mut().unwrap().remove("overrides");
    let response = server
        .client
        .post(server.url("/api/v1/ops/produce"))
        .bearer_auth(&capture_token)
        .json(&plain)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 409);

    let response = post(("cookie", format!("lotrace_session={}", quality.unwrap())))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let made: Value = response.json().await.unwrap();
    assert_eq!(made["batch"]["inputs"][1]["override_rule"], "lot_on_hold");
    assert!(events_with(&server, &capture_token).await > before);
    server.stop().await;
}

/// The event count, asked with a token (the server has users now).
async fn events_with(server: &TestServer, token: &str) -> u64 {
    let health: Value = server
        .client
        .get(server.url("/health"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    health["events"].as_u64().unwrap()
}
