//! Reliability scenario 3, gradual API degradation: the venue's response time rises 0.1 s -> 0.5 s
//! -> 2 s and then it stops answering; the circuit breaker opens, nothing is sent to the venue while
//! it is open, half-open probes go after `recovery_timeout`, and it closes once the venue answers
//! promptly again. One scenario ([`scenario`]), run over both rigs:
//!
//! - `paper`: the execution stage polled directly on a fake clock (about a minute of venue time in
//!   a few milliseconds); the degrading venue is Upbit (id 3), its response time changed mid-run
//!   with `PaperGateway::set_latency` (then an hour for "no answer at all": orders and status
//!   queries). The venue's side of the story comes from the logging gateway (`common::gateway`):
//!   every order and status query with its send time. Breaker settings are the defaults (5
//!   failures, 30 s open, 3 successes), and so are the slots (2 per venue: the hung venue's unknown
//!   legs hold both, and their unanswered status queries count as failures); the order timeout is
//!   1 s, so the 2 s phase already times out.
//! - `rest`: the mock exchange's REST endpoints over real sockets on loopback in real time, so
//!   times are scaled by 1/5 with their ratios kept: the degrading venue (Upbit, id 1) answers in
//!   20 ms, then 100 ms, then 400 ms, then not at all (`RestFault::NoAnswer`: orders execute but
//!   are never answered; status queries still are, as a venue's order lookup often outlives its
//!   order entry); the order timeout is 200 ms, status queries go every 40 ms, and the breaker's
//!   `recovery_timeout` is 6 s (set through `ExecParams`, which the config does not expose). Not
//!   scaled: the opportunity rate (one Binance -> Upbit arbitrage every 200 ms) and the venues'
//!   rate limits, which the mock enforces in real seconds. The mock's own counters are checked
//!   too: no 429 or 418, and no order for Upbit received from the opening (plus 100 ms for an
//!   order written just before to be read) until the first half-open probe.
//!
//!   The REST rig runs twice: Binance -> Upbit (`rest`), and Bybit v5 -> OKX v5 (`rest_v5`, OKX
//!   degrading), whose orders are acknowledged and then status-queried, so their queries are
//!   slowed and swallowed with the orders' answers.
//!
//! Asserted on both: the breaker stays closed (and nothing times out) while answers come inside
//! the timeout; it opens after timeouts; opportunities are refused `breaker_open` while it is
//! open; the venue saw no order from the opening until the first probe, which came no sooner than
//! `recovery_timeout`; probes close it; trading resumes; the `exec.breaker.*` transitions are
//! counted; no 429 seen by the engine; the accounting invariant.

use std::time::{Duration, Instant};

use microarb::base::breaker::BreakerState;
use microarb::model::{Outcome, Qty, RejectReason, VenueId};
use microarb::runtime::Stage;
use mockex::{MockExchange, RestFault, RestLimits};

use crate::common::gateway::{self, Rig, MS, SEC};
use crate::common::mockex_rest::{self, stats, Engine, BINANCE_UPBIT, BYBIT_OKX, SECRET};

/// Upbit's breaker state after each poll, with the poll's time (the rig's ns).
#[derive(Debug, Default)]
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
    fn is_open(&self) -> bool {
        self.states
            .last()
            .is_some_and(|s| s.1 == BreakerState::Open)
    }
}

/// How the degrading venue answers.
#[derive(Debug, Clone, Copy)]
enum Venue {
    /// Slow but inside the order timeout (the 0.1 s phase).
    Slow,
    /// Slower, still inside (0.5 s).
    Slower,
    /// Past the order timeout (2 s).
    PastTimeout,
    /// Not at all.
    Hung,
    /// Prompt again.
    Recovered,
}

/// How long each phase of the scenario runs on a rig (its own time scale), and its constants.
struct Plan {
    binance: VenueId,
    upbit: VenueId,
    /// Each of the two slow-but-answered phases.
    slow: u64,
    /// The past-the-timeout phase.
    past_timeout: u64,
    /// The hung phase: at most this long, until the breaker opens when `until_open`, then
    /// `after_open` more.
    hung: u64,
    until_open: bool,
    after_open: u64,
    /// The recovery phase: at most this long, until the breaker closed after half-open when
    /// `until_closed`.
    recovery: u64,
    until_closed: bool,
    /// Trading after the recovery.
    resume: u64,
    /// The breaker's recovery timeout.
    recovery_timeout_ns: u64,
}

