//! `lotrace bom ...`, `lotrace order ...`, `lotrace batch-record` and `lotrace where-used`:
//! bills of materials, production orders, batch records and where-used on the command line,
//! through the same application service as `/api/v1/boms`, `/orders`, `/batch-record` and
//! `/where-used`. A production against an order is `lotrace produce --order ID ...`.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use lotrace_app::App;
use lotrace_bom::Role;
use lotrace_core::Qty;
use serde_json::Value;

use crate::domain::operator;

/// The largest BOM file read, in bytes.
const MAX_BOM_FILE_BYTES: u64 = 1024 * 1024;

#[derive(Subcommand, Debug)]
pub enum BomCommand {
    /// Add a BOM (version 1), or its next version (the body names `previous_version`).
    Add {
        /// A JSON file with the BOM (code, product, components, ...).
        #[arg(long, conflicts_with = "body")]
        file: Option<PathBuf>,
        /// The BOM as JSON on the command line.
        #[arg(long = "json-body")]
        body: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// One BOM: the latest version, or --version N.
    Show {
        code: String,
        #[arg(long)]
        version: Option<u64>,
        #[arg(long)]
        json: bool,
    },
    /// The latest version of every BOM.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum OrderCommand {
    /// Create a production order: --id ID --product P --bom CODE [--bom-version N]
    /// --quantity Q --location L [--line L3] [--planned-start T] [--planned-end T] [--note N]
    /// [--json-output].
    Create {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        fields: Vec<String>,
    },
    /// One order with what has been produced against it.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    List {
        #[arg(long)]
        json: bool,
    },
    /// Change the status: released, closed or cancelled.
    Status {
        id: String,
        status: String,
        #[arg(long)]
        json: bool,
    },
    /// The input lots FEFO proposes for an output quantity.
    Propose {
        id: String,
        #[arg(long)]
        quantity: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct BatchRecordArgs {
    /// The produced lot: PRODUCT:LOT or any identifier of it.
    lot: String,
    /// Print the record as JSON.
    #[arg(long)]
    json: bool,
    /// Write the record as a PDF to this file.
    #[arg(long)]
    pdf: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct WhereUsedArgs {
    /// A component product code.
    #[arg(
        required_unless_present = "supplier_lot",
        conflicts_with = "supplier_lot"
    )]
    product: Option<String>,
    /// A supplier's lot code, as recorded at receipt.
    #[arg(long)]
    supplier_lot: Option<String>,
    #[arg(long)]
    json: bool,
}

fn print_json(value: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn bom_text(b: &lotrace_bom::Bom) -> String {
    let mut out = format!(
        "{} makes {} (per 1 {}), created {} by {}\n",
        b.label(),
        b.product,
        b.output_uom,
        b.created_at.strftime("%Y-%m-%d %H:%M"),
        b.created_by
    );
    for c in &b.components {
        out.push_str(&format!(
            "  {} {} {}{}{}{}\n",
            c.product,
            c.quantity_per_unit,
            c.uom.as_deref().unwrap_or(""),
            if c.lot_tracked { ", lot-tracked" } else { "" },
            if c.scrap_allowance_percent.is_zero() {
                String::new()
            } else {
                format!(", allowance {}%", c.scrap_allowance_percent)
            },
            if c.substitutes.is_empty() {
                String::new()
            } else {
                format!(
                    ", or {}",
                    c.substitutes
                        .iter()
                        .map(|s| match s.quantity_per_unit {
                            Some(q) => format!("{} ({q})", s.product),
                            None => s.product.clone(),
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ));
    }
    out
}

pub async fn bom(app: &App, command: BomCommand) -> Result<()> {
    match command {
        BomCommand::Add { file, body, json } => {
            let text = match (file, body) {
                (Some(path), None) => {
                    let size = std::fs::metadata(&path)
                        .with_context(|| format!("cannot read {}", path.display()))?
                        .len();
                    if size > MAX_BOM_FILE_BYTES {
                        bail!(
                            "{}: {size} bytes exceed the limit of {MAX_BOM_FILE_BYTES}",
                            path.display()
                        );
                    }
                    std::fs::read_to_string(&path)
                        .with_context(|| format!("cannot read {}", path.display()))?
                }
                (None, Some(b)) => b,
                _ => bail!("give the BOM with --file FILE or --json-body JSON"),
            };
            let body: Value = serde_json::from_str(&text).context("the BOM is not valid JSON")?;
            let bom = app.create_bom(body, &operator()).await?;
            if json {
                print_json(&bom)
            } else {
                print!("added {}", bom_text(&bom));
                Ok(())
            }
        }
        BomCommand::Show {
            code,
            version,
            json,
        } => {
            let bom = app.bom(&code, version).await?;
            if json {
                print_json(&bom)
            } else {
                print!("{}", bom_text(&bom));
                Ok(())
            }
        }
        BomCommand::List { json } => {
            let boms = app.boms().await?;
            if json {
                return print_json(&boms);
            }
            if boms.is_empty() {
                println!("no BOM yet");
            }
            for b in boms {
                println!(
                    "{}\tv{}\t{}\t{} components",
                    b.code,
                    b.version,
                    b.product,
                    b.components.len()
                );
            }
            Ok(())
        }
    }
}

pub async fn order(app: &App, command: OrderCommand) -> Result<()> {
    match command {
        OrderCommand::Create { fields } => {
            let json = fields.iter().any(|f| f == "--json-output");
            let fields: Vec<String> = fields
                .into_iter()
                .filter(|f| f != "--json-output")
                .collect();
            let mut body = crate::args::body(&fields)?;
            // `--bom-version 2` arrives as text; the order takes a number.
            if let Some(Value::String(v)) = body.get("bom_version") {
                let n: u64 = v
                    .parse()
                    .with_context(|| format!("--bom-version: {v:?} is not a version number"))?;
                body["bom_version"] = Value::from(n);
            }
            let order = app.create_order(body, &operator()).await?;
            if json {
                print_json(&order)
            } else {
                println!(
                    "order {} created: {} {} of {} by BOM {} v{} at {}",
                    order.id,
                    order.quantity,
                    order.uom,
                    order.product,
                    order.bom,
                    order.bom_version,
                    order.location
                );
                Ok(())
            }
        }
        OrderCommand::Show { id, json } => {
            let view = app.order(&id).await?;
            if json {
                return print_json(&view);
            }
            let o = &view.order;
            println!(
                "order {}: {} {} {} by BOM {} v{} at {}, {}; produced {} {}",
                o.id,
                o.quantity,
                o.uom,
                o.product,
                o.bom,
                o.bom_version,
                o.location,
                view.effective_status,
                view.produced,
                o.uom
            );
            for p in &view.productions {
                println!(
                    "  {}\t{}\t{}\t{}",
                    p.time,
                    p.lot,
                    p.quantity.map(|q| q.to_string()).unwrap_or_default(),
                    p.event_id
                );
            }
            Ok(())
        }
        OrderCommand::List { json } => {
            let orders = app.orders().await?;
            if json {
                return print_json(&orders);
            }
            if orders.is_empty() {
                println!("no production order yet");
            }
            for o in orders {
                println!(
                    "{}\t{}\t{} {}\t{} v{}\t{}",
                    o.id,
                    o.product,
                    o.quantity,
                    o.uom,
                    o.bom,
                    o.bom_version,
                    o.status.as_str()
                );
            }
            Ok(())
        }
        OrderCommand::Status { id, status, json } => {
            let order = app.set_order_status(&id, &status).await?;
            if json {
                print_json(&order)
            } else {
                println!("order {} is {}", order.id, order.status.as_str());
                Ok(())
            }
        }
        OrderCommand::Propose { id, quantity, json } => {
            let quantity = Qty::parse(&quantity).map_err(|e| anyhow::anyhow!("--quantity: {e}"))?;
            let proposal = app.order_proposal(&id, quantity).await?;
            if json {
                return print_json(&proposal);
            }
            for l in &proposal.lines {
                println!(
                    "--input {}:{}:{}@{}\t(for {})",
                    l.product, l.lot, l.quantity, l.location, l.component
                );
            }
            for (component, missing) in &proposal.short {
                println!("short: {component} by {missing}");
            }
            Ok(())
        }
    }
}

/// `PRODUCT:LOT` (our codes) or any identifier, to the lot's id.
async fn lot_id(app: &App, text: &str) -> String {
    let catalog = app.catalog().await;
    match text.split_once(':') {
        Some((product, lot)) if catalog.products.contains_key(product) => {
            catalog.products[product].lot_uri(lot)
        }
        _ => text.to_owned(),
    }
}

pub async fn batch_record(app: &App, args: BatchRecordArgs) -> Result<()> {
    let id = lot_id(app, &args.lot).await;
    let record = app.batch_record(&id).await?;
    if let Some(path) = &args.pdf {
        let bytes = lotrace_report::to_pdf(&record.report())?;
        std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        if !args.json {
            eprintln!("wrote {}", path.display());
        }
    }
    if args.json {
        return print_json(&record);
    }
    if args.pdf.is_some() {
        return Ok(());
    }
    println!(
        "batch record of {} ({} {}, {})",
        record.lot_id,
        record.produced,
        record.uom.as_deref().unwrap_or(""),
        record.status
    );
    if let Some(o) = &record.order {
        println!("order {} ({} {} planned)", o.id, o.quantity, o.uom);
    }
    if let Some(b) = &record.bom {
        println!("{}", b.label());
    }
    for run in &record.runs {
        println!(
            "run {} {} .. {} by {} on {}",
            run.event_id,
            run.start.as_deref().unwrap_or("?"),
            run.end,
            run.operator.as_deref().unwrap_or("?"),
            run.equipment.as_deref().unwrap_or("-")
        );
        for i in &run.inputs {
            let role = match (&i.component, i.role) {
                (Some(c), Some(Role::Substitute)) => format!("substitute for {c}"),
                (Some(c), _) => c.clone(),
                (None, _) => "not in BOM".into(),
            };
            println!(
                "  input {}: {} {} {} ({role}){}",
                i.input,
                i.lot_id,
                i.quantity.map(|q| q.to_string()).unwrap_or_default(),
                i.uom.as_deref().unwrap_or(""),
                i.override_reason
                    .as_ref()
                    .map(|r| format!(" override: {r}"))
                    .unwrap_or_default()
            );
        }
        for v in run.figures.iter().flat_map(|f| &f.variance) {
            println!(
                "  {}: expected {} consumed {} {} (variance {}, {}%)",
                v.component,
                v.expected,
                v.consumed.map(|q| q.to_string()).unwrap_or("-".into()),
                v.uom,
                v.variance.map(|q| q.to_string()).unwrap_or("-".into()),
                v.variance_percent
                    .map(|p| p.to_string())
                    .unwrap_or("-".into())
            );
        }
        if let Some(y) = run
            .figures
            .as_ref()
            .and_then(|f| f.yield_figures.yield_percent)
        {
            println!("  yield {y}%");
        }
    }
    for q in &record.qc {
        println!(
            "QC {} {} {}",
            q.time,
            q.result.as_deref().unwrap_or("?"),
            q.event_id
        );
    }
    for d in &record.deviations {
        println!(
            "deviation ({}): {}{}",
            d.kind,
            d.detail,
            d.reason
                .as_ref()
                .map(|r| format!(", reason: {r}"))
                .unwrap_or_default()
        );
    }
    Ok(())
}

pub async fn where_used(app: &App, args: WhereUsedArgs) -> Result<()> {
    let w = app
        .where_used(args.product.as_deref(), args.supplier_lot.as_deref())
        .await?;
    if args.json {
        return print_json(&w);
    }
    for b in &w.boms {
        let role = match b.role {
            Role::Component => "component".to_owned(),
            Role::Substitute => format!("substitute for {}", b.component),
        };
        println!(
            "BOM {} v{} ({}): {role}, {} per unit",
            b.bom, b.version, b.product, b.quantity_per_unit
        );
    }
    for p in &w.productions {
        println!(
            "production {} {}: {} {} {} into {}{}",
            p.time,
            p.event_id,
            p.input_lot,
            p.quantity.map(|q| q.to_string()).unwrap_or_default(),
            p.uom.as_deref().unwrap_or(""),
            p.outputs.join(", "),
            match (&p.order, &p.bom, p.bom_version) {
                (Some(o), Some(b), Some(v)) => format!(" (order {o}, BOM {b} v{v})"),
                _ => String::new(),
            }
        );
    }
    if w.boms.is_empty() && w.productions.is_empty() {
        println!("not used in any BOM or production");
    }
    Ok(())
}
