//! Dashboard, scan, lot list and lot page.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use lotrace_core::inventory::{Flow, HoldState, LotState};
use lotrace_trace::Direction;
use serde::Deserialize;

use super::{Layout, explain, lot_label, render};
use crate::AppState;

/// Most lots the list page shows.
/// Lots a page of the lot list shows.
const LOTS_PER_PAGE: usize = 50;
/// Longest lot search text, in characters.
const MAX_LOT_SEARCH_CHARS: usize = 100;
/// Events the dashboard's recent activity shows.
const RECENT_EVENTS: u32 = 12;

pub struct LotLine {
    pub id: String,
    pub label: String,
    pub status: String,
    pub note: String,
    pub on_hand: String,
    pub uom: String,
    pub expiry: String,
}

fn today() -> Date {
    jiff::Zoned::now().date()
}

fn lot_line(catalog: &lotrace_core::catalog::Catalog, lot: &LotState, note: String) -> LotLine {
    LotLine {
        id: lot.id.clone(),
        label: lot_label(catalog, &lot.id),
        status: lot.status(today()).to_owned(),
        note,
        on_hand: lot.on_hand_total().to_string(),
        uom: lot.uom.clone().unwrap_or_default(),
        expiry: lot.expiry.map(|d| d.to_string()).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    layout: Layout,
    held: Vec<LotLine>,
    expiring: Vec<LotLine>,
    recalls: Vec<(String, String)>,
    drills: Vec<String>,
    activity: Vec<(String, String, String)>,
}

pub async fn dashboard(State(state): State<AppState>) -> Response {
    match dashboard_page(&state).await {
        Ok(page) => render(&page, StatusCode::OK),
        Err(e) => render(
            &Dashboard {
                layout: Layout::new("/").error(explain(&e).0),
                held: Vec::new(),
                expiring: Vec::new(),
                recalls: Vec::new(),
                drills: Vec::new(),
                activity: Vec::new(),
            },
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
    }
}

async fn dashboard_page(state: &AppState) -> Result<Dashboard, lotrace_app::AppError> {
    let app = &state.app;
    let catalog = app.catalog().await;
    let held = app
        .lots(|l| l.hold != HoldState::Released)
        .await?
        .iter()
        .take(50)
        .map(|l| lot_line(&catalog, l, l.hold_reason.clone().unwrap_or_default()))
        .collect();
    let horizon = today()
        .checked_add(jiff::Span::new().days(14))
        .unwrap_or(today());
    let mut expiring: Vec<LotState> = app
        .lots(|l| l.on_hand_total().is_positive() && l.expiry.is_some_and(|e| e <= horizon))
        .await?;
    expiring.sort_by_key(|l| l.expiry);
    let expiring = expiring
        .iter()
        .take(50)
        .map(|l| {
            let note = format!(
                "expires {} ({} {} on hand)",
                l.expiry.map(|d| d.to_string()).unwrap_or_default(),
                l.on_hand_total(),
                l.uom.as_deref().unwrap_or("")
            );
            lot_line(&catalog, l, note)
        })
        .collect();
    let recalls = app
        .recalls()
        .await?
        .into_iter()
        .filter(|r| r.status == lotrace_app::RecallStatus::Open)
        .map(|r| (r.id, r.reason))
        .collect();
    let drills = app
        .drills()
        .await?
        .iter()
        .take(5)
        .map(|d| {
            format!(
                "{} by {}: {} lots, {} customers in {:.1} ms, {:.1} % accounted for",
                d.run_at.strftime("%Y-%m-%d %H:%M"),
                d.run_by,
                d.lots,
                d.customers,
                d.duration_ms,
                d.accounted_share * 100.0
            )
        })
        .collect();
    let last = app.store().max_seq().await?;
    let after = (last - i64::from(RECENT_EVENTS)).max(0);
    let mut activity: Vec<(String, String, String)> = app
        .store()
        .events_after(after, RECENT_EVENTS)
        .await?
        .into_iter()
        .map(|stored| {
            let e = &stored.event;
            let what = e
                .biz_step
                .as_deref()
                .map(|s| s.rsplit(['/', ':', '-']).next().unwrap_or(s))
                .unwrap_or("event")
                .to_owned();
            let names: Vec<String> = e
                .identifiers()
                .into_iter()
                .filter(|i| {
                    use lotrace_epcis::Role;
                    !matches!(
                        i.role,
                        Role::ReadPoint
                            | Role::BizLocation
                            | Role::Source
                            | Role::Destination
                            | Role::BizTransaction
                    )
                })
                .take(3)
                .map(|i| lot_label(&catalog, &i.id))
                .collect();
            (
                e.event_time.instant.strftime("%Y-%m-%d %H:%M").to_string(),
                format!("{:?} {what}", e.event_type),
                names.join(", "),
            )
        })
        .collect();
    activity.reverse();
    Ok(Dashboard {
        layout: Layout::new("/"),
        held,
        expiring,
        recalls,
        drills,
        activity,
    })
}

#[derive(Template)]
#[template(path = "scan.html")]
struct ScanPage {
    layout: Layout,
    input: String,
    details: Vec<(String, String)>,
}

pub async fn scan_page() -> Response {
    render(
        &ScanPage {
            layout: Layout::new("/scan"),
            input: String::new(),
            details: Vec::new(),
        },
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct ScanForm {
    input: String,
}

/// Goes to what the scanned code names: a lot or serial, else a container; an identifier
/// the store does not know, or invalid data, stays on the scan page with the reason.
pub async fn scan(State(state): State<AppState>, Form(form): Form<ScanForm>) -> Response {
    let input = form.input.trim().to_owned();
    let page = |error: String, details: Vec<(String, String)>| {
        render(
            &ScanPage {
                layout: Layout::new("/scan").error(error),
                input: input.clone(),
                details,
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    if input.is_empty() {
        return page("scan or type a code first".into(), Vec::new());
    }
    // A lot identifier typed or pasted as a URI goes straight to its page.
    if (input.starts_with("urn:") || input.starts_with("http")) && !input.contains('(') {
        let canonical = lotrace_gs1::canonicalize(&input).map(|i| i.canonical);
        if let Ok(id) = canonical
            && state.app.trace(&id, Direction::Forward).await.is_ok()
        {
            return Redirect::to(&format!("/lot?id={}", super::encode(&id))).into_response();
        }
    }
    let report = lotrace_label::scan_report(&input, &lotrace_label::ScanOptions::default());
    let Some(data) = report.data.as_ref().filter(|_| report.valid) else {
        let why = report
            .error
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_else(|| "not GS1 data".into());
        return page(format!("invalid scan: {why}"), Vec::new());
    };
    let ids = data.identifiers();
    let details: Vec<(String, String)> = report.json["ais"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|ai| {
            (
                format!(
                    "({}) {}",
                    ai["ai"].as_str().unwrap_or(""),
                    ai["title"].as_str().unwrap_or("")
                ),
                ai["value"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    use lotrace_gs1::IdKind;
    for kind in [IdKind::Lgtin, IdKind::Sgtin, IdKind::Sscc] {
        for id in ids.iter().filter(|i| i.kind == kind) {
            if state
                .app
                .trace(&id.canonical, Direction::Forward)
                .await
                .is_ok()
            {
                return Redirect::to(&format!("/lot?id={}", super::encode(&id.canonical)))
                    .into_response();
            }
        }
    }
    let named: Vec<&str> = ids.iter().map(|i| i.canonical.as_str()).collect();
    page(
        format!(
            "the code is valid, but no event names {}",
            if named.is_empty() {
                "a lot, serial or container".to_owned()
            } else {
                named.join(" or ")
            }
        ),
        details,
    )
}

#[derive(Template)]
#[template(path = "lots.html")]
struct LotsPage {
    layout: Layout,
    statuses: Vec<&'static str>,
    status: String,
    product: String,
    q: String,
    lots: Vec<LotLine>,
    /// 1-based; `pages` is at least 1.
    page: usize,
    pages: usize,
    total: usize,
}

#[derive(Deserialize)]
pub struct LotsQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    product: String,
    /// Part of the lot code or identifier, any case.
    #[serde(default)]
    q: String,
    page: Option<usize>,
}

pub async fn lots(State(state): State<AppState>, Query(q): Query<LotsQuery>) -> Response {
    let catalog = state.app.catalog().await;
    let mut layout = Layout::new("/lots");
    let prefix = if q.product.is_empty() {
        None
    } else {
        match catalog.products.get(&q.product) {
            Some(p) => Some(p.lot_uri("")),
            None => {
                layout = layout.error(format!("product: no product with code {:?}", q.product));
                Some(String::from("\u{0}"))
            }
        }
    };
    let mut search = q.q.trim().to_lowercase();
    if search.chars().count() > MAX_LOT_SEARCH_CHARS {
        layout = layout.error(format!(
            "q: a search has at most {MAX_LOT_SEARCH_CHARS} characters"
        ));
        // Matches nothing: an identifier never holds NUL.
        search = String::from("\u{0}");
    }
    let today = today();
    let all = state
        .app
        .lots(|l| {
            prefix.as_ref().is_none_or(|p| l.id.starts_with(p.as_str()))
                && (q.status.is_empty() || l.status(today) == q.status)
                && (search.is_empty() || l.id.to_lowercase().contains(&search))
        })
        .await
        .unwrap_or_default();
    let total = all.len();
    let pages = total.div_ceil(LOTS_PER_PAGE).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let lots = all
        .iter()
        .skip((page - 1) * LOTS_PER_PAGE)
        .take(LOTS_PER_PAGE)
        .map(|l| lot_line(&catalog, l, String::new()))
        .collect();
    render(
        &LotsPage {
            layout,
            statuses: vec![
                "", "released", "on_hold", "recalled", "expired", "shipped", "consumed", "empty",
            ],
            status: q.status,
            product: q.product,
            q: q.q,
            lots,
            page,
            pages,
            total,
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "lot.html")]
struct LotPage {
    layout: Layout,
    id: String,
    is_lot: bool,
    label: String,
    status: String,
    facts: Vec<(String, String)>,
    on_hand: Vec<(String, String)>,
    quantities: Vec<(String, String)>,
    timeline: Vec<(String, String, String, String, String)>,
    backward: Vec<(String, String)>,
    forward: Vec<(String, String)>,
    /// The trace as SVG (built by `graph::svg`, which escapes every text it writes).
    graph: String,
    /// The graph's cut, in steps each way; none: all.
    steps: Option<u32>,
    step_choices: &'static [u32],
}

impl LotPage {
    fn is_steps(&self, n: &u32) -> bool {
        self.steps == Some(*n)
    }
}

#[derive(Deserialize)]
pub struct LotQuery {
    id: String,
    /// Steps of the graph each way (collapsed); none: all.
    steps: Option<u32>,
    ok: Option<String>,
    error: Option<String>,
}

fn flow_word(flow: Flow) -> &'static str {
    match flow {
        Flow::Received => "received",
        Flow::Produced => "produced",
        Flow::Returned => "returned",
        Flow::Shipped => "shipped",
        Flow::Consumed => "consumed",
        Flow::Scrapped => "scrapped",
        Flow::Adjusted => "counted",
        Flow::Moved => "moved",
        Flow::Named => "named",
    }
}

pub async fn lot(State(state): State<AppState>, Query(q): Query<LotQuery>) -> Response {
    let app = &state.app;
    let catalog = app.catalog().await;
    let id = lotrace_gs1::canonicalize(&q.id)
        .map(|i| i.canonical)
        .unwrap_or_else(|_| q.id.clone());
    let lot = app.lot(&id).await.ok().flatten();
    let forward = app.trace(&id, Direction::Forward).await;
    if lot.is_none() && forward.is_err() {
        let page = super::pages_not_found(&format!("no event names {id}"));
        return render(&page, StatusCode::NOT_FOUND);
    }
    let place = |uri: &str| {
        catalog
            .location_by_uri(uri)
            .map(|l| l.name.clone())
            .or_else(|| {
                catalog
                    .parties
                    .values()
                    .find(|p| p.location_uri() == uri || p.uri() == uri)
                    .map(|p| p.name.clone())
            })
            .unwrap_or_else(|| uri.to_owned())
    };
    let mut facts = vec![("Identifier".to_owned(), id.clone())];
    let mut status = "container".to_owned();
    let mut on_hand = Vec::new();
    let mut quantities = Vec::new();
    let mut timeline = Vec::new();
    if let Some(l) = &lot {
        status = l.status(today()).to_owned();
        if let Some(p) = catalog.product_of_lot(&id) {
            facts.push(("Product".into(), format!("{} ({})", p.name, p.code)));
        }
        if let Some(e) = l.expiry {
            facts.push(("Expiry".into(), e.to_string()));
        }
        if let Some(r) = &l.hold_reason {
            facts.push(("Hold reason".into(), r.clone()));
        }
        // The product is shown above; the rest of the lot master data as recorded.
        for (k, v) in l.attributes.iter().filter(|(k, _)| *k != "lotrace:product") {
            let value = v
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| v.to_string());
            facts.push((k.trim_start_matches("lotrace:").to_owned(), value));
        }
        let uom = l.uom.clone().unwrap_or_default();
        on_hand = l
            .on_hand
            .iter()
            .filter(|(_, q)| q.is_positive())
            .map(|(loc, q)| (place(loc), format!("{q} {uom}")))
            .collect();
        for (name, q) in [
            ("received", l.received),
            ("produced", l.produced),
            ("returned", l.returned),
            ("shipped", l.shipped),
            ("consumed", l.consumed),
            ("scrapped", l.scrapped),
            ("adjusted", l.adjusted),
        ] {
            quantities.push((name.to_owned(), format!("{q} {uom}")));
        }
        let balance = lotrace_recall::mass_balance(l);
        quantities.push((
            "mass balance".into(),
            if balance.closes {
                "closes".to_owned()
            } else {
                balance
                    .issues
                    .iter()
                    .map(|i| i.message.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            },
        ));
        timeline = l
            .ledger
            .iter()
            .rev()
            .map(|e| {
                let with = e
                    .party
                    .as_deref()
                    .map(&place)
                    .or_else(|| {
                        (!e.related.is_empty()).then(|| {
                            e.related
                                .iter()
                                .map(|r| lot_label(&catalog, r))
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                    })
                    .unwrap_or_default();
                let where_ = match (&e.location, &e.to_location) {
                    (Some(a), Some(b)) => format!("{} → {}", place(a), place(b)),
                    (Some(a), None) => place(a),
                    (None, Some(b)) => place(b),
                    (None, None) => String::new(),
                };
                (
                    e.time.strftime("%Y-%m-%d %H:%M").to_string(),
                    flow_word(e.flow).to_owned(),
                    e.quantity.map(|q| q.to_string()).unwrap_or_default(),
                    where_,
                    with,
                )
            })
            .collect();
    }
    let mut forward_lines = Vec::new();
    if let Ok(t) = &forward {
        forward_lines.extend(t.lots.iter().map(|l| (l.clone(), "made into".to_owned())));
        forward_lines.extend(
            t.containers
                .iter()
                .map(|c| (c.clone(), "packed in".to_owned())),
        );
        forward_lines.extend(t.shipped_to.iter().map(|m| {
            let to = m.id.as_deref().map(&place).unwrap_or_default();
            (
                String::new(),
                format!("shipped to {to} on {}", &m.time[..m.time.len().min(16)]),
            )
        }));
    }
    let backward = app.trace(&id, Direction::Backward).await;
    let graph = super::graph::svg(
        &id,
        backward.as_ref().ok(),
        forward.as_ref().ok(),
        q.steps,
        |n| lot_label(&catalog, n),
    );
    let mut backward_lines = Vec::new();
    if let Ok(t) = &backward {
        backward_lines.extend(t.lots.iter().map(|l| (l.clone(), "made from".to_owned())));
        backward_lines.extend(t.received_from.iter().map(|m| {
            let from = m.id.as_deref().map(&place).unwrap_or_default();
            (
                String::new(),
                format!(
                    "received from {from} on {}",
                    &m.time[..m.time.len().min(16)]
                ),
            )
        }));
    }
    render(
        &LotPage {
            layout: Layout::new("/lots").with_query_message(q.ok.as_deref(), q.error.as_deref()),
            is_lot: lot.is_some(),
            label: lot_label(&catalog, &id),
            id,
            status,
            facts,
            on_hand,
            quantities,
            timeline,
            backward: backward_lines,
            forward: forward_lines,
            graph,
            steps: q.steps.map(|s| s.min(super::graph::MAX_STEPS)),
            step_choices: &[1, 2, 3],
        },
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct GraphQuery {
    id: String,
    steps: Option<u32>,
}

/// The trace graph of a lot as an SVG file to download.
pub async fn graph_svg(State(state): State<AppState>, Query(q): Query<GraphQuery>) -> Response {
    let app = &state.app;
    let catalog = app.catalog().await;
    let id = lotrace_gs1::canonicalize(&q.id)
        .map(|i| i.canonical)
        .unwrap_or_else(|_| q.id.clone());
    let forward = app.trace(&id, Direction::Forward).await;
    if let Err(e) = &forward {
        return (StatusCode::NOT_FOUND, e.to_string()).into_response();
    }
    let backward = app.trace(&id, Direction::Backward).await;
    let svg = super::graph::svg(
        &id,
        backward.as_ref().ok(),
        forward.as_ref().ok(),
        q.steps,
        |n| lot_label(&catalog, n),
    );
    (
        [
            (axum::http::header::CONTENT_TYPE, "image/svg+xml"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"trace.svg\"",
            ),
        ],
        svg,
    )
        .into_response()
}
