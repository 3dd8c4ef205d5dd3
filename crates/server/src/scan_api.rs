//! `POST /api/v1/scan`: scanned or typed GS1 data (scanner output with a symbology
//! identifier, bracketed AIs, an element string, EAN/UPC digits, a Digital Link URI),
//! validated fully (syntax, check digits, dates, association rules), and what lotrace knows
//! of the lots it names.
//!
//! Request: `{ "input": "...", "options": { ... } }`; `options` is optional and takes the
//! fields of [`lotrace_label::ScanOptions`]. Answer: the scan report of
//! [`lotrace_label::scan_report`] (the same object `lotrace scan --json` prints) with
//! `lots` added: for each lot or serialised item the data names, `{ "id", "known" }` and,
//! when the store knows it, its `status`, `expiry`, `on_hand`, `uom` and `hold_reason`.
//! 200 when the input is valid, 422 with `error` when it is not, 400 for a body that is
//! not such JSON.

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use lotrace_label::{ScanOptions, scan_report};
use serde::Deserialize;
use serde_json::Value;

use crate::AppState;
use crate::problem::Problem;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/scan", post(scan))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanRequest {
    pub input: String,
    #[serde(default)]
    pub options: ScanOptions,
}

pub async fn scan(
    State(state): State<AppState>,
    body: Result<Json<ScanRequest>, JsonRejection>,
) -> Result<Response, Problem> {
    // 422 means "invalid GS1 data" here, so a body of the wrong shape is a plain 400.
    let Json(request) = body.map_err(|rejection| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "urn:lotrace:problem:invalid-body",
            format!(
                "{}; expected {{\"input\": \"...\", \"options\": {{...}}}}",
                rejection.body_text()
            ),
        )
    })?;
    let report = scan_report(&request.input, &request.options);
    let mut answer = report.json;
    if let Some(data) = &report.data {
        answer["lots"] = Value::Array(state.app.scanned_lots(&data.identifiers()).await?);
    }
    let status = if report.valid {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(answer)).into_response())
}
