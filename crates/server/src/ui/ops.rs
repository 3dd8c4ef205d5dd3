//! Operation forms: the same fields, rules and messages as `POST /api/v1/ops/{operation}`.
//! A refused operation shows its message above the form with the values kept and the field
//! it names marked; a done one goes to the lot (or container) it made or moved.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use lotrace_core::ops::{LotLine, Operation};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Layout, explain, render, see_other};
use crate::AppState;

/// Lines one textarea takes.
const MAX_FORM_LINES: usize = 200;

/// How a form field becomes part of the operation's JSON body.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    /// One `PRODUCT:LOT:QUANTITY[@LOCATION]` per line, into this array.
    LotLines(&'static str),
    /// One SSCC per line, into `containers`.
    Containers,
    /// One `NAME=VALUE[:UOM]` per line, into `measurements`.
    Measurements,
}

struct Spec {
    name: &'static str,
    label: &'static str,
    required: bool,
    hint: &'static str,
    kind: Kind,
    /// Offer master data codes: products, locations, suppliers or customers.
    offer: Option<&'static str>,
    /// An FSMA 204 Key Data Element (see `fsma`).
    fsma: bool,
}

const fn f(name: &'static str, label: &'static str, required: bool) -> Spec {
    Spec {
        name,
        label,
        required,
        hint: "",
        kind: Kind::Text,
        offer: None,
        fsma: false,
    }
}

const fn offer(mut s: Spec, what: &'static str) -> Spec {
    s.offer = Some(what);
    s
}

const fn hint(mut s: Spec, text: &'static str) -> Spec {
    s.hint = text;
    s
}

/// A Key Data Element of FSMA 204: asked for when the product is on the Food Traceability List.
const fn fsma(mut s: Spec) -> Spec {
    s.fsma = true;
    s
}

const LINES_HINT: &str = "one PRODUCT:LOT:QUANTITY per line, @LOCATION to take it elsewhere";

fn specs(operation: &str) -> Option<(&'static str, Vec<Spec>)> {
    let product = || offer(f("product", "Product", true), "products");
    let location = || offer(f("location", "Location", true), "locations");
    let lines = |name: &'static str, array: &'static str, required: bool| Spec {
        name,
        label: "Lots",
        required,
        hint: LINES_HINT,
        kind: Kind::LotLines(array),
        offer: None,
        fsma: false,
    };
    let containers = Spec {
        name: "containers",
        label: "Containers (SSCC)",
        required: false,
        hint: "one SSCC per line",
        kind: Kind::Containers,
        offer: None,
        fsma: false,
    };
    Some(match operation {
        "receive" => (
            "Receive",
            vec![
                product(),
                offer(f("supplier", "Supplier", true), "suppliers"),
                location(),
                f("quantity", "Quantity", true),
                hint(
                    f("lot", "Our lot number", false),
                    "empty: the supplier's lot or the product's template",
                ),
                f("supplier_lot", "Supplier's lot", false),
                hint(f("expiry", "Expiry date", false), "YYYY-MM-DD"),
                f("purchase_order", "Purchase order", false),
                fsma(f("despatch_advice", "Despatch advice (ASN)", false)),
                fsma(f("bill_of_lading", "Bill of lading", false)),
                fsma(hint(
                    f("tlc_source", "Traceability lot code source", false),
                    "where the supplier's lot code was assigned: supplier or location code, GLN, FDA registration number, URL or address",
                )),
                fsma(hint(
                    f("harvest_date", "Harvest date", false),
                    "YYYY-MM-DD; a raw agricultural commodity not yet packed",
                )),
                fsma(f("growing_area", "Field or growing area", false)),
                fsma(f("cooling_location", "Cooled at", false)),
                fsma(hint(f("cooling_date", "Cooling date", false), "YYYY-MM-DD")),
            ],
        ),
        "produce" => (
            "Produce",
            vec![
                product(),
                f("quantity", "Quantity made", true),
                location(),
                hint(
                    f("lot", "Lot number", false),
                    "empty: from the product's template",
                ),
                Spec {
                    label: "Inputs consumed",
                    ..lines("inputs", "inputs", false)
                },
                f("production_order", "Production order", false),
            ],
        ),
        "pack" => (
            "Pack",
            vec![
                location(),
                lines("lots", "lots", false),
                hint(f("sscc", "SSCC", false), "empty: a new one is allocated"),
            ],
        ),
        "unpack" => (
            "Unpack",
            vec![
                f("sscc", "SSCC", true),
                location(),
                Spec {
                    hint: "empty: everything",
                    ..lines("lots", "lots", false)
                },
            ],
        ),
        "move" => (
            "Move",
            vec![
                offer(f("from", "From", true), "locations"),
                offer(f("to", "To", true), "locations"),
                lines("lots", "lots", false),
                containers,
            ],
        ),
        "ship" => (
            "Ship",
            vec![
                offer(f("customer", "Customer", true), "customers"),
                location(),
                lines("lots", "lots", false),
                containers,
                f("purchase_order", "Customer order", false),
                f("invoice", "Invoice", false),
            ],
        ),
        "return" => (
            "Customer return",
            vec![
                offer(f("customer", "Customer", true), "customers"),
                location(),
                product(),
                f("lot", "Lot", true),
                f("quantity", "Quantity", true),
                f("rma", "RMA", false),
                f("reason", "Reason", false),
            ],
        ),
        "scrap" => (
            "Scrap",
            vec![
                product(),
                f("lot", "Lot", true),
                location(),
                f("quantity", "Quantity", true),
                f("reason", "Reason", true),
            ],
        ),
        "adjust" => (
            "Count",
            vec![
                product(),
                f("lot", "Lot", true),
                location(),
                f("counted", "Quantity counted", true),
                f("reason", "Reason", true),
            ],
        ),
        "inspect" => (
            "Inspect",
            vec![
                product(),
                f("lot", "Lot", true),
                hint(f("result", "Result", true), "pass or fail"),
                Spec {
                    name: "measurements",
                    label: "Measurements",
                    required: false,
                    hint: "one NAME=VALUE[:UNIT] per line, e.g. moisture=12.5:P1",
                    kind: Kind::Measurements,
                    offer: None,
                    fsma: false,
                },
                hint(
                    f("certificate", "Certificate of analysis", false),
                    "its URL or document number",
                ),
                f("notes", "Notes", false),
            ],
        ),
        "hold" | "release" => (
            if operation == "hold" {
                "Hold"
            } else {
                "Release"
            },
            vec![
                product(),
                f("lot", "Lot", true),
                f("reason", "Reason", true),
            ],
        ),
        _ => return None,
    })
}

