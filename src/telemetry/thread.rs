//! The telemetry thread: wakes once per interval, collects every stage's histograms, writes the
//! interval log and the status line. It sleeps between intervals and is never on the hot path.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::hlog::HlogWriter;
use super::hub::Hub;
use super::metric::Metric;
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
    std::thread::Builder::new()
        .name("telemetry".to_string())
        .spawn(move || {
            let mut status = StatusLine::default();
            // Collect a little after each interval boundary, so the workers' hand-off for that
            // interval (made at the boundary) has arrived.
            let mut next = clock.now_ns() + opts.interval_ns + opts.interval_ns / 10;
            loop {
                let stopping = stop.load(Ordering::Acquire);
                let now = clock.now_ns();
                if !stopping && now < next {
                    let wait = (next - now).min(10_000_000);
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
