//! The production against an order: the quantity still to make with the FEFO input lots
//! for it proposed, then `produce` with `order` through `App::run`, as
//! `POST /api/v1/ops/produce` does (the order fixes product and location; an override needs
//! the quality role, asked by `auth::check_override_role`). A done run goes to the batch
//! record of the lot it made.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use lotrace_app::AppError;
use lotrace_core::Qty;
use lotrace_core::ops::{LotLine, Operation};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{
    FormPage, Refusal, Spec, Values, form_page, hint, plain_body, required, spec, text,
    too_many_fields, values_of,
};
use crate::AppState;
use crate::ui::{Layout, encode, explain, lot_label, render, see_other};

/// Most lines the inputs and overrides textareas take (the components are bounded by the
/// BOM's own limit, which the API checks).
const MAX_FORM_LINES: usize = 200;

pub(super) const PRODUCE_FIELDS: &[Spec] = &[
    required(hint(
        spec("quantity", "Quantity made", "decimal"),
        "in the product's unit",
    )),
    hint(
        spec("lot", "Lot number", "text"),
        "empty: from the product's template",
    ),
    hint(
        spec("inputs", "Inputs consumed", "textarea"),
        "one PRODUCT:LOT:QUANTITY per line, @LOCATION where it is taken from; empty: the FEFO lots at the time of posting",
    ),
    spec("equipment", "Equipment", "text"),
    hint(
        spec("started", "Started", "datetime-local"),
        "site time; empty: not recorded",
    ),
    hint(
        spec("overrides", "Overrides", "textarea"),
        "to consume a line the BOM check refuses: one per line, the line's number as the message names it (inputs[2] → 2), a space and the reason; needs the quality role; never for a recalled lot",
    ),
];

fn produce_page(order: &lotrace_bom::Order) -> FormPage {
    let path = format!("/production/orders/{}/produce", encode(&order.id));
    FormPage {
        layout: Layout::new("/production"),
        title: format!("Produce against order {}", order.id),
        intro: format!(
            "{} at {}{}, checked against BOM {} v{}: every input must be a component or a substitute, its lot neither on hold, recalled nor expired.",
            order.product,
            order.location,
            order
                .line
                .as_ref()
                .map(|l| format!(" (line {l})"))
                .unwrap_or_default(),
            order.bom,
            order.bom_version
        ),
        back: (
            format!("/production/orders/{}", encode(&order.id)),
            format!("Order {}", order.id),
        ),
        action: path.clone(),
        submit: "Produce",
        fields: Vec::new(),
        propose: Some((path, String::new())),
    }
}

#[derive(Deserialize)]
pub struct ProduceQuery {
    quantity: Option<String>,
}

/// The produce form of an order: the quantity still to make, and the FEFO input lots for it.
pub async fn form(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<ProduceQuery>,
) -> Response {
    let view = match state.app.order(&id).await {
        Ok(v) => v,
        Err(e) => {
            return render(
                &crate::ui::pages_not_found(&explain(&e).0),
                StatusCode::NOT_FOUND,
            );
        }
    };
    let order = &view.order;
    let left = order.quantity - view.produced;
    let quantity = match q.quantity.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => t.to_owned(),
        _ if left.is_positive() => left.to_string(),
        _ => order.quantity.to_string(),
    };
    let mut page = produce_page(order);
    let mut values = Map::new();
    values.insert("quantity".into(), json!(quantity));
    let mut notes = Vec::new();
    if !order.status.is_open() {
        notes.push(format!(
            "order {} is {}: no more production runs against it",
            order.id,
            order.status.as_str()
        ));
    }
    match Qty::parse(&quantity) {
        Ok(wanted) => match state.app.order_proposal(&order.id, wanted).await {
            Ok(p) => {
                let lines: Vec<String> = p
                    .lines
                    .iter()
                    .map(|l| format!("{}:{}:{}@{}", l.product, l.lot, l.quantity, l.location))
                    .collect();
                values.insert("inputs".into(), json!(lines.join("\n")));
                for (component, missing) in &p.short {
                    notes.push(format!(
                        "the stock of {component} (or its substitutes) is short by {missing} for {wanted} {}",
                        order.uom
                    ));
                }
            }
            Err(e) => notes.push(explain(&e).0),
        },
        Err(e) => notes.push(format!("quantity: {e}")),
    }
    if let Some(p) = &mut page.propose {
        p.1.clone_from(&quantity);
    }
    // A note, not a refused post: the page is there (200), with the message on top.
    if !notes.is_empty() {
        page.layout = page.layout.error(notes.join("; "));
    }
    form_page(&state, page, PRODUCE_FIELDS, &values, None).await
}

