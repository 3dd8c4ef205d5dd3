//! FSMA 204 export end to end: a small food supply chain built through the operations API
//! and an EPCIS capture (the farm's harvest record), downloaded from a real HTTP server as
//! XLSX and CSV, read back and checked cell by cell against the rows worked out by hand.

mod common;

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use common::TestServer;
use serde_json::{Value, json};

const HARVEST_EVENT: &str = "urn:uuid:00000000-0000-4000-8000-0000000f5a01";

const PACK_LINE: &str = "Fresh Pack Co. Salinas (Packing line), 100 Abbott St, Salinas, CA 93901, US, tel. +1 831 555 0100";
const PACK_COLD: &str = "Fresh Pack Co. Salinas (Cold room), 100 Abbott St, Salinas, CA 93901, US, tel. +1 831 555 0100";
const FARM: &str =
    "Green Valley Farms, Rural Route 5, Gonzales, CA 93926, US, tel. +1 831 555 0142";
const CUKES: &str = "Sunny Cucumber Packers, 9 Canal Rd, Yuma, AZ 85364, US, tel. +1 928 555 0199";
const DC: &str = "Bay Fresh Distribution, 1 Dock Way, Oakland, CA 94607, US, tel. +1 510 555 0111";
const SHOP: &str = "Harbor Market, 5 Pier St, Monterey, CA 93940, US";

const ROMAINE_LOT: &str = "https://id.gs1.org/01/00614141000050/10/H-0301";
const HEARTS_LOT: &str = "https://id.gs1.org/01/00614141123452/10/P0302";
const CUKE_LOT: &str = "https://id.gs1.org/01/00614141000067/10/C-9";
const SALAD_LOT: &str = "https://id.gs1.org/01/04012345111118/10/S-0303";

async fn master_data(server: &TestServer) {
    for (kind, body) in [
        (
            "products",
            json!({ "code": "ROMAINE", "name": "Romaine lettuce, field run", "uom": "KGM",
                    "gtin": "00614141000050", "food_traceability_list": true }),
        ),
        (
            "products",
            json!({ "code": "HEARTS", "name": "Romaine hearts, 12 x 3 ct case", "uom": "KGM",
                    "gtin": "00614141123452", "food_traceability_list": true }),
        ),
        (
            "products",
            json!({ "code": "CUCUMBER", "name": "Cucumbers, whole", "uom": "KGM",
                    "gtin": "00614141000067", "food_traceability_list": true }),
        ),
        (
            "products",
            json!({ "code": "SALAD", "name": "Garden salad mix", "uom": "KGM",
                    "gtin": "04012345111118", "food_traceability_list": true }),
        ),
        (
            "products",
            json!({ "code": "BAGS", "name": "Salad bags", "uom": "H87" }),
        ),
        (
            "locations",
            json!({ "code": "PACK", "name": "Fresh Pack Co. Salinas", "kind": "site",
                    "gln": "4012345000016", "address": "100 Abbott St, Salinas, CA 93901, US",
                    "phone": "+1 831 555 0100" }),
        ),
        (
            "locations",
            json!({ "code": "COLD", "name": "Cold room", "kind": "zone", "parent": "PACK" }),
        ),
        (
            "locations",
            json!({ "code": "LINE", "name": "Packing line", "kind": "zone", "parent": "PACK" }),
        ),
        (
            "parties",
            json!({ "code": "FARM", "name": "Green Valley Farms", "roles": ["supplier"],
                    "gln": "0614141000012", "location_gln": "0614141000029",
                    "address": "Rural Route 5, Gonzales, CA 93926, US", "phone": "+1 831 555 0142" }),
        ),
        (
            "parties",
            json!({ "code": "CUKEPACK", "name": "Sunny Cucumber Packers", "roles": ["supplier"],
                    "location_gln": "0614141000036",
                    "address": "9 Canal Rd, Yuma, AZ 85364, US", "phone": "+1 928 555 0199" }),
        ),
        (
            "parties",
            json!({ "code": "DC", "name": "Bay Fresh Distribution", "roles": ["customer"],
                    "location_gln": "0614141000043",
                    "address": "1 Dock Way, Oakland, CA 94607, US", "phone": "+1 510 555 0111" }),
        ),
        (
            "parties",
            // No phone: the shipment to it misses part of a KDE, and the row says so.
            json!({ "code": "SHOP", "name": "Harbor Market", "roles": ["customer"],
                    "address": "5 Pier St, Monterey, CA 93940, US" }),
        ),
    ] {
        let (status, answer) = server.post(&format!("/api/v1/master/{kind}"), &body).await;
        assert_eq!(status, 201, "{kind}: {answer}");
    }
}

