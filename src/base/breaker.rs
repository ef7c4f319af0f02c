//! Circuit breaker per venue: stop sending to a venue that keeps failing, and find out cheaply when it
//! works again.
//!
//! ```text
//!            failure_threshold consecutive failures
//!   Closed ------------------------------------------> Open (rejects at once)
//!     ^                                                  |  recovery_timeout elapsed
//!     | success_threshold successes                      v  (on the next check)
//!     +------------------------------------------- HalfOpen (up to max_probes in flight)
//!                                                        |  any failure
//!                                     Open <-------------+
//! ```
//!
//! Seed 003's breaker (5 failures, 3 successes) with two fixes: the half-open state lets only a
//! bounded number of probes through (the seed let every caller through once the timeout passed), and
//! time comes in as `now_ns` so every transition is tested on a fake clock.
//!
//! What counts as a failure is the caller's call. The execution stage reports a venue error, a 5xx,
//! an order with no answer within `order_timeout` (at the time it times out) and status queries
//! left unanswered as long: the order's fate is still unknown (docs/architecture.md, "Invariants": it is not a
//! failed *order*), but a venue that does not answer in time is failing as an API. A late answer to
//! such an order is not reported as a success. An answer that says nothing about the venue (a 429,
//! "no such order") is reported with [`Breaker::release_probe`] so a half-open probe slot is not
//! lost.
//!
//! Every transition is returned (and counted) so the caller can log it off the hot path. Single
//! owner; no allocation; `check` is a compare and a branch while closed.

use thiserror::Error;

/// Breaker settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Consecutive failures that open a closed breaker.
    pub failure_threshold: u32,
    /// How long an open breaker rejects before probing.
    pub recovery_timeout_ns: u64,
    /// Successes in half-open that close it.
    pub success_threshold: u32,
    /// Most probes in flight at once while half-open.
    pub max_probes: u32,
}

impl Default for BreakerConfig {
    /// Seed 003: 5 failures, 30 s open, 3 successes; 3 probes at a time.
    fn default() -> Self {
        BreakerConfig {
            failure_threshold: 5,
            recovery_timeout_ns: 30_000_000_000,
            success_threshold: 3,
            max_probes: 3,
        }
    }
}

/// The breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BreakerState {
    /// Requests flow; failures are counted.
    Closed,
    /// Requests are rejected until the recovery timeout passes.
    Open,
    /// A few probes may go; their outcomes decide.
    HalfOpen,
}

/// A state change, for the caller to count and log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transition {
    /// Too many consecutive failures.
    ClosedToOpen,
    /// The recovery timeout passed; probing.
    OpenToHalfOpen,
    /// Enough probes succeeded.
    HalfOpenToClosed,
    /// A probe failed.
    HalfOpenToOpen,
}

impl Transition {
    /// Every transition, in counter order.
    pub const ALL: [Transition; 4] = [
        Transition::ClosedToOpen,
        Transition::OpenToHalfOpen,
        Transition::HalfOpenToClosed,
        Transition::HalfOpenToOpen,
    ];

    /// Dense index for counter arrays.
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// A refused check. Maps to [`RejectReason::BreakerOpen`](crate::model::RejectReason::BreakerOpen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum BreakerOpen {
    /// Open; probing starts at `until_ns`.
    #[error("breaker open until {until_ns} ns")]
    Open {
        /// When the breaker will let a probe through, monotonic ns.
        until_ns: u64,
    },
    /// Half-open and every probe slot is taken.
    #[error("breaker half-open with all {max_probes} probes in flight")]
    ProbesBusy {
        /// The probe cap.
        max_probes: u32,
    },
}

/// A request may go. `probe` is true when it is a half-open probe (its outcome must be reported).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// A half-open probe.
    pub probe: bool,
    /// A transition this check caused (Open -> HalfOpen).
    pub transition: Option<Transition>,
}

/// One venue's circuit breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Breaker {
    cfg: BreakerConfig,
    state: BreakerState,
    failures: u32,
    successes: u32,
    probes_in_flight: u32,
    open_until_ns: u64,
    transitions: [u64; 4],
    rejected: u64,
}

