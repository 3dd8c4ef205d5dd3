//! The web UI in a real browser: Debian's chromium driven through chromium-driver
//! (WebDriver) against a real server on a loopback port with a real SQLite file. A new user
//! receives a supplier lot, produces from it, packs and ships, scans the pallet label,
//! traces back and forth, starts a recall and puts stock on hold; and the error paths (a
//! bad scan, shipping a held lot). Screenshots of the main pages go to
//! `target/tmp/ui-screenshots/` (test artefacts, not committed).
//!
//! Skips with a message when chromedriver is not installed and CI is not set.

mod common;

use std::time::Duration;

use common::TestServer;
use common::browser::{Ui, browser, driver};
use fantoccini::Locator;
use serde_json::json;

/// Standard base64 (the PNG data URL the page makes).
fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("valid base64")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_user_from_receipt_to_recall_in_the_browser() {
    let Some(driver) = driver().await else { return };
    let server = TestServer::start().await;
    server.salad_master_data().await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    let ui = Ui::new(&c, &server.base, "");

    ui.go("/").await;
    assert!(ui.text().await.contains("No lot is on hold."));
    ui.shot("01-dashboard-empty").await;

    // Receive a supplier lot.
    ui.go("/ops/receive").await;
    for (name, value) in [
        ("product", "LETTUCE"),
        ("supplier", "FARM"),
        ("location", "COLD"),
        ("quantity", "100"),
        ("lot", "L1"),
        ("supplier_lot", "FARM-778"),
        ("expiry", "2099-03-30"),
    ] {
        ui.fill(name, value).await;
    }
    ui.press("Receive").await;
    assert!(
        ui.flash().await.contains("receive: done"),
        "{}",
        ui.flash().await
    );
    assert!(ui.text().await.contains("Cold room"));

    // A refused production keeps the values and says why.
    ui.go("/ops/produce").await;
    for (name, value) in [
        ("product", "SALAD"),
        ("quantity", "20"),
        ("location", "L3"),
        ("lot", "S1"),
    ] {
        ui.fill(name, value).await;
    }
    ui.fill("inputs", "LETTUCE:L1:500@COLD").await;
    ui.press("Produce").await;
    let refused = ui.flash().await;
    assert!(refused.contains("only 100"), "{refused}");
    ui.shot("02-produce-refused").await;
    ui.fill("inputs", "LETTUCE:L1:25@COLD").await;
    ui.press("Produce").await;
    assert!(
        ui.flash().await.contains("produce: done"),
        "{}",
        ui.flash().await
    );

    // Pack 12 of S1 on a pallet and ship the pallet.
    ui.go("/ops/pack").await;
    ui.fill("location", "L3").await;
    ui.fill("lots", "SALAD:S1:12").await;
    ui.press("Pack").await;
    let packed = ui.flash().await;
    let sscc = packed
        .rsplit("SSCC ")
        .next()
        .and_then(|s| s.split_whitespace().next())
        .unwrap()
        .to_owned();
    assert!(sscc.starts_with("https://id.gs1.org/00/"), "{packed}");
    let sscc18 = sscc.trim_start_matches("https://id.gs1.org/00/").to_owned();
    ui.go("/ops/ship").await;
    ui.fill("customer", "SHOP").await;
    ui.fill("location", "L3").await;
    ui.fill("containers", &sscc18).await;
    ui.fill("invoice", "INV-7").await;
    ui.press("Ship").await;
    assert!(
        ui.flash().await.contains("ship: done"),
        "{}",
        ui.flash().await
    );

    // Scan the pallet label as a keyboard-wedge scanner types it: the code, then Enter.
    ui.go("/scan").await;
    let input = c
        .find(Locator::Css("main input[name=input]"))
        .await
        .unwrap();
    ui.submits(|| async { input.send_keys(&format!("(00){sscc18}\n")).await.unwrap() })
        .await;
    let pallet = ui.text().await;
    assert!(pallet.contains("Went to (forward trace)"), "{pallet}");
    assert!(pallet.contains("shipped to Harbor Market"), "{pallet}");
    let boxes = c.find_all(Locator::Css(".graph svg a")).await.unwrap();
    assert_eq!(
        boxes.len(),
        3,
        "the pallet, the salad it held, the lettuce that was made from"
    );
    ui.shot("03-pallet-after-scan").await;

    // The graph collapsed to one step each way leaves out the lettuce two steps back; it
    // toggles between fitted and full size, and saves as a PNG of its own size.
    let one_step = c
        .find(Locator::XPath(
            "//nav[@aria-label='Graph']//a[normalize-space()='1']",
        ))
        .await
        .unwrap();
    ui.submits(|| async { one_step.click().await.unwrap() })
        .await;
    let boxes = c.find_all(Locator::Css(".graph svg a")).await.unwrap();
    assert_eq!(boxes.len(), 2, "the pallet and the salad it held");
    let fit = c.find(Locator::Id("graph-fit")).await.unwrap();
    fit.click().await.unwrap();
    let fitted = c
        .execute(
            "return [document.getElementById('graph-view').classList.contains('fit'), \
             document.getElementById('graph-fit').getAttribute('aria-pressed')];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fitted, json!([false, "false"]), "full size after one press");
    let png = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             lotraceGraph.png(1).then(done, (e) => done('error: ' + e.message));",
            vec![],
        )
        .await
        .unwrap();
    let png = png.as_str().unwrap();
    let data = png
        .strip_prefix("data:image/png;base64,")
        .unwrap_or_else(|| panic!("a PNG data URL: {}", &png[..png.len().min(80)]));
    let bytes = base64_decode(data);
    assert_eq!(&bytes[1..4], b"PNG");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let svg_width: u32 = c
        .execute(
            "return Number(document.querySelector('#graph-view svg').getAttribute('width'));",
            vec![],
        )
        .await
        .unwrap()
        .as_u64()
        .unwrap() as u32;
    assert_eq!(width, svg_width, "the PNG is the graph's own size");

    // Forward and backward from the salad lot.
    let link = c
        .find(Locator::LinkText(
            "https://id.gs1.org/01/04012345111118/10/S1",
        ))
        .await
        .unwrap();
    ui.submits(|| async { link.click().await.unwrap() }).await;
    let s1 = ui.text().await;
    assert!(
        s1.contains("made from https://id.gs1.org/01/00614141123452/10/L1"),
        "{s1}"
    );
    assert!(s1.contains("packed in"), "{s1}");
    // The graph has a box per lot and container, each a link to its page.
    let boxes = c.find_all(Locator::Css(".graph svg a")).await.unwrap();
    assert_eq!(boxes.len(), 3, "L1 <- S1 -> pallet");
    ui.shot("04-lot-page").await;

    // Start a recall from the raw lot and hold everything.
    ui.go("/lot?id=https://id.gs1.org/01/00614141123452/10/L1")
        .await;
    ui.fill("reason", "Listeria on the farm").await;
    ui.press("Start a recall from this lot").await;
    let started = ui.flash().await;
    assert!(
        started.contains("recall R-00001 started: 2 lots affected, 1 customers"),
        "{started}"
    );
    ui.press("Hold all affected stock").await;
    assert!(
        ui.flash().await.contains("held 2 lot line(s)"),
        "{}",
        ui.flash().await
    );
    let recall = ui.text().await;
    assert!(recall.contains("recalled"), "{recall}");
    assert!(
        recall.contains("SHOP Harbor Market: 1 shipment(s), 12 KGM"),
        "{recall}"
    );
    ui.shot("05-recall-held").await;

    // Error paths: a bad scan, shipping a held lot.
    ui.go("/scan").await;
    ui.fill("input", "(01)04012345111119").await;
    ui.press("Go").await;
    let bad = ui.flash().await;
    assert!(
        bad.contains("invalid scan") && bad.contains("check digit"),
        "{bad}"
    );
    ui.shot("06-bad-scan").await;
    ui.go("/ops/ship").await;
    ui.fill("customer", "SHOP").await;
    ui.fill("location", "L3").await;
    ui.fill("lots", "SALAD:S1:1").await;
    ui.press("Ship").await;
    let held = ui.flash().await;
    assert!(held.contains("recalled"), "{held}");
    ui.shot("07-ship-held-refused").await;

    // The dashboard shows the recall and the held lots; every page fits a 360 px phone.
    ui.go("/").await;
    let dash = ui.text().await;
    assert!(dash.contains("R-00001"), "{dash}");
    assert!(dash.contains("LETTUCE L1"), "{dash}");
    ui.shot("08-dashboard").await;
    c.set_window_size(360, 800).await.unwrap();
    for page in [
        "/",
        "/scan",
        "/lots",
        "/ops/receive",
        "/recalls",
        "/recalls/R-00001",
        "/drills",
        "/quality",
        "/events",
        "/products",
        "/products/SALAD",
        "/locations",
        "/parties",
        "/lot?id=https://id.gs1.org/01/04012345111118/10/S1",
    ] {
        ui.go(page).await;
        assert!(ui.fits().await, "{page} scrolls sideways at 360 px");
    }
    ui.go("/recalls/R-00001").await;
    ui.shot("09-recall-phone").await;
    // On the phone the navigation folds behind the Menu button, and opens on a click.
    let nav_shown = || async {
        c.execute(
            "return getComputedStyle(document.getElementById('main-nav')).display !== 'none';",
            vec![],
        )
        .await
        .unwrap()
        .as_bool()
        .unwrap()
    };
    assert!(!nav_shown().await, "the nav is folded at 360 px");
    let menu = c.find(Locator::Css("button.menu-toggle")).await.unwrap();
    menu.click().await.unwrap();
    assert!(nav_shown().await, "the Menu button opens the nav");
    assert_eq!(
        menu.attr("aria-expanded").await.unwrap().as_deref(),
        Some("true")
    );
    ui.shot("10-menu-open-phone").await;
    c.set_window_size(1280, 900).await.unwrap();
    ui.go("/recalls/R-00001").await;
    assert!(
        nav_shown().await,
        "a desktop shows the nav without a button"
    );

    // The production form proposes the lot number from the template as soon as the
    // product and the location are chosen (assets/ops.js asks the API; nothing is drawn).
    let (status, answer) = server
        .post(
            "/api/v1/master/products",
            &json!({ "code": "JUICE", "name": "Apple juice", "uom": "LTR",
                     "lot_template": "J{line}-{seq:03}" }),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    ui.go("/ops/produce").await;
    ui.fill("product", "JUICE").await;
    ui.fill("location", "L3").await;
    ui.fill("quantity", "10").await; // leaving the location fires its change event
    let lot = c.find(Locator::Css("main [name=\"lot\"]")).await.unwrap();
    let mut placeholder = String::new();
    for _ in 0..100 {
        placeholder = lot.attr("placeholder").await.unwrap().unwrap_or_default();
        if !placeholder.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(placeholder, "JL3-001");
    assert!(ui.text().await.contains("next from the template: JL3-001"));
    c.close().await.unwrap();
    server.stop().await;
}

/// The scan page's camera button: hidden where the browser has no Barcode Detection API
/// (desktop Linux Chromium); where it has one, a detected code goes where a typed one goes.
/// The detector and the camera are stand-ins here (a canvas stream), the page's script and
/// the form it submits are the real ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn camera_scanning_goes_where_the_code_names() {
    let Some(driver) = driver().await else { return };
    let server = TestServer::start().await;
    server.salad_master_data().await;
    let (status, answer) = server
        .post(
            "/api/v1/ops/receive",
            &json!({ "product": "LETTUCE", "lot": "L1", "supplier": "FARM", "location": "COLD", "quantity": 40 }),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    let ui = Ui::new(&c, &server.base, "");
    ui.go("/scan").await;
    let state = c
        .execute(
            "return ['BarcodeDetector' in window, document.getElementById('camera').hidden];",
            vec![],
        )
        .await
        .unwrap();
    let has_detector = state[0].as_bool().unwrap();
    assert_eq!(state[1].as_bool().unwrap(), !has_detector, "{state}");

    c.execute(
        r#"window.BarcodeDetector = class {
             static async getSupportedFormats() { return ["data_matrix", "qr_code"]; }
             async detect(_video) { return [{ rawValue: "010061414112345210L1", format: "data_matrix" }]; }
           };
           const canvas = document.createElement("canvas");
           canvas.getContext("2d").fillRect(0, 0, 10, 10);
           navigator.mediaDevices.getUserMedia = async () => canvas.captureStream(5);
           lotraceCamera();"#,
        vec![],
    )
    .await
    .unwrap();
    let button = c.find(Locator::Id("camera")).await.unwrap();
    assert!(
        button.is_displayed().await.unwrap(),
        "the camera button shows"
    );
    ui.submits(|| async { button.click().await.unwrap() }).await;
    let page = ui.text().await;
    assert!(
        page.contains("LETTUCE L1"),
        "the lot page of what the camera read: {page}"
    );
    assert!(
        c.current_url().await.unwrap().as_str().contains("/lot"),
        "went to the lot page"
    );
    c.close().await.unwrap();
    server.stop().await;
}
