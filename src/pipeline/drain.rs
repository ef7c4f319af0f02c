//! The stage that stands where the strategy would under `microarb record` (ingest only).

use crate::model::Quote;
use crate::runtime::{RingRx, Stage, Work};

/// Consumes quotes and does nothing else (`microarb record`: ingest only).
pub(super) struct Drain {
    rx: RingRx<Quote>,
}

impl Drain {
    /// A drain of `rx`.
    pub(super) fn new(rx: RingRx<Quote>) -> Drain {
        Drain { rx }
    }
}

impl Stage for Drain {
    fn name(&self) -> &'static str {
        "drain"
    }

    fn poll(&mut self, _now_ns: u64) -> Work {
        let mut n = 0;
        while self.rx.pop().is_some() {
            n += 1;
        }
        Work(n)
    }

    fn is_finished(&self, stopping: bool) -> bool {
        stopping && self.rx.is_drained()
    }
}
