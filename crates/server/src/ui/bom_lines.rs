//! A BOM's components as the form's textarea takes them, one per line:
//!
//! ```text
//! PRODUCT QUANTITY_PER_UNIT [UNIT] [scrap=PERCENT[%]] [untracked] [sub=PRODUCT[:QUANTITY]]...
//! LETTUCE 0.6 KGM scrap=2% sub=ICEBERG:0.75
//! SALT 0.01 untracked
//! ```
//!
//! Each line becomes one `components[]` entry of the body `POST /api/v1/boms` takes. The
//! quantities stay text, so the API's own rules check them and give its messages; this
//! module only splits the words. `format` writes a stored BOM back in the same syntax, for
//! the form of its next version.

use lotrace_bom::Component;
use serde_json::{Map, Value, json};

/// What the form shows under the field.
pub const HINT: &str = "one component per line: PRODUCT QUANTITY_PER_UNIT [UNIT] \
    [scrap=2%] [untracked] [sub=PRODUCT[:QUANTITY]], e.g. \"LETTUCE 0.6 KGM scrap=2% \
    sub=ICEBERG:0.75\"; quantities are per one unit of output; components are lot-tracked \
    unless marked untracked; a substitute without a quantity replaces the same quantity";

/// The components of the textarea as the API's JSON, and for each the number (from 1) of
/// the textarea line it came from. A malformed line is `(field, message)`, the field being
/// `components[i]` as the API would name that component.
pub fn parse(text: &str) -> Result<(Vec<Value>, Vec<usize>), (String, String)> {
    let mut components = Vec::new();
    let mut lines = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let field = format!("components[{}]", components.len());
        let fail = |message: String| (field.clone(), format!("line {}: {message}", n + 1));
        components.push(parse_line(line).map_err(fail)?);
        lines.push(n + 1);
    }
    Ok((components, lines))
}

fn parse_line(line: &str) -> Result<Value, String> {
    let mut words = line.split_whitespace();
    let product = words.next().unwrap_or_default();
    let quantity = words
        .next()
        .ok_or_else(|| format!("a quantity per unit is expected after {product:?}"))?;
    let mut c = Map::new();
    c.insert("product".into(), json!(product));
    c.insert("quantity_per_unit".into(), json!(quantity));
    let mut substitutes = Vec::new();
    for word in words {
        match word.split_once('=') {
            Some(("scrap", percent)) => {
                if c.contains_key("scrap_allowance_percent") {
                    return Err("scrap= is given twice".into());
                }
                let percent = percent.strip_suffix('%').unwrap_or(percent);
                c.insert("scrap_allowance_percent".into(), json!(percent));
            }
            Some(("sub", sub)) => substitutes.push(match sub.split_once(':') {
                Some((p, q)) => json!({ "product": p, "quantity_per_unit": q }),
                None => json!({ "product": sub }),
            }),
            Some((key, _)) => {
                return Err(format!(
                    "{key}= is not an option; expected scrap=, sub=, untracked or a unit"
                ));
            }
            None if word == "untracked" || word == "tracked" => {
                if c.contains_key("lot_tracked") {
                    return Err(format!("{word}: tracked or untracked is given twice"));
                }
                c.insert("lot_tracked".into(), json!(word == "tracked"));
            }
            None if !c.contains_key("uom") => {
                c.insert("uom".into(), json!(word));
            }
            None => {
                return Err(format!(
                    "{word:?}: the unit is already given; expected scrap=, sub= or untracked"
                ));
            }
        }
    }
    if !substitutes.is_empty() {
        c.insert("substitutes".into(), Value::Array(substitutes));
    }
    Ok(Value::Object(c))
}

/// Stored components written back in the textarea's syntax.
pub fn format(components: &[Component]) -> String {
    let mut out = Vec::with_capacity(components.len());
    for c in components {
        let mut line = format!("{} {}", c.product, c.quantity_per_unit);
        if let Some(uom) = &c.uom {
            line.push_str(&format!(" {uom}"));
        }
        if !c.scrap_allowance_percent.is_zero() {
            line.push_str(&format!(" scrap={}%", c.scrap_allowance_percent));
        }
        if !c.lot_tracked {
            line.push_str(" untracked");
        }
        for s in &c.substitutes {
            match s.quantity_per_unit {
                Some(q) => line.push_str(&format!(" sub={}:{q}", s.product)),
                None => line.push_str(&format!(" sub={}", s.product)),
            }
        }
        out.push(line);
    }
    out.join("\n")
}

/// The component index an API error field names (`components[1].product` → 1).
pub fn index_of(field: &str) -> Option<usize> {
    field
        .strip_prefix("components[")?
        .split_once(']')?
        .0
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_with_every_option_becomes_the_apis_component() {
        let (components, lines) = parse(
            "\nLETTUCE 0.6 KGM scrap=2% sub=ICEBERG:0.75 sub=ROMAINE\n  \nSALT 0.01 untracked\n",
        )
        .unwrap();
        assert_eq!(lines, [2, 4], "blank lines are skipped but counted");
        assert_eq!(
            components[0],
            json!({ "product": "LETTUCE", "quantity_per_unit": "0.6", "uom": "KGM",
                "scrap_allowance_percent": "2",
                "substitutes": [{ "product": "ICEBERG", "quantity_per_unit": "0.75" },
                                { "product": "ROMAINE" }] })
        );
        assert_eq!(
            components[1],
            json!({ "product": "SALT", "quantity_per_unit": "0.01", "lot_tracked": false })
        );
    }

    #[test]
    fn a_malformed_line_names_the_component_and_the_line() {
        let (field, message) = parse("LETTUCE 0.6\nCARROT").unwrap_err();
        assert_eq!(field, "components[1]");
        assert!(message.starts_with("line 2: "), "{message}");
        let (_, message) = parse("LETTUCE 0.6 color=green").unwrap_err();
        assert!(message.contains("color= is not an option"), "{message}");
        let (_, message) = parse("LETTUCE 0.6 KGM LTR").unwrap_err();
        assert!(message.contains("already given"), "{message}");
    }

    #[test]
    fn a_stored_bom_is_written_back_in_the_same_syntax() {
        let components: Vec<Component> = serde_json::from_value(json!([
            { "product": "LETTUCE", "quantity_per_unit": "0.6", "uom": "KGM",
              "scrap_allowance_percent": "2",
              "substitutes": [{ "product": "ICEBERG", "quantity_per_unit": "0.75" }] },
            { "product": "SALT", "quantity_per_unit": "0.01", "uom": "KGM", "lot_tracked": false },
        ]))
        .unwrap();
        let text = format(&components);
        assert_eq!(
            text,
            "LETTUCE 0.6 KGM scrap=2% sub=ICEBERG:0.75\nSALT 0.01 KGM untracked"
        );
        let (again, _) = parse(&text).unwrap();
        let again: Vec<Component> = serde_json::from_value(Value::Array(again)).unwrap();
        assert_eq!(again, components);
    }

    #[test]
    fn the_component_index_of_an_api_field() {
        assert_eq!(index_of("components[12].substitutes[0].product"), Some(12));
        assert_eq!(index_of("components"), None);
        assert_eq!(index_of("code"), None);
    }
}
