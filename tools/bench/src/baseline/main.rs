//! `baseline`: the same job as microarb, built the way seed 000 (`micro-arbitrage-components.md`)
//! builds it, so the end-to-end bench can measure microarb against it on the same workload.
//!
//! ```text
//! baseline --config FILE [--seconds N] [--report FILE] [--hist-log FILE] [--worker-threads N]
//! ```
//!
//! A tokio multi-thread runtime; one task per venue connection reading with tokio-tungstenite;
//! serde_json into owned structs and `f64` prices ([`parse`]); a shared
//! `Arc<RwLock<Book>>` ([`book`]); the detection rule (docs/architecture.md) in `f64` ([`detect`]);
//! `Arc<Mutex<LruCache<String, CachedOpportunity>>>` dedupe keyed by a `format!`ed string
//! ([`cache`]); an `Arc<Semaphore>` of 3 permits taken under `tokio::time::timeout` and an
//! immediate paper fill ([`exec`]); `Arc<RwLock<Stats>>` with the HdrHistograms ([`stats`]).
//!
//! From the microarb library it takes only the config loader (the same file, the same
//! validation), the venues' URLs, subscribe messages and keep-alive facts, and the `.hlog` writer.
//! Built only with the `baseline` feature: `cargo build --release --features baseline --bin
//! baseline`. Exit status as microarb's: 0 success, 2 bad usage or config, 1 runtime failure.

mod book;
mod cache;
mod detect;
mod engine;
mod exec;
mod feed;
mod parse;
mod spec;
mod stats;
mod wire;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use microarb::config::{load, Config, Machine};
use microarb::ingest::venues::{subscribe_messages, ws_url};
use microarb::telemetry::hlog::HlogWriter;
use tokio::sync::watch;

use crate::engine::Orchestrator;
use crate::feed::{run_venue, FeedSpec};
use crate::spec::Spec;

/// Command line.
#[derive(Debug, Parser)]
#[command(
    name = "baseline",
    about = "Seed-000-style baseline engine (tokio, LruCache, Semaphore, RwLock)"
)]
struct Args {
    /// The config file (microarb's format).
    #[arg(long)]
    config: PathBuf,
    /// Stop after this many seconds (default: until Ctrl-C / SIGTERM).
    #[arg(long)]
    seconds: Option<f64>,
    /// Write the JSON report here at exit.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Write an HdrHistogram interval log here.
    #[arg(long)]
    hist_log: Option<PathBuf>,
    /// tokio worker threads (default: one per core).
    #[arg(long)]
    worker_threads: Option<usize>,
    /// Write one JSON line per order written (`instrument`, `trigger_venue`, `trigger_seq`,
    /// `order_ts` unix ns), the fields microarb's `--opps` carries, for the end-to-end bench's send-to-order join.
    #[arg(long)]
    opps: Option<PathBuf>,
    /// With `execution.gateway = "rest"`: write one JSON line per leg sent (`kind: order`,
    /// `role`, `client_id`, `opp`), the fields of microarb's `--trades` the end-to-end bench's
    /// wire-to-wire join reads.
    #[arg(long)]
    trades: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let config = match load(&args.config, &Machine::this(false)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("baseline: bad config {}:\n{e}", args.config.display());
            return ExitCode::from(2);
        }
    };
    let spec = match Spec::from_config(&config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("baseline: bad config {}: {e}", args.config.display());
            return ExitCode::from(2);
        }
    };
    if matches!(args.seconds, Some(s) if !(s.is_finite() && s >= 0.0)) {
        eprintln!("baseline: --seconds must be a non-negative number");
        return ExitCode::from(2);
    }
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all();
    if let Some(n) = args.worker_threads {
        builder.worker_threads(n.max(1));
    }
    let runtime = match builder.build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("baseline: cannot start the tokio runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(args, config, spec)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("baseline: {e}");
            ExitCode::from(1)
        }
    }
}

