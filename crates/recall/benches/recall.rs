//! A recall's full impact (origins resolved, every affected lot with stock by place,
//! shipments by customer, consumption, mass balance) on the synthetic supply chain at 10^5
//! and 10^6 events, from random raw supplier lots: the widest forward traces and a recall's
//! usual start.
//!
//!     cargo bench -p lotrace-recall --bench recall
//!
//! Percentiles are measured recall by recall (criterion reports means); criterion then times
//! the same recalls as a group for its statistics.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use lotrace_core::catalog::Catalog;
use lotrace_core::inventory::Inventory;
use lotrace_recall::{LotRef, Scope, Views, impact, resolve};
use lotrace_trace::synth::{Config, Generator, Rng};
use lotrace_trace::{Limits, TraceIndex};

const RECALLS: usize = 500;

struct Built {
    catalog: Catalog,
    inventory: Inventory,
    trace: TraceIndex,
    origins: Vec<String>,
}

fn build(events: u64) -> Built {
    let config = Config::for_events(events, 2026);
    let started = Instant::now();
    let mut all: Vec<_> = Generator::new(config.clone()).collect();
    let generate = started.elapsed();
    let started = Instant::now();
    let mut trace = TraceIndex::new(Limits::default());
    trace.insert_many(&all).expect("the index has room");
    let index = started.elapsed();
    // The inventory applies events in eventTime order, as the application replays the log.
    all.sort_by_key(|e| e.event_time.instant);
    let started = Instant::now();
    let inventory = Inventory::rebuild(all.iter());
    let project = started.elapsed();
    drop(all);
    let mut supplier_lots: Vec<String> = inventory
        .lots()
        .filter(|l| config.is_supplier_lot(&l.id))
        .map(|l| l.id.clone())
        .collect();
    supplier_lots.sort();
    let mut rng = Rng::new(7);
    let origins = (0..RECALLS)
        .map(|_| supplier_lots[rng.below(supplier_lots.len() as u64) as usize].clone())
        .collect();
    println!(
        "\n== {events} events ==\ngenerate {:.2} s, trace index {:.2} s, inventory {:.2} s; {} lots, {} supplier lots",
        generate.as_secs_f64(),
        index.as_secs_f64(),
        project.as_secs_f64(),
        inventory.lots().count(),
        supplier_lots.len()
    );
    Built {
        catalog: Catalog::default(),
        inventory,
        trace,
        origins,
    }
}

fn views(b: &Built) -> Views<'_> {
    Views {
        catalog: &b.catalog,
        inventory: &b.inventory,
        trace: &b.trace,
        today: "2026-12-01".parse().unwrap(),
    }
}

fn one_recall(views: &Views, origin: &str) -> usize {
    let scope = Scope::Lots {
        lots: vec![LotRef::Id(origin.to_owned())],
    };
    let origins = resolve(&scope, views).expect("the lot is known");
    let impact = impact(views, &origins, false).expect("within limits");
    impact.lots.len() + impact.customers.len()
}

fn percentiles(label: &str, b: &Built) {
    let v = views(b);
    let mut times: Vec<Duration> = Vec::with_capacity(b.origins.len());
    let mut lots = 0usize;
    let mut max_lots = 0usize;
    for origin in &b.origins {
        let started = Instant::now();
        let n = black_box(one_recall(&v, origin));
        times.push(started.elapsed());
        lots += n;
        max_lots = max_lots.max(n);
    }
    times.sort_unstable();
    let at = |p: f64| {
        let rank = (times.len() as f64 * p).ceil() as usize;
        times[rank.clamp(1, times.len()) - 1].as_secs_f64() * 1e3
    };
    println!(
        "{label}: {} recalls from random supplier lots: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms; \
         mean {:.1} lots+customers, max {max_lots}",
        times.len(),
        at(0.50),
        at(0.99),
        times[times.len() - 1].as_secs_f64() * 1e3,
        lots as f64 / times.len() as f64,
    );
}

fn bench(c: &mut Criterion) {
    for events in [100_000u64, 1_000_000] {
        let built = build(events);
        percentiles(&format!("{events} events"), &built);
        let v = views(&built);
        let mut group = c.benchmark_group(format!("recall_{events}"));
        group.sample_size(10);
        group.bench_function("full impact, 500 supplier lots", |bencher| {
            bencher.iter(|| {
                for origin in &built.origins {
                    black_box(one_recall(&v, origin));
                }
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
