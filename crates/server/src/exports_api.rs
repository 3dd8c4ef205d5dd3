//! Compliance and report downloads: `GET /api/v1/exports/fsma204` (the FDA FSMA 204
//! sortable spreadsheet as XLSX or CSV), `/api/v1/exports/lot-history` (PDF or XLSX) and
//! `/api/v1/exports/inventory` (XLSX or CSV). The web UI's `/exports` page uses the same
//! parameters and answers the same bytes.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use lotrace_app::Fsma204Request;
use lotrace_core::DomainError;

use crate::AppState;
use crate::problem::Problem;

/// The most query parameters one export request takes.
const MAX_PARAMS: usize = 1_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/exports/fsma204", get(fsma204))
        .route("/api/v1/exports/lot-history", get(lot_history))
        .route("/api/v1/exports/inventory", get(inventory))
}

/// What a download is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SheetFormat {
    Xlsx,
    Csv,
}

impl SheetFormat {
    fn parse(text: &str) -> Result<SheetFormat, DomainError> {
        match text {
            "xlsx" => Ok(SheetFormat::Xlsx),
            "csv" => Ok(SheetFormat::Csv),
            other => Err(DomainError::field(
                "format",
                format!("{other:?}: expected xlsx or csv"),
            )),
        }
    }
}

/// The FSMA 204 request from query pairs: `lot` (repeatable, `PRODUCT:LOT` or an
/// identifier), `trace` (`true`/`false`), or `product` with `from` and `to` (YYYY-MM-DD);
/// `format` xlsx (default) or csv. Empty values count as absent (a form's empty fields).
pub fn fsma204_params(
    pairs: &[(String, String)],
) -> Result<(Fsma204Request, SheetFormat), DomainError> {
    if pairs.len() > MAX_PARAMS {
        return Err(DomainError::field(
            "(query)",
            format!(
                "{} parameters exceed the limit of {MAX_PARAMS}",
                pairs.len()
            ),
        ));
    }
    let mut request = Fsma204Request::default();
    let mut format = SheetFormat::Xlsx;
    let date = |field: &str, v: &str| {
        v.parse::<jiff::civil::Date>()
            .map_err(|_| DomainError::field(field, format!("{v:?} is not a date (YYYY-MM-DD)")))
    };
    for (key, value) in pairs {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        match key.as_str() {
            "lot" => {
                // A form's textarea: one lot per line.
                request.lots.extend(
                    value
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(str::to_owned),
                );
            }
            "trace" => {
                request.trace = match value {
                    "true" | "yes" | "on" | "1" => true,
                    "false" | "no" | "off" | "0" => false,
                    other => {
                        return Err(DomainError::field(
                            "trace",
                            format!("{other:?}: use true or false"),
                        ));
                    }
                }
            }
            "product" => request.product = Some(value.to_owned()),
            "from" => request.from = Some(date("from", value)?),
            "to" => request.to = Some(date("to", value)?),
            "format" => format = SheetFormat::parse(value)?,
            other => {
                return Err(DomainError::field(
                    other,
                    "unknown parameter; expected lot, trace, product, from, to, format",
                ));
            }
        }
    }
    Ok((request, format))
}

/// The file for a request: its bytes, media type and file name.
pub async fn fsma204_file(
    state: &AppState,
    request: &Fsma204Request,
    format: SheetFormat,
) -> Result<(Vec<u8>, &'static str, String), Problem> {
    let export = state.app.fsma204(request).await?;
    let today = jiff::Timestamp::now().strftime("%Y%m%d").to_string();
    let (bytes, media_type, extension) = match format {
        SheetFormat::Xlsx => (
            lotrace_report::to_xlsx(&export.report()),
            XLSX_MEDIA_TYPE,
            "xlsx",
        ),
        SheetFormat::Csv => (
            lotrace_report::to_csv(&export.table()),
            "text/csv; charset=utf-8",
            "csv",
        ),
    };
    let bytes = bytes.map_err(|e| Problem::from(DomainError::refused("export", e.to_string())))?;
    Ok((bytes, media_type, format!("fsma204-{today}.{extension}")))
}

