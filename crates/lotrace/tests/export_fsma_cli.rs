//! `lotrace export fsma204|lot-history|inventory` on a real SQLite file: a small chain
//! typed as an operator would, the files written and read back.

mod common;

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};
use common::{lotrace, ok, words};

fn chain(db: &Path) {
    for line in [
        "product add --code CUKE --name Cucumbers --uom KGM --gtin 00614141000067 --food-traceability-list true",
        "product add --code SALAD --name Salad --uom KGM --gtin 04012345111118 --food-traceability-list true",
        "location add --code PLANT --name Plant --kind site --gln 4012345000016 --address 1_Main_St --phone 555-0100",
        "location add --code COLD --name Cold --kind zone --parent PLANT",
        "party add --code PACKER --name Packer --role supplier --location-gln 0614141000036 --address 9_Canal_Rd --phone 555-0199",
        "party add --code SHOP --name Shop --role customer --address 5_Pier_St",
    ] {
        ok(db, &words(line));
    }
    // Refused: an FTL receipt without its TLC source names the field and writes nothing.
    let out = lotrace(
        db,
        &words(
            "receive --product CUKE --lot C1 --supplier PACKER --location COLD --quantity 10 --purchase-order PO-1",
        ),
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("tlc_source"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "receive --product CUKE --lot C1 --supplier-lot TLC-1 --supplier PACKER --location COLD --quantity 10 --purchase-order PO-1 --tlc-source PACKER --time 2026-03-02T10:00:00Z",
        "produce --product SALAD --lot S1 --quantity 8 --location COLD --input CUKE:C1:10 --production-order PR-1 --time 2026-03-03T08:00:00Z",
        "ship --customer SHOP --location COLD --item SALAD:S1:8 --invoice INV-1 --time 2026-03-03T15:00:00Z",
    ] {
        ok(db, &words(line));
    }
}

#[test]
fn fsma204_export_as_csv_and_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    chain(&db);
    let csv = dir.path().join("fsma.csv");
    let said = ok(
        &db,
        &[
            "export",
            "fsma204",
            "--lot",
            "SALAD:S1",
            "--trace",
            "--output",
            csv.to_str().unwrap(),
        ],
    );
    assert!(
        said.contains("3 critical tracking events, 1 with missing KDEs"),
        "{said}"
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[0].starts_with("Traceability lot code (TLC),Critical tracking event,Event date,")
    );
    assert!(lines[3].starts_with("TLC-1,Receiving,2026-03-02,2026-03-02T10:00:00Z,Cucumbers,00614141000067,10,KGM,\"Packer, 9_Canal_Rd, tel. 555-0199\",GLN 0614141000036,"), "{}", lines[3]);
    assert!(
        lines[1].starts_with("S1,Transformation,2026-03-03,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].contains(",TLC-1,Cucumbers,10,KGM,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("S1,Shipping,2026-03-03,"),
        "{}",
        lines[2]
    );
    assert!(
        lines[2].contains(",Immediate subsequent recipient (phone),21 CFR 1.1340,"),
        "{}",
        lines[2]
    );

    let xlsx = dir.path().join("fsma.xlsx");
    ok(
        &db,
        &[
            "export",
            "fsma204",
            "--product",
            "SALAD",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--output",
            xlsx.to_str().unwrap(),
        ],
    );
    let bytes = std::fs::read(&xlsx).unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("FSMA 204").unwrap();
    assert_eq!(sheet.height(), 3, "header, transformation, shipping");
    assert_eq!(sheet.get_value((1, 0)), Some(&Data::String("S1".into())));
    assert_eq!(
        sheet.get_value((2, 1)),
        Some(&Data::String("Shipping".into()))
    );
    assert_eq!(sheet.get_value((2, 6)), Some(&Data::Float(8.0)));

    // Refused: a bad format writes nothing.
    let bad = dir.path().join("fsma.pdf");
    let out = lotrace(
        &db,
        &[
            "export",
            "fsma204",
            "--lot",
            "SALAD:S1",
            "--output",
            bad.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected xlsx or csv"));
    assert!(!bad.exists());
    let out = lotrace(
        &db,
        &[
            "export",
            "fsma204",
            "--lot",
            "SALAD:NOPE",
            "--output",
            csv.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no lot \"SALAD:NOPE\" is known"));
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        text,
        "the old file is untouched"
    );
}

#[test]
fn lot_history_and_inventory_reports() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    chain(&db);
    let pdf = dir.path().join("c1.pdf");
    ok(
        &db,
        &[
            "export",
            "lot-history",
            "--lot",
            "CUKE:C1",
            "--output",
            pdf.to_str().unwrap(),
        ],
    );
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let xlsx = dir.path().join("c1.xlsx");
    ok(
        &db,
        &[
            "export",
            "lot-history",
            "--lot",
            "CUKE:C1",
            "--output",
            xlsx.to_str().unwrap(),
        ],
    );
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(std::fs::read(&xlsx).unwrap())).unwrap();
    let trace = book.worksheet_range("Trace").unwrap();
    assert_eq!(trace.get_value((1, 2)), Some(&Data::String("S1".into())));
    let csv = dir.path().join("stock.csv");
    ok(
        &db,
        &["export", "inventory", "--output", csv.to_str().unwrap()],
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("Product,Product name,Lot,Location,On hand,"),
        "{text}"
    );
    // Nothing on hand: the cucumbers were used up, the salad shipped.
    assert_eq!(text.lines().count(), 1, "{text}");
    let out = lotrace(
        &db,
        &[
            "export",
            "lot-history",
            "--lot",
            "CUKE:C1",
            "--output",
            csv.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success(), "csv is not a lot-history format");
}
