//! `soak` (tools/bench): the endurance run. The whole engine against the in-process mock exchange (as
//! `demo` runs it) through escalating load phases, with the process's RSS sampled throughout, and a
//! closing summary that checks what must hold however long it ran:
//!
//! - per phase: the frame rate asked for, frames and quotes taken, opportunities by terminal state,
//!   and the accounting invariant (terminal states add up to detections, nothing in flight at exit);
//! - occupancy at the end of every phase: both rings drained (pushed = popped), every execution slot
//!   given back: nothing held over from one phase to the next;
//! - zero-429 compliance: the 429s the venues answered (`exec.status_429`), and, since the paper
//!   venue enforces nothing itself, each venue's orders per published limit window counted from the
//!   `--opps` order times against the venue's published order limit (first legs only; hedges are
//!   not in that file). An order over the limit is one a real venue would have answered 429.
//!   With `--gateway rest` (module `soak_rest`) the orders go over the engine's REST gateways to
//!   the mock exchange's REST endpoints, which verify signatures and enforce the venues' published
//!   limits, and the 429 and 418 answers the mock itself counted, per venue, are checked too. The
//!   demo's four venues (Binance, Upbit, Bybit v5, OKX v5) all trade in that mode; a venue of a
//!   kind the mock served no REST for would be left out, and the run would say so;
//! - the seed's SLA table from the interval logs' full histograms (not wall-clock asserts):
//!   `ratelimit_wait` and `tick_to_order` p50/p95/p99/max;
//! - RSS: min, max, and growth from the end of the first phase to the end of the last, bounded by
//!   `--max-rss-growth-mib`.
//!
//! Exit status 1 when an invariant fails (accounting, occupancy, a limit window exceeded, a 429 or
//! 418, refused credentials at the mock, RSS growth over the bound) or the engine fails; 0
//! otherwise. Phase `i` (1-based) streams `max_rate * i / phases` frames/s, each phase a fresh engine run and mock exchange (the mock's
//! rate is fixed at start), in this one process, so leaks accumulate across phases where RSS sees
//! them. SIGINT/SIGTERM end the current phase cleanly and the summary covers the phases run.
//! Cold path throughout: allocation and printing are fine here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use microarb::config::{Config, Machine, DEMO_TOML};
use microarb::exec::params::ExecParams;
use microarb::ingest::IngestSettings;
use microarb::pipeline::{run, Feed, RunOptions};
use microarb::runtime::Shutdown;
use microarb::telemetry::{hlog, rss};
use serde_json::{json, Value};

use clap::Parser;

use mock::serve_config;
use soak_rest::{Gateway, RestSoak};

#[path = "../../../src/cli/mock.rs"]
mod mock;
mod soak_rest;

const MIB: u64 = 1 << 20;

/// Arguments of `soak`.
#[derive(Debug, clap::Args)]
pub struct SoakArgs {
    /// Seconds per load phase (hours in total on a real host: e.g. 1800 x 8).
    #[arg(long, default_value_t = 60.0)]
    phase_seconds: f64,
    /// Number of phases; phase i streams max_rate * i / phases frames/s.
    #[arg(long, default_value_t = 5)]
    phases: u32,
    /// Frames per second of the last phase, in total over the venues.
    #[arg(long, default_value_t = 40_000)]
    max_rate: u64,
    /// One injected dislocation every this many frames (the demo's default: inside the venues'
    /// order limits).
    #[arg(long, default_value_t = 5_000)]
    dislocation_every: u64,
    /// Largest RSS growth allowed from the end of the first phase to the end of the last, MiB.
    #[arg(long, default_value_t = 64)]
    max_rss_growth_mib: u64,
    /// RSS sampling period, ms.
    #[arg(long, default_value_t = 1000)]
    sample_ms: u64,
    /// Also write the summary as JSON here.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Do not pin threads to cores.
    #[arg(long)]
    no_pin: bool,
    /// Where orders go: `paper` (the in-process paper venue) or `rest` (the engine's REST gateways
    /// against the mock exchange's REST endpoints, which enforce the venues' published limits and
    /// count their own 429/418 answers; Binance, Upbit, Bybit and OKX venues).
    #[arg(long, value_enum, default_value_t = Gateway::Paper)]
    gateway: Gateway,
}

