//! Seed 000's statistics: one `Stats` struct behind `Arc<tokio::sync::RwLock<Stats>>`, written
//! by every task on every event (a frame read, an opportunity detected, an order sent), with the
//! latency histograms inside it.
//!
//! At exit [`Stats::report`] builds the JSON object microarb's `--report` writes, with the same
//! keys where they apply: `counters` (microarb's counter names: `ingest.<venue>.frames`,
//! `strategy.opps.detected`, `strategy.opps.rejected.duplicate`, `exec.opps.executed`, ...),
//! `opportunities`, `latency_ns.<metric>` `{count, p50, p90, p99, p999, max}`, `rss_bytes`
//! `{peak, exit}`, `config` and `run`. Histograms are HdrHistogram, ns, 3 significant figures,
//! 1 ns .. 60 s like microarb's; values beyond are clamped (`saturating_record`) and counted.

use std::collections::{BTreeMap, HashMap};

use hdrhistogram::Histogram;
use microarb::model::RejectReason;

use crate::cache::CacheCounts;

/// Highest trackable latency, ns (60 s), as microarb's.
const HIGHEST_NS: u64 = 60_000_000_000;

/// The latency metrics the baseline records, by microarb's tag names.
pub const METRICS: [&str; 3] = ["parse", "tick_to_decision", "tick_to_order"];

/// A fresh histogram with microarb's bounds.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_NS, 3)
        .expect("1..60e9 at 3 significant figures are valid")
}

/// Per-venue feed counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VenueCounts {
    /// Data frames read (text or binary).
    pub frames: u64,
    /// Payload bytes read.
    pub bytes: u64,
    /// Top-of-book updates parsed and stored.
    pub quotes: u64,
    /// Payloads that failed to parse.
    pub parse_errors: u64,
    /// Recognised non-quote payloads, unknown symbols.
    pub skipped: u64,
    /// Quotes older than the stored sequence.
    pub seq_drops: u64,
    /// Sessions opened.
    pub opens: u64,
    /// Sessions ended or failed to open.
    pub disconnects: u64,
}

/// One latency metric: all-time totals and the current interval (for the `.hlog`).
#[derive(Debug, Clone)]
pub struct Latency {
    /// Since start.
    pub total: Histogram<u64>,
    /// Since the last interval was taken.
    pub interval: Histogram<u64>,
    /// Values above the histogram's range, clamped.
    pub clamped: u64,
}

impl Latency {
    fn new() -> Latency {
        Latency {
            total: new_histogram(),
            interval: new_histogram(),
            clamped: 0,
        }
    }

    /// Record one value, ns.
    pub fn record(&mut self, ns: u64) {
        let v = ns.clamp(1, HIGHEST_NS);
        if v != ns && ns != 0 {
            self.clamped += 1;
        }
        self.total.saturating_record(v);
        self.interval.saturating_record(v);
    }
}

/// One order the engine wrote, as the bench joins it to its triggering frame.
#[derive(Debug, Clone)]
pub struct OrderLogEntry {
    /// The venue whose frame triggered it.
    pub trigger_venue: String,
    /// That frame's update id (0 for a venue without one: Upbit).
    pub trigger_seq: u64,
    /// Unix ns when its order bytes were ready.
    pub order_unix_ns: u64,
    /// Unix ns when the triggering frame was received (for venues without an update id, the
    /// bench finds the frame by instrument and this time).
    pub recv_unix_ns: u64,
    /// Opportunity id.
    pub opp: u64,
    /// Instrument name.
    pub instrument: String,
}

