//! Production forms: a new BOM version, a new production order, an order's status, and a
//! production against an order (`bom_forms/produce.rs`). Each builds the JSON body its API
//! endpoint takes (`POST /api/v1/boms`, `/api/v1/orders`, `/api/v1/orders/{id}/status`,
//! `/api/v1/ops/produce` with `order`) and calls the same `App` function, so the rules and
//! messages are the API's. A refused post shows the form again with the message, the
//! values typed and the field it names marked; a done one redirects (303) to what it made
//! with the message in the query.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use jiff::Timestamp;
use lotrace_app::AppError;
use lotrace_core::DomainError;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Layout, bom_lines, encode, explain, render, see_other};
use crate::AppState;

mod produce;

/// Most fields one post may carry (the largest form has 10).
const MAX_FORM_PAIRS: usize = 50;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/production/boms", post(create_bom))
        .route("/production/boms/new", get(new_bom))
        .route("/production/orders", post(create_order))
        .route("/production/orders/new", get(new_order))
        .route("/production/orders/{id}/status", post(order_status))
        .route(
            "/production/orders/{id}/produce",
            get(produce::form).post(produce::submit),
        )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Offer {
    Nothing,
    Products,
    Locations,
    Boms,
}

struct Spec {
    name: &'static str,
    label: &'static str,
    required: bool,
    hint: &'static str,
    /// `text`, `number` (whole), `decimal`, `datetime-local` or `textarea`.
    input: &'static str,
    offer: Offer,
}

const fn spec(name: &'static str, label: &'static str, input: &'static str) -> Spec {
    Spec {
        name,
        label,
        required: false,
        hint: "",
        input,
        offer: Offer::Nothing,
    }
}

const fn required(mut s: Spec) -> Spec {
    s.required = true;
    s
}

const fn hint(mut s: Spec, text: &'static str) -> Spec {
    s.hint = text;
    s
}

const fn offer(mut s: Spec, what: Offer) -> Spec {
    s.offer = what;
    s
}

const BOM_FIELDS: &[Spec] = &[
    required(hint(
        offer(spec("code", "BOM code", "text"), Offer::Boms),
        "1 to 64 letters, digits, '-', '_' or '.'",
    )),
    required(hint(
        offer(spec("product", "Makes product", "text"), Offer::Products),
        "quantities per unit are per one unit of this product",
    )),
    spec("description", "Description", "text"),
    required(hint(
        spec("components", "Components", "textarea"),
        bom_lines::HINT,
    )),
    hint(
        spec("min_yield_percent", "Minimum yield (%)", "decimal"),
        "e.g. 95; a run below it is a deviation",
    ),
    hint(
        spec("previous_version", "Replaces version", "number"),
        "for a new version of an existing BOM: its latest version (filled in when you start from the BOM's page); empty for a new BOM",
    ),
];

const ORDER_FIELDS: &[Spec] = &[
    required(hint(
        spec("id", "Order number", "text"),
        "the ERP's number: 1 to 64 letters, digits, '-', '_' or '.'",
    )),
    required(offer(spec("product", "Product", "text"), Offer::Products)),
    required(offer(spec("bom", "BOM code", "text"), Offer::Boms)),
    hint(
        spec("bom_version", "BOM version", "number"),
        "empty: the latest",
    ),
    required(hint(
        spec("quantity", "Planned quantity", "decimal"),
        "in the product's unit",
    )),
    required(offer(
        spec("location", "Location", "text"),
        Offer::Locations,
    )),
    hint(
        spec("line", "Line", "text"),
        "for lot numbers; empty: the location's code",
    ),
    hint(
        spec("planned_start", "Planned start", "datetime-local"),
        "site time",
    ),
    hint(
        spec("planned_end", "Planned end", "datetime-local"),
        "site time",
    ),
    spec("note", "Note", "text"),
];

/// One field as the template draws it.
pub struct FormField {
    pub name: &'static str,
    pub label: &'static str,
    pub required: bool,
    pub hint: &'static str,
    pub input: &'static str,
    pub rows: usize,
    pub value: String,
    pub invalid: bool,
    pub list: Vec<String>,
}

#[derive(Template)]
#[template(path = "production_form.html")]
struct FormPage {
    layout: Layout,
    title: String,
    intro: String,
    /// (href, text) of the page this form belongs to.
    back: (String, String),
    action: String,
    submit: &'static str,
    fields: Vec<FormField>,
    /// The produce form's FEFO proposal: (where the GET form goes, the quantity).
    propose: Option<(String, String)>,
}

