//! Bounded waiting for a rate-limit token: an opportunity may wait only until the earlier of its
//! expiry and `max_wait`, then it is refused. No waiter can wait forever.
//!
//! Seed 003's limiter parked callers on futures that a background task was meant to wake; when that
//! task died the waiters waited for ever (its "memory leak" section). Here there is no waiter object
//! at all: the execution stage asks [`WaitBudget::decide`] with the limiter's earliest token time and
//! gets one of
//!
//! - [`WaitDecision::Admit`]: a token is there now (take it);
//! - [`WaitDecision::WaitUntil`]: come back at that time (always later than `now`, never later than
//!   the deadline), so every return visit makes progress in time;
//! - [`WaitDecision::Reject`] with [`RejectReason::RateLimited`]: the token comes after the deadline,
//!   never, or the deadline has passed;
//! - [`WaitDecision::Expired`]: the opportunity itself is past its expiry (its terminal state is
//!   `expired`, not a rejection).
//!
//! The deadline is fixed when the wait starts ([`WaitBudget::start`]), so asking again cannot extend
//! it. Pure arithmetic on `now_ns`; nothing blocks, sleeps or allocates.

use super::zero429::Throttle;
use crate::model::{Opportunity, RejectReason};

/// What to do with an opportunity that needs a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitDecision {
    /// Go now.
    Admit,
    /// Ask again at this time (monotonic ns).
    WaitUntil(u64),
    /// Give up: always [`RejectReason::RateLimited`].
    Reject(RejectReason),
    /// The opportunity is past its expiry.
    Expired,
}

/// The wait allowed to one opportunity, fixed when it first needs a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitBudget {
    /// After this (monotonic ns) the opportunity must not be sent.
    pub expiry_ns: u64,
    /// The last moment it may still be waiting: `min(expiry, start + max_wait)`.
    pub deadline_ns: u64,
}

impl WaitBudget {
    /// Start waiting at `now_ns` for something that expires at `expiry_ns`, for at most `max_wait_ns`.
    #[inline]
    pub fn start(now_ns: u64, expiry_ns: u64, max_wait_ns: u64) -> WaitBudget {
        WaitBudget {
            expiry_ns,
            deadline_ns: expiry_ns.min(now_ns.saturating_add(max_wait_ns)),
        }
    }

    /// [`WaitBudget::start`] for an opportunity.
    #[inline]
    pub fn for_opportunity(opp: &Opportunity, now_ns: u64, max_wait_ns: u64) -> WaitBudget {
        WaitBudget::start(now_ns, opp.expiry_ts_ns, max_wait_ns)
    }

    /// Decide given the earliest time a token is available (`None`: never, e.g. no limit or a batch
    /// larger than the burst).
    #[inline]
    pub fn decide(&self, now_ns: u64, earliest_ns: Option<u64>) -> WaitDecision {
        if now_ns > self.expiry_ns {
            return WaitDecision::Expired;
        }
        if now_ns > self.deadline_ns {
            return WaitDecision::Reject(RejectReason::RateLimited);
        }
        match earliest_ns {
            Some(t) if t <= now_ns => WaitDecision::Admit,
            Some(t) if t <= self.deadline_ns => WaitDecision::WaitUntil(t),
            _ => WaitDecision::Reject(RejectReason::RateLimited),
        }
    }

