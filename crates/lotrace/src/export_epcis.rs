//! Placeholder until this export is built; it refuses rather than pretending.

use anyhow::{Result, bail};
use lotrace_store::Location;

#[derive(clap::Args)]
pub struct Args {}

pub async fn run(
    _args: Args,
    _location: &Location,
    _company_prefix: &str,
    _utc_offset: &str,
) -> Result<()> {
    bail!("this export is not built yet")
}
