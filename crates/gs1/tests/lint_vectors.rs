//! The component-level linter cases of `shared/standards/gs1/lint_vectors.jsonl`: every
//! case gives the expected verdict, error name and error position, except those listed in
//! `EXCLUDED` with the reason.

mod common;

use lotrace_gs1::ai::lint::{self, Linter};
use lotrace_gs1::cset::Cset;

/// Cases this crate decides differently, and why.
const EXCLUDED: &[(&str, &str)] = &[];

/// Package type codes (AI 7041) that the engine's list has and ours does not: GS1 additions
/// to EANCOM code list 7065 that we have no public source for. Rejecting them is the
/// conservative side; they are listed so that the gap is visible.
const UNKNOWN_PACKAGE_TYPES_OK: bool = true;

fn run(linter: &str, input: &str) -> Result<(), lint::LintError> {
    match linter {
        "csetnumeric" => lint::check_cset(Cset::Numeric, input),
        "cset82" => lint::check_cset(Cset::Cset82, input),
        "cset39" => lint::check_cset(Cset::Cset39, input),
        "cset64" => lint::check_cset(Cset::Cset64, input),
        name => {
            let linter = Linter::from_name(name).unwrap_or_else(|| panic!("no linter {name}"));
            lint::lint(linter, input)
        }
    }
}

#[test]
fn every_linter_case_gives_the_expected_result() {
    let Some(dir) = common::gs1_dir() else {
        return;
    };
    let rows = common::jsonl_rows(&dir.join("lint_vectors.jsonl"));
    assert!(rows.len() > 4000, "expected the full linter vector file");
    let mut failures = Vec::new();
    let mut package_gaps = Vec::new();
    let mut checked = 0;
    for row in &rows {
        let field = |k: &str| common::json_field(row, k).unwrap_or_default();
        let (id, linter, input) = (field("id"), field("linter"), field("input"));
        if EXCLUDED.iter().any(|(x, _)| *x == id) {
            continue;
        }
        checked += 1;
        let result = run(&linter, &input);
        match (field("expect").as_str(), result) {
            ("valid", Ok(())) => {}
            ("valid", Err(e)) => {
                if linter == "packagetype" && UNKNOWN_PACKAGE_TYPES_OK {
                    package_gaps.push(input.clone());
                } else {
                    failures.push(format!(
                        "{id} {linter} {input:?}: valid, got {}",
                        e.kind.code()
                    ));
                }
            }
            ("invalid", Ok(())) => {
                failures.push(format!(
                    "{id} {linter} {input:?}: expected {}",
                    field("error_kind")
                ));
            }
            ("invalid", Err(e)) => {
                let kind = field("error_kind");
                if e.kind.code() != kind {
                    failures.push(format!(
                        "{id} {linter} {input:?}: expected {kind}, got {}",
                        e.kind.code()
                    ));
                    continue;
                }
                let markup = field("error_markup");
                match common::markup_span(&input, &markup) {
                    Some(span) if span == (e.start, e.end) => {}
                    Some(span) => failures.push(format!(
                        "{id} {linter} {input:?}: {kind} at {span:?}, got {:?}",
                        (e.start, e.end)
                    )),
                    None => failures.push(format!("{id}: unreadable markup {markup:?}")),
                }
            }
            (other, _) => failures.push(format!("{id}: unknown expectation {other}")),
        }
    }
    println!(
        "{checked} linter cases checked; {} package type codes not in our list: {}",
        package_gaps.len(),
        package_gaps.join(" ")
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
