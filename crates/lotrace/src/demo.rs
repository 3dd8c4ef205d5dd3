//! A small, realistic fresh-produce supply chain, so a new user has something to trace.
//!
//! Two farms harvest lettuce and carrots and ship them to FreshCut Foods; FreshCut (this
//! site) receives them, makes salad mix and coleslaw, palletises and ships to Metro
//! Distribution; the DC breaks one pallet, re-packs, and ships on to two Harbor Market stores.
//!
//! What happens at FreshCut is done the way an operator does it: master data, then
//! operations (receive, produce, pack, ship), which write the EPCIS events. What the farms and
//! the DC record arrives as their EPCIS documents, captured as partners send them; one farm
//! names its lot by GS1 Digital Link, the DC by EPC URN, as real partners do.

use anyhow::{Context, Result};
use lotrace_app::{App, MasterKind};
use lotrace_core::ops::Operation;
use serde_json::{Value, json};

/// The operator the demo's operations are recorded under.
const OPERATOR: &str = "demo";

/// eventIDs are fixed so that loading the demo twice stores it once.
fn id(n: u32) -> String {
    format!("urn:uuid:6c0f9a3e-5d2b-4e61-9b7a-0000000000{n:02}")
}

struct Site {
    name: &'static str,
    sgln: &'static str,
    pgln: &'static str,
}

const GREEN_VALLEY: Site = Site {
    name: "Green Valley Farms",
    sgln: "urn:epc:id:sgln:0614141.00001.0",
    pgln: "urn:epc:id:pgln:0614141.00001",
};
const SUNRISE: Site = Site {
    name: "Sunrise Growers",
    sgln: "urn:epc:id:sgln:0012345.00001.0",
    pgln: "urn:epc:id:pgln:0012345.00001",
};
const FRESHCUT: Site = Site {
    name: "FreshCut Foods, plant 1",
    sgln: "urn:epc:id:sgln:4012345.00001.0",
    pgln: "urn:epc:id:pgln:4012345.00001",
};
const METRO_DC: Site = Site {
    name: "Metro Distribution DC",
    sgln: "urn:epc:id:sgln:9521141.00001.0",
    pgln: "urn:epc:id:pgln:9521141.00001",
};
const STORE_12: Site = Site {
    name: "Harbor Market #12",
    sgln: "urn:epc:id:sgln:0088888.00012.0",
    pgln: "urn:epc:id:pgln:0088888.00000",
};
const STORE_27: Site = Site {
    name: "Harbor Market #27",
    sgln: "urn:epc:id:sgln:0088888.00027.0",
    pgln: "urn:epc:id:pgln:0088888.00000",
};

/// The names of the demo's parties and places, for display.
pub fn site_names() -> Vec<(&'static str, &'static str)> {
    [
        GREEN_VALLEY,
        SUNRISE,
        FRESHCUT,
        METRO_DC,
        STORE_12,
        STORE_27,
    ]
    .iter()
    .map(|s| (s.sgln, s.name))
    .collect()
}

/// The same lot as written in a GS1 Digital Link (GTIN 00614141123452).
const ROMAINE_A_DL: &str = "https://id.gs1.org/01/00614141123452/10/ROM-2611-A";
const ROMAINE_B: &str = "urn:epc:class:lgtin:0614141.012345.ROM-2611-B";
const CARROTS: &str = "urn:epc:class:lgtin:0012345.044444.CAR-2611-07";
const DC_PALLET: &str = "urn:epc:id:sscc:9521141.0000000010";

fn kg(class: &str, quantity: u32) -> Value {
    json!({ "epcClass": class, "quantity": quantity, "uom": "KGM" })
}

fn common(n: u32, kind: &str, time: &str) -> serde_json::Map<String, Value> {
    let Value::Object(map) = json!({
        "type": kind,
        "eventID": id(n),
        "eventTime": time,
        "eventTimeZoneOffset": "-08:00",
    }) else {
        unreachable!("json! of an object literal is an object")
    };
    map
}

fn event(n: u32, kind: &str, time: &str, fields: Value) -> Value {
    let mut e = Value::Object(common(n, kind, time));
    merge(&mut e, fields);
    e
}