/// The farm's harvest record, as its system sends it to us (EPCIS 2.0 JSON-LD).
fn harvest_document() -> Value {
    json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                     { "lotrace": "https://ns.lotrace.org/epcis/" }],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T07:05:00Z",
        "epcisBody": { "eventList": [{
            "type": "ObjectEvent",
            "eventID": HARVEST_EVENT,
            "eventTime": "2026-03-01T07:00:00Z",
            "eventTimeZoneOffset": "+00:00",
            "action": "ADD",
            "bizStep": "commissioning",
            "disposition": "active",
            "readPoint": { "id": "https://id.gs1.org/414/0614141000029" },
            "bizLocation": { "id": "https://id.gs1.org/414/0614141000029" },
            "quantityList": [{ "epcClass": ROMAINE_LOT, "quantity": 500, "uom": "KGM" }],
            "bizTransactionList": [{ "type": "bol", "bizTransaction": "urn:epcglobal:cbv:bt:0614141000012:HB-77" }],
            "ilmd": { "cbvmda:harvestStartDate": "2026-03-01", "lotrace:growingArea": "Field 7" },
        }]},
    })
}

/// The chain: harvest at the farm, receipt of the field-run romaine (with its harvest and
/// cooling KDEs), initial packing into romaine hearts, receipt of packed cucumbers with
/// their TLC and its source, a pallet of hearts shipped to a distributor, a salad made of
/// hearts and cucumbers (no production order: a KDE missing), the salad shipped to a shop
/// (no phone on file: a KDE missing), and one more cucumber lot outside the salad's chain.
/// Returns the eventIDs by step.
async fn chain(server: &TestServer) -> BTreeMap<&'static str, String> {
    master_data(server).await;
    let mut ids = BTreeMap::new();
    let (status, job) = server.post("/epcis/capture", &harvest_document()).await;
    assert_eq!(status, 202, "{job}");
    assert_eq!(job["eventsStored"], 1, "{job}");
    ids.insert("harvest", HARVEST_EVENT.to_owned());
    let mut sscc = String::new();
    for (step, name, mut body) in [
        (
            "receive_romaine",
            "receive",
            json!({ "product": "ROMAINE", "lot": "H-0301", "supplier": "FARM", "location": "COLD",
                    "quantity": 500, "harvest_date": "2026-03-01", "growing_area": "Field 7",
                    "cooling_location": "Green Valley hydrocooler, Gonzales, CA",
                    "cooling_date": "2026-03-01", "bill_of_lading": "BOL-4411",
                    "time": "2026-03-01T12:00:00Z" }),
        ),
        (
            "initial_packing",
            "produce",
            json!({ "product": "HEARTS", "lot": "P0302", "quantity": 480, "location": "LINE",
                    "inputs": [{ "product": "ROMAINE", "lot": "H-0301", "quantity": 500, "location": "COLD" }],
                    "production_order": "PR-88", "time": "2026-03-02T09:00:00Z" }),
        ),
        (
            "receive_cucumbers",
            "receive",
            json!({ "product": "CUCUMBER", "lot": "C-9", "supplier_lot": "CK-2026-031",
                    "supplier": "CUKEPACK", "location": "COLD", "quantity": 200,
                    "tlc_source": "CUKEPACK", "purchase_order": "PO-5001",
                    "time": "2026-03-02T10:00:00Z" }),
        ),
        (
            "pack",
            "pack",
            json!({ "location": "LINE", "lots": [{ "product": "HEARTS", "lot": "P0302", "quantity": 200 }],
                    "time": "2026-03-02T15:00:00Z" }),
        ),
        (
            "ship_pallet",
            "ship",
            json!({ "customer": "DC", "location": "LINE", "containers": ["SSCC"],
                    "despatch_advice": "ASN-31", "time": "2026-03-02T16:00:00Z" }),
        ),
        (
            "transformation",
            "produce",
            json!({ "product": "SALAD", "lot": "S-0303", "quantity": 300, "location": "LINE",
                    "inputs": [{ "product": "HEARTS", "lot": "P0302", "quantity": 200 },
                               { "product": "CUCUMBER", "lot": "C-9", "quantity": 120, "location": "COLD" }],
                    "time": "2026-03-03T08:00:00Z" }),
        ),
        (
            "ship_salad",
            "ship",
            json!({ "customer": "SHOP", "location": "LINE",
                    "lots": [{ "product": "SALAD", "lot": "S-0303", "quantity": 250 }],
                    "purchase_order": "SO-12", "invoice": "INV-900",
                    "time": "2026-03-03T15:00:00Z" }),
        ),
        (
            "receive_other",
            "receive",
            json!({ "product": "CUCUMBER", "lot": "C-10", "supplier_lot": "CK-2026-040",
                    "supplier": "CUKEPACK", "location": "COLD", "quantity": 90,
                    "tlc_source": "0614141000036", "purchase_order": "PO-5002",
                    "time": "2026-03-04T10:00:00Z" }),
        ),
    ] {
        if step == "ship_pallet" {
            body["containers"] = json!([sscc]);
        }
        let (status, answer) = server.post(&format!("/api/v1/ops/{name}"), &body).await;
        assert_eq!(status, 201, "{step}: {answer}");
        if step == "pack" {
            sscc = answer["sscc"].as_str().unwrap().to_owned();
        }
        let last = answer["event_ids"].as_array().unwrap().last().unwrap();
        ids.insert(step, last.as_str().unwrap().to_owned());
    }
    ids
}

