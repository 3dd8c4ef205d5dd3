//! Production pages: BOMs and orders, one BOM with its versions, one order with its
//! productions (and its status buttons), the electronic batch record of a lot (with its PDF
//! and JSON), where-used. The forms that make BOMs, orders and productions against an order
//! are `bom_forms.rs`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use lotrace_bom::{OrderStatus, Role};
use serde::Deserialize;

use super::{Layout, encode, explain, lot_label, render};
use crate::AppState;

pub struct Cell {
    pub text: String,
    pub href: Option<String>,
}

fn c(text: impl ToString) -> Cell {
    Cell {
        text: text.to_string(),
        href: None,
    }
}

fn link(text: impl ToString, href: String) -> Cell {
    Cell {
        text: text.to_string(),
        href: Some(href),
    }
}

fn opt<T: ToString>(v: &Option<T>) -> Cell {
    c(v.as_ref().map(ToString::to_string).unwrap_or_default())
}

/// A button that posts `status=value` to `action` (an order's release, close, cancel).
pub struct Action {
    pub action: String,
    pub value: &'static str,
    pub label: &'static str,
    pub danger: bool,
}

pub struct Section {
    pub title: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    pub empty: &'static str,
}

#[derive(Template)]
#[template(path = "production.html")]
struct ProductionPage {
    layout: Layout,
    title: String,
    facts: Vec<(String, String)>,
    links: Vec<(String, String)>,
    actions: Vec<Action>,
    show_search: bool,
    sections: Vec<Section>,
}

impl ProductionPage {
    fn new(title: impl Into<String>) -> ProductionPage {
        ProductionPage {
            layout: Layout::new("/production"),
            title: title.into(),
            facts: Vec::new(),
            links: Vec::new(),
            actions: Vec::new(),
            show_search: false,
            sections: Vec::new(),
        }
    }
}

fn failed(e: &lotrace_app::AppError) -> Response {
    let (text, _) = explain(e);
    let status = match e {
        lotrace_app::AppError::Domain(lotrace_core::DomainError::NotFound { .. }) => {
            StatusCode::NOT_FOUND
        }
        _ => StatusCode::BAD_REQUEST,
    };
    render(&super::pages_not_found(&text), status)
}

/// The `?ok=` / `?error=` message a form's redirect carried.
#[derive(Deserialize)]
pub struct Flashes {
    ok: Option<String>,
    error: Option<String>,
}

impl Flashes {
    fn layout(&self) -> Layout {
        Layout::new("/production").with_query_message(self.ok.as_deref(), self.error.as_deref())
    }
}

/// BOMs (latest versions), orders, and the where-used and batch-record searches.
pub async fn index(State(state): State<AppState>) -> Response {
    let mut page = ProductionPage::new("Production");
    page.show_search = true;
    page.links = vec![
        ("/production/boms/new".into(), "New BOM version".into()),
        (
            "/production/orders/new".into(),
            "New production order".into(),
        ),
    ];
    let boms = match state.app.boms().await {
        Ok(b) => b,
        Err(e) => return failed(&e),
    };
    let orders = match state.app.orders().await {
        Ok(o) => o,
        Err(e) => return failed(&e),
    };
    page.sections.push(Section {
        title: "Bills of materials".into(),
        headers: vec!["BOM", "Version", "Makes", "Components", "Created"],
        rows: boms
            .iter()
            .map(|b| {
                vec![
                    link(&b.code, format!("/production/boms/{}", encode(&b.code))),
                    c(b.version),
                    c(&b.product),
                    c(b.components
                        .iter()
                        .map(|x| {
                            let subs: Vec<&str> =
                                x.substitutes.iter().map(|s| s.product.as_str()).collect();
                            let mut t = format!(
                                "{} {} {}",
                                x.product,
                                x.quantity_per_unit,
                                x.uom.as_deref().unwrap_or("")
                            );
                            if !subs.is_empty() {
                                t.push_str(&format!(" (or {})", subs.join(", ")));
                            }
                            t
                        })
                        .collect::<Vec<_>>()
                        .join("; ")),
                    c(format!(
                        "{} by {}",
                        b.created_at.strftime("%Y-%m-%d %H:%M"),
                        b.created_by
                    )),
                ]
            })
            .collect(),
        empty: "No BOM yet: add one with New BOM version (or POST /api/v1/boms, lotrace bom add).",
    });
    page.sections.push(Section {
        title: "Production orders".into(),
        headers: vec!["Order", "Product", "BOM", "Planned", "Location", "Status"],
        rows: orders
            .iter()
            .map(|o| {
                vec![
                    link(&o.id, format!("/production/orders/{}", encode(&o.id))),
                    c(&o.product),
                    c(format!("{} v{}", o.bom, o.bom_version)),
                    c(format!("{} {}", o.quantity, o.uom)),
                    c(&o.location),
                    c(o.status.as_str()),
                ]
            })
            .collect(),
        empty: "No production order yet.",
    });
    render(&page, StatusCode::OK)
}