/// The values a form shows: field name to text.
type Values = Map<String, Value>;

fn text<'a>(values: &'a Values, name: &str) -> &'a str {
    values.get(name).and_then(Value::as_str).unwrap_or_default()
}

async fn fields(
    state: &AppState,
    specs: &[Spec],
    values: &Values,
    invalid: Option<&str>,
) -> Vec<FormField> {
    let catalog = state.app.catalog().await;
    let boms: Vec<String> = if specs.iter().any(|s| s.offer == Offer::Boms) {
        state
            .app
            .boms()
            .await
            .map(|b| b.into_iter().map(|b| b.code).collect())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    specs
        .iter()
        .map(|s| FormField {
            name: s.name,
            label: s.label,
            required: s.required,
            hint: s.hint,
            input: s.input,
            rows: match s.name {
                "components" => 6,
                "inputs" => 5,
                _ => 3,
            },
            value: text(values, s.name).to_owned(),
            invalid: invalid == Some(s.name),
            list: match s.offer {
                Offer::Nothing => Vec::new(),
                Offer::Products => catalog.products.keys().cloned().collect(),
                Offer::Locations => catalog.locations.keys().cloned().collect(),
                Offer::Boms => boms.clone(),
            },
        })
        .collect()
}

/// The form field an error names: `components[1].product` is the components field.
fn field_of<'a>(specs: &[Spec], field: &'a str) -> Option<&'a str> {
    let head = field.split(['[', '.']).next().unwrap_or_default();
    specs.iter().any(|s| s.name == head).then_some(head)
}

/// The posted pairs as the values the form shows again; more than `MAX_FORM_PAIRS` is an
/// error (a browser never sends that many for these forms).
fn values_of(pairs: Vec<(String, String)>) -> Result<Values, String> {
    if pairs.len() > MAX_FORM_PAIRS {
        return Err(format!("the form has more than {MAX_FORM_PAIRS} fields"));
    }
    let mut values = Map::new();
    for (k, v) in pairs {
        values.entry(k).or_insert(Value::String(v));
    }
    Ok(values)
}

/// A planned or start time: RFC 3339 with its offset, or a `datetime-local` value
/// (`YYYY-MM-DDTHH:MM[:SS]`) read at the site's offset, as the form's hint says.
fn site_time(
    field: &str,
    text: &str,
    offset: lotrace_epcis::TzOffset,
) -> Result<Timestamp, String> {
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    let civil: jiff::civil::DateTime = text.parse().map_err(|_| {
        format!("{field}: {text:?} is not a date and time (YYYY-MM-DDTHH:MM, site time)")
    })?;
    let zone = jiff::tz::Offset::from_seconds(i32::from(offset.minutes) * 60)
        .map_err(|_| format!("{field}: the site's offset is out of range"))?;
    civil
        .to_zoned(jiff::tz::TimeZone::fixed(zone))
        .map(|z| z.timestamp())
        .map_err(|_| format!("{field}: {text:?} is out of range"))
}

/// The plain fields of `specs` into a JSON body: text as it is (the API checks it), whole
/// numbers and times parsed; empty fields left out. Textareas are the caller's.
fn plain_body(
    state: &AppState,
    specs: &[Spec],
    values: &Values,
) -> Result<Map<String, Value>, (String, String)> {
    let mut body = Map::new();
    for s in specs {
        let v = text(values, s.name).trim();
        if v.is_empty() || s.input == "textarea" {
            continue;
        }
        let value = match s.input {
            "number" => json!(v.parse::<u64>().map_err(|_| (
                s.name.to_owned(),
                format!("{}: {v:?} is not a whole number", s.name)
            ))?),
            "datetime-local" => json!(
                site_time(s.name, v, state.app.site_offset())
                    .map_err(|m| (s.name.to_owned(), m))?
                    .to_string()
            ),
            _ => json!(v),
        };
        body.insert(s.name.into(), value);
    }
    Ok(body)
}

/// What a refused post shows: the message and the field it names.
struct Refusal {
    message: String,
    field: Option<String>,
}

impl Refusal {
    fn new(message: impl Into<String>, field: Option<String>) -> Refusal {
        Refusal {
            message: message.into(),
            field,
        }
    }

    fn from_app(e: &AppError) -> Refusal {
        let (message, field) = explain(e);
        Refusal { message, field }
    }
}

