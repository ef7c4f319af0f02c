//! The accounting invariant under injected faults: every opportunity fed to the execution stage
//! ends in exactly one terminal state, whatever the paper venue answers (429, 5xx, timeouts,
//! partial fills, rejects), the legging policy, the timing and the kill switch; every slot taken is
//! given back, no notional stays open, and every order the venue saw was sent by the stage.

use crate::common::paper::*;
use microarb::config::LeggingKind;
use microarb::exec::gateway::PaperFaults;
use microarb::exec::limits::LimitSpec;
use microarb::exec::AssetId;
use microarb::model::{Outcome, RejectReason, VenueId};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Op {
    buy: u8,
    sell_off: u8,
    net_bps: i64,
    gap_us: u64,
    ttl_ms: u64,
}

fn op() -> impl Strategy<Value = Op> {
    (0u8..4, 1u8..4, 0i64..30, 0u64..3_000, 1u64..100).prop_map(
        |(buy, sell_off, net_bps, gap_us, ttl_ms)| Op {
            buy,
            sell_off,
            net_bps,
            gap_us,
            ttl_ms,
        },
    )
}

fn faults() -> impl Strategy<Value = PaperFaults> {
    (
        0.0..0.2f64,
        0.0..0.2f64,
        0.0..0.2f64,
        0.0..0.2f64,
        0.0..0.2f64,
    )
        .prop_map(
            |(p_429, p_5xx, p_timeout, p_partial, p_reject)| PaperFaults {
                p_429,
                p_5xx,
                p_timeout,
                p_partial,
                p_reject,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn every_opportunity_ends_exactly_once(
        seed in any::<u64>(),
        venue_faults in proptest::collection::vec(faults(), 4),
        retry in any::<bool>(),
        max_orders in 1u32..4,
        ops in proptest::collection::vec(op(), 1..60),
        kill_at in proptest::option::of(0usize..60),
        lift_limits in any::<bool>(),
    ) {
        let cfg = config(|_| {});
        let mut h = harness_with(&cfg, |p| {
            p.paper.seed = seed;
            for (v, f) in venue_faults.iter().enumerate() {
                p.paper.faults[v] = *f;
            }
            p.legging.policy = if retry { LeggingKind::Retry } else { LeggingKind::Unwind };
            p.legging.max_orders = max_orders;
            if lift_limits {
                // The venues' real limits refuse most of a fast burst as rate_limited; without
                // them many more arbitrages meet the faults.
                for v in &mut p.venues {
                    for g in v.limits.iter_mut().flatten() {
                        *g = LimitSpec { limit: 100_000, window_ns: 1_000_000_000, burst: 1_000, margin_ns: 0 };
                    }
                }
            }
        });
        for (i, o) in ops.iter().enumerate() {
            if kill_at == Some(i) {
                h.kill.trip();
            }
            h.step(o.gap_us * US);
            let mut opp = h.opp(VenueId(o.buy), VenueId((o.buy + o.sell_off) % 4), o.net_bps);
            opp.expiry_ts_ns = h.now + o.ttl_ms * MS;
            h.feed(opp);
            // Every opportunity taken so far is counted, waiting, or in flight.
            prop_assert!(h.terminal_sum() <= h.fed);
        }
        h.settle(100 * US, 5_000 * MS);
        prop_assert_eq!(h.terminal_sum(), h.fed, "terminal counters add up to what was fed");
        prop_assert!(h.stage.is_idle());
        h.flush();
        prop_assert_eq!(h.count("exec.slots.acquired"), h.count("exec.slots.released"));
        prop_assert_eq!(h.stage.risk().open_notional(AssetId(1)), 0);
        prop_assert_eq!(h.stage.gateway_mut().counters().orders, h.count("exec.orders_sent"));
        prop_assert_eq!(h.count("exec.late_reports"), 0);
        // Every arbitrage whose orders were written ended executed, partial, no_fill, or (both
        // legs answered 429) rate_limited.
        let sent_ended = h.outcome(Outcome::Executed)
            + h.outcome(Outcome::Partial)
            + h.outcome(Outcome::Rejected(RejectReason::NoFill));
        prop_assert!(sent_ended <= h.count("exec.arbs_sent"));
        prop_assert!(
            h.count("exec.arbs_sent") - sent_ended
                <= h.outcome(Outcome::Rejected(RejectReason::RateLimited))
        );
    }
}
