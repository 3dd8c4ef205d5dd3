//! The REST API under `/api/v1`: operations, master data, lots, inventory, picks, traces.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lotrace_app::{AppError, MasterKind};
use lotrace_core::inventory::LotState;
use lotrace_core::ops::Operation;
use lotrace_core::{DomainError, Qty};
use lotrace_trace::{Direction, TraceError};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::AppState;
use crate::problem::Problem;

/// Most rows a list answers in one page.
const MAX_PAGE_ROWS: usize = 1_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/ops/{operation}", post(run_operation))
        .route("/api/v1/lots", get(list_lots))
        .route("/api/v1/lot", get(one_lot))
        .route("/api/v1/inventory", get(inventory))
        .route("/api/v1/picks", get(picks))
        .route("/api/v1/lots/proposal", get(lot_proposal))
        .route("/api/v1/trace", get(trace))
        .route(
            "/api/v1/master/{kind}",
            get(list_master).post(create_master),
        )
        .route(
            "/api/v1/master/{kind}/{code}",
            get(get_master).put(update_master),
        )
        .route(
            "/api/v1/master/{kind}/{code}/{action}",
            post(activate_master),
        )
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Problem {
        match e {
            AppError::Domain(d) => Problem::from(d),
            AppError::Store(s) => Problem::internal(s),
            AppError::Index(e) => Problem::internal(e),
            AppError::Trace(TraceError::UnknownId(id)) => Problem::new(
                StatusCode::NOT_FOUND,
                "urn:lotrace:problem:unknown-id",
                format!(
                    "{id} is not in the store: no event names it as a lot, instance or container, so there is nothing to trace"
                ),
            ),
            AppError::Trace(e @ TraceError::Limit { .. }) => {
                let mut problem = Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "urn:lotrace:problem:trace-limit",
                    e.to_string(),
                );
                if let TraceError::Limit {
                    origin,
                    direction,
                    limit,
                    max,
                } = &e
                {
                    problem.errors = vec![serde_json::json!({
                        "origin": origin, "direction": direction, "limit": limit.as_str(), "max": max,
                    })];
                }
                problem
            }
        }
    }
}

impl From<DomainError> for Problem {
    fn from(e: DomainError) -> Problem {
        let detail = e.to_string();
        let (status, kind) = match &e {
            DomainError::Field { .. } => {
                (StatusCode::BAD_REQUEST, "urn:lotrace:problem:invalid-field")
            }
            DomainError::Refused { .. } => (StatusCode::CONFLICT, "urn:lotrace:problem:refused"),
            DomainError::NotFound { .. } => {
                (StatusCode::NOT_FOUND, "urn:lotrace:problem:not-found")
            }
            DomainError::Exists { .. } => (StatusCode::CONFLICT, "urn:lotrace:problem:exists"),
        };
        let mut problem = Problem::new(status, kind, detail);
        problem.errors = vec![serde_json::to_value(&e).unwrap_or_default()];
        problem
    }
}

pub(crate) fn json_body(body: Result<Json<Value>, JsonRejection>) -> Result<Value, Problem> {
    body.map(|Json(v)| v).map_err(|rejection| {
        Problem::new(
            rejection.status(),
            "urn:lotrace:problem:invalid-body",
            rejection.body_text(),
        )
    })
}

/// Who is acting. Until authentication exists, the `X-Lotrace-Operator` header or "api".
pub(crate) fn operator(headers: &axum::http::HeaderMap) -> String {
    headers
        .get("x-lotrace-operator")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64)
        .unwrap_or("api")
        .to_owned()
}

