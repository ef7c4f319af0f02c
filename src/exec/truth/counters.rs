//! The reconciliation counters written on the cold side (start-up on the main thread, then the
//! account thread, one writer at a time): `exec.reconcile.*`. The exec stage's own ones (lost
//! orders, mismatches, balance updates) are in [`super::state`].

use crate::base::Counter;
use crate::telemetry::Registry;

/// Cold-side reconciliation counters.
#[derive(Debug, Clone)]
pub struct ColdCounters {
    /// Open orders found that this process did not place (start-up and running; each order
    /// once).
    pub foreign: Counter,
    /// Of those, a previous run's (the engine's prefix with another run stamp).
    pub previous_run: Counter,
    /// Foreign and orphaned orders cancelled.
    pub cancelled: Counter,
    /// Foreign orders left on the book by policy.
    pub left: Counter,
    /// Cancels that failed.
    pub cancel_failures: Counter,
    /// Answers refused as unreadable or contradictory.
    pub bad_answers: Counter,
    /// Account calls that failed otherwise (transport, timeout, refusal).
    pub call_errors: Counter,
    /// Balance refreshes done (one per venue and round).
    pub balance_rounds: Counter,
    /// Open-order cross-checks done (one per venue and round).
    pub open_order_rounds: Counter,
}

impl ColdCounters {
    /// Register them (cold path).
    pub fn register(reg: &mut Registry) -> ColdCounters {
        let mut c = |n: &str| reg.counter(&format!("exec.reconcile.{n}"));
        ColdCounters {
            foreign: c("foreign_orders"),
            previous_run: c("previous_run_orders"),
            cancelled: c("cancelled"),
            left: c("left"),
            cancel_failures: c("cancel_failures"),
            bad_answers: c("bad_answers"),
            call_errors: c("call_errors"),
            balance_rounds: c("balance_rounds"),
            open_order_rounds: c("open_order_rounds"),
        }
    }

    /// Count a failed call by its kind.
    pub fn on_error(&self, e: &super::TruthError) {
        if e.is_bad_answer() {
            self.bad_answers.inc();
        } else {
            self.call_errors.inc();
        }
    }
}
