//! The cases of `shared/standards/gs1/vectors.jsonl` (read in place): every case gives the
//! expected verdict and outputs, or is listed below with the reason it differs. Error kinds
//! are compared loosely, as the data's README asks: a different kind is allowed only where
//! it is listed in `KIND_DIFFERS`.

mod common;

use lotrace_gs1::digital_link;
use lotrace_gs1::element_string::{self, GS};
use lotrace_gs1::{
    Gs1Data, InputForm, Options, ParseError, check_digit, parse_with, percent, scan,
};

/// Whole groups we do not run, and why.
const GROUPS_EXCLUDED: &[(&str, &str)] = &[
    (
        "dl_compression",
        "compressed Digital Link URIs are not supported (no lotrace input uses them)",
    ),
    (
        "scan_generate",
        "generating scanner output for a chosen symbology is not an output lotrace needs",
    ),
];

/// Single cases we do not run, and why.
const EXCLUDED: &[(&str, &str)] = &[
    (
        "GSE-AI-1707",
        "engine notation: data without a leading ^ is plain data; our element-string reader takes digits as AIs",
    ),
    (
        "GSE-AI-1708",
        "engine notation: '991234' without ^ is plain data to the engine; we read it as the element string (99)1234, as a scanner without symbology identifiers would send it",
    ),
    (
        "GSE-API-1778",
        "asks for generated scanner output (scan=), which we do not produce",
    ),
    (
        "GSE-DL-1344",
        "URI schemes are case-insensitive (RFC 3986 3.1): we accept HtTp://, the engine does not",
    ),
    (
        "GSE-API-1758",
        "URI schemes are case-insensitive (RFC 3986 3.1): we read HtTp:// as a Digital Link, the engine as plain data",
    ),
    (
        "GSE-DL-1904",
        "a malformed percent escape (%2 at the end) is an error for us; the engine passes it through",
    ),
    (
        "GSE-DL-1905",
        "a lone '%' is an error for us; the engine passes it through",
    ),
    (
        "GSE-DL-1908",
        "%ff decodes to a byte that is not UTF-8: an error for us; the engine reads Latin-1",
    ),
    (
        "GSE-DL-1909",
        "%Ff decodes to a byte that is not UTF-8: an error for us; the engine reads Latin-1",
    ),
    (
        "GSE-DL-1910",
        "%fF decodes to a byte that is not UTF-8: an error for us; the engine reads Latin-1",
    ),
    (
        "GSE-DL-1916",
        "%g4 is a malformed escape: an error for us; the engine passes it through",
    ),
    (
        "GSE-DL-1917",
        "%G4 is a malformed escape: an error for us; the engine passes it through",
    ),
    (
        "DLJS-589",
        "digital-link.js accepts a trailing slash and GTIN-8; we follow the current rules (no trailing slash, GTIN-14 unless permitted)",
    ),
    (
        "DLJS-594",
        "digital-link.js (DL 1.x) accepts GTIN-8 in the path; strict by default here",
    ),
    (
        "DLJS-632",
        "digital-link.js (DL 1.x) accepts GTIN-8 in the path; strict by default here",
    ),
    (
        "DLJS-639",
        "digital-link.js (DL 1.x) accepts GTIN-12 in the path; strict by default here",
    ),
    (
        "DLJS-712",
        "digital-link.js (DL 1.x) accepts GTIN-8 in the path; strict by default here",
    ),
    (
        "DLJS-173",
        "digital-link.js (DL 1.x) accepts GTIN-13 in the path; strict by default here",
    ),
    (
        "DLJS-181",
        "digital-link.js (DL 1.x) accepts GTIN-13 in the path; strict by default here",
    ),
    (
        "DLJS-190",
        "digital-link.js (DL 1.x) accepts GTIN-13 in the path; strict by default here",
    ),
    (
        "DLJS-199",
        "digital-link.js (DL 1.x) accepts GTIN-13 in the path; strict by default here",
    ),
    (
        "DLJS-209",
        "digital-link.js (DL 1.x) accepts GTIN-13 in the path; strict by default here",
    ),
    (
        "DLJS-874",
        "digital-link.js (DL 1.x) accepts GTIN-13 in the path; strict by default here",
    ),
    (
        "DLJS-885",
        "digital-link.js (DL 1.x) accepts GTIN-13 in the path; strict by default here",
    ),
    (
        "DLJS-637",
        "convenience alpha with a GTIN-12: needs zero-suppressed GTINs, which the case does not ask for",
    ),
    (
        "DLTK-205",
        "toolkit-specific input (a JSON map of AIs), not a form of GS1 data",
    ),
];

