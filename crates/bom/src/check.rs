//! A production against an order, checked against the order's BOM version: every input is a
//! component or an allowed substitute, every lot is free to use (not on hold, recalled or
//! expired), every lot-tracked component names the lots it used; a refused input can be
//! consumed with an override that gives the reason (never a recalled lot). Then the figures:
//! consumed against BOM quantity × output per component (variance) and the yield.

use jiff::civil::Date;
use lotrace_core::catalog::Catalog;
use lotrace_core::inventory::{HoldState, Inventory};
use lotrace_core::ops::{InputOverride, Produce};
use lotrace_core::{DomainError, Qty, Result};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::BATCH_EXTENSION;
use crate::model::{Bom, Order, Role, check_text};

const MICRO: i128 = 1_000_000;

fn round_div(n: i128, d: i128) -> i128 {
    let half = d / 2;
    if n >= 0 {
        (n + half) / d
    } else {
        (n - half) / d
    }
}

fn clamp(v: i128) -> Qty {
    Qty::from_micro_units(v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
}

/// a × b, exact to the micro-unit (rounded half away from zero).
pub fn mul(a: Qty, b: Qty) -> Qty {
    clamp(round_div(
        i128::from(a.micro_units()) * i128::from(b.micro_units()),
        MICRO,
    ))
}

/// a ÷ b to the micro-unit; None when b is zero.
pub fn div(a: Qty, b: Qty) -> Option<Qty> {
    (!b.is_zero()).then(|| {
        clamp(round_div(
            i128::from(a.micro_units()) * MICRO,
            i128::from(b.micro_units()),
        ))
    })
}

/// a ÷ b in percent, to two decimals; None when b is zero.
pub fn percent(a: Qty, b: Qty) -> Option<f64> {
    (!b.is_zero()).then(|| {
        let hundredths = round_div(
            i128::from(a.micro_units()) * 10_000,
            i128::from(b.micro_units()),
        );
        hundredths as f64 / 100.0
    })
}

/// One input line and what the BOM makes of it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InputMatch {
    /// Its index in `inputs`.
    pub input: usize,
    pub product: String,
    pub lot: String,
    pub quantity: Qty,
    pub uom: String,
    /// The component it counts for; None: not in the BOM (consumed on an override).
    pub component: Option<String>,
    pub role: Option<Role>,
    /// Its quantity in the component's unit and measure (a substitute converted).
    pub equivalent: Option<Qty>,
    /// Why the check refused it (`not_in_bom`, `lot_on_hold`, `lot_expired`) when an
    /// override let it through, and the override's reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub override_rule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub override_reason: Option<String>,
}

/// Consumed against expected for one component.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComponentVariance {
    pub component: String,
    pub uom: String,
    /// BOM quantity per unit × output.
    pub expected: Qty,
    /// In the component's unit, substitutes converted; None: not recorded (a component that
    /// is not lot-tracked and had no input line).
    pub consumed: Option<Qty>,
    /// consumed − expected.
    pub variance: Option<Qty>,
    pub variance_percent: Option<f64>,
    /// expected × scrap allowance: how far consumption may differ.
    pub allowance: Qty,
    pub within_allowance: bool,
    /// The input lines that count for it.
    pub inputs: Vec<usize>,
}

/// Output against what the consumed inputs allow.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct YieldFigures {
    pub output: Qty,
    pub uom: String,
    /// The output the consumed components allow: the least of consumed ÷ quantity per unit.
    pub theoretical_output: Option<Qty>,
    pub yield_percent: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_yield_percent: Option<Qty>,
    pub below_minimum: bool,
}

/// The figures of one production against one BOM version.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Figures {
    pub variance: Vec<ComponentVariance>,
    #[serde(rename = "yield")]
    pub yield_figures: YieldFigures,
}

