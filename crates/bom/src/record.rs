//! The electronic batch record of a produced lot, and where-used, assembled from the events
//! the application gathered, the lot states and the BOM and order records. Pure: the same
//! inputs give the same record.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use lotrace_core::Qty;
use lotrace_core::catalog::Catalog;
use lotrace_core::inventory::{Flow, LotState};
use lotrace_epcis::{Event, EventType};
use lotrace_report::{Cell, Column, Report, Table};
use serde::Serialize;
use serde_json::Value;

use crate::check::{Figures, batch_ref, figures};
use crate::model::{Bom, Order, Role};

/// One input line of a run, with where the lot came from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecordInput {
    pub input: usize,
    pub lot_id: String,
    pub product: Option<String>,
    pub lot: Option<String>,
    pub quantity: Option<Qty>,
    pub uom: Option<String>,
    /// The component it counted for, and as what; None: not in the BOM.
    pub component: Option<String>,
    pub role: Option<Role>,
    pub supplier: Option<String>,
    pub supplier_lot: Option<String>,
    pub expiry: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub override_rule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub override_reason: Option<String>,
    /// The events behind the line: the production, the staging move to the line, the
    /// receipt or production of the input lot.
    pub event_ids: Vec<String>,
}

/// One production run that made (part of) the lot.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecordRun {
    pub event_id: String,
    pub start: Option<String>,
    pub end: String,
    pub operator: Option<String>,
    pub equipment: Option<String>,
    pub location: Option<String>,
    pub line: Option<String>,
    pub output: Qty,
    pub uom: String,
    pub order: Option<String>,
    pub bom: Option<String>,
    pub bom_version: Option<u64>,
    pub inputs: Vec<RecordInput>,
    /// Consumed against expected and the yield, from the BOM version the run used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub figures: Option<Figures>,
}

/// A quality-control result recorded on the lot (an inspection event).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QcResult {
    pub event_id: String,
    pub time: String,
    pub result: Option<String>,
    pub disposition: Option<String>,
    pub operator: Option<String>,
    /// The inspection as recorded (measurements, certificate, notes), without prefixes.
    pub inspection: Value,
}

/// Something that did not go by the BOM: an override, a variance outside its allowance, a
/// yield below the minimum.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Deviation {
    pub event_id: String,
    pub kind: &'static str,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The electronic batch record of one produced lot.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BatchRecord {
    pub lot_id: String,
    pub product: Option<String>,
    pub lot: Option<String>,
    pub uom: Option<String>,
    pub produced: Qty,
    pub status: String,
    pub order: Option<Order>,
    pub bom: Option<Bom>,
    pub runs: Vec<RecordRun>,
    pub qc: Vec<QcResult>,
    pub deviations: Vec<Deviation>,
    pub generated_at: Timestamp,
}

fn ext_text(event: &Event, key: &str) -> Option<String> {
    event
        .extensions
        .get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// `{"lotrace:a": {"lotrace:b": 1}}` → `{"a": {"b": 1}}`.
fn unprefix(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    (
                        k.strip_prefix("lotrace:").unwrap_or(k).to_owned(),
                        unprefix(v),
                    )
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(unprefix).collect()),
        other => other.clone(),
    }
}

fn qty_of(q: &lotrace_epcis::QuantityElement) -> Option<Qty> {
    q.quantity
        .as_ref()
        .and_then(|n| Qty::from_json_number(n).ok())
}

/// What the batch record is built from.
pub struct RecordSources<'a> {
    pub catalog: &'a Catalog,
    /// The produced lot.
    pub lot: &'a LotState,
    /// Every event naming the lot (the application reads them from the log).
    pub events: &'a [Event],
    /// The lots consumed, by id, for their supplier, expiry and receipt.
    pub input_lots: &'a BTreeMap<String, LotState>,
    /// The BOM versions and orders the runs name.
    pub boms: &'a BTreeMap<(String, u64), Bom>,
    pub orders: &'a BTreeMap<String, Order>,
    pub today: Date,
    pub now: Timestamp,
}

