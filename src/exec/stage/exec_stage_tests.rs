//! How the stage feeds its venues' breakers when a venue stops answering in time, on a fake clock
//! with a scripted gateway (the test decides which order is answered, when): an order timeout is
//! a failure when it happens, its late answer is not a success, an answer inside the timeout still
//! is, and a hung venue (orders and status queries unanswered) opens the breaker with the default
//! slot sizes even though its unknown legs hold both of its slots; an opportunity that passed the
//! breaker and waits for a rate-limit token is refused if the breaker opens meanwhile.

use super::*;
use crate::config::{Config, Machine, DEMO_TOML};
use crate::model::{Bps, ExecReport, ExecStatus, InstrumentId, OppId, Price, Qty, VenueId};
use crate::runtime::{ring, RingTx};

pub(super) const MS: u64 = 1_000_000;
const ONE: i64 = 100_000_000;
pub(super) const BINANCE: VenueId = VenueId(0);
pub(super) const UPBIT: VenueId = VenueId(3);
pub(super) const TIMEOUT: u64 = 100 * MS;

/// Writes nothing anywhere: records what the stage sent and delivers the answers the test queues.
#[derive(Default)]
pub(super) struct Script {
    pub(super) orders: Vec<Order>,
    pub(super) queries: Vec<OrderId>,
    pub(super) ready: Vec<GatewayEvent>,
}

impl Gateway for Script {
    fn name(&self) -> &'static str {
        "script"
    }
    fn stage(
        &mut self,
        order: &Order,
        _now_ns: u64,
    ) -> Result<(), crate::exec::gateway::SubmitError> {
        self.orders.push(*order);
        Ok(())
    }
    fn stage_query(
        &mut self,
        order: OrderId,
        _venue: VenueId,
        _now_ns: u64,
    ) -> Result<(), crate::exec::gateway::SubmitError> {
        self.queries.push(order);
        Ok(())
    }
    fn discard(&mut self) {}
    fn send(&mut self, _now_ns: u64) -> usize {
        0
    }
    fn poll(&mut self, _now_ns: u64, out: &mut [GatewayEvent]) -> usize {
        let n = out.len().min(self.ready.len());
        for (slot, e) in out.iter_mut().zip(self.ready.drain(..n)) {
            *slot = e;
        }
        n
    }
}

pub(super) struct T {
    pub(super) stage: ExecStage<Script>,
    tx: RingTx<Opportunity>,
    pub(super) reg: Registry,
    pub(super) now: u64,
    next_id: u64,
}

/// The demo config's stage (default slots: 3 in all, 2 per venue; default breaker) on the script.
pub(super) fn rig() -> T {
    rig_with(|_| {})
}

/// [`rig`] with `edit` applied to the parameters last.
pub(super) fn rig_with(edit: impl FnOnce(&mut ExecParams)) -> T {
    let cfg = Config::from_toml_str(DEMO_TOML, &Machine::this(false)).expect("demo config");
    let mut p = ExecParams::from_config(&cfg).expect("demo params");
    p.order_timeout_ns = TIMEOUT;
    p.status_query_ns = 20 * MS;
    // Rate limits are not what this is about: no order waits for a token.
    for v in &mut p.venues {
        v.order_groups = [None; 3];
    }
    edit(&mut p);
    assert_eq!(p.slots.global, 3);
    assert_eq!(p.slots.per_venue[UPBIT.index()], 2);
    let mut reg = Registry::new();
    let (tx, rx) = ring::<Opportunity>("opps", 64, &mut reg.counters);
    let stage = ExecStage::new(
        p,
        rx,
        Script::default(),
        Clock::new(),
        KillSwitch::new(),
        &mut reg,
    )
    .expect("stage");
    T {
        stage,
        tx,
        reg,
        now: 1_000 * MS,
        next_id: 1,
    }
}