/// Variance and yield from the consumed lines: `(input index, product, quantity)`.
pub fn figures(bom: &Bom, lines: &[(usize, String, Qty)], output: Qty) -> Figures {
    let mut variance = Vec::with_capacity(bom.components.len());
    let mut theoretical: Option<Qty> = None;
    for (ci, c) in bom.components.iter().enumerate() {
        let mut consumed = Qty::ZERO;
        let mut inputs = Vec::new();
        for (index, product, qty) in lines {
            if let Some((i, role, per_unit)) = bom.role_of(product)
                && i == ci
            {
                consumed += match role {
                    Role::Component => *qty,
                    Role::Substitute => {
                        div(mul(*qty, c.quantity_per_unit), per_unit).unwrap_or_default()
                    }
                };
                inputs.push(*index);
            }
        }
        let expected = mul(c.quantity_per_unit, output);
        let allowance = div(
            mul(expected, c.scrap_allowance_percent),
            Qty::from_units(100),
        )
        .unwrap_or_default();
        let recorded = !inputs.is_empty() || c.lot_tracked;
        let consumed = recorded.then_some(consumed);
        let diff = consumed.map(|q| q - expected);
        if let Some(q) = consumed
            && let Some(possible) = div(q, c.quantity_per_unit)
        {
            theoretical = Some(theoretical.map_or(possible, |t| t.min(possible)));
        }
        variance.push(ComponentVariance {
            component: c.product.clone(),
            uom: c.uom.clone().unwrap_or_default(),
            expected,
            consumed,
            variance: diff,
            variance_percent: diff.and_then(|d| percent(d, expected)),
            allowance,
            within_allowance: diff.is_none_or(|d| d.max(-d) <= allowance),
            inputs,
        });
    }
    let yield_percent = theoretical.and_then(|t| percent(output, t));
    let below_minimum = match (yield_percent, bom.min_yield_percent) {
        (Some(y), Some(min)) => y < min.micro_units() as f64 / 1e6,
        _ => false,
    };
    Figures {
        variance,
        yield_figures: YieldFigures {
            output,
            uom: bom.output_uom.clone(),
            theoretical_output: theoretical,
            yield_percent,
            min_yield_percent: bom.min_yield_percent,
            below_minimum,
        },
    }
}

/// A production the BOM check let through, with its figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckedRun {
    pub order: String,
    pub bom: String,
    pub bom_version: u64,
    pub inputs: Vec<InputMatch>,
    #[serde(flatten)]
    pub figures: Figures,
    /// Inputs whose hold or expiry an override allowed.
    #[serde(skip)]
    pub overridden_inputs: Vec<usize>,
}

