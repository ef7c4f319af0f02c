//! A worker thread: polls its stages in a loop, pinned to a core, idling when there is no work.
//!
//! The loop reads the clock once per pass and hands `now` to every stage. Once per telemetry
//! interval it asks each stage to hand its histograms over. After a shutdown request it keeps
//! polling, removing each stage as it reports finished (dropping its ring ends, which tells the
//! stage downstream its input is abandoned), and exits when none is left, or when the drain
//! deadline passes (then the unfinished stages are named in the report).

use std::thread::JoinHandle;

use super::idle::{IdleStrategy, Idler};
use super::shutdown::Shutdown;
use super::stage::{Stage, Work};
use crate::base::Clock;

/// A thread to be: its stages and where and how it runs.
pub struct Worker {
    /// Thread name.
    pub name: String,
    /// Core to pin to (`None`: unpinned).
    pub core: Option<usize>,
    /// Idle strategy.
    pub idle: IdleStrategy,
    /// Stages, polled in this order each pass.
    pub stages: Vec<Box<dyn Stage>>,
    /// Telemetry interval (ns).
    pub flush_interval_ns: u64,
    /// Longest drain after a shutdown request (ns).
    pub drain_timeout_ns: u64,
}

/// How a worker ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerReport {
    /// Thread name.
    pub name: String,
    /// The core it ran pinned to, if pinning worked.
    pub pinned: Option<usize>,
    /// Loop passes.
    pub passes: u64,
    /// Passes that did no work.
    pub idle_passes: u64,
    /// Stages that had not finished when the drain deadline passed.
    pub unfinished: Vec<&'static str>,
}

impl Worker {
    /// Start the worker on its own named thread.
    pub fn spawn(
        self,
        clock: Clock,
        shutdown: Shutdown,
    ) -> std::io::Result<JoinHandle<WorkerReport>> {
        std::thread::Builder::new()
            .name(self.name.clone())
            .spawn(move || self.run(clock, shutdown))
    }

    /// Run the loop on the current thread until every stage finished after a shutdown request.
    pub fn run(mut self, clock: Clock, shutdown: Shutdown) -> WorkerReport {
        let pinned = self.core.and_then(|core| pin(&self.name, core));
        let mut idler = Idler::new(self.idle);
        let mut next_flush = clock.now_ns() + self.flush_interval_ns;
        let mut drain_deadline: Option<u64> = None;
        let (mut passes, mut idle_passes) = (0u64, 0u64);
        loop {
            let now = clock.now_ns();
            let mut work = Work::IDLE;
            for s in self.stages.iter_mut() {
                work += s.poll(now);
            }
            passes += 1;
            if now >= next_flush {
                for s in self.stages.iter_mut() {
                    s.flush_telemetry(now);
                }
                next_flush = now + self.flush_interval_ns;
            }
            if shutdown.is_requested() {
                let deadline = *drain_deadline.get_or_insert(now + self.drain_timeout_ns);
                let mut i = 0;
                while i < self.stages.len() {
                    if self.stages[i].is_finished(true) {
                        let mut s = self.stages.remove(i);
                        s.on_finish(now);
                        s.flush_telemetry(now);
                        drop(s);
                    } else {
                        i += 1;
                    }
                }
                if self.stages.is_empty() {
                    break;
                }
                if now >= deadline {
                    let unfinished: Vec<&'static str> =
                        self.stages.iter().map(|s| s.name()).collect();
                    for s in self.stages.iter_mut() {
                        s.on_finish(now);
                        s.flush_telemetry(now);
                    }
                    eprintln!(
                        "microarb: worker {} drain timed out; unfinished stages: {:?}",
                        self.name, unfinished
                    );
                    return WorkerReport {
                        name: self.name,
                        pinned,
                        passes,
                        idle_passes,
                        unfinished,
                    };
                }
            }
            if work.is_idle() {
                idle_passes += 1;
                idler.idle();
            } else {
                idler.reset();
            }
        }
        WorkerReport {
            name: self.name,
            pinned,
            passes,
            idle_passes,
            unfinished: Vec::new(),
        }
    }
}