impl T {
    /// Buy on Binance, sell on Upbit; returns the orders it sent (none when refused).
    pub(super) fn arb(&mut self) -> Vec<Order> {
        let id = self.next_id;
        self.next_id += 1;
        let o = Opportunity {
            id: OppId(id),
            buy_px: Price(100 * ONE),
            sell_px: Price(101 * ONE),
            qty: Qty(ONE / 100),
            gross_bps: Bps(100 * 100),
            net_bps: Bps(80 * 100),
            recv_ts_ns: self.now,
            detect_ts_ns: self.now,
            expiry_ts_ns: self.now + 1_000 * MS,
            instrument: InstrumentId(0),
            confidence: 10_000,
            buy_venue: BINANCE,
            sell_venue: UPBIT,
            trigger_venue: BINANCE,
            trigger_seq: id,
        };
        assert!(self.tx.push(o, 0).is_ok(), "ring has room");
        let before = self.stage.gateway_mut().orders.len();
        self.step(0);
        self.stage.gateway_mut().orders[before..].to_vec()
    }

    pub(super) fn step(&mut self, dt: u64) {
        self.now += dt;
        self.stage.poll(self.now);
    }

    /// Queue a full fill of `o`, delivered at the next poll.
    pub(super) fn fill(&mut self, o: &Order) {
        let r = ExecReport {
            order: o.id,
            opp: o.opp,
            venue: o.venue,
            status: ExecStatus::Filled,
            filled_qty: o.qty,
            avg_px: o.px,
            recv_ts_ns: self.now,
            retry_after_ms: 0,
        };
        self.stage.gateway_mut().ready.push(GatewayEvent::Report(r));
    }

    pub(super) fn count(&self, name: &str) -> u64 {
        self.reg.counters.get(name).expect("registered")
    }

    /// One arbitrage whose Binance leg fills at once and whose Upbit leg is answered (filled) only
    /// `late` after it was sent: inside the order timeout or past it (then through its status
    /// query's answer).
    fn upbit_answers_after(&mut self, late: u64) {
        let sent = self.arb();
        assert_eq!(sent.len(), 2, "both legs sent");
        self.fill(&sent[0]);
        self.step(late);
        self.fill(&sent[1]);
        self.step(MS);
        assert!(self.stage.is_idle(), "the arbitrage ended");
    }
}

#[test]
fn timeouts_are_failures_and_late_answers_are_not_successes() {
    let mut t = rig();
    for _ in 0..4 {
        t.upbit_answers_after(TIMEOUT + 10 * MS);
    }
    assert_eq!(t.count("exec.timeouts"), 4);
    assert_eq!(t.stage.breaker_state(UPBIT), BreakerState::Closed);
    // An answer inside the timeout is a success: the run of failures starts again.
    t.upbit_answers_after(TIMEOUT / 2);
    for _ in 0..4 {
        t.upbit_answers_after(TIMEOUT + 10 * MS);
    }
    assert_eq!(
        t.stage.breaker_state(UPBIT),
        BreakerState::Closed,
        "4 failures since the last success"
    );
    // The fifth timeout in a row opens it, though every late leg was answered filled.
    t.upbit_answers_after(TIMEOUT + 10 * MS);
    assert_eq!(t.stage.breaker_state(UPBIT), BreakerState::Open);
    assert_eq!(t.stage.breaker_state(BINANCE), BreakerState::Closed);
    assert!(t.arb().is_empty(), "refused while open");
    assert_eq!(
        t.count(&crate::telemetry::counter_name(
            "exec",
            Outcome::Rejected(RejectReason::BreakerOpen)
        )),
        1
    );
    assert_eq!(t.count("exec.query_timeouts"), 0, "queries were answered");
}