/// Cases rejected as expected, but for another rule than the one recorded, and why.
const KIND_DIFFERS: &[(&str, &str)] = &[
    (
        "GSE-DL-1319",
        "empty input is NO_DATA for every reader here (the engine says DL_NOT_A_URI)",
    ),
    (
        "DLJS-517",
        "the GTIN is both too short and not numeric; we report the length first (digital-link.js the character)",
    ),
];

#[derive(Default)]
struct Case {
    id: String,
    group: String,
    scope: String,
    input_kind: String,
    input: String,
    options: String,
    expect: String,
    expected_ais: String,
    expected_raw: String,
    expected_other: String,
    error_kind: String,
}

impl Case {
    fn from_row(row: &str) -> Case {
        let f = |k: &str| common::json_field(row, k).unwrap_or_default();
        Case {
            id: f("id"),
            group: f("group"),
            scope: f("scope"),
            input_kind: f("input_kind"),
            input: f("input"),
            options: f("options"),
            expect: f("expect"),
            expected_ais: f("expected_ais"),
            expected_raw: f("expected_raw"),
            expected_other: f("expected_other"),
            error_kind: f("error_kind"),
        }
    }

    fn has_option(&self, name: &str) -> bool {
        self.options.split(',').any(|o| o.trim() == name)
    }

    fn option_value(&self, name: &str) -> Option<String> {
        self.options.split(',').find_map(|o| {
            o.trim()
                .strip_prefix(&format!("{name}="))
                .map(str::to_owned)
        })
    }

    /// `key=value` from the expected_other column (`a=1 ; b=2`).
    fn other(&self, key: &str) -> Option<String> {
        self.expected_other
            .split(" ; ")
            .find_map(|part| part.strip_prefix(&format!("{key}=")).map(str::to_owned))
    }

    fn parse_options(&self) -> Options {
        let mut o = match self.scope.as_str() {
            "full" => Options::default(),
            s if s.starts_with("assoc:") => Options::default(),
            _ => Options::syntax_only(),
        };
        if self.has_option("requisiteValidation=off") {
            o.validate_requisites = false;
        }
        o.permit_unknown_ais = self.has_option("permitUnknownAIs");
        o.permit_unknown_ais_as_dl_attributes = self.has_option("unknownAInotDLattr=off");
        o.permit_zero_suppressed_gtin_in_dl = self.has_option("permitZeroSuppressedGTINinDLuris");
        o.permit_convenience_alphas = self.has_option("permitConvenienceAlphas");
        if self.group == "dl_toolkit_readme" {
            // The toolkit reads convenience alphas and zero-suppressed GTINs as a matter of
            // course.
            o.permit_convenience_alphas = true;
            o.permit_zero_suppressed_gtin_in_dl = true;
        }
        o
    }
}

/// The engine's `^` notation to what a scanner sends: a leading `^` is FNC1 in first
/// position (sent as GS here), any other `^` a GS separator, and `|^` the start of a
/// composite component.
fn from_engine_notation(raw: &str) -> String {
    raw.replace("|^", "|").replace('^', &GS.to_string())
}

/// The engine's symbology names.
fn engine_symbology_name(s: scan::Symbology) -> &'static str {
    use scan::Symbology::*;
    match s {
        Gs1_128 | Code128 => "GS1-128",
        Gs1DataBar => "DataBarExpanded",
        Gs1DataMatrix | DataMatrix => "DataMatrix",
        Gs1QrCode | QrCode => "QR",
        Gs1DotCode | DotCode => "DotCode",
        Ean13 => "EAN-13",
        Ean8 => "EAN-8",
    }
}

/// The data string as the engine shows it for a scan.
fn engine_data_string(case: &Case, data: &Gs1Data) -> String {
    if let Some(text) = &data.plain_text {
        return text.replace('^', "\\^");
    }
    if data.link.is_some() {
        return case.input[3..].to_owned();
    }
    match data.form {
        InputForm::Scan(scan::Symbology::Ean13 | scan::Symbology::Ean8) => {
            let gtin = &data.elements[0].value;
            let digits = if data.form == InputForm::Scan(scan::Symbology::Ean8) {
                &gtin[6..]
            } else {
                &gtin[1..]
            };
            let mut out = digits.to_owned();
            if data.composite_start.is_some() {
                let rest = Gs1Data {
                    elements: data.elements[1..].to_vec(),
                    composite_start: None,
                    ..data.clone()
                };
                out.push('|');
                out.push_str(&rest.element_string_with("^"));
            }
            out
        }
        _ => data.element_string_with("^"),
    }
}

