//! Recall and drill pages: start, watch the impact, hold all, export, notify, close.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use jiff::Timestamp;
use lotrace_app::{DrillRequest, Notification, RecallRequest, RecallStatus};
use lotrace_recall::{LotRef, Scope};
use serde::Deserialize;
use serde_json::json;

use super::{Layout, explain, lot_label, render, see_other};
use crate::AppState;
use crate::api::operator;

#[derive(Deserialize)]
pub struct Flashes {
    pub ok: Option<String>,
    pub error: Option<String>,
}

pub struct RecallLine {
    pub id: String,
    pub status: String,
    pub opened: String,
    pub reason: String,
    pub scope: String,
}

#[derive(Template)]
#[template(path = "recalls.html")]
struct RecallsPage {
    layout: Layout,
    recalls: Vec<RecallLine>,
    locations: Vec<String>,
    products: Vec<String>,
}

/// The codes the scope form offers.
async fn scope_codes(state: &AppState) -> (Vec<String>, Vec<String>) {
    let catalog = state.app.catalog().await;
    (
        catalog.locations.keys().cloned().collect(),
        catalog.products.keys().cloned().collect(),
    )
}

async fn recalls_page(state: &AppState, layout: Layout) -> RecallsPage {
    let recalls = state
        .app
        .recalls()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| RecallLine {
            status: r.status.as_str().to_owned(),
            opened: format!(
                "{} by {}",
                r.opened_at.strftime("%Y-%m-%d %H:%M"),
                r.opened_by
            ),
            id: r.id,
            reason: r.reason,
            scope: r.scope_text,
        })
        .collect();
    let (locations, products) = scope_codes(state).await;
    RecallsPage {
        layout,
        recalls,
        locations,
        products,
    }
}

