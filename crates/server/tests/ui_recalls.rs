//! The recall and drill pages' forms over HTTP on a real server and SQLite file: every
//! scope (lot, supplier lot, container, production window in site time) and a customer
//! return recorded from the recall page, each checked through the API.

mod common;

use common::TestServer;
use serde_json::json;

const S1: &str = "https://id.gs1.org/01/04012345111118/10/S1";

/// Lettuce L1 received; salad S1 made on line 3 on June 2nd at 10:00 and S2 on June 3rd at
/// 10:00 (site time, UTC+02:00), both from L1; 5 of S1 shipped to the shop.
async fn chain() -> TestServer {
    let config = lotrace_app::AppConfig {
        offset: lotrace_epcis::TzOffset { minutes: 120 },
        ..Default::default()
    };
    let server = TestServer::start_with(lotrace_server::Limits::default(), config).await;
    server.salad_master_data().await;
    for (name, body) in [
        (
            "receive",
            json!({ "product": "LETTUCE", "lot": "L1", "supplier": "FARM", "location": "COLD",
                    "quantity": 100, "time": "2026-06-01T06:00:00Z" }),
        ),
        (
            "produce",
            json!({ "product": "SALAD", "lot": "S1", "quantity": 20, "location": "L3", "time": "2026-06-02T08:00:00Z",
                    "inputs": [{ "product": "LETTUCE", "lot": "L1", "quantity": 25, "location": "COLD" }] }),
        ),
        (
            "produce",
            json!({ "product": "SALAD", "lot": "S2", "quantity": 20, "location": "L3", "time": "2026-06-03T08:00:00Z",
                    "inputs": [{ "product": "LETTUCE", "lot": "L1", "quantity": 25, "location": "COLD" }] }),
        ),
        (
            "ship",
            json!({ "customer": "SHOP", "location": "L3", "time": "2026-06-04T08:00:00Z",
                    "lots": [{ "product": "SALAD", "lot": "S1", "quantity": 5 }] }),
        ),
    ] {
        let (status, answer) = server.post(&format!("/api/v1/ops/{name}"), &body).await;
        assert_eq!(status, 201, "{name}: {answer}");
    }
    server
}

fn flash_of(location: &str) -> String {
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    let value = query.split_once('=').map(|(_, v)| v).unwrap_or("");
    percent_encoding::percent_decode_str(value)
        .decode_utf8()
        .unwrap()
        .into_owned()
}

#[tokio::test]
async fn a_recall_by_production_window_and_a_return_from_the_recall_page() {
    let server = chain().await;
    // Refused forms name the problem and open nothing.
    for (form, message) in [
        (
            vec![("reason", "x")],
            "give one of: a lot, a supplier lot code, a container, or a production window",
        ),
        (
            vec![
                ("lot", "SALAD:S1"),
                ("supplier_lot", "F-1"),
                ("reason", "x"),
            ],
            "give one of",
        ),
        (
            vec![
                ("location", "PLANT"),
                ("from", "June 2"),
                ("to", "2026-06-03T00:00"),
                ("reason", "x"),
            ],
            "from: \"June 2\" is not a date and time",
        ),
    ] {
        let (status, location, _) = server.post_form("/recalls", &form).await;
        assert_eq!(status, 303);
        assert!(location.starts_with("/recalls?error="), "{location}");
        assert!(flash_of(&location).contains(message), "{location}");
    }
    assert_eq!(server.get("/api/v1/recalls", &[]).await.1, json!([]));

    // June 2nd, site time, at the plant (line 3 is inside it): S1 only, not S2.
    let (status, location, _) = server
        .post_form(
            "/recalls",
            &[
                ("location", "PLANT"),
                ("from", "2026-06-02T00:00"),
                ("to", "2026-06-03T00:00"),
                ("product", "SALAD"),
                ("reason", "Metal fragments on line 3"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    assert!(location.starts_with("/recalls/R-00001?ok="), "{location}");
    let (_, view) = server.get("/api/v1/recalls/R-00001", &[]).await;
    assert_eq!(view["recall"]["origins"], json!([S1]), "{view}");
    assert_eq!(view["recall"]["scope"]["kind"], "production");
    assert_eq!(view["recall"]["scope"]["from"], "2026-06-01T22:00:00Z");
    let (status, html) = server.page("/recalls/R-00001").await;
    assert_eq!(status, 200);
    assert!(html.contains("Record a return"), "{html}");

    // A return: a malformed lot is refused; a good one is in the journal and the impact.
    let (_, location, _) = server
        .post_form(
            "/recalls/R-00001/returns",
            &[
                ("customer", "SHOP"),
                ("lot", "S1"),
                ("quantity", "2"),
                ("location", "COLD"),
            ],
        )
        .await;
    assert!(
        flash_of(&location).contains("lot: give it as PRODUCT:LOT"),
        "{location}"
    );
    let (_, location, _) = server
        .post_form(
            "/recalls/R-00001/returns",
            &[
                ("customer", "SHOP"),
                ("lot", "SALAD:S1"),
                ("quantity", "two"),
                ("location", "COLD"),
            ],
        )
        .await;
    assert!(location.contains("error="), "{location}");
    assert!(flash_of(&location).contains("quantity"), "{location}");
    let (_, location, _) = server
        .post_form(
            "/recalls/R-00001/returns",
            &[
                ("customer", "SHOP"),
                ("lot", "SALAD:S1"),
                ("quantity", "2"),
                ("location", "COLD"),
                ("rma", "RMA-9"),
            ],
        )
        .await;
    assert_eq!(
        flash_of(&location),
        "return of 2 SALAD:S1 from SHOP recorded"
    );
    let (_, view) = server.get("/api/v1/recalls/R-00001", &[]).await;
    assert_eq!(
        view["recall"]["returns"].as_array().unwrap().len(),
        1,
        "{view}"
    );
    assert_eq!(view["recall"]["returns"][0]["rma"], "RMA-9");
    assert_eq!(view["impact"]["lots"][0]["returned"][0]["quantity"], 2);
    let (_, html) = server.page("/recalls/R-00001").await;
    assert!(html.contains("return by"), "the journal shows it: {html}");
    server.stop().await;
}

#[tokio::test]
async fn drills_take_every_scope() {
    let server = chain().await;
    let sscc = {
        let (status, packed) = server
            .post(
                "/api/v1/ops/pack",
                &json!({ "location": "L3", "lots": [{ "product": "SALAD", "lot": "S2", "quantity": 4 }] }),
            )
            .await;
        assert_eq!(status, 201, "{packed}");
        packed["sscc"]
            .as_str()
            .expect("an SSCC was allocated")
            .to_owned()
    };
    for (form, lots) in [
        (vec![("lot", "LETTUCE:L1")], 3),
        (vec![("supplier_lot", "L1")], 3),
        (vec![("sscc", sscc.as_str())], 1),
        (
            vec![
                ("location", "L3"),
                ("from", "2026-06-03"),
                ("to", "2026-06-04"),
            ],
            1,
        ),
    ] {
        let (status, location, _) = server.post_form("/drills", &form).await;
        assert_eq!(status, 303);
        let message = flash_of(&location);
        assert!(location.starts_with("/drills?ok="), "{form:?}: {message}");
        assert!(
            message.contains(&format!(": {lots} lots,")),
            "{form:?}: {message}"
        );
    }
    let (_, drills) = server.get("/api/v1/drills", &[]).await;
    assert_eq!(drills.as_array().unwrap().len(), 4);
    let (_, html) = server.page("/drills").await;
    assert!(html.contains("D-00004"), "{html}");
    server.stop().await;
}
