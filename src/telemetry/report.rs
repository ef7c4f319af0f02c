//! The `--report FILE` JSON (docs/architecture.md, "Contracts"), built at exit on the cold path.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;

use super::hub::Hub;
use super::metric::Metric;
use super::outcomes::OppTotals;
use super::rss;

/// Latency summary of one histogram: count and the usual percentiles, ns.
pub fn latency_json(h: &Histogram<u64>) -> serde_json::Value {
    let q = |q: f64| {
        if h.is_empty() {
            0
        } else {
            h.value_at_quantile(q)
        }
    };
    serde_json::json!({
        "count": h.len(),
        "p50": q(0.50),
        "p90": q(0.90),
        "p99": q(0.99),
        "p999": q(0.999),
        "max": h.max(),
    })
}

/// Build the report object from the hub's counters and totals and the effective config.
pub fn build(hub: &Hub, config: &serde_json::Value, extra: serde_json::Value) -> serde_json::Value {
    let counters: BTreeMap<&str, u64> = hub.counters.iter().collect();
    let opps = OppTotals::from_counters(&hub.counters);
    let latency: BTreeMap<&str, serde_json::Value> = Metric::ALL
        .iter()
        .map(|m| (m.tag(), latency_json(&hub.totals()[m.index()])))
        .collect();
    let clamped: BTreeMap<&str, u64> = Metric::ALL
        .iter()
        .map(|m| (m.tag(), hub.clamped()[m.index()]))
        .collect();
    let rss = rss::read().unwrap_or_default();
    serde_json::json!({
        "counters": counters,
        "opportunities": opps.to_json(),
        "latency_ns": latency,
        "latency_clamped": clamped,
        "rss_bytes": { "peak": rss.peak, "exit": rss.current },
        "config": config,
        "run": extra,
    })
}
