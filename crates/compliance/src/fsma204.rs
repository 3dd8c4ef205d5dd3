//! FDA FSMA 204: EPCIS events to Critical Tracking Events (CTEs) and their Key Data
//! Elements (KDEs), one spreadsheet row per CTE (per input lot for a transformation or an
//! initial packing), every KDE in its own column.
//!
//! How events map (lotrace's operations write these; a partner's events are read the same
//! way, and `lotrace:fsmaCte` on an event names its CTE outright):
//! - **Harvesting**: an ObjectEvent ADD with bizStep `commissioning` (the CBV's step for
//!   harvesting and catching) and a harvest date in its ILMD (`cbvmda:harvestStartDate`).
//! - **Cooling**: an ObjectEvent with `lotrace:fsmaCte` = `cooling` (the CBV has no step
//!   for it); a receipt's `lotrace:coolingLocation`/`coolingDate` feed the initial packing.
//! - **Initial packing**: a TransformationEvent with an input on the Food Traceability List
//!   (FTL) that has no traceability lot code (TLC) yet: a raw agricultural commodity that
//!   was harvested, or received with a harvest date and no TLC source.
//! - **Transformation**: any other TransformationEvent with an FTL output or input.
//! - **Shipping**: an ObjectEvent with bizStep `shipping` (a container ships what it held
//!   at that moment). Not before initial packing.
//! - **Receiving**: an ObjectEvent with bizStep `receiving` (returns included). Not before
//!   initial packing: a raw commodity's receipt feeds the initial packing row instead.
//! - **First land-based receiving**: a receiving event with `lotrace:fsmaCte` =
//!   `first_land_based_receiving`.
//!
//! The TLC of a lot: the lot code a transformation or initial packing assigned (its TLC
//! source is where that happened), or the code it was received with (`lotrace:tlc`, else
//! the supplier lot, else the lot number) with the TLC source recorded at receipt
//! (`lotrace:tlcSource`). Events retracted by an error declaration are left out.

use std::collections::{BTreeSet, HashMap, HashSet};

use jiff::Timestamp;
use jiff::civil::Date;
use lotrace_core::catalog::Catalog;
use lotrace_core::master::{NAMESPACE, Product};
use lotrace_epcis::{Event, EventType, QuantityElement};
use lotrace_report::{Cell, Column, Report, Table};
use serde_json::{Map, Value};

use crate::describe::{Place, Places};

/// The most rows one spreadsheet holds (an Excel sheet's rows less the header).
pub const MAX_ROWS: usize = lotrace_report::MAX_ROWS;
/// The most lots one selection names (before a trace widens it).
pub const MAX_SELECTED_LOTS: usize = 10_000;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ComplianceError {
    #[error("the selection gives {rows} rows, more than the {max} a spreadsheet holds; narrow it")]
    TooManyRows { rows: usize, max: usize },
    #[error("{field}: {message}")]
    Field { field: String, message: String },
}

/// A Critical Tracking Event of 21 CFR 1.1325-1.1350.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cte {
    Harvesting,
    Cooling,
    InitialPacking,
    FirstLandBasedReceiving,
    Transformation,
    Shipping,
    Receiving,
}

impl Cte {
    pub fn as_str(self) -> &'static str {
        match self {
            Cte::Harvesting => "Harvesting",
            Cte::Cooling => "Cooling",
            Cte::InitialPacking => "Initial packing",
            Cte::FirstLandBasedReceiving => "First land-based receiving",
            Cte::Transformation => "Transformation",
            Cte::Shipping => "Shipping",
            Cte::Receiving => "Receiving",
        }
    }

    /// The section of 21 CFR Part 1 that lists its KDEs.
    pub fn section(self) -> &'static str {
        match self {
            Cte::Harvesting => "1.1325(a)",
            Cte::Cooling => "1.1325(b)",
            Cte::InitialPacking => "1.1330(a)",
            Cte::FirstLandBasedReceiving => "1.1335",
            Cte::Transformation => "1.1350(a)",
            Cte::Shipping => "1.1340",
            Cte::Receiving => "1.1345(a)",
        }
    }

    fn from_word(word: &str) -> Option<Cte> {
        Some(match word {
            "harvesting" => Cte::Harvesting,
            "cooling" => Cte::Cooling,
            "initial_packing" => Cte::InitialPacking,
            "first_land_based_receiving" => Cte::FirstLandBasedReceiving,
            "transformation" => Cte::Transformation,
            "shipping" => Cte::Shipping,
            "receiving" => Cte::Receiving,
            _ => return None,
        })
    }
}

/// Which records the spreadsheet holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Selection {
    /// The CTEs of these lots (canonical identifiers): as subject, or as a transformation's
    /// input. The caller widens the set with a trace when the whole chain is wanted.
    Lots(BTreeSet<String>),
    /// The CTEs of one product (as subject or input), dated from `from` to `to` inclusive
    /// (the CTE's local date).
    Product {
        product: String,
        from: Date,
        to: Date,
    },
}

/// One row: one CTE of one traceability lot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Row {
    pub cte: Option<Cte>,
    pub tlc: Option<String>,
    /// The date of the CTE where the site was (harvest, cooling, packing, ship, receive,
    /// transformation completed, landing date).
    pub date: Option<Date>,
    pub time: Option<Timestamp>,
    pub product: Option<String>,
    pub gtin: Option<String>,
    pub quantity: Option<f64>,
    pub uom: Option<String>,
    pub tlc_source: Option<String>,
    pub tlc_source_reference: Option<String>,
    /// Where the CTE happened.
    pub location: Place,
    pub recipient: Place,
    pub previous_source: Place,
    pub input_lot: Option<String>,
    pub input_product: Option<String>,
    pub input_quantity: Option<f64>,
    pub input_uom: Option<String>,
    pub received_date: Option<Date>,
    pub received_quantity: Option<f64>,
    pub received_uom: Option<String>,
    pub farm: Option<String>,
    pub growing_area: Option<String>,
    pub harvester_name: Option<String>,
    pub harvester_phone: Option<String>,
    pub harvest_date: Option<Date>,
    pub cooling_location: Option<String>,
    pub cooling_date: Option<Date>,
    /// (type, number) of each reference document.
    pub documents: Vec<(String, String)>,
    /// The KDEs this CTE needs that the records do not hold, by column header.
    pub missing: Vec<String>,
    pub event_id: String,
    /// The lot the row is about (its identifier in lotrace).
    pub lot: String,
    /// Product codes and lots the row concerns, for the selection.
    product_code: Option<String>,
    input_product_code: Option<String>,
    input_lot_id: Option<String>,
}