/// The (order, BOM code, version) the produced events among `events` name, for the
/// application to load before `BatchRecord::build`.
pub fn referenced(events: &[Event]) -> Vec<(String, String, u64)> {
    let mut out: Vec<_> = events
        .iter()
        .filter_map(batch_ref)
        .map(|(o, b, v, _)| (o, b, v))
        .collect();
    out.sort();
    out.dedup();
    out
}

impl BatchRecord {
    pub fn build(s: &RecordSources) -> BatchRecord {
        let product = s.catalog.product_of_lot(&s.lot.id);
        let mut runs = Vec::new();
        let mut qc = Vec::new();
        let mut deviations = Vec::new();
        for event in s.events {
            let event_id = event.event_id.clone().unwrap_or_default();
            let makes_lot = event.event_type == EventType::TransformationEvent
                && event
                    .output_quantity_list
                    .iter()
                    .flatten()
                    .any(|q| q.epc_class == s.lot.id);
            if makes_lot {
                let run = Self::run(s, event, &event_id, &mut deviations);
                runs.push(run);
            } else if let Some(inspection) = event.extensions.get("lotrace:inspection") {
                let inspection = unprefix(inspection);
                qc.push(QcResult {
                    event_id,
                    time: event.event_time.text.clone(),
                    result: inspection
                        .get("result")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    disposition: event.disposition.clone(),
                    operator: ext_text(event, "lotrace:operator"),
                    inspection,
                });
            }
        }
        let first = runs.first();
        let order = first
            .and_then(|r| r.order.as_ref())
            .and_then(|o| s.orders.get(o))
            .cloned();
        let bom = first
            .and_then(|r| Some((r.bom.clone()?, r.bom_version?)))
            .and_then(|k| s.boms.get(&k))
            .cloned();
        BatchRecord {
            lot_id: s.lot.id.clone(),
            product: product.map(|p| p.code.clone()),
            lot: product.and_then(|p| p.lot_code_of(&s.lot.id)),
            uom: s.lot.uom.clone(),
            produced: s.lot.produced,
            status: s.lot.status(s.today).to_owned(),
            order,
            bom,
            runs,
            qc,
            deviations,
            generated_at: s.now,
        }
    }

