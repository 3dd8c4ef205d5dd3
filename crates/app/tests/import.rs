//! Spreadsheet import through `App` on a real SQLite file: each template (CSV and XLSX)
//! imports and reads back equal to its rows; bad files are refused with every error by row
//! and column and change nothing; rows are validated against the state the rows before
//! them make.

use lotrace_app::import::ImportError;
use lotrace_app::{App, AppConfig, MasterKind};
use lotrace_core::Qty;
use lotrace_core::inventory::Flow;
use lotrace_sheet::{Format, Kind, Limits, Row, RowError};
use lotrace_store::{Location, Store};
use serde_json::Value;

async fn app(dir: &tempfile::TempDir) -> App {
    let store = Store::open(&Location::SqliteFile(dir.path().join("t.db")))
        .await
        .unwrap();
    App::open(store, AppConfig::default()).await.unwrap()
}

fn template(kind: Kind, format: Format) -> Vec<u8> {
    match format {
        Format::Csv => lotrace_sheet::template_csv(kind),
        Format::Xlsx => lotrace_sheet::template_xlsx(kind).unwrap(),
    }
}

fn rows(bytes: &[u8], format: Format) -> Vec<Row> {
    let mut sheets = lotrace_sheet::read(bytes, format, None, &Limits::default()).unwrap();
    assert_eq!(sheets.len(), 1);
    sheets.remove(0).rows
}

fn text<'a>(row: &'a Row, field: &str) -> &'a str {
    row.body[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field}"))
}

fn qty(row: &Value) -> Qty {
    Qty::parse(row["quantity"].as_str().unwrap()).unwrap()
}

/// The state a lot line of a row names: (lot URI, quantity).
async fn lot_of(app: &App, product: &str, lot: &str) -> String {
    let catalog = app.catalog().await;
    catalog.products[product].lot_uri(lot)
}

async fn location_uri(app: &App, code: &str) -> String {
    app.catalog().await.locations[code].uri()
}

async fn party_uri(app: &App, code: &str) -> String {
    app.catalog().await.parties[code].uri()
}

/// Checks that what the import stored equals the rows.
async fn check_round_trip(app: &App, kind: Kind, rows: &[Row]) {
    if let Some(master) = kind.master().and_then(MasterKind::parse) {
        let records = app.list(master).await.unwrap();
        assert_eq!(records.len(), rows.len(), "{kind}");
        for row in rows {
            let code = text(row, "code");
            let record = app.get(master, code).await.unwrap();
            for (field, value) in row.body.as_object().unwrap() {
                assert_eq!(&record[field], value, "{kind} {code} {field}");
            }
        }
        return;
    }
    for row in rows {
        let b = &row.body;
        match kind {
            Kind::Receipts => {
                let lot = lot_of(app, text(row, "product"), text(row, "lot")).await;
                let state = app.lot(&lot).await.unwrap().expect("the received lot");
                let at = location_uri(app, text(row, "location")).await;
                assert_eq!(state.received, qty(b));
                assert_eq!(state.on_hand_at(&at), qty(b));
                assert_eq!(state.uom.as_deref(), Some(text(row, "uom")));
                assert_eq!(state.expiry.unwrap().to_string(), text(row, "expiry"));
                assert_eq!(state.attributes["lotrace:supplierLot"], b["supplier_lot"]);
                assert_eq!(
                    state.attributes["cbvmda:countryOfOrigin"],
                    b["country_of_origin"]
                );
                assert_eq!(
                    state.attributes["cbvmda:harvestStartDate"],
                    b["harvest_date"]
                );
                let entry = &state.ledger[0];
                assert_eq!(entry.flow, Flow::Received);
                assert_eq!(
                    entry.party.as_deref(),
                    Some(party_uri(app, text(row, "supplier")).await.as_str())
                );
                let ids: Vec<&str> = entry.transactions.iter().map(|t| t.1.as_str()).collect();
                assert!(ids.iter().any(|t| t.ends_with(text(row, "purchase_order"))));
                assert!(
                    ids.iter()
                        .any(|t| t.ends_with(text(row, "despatch_advice")))
                );
            }
            Kind::Productions => {
                let lot = lot_of(app, text(row, "product"), text(row, "lot")).await;
                let state = app.lot(&lot).await.unwrap().expect("the produced lot");
                let at = location_uri(app, text(row, "location")).await;
                assert_eq!(state.produced, qty(b));
                assert_eq!(state.on_hand_at(&at), qty(b));
                let made = state
                    .ledger
                    .iter()
                    .find(|e| e.flow == Flow::Produced)
                    .unwrap();
                let inputs = b["inputs"].as_array().unwrap();
                assert_eq!(made.related.len(), inputs.len());
                for input in inputs {
                    let p = input["product"].as_str().unwrap();
                    let l = input["lot"].as_str().unwrap();
                    let input_lot = lot_of(app, p, l).await;
                    assert!(made.related.contains(&input_lot));
                    let used = app.lot(&input_lot).await.unwrap().unwrap();
                    assert_eq!(used.consumed, qty(input));
                }
                assert!(
                    made.transactions
                        .iter()
                        .any(|t| t.1.ends_with(text(row, "production_order")))
                );
            }
            Kind::Shipments => {
                let customer = party_uri(app, text(row, "customer")).await;
                for line in b["lots"].as_array().unwrap() {
                    let p = line["product"].as_str().unwrap();
                    let l = line["lot"].as_str().unwrap();
                    let state = app.lot(&lot_of(app, p, l).await).await.unwrap().unwrap();
                    assert_eq!(state.shipped, qty(line));
                    let shipped = state
                        .ledger
                        .iter()
                        .find(|e| e.flow == Flow::Shipped)
                        .unwrap();
                    assert_eq!(shipped.party.as_deref(), Some(customer.as_str()));
                    let ids: Vec<&str> =
                        shipped.transactions.iter().map(|t| t.1.as_str()).collect();
                    assert!(ids.iter().any(|t| t.ends_with(text(row, "invoice"))));
                    assert!(ids.iter().any(|t| t.ends_with(text(row, "purchase_order"))));
                }
            }
            _ => unreachable!(),
        }
    }
}

