//! `lotrace bench`: the trace engine at 10^5, 10^6 and 10^7 events, end to end.
//!
//! For each size N, in a fresh SQLite store in a temporary directory:
//! 1. generate N events of the synthetic supply chain (`lotrace_trace::synth`) and capture
//!    them through `Store::capture`, a batch at a time (import rate: events / capture time;
//!    generation is timed apart);
//! 2. close the store and measure its files (disk bytes per event);
//! 3. rebuild the trace index from the log, as a server does at start (read, decode, index);
//!    its heap per edge (object–event link);
//! 4. trace random lots (any tier, both directions) and random raw supplier lots (forward,
//!    the widest traces), each trace timed on its own: p50, p99, max;
//! 5. answer a sample of the same traces with the recursive SQL baseline
//!    (`Store::trace_baseline_sql`, after `prepare_trace_baseline` gave it its indexes), time
//!    the index on exactly those traces, and compare the lot sets.
//!
//! `--index-only` generates straight into the index (steps 3 and 4 alone): at 10^7 events
//! the import takes over an hour on two cores, the index a few minutes.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use lotrace_epcis::Event;
use lotrace_store::{Location, Store};
use lotrace_trace::synth::{self, Config, Generator, Rng};
use lotrace_trace::{Direction, IndexStats, Limits, TraceIndex};
use serde::Serialize;

/// Bounds on what one run may ask for.
const MAX_SIZES: usize = 8;
const MAX_EVENTS: u64 = 100_000_000;
const MAX_TRACES: usize = 100_000;
const MAX_SQL_TRACES: usize = 10_000;
/// Events per message from the store reader to the index builder.
const BUILD_CHUNK: usize = 2_000;

#[derive(Clone, Debug, clap::Args)]
pub struct Options {
    /// Sizes to run, in events, comma-separated (underscores allowed).
    #[arg(long = "events", value_name = "EVENTS", value_delimiter = ',', value_parser = parse_count, default_value = "100000,1000000,10000000")]
    pub sizes: Vec<u64>,
    /// Events per capture.
    #[arg(long, default_value_t = 10_000)]
    pub batch: usize,
    /// Random lots traced per row (any lot forward, any lot backward, supplier lot forward).
    #[arg(long, default_value_t = 2_000)]
    pub traces: usize,
    /// Of those, how many the recursive SQL baseline answers too.
    #[arg(long, default_value_t = 200)]
    pub sql_traces: usize,
    /// Seed of the synthetic supply chain and of the sampled lots.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Directory for the temporary stores (default: the system's temporary directory).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Keep the stores instead of removing them (their paths are printed).
    #[arg(long)]
    pub keep: bool,
    /// Generate straight into the trace index: no store, no import, no SQL baseline.
    #[arg(long)]
    pub index_only: bool,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
    /// Instead: time every web UI page on the demo data, over HTTP on 127.0.0.1.
    #[arg(long)]
    pub pages: bool,
    /// With --pages: requests per page (after one to warm it).
    #[arg(long, default_value_t = 100)]
    pub page_requests: usize,
    /// Instead: a load test over HTTP on 127.0.0.1 (`bench_load.rs`): concurrent clients
    /// capture, query and trace for a bounded time, then every acknowledged event must be
    /// stored once. A fresh SQLite store, or the PostgreSQL database `--db postgres://...`.
    #[arg(long)]
    pub load: bool,
    /// With --load: concurrent clients.
    #[arg(long, default_value_t = 32)]
    pub clients: usize,
    /// With --load: how long the clients run, in seconds.
    #[arg(long, default_value_t = 60)]
    pub duration_s: u64,
    /// With --load: events in each capture document.
    #[arg(long, default_value_t = 4)]
    pub events_per_capture: usize,
    /// Instead: time the FSMA 204, lot history and inventory exports on a synthetic store of
    /// each `--events` size, at most 2 000 000 (`bench_exports.rs`).
    #[arg(long)]
    pub exports: bool,
}

/// A whole number, with `_` allowed between digits (`10_000_000`).
fn parse_count(text: &str) -> Result<u64, String> {
    text.trim()
        .replace('_', "")
        .parse()
        .map_err(|_| format!("{text:?} is not a whole number of events"))
}

