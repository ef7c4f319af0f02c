//! The closing summary of a run on stderr, read from its report.

/// Print the closing summary of a run on stderr.
pub fn print_summary(report: &serde_json::Value) {
    let o = &report["opportunities"];
    eprintln!(
        "microarb: opportunities detected {} executed {} partial {} expired {} dropped {} rejected {}",
        o["detected"], o["executed"], o["partial"], o["expired"], o["dropped"], o["rejected"]
    );
    let l = &report["latency_ns"];
    for tag in [
        "parse",
        "hop",
        "detect",
        "tick_to_decision",
        "tick_to_order",
    ] {
        let m = &l[tag];
        if m["count"].as_u64().unwrap_or(0) > 0 {
            eprintln!(
                "microarb: {tag:<17} count {:>9}  p50 {:>8} ns  p99 {:>8} ns  p99.9 {:>8} ns  max {:>9} ns",
                m["count"], m["p50"], m["p99"], m["p999"], m["max"]
            );
        }
    }
    eprintln!(
        "microarb: rss peak {} MiB",
        report["rss_bytes"]["peak"].as_u64().unwrap_or(0) / (1024 * 1024)
    );
}
