//! GCRA on an atomic TAT, for a limit that several threads draw from (one venue's IP-wide request
//! weight shared by two execution threads, say). Same arithmetic as [`super::limits::gcra`]; read that module
//! for the derivation.
//!
//! # How it stays exact without a lock
//!
//! The whole state that changes per request is one `u64` (the TAT). A check loads it, computes the
//! new TAT from that value alone, and publishes it with `compare_exchange_weak`; if another thread
//! moved the TAT in between, the exchange fails and the check recomputes from the value it lost to.
//! Every admission is therefore one link in the TAT's single modification order, which is exactly the
//! sequence of admissions the single-owner limiter would have made: no more than `burst` can pass at
//! one instant, however the threads interleave. A refusal writes nothing.
//!
//! The emission interval is an atomic too (the zero-429 policy changes it); a check reads it once,
//! so a concurrent ratio change applies to the next check, never half of one.
//!
//! Orderings: the TAT is the only shared datum and lives in one location, so its modification order
//! alone gives the guarantee; `AcqRel`/`Acquire` are used anyway (free on x86, where every RMW is a
//! full barrier) so that a caller may rely on "admitted" happening-after the admission it followed.
//!
//! # Model checking
//!
//! The atomics come from the private `sync` shim, so loom can explore every interleaving:
//!
//! ```text
//! RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test --release --lib exec::gcra_atomic
//! ```
//!
//! (A target directory of its own, inside the ignored `target/`, so the loom build does not
//! invalidate the normal one.)
//!
//! Hot path: no allocation, no lock, no syscall; the loop retries only when another thread won.

use super::limits::gcra::{scaled_interval, tolerance, GcraConfigError, NotUntil, RateRatio};
use super::sync::{AtomicU64, Ordering};

/// A GCRA limiter shareable by reference between threads (`Sync`); put it in an `Arc` or a static
/// owner that outlives the threads.
#[derive(Debug)]
pub struct AtomicGcra {
    tat_ns: AtomicU64,
    emission_interval_ns: AtomicU64,
    tolerance_ns: u64,
    base_interval_ns: u64,
}

impl AtomicGcra {
    /// A limiter admitting `burst` at once, then one every `interval_ns`.
    pub fn new(interval_ns: u64, burst: u32) -> Result<AtomicGcra, GcraConfigError> {
        let tolerance_ns = tolerance(interval_ns, burst)?;
        Ok(AtomicGcra {
            tat_ns: AtomicU64::new(0),
            emission_interval_ns: AtomicU64::new(interval_ns),
            tolerance_ns,
            base_interval_ns: interval_ns,
        })
    }

    /// Take one token at `now_ns`, or learn when one will be there. Lock-free.
    #[inline]
    pub fn check(&self, now_ns: u64) -> Result<(), NotUntil> {
        let interval = self.emission_interval_ns.load(Ordering::Relaxed);
        let mut tat = self.tat_ns.load(Ordering::Acquire);
        loop {
            let earliest_ns = tat.saturating_sub(self.tolerance_ns);
            if now_ns < earliest_ns {
                return Err(NotUntil { earliest_ns });
            }
            let new_tat = tat.max(now_ns).saturating_add(interval);
            match self.tat_ns.compare_exchange_weak(
                tat,
                new_tat,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(()),
                Err(actual) => tat = actual,
            }
        }
    }

    /// The earliest time (>= `now_ns`) one token could be taken, as of this instant.
    #[inline]
    pub fn earliest_at(&self, now_ns: u64) -> u64 {
        self.tat_ns
            .load(Ordering::Acquire)
            .saturating_sub(self.tolerance_ns)
            .max(now_ns)
    }

    /// Run at `ratio` of the configured rate (see [`super::limits::gcra::Gcra::set_ratio`]).
    pub fn set_ratio(&self, ratio: RateRatio) {
        self.emission_interval_ns.store(
            scaled_interval(self.base_interval_ns, ratio),
            Ordering::Relaxed,
        );
    }

    /// The current effective emission interval, ns.
    pub fn emission_interval_ns(&self) -> u64 {
        self.emission_interval_ns.load(Ordering::Relaxed)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::exec::limits::gcra::Gcra;
    use std::sync::Arc;

    #[test]
    fn matches_single_owner_sequentially() {
        let a = AtomicGcra::new(7, 3).unwrap();
        let mut s = Gcra::new(7, 3).unwrap();
        for now in (0..300).step_by(3) {
            for _ in 0..2 {
                assert_eq!(a.check(now), s.check(now), "at {now}");
                assert_eq!(a.earliest_at(now), s.earliest_at(now));
            }
        }
        a.set_ratio(RateRatio::HALF);
        s.set_ratio(RateRatio::HALF);
        assert_eq!(a.emission_interval_ns(), s.emission_interval_ns);
        for now in (300..600).step_by(5) {
            assert_eq!(a.check(now), s.check(now), "at {now}");
        }
    }

    #[test]
    fn threads_never_exceed_burst_at_one_instant() {
        let g = Arc::new(AtomicGcra::new(1_000_000, 50).unwrap());
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let g = Arc::clone(&g);
                std::thread::spawn(move || (0..100).filter(|_| g.check(42).is_ok()).count())
            })
            .collect();
        let total: usize = handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .sum();
        assert_eq!(total, 50);
    }

    #[test]
    fn bad_configs_are_refused() {
        assert_eq!(
            AtomicGcra::new(0, 1).err(),
            Some(GcraConfigError::ZeroInterval)
        );
        assert_eq!(
            AtomicGcra::new(1, 0).err(),
            Some(GcraConfigError::ZeroBurst)
        );
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::sync::Arc;
    use loom::thread;

    /// Three threads (two spawned plus the model's main) race five checks at one fixed instant
    /// against a burst of 2: in every interleaving exactly 2 pass (never more, and none lost).
    #[test]
    fn burst_is_never_exceeded_at_a_fixed_time() {
        loom::model(|| {
            let g = Arc::new(AtomicGcra::new(1_000, 2).expect("valid config"));
            let handles: Vec<_> = (0..2)
                .map(|_| {
                    let g = Arc::clone(&g);
                    thread::spawn(move || (0..2).filter(|_| g.check(5_000).is_ok()).count())
                })
                .collect();
            let mine = usize::from(g.check(5_000).is_ok());
            let total: usize = mine
                + handles
                    .into_iter()
                    .map(|h| h.join().expect("no panic"))
                    .sum::<usize>();
            assert_eq!(total, 2);
        });
    }

    /// A refusal names a time at which a check does pass, even under contention.
    #[test]
    fn refusal_time_is_reachable() {
        loom::model(|| {
            let g = Arc::new(AtomicGcra::new(1_000, 1).expect("valid config"));
            let g2 = Arc::clone(&g);
            let h = thread::spawn(move || g2.check(0));
            let mine = g.check(0);
            let theirs = h.join().expect("no panic");
            let refused = [mine, theirs]
                .into_iter()
                .filter_map(|r| r.err())
                .collect::<Vec<_>>();
            assert_eq!(refused.len(), 1);
            assert_eq!(refused[0].earliest_ns, 1_000);
            assert!(g.check(1_000).is_ok());
        });
    }
}
