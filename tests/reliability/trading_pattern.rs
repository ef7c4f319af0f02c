//! Reliability scenario 1, a realistic trading pattern against a venue enforcing Upbit-like limits:
//! normal monitoring (an opportunity now and then), a volatility spike (a steady stream on every
//! pair), then a market shock (bursts of dozens of opportunities at one instant, with partial
//! fills so the legging policy sends hedge orders, the "orders and cancels" of a shock). Zero 429s.
//!
//! The deterministic variant, on the paper venue; the same pattern against the mock exchange's REST
//! endpoints, which enforce the limits themselves and answer 429 past them, over real sockets in
//! (compressed) real time, is `reliability_trading_pattern_rest.rs`. The paper venue enforces
//! nothing, so the venues' true limits are enforced here, on the log of what the stage sent (the
//! logging gateway of `reliability_common`): for every venue and every endpoint group the venue
//! publishes a limit for, the weighted requests in any window of the group's length (orders count
//! 1 in each of their groups, a status query its weight in its group) never exceed the published
//! limit (Upbit `order`: 8 per 1 s; `default`: 30 per 1 s; Binance: 100 orders per 10 s, 6000
//! weight per minute; Bybit and OKX: the conservative order limit). A request over it is what the
//! venue would have answered 429; the test counts those and requires zero. The stage is polled
//! directly on a fake clock (about 25 s of market time in milliseconds), deterministic for its
//! seed. Ends with the accounting invariant.

use crate::common::gateway::*;
use microarb::base::Rng;
use microarb::exec::gateway::PaperFaults;
use microarb::exec::limits::EndpointGroup;
use microarb::exec::params::{ExecParams, VenueExec};
use microarb::model::{Outcome, RejectReason, VenueId};

const STEP: u64 = MS;

/// Requests over the venue's published limits, per (venue, group), from the log of sends.
fn over_limit(venues: &[VenueExec], orders: &[Sent], queries: &[Sent]) -> Vec<String> {
    let mut bad = Vec::new();
    for (v, ve) in venues.iter().enumerate() {
        let venue = VenueId(v as u8);
        for g in EndpointGroup::ALL {
            let Some(spec) = ve.limits[g.index()] else {
                continue;
            };
            // (time, weight) of every request charged to this group.
            let mut ev: Vec<(u64, u64)> = Vec::new();
            if ve.order_groups.contains(&Some(g)) {
                ev.extend(
                    orders
                        .iter()
                        .filter(|s| s.venue == venue)
                        .map(|s| (s.at_ns, 1)),
                );
            }
            if ve.query_group.0 == g {
                let w = u64::from(ve.query_group.1);
                ev.extend(
                    queries
                        .iter()
                        .filter(|s| s.venue == venue)
                        .map(|s| (s.at_ns, w)),
                );
            }
            ev.sort_unstable();
            let (mut lo, mut sum, mut worst) = (0, 0u64, 0u64);
            for hi in 0..ev.len() {
                sum += ev[hi].1;
                while ev[hi].0 - ev[lo].0 >= spec.window_ns {
                    sum -= ev[lo].1;
                    lo += 1;
                }
                worst = worst.max(sum);
            }
            if worst > u64::from(spec.limit) {
                bad.push(format!(
                    "venue {v} group {}: {worst} in {} ns, limit {}",
                    g.name(),
                    spec.window_ns,
                    spec.limit
                ));
            }
        }
    }
    bad
}

fn pairs() -> Vec<(VenueId, VenueId)> {
    (0..4u8)
        .flat_map(|b| {
            (0..4u8)
                .filter(move |&s| s != b)
                .map(move |s| (VenueId(b), VenueId(s)))
        })
        .collect()
}

#[test]
fn monitoring_spike_and_shock_stay_inside_every_venue_limit() {
    let started = std::time::Instant::now();
    let mut r = rig(|p| {
        p.paper.latency_ns = 30 * MS;
        p.paper.jitter_ns = 20 * MS;
        p.paper.seed = 7;
        p.order_timeout_ns = SEC;
        p.status_query_ns = 100 * MS;
    });
    let venues = published_limits();
    let pairs = pairs();
    let mut rng = Rng::new(42);
    let pick = |rng: &mut Rng| pairs[rng.below(pairs.len() as u64) as usize];

    // 1. Monitoring: one opportunity about every 2 s for 10 s.
    let end = r.now + 10 * SEC;
    while r.now < end {
        if rng.below(2_000) == 0 {
            let (b, s) = pick(&mut rng);
            let o = r.opp(b, s, 100 * MS);
            r.push(o);
        }
        r.step(STEP);
    }
    let monitoring = (r.fed, r.outcome(Outcome::Executed));

    // 2. Volatility spike: one every 20 ms on random pairs for 5 s.
    let end = r.now + 5 * SEC;
    while r.now < end {
        if r.now % (20 * MS) == 0 {
            let (b, s) = pick(&mut rng);
            let o = r.opp(b, s, 50 * MS);
            r.push(o);
        }
        r.step(STEP);
    }

    // 3. Shock: bursts of 40 at one instant every 250 ms for 5 s; a tenth of the fills partial,
    //    so hedges (retries and unwinds) join the order flow.
    for v in 0..4u8 {
        let f = PaperFaults {
            p_partial: 0.1,
            ..PaperFaults::default()
        };
        r.stage.gateway_mut().inner.set_faults(VenueId(v), f);
    }
    let end = r.now + 5 * SEC;
    while r.now < end {
        if r.now % (250 * MS) == 0 {
            for _ in 0..40 {
                let (b, s) = pick(&mut rng);
                let o = r.opp(b, s, 80 * MS);
                assert!(r.push(o), "ring has room");
            }
        }
        r.step(STEP);
    }
    r.settle(STEP, 60 * SEC);
    r.check_accounting();

    let gw = r.stage.gateway_mut();
    let bad = over_limit(&venues, &gw.orders, &gw.queries);
    let upbit_orders = send_times(&gw.orders, VenueId(3));
    let upbit_peak = max_in_window(&upbit_orders, SEC);
    let n_orders = gw.orders.len();
    assert!(bad.is_empty(), "a venue would have answered 429: {bad:#?}");
    assert!(
        upbit_peak <= 8,
        "Upbit orders in a 1 s window: {upbit_peak}"
    );
    assert_eq!(r.count("exec.status_429"), 0, "zero 429 responses");
    assert!(monitoring.1 > 0, "monitoring-phase opportunities executed");
    assert!(
        r.outcome(Outcome::Rejected(RejectReason::RateLimited)) > 0,
        "the shock met the limits"
    );
    assert!(
        r.count("exec.ratelimit.waits") > 0,
        "some waited for a token"
    );
    assert!(
        r.count("exec.legging.retries") + r.count("exec.legging.unwinds") > 0,
        "hedges were sent"
    );
    eprintln!(
        "trading pattern: {} opportunities ({} in monitoring), {} executed, {} rate_limited, \
         {} no_slot, {} orders, Upbit peak {upbit_peak}/s; {:?} wall",
        r.fed,
        monitoring.0,
        r.outcome(Outcome::Executed),
        r.outcome(Outcome::Rejected(RejectReason::RateLimited)),
        r.outcome(Outcome::Rejected(RejectReason::NoSlot)),
        n_orders,
        started.elapsed()
    );
}

/// The venues' published limits (the stage sizes its limiters from these, with a margin).
fn published_limits() -> Vec<VenueExec> {
    ExecParams::from_config(&demo_config())
        .expect("params")
        .venues
}