/// Everything counted and measured.
#[derive(Debug, Clone)]
pub struct Stats {
    /// Per venue name.
    pub venues: HashMap<String, VenueCounts>,
    /// Quotes that reached detection.
    pub quotes_in: u64,
    /// Candidates found (new and duplicate alike).
    pub detected: u64,
    /// Candidates whose key was live in the cache.
    pub duplicates: u64,
    /// Best pair below `min_profit_bps`.
    pub below_threshold: u64,
    /// Best pair not on the triggering venue.
    pub other_venues: u64,
    /// Quantity rounded to zero lots.
    pub zero_qty: u64,
    /// Quotes for a symbol not in the config.
    pub unknown_symbols: u64,
    /// Both legs sent and (paper) filled.
    pub executed: u64,
    /// No permit within the acquire timeout.
    pub no_slot: u64,
    /// Past its expiry when a permit was had.
    pub expired: u64,
    /// Order messages built.
    pub orders: u64,
    /// Bytes of those messages.
    pub order_bytes: u64,
    /// Cache event counts (copied in at exit).
    pub cache: CacheCounts,
    /// Latency metrics by tag.
    pub latency: BTreeMap<&'static str, Latency>,
    /// Orders written, for the end-to-end bench's send-to-order join (`--opps`).
    pub orders_log: Vec<OrderLogEntry>,
    /// Legs sent over the network: (client order id, opportunity id, `buy` or `sell`), for the
    /// end-to-end bench's wire-to-wire join (`--trades`).
    pub legs_log: Vec<(String, u64, &'static str)>,
    /// Network legs the venue accepted.
    pub answers_accepted: u64,
    /// Network legs the venue answered and refused.
    pub answers_refused: u64,
    /// Network legs with no answer (connection error or timeout).
    pub answers_failed: u64,
}

impl Default for Stats {
    fn default() -> Self {
        Stats::new()
    }
}

impl Stats {
    /// All zero, one histogram pair per metric in [`METRICS`].
    pub fn new() -> Stats {
        Stats {
            venues: HashMap::new(),
            quotes_in: 0,
            detected: 0,
            duplicates: 0,
            below_threshold: 0,
            other_venues: 0,
            zero_qty: 0,
            unknown_symbols: 0,
            executed: 0,
            no_slot: 0,
            expired: 0,
            orders: 0,
            order_bytes: 0,
            cache: CacheCounts::default(),
            latency: METRICS.iter().map(|m| (*m, Latency::new())).collect(),
            orders_log: Vec::new(),
            legs_log: Vec::new(),
            answers_accepted: 0,
            answers_refused: 0,
            answers_failed: 0,
        }
    }

    /// Counters of `venue`, created at zero.
    pub fn venue(&mut self, venue: &str) -> &mut VenueCounts {
        self.venues.entry(venue.to_string()).or_default()
    }

    /// Record `ns` into metric `tag` (one of [`METRICS`]).
    pub fn record(&mut self, tag: &'static str, ns: u64) {
        if let Some(l) = self.latency.get_mut(tag) {
            l.record(ns);
        }
    }

    /// Opportunities in a terminal state.
    pub fn terminal(&self) -> u64 {
        self.duplicates + self.executed + self.no_slot + self.expired
    }

    /// Take every metric's interval histogram, leaving empty ones.
    pub fn take_intervals(&mut self) -> Vec<(&'static str, Histogram<u64>)> {
        self.latency
            .iter_mut()
            .map(|(tag, l)| {
                let h = std::mem::replace(&mut l.interval, new_histogram());
                (*tag, h)
            })
            .collect()
    }

    /// The `counters` object: microarb's names where the event is the same.
    pub fn counters(&self) -> BTreeMap<String, u64> {
        let mut c = BTreeMap::new();
        for (v, n) in &self.venues {
            for (name, val) in [
                ("frames", n.frames),
                ("bytes", n.bytes),
                ("quotes", n.quotes),
                ("parse_errors", n.parse_errors),
                ("skipped", n.skipped),
                ("seq_drops", n.seq_drops),
                ("opens", n.opens),
                ("disconnects", n.disconnects),
            ] {
                c.insert(format!("ingest.{v}.{name}"), val);
            }
        }
        for (name, val) in [
            ("strategy.quotes_in", self.quotes_in),
            ("strategy.opps.detected", self.detected),
            ("strategy.opps.rejected.duplicate", self.duplicates),
            ("strategy.detector.below_threshold", self.below_threshold),
            ("strategy.detector.other_venues", self.other_venues),
            ("strategy.detector.zero_qty", self.zero_qty),
            ("strategy.detector.unknown_ids", self.unknown_symbols),
            ("strategy.cache.hits", self.cache.hits),
            ("strategy.cache.misses", self.cache.misses),
            ("strategy.cache.expiries", self.cache.expiries),
            ("strategy.cache.evictions", self.cache.evictions),
            ("exec.opps.executed", self.executed),
            ("exec.opps.rejected.no_slot", self.no_slot),
            ("exec.opps.expired", self.expired),
            ("exec.orders", self.orders),
            ("exec.order_bytes", self.order_bytes),
            ("exec.answers.accepted", self.answers_accepted),
            ("exec.answers.refused", self.answers_refused),
            ("exec.answers.failed", self.answers_failed),
        ] {
            c.insert(name.to_string(), val);
        }
        c
    }