/// What the scenario needs of a rig.
trait DegradingVenue {
    /// Answer as `v` from now on.
    fn set(&mut self, v: Venue);
    /// Feed the plan's arbitrage flow for `dur` (or until `stop` after a poll), recording Upbit's
    /// breaker after every poll.
    fn phase(&mut self, t: &mut Track, dur: u64, stop: &dyn Fn(&Track) -> bool);
    /// Timeouts counted by the engine.
    fn timeouts(&self) -> u64;
    /// A registry counter.
    fn count(&self, name: &str) -> u64;
    fn outcome(&self, o: Outcome) -> u64;
    fn breaker(&self, v: VenueId) -> BreakerState;
    fn flush(&mut self);
    /// Times of the orders the venue received for Upbit while its breaker was open, from `t_open`
    /// to `t_half`.
    fn upbit_orders_while_open(&mut self, t_open: u64, t_half: u64) -> Vec<u64>;
    /// Poll until idle.
    fn settle(&mut self);
    /// The accounting invariant, with the rig's venue-side checks.
    fn check_accounting(&mut self);
}

/// The scenario; returns the track and the indices of opening, first probe and closing.
fn scenario(r: &mut impl DegradingVenue, p: &Plan) -> (Track, usize, usize, usize) {
    let mut t = Track::default();
    let never = |_: &Track| false;

    // Slow, then slower: answered inside the timeout; the breaker stays closed.
    r.set(Venue::Slow);
    r.phase(&mut t, p.slow, &never);
    r.set(Venue::Slower);
    r.phase(&mut t, p.slow, &never);
    assert!(t.states.iter().all(|s| s.1 == BreakerState::Closed));
    assert_eq!(r.count("exec.timeouts"), 0);
    assert!(r.outcome(Outcome::Executed) > 0);

    // Past the order timeout, then no answer at all.
    let degraded_at = t.states.len();
    r.set(Venue::PastTimeout);
    r.phase(&mut t, p.past_timeout, &never);
    r.set(Venue::Hung);
    if p.until_open {
        r.phase(&mut t, p.hung, &Track::is_open);
    } else {
        r.phase(&mut t, p.hung, &never);
    }
    let opened = t
        .first(BreakerState::Open, degraded_at)
        .expect("the breaker opened");
    if p.after_open > 0 {
        r.phase(&mut t, p.after_open, &never);
    }
    assert!(r.timeouts() >= 5, "timeouts counted");
    assert!(
        r.outcome(Outcome::Rejected(RejectReason::BreakerOpen)) > 0,
        "opportunities refused while open"
    );

    // The venue recovers; probes after the recovery timeout close the breaker.
    r.set(Venue::Recovered);
    let closed_after_half = |t: &Track| {
        t.first(BreakerState::HalfOpen, opened)
            .and_then(|h| t.first(BreakerState::Closed, h))
            .is_some()
    };
    if p.until_closed {
        r.phase(&mut t, p.recovery, &closed_after_half);
    } else {
        r.phase(&mut t, p.recovery, &never);
    }
    let half = t
        .first(BreakerState::HalfOpen, opened)
        .expect("half-open probing");
    let closed = t
        .first(BreakerState::Closed, half)
        .expect("closed after the probes");
    let (t_open, t_half) = (t.states[opened].0, t.states[half].0);
    assert!(
        t_half - t_open >= p.recovery_timeout_ns,
        "open for the recovery timeout: {} ns",
        t_half - t_open
    );
    assert_eq!(r.breaker(p.upbit), BreakerState::Closed);
    assert_eq!(r.breaker(p.binance), BreakerState::Closed);
    // The venue's side: no order arrived between the opening and the first probe.
    let during = r.upbit_orders_while_open(t_open, t_half);
    assert!(
        during.is_empty(),
        "orders reached Upbit while open: {during:?}"
    );
    r.flush();
    assert!(r.count("exec.breaker.closed_to_open") >= 1);
    assert!(r.count("exec.breaker.open_to_half_open") >= 1);
    assert!(r.count("exec.breaker.half_open_to_closed") >= 1);

    // Recovered: trading resumes.
    let executed_before = r.outcome(Outcome::Executed);
    r.phase(&mut t, p.resume, &never);
    r.settle();
    assert!(
        r.outcome(Outcome::Executed) > executed_before,
        "trading resumed"
    );
    assert_eq!(r.breaker(p.upbit), BreakerState::Closed);
    r.check_accounting();
    assert_eq!(r.count("exec.status_429"), 0);
    (t, opened, half, closed)
}

// ---- The fake-clock rig over the logged paper venue.

const PAPER_STEP: u64 = 10 * MS;
/// "Never" on the scale of the test.
const HUNG: u64 = 3_600 * SEC;

struct Paper {
    r: Rig,
    /// Polls where the breaker was open before and after, and an order to Upbit went anyway.
    sent_while_open: usize,
}

const PAPER_UPBIT: VenueId = VenueId(3);

