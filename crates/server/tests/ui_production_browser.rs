//! The production forms in a real browser (Debian's chromium through chromium-driver)
//! against a real server and SQLite file: a BOM made on its form, an order for it,
//! released, a production against it from the order's produce form, and the batch record
//! of the lot made; every page also at 360 px without sideways scrolling. Screenshots go
//! to `target/tmp/ui-screenshots/production-*.png` (test artefacts, not committed).
//!
//! Skips with a message when chromedriver is not installed and CI is not set.

mod common;

use common::TestServer;
use common::browser::{Ui, browser, driver};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bom_an_order_and_a_production_against_it_in_the_browser() {
    let Some(driver) = driver().await else { return };
    let server = TestServer::start().await;
    server.bom_stock().await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    let ui = Ui::new(&c, &server.base, "production-");

    // The BOM, from the Production page's form; first with a line the syntax refuses.
    ui.go("/production").await;
    ui.link("New BOM version").await;
    assert_eq!(ui.path().await, "/production/boms/new");
    ui.fill("code", "SALAD-STD").await;
    ui.fill("product", "SALAD").await;
    ui.fill("description", "Salad mix, standard").await;
    ui.fill(
        "components",
        "LETTUCE 0.6 KGM scrap=2% sub=ICEBERG:0.75\nCARROT",
    )
    .await;
    ui.fill("min_yield_percent", "95").await;
    ui.press("Add BOM version").await;
    assert!(
        ui.flash()
            .await
            .contains("line 2: a quantity per unit is expected"),
        "{}",
        ui.flash().await
    );
    let marked = c
        .find(Locator::Css("textarea[name=components][aria-invalid=true]"))
        .await;
    assert!(marked.is_ok(), "the components field is marked");
    assert_eq!(ui.value("description").await, "Salad mix, standard");
    // The message is at the top; the marked field has the focus (and scrolled the page).
    c.execute("window.scrollTo(0, 0);", vec![]).await.unwrap();
    ui.shot("bom-refused").await;
    ui.fill(
        "components",
        "LETTUCE 0.6 KGM scrap=2% sub=ICEBERG:0.75\nCARROT 0.3 scrap=2",
    )
    .await;
    ui.press("Add BOM version").await;
    assert_eq!(ui.flash().await, "BOM SALAD-STD v1 added");
    assert!(ui.path().await.starts_with("/production/boms/SALAD-STD"));
    let text = ui.text().await;
    assert!(text.contains("ICEBERG (0.75)"), "{text}");
    ui.shot("bom").await;
    let (_, bom) = server.get("/api/v1/boms/SALAD-STD/versions/1", &[]).await;
    assert_eq!(bom["components"][1]["product"], "CARROT");

    // The order, from the BOM page: BOM and product filled in.
    ui.link("New order for this BOM").await;
    assert_eq!(ui.value("bom").await, "SALAD-STD");
    assert_eq!(ui.value("product").await, "SALAD");
    ui.fill("id", "WO-1").await;
    ui.fill("quantity", "10").await;
    ui.fill("location", "L3").await;
    ui.fill("line", "L3").await;
    ui.press("Create order").await;
    assert!(ui.flash().await.starts_with("Order WO-1 created"));
    ui.press("Release").await;
    assert_eq!(ui.flash().await, "Order WO-1 released");
    let (_, order) = server.get("/api/v1/orders/WO-1", &[]).await;
    assert_eq!(order["status"], "released");
    ui.shot("order").await;

    // The production against it: the FEFO lots are proposed, the lot number typed.
    ui.link("Produce against this order").await;
    assert_eq!(ui.value("quantity").await, "10");
    assert_eq!(
        ui.value("inputs").await,
        "LETTUCE:L-A:6@COLD\nCARROT:C-A:3@COLD"
    );
    ui.fill("lot", "S-001").await;
    ui.fill("equipment", "MIXER-1").await;
    ui.shot("produce").await;
    ui.press("Produce").await;
    assert!(
        ui.flash()
            .await
            .starts_with("Produced SALAD S-001 against order WO-1"),
        "{}",
        ui.flash().await
    );
    assert!(ui.path().await.starts_with("/batch-record?lot="));
    let text = ui.text().await;
    for wanted in [
        "WO-1",
        "BOM SALAD-STD v1",
        "FARM-778",
        "FARM-780",
        "MIXER-1",
    ] {
        assert!(text.contains(wanted), "{wanted}: {text}");
    }
    ui.shot("batch-record").await;
    c.execute(
        "document.evaluate('//h2[.=\"Inputs\"]', document, null, 9, null).singleNodeValue.scrollIntoView();",
        vec![],
    )
    .await
    .unwrap();
    ui.shot("batch-record-inputs").await;
    let record_path = ui.path().await;

    // Every page of the way fits a 360 px phone.
    c.set_window_size(360, 800).await.unwrap();
    for path in [
        "/production",
        "/production/boms/new",
        "/production/boms/SALAD-STD",
        "/production/orders/new",
        "/production/orders/WO-1",
        "/production/orders/WO-1/produce",
        &record_path,
    ] {
        ui.go(path).await;
        assert!(ui.fits().await, "{path} scrolls sideways at 360 px");
    }
    ui.shot("batch-record-360").await;
    ui.go("/production/boms/new").await;
    ui.shot("bom-form-360").await;

    c.close().await.unwrap();
    server.stop().await;
}
