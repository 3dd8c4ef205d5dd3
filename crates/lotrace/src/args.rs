//! Turns `--key value` arguments into the JSON body an operation or a master record takes,
//! so the CLI and the API accept the same fields with the same validation.
//!
//! `--supplier-lot L1` becomes `"supplier_lot": "L1"`. Lines are repeatable:
//! `--input PRODUCT:LOT:QTY[@LOCATION]` (production inputs), `--item PRODUCT:LOT:QTY[@LOCATION]`
//! (lots to move, pack, unpack or ship), `--container SSCC`, `--role ROLE`,
//! `--required FIELD`, `--measurement NAME=VALUE[:UOM]`. `--json BODY` gives the whole body.

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};

/// Fields that are JSON numbers or booleans; every other value stays a string (a lot
/// number such as `007` must not become 7).
const NUMBER_FIELDS: &[&str] = &["shelf_life_days"];
const BOOL_FIELDS: &[&str] = &[
    "lot_tracked",
    "serialised",
    "food_traceability_list",
    "active",
];
/// The most arguments one command takes.
const MAX_ARGS: usize = 1_000;

pub fn body(args: &[String]) -> Result<Value> {
    if args.len() > MAX_ARGS {
        bail!("{} arguments exceed the limit of {MAX_ARGS}", args.len());
    }
    let mut body = Map::new();
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let Some(name) = flag.strip_prefix("--") else {
            bail!("expected --FIELD VALUE, found {flag:?}");
        };
        let (name, inline) = match name.split_once('=') {
            Some((n, v)) => (n, Some(v.to_owned())),
            None => (name, None),
        };
        let value = match inline {
            Some(v) => v,
            None => iter
                .next()
                .with_context(|| format!("--{name} needs a value"))?
                .clone(),
        };
        let key = name.replace('-', "_");
        match key.as_str() {
            "json" => {
                let parsed: Value =
                    serde_json::from_str(&value).context("--json is not valid JSON")?;
                let Value::Object(map) = parsed else {
                    bail!("--json must be a JSON object");
                };
                body.extend(map);
            }
            "input" => push(&mut body, "inputs", lot_line(&value)?),
            "item" => push(&mut body, "lots", lot_line(&value)?),
            "container" => push(&mut body, "containers", json!(value)),
            "role" => push(&mut body, "roles", json!(value)),
            "required" => push(&mut body, "required_at_receipt", json!(value)),
            "measurement" => push(&mut body, "measurements", measurement(&value)?),
            k if NUMBER_FIELDS.contains(&k) => {
                let n: u64 = value
                    .parse()
                    .with_context(|| format!("--{name}: {value:?} is not a whole number"))?;
                body.insert(key, json!(n));
            }
            k if BOOL_FIELDS.contains(&k) => {
                let b: bool = value
                    .parse()
                    .with_context(|| format!("--{name}: use true or false"))?;
                body.insert(key, json!(b));
            }
            _ => {
                body.insert(key, json!(value));
            }
        }
    }
    Ok(Value::Object(body))
}

fn push(body: &mut Map<String, Value>, key: &str, value: Value) {
    match body.entry(key).or_insert_with(|| json!([])) {
        Value::Array(items) => items.push(value),
        other => *other = json!([value]),
    }
}

/// `PRODUCT:LOT:QTY[@LOCATION]`; the lot may itself contain ':' (split from both ends).
fn lot_line(text: &str) -> Result<Value> {
    lotrace_core::ops::LotLine::json_from_text(text).map_err(anyhow::Error::msg)
}

/// `NAME=VALUE[:UOM]`, e.g. `temperature=4.5:CEL`.
fn measurement(text: &str) -> Result<Value> {
    lotrace_core::ops::Measurement::json_from_text(text).map_err(anyhow::Error::msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_become_fields() {
        let b = body(&args(&[
            "--product",
            "SALAD",
            "--lot",
            "007",
            "--supplier-lot=A:B",
            "--shelf-life-days",
            "9",
            "--input",
            "LETTUCE:L:1:30@COLD",
            "--input",
            "CARROT:C1:5.5",
            "--active",
            "false",
        ]))
        .unwrap();
        assert_eq!(b["lot"], "007");
        assert_eq!(b["supplier_lot"], "A:B");
        assert_eq!(b["shelf_life_days"], 9);
        assert_eq!(b["active"], false);
        assert_eq!(
            b["inputs"][0],
            json!({ "product": "LETTUCE", "lot": "L:1", "quantity": "30", "location": "COLD" })
        );
        assert_eq!(b["inputs"][1]["quantity"], "5.5");
    }

    #[test]
    fn mistakes_are_named() {
        assert!(
            body(&args(&["product"]))
                .unwrap_err()
                .to_string()
                .contains("expected --FIELD")
        );
        assert!(
            body(&args(&["--product"]))
                .unwrap_err()
                .to_string()
                .contains("needs a value")
        );
        assert!(
            body(&args(&["--input", "X"]))
                .unwrap_err()
                .to_string()
                .contains("PRODUCT:LOT:QUANTITY")
        );
        assert!(
            body(&args(&["--shelf-life-days", "x"]))
                .unwrap_err()
                .to_string()
                .contains("whole number")
        );
    }
}