/// The columns in the spreadsheet's order.
const COLUMNS: [&str; 36] = [
    "Traceability lot code (TLC)",
    "Critical tracking event",
    "Event date",
    "Event time (UTC)",
    "Product description",
    "GTIN",
    "Quantity",
    "Unit of measure",
    "TLC source location",
    "TLC source reference",
    "Location of the event",
    "Location of the event GLN",
    "Immediate subsequent recipient",
    "Immediate subsequent recipient GLN",
    "Immediate previous source",
    "Immediate previous source GLN",
    "Input TLC or lot code",
    "Input product description",
    "Input quantity",
    "Input unit of measure",
    "Date received",
    "Quantity received",
    "Unit received",
    "Farm where harvested",
    "Field or growing area",
    "Harvester business name",
    "Harvester phone",
    "Harvest date",
    "Cooling location",
    "Cooling date",
    "Reference document type",
    "Reference document number",
    "Missing KDEs",
    "21 CFR section",
    "EPCIS event ID",
    "lotrace lot identifier",
];

/// The columns that hold dates (the rest of the date cells are instants).
const DATE_COLUMNS: [&str; 5] = [
    "Event date",
    "Date received",
    "Harvest date",
    "Cooling date",
    "Event time (UTC)",
];

/// A row worked out by hand: the cells given, every other cell empty.
fn row(cells: &[(&str, &str)]) -> Vec<String> {
    for (c, _) in cells {
        assert!(COLUMNS.contains(c), "no column {c:?}");
    }
    COLUMNS
        .iter()
        .map(|col| {
            cells
                .iter()
                .find(|(c, _)| c == col)
                .map(|(_, v)| (*v).to_owned())
                .unwrap_or_default()
        })
        .collect()
}

