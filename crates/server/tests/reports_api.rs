//! Lot history (PDF, XLSX) and inventory with expiry (XLSX, CSV) downloads over a real
//! HTTP server, read back.

mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use common::TestServer;
use serde_json::json;

async fn chain(server: &TestServer) {
    server.salad_master_data().await;
    for (name, body) in [
        (
            "receive",
            json!({ "product": "LETTUCE", "lot": "L1", "supplier": "FARM", "location": "COLD",
                    "quantity": 100, "expiry": "2099-01-01", "purchase_order": "PO-1" }),
        ),
        (
            "receive",
            json!({ "product": "LETTUCE", "lot": "L2", "supplier": "FARM", "location": "COLD",
                    "quantity": 40, "expiry": "2000-01-01" }),
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
}

async fn get(server: &TestServer, path: &str, query: &[(&str, &str)]) -> (u16, String, Vec<u8>) {
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

fn text(cell: Option<&Data>) -> String {
    cell.map(|c| c.to_string()).unwrap_or_default()
}

#[tokio::test]
async fn lot_history_as_xlsx_and_pdf() {
    let server = TestServer::start().await;
    chain(&server).await;
    let (status, media, bytes) = get(
        &server,
        "/api/v1/exports/lot-history",
        &[("lot", "LETTUCE:L1"), ("format", "xlsx")],
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(
        media,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec!["Summary", "Attributes", "Events", "Trace", "Mass balance"]
    );
    let events = book.worksheet_range("Events").unwrap();
    // Header, received 100, consumed 25 (staged to the line first: a move).
    let whats: Vec<String> = (1..events.height())
        .map(|r| text(events.get_value((r as u32, 1))))
        .collect();
    assert_eq!(whats, vec!["received", "moved", "consumed"], "{events:?}");
    assert_eq!(events.get_value((1, 2)), Some(&Data::Float(100.0)));
    assert_eq!(text(events.get_value((1, 4))), "COLD");
    assert_eq!(text(events.get_value((1, 8))), "po urn:lotrace:bt:po:PO-1");
    let trace = book.worksheet_range("Trace").unwrap();
    assert_eq!(text(trace.get_value((1, 0))), "went into");
    assert_eq!(text(trace.get_value((1, 1))), "SALAD");
    assert_eq!(text(trace.get_value((1, 2))), "S1");
    let balance = book.worksheet_range("Mass balance").unwrap();
    // KGM: received 100, on hand 75, consumed 25, difference 0.
    assert_eq!(text(balance.get_value((1, 0))), "KGM");
    assert_eq!(balance.get_value((1, 1)), Some(&Data::Float(100.0)));
    assert_eq!(balance.get_value((1, 5)), Some(&Data::Float(75.0)));
    assert_eq!(balance.get_value((1, 7)), Some(&Data::Float(25.0)));
    assert_eq!(balance.get_value((1, 9)), Some(&Data::Float(0.0)));
    let summary = book.worksheet_range("Summary").unwrap();
    let lines: Vec<String> = summary
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("=")
        })
        .collect();
    assert!(
        lines.contains(&"Mass balance=closes".to_owned()),
        "{lines:?}"
    );
    assert!(lines.contains(&"Status=released".to_owned()), "{lines:?}");

    let (status, media, bytes) = get(
        &server,
        "/api/v1/exports/lot-history",
        &[("lot", "LETTUCE:L1"), ("format", "pdf")],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(media, "application/pdf");
    assert!(bytes.starts_with(b"%PDF-"));

    for (query, field) in [
        (vec![("lot", "LETTUCE:NOPE"), ("format", "pdf")], "lot"),
        (vec![("lot", "LETTUCE:L1"), ("format", "csv")], "format"),
        (vec![("format", "pdf")], "lot"),
    ] {
        let (status, _, bytes) = get(&server, "/api/v1/exports/lot-history", &query).await;
        let problem: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(status, 400, "{query:?}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }

    // The exports page's form: the file itself, or the page again with the message, the
    // lot typed kept and the field marked (not the API's problem JSON).
    let (status, media, bytes) = get(
        &server,
        "/exports/lot-history",
        &[("lot", "LETTUCE:L1"), ("format", "xlsx")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(media.contains("spreadsheetml"), "{media}");
    assert!(bytes.starts_with(b"PK"));
    let (status, media, bytes) = get(
        &server,
        "/exports/lot-history",
        &[("lot", "LETTUCE:NOPE"), ("format", "xlsx")],
    )
    .await;
    let page = String::from_utf8(bytes).unwrap();
    assert_eq!(status, 400, "{page}");
    assert!(media.starts_with("text/html"), "{media}");
    assert!(page.contains(r#"class="flash error""#), "{page}");
    assert!(page.contains("NOPE"), "{page}");
    assert!(
        page.contains(
            r#"name="lot" value="LETTUCE:NOPE" required autocomplete="off" aria-invalid="true""#
        ),
        "{page}"
    );
    assert!(page.contains(r#"<option value="xlsx" selected>"#), "{page}");
    server.stop().await;
}

#[tokio::test]
async fn inventory_and_expiry_as_xlsx_and_csv() {
    let server = TestServer::start().await;
    chain(&server).await;
    let (status, _, bytes) = get(
        &server,
        "/api/v1/exports/inventory",
        &[("format", "xlsx"), ("expiring_within_days", "30")],
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), vec!["Summary", "Inventory", "Expiring"]);
    let stock = book.worksheet_range("Inventory").unwrap();
    // Sorted by expiry: L2 (expired), L1, then S1 without an expiry.
    let rows: Vec<(String, String, String, String)> = (1..stock.height())
        .map(|r| {
            let r = r as u32;
            (
                text(stock.get_value((r, 0))),
                text(stock.get_value((r, 2))),
                text(stock.get_value((r, 3))),
                text(stock.get_value((r, 6))),
            )
        })
        .collect();
    let row = |p: &str, l: &str, at: &str, s: &str| (p.into(), l.into(), at.into(), s.into());
    assert_eq!(
        rows,
        vec![
            row("LETTUCE", "L2", "COLD", "expired"),
            row("LETTUCE", "L1", "COLD", "released"),
            row("SALAD", "S1", "L3", "released"),
        ]
    );
    assert_eq!(stock.get_value((2, 4)), Some(&Data::Float(75.0)));
    assert_eq!(stock.get_value((3, 4)), Some(&Data::Float(15.0)));
    let expiring = book.worksheet_range("Expiring").unwrap();
    assert_eq!(
        expiring.height(),
        2,
        "only the expired lot is within 30 days"
    );
    assert_eq!(text(expiring.get_value((1, 2))), "L2");

    let (status, media, bytes) = get(
        &server,
        "/api/v1/exports/inventory",
        &[("format", "csv"), ("table", "expiring")],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(media, "text/csv; charset=utf-8");
    let csv = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[1].starts_with("LETTUCE,Romaine lettuce,L2,COLD,40,KGM,expired,2000-01-01,"),
        "{csv}"
    );

    for (query, field) in [
        (vec![("format", "pdf")], "format"),
        (vec![("format", "csv"), ("table", "nope")], "table"),
        (
            vec![("expiring_within_days", "99999")],
            "expiring_within_days",
        ),
        (
            vec![("expiring_within_days", "soon")],
            "expiring_within_days",
        ),
    ] {
        let (status, _, bytes) = get(&server, "/api/v1/exports/inventory", &query).await;
        let problem: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(status, 400, "{query:?}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    server.stop().await;
}