/// The spreadsheet's rows, sorted by TLC, then event time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fsma204 {
    pub rows: Vec<Row>,
}

impl Fsma204 {
    /// Rows that miss at least one KDE.
    pub fn incomplete_rows(&self) -> usize {
        self.rows.iter().filter(|r| !r.missing.is_empty()).count()
    }
}

// Column headers: one per KDE, named the way the rule names them.
pub const COL_TLC: &str = "Traceability lot code (TLC)";
pub const COL_CTE: &str = "Critical tracking event";
pub const COL_DATE: &str = "Event date";
pub const COL_TIME: &str = "Event time (UTC)";
pub const COL_PRODUCT: &str = "Product description";
pub const COL_GTIN: &str = "GTIN";
pub const COL_QUANTITY: &str = "Quantity";
pub const COL_UOM: &str = "Unit of measure";
pub const COL_TLC_SOURCE: &str = "TLC source location";
pub const COL_TLC_SOURCE_REF: &str = "TLC source reference";
pub const COL_LOCATION: &str = "Location of the event";
pub const COL_LOCATION_GLN: &str = "Location of the event GLN";
pub const COL_RECIPIENT: &str = "Immediate subsequent recipient";
pub const COL_RECIPIENT_GLN: &str = "Immediate subsequent recipient GLN";
pub const COL_SOURCE: &str = "Immediate previous source";
pub const COL_SOURCE_GLN: &str = "Immediate previous source GLN";
pub const COL_INPUT_LOT: &str = "Input TLC or lot code";
pub const COL_INPUT_PRODUCT: &str = "Input product description";
pub const COL_INPUT_QUANTITY: &str = "Input quantity";
pub const COL_INPUT_UOM: &str = "Input unit of measure";
pub const COL_RECEIVED_DATE: &str = "Date received";
pub const COL_RECEIVED_QUANTITY: &str = "Quantity received";
pub const COL_RECEIVED_UOM: &str = "Unit received";
pub const COL_FARM: &str = "Farm where harvested";
pub const COL_FIELD: &str = "Field or growing area";
pub const COL_HARVESTER: &str = "Harvester business name";
pub const COL_HARVESTER_PHONE: &str = "Harvester phone";
pub const COL_HARVEST_DATE: &str = "Harvest date";
pub const COL_COOLING_LOCATION: &str = "Cooling location";
pub const COL_COOLING_DATE: &str = "Cooling date";
pub const COL_DOC_TYPE: &str = "Reference document type";
pub const COL_DOC_NUMBER: &str = "Reference document number";
pub const COL_MISSING: &str = "Missing KDEs";
pub const COL_SECTION: &str = "21 CFR section";
pub const COL_EVENT: &str = "EPCIS event ID";
pub const COL_LOT: &str = "lotrace lot identifier";

/// The sheet name of the rows.
pub const SHEET: &str = "FSMA 204";

/// Every column with what it holds, for the glossary the FDA asks for with the records.
const GLOSSARY: &[(&str, &str)] = &[
    (
        COL_TLC,
        "The traceability lot code of the food (21 CFR 1.1310): for a harvest or cooling, the code assigned at its initial packing.",
    ),
    (
        COL_CTE,
        "Harvesting, Cooling, Initial packing, First land-based receiving, Transformation, Shipping or Receiving.",
    ),
    (
        COL_DATE,
        "Harvest, cooling, packing, landing, transformation completed, ship or receive date, in the site's local time.",
    ),
    (COL_TIME, "The instant the event was recorded for, in UTC."),
    (
        COL_PRODUCT,
        "The product description (commodity and variety for a raw agricultural commodity).",
    ),
    (COL_GTIN, "The GS1 Global Trade Item Number of the product."),
    (
        COL_QUANTITY,
        "Quantity of the food in this CTE (the packed or transformed output, shipped, received).",
    ),
    (
        COL_UOM,
        "UN/ECE Recommendation 20 unit code: KGM kilogram, GRM gram, LBR pound, LTR litre, H87 piece, CS case, BX box.",
    ),
    (
        COL_TLC_SOURCE,
        "Location description (business name, address, phone) of where the TLC was assigned.",
    ),
    (
        COL_TLC_SOURCE_REF,
        "The TLC source reference: a GLN, a web address or an FDA Food Facility Registration Number.",
    ),
    (
        COL_LOCATION,
        "Where the CTE happened: the farm (harvesting), where cooled, packed, transformed, landed, shipped from or received.",
    ),
    (
        COL_LOCATION_GLN,
        "GS1 Global Location Number of that location.",
    ),
    (
        COL_RECIPIENT,
        "Location description of the immediate subsequent recipient (not a transporter): the ship-to location.",
    ),
    (
        COL_RECIPIENT_GLN,
        "GLN of the immediate subsequent recipient.",
    ),
    (
        COL_SOURCE,
        "Location description of the immediate previous source (not a transporter) of food received.",
    ),
    (COL_SOURCE_GLN, "GLN of the immediate previous source."),
    (
        COL_INPUT_LOT,
        "Transformation: the TLC of an input food; initial packing: the lot of the raw commodity packed.",
    ),
    (
        COL_INPUT_PRODUCT,
        "Product description of that input (the commodity and variety received, for initial packing).",
    ),
    (
        COL_INPUT_QUANTITY,
        "Quantity of that input used, in its unit of measure.",
    ),
    (COL_INPUT_UOM, "Unit of measure of the input quantity."),
    (
        COL_RECEIVED_DATE,
        "Initial packing: the date the raw commodity was received.",
    ),
    (
        COL_RECEIVED_QUANTITY,
        "Initial packing: the quantity of the raw commodity received.",
    ),
    (COL_RECEIVED_UOM, "Unit of the quantity received."),
    (
        COL_FARM,
        "Location description of the farm where the food was harvested.",
    ),
    (
        COL_FIELD,
        "The field or growing area name the grower uses (produce).",
    ),
    (COL_HARVESTER, "Business name of the harvester."),
    (COL_HARVESTER_PHONE, "Phone number of the harvester."),
    (COL_HARVEST_DATE, "The date of the harvest."),
    (
        COL_COOLING_LOCATION,
        "Where the raw commodity was cooled before initial packing, if it was.",
    ),
    (COL_COOLING_DATE, "The cooling date, if it was cooled."),
    (
        COL_DOC_TYPE,
        "Type of each reference document (PO purchase order, BOL bill of lading, ASN advance ship notice, Invoice, Production order, RMA); several are separated by '; ' in the same order as their numbers.",
    ),
    (COL_DOC_NUMBER, "Number of each reference document."),
    (
        COL_MISSING,
        "The Key Data Elements this CTE requires that the records do not hold, by column (a location description part in brackets). Empty: the row is complete.",
    ),
    (
        COL_SECTION,
        "The section of 21 CFR Part 1 that lists this CTE's KDEs.",
    ),
    (
        COL_EVENT,
        "The EPCIS 2.0 event the row comes from (lotrace keeps every event, unchanged).",
    ),
    (
        COL_LOT,
        "The lot's identifier in lotrace (GS1 Digital Link when it has a GTIN).",
    ),
];