    /// The `opportunities` object, shaped as microarb's.
    pub fn opportunities(&self) -> serde_json::Value {
        let rejected: BTreeMap<&str, u64> = RejectReason::ALL
            .iter()
            .map(|r| {
                let n = match r {
                    RejectReason::Duplicate => self.duplicates,
                    RejectReason::NoSlot => self.no_slot,
                    _ => 0,
                };
                (r.name(), n)
            })
            .collect();
        serde_json::json!({
            "detected": self.detected,
            "executed": self.executed,
            "partial": 0,
            "expired": self.expired,
            "dropped": 0,
            "rejected": rejected,
            "terminal_sum": self.terminal(),
            "in_flight_at_exit": self.detected.saturating_sub(self.terminal()),
        })
    }

    /// The whole report; `config` is the effective config, `run` how the run was made.
    pub fn report(&self, config: serde_json::Value, run: serde_json::Value) -> serde_json::Value {
        let latency: BTreeMap<&str, serde_json::Value> = self
            .latency
            .iter()
            .map(|(tag, l)| (*tag, latency_json(&l.total)))
            .collect();
        let clamped: BTreeMap<&str, u64> = self
            .latency
            .iter()
            .map(|(tag, l)| (*tag, l.clamped))
            .collect();
        let (peak, exit) = rss();
        serde_json::json!({
            "counters": self.counters(),
            "opportunities": self.opportunities(),
            "latency_ns": latency,
            "latency_clamped": clamped,
            "rss_bytes": { "peak": peak, "exit": exit },
            "config": config,
            "run": run,
        })
    }
}

/// `{count, p50, p90, p99, p999, max}` of one histogram, ns.
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

/// Peak and current resident set size, bytes (`VmHWM`, `VmRSS`; zeros where unknown).
fn rss() -> (u64, u64) {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_has_microarb_keys() {
        let mut s = Stats::new();
        s.venue("binance").frames += 3;
        s.venue("binance").quotes += 2;
        s.detected = 2;
        s.duplicates = 1;
        s.executed = 1;
        s.record("tick_to_order", 1500);
        s.record("tick_to_order", 0);
        let r = s.report(
            serde_json::json!({}),
            serde_json::json!({"engine": "baseline"}),
        );
        assert_eq!(r["counters"]["ingest.binance.frames"], 3);
        assert_eq!(r["counters"]["strategy.opps.rejected.duplicate"], 1);
        assert_eq!(r["opportunities"]["rejected"]["duplicate"], 1);
        assert_eq!(r["opportunities"]["in_flight_at_exit"], 0);
        let t = &r["latency_ns"]["tick_to_order"];
        assert_eq!(t["count"], 2);
        assert!(t["max"].as_u64().unwrap() >= 1500);
        for k in ["p50", "p90", "p99", "p999"] {
            assert!(t.get(k).is_some(), "{k}");
        }
        assert!(r["rss_bytes"]["peak"].as_u64().unwrap() > 0);
    }

    #[test]
    fn intervals_are_taken_and_reset() {
        let mut s = Stats::new();
        s.record("parse", 10);
        s.record("parse", 2 * HIGHEST_NS);
        assert_eq!(s.latency["parse"].clamped, 1);
        let iv = s.take_intervals();
        let parse = iv.iter().find(|(t, _)| *t == "parse").unwrap();
        assert_eq!(parse.1.len(), 2);
        assert!(s.latency["parse"].interval.is_empty());
        assert_eq!(s.latency["parse"].total.len(), 2);
    }
}
