//! Reliability scenario 3, gradual API degradation: the venue's response time rises 0.1 s -> 0.5 s
//! -> 2 s and then it stops answering; the circuit breaker opens, nothing is sent to the venue while
//! it is open, half-open probes go after `recovery_timeout`, and it closes once the venue answers
//! promptly again.
//!
//! The deterministic variant, on the paper venue: the execution stage is polled directly on a fake
//! clock (about a minute of venue time in a few milliseconds), the degrading venue is Upbit (id 3),
//! and its response time is changed mid-run with `PaperGateway::set_latency` (then an hour for "no
//! answer at all": orders and status queries). The venue's side of the story comes from the
//! logging gateway (`reliability_common`): every order and status query with its send time.
//! Breaker settings are the defaults (5 failures, 30 s open, 3 successes), and so are the slots (2
//! per venue: the hung venue's unknown legs hold both, and their unanswered status queries count as
//! failures); the order timeout is 1 s, so the 2 s phase already times out. The same scenario
//! against the mock exchange's REST endpoints, over real sockets in (compressed) real time, is
//! `reliability_degradation_rest.rs`.

use crate::common::gateway::*;
use microarb::base::breaker::BreakerState;
use microarb::model::{Outcome, RejectReason, VenueId};
use microarb::runtime::Stage;

const BINANCE: VenueId = VenueId(0);
const UPBIT: VenueId = VenueId(3);
const STEP: u64 = 10 * MS;
/// "Never" on the scale of the test.
const HUNG: u64 = 3_600 * SEC;

#[derive(Debug, Default)]
struct Track {
    /// (time, state after the poll) of the Upbit breaker.
    states: Vec<(u64, BreakerState)>,
    /// Polls where the breaker was open before and after, and an order to Upbit went anyway.
    sent_while_open: usize,
}

/// Run for `dur` at one opportunity per `every`, recording the breaker around every poll.
fn phase(r: &mut Rig, t: &mut Track, dur: u64, every: u64) {
    let end = r.now + dur;
    let mut next = r.now;
    while r.now < end {
        if r.now >= next {
            let o = r.opp(BINANCE, UPBIT, 100 * MS);
            assert!(r.push(o), "ring has room");
            next += every;
        }
        let before = r.stage.breaker_state(UPBIT);
        let sent_before = r.stage.gateway_mut().orders.len();
        r.step(STEP);
        let after = r.stage.breaker_state(UPBIT);
        let new_upbit = r.stage.gateway_mut().orders[sent_before..]
            .iter()
            .filter(|s| s.venue == UPBIT)
            .count();
        if before == BreakerState::Open && after == BreakerState::Open && new_upbit > 0 {
            t.sent_while_open += 1;
        }
        t.states.push((r.now, after));
    }
}

fn first(t: &Track, s: BreakerState, from: usize) -> Option<usize> {
    t.states[from..]
        .iter()
        .position(|x| x.1 == s)
        .map(|i| i + from)
}

#[test]
fn the_breaker_opens_probes_and_closes_as_the_venue_degrades_and_recovers() {
    let started = std::time::Instant::now();
    let mut r = rig(|p| {
        p.order_timeout_ns = SEC;
        p.status_query_ns = 200 * MS;
        p.paper.latency_ns = 100 * MS;
        p.paper.jitter_ns = 0;
    });
    let mut t = Track::default();
    let every = 250 * MS; // 4 arbitrages/s: inside Upbit's 8 orders/s.

    // 0.1 s, then 0.5 s: slow but answered inside the timeout; the breaker stays closed.
    phase(&mut r, &mut t, 3 * SEC, every);
    r.stage.gateway_mut().inner.set_latency(500 * MS, 0);
    phase(&mut r, &mut t, 3 * SEC, every);
    assert!(t.states.iter().all(|s| s.1 == BreakerState::Closed));
    assert_eq!(r.count("exec.timeouts"), 0);
    assert!(r.outcome(Outcome::Executed) > 0);

    // 2 s: past the 1 s order timeout, then no answer at all.
    let degraded_at = t.states.len();
    r.stage.gateway_mut().inner.set_latency(2 * SEC, 0);
    phase(&mut r, &mut t, 3 * SEC, every);
    // Hung: neither orders nor status queries are answered (a venue that times out everything).
    r.stage.gateway_mut().inner.set_latency(HUNG, 0);
    phase(&mut r, &mut t, 5 * SEC, every);
    assert!(r.count("exec.timeouts") >= 5, "timeouts counted");
    let opened = first(&t, BreakerState::Open, degraded_at).expect("the breaker opened");
    assert!(
        r.outcome(Outcome::Rejected(RejectReason::BreakerOpen)) > 0,
        "opportunities refused while open"
    );

    // The venue recovers (prompt answers again, to the pending legs' next status queries too);
    // probes after the 30 s recovery timeout close it.
    r.stage.gateway_mut().inner.set_latency(100 * MS, 0);
    phase(&mut r, &mut t, 40 * SEC, every);
    let half = first(&t, BreakerState::HalfOpen, opened).expect("half-open probing");
    let closed = first(&t, BreakerState::Closed, half).expect("closed after the probes");
    let open_for = t.states[half].0 - t.states[opened].0;
    assert!(
        open_for >= 30 * SEC,
        "open for the recovery timeout: {open_for} ns"
    );
    assert_eq!(
        t.sent_while_open, 0,
        "no order sent while the breaker was open"
    );
    assert_eq!(r.stage.breaker_state(UPBIT), BreakerState::Closed);
    assert!(r.stage.breaker_state(BINANCE) == BreakerState::Closed);

    // Nothing went to Upbit between opening and the first probe.
    let (t_open, t_half) = (t.states[opened].0, t.states[half].0);
    let during = r
        .stage
        .gateway_mut()
        .orders
        .iter()
        .filter(|s| s.venue == UPBIT && s.at_ns > t_open && s.at_ns < t_half)
        .count();
    assert_eq!(during, 0);
    r.stage.flush_telemetry(r.now);
    assert!(r.count("exec.breaker.closed_to_open") >= 1);
    assert!(r.count("exec.breaker.open_to_half_open") >= 1);
    assert!(r.count("exec.breaker.half_open_to_closed") >= 1);
    let executed_before = r.outcome(Outcome::Executed);

    // Recovered: trading resumes.
    phase(&mut r, &mut t, 2 * SEC, every);
    assert!(r.outcome(Outcome::Executed) > executed_before);
    r.settle(STEP, 30 * SEC);
    r.check_accounting();

    assert_eq!(r.count("exec.status_429"), 0);
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