async fn run(args: Args, config: Config, spec: Spec) -> Result<(), String> {
    let start = Instant::now();
    let base_unix_ns = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let wire = crate::wire::Wire::from_config(&config).map_err(|e| e.to_string())?;
    let orch = Orchestrator::new(spec, start, wire);
    let (stop_tx, stop_rx) = watch::channel(false);

    let mut tasks = Vec::new();
    for v in &orch.spec.venues {
        let symbols = orch.spec.venue_symbols(&config, &v.name);
        let refs: Vec<&str> = symbols.iter().map(String::as_str).collect();
        let url = config
            .venues
            .iter()
            .find(|c| c.name == v.name)
            .and_then(|c| c.url.as_deref());
        let feed = FeedSpec {
            venue: v.clone(),
            url: ws_url(v.kind, url, &refs),
            subscribe: subscribe_messages(v.kind, &refs, &format!("baseline-{}", v.name)),
            backoff_initial: Duration::from_millis(config.ingest.backoff_initial_ms),
            backoff_max: Duration::from_millis(config.ingest.backoff_max_ms),
        };
        tasks.push(tokio::spawn(run_venue(orch.clone(), feed, stop_rx.clone())));
    }

    // The log stops after the executions in flight have drained, so its last interval has them.
    let (hlog_stop_tx, hlog_stop_rx) = watch::channel(false);
    let hlog = match &args.hist_log {
        Some(path) => Some(spawn_hist_log(
            path,
            base_unix_ns,
            Duration::from_millis(config.telemetry.interval_ms.max(1)),
            orch.clone(),
            hlog_stop_rx,
        )?),
        None => None,
    };

    match args.seconds {
        Some(s) => tokio::time::sleep(Duration::from_secs_f64(s)).await,
        None => wait_for_signal().await,
    }
    let _ = stop_tx.send(true);
    for t in tasks {
        let _ = t.await;
    }
    // Let executions already spawned finish (a permit is held for microseconds on paper, for the
    // two legs' round trips over the network).
    let deadline = Instant::now() + Duration::from_secs(1);
    while Instant::now() < deadline {
        let s = orch.stats.read().await;
        if s.terminal() >= s.detected {
            break;
        }
        drop(s);
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let _ = hlog_stop_tx.send(true);
    if let Some(h) = hlog {
        h.await
            .map_err(|e| format!("interval log task: {e}"))?
            .map_err(|e| format!("cannot write the interval log: {e}"))?;
    }
    orch.collect_cache_counts().await;

    let stats = orch.stats.read().await;
    let t2o = &stats.latency["tick_to_order"].total;
    let q = |x: f64| {
        if t2o.is_empty() {
            0
        } else {
            t2o.value_at_quantile(x)
        }
    };
    eprintln!(
        "baseline: {:.1}s frames={} quotes={} opps detected={} executed={} duplicates={} no_slot={} \
         tick_to_order p50={}ns p99={}ns p99.9={}ns max={}ns",
        start.elapsed().as_secs_f64(),
        stats.venues.values().map(|v| v.frames).sum::<u64>(),
        stats.venues.values().map(|v| v.quotes).sum::<u64>(),
        stats.detected,
        stats.executed,
        stats.duplicates,
        stats.no_slot,
        q(0.5),
        q(0.99),
        q(0.999),
        t2o.max(),
    );
    if let Some(path) = &args.report {
        let config_json = serde_json::to_value(&config).unwrap_or_default();
        let run = serde_json::json!({
            "engine": "baseline",
            "seconds": start.elapsed().as_secs_f64(),
            "worker_threads": args.worker_threads,
        });
        let report = stats.report(config_json, run);
        write_json(path, &report).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if let Some(path) = &args.opps {
        let mut text = String::new();
        for o in &stats.orders_log {
            let line = serde_json::json!({
                "opp": o.opp,
                "outcome": "executed",
                "instrument": o.instrument,
                "trigger_venue": o.trigger_venue,
                "trigger_seq": o.trigger_seq,
                "order_ts": o.order_unix_ns,
                "recv_unix": o.recv_unix_ns,
            });
            text.push_str(&line.to_string());
            text.push('\n');
        }
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if let Some(path) = &args.trades {
        let mut text = String::new();
        for (client_id, opp, role) in &stats.legs_log {
            let line = serde_json::json!({
                "kind": "order",
                "role": role,
                "client_id": client_id,
                "opp": opp,
            });
            text.push_str(&line.to_string());
            text.push('\n');
        }
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

fn write_json(path: &Path, v: &serde_json::Value) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(v).map_err(std::io::Error::other)?;
    std::fs::write(path, text + "\n")
}

/// Ctrl-C or SIGTERM.
async fn wait_for_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async {
            match term.as_mut() {
                Some(t) => { t.recv().await; }
                None => std::future::pending::<()>().await,
            }
        } => {}
    }
}

/// Every `interval`, take the interval histograms out of the stats and append them to the log;
/// a last interval is written when `stop` turns true.
fn spawn_hist_log(
    path: &Path,
    base_unix_ns: u64,
    interval: Duration,
    orch: Arc<Orchestrator>,
    mut stop: watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<std::io::Result<()>>, String> {
    let mut writer = HlogWriter::create(path, base_unix_ns)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    Ok(tokio::spawn(async move {
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        let mut last_ns = 0u64;
        loop {
            let done = tokio::select! {
                _ = ticker.tick() => false,
                _ = stop.changed() => true,
            };
            let now_ns = orch.now_ns();
            let intervals = orch.stats.write().await.take_intervals();
            for (tag, h) in &intervals {
                writer.write(tag, last_ns, now_ns.saturating_sub(last_ns), h)?;
            }
            writer.flush()?;
            last_ns = now_ns;
            if done {
                return Ok(());
            }
        }
    }))
}