#[tokio::test]
async fn every_template_imports_and_reads_back_equal_to_its_rows() {
    for format in [Format::Csv, Format::Xlsx] {
        let dir = tempfile::tempdir().unwrap();
        let app = app(&dir).await;
        let mut events = 0;
        for kind in Kind::ALL {
            let bytes = template(kind, format);
            let summary = app
                .import_file(&bytes, format, None, &Limits::default(), "tester")
                .await
                .unwrap_or_else(|e| panic!("{kind} {format:?}: {e:?}"));
            let rows = rows(&bytes, format);
            assert_eq!(summary.rows, rows.len());
            if kind.master().is_some() {
                assert_eq!(summary.records_created, rows.len());
                assert_eq!(summary.events_stored, 0);
            } else {
                assert_eq!(summary.operations, rows.len());
                assert!(summary.events_stored >= rows.len() as u64);
                assert!(summary.capture_id.is_some());
            }
            events += summary.events_stored;
            check_round_trip(&app, kind, &rows).await;
        }
        assert_eq!(app.store().event_count().await.unwrap(), events);
        // The chain closed: everything made was shipped.
        let salad = lot_of(&app, "SALAD", "S261130-001").await;
        assert_eq!(
            app.lot(&salad).await.unwrap().unwrap().on_hand_total(),
            Qty::ZERO
        );
        let lettuce = lot_of(&app, "LETTUCE", "L-0001").await;
        assert_eq!(
            app.lot(&lettuce).await.unwrap().unwrap().on_hand_total(),
            Qty::from_units(55)
        );
    }
}

async fn counts(app: &App) -> (u64, usize, usize, usize) {
    (
        app.store().event_count().await.unwrap(),
        app.list(MasterKind::Product).await.unwrap().len(),
        app.list(MasterKind::Location).await.unwrap().len(),
        app.list(MasterKind::Party).await.unwrap().len(),
    )
}

async fn refused(app: &App, csv: &str, kind: Option<Kind>) -> Vec<RowError> {
    let before = counts(app).await;
    let e = app
        .import_file(
            csv.as_bytes(),
            Format::Csv,
            kind,
            &Limits::default(),
            "tester",
        )
        .await
        .unwrap_err();
    assert_eq!(counts(app).await, before, "a refused file changes nothing");
    match e {
        ImportError::Rejected(r) => r.errors,
        other => panic!("{other:?}"),
    }
}

