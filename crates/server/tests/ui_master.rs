//! The master-data and event pages over HTTP on a real server and SQLite file: forms post
//! like a browser (application/x-www-form-urlencoded), answers are HTML, and every change
//! is checked through the API.

mod common;

use common::TestServer;
use serde_json::json;

#[tokio::test]
async fn a_product_is_added_refused_edited_and_deactivated_through_its_form() {
    let server = TestServer::start().await;
    let (status, html) = server.page("/products").await;
    assert_eq!(status, 200);
    assert!(html.contains("No product yet"), "{html}");

    // A GTIN with a wrong check digit: refused, the field named, nothing stored.
    let bad = [
        ("code", "KALE"),
        ("name", "Curly kale"),
        ("gtin", "04012345222228"),
        ("uom", "KGM"),
        ("lot_tracked", "true"),
        ("food_traceability_list", "true"),
        ("shelf_life_date", "expiry"),
        ("pick_rule", "FEFO"),
    ];
    let (status, _, html) = server.post_form("/products", &bad).await;
    assert_eq!(status, 422);
    assert!(html.contains("gtin"), "the message names the field: {html}");
    assert!(
        html.contains(r#"name="gtin" value="04012345222228" aria-invalid="true""#),
        "{html}"
    );
    assert!(
        html.contains(r#"value="Curly kale""#),
        "the typed values are kept"
    );
    let (status, _) = server.get("/api/v1/master/products/KALE", &[]).await;
    assert_eq!(status, 404, "nothing was stored");

    let mut good = bad.to_vec();
    good[2] = ("gtin", "04012345222227");
    good.push(("required_at_receipt", "supplier_lot"));
    good.push(("required_at_receipt", "harvest_date"));
    let (status, location, _) = server.post_form("/products", &good).await;
    assert_eq!(status, 303);
    assert!(location.starts_with("/products/KALE?ok="), "{location}");
    let (status, product) = server.get("/api/v1/master/products/KALE", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(product["gtin"], "04012345222227");
    assert_eq!(product["food_traceability_list"], true);
    assert_eq!(product["serialised"], false, "an unticked box is false");
    assert_eq!(
        product["required_at_receipt"],
        json!(["supplier_lot", "harvest_date"])
    );
    assert!(
        product.get("shelf_life_days").is_none(),
        "an empty field is left out"
    );

    // A second add of the same code is refused.
    let (status, _, html) = server.post_form("/products", &good).await;
    assert_eq!(status, 422);
    assert!(html.contains("KALE"), "{html}");

    // The edit page shows the stored values; a save changes what the form shows only.
    let (status, html) = server.page("/products/KALE").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"name="code" value="KALE" readonly"#),
        "{html}"
    );
    assert!(html.contains(r#"value="harvest_date" checked"#), "{html}");
    let mut edit: Vec<(&str, &str)> = good
        .iter()
        .copied()
        .filter(|(k, _)| *k != "required_at_receipt" && *k != "food_traceability_list")
        .collect();
    edit[1] = ("name", "Curly kale, washed");
    edit.push(("shelf_life_days", "9"));
    let (status, location, _) = server.post_form("/products/KALE", &edit).await;
    assert_eq!(status, 303, "{location}");
    let (_, product) = server.get("/api/v1/master/products/KALE", &[]).await;
    assert_eq!(product["name"], "Curly kale, washed");
    assert_eq!(product["shelf_life_days"], 9);
    assert_eq!(product["food_traceability_list"], false);
    let required = product.get("required_at_receipt");
    assert!(
        required.is_none() || required == Some(&json!([])),
        "no box ticked: nothing required ({required:?})"
    );

    // Not a number: refused naming the field, the record unchanged.
    let mut wrong = edit.clone();
    wrong.retain(|(k, _)| *k != "shelf_life_days");
    wrong.push(("shelf_life_days", "nine"));
    let (status, _, html) = server.post_form("/products/KALE", &wrong).await;
    assert_eq!(status, 422);
    assert!(html.contains("shelf_life_days"), "{html}");
    let (_, after) = server.get("/api/v1/master/products/KALE", &[]).await;
    assert_eq!(after, product, "a refused save changes nothing");

    // Deactivated: gone from the default list, listed under inactive.
    let (status, _, _) = server
        .post_form("/products/KALE/active", &[("active", "false")])
        .await;
    assert_eq!(status, 303);
    let (_, product) = server.get("/api/v1/master/products/KALE", &[]).await;
    assert_eq!(product["active"], false);
    let (_, html) = server.page("/products").await;
    assert!(!html.contains("/products/KALE"), "{html}");
    let (_, html) = server.page("/products?status=inactive").await;
    assert!(html.contains(r#"href="/products/KALE""#), "{html}");
    server.stop().await;
}

#[tokio::test]
async fn an_edit_keeps_the_fields_its_form_does_not_show() {
    let server = TestServer::start().await;
    server.salad_master_data().await;
    // A field the party form has no input for survives a save through the form.
    let (status, party) = server.get("/api/v1/master/parties/FARM", &[]).await;
    assert_eq!(status, 200);
    let form = [
        ("name", "Green Valley Farms"),
        ("roles", "supplier"),
        ("roles", "carrier"),
        ("gln", "0614141000012"),
    ];
    let (status, location, body) = server.post_form("/parties/FARM", &form).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location, "/parties/FARM?ok=Party%20FARM%20saved");
    let (_, saved) = server.get("/api/v1/master/parties/FARM", &[]).await;
    assert_eq!(saved["name"], "Green Valley Farms");
    assert_eq!(saved["roles"], json!(["supplier", "carrier"]));
    assert_eq!(saved["code"], party["code"]);
    // A role outside the list is refused, naming the field.
    let (status, _, html) = server
        .post_form("/parties/FARM", &[("name", "X"), ("roles", "landlord")])
        .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("roles") && html.contains("landlord"),
        "{html}"
    );
    // A location's parent is checked like the API checks it.
    let (status, _, html) = server
        .post_form(
            "/locations",
            &[
                ("code", "BIN9"),
                ("name", "Bin 9"),
                ("kind", "bin"),
                ("parent", "NOWHERE"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("parent"), "{html}");
    server.stop().await;
}

#[tokio::test]
async fn lists_search_and_page() {
    let server = TestServer::start().await;
    for n in 0..57 {
        let body = json!({ "code": format!("C{n:03}"), "name": format!("Customer {n}"), "roles": ["customer"] });
        let (status, answer) = server.post("/api/v1/master/parties", &body).await;
        assert_eq!(status, 201, "{answer}");
    }
    let (_, first) = server.page("/parties").await;
    assert!(first.contains("Page 1 of 2 · 57 party(s)"), "{first}");
    assert!(
        first.contains(r#"href="/parties/C049""#) && !first.contains(r#"href="/parties/C050""#)
    );
    let (_, second) = server.page("/parties?page=2").await;
    assert!(
        second.contains(r#"href="/parties/C050""#) && second.contains(r#"href="/parties/C056""#)
    );
    assert!(!second.contains(r#"href="/parties/C049""#));
    // A page past the end shows the last one.
    let (_, past) = server.page("/parties?page=99").await;
    assert!(past.contains("Page 2 of 2"));
    let (_, found) = server.page("/parties?q=customer%2012").await;
    assert!(
        found.contains(r#"href="/parties/C012""#) && found.contains("1 party(s)"),
        "{found}"
    );
    let (_, none) = server.page("/parties?q=zzz").await;
    assert!(none.contains("No party matches"), "{none}");
    server.stop().await;
}

#[tokio::test]
async fn the_event_list_filters_by_identifier_type_and_date_and_pages() {
    let server = TestServer::start().await;
    server.salad_master_data().await;
    for n in 0..55 {
        let receipt = json!({
            "product": "LETTUCE", "lot": format!("F{n:03}"), "quantity": "10", "location": "COLD",
            "supplier": "FARM", "time": format!("2026-06-{:02}T08:00:00Z", 1 + n % 28),
        });
        let (status, answer) = server.post("/api/v1/ops/receive", &receipt).await;
        assert_eq!(status, 201, "{answer}");
    }
    let (status, html) = server.page("/events").await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("<tr><td>").count(), 50, "one page of 50");
    assert!(html.contains("ObjectEvent ADD receiving"), "{html}");
    let next = html
        .split(r#"<a rel="next" href=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to the older events")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let (_, older) = server.page(&next).await;
    assert_eq!(older.matches("<tr><td>").count(), 5, "the 5 oldest");
    assert!(!older.contains(r#"rel="next""#));

    // One lot, named by its Digital Link on another domain.
    let (_, one) = server
        .page("/events?id=https%3A%2F%2Fexample.com%2F01%2F00614141123452%2F10%2FF007")
        .await;
    assert_eq!(one.matches("<tr><td>").count(), 1, "{one}");
    assert!(one.contains("LETTUCE F007"), "{one}");
    // A day: receipts on June 3rd are n = 2, 30.
    let (_, day) = server.page("/events?from=2026-06-03&to=2026-06-03").await;
    assert_eq!(day.matches("<tr><td>").count(), 2, "{day}");
    let (_, none) = server.page("/events?type=TransformationEvent").await;
    assert!(none.contains("No event matches"), "{none}");
    let (status, bad) = server.page("/events?from=June").await;
    assert_eq!(status, 422);
    assert!(
        bad.contains("from: &#34;June&#34; is not a date (YYYY-MM-DD)"),
        "{bad}"
    );
    server.stop().await;
}

#[tokio::test]
async fn the_lot_list_filters_searches_and_pages() {
    let server = TestServer::start().await;
    server.salad_master_data().await;
    for n in 0..57 {
        let body = json!({ "product": "LETTUCE", "lot": format!("L{n:03}"), "supplier": "FARM",
                           "location": "COLD", "quantity": 1 });
        let (status, answer) = server.post("/api/v1/ops/receive", &body).await;
        assert_eq!(status, 201, "{answer}");
    }
    let (status, answer) = server
        .post(
            "/api/v1/ops/hold",
            &json!({ "product": "LETTUCE", "lot": "L007", "reason": "lab" }),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    let link = |lot: &str| format!("/10/{lot}\">LETTUCE {lot}</a>");
    let (_, first) = server.page("/lots").await;
    assert!(first.contains("Page 1 of 2 · 57 lot(s)"), "{first}");
    assert!(first.contains(&link("L049")) && !first.contains(&link("L050")));
    assert!(first.contains(r#"rel="next" href="/lots?status=&amp;product=&amp;q=&amp;page=2""#));
    let (_, second) = server.page("/lots?page=2").await;
    assert!(second.contains(&link("L050")) && second.contains(&link("L056")));
    assert!(!second.contains(&link("L049")));
    let (_, found) = server.page("/lots?q=l01").await;
    assert!(found.contains("Page 1 of 1 · 10 lot(s)"), "{found}");
    assert!(found.contains(&link("L010")) && found.contains(&link("L019")));
    let (_, held) = server.page("/lots?status=on_hold&product=LETTUCE").await;
    assert!(
        held.contains("1 lot(s)") && held.contains(&link("L007")),
        "{held}"
    );
    let (_, none) = server.page("/lots?q=zzz").await;
    assert!(none.contains("No lot matches"), "{none}");
    let long = "x".repeat(101);
    let (_, refused) = server.page(&format!("/lots?q={long}")).await;
    assert!(
        refused.contains("q: a search has at most 100 characters"),
        "{refused}"
    );
    server.stop().await;
}
