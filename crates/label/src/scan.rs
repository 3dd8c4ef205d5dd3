//! The scan report: what `lotrace scan --json` prints and `POST /api/v1/scan` answers,
//! made in one place so both say the same.
//!
//! A valid input:
//!
//! ```json
//! { "valid": true, "form": "scan", "symbology": { "identifier": "]d2", "name": "GS1 DataMatrix" },
//!   "ais": [ { "ai": "01", "value": "09520123456788", "title": "GTIN" }, ... ],
//!   "hri": [ "(01) 09520123456788", ... ], "bracketed": "(01)09520123456788...",
//!   "element_string": "0109520123456788...", "digital_link": "https://id.gs1.org/01/...",
//!   "identifiers": [ { "kind": "lgtin", "canonical": "https://id.gs1.org/01/.../10/..." } ] }
//! ```
//!
//! An invalid one: `{ "valid": false, "ais": [], "error": { "ai": "01", "rule":
//! "INCORRECT_CHECK_DIGIT", "kind": "INVALID_VALUE", "position": 14, "message": "...",
//! "markup": "(01)0952012345678|9|" } }`. `rule` is the GS1 Syntax Engine's error name;
//! `position` is the 1-based character position in the AI's value where the problem is
//! (null where the rule has none, e.g. a missing AI).

use lotrace_gs1::ai::ValueProblem;
use lotrace_gs1::{Gs1Data, InputForm, Options, ParseError, parse_with};
use serde::Deserialize;
use serde_json::{Value, json};

/// What a scan accepts beyond the strict defaults (all off), how fully it validates (all
/// on), and the Digital Link stem of the `digital_link` output.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScanOptions {
    pub permit_unknown_ais: bool,
    pub permit_zero_suppressed_gtin_in_dl: bool,
    pub permit_convenience_alphas: bool,
    pub permit_unknown_ais_as_dl_attributes: bool,
    pub validate_associations: bool,
    pub validate_requisites: bool,
    /// e.g. `https://example.com`; default `https://id.gs1.org`.
    pub digital_link_stem: Option<String>,
}

impl Default for ScanOptions {
    fn default() -> ScanOptions {
        let o = Options::default();
        ScanOptions {
            permit_unknown_ais: o.permit_unknown_ais,
            permit_zero_suppressed_gtin_in_dl: o.permit_zero_suppressed_gtin_in_dl,
            permit_convenience_alphas: o.permit_convenience_alphas,
            permit_unknown_ais_as_dl_attributes: o.permit_unknown_ais_as_dl_attributes,
            validate_associations: o.validate_associations,
            validate_requisites: o.validate_requisites,
            digital_link_stem: None,
        }
    }
}

impl ScanOptions {
    pub fn gs1_options(&self) -> Options {
        Options {
            permit_unknown_ais: self.permit_unknown_ais,
            permit_zero_suppressed_gtin_in_dl: self.permit_zero_suppressed_gtin_in_dl,
            permit_convenience_alphas: self.permit_convenience_alphas,
            permit_unknown_ais_as_dl_attributes: self.permit_unknown_ais_as_dl_attributes,
            validate_associations: self.validate_associations,
            validate_requisites: self.validate_requisites,
        }
    }
}

/// The outcome of reading one input.
#[derive(Clone, Debug)]
pub struct ScanReport {
    pub valid: bool,
    /// The JSON object described in the module documentation.
    pub json: Value,
    /// The parsed data, when valid.
    pub data: Option<Gs1Data>,
    /// The error, when invalid.
    pub error: Option<ParseError>,
}

/// Reads `input` (any form `lotrace_gs1::parse` reads) and reports on it.
pub fn scan_report(input: &str, options: &ScanOptions) -> ScanReport {
    let gs1_options = options.gs1_options();
    match parse_with(input, &gs1_options) {
        Ok(data) => {
            let json = data_json(&data, options, &gs1_options);
            ScanReport {
                valid: true,
                json,
                data: Some(data),
                error: None,
            }
        }
        Err(e) => ScanReport {
            valid: false,
            json: json!({ "valid": false, "ais": [], "error": error_json(&e) }),
            data: None,
            error: Some(e),
        },
    }
}

fn form_name(form: InputForm) -> &'static str {
    match form {
        InputForm::Bracketed => "bracketed",
        InputForm::ElementString => "element_string",
        InputForm::Gtin => "gtin",
        InputForm::DigitalLink => "digital_link",
        InputForm::Scan(_) => "scan",
    }
}

fn data_json(data: &Gs1Data, options: &ScanOptions, gs1_options: &Options) -> Value {
    let ais: Vec<Value> = data
        .elements
        .iter()
        .map(|e| json!({ "ai": e.ai, "value": e.value, "title": e.title() }))
        .collect();
    let gs1 = !data.elements.is_empty();
    let digital_link = if gs1 {
        let link = match &options.digital_link_stem {
            Some(stem) => data.digital_link(stem, gs1_options),
            None => data.canonical_digital_link(),
        };
        link.ok()
    } else {
        None
    };
    let identifiers: Vec<Value> = data
        .identifiers()
        .into_iter()
        .map(|id| json!({ "kind": format!("{:?}", id.kind).to_lowercase(), "canonical": id.canonical }))
        .collect();
    let mut out = json!({
        "valid": true,
        "form": form_name(data.form),
        "ais": ais,
        "hri": data.hri(),
        "bracketed": if gs1 { Value::from(data.bracketed()) } else { Value::Null },
        "element_string": if gs1 { Value::from(data.element_string()) } else { Value::Null },
        "digital_link": digital_link,
        "identifiers": identifiers,
    });
    if let InputForm::Scan(s) = data.form {
        out["symbology"] = json!({ "identifier": s.identifier(), "name": s.name() });
    }
    if let Some(text) = &data.plain_text {
        out["plain_text"] = Value::from(text.as_str());
    }
    out
}

