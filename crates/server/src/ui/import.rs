//! The import page: upload a CSV or XLSX file of a chosen kind, or an EPCIS document (plain
//! multipart form posts; with JavaScript, an upload progress bar), see the summary or every
//! refused row or event; the templates to download.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use lotrace_sheet::Kind;

use super::{Layout, render};
use crate::AppState;
use crate::api::operator;
use crate::import_api::{kind_param, run, upload};

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    layout: Layout,
    kinds: [Kind; 6],
    selected: String,
    summary: Option<String>,
    /// Sheet, row, column, cell, message.
    errors: Vec<(String, String, String, String, String)>,
    /// An EPCIS upload: what was stored, or every refused event (index, eventID, field,
    /// message).
    epcis_summary: Option<String>,
    epcis_errors: Vec<(String, String, String, String)>,
}

fn page(layout: Layout, selected: &str) -> ImportPage {
    ImportPage {
        layout,
        kinds: Kind::ALL,
        selected: selected.to_owned(),
        summary: None,
        errors: Vec::new(),
        epcis_summary: None,
        epcis_errors: Vec::new(),
    }
}

pub async fn form() -> Response {
    render(&page(Layout::new("/import"), "auto"), StatusCode::OK)
}

pub async fn submit(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let upload = match upload(&headers, &body) {
        Ok(u) => u,
        Err(p) => {
            return render(
                &page(Layout::new("/import").error(p.detail), "auto"),
                StatusCode::BAD_REQUEST,
            );
        }
    };
    let selected = upload
        .fields
        .iter()
        .find(|(k, _)| k == "kind")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_else(|| "auto".into());
    let kind = match kind_param(&selected) {
        Ok(k) => k,
        Err(p) => {
            return render(
                &page(Layout::new("/import").error(p.detail), "auto"),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let name = upload
        .file_name
        .clone()
        .unwrap_or_else(|| "the file".into());
    match run(&state, &upload, kind, &operator(&headers)).await {
        Ok(s) => {
            let mut p = page(Layout::new("/import"), &selected);
            let kinds: Vec<String> = s
                .sheets
                .iter()
                .map(|k| format!("{} {}", k.rows, k.kind))
                .collect();
            p.summary = Some(format!(
                "{name}: {} row(s) imported ({}): {} master record(s) created, {} operation(s), {} event(s) stored.{}",
                s.rows,
                kinds.join(", "),
                s.records_created,
                s.operations,
                s.events_stored,
                if s.assigned_lots.is_empty() {
                    String::new()
                } else {
                    format!(" Lots assigned: {}.", s.assigned_lots.join(", "))
                }
            ));
            render(&p, StatusCode::OK)
        }
        Err(problem) => {
            let status =
                StatusCode::from_u16(problem.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            let mut p = page(
                Layout::new("/import").error(format!("{name} was refused: nothing was imported.")),
                &selected,
            );
            let text = |v: &serde_json::Value, k: &str| match &v[k] {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            p.errors = problem
                .errors
                .iter()
                .map(|e| {
                    (
                        text(e, "sheet"),
                        text(e, "row"),
                        text(e, "column"),
                        text(e, "cell"),
                        text(e, "message"),
                    )
                })
                .collect();
            if p.errors.is_empty() {
                p.layout = Layout::new("/import").error(problem.detail);
            }
            render(&p, status)
        }
    }
}

/// An EPCIS document (JSON-LD or XML) uploaded from the page: captured whole, as
/// `POST /epcis/capture` does, or refused whole with every event's problem listed.
pub async fn submit_epcis(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let refused = |layout: Layout, status: StatusCode| render(&page(layout, "auto"), status);
    let upload = match upload(&headers, &body) {
        Ok(u) => u,
        Err(p) => {
            return refused(
                Layout::new("/import").error(p.detail),
                StatusCode::BAD_REQUEST,
            );
        }
    };
    let name = upload
        .file_name
        .clone()
        .unwrap_or_else(|| "the document".into());
    let events = match crate::epcis::parse_upload(&state, upload.bytes).await {
        Ok(events) => events,
        Err(problem) => {
            let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::BAD_REQUEST);
            let mut p = page(
                Layout::new("/import").error(format!(
                    "{name} was refused: nothing was stored. {}",
                    problem.detail
                )),
                "auto",
            );
            let text = |v: &serde_json::Value| match v {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            p.epcis_errors = problem
                .errors
                .iter()
                .map(|e| {
                    (
                        text(&e["eventIndex"]),
                        text(&e["eventID"]),
                        text(&e["field"]),
                        text(&e["message"]),
                    )
                })
                .collect();
            return render(&p, status);
        }
    };
    let source = format!("upload:{}", name.chars().take(100).collect::<String>());
    match state.app.capture(events, &source).await {
        Ok(receipt) => {
            let job = receipt.job;
            let mut p = page(Layout::new("/import"), "auto");
            p.epcis_summary = Some(format!(
                "{name}: {} event(s) read, {} stored, {} already in the store (capture job {}).",
                job.events_read, job.events_stored, job.events_already_present, job.id
            ));
            render(&p, StatusCode::OK)
        }
        Err(e) => {
            let (message, _) = super::explain(&e);
            refused(
                Layout::new("/import").error(format!("{name} was refused: {message}")),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}
