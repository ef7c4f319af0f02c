//! The Prometheus `/metrics` endpoint, served by the telemetry thread from what the hub already
//! holds: the counters' atomics, the cumulative latency totals, and RSS.
//!
//! Families: every counter under its mapped name ([`names`]), `microarb_opportunities_*` summed
//! across stages (as the report sums them), `microarb_latency_seconds{metric}` histograms (one
//! per [`Metric`], cumulative since start), `microarb_latency_clamped_total{metric}`, the
//! state gauges the stages publish ([`crate::telemetry::gauges`]: kill switch, breakers, rate
//! limits, balances, open notional, residual positions, queue depths; see [`state`]), and the
//! RSS gauges.

pub mod exposition;
pub mod names;
pub mod server;
pub mod state;

use std::collections::BTreeMap;

use exposition::{Exposition, Kind};
use names::Mapped;

use super::hub::Hub;
use super::metric::Metric;
use super::outcomes::OppTotals;
use super::rss;
use crate::model::{Outcome, OUTCOME_COUNT};

pub use server::MetricsServer;

/// The `/metrics` body for `hub`, now.
pub fn render(hub: &Hub) -> String {
    let mut e = Exposition::new();
    // Families whose help is more than the counter's name.
    let help: BTreeMap<&str, &str> = [
        (
            "microarb_quotes_total",
            "Quotes from the venue's WebSocket stream, per venue.",
        ),
        (
            "microarb_ingest_rest_quotes_total",
            "Quotes from the REST fallback's polls during a stream outage, per venue.",
        ),
        (
            "microarb_ingest_received_bytes_total",
            "Market-data bytes received, per venue.",
        ),
        (
            "microarb_breaker_transitions_total",
            "Circuit breaker state transitions.",
        ),
        (
            "microarb_telemetry_late_intervals_total",
            "Interval histograms handed to telemetry late, per stage.",
        ),
        // Not `microarb_counter_total`: promtool's lint refuses a family named for its type.
        (
            "microarb_other_total",
            "Engine counters without a dedicated family, by dotted name.",
        ),
        (
            "microarb_trades_log_dropped_total",
            "Trade-log records dropped because the writer's ring was full.",
        ),
        (
            "microarb_ratelimit_emergency_entries_total",
            "Venues that entered rate-limit emergency mode, by cause (ban_418, multi_group_429, operator).",
        ),
        (
            "microarb_ratelimit_emergency_exits_total",
            "Venues that left rate-limit emergency mode (its duration elapsed).",
        ),
    ]
    .into_iter()
    .collect();
    for (name, value) in hub.counters.iter() {
        if let Mapped::Gauge { family, labels } = names::map(name) {
            let labels: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (*k, v.as_str())).collect();
            e.sample(
                &family,
                Kind::Gauge,
                "Venues in rate-limit emergency mode now (every group at half rate and burst).",
                &labels,
                value,
            );
            continue;
        }
        if let Mapped::Series { family, labels } = names::map(name) {
            let labels: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let text;
            let h = match help.get(family.as_str()) {
                Some(h) => *h,
                None => {
                    text = format!("Engine counter {}.", generic_name(name, &labels));
                    &text
                }
            };
            e.sample(&family, Kind::Counter, h, &labels, value);
        }
    }
    let opps = OppTotals::from_counters(&hub.counters);
    e.sample(
        "microarb_opportunities_detected_total",
        Kind::Counter,
        "Opportunities detected.",
        &[],
        opps.detected,
    );
    for i in 0..OUTCOME_COUNT {
        let o = Outcome::from_index(i).expect("dense outcome index");
        let label = o.name().replace(':', "_");
        e.sample(
            "microarb_opportunities_total",
            Kind::Counter,
            "Opportunities by how they ended, summed across stages.",
            &[("outcome", &label)],
            opps.get(o),
        );
    }
    for m in Metric::ALL {
        e.histogram_ns(
            "microarb_latency_seconds",
            "Latency per measurement point, cumulative since start.",
            &[("metric", m.tag())],
            &hub.totals()[m.index()],
        );
        e.sample(
            "microarb_latency_clamped_total",
            Kind::Counter,
            "Latency values above the histogram range (60 s), recorded as 60 s.",
            &[("metric", m.tag())],
            hub.clamped()[m.index()],
        );
    }
    e.sample(
        "microarb_telemetry_intervals_total",
        Kind::Counter,
        "Interval histograms received by the telemetry thread.",
        &[],
        hub.intervals_seen(),
    );
    state::render(&mut e, &hub.counters, &hub.gauges);
    if let Some(r) = rss::read() {
        e.sample(
            "microarb_resident_memory_bytes",
            Kind::Gauge,
            "Resident set size (VmRSS).",
            &[],
            r.current,
        );
        e.sample(
            "microarb_resident_memory_peak_bytes",
            Kind::Gauge,
            "Peak resident set size (VmHWM).",
            &[],
            r.peak,
        );
    }
    e.render()
}

