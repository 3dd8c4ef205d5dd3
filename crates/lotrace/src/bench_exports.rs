//! `lotrace bench --exports`: how long the compliance and report exports take on a large
//! store, end to end (the application's query and the file's bytes), as issue 11 asks for
//! "within seconds".
//!
//! For each size N (`--events`), in a fresh SQLite store in a temporary directory:
//! 1. capture N events of the synthetic supply chain (`lotrace_trace::synth`, the trace
//!    benchmark's), and declare the first supplier's two raw products as master data on the
//!    Food Traceability List, so an export by product has a product to name;
//! 2. open the application on the store (the log replayed into the views, as a server
//!    starts), timed apart;
//! 3. run each export [`RUNS`] times one after another and keep the median: the FSMA 204
//!    spreadsheet by product over the whole simulated year (XLSX and CSV) and for the first
//!    supplier lot traced through its whole chain (XLSX); that lot's history (XLSX, PDF);
//!    the inventory and expiry report (XLSX, CSV). Each row says how many rows and bytes the
//!    file has; a refused export (a limit) prints its reason instead. A first row times
//!    reading the whole log alone (its rows: events); the FSMA 204 export gathers its events
//!    through the identifier index instead, and one row times the traced export reading the
//!    whole log, after checking that both give the same rows.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use lotrace_app::{App, AppConfig, Fsma204Request, MasterKind};
use lotrace_epcis::{Event, EventType};
use lotrace_store::{Location, Store};
use lotrace_trace::synth::{Config, Generator};
use serde::Serialize;

/// Runs of each export; the median is reported.
pub const RUNS: usize = 3;
/// The largest store this benchmark builds (the import alone takes minutes per million).
pub const MAX_EXPORT_EVENTS: u64 = 2_000_000;
/// Events per capture while building the store.
const CAPTURE_BATCH: usize = 10_000;

#[derive(Clone, Debug, Serialize)]
pub struct ExportTiming {
    pub export: String,
    /// Data rows of the file (every table of a workbook or PDF).
    pub rows: usize,
    pub bytes: usize,
    pub median_seconds: f64,
    pub max_seconds: f64,
    /// Why the export was refused, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SizeTimings {
    pub events: u64,
    pub import_seconds: f64,
    /// Opening the application: the log replayed into the trace index and inventory.
    pub open_seconds: f64,
    pub lots: usize,
    pub exports: Vec<ExportTiming>,
}