fn harvest(n: u32, time: &str, farm: &Site, lot: &str, kg_harvested: u32, expiry: &str) -> Value {
    event(
        n,
        "ObjectEvent",
        time,
        json!({
            "action": "ADD",
            "bizStep": "commissioning",
            "disposition": "active",
            "quantityList": [kg(lot, kg_harvested)],
            "readPoint": { "id": farm.sgln },
            "bizLocation": { "id": farm.sgln },
            "ilmd": {
                "cbvmda:itemExpirationDate": expiry,
                "cbvmda:countryOfOrigin": "US",
            },
        }),
    )
}

fn ship(n: u32, time: &str, from: &Site, to: &Site, what: Value, po: &str) -> Value {
    let mut e = event(
        n,
        "ObjectEvent",
        time,
        json!({
            "action": "OBSERVE",
            "bizStep": "shipping",
            "disposition": "in_transit",
            "readPoint": { "id": from.sgln },
            "bizTransactionList": [
                { "type": "po", "bizTransaction": format!("urn:epcglobal:cbv:bt:{}:{po}", gln_of(to)) },
                { "type": "desadv", "bizTransaction": format!("urn:epcglobal:cbv:bt:{}:ASN-{po}", gln_of(from)) },
            ],
            "sourceList": [
                { "type": "owning_party", "source": from.pgln },
                { "type": "location", "source": from.sgln },
            ],
            "destinationList": [
                { "type": "owning_party", "destination": to.pgln },
                { "type": "location", "destination": to.sgln },
            ],
        }),
    );
    merge(&mut e, what);
    e
}

/// Adds the members of `extra` (an object, or null for nothing) to the event `target`.
fn merge(target: &mut Value, extra: Value) {
    if let (Value::Object(target), Value::Object(extra)) = (target, extra) {
        target.extend(extra);
    }
}

fn receive(n: u32, time: &str, from: &Site, to: &Site, what: Value, po: &str) -> Value {
    let mut shipped = ship(n, time, from, to, what, po);
    shipped["bizStep"] = json!("receiving");
    shipped["disposition"] = json!("in_progress");
    shipped["readPoint"] = json!({ "id": to.sgln });
    shipped["bizLocation"] = json!({ "id": to.sgln });
    shipped
}

/// A 13-digit GLN for business transaction URNs; these demo GLNs are fixed strings.
fn gln_of(site: &Site) -> &'static str {
    match site.sgln {
        s if s == GREEN_VALLEY.sgln => "0614141000012",
        s if s == SUNRISE.sgln => "0012345000010",
        s if s == FRESHCUT.sgln => "4012345000016",
        s if s == METRO_DC.sgln => "9521141000014",
        _ => "0088888000121",
    }
}

fn pack(n: u32, time: &str, action: &str, pallet: &str, children: Value, site: &Site) -> Value {
    let mut e = event(
        n,
        "AggregationEvent",
        time,
        json!({
            "action": action,
            "parentID": pallet,
            "bizStep": if action == "ADD" { "packing" } else { "unpacking" },
            "disposition": "in_progress",
            "readPoint": { "id": site.sgln },
            "bizLocation": { "id": site.sgln },
        }),
    );
    if !children.is_null() {
        e["childQuantityList"] = children;
    }
    e
}

fn document(events: Vec<Value>, created: &str) -> Value {
    json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created,
        "epcisBody": { "eventList": events },
    })
}

/// The demo's calendar: harvest on day 0, three days ago, so that its lots are fresh today.
/// Every site keeps Pacific time.
struct Calendar {
    harvest_day: jiff::civil::Date,
}

impl Calendar {
    const OFFSET: &'static str = "-08:00";

    fn new(today: jiff::civil::Date) -> Calendar {
        Calendar {
            harvest_day: today.saturating_sub(jiff::Span::new().days(3)),
        }
    }

    fn date(&self, day: i64) -> jiff::civil::Date {
        self.harvest_day.saturating_add(jiff::Span::new().days(day))
    }

    /// `day` days after the harvest, at local time `hh_mm`.
    fn at(&self, day: i64, hh_mm: &str) -> String {
        format!("{}T{hh_mm}:00{}", self.date(day), Self::OFFSET)
    }
}

