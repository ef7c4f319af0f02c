//! The telemetry thread: wakes once per interval, collects every stage's histograms, writes the
//! interval log and the status line. It sleeps between intervals and is never on the hot path.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use super::hlog::HlogWriter;
use super::hub::Hub;
use super::metric::Metric;
use super::metrics::{self, MetricsServer};
use super::status::StatusLine;
use crate::base::Clock;

/// What the telemetry thread writes.
#[derive(Debug, Clone, Default)]
pub struct TelemetryOptions {
    /// Interval between collections.
    pub interval_ns: u64,
    /// Print the status line on stderr.
    pub status_line: bool,
    /// Write the interval log here.
    pub hist_log: Option<PathBuf>,
    /// Serve Prometheus metrics at `http://ADDR/metrics` (checked already: see
    /// [`crate::config::parse_metrics_addr`]).
    pub metrics: Option<SocketAddr>,
    /// Set to the metrics endpoint's bound address once it listens (useful with port 0).
    pub metrics_bound: Option<Arc<OnceLock<SocketAddr>>>,
}

/// Start the telemetry thread. Set `stop` after every worker has joined; the thread then makes a
/// final collection and returns the hub (with the run's totals).
pub fn spawn(
    mut hub: Hub,
    opts: TelemetryOptions,
    clock: Clock,
    stop: Arc<AtomicBool>,
) -> std::io::Result<JoinHandle<std::io::Result<Hub>>> {
    let mut log = match &opts.hist_log {
        Some(p) => Some(HlogWriter::create(p, clock.unix_anchor_ns()).map_err(|e| {
            std::io::Error::new(e.kind(), format!("cannot create {}: {e}", p.display()))
        })?),
        None => None,
    };
    let mut server = match opts.metrics {
        Some(addr) => {
            let server = MetricsServer::bind(addr).map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("cannot listen for metrics on {addr}: {e}"),
                )
            })?;
            let bound = server.local_addr();
            eprintln!("microarb: metrics at http://{bound}/metrics");
            if let Some(cell) = &opts.metrics_bound {
                let _ = cell.set(bound);
            }
            Some(server)
        }
        None => None,
    };
    std::thread::Builder::new()
        .name("telemetry".to_string())
        .spawn(move || {
            let mut status = StatusLine::default();
            // Collect a little after each interval boundary, so the workers' hand-off for that
            // interval (made at the boundary) has arrived.
            let mut next = clock.now_ns() + opts.interval_ns + opts.interval_ns / 10;
            loop {
                let stopping = stop.load(Ordering::Acquire);
                if let Some(server) = server.as_mut() {
                    server.poll(&mut || metrics::render(&hub));
                }
                let now = clock.now_ns();
                if !stopping && now < next {
                    // Poll an open scrape sooner; never sleep past the interval boundary.
                    let cap = match &server {
                        Some(s) if s.busy() => 1_000_000,
                        _ => 10_000_000,
                    };
                    let wait = (next - now).min(cap);
                    std::thread::sleep(Duration::from_nanos(wait));
                    continue;
                }
                let collected = hub.collect(log.as_mut())?;
                let tto = collected.per_metric[Metric::TickToOrder.index()].0.clone();
                for line in hub.take_samples() {
                    eprintln!("microarb: sample: {line}");
                }
                if opts.status_line {
                    eprintln!("{}", status.render(now, &hub.counters, &tto));
                }
                if stopping {
                    return Ok(hub);
                }
                next += opts.interval_ns;
                if next < now {
                    next = now + opts.interval_ns;
                }
            }
        })
}
