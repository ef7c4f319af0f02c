//! Reliability scenario 2, market shock: 100 simultaneous requesters.
//!
//! - API calls: 100 real threads released by one barrier draw from one [`AtomicGcra`] (a venue
//!   limit shared between threads) at the same instant and then along a shared fake timeline. Each
//!   request is either admitted or refused with the earliest time it could pass (`NotUntil`, the
//!   reason); admitted + refused equals requests made; the admissions never exceed the GCRA bound
//!   for the elapsed time (`burst + elapsed / interval`); after the storm the limiter still admits.
//! - Opportunities: 100 opportunities reach the execution stage in one poll (on the paper venue, on
//!   a fake clock). Each ends in exactly one terminal state (executed, or rejected `no_slot` /
//!   `rate_limited` / ..., none lost, none twice); every slot is given back; no breaker opened;
//!   afterwards every venue pair ("venue group") still executes a fresh opportunity.

mod exec_common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};

use exec_common::*;
use microarb::exec::breaker::BreakerState;
use microarb::exec::gcra_atomic::AtomicGcra;
use microarb::model::{Outcome, RejectReason, VenueId};
use microarb::runtime::Stage;

const THREADS: usize = 100;
const INTERVAL_NS: u64 = 100_000;
const BURST: u32 = 10;

#[test]
fn a_hundred_threads_on_one_shared_limit() {
    let gcra = Arc::new(AtomicGcra::new(INTERVAL_NS, BURST).expect("valid limit"));
    let t0 = 1_000_000_000u64;
    let barrier = Arc::new(Barrier::new(THREADS));
    // The shared fake clock: every thread advances it by a little after each request, so the
    // threads race on the TAT while time moves.
    let clock = Arc::new(AtomicU64::new(t0));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (gcra, barrier, clock) = (gcra.clone(), barrier.clone(), clock.clone());
            std::thread::spawn(move || {
                barrier.wait();
                // 1. All at the same instant.
                let first = gcra.check(t0);
                if let Err(e) = first {
                    assert!(e.earliest_ns > t0, "a refusal names a later time");
                }
                // 2. Once every thread has tried, 200 requests each along the moving clock.
                barrier.wait();
                let (mut ok, mut refused) = (0u64, 0u64);
                for _ in 0..200 {
                    let now = clock.fetch_add(1_000, Ordering::Relaxed);
                    match gcra.check(now) {
                        Ok(()) => ok += 1,
                        Err(e) => {
                            assert!(e.earliest_ns > now, "refused with a reason: {e}");
                            refused += 1;
                        }
                    }
                }
                (first.is_ok(), ok, refused)
            })
        })
        .collect();
    let results: Vec<(bool, u64, u64)> = handles
        .into_iter()
        .map(|h| h.join().expect("no panic"))
        .collect();
    let first_ok = results.iter().filter(|r| r.0).count();
    assert_eq!(
        first_ok, BURST as usize,
        "exactly the burst passes at one instant"
    );
    let ok: u64 = results.iter().map(|r| r.1).sum();
    let refused: u64 = results.iter().map(|r| r.2).sum();
    assert_eq!(ok + refused, THREADS as u64 * 200, "nothing lost");
    let end = clock.load(Ordering::Relaxed);
    // The burst was spent at t0; from then on at most one per interval (plus one for the edge).
    let bound = (end - t0) / INTERVAL_NS + 1;
    assert!(
        ok <= bound,
        "{ok} admitted over {} ns, bound {bound}",
        end - t0
    );
    assert!(
        ok >= bound / 2,
        "the limit was used, not starved: {ok} of {bound}"
    );
    // Still alive: after a quiet period the full burst is there again.
    let later = end + u64::from(BURST) * INTERVAL_NS + INTERVAL_NS;
    for i in 0..BURST {
        assert!(gcra.check(later).is_ok(), "token {i} after the storm");
    }
    assert!(gcra.check(later).is_err());
}

#[test]
fn a_hundred_simultaneous_opportunities_each_end_once() {
    let mut h = harness("");
    let pairs: Vec<(VenueId, VenueId)> = (0..4u8)
        .flat_map(|b| {
            (0..4u8)
                .filter(move |&s| s != b)
                .map(move |s| (VenueId(b), VenueId(s)))
        })
        .collect();
    for i in 0..100 {
        let (b, s) = pairs[i % pairs.len()];
        let o = h.opp(b, s, 10 + (i % 7) as i64);
        h.tx.push(o, 0).expect("ring has room for 100");
        h.fed += 1;
    }
    // One poll takes the whole burst at one instant.
    h.stage.poll(h.now);
    assert!(h.terminal_sum() <= 100);
    h.settle(100 * US, 5_000 * MS);
    assert_eq!(
        h.terminal_sum(),
        100,
        "every opportunity ended exactly once"
    );
    h.flush();
    let executed = h.outcome(Outcome::Executed);
    let no_slot = h.outcome(Outcome::Rejected(RejectReason::NoSlot));
    let limited = h.outcome(Outcome::Rejected(RejectReason::RateLimited));
    assert!(executed >= 1, "some of the burst executed");
    assert!(no_slot + limited > 0, "the rest were refused with a reason");
    assert_eq!(
        h.count("exec.slots.acquired"),
        h.count("exec.slots.released")
    );
    assert_eq!(
        h.count("exec.status_429"),
        0,
        "the venues never answered 429"
    );
    assert_eq!(
        h.stage.gateway_mut().counters().orders,
        h.count("exec.orders_sent")
    );
    for v in 0..4u8 {
        assert_eq!(h.stage.breaker_state(VenueId(v)), BreakerState::Closed);
    }

    // Every venue group still alive: after the limits refill, each pair executes again.
    let before = h.outcome(Outcome::Executed);
    for (b, s) in pairs.iter().copied() {
        h.step(3_000 * MS);
        let o = h.opp(b, s, 10);
        h.feed(o);
        h.settle(100 * US, 1_000 * MS);
    }
    assert_eq!(
        h.outcome(Outcome::Executed) - before,
        pairs.len() as u64,
        "every pair executes after the shock"
    );
    assert_eq!(h.terminal_sum(), h.fed);
}
