//! Counting how opportunities end. Each stage that ends opportunities registers its own set of
//! outcome counters (one writer each); the report sums them across stages and checks that the
//! terminal counts add up to the number detected.

use std::collections::BTreeMap;

use super::registry::Registry;
use crate::base::{Counter, Counters};
use crate::model::{Outcome, RejectReason, OUTCOME_COUNT};

/// Counter name suffix of the detected count.
pub const DETECTED: &str = ".opps.detected";

/// The counter name of outcome `o` for `stage`: `strategy.opps.rejected.duplicate`.
pub fn counter_name(stage: &str, o: Outcome) -> String {
    format!("{stage}.opps.{}", o.name().replace(':', "."))
}

/// One stage's outcome counters.
pub struct OutcomeCounters {
    counters: Vec<Counter>,
}

impl OutcomeCounters {
    /// Register every outcome counter for `stage`.
    pub fn register(reg: &mut Registry, stage: &str) -> OutcomeCounters {
        OutcomeCounters {
            counters: (0..OUTCOME_COUNT)
                .map(|i| {
                    let o = Outcome::from_index(i).expect("dense outcome index");
                    reg.counter(&counter_name(stage, o))
                })
                .collect(),
        }
    }

    /// Count one opportunity ending as `o`.
    #[inline]
    pub fn count(&self, o: Outcome) {
        self.counters[o.index()].inc();
    }
}

/// Opportunity totals across all stages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OppTotals {
    /// Detected.
    pub detected: u64,
    /// Per outcome (index = `Outcome::index`).
    pub per_outcome: [u64; OUTCOME_COUNT],
}

impl OppTotals {
    /// Sum the counters of every stage. Only `<stage>.opps.*` names count: the ring named `opps`
    /// registers `ring.opps.dropped` too, which is the same drop the strategy stage already counted
    /// as `strategy.opps.dropped` (summing it as well made `terminal_sum` exceed `detected` by the
    /// number of ring-full drops).
    pub fn from_counters(c: &Counters) -> OppTotals {
        let sum = |suffix: &str| -> u64 {
            c.iter()
                .filter(|(n, _)| n.ends_with(suffix) && !n.starts_with("ring."))
                .map(|(_, v)| v)
                .sum()
        };
        let mut t = OppTotals {
            detected: sum(DETECTED),
            ..Default::default()
        };
        for i in 0..OUTCOME_COUNT {
            let o = Outcome::from_index(i).expect("dense outcome index");
            let suffix = format!(".opps.{}", o.name().replace(':', "."));
            t.per_outcome[i] = sum(&suffix);
        }
        t
    }

    /// Sum of every terminal state.
    pub fn terminal_sum(&self) -> u64 {
        self.per_outcome.iter().sum()
    }

    /// Count of one outcome.
    pub fn get(&self, o: Outcome) -> u64 {
        self.per_outcome[o.index()]
    }

    /// The report's `opportunities` object.
    pub fn to_json(&self) -> serde_json::Value {
        let rejected: BTreeMap<&str, u64> = RejectReason::ALL
            .iter()
            .map(|r| (r.name(), self.get(Outcome::Rejected(*r))))
            .collect();
        serde_json::json!({
            "detected": self.detected,
            "executed": self.get(Outcome::Executed),
            "partial": self.get(Outcome::Partial),
            "expired": self.get(Outcome::Expired),
            "dropped": self.get(Outcome::Dropped),
            "rejected": rejected,
            "terminal_sum": self.terminal_sum(),
            "in_flight_at_exit": self.detected.saturating_sub(self.terminal_sum()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_across_stages() {
        let mut reg = Registry::new();
        let det = reg.counter("strategy.opps.detected");
        let s = OutcomeCounters::register(&mut reg, "strategy");
        let e = OutcomeCounters::register(&mut reg, "exec");
        for _ in 0..3 {
            det.inc();
        }
        s.count(Outcome::Rejected(RejectReason::Duplicate));
        e.count(Outcome::Executed);
        e.count(Outcome::Dropped);
        let t = OppTotals::from_counters(&reg.counters);
        assert_eq!(t.detected, 3);
        assert_eq!(t.terminal_sum(), 3);
        assert_eq!(t.get(Outcome::Rejected(RejectReason::Duplicate)), 1);
        assert_eq!(t.to_json()["rejected"]["duplicate"], 1);
    }

    #[test]
    fn a_ring_named_opps_is_not_a_stage() {
        let mut reg = Registry::new();
        let det = reg.counter("strategy.opps.detected");
        let s = OutcomeCounters::register(&mut reg, "strategy");
        // What `runtime::ring("opps", ..)` registers beside the stages' counters.
        let ring_dropped = reg.counter("ring.opps.dropped");
        det.inc();
        s.count(Outcome::Dropped);
        ring_dropped.inc();
        let t = OppTotals::from_counters(&reg.counters);
        assert_eq!(t.get(Outcome::Dropped), 1);
        assert_eq!(t.terminal_sum(), t.detected);
    }
}