const MISSING_SEPARATOR: &str = "; ";

/// The rows the selection asks for, from the events (in any order) and the master data.
pub fn build(
    catalog: &Catalog,
    mut events: Vec<Event>,
    selection: &Selection,
) -> Result<Fsma204, ComplianceError> {
    if let Selection::Lots(lots) = selection
        && lots.len() > MAX_SELECTED_LOTS
    {
        return Err(ComplianceError::Field {
            field: "lot".into(),
            message: format!(
                "{} lots exceed the limit of {MAX_SELECTED_LOTS}",
                lots.len()
            ),
        });
    }
    if let Selection::Product { from, to, .. } = selection
        && from > to
    {
        return Err(ComplianceError::Field {
            field: "from".into(),
            message: format!("{from} is after to ({to})"),
        });
    }
    canonicalize_identifiers(&mut events);
    let mut all: Vec<&Event> = events.iter().collect();
    let retracted: HashSet<&str> = all
        .iter()
        .filter(|e| e.error_declaration.is_some())
        .filter_map(|e| e.event_id.as_deref())
        .collect();
    all.retain(|e| {
        e.error_declaration.is_none()
            && e.event_id
                .as_deref()
                .is_none_or(|id| !retracted.contains(id))
    });
    // Stable: events of the same time keep the order they came in (log order).
    all.sort_by_key(|e| e.event_time.instant);
    let places = Places::new(catalog);
    let facts = Facts::gather(catalog, &all);
    let mut by_gtin = HashMap::new();
    for p in catalog.products.values() {
        if let Some(gtin) = &p.gtin {
            by_gtin.entry(gtin.as_str()).or_insert(p);
        }
    }
    let mut b = RowBuilder {
        catalog,
        by_gtin,
        places: &places,
        facts: &facts,
        selection,
        rows: Vec::new(),
        selected: 0,
    };
    let mut containers = Containers::default();
    for event in &all {
        b.event(event, &mut containers);
        if event.event_type == EventType::AggregationEvent {
            containers.apply(event);
        }
    }
    if b.selected > MAX_ROWS {
        return Err(ComplianceError::TooManyRows {
            rows: b.selected,
            max: MAX_ROWS,
        });
    }
    let mut rows = b.rows;
    rows.sort_by(|a, b| {
        (&a.tlc, a.time, a.cte, &a.event_id, &a.input_lot).cmp(&(
            &b.tlc,
            b.time,
            b.cte,
            &b.event_id,
            &b.input_lot,
        ))
    });
    Ok(Fsma204 { rows })
}

fn selected(row: &Row, selection: &Selection) -> bool {
    match selection {
        Selection::Lots(lots) => {
            lots.contains(&row.lot) || row.input_lot_id.as_ref().is_some_and(|l| lots.contains(l))
        }
        Selection::Product { product, from, to } => {
            let ours = row.product_code.as_deref() == Some(product.as_str())
                || row.input_product_code.as_deref() == Some(product.as_str());
            ours && row.date.is_some_and(|d| d >= *from && d <= *to)
        }
    }
}

/// Puts every identifier the rules read in its canonical form (the trace index's rule),
/// working each distinct one out once: parsing an identifier costs more than its row.
fn canonicalize_identifiers(events: &mut [Event]) {
    let mut known: HashMap<String, String> = HashMap::new();
    let mut canon = |id: &mut String| match known.get(id.as_str()) {
        Some(c) => {
            if c != id {
                id.clone_from(c);
            }
        }
        None => {
            let c = lotrace_trace::canonical(id).into_owned();
            let raw = std::mem::replace(id, c.clone());
            known.insert(raw, c);
        }
    };
    for e in events {
        for list in [
            &mut e.quantity_list,
            &mut e.child_quantity_list,
            &mut e.input_quantity_list,
            &mut e.output_quantity_list,
        ] {
            list.iter_mut()
                .flatten()
                .for_each(|q| canon(&mut q.epc_class));
        }
        for list in [&mut e.epc_list, &mut e.child_epcs] {
            list.iter_mut().flatten().for_each(&mut canon);
        }
        e.parent_id.iter_mut().for_each(&mut canon);
        for place in [&mut e.read_point, &mut e.biz_location] {
            place.iter_mut().for_each(|l| canon(&mut l.id));
        }
        e.source_list
            .iter_mut()
            .flatten()
            .for_each(|x| canon(&mut x.source));
        e.destination_list
            .iter_mut()
            .flatten()
            .for_each(|x| canon(&mut x.destination));
    }
}

/// A CBV word from any of its spellings (`shipping`, its URN, its web URI).
fn word(text: &str) -> &str {
    for prefix in [
        "https://ref.gs1.org/cbv/BizStep-",
        "urn:epcglobal:cbv:bizstep:",
        "https://ref.gs1.org/cbv/Disp-",
        "urn:epcglobal:cbv:disp:",
        "https://ref.gs1.org/cbv/SDT-",
        "urn:epcglobal:cbv:sdt:",
        "https://ref.gs1.org/cbv/BTT-",
        "urn:epcglobal:cbv:btt:",
    ] {
        if let Some(w) = text.strip_prefix(prefix) {
            return w;
        }
    }
    text
}

/// A lotrace extension member, as `lotrace:name` or the full IRI.
fn ours<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.get(&format!("lotrace:{name}"))
        .or_else(|| map.get(&format!("{NAMESPACE}{name}")))
}

