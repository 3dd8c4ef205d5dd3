//! The trace index at 10^5 and 10^6 events (10^7 with LOTRACE_BENCH_10M=1): build rate,
//! trace latency percentiles forward and backward over random lots, bytes per edge.
//!
//!     CARGO_TARGET_DIR=/work/target-trace cargo bench -p lotrace-trace --bench trace
//!
//! The percentiles are measured trace by trace (criterion reports means); criterion then
//! times the same traces as a group for its statistics.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use lotrace_trace::synth::{self, Config, Generator, Rng};
use lotrace_trace::{Direction, Limits, TraceIndex};

const ORIGINS: usize = 2_000;

struct Built {
    events: u64,
    index: TraceIndex,
    /// Random lots of every tier.
    origins: Vec<String>,
    /// Random raw lots from suppliers: the widest forward traces (a recall's usual start).
    supplier_origins: Vec<String>,
}

/// Up to this many events are generated into memory first, so the build is timed alone;
/// above it, events stream from the generator and its time is measured separately and subtracted.
const IN_MEMORY_EVENTS: u64 = 1_000_000;

fn build(events: u64) -> Built {
    let config = Config::for_events(events, 2026);
    println!("\n== {events} events ==");
    let mut index = TraceIndex::new(Limits::default());
    if events <= IN_MEMORY_EVENTS {
        let started = Instant::now();
        let all: Vec<_> = Generator::new(config).collect();
        let generate = started.elapsed();
        let started = Instant::now();
        index.insert_many(&all).expect("the index has room");
        let insert = started.elapsed();
        println!(
            "generate: {:.2} s; index build (insert_many from memory): {:.2} s = {:.0} events/s",
            generate.as_secs_f64(),
            insert.as_secs_f64(),
            events as f64 / insert.as_secs_f64()
        );
    } else {
        let started = Instant::now();
        for e in Generator::new(config.clone()) {
            black_box(&e);
        }
        let generate = started.elapsed();
        let started = Instant::now();
        index
            .insert_many(Generator::new(config))
            .expect("the index has room");
        let total = started.elapsed();
        let insert = total.saturating_sub(generate);
        println!(
            "generate: {:.2} s; index build (insert_many, streamed, generation subtracted): {:.2} s = {:.0} events/s",
            generate.as_secs_f64(),
            insert.as_secs_f64(),
            events as f64 / insert.as_secs_f64()
        );
    }
    let stats = index.stats();
    println!(
        "index: {} nodes, {} edges (object-event links), {:.1} MiB heap, {:.1} bytes/edge, {:.1} bytes/event",
        stats.nodes,
        stats.edges,
        stats.heap_bytes as f64 / (1 << 20) as f64,
        stats.bytes_per_edge(),
        stats.heap_bytes as f64 / stats.events as f64
    );
    for (part, bytes) in index.heap_breakdown() {
        println!(
            "    {part:<42} {:>8.1} MiB {:>6.1} bytes/edge",
            bytes as f64 / (1 << 20) as f64,
            bytes as f64 / stats.edges as f64
        );
    }

    let lots: Vec<String> = index.object_ids().filter(|id| synth::is_lot(id)).collect();
    let config = Config::for_events(events, 2026);
    let supplier_lots: Vec<&String> = lots
        .iter()
        .filter(|id| config.is_supplier_lot(id))
        .collect();
    let mut rng = Rng::new(7);
    let origins = (0..ORIGINS)
        .map(|_| lots[rng.below(lots.len() as u64) as usize].clone())
        .collect();
    let supplier_origins = (0..ORIGINS)
        .map(|_| supplier_lots[rng.below(supplier_lots.len() as u64) as usize].clone())
        .collect();
    Built {
        events,
        index,
        origins,
        supplier_origins,
    }
}

fn percentiles(built: &Built, origins: &[String], label: &str, direction: Direction, full: bool) {
    let mut times: Vec<Duration> = Vec::with_capacity(origins.len());
    let mut reached = 0usize;
    let mut max_reached = 0usize;
    for origin in origins {
        let started = Instant::now();
        let n = if full {
            let t = built.index.trace(origin, direction).expect("trace");
            t.lots.len() + t.containers.len()
        } else {
            built.index.reach(origin, direction).expect("reach").len()
        };
        times.push(started.elapsed());
        reached += n;
        max_reached = max_reached.max(n);
    }
    times.sort_unstable();
    let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "{:>6} {:<9} {:<9} {} origins: p50 {:>7.1} µs  p99 {:>7.1} µs  max {:>7.1} µs  (mean {:.1} items reached, max {})",
        if full { "trace" } else { "reach" },
        direction.as_str(),
        label,
        times.len(),
        at(0.50).as_secs_f64() * 1e6,
        at(0.99).as_secs_f64() * 1e6,
        times[times.len() - 1].as_secs_f64() * 1e6,
        reached as f64 / times.len() as f64,
        max_reached
    );
}

/// The capture path: events inserted one at a time into the built index (delta links, and
/// the compactions they trigger), continuing the same supply chain with new eventIDs.
fn online_inserts(built: &mut Built) {
    let count = (built.events / 10).min(200_000);
    let more: Vec<_> = Generator::new(Config::for_events(count, 99)).collect();
    let started = Instant::now();
    for e in &more {
        built.index.insert(e).expect("the index has room");
    }
    let elapsed = started.elapsed();
    println!(
        "online insert: {count} events one at a time into the index: {:.0} events/s (compactions included)",
        count as f64 / elapsed.as_secs_f64()
    );
}

fn scale(c: &mut Criterion, events: u64) {
    let mut built = build(events);
    for direction in [Direction::Forward, Direction::Backward] {
        percentiles(&built, &built.origins, "any lot", direction, true);
        percentiles(&built, &built.origins, "any lot", direction, false);
    }
    percentiles(
        &built,
        &built.supplier_origins,
        "raw lot",
        Direction::Forward,
        true,
    );
    percentiles(
        &built,
        &built.supplier_origins,
        "raw lot",
        Direction::Forward,
        false,
    );
    online_inserts(&mut built);
    let mut group = c.benchmark_group(format!("trace/{}", built.events));
    group.sample_size(20);
    for direction in [Direction::Forward, Direction::Backward] {
        let mut i = 0usize;
        group.bench_function(direction.as_str(), |b| {
            b.iter(|| {
                i = (i + 1) % built.origins.len();
                black_box(built.index.trace(&built.origins[i], direction).unwrap())
            })
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let mut build_group = c.benchmark_group("build");
    build_group.sample_size(10);
    build_group.bench_function("insert_many/100000", |b| {
        b.iter_batched(
            || Generator::new(Config::for_events(100_000, 2026)).collect::<Vec<_>>(),
            |events| {
                let mut ix = TraceIndex::new(Limits::default());
                ix.insert_many(&events).unwrap();
                ix
            },
            criterion::BatchSize::LargeInput,
        )
    });
    build_group.finish();

    scale(c, 100_000);
    scale(c, 1_000_000);
    if std::env::var_os("LOTRACE_BENCH_10M").is_some() {
        scale(c, 10_000_000);
    }
}

criterion_group!(trace, benches);
criterion_main!(trace);