/// What one phase measured.
struct Phase {
    summary: Value,
    ratelimit_wait: Histogram<u64>,
    tick_to_order: Histogram<u64>,
    failures: Vec<String>,
}

/// The `soak` command line: exactly the flags `microarb soak` had.
#[derive(Debug, Parser)]
#[command(
    name = "soak",
    about = "Endurance run: escalating load phases against the in-process mock exchange, RSS \
             sampled, invariants checked, an SLA summary printed (exit 1 when an invariant \
             fails); `--gateway rest` sends the orders to the mock's REST endpoints and checks \
             its own 429/418 counts"
)]
struct Cli {
    #[command(flatten)]
    args: SoakArgs,
}

/// Exit status 2 for bad usage (0 for `--help`), else [`run_soak`]'s.
fn main() -> ExitCode {
    match Cli::try_parse() {
        Ok(cli) => run_soak(cli.args),
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            ExitCode::from(code)
        }
    }
}

/// Print a config error and return exit status 2 (as the engine binary does).
fn config_failure(e: &microarb::config::ConfigErrors) -> ExitCode {
    for line in e.to_string().lines() {
        eprintln!("microarb: {line}");
    }
    ExitCode::from(2)
}

/// Print a runtime error and return exit status 1 (as the engine binary does).
fn runtime_failure(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("microarb: {e}");
    ExitCode::from(1)
}

/// Run the soak phases and print the summary.
fn run_soak(a: SoakArgs) -> ExitCode {
    if a.phases == 0
        || a.max_rate == 0
        || !a.phase_seconds.is_finite()
        || a.phase_seconds <= 0.0
        || a.sample_ms == 0
    {
        eprintln!("microarb: soak: --phases, --max-rate, --phase-seconds and --sample-ms must be positive");
        return ExitCode::from(2);
    }
    let machine = Machine::this(!a.no_pin);
    let mut cfg = match Config::from_toml_str(DEMO_TOML, &machine) {
        Ok(c) => c,
        Err(e) => return config_failure(&e),
    };
    cfg.telemetry.status_line = false;
    let dir = std::env::temp_dir().join(format!("microarb-soak-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return runtime_failure(&format!("cannot create {}: {e}", dir.display()));
    }
    let (cfg, rest) = match a.gateway {
        Gateway::Paper => (cfg, None),
        Gateway::Rest => match RestSoak::prepare(&cfg, &dir, &machine) {
            Ok((c, r)) => (c, Some(r)),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                eprintln!("microarb: soak: {e}");
                return ExitCode::from(if e.is_config() { 2 } else { 1 });
            }
        },
    };
    let interrupted = Shutdown::new();
    if let Err(e) = interrupted.install_signal_handlers() {
        return runtime_failure(&format!("cannot install signal handlers: {e}"));
    }
    let sampler = RssSampler::start(Duration::from_millis(a.sample_ms));
    eprintln!(
        "microarb soak: {} phases x {} s, up to {} frames/s, {}",
        a.phases,
        a.phase_seconds,
        a.max_rate,
        rest.as_ref().map_or_else(
            || "paper trading against the in-process mock exchange".to_string(),
            RestSoak::describe
        )
    );

    let mut phases = Vec::new();
    let mut rss_at_phase_end = Vec::new();
    let mut error = None;
    for i in 1..=a.phases {
        if interrupted.is_requested() {
            break;
        }
        let rate = (a.max_rate * u64::from(i) / u64::from(a.phases)).max(1);
        match run_phase(&cfg, rest.as_ref(), i, rate, &a, &dir, &interrupted) {
            Ok(p) => {
                let o = &p.summary["opportunities"];
                eprintln!(
                    "microarb soak: phase {i} done: {} frames/s, {} frames, {} opportunities, {} executed{}",
                    p.summary["rate_per_s"],
                    p.summary["frames"],
                    o["detected"],
                    o["executed"],
                    if p.failures.is_empty() { "" } else { ", FAILED" }
                );
                phases.push(p);
                rss_at_phase_end.push(rss::read().map(|r| r.current).unwrap_or(0));
            }
            Err(e) => {
                error = Some(format!("phase {i}: {e}"));
                break;
            }
        }
    }
    let samples = sampler.stop();
    let _ = std::fs::remove_dir_all(&dir);
    let (summary, failures) = summarize(
        &a,
        rest.as_ref(),
        &phases,
        &rss_at_phase_end,
        &samples,
        error,
    );
    print!("{}", render(&summary));
    if let Some(path) = &a.report {
        if let Err(e) = std::fs::write(path, format!("{summary:#}\n")) {
            return runtime_failure(&format!("cannot write {}: {e}", path.display()));
        }
    }
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        for f in &failures {
            eprintln!("microarb soak: FAILED: {f}");
        }
        ExitCode::from(1)
    }
}