pub async fn run(sizes: &[u64], seed: u64, dir: Option<&Path>, json: bool) -> Result<()> {
    if let Some(&n) = sizes
        .iter()
        .find(|&&n| !(1_000..=MAX_EXPORT_EVENTS).contains(&n))
    {
        bail!(
            "--events: {n} is outside 1000..={MAX_EXPORT_EVENTS} for --exports \
             (e.g. --exports --events 100000,1000000)"
        );
    }
    let parent = dir.map_or_else(std::env::temp_dir, Path::to_path_buf);
    let mut out = Vec::with_capacity(sizes.len());
    for &events in sizes {
        let tmp = tempfile::Builder::new()
            .prefix("lotrace-bench-exports-")
            .tempdir_in(&parent)
            .with_context(|| {
                format!("cannot make a temporary directory in {}", parent.display())
            })?;
        out.push(one_size(events, seed, &tmp.path().join("exports.db")).await?);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    for size in &out {
        println!(
            "== {} events: imported in {:.1} s; application opened (log replayed) in {:.1} s; {} lots",
            size.events, size.import_seconds, size.open_seconds, size.lots
        );
        println!(
            "{:<52} {:>9} {:>12} {:>11} {:>11}",
            "export", "rows", "bytes", "median ms", "max ms"
        );
        for e in &size.exports {
            match &e.refused {
                Some(why) => println!("{:<52} refused: {why}", e.export),
                None => println!(
                    "{:<52} {:>9} {:>12} {:>11.1} {:>11.1}",
                    e.export,
                    e.rows,
                    e.bytes,
                    e.median_seconds * 1e3,
                    e.max_seconds * 1e3
                ),
            }
        }
    }
    println!(
        "({} cores; median of {RUNS} runs each, from the application call to the file's bytes)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    Ok(())
}

/// The GTIN of a lot URI of the generator (`https://id.gs1.org/01/{gtin}/10/{lot}`).
fn gtin_of(lot: &str) -> Option<&str> {
    lot.strip_prefix("https://id.gs1.org/01/")?.get(..14)
}

async fn one_size(events: u64, seed: u64, db: &Path) -> Result<SizeTimings> {
    let config = Config::for_events(events, seed);
    eprintln!("== {events} events: importing into {}", db.display());
    let location = Location::parse(db.to_str().context("the temporary path is not UTF-8")?)?;
    let store = Store::open(&location).await?;
    let mut generator = Generator::new(config.clone());
    let mut first_supplier_lot: Option<String> = None;
    let started = Instant::now();
    let mut done = 0u64;
    while done < events {
        let batch: Vec<Event> = generator.by_ref().take(CAPTURE_BATCH).collect();
        if batch.is_empty() {
            break;
        }
        if first_supplier_lot.is_none() {
            first_supplier_lot = batch
                .iter()
                .filter(|e| e.event_type == EventType::ObjectEvent)
                .flat_map(|e| e.quantity_list.iter().flatten())
                .map(|q| q.epc_class.clone())
                .find(|id| config.is_supplier_lot(id));
        }
        done += batch.len() as u64;
        store.capture(batch, "bench-exports").await?;
    }
    let import_seconds = started.elapsed().as_secs_f64();
    let lot = first_supplier_lot.context("the synthetic chain commissioned no supplier lot")?;
    let gtin = gtin_of(&lot).context("a supplier lot has a GTIN")?;

    let started = Instant::now();
    let app = App::open(store.clone(), AppConfig::default()).await?;
    let open_seconds = started.elapsed().as_secs_f64();
    // The supplier's two raw products (items 0 and 1 share the company prefix).
    let items = [gtin.to_owned(), sibling_gtin(gtin)];
    for (i, g) in items.iter().enumerate() {
        app.create(
            MasterKind::Product,
            serde_json::json!({ "code": format!("RAW-{i}"), "name": format!("Synthetic raw product {i}"),
                                "uom": "KGM", "gtin": g, "food_traceability_list": true }),
        )
        .await
        .with_context(|| format!("declaring product {g}"))?;
    }
    let lots = app.lots(|_| true).await?.len();
    // RAW-0 is the supplier lot's own product.
    let product = "RAW-0";
    let year = |d: &str| d.parse::<jiff::civil::Date>().expect("a date");
    let by_product = Fsma204Request {
        product: Some(product.to_owned()),
        from: Some(year("2026-01-01")),
        to: Some(year("2027-12-31")),
        ..Fsma204Request::default()
    };
    let traced = Fsma204Request {
        lots: vec![lot.clone()],
        trace: true,
        ..Fsma204Request::default()
    };

    // References the export closures copy into each run's future.
    let (app, lot, by_product, traced) = (&app, lot.as_str(), &by_product, &traced);
    let mut exports = Vec::new();
    // What the FSMA 204 export does first on every request: read and decode the whole log.
    let store_ref = &store;
    exports.push(
        time("read the whole log (no export)", || async move {
            let mut events = 0usize;
            store_ref
                .for_each_event_by_time(|_| {
                    events += 1;
                    Ok(())
                })
                .await?;
            Ok((events, 0))
        })
        .await,
    );
    exports.push(
        time(
            &format!("fsma204 xlsx, product {product}, 2026-2027"),
            || async move {
                let e = app.fsma204(by_product).await?;
                let bytes = lotrace_report::to_xlsx(&e.report())?;
                Ok((e.sheet.rows.len(), bytes.len()))
            },
        )
        .await,
    );
    exports.push(
        time(
            &format!("fsma204 csv, product {product}, 2026-2027"),
            || async move {
                let e = app.fsma204(by_product).await?;
                let bytes = lotrace_report::to_csv(&e.table())?;
                Ok((e.sheet.rows.len(), bytes.len()))
            },
        )
        .await,
    );
    exports.push(
        time(
            "fsma204 xlsx, one supplier lot, whole chain",
            || async move {
                let e = app.fsma204(traced).await?;
                let bytes = lotrace_report::to_xlsx(&e.report())?;
                Ok((e.sheet.rows.len(), bytes.len()))
            },
        )
        .await,
    );
    // The same records from a read of the whole log (what the export did before it
    // gathered through the identifier index, and still does past its limits): the rows
    // must be the same.
    let whole_traced = &Fsma204Request {
        whole_log: true,
        ..traced.clone()
    };
    let (gathered, whole) = (app.fsma204(traced).await?, app.fsma204(whole_traced).await?);
    if gathered.sheet != whole.sheet {
        bail!("the gathered FSMA 204 rows differ from the whole log's for {lot}");
    }
    eprintln!(
        "   fsma204 of {lot}'s chain: {} events gathered, {} in the whole read",
        gathered.events_read, whole.events_read
    );
    exports.push(
        time(
            "fsma204 xlsx, the same chain, reading the whole log",
            || async move {
                let e = app.fsma204(whole_traced).await?;
                let bytes = lotrace_report::to_xlsx(&e.report())?;
                Ok((e.sheet.rows.len(), bytes.len()))
            },
        )
        .await,
    );
    for format in ["xlsx", "pdf"] {
        exports.push(
            time(
                &format!("lot history {format}, that supplier lot"),
                || async move {
                    let report = app.lot_history(lot).await?;
                    let bytes = match format {
                        "xlsx" => lotrace_report::to_xlsx(&report)?,
                        _ => lotrace_report::to_pdf(&report)?,
                    };
                    Ok((
                        report.tables.iter().map(|t| t.rows.len()).sum(),
                        bytes.len(),
                    ))
                },
            )
            .await,
        );
    }
    for format in ["xlsx", "csv"] {
        exports.push(
            time(&format!("inventory and expiry {format}"), || async move {
                let report = app.inventory_report(14).await?;
                let (rows, bytes) = match format {
                    "xlsx" => (
                        report.tables.iter().map(|t| t.rows.len()).sum(),
                        lotrace_report::to_xlsx(&report)?,
                    ),
                    _ => (
                        report.tables[0].rows.len(),
                        lotrace_report::to_csv(&report.tables[0])?,
                    ),
                };
                Ok((rows, bytes.len()))
            })
            .await,
        );
    }
    store.close().await;
    Ok(SizeTimings {
        events: done,
        import_seconds,
        open_seconds,
        lots,
        exports,
    })
}

/// Item 1's GTIN beside item 0's (or item 0's beside item 1's): same company prefix.
fn sibling_gtin(gtin: &str) -> String {
    let body = &gtin[..13];
    let item: u32 = body[8..13].parse().unwrap_or(0);
    let other = format!("{}{:05}", &body[..8], if item == 0 { 1 } else { 0 });
    let check = lotrace_trace::synth::check_digit(&other);
    format!("{other}{check}")
}

/// Runs an export [`RUNS`] times; the median and the slowest run, or why it was refused.
async fn time<F, Fut>(name: &str, export: F) -> ExportTiming
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<(usize, usize)>>,
{
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut last = (0, 0);
    for _ in 0..RUNS {
        let started = Instant::now();
        match export().await {
            Ok(sizes) => last = sizes,
            Err(e) => {
                return ExportTiming {
                    export: name.to_owned(),
                    rows: 0,
                    bytes: 0,
                    median_seconds: 0.0,
                    max_seconds: 0.0,
                    refused: Some(format!("{e:#}")),
                };
            }
        }
        times.push(started.elapsed());
    }
    times.sort_unstable();
    eprintln!(
        "   {name}: {} rows, {:.3} s",
        last.0,
        times[RUNS / 2].as_secs_f64()
    );
    ExportTiming {
        export: name.to_owned(),
        rows: last.0,
        bytes: last.1,
        median_seconds: times[RUNS / 2].as_secs_f64(),
        max_seconds: times[RUNS - 1].as_secs_f64(),
        refused: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sibling_product_shares_the_company_prefix() {
        let g0 = lotrace_trace::synth::gtin(0, 0);
        let g1 = lotrace_trace::synth::gtin(0, 1);
        assert_eq!(sibling_gtin(&g0), g1);
        assert_eq!(sibling_gtin(&g1), g0);
        let lot = lotrace_trace::synth::lot_uri(0, 1, "A7");
        assert_eq!(gtin_of(&lot), Some(g1.as_str()));
    }
}
