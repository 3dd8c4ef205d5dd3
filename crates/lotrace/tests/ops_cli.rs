//! Operations and master data from the command line, on a real SQLite file, as an operator
//! types them: each writes its events, each rule refuses with a message, exits non-zero and
//! writes nothing.

mod common;

use std::path::Path;

use common::{json, lotrace, ok, words};
use serde_json::Value;

/// Refused: non-zero exit, a message naming `says` and "nothing was written", and the
/// lot's state unchanged.
fn refused(db: &Path, args: &[&str], says: &str) {
    let before = lot(db, "LETTUCE", "L1");
    let out = lotrace(db, args);
    assert!(!out.status.success(), "{args:?} was accepted");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(says),
        "{args:?}: expected {says:?} in {stderr}"
    );
    assert_eq!(lot(db, "LETTUCE", "L1"), before, "{args:?} changed the lot");
}

fn lot(db: &Path, product: &str, lot: &str) -> Value {
    json(db, &["lot", product, lot, "--json"])
}

fn qty(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) => s.parse().unwrap(),
        other => panic!("not a quantity: {other}"),
    }
}

fn setup(db: &Path) {
    ok(
        db,
        &[
            "product",
            "add",
            "--code",
            "LETTUCE",
            "--name",
            "Romaine lettuce",
            "--uom",
            "KGM",
            "--gtin",
            "00614141123452",
            "--required",
            "supplier_lot",
            "--required",
            "expiry",
        ],
    );
    ok(
        db,
        &[
            "product",
            "add",
            "--code",
            "SALAD",
            "--name",
            "Salad mix",
            "--uom",
            "KGM",
            "--gtin",
            "04012345111118",
            "--lot-template",
            "{yy}{doy:03}-{line}-{seq:03}",
            "--shelf-life-days",
            "9",
        ],
    );
    ok(
        db,
        &words("location add --code PLANT --name Plant --kind site --gln 4012345000016"),
    );
    ok(
        db,
        &[
            "location",
            "add",
            "--code",
            "COLD",
            "--name",
            "Cold room",
            "--kind",
            "zone",
            "--parent",
            "PLANT",
        ],
    );
    ok(
        db,
        &[
            "location", "add", "--code", "L3", "--name", "Line 3", "--kind", "zone", "--parent",
            "PLANT",
        ],
    );
    ok(
        db,
        &[
            "party",
            "add",
            "--code",
            "FARM",
            "--name",
            "Green Valley",
            "--role",
            "supplier",
            "--gln",
            "0614141000012",
        ],
    );
    ok(
        db,
        &[
            "party",
            "add",
            "--code",
            "SHOP",
            "--name",
            "Harbor Market",
            "--role",
            "customer",
        ],
    );
}

/// 10 kg of lettuce lot L1 into the cold room.
fn receive_ten_kg_of_l1(db: &Path) {
    ok(
        db,
        &words(
            "receive --product LETTUCE --supplier FARM --location COLD --quantity 10 \
             --supplier-lot L1 --expiry 2099-03-30",
        ),
    );
}

#[test]
fn every_operation_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ops.db");
    setup(&db);
    let listed = ok(&db, &["location", "list"]);
    assert!(
        listed.contains("Cold room") && listed.contains("Line 3"),
        "{listed}"
    );

    let received = ok(
        &db,
        &words(
            "receive --product LETTUCE --supplier FARM --location COLD --quantity 100 --supplier-lot L1 --expiry 2099-03-30 --purchase-order PO-1",
        ),
    );
    assert!(
        received.contains("receive: 1 event(s) recorded"),
        "{received}"
    );
    assert_eq!(qty(&lot(&db, "LETTUCE", "L1")["received"]), 100.0);

    let produced = json(
        &db,
        &words(
            "produce --product SALAD --quantity 50 --location L3 --input LETTUCE:L1:30@COLD --json-output",
        ),
    );
    let salad = produced["assigned_lots"][0].as_str().unwrap().to_owned();
    assert!(salad.ends_with("-L3-001"), "{produced}");

    ok(&db, &words("move --from COLD --to L3 --item LETTUCE:L1:10"));
    let packed = json(
        &db,
        &[
            "pack",
            "--location",
            "L3",
            "--item",
            &format!("SALAD:{salad}:20"),
            "--json-output",
        ],
    );
    let sscc = packed["sscc"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(sscc.len(), 18, "{packed}");
    ok(
        &db,
        &[
            "unpack",
            "--location",
            "L3",
            "--sscc",
            &sscc,
            "--item",
            &format!("SALAD:{salad}:5"),
        ],
    );
    ok(
        &db,
        &words(&format!(
            "ship --customer SHOP --location L3 --container {sscc} --purchase-order SO-1"
        )),
    );
    ok(
        &db,
        &[
            "adjust",
            "--product",
            "LETTUCE",
            "--lot",
            "L1",
            "--location",
            "COLD",
            "--counted",
            "58",
            "--reason",
            "cycle count",
        ],
    );
    ok(
        &db,
        &words("scrap --product LETTUCE --lot L1 --location L3 --quantity 4 --reason damaged"),
    );
    ok(
        &db,
        &words(&format!(
            "return --customer SHOP --location L3 --product SALAD --lot {salad} --quantity 2 --rma RMA-1"
        )),
    );
    ok(
        &db,
        &words(&format!(
            "inspect --product SALAD --lot {salad} --result pass --measurement temperature=3.5:CEL"
        )),
    );
    ok(
        &db,
        &words(&format!(
            "hold --product SALAD --lot {salad} --reason complaint"
        )),
    );
    ok(
        &db,
        &words(&format!(
            "release --product SALAD --lot {salad} --reason unfounded"
        )),
    );

    // By hand: 100 in, 30 consumed, 10 to L3, 58 counted of 60 in COLD, 4 scrapped on L3.
    let lettuce = lot(&db, "LETTUCE", "L1");
    assert_eq!(qty(&lettuce["consumed"]), 30.0);
    assert_eq!(qty(&lettuce["adjusted"]), -2.0);
    assert_eq!(qty(&lettuce["scrapped"]), 4.0);
    let salad_state = lot(&db, "SALAD", &salad);
    assert_eq!(qty(&salad_state["produced"]), 50.0);
    assert_eq!(qty(&salad_state["shipped"]), 15.0);
    assert_eq!(qty(&salad_state["returned"]), 2.0);

    let stock = json(&db, &words("inventory --location COLD --json"));
    assert_eq!(stock.as_array().unwrap().len(), 1, "{stock}");
    assert_eq!(qty(&stock[0]["quantity"]), 58.0);
    let picks = json(&db, &words("picks --product LETTUCE --quantity 60 --json"));
    let picked: f64 = picks
        .as_array()
        .unwrap()
        .iter()
        .map(|p| qty(&p["quantity"]))
        .sum();
    assert_eq!(picked, 60.0, "{picks}");
}