/// One engine run at `rate` frames/s for the phase's length (or until interrupted); over REST to
/// the mock's REST endpoints when `rest` is given, on paper otherwise.
fn run_phase(
    base: &Config,
    rest: Option<&RestSoak>,
    i: u32,
    rate: u64,
    a: &SoakArgs,
    dir: &Path,
    interrupted: &Shutdown,
) -> Result<Phase, String> {
    let mut cfg = base.clone();
    let exchange = match rest {
        Some(r) => r.serve(&mut cfg, rate, a.dislocation_every),
        None => serve_config(&mut cfg, rate, a.dislocation_every),
    }
    .map_err(|e| format!("mock exchange: {e}"))?;
    let hlog_path = dir.join(format!("phase-{i}.hlog"));
    let opps_path = dir.join(format!("phase-{i}.jsonl"));
    let sd = Shutdown::new();
    let stop = Arc::new(AtomicBool::new(false));
    let timer = {
        let (sd, stop, interrupted) = (sd.clone(), stop.clone(), interrupted.clone());
        let deadline = Instant::now() + Duration::from_secs_f64(a.phase_seconds);
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if Instant::now() >= deadline || interrupted.is_requested() {
                    sd.request();
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let opts = RunOptions {
        seconds: None,
        hist_log: Some(hlog_path.clone()),
        report: None,
        no_pin: a.no_pin,
        status_line: Some(false),
        signals: false,
        shutdown: Some(sd),
        opps: Some(opps_path.clone()),
        trades: None,
        metrics: None,
        metrics_bound: None,
    };
    let feed = Feed::Live {
        settings: IngestSettings::default(),
        record: None,
        ingest_only: false,
    };
    let result = run(&cfg, feed, &opts);
    stop.store(true, Ordering::Relaxed);
    let _ = timer.join();
    let mock = rest.map(|_| soak_rest::mock_answers(&exchange));
    drop(exchange);
    let report = result.map_err(|e| e.to_string())?.report;

    let bytes = std::fs::read(&hlog_path).map_err(|e| format!("{}: {e}", hlog_path.display()))?;
    let mut totals =
        hlog::read_totals(&hlog_path.display().to_string(), &bytes).map_err(|e| e.to_string())?;
    let mut take = |tag: &str| {
        totals
            .remove(tag)
            .map(|(h, _)| h)
            .unwrap_or_else(empty_histogram)
    };
    let (ratelimit_wait, tick_to_order) = (take("ratelimit_wait"), take("tick_to_order"));
    let opps =
        std::fs::read_to_string(&opps_path).map_err(|e| format!("{}: {e}", opps_path.display()))?;
    let windows = limit_windows(&cfg, &opps)?;
    let (summary, failures) = phase_summary(i, rate, &report, windows, mock.as_deref());
    Ok(Phase {
        summary,
        ratelimit_wait,
        tick_to_order,
        failures,
    })
}

fn empty_histogram() -> Histogram<u64> {
    Histogram::new(3).expect("3 significant digits is a valid precision")
}

/// Per venue: the most orders in any window of its order limit, and the limit (from `--opps`
/// order times: each opportunity whose orders were written sent one order to each venue).
fn limit_windows(cfg: &Config, opps: &str) -> Result<Vec<(String, u64, u64, u64)>, String> {
    let params = ExecParams::from_config(cfg).map_err(|e| e.to_string())?;
    let mut times: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for line in opps.lines() {
        let v: Value = serde_json::from_str(line).map_err(|e| format!("--opps line: {e}"))?;
        let Some(t) = v["order_ts"].as_u64() else {
            continue;
        };
        for side in ["buy_venue", "sell_venue"] {
            if let Some(name) = cfg.venues.iter().find(|x| v[side] == x.name.as_str()) {
                times.entry(name.name.as_str()).or_default().push(t);
            }
        }
    }
    let mut out = Vec::new();
    for (venue, ve) in cfg.venues.iter().zip(&params.venues) {
        let Some(spec) = ve.order_groups[0].and_then(|g| ve.limits[g.index()]) else {
            continue;
        };
        let mut t = times.remove(venue.name.as_str()).unwrap_or_default();
        t.sort_unstable();
        let (mut lo, mut most) = (0, 0u64);
        for hi in 0..t.len() {
            while t[hi] - t[lo] >= spec.window_ns {
                lo += 1;
            }
            most = most.max((hi - lo + 1) as u64);
        }
        out.push((
            venue.name.clone(),
            most,
            u64::from(spec.limit),
            spec.window_ns,
        ));
    }
    Ok(out)
}

fn counter(r: &Value, name: &str) -> u64 {
    r["counters"][name].as_u64().unwrap_or(0)
}

fn sum_counters(r: &Value, suffix: &str) -> u64 {
    r["counters"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| k.starts_with("ingest.") && k.ends_with(suffix))
                .filter_map(|(_, v)| v.as_u64())
                .sum()
        })
        .unwrap_or(0)
}