/// Checks a production against its order and the order's BOM version. `inputs` must be
/// filled (the application proposes them first when the client gave none).
pub fn check_run(
    order: &Order,
    bom: &Bom,
    p: &Produce,
    catalog: &Catalog,
    inventory: &Inventory,
    today: Date,
) -> Result<CheckedRun> {
    if !order.status.is_open() {
        return Err(DomainError::refused(
            "order_closed",
            format!(
                "order {} is {}: no more production runs against it",
                order.id,
                order.status.as_str()
            ),
        ));
    }
    if p.product != order.product {
        return Err(DomainError::field(
            "product",
            format!(
                "order {} makes {:?}, not {:?}",
                order.id, order.product, p.product
            ),
        ));
    }
    if p.location != order.location {
        return Err(DomainError::field(
            "location",
            format!(
                "order {} runs at {:?}, not {:?}",
                order.id, order.location, p.location
            ),
        ));
    }
    let mut overrides: Vec<Option<&InputOverride>> = vec![None; p.inputs.len()];
    for (n, o) in p.overrides.iter().enumerate() {
        let field = format!("overrides[{n}]");
        if o.input >= p.inputs.len() {
            return Err(DomainError::field(
                &format!("{field}.input"),
                format!(
                    "there is no inputs[{}] ({} input lines)",
                    o.input,
                    p.inputs.len()
                ),
            ));
        }
        check_text(&format!("{field}.reason"), &o.reason)?;
        if overrides[o.input].replace(o).is_some() {
            return Err(DomainError::field(
                &format!("{field}.input"),
                format!("inputs[{}] has two overrides", o.input),
            ));
        }
    }
    let mut matches = Vec::with_capacity(p.inputs.len());
    let mut overridden_inputs = Vec::new();
    let mut lines = Vec::with_capacity(p.inputs.len());
    for (i, line) in p.inputs.iter().enumerate() {
        let field = format!("inputs[{i}]");
        let product = catalog.product(&format!("{field}.product"), &line.product)?;
        let state = inventory.lot(&product.lot_uri(&line.lot));
        let role = bom.role_of(&product.code);
        // The first rule that refuses the line, if any.
        let mut refusal: Option<(&str, String)> = None;
        if let Some(s) = state {
            match s.hold {
                HoldState::Recalled => {
                    return Err(DomainError::refused(
                        "lot_recalled",
                        format!(
                            "{field}: lot {} of {} is recalled; a recalled lot is never consumed, not even on an override",
                            line.lot, product.code
                        ),
                    ));
                }
                HoldState::OnHold => {
                    refusal = Some((
                        "lot_on_hold",
                        format!(
                            "{field}: lot {} of {} is on hold ({})",
                            line.lot,
                            product.code,
                            s.hold_reason.as_deref().unwrap_or("no reason given")
                        ),
                    ));
                }
                HoldState::Released => {}
            }
            if refusal.is_none() && s.is_expired(today) {
                refusal = Some((
                    "lot_expired",
                    format!(
                        "{field}: lot {} of {} expired on {}",
                        line.lot,
                        product.code,
                        s.expiry.map(|d| d.to_string()).unwrap_or_default()
                    ),
                ));
            }
        }
        if role.is_none() {
            refusal = Some((
                "not_in_bom",
                format!(
                    "{field}: {} is neither a component nor a substitute in {}",
                    product.code,
                    bom.label()
                ),
            ));
        }
        let applied = match (refusal, overrides[i]) {
            (Some((rule, message)), None) => {
                return Err(DomainError::refused(
                    rule,
                    format!("{message}; give an override with a reason to use it anyway"),
                ));
            }
            (Some((rule, _)), Some(o)) => {
                if rule != "not_in_bom" {
                    overridden_inputs.push(i);
                }
                Some((rule.to_owned(), o.reason.clone()))
            }
            (None, Some(_)) => {
                return Err(DomainError::field(
                    &format!(
                        "overrides[{}]",
                        p.overrides.iter().position(|o| o.input == i).unwrap_or(0)
                    ),
                    format!("{field} passes the BOM check and needs no override"),
                ));
            }
            (None, None) => None,
        };
        let (component, role_name, equivalent) = match role {
            Some((ci, r, per_unit)) => {
                let c = &bom.components[ci];
                let eq = match r {
                    Role::Component => line.quantity,
                    Role::Substitute => {
                        div(mul(line.quantity, c.quantity_per_unit), per_unit).unwrap_or_default()
                    }
                };
                (Some(c.product.clone()), Some(r), Some(eq))
            }
            None => (None, None, None),
        };
        lines.push((i, product.code.clone(), line.quantity));
        let (override_rule, override_reason) = applied.unzip();
        matches.push(InputMatch {
            input: i,
            product: product.code.clone(),
            lot: line.lot.clone(),
            quantity: line.quantity,
            uom: product.uom.clone(),
            component,
            role: role_name,
            equivalent,
            override_rule,
            override_reason,
        });
    }
    for c in bom.components.iter().filter(|c| c.lot_tracked) {
        let used = matches
            .iter()
            .any(|m| m.component.as_deref() == Some(c.product.as_str()));
        if !used {
            return Err(DomainError::refused(
                "component_missing",
                format!(
                    "inputs: {} needs the lot-tracked component {} (or a substitute): name the lots consumed",
                    bom.label(),
                    c.product
                ),
            ));
        }
    }
    Ok(CheckedRun {
        order: order.id.clone(),
        bom: bom.code.clone(),
        bom_version: bom.version,
        inputs: matches,
        figures: figures(bom, &lines, p.quantity),
        overridden_inputs,
    })
}

