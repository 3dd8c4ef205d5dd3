//! Operations: what operators do (receive, produce, move, pack, ship, ...) turned into EPCIS
//! events, after the rules that protect users have been checked against the inventory.
//!
//! An operation runs in two steps, so this crate stays free of I/O:
//! 1. `needs()` says which counters it must draw (a lot-number sequence, an SSCC serial);
//! 2. `plan()` checks every rule and returns the events to capture, all or nothing.

use jiff::Timestamp;
use jiff::civil::Date;
use lotrace_epcis::{Event, TzOffset};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::catalog::Catalog;
use crate::error::{DomainError, Result};
use crate::inventory::{HoldState, Inventory};
use crate::lotnum::{LotContext, Template};
use crate::master::{NAMESPACE, PartyRole, Product, ReceiptField, check_lot_code, check_uom};
use crate::quantity::Qty;

/// Longest list of lines (inputs, lots, containers) one operation may carry.
pub const MAX_LINES: usize = 200;
/// Longest free text (reasons, notes, references) accepted.
pub const MAX_TEXT_CHARS: usize = 500;

/// Who and when: the same for every event an operation writes.
#[derive(Clone, Debug)]
pub struct OpContext {
    pub now: Timestamp,
    /// The site's offset from UTC, for eventTimeZoneOffset and local lot-number dates.
    pub offset: TzOffset,
    pub operator: String,
    /// GS1 company prefix for SSCCs this site allocates.
    pub company_prefix: String,
}

impl OpContext {
    fn today(&self) -> Date {
        self.local(self.now).date()
    }

    fn local(&self, t: Timestamp) -> jiff::civil::DateTime {
        let offset = jiff::tz::Offset::from_seconds(i32::from(self.offset.minutes) * 60)
            .unwrap_or(jiff::tz::Offset::UTC);
        offset.to_datetime(t)
    }
}

/// A counter an operation draws from before it can be planned.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Need {
    /// The next value of a lot-number sequence (the key names product and scope).
    LotSequence(String),
    /// The next SSCC serial reference of the company prefix.
    SsccSerial(String),
}

impl Need {
    /// The name of the store counter that serves it.
    pub fn counter_name(&self) -> String {
        match self {
            Need::LotSequence(key) => format!("lot:{key}"),
            Need::SsccSerial(prefix) => format!("sscc:{prefix}"),
        }
    }
}

/// Counter values drawn for the needs, in the same order.
pub type Drawn = [(Need, u64)];

#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    pub events: Vec<Event>,
    /// Lots this operation created or named, as URIs.
    pub lots: Vec<String>,
    /// Lot numbers it assigned, e.g. to the output of a production.
    pub assigned_lots: Vec<String>,
    /// The SSCC it allocated, for pack.
    pub sscc: Option<String>,
}

fn no_lines() -> Vec<LotLine> {
    Vec::new()
}

/// A quantity of one lot of one product.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotLine {
    pub product: String,
    pub lot: String,
    pub quantity: Qty,
    /// Defaults to the product's unit; when given it must be the product's unit.
    #[serde(default)]
    pub uom: Option<String>,
    /// Where it is taken from; defaults to the operation's location.
    #[serde(default)]
    pub location: Option<String>,
}

