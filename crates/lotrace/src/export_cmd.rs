//! `lotrace export KIND ...`: documents for partners, auditors and regulators. Each kind
//! lives in its own module; this one only dispatches.

use anyhow::Result;
use clap::Subcommand;
use lotrace_store::Location;

use crate::{export_epcis, export_fsma, export_reports};

#[derive(Subcommand)]
pub enum ExportCommand {
    /// An EPCIS 2.0 document (JSON-LD or XML) of a query, a trace or a recall.
    Epcis(export_epcis::Args),
    /// The FDA FSMA 204 electronic sortable spreadsheet (XLSX or CSV).
    Fsma204(export_fsma::Args),
    /// A lot's history as PDF or XLSX: attributes, events, trace and mass balance.
    LotHistory(export_reports::LotHistoryArgs),
    /// Stock by lot and location with expiry, and what expires soon (XLSX or CSV).
    Inventory(export_reports::InventoryArgs),
}

pub async fn run(
    command: ExportCommand,
    location: &Location,
    company_prefix: &str,
    utc_offset: &str,
) -> Result<()> {
    match command {
        ExportCommand::Epcis(args) => {
            export_epcis::run(args, location, company_prefix, utc_offset).await
        }
        ExportCommand::Fsma204(args) => {
            export_fsma::run(args, location, company_prefix, utc_offset).await
        }
        ExportCommand::LotHistory(args) => {
            export_reports::lot_history(args, location, company_prefix, utc_offset).await
        }
        ExportCommand::Inventory(args) => {
            export_reports::inventory(args, location, company_prefix, utc_offset).await
        }
    }
}
