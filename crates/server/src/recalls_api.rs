//! Recalls and drills under `/api/v1/recalls` and `/api/v1/drills`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lotrace_app::{DrillRequest, Notification, RecallRequest};
use lotrace_core::DomainError;
use lotrace_recall::export;
use serde::Deserialize;
use serde_json::Value;

use crate::AppState;
use crate::api::{ApiQuery, json_body, operator};
use crate::problem::Problem;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/recalls", get(list_recalls).post(start_recall))
        .route("/api/v1/recalls/{id}", get(one_recall))
        .route("/api/v1/recalls/{id}/export", get(export_recall))
        .route("/api/v1/recalls/{id}/hold", post(hold))
        .route("/api/v1/recalls/{id}/notifications", post(notify))
        .route("/api/v1/recalls/{id}/returns", post(record_return))
        .route("/api/v1/recalls/{id}/close", post(close))
        .route("/api/v1/drills", get(list_drills).post(run_drill))
        .route("/api/v1/drills/{id}", get(one_drill))
}

async fn start_recall(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, Problem> {
    let request = RecallRequest::from_json(json_body(body)?)?;
    let view = state.app.start_recall(request, &operator(&headers)).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

async fn list_recalls(State(state): State<AppState>) -> Result<Response, Problem> {
    Ok(Json(state.app.recalls().await?).into_response())
}

async fn one_recall(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(Json(state.app.recall(&id).await?).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportQuery {
    /// csv, xlsx or pdf.
    format: String,
    /// For CSV, which table: lots (default), customers, balance, one_up_one_down.
    #[serde(default)]
    table: Option<String>,
}

async fn export_recall(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, Problem> {
    if let Some(t) = &q.table
        && !export::TABLES.contains(&t.as_str())
    {
        return Err(DomainError::field(
            "table",
            format!("{t:?}: expected one of {}", export::TABLES.join(", ")),
        )
        .into());
    }
    let view = state.app.recall(&id).await?;
    let (bytes, media_type, extension) = match q.format.as_str() {
        "csv" => {
            let name = q.table.as_deref().unwrap_or("lots");
            let table = export::table(&view.impact, name).expect("the name was checked above");
            (
                lotrace_report::to_csv(&table),
                "text/csv; charset=utf-8",
                "csv",
            )
        }
        "xlsx" => (
            lotrace_report::to_xlsx(&view.report()),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        "pdf" => (
            lotrace_report::to_pdf(&view.report()),
            "application/pdf",
            "pdf",
        ),
        other => {
            return Err(DomainError::field(
                "format",
                format!("{other:?}: expected csv, xlsx or pdf"),
            )
            .into());
        }
    };
    let bytes = bytes.map_err(Problem::internal)?;
    let name = match (&q.table, extension) {
        (Some(t), "csv") => format!("{id}-{t}.csv"),
        _ => format!("{id}.{extension}"),
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

async fn hold(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Response, Problem> {
    let outcome = state.app.recall_hold(&id, &operator(&headers)).await?;
    Ok(Json(outcome).into_response())
}

async fn notify(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, Problem> {
    let notification = Notification::from_json(json_body(body)?)?;
    let entry = state
        .app
        .recall_notify(&id, notification, &operator(&headers))
        .await?;
    Ok((StatusCode::CREATED, Json(entry)).into_response())
}

async fn record_return(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, Problem> {
    let entry = state
        .app
        .recall_return(&id, json_body(body)?, &operator(&headers))
        .await?;
    Ok((StatusCode::CREATED, Json(entry)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CloseBody {
    summary: String,
}

async fn close(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, Problem> {
    let body: CloseBody = serde_json::from_value(json_body(body)?)
        .map_err(|e| DomainError::field("summary", e.to_string()))?;
    let view = state
        .app
        .recall_close(&id, &body.summary, &operator(&headers))
        .await?;
    Ok(Json(view).into_response())
}

async fn run_drill(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, Problem> {
    let request = DrillRequest::from_json(json_body(body)?)?;
    let drill = state.app.run_drill(request, &operator(&headers)).await?;
    Ok((StatusCode::CREATED, Json(drill)).into_response())
}

async fn list_drills(State(state): State<AppState>) -> Result<Response, Problem> {
    Ok(Json(state.app.drills().await?).into_response())
}

async fn one_drill(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(Json(state.app.drill(&id).await?).into_response())
}