pub const XLSX_MEDIA_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file download response.
pub fn download(bytes: Vec<u8>, media_type: &'static str, name: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

async fn fsma204(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (request, format) = fsma204_params(&pairs)?;
    let (bytes, media_type, name) = fsma204_file(&state, &request, format).await?;
    Ok(download(bytes, media_type, &name))
}

/// The value of `key` among query pairs (the last one given), or None when empty.
fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

fn only(pairs: &[(String, String)], known: &[&str]) -> Result<(), DomainError> {
    if pairs.len() > MAX_PARAMS {
        return Err(DomainError::field(
            "(query)",
            format!(
                "{} parameters exceed the limit of {MAX_PARAMS}",
                pairs.len()
            ),
        ));
    }
    match pairs.iter().find(|(k, _)| !known.contains(&k.as_str())) {
        Some((k, _)) => Err(DomainError::field(
            k,
            format!("unknown parameter; expected {}", known.join(", ")),
        )),
        None => Ok(()),
    }
}

/// A lot's history: `lot` (PRODUCT:LOT or an identifier), `format` pdf (default) or xlsx.
pub async fn lot_history_file(
    state: &AppState,
    pairs: &[(String, String)],
) -> Result<(Vec<u8>, &'static str, String), Problem> {
    only(pairs, &["lot", "format"])?;
    let lot = param(pairs, "lot").ok_or_else(|| DomainError::field("lot", "required"))?;
    let format = param(pairs, "format").unwrap_or("pdf");
    if !matches!(format, "pdf" | "xlsx") {
        return Err(
            DomainError::field("format", format!("{format:?}: expected pdf or xlsx")).into(),
        );
    }
    let report = state.app.lot_history(lot).await?;
    let (bytes, media_type) = match format {
        "pdf" => (lotrace_report::to_pdf(&report), "application/pdf"),
        _ => (lotrace_report::to_xlsx(&report), XLSX_MEDIA_TYPE),
    };
    let bytes = bytes.map_err(|e| Problem::from(DomainError::refused("export", e.to_string())))?;
    let name: String = lot
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    Ok((bytes, media_type, format!("lot-history-{name}.{format}")))
}

/// The inventory: `format` xlsx (default) or csv, `table` inventory (default) or expiring
/// for CSV, `expiring_within_days` (default 14).
pub async fn inventory_file(
    state: &AppState,
    pairs: &[(String, String)],
) -> Result<(Vec<u8>, &'static str, String), Problem> {
    only(pairs, &["format", "table", "expiring_within_days"])?;
    let format = param(pairs, "format").unwrap_or("xlsx");
    let format = SheetFormat::parse(format)?;
    let table = match param(pairs, "table").unwrap_or("inventory") {
        "inventory" => 0,
        "expiring" => 1,
        other => {
            return Err(DomainError::field(
                "table",
                format!("{other:?}: expected inventory or expiring"),
            )
            .into());
        }
    };
    let days = match param(pairs, "expiring_within_days") {
        Some(v) => v.parse::<u32>().map_err(|_| {
            DomainError::field(
                "expiring_within_days",
                format!("{v:?} is not a number of days"),
            )
        })?,
        None => 14,
    };
    let report = state.app.inventory_report(days).await?;
    let today = jiff::Timestamp::now().strftime("%Y%m%d").to_string();
    let (bytes, media_type, extension) = match format {
        SheetFormat::Xlsx => (lotrace_report::to_xlsx(&report), XLSX_MEDIA_TYPE, "xlsx"),
        SheetFormat::Csv => (
            lotrace_report::to_csv(&report.tables[table]),
            "text/csv; charset=utf-8",
            "csv",
        ),
    };
    let bytes = bytes.map_err(|e| Problem::from(DomainError::refused("export", e.to_string())))?;
    Ok((bytes, media_type, format!("inventory-{today}.{extension}")))
}

async fn lot_history(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (bytes, media_type, name) = lot_history_file(&state, &pairs).await?;
    Ok(download(bytes, media_type, &name))
}

async fn inventory(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (bytes, media_type, name) = inventory_file(&state, &pairs).await?;
    Ok(download(bytes, media_type, &name))
}
