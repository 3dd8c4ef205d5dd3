//! Quality analytics over HTTP: `GET /api/v1/analytics/quality?from=&to=&by=&period=`
//! answers holds, inspections, recalls and drills grouped by supplier, product, line or
//! period (`lotrace_app::quality`) as JSON, or as CSV when asked with `Accept: text/csv` or
//! `format=csv`. The web UI's `/quality` page reads the same parameters.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use lotrace_app::quality::{GroupBy, Period, QualityRequest};
use lotrace_core::DomainError;

use crate::AppState;
use crate::problem::Problem;

/// The parameters one request may give (each once; the last one wins).
const KNOWN: [&str; 5] = ["from", "to", "by", "period", "format"];
/// The most query pairs one request takes.
const MAX_PARAMS: usize = 20;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/analytics/quality", get(quality))
}

/// What the answer is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

/// The request from query pairs: `from`, `to` (YYYY-MM-DD, site dates, inclusive), `by`
/// (supplier, product, line, period; default period), `period` (day, week, month; default
/// day), `format` (json, csv; None when not given). Empty values count as absent (a form's
/// empty fields). Each error names its parameter.
pub fn quality_params(
    pairs: &[(String, String)],
) -> Result<(QualityRequest, Option<Format>), DomainError> {
    if pairs.len() > MAX_PARAMS {
        return Err(DomainError::field(
            "(query)",
            format!(
                "{} parameters exceed the limit of {MAX_PARAMS}",
                pairs.len()
            ),
        ));
    }
    let mut request = QualityRequest::default();
    let mut format = None;
    let date = |field: &str, v: &str| {
        v.parse::<jiff::civil::Date>()
            .map_err(|_| DomainError::field(field, format!("{v:?} is not a date (YYYY-MM-DD)")))
    };
    for (key, value) in pairs {
        let value = value.trim();
        if !KNOWN.contains(&key.as_str()) {
            return Err(DomainError::field(
                key,
                format!("unknown parameter; expected {}", KNOWN.join(", ")),
            ));
        }
        if value.is_empty() {
            continue;
        }
        match key.as_str() {
            "from" => request.from = Some(date("from", value)?),
            "to" => request.to = Some(date("to", value)?),
            "by" => request.by = GroupBy::parse(value)?,
            "period" => request.period = Period::parse(value)?,
            _ => {
                format = Some(match value {
                    "json" => Format::Json,
                    "csv" => Format::Csv,
                    other => {
                        return Err(DomainError::field(
                            "format",
                            format!("{other:?}: expected json or csv"),
                        ));
                    }
                })
            }
        }
    }
    Ok((request, format))
}

/// CSV when the client asks for it first (`text/csv` in Accept), else JSON.
fn wants_csv(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|part| part.split(';').next().unwrap_or("").trim())
        .find(|t| matches!(*t, "text/csv" | "application/json" | "*/*"))
        == Some("text/csv")
}

async fn quality(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (request, format) = quality_params(&pairs)?;
    let format = format.unwrap_or(if wants_csv(&headers) {
        Format::Csv
    } else {
        Format::Json
    });
    let report = state.app.quality(&request).await?;
    match format {
        Format::Json => Ok(axum::Json(report).into_response()),
        Format::Csv => {
            let bytes = lotrace_report::to_csv(&report.table())
                .map_err(|e| Problem::from(DomainError::refused("export", e.to_string())))?;
            let mut response = bytes.into_response();
            let h = response.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            let name = format!(
                "quality-{}-{}-to-{}.csv",
                report.by.as_str(),
                report.from,
                report.to
            );
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            Ok(response)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn field_of(e: DomainError) -> String {
        match e {
            DomainError::Field { field, .. } => field,
            other => panic!("not a field error: {other}"),
        }
    }

    #[test]
    fn parameters_are_read_and_bad_ones_named() {
        let (r, f) = quality_params(&pairs(&[
            ("from", "2026-11-01"),
            ("to", "2026-11-30"),
            ("by", "line"),
            ("period", ""),
            ("format", "csv"),
        ]))
        .unwrap();
        assert_eq!(r.by, GroupBy::Line);
        assert_eq!(r.period, Period::Day);
        assert_eq!(r.from.unwrap().to_string(), "2026-11-01");
        assert_eq!(f, Some(Format::Csv));
        for (bad, field) in [
            (("from", "1 Nov"), "from"),
            (("to", "2026-13-01"), "to"),
            (("by", "site"), "by"),
            (("period", "year"), "period"),
            (("format", "xlsx"), "format"),
            (("lot", "x"), "lot"),
        ] {
            let e = quality_params(&pairs(&[bad])).unwrap_err();
            assert_eq!(field_of(e), field);
        }
    }

    #[test]
    fn accept_picks_csv_only_when_it_comes_first() {
        let mut h = HeaderMap::new();
        assert!(!wants_csv(&h));
        h.insert(header::ACCEPT, HeaderValue::from_static("text/csv"));
        assert!(wants_csv(&h));
        h.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/json, text/csv;q=0.5"),
        );
        assert!(!wants_csv(&h));
        h.insert(
            header::ACCEPT,
            HeaderValue::from_static("text/html, text/csv"),
        );
        assert!(wants_csv(&h));
    }
}
