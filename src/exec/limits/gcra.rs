//! Single-owner GCRA (generic cell rate algorithm): the rate limiter on the execution hot path.
//!
//! Why GCRA: a token bucket needs a token count *and* a refill timestamp updated together; GCRA keeps
//! one number, the theoretical arrival time (TAT), so a check is a couple of compares and one store,
//! and an atomic twin (`tests/reliability/atomic_gcra.rs`, for a limit shared between threads) is a
//! single compare-and-swap.
//!
//! # The arithmetic (governor's formulation)
//!
//! - `T` = emission interval: the time one token is worth (`window / tokens`, rounded up so the
//!   limiter is never faster than asked).
//! - `tau` = tolerance = `T * (burst - 1)`: how far ahead of real time the TAT may run.
//! - A request at `now` is admitted iff `now >= TAT - tau`; then `TAT = max(TAT, now) + T`.
//! - Refused, it learns the earliest time it could pass: `TAT - tau`.
//! - `n` tokens at once: `TAT' = max(TAT, now) + n*T` must satisfy `TAT' - now <= tau + T`. A batch
//!   larger than the burst can never pass and says so ([`GcraError::BatchTooLarge`]), rather than
//!   asking to wait forever.
//!
//! With a fresh TAT (0, or anything in the past) `burst` requests pass at once; after that one per
//! `T`. Over any window of length `W` at most `burst + W / T` requests are admitted (a request admitted
//! at `a_1` leaves `TAT >= a_1 + k*T` after `k` admissions, and the `k`-th needs
//! `a_1 + (k-1)*T - tau <= a_k`). That bound is the property test below and the rule that
//! [`super::venue`] sizes the venue limits by.
//!
//! # Rate ratio
//!
//! The zero-429 policy slows a group down without rebuilding it: [`Gcra::set_ratio`] multiplies the
//! rate by a [`RateRatio`] (the emission interval is divided by it). The tolerance in nanoseconds is
//! kept, so the effective burst shrinks with the rate (at ratio 0.5 it is `ceil(b / 2)`; the window
//! bound becomes `1 + (W + tau) / T`, the same formula, as `tau` need no longer be a whole number of
//! intervals). Emergency mode wants exactly `max(1, b / 2)` and sets the tolerance for it
//! ([`Gcra::set_tolerance_ns`]). The TAT is kept, so no burst is granted by a ratio change. The
//! division happens only when the ratio changes, never per check.
//!
//! Time is a `now_ns: u64` argument (monotonic ns), never read here: every rule is tested on a fake
//! clock.

use thiserror::Error;

/// A rate multiplier in parts per million (`RateRatio::ONE` is the full configured rate).
///
/// Integer so that ratio steps (5 %) add up exactly and the hot path never touches `f64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RateRatio(pub u32);

impl RateRatio {
    /// Parts per million in 1.0.
    pub const SCALE: u32 = 1_000_000;
    /// The full configured rate.
    pub const ONE: RateRatio = RateRatio(Self::SCALE);
    /// Half the configured rate (the default 429 cut and the emergency factor).
    pub const HALF: RateRatio = RateRatio(Self::SCALE / 2);
    /// The smallest ratio a limiter accepts: 0.1 % of the rate; below it a group is better blocked.
    pub const MIN: RateRatio = RateRatio(1_000);

    /// Clamp into `[MIN, ONE]`.
    #[inline]
    pub const fn clamped(self) -> RateRatio {
        if self.0 < Self::MIN.0 {
            Self::MIN
        } else if self.0 > Self::ONE.0 {
            Self::ONE
        } else {
            self
        }
    }

    /// `self * other`, both in ppm, clamped.
    #[inline]
    pub const fn mul(self, other: RateRatio) -> RateRatio {
        RateRatio(((self.0 as u64 * other.0 as u64) / Self::SCALE as u64) as u32).clamped()
    }

    /// The ratio as a float, for reports only.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / Self::SCALE as f64
    }
}

/// Why a limiter could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum GcraConfigError {
    /// The emission interval must be at least 1 ns.
    #[error("emission interval must be > 0 ns")]
    ZeroInterval,
    /// The burst must be at least 1.
    #[error("burst must be >= 1")]
    ZeroBurst,
    /// `interval * (burst - 1)` does not fit in a u64 of nanoseconds.
    #[error("tolerance overflows: interval {interval_ns} ns x (burst {burst} - 1)")]
    ToleranceOverflow {
        /// The interval asked for.
        interval_ns: u64,
        /// The burst asked for.
        burst: u32,
    },
}

