//! Reliability scenario 1, a realistic trading pattern against venues enforcing their published
//! limits: normal monitoring (an opportunity now and then), a volatility spike (a steady stream on
//! every pair), then a market shock (bursts of dozens of opportunities at one instant, with partial
//! fills so the legging policy sends hedge orders, the "orders and cancels" of a shock). Zero 429s.
//! One scenario ([`scenario`]), run over both rigs:
//!
//! - `paper`: the deterministic variant on the paper venue, polled directly on a fake clock (about
//!   25 s of market time in milliseconds), deterministic for its seed. The paper venue matches
//!   each order against the book the test pushes on its `books` ring, as in a run; in the shock
//!   one venue's book jumps away at each burst, so the legs that reach it then miss and the
//!   legging policy hedges (no injected fault). The paper venue enforces
//!   nothing, so the venues' true limits are enforced on the log of what the stage sent (the
//!   logging gateway of `common::gateway`): for every venue and every endpoint group the venue
//!   publishes a limit for, the weighted requests in any window of the group's length (orders
//!   count 1 in each of their groups, a status query its weight in its group) never exceed the
//!   published limit (Upbit `order`: 12 per 1 s since 2026-08-21; `default`: 30 per 1 s; Binance:
//!   100 orders per 10 s, 6000 weight per minute; Bybit: 20 orders per 1 s; OKX: 60 per 2 s). A
//!   request over
//!   it is what the venue would have answered 429; the test counts those and requires zero.
//! - `rest`: the mock exchange's REST endpoints, which enforce the limits themselves and answer
//!   429 past them (`RestLimits::default()`), over real sockets in real time, so the pattern is
//!   compressed to a few seconds a phase: monitoring (one opportunity about every 300 ms), spike
//!   (one every 40 ms, well past Upbit's order limit), shock (40 opportunities at one
//!   instant every 125 ms, each for 1 BTC against displayed sizes of 0.1 to 2 BTC, so about half
//!   the legs fill partly and hedges follow). All four venue kinds: Binance, Upbit, Bybit v5 and
//!   OKX v5 (whose orders are acknowledged and then status-queried), so some pairs touch neither
//!   Upbit nor Binance. Checked on the mock's own counters too: no 429 (Bybit's 10006 included)
//!   and no 418 (Bybit's 403) on any venue, no bad signature, passphrase or timestamp, fills
//!   happened on every venue, partial fills.
//!
//! Asserted on both: no 429 seen by the engine, monitoring-phase opportunities executed, the shock
//! met the limits (opportunities waited for a token and some were refused `rate_limited`), hedges
//! were sent, and the accounting invariant.

use std::time::{Duration, Instant};

use microarb::base::Rng;
use microarb::exec::limits::EndpointGroup;
use microarb::exec::params::{ExecParams, VenueExec};
use microarb::model::{InstrumentId, Outcome, Price, Qty, RejectReason, VenueId};
use mockex::{MockExchange, RestLimits};

use crate::common::config::dec;
use crate::common::gateway::{self, max_in_window, send_times, Rig, Sent, MS, ONE, SEC};
use crate::common::mockex_rest::{self, stats, Engine, Venue, ALL_FOUR, SECRET};

/// Every ordered pair of `n` venues.
fn pairs(n: u8) -> Vec<(VenueId, VenueId)> {
    (0..n)
        .flat_map(|b| {
            (0..n)
                .filter(move |&s| s != b)
                .map(move |s| (VenueId(b), VenueId(s)))
        })
        .collect()
}

/// What the scenario needs of a rig.
trait TradingVenues {
    /// Normal monitoring: an opportunity now and then on random pairs.
    fn monitoring(&mut self, rng: &mut Rng);
    /// Volatility spike: a steady stream on random pairs.
    fn spike(&mut self, rng: &mut Rng);
    /// Market shock: bursts at one instant, large or partly filled so hedges follow.
    fn shock(&mut self, rng: &mut Rng);
    /// Poll until idle.
    fn settle(&mut self);
    /// Opportunities fed.
    fn fed(&self) -> u64;
    fn count(&self, name: &str) -> u64;
    fn outcome(&self, o: Outcome) -> u64;
    /// The accounting invariant, with the rig's venue-side checks (nothing over a limit).
    fn check_accounting(&mut self);
}

/// The scenario; returns (fed, executed) after the monitoring phase.
fn scenario(r: &mut dyn TradingVenues) -> (u64, u64) {
    let mut rng = Rng::new(42);
    r.monitoring(&mut rng);
    let monitoring = (r.fed(), r.outcome(Outcome::Executed));
    r.spike(&mut rng);
    let limited = |r: &dyn TradingVenues| {
        r.outcome(Outcome::Rejected(RejectReason::RateLimited)) + r.count("exec.ratelimit.waits")
    };
    let before_shock = limited(r);
    r.shock(&mut rng);
    r.settle();
    r.check_accounting();

    assert_eq!(r.count("exec.status_429"), 0, "zero 429 responses");
    assert!(monitoring.1 > 0, "monitoring-phase opportunities executed");
    assert!(r.outcome(Outcome::Executed) > monitoring.1);
    let rate_limited = r.outcome(Outcome::Rejected(RejectReason::RateLimited));
    assert!(
        limited(r) > before_shock,
        "the shock met the limits (waited for a token or refused rate_limited)"
    );
    assert!(rate_limited > 0, "some refused rate_limited");
    assert!(
        r.count("exec.ratelimit.waits") > 0,
        "some waited for a token"
    );
    assert!(
        r.count("exec.legging.retries") + r.count("exec.legging.unwinds") > 0,
        "hedges were sent"
    );
    monitoring
}