    /// Decide from a limiter's verdict: `Ok` (token taken) admits, a [`Throttle`] waits until its
    /// time if that is within the budget.
    #[inline]
    pub fn decide_after(&self, now_ns: u64, verdict: Result<(), Throttle>) -> WaitDecision {
        match verdict {
            Ok(()) if now_ns <= self.expiry_ns => WaitDecision::Admit,
            Ok(()) => WaitDecision::Expired,
            Err(t) => match t.until_ns() {
                // A throttle's time is always in the future; a past one means "ask again now".
                Some(until) => self.decide(now_ns, Some(until.max(now_ns.saturating_add(1)))),
                None => self.decide(now_ns, None),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::limits::gcra::Gcra;
    use proptest::prelude::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn deadline_is_the_earlier_of_expiry_and_max_wait() {
        assert_eq!(WaitBudget::start(100, 150, 10).deadline_ns, 110);
        assert_eq!(WaitBudget::start(100, 105, 10).deadline_ns, 105);
        assert_eq!(
            WaitBudget::start(100, u64::MAX, u64::MAX).deadline_ns,
            u64::MAX
        );
    }

    #[test]
    fn decisions() {
        let b = WaitBudget::start(0, 50 * MS, 20 * MS);
        assert_eq!(b.decide(0, Some(0)), WaitDecision::Admit);
        assert_eq!(b.decide(0, Some(5 * MS)), WaitDecision::WaitUntil(5 * MS));
        assert_eq!(b.decide(0, Some(20 * MS)), WaitDecision::WaitUntil(20 * MS));
        assert_eq!(
            b.decide(0, Some(20 * MS + 1)),
            WaitDecision::Reject(RejectReason::RateLimited)
        );
        assert_eq!(
            b.decide(0, None),
            WaitDecision::Reject(RejectReason::RateLimited)
        );
        assert_eq!(
            b.decide(21 * MS, Some(0)),
            WaitDecision::Reject(RejectReason::RateLimited)
        );
        assert_eq!(b.decide(51 * MS, Some(0)), WaitDecision::Expired);
    }

    #[test]
    fn throttles() {
        let b = WaitBudget::start(0, 50 * MS, 20 * MS);
        assert_eq!(b.decide_after(0, Ok(())), WaitDecision::Admit);
        assert_eq!(b.decide_after(60 * MS, Ok(())), WaitDecision::Expired);
        let banned = Throttle::Banned {
            until_ns: 120_000 * MS,
        };
        assert_eq!(
            b.decide_after(0, Err(banned)),
            WaitDecision::Reject(RejectReason::RateLimited)
        );
        let rate = Throttle::Rate { until_ns: 3 * MS };
        assert_eq!(
            b.decide_after(0, Err(rate)),
            WaitDecision::WaitUntil(3 * MS)
        );
        let big = Throttle::BatchTooLarge { n: 9, burst: 2 };
        assert_eq!(
            b.decide_after(0, Err(big)),
            WaitDecision::Reject(RejectReason::RateLimited)
        );
        let stale = Throttle::Rate { until_ns: 0 };
        assert_eq!(b.decide_after(5, Err(stale)), WaitDecision::WaitUntil(6));
    }

    #[test]
    fn with_an_opportunity_and_a_gcra() {
        let opp = Opportunity {
            expiry_ts_ns: 100 * MS,
            ..Opportunity::default()
        };
        let mut g = Gcra::new(30 * MS, 1).unwrap();
        let b = WaitBudget::for_opportunity(&opp, 0, 50 * MS);
        assert_eq!(
            b.decide_after(
                0,
                g.check(0).map_err(|e| Throttle::Rate {
                    until_ns: e.earliest_ns
                })
            ),
            WaitDecision::Admit
        );
        assert_eq!(
            b.decide(0, Some(g.earliest_at(0))),
            WaitDecision::WaitUntil(30 * MS)
        );
        // Someone else takes that token; the next one is at 60 ms, past max_wait (50 ms).
        g.check(30 * MS).unwrap();
        assert_eq!(
            b.decide(30 * MS, Some(g.earliest_at(30 * MS))),
            WaitDecision::Reject(RejectReason::RateLimited)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Following the decisions, a waiter always ends (admit, reject or expire) by its deadline,
        /// whatever the limiter keeps answering.
        #[test]
        fn every_wait_ends_by_the_deadline(
            start in 0u64..1_000,
            expiry_in in 0u64..1_000,
            max_wait in 0u64..1_000,
            answers in proptest::collection::vec(prop::option::of(0u64..3_000), 1..64),
        ) {
            let b = WaitBudget::start(start, start + expiry_in, max_wait);
            let mut now = start;
            for a in answers.iter().cycle().take(10_000) {
                match b.decide(now, a.map(|d| now + d)) {
                    WaitDecision::WaitUntil(t) => {
                        prop_assert!(t > now && t <= b.deadline_ns);
                        now = t;
                    }
                    WaitDecision::Admit | WaitDecision::Reject(_) | WaitDecision::Expired => {
                        prop_assert!(now <= b.deadline_ns.max(start));
                        return Ok(());
                    }
                }
            }
            prop_assert!(false, "still waiting after 10 000 decisions");
        }
    }
}