#[test]
fn a_hung_venue_opens_its_breaker_with_the_default_slots() {
    // Unknown legs keep their slots while queried: the lost-order bound is set out of reach here
    // (it has its own test), so the breaker alone must stop the hung venue.
    let mut t = rig_with(|p| p.max_status_queries = 1_000);
    // Upbit answers nothing (orders or status queries); Binance answers at once.
    let mut upbit_orders = 0;
    while t.now < 2_000 * MS {
        for o in t.arb() {
            if o.venue == BINANCE {
                t.fill(&o);
            } else {
                upbit_orders += 1;
            }
        }
        t.step(10 * MS);
        if t.stage.breaker_state(UPBIT) == BreakerState::Open {
            break;
        }
    }
    // Two arbitrages hold Upbit's two slots for good: two order timeouts, then their status
    // queries' timeouts make up the rest of the five failures.
    assert_eq!(
        upbit_orders, 2,
        "the per-venue slots held everything else back"
    );
    assert_eq!(t.stage.breaker_state(UPBIT), BreakerState::Open);
    assert_eq!(t.count("exec.timeouts"), 2);
    assert!(t.count("exec.query_timeouts") >= 3);
    assert!(t.count("exec.status_queries") > 0);
    assert!(t.arb().is_empty(), "refused while open");
}

#[test]
fn a_waiter_is_refused_when_the_breaker_opened_while_it_waited() {
    use crate::exec::limits::{EndpointGroup, LimitSpec};
    let mut t = rig_with(|p| {
        // One Upbit order per 100 ms, and room to wait for it.
        let u = &mut p.venues[UPBIT.index()];
        u.order_groups = [Some(EndpointGroup::Order), None, None];
        u.limits[EndpointGroup::Order.index()] = Some(LimitSpec {
            limit: 1,
            window_ns: 100 * MS,
            burst: 1,
            margin_ns: 0,
        });
        p.max_wait_ns = 200 * MS;
    });
    for _ in 0..4 {
        t.upbit_answers_after(TIMEOUT + 10 * MS);
    }
    // The fifth arbitrage's Upbit leg hangs; just before it times out, another arbitrage passes
    // the (still closed) breaker and waits for Upbit's next token, due when the leg times out.
    let fifth = t.arb();
    assert_eq!(fifth.len(), 2);
    t.fill(&fifth[0]);
    t.step(TIMEOUT - 5 * MS);
    assert!(t.arb().is_empty(), "waits for a token");
    assert_eq!(t.stage.waiting(), 1);
    let sent = t.stage.gateway_mut().orders.len();
    t.step(5 * MS + MS);
    assert_eq!(t.stage.breaker_state(UPBIT), BreakerState::Open);
    assert_eq!(t.stage.waiting(), 0);
    assert_eq!(
        t.stage.gateway_mut().orders.len(),
        sent,
        "nothing sent once the breaker opened"
    );
    assert_eq!(
        t.count(&crate::telemetry::counter_name(
            "exec",
            Outcome::Rejected(RejectReason::BreakerOpen)
        )),
        1
    );
}

#[test]
fn an_accepted_order_is_queried_without_counting_a_failure() {
    let mut t = rig();
    let legs = t.arb();
    assert_eq!(legs.len(), 2);
    t.fill(&legs[0]);
    // The Upbit leg is acknowledged (Bybit's and OKX's create answers, Upbit's `wait`).
    let ack = ExecReport {
        order: legs[1].id,
        opp: legs[1].opp,
        venue: legs[1].venue,
        status: ExecStatus::Unknown,
        filled_qty: Qty::ZERO,
        avg_px: Price::ZERO,
        recv_ts_ns: t.now,
        retry_after_ms: 0,
    };
    t.stage
        .gateway_mut()
        .ready
        .push(GatewayEvent::Accepted(ack));
    t.step(MS);
    assert_eq!(t.count("exec.accepted"), 1);
    assert_eq!(
        t.count("exec.status_5xx"),
        0,
        "an acknowledgement is no failure"
    );
    assert!(
        t.stage.gateway_mut().queries.is_empty(),
        "asked only after status_query"
    );
    t.step(20 * MS);
    assert_eq!(t.stage.gateway_mut().queries, vec![legs[1].id]);
    // The query finds it still live: accepted again, asked again later.
    t.stage
        .gateway_mut()
        .ready
        .push(GatewayEvent::Accepted(ack));
    t.step(MS);
    t.step(20 * MS);
    assert_eq!(t.stage.gateway_mut().queries.len(), 2);
    t.fill(&legs[1]);
    t.step(MS);
    assert!(t.stage.is_idle());
    assert_eq!(
        t.count(&crate::telemetry::counter_name("exec", Outcome::Executed)),
        1
    );
    assert_eq!(t.count("exec.timeouts") + t.count("exec.query_timeouts"), 0);
    assert_eq!(t.stage.breaker_state(UPBIT), BreakerState::Closed);
}