// ---- The fake-clock rig over the logged paper venue.

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

struct Paper {
    r: Rig,
    pairs: Vec<(VenueId, VenueId)>,
}

impl Paper {
    /// Set `venue`'s book: normally bid 101 and ask 100 with 10 units each (every rig opportunity
    /// buys at 100 and sells at 101, so every leg fills); `away`, bid 90 and ask 110, so none does.
    fn book(&mut self, venue: VenueId, away: bool) {
        let (bid, ask) = if away { (90, 110) } else { (101, 100) };
        let size = Qty(10 * ONE);
        self.r.quote(
            venue,
            InstrumentId(0),
            (Price(bid * ONE), size),
            (Price(ask * ONE), size),
        );
    }

    fn pick(&self, rng: &mut Rng) -> (VenueId, VenueId) {
        self.pairs[rng.below(self.pairs.len() as u64) as usize]
    }
}

impl TradingVenues for Paper {
    fn monitoring(&mut self, rng: &mut Rng) {
        // One opportunity about every 2 s for 10 s.
        let end = self.r.now + 10 * SEC;
        while self.r.now < end {
            if rng.below(2_000) == 0 {
                let (b, s) = self.pick(rng);
                let o = self.r.opp(b, s, 100 * MS);
                self.r.push(o);
            }
            self.r.step(STEP);
        }
    }
    fn spike(&mut self, rng: &mut Rng) {
        // One every 20 ms on random pairs for 5 s.
        let end = self.r.now + 5 * SEC;
        while self.r.now < end {
            if self.r.now % (20 * MS) == 0 {
                let (b, s) = self.pick(rng);
                let o = self.r.opp(b, s, 50 * MS);
                self.r.push(o);
            }
            self.r.step(STEP);
        }
    }
    fn shock(&mut self, rng: &mut Rng) {
        // Bursts of 40 at one instant every 250 ms for 5 s. At each burst one venue's book jumps
        // away (bid under every sell limit, ask over every buy limit) until the next burst, so the
        // legs that reach it while it is away miss: hedges (retries and unwinds) join the order
        // flow, as in a real shock, with no fault injected.
        let end = self.r.now + 5 * SEC;
        let mut away: Option<VenueId> = None;
        while self.r.now < end {
            if self.r.now % (250 * MS) == 0 {
                for _ in 0..40 {
                    let (b, s) = self.pick(rng);
                    let o = self.r.opp(b, s, 80 * MS);
                    assert!(self.r.push(o), "ring has room");
                }
                if let Some(v) = away.take() {
                    self.book(v, false);
                }
                let v = VenueId(rng.below(4) as u8);
                self.book(v, true);
                away = Some(v);
            }
            self.r.step(STEP);
        }
        if let Some(v) = away {
            self.book(v, false);
        }
    }
    fn settle(&mut self) {
        self.r.settle(STEP, 60 * SEC);
    }
    fn fed(&self) -> u64 {
        self.r.fed
    }
    fn count(&self, name: &str) -> u64 {
        self.r.count(name)
    }
    fn outcome(&self, o: Outcome) -> u64 {
        self.r.outcome(o)
    }
    fn check_accounting(&mut self) {
        self.r.check_accounting();
        let venues = published_limits();
        let gw = self.r.stage.gateway_mut();
        let bad = over_limit(&venues, &gw.orders, &gw.queries);
        let upbit_peak = max_in_window(&send_times(&gw.orders, VenueId(3)), SEC);
        assert!(bad.is_empty(), "a venue would have answered 429: {bad:#?}");
        let upbit_order = microarb::config::venue_limits::published_limit(
            microarb::model::VenueKind::Upbit,
            "order",
        )
        .expect("Upbit publishes an order limit")
        .limit;
        assert_eq!(upbit_order, 12, "Upbit's order group since 2026-08-21");
        assert!(
            upbit_peak <= upbit_order as usize,
            "Upbit orders in a 1 s window: {upbit_peak}"
        );
    }
}

