//! The recall workflow over HTTP against a real server and SQLite file: start, impact, hold
//! all in one step, notify, record a return, export (CSV, XLSX, PDF), close; and drills.

mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use common::TestServer;
use serde_json::{Value, json};

const L1: &str = "https://id.gs1.org/01/00614141123452/10/L1";
const S1: &str = "https://id.gs1.org/01/04012345111118/10/S1";

async fn chain() -> TestServer {
    let server = TestServer::start().await;
    server.salad_master_data().await;
    for (name, body) in [
        (
            "receive",
            json!({ "product": "LETTUCE", "lot": "L1", "supplier": "FARM", "location": "COLD", "quantity": 100 }),
        ),
        (
            "produce",
            json!({ "product": "SALAD", "lot": "S1", "quantity": 20, "location": "L3",
                             "inputs": [{ "product": "LETTUCE", "lot": "L1", "quantity": 25, "location": "COLD" }] }),
        ),
        (
            "ship",
            json!({ "customer": "SHOP", "location": "L3", "invoice": "INV-7",
                          "lots": [{ "product": "SALAD", "lot": "S1", "quantity": 5 }] }),
        ),
    ] {
        let (status, answer) = server.post(&format!("/api/v1/ops/{name}"), &body).await;
        assert_eq!(status, 201, "{name}: {answer}");
    }
    server
}

async fn bytes(server: &TestServer, path: &str, query: &[(&str, &str)]) -> (u16, String, Vec<u8>) {
    let url = reqwest::Url::parse_with_params(&server.url(path), query).unwrap();
    let response = server.client.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let media = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, media, response.bytes().await.unwrap().to_vec())
}

