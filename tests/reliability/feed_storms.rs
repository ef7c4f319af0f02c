//! Reliability scenario 5, feed fault storms, against the real mock exchange over loopback: the
//! engine (`pipeline::run` in a thread, stopped through its `Shutdown`) trades on paper while the
//! test injects faults with `Control::inject`, round after round:
//!
//! - Binance: every connection dropped (TCP closed, no close frame) -> disconnects and reconnects
//!   counted, the feed comes back;
//! - Bybit: garbage frames (not JSON, truncated, wrong shapes) -> parse errors counted, the
//!   connection kept;
//! - OKX: a frame over `ingest.max_message_bytes` -> refused and counted as oversized, reconnected;
//! - Upbit: a stall (the TCP connection stays open, nothing flows either way: a half-open peer)
//!   longer than `reconnect_after_ms` -> a stale period counted, the silent session dropped and
//!   reconnected.
//!
//! No trade on stale data: every line of the `--opps` file (one per detected opportunity) is
//! checked against the engine's own capture of every raw frame: both venues of the opportunity had
//! a frame received within `stale_after_ms` before its trigger quote. The stalls make Upbit stale
//! for over a second each round while the other venues keep producing opportunities.
//!
//! A second test starves the strategy thread (it parks 20 ms whenever idle) behind a 4-slot quote
//! ring: drops are counted, never silent (`quotes pushed + dropped` = quotes parsed).
//!
//! Every run returns `Ok` (no thread panicked) and ends with the accounting invariant: every
//! detected opportunity in exactly one terminal state, every ring drained.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::common::accounting::{check_report, report_counter};
use crate::common::config::demo_with;
use crate::common::tmp::TempDir;
use microarb::config::{Config, IdleKind, RuntimeConfig, StageName, ThreadConfig};
use microarb::ingest::IngestSettings;
use microarb::pipeline::{run, Feed, RunOptions, RunSummary};
use microarb::runtime::Shutdown;
use mockex::{Fault, MockExchange};

use crate::common::mock::serve_config;

const STALE_AFTER_MS: u64 = 200;
const RECONNECT_AFTER_MS: u64 = 800;
const MAX_MESSAGE_BYTES: usize = 65_536;

fn unix_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// The demo config with short staleness and reconnect timings, `[runtime]` edited by `runtime`.
fn config(runtime: impl FnOnce(&mut RuntimeConfig)) -> Config {
    demo_with(|c| {
        for v in &mut c.venues {
            v.stale_after_ms = STALE_AFTER_MS;
        }
        c.telemetry.interval_ms = 200;
        c.telemetry.status_line = false;
        c.ingest.reconnect_after_ms = RECONNECT_AFTER_MS;
        c.ingest.connect_timeout_ms = 1000;
        c.ingest.max_message_bytes = MAX_MESSAGE_BYTES as u64;
        c.ingest.backoff_initial_ms = 20;
        c.ingest.backoff_max_ms = 200;
        runtime(&mut c.runtime);
    })
}

/// The mock exchange for `cfg`'s venues at `rate` frames/s, and `cfg` pointed at it.
fn exchange(cfg: &mut Config, rate: u64, dislocation_every: u64) -> MockExchange {
    serve_config(cfg, rate, dislocation_every).expect("mock exchange")
}

/// Start the engine in a thread; returns the stop handle and the result channel, which carries
/// the unix time read just before `run` started its clock (so at most that clock's anchor) with
/// the summary.
fn start_engine(
    cfg: Config,
    opps: Option<PathBuf>,
    record: Option<PathBuf>,
    seconds: Option<f64>,
) -> (Shutdown, mpsc::Receiver<(u64, RunSummary)>) {
    let sd = Shutdown::new();
    let opts = RunOptions {
        seconds,
        no_pin: true,
        status_line: Some(false),
        shutdown: Some(sd.clone()),
        opps,
        ..Default::default()
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let feed = Feed::Live {
            settings: IngestSettings::default(),
            record,
            ingest_only: false,
        };
        // At most the run's own clock anchor (taken just after, inside `run`).
        let anchor = unix_ns();
        let summary = run(&cfg, feed, &opts).expect("the run returns Ok: no thread panicked");
        tx.send((anchor, summary)).expect("test waits");
    });
    (sd, rx)
}

fn counter(r: &serde_json::Value, name: &str) -> u64 {
    report_counter(r, name)
}