const FORMS: [&str; 12] = [
    "receive", "produce", "pack", "unpack", "move", "ship", "return", "scrap", "adjust", "inspect",
    "hold", "release",
];

pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub required: bool,
    pub hint: &'static str,
    /// FSMA 204: a note that the product chosen (or, none chosen yet, which products) is on
    /// the Food Traceability List, so this Key Data Element is asked for.
    pub fsma: String,
    pub lines: bool,
    pub value: String,
    pub invalid: bool,
    pub list: Vec<String>,
    /// The lot field of receive and produce: the number the template gives now, when the
    /// product and location are known (`assets/ops.js` keeps it current as they change).
    pub proposal: Option<String>,
}

#[derive(Template)]
#[template(path = "ops.html")]
struct OpsPage {
    layout: Layout,
    title: &'static str,
    name: String,
    operations: &'static [&'static str],
    fields: Vec<Field>,
    /// Whether the form takes lot lines, which FEFO suggestions can fill.
    picks: bool,
    pick_product: String,
    pick_quantity: String,
    pick_location: String,
    products: Vec<String>,
}

#[derive(Deserialize)]
pub struct Prefill {
    product: Option<String>,
    lot: Option<String>,
    sscc: Option<String>,
    location: Option<String>,
    /// FEFO suggestions for the lot lines: this much of this product.
    pick_product: Option<String>,
    pick_quantity: Option<String>,
    /// Where to pick from (default: anywhere).
    pick_location: Option<String>,
    ok: Option<String>,
}

/// The lot-lines field of an operation's form, if it has one.
fn lines_field(specs: &[Spec]) -> Option<&'static str> {
    specs
        .iter()
        .find(|s| matches!(s.kind, Kind::LotLines(_)))
        .map(|s| s.name)
}

/// FEFO (or FIFO) picks as the form's lines, `PRODUCT:LOT:QUANTITY@LOCATION`, and a note
/// when there is not enough.
async fn pick_lines(
    state: &AppState,
    product: &str,
    quantity: &str,
    location: Option<&str>,
) -> Result<(String, Option<String>), String> {
    let wanted =
        lotrace_core::Qty::parse(quantity.trim()).map_err(|e| format!("pick_quantity: {e}"))?;
    let picks = state
        .app
        .picks(product.trim(), wanted, location)
        .await
        .map_err(|e| explain(&e).0)?;
    let catalog = state.app.catalog().await;
    let mut lines = Vec::with_capacity(picks.len());
    let mut total = lotrace_core::Qty::default();
    for p in &picks {
        let code = catalog
            .products
            .get(product.trim())
            .and_then(|prod| prod.lot_code_of(&p.lot))
            .unwrap_or_else(|| p.lot.clone());
        let place = catalog
            .location_by_uri(&p.location)
            .map_or(p.location.as_str(), |l| l.code.as_str());
        lines.push(format!("{}:{code}:{}@{place}", product.trim(), p.quantity));
        total += p.quantity;
    }
    let short = (total < wanted).then(|| {
        format!(
            "only {total} of {wanted} can be picked (lots on hold, recalled or expired are skipped)"
        )
    });
    Ok((lines.join("\n"), short))
}

