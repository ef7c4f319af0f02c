//! The atomic GCRA against the single-owner one, under threads, and (with `--cfg loom`) under
//! every interleaving loom explores.

#[cfg(not(loom))]
mod tests {
    use crate::atomic_gcra::*;
    use microarb::exec::limits::gcra::Gcra;
    use microarb::exec::limits::gcra::{GcraConfigError, RateRatio};
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

#[cfg(loom)]
mod loom_tests {
    use crate::atomic_gcra::*;
    use loom::sync::Arc;
    use loom::thread;
    use microarb::exec::limits::gcra::{GcraConfigError, RateRatio};

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