fn check_accounting(summary: &RunSummary) {
    assert!(
        summary.unfinished.is_empty(),
        "stages left undrained: {:?}; {}",
        summary.unfinished,
        summary.report["opportunities"]
    );
    check_report(&summary.report);
}

fn wait_until(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let t = Instant::now();
    while !f() {
        assert!(t.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn fault_storms_are_counted_reconnected_and_never_traded_stale() {
    let started = Instant::now();
    let mut cfg = config(|_| {});
    let ex = exchange(&mut cfg, 4_000, 80);
    let ctl = ex.control();
    let dir = TempDir::new("reliability-storms");
    let opps_path = dir.join("storm-opps.jsonl");
    let capture_path = dir.join("storm.capture");
    let (sd, done) = start_engine(
        cfg,
        Some(opps_path.clone()),
        Some(capture_path.clone()),
        None,
    );
    wait_until("every venue subscribed", Duration::from_secs(10), || {
        ex.stats().iter().all(|s| s.subscribes >= 1)
    });
    std::thread::sleep(Duration::from_millis(300));

    const ROUNDS: u64 = 2;
    let stall = Duration::from_millis(RECONNECT_AFTER_MS + 400);
    let mut stalls = Vec::new();
    for _ in 0..ROUNDS {
        ctl.inject("binance", Fault::DropConnections)
            .expect("venue");
        ctl.inject("bybit", Fault::Garbage(5)).expect("venue");
        ctl.inject("okx", Fault::Oversized(2 * MAX_MESSAGE_BYTES))
            .expect("venue");
        let s0 = unix_ns();
        ctl.inject("upbit", Fault::Stall(Some(stall)))
            .expect("venue");
        std::thread::sleep(stall);
        stalls.push((s0, unix_ns()));
        // Time to reconnect and trade on fresh quotes again before the next round.
        std::thread::sleep(Duration::from_millis(700));
    }
    sd.request();
    let (anchor, summary) = done
        .recv_timeout(Duration::from_secs(30))
        .expect("the run ends");
    check_accounting(&summary);
    let r = &summary.report;
    let stats = |v: &str| ex.venue_stats(v).expect("venue");

    // Drops: each counted by the mock and the engine, and the feed came back every time.
    assert!(stats("binance").dropped_by_fault >= ROUNDS);
    assert!(counter(r, "ingest.binance.disconnects") >= ROUNDS);
    assert!(counter(r, "ingest.binance.reconnects") >= ROUNDS);
    assert!(counter(r, "ingest.binance.opens") > ROUNDS);
    // Garbage: every malformed frame counted; the connection kept (no extra session).
    assert_eq!(stats("bybit").garbage_sent, 5 * ROUNDS);
    assert!(
        counter(r, "ingest.bybit.parse_errors") >= 5 * ROUNDS,
        "parse errors {}",
        counter(r, "ingest.bybit.parse_errors")
    );
    assert_eq!(counter(r, "ingest.bybit.disconnects"), 0);
    // Oversized: refused, counted, reconnected.
    assert_eq!(stats("okx").oversized_sent, ROUNDS);
    assert_eq!(counter(r, "ingest.okx.oversized"), ROUNDS);
    assert!(counter(r, "ingest.okx.opens") > ROUNDS);
    // Stall (half-open): stale counted, the silent session dropped, a new one opened.
    assert!(counter(r, "ingest.upbit.stale_periods") >= ROUNDS);
    assert!(counter(r, "ingest.upbit.silent_drops") >= ROUNDS);
    assert!(counter(r, "ingest.upbit.opens") > ROUNDS);
    // Quotes kept flowing afterwards from every venue.
    for v in ["binance", "bybit", "okx", "upbit"] {
        assert!(counter(r, &format!("ingest.{v}.quotes")) > 100, "{v}");
    }

    // No trade on stale data, checked on every detected opportunity: both of its venues had a
    // frame received within stale_after before the opportunity's trigger quote (receive times
    // from the engine's own capture of every raw frame). Times map from the run's monotonic clock
    // with `anchor`, read just before the run's clock started, so the mapped time is at most the
    // true one and a flagged opportunity is a real violation (EPS covers the capture's own
    // timestamp granularity and the few microseconds of the mapping).
    const EPS: u64 = 20_000_000;
    let mut frames: HashMap<String, Vec<u64>> = HashMap::new();
    for line in std::fs::read_to_string(&capture_path)
        .expect("capture")
        .lines()
    {
        if line.starts_with('#') {
            continue;
        }
        let mut f = line.splitn(3, '\t');
        let (Some(t), Some(v)) = (f.next(), f.next()) else {
            continue;
        };
        let t: u64 = t.parse().expect("receive time");
        frames.entry(v.to_string()).or_default().push(t);
    }
    for t in frames.values_mut() {
        t.sort_unstable();
    }
    let text = std::fs::read_to_string(&opps_path).expect("opps file");
    let (mut upbit_opps, mut others_in_stall, mut violations) = (0, 0, Vec::new());
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    for o in &lines {
        let at = anchor + o["recv_ts"].as_u64().expect("recv_ts");
        for side in ["buy_venue", "sell_venue"] {
            let venue = o[side].as_str().expect("venue name");
            let times = frames.get(venue).map(Vec::as_slice).unwrap_or(&[]);
            let n = times.partition_point(|&x| x <= at + EPS);
            let age = n.checked_sub(1).map(|i| at.saturating_sub(times[i]));
            if age.is_none_or(|a| a > STALE_AFTER_MS * 1_000_000 + EPS) {
                violations.push((venue.to_string(), age, o.clone()));
            }
        }
        if o["buy_venue"] == "upbit" || o["sell_venue"] == "upbit" {
            upbit_opps += 1;
        } else {
            others_in_stall += stalls
                .iter()
                .filter(|&&(s0, s1)| at > s0 && at < s1)
                .count();
        }
    }
    assert!(
        violations.is_empty(),
        "traded on a stale quote (venue, its last frame's age in ns): {violations:#?}"
    );
    assert!(upbit_opps > 0, "Upbit took part when its feed was live");
    assert!(
        others_in_stall > 0,
        "the detector kept finding opportunities among the live venues during the stalls"
    );
    assert_eq!(
        lines.len() as u64,
        r["opportunities"]["detected"].as_u64().expect("detected"),
        "one line per detected opportunity"
    );
    eprintln!(
        "feed storms: {} rounds, {} opportunities ({} with upbit, {} without it during stalls), \
         {:?} wall",
        ROUNDS,
        lines.len(),
        upbit_opps,
        others_in_stall,
        started.elapsed()
    );
}

#[test]
fn a_slow_consumer_filling_a_tiny_ring_is_counted_not_silent() {
    let mut cfg = config(|r| {
        r.idle = IdleKind::Park;
        r.ring_capacity = 4;
        r.park_us = 20_000;
        r.threads = vec![
            ThreadConfig {
                name: "ingest".into(),
                stages: vec![StageName::Ingest],
                core: None,
                idle: Some(IdleKind::SpinYield),
            },
            ThreadConfig {
                name: "work".into(),
                stages: vec![StageName::Strategy, StageName::Exec],
                core: None,
                idle: None,
            },
        ];
    });
    let ex = exchange(&mut cfg, 8_000, 200);
    let (_sd, done) = start_engine(cfg, None, None, Some(1.5));
    let (_, summary) = done
        .recv_timeout(Duration::from_secs(30))
        .expect("the run ends");
    check_accounting(&summary);
    let r = &summary.report;
    let (mut parsed, mut dropped_by_ingest) = (0, 0);
    for v in ["binance", "bybit", "okx", "upbit"] {
        parsed += counter(r, &format!("ingest.{v}.quotes"));
        dropped_by_ingest += counter(r, &format!("ingest.{v}.quotes_dropped"));
    }
    // An opportunity the 4-slot opportunity ring refused is one terminal `dropped`, counted once
    // (the ring counts it too, under its own name, and that is not a second terminal state).
    assert_eq!(
        counter(r, "ring.opps.dropped"),
        counter(r, "strategy.opps.dropped")
    );
    assert_eq!(
        r["opportunities"]["dropped"].as_u64(),
        Some(counter(r, "strategy.opps.dropped"))
    );
    let dropped = counter(r, "ring.quotes.dropped");
    assert!(dropped > 0, "the 4-slot ring overflowed");
    assert_eq!(
        dropped, dropped_by_ingest,
        "each drop counted on both sides"
    );
    assert_eq!(
        counter(r, "ring.quotes.pushed"),
        parsed,
        "quotes parsed = pushed; the rest are counted drops"
    );
    drop(ex);
}