/// What the farms send: harvests (with lot master data) and the shipments to FreshCut.
fn farm_document(cal: &Calendar) -> Value {
    let expiry = cal.date(14).to_string();
    let carrot_expiry = cal.date(30).to_string();
    document(
        vec![
            harvest(
                1,
                &cal.at(0, "06:00"),
                &GREEN_VALLEY,
                ROMAINE_A_DL,
                1200,
                &expiry,
            ),
            harvest(
                2,
                &cal.at(0, "06:30"),
                &GREEN_VALLEY,
                ROMAINE_B,
                900,
                &expiry,
            ),
            harvest(
                3,
                &cal.at(0, "07:00"),
                &SUNRISE,
                CARROTS,
                2000,
                &carrot_expiry,
            ),
            ship(
                4,
                &cal.at(0, "14:00"),
                &GREEN_VALLEY,
                &FRESHCUT,
                json!({ "quantityList": [kg(ROMAINE_A_DL, 1200), kg(ROMAINE_B, 500)] }),
                "PO-7781",
            ),
            ship(
                5,
                &cal.at(0, "15:00"),
                &SUNRISE,
                &FRESHCUT,
                json!({ "quantityList": [kg(CARROTS, 1500)] }),
                "PO-7782",
            ),
        ],
        &cal.at(0, "23:00"),
    )
}

/// What FreshCut made and packed, as the operations answered.
struct Made {
    salad_lots: [String; 2],
    pallets: [String; 3],
}

/// What the DC and the stores send: receipt of FreshCut's pallets, a re-pack, deliveries.
fn distribution_document(cal: &Calendar, made: &Made) -> Value {
    let pallets = |list: &[&str]| json!({ "epcList": list });
    let [p1, p2, p3] = [0, 1, 2].map(|i| made.pallets[i].as_str());
    let salad = |i: usize| format!("urn:epc:class:lgtin:4012345.011111.{}", made.salad_lots[i]);
    document(
        vec![
            receive(
                16,
                &cal.at(2, "05:30"),
                &FRESHCUT,
                &METRO_DC,
                pallets(&[p1, p2, p3]),
                "PO-55120",
            ),
            // The DC breaks pallet 2 (DELETE with no child list empties it) and builds a
            // mixed pallet.
            pack(
                17,
                &cal.at(2, "08:00"),
                "DELETE",
                p2,
                Value::Null,
                &METRO_DC,
            ),
            pack(
                18,
                &cal.at(2, "08:20"),
                "ADD",
                DC_PALLET,
                json!([kg(&salad(0), 400), kg(&salad(1), 150)]),
                &METRO_DC,
            ),
            ship(
                19,
                &cal.at(2, "10:00"),
                &METRO_DC,
                &STORE_12,
                pallets(&[p1]),
                "HM12-9001",
            ),
            ship(
                20,
                &cal.at(2, "10:30"),
                &METRO_DC,
                &STORE_27,
                pallets(&[DC_PALLET]),
                "HM27-9002",
            ),
            receive(
                21,
                &cal.at(2, "13:00"),
                &METRO_DC,
                &STORE_12,
                pallets(&[p1]),
                "HM12-9001",
            ),
            receive(
                22,
                &cal.at(2, "14:15"),
                &METRO_DC,
                &STORE_27,
                pallets(&[DC_PALLET]),
                "HM27-9002",
            ),
        ],
        &cal.at(2, "23:00"),
    )
}