/// A refused single-token check: the earliest time (monotonic ns) it could pass, if nothing else
/// takes a token first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("rate limited until {earliest_ns} ns")]
pub struct NotUntil {
    /// Earliest admission time, monotonic ns.
    pub earliest_ns: u64,
}

/// A refused multi-token check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum GcraError {
    /// Not now; this batch could pass at `earliest_ns`.
    #[error("rate limited until {earliest_ns} ns")]
    NotUntil {
        /// Earliest admission time, monotonic ns.
        earliest_ns: u64,
    },
    /// More tokens than the (effective) burst: it can never pass in one piece.
    #[error("batch of {n} exceeds the effective burst {burst}")]
    BatchTooLarge {
        /// Tokens asked for.
        n: u32,
        /// The effective burst at the current ratio.
        burst: u32,
    },
}

/// The tolerance `tau = interval * (burst - 1)` of a limiter admitting `burst` at once, then one
/// every `interval_ns`: the construction check every GCRA over these limits shares (the
/// single-owner one here, and any other, such as a limiter shared between threads).
pub fn tolerance(interval_ns: u64, burst: u32) -> Result<u64, GcraConfigError> {
    if interval_ns == 0 {
        return Err(GcraConfigError::ZeroInterval);
    }
    if burst == 0 {
        return Err(GcraConfigError::ZeroBurst);
    }
    interval_ns
        .checked_mul(u64::from(burst - 1))
        .ok_or(GcraConfigError::ToleranceOverflow { interval_ns, burst })
}

/// A single-owner GCRA limiter: `Copy`, 40 bytes, no allocation, no clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gcra {
    /// Theoretical arrival time, monotonic ns.
    pub tat_ns: u64,
    /// Effective emission interval `T` (the base interval divided by the ratio), ns.
    pub emission_interval_ns: u64,
    /// Tolerance `tau`, ns (fixed at construction).
    pub tolerance_ns: u64,
    /// Emission interval at ratio 1.0, ns.
    base_interval_ns: u64,
    /// Current ratio.
    ratio: RateRatio,
}

impl Gcra {
    /// A limiter admitting `burst` at once, then one every `interval_ns`.
    pub fn new(interval_ns: u64, burst: u32) -> Result<Gcra, GcraConfigError> {
        let tolerance_ns = tolerance(interval_ns, burst)?;
        Ok(Gcra {
            tat_ns: 0,
            emission_interval_ns: interval_ns,
            tolerance_ns,
            base_interval_ns: interval_ns,
            ratio: RateRatio::ONE,
        })
    }

    /// A limiter for `count` requests per `window_ns` with `burst` (interval rounded up).
    pub fn per_window(count: u32, window_ns: u64, burst: u32) -> Result<Gcra, GcraConfigError> {
        if count == 0 {
            return Err(GcraConfigError::ZeroInterval);
        }
        Gcra::new(window_ns.div_ceil(u64::from(count)), burst)
    }

    /// Take one token at `now_ns`, or learn when one will be there.
    #[inline]
    pub fn check(&mut self, now_ns: u64) -> Result<(), NotUntil> {
        let tat = self.tat_ns.max(now_ns);
        let earliest_ns = self.tat_ns.saturating_sub(self.tolerance_ns);
        if now_ns < earliest_ns {
            return Err(NotUntil { earliest_ns });
        }
        self.tat_ns = tat.saturating_add(self.emission_interval_ns);
        Ok(())
    }

    /// Take `n` tokens at once (all or none). `n == 0` always passes and changes nothing.
    #[inline]
    pub fn check_n(&mut self, n: u32, now_ns: u64) -> Result<(), GcraError> {
        if n == 0 {
            return Ok(());
        }
        let burst = self.burst();
        if n > burst {
            return Err(GcraError::BatchTooLarge { n, burst });
        }
        let inc = self.emission_interval_ns.saturating_mul(u64::from(n));
        let new_tat = self.tat_ns.max(now_ns).saturating_add(inc);
        // Admitted iff new_tat - now <= tau + T, written without underflow.
        let allow_at =
            new_tat.saturating_sub(self.tolerance_ns.saturating_add(self.emission_interval_ns));
        if now_ns < allow_at {
            return Err(GcraError::NotUntil {
                earliest_ns: allow_at,
            });
        }
        self.tat_ns = new_tat;
        Ok(())
    }