fn field_of(problem: &Value) -> &str {
    problem["errors"][0]["field"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_recall_from_start_to_close() {
    let server = chain().await;
    let recall = json!({ "scope": { "kind": "lots", "lots": [{ "product": "LETTUCE", "lot": "L1" }] },
                         "reason": "Listeria found in lettuce lot L1" });

    // Bad requests name the field and open nothing.
    for (body, field) in [
        (
            json!({ "scope": { "kind": "lots", "lots": [] }, "reason": "x" }),
            "scope.lots",
        ),
        (
            json!({ "scope": { "kind": "lots", "lots": [format!("{L1}9")] }, "reason": "x" }),
            "scope.lots[0]",
        ),
        (
            json!({ "scope": { "kind": "lots", "lots": [L1] }, "reason": " " }),
            "reason",
        ),
        (
            json!({ "scope": { "kind": "lots", "lots": [L1] }, "reason": "x", "hold_disposition": "damaged" }),
            "hold_disposition",
        ),
        (
            json!({ "scope": { "kind": "batch" }, "reason": "x" }),
            "scope.kind",
        ),
    ] {
        let (status, problem) = server.post("/api/v1/recalls", &body).await;
        assert_eq!(status, 400, "{body}: {problem}");
        assert_eq!(field_of(&problem), field, "{problem}");
    }
    assert_eq!(server.get("/api/v1/recalls", &[]).await.1, json!([]));

    let (status, view) = server.post("/api/v1/recalls", &recall).await;
    assert_eq!(status, 201, "{view}");
    assert_eq!(view["recall"]["id"], "R-00001");
    assert_eq!(view["recall"]["status"], "open");
    assert_eq!(view["recall"]["origins"], json!([L1]));
    let lots: Vec<&str> = view["impact"]["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(lots, vec![L1, S1]);
    assert_eq!(view["impact"]["customers"][0]["code"], "SHOP");
    assert_eq!(view["impact"]["customers"][0]["lines"][0]["quantity"], 5);
    assert_eq!(view["impact"]["totals"][0]["on_hand"], 75 + 15);

    // Hold: L1 in the cold room and S1 on the line, in one capture.
    let events_before = server.store.event_count().await.unwrap();
    let (status, held) = server
        .post("/api/v1/recalls/R-00001/hold", &json!({}))
        .await;
    assert_eq!(status, 200, "{held}");
    assert_eq!(held["events"].as_array().unwrap().len(), 2, "{held}");
    let lines: Vec<(&str, i64)> = held["held"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["lot"].as_str().unwrap(), l["quantity"].as_i64().unwrap()))
        .collect();
    assert_eq!(lines, vec![(L1, 75), (S1, 15)]);
    assert_eq!(server.store.event_count().await.unwrap(), events_before + 2);
    for lot in [L1, S1] {
        let (_, state) = server.get("/api/v1/lot", &[("id", lot)]).await;
        assert_eq!(state["status"], "recalled", "{state}");
    }
    // Recalled stock cannot ship; holding again writes nothing.
    let (status, problem) = server
        .post("/api/v1/ops/ship", &json!({ "customer": "SHOP", "location": "L3",
                                           "lots": [{ "product": "SALAD", "lot": "S1", "quantity": 1 }] }))
        .await;
    assert_eq!(status, 409, "{problem}");
    let (_, again) = server
        .post("/api/v1/recalls/R-00001/hold", &json!({}))
        .await;
    assert_eq!(again["events"], json!([]));
    assert_eq!(server.store.event_count().await.unwrap(), events_before + 2);

    // Notify and record the customer's return.
    let (status, problem) = server
        .post(
            "/api/v1/recalls/R-00001/notifications",
            &json!({ "customer": "SHOP", "channel": "pigeon" }),
        )
        .await;
    assert_eq!((status, field_of(&problem)), (400, "channel"), "{problem}");
    let (status, note) = server
        .post(
            "/api/v1/recalls/R-00001/notifications",
            &json!({ "customer": "SHOP", "channel": "email", "contact": "qa@harbor.example" }),
        )
        .await;
    assert_eq!(status, 201, "{note}");
    let (status, problem) = server
        .post(
            "/api/v1/recalls/R-00001/returns",
            &json!({ "customer": "SHOP", "location": "COLD",
              "product": "SALAD", "lot": "S9", "quantity": 2 }),
        )
        .await;
    assert_eq!((status, field_of(&problem)), (400, "lot"), "{problem}");
    let (status, ret) = server
        .post(
            "/api/v1/recalls/R-00001/returns",
            &json!({ "customer": "SHOP", "location": "COLD",
              "product": "SALAD", "lot": "S1", "quantity": 2, "rma": "RMA-3" }),
        )
        .await;
    assert_eq!(status, 201, "{ret}");
    let (_, view) = server.get("/api/v1/recalls/R-00001", &[]).await;
    let s1 = &view["impact"]["lots"][1];
    assert_eq!(
        (s1["id"].as_str(), &s1["returned"][0]["quantity"]),
        (Some(S1), &json!(2))
    );
    assert_eq!(s1["balance"]["closes"], true);
    assert_eq!(view["recall"]["holds"].as_array().unwrap().len(), 1);
    assert_eq!(
        view["recall"]["notifications"][0]["contact"],
        "qa@harbor.example"
    );
    assert_eq!(view["recall"]["returns"][0]["rma"], "RMA-3");

    // Exports.
    let (status, media, csv) = bytes(
        &server,
        "/api/v1/recalls/R-00001/export",
        &[("format", "csv"), ("table", "customers")],
    )
    .await;
    assert_eq!((status, media.as_str()), (200, "text/csv; charset=utf-8"));
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let headers = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    let cell = |name: &str| {
        rows[0]
            .get(headers.iter().position(|h| h == name).unwrap())
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        (
            cell("Customer").as_str(),
            cell("Lot").as_str(),
            cell("Quantity").as_str()
        ),
        ("SHOP", "SALAD S1", "5")
    );
    assert!(cell("Orders and invoices").contains("INV-7"));

    let (status, _, xlsx) = bytes(
        &server,
        "/api/v1/recalls/R-00001/export",
        &[("format", "xlsx")],
    )
    .await;
    assert_eq!(status, 200);
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(xlsx)).unwrap();
    let sheet = book.worksheet_range("Affected lots").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let l1_row = sheet.rows().nth(1).unwrap();
    assert_eq!(l1_row[col("Lot")], Data::String("LETTUCE L1".into()));
    assert_eq!(l1_row[col("On hand")], Data::Float(75.0));
    assert_eq!(l1_row[col("Consumed")], Data::Float(25.0));
    assert_eq!(l1_row[col("Status")], Data::String("recalled".into()));

    let (status, media, pdf) = bytes(
        &server,
        "/api/v1/recalls/R-00001/export",
        &[("format", "pdf")],
    )
    .await;
    assert_eq!((status, media.as_str()), (200, "application/pdf"));
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(text) = pdf_text(&pdf) {
        assert!(text.contains("Recall R-00001"), "{text}");
        assert!(text.contains("Listeria found in lettuce lot L1"), "{text}");
        assert!(text.contains("Harbor Market"), "{text}");
    }
    let (status, problem) = server
        .get("/api/v1/recalls/R-00001/export", &[("format", "docx")])
        .await;
    assert_eq!((status, field_of(&problem)), (400, "format"), "{problem}");

    // Close: the summary keeps the figures; a closed recall takes no more actions.
    let (status, closed) = server
        .post(
            "/api/v1/recalls/R-00001/close",
            &json!({ "summary": "All stock held, SHOP returned 2 kg" }),
        )
        .await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["recall"]["status"], "closed");
    assert_eq!(
        closed["recall"]["closed"]["customers_not_notified"],
        json!([])
    );
    assert_eq!(closed["recall"]["closed"]["returns"], 1);
    let (status, problem) = server
        .post("/api/v1/recalls/R-00001/hold", &json!({}))
        .await;
    assert_eq!(status, 409, "{problem}");
    let (status, _) = server.get("/api/v1/recalls/R-00404", &[]).await;
    assert_eq!(status, 404);
    let (_, list) = server.get("/api/v1/recalls", &[]).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["status"], "closed");
    server.stop().await;
}