impl DegradingVenue for Paper {
    fn set(&mut self, v: Venue) {
        let latency = match v {
            Venue::Slow | Venue::Recovered => 100 * MS,
            Venue::Slower => 500 * MS,
            Venue::PastTimeout => 2 * SEC,
            Venue::Hung => HUNG,
        };
        self.r.stage.gateway_mut().inner.set_latency(latency, 0);
    }
    fn phase(&mut self, t: &mut Track, dur: u64, stop: &dyn Fn(&Track) -> bool) {
        // One opportunity per 250 ms: 4 arbitrages/s, inside Upbit's order limit (8/s at the mock, 12/s published).
        let every = 250 * MS;
        let r = &mut self.r;
        let end = r.now + dur;
        let mut next = r.now;
        while r.now < end {
            if r.now >= next {
                let o = r.opp(VenueId(0), PAPER_UPBIT, 100 * MS);
                assert!(r.push(o), "ring has room");
                next += every;
            }
            let before = r.stage.breaker_state(PAPER_UPBIT);
            let sent_before = r.stage.gateway_mut().orders.len();
            r.step(PAPER_STEP);
            let after = r.stage.breaker_state(PAPER_UPBIT);
            let new_upbit = r.stage.gateway_mut().orders[sent_before..]
                .iter()
                .filter(|s| s.venue == PAPER_UPBIT)
                .count();
            if before == BreakerState::Open && after == BreakerState::Open && new_upbit > 0 {
                self.sent_while_open += 1;
            }
            t.states.push((r.now, after));
            if stop(t) {
                return;
            }
        }
    }
    fn timeouts(&self) -> u64 {
        self.r.count("exec.timeouts")
    }
    fn count(&self, name: &str) -> u64 {
        self.r.count(name)
    }
    fn outcome(&self, o: Outcome) -> u64 {
        self.r.outcome(o)
    }
    fn breaker(&self, v: VenueId) -> BreakerState {
        self.r.stage.breaker_state(v)
    }
    fn flush(&mut self) {
        self.r.stage.flush_telemetry(self.r.now);
    }
    fn upbit_orders_while_open(&mut self, t_open: u64, t_half: u64) -> Vec<u64> {
        assert_eq!(
            self.sent_while_open, 0,
            "no order sent while the breaker was open"
        );
        self.r
            .stage
            .gateway_mut()
            .orders
            .iter()
            .filter(|s| s.venue == PAPER_UPBIT && s.at_ns > t_open && s.at_ns < t_half)
            .map(|s| s.at_ns)
            .collect()
    }
    fn settle(&mut self) {
        self.r.settle(PAPER_STEP, 30 * SEC);
    }
    fn check_accounting(&mut self) {
        self.r.check_accounting();
    }
}

#[test]
fn paper() {
    let started = Instant::now();
    let r = gateway::rig(|p| {
        p.order_timeout_ns = SEC;
        p.status_query_ns = 200 * MS;
        p.paper.latency_ns = 100 * MS;
        p.paper.jitter_ns = 0;
    });
    let mut rig = Paper {
        r,
        sent_while_open: 0,
    };
    let plan = Plan {
        binance: VenueId(0),
        upbit: PAPER_UPBIT,
        slow: 3 * SEC,
        past_timeout: 3 * SEC,
        hung: 5 * SEC,
        until_open: false,
        after_open: 0,
        recovery: 40 * SEC,
        until_closed: false,
        resume: 2 * SEC,
        recovery_timeout_ns: 30 * SEC,
    };
    let (t, opened, half, closed) = scenario(&mut rig, &plan);
    let r = &rig.r;
    eprintln!(
        "degradation: opened at {:.2} s, half-open at {:.2} s, closed at {:.2} s (venue time); \
         {} timeouts, {} refused breaker_open, {} executed; {:?} wall",
        t.states[opened].0 as f64 / 1e9,
        t.states[half].0 as f64 / 1e9,
        t.states[closed].0 as f64 / 1e9,
        r.count("exec.timeouts"),
        r.outcome(Outcome::Rejected(RejectReason::BreakerOpen)),
        r.outcome(Outcome::Executed),
        started.elapsed()
    );
}

// ---- The engine's REST gateways against the mock exchange, in real time.

/// The degrading venue's id in the REST rigs (the other one is 0).
const REST_DEGRADING: VenueId = VenueId(1);
/// Loopback transit allowed for an order written just before the breaker opened.
const TRANSIT_NS: u64 = 100 * MS;

struct Rest {
    e: Engine,
    ex: MockExchange,
    /// Venue 0 (answers normally) and venue 1 (degrades).
    venues: [mockex_rest::Venue; 2],
}

impl Rest {
    fn degrading(&self) -> &'static str {
        self.venues[1].name
    }
}