impl Options {
    fn check(&self) -> Result<()> {
        if self.sizes.is_empty() || self.sizes.len() > MAX_SIZES {
            bail!("--events: give 1 to {MAX_SIZES} sizes");
        }
        if let Some(&n) = self
            .sizes
            .iter()
            .find(|&&n| !(1_000..=MAX_EVENTS).contains(&n))
        {
            bail!("--events: {n} is outside 1000..={MAX_EVENTS}");
        }
        if self.batch == 0 || self.batch > lotrace_store::MAX_EVENTS_PER_CAPTURE {
            bail!(
                "--batch: {} is outside 1..={}",
                self.batch,
                lotrace_store::MAX_EVENTS_PER_CAPTURE
            );
        }
        if self.traces == 0 || self.traces > MAX_TRACES {
            bail!("--traces: {} is outside 1..={MAX_TRACES}", self.traces);
        }
        if !self.index_only && (self.sql_traces > MAX_SQL_TRACES || self.sql_traces > self.traces) {
            bail!(
                "--sql-traces: {} is above --traces ({}) or {MAX_SQL_TRACES}",
                self.sql_traces,
                self.traces
            );
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Latency {
    pub p50_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
}

impl Latency {
    pub(crate) fn of(times: &mut [Duration]) -> Latency {
        if times.is_empty() {
            return Latency::default();
        }
        times.sort_unstable();
        // Nearest rank: the smallest time at or above which p of the traces fall.
        let at = |p: f64| {
            let rank = (times.len() as f64 * p).ceil() as usize;
            times[rank.clamp(1, times.len()) - 1].as_secs_f64() * 1e6
        };
        Latency {
            p50_us: at(0.50),
            p99_us: at(0.99),
            max_us: times[times.len() - 1].as_secs_f64() * 1e6,
        }
    }
}

/// The SQL baseline on a sample of a row's origins, and the index on the same origins.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Baseline {
    pub traces: usize,
    pub sql: Latency,
    /// The full index trace (`TraceIndex::trace`: lots, containers, shipments, holdings...).
    pub index: Latency,
    /// The index answering only the lot set (`TraceIndex::reach`), what SQL answers.
    pub index_reach: Latency,
    /// SQL time over the full index trace, at p50 and p99.
    pub ratio_p50: f64,
    pub ratio_p99: f64,
    pub ratio_reach_p50: f64,
    pub ratio_reach_p99: f64,
    /// Traces where SQL and the index reached the same lots.
    pub agree: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct TraceRow {
    /// "any lot" or "supplier lot".
    pub origins: &'static str,
    pub direction: Direction,
    pub traces: usize,
    /// The full answer (`TraceIndex::trace`).
    pub index: Latency,
    /// The lot set only (`TraceIndex::reach`).
    pub reach: Latency,
    pub mean_lots: f64,
    pub max_lots: usize,
    pub baseline: Baseline,
}

#[derive(Clone, Debug, Serialize)]
pub struct ImportReport {
    pub batch_events: usize,
    pub generate_seconds: f64,
    pub import_seconds: f64,
    pub import_events_per_second: f64,
    pub disk_bytes: u64,
    pub disk_bytes_per_event: f64,
    pub sql_prepare_seconds: f64,
    /// What the SQL baseline's two indexes (and statistics) add on disk.
    pub sql_index_bytes: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct SizeReport {
    pub events: u64,
    /// The store's part; None with `--index-only`.
    pub import: Option<ImportReport>,
    /// From the store: read the log, decode the events, build the index. With
    /// `--index-only`: generate and build.
    pub index_build_seconds: f64,
    pub index: IndexStats,
    pub index_bytes_per_edge: f64,
    pub traces: Vec<TraceRow>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub cores: usize,
    pub seed: u64,
    pub sizes: Vec<SizeReport>,
}

/// `db` is the global `--db`: only `--load` uses it, and only a PostgreSQL URL.
pub async fn run(options: Options, db: &str) -> Result<()> {
    if options.exports {
        let dir = options.dir.as_deref();
        return crate::bench_exports::run(&options.sizes, options.seed, dir, options.json).await;
    }
    if options.pages {
        return crate::bench_pages::run(options.page_requests, options.json).await;
    }
    if options.load {
        let postgres = matches!(Location::parse(db)?, Location::Postgres(_)).then(|| db.to_owned());
        return crate::bench_load::run(crate::bench_load::LoadConfig {
            clients: options.clients,
            duration_s: options.duration_s,
            events_per_capture: options.events_per_capture,
            postgres,
            json: options.json,
        })
        .await;
    }
    options.check()?;
    let parent = options.dir.clone().unwrap_or_else(std::env::temp_dir);
    let mut report = Report {
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        seed: options.seed,
        sizes: Vec::with_capacity(options.sizes.len()),
    };
    for &events in &options.sizes {
        let dir = tempfile::Builder::new()
            .prefix("lotrace-bench-")
            .tempdir_in(&parent)
            .with_context(|| {
                format!("cannot make a temporary directory in {}", parent.display())
            })?;
        let size = one_size(events, &options, dir.path()).await?;
        report.sizes.push(size);
        if options.keep {
            eprintln!("   kept {}", dir.keep().display());
        }
    }
    if options.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{}", table(&report.sizes));
        println!("{}", verdicts(&report.sizes));
        println!(
            "({} cores; trace index timed in this process, SQL through the store's reader connections)",
            report.cores
        );
    }
    Ok(())
}

async fn open(path: &Path) -> Result<Store> {
    let location = Location::parse(path.to_str().context("the temporary path is not UTF-8")?)?;
    Ok(Store::open(&location).await?)
}

/// Bytes of every file in `dir` (the database, its WAL and shared memory).
fn dir_bytes(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let meta = entry?.metadata()?;
        if meta.is_file() {
            total += meta.len();
        }
    }
    Ok(total)
}

async fn one_size(events: u64, options: &Options, dir: &Path) -> Result<SizeReport> {
    let db = dir.join("bench.db");
    let config = Config::for_events(events, options.seed);
    let (store, import, index, build) = if options.index_only {
        eprintln!("== {events} events: generating straight into the trace index (no store)");
        let started = Instant::now();
        let mut index = TraceIndex::new(Limits::default());
        index
            .insert_many(Generator::new(config.clone()))
            .context("the trace index is full")?;
        (None, None, index, started.elapsed())
    } else {
        let (mut import, done) = import_into(&db, &config, options).await?;
        let store = open(&db).await?;
        let started = Instant::now();
        let index = build_index(&store).await?;
        let build = started.elapsed();
        eprintln!(
            "   index built from the store (read, decode, index) in {:.1} s",
            build.as_secs_f64()
        );
        // The SQL baseline's indexes, measured on disk apart.
        let started = Instant::now();
        store.prepare_trace_baseline().await?;
        import.sql_prepare_seconds = started.elapsed().as_secs_f64();
        store.close().await;
        import.sql_index_bytes = dir_bytes(dir)?.saturating_sub(import.disk_bytes);
        eprintln!(
            "   SQL baseline indexes built in {:.1} s ({} bytes/event)",
            import.sql_prepare_seconds,
            import.sql_index_bytes / done.max(1)
        );
        (Some(open(&db).await?), Some(import), index, build)
    };
    let stats = index.stats();
    eprintln!(
        "   index: {} events, {} nodes, {} edges, {:.1} bytes/edge{}",
        stats.events,
        stats.nodes,
        stats.edges,
        stats.bytes_per_edge(),
        if store.is_some() {
            String::new()
        } else {
            format!("; generated and built in {:.1} s", build.as_secs_f64())
        }
    );

    // Origins: random lots of every tier, and random raw lots of suppliers.
    let lots: Vec<String> = index.object_ids().filter(|id| synth::is_lot(id)).collect();
    let supplier_lots: Vec<&String> = lots
        .iter()
        .filter(|id| config.is_supplier_lot(id))
        .collect();
    if lots.is_empty() || supplier_lots.is_empty() {
        bail!("the synthetic chain of {events} events has no lots to trace");
    }
    let mut rng = Rng::new(options.seed ^ 0x7ace);
    let pick = |rng: &mut Rng, from: &[&String]| -> Vec<String> {
        (0..options.traces)
            .map(|_| from[rng.below(from.len() as u64) as usize].clone())
            .collect()
    };
    let all: Vec<&String> = lots.iter().collect();
    let rows_origins = [
        ("any lot", Direction::Forward, pick(&mut rng, &all)),
        ("any lot", Direction::Backward, pick(&mut rng, &all)),
        (
            "supplier lot",
            Direction::Forward,
            pick(&mut rng, &supplier_lots),
        ),
    ];
    drop(all);
    drop(supplier_lots);
    drop(lots);

    let mut rows = Vec::with_capacity(rows_origins.len());
    for (label, direction, origins) in rows_origins {
        let row = trace_row(
            &index,
            store.as_ref(),
            label,
            direction,
            &origins,
            options.sql_traces,
        )
        .await?;
        eprintln!(
            "   {label} {direction}: index p50 {:.1} µs p99 {:.1} µs; SQL p50 {:.1} µs p99 {:.1} µs; {}/{} agree",
            row.index.p50_us,
            row.index.p99_us,
            row.baseline.sql.p50_us,
            row.baseline.sql.p99_us,
            row.baseline.agree,
            row.baseline.traces
        );
        rows.push(row);
    }
    if let Some(store) = store {
        store.close().await;
    }
    Ok(SizeReport {
        events: stats.events,
        import,
        index_build_seconds: build.as_secs_f64(),
        index_bytes_per_edge: stats.bytes_per_edge(),
        index: stats,
        traces: rows,
    })
}

/// Generates the events and captures them a batch at a time into a new store at `db`;
/// closes it and measures its files.
async fn import_into(db: &Path, config: &Config, options: &Options) -> Result<(ImportReport, u64)> {
    let events = config.events;
    eprintln!(
        "== {events} events: generating and importing in captures of {} into {}",
        options.batch,
        db.display()
    );
    let store = open(db).await?;
    let mut generator = Generator::new(config.clone());
    let (mut generate, mut import) = (Duration::ZERO, Duration::ZERO);
    let mut done = 0u64;
    let mut next_report = events / 10;
    while done < events {
        let started = Instant::now();
        let batch: Vec<Event> = generator.by_ref().take(options.batch).collect();
        generate += started.elapsed();
        if batch.is_empty() {
            break;
        }
        done += batch.len() as u64;
        let started = Instant::now();
        store.capture(batch, "bench").await?;
        import += started.elapsed();
        if done >= next_report {
            eprintln!(
                "   {done} events, {:.0} events/s",
                done as f64 / import.as_secs_f64()
            );
            next_report += events / 10;
        }
    }
    store.close().await;
    let dir = db.parent().context("the database has a directory")?;
    let disk_bytes = dir_bytes(dir)?;
    let rate = done as f64 / import.as_secs_f64();
    eprintln!(
        "   imported in {:.1} s ({rate:.0} events/s; generation {:.1} s apart); {:.0} bytes/event on disk",
        import.as_secs_f64(),
        generate.as_secs_f64(),
        disk_bytes as f64 / done as f64
    );
    Ok((
        ImportReport {
            batch_events: options.batch,
            generate_seconds: generate.as_secs_f64(),
            import_seconds: import.as_secs_f64(),
            import_events_per_second: rate,
            disk_bytes,
            disk_bytes_per_event: disk_bytes as f64 / done as f64,
            sql_prepare_seconds: 0.0,
            sql_index_bytes: 0,
        },
        done,
    ))
}

/// Reads the log in order and feeds the index's bulk path on a thread of its own.
async fn build_index(store: &Store) -> Result<TraceIndex> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Event>>(8);
    let builder = std::thread::spawn(move || {
        let mut index = TraceIndex::new(Limits::default());
        index.insert_many(rx.into_iter().flatten()).map(|_| index)
    });
    let mut chunk = Vec::with_capacity(BUILD_CHUNK);
    let mut builder_gone = false;
    store
        .for_each_event(|stored| {
            chunk.push(stored.event);
            if chunk.len() == BUILD_CHUNK && !builder_gone {
                builder_gone = tx
                    .send(std::mem::replace(
                        &mut chunk,
                        Vec::with_capacity(BUILD_CHUNK),
                    ))
                    .is_err();
            }
            Ok(())
        })
        .await?;
    if !chunk.is_empty() && !builder_gone {
        let _ = tx.send(chunk);
    }
    drop(tx);
    let index = builder
        .join()
        .map_err(|_| anyhow::anyhow!("the index builder panicked"))?
        .context("the trace index is full")?;
    Ok(index)
}

async fn trace_row(
    index: &TraceIndex,
    store: Option<&Store>,
    label: &'static str,
    direction: Direction,
    origins: &[String],
    sql_traces: usize,
) -> Result<TraceRow> {
    let mut times = Vec::with_capacity(origins.len());
    let (mut lots_total, mut max_lots) = (0usize, 0usize);
    for origin in origins {
        let started = Instant::now();
        let trace = index.trace(origin, direction)?;
        times.push(started.elapsed());
        lots_total += trace.lots.len();
        max_lots = max_lots.max(trace.lots.len());
    }
    let latency = Latency::of(&mut times);
    let mut reach_all = Vec::with_capacity(origins.len());
    for origin in origins {
        let started = Instant::now();
        let reach = index.reach(origin, direction)?;
        reach_all.push(started.elapsed());
        std::hint::black_box(reach);
    }
    let reach_latency = Latency::of(&mut reach_all);

    let Some(store) = store else {
        return Ok(TraceRow {
            origins: label,
            direction,
            traces: origins.len(),
            index: latency,
            reach: reach_latency,
            mean_lots: lots_total as f64 / origins.len() as f64,
            max_lots,
            baseline: Baseline::default(),
        });
    };
    let sample = &origins[..sql_traces.min(origins.len())];
    let forward = direction == Direction::Forward;
    let (mut sql_times, mut index_times, mut reach_times) = (Vec::new(), Vec::new(), Vec::new());
    let (mut agree, mut disagreements) = (0, 0);
    for origin in sample {
        let started = Instant::now();
        let sql = store.trace_baseline_sql(origin, forward).await?;
        sql_times.push(started.elapsed());
        let started = Instant::now();
        let full = index.trace(origin, direction)?;
        index_times.push(started.elapsed());
        let started = Instant::now();
        let reach = index.reach(origin, direction)?;
        reach_times.push(started.elapsed());
        if sql == reach && reach == full.lots {
            agree += 1;
        } else if disagreements < 5 {
            disagreements += 1;
            eprintln!(
                "   the SQL baseline and the index disagree on the {direction} trace of {origin}: SQL {} lots, index {}",
                sql.len(),
                reach.len()
            );
        }
    }
    let sql = Latency::of(&mut sql_times);
    let index_same = Latency::of(&mut index_times);
    let reach_same = Latency::of(&mut reach_times);
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    Ok(TraceRow {
        origins: label,
        direction,
        traces: origins.len(),
        index: latency,
        reach: reach_latency,
        mean_lots: lots_total as f64 / origins.len() as f64,
        max_lots,
        baseline: Baseline {
            traces: sample.len(),
            sql,
            index: index_same,
            index_reach: reach_same,
            ratio_p50: ratio(sql.p50_us, index_same.p50_us),
            ratio_p99: ratio(sql.p99_us, index_same.p99_us),
            ratio_reach_p50: ratio(sql.p50_us, reach_same.p50_us),
            ratio_reach_p99: ratio(sql.p99_us, reach_same.p99_us),
            agree,
        },
    })
}

fn us(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.1} ms", v / 1000.0)
    } else if v >= 100.0 {
        format!("{v:.0} µs")
    } else {
        format!("{v:.1} µs")
    }
}

