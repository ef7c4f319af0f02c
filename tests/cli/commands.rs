//! The command line's contracts: exit statuses and what each command prints or writes.

use std::process::Command;

use crate::common::config::{demo, to_toml};
use crate::common::tmp::TempDir;

fn microarb() -> Command {
    Command::new(env!("CARGO_BIN_EXE_microarb"))
}

#[test]
fn bad_usage_exits_2() {
    let out = microarb().arg("frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = microarb().args(["run"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "run without --config");
}

#[test]
fn a_non_loopback_metrics_flag_exits_2() {
    let out = microarb()
        .args(["demo", "--seconds", "0.1", "--metrics", "0.0.0.0:9464"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--metrics") && err.contains("metrics_allow_remote"),
        "{err}"
    );
}

#[test]
fn check_config_names_the_key_and_exits_2() {
    let dir = TempDir::new("cli-check");
    let bad = dir.join("bad.toml");
    let mut cfg = demo();
    cfg.venues[2].taker_fee_bps = -8.0;
    std::fs::write(&bad, to_toml(&cfg)).unwrap();
    let out = microarb()
        .args(["check-config"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("venues[2].taker_fee_bps"), "{err}");

    let missing = microarb()
        .args(["check-config", "/nonexistent/x.toml"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));

    let good = dir.join("good.toml");
    std::fs::write(&good, microarb::config::LIVE_EXAMPLE_TOML).unwrap();
    let out = microarb()
        .args(["check-config", "--no-pin"])
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn demo_writes_report_and_log_that_hist_reads_and_plots() {
    let dir = TempDir::new("cli-demo");
    let report = dir.join("demo.json");
    let hlog = dir.join("demo.hlog");
    let out = microarb()
        .args([
            "demo",
            "--seconds",
            "1",
            "--no-pin",
            "--quiet",
            "--rate",
            "20000",
            "--no-metrics",
        ])
        .arg("--report")
        .arg(&report)
        .arg("--hist-log")
        .arg(&hlog)
        .arg("--out-dir")
        .arg(dir.join("out"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    for named in [&report, &hlog, &dir.join("out").join("latency.svg")] {
        assert!(named.exists(), "{} not written", named.display());
        assert!(err.contains(&named.display().to_string()), "{err}");
    }
    assert!(!err.contains("watch it live"), "--no-metrics: {err}");
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    for key in [
        "counters",
        "opportunities",
        "latency_ns",
        "rss_bytes",
        "config",
    ] {
        assert!(r.get(key).is_some(), "report lacks {key}");
    }
    assert_eq!(
        r["opportunities"]["terminal_sum"],
        r["opportunities"]["detected"]
    );
    for k in ["count", "p50", "p90", "p99", "p999", "max"] {
        assert!(r["latency_ns"]["tick_to_order"].get(k).is_some());
    }

    let svg = dir.join("demo.svg");
    let out = microarb()
        .arg("hist")
        .arg(&hlog)
        .arg("--plot")
        .arg(&svg)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("tick_to_order") && text.contains("p99.99"),
        "{text}"
    );
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));

    let out = microarb()
        .args(["hist", "/nonexistent.hlog"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    let out = microarb()
        .arg("hist")
        .arg(&hlog)
        .args(["--tag", "no_such_metric"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no tag no_such_metric") && err.contains("parse"),
        "{err}"
    );

    let out = microarb()
        .arg("hist")
        .arg(&hlog)
        .args(["--tag", "parse", "--plot"])
        .arg(dir.join("demo.png"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "only SVG is written");
    assert!(String::from_utf8_lossy(&out.stderr).contains(".svg"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("parse") && !text.contains("tick_to_order"),
        "{text}"
    );
}