/// The counter's dotted name with its label names in place of the labelled parts, for help text
/// (`ingest.<venue>.quotes`), so one family has one help line.
fn generic_name(name: &str, labels: &[(&str, &str)]) -> String {
    let mut out = name.to_string();
    for (k, v) in labels {
        out = out.replacen(v, &format!("<{k}>"), 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::{OutcomeCounters, Registry};

    #[test]
    fn render_agrees_with_the_report() {
        let mut reg = Registry::new();
        let q = reg.counter("ingest.binance.quotes");
        let b = reg.counter("exec.breaker.closed_to_open");
        let det = reg.counter("strategy.opps.detected");
        let oc = OutcomeCounters::register(&mut reg, "exec");
        for _ in 0..5 {
            q.inc();
        }
        b.inc();
        det.inc();
        det.inc();
        oc.count(Outcome::Executed);
        oc.count(Outcome::Rejected(crate::model::RejectReason::Duplicate));
        let em = reg.counter("exec.emergency.active");
        em.set(2);
        let hub = reg.into_hub();
        let text = render(&hub);
        let report =
            crate::telemetry::report::build(&hub, &serde_json::json!({}), serde_json::json!({}));
        let line = |s: &str| -> u64 {
            let l = text
                .lines()
                .find(|l| l.starts_with(s) && l[s.len()..].starts_with(' '))
                .unwrap_or_else(|| panic!("no {s} in\n{text}"));
            l[s.len() + 1..].parse().unwrap()
        };
        assert_eq!(
            line("microarb_quotes_total{venue=\"binance\"}"),
            report["counters"]["ingest.binance.quotes"]
                .as_u64()
                .unwrap()
        );
        assert_eq!(
            line(
                "microarb_breaker_transitions_total{breaker=\"exec\",from=\"closed\",to=\"open\"}"
            ),
            1
        );
        assert_eq!(
            line("microarb_opportunities_detected_total"),
            report["opportunities"]["detected"].as_u64().unwrap()
        );
        assert_eq!(
            line("microarb_opportunities_total{outcome=\"executed\"}"),
            1
        );
        assert_eq!(
            line("microarb_opportunities_total{outcome=\"rejected_duplicate\"}"),
            report["opportunities"]["rejected"]["duplicate"]
                .as_u64()
                .unwrap()
        );
        assert_eq!(
            line("microarb_latency_seconds_count{metric=\"tick_to_order\"}"),
            0
        );
        // Emergency mode: the level as a gauge.
        assert!(
            text.contains("# TYPE microarb_ratelimit_emergency_active gauge"),
            "{text}"
        );
        assert_eq!(line("microarb_ratelimit_emergency_active"), 2);
        // Per-stage outcome counters are not exported twice.
        assert!(!text.contains("opps.executed"), "{text}");
        assert_eq!(
            text.matches("# TYPE microarb_quotes_total counter").count(),
            1
        );
        assert!(!text.contains("# HELP microarb_exec_breaker"), "{text}");
        for l in text.lines().filter(|l| !l.starts_with('#')) {
            assert!(l.starts_with("microarb_"), "{l}");
        }
    }
}