    fn run(
        s: &RecordSources,
        event: &Event,
        event_id: &str,
        deviations: &mut Vec<Deviation>,
    ) -> RecordRun {
        let reference = batch_ref(event);
        let bom = reference
            .as_ref()
            .and_then(|(_, code, v, _)| s.boms.get(&(code.clone(), *v)));
        let overrides = reference.as_ref().map(|r| r.3.clone()).unwrap_or_default();
        let (output, uom) = event
            .output_quantity_list
            .iter()
            .flatten()
            .find(|q| q.epc_class == s.lot.id)
            .map(|q| {
                (
                    qty_of(q).unwrap_or_default(),
                    q.uom.clone().unwrap_or_default(),
                )
            })
            .unwrap_or_default();
        let mut inputs = Vec::new();
        let mut lines = Vec::new();
        for (i, q) in event.input_quantity_list.iter().flatten().enumerate() {
            let p = s.catalog.product_of_lot(&q.epc_class);
            let state = s.input_lots.get(&q.epc_class);
            let quantity = qty_of(q);
            let mut event_ids = vec![event_id.to_owned()];
            if let Some(state) = state {
                for entry in &state.ledger {
                    let staged =
                        entry.flow == Flow::Moved && entry.time == event.event_time.instant;
                    let origin = matches!(entry.flow, Flow::Received | Flow::Produced);
                    if (staged || origin) && !event_ids.contains(&entry.event) {
                        event_ids.push(entry.event.clone());
                    }
                }
            }
            let role = p.and_then(|p| bom.and_then(|b| b.role_of(&p.code)));
            if let (Some(p), Some(q)) = (p, quantity) {
                lines.push((i, p.code.clone(), q));
            }
            let over = overrides.iter().find(|(n, _, _)| *n == i);
            if let Some((_, rule, reason)) = over {
                deviations.push(Deviation {
                    event_id: event_id.to_owned(),
                    kind: "override",
                    detail: format!(
                        "input {i} ({}) consumed on an override of {rule}",
                        p.map(|p| p.code.as_str()).unwrap_or(&q.epc_class)
                    ),
                    reason: Some(reason.clone()),
                });
            }
            let attr = |key: &str| {
                state
                    .and_then(|s| s.attributes.get(key))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            inputs.push(RecordInput {
                input: i,
                lot_id: q.epc_class.clone(),
                product: p.map(|p| p.code.clone()),
                lot: p.and_then(|p| p.lot_code_of(&q.epc_class)),
                quantity,
                uom: q.uom.clone(),
                component: role.map(|(ci, _, _)| {
                    bom.map(|b| b.components[ci].product.clone())
                        .unwrap_or_default()
                }),
                role: role.map(|(_, r, _)| r),
                supplier: attr("lotrace:supplier"),
                supplier_lot: attr("lotrace:supplierLot"),
                expiry: state.and_then(|s| s.expiry),
                override_rule: over.map(|o| o.1.clone()),
                override_reason: over.map(|o| o.2.clone()),
                event_ids,
            });
        }
        let figures = bom.map(|b| figures(b, &lines, output));
        if let Some(f) = &figures {
            for v in f.variance.iter().filter(|v| !v.within_allowance) {
                deviations.push(Deviation {
                    event_id: event_id.to_owned(),
                    kind: "variance",
                    detail: format!(
                        "{}: consumed {} {} against {} expected ({:+}%), allowance {}",
                        v.component,
                        v.consumed.unwrap_or_default(),
                        v.uom,
                        v.expected,
                        v.variance_percent.unwrap_or_default(),
                        v.allowance
                    ),
                    reason: None,
                });
            }
            let y = &f.yield_figures;
            if y.below_minimum {
                deviations.push(Deviation {
                    event_id: event_id.to_owned(),
                    kind: "yield",
                    detail: format!(
                        "yield {}% is below the minimum of {}%",
                        y.yield_percent.unwrap_or_default(),
                        y.min_yield_percent.unwrap_or_default()
                    ),
                    reason: None,
                });
            }
        }
        let location = event
            .biz_location
            .as_ref()
            .or(event.read_point.as_ref())
            .map(|l| {
                s.catalog
                    .location_by_uri(&l.id)
                    .map(|l| l.code.clone())
                    .unwrap_or_else(|| l.id.clone())
            });
        RecordRun {
            event_id: event_id.to_owned(),
            start: ext_text(event, "lotrace:startTime"),
            end: event.event_time.text.clone(),
            operator: ext_text(event, "lotrace:operator"),
            equipment: ext_text(event, "lotrace:equipment"),
            location,
            line: event
                .ilmd
                .as_ref()
                .and_then(|m| m.get("lotrace:line"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            output,
            uom,
            order: reference.as_ref().map(|r| r.0.clone()),
            bom: reference.as_ref().map(|r| r.1.clone()),
            bom_version: reference.as_ref().map(|r| r.2),
            inputs,
            figures,
        }
    }

    /// The record as report tables, for the PDF (and XLSX) export.
    pub fn report(&self) -> Report {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let text = |v: &str| Cell::Text(v.to_owned());
        let otext = |v: &Option<String>| v.as_ref().map_or(Cell::Empty, |t| Cell::Text(t.clone()));
        let num = |q: Qty| Cell::Number(q.micro_units() as f64 / 1e6);
        let onum = |q: Option<Qty>| q.map_or(Cell::Empty, num);
        let mut r = Report::new(format!(
            "Batch record {} {}",
            opt(&self.product),
            opt(&self.lot)
        ));
        r.lines.push(("Lot".into(), self.lot_id.clone()));
        r.lines.push((
            "Produced".into(),
            format!("{} {}", self.produced, opt(&self.uom)),
        ));
        r.lines.push(("Status".into(), self.status.clone()));
        if let Some(o) = &self.order {
            r.lines.push((
                "Order".into(),
                format!(
                    "{} ({} {} planned at {}, {})",
                    o.id,
                    o.quantity,
                    o.uom,
                    o.location,
                    o.status.as_str()
                ),
            ));
        }
        if let Some(b) = &self.bom {
            r.lines.push(("BOM".into(), b.label()));
        }
        r.lines.push((
            "Deviations".into(),
            if self.deviations.is_empty() {
                "none".into()
            } else {
                self.deviations.len().to_string()
            },
        ));
        r.lines
            .push(("Generated".into(), self.generated_at.to_string()));
        let mut runs = Table::new(
            "Runs",
            vec![
                Column::text("Event"),
                Column::text("Start"),
                Column::text("End"),
                Column::text("Operator"),
                Column::text("Equipment"),
                Column::text("Location"),
                Column::text("Line"),
                Column::number("Output"),
                Column::text("Unit"),
                Column::number("Yield %"),
            ],
        );
        let mut inputs = Table::new(
            "Inputs",
            vec![
                Column::text("Run event"),
                Column::number("Line"),
                Column::text("Product"),
                Column::text("Lot"),
                Column::number("Quantity"),
                Column::text("Unit"),
                Column::text("Component"),
                Column::text("Supplier lot"),
                Column::date("Expiry"),
                Column::text("Override"),
                Column::text("Events"),
            ],
        );
        let mut variance = Table::new(
            "Consumed vs expected",
            vec![
                Column::text("Run event"),
                Column::text("Component"),
                Column::number("Expected"),
                Column::number("Consumed"),
                Column::number("Variance"),
                Column::number("Variance %"),
                Column::number("Allowance"),
                Column::text("Unit"),
                Column::text("Within"),
            ],
        );
        for run in &self.runs {
            let y = run
                .figures
                .as_ref()
                .and_then(|f| f.yield_figures.yield_percent);
            runs.rows.push(vec![
                text(&run.event_id),
                otext(&run.start),
                text(&run.end),
                otext(&run.operator),
                otext(&run.equipment),
                otext(&run.location),
                otext(&run.line),
                num(run.output),
                text(&run.uom),
                y.map_or(Cell::Empty, Cell::Number),
            ]);
            for i in &run.inputs {
                let component = match (&i.component, i.role) {
                    (Some(c), Some(Role::Substitute)) => format!("substitute for {c}"),
                    (Some(c), _) => c.clone(),
                    (None, _) => "not in BOM".into(),
                };
                let over = match (&i.override_rule, &i.override_reason) {
                    (Some(rule), Some(reason)) => Cell::Text(format!("{rule}: {reason}")),
                    _ => Cell::Empty,
                };
                inputs.rows.push(vec![
                    text(&run.event_id),
                    Cell::Integer(i.input as i64),
                    otext(&i.product),
                    otext(&i.lot),
                    onum(i.quantity),
                    otext(&i.uom),
                    Cell::Text(component),
                    otext(&i.supplier_lot),
                    i.expiry.map_or(Cell::Empty, Cell::Date),
                    over,
                    Cell::Text(i.event_ids.join(" ")),
                ]);
            }
            for v in run.figures.iter().flat_map(|f| &f.variance) {
                variance.rows.push(vec![
                    text(&run.event_id),
                    text(&v.component),
                    num(v.expected),
                    onum(v.consumed),
                    onum(v.variance),
                    v.variance_percent.map_or(Cell::Empty, Cell::Number),
                    num(v.allowance),
                    text(&v.uom),
                    text(if v.within_allowance { "yes" } else { "NO" }),
                ]);
            }
        }
        let mut qc = Table::new(
            "QC results",
            vec![
                Column::text("Event"),
                Column::text("Time"),
                Column::text("Result"),
                Column::text("Operator"),
                Column::text("Details"),
            ],
        );
        for q in &self.qc {
            qc.rows.push(vec![
                text(&q.event_id),
                text(&q.time),
                otext(&q.result),
                otext(&q.operator),
                Cell::Text(q.inspection.to_string()),
            ]);
        }
        let mut dev = Table::new(
            "Deviations",
            vec![
                Column::text("Event"),
                Column::text("Kind"),
                Column::text("Detail"),
                Column::text("Reason"),
            ],
        );
        for d in &self.deviations {
            dev.rows.push(vec![
                text(&d.event_id),
                text(d.kind),
                text(&d.detail),
                otext(&d.reason),
            ]);
        }
        r.tables = vec![runs, inputs, variance, qc, dev];
        r
    }
}

/// One BOM version that names a product.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BomUse {
    pub bom: String,
    pub version: u64,
    /// The product the BOM makes.
    pub product: String,
    /// The component the product is (or substitutes for).
    pub component: String,
    pub role: Role,
    pub quantity_per_unit: Qty,
}

/// One production that consumed a lot of the product (or the supplier lot).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProductionUse {
    pub event_id: String,
    pub time: Timestamp,
    pub input_lot: String,
    pub product: Option<String>,
    pub lot: Option<String>,
    pub supplier_lot: Option<String>,
    pub quantity: Option<Qty>,
    pub uom: Option<String>,
    /// The lots it went into.
    pub outputs: Vec<String>,
    pub order: Option<String>,
    pub bom: Option<String>,
    pub bom_version: Option<u64>,
}

/// Every BOM version and every production that used a product or a supplier lot.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WhereUsed {
    pub product: Option<String>,
    pub supplier_lot: Option<String>,
    pub boms: Vec<BomUse>,
    pub productions: Vec<ProductionUse>,
}