impl CheckedRun {
    /// The `lotrace:batch` member of the TransformationEvent: the order, the BOM version,
    /// the overrides and the figures, so the batch record is rebuilt from the log.
    pub fn extensions(&self) -> Map<String, Value> {
        let overrides: Vec<Value> = self
            .inputs
            .iter()
            .filter_map(|m| {
                Some(json!({
                    "lotrace:input": m.input,
                    "lotrace:rule": m.override_rule.as_ref()?,
                    "lotrace:reason": m.override_reason.as_ref()?,
                }))
            })
            .collect();
        let variance: Vec<Value> = self
            .figures
            .variance
            .iter()
            .map(|v| {
                let mut o = json!({
                    "lotrace:component": v.component,
                    "lotrace:expected": v.expected.to_json_number(),
                    "lotrace:uom": v.uom,
                    "lotrace:withinAllowance": v.within_allowance,
                });
                if let Some(c) = v.consumed {
                    o["lotrace:consumed"] = json!(c.to_json_number());
                }
                o
            })
            .collect();
        let mut batch = json!({
            "lotrace:order": self.order,
            "lotrace:bom": self.bom,
            "lotrace:bomVersion": self.bom_version,
            "lotrace:variance": variance,
        });
        if !overrides.is_empty() {
            batch["lotrace:overrides"] = Value::Array(overrides);
        }
        if let Some(y) = self.figures.yield_figures.yield_percent {
            batch["lotrace:yieldPercent"] = json!(y);
        }
        let mut map = Map::new();
        map.insert(BATCH_EXTENSION.into(), batch);
        map
    }
}

/// What a production's event says of its order: (order, BOM code, BOM version, overrides as
/// (input index, rule, reason)).
pub type BatchRef = (String, String, u64, Vec<(usize, String, String)>);

/// Reads the `lotrace:batch` member of a produced event.
pub fn batch_ref(event: &lotrace_epcis::Event) -> Option<BatchRef> {
    let b = event.extensions.get(BATCH_EXTENSION)?;
    let text = |key: &str| b.get(key).and_then(Value::as_str).map(str::to_owned);
    let overrides = b
        .get("lotrace:overrides")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|o| {
                    Some((
                        o.get("lotrace:input")?.as_u64()? as usize,
                        o.get("lotrace:rule")?.as_str()?.to_owned(),
                        o.get("lotrace:reason")?.as_str()?.to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    Some((
        text("lotrace:order")?,
        text("lotrace:bom")?,
        b.get("lotrace:bomVersion")?.as_u64()?,
        overrides,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Qty {
        Qty::parse(text).unwrap()
    }

    #[test]
    fn arithmetic_is_exact_to_the_micro_unit() {
        assert_eq!(mul(q("0.6"), q("10")), q("6"));
        assert_eq!(mul(q("0.333333"), q("3")), q("0.999999"));
        // 2.5 × 0.6 / 0.75 = 2 exactly, not 1.999999.
        assert_eq!(div(mul(q("2.5"), q("0.6")), q("0.75")), Some(q("2")));
        assert_eq!(div(q("1"), q("3")), Some(q("0.333333")));
        assert_eq!(div(q("2"), q("3")), Some(q("0.666667")), "rounded half up");
        assert_eq!(div(q("1"), Qty::ZERO), None);
        assert_eq!(percent(q("10"), q("10.2")), Some(98.04));
        assert_eq!(percent(q("-0.2"), q("4")), Some(-5.0));
        assert_eq!(percent(q("1"), Qty::ZERO), None);
    }
}