fn text_of(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn date_of(value: Option<&Value>) -> Option<Date> {
    let text = value?.as_str()?;
    if let Ok(d) = text.parse::<Date>() {
        return Some(d);
    }
    text.parse::<jiff::Zoned>()
        .map(|z| z.date())
        .ok()
        .or_else(|| text.get(..10).and_then(|d| d.parse().ok()))
}

/// An ILMD member in any of the CBV's spellings (`cbvmda:x`, the URN, the web IRI).
fn cbvmda<'a>(event: &'a Event, name: &str) -> Option<&'a Value> {
    let ilmd = event.ilmd.as_ref()?;
    ilmd.get(&format!("cbvmda:{name}"))
        .or_else(|| ilmd.get(&format!("urn:epcglobal:cbv:mda:{name}")))
        .or_else(|| ilmd.get(&format!("https://ref.gs1.org/cbv/mda/{name}")))
}

fn ilmd_ours<'a>(event: &'a Event, name: &str) -> Option<&'a Value> {
    ours(event.ilmd.as_ref()?, name)
}

/// The event's local calendar date (the offset it was recorded with).
fn local_date(event: &Event) -> Date {
    let offset =
        jiff::tz::Offset::from_seconds(i32::from(event.event_time_zone_offset.minutes) * 60)
            .unwrap_or(jiff::tz::Offset::UTC);
    offset.to_datetime(event.event_time.instant).date()
}

fn fsma_cte(event: &Event) -> Option<Cte> {
    ours(&event.extensions, "fsmaCte")
        .and_then(Value::as_str)
        .and_then(Cte::from_word)
}

fn step(event: &Event) -> &str {
    event.biz_step.as_deref().map(word).unwrap_or("")
}

fn is_harvest(event: &Event) -> bool {
    event.event_type == EventType::ObjectEvent
        && event.action == Some(lotrace_epcis::Action::Add)
        && step(event) == "commissioning"
        && (cbvmda(event, "harvestStartDate").is_some()
            || cbvmda(event, "harvestEndDate").is_some())
}

/// Where an event happened: its bizLocation, else its readPoint.
fn event_location(event: &Event) -> Option<String> {
    event
        .biz_location
        .as_ref()
        .or(event.read_point.as_ref())
        .map(|l| l.id.clone())
}

fn source_of(event: &Event, kind: &str) -> Option<String> {
    event
        .source_list
        .as_ref()?
        .iter()
        .find(|s| word(&s.kind) == kind)
        .map(|s| s.source.clone())
}

fn destination_of(event: &Event, kind: &str) -> Option<String> {
    event
        .destination_list
        .as_ref()?
        .iter()
        .find(|d| word(&d.kind) == kind)
        .map(|d| d.destination.clone())
}

/// (type, number) of each business transaction, typed for a reader.
fn documents(event: &Event) -> Vec<(String, String)> {
    let Some(list) = &event.biz_transaction_list else {
        return Vec::new();
    };
    list.iter()
        .map(|t| {
            let kind = t.kind.as_deref().map(word).unwrap_or("");
            let label = match kind {
                "po" => "PO",
                "poc" => "PO confirmation",
                "inv" => "Invoice",
                "desadv" => "ASN",
                "recadv" => "Receiving advice",
                "bol" => "BOL",
                "prodorder" => "Production order",
                "rma" => "RMA",
                "" => "Document",
                other => other,
            };
            (label.to_owned(), document_number(&t.biz_transaction))
        })
        .collect()
}

/// The number inside a business-transaction URI (`urn:lotrace:bt:po:PO-1` is `PO-1`,
/// `urn:epcglobal:cbv:bt:GLN:ID` is `ID`); another URI is kept whole.
fn document_number(uri: &str) -> String {
    let tail = if let Some(rest) = uri.strip_prefix("urn:lotrace:bt:") {
        rest.split_once(':').map(|(_, n)| n)
    } else if let Some(rest) = uri.strip_prefix("urn:epcglobal:cbv:bt:") {
        rest.split_once(':').map(|(_, n)| n)
    } else {
        None
    };
    match tail {
        Some(n) => percent_encoding::percent_decode_str(n)
            .decode_utf8_lossy()
            .into_owned(),
        None => uri.to_owned(),
    }
}

fn number(q: &QuantityElement) -> Option<f64> {
    q.quantity.as_ref().and_then(|n| n.as_f64())
}

/// The unit of a quantity element: an element without one counts instances (pieces).
fn unit(q: &QuantityElement) -> String {
    q.uom
        .clone()
        .unwrap_or_else(|| lotrace_core::inventory::PIECE_UOM.to_owned())
}

/// What a lot's receipt recorded.
#[derive(Clone, Debug)]
struct Receipt<'e> {
    event: &'e Event,
    quantity: Option<f64>,
    uom: String,
    /// A raw agricultural commodity before initial packing: a harvest date, no TLC source.
    raw: bool,
}

/// What the whole log says about each lot, gathered before the rows are made.
#[derive(Default)]
struct Facts<'e> {
    /// The first receipt of each lot (returns not counted).
    receipts: HashMap<String, Receipt<'e>>,
    harvests: HashMap<String, &'e Event>,
    coolings: HashMap<String, &'e Event>,
    /// The transformation that made each lot.
    made_by: HashMap<String, &'e Event>,
    /// The transformations each lot went into.
    used_in: HashMap<String, Vec<&'e Event>>,
}