/// One phase's line of the summary, and what failed in it (`mock`: what the mock exchange
/// answered, REST soak only).
fn phase_summary(
    i: u32,
    rate: u64,
    r: &Value,
    windows: Vec<(String, u64, u64, u64)>,
    mock: Option<&[soak_rest::MockAnswers]>,
) -> (Value, Vec<String>) {
    let o = &r["opportunities"];
    let detected = o["detected"].as_u64().unwrap_or(0);
    let terminal = o["terminal_sum"].as_u64().unwrap_or(u64::MAX);
    let in_flight = o["in_flight_at_exit"].as_u64().unwrap_or(u64::MAX);
    let ring = |n: &str| {
        counter(r, &format!("ring.{n}.pushed")) as i64
            - counter(r, &format!("ring.{n}.popped")) as i64
    };
    let slots_open =
        counter(r, "exec.slots.acquired") as i64 - counter(r, "exec.slots.released") as i64;
    let status_429 = counter(r, "exec.status_429");
    let mut failures = Vec::new();
    if terminal != detected || in_flight != 0 {
        failures.push(format!(
            "phase {i}: accounting: detected {detected}, terminal states {terminal}, in flight at exit {in_flight}"
        ));
    }
    if ring("quotes") != 0 || ring("opps") != 0 || slots_open != 0 {
        failures.push(format!(
            "phase {i}: occupancy at exit: quote ring {}, opportunity ring {}, slots {slots_open}",
            ring("quotes"),
            ring("opps")
        ));
    }
    if status_429 != 0 {
        failures.push(format!("phase {i}: {status_429} answers 429"));
    }
    if let Some(m) = mock {
        failures.extend(soak_rest::failures(i, m));
    }
    for (v, most, limit, w) in &windows {
        if most > limit {
            failures.push(format!(
                "phase {i}: {v}: {most} orders in a {} ms window, limit {limit}",
                w / 1_000_000
            ));
        }
    }
    let summary = json!({
        "phase": i,
        "rate_per_s": rate,
        "seconds": r["run"]["seconds"].clone(),
        "frames": sum_counters(r, ".frames"),
        "quotes": sum_counters(r, ".quotes"),
        "quotes_dropped": counter(r, "ring.quotes.dropped"),
        "parse_errors": sum_counters(r, ".parse_errors"),
        "reconnects": sum_counters(r, ".reconnects"),
        "opportunities": o.clone(),
        "accounting_ok": terminal == detected && in_flight == 0,
        "occupancy_at_exit": {
            "quote_ring": ring("quotes"), "opp_ring": ring("opps"), "slots": slots_open,
        },
        "status_429": status_429,
        "orders_sent": counter(r, "exec.orders_sent"),
        "opps_log_dropped": counter(r, "opps_log.strategy.dropped") + counter(r, "opps_log.exec.dropped"),
        "limit_windows": windows.iter().map(|(v, most, limit, w)| json!({
            "venue": v, "most_orders": most, "limit": limit, "window_ms": w / 1_000_000,
        })).collect::<Vec<_>>(),
        "mock_rest": mock.map(soak_rest::to_json),
    });
    (summary, failures)
}