/// Never called: bracketed input that does not start with '(' is always an error.
fn unreachable_ok() -> Gs1Data {
    panic!("bracketed data must start with '('")
}

enum Outcome {
    Valid(Box<Gs1Data>),
    Invalid(ParseError),
    /// Checked entirely inside `run` (no data to compare further).
    Checked(Result<(), String>),
}

fn run(case: &Case) -> Outcome {
    let options = case.parse_options();
    let result = match case.input_kind.as_str() {
        // Input that does not start with '(' is not bracketed data for the general entry
        // point; ask the bracketed reader what is wrong with it.
        "bracketed" if !case.input.starts_with('(') => {
            element_string::parse_bracketed(&case.input, &options).map(|_| unreachable_ok())
        }
        "bracketed" => parse_with(&case.input, &options),
        "raw" | "element_string_gs" => {
            let input = if case.input_kind == "raw" {
                from_engine_notation(&case.input)
            } else {
                case.input.clone()
            };
            if input.is_empty() {
                parse_with("", &options)
            } else {
                parse_with(&input, &options)
            }
        }
        "scan" => parse_with(&case.input, &options),
        "dl_uri" => match digital_link::parse_digital_link(&case.input, &options) {
            // Through the general entry point, so that full validation applies where asked.
            Ok(_) => parse_with(&case.input, &options),
            Err(e) => Err(e),
        },
        "digits" => {
            let body = &case.input[..case.input.len() - 1];
            let verdict = check_digit::verify(&case.input);
            let valid = verdict.is_ok();
            let expected_valid = case.expect == "valid";
            let mut problems = Vec::new();
            if valid != expected_valid {
                problems.push(format!("verify gave {verdict:?}"));
            }
            if let Some(d) = case.other("correct_check_digit") {
                let computed = check_digit::compute(body).map(|d| d.to_string());
                if computed.as_deref() != Ok(d.as_str()) {
                    problems.push(format!("computed {computed:?}, expected {d}"));
                }
            }
            return Outcome::Checked(if problems.is_empty() {
                Ok(())
            } else {
                Err(problems.join("; "))
            });
        }
        "ai_sequence" => {
            let ais: Vec<&str> = case.input.split_whitespace().collect();
            let valid = digital_link::is_valid_key_path(&ais);
            return Outcome::Checked(if valid == (case.expect == "valid") {
                Ok(())
            } else {
                Err(format!("key path {ais:?} valid={valid}"))
            });
        }
        "string" => return Outcome::Checked(check_escaping(case)),
        other => return Outcome::Checked(Err(format!("unsupported input kind {other}"))),
    };
    match result {
        Ok(data) => Outcome::Valid(Box::new(data)),
        Err(e) => Outcome::Invalid(e),
    }
}

fn check_escaping(case: &Case) -> Result<(), String> {
    let (Some(path), Some(query)) = (case.other("path"), case.other("query")) else {
        return Err("no path/query expectation".into());
    };
    let (got_path, got_query) = if case.group == "dl_uri_escape" {
        (
            percent::encode_dl_segment(&case.input),
            percent::encode_dl_query_value(&case.input),
        )
    } else {
        let path_value = percent::decode(&case.input).map_err(|e| e.to_string())?;
        let query_value =
            percent::decode(&case.input.replace('+', " ")).map_err(|e| e.to_string())?;
        (path_value, query_value)
    };
    if got_path == path && got_query == query {
        Ok(())
    } else {
        Err(format!("path {got_path:?} query {got_query:?}"))
    }
}

