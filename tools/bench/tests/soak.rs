//! Reliability scenarios 4 and 8, the endurance soak, compressed: the `soak` tool runs three
//! escalating load phases of under a second each against the in-process mock exchange (the same
//! command runs for hours on a real host with `--phase-seconds 1800`), and its summary and exit
//! status are checked: every phase's accounting balanced and its rings and slots drained, no 429,
//! every venue inside its published order limit, RSS sampled with its growth within the stated
//! bound, the SLA percentiles reported from the histograms (not asserted on wall-clock). With
//! `--gateway rest` the same phases trade over the engine's REST gateways against the mock
//! exchange's REST endpoints (the venues' published limits enforced there), and the 429s and 418s
//! the mock itself answered must be zero.

use std::path::PathBuf;
use std::process::Command;

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("microarb-soak-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

fn soak(phases: &str, extra: &[&str], report: &PathBuf) -> (i32, String, serde_json::Value) {
    soak_with(phases, "400", extra, report)
}

/// [`soak`] with a dislocation every `dislocation_every` market updates. The synthetic market's
/// venues quote in turn, so a multiple of the venue count always dislocates the same venue; an
/// odd one moves every venue in turn.
fn soak_with(
    phases: &str,
    dislocation_every: &str,
    extra: &[&str],
    report: &PathBuf,
) -> (i32, String, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_soak"))
        .args([
            "--phase-seconds",
            "0.8",
            "--phases",
            phases,
            "--max-rate",
            "12000",
            "--dislocation-every",
            dislocation_every,
            "--sample-ms",
            "100",
            "--no-pin",
            "--report",
        ])
        .arg(report)
        .args(extra)
        .output()
        .expect("soak runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = serde_json::from_slice(&std::fs::read(report).expect("summary written"))
        .expect("summary is JSON");
    (out.status.code().unwrap_or(-1), stdout, json)
}

#[test]
fn a_compressed_soak_holds_every_invariant_and_reports_the_sla_table() {
    let started = std::time::Instant::now();
    let report = tmp("soak.json");
    let (code, stdout, s) = soak("3", &[], &report);
    assert_eq!(code, 0, "{stdout}");
    for line in [
        "microarb soak summary",
        "zero-429",
        "ratelimit_wait",
        "memory",
        "result          OK",
    ] {
        assert!(stdout.contains(line), "{line:?} missing from:\n{stdout}");
    }
    let phases = s["phases"].as_array().expect("phases");
    assert_eq!(phases.len(), 3);
    let mut last_rate = 0;
    for p in phases {
        let rate = p["rate_per_s"].as_u64().expect("rate");
        assert!(rate > last_rate, "load escalates");
        last_rate = rate;
        assert_eq!(p["accounting_ok"], true, "{p}");
        let o = &p["opportunities"];
        assert_eq!(o["terminal_sum"], o["detected"]);
        assert!(p["frames"].as_u64().expect("frames") > 0);
        for k in ["quote_ring", "opp_ring", "slots"] {
            assert_eq!(p["occupancy_at_exit"][k], 0, "{k} drained");
        }
        for w in p["limit_windows"].as_array().expect("windows") {
            assert!(w["most_orders"].as_u64() <= w["limit"].as_u64(), "{w}");
        }
    }
    assert!(
        phases
            .iter()
            .map(|p| p["opportunities"]["detected"].as_u64().unwrap_or(0))
            .sum::<u64>()
            > 0
    );
    assert_eq!(s["status_429_total"], 0);
    assert!(s["rss"]["samples"].as_u64().expect("samples") >= 10);
    assert!(s["rss"]["max"].as_u64() >= s["rss"]["min"].as_u64());
    assert!(s["ratelimit_wait_ns"]["p95"].is_u64());
    assert!(s["tick_to_order_ns"]["count"].as_u64().expect("count") > 0);
    assert_eq!(s["ok"], true);
    eprintln!("compressed soak: {:?} wall", started.elapsed());
}

#[test]
fn a_compressed_rest_soak_gets_no_429_from_the_mock_exchange() {
    let started = std::time::Instant::now();
    let report = tmp("soak-rest.json");
    // The venues dislocate in turn, so Bybit and OKX are in arbitrages too.
    let (code, stdout, s) = soak_with("3", "401", &["--gateway", "rest"], &report);
    assert_eq!(code, 0, "{stdout}");
    for line in [
        "zero-429        0 answers 429 (engine); mock exchange: binance 0 x 429 0 x 418, bybit 0 x 429 0 x 418, okx 0 x 429 0 x 418, upbit 0 x 429 0 x 418",
        "result          OK",
    ] {
        assert!(stdout.contains(line), "{line:?} missing from:\n{stdout}");
    }
    assert_eq!(s["gateway"], "rest");
    assert_eq!(s["venues_left_out"], serde_json::json!([]));
    let phases = s["phases"].as_array().expect("phases");
    assert_eq!(phases.len(), 3);
    let mut orders_at_mock = 0;
    let mut per_venue = [0u64; 4];
    for p in phases {
        assert_eq!(p["accounting_ok"], true, "{p}");
        for k in ["quote_ring", "opp_ring", "slots"] {
            assert_eq!(p["occupancy_at_exit"][k], 0, "{k} drained");
        }
        let mock = p["mock_rest"].as_array().expect("the mock's answers");
        let names: Vec<_> = mock.iter().map(|m| m["venue"].clone()).collect();
        assert_eq!(names, ["binance", "bybit", "okx", "upbit"], "{p}");
        let mut received = 0;
        for (i, m) in mock.iter().enumerate() {
            per_venue[i] += m["orders"].as_u64().expect("orders");
            assert_eq!(m["status_429"], 0, "{m}");
            assert_eq!(m["status_418"], 0, "{m}");
            assert_eq!(m["auth_refused"], 0, "{m}");
            received += m["orders"].as_u64().expect("orders");
        }
        assert_eq!(
            received,
            p["orders_sent"].as_u64().expect("orders_sent"),
            "every order the engine sent reached the mock: {p}"
        );
        orders_at_mock += received;
    }
    assert!(orders_at_mock > 0, "orders went over REST");
    // The v5 gateways took part (which venue pairs trade depends on which venue each
    // dislocation moves; binance's and upbit's gateways are exercised by the other tests too).
    assert!(
        per_venue[1] > 0 && per_venue[2] > 0,
        "bybit and okx traded over REST (binance, bybit, okx, upbit): {per_venue:?}"
    );
    for t in s["mock_rest_totals"].as_array().expect("totals") {
        assert_eq!((&t["status_429"], &t["status_418"]), (&0.into(), &0.into()));
    }
    assert_eq!(s["status_429_total"], 0);
    assert_eq!(s["ok"], true);
    eprintln!("compressed REST soak: {:?} wall", started.elapsed());
}

#[test]
fn rss_growth_over_the_bound_fails_the_soak() {
    // A zero bound: the exit status must follow the measured growth exactly.
    let report = tmp("soak-bound.json");
    let (code, stdout, s) = soak("2", &["--max-rss-growth-mib", "0"], &report);
    let growth = s["rss"]["growth_bytes"].as_i64().expect("growth");
    if growth > 0 {
        assert_eq!(code, 1, "{stdout}");
        assert!(stdout.contains("result          FAILED"));
        assert_eq!(s["ok"], false);
    } else {
        assert_eq!(code, 0, "{stdout}");
    }
}

#[test]
fn bad_arguments_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_soak"))
        .args(["--phases", "0"])
        .output()
        .expect("soak runs");
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(env!("CARGO_BIN_EXE_soak"))
        .args(["--gateway", "fix"])
        .output()
        .expect("soak runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown gateway is bad usage"
    );
}