impl Breaker {
    /// A closed breaker. Zero thresholds are taken as 1 (a breaker that never opens or never closes
    /// is a config mistake, not a mode).
    pub fn new(cfg: BreakerConfig) -> Breaker {
        let cfg = BreakerConfig {
            failure_threshold: cfg.failure_threshold.max(1),
            success_threshold: cfg.success_threshold.max(1),
            max_probes: cfg.max_probes.max(1),
            ..cfg
        };
        Breaker {
            cfg,
            state: BreakerState::Closed,
            failures: 0,
            successes: 0,
            probes_in_flight: 0,
            open_until_ns: 0,
            transitions: [0; 4],
            rejected: 0,
        }
    }

    /// May a request go to this venue at `now_ns`?
    #[inline]
    pub fn check(&mut self, now_ns: u64) -> Result<Pass, BreakerOpen> {
        let mut transition = None;
        match self.state {
            BreakerState::Closed => {
                return Ok(Pass {
                    probe: false,
                    transition: None,
                })
            }
            BreakerState::Open => {
                if now_ns < self.open_until_ns {
                    self.rejected += 1;
                    return Err(BreakerOpen::Open {
                        until_ns: self.open_until_ns,
                    });
                }
                self.state = BreakerState::HalfOpen;
                self.successes = 0;
                self.probes_in_flight = 0;
                transition = Some(self.count(Transition::OpenToHalfOpen));
            }
            BreakerState::HalfOpen => {}
        }
        if self.probes_in_flight >= self.cfg.max_probes {
            self.rejected += 1;
            return Err(BreakerOpen::ProbesBusy {
                max_probes: self.cfg.max_probes,
            });
        }
        self.probes_in_flight += 1;
        Ok(Pass {
            probe: true,
            transition,
        })
    }

    /// A request to the venue succeeded.
    pub fn on_success(&mut self, _now_ns: u64) -> Option<Transition> {
        match self.state {
            BreakerState::Closed => {
                self.failures = 0;
                None
            }
            BreakerState::HalfOpen => {
                self.probes_in_flight = self.probes_in_flight.saturating_sub(1);
                self.successes += 1;
                if self.successes >= self.cfg.success_threshold {
                    self.state = BreakerState::Closed;
                    self.failures = 0;
                    self.probes_in_flight = 0;
                    return Some(self.count(Transition::HalfOpenToClosed));
                }
                None
            }
            // A late answer to a request sent before the breaker opened: it changes nothing.
            BreakerState::Open => None,
        }
    }

    /// A request to the venue failed.
    pub fn on_failure(&mut self, now_ns: u64) -> Option<Transition> {
        match self.state {
            BreakerState::Closed => {
                self.failures += 1;
                if self.failures >= self.cfg.failure_threshold {
                    self.open(now_ns);
                    return Some(self.count(Transition::ClosedToOpen));
                }
                None
            }
            BreakerState::HalfOpen => {
                self.open(now_ns);
                Some(self.count(Transition::HalfOpenToOpen))
            }
            BreakerState::Open => None,
        }
    }

    /// A probe ended without saying anything about the venue (ambiguous or cancelled): free its slot.
    pub fn release_probe(&mut self) {
        if self.state == BreakerState::HalfOpen {
            self.probes_in_flight = self.probes_in_flight.saturating_sub(1);
        }
    }

    /// The state as of the last call (an open breaker past its timeout still reads `Open` until the
    /// next [`check`](Breaker::check)).
    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// How many times each transition happened, indexed by [`Transition::index`].
    pub fn transitions(&self) -> [u64; 4] {
        self.transitions
    }

    /// Checks refused.
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    fn open(&mut self, now_ns: u64) {
        self.state = BreakerState::Open;
        self.open_until_ns = now_ns.saturating_add(self.cfg.recovery_timeout_ns);
        self.failures = 0;
        self.successes = 0;
        self.probes_in_flight = 0;
    }

