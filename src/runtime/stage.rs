//! The unit of work a worker thread runs.

/// How much a poll did: the number of messages (or events) handled. Zero means idle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Work(pub u32);

impl Work {
    /// Nothing was done.
    pub const IDLE: Work = Work(0);

    /// True when nothing was done.
    #[inline]
    pub fn is_idle(self) -> bool {
        self.0 == 0
    }
}

impl std::ops::AddAssign for Work {
    #[inline]
    fn add_assign(&mut self, rhs: Work) {
        self.0 = self.0.saturating_add(rhs.0);
    }
}

/// A pipeline stage: a plain struct polled in a loop by a worker thread.
///
/// `poll` must do a bounded amount of work and return without blocking; `now_ns` is the worker's
/// clock reading for this pass. Stages own their ring ends, counters and histogram recorder.
pub trait Stage: Send {
    /// Short name for logs and thread reports.
    fn name(&self) -> &'static str;

    /// Do some work.
    fn poll(&mut self, now_ns: u64) -> Work;

    /// Hand this interval's histograms to the telemetry thread (called by the worker once per
    /// telemetry interval, and once more when the stage finishes).
    fn flush_telemetry(&mut self, _now_ns: u64) {}

    /// Whether the stage is done. `stopping` is true once shutdown was requested: a source stage
    /// then stops at once; any other stage finishes when its inputs are abandoned and drained.
    fn is_finished(&self, stopping: bool) -> bool;

    /// Called once after the stage finished, before it is dropped (final flushes).
    fn on_finish(&mut self, _now_ns: u64) {}
}