/// The results as text: one line per size, then one per trace row.
pub fn table(sizes: &[SizeReport]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>10}  {:>13}  {:>10}  {:>11}  {:>12}  {:>11}  {:>13}",
        "events",
        "import ev/s",
        "disk B/ev",
        "index B/edge",
        "index edges",
        "build s",
        "SQL idx B/ev"
    );
    let dash = || "-".to_owned();
    for s in sizes {
        let i = s.import.as_ref();
        let _ = writeln!(
            out,
            "{:>10}  {:>13}  {:>10}  {:>11.1}  {:>12}  {:>11.1}  {:>13}",
            s.events,
            i.map_or_else(dash, |i| format!("{:.0}", i.import_events_per_second)),
            i.map_or_else(dash, |i| format!("{:.0}", i.disk_bytes_per_event)),
            s.index_bytes_per_edge,
            s.index.edges,
            s.index_build_seconds,
            i.map_or_else(dash, |i| format!(
                "{:.0}",
                i.sql_index_bytes as f64 / s.events as f64
            ))
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:>10}  {:<21} {:>9} {:>9} {:>9} {:>6}  {:>9} {:>9}  {:>9} {:>9}  {:>11}  {:>11}  {:>7}",
        "events",
        "trace (index)",
        "p50",
        "p99",
        "max",
        "lots",
        "lots p50",
        "lots p99",
        "SQL p50",
        "SQL p99",
        "SQL/trace",
        "SQL/lots",
        "agree"
    );
    for s in sizes {
        for r in &s.traces {
            let b = &r.baseline;
            let sql = |text: String| if b.traces == 0 { dash() } else { text };
            let _ = writeln!(
                out,
                "{:>10}  {:<21} {:>9} {:>9} {:>9} {:>6.1}  {:>9} {:>9}  {:>9} {:>9}  {:>11}  {:>11}  {:>7}",
                s.events,
                format!("{} {}", r.direction, r.origins),
                us(r.index.p50_us),
                us(r.index.p99_us),
                us(r.index.max_us),
                r.mean_lots,
                us(r.reach.p50_us),
                us(r.reach.p99_us),
                sql(us(b.sql.p50_us)),
                sql(us(b.sql.p99_us)),
                sql(format!("{:.0}x/{:.0}x", b.ratio_p50, b.ratio_p99)),
                sql(format!(
                    "{:.0}x/{:.0}x",
                    b.ratio_reach_p50, b.ratio_reach_p99
                )),
                sql(format!("{}/{}", b.agree, b.traces))
            );
        }
    }
    let _ = writeln!(
        out,
        "trace: the full answer (TraceIndex::trace); lots: the lot set only (TraceIndex::reach), what the SQL answers;\n\
         SQL/x: SQL time over index time on the same sampled traces, at p50/p99"
    );
    out
}

