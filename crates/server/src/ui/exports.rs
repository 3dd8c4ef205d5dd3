//! The exports page: download forms for the compliance spreadsheets. A refused request shows
//! its message with what was typed kept; a good one answers the file itself.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::{Layout, render};
use crate::AppState;
use crate::exports_api::{download, fsma204_file, fsma204_params, lot_history_file};

#[derive(Template)]
#[template(path = "exports.html")]
struct ExportsPage {
    layout: Layout,
    /// (code, name) of the products on the Food Traceability List.
    products: Vec<(String, String)>,
    lots: String,
    trace: bool,
    product: String,
    from: String,
    to: String,
    format: String,
    /// The lot-history form's lot and format.
    history_lot: String,
    history_format: String,
    /// The field an error names (`history_lot` for the lot-history form's lot).
    invalid: String,
}

async fn page(
    state: &AppState,
    pairs: &[(String, String)],
    layout: Layout,
    invalid: &str,
) -> ExportsPage {
    let catalog = state.app.catalog().await;
    let products = catalog
        .products
        .values()
        .filter(|p| p.food_traceability_list && p.active)
        .map(|p| (p.code.clone(), p.name.clone()))
        .collect();
    let get = |key: &str| {
        pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    };
    ExportsPage {
        layout,
        products,
        lots: get("lot"),
        trace: !get("trace").is_empty(),
        product: get("product"),
        from: get("from"),
        to: get("to"),
        format: get("format"),
        history_lot: String::new(),
        history_format: String::new(),
        invalid: invalid.to_owned(),
    }
}

pub async fn show(State(state): State<AppState>) -> Response {
    render(
        &page(&state, &[], Layout::new("/exports"), "").await,
        StatusCode::OK,
    )
}

pub async fn fsma204(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let refused = |message: String, field: String| {
        let state = state.clone();
        let pairs = pairs.clone();
        async move {
            let layout = Layout::new("/exports").error(message);
            render(
                &page(&state, &pairs, layout, &field).await,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    };
    let (request, format) = match fsma204_params(&pairs) {
        Ok(p) => p,
        Err(e) => {
            let field = match &e {
                lotrace_core::DomainError::Field { field, .. } => field.clone(),
                _ => String::new(),
            };
            return refused(e.to_string(), field).await;
        }
    };
    match fsma204_file(&state, &request, format).await {
        Ok((bytes, media_type, name)) => download(bytes, media_type, &name),
        Err(problem) => {
            let field = problem
                .errors
                .first()
                .and_then(|e| e.get("field"))
                .and_then(|f| f.as_str())
                .map(|f| f.split('[').next().unwrap_or(f).to_owned())
                .unwrap_or_default();
            refused(problem.detail.clone(), field).await
        }
    }
}

/// The lot-history download: the file, or the page with the message and the lot kept.
pub async fn lot_history(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    match lot_history_file(&state, &pairs).await {
        Ok((bytes, media_type, name)) => download(bytes, media_type, &name),
        Err(problem) => {
            let value = |key: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            let field = problem.errors.first().and_then(|e| e.get("field"));
            let invalid = if field.and_then(|f| f.as_str()) == Some("format") {
                "history_format"
            } else {
                "history_lot"
            };
            let layout = Layout::new("/exports").error(problem.detail.clone());
            let mut page = page(&state, &[], layout, invalid).await;
            page.history_lot = value("lot");
            page.history_format = value("format");
            let status = StatusCode::from_u16(problem.status)
                .ok()
                .filter(|s| s.is_client_error())
                .unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            render(&page, status)
        }
    }
}
