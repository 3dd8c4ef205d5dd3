//! `lotrace export epcis`: an EPCIS 2.0 document (JSON-LD or XML) of
//! - a query: the parameters of `GET /epcis/events` (`--param NAME=VALUE`, repeatable, and a
//!   few friendly flags that stand for them),
//! - a trace: `--trace ID --forward|--backward`, the events the trace names,
//! - a recall: `--recall R-00001`, the events that name its affected lots.
//!
//! The events come through the server's query code (`lotrace_server::epcis_export`), so the
//! CLI and `GET /api/v1/trace/epcis`, `GET /api/v1/recalls/{id}/epcis` give the same
//! events.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};
use lotrace_server::epcis_export::{self, Format};
use lotrace_server::{Problem, epcis_params};
use lotrace_store::Location;
use lotrace_trace::Direction;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Jsonld,
    Xml,
}

#[derive(clap::Args)]
pub struct Args {
    /// The document's format.
    #[arg(long, value_enum, default_value = "jsonld")]
    format: FormatArg,
    /// Write the document to this file instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
    /// A query parameter of GET /epcis/events, e.g. `--param EQ_bizStep=shipping`
    /// (repeatable; several values separated by `|`).
    #[arg(long, value_name = "NAME=VALUE", conflicts_with_all = ["trace", "recall"])]
    param: Vec<String>,
    /// Only these event types (`eventType`), e.g. ObjectEvent.
    #[arg(long, conflicts_with_all = ["trace", "recall"])]
    event_type: Vec<String>,
    /// Only these business steps (`EQ_bizStep`), e.g. shipping.
    #[arg(long, conflicts_with_all = ["trace", "recall"])]
    biz_step: Vec<String>,
    /// Events at or after this time (`GE_eventTime`), e.g. 2026-03-01T00:00:00Z.
    #[arg(long, conflicts_with_all = ["trace", "recall"])]
    since: Option<String>,
    /// Events before this time (`LT_eventTime`).
    #[arg(long, conflicts_with_all = ["trace", "recall"])]
    until: Option<String>,
    /// Events naming this identifier or EPC pattern in any EPC role (`MATCH_anyEPC`).
    #[arg(long, conflicts_with_all = ["trace", "recall"])]
    epc: Vec<String>,
    /// The events of a trace of this identifier (with --forward or --backward).
    #[arg(long, conflicts_with = "recall")]
    trace: Option<String>,
    /// With --trace: where it went.
    #[arg(long, requires = "trace", conflicts_with = "backward")]
    forward: bool,
    /// With --trace: where it came from.
    #[arg(long, requires = "trace")]
    backward: bool,
    /// The events that name the affected lots of this recall, e.g. R-00001.
    #[arg(long)]
    recall: Option<String>,
    /// Sign the document (Ed25519, `lotrace keys init`): the detached signature goes to
    /// OUTPUT.sig; a partner checks it with `lotrace verify-export`.
    #[arg(long, requires = "output")]
    sign: bool,
    /// The private signing key (default: next to the SQLite database).
    #[arg(long, env = "LOTRACE_KEY_FILE")]
    key_file: Option<PathBuf>,
}

/// The query parameters the flags stand for, `--param` first, as `GET /epcis/events` would
/// receive them.
fn query_pairs(args: &Args) -> Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for p in &args.param {
        let (name, value) = p.split_once('=').ok_or_else(|| {
            anyhow!("--param {p:?}: expected NAME=VALUE, e.g. EQ_bizStep=shipping")
        })?;
        if name.is_empty() {
            bail!("--param {p:?}: the parameter name is empty");
        }
        if name == "perPage" || name == "nextPageToken" {
            bail!("--param {name}: an export holds every matching event; paging does not apply");
        }
        pairs.push((name.to_owned(), value.to_owned()));
    }
    let joined = |values: &[String]| values.join("|");
    if !args.event_type.is_empty() {
        pairs.push(("eventType".into(), joined(&args.event_type)));
    }
    if !args.biz_step.is_empty() {
        pairs.push(("EQ_bizStep".into(), joined(&args.biz_step)));
    }
    if let Some(t) = &args.since {
        pairs.push(("GE_eventTime".into(), t.clone()));
    }
    if let Some(t) = &args.until {
        pairs.push(("LT_eventTime".into(), t.clone()));
    }
    if !args.epc.is_empty() {
        pairs.push(("MATCH_anyEPC".into(), joined(&args.epc)));
    }
    Ok(pairs)
}

fn problem(p: Problem) -> anyhow::Error {
    anyhow!("{}", p.detail)
}

pub async fn run(
    args: Args,
    location: &Location,
    company_prefix: &str,
    utc_offset: &str,
) -> Result<()> {
    if args.trace.is_some() && !args.forward && !args.backward {
        bail!("--trace needs a direction: --forward or --backward");
    }
    // Check the query before opening anything: a bad parameter changes nothing.
    let query = if args.trace.is_none() && args.recall.is_none() {
        let raw = epcis_params::from_pairs(query_pairs(&args)?);
        Some(epcis_params::parse(&raw).map_err(|e| anyhow!("{e}"))?)
    } else {
        None
    };
    let key = crate::keys_cmd::key_if(args.sign, args.key_file.as_deref(), location)?;
    let app = crate::domain::open_app(location, company_prefix, utc_offset).await?;
    let events = match (&args.trace, &args.recall, query) {
        (Some(id), _, _) => {
            let direction = if args.forward {
                Direction::Forward
            } else {
                Direction::Backward
            };
            epcis_export::trace_events(&app, id, direction)
                .await
                .map_err(problem)?
        }
        (None, Some(id), _) => epcis_export::recall_events(&app, id)
            .await
            .map_err(problem)?,
        (None, None, Some(q)) => epcis_export::query_events(app.store(), &q)
            .await
            .map_err(problem)?
            .into_iter()
            .map(|s| s.event)
            .collect(),
        (None, None, None) => unreachable!("a query is parsed when there is no trace or recall"),
    };
    let format = match args.format {
        FormatArg::Jsonld => Format::JsonLd,
        FormatArg::Xml => Format::Xml,
    };
    let text = epcis_export::document(&events, format);
    match &args.output {
        Some(path) => {
            let signature = crate::keys_cmd::write_export(path, text.as_bytes(), key.as_ref())?;
            eprintln!("wrote {} events to {}", events.len(), path.display());
            if let Some(sig) = signature {
                eprintln!("signed it in {}", sig.display());
            }
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(())
}