impl LotLine {
    /// The JSON of a lot line typed as `PRODUCT:LOT:QUANTITY[@LOCATION]` (the CLI's `--item`
    /// and `--input`, the web forms' lines); the lot may itself contain ':'. The operation
    /// checks the values; this only splits.
    pub fn json_from_text(text: &str) -> std::result::Result<Value, String> {
        let (rest, location) = match text.rsplit_once('@') {
            Some((r, l)) => (r, Some(l)),
            None => (text, None),
        };
        let bad = || format!("{text:?}: expected PRODUCT:LOT:QUANTITY[@LOCATION]");
        let (head, quantity) = rest.rsplit_once(':').ok_or_else(bad)?;
        let (product, lot) = head.split_once(':').ok_or_else(bad)?;
        let mut line = json!({ "product": product, "lot": lot, "quantity": quantity });
        if let Some(l) = location {
            line["location"] = json!(l);
        }
        Ok(line)
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receive {
    pub product: String,
    /// Our lot number; omitted: the supplier's lot, or a new one from the product's template.
    #[serde(default)]
    pub lot: Option<String>,
    #[serde(default)]
    pub supplier_lot: Option<String>,
    pub supplier: String,
    pub location: String,
    pub quantity: Qty,
    #[serde(default)]
    pub uom: Option<String>,
    #[serde(default)]
    pub expiry: Option<Date>,
    #[serde(default)]
    pub best_before: Option<Date>,
    #[serde(default)]
    pub harvest_date: Option<Date>,
    #[serde(default)]
    pub production_date: Option<Date>,
    #[serde(default)]
    pub country_of_origin: Option<String>,
    #[serde(default)]
    pub purchase_order: Option<String>,
    #[serde(default)]
    pub despatch_advice: Option<String>,
    #[serde(default)]
    pub bill_of_lading: Option<String>,
    /// FSMA 204: where the lot's traceability lot code was assigned (its TLC source): a
    /// party or location code, a GLN, an FDA Food Facility Registration Number, a URL, or
    /// the location description itself. Required for Food Traceability List products
    /// unless they arrive as a raw agricultural commodity (with `harvest_date`).
    #[serde(default)]
    pub tlc_source: Option<String>,
    /// FSMA 204, a raw agricultural commodity: the field or growing area it was harvested in.
    #[serde(default)]
    pub growing_area: Option<String>,
    /// FSMA 204: where (a party or location code, or the description) and when it was
    /// cooled before initial packing.
    #[serde(default)]
    pub cooling_location: Option<String>,
    #[serde(default)]
    pub cooling_date: Option<Date>,
    #[serde(default)]
    pub time: Option<Timestamp>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Produce {
    pub product: String,
    #[serde(default)]
    pub lot: Option<String>,
    pub quantity: Qty,
    #[serde(default)]
    pub uom: Option<String>,
    /// Where production happens (the line's location).
    pub location: String,
    /// The production line, for lot numbers (`{line}`); defaults to the location code.
    #[serde(default)]
    pub line: Option<String>,
    #[serde(default = "no_lines")]
    pub inputs: Vec<LotLine>,
    #[serde(default)]
    pub production_order: Option<String>,
    #[serde(default)]
    pub time: Option<Timestamp>,
    /// The production order (lotrace-bom) this run belongs to: the application checks the
    /// inputs against the order's BOM version before planning (see `order_check`).
    #[serde(default)]
    pub order: Option<String>,
    /// Inputs the BOM check refuses but a person allowed, each with the reason.
    #[serde(default)]
    pub overrides: Vec<InputOverride>,
    /// The equipment used (a mixer, an oven line), for the batch record.
    #[serde(default)]
    pub equipment: Option<String>,
    /// When the run started; `time` is when it ended (the output's commissioning).
    #[serde(default)]
    pub started: Option<Timestamp>,
    /// Set by the application after it checked the order, never by a client.
    #[serde(skip)]
    pub order_check: Option<OrderCheck>,
}

/// "Consume input line `input` although the BOM check refuses it, because `reason`."
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct InputOverride {
    /// The index of the line in `inputs`.
    pub input: usize,
    pub reason: String,
}

/// What the application's order check gives the produce operation.
#[derive(Clone, Debug, Default)]
pub struct OrderCheck {
    /// Extension members added to the TransformationEvent (`lotrace:batch`).
    pub extensions: Map<String, Value>,
    /// Input lines whose hold or expiry an override allowed (the stock rule still holds).
    pub overridden_inputs: Vec<usize>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Move {
    #[serde(default = "no_lines")]
    pub lots: Vec<LotLine>,
    #[serde(default)]
    pub containers: Vec<String>,
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub time: Option<Timestamp>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    /// The SSCC to pack into; omitted: a new one is allocated.
    #[serde(default)]
    pub sscc: Option<String>,
    pub location: String,
    #[serde(default = "no_lines")]
    pub lots: Vec<LotLine>,
    #[serde(default)]
    pub containers: Vec<String>,
    #[serde(default)]
    pub time: Option<Timestamp>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unpack {
    pub sscc: String,
    pub location: String,
    /// Lots to take out; none listed: everything.
    #[serde(default = "no_lines")]
    pub lots: Vec<LotLine>,
    #[serde(default)]
    pub time: Option<Timestamp>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ship {
    pub customer: String,
    /// The location shipped from.
    pub location: String,
    #[serde(default = "no_lines")]
    pub lots: Vec<LotLine>,
    #[serde(default)]
    pub containers: Vec<String>,
    #[serde(default)]
    pub purchase_order: Option<String>,
    #[serde(default)]
    pub invoice: Option<String>,
    #[serde(default)]
    pub despatch_advice: Option<String>,
    #[serde(default)]
    pub time: Option<Timestamp>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Return {
    pub customer: String,
    pub location: String,
    pub product: String,
    pub lot: String,
    pub quantity: Qty,
    #[serde(default)]
    pub uom: Option<String>,
    #[serde(default)]
    pub rma: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub time: Option<Timestamp>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjust {
    pub product: String,
    pub lot: String,
    pub location: String,
    /// The quantity counted: it replaces the balance.
    pub counted: Qty,
    #[serde(default)]
    pub uom: Option<String>,
    pub reason: String,
    #[serde(default)]
    pub time: Option<Timestamp>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scrap {
    pub product: String,
    pub lot: String,
    pub location: String,
    pub quantity: Qty,
    #[serde(default)]
    pub uom: Option<String>,
    pub reason: String,
    #[serde(default)]
    pub time: Option<Timestamp>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldChange {
    pub product: String,
    pub lot: String,
    pub reason: String,
    #[serde(default)]
    pub time: Option<Timestamp>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionResult {
    Pass,
    Fail,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Measurement {
    pub name: String,
    pub value: f64,
    #[serde(default)]
    pub uom: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

impl Measurement {
    /// The JSON of a measurement typed as `NAME=VALUE[:UOM]` (the CLI's `--measurement`, the
    /// inspection form's lines). The value must be a number; the operation checks the rest.
    pub fn json_from_text(text: &str) -> std::result::Result<Value, String> {
        let (name, rest) = text
            .split_once('=')
            .ok_or_else(|| format!("{text:?}: expected NAME=VALUE[:UOM]"))?;
        let (value, uom) = match rest.split_once(':') {
            Some((v, u)) => (v, Some(u)),
            None => (rest, None),
        };
        let value: f64 = value
            .trim()
            .parse()
            .map_err(|_| format!("{text:?}: {value:?} is not a number"))?;
        let mut m = json!({ "name": name.trim(), "value": value });
        if let Some(u) = uom {
            m["uom"] = json!(u.trim());
        }
        Ok(m)
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inspect {
    pub product: String,
    pub lot: String,
    pub result: InspectionResult,
    #[serde(default)]
    pub measurements: Vec<Measurement>,
    /// A reference to the certificate of analysis (URL or document number).
    #[serde(default)]
    pub certificate: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub time: Option<Timestamp>,
}

/// Every operation, as the API and the CLI receive it.
#[derive(Clone, Debug)]
pub enum Operation {
    Receive(Receive),
    Produce(Produce),
    Move(Move),
    Pack(Pack),
    Unpack(Unpack),
    Ship(Ship),
    Return(Return),
    Adjust(Adjust),
    Scrap(Scrap),
    Hold(HoldChange),
    Release(HoldChange),
    Inspect(Inspect),
}

impl Operation {
    /// Parses the JSON body of `POST /api/v1/{name}`; errors name the field.
    pub fn from_json(name: &str, body: Value) -> Result<Operation> {
        fn parse<T: serde::de::DeserializeOwned>(body: Value) -> Result<T> {
            serde_path_to_error::deserialize(body).map_err(|e| {
                let path = e.path().to_string();
                let field = if path == "." {
                    "(body)".to_owned()
                } else {
                    path
                };
                DomainError::field(&field, e.inner().to_string())
            })
        }
        Ok(match name {
            "receive" => Operation::Receive(parse(body)?),
            "produce" => Operation::Produce(parse(body)?),
            "move" => Operation::Move(parse(body)?),
            "pack" => Operation::Pack(parse(body)?),
            "unpack" => Operation::Unpack(parse(body)?),
            "ship" => Operation::Ship(parse(body)?),
            "return" => Operation::Return(parse(body)?),
            "adjust" => Operation::Adjust(parse(body)?),
            "scrap" => Operation::Scrap(parse(body)?),
            "hold" => Operation::Hold(parse(body)?),
            "release" => Operation::Release(parse(body)?),
            "inspect" => Operation::Inspect(parse(body)?),
            other => return Err(DomainError::not_found("operation", other)),
        })
    }

    pub const NAMES: [&'static str; 12] = [
        "receive", "produce", "move", "pack", "unpack", "ship", "return", "adjust", "scrap",
        "hold", "release", "inspect",
    ];

    /// The counters this operation draws from (lot sequences, SSCC serials).
    pub fn needs(&self, catalog: &Catalog, ctx: &OpContext) -> Result<Vec<Need>> {
        Ok(match self {
            Operation::Receive(r) if r.lot.is_none() => {
                let product = catalog.product("product", &r.product)?;
                match (&product.lot_template, &r.supplier_lot) {
                    (Some(_), _) => lot_need(catalog, product, &r.location, None, r.time, ctx)?
                        .into_iter()
                        .collect(),
                    (None, _) => Vec::new(),
                }
            }
            Operation::Produce(p) if p.lot.is_none() => {
                let product = catalog.product("product", &p.product)?;
                lot_need(
                    catalog,
                    product,
                    &p.location,
                    p.line.as_deref(),
                    p.time,
                    ctx,
                )?
                .into_iter()
                .collect()
            }
            Operation::Pack(p) if p.sscc.is_none() => {
                vec![Need::SsccSerial(ctx.company_prefix.clone())]
            }
            _ => Vec::new(),
        })
    }

    /// Checks every rule against the inventory and builds the events. Nothing is written here.
    pub fn plan(
        &self,
        catalog: &Catalog,
        inventory: &Inventory,
        ctx: &OpContext,
        drawn: &Drawn,
    ) -> Result<Plan> {
        let mut b = Builder::new(ctx);
        match self {
            Operation::Receive(r) => b.receive(catalog, r, drawn)?,
            Operation::Produce(p) => b.produce(catalog, inventory, p, drawn)?,
            Operation::Move(m) => b.move_stock(catalog, inventory, m)?,
            Operation::Pack(p) => b.pack(catalog, inventory, p, drawn)?,
            Operation::Unpack(u) => b.unpack(catalog, inventory, u)?,
            Operation::Ship(s) => b.ship(catalog, inventory, s)?,
            Operation::Return(r) => b.return_stock(catalog, r)?,
            Operation::Adjust(a) => b.adjust(catalog, a)?,
            Operation::Scrap(s) => b.scrap(catalog, inventory, s)?,
            Operation::Hold(h) => b.hold(catalog, inventory, h, true)?,
            Operation::Release(h) => b.hold(catalog, inventory, h, false)?,
            Operation::Inspect(i) => b.inspect(catalog, i)?,
        }
        b.finish()
    }
}

fn lot_need(
    catalog: &Catalog,
    product: &Product,
    location: &str,
    line: Option<&str>,
    time: Option<Timestamp>,
    ctx: &OpContext,
) -> Result<Option<Need>> {
    let Some(text) = &product.lot_template else {
        return Err(DomainError::field(
            "lot",
            format!(
                "give a lot number: product {:?} has no lot-number template",
                product.code
            ),
        ));
    };
    let template = Template::parse(text).map_err(|e| DomainError::field("lot_template", e))?;
    if !template.has_sequence() {
        return Ok(None);
    }
    let location = catalog.location("location", location)?;
    let lot_ctx = LotContext {
        time: ctx.local(time.unwrap_or(ctx.now)),
        line: line.unwrap_or(&location.code),
        site: &catalog.site_of(location).code,
        product: &product.code,
    };
    Ok(Some(Need::LotSequence(format!(
        "{}:{}",
        product.code,
        template.sequence_key(&lot_ctx)
    ))))
}

/// The lot number `product`'s template makes at `location` (on `line`, default the
/// location's code) at `time`, with `seq` the value drawn from its counter.
fn lot_number(
    catalog: &Catalog,
    product: &Product,
    location: &str,
    line: Option<&str>,
    time: Option<Timestamp>,
    ctx: &OpContext,
    seq: u64,
) -> Result<String> {
    let text = product.lot_template.as_deref().unwrap_or_default();
    let template = Template::parse(text).map_err(|e| DomainError::field("lot_template", e))?;
    let location = catalog.location("location", location)?;
    let lot_ctx = LotContext {
        time: ctx.local(time.unwrap_or(ctx.now)),
        line: line.unwrap_or(&location.code),
        site: &catalog.site_of(location).code,
        product: &product.code,
    };
    let lot = template.render(&lot_ctx, seq);
    check_lot_code("lot", &lot)?;
    Ok(lot)
}

/// The counter a lot number of `product` made now at `location` (on `line`) draws from:
/// None when the product has no template, or one without `{seq}`.
pub fn lot_counter(
    catalog: &Catalog,
    ctx: &OpContext,
    product: &str,
    location: &str,
    line: Option<&str>,
) -> Result<Option<Need>> {
    let product = catalog.product("product", product)?;
    if product.lot_template.is_none() {
        return Ok(None);
    }
    lot_need(catalog, product, location, line, None, ctx)
}

/// The lot number a receipt or production of `product` that names none would get now, with
/// `seq` the next value of its `lot_counter` (peeked, not drawn): what the forms propose.
/// None when the product has no lot-number template.
pub fn propose_lot(
    catalog: &Catalog,
    ctx: &OpContext,
    product: &str,
    location: &str,
    line: Option<&str>,
    seq: u64,
) -> Result<Option<String>> {
    let product = catalog.product("product", product)?;
    if product.lot_template.is_none() {
        return Ok(None);
    }
    lot_number(catalog, product, location, line, None, ctx, seq).map(Some)
}

/// Accumulates the events of one operation.
struct Builder<'a> {
    ctx: &'a OpContext,
    events: Vec<Value>,
    lots: Vec<String>,
    assigned_lots: Vec<String>,
    sscc: Option<String>,
}

fn check_text(field: &str, text: &str) -> Result<()> {
    if text.trim().is_empty() || text.chars().count() > MAX_TEXT_CHARS {
        return Err(DomainError::field(
            field,
            format!("must be 1 to {MAX_TEXT_CHARS} characters"),
        ));
    }
    Ok(())
}

fn check_lines(field: &str, count: usize) -> Result<()> {
    if count > MAX_LINES {
        return Err(DomainError::field(
            field,
            format!("{count} lines exceed the limit of {MAX_LINES}"),
        ));
    }
    Ok(())
}

fn check_positive(field: &str, q: Qty) -> Result<()> {
    if q.is_negative() || q.is_zero() {
        return Err(DomainError::field(
            field,
            format!("must be more than zero, got {q}"),
        ));
    }
    Ok(())
}

/// Quantities carry units: a quantity in another unit than the product's is an error.
fn unit_of(field: &str, product: &Product, given: Option<&str>) -> Result<String> {
    match given {
        None => Ok(product.uom.clone()),
        Some(u) => {
            check_uom(field, u)?;
            if u != product.uom {
                return Err(DomainError::field(
                    field,
                    format!(
                        "{:?} is counted in {}, not {u}; convert the quantity first",
                        product.code, product.uom
                    ),
                ));
            }
            Ok(u.to_owned())
        }
    }
}

/// FSMA 204 at receipt of a Food Traceability List product: a reference document, and either
/// the traceability lot code with its source (packed food) or the harvest date (a raw
/// agricultural commodity before initial packing).
fn fsma_receipt(product: &Product, r: &Receive) -> Result<()> {
    for (field, text) in [
        ("tlc_source", &r.tlc_source),
        ("growing_area", &r.growing_area),
        ("cooling_location", &r.cooling_location),
    ] {
        if let Some(t) = text {
            check_text(field, t)?;
        }
    }
    if !product.food_traceability_list {
        return Ok(());
    }
    let code = &product.code;
    if r.purchase_order.is_none() && r.despatch_advice.is_none() && r.bill_of_lading.is_none() {
        return Err(DomainError::field(
            "purchase_order",
            format!(
                "FSMA 204: {code:?} is on the Food Traceability List; give a reference document \
                 (purchase_order, despatch_advice or bill_of_lading)"
            ),
        ));
    }
    if r.harvest_date.is_some() && r.tlc_source.is_none() {
        return Ok(());
    }
    if r.tlc_source.is_none() {
        return Err(DomainError::field(
            "tlc_source",
            format!(
                "FSMA 204: {code:?} is on the Food Traceability List; give where its traceability \
                 lot code was assigned (a supplier or location code, GLN, FDA registration number, \
                 URL or address), or the harvest_date of a raw agricultural commodity"
            ),
        ));
    }
    match (&r.supplier_lot, &r.lot) {
        (None, None) => Err(DomainError::field(
            "supplier_lot",
            format!(
                "FSMA 204: give the traceability lot code of {code:?} as received (supplier_lot); \
                 it is kept, not renumbered"
            ),
        )),
        _ => Ok(()),
    }
}

/// A business-transaction URI from a reference typed by a user: kept if already a URI.
fn transaction(kind: &str, reference: &str) -> Value {
    let uri = if reference.contains(':') {
        reference.to_owned()
    } else {
        format!(
            "urn:lotrace:bt:{kind}:{}",
            crate::master::encode_segment(reference)
        )
    };
    json!({ "type": kind, "bizTransaction": uri })
}

/// The canonical SSCC URI from 18 digits, an SSCC URN or a Digital Link.
fn sscc_uri(field: &str, text: &str) -> Result<String> {
    let candidate = if text.len() == 18 && text.bytes().all(|b| b.is_ascii_digit()) {
        format!("https://id.gs1.org/00/{text}")
    } else {
        text.to_owned()
    };
    let id = lotrace_gs1::canonicalize(&candidate)
        .map_err(|e| DomainError::field(field, e.to_string()))?;
    if !id.canonical.starts_with("https://id.gs1.org/00/") {
        return Err(DomainError::field(
            field,
            format!("{text:?} is not an SSCC"),
        ));
    }
    Ok(id.canonical)
}

/// GS1 mod-10 check digit of a digit string.
fn gs1_check_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    (10 - sum % 10) % 10
}

/// A new SSCC: extension digit 0, the company prefix, the serial, the check digit.
pub fn allocate_sscc(company_prefix: &str, serial: u64) -> Result<String> {
    let serial_digits = 16usize.saturating_sub(company_prefix.len());
    if !(6..=12).contains(&company_prefix.len())
        || !company_prefix.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(DomainError::field(
            "company_prefix",
            "a GS1 company prefix is 6 to 12 digits",
        ));
    }
    if serial >= 10u64.pow(serial_digits as u32) {
        return Err(DomainError::refused(
            "sscc_exhausted",
            format!("SSCC serials of company prefix {company_prefix} are used up"),
        ));
    }
    let body = format!("0{company_prefix}{serial:0serial_digits$}");
    Ok(format!(
        "https://id.gs1.org/00/{body}{}",
        gs1_check_digit(&body)
    ))
}

impl<'a> Builder<'a> {
    fn new(ctx: &'a OpContext) -> Builder<'a> {
        Builder {
            ctx,
            events: Vec::new(),
            lots: Vec::new(),
            assigned_lots: Vec::new(),
            sscc: None,
        }
    }

    fn event(&self, kind: &str, time: Option<Timestamp>) -> Map<String, Value> {
        let time = time.unwrap_or(self.ctx.now);
        let mut e = Map::new();
        e.insert("@context".into(), json!([{ "lotrace": NAMESPACE }]));
        e.insert("type".into(), json!(kind));
        e.insert(
            "eventID".into(),
            json!(format!("urn:uuid:{}", uuid::Uuid::now_v7())),
        );
        e.insert(
            "eventTime".into(),
            json!(self.ctx.local(time).to_string() + &self.ctx.offset.to_string()),
        );
        e.insert(
            "eventTimeZoneOffset".into(),
            json!(self.ctx.offset.to_string()),
        );
        e.insert("lotrace:operator".into(), json!(self.ctx.operator));
        e
    }

    fn push(&mut self, event: Map<String, Value>) {
        self.events.push(Value::Object(event));
    }

    /// Resolves a lot line: the product, its unit, the lot URI and the location URI.
    fn line(
        &mut self,
        catalog: &Catalog,
        field: &str,
        line: &LotLine,
        default_location: &str,
    ) -> Result<(String, Qty, String, String)> {
        let product = catalog.product(&format!("{field}.product"), &line.product)?;
        check_lot_code(&format!("{field}.lot"), &line.lot)?;
        check_positive(&format!("{field}.quantity"), line.quantity)?;
        let uom = unit_of(&format!("{field}.uom"), product, line.uom.as_deref())?;
        let location_code = line.location.as_deref().unwrap_or(default_location);
        let location = catalog.location(&format!("{field}.location"), location_code)?;
        let lot = product.lot_uri(&line.lot);
        self.lots.push(lot.clone());
        Ok((lot, line.quantity, uom, location.uri()))
    }

    /// The rules for taking stock out of a location: enough on hand, not held, not expired.
    fn check_available(
        &self,
        inventory: &Inventory,
        field: &str,
        lot: &str,
        label: &str,
        qty: Qty,
        at: &str,
    ) -> Result<()> {
        if let Some(state) = inventory.lot(lot) {
            self.check_releasable(state, label)?;
        }
        self.check_on_hand(inventory, field, lot, label, qty, at)
    }

    /// Enough of the lot on hand at `at`.
    fn check_on_hand(
        &self,
        inventory: &Inventory,
        field: &str,
        lot: &str,
        label: &str,
        qty: Qty,
        at: &str,
    ) -> Result<()> {
        let state = inventory.lot(lot);
        let on_hand = state.map(|s| s.on_hand_at(at)).unwrap_or_default();
        if on_hand < qty {
            return Err(DomainError::refused(
                "insufficient_stock",
                format!(
                    "{field}: only {on_hand} of lot {label} is on hand there; {qty} was asked for"
                ),
            ));
        }
        Ok(())
    }

    fn check_releasable(&self, state: &crate::inventory::LotState, label: &str) -> Result<()> {
        match state.hold {
            HoldState::OnHold => {
                return Err(DomainError::refused(
                    "lot_on_hold",
                    format!(
                        "lot {label} is on hold ({}); release it first",
                        state.hold_reason.as_deref().unwrap_or("no reason given")
                    ),
                ));
            }
            HoldState::Recalled => {
                return Err(DomainError::refused(
                    "lot_recalled",
                    format!("lot {label} is recalled"),
                ));
            }
            HoldState::Released => {}
        }
        if state.is_expired(self.ctx.today()) {
            return Err(DomainError::refused(
                "lot_expired",
                format!(
                    "lot {label} expired on {}",
                    state.expiry.map(|d| d.to_string()).unwrap_or_default()
                ),
            ));
        }
        Ok(())
    }

    fn quantity_json(lot: &str, qty: Qty, uom: &str) -> Value {
        json!({ "epcClass": lot, "quantity": qty.to_json_number(), "uom": uom })
    }

    fn receive(&mut self, catalog: &Catalog, r: &Receive, drawn: &Drawn) -> Result<()> {
        let product = catalog.product("product", &r.product)?;
        let supplier = catalog.party("supplier", &r.supplier, PartyRole::Supplier)?;
        let location = catalog.location("location", &r.location)?;
        check_positive("quantity", r.quantity)?;
        let uom = unit_of("uom", product, r.uom.as_deref())?;
        if let Some(s) = &r.supplier_lot {
            check_lot_code("supplier_lot", s)?;
        }
        for field in &product.required_at_receipt {
            let (name, present) = match field {
                ReceiptField::SupplierLot => ("supplier_lot", r.supplier_lot.is_some()),
                ReceiptField::Expiry => ("expiry", r.expiry.is_some()),
                ReceiptField::BestBefore => ("best_before", r.best_before.is_some()),
                ReceiptField::CountryOfOrigin => {
                    ("country_of_origin", r.country_of_origin.is_some())
                }
                ReceiptField::HarvestDate => ("harvest_date", r.harvest_date.is_some()),
                ReceiptField::PurchaseOrder => ("purchase_order", r.purchase_order.is_some()),
            };
            if !present {
                return Err(DomainError::field(
                    name,
                    format!("required when receiving {:?}", product.code),
                ));
            }
        }
        fsma_receipt(product, r)?;
        if let Some(c) = &r.country_of_origin
            && (c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(DomainError::field(
                "country_of_origin",
                "an ISO 3166-1 alpha-2 code such as US",
            ));
        }
        let lot = match (&r.lot, &product.lot_template, &r.supplier_lot) {
            (Some(lot), template, _) => {
                check_lot_code("lot", lot)?;
                if let Some(text) = template {
                    let t =
                        Template::parse(text).map_err(|e| DomainError::field("lot_template", e))?;
                    // Our own template governs our own lots; a supplier's lot kept as ours need not fit.
                    if r.supplier_lot.as_deref() != Some(lot.as_str()) {
                        t.check(lot, text)
                            .map_err(|e| DomainError::field("lot", e))?;
                    }
                }
                lot.clone()
            }
            (None, Some(_), _) => {
                self.render_lot(catalog, product, &r.location, None, r.time, drawn)?
            }
            (None, None, Some(supplier_lot)) => supplier_lot.clone(),
            (None, None, None) => {
                return Err(DomainError::field(
                    "lot",
                    "give the lot number (or the supplier_lot)",
                ));
            }
        };
        let lot_uri = product.lot_uri(&lot);
        self.lots.push(lot_uri.clone());
        let mut e = self.event("ObjectEvent", r.time);
        e.insert("action".into(), json!("ADD"));
        e.insert("bizStep".into(), json!("receiving"));
        e.insert("disposition".into(), json!("in_progress"));
        e.insert("readPoint".into(), json!({ "id": location.uri() }));
        e.insert("bizLocation".into(), json!({ "id": location.uri() }));
        e.insert(
            "quantityList".into(),
            json!([Self::quantity_json(&lot_uri, r.quantity, &uom)]),
        );
        let mut transactions = Vec::new();
        if let Some(po) = &r.purchase_order {
            check_text("purchase_order", po)?;
            transactions.push(transaction("po", po));
        }
        if let Some(d) = &r.despatch_advice {
            check_text("despatch_advice", d)?;
            transactions.push(transaction("desadv", d));
        }
        if let Some(b) = &r.bill_of_lading {
            check_text("bill_of_lading", b)?;
            transactions.push(transaction("bol", b));
        }
        if !transactions.is_empty() {
            e.insert("bizTransactionList".into(), json!(transactions));
        }
        e.insert(
            "sourceList".into(),
            json!([
                { "type": "owning_party", "source": supplier.uri() },
                { "type": "location", "source": supplier.location_uri() },
            ]),
        );
        e.insert(
            "destinationList".into(),
            json!([{ "type": "location", "destination": location.uri() }]),
        );
        let mut ilmd = Map::new();
        let dates = [
            ("cbvmda:itemExpirationDate", r.expiry),
            ("cbvmda:bestBeforeDate", r.best_before),
            ("cbvmda:harvestStartDate", r.harvest_date),
            ("cbvmda:productionDate", r.production_date),
        ];
        for (key, date) in dates {
            if let Some(d) = date {
                ilmd.insert(key.into(), json!(d.to_string()));
            }
        }
        if r.expiry.is_none()
            && let (Some(days), Some(base)) = (product.shelf_life_days, r.production_date)
        {
            let date = base
                .checked_add(jiff::Span::new().days(i64::from(days)))
                .ok();
            if let Some(d) = date {
                ilmd.insert(
                    product.shelf_life_date.ilmd_key().into(),
                    json!(d.to_string()),
                );
            }
        }
        if let Some(c) = &r.country_of_origin {
            ilmd.insert("cbvmda:countryOfOrigin".into(), json!(c));
        }
        if let Some(s) = &r.supplier_lot {
            ilmd.insert("lotrace:supplierLot".into(), json!(s));
        }
        let fsma = [
            // The TLC as received is kept: FSMA 204 forbids a new one at receipt.
            (
                "lotrace:tlc",
                r.supplier_lot.clone().or_else(|| r.lot.clone()),
            ),
            ("lotrace:tlcSource", r.tlc_source.clone()),
            ("lotrace:growingArea", r.growing_area.clone()),
            ("lotrace:coolingLocation", r.cooling_location.clone()),
            ("lotrace:coolingDate", r.cooling_date.map(|d| d.to_string())),
        ];
        for (key, value) in fsma {
            if let Some(v) = value
                && (key != "lotrace:tlc" || r.tlc_source.is_some())
            {
                ilmd.insert(key.into(), json!(v));
            }
        }
        ilmd.insert("lotrace:supplier".into(), json!(supplier.code));
        ilmd.insert("lotrace:product".into(), json!(product.code));
        e.insert("ilmd".into(), Value::Object(ilmd));
        self.push(e);
        Ok(())
    }

    fn render_lot(
        &mut self,
        catalog: &Catalog,
        product: &Product,
        location: &str,
        line: Option<&str>,
        time: Option<Timestamp>,
        drawn: &Drawn,
    ) -> Result<String> {
        let need = lot_need(catalog, product, location, line, time, self.ctx)?;
        let seq = match &need {
            Some(n) => drawn
                .iter()
                .find(|(d, _)| d == n)
                .map(|(_, v)| *v)
                .ok_or_else(|| {
                    DomainError::refused("counter_missing", "the lot-number counter was not drawn")
                })?,
            None => 0,
        };
        let lot = lot_number(catalog, product, location, line, time, self.ctx, seq)?;
        self.assigned_lots.push(lot.clone());
        Ok(lot)
    }

    fn produce(
        &mut self,
        catalog: &Catalog,
        inventory: &Inventory,
        p: &Produce,
        drawn: &Drawn,
    ) -> Result<()> {
        let product = catalog.product("product", &p.product)?;
        let location = catalog.location("location", &p.location)?;
        check_positive("quantity", p.quantity)?;
        let uom = unit_of("uom", product, p.uom.as_deref())?;
        check_lines("inputs", p.inputs.len())?;
        if p.order.is_some() != p.order_check.is_some() {
            return Err(DomainError::refused(
                "order_unchecked",
                "a production against an order must be checked against its BOM first",
            ));
        }
        if p.order.is_none() && !p.overrides.is_empty() {
            return Err(DomainError::field(
                "overrides",
                "only a production against an order (order) takes overrides",
            ));
        }
        let lot = match &p.lot {
            Some(lot) => {
                check_lot_code("lot", lot)?;
                if let Some(text) = &product.lot_template {
                    let t =
                        Template::parse(text).map_err(|e| DomainError::field("lot_template", e))?;
                    t.check(lot, text)
                        .map_err(|e| DomainError::field("lot", e))?;
                }
                lot.clone()
            }
            None => self.render_lot(
                catalog,
                product,
                &p.location,
                p.line.as_deref(),
                p.time,
                drawn,
            )?,
        };
        let mut inputs = Vec::new();
        // Inputs stored elsewhere are first staged to the line: one move event per place.
        let mut staging: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
        for (i, line) in p.inputs.iter().enumerate() {
            let field = format!("inputs[{i}]");
            let (lot_uri, qty, in_uom, at) = self.line(catalog, &field, line, &p.location)?;
            let overridden = p
                .order_check
                .as_ref()
                .is_some_and(|c| c.overridden_inputs.contains(&i));
            if overridden {
                self.check_on_hand(inventory, &field, &lot_uri, &line.lot, qty, &at)?;
            } else {
                self.check_available(inventory, &field, &lot_uri, &line.lot, qty, &at)?;
            }
            let q = Self::quantity_json(&lot_uri, qty, &in_uom);
            if at != location.uri() {
                staging.entry(at).or_default().push(q.clone());
            }
            inputs.push(q);
        }
        self.stage(p.time, &location.uri(), staging);
        let output = product.lot_uri(&lot);
        self.lots.push(output.clone());
        let mut e = self.event("TransformationEvent", p.time);
        e.insert("bizStep".into(), json!("commissioning"));
        e.insert("disposition".into(), json!("active"));
        e.insert("readPoint".into(), json!({ "id": location.uri() }));
        e.insert("bizLocation".into(), json!({ "id": location.uri() }));
        if !inputs.is_empty() {
            e.insert("inputQuantityList".into(), Value::Array(inputs));
        }
        e.insert(
            "outputQuantityList".into(),
            json!([Self::quantity_json(&output, p.quantity, &uom)]),
        );
        if let Some(order) = &p.production_order {
            check_text("production_order", order)?;
            e.insert(
                "bizTransactionList".into(),
                json!([transaction("prodorder", order)]),
            );
        }
        let mut ilmd = Map::new();
        if let Some(days) = product.shelf_life_days {
            let made = self.ctx.local(p.time.unwrap_or(self.ctx.now)).date();
            if let Ok(date) = made.checked_add(jiff::Span::new().days(i64::from(days))) {
                ilmd.insert(
                    product.shelf_life_date.ilmd_key().into(),
                    json!(date.to_string()),
                );
            }
            ilmd.insert("cbvmda:productionDate".into(), json!(made.to_string()));
        }
        ilmd.insert("lotrace:product".into(), json!(product.code));
        if let Some(line) = &p.line {
            ilmd.insert("lotrace:line".into(), json!(line));
        }
        e.insert("ilmd".into(), Value::Object(ilmd));
        if let Some(equipment) = &p.equipment {
            check_text("equipment", equipment)?;
            e.insert("lotrace:equipment".into(), json!(equipment));
        }
        if let Some(started) = p.started {
            if started > p.time.unwrap_or(self.ctx.now) {
                return Err(DomainError::field(
                    "started",
                    "the run cannot start after it ended (time)",
                ));
            }
            e.insert(
                "lotrace:startTime".into(),
                json!(self.ctx.local(started).to_string() + &self.ctx.offset.to_string()),
            );
        }
        if let Some(check) = &p.order_check {
            e.extend(check.extensions.clone());
        }
        self.push(e);
        Ok(())
    }

    fn move_stock(&mut self, catalog: &Catalog, inventory: &Inventory, m: &Move) -> Result<()> {
        let from = catalog.location("from", &m.from)?.uri();
        let to = catalog.location("to", &m.to)?.uri();
        if from == to {
            return Err(DomainError::field("to", "is the same location as from"));
        }
        check_lines("lots", m.lots.len() + m.containers.len())?;
        if m.lots.is_empty() && m.containers.is_empty() {
            return Err(DomainError::field(
                "lots",
                "name at least one lot or container to move",
            ));
        }
        let mut quantities = Vec::new();
        for (i, line) in m.lots.iter().enumerate() {
            let field = format!("lots[{i}]");
            let (lot, qty, uom, _) = self.line(catalog, &field, line, &m.from)?;
            let on_hand = inventory
                .lot(&lot)
                .map(|s| s.on_hand_at(&from))
                .unwrap_or_default();
            if on_hand < qty {
                return Err(DomainError::refused(
                    "insufficient_stock",
                    format!(
                        "{field}: only {on_hand} of lot {} is at {}; {qty} was asked for",
                        line.lot, m.from
                    ),
                ));
            }
            quantities.push(Self::quantity_json(&lot, qty, &uom));
        }
        let containers =
            self.containers_at(inventory, "containers", &m.containers, &from, false)?;
        self.transfer(m.time, "storing", &from, &to, quantities, containers);
        Ok(())
    }

    /// Resolves SSCCs that must exist at `at`, not shipped; with `releasable`, every lot
    /// inside must be free to ship.
    fn containers_at(
        &self,
        inventory: &Inventory,
        field: &str,
        list: &[String],
        at: &str,
        releasable: bool,
    ) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for (i, text) in list.iter().enumerate() {
            let field = format!("{field}[{i}]");
            let uri = sscc_uri(&field, text)?;
            let Some(state) = inventory.container(&uri) else {
                return Err(DomainError::field(
                    &field,
                    format!("no logistic unit {text:?} is known"),
                ));
            };
            if state.shipped {
                return Err(DomainError::refused(
                    "container_shipped",
                    format!("{field}: {text} has already been shipped"),
                ));
            }
            if state.location.as_deref() != Some(at) {
                return Err(DomainError::refused(
                    "container_elsewhere",
                    format!("{field}: {text} is not at that location"),
                ));
            }
            if releasable {
                for lot in inventory.container_contents(&uri).keys() {
                    if let Some(s) = inventory.lot(lot) {
                        self.check_releasable(s, lot).map_err(|e| match e {
                            DomainError::Refused { rule, message } => DomainError::Refused {
                                rule,
                                message: format!("{field}: {text} holds {message}"),
                            },
                            other => other,
                        })?;
                    }
                }
            }
            out.push(uri);
        }
        Ok(out)
    }

    fn pack(
        &mut self,
        catalog: &Catalog,
        inventory: &Inventory,
        p: &Pack,
        drawn: &Drawn,
    ) -> Result<()> {
        let location = catalog.location("location", &p.location)?.uri();
        check_lines("lots", p.lots.len() + p.containers.len())?;
        if p.lots.is_empty() && p.containers.is_empty() {
            return Err(DomainError::field(
                "lots",
                "name at least one lot or container to pack",
            ));
        }
        let sscc = match &p.sscc {
            Some(text) => sscc_uri("sscc", text)?,
            None => {
                let serial = drawn
                    .iter()
                    .find(|(n, _)| matches!(n, Need::SsccSerial(_)))
                    .map(|(_, v)| *v)
                    .ok_or_else(|| {
                        DomainError::refused("counter_missing", "the SSCC counter was not drawn")
                    })?;
                allocate_sscc(&self.ctx.company_prefix, serial)?
            }
        };
        if inventory.container(&sscc).is_some_and(|c| c.shipped) {
            return Err(DomainError::refused(
                "container_shipped",
                format!("sscc: {sscc} has been shipped"),
            ));
        }
        let mut children = Vec::new();
        for (i, line) in p.lots.iter().enumerate() {
            let field = format!("lots[{i}]");
            let (lot, qty, uom, at) = self.line(catalog, &field, line, &p.location)?;
            let on_hand = inventory
                .lot(&lot)
                .map(|s| s.on_hand_at(&at))
                .unwrap_or_default();
            if on_hand < qty {
                return Err(DomainError::refused(
                    "insufficient_stock",
                    format!(
                        "{field}: only {on_hand} of lot {} is on hand there; {qty} was asked for",
                        line.lot
                    ),
                ));
            }
            children.push(Self::quantity_json(&lot, qty, &uom));
        }
        let nested =
            self.containers_at(inventory, "containers", &p.containers, &location, false)?;
        let mut e = self.event("AggregationEvent", p.time);
        e.insert("action".into(), json!("ADD"));
        e.insert("parentID".into(), json!(sscc));
        e.insert("bizStep".into(), json!("packing"));
        e.insert("disposition".into(), json!("in_progress"));
        e.insert("readPoint".into(), json!({ "id": location }));
        e.insert("bizLocation".into(), json!({ "id": location }));
        if !nested.is_empty() {
            e.insert("childEPCs".into(), json!(nested));
        }
        if !children.is_empty() {
            e.insert("childQuantityList".into(), Value::Array(children));
        }
        self.sscc = Some(sscc);
        self.push(e);
        Ok(())
    }

    fn unpack(&mut self, catalog: &Catalog, inventory: &Inventory, u: &Unpack) -> Result<()> {
        let location = catalog.location("location", &u.location)?.uri();
        let sscc = sscc_uri("sscc", &u.sscc)?;
        self.containers_at(
            inventory,
            "sscc",
            std::slice::from_ref(&u.sscc),
            &location,
            false,
        )
        .map_err(|e| match e {
            DomainError::Field { message, .. } => DomainError::field("sscc", message),
            other => other,
        })?;
        let mut children = Vec::new();
        for (i, line) in u.lots.iter().enumerate() {
            let (lot, qty, uom, _) =
                self.line(catalog, &format!("lots[{i}]"), line, &u.location)?;
            children.push(Self::quantity_json(&lot, qty, &uom));
        }
        let mut e = self.event("AggregationEvent", u.time);
        e.insert("action".into(), json!("DELETE"));
        e.insert("parentID".into(), json!(sscc));
        e.insert("bizStep".into(), json!("unpacking"));
        e.insert("disposition".into(), json!("in_progress"));
        e.insert("readPoint".into(), json!({ "id": location }));
        e.insert("bizLocation".into(), json!({ "id": location }));
        if !children.is_empty() {
            e.insert("childQuantityList".into(), Value::Array(children));
        }
        self.sscc = Some(sscc);
        self.push(e);
        Ok(())
    }

    /// One event that takes lots (`quantities`) and containers from one place to another.
    fn transfer(
        &mut self,
        time: Option<Timestamp>,
        biz_step: &str,
        from: &str,
        to: &str,
        quantities: Vec<Value>,
        containers: Vec<String>,
    ) {
        let mut e = self.event("ObjectEvent", time);
        e.insert("action".into(), json!("OBSERVE"));
        e.insert("bizStep".into(), json!(biz_step));
        e.insert("readPoint".into(), json!({ "id": to }));
        e.insert("bizLocation".into(), json!({ "id": to }));
        if !containers.is_empty() {
            e.insert("epcList".into(), json!(containers));
        }
        if !quantities.is_empty() {
            e.insert("quantityList".into(), Value::Array(quantities));
        }
        e.insert(
            "sourceList".into(),
            json!([{ "type": "location", "source": from }]),
        );
        e.insert(
            "destinationList".into(),
            json!([{ "type": "location", "destination": to }]),
        );
        self.push(e);
    }

    /// Picks stock stored elsewhere to `to` before it is used there: one picking event per
    /// place it comes from (`staging`: from-location URI to quantity elements).
    fn stage(
        &mut self,
        time: Option<Timestamp>,
        to: &str,
        staging: std::collections::BTreeMap<String, Vec<Value>>,
    ) {
        for (from, quantities) in staging {
            self.transfer(time, "picking", &from, to, quantities, Vec::new());
        }
    }

    fn ship(&mut self, catalog: &Catalog, inventory: &Inventory, s: &Ship) -> Result<()> {
        let customer = catalog.party("customer", &s.customer, PartyRole::Customer)?;
        let from = catalog.location("location", &s.location)?.uri();
        check_lines("lots", s.lots.len() + s.containers.len())?;
        if s.lots.is_empty() && s.containers.is_empty() {
            return Err(DomainError::field(
                "lots",
                "name at least one lot or container to ship",
            ));
        }
        let mut quantities = Vec::new();
        // Lines stored elsewhere (`@LOCATION`) are picked to the ship-from location first, so
        // the stock leaves the place it was taken from.
        let mut staging: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
        for (i, line) in s.lots.iter().enumerate() {
            let field = format!("lots[{i}]");
            let (lot, qty, uom, at) = self.line(catalog, &field, line, &s.location)?;
            self.check_available(inventory, &field, &lot, &line.lot, qty, &at)?;
            let q = Self::quantity_json(&lot, qty, &uom);
            if at != from {
                staging.entry(at).or_default().push(q.clone());
            }
            quantities.push(q);
        }
        let containers = self.containers_at(inventory, "containers", &s.containers, &from, true)?;
        self.stage(s.time, &from, staging);
        for c in &containers {
            self.lots
                .extend(inventory.container_contents(c).into_keys());
        }
        let mut e = self.event("ObjectEvent", s.time);
        e.insert("action".into(), json!("OBSERVE"));
        e.insert("bizStep".into(), json!("shipping"));
        e.insert("disposition".into(), json!("in_transit"));
        e.insert("readPoint".into(), json!({ "id": from }));
        if !containers.is_empty() {
            e.insert("epcList".into(), json!(containers));
        }
        if !quantities.is_empty() {
            e.insert("quantityList".into(), Value::Array(quantities));
        }
        let mut transactions = Vec::new();
        for (kind, field, reference) in [
            ("po", "purchase_order", &s.purchase_order),
            ("inv", "invoice", &s.invoice),
            ("desadv", "despatch_advice", &s.despatch_advice),
        ] {
            if let Some(r) = reference {
                check_text(field, r)?;
                transactions.push(transaction(kind, r));
            }
        }
        if !transactions.is_empty() {
            e.insert("bizTransactionList".into(), json!(transactions));
        }
        e.insert(
            "sourceList".into(),
            json!([{ "type": "location", "source": from }]),
        );
        e.insert(
            "destinationList".into(),
            json!([
                { "type": "owning_party", "destination": customer.uri() },
                { "type": "location", "destination": customer.location_uri() },
            ]),
        );
        self.push(e);
        Ok(())
    }

    fn return_stock(&mut self, catalog: &Catalog, r: &Return) -> Result<()> {
        let customer = catalog.party("customer", &r.customer, PartyRole::Customer)?;
        let line = LotLine {
            product: r.product.clone(),
            lot: r.lot.clone(),
            quantity: r.quantity,
            uom: r.uom.clone(),
            location: None,
        };
        let (lot, qty, uom, at) = self.line(catalog, "", &line, &r.location)?;
        let mut e = self.event("ObjectEvent", r.time);
        e.insert("action".into(), json!("OBSERVE"));
        e.insert("bizStep".into(), json!("receiving"));
        e.insert("disposition".into(), json!("returned"));
        e.insert("readPoint".into(), json!({ "id": at }));
        e.insert("bizLocation".into(), json!({ "id": at }));
        e.insert(
            "quantityList".into(),
            json!([Self::quantity_json(&lot, qty, &uom)]),
        );
        if let Some(rma) = &r.rma {
            check_text("rma", rma)?;
            e.insert(
                "bizTransactionList".into(),
                json!([transaction("rma", rma)]),
            );
        }
        if let Some(reason) = &r.reason {
            check_text("reason", reason)?;
            e.insert("lotrace:reason".into(), json!(reason));
        }
        e.insert(
            "sourceList".into(),
            json!([
                { "type": "owning_party", "source": customer.uri() },
                { "type": "location", "source": customer.location_uri() },
            ]),
        );
        self.push(e);
        Ok(())
    }

    fn adjust(&mut self, catalog: &Catalog, a: &Adjust) -> Result<()> {
        check_text("reason", &a.reason)?;
        if a.counted.is_negative() {
            return Err(DomainError::field("counted", "a count cannot be negative"));
        }
        let product = catalog.product("product", &a.product)?;
        check_lot_code("lot", &a.lot)?;
        let uom = unit_of("uom", product, a.uom.as_deref())?;
        let at = catalog.location("location", &a.location)?.uri();
        let lot = product.lot_uri(&a.lot);
        self.lots.push(lot.clone());
        let mut e = self.event("ObjectEvent", a.time);
        e.insert("action".into(), json!("OBSERVE"));
        e.insert("bizStep".into(), json!("cycle_counting"));
        e.insert("readPoint".into(), json!({ "id": at }));
        e.insert("bizLocation".into(), json!({ "id": at }));
        e.insert(
            "quantityList".into(),
            json!([Self::quantity_json(&lot, a.counted, &uom)]),
        );
        e.insert("lotrace:reason".into(), json!(a.reason));
        self.push(e);
        Ok(())
    }

    fn scrap(&mut self, catalog: &Catalog, inventory: &Inventory, s: &Scrap) -> Result<()> {
        check_text("reason", &s.reason)?;
        let line = LotLine {
            product: s.product.clone(),
            lot: s.lot.clone(),
            quantity: s.quantity,
            uom: s.uom.clone(),
            location: None,
        };
        let (lot, qty, uom, at) = self.line(catalog, "", &line, &s.location)?;
        let on_hand = inventory
            .lot(&lot)
            .map(|l| l.on_hand_at(&at))
            .unwrap_or_default();
        if on_hand < qty {
            return Err(DomainError::refused(
                "insufficient_stock",
                format!(
                    "only {on_hand} of lot {} is on hand there; cannot scrap {qty}",
                    s.lot
                ),
            ));
        }
        let mut e = self.event("ObjectEvent", s.time);
        e.insert("action".into(), json!("DELETE"));
        e.insert("bizStep".into(), json!("destroying"));
        e.insert("disposition".into(), json!("destroyed"));
        e.insert("readPoint".into(), json!({ "id": at }));
        e.insert("bizLocation".into(), json!({ "id": at }));
        e.insert(
            "quantityList".into(),
            json!([Self::quantity_json(&lot, qty, &uom)]),
        );
        e.insert("lotrace:reason".into(), json!(s.reason));
        self.push(e);
        Ok(())
    }

    fn hold(
        &mut self,
        catalog: &Catalog,
        inventory: &Inventory,
        h: &HoldChange,
        hold: bool,
    ) -> Result<()> {
        check_text("reason", &h.reason)?;
        let product = catalog.product("product", &h.product)?;
        check_lot_code("lot", &h.lot)?;
        let lot = product.lot_uri(&h.lot);
        let state = inventory.lot(&lot).ok_or_else(|| {
            DomainError::field(
                "lot",
                format!("no lot {:?} of {:?} is known", h.lot, h.product),
            )
        })?;
        match (hold, state.hold) {
            (true, HoldState::OnHold) => {
                return Err(DomainError::refused(
                    "already_on_hold",
                    format!("lot {} is already on hold", h.lot),
                ));
            }
            (false, HoldState::Released) => {
                return Err(DomainError::refused(
                    "not_on_hold",
                    format!("lot {} is not on hold", h.lot),
                ));
            }
            _ => {}
        }
        self.lots.push(lot.clone());
        let mut e = self.event("ObjectEvent", h.time);
        e.insert("action".into(), json!("OBSERVE"));
        if hold {
            e.insert("bizStep".into(), json!("holding"));
            e.insert("disposition".into(), json!("non_sellable_other"));
        } else {
            e.insert("bizStep".into(), json!("inspecting"));
            e.insert("disposition".into(), json!("sellable_accessible"));
        }
        e.insert("quantityList".into(), json!([{ "epcClass": lot }]));
        e.insert("lotrace:reason".into(), json!(h.reason));
        self.push(e);
        Ok(())
    }

    fn inspect(&mut self, catalog: &Catalog, i: &Inspect) -> Result<()> {
        let product = catalog.product("product", &i.product)?;
        check_lot_code("lot", &i.lot)?;
        check_lines("measurements", i.measurements.len())?;
        for (n, m) in i.measurements.iter().enumerate() {
            check_text(&format!("measurements[{n}].name"), &m.name)?;
            if !m.value.is_finite() {
                return Err(DomainError::field(
                    &format!("measurements[{n}].value"),
                    "must be a finite number",
                ));
            }
        }
        let lot = product.lot_uri(&i.lot);
        self.lots.push(lot.clone());
        let mut e = self.event("ObjectEvent", i.time);
        e.insert("action".into(), json!("OBSERVE"));
        e.insert("bizStep".into(), json!("inspecting"));
        let disposition = match i.result {
            InspectionResult::Pass => "conformant",
            InspectionResult::Fail => "non_conformant",
        };
        e.insert("disposition".into(), json!(disposition));
        e.insert("quantityList".into(), json!([{ "epcClass": lot }]));
        let mut inspection = json!({ "result": i.result, "measurements": i.measurements });
        if let Some(c) = &i.certificate {
            check_text("certificate", c)?;
            inspection["certificate"] = json!(c);
        }
        if let Some(n) = &i.notes {
            check_text("notes", n)?;
            inspection["notes"] = json!(n);
        }
        e.insert("lotrace:inspection".into(), prefix_keys(inspection));
        if i.result == InspectionResult::Fail {
            e.insert("lotrace:reason".into(), json!("failed inspection"));
        }
        self.push(e);
        Ok(())
    }

    fn finish(self) -> Result<Plan> {
        let mut events = Vec::with_capacity(self.events.len());
        for (i, value) in self.events.into_iter().enumerate() {
            let event: Event = serde_json::from_value(value).map_err(|e| {
                DomainError::refused(
                    "internal",
                    format!("operation built an invalid event {i}: {e}"),
                )
            })?;
            events.push(event);
        }
        let mut lots = self.lots;
        lots.sort();
        lots.dedup();
        Ok(Plan {
            events,
            lots,
            assigned_lots: self.assigned_lots,
            sscc: self.sscc,
        })
    }
}

/// One location's stock that a recall puts on hold: (lot URI, quantity, unit) lines.
#[derive(Clone, Debug)]
pub struct RecallHold {
    /// The location URI, as the inventory keys it.
    pub location: String,
    pub lines: Vec<(String, Qty, String)>,
}

/// Most lots one recall hold event lists; a larger location is split over several events.
pub const MAX_LOTS_PER_HOLD_EVENT: usize = 1_000;

/// The events that put a recall's on-hand stock on hold: one ObjectEvent per location (bizStep
/// `holding`, the given disposition, the stock's quantities), all citing the recall. The caller
/// captures them in one transaction, so the hold is all or nothing.
pub fn recall_hold_plan(
    ctx: &OpContext,
    recall: &str,
    reason: &str,
    disposition: &str,
    holds: &[RecallHold],
) -> Result<Plan> {
    check_text("reason", reason)?;
    if !matches!(disposition, "recalled" | "non_sellable_other") {
        return Err(DomainError::field(
            "disposition",
            format!("{disposition:?}: a recall hold is \"recalled\" or \"non_sellable_other\""),
        ));
    }
    let mut b = Builder::new(ctx);
    for hold in holds {
        for chunk in hold.lines.chunks(MAX_LOTS_PER_HOLD_EVENT) {
            let mut e = b.event("ObjectEvent", None);
            e.insert("action".into(), json!("OBSERVE"));
            e.insert("bizStep".into(), json!("holding"));
            e.insert("disposition".into(), json!(disposition));
            e.insert("readPoint".into(), json!({ "id": hold.location }));
            e.insert("bizLocation".into(), json!({ "id": hold.location }));
            let list: Vec<Value> = chunk
                .iter()
                .map(|(lot, qty, uom)| Builder::quantity_json(lot, *qty, uom))
                .collect();
            e.insert("quantityList".into(), Value::Array(list));
            e.insert("lotrace:reason".into(), json!(reason));
            e.insert("lotrace:recall".into(), json!(recall));
            b.lots.extend(chunk.iter().map(|(lot, _, _)| lot.clone()));
            b.push(e);
        }
    }
    b.finish()
}

/// EPCIS extension content must be namespaced at every level: prefix our keys.
fn prefix_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (format!("lotrace:{k}"), prefix_keys(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(prefix_keys).collect()),
        other => other,
    }
}

/// A suggested pick: take `quantity` of `lot` from `location`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pick {
    pub lot: String,
    pub location: String,
    pub quantity: Qty,
    pub expiry: Option<Date>,
}

/// FEFO (or FIFO, per the product) picks for `quantity` of `product`, skipping lots on hold,
/// recalled or expired. Returns what is available when there is not enough.
pub fn suggest_picks(
    catalog: &Catalog,
    inventory: &Inventory,
    product_code: &str,
    quantity: Qty,
    location: Option<&str>,
    today: Date,
) -> Result<Vec<Pick>> {
    let product = catalog.product("product", product_code)?;
    let at = location
        .map(|l| catalog.location("location", l).map(|l| l.uri()))
        .transpose()?;
    let prefix = product.lot_uri("");
    let mut candidates: Vec<_> = inventory
        .lots()
        .filter(|l| l.id.starts_with(&prefix))
        .filter(|l| l.hold == HoldState::Released && !l.is_expired(today))
        .collect();
    match product.pick_rule {
        crate::master::PickRule::Fefo => candidates.sort_by(|a, b| {
            (a.expiry.is_none(), a.expiry, a.first_seen, &a.id).cmp(&(
                b.expiry.is_none(),
                b.expiry,
                b.first_seen,
                &b.id,
            ))
        }),
        crate::master::PickRule::Fifo => {
            candidates.sort_by(|a, b| (a.first_seen, &a.id).cmp(&(b.first_seen, &b.id)))
        }
    }
    let mut left = quantity;
    let mut picks = Vec::new();
    for lot in candidates {
        for (loc, q) in &lot.on_hand {
            if left.is_zero() || left.is_negative() {
                return Ok(picks);
            }
            if at.as_ref().is_some_and(|a| a != loc) || !q.is_positive() {
                continue;
            }
            let take = if *q < left { *q } else { left };
            picks.push(Pick {
                lot: lot.id.clone(),
                location: loc.clone(),
                quantity: take,
                expiry: lot.expiry,
            });
            left -= take;
        }
    }
    Ok(picks)
}
