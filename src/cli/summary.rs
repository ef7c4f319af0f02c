//! The closing summary of a run on stderr, read from its report.

/// Print the closing summary of a run on stderr.
pub fn print_summary(report: &serde_json::Value) {
    let o = &report["opportunities"];
    eprintln!(
        "microarb: opportunities detected {} executed {} partial {} expired {} dropped {} {}",
        o["detected"],
        o["executed"],
        o["partial"],
        o["expired"],
        o["dropped"],
        rejected(&o["rejected"])
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

/// `251 rejected (duplicate 142, no_slot 109)`: the report's rejection reasons that happened,
/// largest first (`0 rejected` when none did).
pub fn rejected(reasons: &serde_json::Value) -> String {
    let mut seen: Vec<(&str, u64)> = reasons
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.as_str(), v.as_u64().unwrap_or(0)))
                .filter(|(_, v)| *v > 0)
                .collect()
        })
        .unwrap_or_default();
    if seen.is_empty() {
        return "0 rejected".to_string();
    }
    seen.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let total: u64 = seen.iter().map(|(_, v)| v).sum();
    let parts: Vec<String> = seen.iter().map(|(k, v)| format!("{k} {v}")).collect();
    format!("{total} rejected ({})", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejections_are_listed_by_size_and_zeros_left_out() {
        let r = serde_json::json!({"duplicate": 142, "no_slot": 109, "rate_limited": 0});
        assert_eq!(rejected(&r), "251 rejected (duplicate 142, no_slot 109)");
        assert_eq!(rejected(&serde_json::json!({"no_slot": 0})), "0 rejected");
    }
}
