//! `lotrace bench --pages`: how fast every web UI page answers on the demo data.
//!
//! A fresh SQLite store in a temporary directory gets the demo supply chain; a real server
//! listens on 127.0.0.1 (an ephemeral port); each page is fetched over HTTP/1.1 once to
//! warm it, then `--page-requests` times one after another, each timed from connect to the
//! last byte. The target is under 100 ms for every page (issue 8).

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The target of issue 8: every page under 100 ms on the demo data.
const TARGET_MS: f64 = 100.0;
/// Bounds on one run.
pub const MAX_PAGE_REQUESTS: usize = 10_000;
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
const REQUEST_TIMEOUT_MS: u64 = 10_000;

#[derive(Serialize)]
struct PageTiming {
    path: String,
    status: u16,
    bytes: usize,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

pub async fn run(requests: usize, json: bool) -> Result<()> {
    if requests == 0 || requests > MAX_PAGE_REQUESTS {
        bail!("--page-requests: give 1 to {MAX_PAGE_REQUESTS}");
    }
    let dir = tempfile::Builder::new()
        .prefix("lotrace-bench-pages-")
        .tempdir()
        .context("cannot make a temporary directory")?;
    let location = lotrace_store::Location::parse(
        dir.path()
            .join("pages.db")
            .to_str()
            .context("the temporary path is not UTF-8")?,
    )?;
    let store = lotrace_store::Store::open(&location).await?;
    let app = lotrace_app::App::open(store.clone(), lotrace_app::AppConfig::default()).await?;
    crate::demo::load(&app).await?;
    let paths = pages(&app).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let state = lotrace_server::AppState::new(app, lotrace_server::Limits::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(lotrace_server::serve(listener, state, async {
        let _ = stopped.await;
    }));

    let mut timings = Vec::with_capacity(paths.len());
    for path in &paths {
        let (status, bytes, _) = get(addr, path).await?;
        let mut samples = Vec::with_capacity(requests);
        for _ in 0..requests {
            let (_, _, elapsed) = get(addr, path).await?;
            samples.push(elapsed);
        }
        let latency = crate::bench::Latency::of(&mut samples);
        timings.push(PageTiming {
            path: path.clone(),
            status,
            bytes,
            p50_ms: latency.p50_us / 1e3,
            p99_ms: latency.p99_us / 1e3,
            max_ms: latency.max_us / 1e3,
        });
    }
    let _ = stop.send(());
    server.await??;
    store.close().await;

    let slowest = timings.iter().map(|t| t.max_ms).fold(0.0, f64::max);
    if json {
        println!(
            "{}",
            serde_json::json!({ "requests_per_page": requests, "target_ms": TARGET_MS,
                                "slowest_ms": slowest, "pages": timings })
        );
    } else {
        println!(
            "{:<48} {:>6} {:>9} {:>8} {:>8} {:>8}",
            "page", "status", "bytes", "p50 ms", "p99 ms", "max ms"
        );
        for t in &timings {
            println!(
                "{:<48} {:>6} {:>9} {:>8.2} {:>8.2} {:>8.2}",
                t.path, t.status, t.bytes, t.p50_ms, t.p99_ms, t.max_ms
            );
        }
        println!(
            "{} pages x {requests} requests; slowest single answer {slowest:.2} ms (target < {TARGET_MS} ms)",
            timings.len()
        );
    }
    if let Some(t) = timings.iter().find(|t| t.status != 200) {
        bail!("{} answered {}", t.path, t.status);
    }
    Ok(())
}

/// Every page of the UI, with the demo's first produced lot for the lot pages.
async fn pages(app: &lotrace_app::App) -> Result<Vec<String>> {
    let lots = app.lots(|_| true).await?;
    let lot = lots
        .iter()
        .max_by_key(|l| l.ledger.len())
        .context("the demo data has no lot")?;
    let id = percent_encoding::utf8_percent_encode(&lot.id, percent_encoding::NON_ALPHANUMERIC)
        .to_string();
    let mut paths: Vec<String> = [
        "/",
        "/scan",
        "/lots",
        "/events",
        "/products",
        "/locations",
        "/parties",
        "/recalls",
        "/drills",
        "/quality",
        "/production",
        "/production/boms/new",
        "/production/boms/SALAD-STD",
        "/production/orders/new",
        "/production/orders/WO-3071",
        "/import",
        "/exports",
    ]
    .iter()
    .map(|p| (*p).to_owned())
    .collect();
    paths.push(format!("/lot?id={id}"));
    paths.push(format!("/lot/graph.svg?id={id}&direction=forward"));
    paths.push(format!("/events?id={id}"));
    for op in ["receive", "produce", "ship"] {
        paths.push(format!("/ops/{op}"));
    }
    Ok(paths)
}

/// One GET over a new connection: status, body bytes, time from connect to the last byte.
async fn get(addr: std::net::SocketAddr, path: &str) -> Result<(u16, usize, Duration)> {
    let started = Instant::now();
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut answer = Vec::new();
        (&mut stream)
            .take(MAX_RESPONSE_BYTES as u64)
            .read_to_end(&mut answer)
            .await?;
        Ok::<_, std::io::Error>(answer)
    };
    let answer = tokio::time::timeout(Duration::from_millis(REQUEST_TIMEOUT_MS), exchange)
        .await
        .with_context(|| format!("{path}: no answer within {REQUEST_TIMEOUT_MS} ms"))??;
    let elapsed = started.elapsed();
    let head_end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .with_context(|| format!("{path}: not an HTTP answer"))?;
    let status_line = std::str::from_utf8(&answer[..head_end])
        .ok()
        .and_then(|h| h.lines().next())
        .with_context(|| format!("{path}: not an HTTP answer"))?;
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("{path}: bad status line {status_line:?}"))?;
    Ok((status, answer.len() - head_end - 4, elapsed))
}