impl DegradingVenue for Rest {
    fn set(&mut self, v: Venue) {
        let ctl = self.ex.control();
        let name = self.degrading();
        let delay = |ms| ctl.inject_rest(name, RestFault::Delay(Duration::from_millis(ms)));
        match v {
            Venue::Slow => delay(20).unwrap(),
            Venue::Slower => delay(100).unwrap(),
            Venue::PastTimeout => delay(400).unwrap(),
            Venue::Hung => {
                delay(0).unwrap();
                ctl.inject_rest(name, RestFault::NoAnswer).unwrap();
            }
            Venue::Recovered => ctl.inject_rest(name, RestFault::Clear).unwrap(),
        }
    }
    fn phase(&mut self, t: &mut Track, dur: u64, stop: &dyn Fn(&Track) -> bool) {
        // One arbitrage from venue 0 to the degrading venue every 200 ms.
        let ex = &self.ex;
        let mut next = Duration::ZERO;
        self.e.run_for(Duration::from_nanos(dur), |e, since| {
            if since >= next {
                let o = e.opp(ex, VenueId(0), REST_DEGRADING, Qty(100_000), 500 * MS);
                e.push(o);
                next += Duration::from_millis(200);
            }
            let now = e.clock.now_ns();
            e.stage.poll(now);
            t.states
                .push((e.clock.unix_ns(now), e.stage.breaker_state(REST_DEGRADING)));
            !stop(t)
        });
    }
    fn timeouts(&self) -> u64 {
        self.e.count("exec.timeouts") + self.e.count("exec.query_timeouts")
    }
    fn count(&self, name: &str) -> u64 {
        self.e.count(name)
    }
    fn outcome(&self, o: Outcome) -> u64 {
        self.e.outcome(o)
    }
    fn breaker(&self, v: VenueId) -> BreakerState {
        self.e.stage.breaker_state(v)
    }
    fn flush(&mut self) {
        self.e.stage.flush_telemetry(self.e.clock.now_ns());
    }
    fn upbit_orders_while_open(&mut self, t_open: u64, t_half: u64) -> Vec<u64> {
        self.ex
            .rest_order_times(self.degrading())
            .unwrap()
            .into_iter()
            .filter(|&at| at >= t_open + TRANSIT_NS && at < t_half)
            .collect()
    }
    fn settle(&mut self) {
        self.e.settle(Duration::from_secs(10));
    }
    fn check_accounting(&mut self) {
        self.e.check_accounting(&self.ex, &self.venues);
        for v in &self.venues {
            let s = stats(&self.ex, v.name);
            assert_eq!((s.rest_429s, s.rest_418s), (0, 0), "{s:?}");
        }
    }
}

/// The scenario over REST: `venues[0]` answers normally, `venues[1]` degrades.
fn rest_on(venues: [mockex_rest::Venue; 2]) {
    let started = Instant::now();
    let ex = mockex_rest::start(&venues, RestLimits::default());
    let cfg = mockex_rest::config(&ex, &venues, "/nonexistent", |c| {
        c.execution.order_timeout_ms = 200;
        c.execution.status_query_ms = 40;
    });
    let recovery_timeout_ns = 6_000 * MS;
    let e = mockex_rest::engine_with(&cfg, SECRET, |p| {
        p.breaker.recovery_timeout_ns = recovery_timeout_ns;
    });
    let mut rig = Rest { e, ex, venues };
    let plan = Plan {
        binance: VenueId(0),
        upbit: REST_DEGRADING,
        slow: 1_500 * MS,
        past_timeout: 600 * MS,
        hung: 15 * SEC,
        until_open: true,
        after_open: SEC,
        recovery: 20 * SEC,
        until_closed: true,
        resume: SEC,
        recovery_timeout_ns,
    };
    let (t, opened, half, closed) = scenario(&mut rig, &plan);
    let (e, u) = (&rig.e, stats(&rig.ex, rig.degrading()));
    let (t_open, t_half) = (t.states[opened].0, t.states[half].0);
    eprintln!(
        "degradation (rest, {} -> {}): opened {:.2} s after the first timeout-sized answer, \
         half-open {:.2} s later, closed {:.2} s after that; {} order timeouts, {} query \
         timeouts, {} refused breaker_open, {} executed; {}: {} orders, {} unanswered, {} status \
         queries; {:?} wall",
        venues[0].name,
        venues[1].name,
        (t_open - t.states[0].0) as f64 / 1e9,
        (t_half - t_open) as f64 / 1e9,
        (t.states[closed].0 - t_half) as f64 / 1e9,
        e.count("exec.timeouts"),
        e.count("exec.query_timeouts"),
        e.outcome(Outcome::Rejected(RejectReason::BreakerOpen)),
        e.outcome(Outcome::Executed),
        venues[1].name,
        u.rest_orders,
        u.rest_unanswered,
        u.rest_status_queries,
        started.elapsed()
    );
}

#[test]
fn rest() {
    rest_on(BINANCE_UPBIT);
}

#[test]
fn rest_v5() {
    rest_on(BYBIT_OKX);
}
