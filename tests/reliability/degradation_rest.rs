//! Reliability scenario 3 against the mock exchange's REST endpoints, gradual API degradation: the
//! venue's response time rises, then it stops answering orders; the circuit breaker opens, nothing
//! reaches the venue while it is open, half-open probes go after `recovery_timeout`, and it closes
//! once the venue answers promptly again.
//!
//! Real sockets on loopback in real time, so times are scaled by 1/5 with their ratios kept: the
//! degrading venue (Upbit) answers in 20 ms, then 100 ms (0.1 s and 0.5 s in the scenario), then
//! 400 ms (2 s), then not at all (`RestFault::NoAnswer`: orders execute but are never answered;
//! status queries still are, as a venue's order lookup often outlives its order entry); the order
//! timeout is 200 ms (1 s), status queries go every 40 ms (200 ms), and the breaker's
//! `recovery_timeout` is 6 s (30 s; set through `ExecParams`, which the config does not expose).
//! Not scaled: the opportunity rate (one Binance -> Upbit arbitrage every 200 ms) and the venues'
//! rate limits, which the mock enforces in real seconds. Everything else is the default: 5
//! failures open the breaker, 3 probe successes close it, 2 slots per venue.
//!
//! Asserted: the breaker stays closed (and nothing times out) while answers come inside the
//! timeout; it opens after timeouts; opportunities are refused `breaker_open` while it is open; the
//! mock received no order for Upbit from its opening (plus 100 ms for an order written just
//! before to be read) until the first half-open probe, which came no sooner than
//! `recovery_timeout`; probes close it; trading resumes; the `exec.breaker.*` transitions are
//! counted; no 429 or 418 from the mock, none seen by the engine; the accounting invariant. The
//! deterministic fake-clock variant on the paper venue is `reliability_degradation.rs`.

use std::time::{Duration, Instant};

use crate::common::mockex_rest::{self, stats, Engine, BINANCE_UPBIT, MS, SECRET};
use microarb::base::breaker::BreakerState;
use microarb::mockex::{MockExchange, RestFault, RestLimits};
use microarb::model::{Outcome, Qty, RejectReason, VenueId};
use microarb::runtime::Stage;

const BINANCE: VenueId = VenueId(0);
const UPBIT: VenueId = VenueId(1);
const RECOVERY_NS: u64 = 6_000 * MS;
/// Loopback transit allowed for an order written just before the breaker opened.
const TRANSIT_NS: u64 = 100 * MS;

/// Upbit's breaker state after each poll, with the poll's time (the engine's unix ns).
#[derive(Default)]
struct Track {
    states: Vec<(u64, BreakerState)>,
}

impl Track {
    fn first(&self, s: BreakerState, from: usize) -> Option<usize> {
        self.states[from..]
            .iter()
            .position(|x| x.1 == s)
            .map(|i| i + from)
    }
}

/// Feed one arbitrage every 200 ms for `dur`, or until `stop` says so after a poll; polls between.
fn phase(
    e: &mut Engine,
    ex: &MockExchange,
    t: &mut Track,
    dur: Duration,
    stop: impl Fn(&Track) -> bool,
) {
    let mut next = Duration::ZERO;
    e.run_for(dur, |e, since| {
        if since >= next {
            let o = e.opp(ex, BINANCE, UPBIT, Qty(100_000), 500 * MS);
            e.push(o);
            next += Duration::from_millis(200);
        }
        let now = e.clock.now_ns();
        e.stage.poll(now);
        t.states
            .push((e.clock.unix_ns(now), e.stage.breaker_state(UPBIT)));
        !stop(t)
    });
}

