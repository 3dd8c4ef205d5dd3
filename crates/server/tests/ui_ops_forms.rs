//! The operation forms' helpers over HTTP on a real server and SQLite file: FEFO
//! suggestions that fill a form's lot lines, lot numbers proposed from the product's
//! template, and the inspection form.

mod common;

use common::TestServer;
use serde_json::json;

/// Three lettuce lots in the cold room: L1 expires last, L2 first, L3 before both but is
/// on hold.
async fn stocked() -> TestServer {
    let server = TestServer::start().await;
    server.salad_master_data().await;
    for (lot, expiry) in [
        ("L1", "2027-03-20"),
        ("L2", "2027-03-10"),
        ("L3", "2027-03-05"),
    ] {
        let (status, answer) = server
            .post(
                "/api/v1/ops/receive",
                &json!({ "product": "LETTUCE", "lot": lot, "supplier": "FARM", "location": "COLD",
                         "quantity": 30, "expiry": expiry }),
            )
            .await;
        assert_eq!(status, 201, "{answer}");
    }
    let (status, answer) = server
        .post(
            "/api/v1/ops/hold",
            &json!({ "product": "LETTUCE", "lot": "L3", "reason": "lab test pending" }),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    server
}

/// The text of the form's textarea `name`.
fn textarea(html: &str, name: &str) -> String {
    let start = format!("<textarea name=\"{name}\"");
    let after = html.split(&start).nth(1).expect("the textarea");
    let body = after.split_once('>').unwrap().1;
    body.split("</textarea>").next().unwrap().to_owned()
}

#[tokio::test]
async fn fefo_suggestions_fill_the_lot_lines() {
    let server = stocked().await;
    let (status, html) = server
        .page("/ops/ship?pick_product=LETTUCE&pick_quantity=40&pick_location=COLD")
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        textarea(&html, "lots"),
        "LETTUCE:L2:30@COLD\nLETTUCE:L1:10@COLD",
        "first expiry first, the held lot skipped"
    );
    // The same on the production form's inputs.
    let (_, html) = server
        .page("/ops/produce?pick_product=LETTUCE&pick_quantity=5")
        .await;
    assert_eq!(textarea(&html, "inputs"), "LETTUCE:L2:5@COLD");
    // Not enough: what there is, and a message that says so.
    let (_, html) = server
        .page("/ops/move?pick_product=LETTUCE&pick_quantity=100")
        .await;
    assert_eq!(
        textarea(&html, "lots"),
        "LETTUCE:L2:30@COLD\nLETTUCE:L1:30@COLD"
    );
    assert!(html.contains("only 60 of 100 can be picked"), "{html}");
    let (_, html) = server
        .page("/ops/ship?pick_product=LETTUCE&pick_quantity=lots")
        .await;
    assert!(html.contains("pick_quantity:"), "{html}");
    assert_eq!(textarea(&html, "lots"), "");
    // The suggested lines ship as they are.
    let (status, location, body) = server
        .post_form(
            "/ops/ship",
            &[
                ("customer", "SHOP"),
                ("location", "COLD"),
                ("lots", "LETTUCE:L2:30@COLD\nLETTUCE:L1:10@COLD"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    assert!(location.contains("ok="), "{location}");
    let (_, l1) = server
        .get(
            "/api/v1/lot",
            &[("id", "https://id.gs1.org/01/00614141123452/10/L1")],
        )
        .await;
    assert_eq!(
        (
            &l1["on_hand"],
            &l1["shipped"],
            &l1["locations"][0]["location_code"]
        ),
        (&json!(20), &json!(10), &json!("COLD")),
        "{l1}"
    );
    server.stop().await;
}

#[tokio::test]
async fn an_inspection_is_recorded_from_its_form() {
    let server = stocked().await;
    let events_before = server.store.event_count().await.unwrap();
    let (status, _, html) = server
        .post_form(
            "/ops/inspect",
            &[
                ("product", "LETTUCE"),
                ("lot", "L1"),
                ("result", "pass"),
                ("measurements", "core temperature=3.5:CEL\nmoisture=wet"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("measurements[1]") && html.contains("is not a number"),
        "{html}"
    );
    assert_eq!(server.store.event_count().await.unwrap(), events_before);
    let (status, location, body) = server
        .post_form(
            "/ops/inspect",
            &[
                ("product", "LETTUCE"),
                ("lot", "L1"),
                ("result", "pass"),
                (
                    "measurements",
                    "core temperature=3.5:CEL\n\nmoisture=12.5:P1",
                ),
                ("certificate", "COA-2211"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    assert!(location.contains("ok=inspect"), "{location}");
    let stored = server
        .store
        .events_after(events_before as i64, 10)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    let event = serde_json::to_value(&stored[0].event).unwrap();
    assert_eq!(event["bizStep"], "inspecting", "{event}");
    let inspection = &event["lotrace:inspection"];
    assert_eq!(inspection["lotrace:result"], "pass", "{event}");
    assert_eq!(inspection["lotrace:certificate"], "COA-2211");
    assert_eq!(
        inspection["lotrace:measurements"],
        json!([
            { "lotrace:name": "core temperature", "lotrace:value": 3.5, "lotrace:uom": "CEL" },
            { "lotrace:name": "moisture", "lotrace:value": 12.5, "lotrace:uom": "P1" },
        ]),
        "the blank line is skipped"
    );
    server.stop().await;
}

#[tokio::test]
async fn lot_numbers_are_proposed_from_the_template_and_not_drawn() {
    let server = stocked().await;
    let (status, answer) = server
        .post(
            "/api/v1/master/products",
            &json!({ "code": "JUICE", "name": "Apple juice", "uom": "LTR",
                     "lot_template": "J{line}-{seq:03}" }),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    let proposal = |product: &'static str| {
        let server = &server;
        async move {
            server
                .get(
                    "/api/v1/lots/proposal",
                    &[("product", product), ("location", "L3")],
                )
                .await
        }
    };
    let (status, first) = proposal("JUICE").await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["lot"], "JL3-001");
    assert_eq!(
        proposal("JUICE").await.1["lot"],
        "JL3-001",
        "asking draws nothing"
    );
    let (status, none) = proposal("LETTUCE").await;
    assert_eq!(status, 200);
    assert!(none["lot"].is_null(), "no template, no proposal: {none}");
    let (status, problem) = proposal("NOPE").await;
    assert_eq!(status, 400, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().starts_with("product"),
        "{problem}"
    );

    // The form opened with product and location shows the proposal and uses the script
    // that keeps it current.
    let (status, html) = server.page("/ops/produce?product=JUICE&location=L3").await;
    assert_eq!(status, 200);
    assert!(html.contains("next from the template: JL3-001"), "{html}");
    assert!(
        html.contains("data-propose placeholder=\"JL3-001\""),
        "{html}"
    );
    assert!(html.contains("/assets/ops.js"));
    let (status, script) = server.page("/assets/ops.js").await;
    assert_eq!(status, 200);
    assert!(script.contains("/api/v1/lots/proposal"));

    // Left empty, the lot gets the proposed number; the next proposal is the one after.
    let (status, location, body) = server
        .post_form(
            "/ops/produce",
            &[
                ("product", "JUICE"),
                ("quantity", "40"),
                ("location", "L3"),
                ("lot", ""),
                ("inputs", ""),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    assert!(location.contains("JL3-001"), "{location}");
    assert_eq!(proposal("JUICE").await.1["lot"], "JL3-002");
    server.stop().await;
}