#[test]
fn a_leg_on_a_feed_only_venue_is_refused_before_anything_is_sent() {
    let mut t = rig_with(|p| p.venues[UPBIT.index()].trades = false);
    assert!(t.arb().is_empty(), "no order written");
    assert_eq!(
        t.count(&crate::telemetry::counter_name(
            "exec",
            Outcome::Rejected(RejectReason::FeedOnly)
        )),
        1
    );
    assert_eq!(t.count("exec.orders_sent"), 0);
    assert!(t.stage.is_idle(), "no slot, no waiter, nothing in flight");
}

// ---- state gauges ----------------------------------------------------------------------------

impl T {
    /// Queue a no-fill answer (IOC cancelled) for `o`.
    fn no_fill(&mut self, o: &Order) {
        let r = ExecReport {
            order: o.id,
            opp: o.opp,
            venue: o.venue,
            status: ExecStatus::Cancelled,
            filled_qty: Qty::ZERO,
            avg_px: Price::ZERO,
            recv_ts_ns: self.now,
            retry_after_ms: 0,
        };
        self.stage.gateway_mut().ready.push(GatewayEvent::Report(r));
    }

    fn gauge(&self, family: &str, labels: &[(&str, &str)]) -> i64 {
        self.reg
            .gauges
            .get(family, labels)
            .unwrap_or_else(|| panic!("{family} {labels:?} not registered"))
    }

    fn flush(&mut self) {
        self.stage.flush_telemetry(self.now);
    }
}

#[test]
fn gauges_publish_breakers_balances_open_notional_and_the_wait_queue_at_each_flush() {
    let mut t = rig();
    t.flush();
    assert_eq!(t.gauge("microarb_kill_switch", &[]), 0);
    for v in ["binance", "bybit", "okx", "upbit"] {
        let st = |s| [("venue", v), ("state", s)];
        assert_eq!(t.gauge("microarb_breaker_state", &st("closed")), 1);
        assert_eq!(t.gauge("microarb_breaker_state", &st("half_open")), 0);
        assert_eq!(t.gauge("microarb_breaker_state", &st("open")), 0);
    }
    // The paper venue's starting balances (1000 of each base, 1e8 of each quote), at 1e-8.
    let btc = |v| [("venue", v), ("asset", "BTC")];
    assert_eq!(t.gauge("microarb_balance", &btc("upbit")), 1_000 * ONE);
    assert_eq!(t.gauge("microarb_open_notional", &[("asset", "USDT")]), 0);
    assert_eq!(
        t.gauge("microarb_queue_depth", &[("queue", "exec_wait")]),
        0
    );
    assert_eq!(
        t.gauge("microarb_queue_capacity", &[("queue", "exec_wait")]),
        64
    );
    // One arbitrage in flight: its buy notional (100 x 0.01 = 1 USDT) is open until it ends.
    let sent = t.arb();
    t.flush();
    assert_eq!(t.gauge("microarb_open_notional", &[("asset", "USDT")]), ONE);
    t.fill(&sent[0]);
    t.fill(&sent[1]);
    t.step(MS);
    t.flush();
    assert_eq!(t.gauge("microarb_open_notional", &[("asset", "USDT")]), 0);
    // The fills moved the risk book: 0.01 BTC more on Binance, 0.01 less on Upbit.
    assert_eq!(
        t.gauge("microarb_balance", &btc("binance")),
        1_000 * ONE + ONE / 100
    );
    assert_eq!(
        t.gauge("microarb_balance", &btc("upbit")),
        1_000 * ONE - ONE / 100
    );
    assert_eq!(t.gauge("microarb_residual_position", &btc("binance")), 0);
    // Five order timeouts in a row open Upbit's breaker; the gauge follows at the next flush.
    for _ in 0..5 {
        t.upbit_answers_after(TIMEOUT + 10 * MS);
    }
    t.flush();
    let up = |s| [("venue", "upbit"), ("state", s)];
    assert_eq!(t.gauge("microarb_breaker_state", &up("open")), 1);
    assert_eq!(t.gauge("microarb_breaker_state", &up("closed")), 0);
    assert_eq!(
        t.gauge(
            "microarb_breaker_state",
            &[("venue", "binance"), ("state", "closed")]
        ),
        1
    );
}