/// The error object: the AI, the rule, the position in the AI's value, the message.
pub fn error_json(e: &ParseError) -> Value {
    let (position, markup) = match &e.value_error {
        Some(v) => {
            let position = match &v.problem {
                ValueProblem::Charset { position, .. } | ValueProblem::Lint { position, .. } => {
                    Some(*position)
                }
                _ if v.end > v.start => Some(v.start + 1),
                _ => None,
            };
            (position, Some(v.markup()))
        }
        None => (None, None),
    };
    json!({
        "ai": e.ai,
        "rule": e.code(),
        "kind": e.kind.code(),
        "position": position,
        "message": e.message,
        "markup": markup,
    })
}

/// The report as readable lines (what `lotrace scan` prints without `--json`).
pub fn scan_text(report: &ScanReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let j = &report.json;
    if !report.valid {
        let e = &j["error"];
        let _ = writeln!(out, "invalid: {}", e["message"].as_str().unwrap_or(""));
        let _ = writeln!(out, "  rule:     {}", e["rule"].as_str().unwrap_or(""));
        if let Some(ai) = e["ai"].as_str() {
            let _ = writeln!(out, "  AI:       ({ai})");
        }
        if let Some(p) = e["position"].as_u64() {
            let _ = writeln!(out, "  position: {p}");
        }
        if let Some(m) = e["markup"].as_str() {
            let _ = writeln!(out, "  where:    {m}");
        }
        return out;
    }
    let _ = write!(out, "valid ({}", j["form"].as_str().unwrap_or(""));
    if let Some(name) = j["symbology"]["name"].as_str() {
        let _ = write!(out, ", {name}");
    }
    let _ = writeln!(out, ")");
    if let Some(text) = j["plain_text"].as_str() {
        let _ = writeln!(out, "  not GS1 data; text: {text}");
        return out;
    }
    for ai in j["ais"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "  ({}) {:<22} {}",
            ai["ai"].as_str().unwrap_or(""),
            ai["title"].as_str().unwrap_or(""),
            ai["value"].as_str().unwrap_or("")
        );
    }
    if let Some(b) = j["bracketed"].as_str() {
        let _ = writeln!(out, "  element string: {b}");
    }
    if let Some(dl) = j["digital_link"].as_str() {
        let _ = writeln!(out, "  Digital Link:   {dl}");
    }
    for id in j["identifiers"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "  identifier:     {} ({})",
            id["canonical"].as_str().unwrap_or(""),
            id["kind"].as_str().unwrap_or("")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_scan() {
        let r = scan_report(
            "]d2010952012345678810ABC123\u{1d}17251231",
            &ScanOptions::default(),
        );
        assert!(r.valid);
        let j = &r.json;
        assert_eq!(j["valid"], true);
        assert_eq!(j["form"], "scan");
        assert_eq!(j["symbology"]["identifier"], "]d2");
        assert_eq!(
            j["ais"],
            json!([
                { "ai": "01", "value": "09520123456788", "title": "GTIN" },
                { "ai": "10", "value": "ABC123", "title": "BATCH/LOT" },
                { "ai": "17", "value": "251231", "title": "USE BY or EXPIRY" },
            ])
        );
        assert_eq!(
            j["hri"],
            json!(["(01) 09520123456788", "(10) ABC123", "(17) 251231"])
        );
        assert_eq!(
            j["element_string"],
            "010952012345678810ABC123\u{1d}17251231"
        );
        assert_eq!(
            j["digital_link"],
            "https://id.gs1.org/01/09520123456788/10/ABC123?17=251231"
        );
        assert_eq!(
            j["identifiers"],
            json!([{ "kind": "lgtin", "canonical": "https://id.gs1.org/01/09520123456788/10/ABC123" }])
        );
        assert!(scan_text(&r).contains("(10) BATCH/LOT"));
    }

    #[test]
    fn a_bad_check_digit_names_the_ai_rule_and_position() {
        let r = scan_report("(01)09520123456789", &ScanOptions::default());
        assert!(!r.valid);
        let e = &r.json["error"];
        assert_eq!(e["ai"], "01");
        assert_eq!(e["rule"], "INCORRECT_CHECK_DIGIT");
        assert_eq!(e["position"], 14);
        assert!(e["message"].as_str().unwrap().contains("check digit"));
        assert_eq!(r.json["ais"], json!([]));
        assert!(scan_text(&r).contains("INCORRECT_CHECK_DIGIT"));
    }

    #[test]
    fn a_missing_ai_has_no_position() {
        let r = scan_report("(10)ABC", &ScanOptions::default());
        assert_eq!(r.json["error"]["rule"], "REQUIRED_AI_MISSING");
        assert_eq!(r.json["error"]["position"], Value::Null);
        let lenient = ScanOptions {
            validate_requisites: false,
            ..ScanOptions::default()
        };
        assert!(scan_report("(10)ABC", &lenient).valid);
    }

    #[test]
    fn options_deserialise_with_defaults() {
        let o: ScanOptions =
            serde_json::from_value(json!({ "permit_convenience_alphas": true })).unwrap();
        assert!(o.permit_convenience_alphas && o.validate_associations);
        assert!(serde_json::from_value::<ScanOptions>(json!({ "nope": 1 })).is_err());
    }
}