/// The text of a PDF by Debian's pdftotext; None (with a note) where poppler is missing and
/// CI is not set.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    match std::process::Command::new("pdftotext")
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

#[tokio::test]
async fn a_drill_holds_nothing_and_keeps_its_history() {
    let server = chain().await;
    let events = server.store.event_count().await.unwrap();
    let (status, problem) = server
        .post(
            "/api/v1/drills",
            &json!({ "scope": { "kind": "supplier_lot", "supplier_lot": "NOPE" } }),
        )
        .await;
    assert_eq!(
        (status, field_of(&problem)),
        (400, "scope.supplier_lot"),
        "{problem}"
    );
    let (status, drill) = server
        .post(
            "/api/v1/drills",
            &json!({ "scope": { "kind": "supplier_lot", "supplier_lot": "L1", "supplier": "FARM" },
                                         "note": "quarterly BRCGS test" }),
        )
        .await;
    assert_eq!(status, 201, "{drill}");
    assert_eq!(drill["id"], "D-00001");
    assert_eq!(
        (
            drill["origins"].as_u64(),
            drill["lots"].as_u64(),
            drill["customers"].as_u64()
        ),
        (Some(1), Some(2), Some(1))
    );
    assert_eq!(drill["accounted_share"], 1.0);
    assert!(drill["duration_ms"].as_f64().unwrap() > 0.0, "{drill}");
    assert_eq!(drill["run_by"], "api");
    assert_eq!(
        server.store.event_count().await.unwrap(),
        events,
        "a drill writes no events"
    );
    let (_, state) = server.get("/api/v1/lot", &[("id", L1)]).await;
    assert_eq!(state["status"], "released");

    let (_, second) = server
        .post(
            "/api/v1/drills",
            &json!({ "scope": { "kind": "lots", "lots": [S1] } }),
        )
        .await;
    assert_eq!(second["id"], "D-00002");
    let (_, history) = server.get("/api/v1/drills", &[]).await;
    let ids: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["D-00002", "D-00001"], "newest first");
    let (status, one) = server.get("/api/v1/drills/D-00001", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(one["note"], "quarterly BRCGS test");
    assert_eq!(server.get("/api/v1/drills/R-00001", &[]).await.0, 404);
    server.stop().await;
}