#[test]
fn the_breaker_opens_probes_and_closes_as_the_mock_venue_degrades_and_recovers() {
    let started = Instant::now();
    let ex = mockex_rest::start(&BINANCE_UPBIT, RestLimits::default());
    let cfg = mockex_rest::config(&ex, &BINANCE_UPBIT, "/nonexistent", |c| {
        c.execution.order_timeout_ms = 200;
        c.execution.status_query_ms = 40;
    });
    let mut e = mockex_rest::engine_with(&cfg, SECRET, |p| {
        p.breaker.recovery_timeout_ns = RECOVERY_NS;
    });
    let ctl = ex.control();
    let delay = |ms| ctl.inject_rest("upbit", RestFault::Delay(Duration::from_millis(ms)));
    let mut t = Track::default();
    let never = |_: &Track| false;

    // 20 ms, then 100 ms: slow but inside the 200 ms timeout; the breaker stays closed.
    delay(20).unwrap();
    phase(&mut e, &ex, &mut t, Duration::from_millis(1500), never);
    delay(100).unwrap();
    phase(&mut e, &ex, &mut t, Duration::from_millis(1500), never);
    assert!(t.states.iter().all(|s| s.1 == BreakerState::Closed));
    assert_eq!(e.count("exec.timeouts"), 0);
    assert!(e.outcome(Outcome::Executed) > 0);

    // 400 ms: past the timeout; then no answer at all to orders.
    let degraded_at = t.states.len();
    delay(400).unwrap();
    phase(&mut e, &ex, &mut t, Duration::from_millis(600), never);
    let opened_in_slow = t.first(BreakerState::Open, degraded_at).is_some();
    delay(0).unwrap();
    ctl.inject_rest("upbit", RestFault::NoAnswer).unwrap();
    let is_open = |t: &Track| t.states.last().is_some_and(|s| s.1 == BreakerState::Open);
    phase(&mut e, &ex, &mut t, Duration::from_secs(15), is_open);
    let opened = t
        .first(BreakerState::Open, degraded_at)
        .expect("the breaker opened");
    phase(&mut e, &ex, &mut t, Duration::from_secs(1), never);
    assert!(
        e.count("exec.timeouts") + e.count("exec.query_timeouts") >= 5,
        "timeouts counted"
    );
    assert!(
        e.outcome(Outcome::Rejected(RejectReason::BreakerOpen)) > 0,
        "opportunities refused while open"
    );

    // The venue recovers; probes after the recovery timeout close the breaker.
    ctl.inject_rest("upbit", RestFault::Clear).unwrap();
    let closed_after_half = |t: &Track| {
        t.first(BreakerState::HalfOpen, opened)
            .and_then(|h| t.first(BreakerState::Closed, h))
            .is_some()
    };
    phase(
        &mut e,
        &ex,
        &mut t,
        Duration::from_secs(20),
        closed_after_half,
    );
    let half = t
        .first(BreakerState::HalfOpen, opened)
        .expect("half-open probing");
    let closed = t
        .first(BreakerState::Closed, half)
        .expect("closed after the probes");
    let (t_open, t_half) = (t.states[opened].0, t.states[half].0);
    assert!(
        t_half - t_open >= RECOVERY_NS,
        "open for the recovery timeout: {} ns",
        t_half - t_open
    );
    // The venue's side: no order arrived between the opening and the first probe.
    let during: Vec<u64> = ex
        .rest_order_times("upbit")
        .unwrap()
        .into_iter()
        .filter(|&at| at >= t_open + TRANSIT_NS && at < t_half)
        .collect();
    assert!(
        during.is_empty(),
        "orders reached Upbit while open: {during:?}"
    );
    e.stage.flush_telemetry(e.clock.now_ns());
    assert!(e.count("exec.breaker.closed_to_open") >= 1);
    assert!(e.count("exec.breaker.open_to_half_open") >= 1);
    assert!(e.count("exec.breaker.half_open_to_closed") >= 1);
    assert_eq!(e.stage.breaker_state(BINANCE), BreakerState::Closed);

    // Recovered: trading resumes.
    let executed_before = e.outcome(Outcome::Executed);
    phase(&mut e, &ex, &mut t, Duration::from_secs(1), never);
    e.settle(Duration::from_secs(10));
    assert!(
        e.outcome(Outcome::Executed) > executed_before,
        "trading resumed"
    );
    assert_eq!(e.stage.breaker_state(UPBIT), BreakerState::Closed);
    e.check_accounting(&ex, &BINANCE_UPBIT);

    for v in &BINANCE_UPBIT {
        let s = stats(&ex, v.name);
        assert_eq!((s.rest_429s, s.rest_418s), (0, 0), "{s:?}");
    }
    assert_eq!(e.count("exec.status_429"), 0);
    let u = stats(&ex, "upbit");
    eprintln!(
        "degradation (rest): opened {} after {:.2} s of degradation, half-open {:.2} s later, \
         closed {:.2} s after that; {} order timeouts, {} query timeouts, {} refused breaker_open, \
         {} executed; Upbit: {} orders, {} unanswered, {} status queries; {:?} wall",
        if opened_in_slow {
            "in the 400 ms phase"
        } else {
            "once unanswered"
        },
        (t_open - t.states[degraded_at].0) as f64 / 1e9,
        (t_half - t_open) as f64 / 1e9,
        (t.states[closed].0 - t_half) as f64 / 1e9,
        e.count("exec.timeouts"),
        e.count("exec.query_timeouts"),
        e.outcome(Outcome::Rejected(RejectReason::BreakerOpen)),
        e.outcome(Outcome::Executed),
        u.rest_orders,
        u.rest_unanswered,
        u.rest_status_queries,
        started.elapsed()
    );
}
