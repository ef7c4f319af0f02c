//! What `microarb demo` tells a newcomer: where it runs and how to watch it at start; at the end
//! the orders it sent with their `tick_to_order` percentiles, and the files it wrote, which exist.
//! No assertion on how fast anything is.

use std::process::Command;

use crate::common::tmp::TempDir;

/// The number right after `prefix` in `text`.
fn number_after(text: &str, prefix: &str) -> Option<u64> {
    let rest = &text[text.find(prefix)? + prefix.len()..];
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

#[test]
fn the_summary_counts_the_orders_gives_percentiles_and_names_files_that_exist() {
    let dir = TempDir::new("cli-demo-summary");
    let out_dir = dir.join("microarb-demo");
    let out = Command::new(env!("CARGO_BIN_EXE_microarb"))
        .args(["demo", "--seconds", "2", "--no-pin", "--quiet"])
        .args(["--metrics", "127.0.0.1:0", "--out-dir"])
        .arg(&out_dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");

    // At start: the layout and why, and how to watch it (port 0: the bound port, with --url).
    assert!(
        err.contains("threads: ") && err.contains("idle park"),
        "{err}"
    );
    assert!(err.contains("cores") || err.contains("core"), "{err}");
    assert!(err.contains("top --url http://127.0.0.1:"), "{err}");

    // The files: named in the summary, and there.
    for name in [
        "demo.hlog",
        "report.json",
        "latency.svg",
        "demo.tick_to_order.hgrm",
    ] {
        let path = out_dir.join(name);
        assert!(path.is_file(), "{} missing", path.display());
        assert!(err.contains(&path.display().to_string()), "{name}: {err}");
    }
    let svg = std::fs::read_to_string(out_dir.join("latency.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("the plot is well-formed SVG");
    assert!(doc.descendants().any(|n| n
        .text()
        .is_some_and(|t| t.trim().starts_with("tick_to_order (n = "))));

    // The orders: the summary's counts are the report's, and the percentiles are printed.
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("report.json")).unwrap()).unwrap();
    let sent = report["counters"]["exec.arbs_sent"].as_u64().unwrap();
    let orders = report["counters"]["exec.orders_sent"].as_u64().unwrap();
    assert!(sent > 0, "two seconds of the demo send arbitrages: {err}");
    assert_eq!(number_after(&err, "orders    "), Some(sent), "{err}");
    assert_eq!(
        number_after(&err, "arbitrages sent, "),
        Some(orders),
        "{err}"
    );
    let tto = report["latency_ns"]["tick_to_order"]["count"]
        .as_u64()
        .unwrap();
    assert_eq!(
        number_after(&err, "tick_to_order over "),
        Some(tto),
        "{err}"
    );
    let line = err
        .lines()
        .skip_while(|l| !l.contains("tick_to_order over "))
        .nth(1)
        .unwrap_or("");
    for p in ["p50 ", "p90 ", "p99 ", "p99.9 ", "max "] {
        assert!(line.contains(p), "{p} in {line:?}");
    }
    assert!(line.contains("µs") || line.contains("ms"), "{line}");
}
