//! `lotrace recall ...` and `lotrace drill ...`: the recall workflow on the command line,
//! through the same application service as `/api/v1/recalls` and `/api/v1/drills`.

use std::fmt::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use lotrace_app::{App, DrillRecord, DrillRequest, Notification, RecallRequest, RecallView};
use lotrace_recall::{LotRef, Scope, export};
use serde_json::{Value, json};

use crate::domain::operator;

/// Where a recall or drill starts: exactly one of lots, a supplier lot, a production window
/// or a container.
#[derive(Args, Debug)]
pub struct ScopeArgs {
    /// A lot: PRODUCT:LOT (our codes) or any identifier (EPC URN, Digital Link). Repeatable.
    #[arg(long = "lot")]
    lots: Vec<String>,
    /// A supplier's lot code (with --supplier and --product to narrow it).
    #[arg(long)]
    supplier_lot: Option<String>,
    #[arg(long)]
    supplier: Option<String>,
    /// With --supplier-lot or --location: only lots of this product.
    #[arg(long)]
    product: Option<String>,
    /// Everything made at this location (a line, or a site and all in it) from --from to --to.
    #[arg(long)]
    location: Option<String>,
    /// Start of the production window (RFC 3339, inclusive).
    #[arg(long)]
    from: Option<String>,
    /// End of the production window (RFC 3339, exclusive).
    #[arg(long)]
    to: Option<String>,
    /// A container (SSCC, any spelling): every lot it ever held.
    #[arg(long)]
    container: Option<String>,
    /// Also the lots made from the same inputs as the origins.
    #[arg(long)]
    widen: bool,
}

impl ScopeArgs {
    fn scope(&self) -> Result<Scope> {
        let chosen = [
            !self.lots.is_empty(),
            self.supplier_lot.is_some(),
            self.location.is_some(),
            self.container.is_some(),
        ]
        .iter()
        .filter(|c| **c)
        .count();
        if chosen != 1 {
            bail!(
                "give exactly one of --lot, --supplier-lot, --location (with --from, --to) or --container"
            );
        }
        if !self.lots.is_empty() {
            let lots = self.lots.iter().map(|l| LotRef::parse(l)).collect();
            return Ok(Scope::Lots { lots });
        }
        if let Some(code) = &self.supplier_lot {
            return Ok(Scope::SupplierLot {
                supplier_lot: code.clone(),
                supplier: self.supplier.clone(),
                product: self.product.clone(),
            });
        }
        if let Some(location) = &self.location {
            let time = |flag: &str, value: &Option<String>| -> Result<jiff::Timestamp> {
                let text = value
                    .as_deref()
                    .with_context(|| format!("--location needs --{flag}"))?;
                text.parse()
                    .with_context(|| format!("--{flag} {text:?}: expected an RFC 3339 time"))
            };
            return Ok(Scope::Production {
                location: location.clone(),
                from: time("from", &self.from)?,
                to: time("to", &self.to)?,
                product: self.product.clone(),
            });
        }
        Ok(Scope::Container {
            sscc: self.container.clone().unwrap_or_default(),
        })
    }
}