/// The rows of the salad's whole chain, worked out by hand from the operations above:
/// sorted by TLC, then event time.
fn expected_chain(ids: &BTreeMap<&str, String>) -> Vec<Vec<String>> {
    let salad_common = |input: &str, product: &str, qty: &str| {
        row(&[
            ("Traceability lot code (TLC)", "S-0303"),
            ("Critical tracking event", "Transformation"),
            ("Event date", "2026-03-03"),
            ("Event time (UTC)", "2026-03-03T08:00:00Z"),
            ("Product description", "Garden salad mix"),
            ("GTIN", "04012345111118"),
            ("Quantity", "300"),
            ("Unit of measure", "KGM"),
            ("TLC source location", PACK_LINE),
            ("TLC source reference", "GLN 4012345000016"),
            ("Location of the event", PACK_LINE),
            ("Location of the event GLN", "4012345000016"),
            ("Input TLC or lot code", input),
            ("Input product description", product),
            ("Input quantity", qty),
            ("Input unit of measure", "KGM"),
            ("Missing KDEs", "Reference document number"),
            ("21 CFR section", "21 CFR 1.1350(a)"),
            ("EPCIS event ID", &ids["transformation"]),
            ("lotrace lot identifier", SALAD_LOT),
        ])
    };
    vec![
        row(&[
            ("Traceability lot code (TLC)", "CK-2026-031"),
            ("Critical tracking event", "Receiving"),
            ("Event date", "2026-03-02"),
            ("Event time (UTC)", "2026-03-02T10:00:00Z"),
            ("Product description", "Cucumbers, whole"),
            ("GTIN", "00614141000067"),
            ("Quantity", "200"),
            ("Unit of measure", "KGM"),
            ("TLC source location", CUKES),
            ("TLC source reference", "GLN 0614141000036"),
            ("Location of the event", PACK_COLD),
            ("Location of the event GLN", "4012345000016"),
            ("Immediate previous source", CUKES),
            ("Immediate previous source GLN", "0614141000036"),
            ("Reference document type", "PO"),
            ("Reference document number", "PO-5001"),
            ("21 CFR section", "21 CFR 1.1345(a)"),
            ("EPCIS event ID", &ids["receive_cucumbers"]),
            ("lotrace lot identifier", CUKE_LOT),
        ]),
        row(&[
            ("Traceability lot code (TLC)", "P0302"),
            ("Critical tracking event", "Harvesting"),
            ("Event date", "2026-03-01"),
            ("Event time (UTC)", "2026-03-01T07:00:00Z"),
            ("Product description", "Romaine lettuce, field run"),
            ("GTIN", "00614141000050"),
            ("Quantity", "500"),
            ("Unit of measure", "KGM"),
            ("Location of the event", FARM),
            ("Location of the event GLN", "0614141000029"),
            ("Immediate subsequent recipient", PACK_COLD),
            ("Immediate subsequent recipient GLN", "4012345000016"),
            ("Farm where harvested", FARM),
            ("Field or growing area", "Field 7"),
            ("Harvest date", "2026-03-01"),
            ("Reference document type", "BOL"),
            ("Reference document number", "HB-77"),
            ("21 CFR section", "21 CFR 1.1325(a)"),
            ("EPCIS event ID", &ids["harvest"]),
            ("lotrace lot identifier", ROMAINE_LOT),
        ]),
        row(&[
            ("Traceability lot code (TLC)", "P0302"),
            ("Critical tracking event", "Initial packing"),
            ("Event date", "2026-03-02"),
            ("Event time (UTC)", "2026-03-02T09:00:00Z"),
            ("Product description", "Romaine hearts, 12 x 3 ct case"),
            ("GTIN", "00614141123452"),
            ("Quantity", "480"),
            ("Unit of measure", "KGM"),
            ("TLC source location", PACK_LINE),
            ("TLC source reference", "GLN 4012345000016"),
            ("Location of the event", PACK_LINE),
            ("Location of the event GLN", "4012345000016"),
            ("Input TLC or lot code", "H-0301"),
            ("Input product description", "Romaine lettuce, field run"),
            ("Input quantity", "500"),
            ("Input unit of measure", "KGM"),
            ("Date received", "2026-03-01"),
            ("Quantity received", "500"),
            ("Unit received", "KGM"),
            ("Farm where harvested", FARM),
            ("Field or growing area", "Field 7"),
            ("Harvester business name", "Green Valley Farms"),
            ("Harvester phone", "+1 831 555 0142"),
            ("Harvest date", "2026-03-01"),
            ("Cooling location", "Green Valley hydrocooler, Gonzales, CA"),
            ("Cooling date", "2026-03-01"),
            ("Reference document type", "Production order"),
            ("Reference document number", "PR-88"),
            ("21 CFR section", "21 CFR 1.1330(a)"),
            ("EPCIS event ID", &ids["initial_packing"]),
            ("lotrace lot identifier", HEARTS_LOT),
        ]),
        row(&[
            ("Traceability lot code (TLC)", "P0302"),
            ("Critical tracking event", "Shipping"),
            ("Event date", "2026-03-02"),
            ("Event time (UTC)", "2026-03-02T16:00:00Z"),
            ("Product description", "Romaine hearts, 12 x 3 ct case"),
            ("GTIN", "00614141123452"),
            ("Quantity", "200"),
            ("Unit of measure", "KGM"),
            ("TLC source location", PACK_LINE),
            ("TLC source reference", "GLN 4012345000016"),
            ("Location of the event", PACK_LINE),
            ("Location of the event GLN", "4012345000016"),
            ("Immediate subsequent recipient", DC),
            ("Immediate subsequent recipient GLN", "0614141000043"),
            ("Reference document type", "ASN"),
            ("Reference document number", "ASN-31"),
            ("21 CFR section", "21 CFR 1.1340"),
            ("EPCIS event ID", &ids["ship_pallet"]),
            ("lotrace lot identifier", HEARTS_LOT),
        ]),
        salad_common("CK-2026-031", "Cucumbers, whole", "120"),
        salad_common("P0302", "Romaine hearts, 12 x 3 ct case", "200"),
        row(&[
            ("Traceability lot code (TLC)", "S-0303"),
            ("Critical tracking event", "Shipping"),
            ("Event date", "2026-03-03"),
            ("Event time (UTC)", "2026-03-03T15:00:00Z"),
            ("Product description", "Garden salad mix"),
            ("GTIN", "04012345111118"),
            ("Quantity", "250"),
            ("Unit of measure", "KGM"),
            ("TLC source location", PACK_LINE),
            ("TLC source reference", "GLN 4012345000016"),
            ("Location of the event", PACK_LINE),
            ("Location of the event GLN", "4012345000016"),
            ("Immediate subsequent recipient", SHOP),
            ("Reference document type", "PO; Invoice"),
            ("Reference document number", "SO-12; INV-900"),
            ("Missing KDEs", "Immediate subsequent recipient (phone)"),
            ("21 CFR section", "21 CFR 1.1340"),
            ("EPCIS event ID", &ids["ship_salad"]),
            ("lotrace lot identifier", SALAD_LOT),
        ]),
    ]
}