/// One BOM: every version, newest first, with its components.
pub async fn bom(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(flash): Query<Flashes>,
) -> Response {
    let versions = match state.app.bom_versions(&code).await {
        Ok(v) => v,
        Err(e) => return failed(&e),
    };
    let Some(latest) = versions.last() else {
        return failed(&lotrace_core::DomainError::not_found("BOM", &code).into());
    };
    let mut page = ProductionPage::new(format!("BOM {code}"));
    page.layout = flash.layout();
    page.facts = vec![
        (
            "Makes".into(),
            format!("{} (per 1 {})", latest.product, latest.output_uom),
        ),
        ("Latest version".into(), latest.version.to_string()),
        (
            "Description".into(),
            latest.description.clone().unwrap_or_default(),
        ),
        (
            "Minimum yield".into(),
            latest
                .min_yield_percent
                .map(|y| format!("{y} %"))
                .unwrap_or_else(|| "none".into()),
        ),
    ];
    let q = encode(&code);
    page.links = vec![
        (
            format!("/production/boms/new?code={q}"),
            format!("New version (v{})", latest.version + 1),
        ),
        (
            format!("/production/orders/new?bom={q}"),
            "New order for this BOM".into(),
        ),
        (format!("/api/v1/boms/{q}"), "JSON".into()),
    ];
    for b in versions.iter().rev() {
        page.sections.push(Section {
            title: format!(
                "Version {}{}: created {} by {}{}",
                b.version,
                if b.version == latest.version {
                    " (latest)"
                } else {
                    ""
                },
                b.created_at.strftime("%Y-%m-%d %H:%M"),
                b.created_by,
                b.min_yield_percent
                    .map(|y| format!(", minimum yield {y} %"))
                    .unwrap_or_default()
            ),
            headers: vec![
                "Component",
                "Per unit",
                "Substitutes",
                "Scrap allowance %",
                "Lot-tracked",
            ],
            rows: b
                .components
                .iter()
                .map(|x| {
                    vec![
                        link(
                            &x.product,
                            format!("/where-used?product={}", encode(&x.product)),
                        ),
                        c(format!(
                            "{} {}",
                            x.quantity_per_unit,
                            x.uom.as_deref().unwrap_or("")
                        )),
                        c(x.substitutes
                            .iter()
                            .map(|s| match s.quantity_per_unit {
                                Some(q) => format!("{} ({q})", s.product),
                                None => s.product.clone(),
                            })
                            .collect::<Vec<_>>()
                            .join(", ")),
                        c(x.scrap_allowance_percent),
                        c(if x.lot_tracked { "yes" } else { "no" }),
                    ]
                })
                .collect(),
            empty: "No components.",
        });
    }
    render(&page, StatusCode::OK)
}

