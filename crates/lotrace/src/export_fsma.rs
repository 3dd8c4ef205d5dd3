//! `lotrace export fsma204`: the FDA FSMA 204 electronic sortable spreadsheet (XLSX with a
//! summary and a glossary, or CSV) of lots (`--lot`, `--trace` for their whole chain) or of
//! a product over dates (`--product P --from D --to D`).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use jiff::civil::Date;
use lotrace_app::Fsma204Request;
use lotrace_store::Location;

#[derive(clap::Args)]
pub struct Args {
    /// A lot: PRODUCT:LOT or any identifier of it (repeatable).
    #[arg(long = "lot")]
    lots: Vec<String>,
    /// Follow the lots forward and backward through the trace: the records of their whole chain.
    #[arg(long)]
    trace: bool,
    /// A product on the Food Traceability List (with --from and --to).
    #[arg(long)]
    product: Option<String>,
    /// First date (YYYY-MM-DD, inclusive) of the events.
    #[arg(long)]
    from: Option<Date>,
    /// Last date (YYYY-MM-DD, inclusive).
    #[arg(long)]
    to: Option<Date>,
    /// xlsx or csv; default: the output file's extension.
    #[arg(long)]
    format: Option<String>,
    #[arg(long, short)]
    output: PathBuf,
    /// Print what was written as JSON.
    #[arg(long)]
    json: bool,
}

pub async fn run(
    args: Args,
    location: &Location,
    company_prefix: &str,
    utc_offset: &str,
) -> Result<()> {
    let format = match args.format.as_deref() {
        Some(f) => f.to_owned(),
        None => args
            .output
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default(),
    };
    if !matches!(format.as_str(), "xlsx" | "csv") {
        bail!("--format {format:?}: expected xlsx or csv");
    }
    let app = crate::domain::open_app(location, company_prefix, utc_offset).await?;
    let request = Fsma204Request {
        lots: args.lots,
        trace: args.trace,
        product: args.product,
        from: args.from,
        to: args.to,
        whole_log: false,
    };
    let export = app.fsma204(&request).await?;
    let bytes = match format.as_str() {
        "xlsx" => lotrace_report::to_xlsx(&export.report())?,
        _ => lotrace_report::to_csv(&export.table())?,
    };
    write_whole(&args.output, &bytes)?;
    let rows = export.sheet.rows.len();
    let incomplete = export.sheet.incomplete_rows();
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "output": args.output,
                "format": format,
                "bytes": bytes.len(),
                "rows": rows,
                "rows_missing_kdes": incomplete,
            })
        );
    } else {
        println!(
            "wrote {} ({} bytes): {rows} critical tracking events, {incomplete} with missing KDEs",
            args.output.display(),
            bytes.len()
        );
    }
    Ok(())
}

/// Writes the file whole or not at all: a temporary file beside it, renamed over it.
pub fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    file.write_all(bytes)
        .and_then(|_| file.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