async fn download(server: &TestServer, query: &[(&str, &str)]) -> (u16, String, Vec<u8>) {
    let url =
        reqwest::Url::parse_with_params(&server.url("/api/v1/exports/fsma204"), query).unwrap();
    let response = server.client.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let media = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, media, response.bytes().await.unwrap().to_vec())
}

/// A cell as text: numbers as Rust writes them, dates as YYYY-MM-DD, instants as RFC 3339.
fn cell_text(cell: &Data, column: &str) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if column == "Event time (UTC)" {
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
            } else {
                assert!(DATE_COLUMNS.contains(&column), "{column} holds a date");
                assert_eq!((h, mi, s), (0, 0, 0), "{column} is a calendar date");
                format!("{y:04}-{mo:02}-{d:02}")
            }
        }
        other => panic!("unexpected cell {other:?} in {column}"),
    }
}

fn xlsx_rows(bytes: &[u8]) -> (Vec<Vec<String>>, Vec<Vec<Data>>, Vec<String>) {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let names = book.sheet_names();
    let sheet = book.worksheet_range("FSMA 204").unwrap();
    let mut rows = sheet.rows();
    let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header, COLUMNS.map(String::from).to_vec());
    let raw: Vec<Vec<Data>> = rows.map(|r| r.to_vec()).collect();
    let texts = raw
        .iter()
        .map(|r| {
            r.iter()
                .zip(COLUMNS)
                .map(|(c, col)| cell_text(c, col))
                .collect()
        })
        .collect();
    (texts, raw, names)
}

fn compare(found: &[Vec<String>], expected: &[Vec<String>]) {
    for (i, (f, e)) in found.iter().zip(expected).enumerate() {
        for (c, column) in COLUMNS.iter().enumerate() {
            assert_eq!(
                f[c],
                e[c],
                "row {} ({} {}), column {column:?}",
                i + 1,
                e[0],
                e[1]
            );
        }
    }
    assert_eq!(found.len(), expected.len(), "{found:#?}");
}

