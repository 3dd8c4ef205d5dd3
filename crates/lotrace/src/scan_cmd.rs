//! `lotrace scan INPUT [--json]`: reads scanned or typed GS1 data and validates it fully
//! (syntax, check digits, dates, association rules). Prints the AIs, the human-readable
//! text, the element string, the Digital Link URI and the canonical identifiers; with
//! `--json`, the object `POST /api/v1/scan` answers (without `lots`). Exit code 1 when the
//! input is invalid.
//!
//! INPUT `-` reads one line from standard input (what a keyboard-wedge scanner types,
//! GS characters included); `\x1d` or `{GS}` in INPUT stand for the GS (FNC1) character,
//! which a shell argument cannot easily carry.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, Result};
use lotrace_label::{ScanOptions, scan_report, scan_text};

pub fn scan(input: &str, json: bool) -> Result<ExitCode> {
    scan_with(input, json, &ScanOptions::default())
}

pub fn scan_with(input: &str, json: bool, options: &ScanOptions) -> Result<ExitCode> {
    let input = if input == "-" {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the scan from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        input.replace("\\x1d", "\u{1d}").replace("{GS}", "\u{1d}")
    };
    let report = scan_report(&input, options);
    if json {
        println!("{}", serde_json::to_string(&report.json)?);
    } else {
        print!("{}", scan_text(&report));
    }
    Ok(if report.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