/// The BOM versions among `boms` in which `product` is a component or a substitute.
pub fn bom_uses(boms: &[Bom], product: &str) -> Vec<BomUse> {
    boms.iter()
        .filter_map(|b| {
            let (ci, role, q) = b.role_of(product)?;
            Some(BomUse {
                bom: b.code.clone(),
                version: b.version,
                product: b.product.clone(),
                component: b.components[ci].product.clone(),
                role,
                quantity_per_unit: q,
            })
        })
        .collect()
}

/// The consumptions of `lots` (from their ledgers), one per consuming event and lot; the
/// caller adds each event's order and BOM version (`with_batch`).
pub fn consumptions(catalog: &Catalog, lots: &[&LotState]) -> Vec<ProductionUse> {
    let mut out = Vec::new();
    for lot in lots {
        let p = catalog.product_of_lot(&lot.id);
        for entry in lot.ledger.iter().filter(|e| e.flow == Flow::Consumed) {
            out.push(ProductionUse {
                event_id: entry.event.clone(),
                time: entry.time,
                input_lot: lot.id.clone(),
                product: p.map(|p| p.code.clone()),
                lot: p.and_then(|p| p.lot_code_of(&lot.id)),
                supplier_lot: lot
                    .attributes
                    .get("lotrace:supplierLot")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                quantity: entry.quantity,
                uom: entry.uom.clone(),
                outputs: entry.related.clone(),
                order: None,
                bom: None,
                bom_version: None,
            });
        }
    }
    out.sort_by(|a, b| {
        (a.time, &a.event_id, &a.input_lot).cmp(&(b.time, &b.event_id, &b.input_lot))
    });
    out
}

impl ProductionUse {
    /// Adds what the consuming event says of its order and BOM version.
    pub fn with_batch(&mut self, event: &Event) {
        if let Some((order, bom, version, _)) = batch_ref(event) {
            self.order = Some(order);
            self.bom = Some(bom);
            self.bom_version = Some(version);
        }
    }
}