fn percentiles(h: &Histogram<u64>) -> Value {
    json!({
        "count": h.len(),
        "p50": h.value_at_quantile(0.50),
        "p95": h.value_at_quantile(0.95),
        "p99": h.value_at_quantile(0.99),
        "max": h.max(),
    })
}

/// The whole soak's summary and every failure.
fn summarize(
    a: &SoakArgs,
    rest: Option<&RestSoak>,
    phases: &[Phase],
    rss_at_phase_end: &[u64],
    samples: &[(f64, u64)],
    error: Option<String>,
) -> (Value, Vec<String>) {
    let mut failures: Vec<String> = phases.iter().flat_map(|p| p.failures.clone()).collect();
    failures.extend(error);
    if phases.is_empty() {
        failures.push("no phase completed".to_string());
    }
    let mut wait = empty_histogram();
    let mut tto = empty_histogram();
    for p in phases {
        let _ = wait.add(&p.ratelimit_wait);
        let _ = tto.add(&p.tick_to_order);
    }
    let rss: Vec<u64> = samples.iter().map(|s| s.1).collect();
    let growth = match (rss_at_phase_end.first(), rss_at_phase_end.last()) {
        (Some(&first), Some(&last)) => last as i64 - first as i64,
        _ => 0,
    };
    if growth > (a.max_rss_growth_mib * MIB) as i64 {
        failures.push(format!(
            "RSS grew {:.1} MiB from the end of phase 1 to the end of the last, bound {} MiB",
            growth as f64 / MIB as f64,
            a.max_rss_growth_mib
        ));
    }
    let phase_summaries: Vec<Value> = phases.iter().map(|p| p.summary.clone()).collect();
    let summary = json!({
        "gateway": if rest.is_some() { "rest" } else { "paper" },
        "venues_left_out": rest.map(|r| r.dropped.clone()),
        "mock_rest_totals": rest.map(|_| soak_rest::totals(&phase_summaries)),
        "phases": phase_summaries,
        "status_429_total": phases.iter().map(|p| p.summary["status_429"].as_u64().unwrap_or(0)).sum::<u64>(),
        "ratelimit_wait_ns": percentiles(&wait),
        "tick_to_order_ns": percentiles(&tto),
        "rss": {
            "samples": rss.len(),
            "min": rss.iter().min().copied().unwrap_or(0),
            "max": rss.iter().max().copied().unwrap_or(0),
            "at_phase_end": rss_at_phase_end,
            "growth_bytes": growth,
            "growth_bound_bytes": a.max_rss_growth_mib * MIB,
        },
        "ok": failures.is_empty(),
        "failures": failures.clone(),
    });
    (summary, failures)
}

