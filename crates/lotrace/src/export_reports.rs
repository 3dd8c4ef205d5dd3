//! `lotrace export lot-history` (PDF or XLSX: a lot's attributes, events, trace and mass
//! balance) and `lotrace export inventory` (XLSX, or CSV of one table: stock by lot and
//! location, and what expires soon).

use std::path::PathBuf;

use anyhow::{Result, bail};
use lotrace_store::Location;

use crate::export_fsma::write_whole;

#[derive(clap::Args)]
pub struct LotHistoryArgs {
    /// The lot: PRODUCT:LOT or any identifier of it.
    #[arg(long)]
    lot: String,
    /// pdf or xlsx; default: the output file's extension.
    #[arg(long)]
    format: Option<String>,
    #[arg(long, short)]
    output: PathBuf,
}

#[derive(clap::Args)]
pub struct InventoryArgs {
    /// Lots expiring within this many days go into the expiry table.
    #[arg(long, default_value_t = 14)]
    expiring_within_days: u32,
    /// xlsx or csv; default: the output file's extension.
    #[arg(long)]
    format: Option<String>,
    /// For CSV: inventory (default) or expiring.
    #[arg(long, default_value = "inventory")]
    table: String,
    #[arg(long, short)]
    output: PathBuf,
}

fn format_of(format: &Option<String>, output: &std::path::Path) -> String {
    match format {
        Some(f) => f.clone(),
        None => output
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default(),
    }
}

pub async fn lot_history(
    args: LotHistoryArgs,
    location: &Location,
    company_prefix: &str,
    utc_offset: &str,
) -> Result<()> {
    let format = format_of(&args.format, &args.output);
    if !matches!(format.as_str(), "pdf" | "xlsx") {
        bail!("--format {format:?}: expected pdf or xlsx");
    }
    let app = crate::domain::open_app(location, company_prefix, utc_offset).await?;
    let report = app.lot_history(&args.lot).await?;
    let bytes = match format.as_str() {
        "pdf" => lotrace_report::to_pdf(&report)?,
        _ => lotrace_report::to_xlsx(&report)?,
    };
    write_whole(&args.output, &bytes)?;
    println!("wrote {} ({} bytes)", args.output.display(), bytes.len());
    Ok(())
}

pub async fn inventory(
    args: InventoryArgs,
    location: &Location,
    company_prefix: &str,
    utc_offset: &str,
) -> Result<()> {
    let format = format_of(&args.format, &args.output);
    let table = match args.table.as_str() {
        "inventory" => 0,
        "expiring" => 1,
        other => bail!("--table {other:?}: expected inventory or expiring"),
    };
    if !matches!(format.as_str(), "csv" | "xlsx") {
        bail!("--format {format:?}: expected xlsx or csv");
    }
    let app = crate::domain::open_app(location, company_prefix, utc_offset).await?;
    let report = app.inventory_report(args.expiring_within_days).await?;
    let bytes = match format.as_str() {
        "csv" => lotrace_report::to_csv(&report.tables[table])?,
        _ => lotrace_report::to_xlsx(&report)?,
    };
    write_whole(&args.output, &bytes)?;
    println!("wrote {} ({} bytes)", args.output.display(), bytes.len());
    Ok(())
}
