//! The venues' server clocks: measured at start-up and every `execution.rest.clock_sync_ms`
//! from a cold thread, stored in the router's [`ClockOffsets`] so every signed timestamp is on
//! the venue's clock, never the host's.
//!
//! Why: Binance refuses a request whose `timestamp` is more than 1 s ahead of its clock or older
//! than `recvWindow` (-1021), Bybit likewise (10002), OKX beyond 30 s (50102). A host clock that
//! drifted a few seconds would have every order refused.
//!
//! How: `GET` the venue's server-time endpoint through the account API
//! ([`AccountClient::server_time`]: Binance `/api/v3/time`, Bybit `/v5/market/time`, OKX
//! `/api/v5/public/time`) [`SAMPLES`] times, keep the sample with the shortest round trip, and
//! take `offset = server - local` at the midpoint of that round trip (the server read its clock
//! somewhere inside it; the midpoint is off by at most half the round trip). `local` is the
//! engine's [`Clock`] (the wall clock the router signs with), so a host clock that is wrong is
//! corrected, and a test's skewed `Clock` too. Upbit is not measured: its orders carry a JWT
//! nonce, no timestamp a venue checks.
//!
//! Failures never stop the engine: a venue whose clock cannot be read keeps its last offset (0
//! at start-up, the host's clock), a line goes to stderr at start-up, and
//! `clock_sync.<venue>.failed` counts it; `clock_sync.<venue>.measured` counts successes and the
//! gauge `microarb_venue_clock_offset_ms{venue}` shows the offset in use.
//!
//! Cold path only: blocking HTTP, allocation, stderr. The hot path reads the offsets with one
//! relaxed atomic load ([`ClockOffsets`] documents the ordering).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::base::{Clock, ClockOffsets, Counter, Gauge};
use crate::config::Config;
use crate::exec::account::{client_for_venue, AccountClient, AccountError};
use crate::model::VenueKind;
use crate::telemetry::gauges::CLOCK_OFFSET;
use crate::telemetry::Registry;

/// Server-time calls per measurement; the shortest round trip is kept.
pub const SAMPLES: usize = 3;
/// Timeout of one server-time call (a slow answer is a poor measurement anyway).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(2);
/// How often the sync thread looks at its stop flag while it waits.
const STOP_POLL: Duration = Duration::from_millis(20);

/// One measurement of a venue's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetSample {
    /// `server - local`, ms (positive: the venue's clock is ahead of ours).
    pub offset_ms: i64,
    /// Round trip of the call it came from, ms.
    pub round_trip_ms: u64,
}

/// Whether the venue signs a timestamp it checks against its clock (Binance, Bybit, OKX; not
/// Upbit, whose JWT carries a nonce).
pub const fn checks_timestamps(kind: VenueKind) -> bool {
    matches!(kind, VenueKind::Binance | VenueKind::Bybit | VenueKind::Okx)
}

/// Measure `client`'s venue clock against `local_ms` (the local unix ms now): [`SAMPLES`] calls,
/// the one with the shortest round trip. Fails only when every call failed (the last error).
pub fn measure(
    client: &mut AccountClient,
    local_ms: &dyn Fn() -> u64,
) -> Result<OffsetSample, AccountError> {
    let mut best: Option<OffsetSample> = None;
    let mut last_err = None;
    for _ in 0..SAMPLES {
        let before = local_ms();
        match client.server_time() {
            Ok(t) => {
                let after = local_ms().max(before);
                let rtt = after - before;
                let mid = i128::from(before) + i128::from(rtt / 2);
                let off = i128::from(t.unix_ms) - mid;
                let s = OffsetSample {
                    offset_ms: i64::try_from(off).unwrap_or(if off < 0 {
                        i64::MIN
                    } else {
                        i64::MAX
                    }),
                    round_trip_ms: rtt,
                };
                if best.is_none_or(|b| s.round_trip_ms < b.round_trip_ms) {
                    best = Some(s);
                }
            }
            Err(e) => last_err = Some(e),
        }
    }
    match (best, last_err) {
        (Some(b), _) => Ok(b),
        (None, Some(e)) => Err(e),
        (None, None) => unreachable_samples(),
    }
}

/// `SAMPLES` is at least one, so a measurement has a sample or an error.
fn unreachable_samples() -> Result<OffsetSample, AccountError> {
    Err(AccountError::Setup {
        venue: String::new(),
        why: "no server-time sample taken".into(),
    })
}

/// One venue whose clock is kept.
struct Target {
    venue: usize,
    name: String,
    client: Option<AccountClient>,
    measured: Counter,
    failed: Counter,
    gauge: Gauge,
}

/// The venues' clocks and the offsets they feed. Built and first measured at start-up
/// ([`ClockSync::start_up`]), then handed to its thread ([`ClockSync::spawn`]).
pub struct ClockSync {
    targets: Vec<Target>,
    offsets: ClockOffsets,
    clock: Clock,
}