async fn run_operation(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: axum::http::HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, Problem> {
    if !Operation::NAMES.contains(&name.as_str()) {
        return Err(Problem::new(
            StatusCode::NOT_FOUND,
            "urn:lotrace:problem:not-found",
            format!(
                "no operation {name:?}; the operations are {}",
                Operation::NAMES.join(", ")
            ),
        ));
    }
    let operation = Operation::from_json(&name, json_body(body)?)?;
    crate::auth::check_override_role(&operation).map_err(|detail| {
        Problem::new(
            StatusCode::FORBIDDEN,
            "urn:lotrace:problem:forbidden",
            detail,
        )
    })?;
    let outcome = state
        .app
        .run(&operation, &name, &operator(&headers))
        .await?;
    Ok((StatusCode::CREATED, Json(outcome)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LotFilter {
    /// released, on_hold, recalled, expired, in_stock
    status: Option<String>,
    product: Option<String>,
    /// Lots whose expiry is within this many days from today.
    expiring_within_days: Option<u32>,
}

/// One lot in a list or on its page.
#[derive(Debug, Serialize)]
struct LotView {
    id: String,
    product: Option<String>,
    lot: Option<String>,
    uom: Option<String>,
    status: &'static str,
    hold_reason: Option<String>,
    expiry: Option<jiff::civil::Date>,
    on_hand: Qty,
    received: Qty,
    produced: Qty,
    returned: Qty,
    shipped: Qty,
    consumed: Qty,
    scrapped: Qty,
    adjusted: Qty,
    balance_difference: Qty,
    locations: Vec<LocationQty>,
    attributes: std::collections::BTreeMap<String, Value>,
}

#[derive(Debug, Serialize)]
struct LocationQty {
    location: String,
    location_code: Option<String>,
    quantity: Qty,
}

fn today() -> jiff::civil::Date {
    jiff::Zoned::now().date()
}

fn lot_view(lot: LotState, catalog: &lotrace_core::catalog::Catalog) -> LotView {
    let product = catalog.product_of_lot(&lot.id);
    let lot_code = product.and_then(|p| p.lot_code_of(&lot.id));
    let locations = lot
        .on_hand
        .iter()
        .map(|(uri, q)| LocationQty {
            location: uri.clone(),
            location_code: catalog.location_by_uri(uri).map(|l| l.code.clone()),
            quantity: *q,
        })
        .collect();
    LotView {
        status: lot.status(today()),
        product: product.map(|p| p.code.clone()),
        lot: lot_code,
        uom: lot.uom.clone(),
        hold_reason: lot.hold_reason.clone(),
        expiry: lot.expiry,
        on_hand: lot.on_hand_total(),
        received: lot.received,
        produced: lot.produced,
        returned: lot.returned,
        shipped: lot.shipped,
        consumed: lot.consumed,
        scrapped: lot.scrapped,
        adjusted: lot.adjusted,
        balance_difference: lot.balance_difference(),
        locations,
        attributes: lot.attributes.clone(),
        id: lot.id,
    }
}

async fn list_lots(
    State(state): State<AppState>,
    ApiQuery(filter): ApiQuery<LotFilter>,
) -> Result<Response, Problem> {
    let today = today();
    let catalog = state.app.catalog().await;
    let product_prefix = match &filter.product {
        Some(code) => Some(catalog.product("product", code)?.lot_uri("")),
        None => None,
    };
    if let Some(s) = &filter.status {
        let known = [
            "released", "on_hold", "recalled", "expired", "in_stock", "shipped", "consumed",
            "empty",
        ];
        if !known.contains(&s.as_str()) {
            return Err(DomainError::field(
                "status",
                format!("{s:?} is not one of {}", known.join(", ")),
            )
            .into());
        }
    }
    let horizon = filter
        .expiring_within_days
        .and_then(|d| today.checked_add(jiff::Span::new().days(i64::from(d))).ok());
    let lots = state
        .app
        .lots(|lot| {
            product_prefix
                .as_ref()
                .is_none_or(|p| lot.id.starts_with(p.as_str()))
                && horizon.is_none_or(|h| {
                    lot.expiry.is_some_and(|e| e <= h) && lot.on_hand_total().is_positive()
                })
                && filter.status.as_deref().is_none_or(|s| match s {
                    "in_stock" => lot.on_hand_total().is_positive(),
                    other => lot.status(today) == other,
                })
        })
        .await?;
    let rows: Vec<LotView> = lots
        .into_iter()
        .take(MAX_PAGE_ROWS)
        .map(|l| lot_view(l, &catalog))
        .collect();
    Ok(Json(rows).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LotQuery {
    /// Any spelling of the lot's identifier (EPC URN, Digital Link, lotrace URN) ...
    id: Option<String>,
    /// ... or a product code and a lot number.
    product: Option<String>,
    lot: Option<String>,
}

async fn one_lot(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<LotQuery>,
) -> Result<Response, Problem> {
    let catalog = state.app.catalog().await;
    let id = match (q.id, q.product, q.lot) {
        (Some(id), None, None) => id,
        (None, Some(product), Some(lot)) => catalog.product("product", &product)?.lot_uri(&lot),
        _ => return Err(DomainError::field("id", "give either id, or product and lot").into()),
    };
    let lot = state
        .app
        .lot(&id)
        .await?
        .ok_or_else(|| DomainError::not_found("lot", &id))?;
    Ok(Json(lot_view(lot, &catalog)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InventoryQuery {
    product: Option<String>,
    location: Option<String>,
}

#[derive(Debug, Serialize)]
struct InventoryRow {
    lot: String,
    product: Option<String>,
    location: String,
    location_code: Option<String>,
    quantity: Qty,
    uom: Option<String>,
    status: &'static str,
    expiry: Option<jiff::civil::Date>,
}

async fn inventory(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<InventoryQuery>,
) -> Result<Response, Problem> {
    let catalog = state.app.catalog().await;
    let location = match &q.location {
        Some(code) => Some(catalog.location("location", code)?.uri()),
        None => None,
    };
    let prefix = match &q.product {
        Some(code) => Some(catalog.product("product", code)?.lot_uri("")),
        None => None,
    };
    let today = today();
    let lots = state
        .app
        .lots(|l| prefix.as_ref().is_none_or(|p| l.id.starts_with(p.as_str())))
        .await?;
    let mut rows = Vec::new();
    for lot in &lots {
        for (loc, qty) in &lot.on_hand {
            if location.as_ref().is_some_and(|l| l != loc) || qty.is_zero() {
                continue;
            }
            rows.push(InventoryRow {
                lot: lot.id.clone(),
                product: catalog.product_of_lot(&lot.id).map(|p| p.code.clone()),
                location: loc.clone(),
                location_code: catalog.location_by_uri(loc).map(|l| l.code.clone()),
                quantity: *qty,
                uom: lot.uom.clone(),
                status: lot.status(today),
                expiry: lot.expiry,
            });
        }
    }
    rows.truncate(MAX_PAGE_ROWS);
    Ok(Json(rows).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PickQuery {
    product: String,
    quantity: String,
    location: Option<String>,
}

async fn picks(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PickQuery>,
) -> Result<Response, Problem> {
    let quantity = Qty::parse(&q.quantity).map_err(|e| DomainError::field("quantity", e))?;
    let picks = state
        .app
        .picks(&q.product, quantity, q.location.as_deref())
        .await?;
    Ok(Json(picks).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProposalQuery {
    product: String,
    location: String,
    line: Option<String>,
}

/// The lot number a receipt or production that names none would get now (not drawn).
async fn lot_proposal(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ProposalQuery>,
) -> Result<Response, Problem> {
    let line = q.line.as_deref().map(str::trim).filter(|l| !l.is_empty());
    let lot = state
        .app
        .propose_lot(q.product.trim(), q.location.trim(), line)
        .await?;
    Ok(Json(serde_json::json!({ "lot": lot })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TraceQuery {
    id: String,
    direction: Direction,
}

async fn trace(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<TraceQuery>,
) -> Result<Response, Problem> {
    let mut trace = state.app.trace(&q.id, q.direction).await?;
    crate::auth::partner::filter_trace(state.app.store(), &mut trace)
        .await
        .ok_or_else(|| Problem::not_found(format!("{} is not in the store", q.id)))?;
    Ok(Json(trace).into_response())
}

/// Query parameters whose rejection is a problem+json naming the parameter, not plain text.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(Query), rejection(Problem))]
pub(crate) struct ApiQuery<T>(pub(crate) T);

impl From<QueryRejection> for Problem {
    fn from(rejection: QueryRejection) -> Problem {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "urn:lotrace:problem:invalid-query",
            rejection.body_text(),
        )
    }
}

fn kind(text: &str) -> Result<MasterKind, Problem> {
    MasterKind::parse(text).ok_or_else(|| {
        Problem::new(
            StatusCode::NOT_FOUND,
            "urn:lotrace:problem:not-found",
            format!("no master data {text:?}; use products, locations or parties"),
        )
    })
}

async fn list_master(
    State(state): State<AppState>,
    Path(k): Path<String>,
) -> Result<Response, Problem> {
    Ok(Json(state.app.list(kind(&k)?).await?).into_response())
}

async fn create_master(
    State(state): State<AppState>,
    Path(k): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, Problem> {
    let created = state.app.create(kind(&k)?, json_body(body)?).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

async fn get_master(
    State(state): State<AppState>,
    Path((k, code)): Path<(String, String)>,
) -> Result<Response, Problem> {
    Ok(Json(state.app.get(kind(&k)?, &code).await?).into_response())
}

async fn update_master(
    State(state): State<AppState>,
    Path((k, code)): Path<(String, String)>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, Problem> {
    Ok(Json(state.app.update(kind(&k)?, &code, json_body(body)?).await?).into_response())
}

async fn activate_master(
    State(state): State<AppState>,
    Path((k, code, action)): Path<(String, String, String)>,
) -> Result<Response, Problem> {
    let active = match action.as_str() {
        "activate" => true,
        "deactivate" => false,
        other => {
            return Err(Problem::not_found(format!(
                "no action {other:?}; use activate or deactivate"
            )));
        }
    };
    Ok(Json(state.app.set_active(kind(&k)?, &code, active).await?).into_response())
}
