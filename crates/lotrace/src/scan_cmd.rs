//! `lotrace scan INPUT [--json]`: reads scanned or typed GS1 data and validates it fully
//! (syntax, check digits, dates, association rules). Prints the AIs, the human-readable
//! text, the element string, the Digital Link URI and the canonical identifiers; with
//! `--json`, the object `POST /api/v1/scan` answers. With a database (`--db`, when it
//! exists) it adds what lotrace knows of the lots scanned (status, expiry, on hand), as the
//! API does; it never creates a database. Exit code 1 when the input is invalid.
//!
//! INPUT `-` reads one line from standard input (what a keyboard-wedge scanner types,
//! GS characters included); `\x1d` or `{GS}` in INPUT stand for the GS (FNC1) character,
//! which a shell argument cannot easily carry.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, Result};
use lotrace_label::{ScanOptions, scan_report, scan_text};
use lotrace_store::Location;

/// The lots the scan names, as the store knows them; None without a database.
fn known_lots(
    data: &lotrace_label::gs1::Gs1Data,
    db: &Location,
    config: lotrace_app::AppConfig,
) -> Result<Option<serde_json::Value>> {
    if let Location::SqliteFile(path) = db
        && !path.exists()
    {
        return Ok(None);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let store = lotrace_store::Store::open(db)
            .await
            .with_context(|| format!("cannot open the database {db}"))?;
        let app = lotrace_app::App::open(store.clone(), config).await?;
        let lots = app.scanned_lots(&data.identifiers()).await?;
        store.close().await;
        Ok(Some(serde_json::Value::Array(lots)))
    })
}

pub fn scan(
    input: &str,
    json: bool,
    db: &Location,
    config: lotrace_app::AppConfig,
) -> Result<ExitCode> {
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
    let mut report = scan_report(&input, &ScanOptions::default());
    let lots = match &report.data {
        Some(data) => known_lots(data, db, config)?,
        None => None,
    };
    if let Some(lots) = &lots {
        report.json["lots"] = lots.clone();
    }
    if json {
        println!("{}", serde_json::to_string(&report.json)?);
    } else {
        print!("{}", scan_text(&report));
        for lot in lots.iter().filter_map(|l| l.as_array()).flatten() {
            match lot["known"].as_bool() {
                Some(true) => println!(
                    "lot {}: {}, expiry {}, on hand {} {}",
                    lot["id"].as_str().unwrap_or(""),
                    lot["status"].as_str().unwrap_or(""),
                    lot["expiry"].as_str().unwrap_or("-"),
                    lot["on_hand"],
                    lot["uom"].as_str().unwrap_or("")
                ),
                _ => println!("lot {}: not in the store", lot["id"].as_str().unwrap_or("")),
            }
        }
    }
    Ok(if report.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
