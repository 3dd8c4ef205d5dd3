//! `GET /api/v1/lots/{id}/label`: a GS1 label of a lot the store knows, as SVG, PNG, PDF
//! or ZPL. `{id}` is any identifier of the lot (percent-encoded: the Digital Link URI or
//! an EPC class URN). The product's name and GTIN come from the catalog, the lot number
//! and expiry from the lot.
//!
//! Query: `format` (svg, png, pdf, zpl; default svg), `symbol` (datamatrix, qr, gs1-128,
//! ean13; default datamatrix), `digital_link` (a stem such as `https://id.gs1.org`: the 2D
//! symbol carries the Digital Link URI instead of the element string), `size` (mm,
//! `100x60`), `dpi` (PNG; ZPL 152/203/300/600), `quantity` (printed text), `sheet` (PDF:
//! `a4` or `letter`) and `copies` (PDF, ZPL).

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use lotrace_label::{
    Carrier, Format, Label, LabelSpec, PageLayout, Paper, SymbolKind, ZplOptions, render_pdf,
    render_png, render_svg, render_zpl,
};
use serde::Deserialize;

use crate::AppState;
use crate::problem::Problem;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/lots/{id}/label", get(lot_label))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelQuery {
    format: Option<String>,
    symbol: Option<String>,
    digital_link: Option<String>,
    size: Option<String>,
    dpi: Option<u32>,
    quantity: Option<String>,
    sheet: Option<String>,
    copies: Option<usize>,
}

/// The most copies one request renders.
const MAX_COPIES: usize = 100;

fn bad(detail: impl Into<String>) -> Problem {
    Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "urn:lotrace:problem:invalid-label",
        detail,
    )
}

pub async fn lot_label(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<LabelQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(q) = query.map_err(|rejection| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "urn:lotrace:problem:invalid-query",
            rejection.body_text(),
        )
    })?;
    let format = match q.format.as_deref() {
        None => Format::Svg,
        Some(name) => Format::from_name(name)
            .ok_or_else(|| bad(format!("format {name:?}: expected svg, png, pdf or zpl")))?,
    };
    let symbol = match q.symbol.as_deref() {
        None => SymbolKind::DataMatrix,
        Some(name) => SymbolKind::from_name(name).ok_or_else(|| {
            bad(format!(
                "symbol {name:?}: expected datamatrix, qr, gs1-128 or ean13"
            ))
        })?,
    };
    let copies = q.copies.unwrap_or(1);
    if copies == 0 || copies > MAX_COPIES {
        return Err(bad(format!("copies {copies}: between 1 and {MAX_COPIES}")));
    }
    let size_mm = match q.size.as_deref() {
        None => None,
        Some(text) => Some(
            text.split_once(['x', 'X'])
                .and_then(|(w, h)| Some((w.trim().parse().ok()?, h.trim().parse().ok()?)))
                .ok_or_else(|| bad(format!("size {text:?}: expected WIDTHxHEIGHT in mm")))?,
        ),
    };

    let lot = state.app.lot(&id).await?.ok_or_else(|| {
        Problem::new(
            StatusCode::NOT_FOUND,
            "urn:lotrace:problem:not-found",
            format!("no lot {id} in the store"),
        )
    })?;
    let catalog = state.app.catalog().await;
    let product = catalog.product_of_lot(&lot.id).ok_or_else(|| {
        bad(format!(
            "lot {} belongs to no product of the catalog, so its GTIN is unknown",
            lot.id
        ))
    })?;
    let Some(gtin) = product.gtin.clone() else {
        return Err(bad(format!(
            "product {} has no GTIN, so it gets no GS1 label",
            product.code
        )));
    };
    let spec = LabelSpec {
        name: Some(product.name.clone()),
        gtin: Some(gtin),
        lot: product.lot_code_of(&lot.id),
        expiry: lot.expiry.map(|d| d.to_string()),
        quantity: q.quantity.clone(),
        symbol,
        carrier: match &q.digital_link {
            Some(stem) => Carrier::DigitalLink { stem: stem.clone() },
            None => Carrier::ElementString,
        },
        size_mm,
        ..LabelSpec::default()
    };
    let label = Label::new(&spec).map_err(|e| bad(e.to_string()))?;
    let bytes = match format {
        Format::Svg => render_svg(&label).into_bytes(),
        Format::Png => render_png(&label, q.dpi.unwrap_or(300)).map_err(|e| bad(e.to_string()))?,
        Format::Pdf => {
            let layout = match q.sheet.as_deref() {
                None => PageLayout::Label,
                Some(name) => PageLayout::Sheet(
                    Paper::from_name(name)
                        .ok_or_else(|| bad(format!("sheet {name:?}: expected a4 or letter")))?,
                ),
            };
            render_pdf(&vec![label; copies], layout).map_err(|e| bad(e.to_string()))?
        }
        Format::Zpl => {
            let options = ZplOptions {
                dpi: q.dpi.unwrap_or(203),
                ..ZplOptions::default()
            };
            render_zpl(&label, &options)
                .map_err(|e| bad(e.to_string()))?
                .repeat(copies)
                .into_bytes()
        }
    };
    Ok(([(header::CONTENT_TYPE, format.media_type())], bytes).into_response())
}