/// The produce body of a run against `order`: the order fixes product and location.
fn produce_body(
    state: &AppState,
    order: &lotrace_bom::Order,
    values: &Values,
) -> Result<Value, (String, String)> {
    let mut body = plain_body(state, PRODUCE_FIELDS, values)?;
    body.insert("order".into(), json!(order.id));
    body.insert("product".into(), json!(order.product));
    body.insert("location".into(), json!(order.location));
    let lines = |name: &str| -> Result<Vec<&str>, (String, String)> {
        let lines: Vec<&str> = text(values, name)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.len() > MAX_FORM_LINES {
            return Err((
                name.into(),
                format!("{name}: at most {MAX_FORM_LINES} lines"),
            ));
        }
        Ok(lines)
    };
    let mut inputs = Vec::new();
    for (i, line) in lines("inputs")?.into_iter().enumerate() {
        inputs.push(LotLine::json_from_text(line).map_err(|e| {
            let field = format!("inputs[{i}]");
            (field.clone(), format!("{field}: {e}"))
        })?);
    }
    if !inputs.is_empty() {
        body.insert("inputs".into(), Value::Array(inputs));
    }
    let mut overrides = Vec::new();
    for (i, line) in lines("overrides")?.into_iter().enumerate() {
        let field = format!("overrides[{i}]");
        let (n, reason) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let n = n
            .strip_prefix("inputs[")
            .and_then(|n| n.strip_suffix(']'))
            .unwrap_or(n);
        let input: usize = n.parse().map_err(|_| {
            (
                field.clone(),
                format!(
                    "{field}: {line:?}: expected the input line's number, a space and the reason"
                ),
            )
        })?;
        overrides.push(json!({ "input": input, "reason": reason.trim() }));
    }
    if !overrides.is_empty() {
        body.insert("overrides".into(), Value::Array(overrides));
    }
    Ok(Value::Object(body))
}

pub async fn submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let order = match state.app.order(&id).await {
        Ok(v) => v.order,
        Err(e) => {
            return render(
                &crate::ui::pages_not_found(&explain(&e).0),
                StatusCode::NOT_FOUND,
            );
        }
    };
    let values = match values_of(pairs) {
        Ok(v) => v,
        Err(m) => return too_many_fields(&state, produce_page(&order), PRODUCE_FIELDS, m).await,
    };
    let outcome = match produce_body(&state, &order, &values) {
        Ok(body) => match Operation::from_json("produce", body) {
            Ok(op) => match crate::auth::check_override_role(&op) {
                Ok(()) => state
                    .app
                    .run(&op, "produce", &crate::api::operator(&headers))
                    .await
                    .map_err(|e| Refusal::from_app(&e)),
                Err(message) => Err(Refusal::new(message, Some("overrides".into()))),
            },
            Err(e) => Err(Refusal::from_app(&AppError::from(e))),
        },
        Err((field, message)) => Err(Refusal::new(message, Some(field))),
    };
    let mut refusal = match outcome {
        Ok(done) => {
            let catalog = state.app.catalog().await;
            let typed = Some(text(&values, "lot").trim()).filter(|l| !l.is_empty());
            let lot = done.assigned_lots.first().map(String::as_str).or(typed);
            let made = lot.and_then(|l| catalog.products.get(&order.product).map(|p| p.lot_uri(l)));
            let yield_note = done
                .batch
                .as_ref()
                .and_then(|b| b.figures.yield_figures.yield_percent)
                .map(|y| format!(", yield {y:.1} %"))
                .unwrap_or_default();
            let message = match &made {
                Some(id) => format!(
                    "Produced {} against order {}{yield_note}",
                    lot_label(&catalog, id),
                    order.id
                ),
                None => format!("Produced against order {}{yield_note}", order.id),
            };
            return match made {
                Some(id) => see_other(
                    &format!("/batch-record?lot={}", encode(&id)),
                    "ok",
                    &message,
                ),
                None => see_other(
                    &format!("/production/orders/{}", encode(&order.id)),
                    "ok",
                    &message,
                ),
            };
        }
        Err(r) => r,
    };
    // The BOM check names an input line in its message (`inputs[2]: ...`), not as a field.
    if refusal.field.is_none() && refusal.message.starts_with("inputs[") {
        refusal.field = Some("inputs".into());
    }
    let mut page = produce_page(&order);
    if let Some(p) = &mut page.propose {
        p.1 = text(&values, "quantity").to_owned();
    }
    form_page(&state, page, PRODUCE_FIELDS, &values, Some(refusal)).await
}