#[test]
fn a_residual_is_published_on_the_venue_that_holds_it_and_the_kill_switch_when_on() {
    let cfg = Config::from_toml_str(DEMO_TOML, &Machine::this(false)).expect("demo config");
    let mut p = ExecParams::from_config(&cfg).expect("demo params");
    for v in &mut p.venues {
        v.order_groups = [None; 3];
    }
    p.legging.max_orders = 1;
    let mut reg = Registry::new();
    let (tx, rx) = ring::<Opportunity>("opps", 64, &mut reg.counters);
    let kill = KillSwitch::new();
    let stage = ExecStage::new(
        p,
        rx,
        Script::default(),
        Clock::new(),
        kill.clone(),
        &mut reg,
    )
    .expect("stage");
    let mut t = T {
        stage,
        tx,
        reg,
        now: 1_000 * MS,
        next_id: 1,
    };
    // Binance's buy fills, Upbit's sell finds nothing, the one unwind finds nothing either:
    // 0.01 BTC stays long on Binance.
    let sent = t.arb();
    t.fill(&sent[0]);
    t.no_fill(&sent[1]);
    t.step(MS);
    let hedge = *t.stage.gateway_mut().orders.last().expect("an unwind");
    assert_eq!((hedge.venue, hedge.side), (BINANCE, Side::Sell));
    t.no_fill(&hedge);
    t.step(MS);
    assert!(t.stage.is_idle());
    assert_eq!(t.count("exec.legging.residual"), 1);
    t.flush();
    let btc = |v| [("venue", v), ("asset", "BTC")];
    assert_eq!(
        t.gauge("microarb_residual_position", &btc("binance")),
        ONE / 100
    );
    assert_eq!(t.gauge("microarb_residual_position", &btc("upbit")), 0);
    assert_eq!(t.gauge("microarb_kill_switch", &[]), 0);
    kill.trip();
    t.flush();
    assert_eq!(t.gauge("microarb_kill_switch", &[]), 1);
}

#[test]
fn token_use_is_published_per_venue_and_group() {
    use crate::exec::limits::{EndpointGroup, LimitSpec};
    let mut t = rig_with(|p| {
        let u = &mut p.venues[UPBIT.index()];
        u.order_groups = [Some(EndpointGroup::Order), None, None];
        u.limits[EndpointGroup::Order.index()] = Some(LimitSpec {
            limit: 2,
            window_ns: 1_000 * MS,
            burst: 2,
            margin_ns: 0,
        });
    });
    let order = [("venue", "upbit"), ("group", "order")];
    t.flush();
    assert_eq!(t.gauge("microarb_ratelimit_token_use_ratio", &order), 0);
    assert_eq!(t.gauge("microarb_ratelimit_rate_ratio", &order), 1_000_000);
    assert_eq!(t.arb().len(), 2);
    t.flush();
    assert_eq!(
        t.gauge("microarb_ratelimit_token_use_ratio", &order),
        500_000
    );
    assert_eq!(t.arb().len(), 2);
    t.flush();
    assert_eq!(
        t.gauge("microarb_ratelimit_token_use_ratio", &order),
        1_000_000
    );
}
