//! PDF checked with poppler: pdftotext for the text and its layout, pdfinfo for pages.

mod common;

use std::process::Command;

use lotrace_report::{Report, to_pdf};

/// Whether poppler's tools are here; in CI they must be (.ci/run installs them).
fn have_poppler() -> bool {
    let found = Command::new("pdftotext").arg("-v").output().is_ok()
        && Command::new("pdfinfo").arg("-v").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "pdftotext and pdfinfo (poppler-utils) are needed in CI"
        );
        eprintln!("skipped: pdftotext/pdfinfo not found (apt-get install poppler-utils)");
    }
    found
}

fn run(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 from poppler")
}

/// The PDF's pages as pdftotext -layout reads them, and pdfinfo's report.
fn read(report: &Report) -> (Vec<String>, String) {
    let bytes = to_pdf(report).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let path = path.to_str().unwrap();
    let text = run("pdftotext", &["-layout", "-enc", "UTF-8", path, "-"]);
    let pages = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .map(str::to_owned)
        .collect();
    (pages, run("pdfinfo", &[path]))
}

#[test]
fn title_lines_tables_and_page_numbers() {
    if !have_poppler() {
        return;
    }
    let (pages, info) = read(&common::report(40));
    assert!(info.contains("Pages:           2"), "{info}");
    assert!(
        info.contains("841.89 x 595.28 pts (A4)"),
        "A4 landscape: {info}"
    );
    assert!(
        info.contains("Recall R-00001: Rocket salad"),
        "the title is in the info: {info}"
    );
    assert_eq!(pages.len(), 2, "{pages:#?}");
    let (one, two) = (&pages[0], &pages[1]);

    assert!(one.contains("Recall R-00001: Rocket salad"), "{one}");
    assert!(one.contains("Recall: R-00001"), "{one}");
    assert!(
        one.contains("Reason: Possible Listeria contamination"),
        "{one}"
    );
    assert!(one.contains("Affected lots"), "{one}");
    assert!(one.contains("Shipments: [by date]"), "{one}");
    assert!(one.contains("Page 1 of 2"), "{one}");
    // Cell values, as text: dates ISO 8601, instants RFC 3339 UTC, WinAnsi accents kept,
    // characters outside WinAnsi as '?', a line break as a space.
    for value in [
        "L-0001",
        "Rocket, \"wild\" salad",
        "2026-03-01",
        "2026-02-21T17:05:09.25Z",
        "Crème fraîche ?? ?",
        "line one line two",
        "=HYPERLINK(\"http://x\")",
        "10614141000415",
        "-2.5",
    ] {
        assert!(one.contains(value), "{value:?} on page 1:\n{one}");
    }

    // Page 2: the table goes on under its heading and its header row.
    assert!(two.contains("Shipments: [by date] (continued)"), "{two}");
    let header = two
        .lines()
        .find(|l| l.contains("Customer") && l.contains("Shipment"))
        .unwrap_or_else(|| panic!("the header row is repeated on page 2:\n{two}"));
    assert!(
        header.contains("Cases") && header.contains("Date"),
        "{header}"
    );
    assert!(
        two.contains("SH-00039"),
        "the last row is on page 2:\n{two}"
    );
    assert!(!one.contains("SH-00039"));
    assert!(two.contains("Page 2 of 2"), "{two}");
    // Every row is there once.
    let all = pages.concat();
    for i in 0..40 {
        assert_eq!(all.matches(&format!("SH-{i:05}")).count(), 1, "SH-{i:05}");
    }
}

#[test]
fn long_text_is_cut_with_an_ellipsis() {
    if !have_poppler() {
        return;
    }
    let (pages, _) = read(&common::report(3));
    let line = pages[0]
        .lines()
        .find(|l| l.contains("Customer 001,"))
        .expect("a customer row");
    assert!(line.contains("a deliberately long name"), "{line}");
    assert!(line.contains('…'), "cut with an ellipsis: {line}");
    assert!(!line.contains("fit, end"), "the end is cut off: {line}");
    // The columns after the cut one are still there, on the same line.
    assert!(
        line.contains("SH-00001") && line.contains("2026-01-02"),
        "{line}"
    );
}

#[test]
fn numbers_are_right_aligned() {
    if !have_poppler() {
        return;
    }
    let bytes = to_pdf(&common::report(40)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let html = run("pdftotext", &["-bbox", path.to_str().unwrap(), "-"]);
    // The Cases of rows 1, 10 and 37: 3, 30 and 111, which no other word on the pages is.
    let boxes: Vec<(f64, f64)> = ["3", "30", "111"]
        .iter()
        .map(|word| {
            let hits: Vec<(f64, f64)> = html
                .lines()
                .filter(|l| l.ends_with(&format!(">{word}</word>")))
                .map(|l| (attr(l, "xMin"), attr(l, "xMax")))
                .collect();
            assert_eq!(hits.len(), 1, "{word}: {hits:?}");
            hits[0]
        })
        .collect();
    let (right, left): (Vec<f64>, Vec<f64>) = (
        boxes.iter().map(|b| b.1).collect(),
        boxes.iter().map(|b| b.0).collect(),
    );
    assert!(
        right.iter().all(|r| (r - right[0]).abs() < 0.5),
        "right edges line up: {boxes:?}"
    );
    assert!(
        left[0] > left[1] && left[1] > left[2],
        "left edges do not: {boxes:?}"
    );
}

fn attr(line: &str, name: &str) -> f64 {
    let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
    let end = start + line[start..].find('"').unwrap();
    line[start..end].parse().unwrap()
}

#[test]
fn an_empty_table_and_an_empty_report_render() {
    if !have_poppler() {
        return;
    }
    let mut report = Report::new("Empty");
    report.tables.push(lotrace_report::Table::new(
        "No lots",
        vec![lotrace_report::Column::text("Lot")],
    ));
    let (pages, info) = read(&report);
    assert!(info.contains("Pages:           1"), "{info}");
    assert!(
        pages[0].contains("No lots") && pages[0].contains("(no rows)"),
        "{}",
        pages[0]
    );
    assert!(pages[0].contains("Page 1 of 1"));
    let (pages, _) = read(&Report::new(""));
    assert!(pages[0].contains("Page 1 of 1"));
}