pub async fn list(State(state): State<AppState>, Query(q): Query<Flashes>) -> Response {
    let layout = Layout::new("/recalls").with_query_message(q.ok.as_deref(), q.error.as_deref());
    render(&recalls_page(&state, layout).await, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct ScopeForm {
    #[serde(default)]
    lot: String,
    #[serde(default)]
    supplier_lot: String,
    #[serde(default)]
    sscc: String,
    /// A production window: where, from, until, and optionally which product.
    #[serde(default)]
    location: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    product: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    widen: Option<String>,
    #[serde(default)]
    note: String,
}

/// A `datetime-local` value (`YYYY-MM-DDTHH:MM[:SS]`) at the site's offset, or a date
/// (its midnight).
fn site_time(
    field: &str,
    text: &str,
    offset: lotrace_epcis::TzOffset,
) -> Result<Timestamp, String> {
    let civil: jiff::civil::DateTime = text
        .parse()
        .or_else(|_| {
            text.parse::<jiff::civil::Date>()
                .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
        })
        .map_err(|_| format!("{field}: {text:?} is not a date and time (YYYY-MM-DDTHH:MM)"))?;
    let zone = jiff::tz::TimeZone::fixed(
        jiff::tz::Offset::from_seconds(i32::from(offset.minutes) * 60)
            .map_err(|_| format!("{field}: the site's offset is out of range"))?,
    );
    civil
        .to_zoned(zone)
        .map(|z| z.timestamp())
        .map_err(|_| format!("{field}: {text:?} is out of range"))
}

impl ScopeForm {
    fn scope(&self, offset: lotrace_epcis::TzOffset) -> Result<Scope, String> {
        let text = |t: &str| t.trim().to_owned();
        let (lot, supplier_lot, sscc, location) = (
            text(&self.lot),
            text(&self.supplier_lot),
            text(&self.sscc),
            text(&self.location),
        );
        let given = [&lot, &supplier_lot, &sscc, &location]
            .iter()
            .filter(|t| !t.is_empty())
            .count();
        if given != 1 {
            return Err(
                "give one of: a lot, a supplier lot code, a container, or a production window"
                    .to_owned(),
            );
        }
        let product = (!self.product.trim().is_empty()).then(|| text(&self.product));
        if !lot.is_empty() {
            Ok(Scope::Lots {
                lots: vec![LotRef::parse(&lot)],
            })
        } else if !supplier_lot.is_empty() {
            Ok(Scope::SupplierLot {
                supplier_lot,
                supplier: None,
                product,
            })
        } else if !sscc.is_empty() {
            Ok(Scope::Container { sscc })
        } else {
            let from = site_time("from", self.from.trim(), offset)?;
            let to = site_time("to", self.to.trim(), offset)?;
            Ok(Scope::Production {
                location,
                from,
                to,
                product,
            })
        }
    }
}

pub async fn start(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<ScopeForm>,
) -> Response {
    let scope = match form.scope(state.app.site_offset()) {
        Ok(s) => s,
        Err(e) => return see_other("/recalls", "error", &e),
    };
    let request = RecallRequest {
        scope,
        reason: form.reason.clone(),
        widen_to_siblings: form.widen.is_some(),
        hold_disposition: "recalled".into(),
    };
    match state.app.start_recall(request, &operator(&headers)).await {
        Ok(view) => see_other(
            &format!("/recalls/{}", view.recall.id),
            "ok",
            &format!(
                "recall {} started: {} lots affected, {} customers to notify",
                view.recall.id,
                view.impact.lots.len(),
                view.impact.customers.len()
            ),
        ),
        Err(e) => see_other("/recalls", "error", &explain(&e).0),
    }
}

pub struct ImpactLine {
    pub id: String,
    pub label: String,
    pub relation: String,
    pub status: String,
    pub on_hand: String,
    pub shipped: String,
    pub consumed: String,
    pub balance: String,
}

#[derive(Template)]
#[template(path = "recall.html")]
struct RecallPage {
    layout: Layout,
    id: String,
    status: String,
    open: bool,
    facts: Vec<(String, String)>,
    lots: Vec<ImpactLine>,
    customers: Vec<String>,
    channels: [&'static str; 6],
    journal: Vec<String>,
}

pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<Flashes>,
) -> Response {
    let view = match state.app.recall(&id).await {
        Ok(v) => v,
        Err(e) => {
            return render(
                &super::pages_not_found(&explain(&e).0),
                StatusCode::NOT_FOUND,
            );
        }
    };
    let catalog = state.app.catalog().await;
    let r = &view.recall;
    let i = &view.impact;
    let mut facts = vec![
        ("Reason".to_owned(), r.reason.clone()),
        ("Scope".to_owned(), r.scope_text.clone()),
        (
            "Opened".to_owned(),
            format!(
                "{} by {}",
                r.opened_at.strftime("%Y-%m-%d %H:%M"),
                r.opened_by
            ),
        ),
    ];
    for t in &i.totals {
        facts.push((
            format!("Totals ({})", t.uom),
            format!(
                "{} lots: on hand {}, in transit {}, shipped {}, consumed {}, returned {}; {:.1} % accounted for",
                t.lots, t.on_hand, t.in_transit, t.shipped, t.consumed, t.returned, t.accounted_share * 100.0
            ),
        ));
    }
    let sum = |list: &[lotrace_recall::Movement]| -> lotrace_core::Qty {
        list.iter().filter_map(|m| m.quantity).sum()
    };
    let lots = i
        .lots
        .iter()
        .map(|l| ImpactLine {
            id: l.id.clone(),
            label: lot_label(&catalog, &l.id),
            relation: l.relation.as_str().to_owned(),
            status: l.status.clone(),
            on_hand: l.on_hand_total().to_string(),
            shipped: sum(&l.shipped).to_string(),
            consumed: sum(&l.consumed).to_string(),
            balance: if l.balance.closes {
                "closes".into()
            } else {
                l.balance
                    .issues
                    .iter()
                    .map(|x| x.message.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            },
        })
        .collect();
    let customers = i
        .customers
        .iter()
        .map(|c| {
            let totals: Vec<String> = c.totals.iter().map(|(u, q)| format!("{q} {u}")).collect();
            format!(
                "{} {}: {} shipment(s), {}",
                c.code.as_deref().unwrap_or(&c.id),
                c.name.as_deref().unwrap_or(""),
                c.lines.len(),
                totals.join(", ")
            )
        })
        .collect();
    let mut journal = vec![format!(
        "{} opened by {}",
        r.opened_at.strftime("%Y-%m-%d %H:%M"),
        r.opened_by
    )];
    for (what, list) in [
        ("hold", &r.holds),
        ("notification", &r.notifications),
        ("return", &r.returns),
    ] {
        for a in list.iter() {
            let detail = match what {
                "hold" => format!(
                    "{} line(s) held",
                    a.body["held"].as_array().map_or(0, Vec::len)
                ),
                "notification" => format!(
                    "{} told by {}",
                    a.body["customer"].as_str().unwrap_or(""),
                    a.body["channel"].as_str().unwrap_or("")
                ),
                _ => format!(
                    "{} of lot {} back from {}",
                    a.body["quantity"],
                    a.body["lot"].as_str().unwrap_or(""),
                    a.body["customer"].as_str().unwrap_or("")
                ),
            };
            journal.push(format!(
                "{} {what} by {}: {detail}",
                a.at.strftime("%Y-%m-%d %H:%M"),
                a.by
            ));
        }
    }
    if let Some(c) = &r.closed {
        journal.push(format!(
            "{} closed by {}: {}",
            c.at.strftime("%Y-%m-%d %H:%M"),
            c.by,
            c.body["summary"].as_str().unwrap_or("")
        ));
    }
    render(
        &RecallPage {
            layout: Layout::new("/recalls").with_query_message(q.ok.as_deref(), q.error.as_deref()),
            status: r.status.as_str().to_owned(),
            open: r.status == RecallStatus::Open,
            id: r.id.clone(),
            facts,
            lots,
            customers,
            channels: ["email", "phone", "letter", "edi", "in_person", "other"],
            journal,
        },
        StatusCode::OK,
    )
}

pub async fn hold(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let back = format!("/recalls/{id}");
    match state.app.recall_hold(&id, &operator(&headers)).await {
        Ok(outcome) => {
            let held = outcome["held"].as_array().map_or(0, Vec::len);
            let message = if held == 0 {
                "nothing left to hold".to_owned()
            } else {
                format!("held {held} lot line(s) at our locations")
            };
            see_other(&back, "ok", &message)
        }
        Err(e) => see_other(&back, "error", &explain(&e).0),
    }
}

#[derive(Deserialize)]
pub struct NotifyForm {
    customer: String,
    channel: String,
    #[serde(default)]
    contact: String,
}

pub async fn notify(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<NotifyForm>,
) -> Response {
    let back = format!("/recalls/{id}");
    let contact = (!form.contact.trim().is_empty()).then(|| form.contact.trim().to_owned());
    let note = Notification::from_json(json!({
        "customer": form.customer.trim(), "channel": form.channel, "contact": contact,
    }));
    let result = match note {
        Ok(n) => state.app.recall_notify(&id, n, &operator(&headers)).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => see_other(
            &back,
            "ok",
            &format!("notification of {} recorded", form.customer.trim()),
        ),
        Err(e) => see_other(&back, "error", &explain(&e).0),
    }
}

#[derive(Deserialize)]
pub struct ReturnForm {
    customer: String,
    /// `PRODUCT:LOT`.
    lot: String,
    quantity: String,
    location: String,
    #[serde(default)]
    rma: String,
}

pub async fn record_return(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<ReturnForm>,
) -> Response {
    let back = format!("/recalls/{id}");
    let Some((product, lot)) = form.lot.trim().split_once(':') else {
        return see_other(&back, "error", "lot: give it as PRODUCT:LOT");
    };
    let rma = (!form.rma.trim().is_empty()).then(|| form.rma.trim().to_owned());
    let body = json!({
        "customer": form.customer.trim(), "product": product.trim(), "lot": lot.trim(),
        "quantity": form.quantity.trim(), "location": form.location.trim(), "rma": rma,
    });
    match state
        .app
        .recall_return(&id, body, &operator(&headers))
        .await
    {
        Ok(_) => see_other(
            &back,
            "ok",
            &format!(
                "return of {} {} from {} recorded",
                form.quantity.trim(),
                form.lot.trim(),
                form.customer.trim()
            ),
        ),
        Err(e) => see_other(&back, "error", &explain(&e).0),
    }
}

#[derive(Deserialize)]
pub struct CloseForm {
    summary: String,
}

pub async fn close(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<CloseForm>,
) -> Response {
    let back = format!("/recalls/{id}");
    match state
        .app
        .recall_close(&id, &form.summary, &operator(&headers))
        .await
    {
        Ok(_) => see_other(&back, "ok", "recall closed"),
        Err(e) => see_other(&back, "error", &explain(&e).0),
    }
}

#[derive(Template)]
#[template(path = "drills.html")]
struct DrillsPage {
    layout: Layout,
    drills: Vec<(String, String, String, u32, u32, String, String)>,
    locations: Vec<String>,
    products: Vec<String>,
}

pub async fn drills(State(state): State<AppState>, Query(q): Query<Flashes>) -> Response {
    let (locations, products) = scope_codes(&state).await;
    let drills = state
        .app
        .drills()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|d| {
            (
                d.id,
                format!("{} by {}", d.run_at.strftime("%Y-%m-%d %H:%M"), d.run_by),
                d.scope_text,
                d.lots,
                d.customers,
                format!("{:.1} ms", d.duration_ms),
                format!("{:.1} %", d.accounted_share * 100.0),
            )
        })
        .collect();
    render(
        &DrillsPage {
            layout: Layout::new("/drills").with_query_message(q.ok.as_deref(), q.error.as_deref()),
            drills,
            locations,
            products,
        },
        StatusCode::OK,
    )
}

pub async fn run_drill(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<ScopeForm>,
) -> Response {
    let scope = match form.scope(state.app.site_offset()) {
        Ok(s) => s,
        Err(e) => return see_other("/drills", "error", &e),
    };
    let note = (!form.note.trim().is_empty()).then(|| form.note.trim().to_owned());
    let request = DrillRequest {
        scope,
        widen_to_siblings: form.widen.is_some(),
        note,
    };
    match state.app.run_drill(request, &operator(&headers)).await {
        Ok(d) => see_other(
            "/drills",
            "ok",
            &format!(
                "drill {}: {} lots, {} customers, full impact in {:.1} ms",
                d.id, d.lots, d.customers, d.duration_ms
            ),
        ),
        Err(e) => see_other("/drills", "error", &explain(&e).0),
    }
}
