//! Bills of materials, production orders, batch records and where-used under `/api/v1`.
//! A production against an order is the `produce` operation with an `order` field.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lotrace_core::{DomainError, Qty};
use serde::Deserialize;
use serde_json::Value;

use crate::AppState;
use crate::api::{ApiQuery, json_body, operator};
use crate::problem::Problem;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/boms", get(list_boms).post(create_bom))
        .route("/api/v1/boms/{code}", get(one_bom))
        .route("/api/v1/boms/{code}/versions/{version}", get(bom_version))
        .route("/api/v1/orders", get(list_orders).post(create_order))
        .route("/api/v1/orders/{id}", get(one_order))
        .route("/api/v1/orders/{id}/status", post(order_status))
        .route("/api/v1/orders/{id}/proposal", get(proposal))
        .route("/api/v1/batch-record", get(batch_record))
        .route("/api/v1/where-used", get(where_used))
}

async fn create_bom(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, Problem> {
    let bom = state
        .app
        .create_bom(json_body(body)?, &operator(&headers))
        .await?;
    Ok((StatusCode::CREATED, Json(bom)).into_response())
}

async fn list_boms(State(state): State<AppState>) -> Result<Response, Problem> {
    Ok(Json(state.app.boms().await?).into_response())
}

/// The latest version and every version before it.
async fn one_bom(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    let versions = state.app.bom_versions(&code).await?;
    let latest = versions.last().cloned();
    Ok(Json(serde_json::json!({ "latest": latest, "versions": versions })).into_response())
}

async fn bom_version(
    State(state): State<AppState>,
    Path((code, version)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let version: u64 = version.parse().map_err(|_| {
        DomainError::field("version", format!("{version:?} is not a version number"))
    })?;
    Ok(Json(state.app.bom(&code, Some(version)).await?).into_response())
}

async fn create_order(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, Problem> {
    let order = state
        .app
        .create_order(json_body(body)?, &operator(&headers))
        .await?;
    Ok((StatusCode::CREATED, Json(order)).into_response())
}

async fn list_orders(State(state): State<AppState>) -> Result<Response, Problem> {
    Ok(Json(state.app.orders().await?).into_response())
}

async fn one_order(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(Json(state.app.order(&id).await?).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusBody {
    status: String,
}

async fn order_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, Problem> {
    let body: StatusBody = serde_json::from_value(json_body(body)?)
        .map_err(|e| DomainError::field("status", e.to_string()))?;
    Ok(Json(state.app.set_order_status(&id, &body.status).await?).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProposalQuery {
    quantity: String,
}

async fn proposal(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ProposalQuery>,
) -> Result<Response, Problem> {
    let quantity = Qty::parse(&q.quantity).map_err(|e| DomainError::field("quantity", e))?;
    Ok(Json(state.app.order_proposal(&id, quantity).await?).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordQuery {
    id: Option<String>,
    product: Option<String>,
    lot: Option<String>,
    /// json (default) or pdf.
    format: Option<String>,
}

/// The lot a query names: `id`, or `product` and `lot`.
pub(crate) async fn lot_id(
    state: &AppState,
    id: Option<String>,
    product: Option<String>,
    lot: Option<String>,
) -> Result<String, Problem> {
    Ok(match (id, product, lot) {
        (Some(id), None, None) => id,
        (None, Some(product), Some(lot)) => state
            .app
            .catalog()
            .await
            .product("product", &product)?
            .lot_uri(&lot),
        _ => return Err(DomainError::field("id", "give either id, or product and lot").into()),
    })
}

async fn batch_record(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<RecordQuery>,
) -> Result<Response, Problem> {
    let id = lot_id(&state, q.id, q.product, q.lot).await?;
    let record = state.app.batch_record(&id).await?;
    match q.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(record).into_response()),
        "pdf" => {
            let bytes = lotrace_report::to_pdf(&record.report()).map_err(Problem::internal)?;
            let name = format!(
                "batch-record-{}-{}.pdf",
                record.product.as_deref().unwrap_or("lot"),
                record.lot.as_deref().unwrap_or("")
            );
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
                headers.insert(header::CONTENT_DISPOSITION, v);
            }
            Ok(response)
        }
        other => {
            Err(DomainError::field("format", format!("{other:?}: expected json or pdf")).into())
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WhereUsedQuery {
    product: Option<String>,
    supplier_lot: Option<String>,
}

async fn where_used(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<WhereUsedQuery>,
) -> Result<Response, Problem> {
    Ok(Json(
        state
            .app
            .where_used(q.product.as_deref(), q.supplier_lot.as_deref())
            .await?,
    )
    .into_response())
}
