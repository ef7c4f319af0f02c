//! Reliability scenario 1 against the mock exchange's REST endpoints: a realistic trading pattern
//! (normal monitoring, a volatility spike, a market shock with bursts of dozens of opportunities at
//! one instant whose partial fills make the legging policy send hedge orders) against venues that
//! enforce their published limits themselves and answer 429 past them: Upbit's `order` group 8
//! per second and `default` group 30 per second (VENUES.md; the seed's Upbit limiter review),
//! Binance's 100 orders per 10 s and 6000 weight per minute (`RestLimits::default()`). Zero 429s,
//! counted by the venue.
//!
//! Real sockets on loopback and real time, so the pattern is compressed to a few seconds a phase:
//! monitoring (one opportunity about every 300 ms), spike (one every 40 ms, well past Upbit's 8
//! orders a second), shock (40 opportunities at one instant every 125 ms, each for 1 BTC against
//! displayed sizes of 0.1 to 2 BTC, so about half the legs fill partly and hedges follow). Three
//! venues: Binance, Upbit and a second Binance-kind venue, so some pairs do not touch Upbit. The
//! stage runs with the default slots, waiting bound and order timeout; it is built and polled by
//! this test (`support/mockex_rest.rs`), as the pipeline's exec worker would.
//!
//! Asserted from the mock's own counters: no 429 and no 418 on any venue, fills happened; from the
//! engine's: no 429 seen, the shock met the limits (opportunities waited for a token and some were
//! refused `rate_limited`), hedges were sent, and the accounting invariant. The deterministic
//! fake-clock variant on the paper venue is `reliability_trading_pattern.rs`.

use std::time::{Duration, Instant};

use crate::common::config::dec;
use crate::common::mockex_rest::{self, stats, Engine, Venue, BINANCE_UPBIT, MS, SECRET};
use microarb::base::Rng;
use microarb::mockex::{MockExchange, RestLimits};
use microarb::model::{Outcome, Qty, RejectReason, VenueId, VenueKind};

const VENUES: [Venue; 3] = [
    BINANCE_UPBIT[0],
    BINANCE_UPBIT[1],
    Venue {
        name: "binance2",
        kind: VenueKind::Binance,
        extra: "",
    },
];

/// 0.001 BTC: fills whole against any displayed size.
const SMALL: Qty = Qty(100_000);
/// 1 BTC: more than the displayed size (0.1 to 2 BTC) about half the time.
const LARGE: Qty = Qty(100_000_000);

/// Every ordered pair of the venues.
fn pairs() -> Vec<(VenueId, VenueId)> {
    let n = VENUES.len() as u8;
    (0..n)
        .flat_map(|b| {
            (0..n)
                .filter(move |&s| s != b)
                .map(move |s| (VenueId(b), VenueId(s)))
        })
        .collect()
}

/// One phase's opportunity flow: `n` at one instant every `every_ms`, `qty` each, alive `ttl_ns`.
struct Flow {
    every_ms: u64,
    n: usize,
    qty: Qty,
    ttl_ns: u64,
}

/// Monitoring: an opportunity about every 300 ms.
const MONITORING: Flow = Flow {
    every_ms: 300,
    n: 1,
    qty: SMALL,
    ttl_ns: 200 * MS,
};
/// Volatility spike: one every 40 ms.
const SPIKE: Flow = Flow {
    every_ms: 40,
    n: 1,
    qty: SMALL,
    ttl_ns: 100 * MS,
};
/// Shock: 40 at one instant every 125 ms, large enough to fill partly.
const SHOCK: Flow = Flow {
    every_ms: 125,
    n: 40,
    qty: LARGE,
    ttl_ns: 150 * MS,
};

/// For `dur`, push `f`'s opportunities on random pairs, polling in between.
fn phase(e: &mut Engine, ex: &MockExchange, rng: &mut Rng, dur: Duration, f: &Flow) {
    let pairs = pairs();
    let mut next = Duration::ZERO;
    e.run_for(dur, |e, t| {
        if t >= next {
            for _ in 0..f.n {
                let (b, s) = pairs[rng.below(pairs.len() as u64) as usize];
                let o = e.opp(ex, b, s, f.qty, f.ttl_ns);
                e.push(o);
            }
            next = t + Duration::from_millis(f.every_ms);
        }
        e.poll();
        true
    });
}

#[test]
fn monitoring_spike_and_shock_get_no_429_from_the_venues() {
    let started = Instant::now();
    let ex = mockex_rest::start(&VENUES, RestLimits::default());
    let cfg = mockex_rest::config(&ex, &VENUES, "/nonexistent", |c| {
        c.risk.max_order_notional = dec("100000");
        c.risk.max_open_notional = dec("1000000");
        c.risk.loss_limit = dec("1000000");
    });
    let mut e = mockex_rest::engine(&cfg, SECRET);
    let mut rng = Rng::new(42);

    let three_s = Duration::from_secs(3);
    phase(&mut e, &ex, &mut rng, three_s, &MONITORING);
    e.settle(Duration::from_secs(10));
    let monitoring = (e.fed, e.outcome(Outcome::Executed));
    phase(&mut e, &ex, &mut rng, three_s, &SPIKE);
    let limited = |e: &Engine| {
        e.outcome(Outcome::Rejected(RejectReason::RateLimited)) + e.count("exec.ratelimit.waits")
    };
    let before_shock = limited(&e);
    phase(&mut e, &ex, &mut rng, three_s, &SHOCK);
    e.settle(Duration::from_secs(20));
    e.check_accounting(&ex, &VENUES);

    // The venues' side: nothing over a limit, ever.
    for v in &VENUES {
        let s = stats(&ex, v.name);
        assert_eq!((s.rest_429s, s.rest_418s), (0, 0), "{s:?}");
        assert_eq!(s.rest_bad_signatures + s.rest_stale_timestamps, 0, "{s:?}");
    }
    let fills: u64 = VENUES.iter().map(|v| stats(&ex, v.name).rest_fills).sum();
    let upbit = stats(&ex, "upbit");
    // The engine's side.
    assert_eq!(e.count("exec.status_429"), 0, "zero 429 responses");
    assert!(monitoring.1 > 0, "monitoring-phase opportunities executed");
    assert!(e.outcome(Outcome::Executed) > monitoring.1);
    assert!(fills > 0);
    let rate_limited = e.outcome(Outcome::Rejected(RejectReason::RateLimited));
    assert!(
        limited(&e) > before_shock,
        "the shock met the limits (waited for a token or refused rate_limited)"
    );
    assert!(rate_limited > 0, "some refused rate_limited");
    assert!(
        e.count("exec.ratelimit.waits") > 0,
        "some waited for a token"
    );
    assert!(e.count("exec.legging.imbalances") > 0, "partial fills");
    assert!(
        e.count("exec.legging.retries") + e.count("exec.legging.unwinds") > 0,
        "hedges were sent"
    );
    eprintln!(
        "trading pattern (rest): {} opportunities ({} in monitoring), {} executed, {} partial, \
         {} rate_limited, {} no_slot, {} expired; {} orders ({} to Upbit), {} hedges, {} fills at \
         the mock; {:?} wall",
        e.fed,
        monitoring.0,
        e.outcome(Outcome::Executed),
        e.outcome(Outcome::Partial),
        rate_limited,
        e.outcome(Outcome::Rejected(RejectReason::NoSlot)),
        e.outcome(Outcome::Expired),
        e.count("exec.orders_sent"),
        upbit.rest_orders,
        e.count("exec.legging.retries") + e.count("exec.legging.unwinds"),
        fills,
        started.elapsed()
    );
}