#[tokio::test]
async fn fsma204_spreadsheet_of_a_lots_whole_chain_reads_back_cell_by_cell() {
    let server = TestServer::start().await;
    let ids = chain(&server).await;
    let expected = expected_chain(&ids);

    let (status, media, bytes) = download(
        &server,
        &[
            ("lot", "SALAD:S-0303"),
            ("trace", "true"),
            ("format", "xlsx"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(
        media,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let (found, raw, sheets) = xlsx_rows(&bytes);
    assert_eq!(sheets, vec!["Summary", "FSMA 204", "Glossary"]);
    compare(&found, &expected);
    // Quantities and dates are real numbers and dates, so they sort as such.
    assert_eq!(raw[0][6], Data::Float(200.0));
    assert!(matches!(raw[0][2], Data::DateTime(_)));

    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
    let summary = book.worksheet_range("Summary").unwrap();
    let lines: Vec<String> = summary
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("=")
        })
        .collect();
    for line in [
        "Lots=SALAD:S-0303",
        "Rows (critical tracking events)=7",
        "Rows with missing KDEs=3",
        "Traceability lot codes=3",
    ] {
        assert!(lines.iter().any(|l| l == line), "{line} in {lines:#?}");
    }
    let glossary = book.worksheet_range("Glossary").unwrap();
    assert_eq!(glossary.height(), COLUMNS.len() + 1);

    // The same records as CSV: one table, the same cells (text a spreadsheet would run as a
    // formula, a phone number starting with '+', gets an apostrophe).
    let (status, media, bytes) = download(
        &server,
        &[
            ("lot", "SALAD:S-0303"),
            ("trace", "true"),
            ("format", "csv"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(media, "text/csv; charset=utf-8");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, COLUMNS.map(String::from).to_vec());
    let found: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let mut expected_csv = expected.clone();
    expected_csv[2][26] = "'+1 831 555 0142".into();
    compare(&found, &expected_csv);

    // Without --trace: only the salad's own records (its transformation and shipment).
    let (status, _, bytes) = download(&server, &[("lot", SALAD_LOT), ("format", "csv")]).await;
    assert_eq!(status, 200);
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let found: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    compare(&found, &expected[4..]);
    server.stop().await;
}

#[tokio::test]
async fn fsma204_by_product_and_dates_and_refusals() {
    let server = TestServer::start().await;
    let ids = chain(&server).await;

    // Cucumbers from 2 to 4 March: both receipts and the salad they went into.
    let (status, _, bytes) = download(
        &server,
        &[
            ("product", "CUCUMBER"),
            ("from", "2026-03-02"),
            ("to", "2026-03-04"),
            ("format", "xlsx"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    let (found, _, _) = xlsx_rows(&bytes);
    let summary: Vec<(&str, &str, &str)> = found
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str(), r[16].as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("CK-2026-031", "Receiving", ""),
            ("CK-2026-040", "Receiving", ""),
            ("S-0303", "Transformation", "CK-2026-031"),
        ]
    );
    // The second lot's TLC source was given as a GLN: the master data describes it.
    assert_eq!(found[1][8], CUKES);
    assert_eq!(found[1][9], "GLN 0614141000036");
    assert_eq!(found[1][34], ids["receive_other"]);

    // The window is inclusive and by the event's date: 3 March alone is the salad only.
    let (_, _, bytes) = download(
        &server,
        &[
            ("product", "CUCUMBER"),
            ("from", "2026-03-03"),
            ("to", "2026-03-03"),
        ],
    )
    .await;
    assert_eq!(xlsx_rows(&bytes).0.len(), 1);

    for (query, status, field) in [
        (vec![("format", "xlsx")], 400, "lot"),
        (vec![("lot", "SALAD:NOPE")], 400, "lot"),
        (
            vec![("product", "SALAD"), ("from", "2026-03-01")],
            400,
            "to",
        ),
        (
            vec![
                ("product", "BAGS"),
                ("from", "2026-03-01"),
                ("to", "2026-03-09"),
            ],
            400,
            "product",
        ),
        (
            vec![
                ("product", "SALAD"),
                ("from", "2026-03-09"),
                ("to", "2026-03-01"),
            ],
            400,
            "from",
        ),
        (
            vec![
                ("product", "SALAD"),
                ("from", "1 March"),
                ("to", "2026-03-01"),
            ],
            400,
            "from",
        ),
        (
            vec![("lot", "SALAD:S-0303"), ("format", "pdf")],
            400,
            "format",
        ),
        (vec![("lot", "SALAD:S-0303"), ("lots", "x")], 400, "lots"),
        (
            vec![("lot", "SALAD:S-0303"), ("product", "SALAD")],
            400,
            "product",
        ),
    ] {
        let (got, media, bytes) = download(&server, &query).await;
        let problem: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        assert_eq!(got, status, "{query:?}: {problem}");
        assert_eq!(media, "application/problem+json", "{query:?}");
        assert_eq!(problem["errors"][0]["field"], field, "{query:?}: {problem}");
    }
    server.stop().await;
}

#[tokio::test]
async fn receiving_a_food_traceability_list_product_asks_for_its_kdes() {
    let server = TestServer::start().await;
    master_data(&server).await;
    let base = json!({ "product": "CUCUMBER", "lot": "C-1", "supplier": "CUKEPACK",
                       "location": "COLD", "quantity": 10 });
    let with = |extra: Value| {
        let mut b = base.clone();
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    for (body, field, words) in [
        (with(json!({})), "purchase_order", "reference document"),
        (
            with(json!({ "purchase_order": "PO-1" })),
            "tlc_source",
            "traceability lot code",
        ),
        (
            with(json!({ "bill_of_lading": "B-1", "tlc_source": " " })),
            "tlc_source",
            "1 to 500",
        ),
    ] {
        let (status, problem) = server.post("/api/v1/ops/receive", &body).await;
        assert_eq!(status, 400, "{body}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains(words),
            "{problem}"
        );
    }
    // Nothing was received by the refused requests.
    let c1 = "https://id.gs1.org/01/00614141000067/10/C-1";
    assert!(server.app.lot(c1).await.unwrap().is_none());
    // With the KDEs it is received and they are on the event.
    let (status, done) = server
        .post(
            "/api/v1/ops/receive",
            &with(json!({ "bill_of_lading": "B-1", "tlc_source": "CUKEPACK" })),
        )
        .await;
    assert_eq!(status, 201, "{done}");
    let id = done["event_ids"][0].as_str().unwrap();
    let stored = server.store.events_by_id(id).await.unwrap();
    let event = serde_json::to_value(&stored[0].event).unwrap();
    assert_eq!(event["ilmd"]["lotrace:tlc"], "C-1", "{event}");
    assert_eq!(event["ilmd"]["lotrace:tlcSource"], "CUKEPACK", "{event}");
    assert_eq!(event["bizTransactionList"][0]["type"], "bol", "{event}");
    // A product off the list needs none of them.
    let (status, done) = server
        .post(
            "/api/v1/ops/receive",
            &json!({ "product": "BAGS", "lot": "B1", "supplier": "CUKEPACK",
                     "location": "COLD", "quantity": 10 }),
        )
        .await;
    assert_eq!(status, 201, "{done}");
    server.stop().await;
}

#[tokio::test]
async fn the_exports_page_downloads_and_the_receive_form_asks_for_fsma_kdes() {
    let server = TestServer::start().await;
    chain(&server).await;
    let text = |path: &str| {
        let url = server.url(path);
        let client = server.client.clone();
        async move {
            let r = client.get(url).send().await.unwrap();
            let status = r.status().as_u16();
            let media = r
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            (status, media, r.bytes().await.unwrap().to_vec())
        }
    };
    let (status, _, page) = text("/exports").await;
    assert_eq!(status, 200);
    let page = String::from_utf8(page).unwrap();
    assert!(
        page.contains(r#"<a href="/exports" aria-current="page">Exports</a>"#),
        "{page}"
    );
    assert!(page.contains(r#"action="/exports/fsma204""#), "{page}");
    assert!(page.contains(r#"<option value="SALAD">"#), "{page}");
    assert!(
        !page.contains(r#"<option value="BAGS">"#),
        "not on the list: {page}"
    );

    // The form's download is the same file as the API's.
    let (status, media, bytes) =
        text("/exports/fsma204?lot=SALAD%3AS-0303&trace=true&product=&from=&to=&format=csv").await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(media, "text/csv; charset=utf-8");
    let (_, _, api) = download(
        &server,
        &[
            ("lot", "SALAD:S-0303"),
            ("trace", "true"),
            ("format", "csv"),
        ],
    )
    .await;
    assert_eq!(bytes, api);

    // A refused request shows the message on the page, with what was typed kept.
    let (status, _, page) = text("/exports/fsma204?lot=SALAD%3ANOPE&format=xlsx").await;
    assert_eq!(status, 422);
    let page = String::from_utf8(page).unwrap();
    assert!(
        page.contains("no lot &quot;SALAD:NOPE&quot; is known")
            || page.contains("no lot &#34;SALAD:NOPE&#34; is known"),
        "{page}"
    );
    assert!(
        page.contains(r#"aria-invalid="true">SALAD:NOPE</textarea>"#),
        "{page}"
    );

    // The receiving form asks for the KDEs of a product on the Food Traceability List.
    let (_, _, form) = text("/ops/receive?product=CUCUMBER").await;
    let form = String::from_utf8(form).unwrap();
    assert!(form.contains(r#"name="tlc_source""#), "{form}");
    assert!(
        form.contains("FSMA 204: CUCUMBER is on the Food Traceability List"),
        "{form}"
    );
    let (_, _, form) = text("/ops/receive?product=BAGS").await;
    let form = String::from_utf8(form).unwrap();
    assert!(!form.contains("Food Traceability List"), "{form}");
    server.stop().await;
}

/// The export gathers its events through the identifier index; reading the whole log must
/// give the same sheet for every lot and product of the chain, before and after an error
/// declaration retracts a receipt.
#[tokio::test]
async fn gathered_records_equal_the_whole_logs_before_and_after_a_retraction() {
    use lotrace_app::Fsma204Request;
    let server = TestServer::start().await;
    let ids = chain(&server).await;
    let other_lot = "https://id.gs1.org/01/00614141000067/10/C-10";
    let day = |d: &str| d.parse::<jiff::civil::Date>().unwrap();
    let mut requests = Vec::new();
    for lot in [ROMAINE_LOT, HEARTS_LOT, CUKE_LOT, SALAD_LOT, other_lot] {
        for trace in [false, true] {
            requests.push(Fsma204Request {
                lots: vec![lot.to_owned()],
                trace,
                ..Fsma204Request::default()
            });
        }
    }
    for product in ["ROMAINE", "HEARTS", "CUCUMBER", "SALAD"] {
        for (from, to) in [("2026-03-01", "2026-03-31"), ("2026-03-03", "2026-03-03")] {
            requests.push(Fsma204Request {
                product: Some(product.to_owned()),
                from: Some(day(from)),
                to: Some(day(to)),
                ..Fsma204Request::default()
            });
        }
    }
    let same_both_ways = |request: Fsma204Request| {
        let app = server.app.clone();
        async move {
            let gathered = app.fsma204(&request).await.unwrap();
            let whole = app
                .fsma204(&Fsma204Request {
                    whole_log: true,
                    ..request.clone()
                })
                .await
                .unwrap();
            assert!(!gathered.whole_log && whole.whole_log);
            assert_eq!(gathered.sheet, whole.sheet, "{request:?}");
            assert!(gathered.events_read <= whole.events_read, "{request:?}");
            gathered
        }
    };
    let only_other = Fsma204Request {
        lots: vec![other_lot.to_owned()],
        ..Fsma204Request::default()
    };
    let before = same_both_ways(only_other.clone()).await;
    assert_eq!(before.sheet.rows.len(), 1, "C-10's receipt");
    assert_eq!(before.events_read, 1, "only the receipt is read");
    for request in requests.clone() {
        same_both_ways(request).await;
    }

    let stored = server
        .store
        .events_by_id(&ids["receive_other"])
        .await
        .unwrap();
    let mut declaration = serde_json::to_value(&stored[0].event).unwrap();
    declaration["errorDeclaration"] =
        json!({ "declarationTime": "2026-03-05T00:00:00Z", "reason": "incorrect_data" });
    let document = json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                     { "lotrace": "https://ns.lotrace.org/epcis/" }],
        "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-03-05T00:00:00Z",
        "epcisBody": { "eventList": [declaration] },
    });
    let (status, job) = server.post("/epcis/capture", &document).await;
    assert_eq!(status, 202, "{job}");
    let after = same_both_ways(only_other).await;
    assert!(after.sheet.rows.is_empty(), "the receipt is retracted");
    assert_eq!(after.events_read, 2, "the receipt and its declaration");
    for request in requests {
        same_both_ways(request).await;
    }
    server.stop().await;
}
