//! `lotrace epcis hash FILE [--prehash]`: the CBV 2.0 event hash ID of each event of an
//! EPCIS document (JSON-LD or XML, told apart by content), one a line in document order;
//! with `--prehash`, the canonical pre-hash strings instead. FILE `-` reads standard input.
//! The document is validated as a capture would be; a rejected one prints the errors and
//! exits non-zero.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use lotrace_epcis::{Limits, hash, looks_like_xml, parse_document, parse_xml_document};

#[derive(clap::Args, Debug)]
pub struct EpcisArgs {
    #[command(subcommand)]
    command: EpcisCommand,
}

#[derive(clap::Subcommand, Debug)]
enum EpcisCommand {
    /// Print the CBV 2.0 event hash ID (ni:///sha-256;…?ver=CBV2.0) of each event of a
    /// JSON-LD or XML document, one per line in document order.
    Hash {
        /// The EPCIS document; `-` reads standard input.
        file: PathBuf,
        /// Print the canonical pre-hash strings instead of the hash IDs.
        #[arg(long)]
        prehash: bool,
    },
}

pub fn run(args: &EpcisArgs) -> Result<ExitCode> {
    match &args.command {
        EpcisCommand::Hash { file, prehash } => {
            let bytes = read(file)?;
            let limits = Limits::default();
            let parsed = if looks_like_xml(&bytes) {
                parse_xml_document(&bytes, &limits)
            } else {
                parse_document(&bytes, &limits)
            };
            let document = parsed.with_context(|| format!("{} is rejected", file.display()))?;
            let lines = if *prehash {
                hash::document_prehashes(&document)
            } else {
                hash::document_hash_ids(&document)
            };
            let mut out = std::io::stdout().lock();
            for line in lines {
                writeln!(out, "{line}").context("writing to standard output")?;
            }
            out.flush().context("writing to standard output")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn read(file: &PathBuf) -> Result<Vec<u8>> {
    if file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("reading standard input")?;
        return Ok(bytes);
    }
    std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))
}
