//! Idle strategies: what a worker does when none of its stages had work.
//!
//! Spinning keeps the core hot and answers within nanoseconds, but owns the core: on a 2-core box
//! a spinning thread starves everything else (the test harness included). Yielding gives the core
//! back through the scheduler (a system call); parking sleeps for a bounded time, which adds up to
//! `park` of wake-up latency but costs almost no CPU. Dedicated hosts busy-spin; tests and the demo
//! spin, then back off, then park.

use std::time::Duration;

use crossbeam_utils::Backoff;

use crate::config::IdleKind;

/// A configured idle strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdleStrategy {
    /// Which behaviour.
    pub kind: IdleKind,
    /// Spins before yielding / backing off.
    pub spin_iterations: u32,
    /// Longest park.
    pub park: Duration,
}

impl IdleStrategy {
    /// Spin-then-park with short bounds: the default for tests and the demo.
    pub const PARK: IdleStrategy = IdleStrategy {
        kind: IdleKind::Park,
        spin_iterations: 2000,
        park: Duration::from_micros(50),
    };
}

/// The per-thread state of an idle strategy.
pub struct Idler {
    strategy: IdleStrategy,
    spins: u32,
    backoff: Backoff,
}

impl Idler {
    /// Fresh state for `strategy`.
    pub fn new(strategy: IdleStrategy) -> Idler {
        Idler {
            strategy,
            spins: 0,
            backoff: Backoff::new(),
        }
    }

    /// Called after a pass that did no work.
    #[inline]
    pub fn idle(&mut self) {
        match self.strategy.kind {
            IdleKind::BusySpin => std::hint::spin_loop(),
            IdleKind::SpinYield => {
                if self.spins < self.strategy.spin_iterations {
                    self.spins += 1;
                    std::hint::spin_loop();
                } else {
                    std::thread::yield_now();
                }
            }
            IdleKind::Park => {
                if self.spins < self.strategy.spin_iterations {
                    self.spins += 1;
                    std::hint::spin_loop();
                } else if !self.backoff.is_completed() {
                    self.backoff.snooze();
                } else {
                    std::thread::park_timeout(self.strategy.park);
                }
            }
        }
    }

    /// Called after a pass that did work: the next idle starts spinning again.
    #[inline]
    pub fn reset(&mut self) {
        if self.spins != 0 {
            self.spins = 0;
            self.backoff.reset();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_strategy_returns() {
        for kind in [IdleKind::BusySpin, IdleKind::SpinYield, IdleKind::Park] {
            let mut idler = Idler::new(IdleStrategy {
                kind,
                spin_iterations: 3,
                park: Duration::from_micros(10),
            });
            for _ in 0..50 {
                idler.idle();
            }
            idler.reset();
            idler.idle();
        }
    }
}