/// Compares a valid result's outputs with the case's expectations.
fn check_outputs(case: &Case, data: &Gs1Data) -> Vec<String> {
    let mut problems = Vec::new();
    if !case.expected_ais.is_empty() && data.bracketed() != case.expected_ais {
        problems.push(format!("AIs {}", data.bracketed()));
    }
    if !case.expected_raw.is_empty() {
        let expected = case.expected_raw.trim_end_matches('^');
        let got = data.element_string_with("^");
        if got != expected {
            problems.push(format!("raw {got:?}"));
        }
    }
    if let Some(hri) = case.other("hri") {
        let lines = if case.has_option("includeDataTitlesInHRI") {
            data.hri_with_titles()
        } else {
            data.hri()
        };
        if lines.join("|") != hri {
            problems.push(format!("HRI {lines:?}"));
        }
    }
    if let Some(sym) = case.other("sym")
        && let InputForm::Scan(s) = data.form
    {
        if engine_symbology_name(s) != sym {
            problems.push(format!("symbology {}", s.name()));
        }
        if let Some(expected) = case.other("dataStr") {
            let got = engine_data_string(case, data);
            if got.trim_end_matches('^') != expected.trim_end_matches('^') {
                problems.push(format!("data string {got:?}"));
            }
        }
    }
    if let Some(params) = case.other("ignoredQueryParams") {
        let got = data.link.as_ref().map(|l| l.other_params.join("|"));
        if got.as_deref() != Some(params.as_str()) {
            problems.push(format!("ignored parameters {got:?}"));
        }
    }
    if let Some(uri) = case.other("uri") {
        let stem = match case.option_value("stem").or(case.option_value("uriStem")) {
            Some(s) if s.starts_with("(default") => "https://id.gs1.org".to_owned(),
            Some(s) if s == "(empty string)" => String::new(),
            Some(s) => s,
            None => "https://id.gs1.org".to_owned(),
        };
        match data.digital_link(&stem, &case.parse_options()) {
            Ok(got) if got == uri => {}
            other => problems.push(format!("Digital Link {other:?}")),
        }
    }
    problems
}

/// The error a generation case expects: parsing succeeds, building the URI fails.
fn generation_error(case: &Case, data: &Gs1Data) -> Option<ParseError> {
    if case.group != "dl_generate" {
        return None;
    }
    data.digital_link("https://example.com", &case.parse_options())
        .err()
}

#[test]
fn every_vector_case_passes_or_is_listed() {
    let Some(dir) = common::gs1_dir() else {
        return;
    };
    let rows = common::jsonl_rows(&dir.join("vectors.jsonl"));
    assert!(rows.len() > 500, "expected the full vector file");
    let mut failures = Vec::new();
    let mut kind_notes = Vec::new();
    let (mut run_count, mut skipped) = (0, 0);
    for row in &rows {
        let case = Case::from_row(row);
        if GROUPS_EXCLUDED.iter().any(|(g, _)| *g == case.group)
            || EXCLUDED.iter().any(|(id, _)| *id == case.id)
        {
            skipped += 1;
            continue;
        }
        run_count += 1;
        let expect_valid = case.expect == "valid";
        match run(&case) {
            Outcome::Checked(Ok(())) => {}
            Outcome::Checked(Err(why)) => failures.push(format!("{}: {why}", case.id)),
            Outcome::Valid(data) => {
                if let Some(err) = generation_error(&case, &data) {
                    if expect_valid {
                        failures.push(format!("{}: valid, but generating gave {err}", case.id));
                    } else if !case.error_kind.is_empty() && err.code() != case.error_kind {
                        kind_notes.push(format!(
                            "{}: expected {}, got {} ({})",
                            case.id,
                            case.error_kind,
                            err.code(),
                            err
                        ));
                    }
                    continue;
                }
                if !expect_valid {
                    failures.push(format!(
                        "{}: expected {} but accepted {:?} as {}",
                        case.id,
                        if case.error_kind.is_empty() {
                            "an error"
                        } else {
                            &case.error_kind
                        },
                        case.input,
                        data.bracketed()
                    ));
                    continue;
                }
                let problems = check_outputs(&case, &data);
                if !problems.is_empty() {
                    failures.push(format!(
                        "{} {:?}: {}",
                        case.id,
                        case.input,
                        problems.join("; ")
                    ));
                }
            }
            Outcome::Invalid(err) => {
                if expect_valid {
                    failures.push(format!(
                        "{} {:?}: valid, got {} ({err})",
                        case.id,
                        case.input,
                        err.code()
                    ));
                    continue;
                }
                if !case.error_kind.is_empty()
                    && err.code() != case.error_kind
                    && !KIND_DIFFERS.iter().any(|(id, _)| *id == case.id)
                {
                    kind_notes.push(format!(
                        "{}: expected {}, got {} ({err})",
                        case.id,
                        case.error_kind,
                        err.code()
                    ));
                }
                if let Some(markup) = case.other("errMarkup") {
                    let got = err.value_error.as_ref().map(|v| v.markup());
                    if got.as_deref() != Some(markup.as_str()) {
                        failures.push(format!("{}: markup {got:?}", case.id));
                    }
                }
            }
        }
    }
    println!("{run_count} vector cases run, {skipped} excluded");
    assert!(
        failures.is_empty() && kind_notes.is_empty(),
        "{} failures:\n{}\n{} error kinds differ:\n{}",
        failures.len(),
        failures.join("\n"),
        kind_notes.len(),
        kind_notes.join("\n")
    );
}
