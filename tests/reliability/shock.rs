//! Reliability scenario 2, market shock: 100 simultaneous requesters.
//!
//! - API calls: 100 real threads released by one barrier draw from one [`AtomicGcra`] (a venue
//!   limit shared between threads) at the same instant and then along a shared fake timeline. Each
//!   request is either admitted or refused with the earliest time it could pass (`NotUntil`, the
//!   reason); admitted + refused equals requests made; the admissions never exceed the GCRA bound
//!   for the elapsed time (`burst + elapsed / interval`); after the storm the limiter still admits.
//! - The seed's panic traders: 100 threads, all at one instant, each checks the ticker (Upbit
//!   `quotation`), its balance (`default`), sends three orders 100 ms apart (`order`) and checks
//!   the order (`default`), drawing from shared atomic limiters sized from the venue's published
//!   limits (Upbit's four groups and Binance's request weight: five groups). A request waits (on
//!   its thread's fake clock) for its token up to a 2 s bound, else it is refused with the time it
//!   could have passed. Every request is admitted within its bound or refused, none lost; the
//!   admission times never exceed any group's published limit in any window (zero 429s); all five
//!   groups admit again afterwards.
//! - Opportunities: 100 opportunities reach the execution stage in one poll (on the paper venue, on
//!   a fake clock). Each ends in exactly one terminal state (executed, or rejected `no_slot` /
//!   `rate_limited` / ..., none lost, none twice); every slot is given back; no breaker opened;
//!   afterwards every venue pair ("venue group") still executes a fresh opportunity.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};

use crate::atomic_gcra::AtomicGcra;
use crate::common::paper::*;
use microarb::base::breaker::BreakerState;
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

/// One request's fate.
#[derive(Debug, Clone, Copy)]
enum Fate {
    /// Admitted at this time after waiting this long.
    Admitted { group: usize, at_ns: u64 },
    /// Refused: its token would only come at `earliest_ns`, past the wait bound.
    Refused { group: usize, earliest_ns: u64 },
}

#[test]
fn a_hundred_panic_traders_on_five_venue_groups() {
    use microarb::exec::limits::{default_limit, EndpointGroup, LimitSpec};
    use microarb::model::VenueKind;

    const MAX_WAIT_NS: u64 = 2 * 1_000_000_000;
    let groups: Vec<(&str, LimitSpec)> = [
        (VenueKind::Upbit, EndpointGroup::Quotation),
        (VenueKind::Upbit, EndpointGroup::ExchangeDefault),
        (VenueKind::Upbit, EndpointGroup::Order),
        (VenueKind::Upbit, EndpointGroup::OrderCancelAll),
        (VenueKind::Binance, EndpointGroup::RequestWeight),
    ]
    .iter()
    .map(|&(k, g)| (g.name(), default_limit(k, g).expect("published limit")))
    .collect();
    let limiters: Arc<Vec<AtomicGcra>> = Arc::new(
        groups
            .iter()
            .map(|(_, s)| AtomicGcra::new(s.interval_ns().expect("sized"), s.burst).expect("valid"))
            .collect(),
    );
    let (quotation, default, order) = (0, 1, 2);
    let t0 = 1_000_000_000u64;
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (limiters, barrier) = (limiters.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut now = t0;
                let mut fates = Vec::new();
                let mut acquire = |g: usize, now: &mut u64| {
                    let start = *now;
                    loop {
                        match limiters[g].check(*now) {
                            Ok(()) => {
                                fates.push(Fate::Admitted {
                                    group: g,
                                    at_ns: *now,
                                });
                                return;
                            }
                            Err(e) if e.earliest_ns - start <= MAX_WAIT_NS => *now = e.earliest_ns,
                            Err(e) => {
                                fates.push(Fate::Refused {
                                    group: g,
                                    earliest_ns: e.earliest_ns,
                                });
                                assert!(e.earliest_ns > start + MAX_WAIT_NS);
                                return;
                            }
                        }
                    }
                };
                barrier.wait();
                acquire(quotation, &mut now);
                acquire(default, &mut now);
                for _ in 0..3 {
                    acquire(order, &mut now);
                    now += 100_000_000;
                }
                acquire(default, &mut now);
                fates
            })
        })
        .collect();
    let fates: Vec<Fate> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("no panic"))
        .collect();
    assert_eq!(
        fates.len(),
        THREADS * 6,
        "every request admitted or refused"
    );
    let mut end = t0;
    for (g, (name, spec)) in groups.iter().enumerate() {
        let times: Vec<u64> = fates
            .iter()
            .filter_map(|f| match *f {
                Fate::Admitted { group, at_ns } if group == g => Some(at_ns),
                Fate::Refused { earliest_ns, .. } => {
                    assert!(earliest_ns > t0, "a refusal names a later time");
                    None
                }
                _ => None,
            })
            .collect();
        end = end.max(times.iter().copied().max().unwrap_or(t0));
        let mut sorted = times.clone();
        sorted.sort_unstable();
        let (mut lo, mut most) = (0, 0);
        for hi in 0..sorted.len() {
            while sorted[hi] - sorted[lo] >= spec.window_ns {
                lo += 1;
            }
            most = most.max(hi - lo + 1);
        }
        assert!(
            most as u64 <= u64::from(spec.limit),
            "{name}: {most} in a {} ns window, limit {} (a 429)",
            spec.window_ns,
            spec.limit
        );
    }
    let count = |g: usize| {
        let a = fates
            .iter()
            .filter(|f| matches!(f, Fate::Admitted { group, .. } if *group == g))
            .count();
        let r = fates
            .iter()
            .filter(|f| matches!(f, Fate::Refused { group, .. } if *group == g))
            .count();
        (a, r)
    };
    let (q, d, o) = (count(quotation), count(default), count(order));
    assert_eq!(q.0 + q.1, THREADS);
    assert_eq!(d.0 + d.1, 2 * THREADS);
    assert_eq!(o.0 + o.1, 3 * THREADS);
    // Within the 2 s bound a group admits its burst plus about 2 s of refill, no more.
    for ((name, spec), (a, _)) in [(groups[0], q), (groups[1], d), (groups[2], o)] {
        let most = spec
            .max_in_window(MAX_WAIT_NS + 600_000_000)
            .expect("sized");
        assert!(a >= spec.burst as usize, "{name}: {a} admitted");
        assert!(
            a as u64 <= most * 2,
            "{name}: {a} admitted, at most {most} per wait bound"
        );
    }
    assert!(
        o.1 > 0,
        "300 orders at 12/s cannot all pass within 2 s: refused with a reason"
    );
    eprintln!(
        "panic traders: quotation {}/{} default {}/{} order {}/{} (admitted/refused)",
        q.0, q.1, d.0, d.1, o.0, o.1
    );
    // Every group alive: after its window passes, each admits again.
    for (g, (name, spec)) in groups.iter().enumerate() {
        let later = end + MAX_WAIT_NS + spec.window_ns + spec.margin_ns;
        assert!(
            limiters[g].check(later).is_ok(),
            "{name} admits after the shock"
        );
    }
}

#[test]
fn a_hundred_simultaneous_opportunities_each_end_once() {
    let mut h = harness(|_| {});
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