    fn count(&mut self, t: Transition) -> Transition {
        self.transitions[t.index()] += 1;
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const S: u64 = 1_000_000_000;

    fn breaker() -> Breaker {
        Breaker::new(BreakerConfig::default())
    }

    #[test]
    fn opens_after_five_consecutive_failures_only() {
        let mut b = breaker();
        for _ in 0..4 {
            assert_eq!(b.on_failure(0), None);
        }
        assert_eq!(b.on_success(0), None); // resets the run
        for _ in 0..4 {
            assert_eq!(b.on_failure(S), None);
        }
        assert_eq!(b.on_failure(S), Some(Transition::ClosedToOpen));
        assert_eq!(b.state(), BreakerState::Open);
        assert_eq!(
            b.check(S + 29 * S),
            Err(BreakerOpen::Open { until_ns: 31 * S })
        );
        assert_eq!(b.rejected(), 1);
    }

    #[test]
    fn half_open_probes_are_bounded_and_three_successes_close() {
        let mut b = breaker();
        for _ in 0..5 {
            b.on_failure(0);
        }
        let p = b.check(30 * S).unwrap();
        assert_eq!(
            p,
            Pass {
                probe: true,
                transition: Some(Transition::OpenToHalfOpen)
            }
        );
        assert!(b.check(30 * S).unwrap().probe);
        assert!(b.check(30 * S).is_ok());
        assert_eq!(
            b.check(30 * S),
            Err(BreakerOpen::ProbesBusy { max_probes: 3 })
        );
        assert_eq!(b.on_success(31 * S), None);
        assert!(b.check(31 * S).is_ok(), "a finished probe frees its slot");
        assert_eq!(b.on_success(31 * S), None);
        assert_eq!(b.on_success(31 * S), Some(Transition::HalfOpenToClosed));
        assert_eq!(b.state(), BreakerState::Closed);
        assert_eq!(
            b.check(31 * S).unwrap(),
            Pass {
                probe: false,
                transition: None
            }
        );
        assert_eq!(b.transitions(), [1, 1, 1, 0]);
    }

    #[test]
    fn a_failed_probe_reopens_for_a_full_timeout() {
        let mut b = breaker();
        for _ in 0..5 {
            b.on_failure(0);
        }
        b.check(30 * S).unwrap();
        b.on_success(30 * S);
        assert_eq!(b.on_failure(40 * S), Some(Transition::HalfOpenToOpen));
        assert_eq!(b.check(69 * S), Err(BreakerOpen::Open { until_ns: 70 * S }));
        assert!(b.check(70 * S).is_ok());
        assert_eq!(b.transitions(), [1, 2, 0, 1]);
    }

    #[test]
    fn released_probes_free_slots_and_late_answers_are_ignored() {
        let mut b = Breaker::new(BreakerConfig {
            max_probes: 1,
            ..BreakerConfig::default()
        });
        for _ in 0..5 {
            b.on_failure(0);
        }
        assert_eq!(b.on_success(S), None, "late success while open");
        assert_eq!(
            b.on_failure(S),
            None,
            "late failure while open does not extend it"
        );
        b.check(30 * S).unwrap();
        assert!(b.check(30 * S).is_err());
        b.release_probe();
        assert!(b.check(30 * S).is_ok());
    }

    #[test]
    fn zero_thresholds_are_taken_as_one() {
        let mut b = Breaker::new(BreakerConfig {
            failure_threshold: 0,
            success_threshold: 0,
            max_probes: 0,
            recovery_timeout_ns: 0,
        });
        assert_eq!(b.on_failure(0), Some(Transition::ClosedToOpen));
        assert!(b.check(0).is_ok());
        assert_eq!(b.on_success(0), Some(Transition::HalfOpenToClosed));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever happens, transitions chain (each state change is the one the state allows) and
        /// an open breaker never passes a request before its timeout.
        #[test]
        fn transitions_are_consistent(ops in proptest::collection::vec((0u8..3, 0u64..10), 1..200)) {
            let mut b = breaker();
            let mut now = 0u64;
            let mut opened_at = None;
            for (op, dt) in ops {
                now += dt * S;
                let before = b.state();
                let t = match op {
                    0 => match b.check(now) {
                        Ok(p) => {
                            if let Some(at) = opened_at { prop_assert!(now >= at + 30 * S || before != BreakerState::Open); }
                            p.transition
                        }
                        Err(_) => None,
                    },
                    1 => b.on_success(now),
                    _ => b.on_failure(now),
                };
                if let Some(t) = t {
                    let expect_from = match t {
                        Transition::ClosedToOpen => BreakerState::Closed,
                        Transition::OpenToHalfOpen => BreakerState::Open,
                        Transition::HalfOpenToClosed | Transition::HalfOpenToOpen => BreakerState::HalfOpen,
                    };
                    prop_assert_eq!(before, expect_from);
                    if b.state() == BreakerState::Open { opened_at = Some(now); }
                } else {
                    prop_assert_eq!(before, b.state());
                }
            }
        }
    }
}