/// FreshCut's master data: what an administrator enters once.
fn master_data() -> Vec<(MasterKind, Value)> {
    vec![
        (
            MasterKind::Product,
            json!({ "code": "ROMAINE", "name": "Romaine lettuce, field packed", "uom": "KGM",
            "gtin": "00614141123452", "shelf_life_days": 14, "required_at_receipt": ["supplier_lot"] }),
        ),
        (
            MasterKind::Product,
            json!({ "code": "CARROT", "name": "Carrots, bulk", "uom": "KGM",
            "gtin": "00012345444449", "required_at_receipt": ["supplier_lot"] }),
        ),
        (
            MasterKind::Product,
            json!({ "code": "SALAD", "name": "Garden salad mix", "uom": "KGM",
            "gtin": "04012345111118", "lot_template": "GSM-{yy}{doy:03}-{seq}", "shelf_life_days": 9 }),
        ),
        (
            MasterKind::Product,
            json!({ "code": "SLAW", "name": "Coleslaw", "uom": "KGM",
            "gtin": "04012345333336", "lot_template": "CSL-{yy}{doy:03}-{seq}", "shelf_life_days": 14 }),
        ),
        (
            MasterKind::Location,
            json!({ "code": "PLANT1", "name": FRESHCUT.name, "kind": "site", "gln": "4012345000016" }),
        ),
        (
            MasterKind::Location,
            json!({ "code": "DOCK", "name": "Receiving dock", "kind": "zone", "parent": "PLANT1" }),
        ),
        (
            MasterKind::Location,
            json!({ "code": "LINE1", "name": "Cut & wash line 1", "kind": "zone", "parent": "PLANT1" }),
        ),
        (
            MasterKind::Party,
            json!({ "code": "GREENVALLEY", "name": GREEN_VALLEY.name, "roles": ["supplier"], "gln": "0614141000012" }),
        ),
        (
            MasterKind::Party,
            json!({ "code": "SUNRISE", "name": SUNRISE.name, "roles": ["supplier"], "gln": "0012345000010" }),
        ),
        (
            MasterKind::Party,
            json!({ "code": "METRO", "name": METRO_DC.name, "roles": ["customer"], "gln": "9521141000014" }),
        ),
    ]
}

/// The production order the demo's first salad run is made against.
const BOM_ORDER: &str = "WO-3071";

/// FreshCut's salad recipe and the order its first run is made against.
async fn bom_data(app: &App, cal: &Calendar) -> Result<()> {
    app.create_bom(
        json!({ "code": "SALAD-STD", "product": "SALAD",
            "description": "Garden salad mix, standard recipe",
            "components": [
                { "product": "ROMAINE", "quantity_per_unit": 0.8, "scrap_allowance_percent": 2 },
                { "product": "CARROT", "quantity_per_unit": 0.3, "scrap_allowance_percent": 2 },
            ],
            "min_yield_percent": 95 }),
        OPERATOR,
    )
    .await
    .context("demo BOM (a bug in lotrace)")?;
    app.create_order(
        json!({ "id": BOM_ORDER, "product": "SALAD", "bom": "SALAD-STD", "quantity": 1000,
            "location": "LINE1", "planned_start": cal.at(1, "08:00"), "planned_end": cal.at(1, "10:00") }),
        OPERATOR,
    )
    .await
    .context("demo production order (a bug in lotrace)")?;
    Ok(())
}

/// Runs one of FreshCut's operations as an operator would.
async fn operate(app: &App, name: &str, body: Value) -> Result<lotrace_app::OpOutcome> {
    let operation = Operation::from_json(name, body)
        .map_err(|e| anyhow::anyhow!("demo {name} (a bug in lotrace): {e}"))?;
    app.run(&operation, name, OPERATOR)
        .await
        .map_err(|e| anyhow::anyhow!("demo {name} refused (a bug in lotrace): {e}"))
}

