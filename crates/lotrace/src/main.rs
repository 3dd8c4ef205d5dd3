//! `lotrace`: the command-line program. A thin layer: parse arguments, call the crates, print.

// A capture allocates and frees a few dozen small strings an event (identifiers, bound
// parameters, the body): in profiles with the system allocator, malloc and free were about a
// quarter of an import's time. The store's capture benchmark has always run on mimalloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod args;
mod bench;
mod bench_exports;
mod bench_load;
mod bench_pages;
mod bom_cmd;
mod demo;
mod domain;
mod epcis_cmd;
mod export_cmd;
mod export_epcis;
mod export_fsma;
mod export_reports;
mod keys_cmd;
mod label_cmd;
mod recall_cmd;
mod scan_cmd;
mod sheet_cmd;
mod store_cmd;
mod trace_cmd;
mod user_cmd;
mod verify_cmd;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use lotrace_store::{Location, Store};
use serde_json::json;

#[derive(Parser)]
#[command(
    name = "lotrace",
    version,
    about = "Lot tracking and traceability on GS1 EPCIS 2.0",
    after_help = "Operations: lotrace receive|produce|move|pack|unpack|ship|return|adjust|scrap|\
hold|release|inspect --field value ... [--json-output]\n\
Master data: lotrace product|location|party add|update|show|list|activate|deactivate ...\n\
See the README for the fields of each."
)]
struct Cli {
    /// The database: a SQLite file path (or sqlite:PATH).
    #[arg(long, global = true, env = "LOTRACE_DB", default_value = "lotrace.db")]
    db: String,
    /// Log filter, e.g. info or lotrace_server=debug.
    #[arg(long, global = true, env = "LOTRACE_LOG", default_value = "info")]
    log: String,
    /// GS1 company prefix for the SSCCs this site allocates.
    #[arg(
        long,
        global = true,
        env = "LOTRACE_COMPANY_PREFIX",
        default_value = "4012345"
    )]
    company_prefix: String,
    /// The site's offset from UTC (+hh:mm), for event times and lot-number dates.
    #[arg(
        long,
        global = true,
        env = "LOTRACE_UTC_OFFSET",
        default_value = "+00:00",
        allow_hyphen_values = true
    )]
    utc_offset: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (EPCIS 2.0 capture and query, REST API).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "LOTRACE_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Load the demo supply chain first (skipped if already loaded).
        #[arg(long)]
        demo: bool,
        /// Largest request body accepted, in bytes.
        #[arg(long, env = "LOTRACE_MAX_BODY_BYTES", default_value_t = 64 * 1024 * 1024)]
        max_body_bytes: usize,
        /// Connections open at once; one more is answered 503 and closed.
        #[arg(long, env = "LOTRACE_MAX_CONNECTIONS", default_value_t = 1_024,
              value_parser = clap::value_parser!(u32).range(1..=65_536))]
        max_connections: u32,
        /// Longest a request may take, in milliseconds, before it is answered 503.
        #[arg(long, env = "LOTRACE_REQUEST_TIMEOUT_MS", default_value_t = 60_000,
              value_parser = clap::value_parser!(u64).range(100..=3_600_000))]
        request_timeout_ms: u64,
        /// The signing key whose public half /.well-known/lotrace/signing-key serves
        /// (default: next to the SQLite database; none served if there is no key).
        #[arg(long, env = "LOTRACE_KEY_FILE")]
        key_file: Option<PathBuf>,
    },
    /// Walk the hash chain of the event log; name the first event that does not match.
    /// Exit code 1 when the chain is broken.
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// The site's Ed25519 signing key for signed exports: `keys init`, `keys public`.
    #[command(subcommand)]
    Keys(keys_cmd::KeysCommand),
    /// Check a signed export against its detached signature and the signer's public key.
    /// Exit code 1 when it does not verify.
    VerifyExport {
        file: PathBuf,
        /// The detached signature (JSON), e.g. FILE.sig.
        #[arg(long)]
        signature: PathBuf,
        /// The public key: a file with the JWK served at /.well-known/lotrace/signing-key,
        /// or the key itself in base64url.
        #[arg(long)]
        public_key: String,
    },
    /// Import EPCIS documents (2.0 JSON-LD, 2.0 or 1.2 XML). All files are validated before
    /// any is stored; a document's namespace prefixes stay with the events that use them.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
        /// Spreadsheets (.csv, .xlsx): what the rows are (products, locations, parties,
        /// receipts, productions, shipments); default: from the sheet name or header row.
        /// `lotrace import template KIND --format csv|xlsx [--output F]` writes a template.
        #[arg(long)]
        kind: Option<String>,
        /// `import template`: csv (default) or xlsx.
        #[arg(long)]
        format: Option<String>,
        /// `import template`: the file to write.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Load a small demo supply chain (farms, a processor, a DC, stores).
    Demo {
        #[arg(long)]
        json: bool,
    },
    /// Copy a whole store into a new, empty one (SQLite or PostgreSQL, either way), verified
    /// by counts and a digest of the log before it is reported done.
    MigrateStore {
        /// The store to copy: a SQLite path (or sqlite:PATH) or a postgres:// URL.
        #[arg(long)]
        from: String,
        /// The empty store to copy into.
        #[arg(long)]
        to: String,
        #[arg(long)]
        json: bool,
    },
    /// An online, consistent backup of the SQLite store (--db) into a new file, verified.
    Backup {
        /// The backup file to write; it must not exist.
        dest: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Show one lot: status, quantities, where it is.
    Lot {
        /// Product code (with LOT), or any identifier of the lot (EPC URN, Digital Link).
        product_or_id: String,
        lot: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Stock by lot and location.
    Inventory {
        #[arg(long)]
        product: Option<String>,
        #[arg(long)]
        location: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Pick suggestions by FEFO (or FIFO, per product), skipping held and expired lots.
    Picks {
        #[arg(long)]
        product: String,
        #[arg(long)]
        quantity: String,
        #[arg(long)]
        location: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Where a lot, instance or container went (--forward) or came from (--backward).
    #[command(group = clap::ArgGroup::new("direction").required(true).args(["forward", "backward"]))]
    Trace {
        /// Any identifier of it: EPC URN, GS1 Digital Link (any domain).
        id: String,
        /// Everything made from it, what held it, where it was shipped, where it is now.
        #[arg(long)]
        forward: bool,
        /// Everything it was made from, recursively, and where each was received from.
        #[arg(long)]
        backward: bool,
        /// Print the JSON that GET /api/v1/trace answers.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        export: trace_cmd::ExportArgs,
    },
    /// Benchmark the trace engine on a synthetic supply chain, each size in a fresh SQLite
    /// store in a temporary directory (--db is not used): import rate, trace latency, index
    /// memory, disk, and a recursive SQL baseline. `--pages` times the web UI; `--load` runs
    /// concurrent clients against a server (fresh SQLite, or `--db postgres://...`).
    Bench(bench::Options),
    /// Read scanned or typed GS1 data and validate it fully. Exit code 1 when invalid.
    Scan {
        /// The data; `-` reads stdin; `{GS}` stands for FNC1.
        input: String,
        #[arg(long)]
        json: bool,
    },
    /// Recalls: start (from lots, a supplier lot, a production window or a container), show
    /// the impact, hold all affected stock, notify, record returns, export, close.
    #[command(subcommand)]
    Recall(recall_cmd::RecallCommand),
    /// Mock-recall drills: the full impact and mass balance, timed, holding nothing.
    #[command(subcommand)]
    Drill(recall_cmd::DrillCommand),
    /// Exports: `export epcis` (JSON-LD or XML of a query, trace or recall), `export fsma204`.
    #[command(subcommand)]
    Export(export_cmd::ExportCommand),
    /// Bills of materials (recipes), versioned: `bom add|show|list`.
    #[command(subcommand)]
    Bom(bom_cmd::BomCommand),
    /// Production orders: `order create|show|list|status|propose`.
    #[command(subcommand)]
    Order(bom_cmd::OrderCommand),
    /// The electronic batch record of a produced lot (text, --json, --pdf FILE).
    BatchRecord(bom_cmd::BatchRecordArgs),
    /// Every BOM and production that used a component product or a supplier lot.
    WhereUsed(bom_cmd::WhereUsedArgs),
    /// Make a GS1 label file (SVG, PNG, PDF, ZPL); with --sscc a pallet label.
    Label(Box<label_cmd::LabelArgs>),
    /// EPCIS tools: `lotrace epcis hash FILE [--prehash]` prints the CBV 2.0 event hash ID
    /// of each event of a JSON-LD or XML document.
    Epcis(epcis_cmd::EpcisArgs),
    /// Users of the web UI and API: `user add NAME --role R` (password from
    /// LOTRACE_PASSWORD or stdin), `user list`, `user disable NAME`, `user enable NAME`.
    #[command(subcommand)]
    User(user_cmd::UserCommand),
    /// API tokens: `token create --name N --scope read|capture|admin [--partner PARTY]`
    /// (prints the secret once), `token list`, `token revoke ID|NAME`.
    #[command(subcommand)]
    Token(user_cmd::TokenCommand),
    /// The audit trail of writes: who, role, request, status, when [--from --to --user]
    /// [--json | --csv].
    Audit(user_cmd::AuditArgs),
    /// Operations and master data: `lotrace receive --product P ...`, `lotrace product add ...`.
    /// Operations: receive, produce, move, pack, unpack, ship, return, adjust, scrap, hold,
    /// release, inspect. Master data: product, location, party (add, update, show, list,
    /// activate, deactivate). Fields are given as --field value (see README).
    #[command(external_subcommand)]
    Other(Vec<String>),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&cli.log)
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    // Neither needs the database or the runtime; scan answers "invalid" with exit code 1.
    match &cli.command {
        Command::Scan { input, json } => {
            return exit(Location::parse(&cli.db).map_err(Into::into).and_then(|db| {
                let config = domain::config(&cli.company_prefix, &cli.utc_offset)?;
                scan_cmd::scan(input, *json, &db, config)
            }));
        }
        Command::Label(args) => return exit(label_cmd::label(args).map(|()| ExitCode::SUCCESS)),
        Command::Epcis(args) => return exit(epcis_cmd::run(args)),
        Command::VerifyExport {
            file,
            signature,
            public_key,
        } => {
            return exit(
                keys_cmd::verify_cmd(file, signature, public_key).map(|()| ExitCode::SUCCESS),
            );
        }
        _ => {}
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn exit(result: Result<ExitCode>) -> ExitCode {
    result.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        ExitCode::FAILURE
    })
}

async fn run(cli: Cli) -> Result<()> {
    let location = Location::parse(&cli.db)?;
    match cli.command {
        Command::Serve {
            addr,
            demo,
            max_body_bytes,
            max_connections,
            request_timeout_ms,
            key_file,
        } => {
            let store = open(&location).await?;
            user_cmd::first_run(&store).await?;
            let config = domain::config(&cli.company_prefix, &cli.utc_offset)?;
            let app = lotrace_app::App::open(store.clone(), config).await?;
            if demo {
                let summary = demo::load(&app).await?;
                eprintln!("{summary}");
            }
            let limits = lotrace_server::Limits {
                max_body_bytes,
                max_connections: max_connections as usize,
                request_timeout_ms,
                ..Default::default()
            };
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            let local = listener.local_addr()?;
            if let Some(why) = lotrace_server::auth::refuse_to_start(&store, local).await? {
                anyhow::bail!(why);
            }
            eprintln!("lotrace is serving {location} on http://{local}/ (Ctrl-C to stop)");
            let mut state = lotrace_server::AppState::new(app, limits);
            let key_path = keys_cmd::key_path(key_file.as_deref(), &location);
            if key_file.is_some() || key_path.exists() {
                let key = keys_cmd::load(&key_path)?;
                state.signing_key = Some(keys_cmd::public_jwk(&key.verifying_key()).into());
            }
            lotrace_server::serve(listener, state, shutdown_signal()).await?;
            store.close().await;
            eprintln!("lotrace stopped");
            Ok(())
        }
        Command::Import {
            files,
            json,
            kind,
            format,
            output,
        } if sheet_cmd::wants(&files) => {
            let args = sheet_cmd::SheetArgs {
                kind: kind.as_deref(),
                format: format.as_deref(),
                output: output.as_deref(),
                json,
            };
            sheet_cmd::run(
                &location,
                &cli.company_prefix,
                &cli.utc_offset,
                &files,
                args,
            )
            .await
        }
        Command::Import { files, json, .. } => import(&location, &files, json).await,
        Command::Lot {
            product_or_id,
            lot,
            json,
        } => {
            let app = domain::open_app(&location, &cli.company_prefix, &cli.utc_offset).await?;
            domain::show_lot(&app, &product_or_id, lot.as_deref(), json).await
        }
        Command::Inventory {
            product,
            location: at,
            json,
        } => {
            let app = domain::open_app(&location, &cli.company_prefix, &cli.utc_offset).await?;
            domain::show_inventory(&app, product.as_deref(), at.as_deref(), json).await
        }
        Command::Picks {
            product,
            quantity,
            location: at,
            json,
        } => {
            let app = domain::open_app(&location, &cli.company_prefix, &cli.utc_offset).await?;
            domain::show_picks(&app, &product, &quantity, at.as_deref(), json).await
        }
        Command::Scan { .. }
        | Command::Label(_)
        | Command::Epcis(_)
        | Command::VerifyExport { .. } => {
            unreachable!("handled in main")
        }
        Command::Verify { json } => verify_cmd::run(&location, json).await,
        Command::Keys(command) => keys_cmd::run(command, &location),
        Command::MigrateStore { from, to, json } => {
            let (from, to) = (Location::parse(&from)?, Location::parse(&to)?);
            store_cmd::migrate_store(&from, &to, json).await
        }
        Command::Backup { dest, json } => store_cmd::backup(&location, &dest, json).await,
        Command::Recall(command) => {
            let app = domain::open_app(&location, &cli.company_prefix, &cli.utc_offset).await?;
            recall_cmd::recall(&app, command, &location).await
        }
        Command::Drill(command) => {
            let app = domain::open_app(&location, &cli.company_prefix, &cli.utc_offset).await?;
            recall_cmd::drill(&app, command).await
        }
        Command::Trace {
            id,
            forward,
            backward: _,
            json,
            export,
        } => {
            let direction = if forward {
                lotrace_trace::Direction::Forward
            } else {
                lotrace_trace::Direction::Backward
            };
            let app = domain::open_app(&location, &cli.company_prefix, &cli.utc_offset).await?;
            trace_cmd::run(&app, &id, direction, json, &export, &location).await
        }
        Command::Export(command) => {
            export_cmd::run(command, &location, &cli.company_prefix, &cli.utc_offset).await
        }
        Command::Bom(command) => {
            let app = domain::open_app(&location, &cli.company_prefix, &cli.utc_offset).await?;
            bom_cmd::bom(&app, command).await
        }
        Command::Order(command) => {
            let app = domain::open_app(&location, &cli.company_prefix, &cli.utc_offset).await?;
            bom_cmd::order(&app, command).await
        }
        Command::BatchRecord(args) => {
            let app = domain::open_app(&location, &cli.company_prefix, &cli.utc_offset).await?;
            bom_cmd::batch_record(&app, args).await
        }
        Command::WhereUsed(args) => {
            let app = domain::open_app(&location, &cli.company_prefix, &cli.utc_offset).await?;
            bom_cmd::where_used(&app, args).await
        }
        Command::User(command) => user_cmd::user(&location, command).await,
        Command::Token(command) => user_cmd::token(&location, command).await,
        Command::Audit(args) => user_cmd::audit(&location, args).await,
        Command::Bench(options) => bench::run(options, &cli.db).await,
        Command::Other(words) => {
            let app = domain::open_app(&location, &cli.company_prefix, &cli.utc_offset).await?;
            domain::run_words(&app, &words).await
        }
        Command::Demo { json } => {
            let app = domain::open_app(&location, &cli.company_prefix, &cli.utc_offset).await?;
            let summary = demo::load(&app).await?;
            if json {
                println!("{}", json!({ "message": summary }));
            } else {
                println!("{summary}");
            }
            app.store().close().await;
            Ok(())
        }
    }
}

async fn open(location: &Location) -> Result<Store> {
    Store::open(location)
        .await
        .with_context(|| format!("cannot open the database {location}"))
}

async fn import(location: &Location, files: &[PathBuf], as_json: bool) -> Result<()> {
    let limits = lotrace_epcis::Limits {
        max_events: lotrace_store::MAX_EVENTS_PER_CAPTURE,
    };
    let progress = ProgressBar::new(files.len() as u64).with_style(
        ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} files")
            .expect("the template is valid")
            .progress_chars("=> "),
    );
    // Validate everything first: an invalid file anywhere means nothing is stored.
    let mut documents = Vec::with_capacity(files.len());
    for file in files {
        progress.set_message(format!("reading {}", file.display()));
        let bytes =
            std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        let document =
            lotrace_server::epcis_export::read_document(&bytes, &limits).map_err(|e| {
                progress.abandon();
                anyhow::anyhow!(
                    "{}: invalid EPCIS document, nothing was imported: {e}",
                    file.display()
                )
            })?;
        documents.push(document);
        progress.inc(1);
    }
    progress.set_position(0);
    let store = open(location).await?;
    let mut totals = (0u64, 0u64, 0u64);
    let mut per_file = Vec::new();
    for (file, document) in files.iter().zip(documents) {
        progress.set_message(format!("storing {}", file.display()));
        let source = format!("import:{}", file.display());
        let receipt = store.capture(document.events, &source).await?;
        let job = &receipt.job;
        totals.0 += job.events_read;
        totals.1 += job.events_stored;
        totals.2 += job.events_already_present;
        per_file.push(json!({
            "file": file.display().to_string(),
            "captureID": job.id,
            "eventsRead": job.events_read,
            "eventsStored": job.events_stored,
            "eventsAlreadyPresent": job.events_already_present,
        }));
        progress.inc(1);
    }
    progress.finish_and_clear();
    store.close().await;
    if as_json {
        let summary = json!({
            "files": per_file,
            "eventsRead": totals.0,
            "eventsStored": totals.1,
            "eventsAlreadyPresent": totals.2,
        });
        println!("{summary}");
    } else {
        println!(
            "imported {} file(s): {} events read, {} stored, {} already present",
            files.len(),
            totals.0,
            totals.1,
            totals.2
        );
    }
    Ok(())
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