pub async fn order(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(flash): Query<Flashes>,
) -> Response {
    let view = match state.app.order(&id).await {
        Ok(v) => v,
        Err(e) => return failed(&e),
    };
    let catalog = state.app.catalog().await;
    let o = &view.order;
    let mut page = ProductionPage::new(format!("Order {}", o.id));
    page.layout = flash.layout();
    let q = encode(&o.id);
    if o.status.is_open() {
        page.links.push((
            format!("/production/orders/{q}/produce"),
            "Produce against this order".into(),
        ));
    }
    page.links.push((
        format!("/production/boms/{}", encode(&o.bom)),
        format!("BOM {} v{}", o.bom, o.bom_version),
    ));
    // The transitions the order's status allows, as the API would check them.
    for (to, label, danger) in [
        (OrderStatus::Released, "Release", false),
        (OrderStatus::Closed, "Close order", false),
        (OrderStatus::Cancelled, "Cancel order", true),
    ] {
        if o.status.check_change(to).is_ok() {
            page.actions.push(Action {
                action: format!("/production/orders/{q}/status"),
                value: to.as_str(),
                label,
                danger,
            });
        }
    }
    page.facts = vec![
        ("Product".into(), o.product.clone()),
        ("BOM".into(), format!("{} v{}", o.bom, o.bom_version)),
        ("Planned".into(), format!("{} {}", o.quantity, o.uom)),
        ("Produced".into(), format!("{} {}", view.produced, o.uom)),
        ("Status".into(), view.effective_status.to_owned()),
        ("Location".into(), o.location.clone()),
        ("Line".into(), o.line.clone().unwrap_or_default()),
        (
            "Planned start".into(),
            o.planned_start.map(|t| t.to_string()).unwrap_or_default(),
        ),
        (
            "Planned end".into(),
            o.planned_end.map(|t| t.to_string()).unwrap_or_default(),
        ),
    ];
    page.sections.push(Section {
        title: "Productions".into(),
        headers: vec!["Lot", "Quantity", "Time", "Event"],
        rows: view
            .productions
            .iter()
            .map(|p| {
                vec![
                    link(
                        lot_label(&catalog, &p.lot),
                        format!("/batch-record?lot={}", encode(&p.lot)),
                    ),
                    opt(&p.quantity),
                    c(p.time),
                    c(&p.event_id),
                ]
            })
            .collect(),
        empty: "Nothing produced against this order yet.",
    });
    render(&page, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LotQuery {
    lot: String,
    ok: Option<String>,
    error: Option<String>,
}

/// `PRODUCT:LOT` or any lot identifier, to the lot's id.
fn resolve(catalog: &lotrace_core::catalog::Catalog, text: &str) -> String {
    match text.split_once(':') {
        Some((product, lot)) if catalog.products.contains_key(product) => {
            catalog.products[product].lot_uri(lot)
        }
        _ => text.to_owned(),
    }
}

pub async fn batch_record(State(state): State<AppState>, Query(q): Query<LotQuery>) -> Response {
    let catalog = state.app.catalog().await;
    let id = resolve(&catalog, q.lot.trim());
    let r = match state.app.batch_record(&id).await {
        Ok(r) => r,
        Err(e) => return failed(&e),
    };
    let mut page = ProductionPage::new(format!("Batch record {}", lot_label(&catalog, &r.lot_id)));
    page.layout = page
        .layout
        .with_query_message(q.ok.as_deref(), q.error.as_deref());
    page.facts = vec![
        ("Lot".into(), r.lot_id.clone()),
        (
            "Produced".into(),
            format!("{} {}", r.produced, r.uom.clone().unwrap_or_default()),
        ),
        ("Status".into(), r.status.clone()),
        (
            "Order".into(),
            r.order
                .as_ref()
                .map(|o| format!("{} ({} {} planned)", o.id, o.quantity, o.uom))
                .unwrap_or_else(|| "none".into()),
        ),
        (
            "BOM".into(),
            r.bom
                .as_ref()
                .map(|b| b.label())
                .unwrap_or_else(|| "none".into()),
        ),
        ("Deviations".into(), r.deviations.len().to_string()),
    ];
    let q = encode(&r.lot_id);
    page.links = vec![
        (
            format!("/api/v1/batch-record?id={q}&format=pdf"),
            "Download PDF".into(),
        ),
        (format!("/api/v1/batch-record?id={q}"), "JSON".into()),
        (format!("/lot?id={q}"), "Lot page".into()),
    ];
    page.sections.push(Section {
        title: "Runs".into(),
        headers: vec![
            "Start",
            "End",
            "Operator",
            "Equipment",
            "Location",
            "Line",
            "Output",
            "Yield %",
            "Event",
        ],
        rows: r
            .runs
            .iter()
            .map(|run| {
                vec![
                    opt(&run.start),
                    c(&run.end),
                    opt(&run.operator),
                    opt(&run.equipment),
                    opt(&run.location),
                    opt(&run.line),
                    c(format!("{} {}", run.output, run.uom)),
                    opt(&run
                        .figures
                        .as_ref()
                        .and_then(|f| f.yield_figures.yield_percent)),
                    c(&run.event_id),
                ]
            })
            .collect(),
        empty: "No production event made this lot.",
    });
    page.sections.push(Section {
        title: "Inputs".into(),
        headers: vec![
            "Line",
            "Product",
            "Lot",
            "Quantity",
            "Component",
            "Supplier lot",
            "Expiry",
            "Override",
            "Events",
        ],
        rows: r
            .runs
            .iter()
            .flat_map(|run| &run.inputs)
            .map(|i| {
                let component = match (&i.component, i.role) {
                    (Some(x), Some(Role::Substitute)) => format!("substitute for {x}"),
                    (Some(x), _) => x.clone(),
                    (None, _) => "not in BOM".into(),
                };
                vec![
                    c(i.input),
                    opt(&i.product),
                    link(
                        i.lot.clone().unwrap_or_else(|| i.lot_id.clone()),
                        format!("/lot?id={}", encode(&i.lot_id)),
                    ),
                    c(format!(
                        "{} {}",
                        i.quantity.map(|q| q.to_string()).unwrap_or_default(),
                        i.uom.clone().unwrap_or_default()
                    )),
                    c(component),
                    opt(&i.supplier_lot),
                    opt(&i.expiry),
                    c(match (&i.override_rule, &i.override_reason) {
                        (Some(rule), Some(reason)) => format!("{rule}: {reason}"),
                        _ => String::new(),
                    }),
                    c(i.event_ids.join(" ")),
                ]
            })
            .collect(),
        empty: "No inputs recorded.",
    });
    page.sections.push(Section {
        title: "Consumed against expected".into(),
        headers: vec![
            "Component",
            "Expected",
            "Consumed",
            "Variance",
            "Variance %",
            "Allowance",
            "Within",
        ],
        rows: r
            .runs
            .iter()
            .flat_map(|run| run.figures.iter().flat_map(|f| &f.variance))
            .map(|v| {
                vec![
                    c(&v.component),
                    c(format!("{} {}", v.expected, v.uom)),
                    opt(&v.consumed),
                    opt(&v.variance),
                    opt(&v.variance_percent),
                    c(v.allowance),
                    c(if v.within_allowance { "yes" } else { "no" }),
                ]
            })
            .collect(),
        empty: "No BOM figures (the lot was not made against an order).",
    });
    page.sections.push(Section {
        title: "QC results".into(),
        headers: vec!["Time", "Result", "Operator", "Details", "Event"],
        rows: r
            .qc
            .iter()
            .map(|q| {
                vec![
                    c(&q.time),
                    opt(&q.result),
                    opt(&q.operator),
                    c(q.inspection.to_string()),
                    c(&q.event_id),
                ]
            })
            .collect(),
        empty: "No inspection recorded on this lot.",
    });
    page.sections.push(Section {
        title: "Deviations and overrides".into(),
        headers: vec!["Kind", "Detail", "Reason", "Event"],
        rows: r
            .deviations
            .iter()
            .map(|d| vec![c(d.kind), c(&d.detail), opt(&d.reason), c(&d.event_id)])
            .collect(),
        empty: "None.",
    });
    render(&page, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct WhereUsedQuery {
    #[serde(default)]
    product: String,
    #[serde(default)]
    supplier_lot: String,
}

pub async fn where_used(
    State(state): State<AppState>,
    Query(q): Query<WhereUsedQuery>,
) -> Response {
    let product = Some(q.product.trim()).filter(|s| !s.is_empty());
    let supplier_lot = Some(q.supplier_lot.trim()).filter(|s| !s.is_empty());
    let w = match state.app.where_used(product, supplier_lot).await {
        Ok(w) => w,
        Err(e) => return failed(&e),
    };
    let catalog = state.app.catalog().await;
    let what = match (&w.product, &w.supplier_lot) {
        (Some(p), _) => format!("product {p}"),
        (_, Some(s)) => format!("supplier lot {s}"),
        _ => String::new(),
    };
    let mut page = ProductionPage::new(format!("Where used: {what}"));
    page.sections.push(Section {
        title: "Bills of materials".into(),
        headers: vec!["BOM", "Version", "Makes", "As", "Quantity per unit"],
        rows: w
            .boms
            .iter()
            .map(|b| {
                vec![
                    c(&b.bom),
                    c(b.version),
                    c(&b.product),
                    c(match b.role {
                        Role::Component => format!("component {}", b.component),
                        Role::Substitute => format!("substitute for {}", b.component),
                    }),
                    c(b.quantity_per_unit),
                ]
            })
            .collect(),
        empty: "No BOM version names it.",
    });
    page.sections.push(Section {
        title: "Productions".into(),
        headers: vec![
            "Time",
            "Input lot",
            "Quantity",
            "Made into",
            "Order",
            "BOM",
            "Event",
        ],
        rows: w
            .productions
            .iter()
            .map(|p| {
                vec![
                    c(p.time),
                    link(
                        lot_label(&catalog, &p.input_lot),
                        format!("/lot?id={}", encode(&p.input_lot)),
                    ),
                    c(format!(
                        "{} {}",
                        p.quantity.map(|q| q.to_string()).unwrap_or_default(),
                        p.uom.clone().unwrap_or_default()
                    )),
                    c(p.outputs
                        .iter()
                        .map(|o| lot_label(&catalog, o))
                        .collect::<Vec<_>>()
                        .join(", ")),
                    opt(&p.order),
                    c(match (&p.bom, p.bom_version) {
                        (Some(b), Some(v)) => format!("{b} v{v}"),
                        _ => String::new(),
                    }),
                    c(&p.event_id),
                ]
            })
            .collect(),
        empty: "No production consumed it.",
    });
    render(&page, StatusCode::OK)
}