/// The targets, met or missed, per size.
fn verdicts(sizes: &[SizeReport]) -> String {
    use std::fmt::Write;
    let mut out = String::from("targets:\n");
    let mark = |ok: bool| if ok { "met" } else { "MISSED" };
    for s in sizes {
        let mut clauses = Vec::new();
        if let Some(i) = &s.import {
            clauses.push(format!(
                "import {:.0} >= 100000 events/s {}",
                i.import_events_per_second,
                mark(i.import_events_per_second >= 100_000.0)
            ));
        }
        let p99_target = if s.events <= 1_000_000 {
            1_000.0
        } else {
            5_000.0
        };
        let worst_p99 = s.traces.iter().map(|r| r.index.p99_us).fold(0.0, f64::max);
        clauses.push(format!(
            "trace p99 {} <= {} {}",
            us(worst_p99),
            us(p99_target),
            mark(worst_p99 <= p99_target)
        ));
        if s.import.is_some() {
            let worst = |ratios: fn(&Baseline) -> [f64; 2]| {
                s.traces
                    .iter()
                    .flat_map(|r| ratios(&r.baseline))
                    .fold(f64::INFINITY, f64::min)
            };
            let vs_trace = worst(|b| [b.ratio_p50, b.ratio_p99]);
            let vs_lots = worst(|b| [b.ratio_reach_p50, b.ratio_reach_p99]);
            clauses.push(format!(
                "SQL >= 50x slower than the full trace (worst {vs_trace:.0}x) {}, than the lot set (worst {vs_lots:.0}x) {}",
                mark(vs_trace >= 50.0),
                mark(vs_lots >= 50.0)
            ));
        }
        clauses.push(format!(
            "{:.1} <= 64 bytes/edge {}",
            s.index_bytes_per_edge,
            mark(s.index_bytes_per_edge <= 64.0)
        ));
        let _ = writeln!(out, "  {:>10} events: {}", s.events, clauses.join("; "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut times: Vec<Duration> = (1..=200).rev().map(Duration::from_micros).collect();
        let l = Latency::of(&mut times);
        assert_eq!((l.p50_us, l.p99_us, l.max_us), (100.0, 198.0, 200.0));
        let mut one = vec![Duration::from_micros(7)];
        assert_eq!(Latency::of(&mut one).p99_us, 7.0);
        assert_eq!(Latency::of(&mut []).p50_us, 0.0);
    }

    #[test]
    fn options_are_bounded() {
        let ok = Options {
            sizes: vec![100_000],
            batch: 10_000,
            traces: 2_000,
            sql_traces: 200,
            seed: 1,
            dir: None,
            keep: false,
            index_only: false,
            json: false,
            pages: false,
            page_requests: 100,
            load: false,
            clients: 32,
            duration_s: 60,
            events_per_capture: 4,
            exports: false,
        };
        assert!(ok.check().is_ok());
        for bad in [
            Options {
                sizes: vec![],
                ..ok.clone()
            },
            Options {
                sizes: vec![MAX_EVENTS + 1],
                ..ok.clone()
            },
            Options {
                batch: 0,
                ..ok.clone()
            },
            Options {
                sql_traces: 3_000,
                ..ok.clone()
            },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
    }
}