    /// The earliest time (>= `now_ns`) one token could be taken; does not take it. For bounded
    /// waiting ([`super::wait`]).
    #[inline]
    pub fn earliest_at(&self, now_ns: u64) -> u64 {
        self.tat_ns.saturating_sub(self.tolerance_ns).max(now_ns)
    }

    /// The effective burst at the current ratio: `floor(tau / T) + 1`.
    #[inline]
    pub fn burst(&self) -> u32 {
        let b = self.tolerance_ns / self.emission_interval_ns.max(1) + 1;
        u32::try_from(b).unwrap_or(u32::MAX)
    }

    /// The current rate ratio.
    #[inline]
    pub fn ratio(&self) -> RateRatio {
        self.ratio
    }

    /// Run at `ratio` (clamped to `[RateRatio::MIN, RateRatio::ONE]`) of the configured rate. Cheap
    /// but does one division: call it when the ratio changes, not per check.
    pub fn set_ratio(&mut self, ratio: RateRatio) {
        let ratio = ratio.clamped();
        self.ratio = ratio;
        self.emission_interval_ns = scaled_interval(self.base_interval_ns, ratio);
    }

    /// Set the tolerance `tau` (how far ahead of real time the TAT may run: the burst is
    /// `floor(tau / T) + 1`). The TAT is kept, so a smaller tolerance grants nothing and a larger
    /// one (back to the built one) restores the burst the limiter was built with. For emergency
    /// mode's halved burst; a change, not a per-check call.
    pub fn set_tolerance_ns(&mut self, tolerance_ns: u64) {
        self.tolerance_ns = tolerance_ns;
    }

    /// Forget all history (as if built now): the next checks see a full burst.
    pub fn reset(&mut self) {
        self.tat_ns = 0;
    }
}

