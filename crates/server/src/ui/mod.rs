//! The web UI: server-rendered HTML pages (askama templates in `templates/`), plain forms
//! that post and redirect, no JavaScript of our own. Every page reads and writes through
//! `App`, like the API, so the same rules give the same messages.

mod admin;
mod bom;
mod bom_forms;
mod bom_lines;
mod events;
mod exports;
mod graph;
mod import;
mod master;
mod ops;
mod pages;
mod quality;
mod recalls;

use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lotrace_app::AppError;
use lotrace_core::DomainError;

use crate::AppState;

/// Longest message a page shows from its query string.
const MAX_FLASH_CHARS: usize = 300;

const STYLE: &str = include_str!("../../assets/style.css");

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(admin::routes())
        .merge(master::routes())
        .merge(bom_forms::routes())
        .route("/", get(pages::dashboard))
        .route(
            "/assets/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
        .route(
            "/assets/scan.js",
            get(|| async { asset("text/javascript; charset=utf-8", SCAN_SCRIPT) }),
        )
        .route(
            "/assets/nav.js",
            get(|| async { asset("text/javascript; charset=utf-8", NAV_SCRIPT) }),
        )
        .route(
            "/assets/ops.js",
            get(|| async { asset("text/javascript; charset=utf-8", OPS_SCRIPT) }),
        )
        .route(
            "/assets/graph.js",
            get(|| async { asset("text/javascript; charset=utf-8", GRAPH_SCRIPT) }),
        )
        .route("/scan", get(pages::scan_page).post(pages::scan))
        .route("/lots", get(pages::lots))
        .route("/events", get(events::list))
        .route("/lot", get(pages::lot))
        .route("/lot/graph.svg", get(pages::graph_svg))
        .route("/ops", get(|| async { Redirect::to("/ops/receive") }))
        .route("/ops/{operation}", get(ops::form).post(ops::submit))
        .route("/recalls", get(recalls::list).post(recalls::start))
        .route("/recalls/{id}", get(recalls::show))
        .route("/recalls/{id}/hold", post(recalls::hold))
        .route("/recalls/{id}/notify", post(recalls::notify))
        .route("/recalls/{id}/returns", post(recalls::record_return))
        .route("/recalls/{id}/close", post(recalls::close))
        .route("/drills", get(recalls::drills).post(recalls::run_drill))
        .route("/quality", get(quality::page))
        .route("/exports", get(exports::show))
        .route("/exports/fsma204", get(exports::fsma204))
        .route("/exports/lot-history", get(exports::lot_history))
        .route("/import", get(import::form).post(import::submit))
        .route("/import/epcis", post(import::submit_epcis))
        .route("/production", get(bom::index))
        .route("/production/orders/{id}", get(bom::order))
        .route("/production/boms/{code}", get(bom::bom))
        .route("/batch-record", get(bom::batch_record))
        .route("/where-used", get(bom::where_used))
}

const SCAN_SCRIPT: &str = include_str!("../../assets/scan.js");
const OPS_SCRIPT: &str = include_str!("../../assets/ops.js");
const NAV_SCRIPT: &str = include_str!("../../assets/nav.js");
const GRAPH_SCRIPT: &str = include_str!("../../assets/graph.js");

/// A file of our own that pages load (cached for five minutes).
fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        body,
    )
        .into_response()
}

/// A message at the top of a page.
pub struct Flash {
    /// `ok` or `error`.
    pub kind: &'static str,
    pub text: String,
}

/// What every page's frame needs: which page is current, and a message.
pub struct Layout {
    pub page: &'static str,
    pub flash: Option<Flash>,
}

const NAV: &[(&str, &str)] = &[
    ("/", "Dashboard"),
    ("/scan", "Scan"),
    ("/lots", "Lots"),
    ("/ops/receive", "Operations"),
    ("/recalls", "Recalls"),
    ("/drills", "Drills"),
    ("/events", "Events"),
    ("/products", "Master data"),
    ("/quality", "Quality"),
    ("/exports", "Exports"),
    ("/import", "Import"),
    ("/production", "Production"),
];

impl Layout {
    pub fn new(page: &'static str) -> Layout {
        Layout { page, flash: None }
    }

    pub fn nav(&self) -> &'static [(&'static str, &'static str)] {
        NAV
    }

    pub fn error(mut self, text: impl Into<String>) -> Layout {
        self.flash = Some(Flash {
            kind: "error",
            text: text.into(),
        });
        self
    }

    /// The `?ok=` or `?error=` message a redirect carried, cut to a sane length.
    pub fn with_query_message(mut self, ok: Option<&str>, error: Option<&str>) -> Layout {
        let cut = |t: &str| t.chars().take(MAX_FLASH_CHARS).collect::<String>();
        self.flash = match (ok, error) {
            (_, Some(e)) => Some(Flash {
                kind: "error",
                text: cut(e),
            }),
            (Some(o), None) => Some(Flash {
                kind: "ok",
                text: cut(o),
            }),
            _ => None,
        };
        self
    }
}

/// Renders a page; a template that fails to render is a logged 500, never a panic.
pub fn render(page: &impl Template, status: StatusCode) -> Response {
    match page.render() {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page failed to render",
            )
                .into_response()
        }
    }
}

/// The message a user sees for an error, and the field it names (if any).
pub fn explain(e: &AppError) -> (String, Option<String>) {
    match e {
        AppError::Domain(d @ DomainError::Field { field, .. }) => {
            (d.to_string(), Some(field.clone()))
        }
        AppError::Domain(d) => (d.to_string(), None),
        AppError::Trace(t) => (t.to_string(), None),
        other => {
            tracing::error!(error = %other, "request failed");
            (
                "the server failed to do that; it has been logged".to_owned(),
                None,
            )
        }
    }
}

/// A 303 to `path` with an `ok` or `error` message in the query.
pub fn see_other(path: &str, kind: &str, message: &str) -> Response {
    let mut url = path.to_owned();
    url.push(if path.contains('?') { '&' } else { '?' });
    url.push_str(kind);
    url.push('=');
    url.push_str(&encode(message));
    Redirect::to(&url).into_response()
}

/// Percent-encodes a query value.
pub fn encode(text: &str) -> String {
    const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, QUERY_VALUE).to_string()
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct Message {
    pub layout: Layout,
    pub title: String,
    pub text: String,
}

/// The page for something that is not there.
pub fn pages_not_found(text: &str) -> Message {
    Message {
        layout: Layout::new(""),
        title: "Not found".into(),
        text: text.to_owned(),
    }
}

/// A lot's short name: `SALAD 26071-L3-001` when the product is ours, else its identifier.
pub fn lot_label(catalog: &lotrace_core::catalog::Catalog, id: &str) -> String {
    match catalog.product_of_lot(id) {
        Some(p) => match p.lot_code_of(id) {
            Some(lot) => format!("{} {lot}", p.code),
            None => id.to_owned(),
        },
        None => id.to_owned(),
    }
}