#[derive(Subcommand, Debug)]
pub enum RecallCommand {
    /// Start a recall and print its impact.
    Start {
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long)]
        reason: String,
        /// The disposition the hold writes: recalled (default) or non_sellable_other.
        #[arg(long, default_value = "recalled")]
        disposition: String,
        #[arg(long)]
        json: bool,
    },
    /// Every recall, newest first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// A recall and its impact as of now.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Put every affected on-hand quantity at our locations on hold, in one step.
    Hold {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Record that a customer was told.
    Notify {
        id: String,
        #[arg(long)]
        customer: String,
        /// email, phone, letter, edi, in_person, other.
        #[arg(long)]
        channel: String,
        #[arg(long)]
        contact: Option<String>,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Receive a customer's return of affected stock against the recall.
    Return {
        id: String,
        #[arg(long)]
        customer: String,
        #[arg(long)]
        location: String,
        #[arg(long)]
        product: String,
        #[arg(long)]
        lot: String,
        #[arg(long)]
        quantity: String,
        #[arg(long)]
        rma: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Close the recall with a summary.
    Close {
        id: String,
        #[arg(long)]
        summary: String,
        #[arg(long)]
        json: bool,
    },
    /// Write the impact as CSV (one table), XLSX (every table) or a printable PDF report.
    Export {
        id: String,
        /// csv, xlsx or pdf.
        #[arg(long)]
        format: String,
        /// For CSV: lots (default), customers, balance, one_up_one_down.
        #[arg(long, default_value = "lots")]
        table: String,
        #[arg(long, short)]
        output: PathBuf,
        /// Sign the export (Ed25519, `lotrace keys init`): the detached signature goes to
        /// OUTPUT.sig; a partner checks it with `lotrace verify-export`.
        #[arg(long)]
        sign: bool,
        /// The private signing key (default: next to the SQLite database).
        #[arg(long, env = "LOTRACE_KEY_FILE")]
        key_file: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum DrillCommand {
    /// Run a mock recall: the full impact and mass balance, timed, holding nothing.
    Run {
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The drill history, newest first.
    List {
        #[arg(long)]
        json: bool,
    },
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

fn print_json(value: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// `location` is the store's, for the default place of the signing key.
pub async fn recall(
    app: &App,
    command: RecallCommand,
    location: &lotrace_store::Location,
) -> Result<()> {
    let actor = operator();
    match command {
        RecallCommand::Start {
            scope,
            reason,
            disposition,
            json,
        } => {
            let request = RecallRequest {
                scope: scope.scope()?,
                reason,
                widen_to_siblings: scope.widen,
                hold_disposition: disposition,
            };
            let view = app.start_recall(request, &actor).await?;
            show(&view, json)
        }
        RecallCommand::List { json } => {
            let recalls = app.recalls().await?;
            if json {
                return print_json(&recalls);
            }
            if recalls.is_empty() {
                println!("no recalls");
            }
            for r in recalls {
                println!(
                    "{}  {:<6}  {}  {}  ({})",
                    r.id,
                    r.status.as_str(),
                    r.opened_at,
                    r.reason,
                    r.scope_text
                );
            }
            Ok(())
        }
        RecallCommand::Show { id, json } => show(&app.recall(&id).await?, json),
        RecallCommand::Hold { id, json } => {
            let outcome = app.recall_hold(&id, &actor).await?;
            if json {
                return print_json(&outcome);
            }
            let held = outcome["held"].as_array().map_or(0, Vec::len);
            if held == 0 {
                println!("{id}: nothing left to hold");
            } else {
                println!(
                    "{id}: held {held} lot line(s) in {} event(s)",
                    outcome["events"].as_array().map_or(0, Vec::len)
                );
                for line in outcome["held"].as_array().into_iter().flatten() {
                    println!(
                        "  {} {} at {}",
                        line["quantity"],
                        line["uom"].as_str().unwrap_or(""),
                        line["location"].as_str().unwrap_or("")
                    );
                }
            }
            for line in outcome["not_ours"].as_array().into_iter().flatten() {
                println!(
                    "  not ours, notify: {} of {} at {}",
                    line["quantity"],
                    line["lot"].as_str().unwrap_or(""),
                    line["location"].as_str().unwrap_or("")
                );
            }
            Ok(())
        }
        RecallCommand::Notify {
            id,
            customer,
            channel,
            contact,
            note,
            json,
        } => {
            let n = Notification::from_json(json!({
                "customer": customer, "channel": channel, "contact": contact, "note": note,
            }))?;
            let entry = app.recall_notify(&id, n, &actor).await?;
            if json {
                return print_json(&entry);
            }
            println!("{id}: notification of {customer} by {channel} recorded");
            Ok(())
        }
        RecallCommand::Return {
            id,
            customer,
            location,
            product,
            lot,
            quantity,
            rma,
            json,
        } => {
            let quantity: Value = serde_json::from_str(&quantity)
                .with_context(|| format!("--quantity {quantity:?}: expected a number"))?;
            let mut body = json!({ "customer": customer, "location": location, "product": product,
                                   "lot": lot, "quantity": quantity });
            if let Some(r) = rma {
                body["rma"] = json!(r);
            }
            let entry = app.recall_return(&id, body, &actor).await?;
            if json {
                return print_json(&entry);
            }
            println!("{id}: return of {quantity} of {product} lot {lot} from {customer} recorded");
            Ok(())
        }
        RecallCommand::Close { id, summary, json } => {
            let view = app.recall_close(&id, &summary, &actor).await?;
            if json {
                return print_json(&view);
            }
            println!("{id} closed");
            let c = &view.recall.closed;
            if let Some(list) = c
                .as_ref()
                .and_then(|c| c.body["customers_not_notified"].as_array())
                && !list.is_empty()
            {
                println!(
                    "  customers never notified: {}",
                    list.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            Ok(())
        }
        RecallCommand::Export {
            id,
            format,
            table,
            output,
            sign,
            key_file,
        } => {
            let key = crate::keys_cmd::key_if(sign, key_file.as_deref(), location)?;
            let view = app.recall(&id).await?;
            let bytes = match format.as_str() {
                "csv" => {
                    let Some(t) = export::table(&view.impact, &table) else {
                        bail!(
                            "--table {table:?}: expected one of {}",
                            export::TABLES.join(", ")
                        );
                    };
                    lotrace_report::to_csv(&t)?
                }
                "xlsx" => lotrace_report::to_xlsx(&view.report())?,
                "pdf" => lotrace_report::to_pdf(&view.report())?,
                other => bail!("--format {other:?}: expected csv, xlsx or pdf"),
            };
            let signature = crate::keys_cmd::write_export(&output, &bytes, key.as_ref())?;
            println!("{id}: wrote {} ({} bytes)", output.display(), bytes.len());
            if let Some(sig) = signature {
                println!("{id}: signed it in {}", sig.display());
            }
            Ok(())
        }
    }
}

fn show(view: &RecallView, json: bool) -> Result<()> {
    if json {
        return print_json(view);
    }
    print!("{}", render(view));
    Ok(())
}

/// The recall as text: header, totals, lots, customers, balances that do not close.
fn render(view: &RecallView) -> String {
    let r = &view.recall;
    let i = &view.impact;
    let mut out = String::new();
    let status = r.status.as_str();
    let _ = writeln!(out, "{} ({status}): {}", r.id, r.reason);
    let _ = writeln!(
        out,
        "  scope: {}; opened {} by {}",
        r.scope_text, r.opened_at, r.opened_by
    );
    let _ = writeln!(
        out,
        "  {} holds, {} notifications, {} returns",
        r.holds.len(),
        r.notifications.len(),
        r.returns.len()
    );
    for t in &i.totals {
        let _ = writeln!(
            out,
            "  {} lots in {}: on hand {}, in transit {}, shipped {}, consumed {}, scrapped {}, returned {}; {:.1} % accounted for",
            t.lots,
            t.uom,
            t.on_hand,
            t.in_transit,
            t.shipped,
            t.consumed,
            t.scrapped,
            t.returned,
            t.accounted_share * 100.0
        );
    }
    let _ = writeln!(out, "lots:");
    for lot in &i.lots {
        let label = match (&lot.product, &lot.lot) {
            (Some(p), Some(l)) => format!("{p} {l}"),
            _ => lot.id.clone(),
        };
        let places: Vec<String> = lot
            .on_hand
            .iter()
            .map(|p| {
                format!(
                    "{} {}",
                    p.quantity,
                    p.name.as_deref().unwrap_or(&p.location)
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "  {label:<24} {:<10} {:<10} on hand {}{}",
            lot.relation.as_str(),
            lot.status,
            lot.on_hand_total(),
            if places.is_empty() {
                String::new()
            } else {
                format!(" ({})", places.join(", "))
            }
        );
    }
    let _ = writeln!(out, "customers:");
    if i.customers.is_empty() {
        let _ = writeln!(out, "  none: nothing affected was shipped");
    }
    for c in &i.customers {
        let name = c.name.as_deref().unwrap_or("");
        let totals: Vec<String> = c.totals.iter().map(|(u, q)| format!("{q} {u}")).collect();
        let _ = writeln!(
            out,
            "  {} {name}: {} shipment(s), {}",
            c.code.as_deref().unwrap_or(&c.id),
            c.lines.len(),
            totals.join(", ")
        );
    }
    if !i.lots_not_closing.is_empty() {
        let _ = writeln!(out, "mass balance does not close:");
        for lot in i.lots.iter().filter(|l| !l.balance.closes) {
            for issue in &lot.balance.issues {
                let _ = writeln!(
                    out,
                    "  {}: {} (events {})",
                    lot.id,
                    issue.message,
                    issue.events.join(", ")
                );
            }
        }
    }
    out
}

pub async fn drill(app: &App, command: DrillCommand) -> Result<()> {
    match command {
        DrillCommand::Run { scope, note, json } => {
            let request = DrillRequest {
                scope: scope.scope()?,
                widen_to_siblings: scope.widen,
                note,
            };
            let drill = app.run_drill(request, &operator()).await?;
            if json {
                return print_json(&drill);
            }
            print_drill(&drill);
            Ok(())
        }
        DrillCommand::List { json } => {
            let drills = app.drills().await?;
            if json {
                return print_json(&drills);
            }
            if drills.is_empty() {
                println!("no drills");
            }
            for d in &drills {
                print_drill(d);
            }
            Ok(())
        }
        DrillCommand::Show { id, json } => {
            let drill = app.drill(&id).await?;
            if json {
                return print_json(&drill);
            }
            print_drill(&drill);
            Ok(())
        }
    }
}

fn print_drill(d: &DrillRecord) {
    println!(
        "{} by {} at {}: {} -> {} lots, {} customers, full impact in {:.3} ms, {:.1} % accounted for{}",
        d.id,
        d.run_by,
        d.run_at,
        d.scope_text,
        d.lots,
        d.customers,
        d.duration_ms,
        d.accounted_share * 100.0,
        if d.lots_not_closing.is_empty() {
            String::new()
        } else {
            format!("; {} lot(s) do not balance", d.lots_not_closing.len())
        }
    );
}
