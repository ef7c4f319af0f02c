//! GCRA on an atomic TAT, for a limit that several threads draw from (one venue's IP-wide request
//! weight shared by two execution threads, say). Same arithmetic as the engine's single-owner
//! `microarb::exec::limits::gcra`; read that module for the derivation. The engine itself has no
//! limit shared between threads today, so this limiter lives with what uses it: the market-shock
//! scenario (a hundred threads on one limit) and the limiter bench (`benches/exec.rs`, which
//! includes this file).
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
//! The atomics come from the private `sync` shim below (crossbeam's habit: one cfg flag swaps in
//! loom's model-checked atomics), so loom can explore every interleaving:
//!
//! ```text
//! RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test --release --test reliability atomic_gcra
//! ```
//!
//! (A target directory of its own, inside the ignored `target/`, so the loom build does not
//! invalidate the normal one.)
//!
//! Hot path: no allocation, no lock, no syscall; the loop retries only when another thread won.

#![allow(dead_code)]

use microarb::exec::limits::gcra::{
    scaled_interval, tolerance, GcraConfigError, NotUntil, RateRatio,
};
use sync::{AtomicU64, Ordering};

/// The atomics this limiter shares between threads, routed through one place so that
/// `RUSTFLAGS="--cfg loom"` swaps in loom's model-checked versions.
mod sync {
    #[cfg(loom)]
    pub(super) use loom::sync::atomic::{AtomicU64, Ordering};

    #[cfg(not(loom))]
    pub(super) use std::sync::atomic::{AtomicU64, Ordering};
}

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