#[test]
fn paper() {
    let started = Instant::now();
    let r = gateway::rig(|p| {
        p.paper.latency_ns = 30 * MS;
        p.paper.jitter_ns = 20 * MS;
        p.paper.seed = 7;
        p.order_timeout_ns = SEC;
        p.status_query_ns = 100 * MS;
    });
    let mut rig = Paper {
        r: r.with_books(1024),
        pairs: pairs(4),
    };
    for v in 0..4u8 {
        rig.book(VenueId(v), false);
    }
    let monitoring = scenario(&mut rig);
    let r = &mut rig.r;
    let n_orders = r.stage.gateway_mut().orders.len();
    eprintln!(
        "trading pattern: {} opportunities ({} in monitoring), {} executed, {} partial, \
         {} rate_limited, {} no_slot, {} orders; {:?} wall",
        r.fed,
        monitoring.0,
        r.outcome(Outcome::Executed),
        r.outcome(Outcome::Partial),
        r.outcome(Outcome::Rejected(RejectReason::RateLimited)),
        r.outcome(Outcome::Rejected(RejectReason::NoSlot)),
        n_orders,
        started.elapsed()
    );
    // Nothing was injected: every partial is a leg that met a book that had moved away.
    assert!(
        r.outcome(Outcome::Partial) > 0,
        "the moving book made legs miss"
    );
}

/// The venues' published limits (the stage sizes its limiters from these, with a margin).
fn published_limits() -> Vec<VenueExec> {
    ExecParams::from_config(&gateway::demo_config())
        .expect("params")
        .venues
}

// ---- The engine's REST gateways against the mock exchange, in real time.

const VENUES: [Venue; 4] = ALL_FOUR;

/// 0.001 BTC: fills whole against any displayed size.
const SMALL: Qty = Qty(100_000);
/// 1 BTC: more than the displayed size (0.1 to 2 BTC) about half the time.
const LARGE: Qty = Qty(100_000_000);

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
    let pairs = pairs(VENUES.len() as u8);
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

struct Rest {
    e: Engine,
    ex: MockExchange,
}

const PHASE: Duration = Duration::from_secs(3);

impl TradingVenues for Rest {
    fn monitoring(&mut self, rng: &mut Rng) {
        phase(&mut self.e, &self.ex, rng, PHASE, &MONITORING);
        self.e.settle(Duration::from_secs(10));
    }
    fn spike(&mut self, rng: &mut Rng) {
        phase(&mut self.e, &self.ex, rng, PHASE, &SPIKE);
    }
    fn shock(&mut self, rng: &mut Rng) {
        phase(&mut self.e, &self.ex, rng, PHASE, &SHOCK);
    }
    fn settle(&mut self) {
        self.e.settle(Duration::from_secs(20));
    }
    fn fed(&self) -> u64 {
        self.e.fed
    }
    fn count(&self, name: &str) -> u64 {
        self.e.count(name)
    }
    fn outcome(&self, o: Outcome) -> u64 {
        self.e.outcome(o)
    }
    fn check_accounting(&mut self) {
        self.e.check_accounting(&self.ex, &VENUES);
        // The venues' side: nothing over a limit, ever.
        for v in &VENUES {
            let s = stats(&self.ex, v.name);
            assert_eq!((s.rest_429s, s.rest_418s), (0, 0), "{s:?}");
            assert_eq!(
                s.rest_bad_signatures + s.rest_stale_timestamps + s.rest_bad_passphrases,
                0,
                "{s:?}"
            );
            assert!(s.rest_fills > 0, "{}: traded: {s:?}", v.name);
        }
        let fills: u64 = VENUES
            .iter()
            .map(|v| stats(&self.ex, v.name).rest_fills)
            .sum();
        assert!(fills > 0);
        assert!(self.e.count("exec.legging.imbalances") > 0, "partial fills");
    }
}

#[test]
fn rest() {
    let started = Instant::now();
    let ex = mockex_rest::start(&VENUES, RestLimits::default());
    let cfg = mockex_rest::config(&ex, &VENUES, "/nonexistent", |c| {
        c.risk.max_order_notional = dec("100000");
        c.risk.max_open_notional = dec("1000000");
        c.risk.loss_limit = dec("1000000");
    });
    let e = mockex_rest::engine(&cfg, SECRET);
    let mut rig = Rest { e, ex };
    let monitoring = scenario(&mut rig);
    let (e, ex) = (&rig.e, &rig.ex);
    let fills: u64 = VENUES.iter().map(|v| stats(ex, v.name).rest_fills).sum();
    eprintln!(
        "trading pattern (rest): {} opportunities ({} in monitoring), {} executed, {} partial, \
         {} rate_limited, {} no_slot, {} expired; {} orders ({} to Upbit), {} hedges, {} fills at \
         the mock; {:?} wall",
        e.fed,
        monitoring.0,
        e.outcome(Outcome::Executed),
        e.outcome(Outcome::Partial),
        e.outcome(Outcome::Rejected(RejectReason::RateLimited)),
        e.outcome(Outcome::Rejected(RejectReason::NoSlot)),
        e.outcome(Outcome::Expired),
        e.count("exec.orders_sent"),
        stats(ex, "upbit").rest_orders,
        e.count("exec.legging.retries") + e.count("exec.legging.unwinds"),
        fills,
        started.elapsed()
    );
}