impl<'e> Facts<'e> {
    fn gather(catalog: &Catalog, events: &[&'e Event]) -> Facts<'e> {
        let _ = catalog;
        let mut f = Facts::default();
        for &e in events {
            match e.event_type {
                EventType::TransformationEvent => {
                    for q in e.output_quantity_list.iter().flatten() {
                        f.made_by.entry(q.epc_class.clone()).or_insert(e);
                    }
                    for q in e.input_quantity_list.iter().flatten() {
                        f.used_in.entry(q.epc_class.clone()).or_default().push(e);
                    }
                }
                EventType::ObjectEvent => {
                    let cte = fsma_cte(e);
                    let receiving = step(e) == "receiving"
                        && e.disposition.as_deref().map(word) != Some("returned");
                    for q in e.quantity_list.iter().flatten() {
                        let lot = q.epc_class.clone();
                        if cte == Some(Cte::Cooling) {
                            f.coolings.entry(lot.clone()).or_insert(e);
                        }
                        if cte == Some(Cte::Harvesting) || (cte.is_none() && is_harvest(e)) {
                            f.harvests.entry(lot.clone()).or_insert(e);
                        }
                        if receiving && cte != Some(Cte::FirstLandBasedReceiving) {
                            let raw = (cbvmda(e, "harvestStartDate").is_some()
                                || cbvmda(e, "harvestEndDate").is_some())
                                && ilmd_ours(e, "tlcSource").is_none();
                            f.receipts.entry(lot).or_insert(Receipt {
                                event: e,
                                quantity: number(q),
                                uom: unit(q),
                                raw,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        f
    }

    /// A raw agricultural commodity not yet initially packed: it has no TLC.
    fn is_raw(&self, lot: &str) -> bool {
        if self.made_by.contains_key(lot) {
            return false;
        }
        match self.receipts.get(lot) {
            Some(r) => r.raw,
            None => self.harvests.contains_key(lot) || self.coolings.contains_key(lot),
        }
    }
}

/// What each container holds, replayed from the aggregation events in time order.
#[derive(Default)]
struct Containers {
    lots: HashMap<String, Vec<(String, Option<f64>, String)>>,
    children: HashMap<String, Vec<String>>,
}

/// Containers nest at most this deep (a pallet of cases of packs).
pub const MAX_NESTING: usize = 8;

impl Containers {
    fn apply(&mut self, e: &Event) {
        let Some(parent) = e.parent_id.clone() else {
            return;
        };
        match e.action {
            Some(lotrace_epcis::Action::Add) => {
                let lots = self.lots.entry(parent.clone()).or_default();
                for q in e.child_quantity_list.iter().flatten() {
                    lots.push((q.epc_class.clone(), number(q), unit(q)));
                }
                let kids = self.children.entry(parent).or_default();
                kids.extend(e.child_epcs.iter().flatten().cloned());
            }
            Some(lotrace_epcis::Action::Delete) => {
                let named = e
                    .child_quantity_list
                    .as_ref()
                    .is_some_and(|l| !l.is_empty())
                    || e.child_epcs.as_ref().is_some_and(|l| !l.is_empty());
                if !named {
                    self.lots.remove(&parent);
                    self.children.remove(&parent);
                    return;
                }
                if let Some(lots) = self.lots.get_mut(&parent) {
                    for q in e.child_quantity_list.iter().flatten() {
                        let lot = q.epc_class.clone();
                        let mut take = number(q);
                        for held in lots.iter_mut().filter(|h| h.0 == lot) {
                            match (take, held.1) {
                                (Some(t), Some(h)) => {
                                    let used = t.min(h);
                                    held.1 = Some(h - used);
                                    take = Some(t - used);
                                }
                                _ => held.1 = Some(0.0),
                            }
                        }
                    }
                    lots.retain(|h| h.1 != Some(0.0));
                }
                if let Some(kids) = self.children.get_mut(&parent) {
                    let gone: HashSet<String> = e.child_epcs.iter().flatten().cloned().collect();
                    kids.retain(|k| !gone.contains(k));
                }
            }
            _ => {}
        }
    }

    /// Every lot line inside `container`, nested containers included.
    fn contents(
        &self,
        container: &str,
        depth: usize,
        out: &mut Vec<(String, Option<f64>, String)>,
    ) {
        if depth > MAX_NESTING {
            return;
        }
        out.extend(self.lots.get(container).into_iter().flatten().cloned());
        for child in self.children.get(container).into_iter().flatten() {
            self.contents(child, depth + 1, out);
        }
    }
}

/// A lot's TLC and where it was assigned.
struct Tlc {
    code: Option<String>,
    source: Place,
    reference: Option<String>,
}

struct RowBuilder<'a, 'e> {
    catalog: &'a Catalog,
    /// The products with a GTIN, the first in code order for each.
    by_gtin: HashMap<&'a str, &'a Product>,
    places: &'a Places<'a>,
    facts: &'a Facts<'e>,
    selection: &'a Selection,
    /// The selection's rows, up to one more than a sheet holds.
    rows: Vec<Row>,
    /// The selection's rows, counted on past the limit (for the refusal's message).
    selected: usize,
}

impl<'a, 'e> RowBuilder<'a, 'e> {
    /// Keeps a row the selection asks for: an answer never depends on rows of other lots.
    fn push(&mut self, row: Row) {
        if !selected(&row, self.selection) {
            return;
        }
        self.selected += 1;
        if self.rows.len() <= MAX_ROWS {
            self.rows.push(row);
        }
    }

    /// `Catalog::product_of_lot`, by GTIN for a GS1 lot: this runs for every lot line.
    fn product(&self, lot: &str) -> Option<&'a Product> {
        let gs1 = lot
            .strip_prefix("https://id.gs1.org/01/")
            .and_then(|rest| rest.split_once('/'))
            .filter(|(_, tail)| tail.starts_with("10/"));
        match gs1 {
            // Only a product with this GTIN can own the lot; the first in code order wins.
            Some((gtin, _)) => self.by_gtin.get(gtin).copied(),
            None => self.catalog.product_of_lot(lot),
        }
    }

    fn on_ftl(&self, lot: &str) -> bool {
        self.product(lot).is_some_and(|p| p.food_traceability_list)
    }

    /// The lot number inside a lot identifier: ours by product, else the AI (10) of a
    /// Digital Link, else the identifier itself.
    fn lot_code(&self, lot: &str) -> String {
        if let Some(code) = self.product(lot).and_then(|p| p.lot_code_of(lot)) {
            return code;
        }
        if let Some((_, tail)) = lot.split_once("/10/") {
            let code = tail.split(['/', '?']).next().unwrap_or(tail);
            return percent_encoding::percent_decode_str(code)
                .decode_utf8_lossy()
                .into_owned();
        }
        lot.to_owned()
    }

    fn place_at(&self, uri: Option<&str>) -> Place {
        match uri {
            Some(u) => self.places.by_uri(u),
            None => Place::unknown(),
        }
    }

    fn tlc(&self, lot: &str) -> Tlc {
        if let Some(t) = self.facts.made_by.get(lot) {
            let source = self.place_at(event_location(t).as_deref());
            let reference = source.gln.as_ref().map(|g| format!("GLN {g}"));
            return Tlc {
                code: Some(self.lot_code(lot)),
                source,
                reference,
            };
        }
        if let Some(r) = self.facts.receipts.get(lot) {
            if r.raw {
                return Tlc {
                    code: None,
                    source: Place::default(),
                    reference: None,
                };
            }
            let code = text_of(ilmd_ours(r.event, "tlc"))
                .or_else(|| text_of(ilmd_ours(r.event, "supplierLot")))
                .unwrap_or_else(|| self.lot_code(lot));
            let (source, reference) = match text_of(ilmd_ours(r.event, "tlcSource")) {
                Some(text) => self.places.typed(&text),
                None => (Place::unknown(), None),
            };
            return Tlc {
                code: Some(code),
                source,
                reference,
            };
        }
        Tlc {
            code: Some(self.lot_code(lot)),
            source: Place::unknown(),
            reference: None,
        }
    }

    /// A row with what every CTE of `lot` carries: TLC, product, the event.
    fn base(&self, cte: Cte, event: &Event, lot: &str) -> Row {
        let product = self.product(lot);
        Row {
            cte: Some(cte),
            date: Some(local_date(event)),
            time: Some(event.event_time.instant),
            product: product.map(|p| p.name.clone()),
            gtin: product.and_then(|p| p.gtin.clone()),
            product_code: product.map(|p| p.code.clone()),
            documents: documents(event),
            event_id: event.event_id.clone().unwrap_or_default(),
            lot: lot.to_owned(),
            location: self.place_at(event_location(event).as_deref()),
            ..Row::default()
        }
    }

    fn with_tlc(&self, row: &mut Row, lot: &str) {
        let tlc = self.tlc(lot);
        row.tlc = tlc.code;
        row.tlc_source = tlc.source.text.clone();
        row.tlc_source_reference = tlc.reference;
    }

    fn event(&mut self, e: &'e Event, containers: &mut Containers) {
        let explicit = fsma_cte(e);
        match e.event_type {
            EventType::TransformationEvent => {
                if matches!(
                    explicit,
                    None | Some(Cte::Transformation) | Some(Cte::InitialPacking)
                ) {
                    self.transformation(e, explicit);
                }
            }
            EventType::ObjectEvent => {
                let cte = explicit.or_else(|| {
                    if is_harvest(e) {
                        Some(Cte::Harvesting)
                    } else {
                        match step(e) {
                            "shipping" => Some(Cte::Shipping),
                            "receiving" => Some(Cte::Receiving),
                            _ => None,
                        }
                    }
                });
                let Some(cte) = cte else { return };
                let mut lines: Vec<(String, Option<f64>, String)> = e
                    .quantity_list
                    .iter()
                    .flatten()
                    .map(|q| (q.epc_class.clone(), number(q), unit(q)))
                    .collect();
                for c in e.epc_list.iter().flatten() {
                    containers.contents(c, 0, &mut lines);
                }
                for (lot, quantity, uom) in lines {
                    if !self.on_ftl(&lot) {
                        continue;
                    }
                    match cte {
                        Cte::Harvesting | Cte::Cooling => {
                            self.before_packing(cte, e, &lot, quantity, &uom)
                        }
                        Cte::Shipping | Cte::Receiving | Cte::FirstLandBasedReceiving => {
                            if self.facts.is_raw(&lot) {
                                continue;
                            }
                            self.movement(cte, e, &lot, quantity, &uom);
                        }
                        Cte::InitialPacking | Cte::Transformation => {}
                    }
                }
            }
            _ => {}
        }
    }

    /// Harvesting or cooling: one row per TLC the lot was later initially packed into.
    fn before_packing(&mut self, cte: Cte, e: &Event, lot: &str, q: Option<f64>, uom: &str) {
        let mut row = self.base(cte, e, lot);
        row.quantity = q;
        row.uom = Some(uom.to_owned());
        let receipt = self.facts.receipts.get(lot);
        row.recipient = match destination_of(e, "location") {
            Some(d) => self.places.by_uri(&d),
            None => match receipt {
                Some(r) => self.place_at(event_location(r.event).as_deref()),
                None => Place::unknown(),
            },
        };
        let farm = self.farm(lot, receipt);
        match cte {
            Cte::Harvesting => {
                row.farm = row.location.text.clone();
                row.harvest_date = date_of(cbvmda(e, "harvestStartDate"))
                    .or_else(|| date_of(cbvmda(e, "harvestEndDate")))
                    .or(row.date);
                row.date = row.harvest_date.or(row.date);
                row.growing_area = text_of(ilmd_ours(e, "growingArea"));
            }
            _ => {
                row.farm = farm.text.clone();
                row.cooling_location = row.location.text.clone();
                row.cooling_date = row.date;
            }
        }
        let mut need: Vec<(&str, bool)> = vec![
            (COL_PRODUCT, row.product.is_some()),
            (COL_QUANTITY, row.quantity.is_some()),
            (COL_FARM, row.farm.is_some()),
            (COL_DOC_NUMBER, !row.documents.is_empty()),
        ];
        if cte == Cte::Harvesting {
            need.push((COL_FIELD, row.growing_area.is_some()));
        }
        let mut missing = flags(&need);
        place_flags(&mut missing, COL_RECIPIENT, &row.recipient);
        place_flags(&mut missing, COL_LOCATION, &row.location);
        row.missing = missing;
        // Linked to the TLCs its initial packing assigned.
        let packed: Vec<String> = self
            .facts
            .used_in
            .get(lot)
            .into_iter()
            .flatten()
            .flat_map(|t| t.output_quantity_list.iter().flatten())
            .map(|o| o.epc_class.clone())
            .collect();
        if packed.is_empty() {
            self.push(row);
        } else {
            for out in packed {
                let mut r = row.clone();
                r.tlc = Some(self.lot_code(&out));
                self.push(r);
            }
        }
    }

    /// The farm a raw commodity came from: where it was harvested, else who supplied it.
    fn farm(&self, lot: &str, receipt: Option<&Receipt>) -> Place {
        if let Some(h) = self.facts.harvests.get(lot) {
            return self.place_at(event_location(h).as_deref());
        }
        match receipt {
            Some(r) => match source_of(r.event, "location") {
                Some(s) => self.places.by_uri(&s),
                None => self.place_at(source_of(r.event, "owning_party").as_deref()),
            },
            None => Place::unknown(),
        }
    }

    /// Shipping, receiving, first land-based receiving.
    fn movement(&mut self, cte: Cte, e: &Event, lot: &str, q: Option<f64>, uom: &str) {
        let mut row = self.base(cte, e, lot);
        row.quantity = q;
        row.uom = Some(uom.to_owned());
        self.with_tlc(&mut row, lot);
        let mut missing = Vec::new();
        match cte {
            Cte::Shipping => {
                if let Some(from) = source_of(e, "location") {
                    row.location = self.places.by_uri(&from);
                }
                row.recipient = match destination_of(e, "location") {
                    Some(d) => self.places.by_uri(&d),
                    None => self.place_at(destination_of(e, "owning_party").as_deref()),
                };
                place_flags(&mut missing, COL_RECIPIENT, &row.recipient);
            }
            Cte::FirstLandBasedReceiving => {
                // The first receiver on land assigns the TLC: the lot itself, here.
                row.tlc = Some(self.lot_code(lot));
                row.tlc_source = row.location.text.clone();
                row.tlc_source_reference = row.location.gln.as_ref().map(|g| format!("GLN {g}"));
                row.previous_source = match source_of(e, "location") {
                    Some(s) => self.places.by_uri(&s),
                    None => self.place_at(source_of(e, "owning_party").as_deref()),
                };
            }
            _ => {
                row.previous_source = match source_of(e, "location") {
                    Some(s) => self.places.by_uri(&s),
                    None => self.place_at(source_of(e, "owning_party").as_deref()),
                };
                place_flags(&mut missing, COL_SOURCE, &row.previous_source);
            }
        }
        place_flags(&mut missing, COL_LOCATION, &row.location);
        let tlc_source_known = row.tlc_source.is_some() || row.tlc_source_reference.is_some();
        let mut need = flags(&[
            (COL_TLC, row.tlc.is_some()),
            (COL_PRODUCT, row.product.is_some()),
            (COL_QUANTITY, row.quantity.is_some()),
            (COL_TLC_SOURCE, tlc_source_known),
            (COL_DOC_NUMBER, !row.documents.is_empty()),
        ]);
        need.extend(missing);
        row.missing = need;
        self.push(row);
    }

    /// A transformation or initial packing: one row per output and FTL input.
    fn transformation(&mut self, e: &Event, explicit: Option<Cte>) {
        let inputs: Vec<&QuantityElement> = e
            .input_quantity_list
            .iter()
            .flatten()
            .filter(|q| self.on_ftl(&q.epc_class))
            .collect();
        let initial = explicit == Some(Cte::InitialPacking)
            || (explicit.is_none() && inputs.iter().any(|q| self.facts.is_raw(&q.epc_class)));
        let cte = if initial {
            Cte::InitialPacking
        } else {
            Cte::Transformation
        };
        for out in e.output_quantity_list.iter().flatten() {
            let lot = out.epc_class.clone();
            if !self.on_ftl(&lot) && inputs.is_empty() {
                continue;
            }
            let mut row = self.base(cte, e, &lot);
            row.quantity = number(out);
            row.uom = Some(unit(out));
            row.tlc = Some(self.lot_code(&lot));
            row.tlc_source = row.location.text.clone();
            row.tlc_source_reference = row.location.gln.as_ref().map(|g| format!("GLN {g}"));
            let mut common = flags(&[
                (COL_PRODUCT, row.product.is_some()),
                (COL_QUANTITY, row.quantity.is_some()),
                (COL_DOC_NUMBER, !row.documents.is_empty()),
            ]);
            place_flags(&mut common, COL_LOCATION, &row.location);
            if inputs.is_empty() {
                row.missing = common;
                self.push(row);
                continue;
            }
            for input in &inputs {
                let in_lot = input.epc_class.clone();
                let mut r = row.clone();
                let in_product = self.product(&in_lot);
                r.input_product = in_product.map(|p| p.name.clone());
                r.input_product_code = in_product.map(|p| p.code.clone());
                r.input_quantity = number(input);
                r.input_uom = Some(unit(input));
                r.input_lot_id = Some(in_lot.clone());
                let mut missing = common.clone();
                if cte == Cte::InitialPacking {
                    r.input_lot = Some(self.lot_code(&in_lot));
                    self.received_raw(&mut r, &in_lot, &mut missing);
                } else {
                    let tlc = self.tlc(&in_lot);
                    r.input_lot = tlc.code;
                    missing.extend(flags(&[
                        (COL_INPUT_LOT, r.input_lot.is_some()),
                        (COL_INPUT_QUANTITY, r.input_quantity.is_some()),
                    ]));
                }
                r.missing = missing;
                self.push(r);
            }
        }
    }

    /// Initial packing: what was received of the raw commodity, its harvest and cooling.
    fn received_raw(&self, r: &mut Row, lot: &str, missing: &mut Vec<String>) {
        let receipt = self.facts.receipts.get(lot);
        let harvest = self.facts.harvests.get(lot).copied();
        let cooling = self.facts.coolings.get(lot).copied();
        if let Some(rc) = receipt {
            r.received_date = Some(local_date(rc.event));
            r.received_quantity = rc.quantity;
            r.received_uom = Some(rc.uom.clone());
        }
        let farm = self.farm(lot, receipt);
        r.farm = farm.text.clone();
        r.harvester_name = farm.name.clone();
        r.harvester_phone = farm.phone.clone();
        let from_receipt = |key: &str| receipt.and_then(|rc| ilmd_ours(rc.event, key));
        r.growing_area = text_of(from_receipt("growingArea"))
            .or_else(|| harvest.and_then(|h| text_of(ilmd_ours(h, "growingArea"))));
        r.harvest_date = receipt
            .and_then(|rc| date_of(cbvmda(rc.event, "harvestStartDate")))
            .or_else(|| harvest.and_then(|h| date_of(cbvmda(h, "harvestStartDate"))))
            .or_else(|| harvest.map(local_date));
        r.cooling_location = match text_of(from_receipt("coolingLocation")) {
            Some(text) => self.places.typed(&text).0.text.or(Some(text)),
            None => cooling.and_then(|c| self.place_at(event_location(c).as_deref()).text),
        };
        r.cooling_date = date_of(from_receipt("coolingDate")).or_else(|| cooling.map(local_date));
        let own_harvest = harvest.is_some() && receipt.is_none();
        missing.extend(flags(&[
            (COL_INPUT_PRODUCT, r.input_product.is_some()),
            (COL_RECEIVED_DATE, r.received_date.is_some() || own_harvest),
            (
                COL_RECEIVED_QUANTITY,
                r.received_quantity.is_some() || own_harvest,
            ),
            (COL_FARM, r.farm.is_some()),
            (COL_FIELD, r.growing_area.is_some()),
            (COL_HARVESTER, r.harvester_name.is_some()),
            (COL_HARVESTER_PHONE, r.harvester_phone.is_some()),
            (COL_HARVEST_DATE, r.harvest_date.is_some()),
        ]));
    }
}

fn flags(need: &[(&str, bool)]) -> Vec<String> {
    need.iter()
        .filter(|(_, present)| !present)
        .map(|(name, _)| (*name).to_owned())
        .collect()
}

/// A location description the master data does not complete: the column, with the parts.
fn place_flags(missing: &mut Vec<String>, column: &str, place: &Place) {
    if !place.lacks.is_empty() {
        missing.push(format!("{column} ({})", place.lacks.join(", ")));
    }
}

fn columns() -> Vec<Column> {
    vec![
        Column::text(COL_TLC),
        Column::text(COL_CTE),
        Column::date(COL_DATE),
        Column::datetime(COL_TIME),
        Column::text(COL_PRODUCT),
        Column::text(COL_GTIN),
        Column::number(COL_QUANTITY),
        Column::text(COL_UOM),
        Column::text(COL_TLC_SOURCE),
        Column::text(COL_TLC_SOURCE_REF),
        Column::text(COL_LOCATION),
        Column::text(COL_LOCATION_GLN),
        Column::text(COL_RECIPIENT),
        Column::text(COL_RECIPIENT_GLN),
        Column::text(COL_SOURCE),
        Column::text(COL_SOURCE_GLN),
        Column::text(COL_INPUT_LOT),
        Column::text(COL_INPUT_PRODUCT),
        Column::number(COL_INPUT_QUANTITY),
        Column::text(COL_INPUT_UOM),
        Column::date(COL_RECEIVED_DATE),
        Column::number(COL_RECEIVED_QUANTITY),
        Column::text(COL_RECEIVED_UOM),
        Column::text(COL_FARM),
        Column::text(COL_FIELD),
        Column::text(COL_HARVESTER),
        Column::text(COL_HARVESTER_PHONE),
        Column::date(COL_HARVEST_DATE),
        Column::text(COL_COOLING_LOCATION),
        Column::date(COL_COOLING_DATE),
        Column::text(COL_DOC_TYPE),
        Column::text(COL_DOC_NUMBER),
        Column::text(COL_MISSING),
        Column::text(COL_SECTION),
        Column::text(COL_EVENT),
        Column::text(COL_LOT),
    ]
}

/// The rows as one table (the CSV, and the first sheet after the summary).
pub fn rows_table(sheet: &Fsma204) -> Table {
    let mut table = Table::new(SHEET, columns());
    for r in &sheet.rows {
        let text = |v: &Option<String>| Cell::from(v.clone());
        let (types, numbers): (Vec<&str>, Vec<&str>) = r
            .documents
            .iter()
            .map(|(t, n)| (t.as_str(), n.as_str()))
            .unzip();
        let joined = |v: Vec<&str>| {
            if v.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(v.join("; "))
            }
        };
        table.rows.push(vec![
            text(&r.tlc),
            Cell::from(r.cte.map(|c| c.as_str().to_owned())),
            Cell::from(r.date),
            Cell::from(r.time),
            text(&r.product),
            text(&r.gtin),
            Cell::from(r.quantity),
            text(&r.uom),
            text(&r.tlc_source),
            text(&r.tlc_source_reference),
            text(&r.location.text),
            text(&r.location.gln),
            text(&r.recipient.text),
            text(&r.recipient.gln),
            text(&r.previous_source.text),
            text(&r.previous_source.gln),
            text(&r.input_lot),
            text(&r.input_product),
            Cell::from(r.input_quantity),
            text(&r.input_uom),
            Cell::from(r.received_date),
            Cell::from(r.received_quantity),
            text(&r.received_uom),
            text(&r.farm),
            text(&r.growing_area),
            text(&r.harvester_name),
            text(&r.harvester_phone),
            Cell::from(r.harvest_date),
            text(&r.cooling_location),
            Cell::from(r.cooling_date),
            joined(types),
            joined(numbers),
            if r.missing.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(r.missing.join(MISSING_SEPARATOR))
            },
            Cell::from(r.cte.map(|c| format!("21 CFR {}", c.section()))),
            Cell::Text(r.event_id.clone()),
            Cell::Text(r.lot.clone()),
        ]);
    }
    table
}

/// What every column means, for the reader of the records (§1.1455(c)(2) asks for the
/// information needed to understand them).
pub fn glossary_table() -> Table {
    let mut table = Table::new(
        "Glossary",
        vec![Column::text("Column"), Column::text("Meaning")],
    );
    for (column, meaning) in GLOSSARY {
        table
            .rows
            .push(vec![Cell::from(*column), Cell::from(*meaning)]);
    }
    table
}

/// The workbook: a summary (`lines` first, then counts), the rows, the glossary.
pub fn report(sheet: &Fsma204, mut lines: Vec<(String, String)>) -> Report {
    let mut report = Report::new("FDA FSMA 204 traceability records (21 CFR Part 1, Subpart S)");
    lines.push((
        "Rows (critical tracking events)".into(),
        sheet.rows.len().to_string(),
    ));
    lines.push((
        "Rows with missing KDEs".into(),
        sheet.incomplete_rows().to_string(),
    ));
    let tlcs: BTreeSet<&str> = sheet.rows.iter().filter_map(|r| r.tlc.as_deref()).collect();
    lines.push(("Traceability lot codes".into(), tlcs.len().to_string()));
    report.lines = lines;
    report.tables.push(rows_table(sheet));
    report.tables.push(glossary_table());
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_numbers_come_out_of_their_uris() {
        assert_eq!(document_number("urn:lotrace:bt:po:PO%2F7"), "PO/7");
        assert_eq!(
            document_number("urn:epcglobal:cbv:bt:0614141000005:BOL-9"),
            "BOL-9"
        );
        assert_eq!(
            document_number("https://x.example/doc/1"),
            "https://x.example/doc/1"
        );
    }

    #[test]
    fn cbv_words_in_any_spelling() {
        assert_eq!(word("urn:epcglobal:cbv:bizstep:shipping"), "shipping");
        assert_eq!(
            word("https://ref.gs1.org/cbv/BizStep-receiving"),
            "receiving"
        );
        assert_eq!(word("https://ref.gs1.org/cbv/BTT-po"), "po");
        assert_eq!(word("receiving"), "receiving");
    }

    #[test]
    fn every_column_is_in_the_glossary() {
        let described: BTreeSet<&str> = GLOSSARY.iter().map(|(c, _)| *c).collect();
        for c in columns() {
            assert!(described.contains(c.header.as_str()), "{}", c.header);
        }
        assert_eq!(described.len(), columns().len());
    }

    #[test]
    fn an_inverted_window_is_refused() {
        let from: Date = "2026-03-02".parse().unwrap();
        let to: Date = "2026-03-01".parse().unwrap();
        let e = build(
            &Catalog::default(),
            Vec::new(),
            &Selection::Product {
                product: "X".into(),
                from,
                to,
            },
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("from:"), "{e}");
    }
}
