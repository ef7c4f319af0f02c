//! The hot side of histogram hand-off.
//!
//! A stage records latencies into histograms it owns (no sharing, no lock). Once per interval the
//! worker calls [`Recorder::flush`]: each full histogram goes to the telemetry thread through an
//! SPSC ring, and an empty one, returned by the telemetry thread through a second ring, takes its
//! place. The pool is allocated once at registration, so the steady state allocates nothing.
//! If no empty histogram has come back yet (telemetry running late), the stage keeps recording
//! into the current one and the interval simply grows; that is counted, never lost.

use hdrhistogram::Histogram;

use super::metric::{Metric, HIGHEST_NS};
use crate::base::Counter;

/// One interval's histogram for one metric from one stage.
pub struct Interval {
    /// Which metric.
    pub metric: Metric,
    /// First recording could be at or after this (engine monotonic ns).
    pub start_ns: u64,
    /// Flush time (engine monotonic ns).
    pub end_ns: u64,
    /// Values recorded, in ns.
    pub hist: Histogram<u64>,
    /// Values above the histogram's range, recorded as its highest value.
    pub clamped: u64,
}

pub(crate) struct RecorderSlot {
    pub(crate) metric: Metric,
    pub(crate) current: Histogram<u64>,
    pub(crate) start_ns: u64,
    pub(crate) clamped: u64,
    pub(crate) full: rtrb::Producer<Interval>,
    pub(crate) empty: rtrb::Consumer<Histogram<u64>>,
}

const NONE: u8 = u8::MAX;

/// A stage's histograms, one per metric it registered.
pub struct Recorder {
    pub(crate) slots: Vec<RecorderSlot>,
    index: [u8; Metric::COUNT],
    late: Counter,
}

impl Recorder {
    pub(crate) fn new(slots: Vec<RecorderSlot>, late: Counter) -> Recorder {
        let mut index = [NONE; Metric::COUNT];
        for (i, s) in slots.iter().enumerate() {
            index[s.metric.index()] = i as u8;
        }
        Recorder { slots, index, late }
    }

    /// A recorder that records nothing (for stages built without telemetry).
    pub fn disabled() -> Recorder {
        Recorder {
            slots: Vec::new(),
            index: [NONE; Metric::COUNT],
            late: Counter::new(),
        }
    }

    /// Record `value_ns` for `metric`; a metric this recorder did not register is ignored.
    #[inline]
    pub fn record(&mut self, metric: Metric, value_ns: u64) {
        let i = self.index[metric.index()];
        if i == NONE {
            return;
        }
        let s = &mut self.slots[i as usize];
        if value_ns > HIGHEST_NS {
            s.clamped += 1;
        }
        s.current.saturating_record(value_ns);
    }

    /// Record a signed lag: non-negative into `pos`, the magnitude of a negative one into `neg`.
    #[inline]
    pub fn record_signed(&mut self, pos: Metric, neg: Metric, lag_ns: i64) {
        if lag_ns >= 0 {
            self.record(pos, lag_ns as u64);
        } else {
            self.record(neg, lag_ns.unsigned_abs());
        }
    }

    /// Hand every non-empty histogram to the telemetry thread, swapping in an empty one.
    pub fn flush(&mut self, now_ns: u64) {
        for s in self.slots.iter_mut() {
            if s.current.is_empty() && s.clamped == 0 {
                s.start_ns = now_ns;
                continue;
            }
            match s.empty.pop() {
                Ok(mut fresh) => {
                    std::mem::swap(&mut s.current, &mut fresh);
                    let interval = Interval {
                        metric: s.metric,
                        start_ns: s.start_ns,
                        end_ns: now_ns,
                        hist: fresh,
                        clamped: s.clamped,
                    };
                    // The full ring holds the whole pool, so it cannot be full while we hold
                    // a histogram of that pool; if it ever were, keep the data and retry later.
                    if let Err(rtrb::PushError::Full(back)) = s.full.push(interval) {
                        let mut back = back;
                        std::mem::swap(&mut s.current, &mut back.hist);
                        self.late.inc();
                        continue;
                    }
                    s.start_ns = now_ns;
                    s.clamped = 0;
                }
                Err(_) => self.late.inc(),
            }
        }
    }
}
