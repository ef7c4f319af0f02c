//! Rate-limited log samples from the hot path.
//!
//! A stage that wants to show an operator an example of what went wrong (a payload that did not
//! parse, say) must not format or write on its own thread. It hands a small `Copy` value through an
//! SPSC ring instead, at most one per `min_gap`; the telemetry thread formats and prints it. Samples
//! offered too soon, or when the ring is full, are counted as suppressed, never silently lost.

use std::fmt::Display;

use crate::base::Counter;

/// The hot side of a sample channel.
pub struct SampleTx<T> {
    tx: rtrb::Producer<T>,
    min_gap_ns: u64,
    last_ns: Option<u64>,
    suppressed: Counter,
}

impl<T: Copy + Send> SampleTx<T> {
    pub(crate) fn new(tx: rtrb::Producer<T>, min_gap_ns: u64, suppressed: Counter) -> Self {
        SampleTx {
            tx,
            min_gap_ns,
            last_ns: None,
            suppressed,
        }
    }

    /// Offer a sample at `now_ns`; `make` runs only if the sample will be sent.
    #[inline]
    pub fn offer(&mut self, now_ns: u64, make: impl FnOnce() -> T) {
        if let Some(last) = self.last_ns {
            if now_ns.saturating_sub(last) < self.min_gap_ns {
                self.suppressed.inc();
                return;
            }
        }
        if self.tx.push(make()).is_err() {
            self.suppressed.inc();
            return;
        }
        self.last_ns = Some(now_ns);
    }
}

/// The telemetry side: drains a channel into printable lines.
pub(crate) type SampleDrain = Box<dyn FnMut(&mut Vec<String>) + Send>;

/// Make the drain closure for a channel named `name`.
pub(crate) fn drain<T: Copy + Send + Display + 'static>(
    name: String,
    mut rx: rtrb::Consumer<T>,
) -> SampleDrain {
    Box::new(move |out: &mut Vec<String>| {
        while let Ok(s) = rx.pop() {
            out.push(format!("{name}: {s}"));
        }
    })
}
