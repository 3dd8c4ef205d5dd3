//! Master data pages: products, locations and parties, listed with search and paging, and
//! a form to add or edit each. A form writes through `App::create`/`App::update`, like
//! `POST /api/v1/{products,locations,parties}`, so the rules and messages are the same. An
//! edit starts from the stored record and replaces only the fields the form shows, so a
//! field the form does not know is kept.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use lotrace_app::MasterKind;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{Layout, explain, render, see_other};
use crate::AppState;

/// The nav entry the three pages share.
const NAV_PAGE: &str = "/products";
/// Rows one list page shows.
const PAGE_ROWS: usize = 50;
/// The most form fields one post may carry (the largest form has 13).
const MAX_FORM_PAIRS: usize = 100;
/// Longest search text.
const MAX_SEARCH_CHARS: usize = 100;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Input {
    Text,
    /// A whole number.
    Number,
    /// A checkbox; absent means false.
    Flag,
    /// One of these values.
    Choice(&'static [&'static str]),
    /// Any of these values, as checkboxes, into an array.
    Several(&'static [&'static str]),
}

struct Field {
    name: &'static str,
    label: &'static str,
    required: bool,
    input: Input,
    hint: &'static str,
}

const fn field(name: &'static str, label: &'static str, input: Input) -> Field {
    Field {
        name,
        label,
        required: false,
        input,
        hint: "",
    }
}

const fn required(mut f: Field) -> Field {
    f.required = true;
    f
}

const fn hint(mut f: Field, text: &'static str) -> Field {
    f.hint = text;
    f
}

const PRODUCT_FIELDS: &[Field] = &[
    required(field("code", "Code", Input::Text)),
    required(field("name", "Name", Input::Text)),
    hint(
        field("gtin", "GTIN", Input::Text),
        "8 to 14 digits with the check digit",
    ),
    required(hint(
        field("uom", "Unit", Input::Text),
        "UN/ECE Rec. 20 code: KGM, LTR, H87 (piece), CS (case)",
    )),
    field("lot_tracked", "Lot-tracked", Input::Flag),
    field("serialised", "Serialised", Input::Flag),
    field("shelf_life_days", "Shelf life (days)", Input::Number),
    field(
        "shelf_life_date",
        "Shelf-life date",
        Input::Choice(&["expiry", "best_before", "sell_by"]),
    ),
    hint(
        field("lot_template", "Lot-number template", Input::Text),
        "e.g. {yy}{doy:03}-{line}-{seq:03}",
    ),
    field(
        "required_at_receipt",
        "Required at receipt",
        Input::Several(&[
            "supplier_lot",
            "expiry",
            "best_before",
            "country_of_origin",
            "harvest_date",
            "purchase_order",
        ]),
    ),
    field(
        "food_traceability_list",
        "On the Food Traceability List (FSMA 204)",
        Input::Flag,
    ),
    field("pick_rule", "Pick rule", Input::Choice(&["FEFO", "FIFO"])),
];

const LOCATION_FIELDS: &[Field] = &[
    required(field("code", "Code", Input::Text)),
    required(field("name", "Name", Input::Text)),
    required(field(
        "kind",
        "Kind",
        Input::Choice(&["site", "zone", "bin"]),
    )),
    hint(
        field("parent", "Inside", Input::Text),
        "the code of the enclosing site or zone",
    ),
    hint(field("gln", "GLN", Input::Text), "13 digits, of the site"),
    hint(
        field("gln_extension", "GLN extension", Input::Text),
        "for a zone or bin",
    ),
    field("address", "Address", Input::Text),
];

const PARTY_FIELDS: &[Field] = &[
    required(field("code", "Code", Input::Text)),
    required(field("name", "Name", Input::Text)),
    required(field(
        "roles",
        "Roles",
        Input::Several(&["supplier", "customer", "carrier"]),
    )),
    hint(field("gln", "Party GLN", Input::Text), "13 digits"),
    hint(
        field("location_gln", "Location GLN", Input::Text),
        "ship-from or ship-to, 13 digits",
    ),
    field("address", "Address", Input::Text),
];

/// What each list page is: its kind, its path and its columns.
struct Page {
    kind: MasterKind,
    path: &'static str,
    title: &'static str,
    one: &'static str,
    fields: &'static [Field],
    /// Fields shown as list columns after code and name.
    columns: &'static [(&'static str, &'static str)],
}