impl std::fmt::Debug for ClockSync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClockSync")
            .field(
                "venues",
                &self.targets.iter().map(|t| &t.name).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl ClockSync {
    /// Every venue of `cfg` that trades and checks timestamps ([`checks_timestamps`]), its
    /// public server-time call built from its `rest_url`, writing into `offsets`; counters and
    /// the offset gauge registered in `reg`. Measures nothing yet. A venue whose client cannot
    /// be built (its host does not resolve) is kept and counted failed at each measurement.
    pub fn new(cfg: &Config, offsets: ClockOffsets, clock: Clock, reg: &mut Registry) -> Self {
        let targets = cfg
            .venues
            .iter()
            .enumerate()
            .filter(|(_, v)| v.trade && checks_timestamps(v.kind))
            .map(|(i, v)| Target {
                venue: i,
                name: v.name.clone(),
                client: client_for_venue(cfg, &v.name, None, CALL_TIMEOUT).ok(),
                measured: reg.counter(&format!("clock_sync.{}.measured", v.name)),
                failed: reg.counter(&format!("clock_sync.{}.failed", v.name)),
                gauge: reg.gauge(CLOCK_OFFSET, &[("venue", &v.name)]),
            })
            .collect();
        ClockSync {
            targets,
            offsets,
            clock,
        }
    }

    /// [`new`](Self::new) and one measurement of every venue now, each failure written to
    /// stderr (the engine goes on with that venue's offset at 0). Cold path.
    pub fn start_up(cfg: &Config, offsets: ClockOffsets, clock: Clock, reg: &mut Registry) -> Self {
        let mut s = ClockSync::new(cfg, offsets, clock, reg);
        for (name, r) in s.measure_all() {
            match r {
                Ok(m) => eprintln!(
                    "clock sync: {name}: server clock {:+} ms from ours (round trip {} ms)",
                    m.offset_ms, m.round_trip_ms
                ),
                Err(why) => eprintln!(
                    "clock sync: {name}: server time not read ({why}); signing with the host's clock"
                ),
            }
        }
        s
    }

    /// Venues kept, by name.
    pub fn venues(&self) -> Vec<&str> {
        self.targets.iter().map(|t| t.name.as_str()).collect()
    }

    /// Measure every venue once and store each offset read; what happened, per venue.
    pub fn measure_all(&mut self) -> Vec<(String, Result<OffsetSample, String>)> {
        let clock = self.clock;
        let local = move || clock.unix_ns(clock.now_ns()) / 1_000_000;
        let mut out = Vec::with_capacity(self.targets.len());
        for t in &mut self.targets {
            let r = match t.client.as_mut() {
                Some(c) => measure(c, &local).map_err(|e| e.to_string()),
                None => Err("its REST host did not resolve".to_string()),
            };
            match &r {
                Ok(m) => {
                    self.offsets.set_ms(t.venue, m.offset_ms);
                    t.gauge.set(m.offset_ms);
                    t.measured.inc();
                }
                Err(_) => t.failed.inc(),
            }
            out.push((t.name.clone(), r));
        }
        out
    }

    /// Re-measure every `period` on a thread of its own (`clock-sync`) until the returned
    /// handle drops. Cold path (spawns a thread).
    pub fn spawn(mut self, period: Duration) -> std::io::Result<ClockSyncHandle> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("clock-sync".into())
            .spawn(move || {
                while sleep_unless_stopped(&flag, period) {
                    self.measure_all();
                }
            })?;
        Ok(ClockSyncHandle {
            stop,
            thread: Some(thread),
        })
    }
}

/// Sleep `d`, waking every [`STOP_POLL`] to look at `stop`; false when it was set.
fn sleep_unless_stopped(stop: &AtomicBool, d: Duration) -> bool {
    let end = std::time::Instant::now() + d;
    loop {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        let now = std::time::Instant::now();
        if now >= end {
            return true;
        }
        std::thread::sleep(STOP_POLL.min(end - now));
    }
}

/// The running `clock-sync` thread: dropping it tells the thread to stop (it ends after the
/// measurement in progress, if any; nobody waits for it).
#[derive(Debug)]
pub struct ClockSyncHandle {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ClockSyncHandle {
    /// Stop the thread and wait for it (at most one measurement: [`SAMPLES`] calls of
    /// [`CALL_TIMEOUT`] per venue).
    pub fn stop_and_join(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for ClockSyncHandle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The REST start-up's clock step: with `execution.rest.clock_sync_ms` > 0, measure every
/// timestamp-checking venue now into `offsets` and keep re-measuring on a `clock-sync` thread
/// (its handle returned: keep it as long as the offsets are used). `None` when the key is 0
/// (the host's clock is trusted) or when no venue needs it. A thread that cannot be spawned
/// leaves the start-up measurement in place, with a stderr line.
pub fn start(
    cfg: &Config,
    offsets: ClockOffsets,
    clock: Clock,
    reg: &mut Registry,
) -> Option<ClockSyncHandle> {
    let period_ms = cfg.execution.rest.clock_sync_ms;
    if period_ms == 0 {
        return None;
    }
    let sync = ClockSync::start_up(cfg, offsets, clock, reg);
    if sync.targets.is_empty() {
        return None;
    }
    match sync.spawn(Duration::from_millis(period_ms)) {
        Ok(h) => Some(h),
        Err(e) => {
            eprintln!("clock sync: cannot start the clock-sync thread ({e}); offsets stay as measured at start-up");
            None
        }
    }
}