async fn form_page(
    state: &AppState,
    page: FormPage,
    specs: &[Spec],
    values: &Values,
    refusal: Option<Refusal>,
) -> Response {
    let mut page = page;
    let (invalid, status) = match &refusal {
        Some(r) => (
            r.field.as_deref().and_then(|f| field_of(specs, f)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        None => (None, StatusCode::OK),
    };
    page.fields = fields(state, specs, values, invalid).await;
    if let Some(r) = refusal {
        page.layout = page.layout.error(r.message);
    }
    render(&page, status)
}

fn bom_page(values: &Values) -> FormPage {
    let code = text(values, "code");
    let title = match text(values, "previous_version").trim().parse::<u64>() {
        Ok(v) => format!("New version of BOM {code} (replaces v{v})"),
        Err(_) => "New BOM version".to_owned(),
    };
    FormPage {
        layout: Layout::new("/production"),
        title,
        intro: "A BOM version is never changed once stored: a change is a new version, \
                and every lot names the version it was made with."
            .into(),
        back: ("/production".into(), "Production".into()),
        action: "/production/boms".into(),
        submit: "Add BOM version",
        fields: Vec::new(),
        propose: None,
    }
}

#[derive(Deserialize)]
pub struct NewBomQuery {
    /// Start from this BOM's latest version (its next version).
    code: Option<String>,
    product: Option<String>,
}

async fn new_bom(State(state): State<AppState>, Query(q): Query<NewBomQuery>) -> Response {
    let mut values = Map::new();
    if let Some(p) = q.product.filter(|p| !p.trim().is_empty()) {
        values.insert("product".into(), json!(p.trim()));
    }
    if let Some(code) = q.code.filter(|c| !c.trim().is_empty()) {
        let code = code.trim();
        values.insert("code".into(), json!(code));
        if let Ok(latest) = state.app.bom(code, None).await {
            values.insert("product".into(), json!(latest.product));
            if let Some(d) = &latest.description {
                values.insert("description".into(), json!(d));
            }
            values.insert(
                "components".into(),
                json!(bom_lines::format(&latest.components)),
            );
            if let Some(y) = latest.min_yield_percent {
                values.insert("min_yield_percent".into(), json!(y.to_string()));
            }
            values.insert("previous_version".into(), json!(latest.version.to_string()));
        }
    }
    form_page(&state, bom_page(&values), BOM_FIELDS, &values, None).await
}

async fn create_bom(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let mut values = match values_of(pairs) {
        Ok(v) => v,
        Err(m) => return too_many_fields(&state, bom_page(&Map::new()), BOM_FIELDS, m).await,
    };
    let refusal = match bom_body(&state, &values) {
        Ok((body, lines)) => match state
            .app
            .create_bom(body, &crate::api::operator(&headers))
            .await
        {
            Ok(bom) => {
                return see_other(
                    &format!("/production/boms/{}", encode(&bom.code)),
                    "ok",
                    &format!("{} added", bom.label()),
                );
            }
            Err(e) => {
                let mut r = Refusal::from_app(&e);
                // The API counts components from 0; the form's user counts lines from 1.
                if let Some(line) = r
                    .field
                    .as_deref()
                    .and_then(bom_lines::index_of)
                    .and_then(|i| lines.get(i))
                {
                    r.message.push_str(&format!(" (components, line {line})"));
                }
                // The code exists and no version was named: the field is filled in with the
                // latest, for the user to check and post again (nothing is added unasked).
                if r.field.as_deref() == Some("previous_version")
                    && text(&values, "previous_version").trim().is_empty()
                    && let Ok(latest) = state.app.bom(text(&values, "code").trim(), None).await
                {
                    values.insert("previous_version".into(), json!(latest.version.to_string()));
                    r.message.push_str(&format!(
                        "; version {} is filled in below: check the form and add again",
                        latest.version
                    ));
                }
                r
            }
        },
        Err((field, message)) => Refusal::new(message, Some(field)),
    };
    form_page(
        &state,
        bom_page(&values),
        BOM_FIELDS,
        &values,
        Some(refusal),
    )
    .await
}

/// The BOM's body and, per component, its line in the textarea.
fn bom_body(state: &AppState, values: &Values) -> Result<(Value, Vec<usize>), (String, String)> {
    let mut body = plain_body(state, BOM_FIELDS, values)?;
    if let Some(y) = body.get("min_yield_percent").cloned() {
        // The API takes a number or its text; a stray % sign is the form's to drop.
        let y = y.as_str().unwrap_or_default();
        body.insert(
            "min_yield_percent".into(),
            json!(y.strip_suffix('%').unwrap_or(y).trim()),
        );
    }
    let (components, lines) = bom_lines::parse(text(values, "components"))
        .map_err(|(field, message)| (field.clone(), format!("{field}: {message}")))?;
    body.insert("components".into(), Value::Array(components));
    Ok((Value::Object(body), lines))
}

/// A post with more fields than any of these forms has: refused, the form shown empty.
async fn too_many_fields(
    state: &AppState,
    page: FormPage,
    specs: &[Spec],
    message: String,
) -> Response {
    form_page(
        state,
        page,
        specs,
        &Map::new(),
        Some(Refusal::new(message, None)),
    )
    .await
}

fn order_page() -> FormPage {
    FormPage {
        layout: Layout::new("/production"),
        title: "New production order".into(),
        intro: "An order plans a quantity of a product against one BOM version; it starts \
                planned, is released to the floor, and is closed (or cancelled)."
            .into(),
        back: ("/production".into(), "Production".into()),
        action: "/production/orders".into(),
        submit: "Create order",
        fields: Vec::new(),
        propose: None,
    }
}

#[derive(Deserialize)]
pub struct NewOrderQuery {
    bom: Option<String>,
}

async fn new_order(State(state): State<AppState>, Query(q): Query<NewOrderQuery>) -> Response {
    let mut values = Map::new();
    if let Some(code) = q.bom.filter(|c| !c.trim().is_empty()) {
        let code = code.trim();
        values.insert("bom".into(), json!(code));
        if let Ok(latest) = state.app.bom(code, None).await {
            values.insert("product".into(), json!(latest.product));
        }
    }
    form_page(&state, order_page(), ORDER_FIELDS, &values, None).await
}

async fn create_order(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let values = match values_of(pairs) {
        Ok(v) => v,
        Err(m) => return too_many_fields(&state, order_page(), ORDER_FIELDS, m).await,
    };
    let refusal = match plain_body(&state, ORDER_FIELDS, &values) {
        Ok(body) => match state
            .app
            .create_order(Value::Object(body), &crate::api::operator(&headers))
            .await
        {
            Ok(order) => {
                return see_other(
                    &format!("/production/orders/{}", encode(&order.id)),
                    "ok",
                    &format!(
                        "Order {} created (planned) against BOM {} v{}",
                        order.id, order.bom, order.bom_version
                    ),
                );
            }
            // An order number taken is the order number's fault.
            Err(e @ AppError::Domain(DomainError::Exists { .. })) => {
                Refusal::new(explain(&e).0, Some("id".into()))
            }
            Err(e) => Refusal::from_app(&e),
        },
        Err((field, message)) => Refusal::new(message, Some(field)),
    };
    form_page(&state, order_page(), ORDER_FIELDS, &values, Some(refusal)).await
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
}

/// Release, close or cancel: `App::set_order_status`, back to the order page.
async fn order_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Response {
    let back = format!("/production/orders/{}", encode(&id));
    match state.app.set_order_status(&id, form.status.trim()).await {
        Ok(order) => see_other(
            &back,
            "ok",
            &format!("Order {} {}", order.id, order.status.as_str()),
        ),
        Err(e) => see_other(&back, "error", &explain(&e).0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_field_marks_the_form_field_it_belongs_to() {
        assert_eq!(
            field_of(BOM_FIELDS, "components[1].product"),
            Some("components")
        );
        assert_eq!(
            field_of(BOM_FIELDS, "previous_version"),
            Some("previous_version")
        );
        assert_eq!(field_of(ORDER_FIELDS, "planned_end"), Some("planned_end"));
        assert_eq!(field_of(ORDER_FIELDS, "(body)"), None);
        assert_eq!(
            field_of(produce::PRODUCE_FIELDS, "overrides[0].input"),
            Some("overrides")
        );
    }

    #[test]
    fn a_site_time_is_read_at_the_sites_offset_unless_it_carries_one() {
        let offset = lotrace_epcis::TzOffset { minutes: 120 };
        assert_eq!(
            site_time("planned_start", "2026-12-02T08:00", offset)
                .unwrap()
                .to_string(),
            "2026-12-02T06:00:00Z"
        );
        assert_eq!(
            site_time("planned_start", "2026-12-02T08:00:00-05:00", offset)
                .unwrap()
                .to_string(),
            "2026-12-02T13:00:00Z"
        );
        let e = site_time("planned_start", "tomorrow", offset).unwrap_err();
        assert!(e.starts_with("planned_start: "), "{e}");
    }
}