const PRODUCTS: Page = Page {
    kind: MasterKind::Product,
    path: "/products",
    title: "Products",
    one: "product",
    fields: PRODUCT_FIELDS,
    columns: &[
        ("gtin", "GTIN"),
        ("uom", "Unit"),
        ("food_traceability_list", "FTL"),
    ],
};
const LOCATIONS: Page = Page {
    kind: MasterKind::Location,
    path: "/locations",
    title: "Locations",
    one: "location",
    fields: LOCATION_FIELDS,
    columns: &[("kind", "Kind"), ("parent", "Inside"), ("gln", "GLN")],
};
const PARTIES: Page = Page {
    kind: MasterKind::Party,
    path: "/parties",
    title: "Parties",
    one: "party",
    fields: PARTY_FIELDS,
    columns: &[("roles", "Roles"), ("gln", "GLN")],
};

/// Routes for the three kinds, e.g. `/products`, `/products/new`, `/products/{code}`.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    let mut router = axum::Router::new();
    for page in [&PRODUCTS, &LOCATIONS, &PARTIES] {
        router = router
            .route(
                page.path,
                get(move |s: State<AppState>, q: Query<ListQuery>| list(s, page, q)).post(
                    move |s: State<AppState>, f: Form<Vec<(String, String)>>| create(s, page, f),
                ),
            )
            .route(
                &format!("{}/new", page.path),
                get(move |s: State<AppState>| new_form(s, page)),
            )
            .route(
                &format!("{}/{{code}}", page.path),
                get(
                    move |s: State<AppState>,
                          c: Path<String>,
                          q: Query<super::recalls::Flashes>| {
                        edit_form(s, page, c, q)
                    },
                )
                .post(
                    move |s: State<AppState>, c: Path<String>, f: Form<Vec<(String, String)>>| {
                        update(s, page, c, f)
                    },
                ),
            )
            .route(
                &format!("{}/{{code}}/active", page.path),
                post(
                    move |s: State<AppState>, c: Path<String>, f: Form<ActiveForm>| {
                        set_active(s, page, c, f)
                    },
                ),
            );
    }
    router
}

pub struct Row {
    pub code: String,
    pub name: String,
    pub cells: Vec<String>,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "master_list.html")]
struct ListPage {
    layout: Layout,
    path: &'static str,
    title: &'static str,
    one: &'static str,
    headers: Vec<&'static str>,
    rows: Vec<Row>,
    q: String,
    status: String,
    /// 1-based.
    page: usize,
    pages: usize,
    total: usize,
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    /// `active` (default), `inactive` or `any`.
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: Option<usize>,
    ok: Option<String>,
    error: Option<String>,
}

/// A value as a cell: strings as they are, lists joined, flags as yes/no.
fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => if *b { "yes" } else { "no" }.to_owned(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| cell(Some(v)))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

fn matches_search(record: &Value, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    ["code", "name", "gtin", "gln", "location_gln", "address"]
        .iter()
        .filter_map(|k| record.get(k).and_then(Value::as_str))
        .any(|v| v.to_lowercase().contains(needle))
}

async fn list(
    State(state): State<AppState>,
    page: &'static Page,
    Query(query): Query<ListQuery>,
) -> Response {
    let mut layout =
        Layout::new(NAV_PAGE).with_query_message(query.ok.as_deref(), query.error.as_deref());
    let records = match state.app.list(page.kind).await {
        Ok(r) => r,
        Err(e) => {
            layout = layout.error(explain(&e).0);
            Vec::new()
        }
    };
    let q: String = query.q.trim().chars().take(MAX_SEARCH_CHARS).collect();
    let needle = q.to_lowercase();
    let status = match query.status.as_str() {
        "inactive" | "any" => query.status.clone(),
        _ => "active".to_owned(),
    };
    let mut found: Vec<&Value> = records
        .iter()
        .filter(|r| {
            let active = r.get("active").and_then(Value::as_bool).unwrap_or(true);
            match status.as_str() {
                "any" => true,
                "inactive" => !active,
                _ => active,
            }
        })
        .filter(|r| matches_search(r, &needle))
        .collect();
    found.sort_by_key(|r| cell(r.get("code")));
    let total = found.len();
    let pages = total.div_ceil(PAGE_ROWS).max(1);
    let current = query.page.unwrap_or(1).clamp(1, pages);
    let rows = found
        .into_iter()
        .skip((current - 1) * PAGE_ROWS)
        .take(PAGE_ROWS)
        .map(|r| Row {
            code: cell(r.get("code")),
            name: cell(r.get("name")),
            cells: page.columns.iter().map(|(k, _)| cell(r.get(*k))).collect(),
            active: r.get("active").and_then(Value::as_bool).unwrap_or(true),
        })
        .collect();
    render(
        &ListPage {
            layout,
            path: page.path,
            title: page.title,
            one: page.one,
            headers: page.columns.iter().map(|(_, h)| *h).collect(),
            rows,
            q,
            status,
            page: current,
            pages,
            total,
        },
        StatusCode::OK,
    )
}