/// The summary as the table an operator reads.
fn render(s: &Value) -> String {
    let mut out = String::from("microarb soak summary\n");
    out.push_str("phase  rate/s    frames   quotes  q.drop  detected  executed  partial  expired  dropped  rejected  accounting  occupancy\n");
    for p in s["phases"].as_array().into_iter().flatten() {
        let o = &p["opportunities"];
        let rejected: u64 = o["rejected"]
            .as_object()
            .map(|m| m.values().filter_map(Value::as_u64).sum())
            .unwrap_or(0);
        let occ = &p["occupancy_at_exit"];
        let occupancy_zero = ["quote_ring", "opp_ring", "slots"]
            .iter()
            .all(|k| occ[k].as_i64() == Some(0));
        out.push_str(&format!(
            "{:>5} {:>7} {:>9} {:>8} {:>7} {:>9} {:>9} {:>8} {:>8} {:>8} {:>9}  {:>10}  {:>9}\n",
            p["phase"].to_string(),
            p["rate_per_s"].to_string(),
            p["frames"].to_string(),
            p["quotes"].to_string(),
            p["quotes_dropped"].to_string(),
            o["detected"].to_string(),
            o["executed"].to_string(),
            o["partial"].to_string(),
            o["expired"].to_string(),
            o["dropped"].to_string(),
            rejected,
            if p["accounting_ok"] == true {
                "balanced"
            } else {
                "BROKEN"
            },
            if occupancy_zero { "drained" } else { "HELD" },
        ));
        for w in p["limit_windows"].as_array().into_iter().flatten() {
            out.push_str(&format!(
                "        {}: at most {} orders in any {} ms (limit {})\n",
                w["venue"].as_str().unwrap_or("?"),
                w["most_orders"],
                w["window_ms"],
                w["limit"]
            ));
        }
        out.push_str(&soak_rest::phase_lines(p));
    }
    let pct = |name: &str, v: &Value| {
        format!(
            "{name:<15} count {:>8}  p50 {:>10} ns  p95 {:>10} ns  p99 {:>10} ns  max {:>10} ns\n",
            v["count"].to_string(),
            v["p50"].to_string(),
            v["p95"].to_string(),
            v["p99"].to_string(),
            v["max"].to_string()
        )
    };
    out.push_str("SLA\n");
    if s["gateway"] == "rest" {
        out.push_str(&soak_rest::zero_429_line(s));
    } else {
        out.push_str(&format!(
            "zero-429        {} answers 429 (paper venue; limit windows above)\n",
            s["status_429_total"]
        ));
    }
    out.push_str(&pct("ratelimit_wait", &s["ratelimit_wait_ns"]));
    out.push_str(&pct("tick_to_order", &s["tick_to_order_ns"]));
    let r = &s["rss"];
    let mib = |v: &Value| v.as_i64().unwrap_or(0) as f64 / MIB as f64;
    out.push_str(&format!(
        "memory          rss min {:.1} MiB  max {:.1} MiB  growth {:.1} MiB (bound {:.0} MiB, {} samples)\n",
        mib(&r["min"]),
        mib(&r["max"]),
        mib(&r["growth_bytes"]),
        mib(&r["growth_bound_bytes"]),
        r["samples"]
    ));
    out.push_str(&format!(
        "result          {}\n",
        if s["ok"] == true { "OK" } else { "FAILED" }
    ));
    out
}

/// Samples the process's RSS on its own thread until stopped.
struct RssSampler {
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<Vec<(f64, u64)>>,
}

impl RssSampler {
    fn start(every: Duration) -> RssSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let t0 = Instant::now();
            let mut samples = Vec::new();
            let mut next = t0;
            while !flag.load(Ordering::Relaxed) {
                if Instant::now() >= next {
                    if let Some(r) = rss::read() {
                        samples.push((t0.elapsed().as_secs_f64(), r.current));
                    }
                    next += every;
                }
                std::thread::sleep(Duration::from_millis(10).min(every));
            }
            if let Some(r) = rss::read() {
                samples.push((t0.elapsed().as_secs_f64(), r.current));
            }
            samples
        });
        RssSampler { stop, handle }
    }

    fn stop(self) -> Vec<(f64, u64)> {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap_or_default()
    }
}
