//! CLI commands over the application service: operations, master data, lots and stock.

use anyhow::{Context, Result, bail};
use lotrace_app::{App, AppConfig, MasterKind};
use lotrace_core::Qty;
use lotrace_core::ops::Operation;
use lotrace_epcis::TzOffset;
use lotrace_store::{Location, Store};
use serde_json::Value;

pub fn config(company_prefix: &str, utc_offset: &str) -> Result<AppConfig> {
    let offset = TzOffset::parse(utc_offset).map_err(|e| anyhow::anyhow!("--utc-offset: {e}"))?;
    Ok(AppConfig {
        company_prefix: company_prefix.to_owned(),
        offset,
        ..AppConfig::default()
    })
}

pub async fn open_app(location: &Location, company_prefix: &str, utc_offset: &str) -> Result<App> {
    let store = Store::open(location)
        .await
        .with_context(|| format!("cannot open the database {location}"))?;
    Ok(App::open(store, config(company_prefix, utc_offset)?).await?)
}

pub fn operator() -> String {
    std::env::var("LOTRACE_OPERATOR")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "cli".into())
}

fn print(value: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// `--certificate-file PATH`: keeps the file as a document and cites it as `--certificate`.
async fn upload_certificate(app: &App, mut args: Vec<String>) -> Result<Vec<String>> {
    let Some(at) = args.iter().position(|a| a == "--certificate-file") else {
        return Ok(args);
    };
    let path = args
        .get(at + 1)
        .cloned()
        .context("--certificate-file needs a file")?;
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {path}"))?;
    let name = std::path::Path::new(&path)
        .file_name()
        .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
    let media_type = match name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
    {
        Some(ext) if ext == "pdf" => "application/pdf",
        Some(ext) if ext == "png" => "image/png",
        Some(ext) if ext == "jpg" || ext == "jpeg" => "image/jpeg",
        Some(ext) if ext == "txt" => "text/plain",
        Some(ext) if ext == "csv" => "text/csv",
        _ => "application/octet-stream",
    };
    let document = lotrace_store::Document::new(bytes, media_type, &name)
        .map_err(|e| anyhow::anyhow!("--certificate-file {path}: {e}"))?;
    let stored = app.store().put_document(&document).await?;
    args.splice(at..at + 2, ["--certificate".to_owned(), stored.uri]);
    Ok(args)
}

/// `lotrace OPERATION --field value ...` or `lotrace product|location|party ACTION ...`.
pub async fn run_words(app: &App, words: &[String]) -> Result<()> {
    let Some((command, rest)) = words.split_first() else {
        bail!("no command given; see lotrace --help");
    };
    let as_json = rest.iter().any(|w| w == "--json-output");
    let rest: Vec<String> = rest
        .iter()
        .filter(|w| *w != "--json-output")
        .cloned()
        .collect();
    if Operation::NAMES.contains(&command.as_str()) {
        let rest = upload_certificate(app, rest).await?;
        let body = crate::args::body(&rest)?;
        let operation =
            Operation::from_json(command, body).map_err(|e| anyhow::anyhow!("{command}: {e}"))?;
        let outcome = app
            .run(&operation, command, &operator())
            .await
            .map_err(|e| anyhow::anyhow!("{command} refused, nothing was written: {e}"))?;
        if as_json {
            return print(&outcome);
        }
        println!("{command}: {} event(s) recorded", outcome.event_ids.len());
        for lot in &outcome.assigned_lots {
            println!("  new lot number: {lot}");
        }
        if let Some(sscc) = &outcome.sscc {
            println!("  logistic unit: {sscc}");
        }
        for lot in &outcome.lots {
            println!("  lot: {lot}");
        }
        return Ok(());
    }
    let Some(kind) = MasterKind::parse(command) else {
        bail!(
            "unknown command {command:?}; operations are {} and master data is product, location, party",
            Operation::NAMES.join(", ")
        );
    };
    let Some((action, args)) = rest.split_first() else {
        bail!("{command}: give an action: add, update, show, list, activate, deactivate");
    };
    let result = match action.as_str() {
        "add" => app.create(kind, crate::args::body(args)?).await,
        "list" => {
            let records = app.list(kind).await?;
            if args.iter().any(|a| a == "--json") {
                return print(&records);
            }
            for r in records {
                let active = if r["active"] == Value::Bool(false) {
                    " (deactivated)"
                } else {
                    ""
                };
                println!(
                    "{:<20} {}{active}",
                    r["code"].as_str().unwrap_or(""),
                    r["name"].as_str().unwrap_or("")
                );
            }
            return Ok(());
        }
        "show" | "update" | "activate" | "deactivate" => {
            let Some((code, more)) = args.split_first() else {
                bail!("{command} {action}: give the code");
            };
            match action.as_str() {
                "show" => app.get(kind, code).await,
                "update" => {
                    let mut body = app.get(kind, code).await?;
                    let changes = crate::args::body(more)?;
                    if let (Value::Object(b), Value::Object(c)) = (&mut body, changes) {
                        b.extend(c);
                    }
                    app.update(kind, code, body).await
                }
                "activate" => app.set_active(kind, code, true).await,
                _ => app.set_active(kind, code, false).await,
            }
        }
        other => bail!(
            "{command}: unknown action {other:?}; use add, update, show, list, activate, deactivate"
        ),
    };
    let record = result.map_err(|e| anyhow::anyhow!("{command} {action}: {e}"))?;
    print(&record)
}

pub async fn show_lot(app: &App, product_or_id: &str, lot: Option<&str>, json: bool) -> Result<()> {
    let catalog = app.catalog().await;
    let id = match lot {
        Some(lot) => catalog
            .product("product", product_or_id)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .lot_uri(lot),
        None => product_or_id.to_owned(),
    };
    let state = app
        .lot(&id)
        .await?
        .with_context(|| format!("no lot {id} is known"))?;
    if json {
        return print(&state);
    }
    println!("lot {}", state.id);
    println!("  unit {}", state.uom.as_deref().unwrap_or("-"));
    println!(
        "  status {:?}{}",
        state.hold,
        state
            .hold_reason
            .map(|r| format!(" ({r})"))
            .unwrap_or_default()
    );
    if let Some(e) = state.expiry {
        println!("  expiry {e}");
    }
    println!(
        "  received {} produced {} returned {} shipped {} consumed {} scrapped {} adjusted {}",
        state.received,
        state.produced,
        state.returned,
        state.shipped,
        state.consumed,
        state.scrapped,
        state.adjusted
    );
    for (loc, q) in &state.on_hand {
        let code = catalog
            .location_by_uri(loc)
            .map(|l| l.code.as_str())
            .unwrap_or(loc);
        println!("  on hand {q} at {code}");
    }
    Ok(())
}

pub async fn show_inventory(
    app: &App,
    product: Option<&str>,
    location: Option<&str>,
    json: bool,
) -> Result<()> {
    let catalog = app.catalog().await;
    let prefix = product
        .map(|p| catalog.product("product", p).map(|p| p.lot_uri("")))
        .transpose()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let at = location
        .map(|l| catalog.location("location", l).map(|l| l.uri()))
        .transpose()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let lots = app
        .lots(|l| prefix.as_ref().is_none_or(|p| l.id.starts_with(p.as_str())))
        .await?;
    let mut rows = Vec::new();
    for lot in &lots {
        for (loc, q) in &lot.on_hand {
            if at.as_ref().is_some_and(|a| a != loc) || q.is_zero() {
                continue;
            }
            let code = catalog
                .location_by_uri(loc)
                .map(|l| l.code.clone())
                .unwrap_or_else(|| loc.clone());
            rows.push(serde_json::json!({
                "lot": lot.id, "location": code, "quantity": q, "uom": lot.uom,
                "status": lot.hold, "expiry": lot.expiry,
            }));
        }
    }
    if json {
        return print(&rows);
    }
    for r in rows {
        println!(
            "{:<60} {:<12} {:>12} {}",
            r["lot"].as_str().unwrap_or(""),
            r["location"].as_str().unwrap_or(""),
            r["quantity"],
            r["uom"].as_str().unwrap_or("")
        );
    }
    Ok(())
}

pub async fn show_picks(
    app: &App,
    product: &str,
    quantity: &str,
    location: Option<&str>,
    json: bool,
) -> Result<()> {
    let quantity = Qty::parse(quantity).map_err(|e| anyhow::anyhow!("--quantity: {e}"))?;
    let picks = app.picks(product, quantity, location).await?;
    if json {
        return print(&picks);
    }
    let total: Qty = picks.iter().map(|p| p.quantity).sum();
    for p in &picks {
        let expiry = p
            .expiry
            .map(|e| e.to_string())
            .unwrap_or_else(|| "-".into());
        println!(
            "{} from {} (expires {expiry}): {}",
            p.lot, p.location, p.quantity
        );
    }
    if total < quantity {
        println!("only {total} of {quantity} is available");
    }
    Ok(())
}
