//! The production forms over HTTP on a real server and SQLite file: a BOM version, a
//! production order, its status and a production against it, posted like a browser posts
//! a form (application/x-www-form-urlencoded); every change is checked through the API.

mod common;

use common::TestServer;
use serde_json::json;

/// The opening tag of the form control with this id (`f-NAME`), to check its attributes.
fn control<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"f-{name}\""))
        .unwrap_or_else(|| panic!("no field {name} in {html}"));
    let open = html[..start].rfind('<').unwrap();
    let end = start + html[start..].find('>').unwrap();
    &html[open..=end]
}

/// The text of a textarea with this name.
fn textarea<'a>(html: &'a str, name: &str) -> &'a str {
    let tag = control(html, name);
    let at = html.find(tag).unwrap() + tag.len();
    &html[at..at + html[at..].find("</textarea>").unwrap()]
}

const COMPONENTS: &str = "LETTUCE 0.6 KGM scrap=2% sub=ICEBERG:0.75\nCARROT 0.3 scrap=2";

#[tokio::test]
async fn a_bom_version_is_added_refused_and_versioned_through_its_form() {
    let server = TestServer::start().await;
    server.bom_stock().await;
    let (status, html) = server.page("/production").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"href="/production/boms/new""#),
        "the Production page links to the form: {html}"
    );
    let (status, html) = server.page("/production/boms/new").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("PRODUCT QUANTITY_PER_UNIT"),
        "the syntax is under the field"
    );

    // A component that is not a product: refused naming the component and its line, the
    // textarea marked, everything typed kept, nothing stored.
    let bad = [
        ("code", "SALAD-STD"),
        ("product", "SALAD"),
        ("description", "Salad mix, standard"),
        (
            "components",
            "LETTUCE 0.6 KGM scrap=2% sub=ICEBERG:0.75\n\nNOPE 0.3",
        ),
        ("min_yield_percent", "95"),
        ("previous_version", ""),
    ];
    let (status, _, html) = server.post_form("/production/boms", &bad).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("components[1].product"), "{html}");
    assert!(html.contains("(components, line 3)"), "{html}");
    assert!(
        control(&html, "components").contains(r#"aria-invalid="true""#),
        "{html}"
    );
    assert_eq!(
        textarea(&html, "components"),
        "LETTUCE 0.6 KGM scrap=2% sub=ICEBERG:0.75\n\nNOPE 0.3"
    );
    assert!(control(&html, "description").contains(r#"value="Salad mix, standard""#));
    let (status, _) = server.get("/api/v1/boms/SALAD-STD", &[]).await;
    assert_eq!(status, 404, "nothing was stored");

    // A line the syntax does not allow: refused before the API, naming the line.
    let mut wrong = bad;
    wrong[3] = ("components", "LETTUCE 0.6\nCARROT");
    let (status, _, html) = server.post_form("/production/boms", &wrong).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("components[1]: line 2: a quantity per unit is expected"),
        "{html}"
    );

    // The API's own rule for a number, with the API's message.
    let mut wrong = bad;
    wrong[3] = ("components", COMPONENTS);
    wrong[4] = ("min_yield_percent", "120");
    let (status, _, html) = server.post_form("/production/boms", &wrong).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("min_yield_percent: a percentage from 0 to 100"),
        "{html}"
    );
    assert!(control(&html, "min_yield_percent").contains(r#"aria-invalid="true""#));

    let mut good = bad;
    good[3] = ("components", COMPONENTS);
    let (status, location, _) = server.post_form("/production/boms", &good).await;
    assert_eq!(status, 303);
    assert!(
        location.starts_with("/production/boms/SALAD-STD?ok="),
        "{location}"
    );
    let (status, bom) = server.get("/api/v1/boms/SALAD-STD", &[]).await;
    assert_eq!(status, 200, "{bom}");
    let v1 = &bom["latest"];
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["description"], "Salad mix, standard");
    assert_eq!(v1["components"][0]["product"], "LETTUCE");
    assert_eq!(v1["components"][0]["substitutes"][0]["product"], "ICEBERG");
    assert_eq!(
        v1["components"][0]["substitutes"][0]["quantity_per_unit"]
            .to_string()
            .trim_matches('"'),
        "0.75"
    );
    assert_eq!(
        v1["components"][1]["uom"], "KGM",
        "the unit the API fills in"
    );
    assert_eq!(v1["components"][1]["lot_tracked"], true);
    let (status, html) = server.page(&location).await;
    assert_eq!(status, 200);
    assert!(html.contains("BOM SALAD-STD v1 added"), "the flash: {html}");
    assert!(html.contains("Version 1 (latest)"), "{html}");
    assert!(html.contains("ICEBERG (0.75)"), "{html}");

    // The same code again without previous_version: the API's rule, the field marked.
    let (status, _, html) = server.post_form("/production/boms", &good).await;
    assert_eq!(status, 422);
    assert!(html.contains("give previous_version 1"), "{html}");
    assert!(html.contains("version 1 is filled in below"), "{html}");
    let field = control(&html, "previous_version");
    assert!(
        field.contains(r#"aria-invalid="true""#) && field.contains(r#"value="1""#),
        "marked, and filled in for the next post: {field}"
    );
    let (_, bom) = server.get("/api/v1/boms/SALAD-STD", &[]).await;
    assert_eq!(
        bom["versions"].as_array().unwrap().len(),
        1,
        "nothing added unasked"
    );

    // The form started from the BOM's page has the latest version filled in.
    let (status, html) = server.page("/production/boms/new?code=SALAD-STD").await;
    assert_eq!(status, 200);
    assert!(
        control(&html, "previous_version").contains(r#"value="1""#),
        "{html}"
    );
    let prefilled = textarea(&html, "components").to_owned();
    assert_eq!(
        prefilled,
        "LETTUCE 0.6 KGM scrap=2% sub=ICEBERG:0.75\nCARROT 0.3 KGM scrap=2%"
    );
    let v2 = prefilled.replace("CARROT 0.3", "CARROT 0.4");
    let mut next = good;
    next[3] = ("components", v2.as_str());
    next[5] = ("previous_version", "1");
    let (status, location, _) = server.post_form("/production/boms", &next).await;
    assert_eq!(status, 303, "{location}");
    let (_, bom) = server.get("/api/v1/boms/SALAD-STD", &[]).await;
    assert_eq!(bom["versions"].as_array().unwrap().len(), 2);
    assert_eq!(bom["latest"]["version"], 2);
    assert_eq!(
        bom["versions"][0]["components"][1]["quantity_per_unit"]
            .to_string()
            .trim_matches('"'),
        "0.3",
        "version 1 is unchanged"
    );
    let (_, html) = server.page("/production/boms/SALAD-STD").await;
    assert!(
        html.contains("Version 2 (latest)") && html.contains("Version 1:"),
        "{html}"
    );
    let (status, _) = server.page("/production/boms/NOPE").await;
    assert_eq!(status, 404);
    server.stop().await;
}

#[tokio::test]
async fn an_order_is_created_released_produced_against_and_closed_through_the_forms() {
    let server = TestServer::start().await;
    server.bom_stock().await;
    let (status, _, html) = server
        .post_form(
            "/production/boms",
            &[
                ("code", "SALAD-STD"),
                ("product", "SALAD"),
                ("components", COMPONENTS),
            ],
        )
        .await;
    assert_eq!(status, 303, "{html}");

    // The form started from the BOM has the BOM and its product filled in.
    let (status, html) = server.page("/production/orders/new?bom=SALAD-STD").await;
    assert_eq!(status, 200);
    assert!(control(&html, "bom").contains(r#"value="SALAD-STD""#));
    assert!(control(&html, "product").contains(r#"value="SALAD""#));

    let order = [
        ("id", "PO-7"),
        ("product", "SALAD"),
        ("bom", "NOPE"),
        ("bom_version", ""),
        ("quantity", "10"),
        ("location", "L3"),
        ("line", "L3"),
        ("planned_start", "2026-12-02T06:00"),
        ("planned_end", "2026-12-02T14:00"),
        ("note", ""),
    ];
    let (status, _, html) = server.post_form("/production/orders", &order).await;
    assert_eq!(status, 422);
    assert!(html.contains("bom: no BOM NOPE"), "{html}");
    let bom = control(&html, "bom");
    assert!(
        bom.contains(r#"aria-invalid="true""#) && bom.contains(r#"value="NOPE""#),
        "{bom}"
    );
    assert!(control(&html, "planned_start").contains(r#"value="2026-12-02T06:00""#));
    let mut wrong = order;
    wrong[2] = ("bom", "SALAD-STD");
    wrong[8] = ("planned_end", "2026-12-01T14:00");
    let (status, _, html) = server.post_form("/production/orders", &wrong).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("planned_end: is before planned_start"),
        "{html}"
    );
    assert!(control(&html, "planned_end").contains(r#"aria-invalid="true""#));
    wrong[8] = ("planned_end", "at two");
    let (status, _, html) = server.post_form("/production/orders", &wrong).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("planned_end: &#34;at two&#34; is not a date")
            || html.contains("planned_end: &quot;at two&quot; is not a date"),
        "{html}"
    );
    let (status, orders) = server.get("/api/v1/orders", &[]).await;
    assert_eq!((status, orders), (200, json!([])), "nothing was stored");

    let mut good = order;
    good[2] = ("bom", "SALAD-STD");
    let (status, location, _) = server.post_form("/production/orders", &good).await;
    assert_eq!(status, 303);
    assert!(
        location.starts_with("/production/orders/PO-7?ok="),
        "{location}"
    );
    let (_, stored) = server.get("/api/v1/orders/PO-7", &[]).await;
    assert_eq!(stored["status"], "planned");
    assert_eq!(stored["bom_version"], 1);
    assert_eq!(stored["line"], "L3");
    assert_eq!(
        stored["planned_start"], "2026-12-02T06:00:00Z",
        "site time (offset 0)"
    );
    let (status, _, html) = server.post_form("/production/orders", &good).await;
    assert_eq!(status, 422, "the same order number again");
    assert!(
        control(&html, "id").contains(r#"aria-invalid="true""#),
        "{html}"
    );

    // The order page: its transitions as buttons.
    let (status, html) = server.page(&location).await;
    assert_eq!(status, 200);
    assert!(html.contains("Order PO-7 created"), "{html}");
    for value in ["released", "closed", "cancelled"] {
        assert!(
            html.contains(&format!(r#"name="status" value="{value}""#)),
            "{value}: {html}"
        );
    }
    let (status, back, _) = server
        .post_form("/production/orders/PO-7/status", &[("status", "released")])
        .await;
    assert_eq!(status, 303);
    assert!(back.starts_with("/production/orders/PO-7?ok="), "{back}");
    let (_, stored) = server.get("/api/v1/orders/PO-7", &[]).await;
    assert_eq!(stored["status"], "released");
    let (_, html) = server.page(&back).await;
    assert!(html.contains("Order PO-7 released"), "{html}");
    assert!(
        !html.contains(r#"value="released""#),
        "released once: {html}"
    );
    assert!(html.contains(r#"href="/production/orders/PO-7/produce""#));

    // The produce form: the quantity left and the FEFO lots for it.
    let (status, html) = server.page("/production/orders/PO-7/produce").await;
    assert_eq!(status, 200, "{html}");
    assert!(
        control(&html, "quantity").contains(r#"value="10""#),
        "{html}"
    );
    assert_eq!(
        textarea(&html, "inputs"),
        "LETTUCE:L-A:6@COLD\nCARROT:C-A:3@COLD"
    );
    // A product outside the BOM: refused naming the line, kept; on an override, made.
    let inputs = "LETTUCE:L-A:6@COLD\nCARROT:C-A:3@COLD\nSUGAR:G-A:0.1@COLD";
    let run = [
        ("quantity", "10"),
        ("lot", "S-001"),
        ("inputs", inputs),
        ("equipment", "MIXER-1"),
        ("started", ""),
        ("overrides", ""),
    ];
    let events_before = server.store.event_count().await.unwrap();
    let (status, _, html) = server
        .post_form("/production/orders/PO-7/produce", &run)
        .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("inputs[2]: SUGAR is neither a component nor a substitute"),
        "{html}"
    );
    assert!(control(&html, "inputs").contains(r#"aria-invalid="true""#));
    assert_eq!(textarea(&html, "inputs"), inputs);
    let mut bad_override = run;
    bad_override[5] = ("overrides", "third line please");
    let (status, _, html) = server
        .post_form("/production/orders/PO-7/produce", &bad_override)
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("overrides[0]: "), "{html}");
    assert!(control(&html, "overrides").contains(r#"aria-invalid="true""#));
    assert_eq!(server.store.event_count().await.unwrap(), events_before);
    let mut with_override = run;
    with_override[5] = ("overrides", "2 QA trial: sweetened batch");
    let (status, location, html) = server
        .post_form("/production/orders/PO-7/produce", &with_override)
        .await;
    assert_eq!(status, 303, "{html}");
    assert!(location.starts_with("/batch-record?lot="), "{location}");
    let (status, html) = server.page(&location).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Produced SALAD S-001 against order PO-7"),
        "{html}"
    );
    assert!(html.contains("BOM SALAD-STD v1"), "{html}");
    assert!(html.contains("QA trial: sweetened batch"), "{html}");
    assert!(html.contains("MIXER-1"), "{html}");
    let (status, record) = server
        .get(
            "/api/v1/batch-record",
            &[("product", "SALAD"), ("lot", "S-001")],
        )
        .await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["order"]["id"], "PO-7");
    let (_, stored) = server.get("/api/v1/orders/PO-7", &[]).await;
    assert_eq!(stored["effective_status"], "in_progress");
    assert_eq!(stored["productions"].as_array().unwrap().len(), 1);

    // Closed: no more buttons and no produce link; a change the API refuses is a message.
    let (status, back, _) = server
        .post_form("/production/orders/PO-7/status", &[("status", "closed")])
        .await;
    assert_eq!(status, 303);
    let (_, stored) = server.get("/api/v1/orders/PO-7", &[]).await;
    assert_eq!(stored["status"], "closed");
    let (_, html) = server.page(&back).await;
    assert!(!html.contains(r#"name="status""#), "{html}");
    assert!(!html.contains("/produce"), "{html}");
    assert!(html.contains("S-001"), "the lot made is listed: {html}");
    let (status, back, _) = server
        .post_form("/production/orders/PO-7/status", &[("status", "released")])
        .await;
    assert_eq!(status, 303);
    assert!(back.contains("error="), "{back}");
    let (_, html) = server.page(&back).await;
    assert!(
        html.contains("an order that is closed cannot become released"),
        "{html}"
    );
    server.stop().await;
}

/// POSTs a form with a session cookie (and this site's Origin, as a browser sends it).
async fn post_as(
    server: &TestServer,
    cookie: &str,
    path: &str,
    pairs: &[(&str, &str)],
) -> (u16, String) {
    let encode = |t: &str| {
        percent_encoding::utf8_percent_encode(t, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let body = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(server.url(path))
        .header("cookie", format!("lotrace_session={cookie}"))
        .header("origin", &server.base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn the_forms_ask_the_roles_the_api_asks() {
    let server = TestServer::start().await;
    server.bom_stock().await;
    lotrace_server::auth::add_user(&server.store, "olga", "operator", "correct horse battery")
        .await
        .unwrap();
    // A server without users asks again at most once a second.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let (status, cookie) = server.login("olga", "correct horse battery").await;
    assert_eq!(status, 303);
    let cookie = cookie.expect("a session cookie");
    let bom = [
        ("code", "SALAD-STD"),
        ("product", "SALAD"),
        ("components", COMPONENTS),
    ];

    // BOMs are master data: admin, as POST /api/v1/boms.
    let (status, _) = post_as(&server, &cookie, "/production/boms", &bom).await;
    assert_eq!(status, 403);
    assert!(
        server.app.bom("SALAD-STD", None).await.is_err(),
        "nothing was stored"
    );
    lotrace_app::App::create_bom(
        &server.app,
        json!({ "code": "SALAD-STD", "product": "SALAD", "components": [
            { "product": "LETTUCE", "quantity_per_unit": 0.6 },
            { "product": "CARROT", "quantity_per_unit": 0.3 } ] }),
        "admin",
    )
    .await
    .unwrap();

    // Orders and productions: an operator's, but an override needs the quality role.
    let (status, html) = post_as(
        &server,
        &cookie,
        "/production/orders",
        &[
            ("id", "PO-8"),
            ("product", "SALAD"),
            ("bom", "SALAD-STD"),
            ("quantity", "10"),
            ("location", "L3"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{html}");
    let run = [
        ("quantity", "10"),
        ("lot", "S-002"),
        (
            "inputs",
            "LETTUCE:L-A:6@COLD\nCARROT:C-A:3@COLD\nSUGAR:G-A:0.1@COLD",
        ),
        ("overrides", "2 QA trial"),
    ];
    let (status, html) = post_as(&server, &cookie, "/production/orders/PO-8/produce", &run).await;
    assert_eq!(status, 422);
    assert!(html.contains("needs the quality role"), "{html}");
    assert!(control(&html, "overrides").contains(r#"aria-invalid="true""#));
    let order = server.app.order("PO-8").await.unwrap();
    assert!(order.productions.is_empty(), "nothing was made");
    server.stop().await;
}