async fn page(
    state: &AppState,
    name: &str,
    values: &Map<String, Value>,
    invalid: Option<&str>,
    layout: Layout,
) -> Option<OpsPage> {
    let (title, specs) = specs(name)?;
    let catalog = state.app.catalog().await;
    let codes = |what: &str| -> Vec<String> {
        use lotrace_core::master::PartyRole;
        match what {
            "products" => catalog.products.keys().cloned().collect(),
            "locations" => catalog.locations.keys().cloned().collect(),
            "suppliers" | "customers" => {
                let role = if what == "suppliers" {
                    PartyRole::Supplier
                } else {
                    PartyRole::Customer
                };
                catalog
                    .parties
                    .values()
                    .filter(|p| p.has_role(role))
                    .map(|p| p.code.clone())
                    .collect()
            }
            _ => Vec::new(),
        }
    };
    let chosen = values
        .get("product")
        .and_then(Value::as_str)
        .and_then(|code| catalog.products.get(code.trim()));
    let fsma_note = match chosen {
        Some(p) if p.food_traceability_list => format!(
            "FSMA 204: {} is on the Food Traceability List; a reference document and either the lot code source or the harvest date are required",
            p.code
        ),
        Some(_) => String::new(),
        None => {
            let ftl: Vec<&str> = catalog
                .products
                .values()
                .filter(|p| p.food_traceability_list && p.active)
                .map(|p| p.code.as_str())
                .collect();
            if ftl.is_empty() {
                String::new()
            } else {
                format!(
                    "FSMA 204, for Food Traceability List products ({})",
                    ftl.join(", ")
                )
            }
        }
    };
    let proposes = matches!(name, "receive" | "produce");
    let proposal = match (chosen, values.get("location").and_then(Value::as_str)) {
        (Some(product), Some(location)) if proposes => state
            .app
            .propose_lot(&product.code, location.trim(), None)
            .await
            .ok()
            .flatten(),
        _ => None,
    };
    let fields = specs
        .iter()
        .map(|s| Field {
            name: s.name,
            label: s.label,
            required: s.required,
            hint: s.hint,
            fsma: if s.fsma {
                fsma_note.clone()
            } else {
                String::new()
            },
            lines: s.kind != Kind::Text,
            value: values
                .get(s.name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            invalid: invalid.is_some_and(|f| f == s.name || f.starts_with(&format!("{}[", s.name))),
            list: s.offer.map(codes).unwrap_or_default(),
            proposal: (proposes && s.name == "lot").then(|| proposal.clone().unwrap_or_default()),
        })
        .collect();
    Some(OpsPage {
        layout,
        title,
        name: name.to_owned(),
        operations: &FORMS,
        fields,
        picks: lines_field(&specs).is_some(),
        pick_product: String::new(),
        pick_quantity: String::new(),
        pick_location: values
            .get("location")
            .or_else(|| values.get("from"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        products: catalog.products.keys().cloned().collect(),
    })
}

pub async fn form(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(prefill): Query<Prefill>,
) -> Response {
    let mut values = Map::new();
    for (k, v) in [
        ("product", &prefill.product),
        ("lot", &prefill.lot),
        ("sscc", &prefill.sscc),
        ("location", &prefill.location),
    ] {
        if let Some(v) = v {
            values.insert(k.into(), json!(v));
        }
    }
    let mut layout = Layout::new("/ops/receive").with_query_message(prefill.ok.as_deref(), None);
    let lines = specs(&name).and_then(|(_, specs)| lines_field(&specs));
    if let (Some(field), Some(product), Some(quantity)) =
        (lines, &prefill.pick_product, &prefill.pick_quantity)
    {
        match pick_lines(&state, product, quantity, prefill.pick_location.as_deref()).await {
            Ok((text, short)) => {
                values.insert(field.into(), json!(text));
                if let Some(note) = short {
                    layout = layout.error(note);
                }
            }
            Err(message) => layout = layout.error(message),
        }
    }
    match page(&state, &name, &values, None, layout).await {
        Some(mut p) => {
            p.pick_product = prefill.pick_product.unwrap_or_default();
            p.pick_quantity = prefill.pick_quantity.unwrap_or_default();
            if let Some(at) = prefill.pick_location {
                p.pick_location = at;
            }
            render(&p, StatusCode::OK)
        }
        None => render(
            &super::pages_not_found(&format!("no operation form {name:?}")),
            StatusCode::NOT_FOUND,
        ),
    }
}

/// The operation's JSON body from the form; a malformed line names its field.
fn body(specs: &[Spec], form: &Map<String, Value>) -> Result<Value, (String, String)> {
    let mut body = Map::new();
    for spec in specs {
        let Some(text) = form.get(spec.name).and_then(Value::as_str) else {
            continue;
        };
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        match spec.kind {
            Kind::Text => {
                body.insert(spec.name.into(), json!(text));
            }
            Kind::LotLines(array) => {
                let lines: Vec<&str> = text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect();
                if lines.len() > MAX_FORM_LINES {
                    return Err((spec.name.into(), format!("at most {MAX_FORM_LINES} lines")));
                }
                let mut out = Vec::with_capacity(lines.len());
                for (i, line) in lines.iter().enumerate() {
                    out.push(
                        LotLine::json_from_text(line).map_err(|e| (format!("{array}[{i}]"), e))?,
                    );
                }
                body.insert(array.into(), Value::Array(out));
            }
            Kind::Measurements => {
                let lines: Vec<&str> = text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect();
                if lines.len() > MAX_FORM_LINES {
                    return Err((spec.name.into(), format!("at most {MAX_FORM_LINES} lines")));
                }
                let mut out = Vec::with_capacity(lines.len());
                for (i, line) in lines.iter().enumerate() {
                    out.push(
                        lotrace_core::ops::Measurement::json_from_text(line)
                            .map_err(|e| (format!("measurements[{i}]"), e))?,
                    );
                }
                body.insert("measurements".into(), Value::Array(out));
            }
            Kind::Containers => {
                let list: Vec<Value> = text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .take(MAX_FORM_LINES)
                    .map(|l| json!(l))
                    .collect();
                body.insert("containers".into(), Value::Array(list));
            }
        }
    }
    Ok(Value::Object(body))
}

pub async fn submit(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let Some((_, specs)) = specs(&name) else {
        return render(
            &super::pages_not_found(&format!("no operation form {name:?}")),
            StatusCode::NOT_FOUND,
        );
    };
    let values: Map<String, Value> = form.into_iter().map(|(k, v)| (k, json!(v))).collect();
    let refused = |message: String, field: Option<String>| {
        let state = state.clone();
        let values = values.clone();
        let name = name.clone();
        async move {
            let layout = Layout::new("/ops/receive").error(message);
            match page(&state, &name, &values, field.as_deref(), layout).await {
                Some(p) => render(&p, StatusCode::UNPROCESSABLE_ENTITY),
                None => render(
                    &super::pages_not_found("no such form"),
                    StatusCode::NOT_FOUND,
                ),
            }
        }
    };
    let body = match body(&specs, &values) {
        Ok(b) => b,
        Err((field, message)) => return refused(format!("{field}: {message}"), Some(field)).await,
    };
    let outcome = match Operation::from_json(&name, body) {
        Ok(op) => {
            if let Err(message) = crate::auth::check_override_role(&op) {
                return refused(message, Some("overrides".into())).await;
            }
            state
                .app
                .run(&op, &name, &crate::api::operator(&headers))
                .await
        }
        Err(e) => Err(e.into()),
    };
    match outcome {
        Ok(done) => {
            let what = match (&done.sscc, done.assigned_lots.first()) {
                (Some(sscc), _) => format!("{name}: done, packed into SSCC {sscc}"),
                (None, Some(lot)) => format!("{name}: done, lot {lot}"),
                _ => format!("{name}: done ({} event(s))", done.event_ids.len()),
            };
            // Receive and produce go to the lot they made; the others to what they moved.
            let made = match (name.as_str(), values.get("product").and_then(Value::as_str)) {
                ("receive" | "produce", Some(product)) => {
                    let typed = values
                        .get("lot")
                        .and_then(Value::as_str)
                        .filter(|l| !l.trim().is_empty());
                    let lot = done.assigned_lots.first().map(String::as_str).or(typed);
                    let catalog = state.app.catalog().await;
                    lot.and_then(|l| catalog.products.get(product).map(|p| p.lot_uri(l.trim())))
                }
                _ => None,
            };
            let target = done
                .sscc
                .clone()
                .or(made)
                .or_else(|| done.lots.last().cloned());
            match target {
                Some(id) => see_other(&format!("/lot?id={}", super::encode(&id)), "ok", &what),
                None => see_other(&format!("/ops/{name}"), "ok", &what),
            }
        }
        Err(e) => {
            let (message, field) = explain(&e);
            refused(message, field).await
        }
    }
}