/// One form field as the template draws it.
pub struct FormField {
    pub name: &'static str,
    pub label: &'static str,
    pub required: bool,
    pub hint: &'static str,
    /// `text`, `number`, `flag`, `choice` or `several`.
    pub input: &'static str,
    pub value: String,
    pub checked: bool,
    /// (value, selected) for a choice or the checkboxes of several.
    pub options: Vec<(&'static str, bool)>,
    /// Read-only: the code of a record that exists.
    pub fixed: bool,
    pub invalid: bool,
}

#[derive(Template)]
#[template(path = "master_edit.html")]
struct EditPage {
    layout: Layout,
    path: &'static str,
    list_title: &'static str,
    title: String,
    /// Where the form posts.
    action: String,
    fields: Vec<FormField>,
    /// The code of the record being edited (none for a new one).
    code: Option<String>,
    active: bool,
}

fn form_fields(
    page: &Page,
    record: &Value,
    editing: bool,
    invalid: Option<&str>,
) -> Vec<FormField> {
    page.fields
        .iter()
        .map(|f| {
            let value = record.get(f.name);
            let (input, options) = match f.input {
                Input::Text => ("text", Vec::new()),
                Input::Number => ("number", Vec::new()),
                Input::Flag => ("flag", Vec::new()),
                Input::Choice(values) => {
                    let current = cell(value);
                    (
                        "choice",
                        values.iter().map(|v| (*v, *v == current)).collect(),
                    )
                }
                Input::Several(values) => {
                    let chosen: Vec<String> = value
                        .and_then(Value::as_array)
                        .map(|a| a.iter().map(|v| cell(Some(v))).collect())
                        .unwrap_or_default();
                    (
                        "several",
                        values
                            .iter()
                            .map(|v| (*v, chosen.iter().any(|c| c == v)))
                            .collect(),
                    )
                }
            };
            FormField {
                name: f.name,
                label: f.label,
                required: f.required,
                hint: f.hint,
                input,
                value: match f.input {
                    Input::Flag | Input::Several(_) => String::new(),
                    _ => cell(value),
                },
                checked: value.and_then(Value::as_bool).unwrap_or(false),
                options,
                fixed: editing && f.name == "code",
                invalid: invalid == Some(f.name),
            }
        })
        .collect()
}

/// A new record's defaults: what the model defaults to, so the form shows them.
fn defaults(page: &Page) -> Value {
    match page.kind {
        MasterKind::Product => serde_json::json!({
            "lot_tracked": true, "shelf_life_date": "expiry", "pick_rule": "FEFO", "uom": "KGM"
        }),
        MasterKind::Location => serde_json::json!({ "kind": "site" }),
        MasterKind::Party => serde_json::json!({ "roles": ["supplier"] }),
    }
}

async fn new_form(State(_state): State<AppState>, page: &'static Page) -> Response {
    edit_page(
        page,
        Layout::new(NAV_PAGE),
        &defaults(page),
        None,
        None,
        StatusCode::OK,
    )
}

fn edit_page(
    page: &'static Page,
    layout: Layout,
    record: &Value,
    code: Option<&str>,
    invalid: Option<&str>,
    status: StatusCode,
) -> Response {
    let (title, action) = match code {
        Some(c) => (
            format!("{} {c}", capitalised(page.one)),
            format!("{}/{}", page.path, super::encode(c)),
        ),
        None => (format!("New {}", page.one), page.path.to_owned()),
    };
    render(
        &EditPage {
            layout,
            path: page.path,
            list_title: page.title,
            title,
            action,
            fields: form_fields(page, record, code.is_some(), invalid),
            code: code.map(str::to_owned),
            active: record
                .get("active")
                .and_then(Value::as_bool)
                .unwrap_or(true),
        },
        status,
    )
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    page: &'static Page,
    Path(code): Path<String>,
    Query(flash): Query<super::recalls::Flashes>,
) -> Response {
    match state.app.get(page.kind, &code).await {
        Ok(record) => edit_page(
            page,
            Layout::new(NAV_PAGE).with_query_message(flash.ok.as_deref(), flash.error.as_deref()),
            &record,
            Some(&code),
            None,
            StatusCode::OK,
        ),
        Err(e) => render(
            &super::pages_not_found(&explain(&e).0),
            StatusCode::NOT_FOUND,
        ),
    }
}

/// The form's pairs laid over `base`: every field the form shows is set from the form
/// (or removed when left empty), every other field of `base` is kept.
fn body_from_form(
    page: &Page,
    base: Value,
    pairs: &[(String, String)],
) -> Result<Value, (String, &'static str)> {
    if pairs.len() > MAX_FORM_PAIRS {
        return Err((
            format!("the form has more than {MAX_FORM_PAIRS} fields"),
            "code",
        ));
    }
    let mut body = match base {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    fn values<'a>(pairs: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a str> {
        pairs
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.trim())
    }
    for f in page.fields {
        let first = values(pairs, f.name).next().unwrap_or("");
        match f.input {
            Input::Flag => {
                body.insert(f.name.into(), Value::Bool(!first.is_empty()));
            }
            Input::Several(allowed) => {
                let mut chosen = Vec::new();
                for v in values(pairs, f.name).filter(|v| !v.is_empty()) {
                    if !allowed.contains(&v) {
                        return Err((
                            format!("{}: {v:?} is not one of {}", f.name, allowed.join(", ")),
                            f.name,
                        ));
                    }
                    chosen.push(Value::String(v.to_owned()));
                }
                body.insert(f.name.into(), Value::Array(chosen));
            }
            _ if first.is_empty() => {
                body.remove(f.name);
            }
            Input::Number => {
                let n: u64 = first.parse().map_err(|_| {
                    (
                        format!("{}: {first:?} is not a whole number", f.name),
                        f.name,
                    )
                })?;
                body.insert(f.name.into(), Value::from(n));
            }
            Input::Text | Input::Choice(_) => {
                body.insert(f.name.into(), Value::String(first.to_owned()));
            }
        }
    }
    Ok(Value::Object(body))
}