/// FreshCut's day (day 1): receipts, three productions, three pallets, one shipment.
async fn freshcut_day(app: &App, cal: &Calendar) -> Result<Made> {
    let receipts = [
        (
            "ROMAINE",
            "GREENVALLEY",
            1200,
            "ROM-2611-A",
            14,
            "PO-7781",
            "06:10",
        ),
        (
            "ROMAINE",
            "GREENVALLEY",
            500,
            "ROM-2611-B",
            14,
            "PO-7781",
            "06:11",
        ),
        (
            "CARROT",
            "SUNRISE",
            1500,
            "CAR-2611-07",
            30,
            "PO-7782",
            "06:40",
        ),
    ];
    for (product, supplier, kg, lot, shelf_days, po, time) in receipts {
        operate(
            app,
            "receive",
            json!({ "product": product, "supplier": supplier, "location": "DOCK",
            "quantity": kg, "supplier_lot": lot, "expiry": cal.date(shelf_days).to_string(),
            "country_of_origin": "US", "purchase_order": po, "time": cal.at(1, time) }),
        )
        .await?;
    }
    let input = |product: &str, lot: &str, kg: u32| json!({ "product": product, "lot": lot, "quantity": kg, "location": "DOCK" });
    let productions = [
        (
            "SALAD",
            1000,
            "WO-3071",
            "09:00",
            vec![
                input("ROMAINE", "ROM-2611-A", 800),
                input("CARROT", "CAR-2611-07", 300),
            ],
        ),
        (
            "SALAD",
            1050,
            "WO-3072",
            "11:00",
            vec![
                input("ROMAINE", "ROM-2611-A", 400),
                input("ROMAINE", "ROM-2611-B", 500),
                input("CARROT", "CAR-2611-07", 200),
            ],
        ),
        (
            "SLAW",
            760,
            "WO-3073",
            "13:30",
            vec![input("CARROT", "CAR-2611-07", 800)],
        ),
    ];
    let mut lots = Vec::new();
    for (product, kg, order, time, inputs) in productions {
        let mut body = json!({ "product": product, "quantity": kg, "location": "LINE1",
            "production_order": order, "inputs": inputs, "time": cal.at(1, time) });
        if order == BOM_ORDER {
            // The BOM-driven run: checked against SALAD-STD v1, with its batch record.
            merge(
                &mut body,
                json!({ "order": order, "equipment": "Wash line W2", "started": cal.at(1, "08:10") }),
            );
        }
        let made = operate(app, "produce", body).await?;
        lots.extend(made.assigned_lots);
    }
    let [salad_1, salad_2, slaw_1] = <[String; 3]>::try_from(lots)
        .map_err(|lots| anyhow::anyhow!("demo: expected three new lots, got {lots:?}"))?;
    let line = |product: &str, lot: &str, kg: u32| json!({ "product": product, "lot": lot, "quantity": kg });
    let loads = [
        ("14:00", vec![line("SALAD", &salad_1, 600)]),
        (
            "14:10",
            vec![line("SALAD", &salad_1, 400), line("SALAD", &salad_2, 300)],
        ),
        (
            "14:20",
            vec![line("SALAD", &salad_2, 750), line("SLAW", &slaw_1, 760)],
        ),
    ];
    let mut pallets = Vec::new();
    for (time, lines) in loads {
        let packed = operate(
            app,
            "pack",
            json!({ "location": "LINE1", "lots": lines, "time": cal.at(1, time) }),
        )
        .await?;
        pallets.push(packed.sscc.context("demo: pack allocated no SSCC")?);
    }
    operate(
        app,
        "ship",
        json!({ "customer": "METRO", "location": "LINE1", "containers": pallets,
        "purchase_order": "PO-55120", "despatch_advice": "ASN-55120", "time": cal.at(1, "16:00") }),
    )
    .await?;
    let pallets = <[String; 3]>::try_from(pallets)
        .map_err(|p| anyhow::anyhow!("demo: expected three pallets, got {p:?}"))?;
    Ok(Made {
        salad_lots: [salad_1, salad_2],
        pallets,
    })
}

/// Loads the demo through the application: master data, partners' documents, operations.
/// Loading it into a store that has it already changes nothing.
pub async fn load(app: &App) -> Result<String> {
    let before = app.store().event_count().await?;
    if before > 0 && app.get(MasterKind::Product, "SALAD").await.is_ok() {
        return Ok(format!(
            "the demo supply chain is loaded already ({before} events in the store)"
        ));
    }
    for (kind, body) in master_data() {
        app.create(kind, body)
            .await
            .with_context(|| format!("demo master data {} (a bug in lotrace)", kind.as_str()))?;
    }
    let cal = Calendar::new(jiff::Zoned::now().date());
    capture(app, farm_document(&cal), "demo:farms").await?;
    bom_data(app, &cal).await?;
    let made = freshcut_day(app, &cal).await?;
    capture(app, distribution_document(&cal, &made), "demo:distribution").await?;
    let after = app.store().event_count().await?;
    Ok(format!(
        "demo supply chain: {} events across {} sites (the farms' and the DC's EPCIS documents, \
         FreshCut's operations)\nnext: `lotrace verify` checks the hash chain of the event log",
        after - before,
        site_names().len()
    ))
}

async fn capture(app: &App, document: Value, source: &str) -> Result<()> {
    let bytes = serde_json::to_vec(&document)?;
    let parsed = lotrace_epcis::parse_document(&bytes, &lotrace_epcis::Limits::default())
        .with_context(|| format!("the built-in {source} document is invalid (a bug in lotrace)"))?;
    app.capture(parsed.events, source).await?;
    Ok(())
}