#[test]
fn the_rules_refuse_from_the_command_line_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("rules.db");
    setup(&db);
    receive_ten_kg_of_l1(&db);
    refused(
        &db,
        &words(
            "receive --product LETTUCE --supplier FARM --location COLD --quantity 5 --supplier-lot L1",
        ),
        "expiry",
    );
    refused(
        &db,
        &words("ship --customer SHOP --location COLD --item LETTUCE:L1:11"),
        "only 10",
    );
    refused(
        &db,
        &words("produce --product SALAD --quantity 5 --location L3 --input LETTUCE:L1:12@COLD"),
        "only 10",
    );
    refused(
        &db,
        &words("produce --product SALAD --lot bad-lot --quantity 1 --location L3"),
        "does not fit",
    );
    refused(
        &db,
        &words(
            "receive --product LETTUCE --supplier FARM --location COLD --quantity 5 --uom LTR --supplier-lot L1 --expiry 2099-01-01",
        ),
        "uom",
    );
    ok(
        &db,
        &[
            "hold",
            "--product",
            "LETTUCE",
            "--lot",
            "L1",
            "--reason",
            "Listeria swab positive",
        ],
    );
    refused(
        &db,
        &words("ship --customer SHOP --location COLD --item LETTUCE:L1:1"),
        "Listeria",
    );
    refused(
        &db,
        &words("receive --product LETTUCE --supplier FARM --location COLD --quantity lots"),
        "quantity",
    );
    refused(
        &db,
        &["teleport", "--product", "LETTUCE"],
        "unknown command",
    );
    let out = lotrace(
        &db,
        &words("product add --code BAD --name Bad --uom KGM --gtin 00614141123453"),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("gtin"));

    // Edit and deactivate: the record changes, its history stays, nothing is deleted.
    ok(
        &db,
        &["product", "update", "SALAD", "--name", "Salad mix, 250 g"],
    );
    let salad = json(&db, &["product", "show", "SALAD"]);
    assert_eq!(salad["name"], "Salad mix, 250 g", "{salad}");
    assert_eq!(
        salad["gtin"], "04012345111118",
        "the rest of the record is kept"
    );
    ok(&db, &["party", "deactivate", "SHOP"]);
    let parties = ok(&db, &["party", "list"]);
    assert!(parties.contains("Harbor Market (deactivated)"), "{parties}");
}

#[tokio::test]
async fn an_inspection_from_the_command_line_keeps_its_certificate_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("coa.db");
    setup(&db);
    receive_ten_kg_of_l1(&db);
    let coa = dir.path().join("COA-2026-0042.pdf");
    std::fs::write(&coa, b"%PDF-1.7\nCOA: aerobic plate count 2.1e3 cfu/g\n").unwrap();
    let outcome = json(
        &db,
        &[
            "inspect",
            "--product",
            "LETTUCE",
            "--lot",
            "L1",
            "--result",
            "pass",
            "--certificate-file",
            coa.to_str().unwrap(),
            "--json-output",
        ],
    );
    let event_id = outcome["event_ids"][0].as_str().unwrap().to_owned();

    let location = lotrace_store::Location::parse(db.to_str().unwrap()).unwrap();
    let store = lotrace_store::Store::open(&location).await.unwrap();
    let event = &store.events_by_id(&event_id).await.unwrap()[0].event;
    let text = serde_json::to_string(event).unwrap();
    let uri = text
        .split('"')
        .find(|s| s.starts_with("urn:lotrace:document:sha256:"))
        .unwrap_or_else(|| panic!("the inspection cites no document: {text}"))
        .to_owned();
    let document = store
        .document(&uri)
        .await
        .unwrap()
        .expect("the file is kept");
    assert_eq!(document.body, std::fs::read(&coa).unwrap());
    assert_eq!(document.meta.media_type, "application/pdf");
    assert_eq!(document.meta.file_name, "COA-2026-0042.pdf");
    store.close().await;

    let out = lotrace(
        &db,
        &words(
            "inspect --product LETTUCE --lot L1 --result pass --certificate-file /nonexistent/coa.pdf",
        ),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/coa.pdf"));
}