async fn create(
    State(state): State<AppState>,
    page: &'static Page,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let submitted = body_from_form(page, Value::Object(Map::new()), &pairs);
    let result = match &submitted {
        Ok(body) => state
            .app
            .create(page.kind, body.clone())
            .await
            .map_err(|e| explain(&e)),
        Err((message, field)) => Err((message.clone(), Some((*field).to_owned()))),
    };
    match result {
        Ok(record) => {
            let code = cell(record.get("code"));
            see_other(
                &format!("{}/{}", page.path, super::encode(&code)),
                "ok",
                &format!("{} {code} added", capitalised(page.one)),
            )
        }
        Err((message, field)) => {
            let shown = submitted.unwrap_or_else(|_| pairs_as_record(&pairs));
            edit_page(
                page,
                Layout::new(NAV_PAGE).error(message),
                &shown,
                None,
                field.as_deref(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

/// What the user typed, to show it again when the form could not be read.
fn pairs_as_record(pairs: &[(String, String)]) -> Value {
    let mut map = Map::new();
    for (k, v) in pairs {
        map.entry(k.clone())
            .or_insert_with(|| Value::String(v.clone()));
    }
    Value::Object(map)
}

async fn update(
    State(state): State<AppState>,
    page: &'static Page,
    Path(code): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let current = match state.app.get(page.kind, &code).await {
        Ok(r) => r,
        Err(e) => {
            return render(
                &super::pages_not_found(&explain(&e).0),
                StatusCode::NOT_FOUND,
            );
        }
    };
    // The code is read-only on the form; the stored one is the record's.
    let mut pairs = pairs;
    pairs.retain(|(k, _)| k != "code");
    pairs.push(("code".into(), code.clone()));
    let submitted = body_from_form(page, current.clone(), &pairs);
    let result = match &submitted {
        Ok(body) => state
            .app
            .update(page.kind, &code, body.clone())
            .await
            .map_err(|e| explain(&e)),
        Err((message, field)) => Err((message.clone(), Some((*field).to_owned()))),
    };
    match result {
        Ok(_) => see_other(
            &format!("{}/{}", page.path, super::encode(&code)),
            "ok",
            &format!("{} {code} saved", capitalised(page.one)),
        ),
        Err((message, field)) => {
            let shown = submitted.unwrap_or(current);
            edit_page(
                page,
                Layout::new(NAV_PAGE).error(message),
                &shown,
                Some(&code),
                field.as_deref(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: String,
}

async fn set_active(
    State(state): State<AppState>,
    page: &'static Page,
    Path(code): Path<String>,
    Form(form): Form<ActiveForm>,
) -> Response {
    let active = form.active == "true";
    let back = format!("{}/{}", page.path, super::encode(&code));
    match state.app.set_active(page.kind, &code, active).await {
        Ok(_) => see_other(
            &back,
            "ok",
            &format!(
                "{} {code} {}",
                capitalised(page.one),
                if active { "activated" } else { "deactivated" }
            ),
        ),
        Err(e) => see_other(&back, "error", &explain(&e).0),
    }
}
