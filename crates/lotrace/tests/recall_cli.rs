//! `lotrace recall` and `lotrace drill` on a real SQLite file, run as an operator types them.

mod common;

use std::path::Path;
use std::process::Output;

use common::words;
use serde_json::Value;

fn lotrace(db: &Path, args: &[&str]) -> Output {
    common::lotrace_as("qa-lead", db, args)
}

fn ok(db: &Path, line: &str) -> String {
    let out = lotrace(db, &words(line));
    assert!(
        out.status.success(),
        "{line} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(db: &Path, line: &str) -> Value {
    let text = ok(db, line);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{line}: {e}: {text}"))
}

fn fails(db: &Path, args: &[&str], says: &str) {
    let out = lotrace(db, args);
    assert!(!out.status.success(), "{args:?} was accepted");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(says),
        "{args:?}: expected {says:?} in {stderr}"
    );
}

fn setup(db: &Path) {
    for line in [
        "product add --code LETTUCE --name Lettuce --uom KGM --gtin 00614141123452",
        "product add --code SALAD --name Salad --uom KGM --gtin 04012345111118",
        "location add --code PLANT --name Plant --kind site --gln 4012345000016",
        "location add --code COLD --name Cold --kind zone --parent PLANT",
        "location add --code L3 --name Line3 --kind zone --parent PLANT",
        "party add --code FARM --name Farm --role supplier --gln 0614141000012",
        "party add --code SHOP --name Shop --role customer",
        "receive --product LETTUCE --lot L1 --supplier FARM --location COLD --quantity 100",
        "produce --product SALAD --lot S1 --quantity 20 --location L3 --time 2026-03-12T22:30:00Z \
         --input LETTUCE:L1:25@COLD",
        "ship --customer SHOP --location L3 --item SALAD:S1:5 --invoice INV-7",
    ] {
        ok(db, line);
    }
}

#[test]
fn recall_workflow_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    setup(&db);

    fails(
        &db,
        &words("recall start --reason x"),
        "give exactly one of",
    );
    fails(
        &db,
        &words("recall start --lot LETTUCE:L1 --container 00340123450000000018 --reason x"),
        "give exactly one of",
    );
    fails(
        &db,
        &words("recall start --lot LETTUCE:NOPE --reason x"),
        "scope.lots[0]",
    );
    fails(
        &db,
        &words("recall start --location L3 --from 2026-03-12T22:00:00Z --reason x"),
        "--to",
    );
    fails(&db, &words("recall show R-00009"), "R-00009");

    // The night shift on line 3 made S1.
    let view = json(
        &db,
        "recall start --location L3 --from 2026-03-12T22:00:00Z --to 2026-03-13T06:00:00Z \
         --reason night-shift-metal-contamination --json",
    );
    assert_eq!(view["recall"]["id"], "R-00001");
    assert_eq!(view["recall"]["opened_by"], "qa-lead");
    assert_eq!(view["impact"]["lots"][0]["lot"], "S1");
    assert_eq!(view["impact"]["customers"][0]["code"], "SHOP");

    let text = ok(&db, "recall show R-00001");
    assert!(
        text.contains("R-00001 (open): night-shift-metal-contamination"),
        "{text}"
    );
    assert!(text.contains("SALAD S1"), "{text}");
    assert!(text.contains("SHOP Shop: 1 shipment(s), 5 KGM"), "{text}");

    let held = json(&db, "recall hold R-00001 --json");
    assert_eq!(held["held"][0]["quantity"], 15);
    let lot = json(&db, "lot SALAD S1 --json");
    assert_eq!(lot["hold"], "recalled");
    assert!(ok(&db, "recall hold R-00001").contains("nothing left to hold"));

    fails(
        &db,
        &words("recall notify R-00001 --customer SHOP --channel fax"),
        "channel",
    );
    ok(
        &db,
        "recall notify R-00001 --customer SHOP --channel phone --contact store-manager",
    );
    fails(
        &db,
        &words(
            "recall return R-00001 --customer SHOP --location COLD --product LETTUCE --lot L2 --quantity 1",
        ),
        "not affected",
    );
    let ret = json(
        &db,
        "recall return R-00001 --customer SHOP --location COLD --product SALAD --lot S1 --quantity 5 --rma RMA-1 --json",
    );
    assert_eq!(ret["quantity"], 5);

    for (format, extra) in [("csv", "--table customers"), ("xlsx", ""), ("pdf", "")] {
        let path = dir.path().join(format!("r.{format}"));
        let line = format!(
            "recall export R-00001 --format {format} {extra} --output {}",
            path.display()
        );
        ok(&db, &line);
        let bytes = std::fs::read(&path).unwrap();
        match format {
            "csv" => {
                let text = String::from_utf8(bytes).unwrap();
                assert!(
                    text.starts_with("Customer,Customer name,Ship to,Lot,Quantity"),
                    "{text}"
                );
                assert!(text.contains("SHOP,Shop,"), "{text}");
            }
            "xlsx" => assert!(bytes.starts_with(b"PK"), "an XLSX is a zip"),
            _ => assert!(bytes.starts_with(b"%PDF-")),
        }
    }

    let closed = json(&db, "recall close R-00001 --summary all-recovered --json");
    assert_eq!(closed["recall"]["status"], "closed");
    assert_eq!(closed["impact"]["lots"][0]["returned"][0]["quantity"], 5);
    fails(&db, &words("recall hold R-00001"), "closed");
    let list = json(&db, "recall list --json");
    assert_eq!(list[0]["id"], "R-00001");
}

#[test]
fn drills_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    setup(&db);
    let before = json(&db, "lot LETTUCE L1 --json");
    let drill = json(&db, "drill run --lot LETTUCE:L1 --note q4-test --json");
    assert_eq!(drill["id"], "D-00001");
    assert_eq!(drill["lots"], 2);
    assert_eq!(drill["accounted_share"], 1.0);
    assert_eq!(drill["run_by"], "qa-lead");
    assert_eq!(
        json(&db, "lot LETTUCE L1 --json"),
        before,
        "a drill holds nothing"
    );
    let text = ok(&db, "drill list");
    assert!(text.contains("D-00001 by qa-lead"), "{text}");
    assert!(text.contains("100.0 % accounted for"), "{text}");
    fails(&db, &words("drill show D-00077"), "D-00077");
}
