//! Spreadsheet import on the command line:
//! `lotrace import FILE.csv|FILE.xlsx... [--kind KIND]` and
//! `lotrace import template KIND [--format csv|xlsx] [--output FILE]`.
//!
//! All files are read and every row validated before anything is written (the files are
//! one import); a refusal lists each error with its file, sheet, row and column.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use lotrace_app::import::ImportError;
use lotrace_sheet::{Format, Kind, Limits, Sheet};
use lotrace_store::Location;
use serde_json::json;

/// Options of `lotrace import` that only spreadsheets use.
pub struct SheetArgs<'a> {
    pub kind: Option<&'a str>,
    pub format: Option<&'a str>,
    pub output: Option<&'a Path>,
    pub json: bool,
}

/// The command is about spreadsheets: `import template ...` or files ending .csv/.xlsx.
pub fn wants(files: &[PathBuf]) -> bool {
    files.first().is_some_and(|f| f.as_os_str() == "template")
        || files
            .iter()
            .any(|f| Format::from_name(&f.to_string_lossy()).is_some())
}

fn kind_of(text: &str) -> Result<Kind> {
    Kind::parse(text).with_context(|| {
        format!(
            "{text:?} is not a kind of spreadsheet; use one of {}",
            Kind::ALL.map(Kind::as_str).join(", ")
        )
    })
}

pub async fn run(
    location: &Location,
    company_prefix: &str,
    utc_offset: &str,
    files: &[PathBuf],
    args: SheetArgs<'_>,
) -> Result<()> {
    if files.first().is_some_and(|f| f.as_os_str() == "template") {
        return template(&files[1..], &args);
    }
    if let Some(other) = files
        .iter()
        .find(|f| Format::from_name(&f.to_string_lossy()).is_none())
    {
        bail!(
            "{}: import spreadsheets (.csv, .xlsx) and EPCIS documents in separate commands",
            other.display()
        );
    }
    let kind = args.kind.map(kind_of).transpose()?;
    let limits = Limits::default();
    let progress = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {msg}").expect("the template is valid"),
    );
    let mut sheets: Vec<Sheet> = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        progress.set_message(format!("reading {}", file.display()));
        let bytes =
            std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        let format = Format::from_name(&file.to_string_lossy()).expect("checked above");
        match lotrace_sheet::read(&bytes, format, kind, &limits) {
            Ok(read) => {
                for mut sheet in read {
                    if files.len() > 1 {
                        sheet.name = Some(match &sheet.name {
                            Some(n) => format!("{}: {n}", file.display()),
                            None => file.display().to_string(),
                        });
                    }
                    sheets.push(sheet);
                }
            }
            Err(rejected) => errors.extend(rejected.errors.into_iter().map(|mut e| {
                if files.len() > 1 {
                    e.sheet = Some(match &e.sheet {
                        Some(n) => format!("{}: {n}", file.display()),
                        None => file.display().to_string(),
                    });
                }
                e
            })),
        }
    }
    if !errors.is_empty() {
        progress.finish_and_clear();
        return refused(errors, args.json);
    }
    let rows: usize = sheets.iter().map(|s| s.rows.len()).sum();
    progress.set_message(format!("validating and importing {rows} row(s)"));
    progress.enable_steady_tick(std::time::Duration::from_millis(120));
    let app = crate::domain::open_app(location, company_prefix, utc_offset).await?;
    let result = app.import_sheets(sheets, &crate::domain::operator()).await;
    progress.finish_and_clear();
    app.store().close().await;
    match result {
        Ok(summary) => {
            if args.json {
                println!("{}", serde_json::to_string(&summary)?);
            } else {
                println!(
                    "imported {} row(s): {} master record(s) created, {} operation(s), {} event(s) stored{}",
                    summary.rows,
                    summary.records_created,
                    summary.operations,
                    summary.events_stored,
                    summary
                        .capture_id
                        .map(|c| format!(" (capture {c})"))
                        .unwrap_or_default()
                );
                if !summary.assigned_lots.is_empty() {
                    println!("lots assigned: {}", summary.assigned_lots.join(", "));
                }
            }
            Ok(())
        }
        Err(ImportError::Rejected(rejected)) => refused(rejected.errors, args.json),
        Err(ImportError::App(e)) => Err(anyhow::anyhow!("import failed: {e}")),
    }
}

fn refused(errors: Vec<lotrace_sheet::RowError>, as_json: bool) -> Result<()> {
    if as_json {
        println!("{}", json!({ "imported": false, "errors": errors }));
    } else {
        for e in &errors {
            eprintln!("{e}");
        }
    }
    bail!(
        "the import was refused with {} error(s); nothing was imported",
        errors.len()
    )
}

/// `import template KIND [--format csv|xlsx] [--output FILE]`: to FILE, or to stdout for
/// CSV; an XLSX without --output goes to KIND.xlsx.
fn template(words: &[PathBuf], args: &SheetArgs<'_>) -> Result<()> {
    let [kind] = words else {
        bail!(
            "usage: lotrace import template KIND [--format csv|xlsx] [--output FILE]; KIND is one of {}",
            Kind::ALL.map(Kind::as_str).join(", ")
        );
    };
    let kind = kind_of(&kind.to_string_lossy())?;
    let format = match (args.format, args.output) {
        (Some(f), _) => {
            Format::from_extension(f).with_context(|| format!("--format {f:?}: use csv or xlsx"))?
        }
        (None, Some(path)) => Format::from_name(&path.to_string_lossy()).unwrap_or(Format::Csv),
        (None, None) => Format::Csv,
    };
    let bytes = match format {
        Format::Csv => lotrace_sheet::template_csv(kind),
        Format::Xlsx => lotrace_sheet::template_xlsx(kind)
            .map_err(|e| anyhow::anyhow!("cannot write the XLSX template: {e}"))?,
    };
    let output = match (args.output, format) {
        (Some(p), _) => Some(p.to_owned()),
        (None, Format::Xlsx) => Some(PathBuf::from(format!("{kind}.xlsx"))),
        (None, Format::Csv) => None,
    };
    match output {
        Some(path) => {
            std::fs::write(&path, &bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote the {kind} template to {}", path.display());
        }
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(())
}
