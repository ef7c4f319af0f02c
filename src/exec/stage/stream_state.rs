//! The execution stage's memory for the venues' private streams: the filled quantity each
//! recently ended leg was settled with (by order id, a fixed table), so a pushed final that
//! arrives after the answer settled the leg can be cross-checked, and the counters of what the
//! pushes did. Allocated once; no allocation after construction.

use crate::base::Counter;
use crate::model::{OrderId, Qty};
use crate::telemetry::Registry;

/// Ended legs remembered (by `id % FINALS`).
pub(super) const FINALS: usize = 4096;

/// What the stage's pushes did (`exec.stream.*`).
pub(super) struct StreamCounters {
    /// Pushed finals received.
    pub(super) finals: Counter,
    /// Pushed finals that settled a leg still waiting (before its answer or status query).
    pub(super) settled: Counter,
    /// Pushed finals that agreed with the leg's settled fill.
    pub(super) confirms: Counter,
    /// Pushed finals whose filled quantity differs from the one the leg was settled with.
    pub(super) disagreements: Counter,
    /// Pushed finals for an order the stage no longer remembers (counted, not checked).
    pub(super) unmatched: Counter,
    /// Pushed balances applied through the venue-truth rules.
    pub(super) balances: Counter,
    /// Pushed balances left alone: no venue truth attached (the book's balances are the
    /// config's).
    pub(super) balances_ignored: Counter,
}

/// See the module documentation.
pub(super) struct StreamState {
    finals: Box<[(u64, i64)]>,
    pub(super) c: StreamCounters,
}

impl StreamState {
    /// Register the counters (cold path).
    pub(super) fn register(reg: &mut Registry) -> StreamState {
        let mut c = |n: &str| reg.counter(&format!("exec.stream.{n}"));
        StreamState {
            finals: vec![(0, 0); FINALS].into_boxed_slice(),
            c: StreamCounters {
                finals: c("finals"),
                settled: c("settled"),
                confirms: c("confirms"),
                disagreements: c("disagreements"),
                unmatched: c("unmatched"),
                balances: c("balances"),
                balances_ignored: c("balances_ignored"),
            },
        }
    }

    /// `order` ended with `filled`.
    pub(super) fn remember(&mut self, order: OrderId, filled: Qty) {
        self.finals[(order.0 % FINALS as u64) as usize] = (order.0, filled.0);
    }

    /// The filled quantity `order` ended with, if it is still remembered.
    pub(super) fn settled(&self, order: OrderId) -> Option<Qty> {
        let (id, q) = self.finals[(order.0 % FINALS as u64) as usize];
        (id == order.0 && id != 0).then_some(Qty(q))
    }
}