fn places(errors: &[RowError]) -> Vec<(u32, Option<&str>)> {
    errors
        .iter()
        .map(|e| (e.row.unwrap(), e.column.as_deref()))
        .collect()
}

/// A store with the master data and the receipt of the templates.
async fn with_master_data(dir: &tempfile::TempDir) -> App {
    let app = app(dir).await;
    for kind in [
        Kind::Locations,
        Kind::Parties,
        Kind::Products,
        Kind::Receipts,
    ] {
        app.import_file(
            &lotrace_sheet::template_csv(kind),
            Format::Csv,
            Some(kind),
            &Limits::default(),
            "tester",
        )
        .await
        .unwrap();
    }
    app
}

#[tokio::test]
async fn bad_rows_are_refused_by_row_and_column_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let app = with_master_data(&dir).await;

    // Cell errors and rule errors together; the good rows 3 and 6 are not written either.
    let errors = refused(
        &app,
        "product,lot,supplier,location,quantity,uom,expiry,supplier_lot,purchase_order,harvest_date\n\
         NOPE,A1,FARM,COLD,10,,,,PO-1,2026-11-20\n\
         LETTUCE,A2,FARM,COLD,10,KGM,2030-01-01,S-2,PO-1,2026-11-20\n\
         LETTUCE,A3,FARM,COLD,10,LTR,2030-01-01,S-3,PO-1,2026-11-20\n\
         LETTUCE,A4,FARM,NOWHERE,-1,,2030-01-01,S-4,PO-1,2026-11-20\n\
         LETTUCE,A5,FARM,COLD,5,,2030-01-01,S-5,PO-1,2026-11-20\n\
         LETTUCE,A6,FARM,COLD,5,,2030-02-30,S-6,PO-1,2026-11-20\n\
         LETTUCE,A7,FARM,COLD,5,,,S-7,PO-1,2026-11-20\n",
        Some(Kind::Receipts),
    )
    .await;
    assert_eq!(
        places(&errors),
        [
            (2, Some("product")),
            (4, Some("uom")),
            (5, Some("location")),
            (7, Some("expiry")),
            (8, Some("expiry")),
        ],
        "{errors:#?}"
    );
    assert!(errors[0].message.contains("no product with code \"NOPE\""));
    assert!(errors[1].message.contains("counted in KGM, not LTR"));
    assert!(
        errors[4]
            .message
            .contains("required when receiving \"LETTUCE\"")
    );
    assert_eq!(errors[1].cell.as_deref(), Some("F4"));

    // The message is the API's: the same operation through App::run says the same.
    let body = serde_json::json!({
        "product": "LETTUCE", "lot": "A3", "supplier": "FARM", "location": "COLD",
        "quantity": "10", "uom": "LTR", "expiry": "2030-01-01", "supplier_lot": "S-3",
        "purchase_order": "PO-1", "harvest_date": "2026-11-20",
    });
    let op = lotrace_core::ops::Operation::from_json("receive", body).unwrap();
    let api = app.run(&op, "receive", "tester").await.unwrap_err();
    assert_eq!(errors[1].message, api.to_string());

    // Master data: an existing code, a code twice in the file, a parent that is not there.
    let errors = refused(
        &app,
        "code,name,kind,parent\n\
         COLD,Cold again,zone,PLANT\n\
         DOCK,Dock,zone,PLANT\n\
         DOCK,Dock again,zone,PLANT\n\
         BIN1,Bin,bin,ATTIC\n\
         BIN2,Bin 2,bin,DOCK\n",
        None,
    )
    .await;
    assert_eq!(
        places(&errors),
        [(2, Some("code")), (4, Some("code")), (5, Some("parent"))],
        "{errors:#?}"
    );
    assert!(errors[0].message.contains("already exists"), "{errors:?}");
    assert!(
        errors[1].message.contains("(row 3 of this file)"),
        "{errors:?}"
    );
}