/// Pin the current thread; on failure warn and run unpinned.
fn pin(thread: &str, core: usize) -> Option<usize> {
    if super::pin::pin_current(core) {
        Some(core)
    } else {
        eprintln!(
            "microarb: warning: could not pin thread {thread} to core {core} (no such core, or \
             excluded by this process's cpuset); running unpinned"
        );
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::Counters;
    use crate::runtime::ring::{ring, RingRx, RingTx};

    struct Source {
        tx: RingTx<u64>,
        next: u64,
        limit: u64,
    }
    impl Stage for Source {
        fn name(&self) -> &'static str {
            "source"
        }
        fn poll(&mut self, now: u64) -> Work {
            if self.next < self.limit {
                if self.tx.push(self.next, now).is_ok() {
                    self.next += 1;
                }
                return Work(1);
            }
            Work::IDLE
        }
        fn is_finished(&self, stopping: bool) -> bool {
            stopping
        }
    }
    struct Sink {
        rx: RingRx<u64>,
        sum: std::sync::Arc<std::sync::atomic::AtomicU64>,
        count: u64,
    }
    impl Stage for Sink {
        fn name(&self) -> &'static str {
            "sink"
        }
        fn poll(&mut self, _now: u64) -> Work {
            let mut n = 0;
            while let Some(m) = self.rx.pop() {
                self.count += 1;
                self.sum
                    .fetch_add(m.msg, std::sync::atomic::Ordering::Relaxed);
                n += 1;
            }
            Work(n)
        }
        fn is_finished(&self, stopping: bool) -> bool {
            stopping && self.rx.is_drained()
        }
    }

    #[test]
    fn two_workers_drain_everything_on_shutdown() {
        let mut c = Counters::new();
        let (tx, rx) = ring::<u64>("w", 64, &mut c);
        let sum = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let clock = Clock::new();
        let sd = Shutdown::new();
        let mk = |name: &str, stages: Vec<Box<dyn Stage>>| Worker {
            name: name.to_string(),
            core: None,
            idle: IdleStrategy::PARK,
            stages,
            flush_interval_ns: 1_000_000,
            drain_timeout_ns: 5_000_000_000,
        };
        let n = 50_000;
        let a = mk(
            "src",
            vec![Box::new(Source {
                tx,
                next: 0,
                limit: n,
            })],
        )
        .spawn(clock, sd.clone())
        .unwrap();
        let b = mk(
            "sink",
            vec![Box::new(Sink {
                rx,
                sum: sum.clone(),
                count: 0,
            })],
        )
        .spawn(clock, sd.clone())
        .unwrap();
        while c.get("ring.w.pushed").unwrap() < n {
            std::thread::yield_now();
        }
        sd.request();
        let ra = a.join().unwrap();
        let rb = b.join().unwrap();
        assert!(ra.unfinished.is_empty() && rb.unfinished.is_empty());
        assert_eq!(
            sum.load(std::sync::atomic::Ordering::Relaxed),
            n * (n - 1) / 2
        );
        assert_eq!(c.get("ring.w.popped"), c.get("ring.w.pushed"));
    }

    #[test]
    fn a_stage_that_never_finishes_is_reported_after_the_deadline() {
        struct Stuck;
        impl Stage for Stuck {
            fn name(&self) -> &'static str {
                "stuck"
            }
            fn poll(&mut self, _: u64) -> Work {
                Work::IDLE
            }
            fn is_finished(&self, _: bool) -> bool {
                false
            }
        }
        let sd = Shutdown::new();
        sd.request();
        let w = Worker {
            name: "t".into(),
            core: None,
            idle: IdleStrategy::PARK,
            stages: vec![Box::new(Stuck)],
            flush_interval_ns: 1_000_000,
            drain_timeout_ns: 1_000_000,
        };
        let r = w.run(Clock::new(), sd);
        assert_eq!(r.unfinished, vec!["stuck"]);
    }
}