/// `base / ratio`, rounded up, saturating: the interval at a reduced rate.
#[inline]
pub fn scaled_interval(base_ns: u64, ratio: RateRatio) -> u64 {
    let r = u128::from(ratio.clamped().0);
    let v = (u128::from(base_ns) * u128::from(RateRatio::SCALE)).div_ceil(r);
    u64::try_from(v).unwrap_or(u64::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn burst_then_one_per_interval() {
        let mut g = Gcra::new(100 * MS, 3).unwrap();
        let t0 = 1_000 * MS;
        for _ in 0..3 {
            assert_eq!(g.check(t0), Ok(()));
        }
        // TAT = t0 + 300 ms, tau = 200 ms: the next token at t0 + 100 ms.
        assert_eq!(
            g.check(t0),
            Err(NotUntil {
                earliest_ns: t0 + 100 * MS
            })
        );
        assert_eq!(g.earliest_at(t0), t0 + 100 * MS);
        assert!(g.check(t0 + 100 * MS - 1).is_err());
        assert_eq!(g.check(t0 + 100 * MS), Ok(()));
        assert!(g.check(t0 + 150 * MS).is_err());
        assert_eq!(g.check(t0 + 200 * MS), Ok(()));
    }

    #[test]
    fn idle_refills_to_burst_only() {
        let mut g = Gcra::new(10 * MS, 2).unwrap();
        assert!(g.check(0).is_ok());
        let later = 10_000 * MS;
        assert!(g.check(later).is_ok());
        assert!(g.check(later).is_ok());
        assert!(g.check(later).is_err());
    }

    #[test]
    fn check_n_all_or_nothing() {
        let mut g = Gcra::new(10 * MS, 5).unwrap();
        assert_eq!(g.check_n(0, 0), Ok(()));
        assert_eq!(
            g.check_n(6, 0),
            Err(GcraError::BatchTooLarge { n: 6, burst: 5 })
        );
        assert_eq!(g.check_n(3, 0), Ok(()));
        let before = g;
        assert_eq!(
            g.check_n(3, 0),
            Err(GcraError::NotUntil {
                earliest_ns: 10 * MS
            })
        );
        assert_eq!(g, before, "a refused batch takes nothing");
        assert_eq!(g.check_n(2, 0), Ok(()));
        assert!(g.check(0).is_err());
    }

    #[test]
    fn ratio_slows_rate_and_shrinks_burst() {
        let mut g = Gcra::new(100 * MS, 5).unwrap();
        g.set_ratio(RateRatio::HALF);
        assert_eq!(g.emission_interval_ns, 200 * MS);
        assert_eq!(g.burst(), 3); // 400 ms tolerance / 200 ms + 1
        let t0 = 10_000 * MS;
        for _ in 0..3 {
            assert!(g.check(t0).is_ok());
        }
        assert_eq!(
            g.check(t0),
            Err(NotUntil {
                earliest_ns: t0 + 200 * MS
            })
        );
        g.set_ratio(RateRatio::ONE);
        assert_eq!(g.emission_interval_ns, 100 * MS);
        assert_eq!(g.ratio(), RateRatio::ONE);
        // Restoring the rate grants no extra burst: the TAT was kept.
        assert_eq!(g.earliest_at(t0), t0 + 200 * MS);
    }

    #[test]
    fn ratio_clamps_and_multiplies() {
        assert_eq!(RateRatio(0).clamped(), RateRatio::MIN);
        assert_eq!(RateRatio(2_000_000).clamped(), RateRatio::ONE);
        assert_eq!(RateRatio::HALF.mul(RateRatio::HALF), RateRatio(250_000));
        assert_eq!(scaled_interval(3, RateRatio(700_000)), 5); // 4.28.. rounded up
    }

    #[test]
    fn bad_configs_are_refused() {
        assert_eq!(Gcra::new(0, 1), Err(GcraConfigError::ZeroInterval));
        assert_eq!(Gcra::new(1, 0), Err(GcraConfigError::ZeroBurst));
        assert!(matches!(
            Gcra::new(u64::MAX, 3),
            Err(GcraConfigError::ToleranceOverflow { .. })
        ));
        assert_eq!(
            Gcra::per_window(0, 1, 1),
            Err(GcraConfigError::ZeroInterval)
        );
        assert_eq!(Gcra::per_window(3, 10, 1).unwrap().emission_interval_ns, 4);
    }

    #[test]
    fn saturates_near_u64_max() {
        let mut g = Gcra::new(MS, 2).unwrap();
        // 584 years of uptime: only "no panic, no wrap to 0" matters there.
        assert!(g.check(u64::MAX - 1).is_ok());
        let _ = g.check(u64::MAX);
        assert_eq!(g.tat_ns, u64::MAX);
        assert_eq!(
            g.check_n(2, u64::MAX).is_ok(),
            g.earliest_at(u64::MAX) == u64::MAX
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Over any window of length W: admitted <= 1 + (W + tau) / T, which is burst + W / T when
        /// tau is a whole number of intervals (always at ratio 1.0).
        #[test]
        fn window_bound_holds(
            interval in 1u64..1_000,
            burst in 1u32..8,
            ratio_ppm in prop_oneof![Just(RateRatio::SCALE), 100_000u32..=RateRatio::SCALE],
            gaps in proptest::collection::vec((0u64..400, 1u32..3), 1..200),
            window in 1u64..5_000,
        ) {
            let mut g = Gcra::new(interval, burst).unwrap();
            g.set_ratio(RateRatio(ratio_ppm));
            let t = g.emission_interval_ns;
            let tau = g.tolerance_ns;
            if ratio_ppm == RateRatio::SCALE {
                prop_assert_eq!(1 + tau / t, u64::from(burst));
            }
            let mut now = 0u64;
            let mut admitted = Vec::new();
            for (gap, n) in gaps {
                now += gap;
                if n == 1 {
                    if g.check(now).is_ok() { admitted.push(now); }
                } else if g.check_n(n, now).is_ok() {
                    for _ in 0..n { admitted.push(now); }
                }
            }
            // Every window [a, a + W] starting at an admission (the worst case starts at one).
            for (i, &start) in admitted.iter().enumerate() {
                let inside = admitted[i..].iter().take_while(|&&a| a <= start + window).count() as u64;
                prop_assert!(inside <= 1 + (window + tau) / t, "{inside} > 1 + ({window} + {tau})/{t}");
            }
        }

        /// A refused check names a time at which the same check passes.
        #[test]
        fn earliest_is_honest(interval in 1u64..1_000, burst in 1u32..6, k in 1usize..20) {
            let mut g = Gcra::new(interval, burst).unwrap();
            for _ in 0..k { let _ = g.check(0); }
            match g.check(0) {
                Ok(()) => {}
                Err(NotUntil { earliest_ns }) => {
                    prop_assert_eq!(g.earliest_at(0), earliest_ns);
                    prop_assert!(g.check(earliest_ns - 1).is_err());
                    prop_assert!(g.check(earliest_ns).is_ok());
                }
            }
        }
    }
}