#[tokio::test]
async fn later_rows_are_checked_against_the_state_earlier_rows_make() {
    let dir = tempfile::tempdir().unwrap();
    let app = with_master_data(&dir).await;
    // 100 KGM of LETTUCE L-0001 are in COLD: two productions of 60 cannot both happen.
    let errors = refused(
        &app,
        "product,lot,quantity,location,inputs\n\
         SALAD,S261201-001,50,PLANT,LETTUCE:L-0001:60@COLD\n\
         SALAD,S261201-002,50,PLANT,LETTUCE:L-0001:60@COLD\n",
        Some(Kind::Productions),
    )
    .await;
    assert_eq!(places(&errors), [(3, Some("inputs"))], "{errors:#?}");
    assert!(errors[0].message.contains("only 40"), "{errors:?}");

    // A production then a shipment of what it made, in one workbook: valid together.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheets: [(&str, &[&[&str]]); 2] = [
        (
            "Shipments",
            &[
                &["customer", "location", "lots", "invoice"],
                &["SHOP", "PLANT", "SALAD:S261201-009:30", "INV-1"],
            ],
        ),
        (
            "Productions",
            &[
                &["product", "lot", "quantity", "location", "inputs"],
                &[
                    "SALAD",
                    "S261201-009",
                    "30",
                    "PLANT",
                    "LETTUCE:L-0001:35@COLD",
                ],
            ],
        ),
    ];
    for (name, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    let summary = app
        .import_file(&bytes, Format::Xlsx, None, &Limits::default(), "tester")
        .await
        .unwrap();
    assert_eq!(
        summary.operations, 2,
        "productions are applied before shipments"
    );
    let made = lot_of(&app, "SALAD", "S261201-009").await;
    let state = app.lot(&made).await.unwrap().unwrap();
    assert_eq!(
        (state.produced, state.shipped),
        (Qty::from_units(30), Qty::from_units(30))
    );
    let capture = summary.capture_id.unwrap();
    let job = app.store().capture_job(&capture).await.unwrap().unwrap();
    assert_eq!(
        job.events_stored, summary.events_stored,
        "one capture for every operation row"
    );

    // A row without a lot number gets the next one from the template, counted once.
    let summary = app
        .import_file(
            b"product,quantity,location,time\nSALAD,1,PLANT,2026-11-30T10:00:00+00:00\nSALAD,1,PLANT,2026-11-30T11:00:00+00:00\n",
            Format::Csv,
            Some(Kind::Productions),
            &Limits::default(),
            "tester",
        )
        .await
        .unwrap();
    assert_eq!(summary.assigned_lots, ["S261130-001", "S261130-002"]);
}

#[tokio::test]
async fn rows_dated_before_the_stock_they_use_are_checked_against_the_replayed_state() {
    let dir = tempfile::tempdir().unwrap();
    let app = with_master_data(&dir).await;
    // Out of order within the file and before the receipt's own time: each row makes the
    // planning state stale, and the replay must still carry the rows before it.
    let productions = "product,lot,quantity,location,inputs,time\n\
         SALAD,S261129-011,20,PLANT,LETTUCE:L-0001:30@COLD,2026-11-29T12:00:00+00:00\n\
         SALAD,S261129-012,20,PLANT,LETTUCE:L-0001:30@COLD,2026-11-29T09:00:00+00:00\n\
         SALAD,S261129-013,20,PLANT,LETTUCE:L-0001:30@COLD,2026-11-29T10:00:00+00:00\n";
    let refused_too = format!(
        "{productions}SALAD,S261129-014,20,PLANT,LETTUCE:L-0001:20@COLD,2026-11-29T08:00:00+00:00\n"
    );
    let errors = refused(&app, &refused_too, Some(Kind::Productions)).await;
    assert_eq!(places(&errors), [(5, Some("inputs"))], "{errors:#?}");
    assert!(errors[0].message.contains("only 10"), "{errors:?}");

    app.import_file(
        productions.as_bytes(),
        Format::Csv,
        Some(Kind::Productions),
        &Limits::default(),
        "tester",
    )
    .await
    .unwrap();
    let lettuce = lot_of(&app, "LETTUCE", "L-0001").await;
    let state = app.lot(&lettuce).await.unwrap().unwrap();
    assert_eq!(state.consumed, Qty::from_units(90));
    let stats = app.replay_stats().await;
    assert!(stats.partial > 0 && stats.whole == 0, "{stats:?}");
    // What the views hold is what a rebuild in eventTime order gives.
    let reopened = App::open(app.store().clone(), AppConfig::default())
        .await
        .unwrap();
    assert_eq!(
        app.lots(|_| true).await.unwrap(),
        reopened.lots(|_| true).await.unwrap()
    );
}
