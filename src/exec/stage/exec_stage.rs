//! The execution stage: opportunities in, orders out, every order tracked to a final state, every
//! opportunity ended in exactly one terminal state.
//!
//! Per opportunity popped from the strategy ring, checks in this order (the first refusal is its
//! terminal state, counted through [`OutcomeCounters`]):
//!
//! 1. kill switch (a relaxed load of the shared [`KillSwitch`]) -> `rejected: kill_switch`;
//! 2. expiry -> `expired`;
//! 3. a leg on a feed-only venue (`venues[].trade = false`) -> `rejected: feed_only`, before
//!    anything else is taken or sent;
//! 4. the legs priced and sized by the venues' trading rules ([`RulesTable::plan`]: limits on
//!    tick inside the slippage buffer, one quantity on both steps) -> `rejected: no_rules` when a
//!    venue's rules are unknown, `rejected: below_minimum` when a leg would fall under a minimum
//!    quantity or notional; the opportunity goes on with the planned quantity;
//! 5. circuit breaker of both venues -> `rejected: breaker_open`;
//! 6. risk ([`Risk::check`]: loss limit, paused venues, order and open notional, balances) ->
//!    its reason; then the buy notional is counted open until the arbitrage ends;
//! 7. an execution slot (global, per venue, reserved tier) -> `rejected: no_slot`;
//! 8. a rate-limit token on every order endpoint group of both venues; if one is not there yet the
//!    opportunity waits in a fixed-capacity queue until the token's time, re-checked then, but only
//!    until the earlier of its expiry and `max_wait` ([`WaitBudget`]) -> `rejected: rate_limited` or
//!    `expired`. A full queue refuses at once (`rate_limited`); a breaker that opened while it
//!    waited refuses it when it wakes (`breaker_open`).
//!
//! Then both legs are built as IOC limit orders at the planned limits (the slippage buffer
//! widening buy up, sell down, rounded onto the tick inside the buffer) and staged on the gateway, which encodes and
//! signs each into the buffer it will write ([`Gateway::stage`]); `tick_to_order` is recorded when
//! both legs' final signed bytes are complete, then both are sent ([`Gateway::send`]). Answers come back
//! through [`Gateway::poll`]: definite ones end the leg (fills move the risk book's balances and
//! feed the breaker), a 429 feeds the zero-429 policy, ambiguous ones (5xx, or no answer within
//! `order_timeout`) make the leg's fate unknown until a status query answers. The breaker counts the
//! 5xx or the timeout as a venue failure when it happens, and each further `order_timeout` the leg's
//! status queries go unanswered as another (so a hung venue's unknown legs cannot hold their slots
//! without ever opening it); only answers inside the timeout count as successes, never a late one.
//! When both legs are final the terminal state is fixed from their fills
//! ([`crate::exec::orders::legs::outcome`]); an imbalance is then hedged by the legging policy, and once flat (or
//! out of hedges) the slot is released, the open notional closed and the realized P&L booked
//! against the loss limit. Hedge orders reduce risk, so they skip the kill switch, breakers and
//! risk checks, but still take rate-limit tokens (a hedge without one waits in its leg until the
//! token's time, holding its slot).
//!
//! Rate-limit emergency mode (`exec::limits::emergency`) starts per venue on its own rules (a 418, or
//! 429s in two groups within a window) inside the venue's [`Zero429`]; the operator's request
//! arrives through an [`EmergencySwitch`] (one relaxed load per poll, compared with the last value
//! acted on) and puts every venue in it until the requested time. Each telemetry flush ends what is
//! due ([`Zero429::tick`]) and copies entries by cause, exits and the venues in emergency mode now
//! to the `exec.emergency.*` counters.
//!
//! Hot path: no allocation (fixed tables, fixed event and byte buffers), no lock, no clock read
//! except the [`Clock`] used to measure latencies; every rule runs on the `now_ns` argument.
//! Breaker, slot and rate-limit counters are copied to telemetry counters at each flush, and the
//! state gauges (kill switch, breakers, token use, balances, open notional, residuals, wait queue)
//! are stored then too.

use crate::base::breaker::{Breaker, BreakerState, Transition};
use crate::base::Clock;
use crate::exec::gateway::{Gateway, GatewayEvent, PaperGateway, SubmitError};
use crate::exec::guards::risk::Risk;
use crate::exec::guards::slots::{SlotTicket, Slots};
use crate::exec::guards::{EmergencySwitch, KillSwitch};
use crate::exec::limits::wait::{WaitBudget, WaitDecision};
use crate::exec::limits::zero429::{Throttle, Zero429};
use crate::exec::limits::EmergencyCause;
use crate::exec::orders::inflight::{Arb, Inflight, Leg, LegState};
use crate::exec::orders::legs::LeggingParams;
use crate::exec::params::{ExecBuildError, ExecParams, VenueExec};
use crate::exec::rules::{LegPlan, RulesTable};
use crate::exec::truth::TruthState;
use crate::model::{
    AssetCode, Opportunity, Order, OrderId, Outcome, Price, Qty, Quote, RejectReason, Side,
    TimeInForce, VenueId,
};
use crate::runtime::{RingRx, Stage, Stamped, Work};
use crate::telemetry::trades::LegRole;
use crate::telemetry::{Metric, OppLogTx, OutcomeCounters, Recorder, Registry, TradeTx};

/// Most opportunities taken from the ring per poll.
const BATCH: u32 = 256;
/// Gateway events taken per gateway poll call.
const EVENTS: usize = 64;

#[derive(Debug, Clone, Copy)]
struct Waiter {
    opp: Opportunity,
    plan: LegPlan,
    ticket: SlotTicket,
    probes: [bool; 2],
    budget: WaitBudget,
    wake_ns: u64,
    since_ns: u64,
}

/// What staging both legs of an arbitrage came to.
enum Staging {
    /// A leg cannot be encoded for its venue; nothing is staged.
    Unencodable,
    /// The gateway refused the buy leg; nothing is staged.
    BuyRefused,
    /// The buy leg is staged, and the sell leg too when `sell`.
    Staged {
        /// Whether the sell leg was staged.
        sell: bool,
    },
}

/// The execution stage over gateway `G` (the paper gateway by default).
pub struct ExecStage<G: Gateway = PaperGateway> {
    rx: RingRx<Opportunity>,
    gw: G,
    clock: Clock,
    kill: KillSwitch,
    risk: Risk,
    slots: Slots,
    breakers: Vec<Breaker>,
    limits: Vec<Zero429>,
    venues: Vec<VenueExec>,
    legging: LeggingParams,
    rules: RulesTable,
    scales: Vec<(u8, u8)>,
    max_wait_ns: u64,
    order_timeout_ns: u64,
    status_query_ns: u64,
    events: [GatewayEvent; EVENTS],
    waiters: Vec<Option<Waiter>>,
    n_waiting: usize,
    next_wake_ns: u64,
    inflight: Inflight,
    next_timer_ns: u64,
    next_order: u64,
    rec: Recorder,
    outcomes: OutcomeCounters,
    c: ExecCounters,
    gauges: ExecGauges,
    opps_log: Option<OppLogTx>,
    /// The `--trades` log (and the report's P&L): a record per order sent, fill and final state.
    trades: Option<TradeTx>,
    /// Each instrument's (base, quote) asset code, for the trade records.
    assets: Vec<(AssetCode, AssetCode)>,
    /// The book ring from the strategy stage (paper gateway only): every quote it received, handed
    /// to the gateway before anything else each poll.
    books: Option<RingRx<Quote>>,
    /// The operator's emergency-mode requests, and the last one acted on (unix ms).
    emergency: Option<(EmergencySwitch, u64)>,
    /// Replay: time is the capture's (the latest detection time seen, advanced in real time
    /// since), so expiry is judged as it was recorded and orders still complete at the end.
    capture_time: Option<(u64, u64)>,
    /// Venue truth: balances and open orders from the account thread, the lost-order bound.
    truth: TruthState,
    /// The idle rehearsal of the order path ([`rehearsal`]).
    rehearsal: rehearsal_state::Rehearsal,
    /// What the private streams pushed: recent finals for the cross-check, counters.
    stream: stream_state::StreamState,
    /// The idle warm writes of the kernel's send path ([`warm_writes`]).
    warm: warm_writes::WarmWrites,
}

impl<G: Gateway> ExecStage<G> {
    /// Build from parameters. Cold path: allocates every table here.
    pub fn new(
        p: ExecParams,
        rx: RingRx<Opportunity>,
        gw: G,
        clock: Clock,
        kill: KillSwitch,
        reg: &mut Registry,
    ) -> Result<ExecStage<G>, ExecBuildError> {
        let slots = Slots::new(p.slots)?;
        let mut limits = Vec::with_capacity(p.venues.len());
        for (venue, v) in p.venues.iter().enumerate() {
            limits.push(
                Zero429::with_limits(v.limits, p.zero429)
                    .map_err(|source| ExecBuildError::Limits { venue, source })?,
            );
        }
        let gauges = ExecGauges::register(reg, &p.names, &limits, p.wait_capacity.max(1));
        let truth = TruthState::new(
            reg,
            p.max_status_queries,
            p.balance_tolerance_bps,
            p.venues.len(),
            p.names.assets.len(),
        );
        let assets = crate::exec::asset_codes::asset_codes(&p);
        let mut gw = gw;
        gw.register_counters(reg, &p.names.venues);
        let warm = warm_writes::WarmWrites::new(reg, p.warm_write_every_ns, gw.writes_to_wire());
        Ok(ExecStage {
            rx,
            gw,
            clock,
            kill,
            risk: p.risk,
            slots,
            breakers: vec![Breaker::new(p.breaker); p.venues.len()],
            limits,
            venues: p.venues,
            legging: p.legging,
            rules: p.rules,
            scales: p.scales,
            max_wait_ns: p.max_wait_ns,
            order_timeout_ns: p.order_timeout_ns,
            status_query_ns: p.status_query_ns,
            events: [GatewayEvent::Banned {
                venue: VenueId(0),
                retry_after_ms: 0,
            }; EVENTS],
            waiters: vec![None; p.wait_capacity.max(1)],
            n_waiting: 0,
            next_wake_ns: u64::MAX,
            inflight: Inflight::new(),
            next_timer_ns: u64::MAX,
            next_order: 1,
            rec: reg.recorder(
                "exec",
                &[
                    Metric::Hop,
                    Metric::TickToOrder,
                    Metric::TickToWire,
                    Metric::OrderRtt,
                    Metric::RatelimitWait,
                ],
            ),
            outcomes: OutcomeCounters::register(reg, "exec"),
            c: ExecCounters::register(reg),
            gauges,
            opps_log: None,
            trades: None,
            assets,
            books: None,
            emergency: None,
            capture_time: None,
            truth,
            rehearsal: rehearsal_state::Rehearsal {
                every_ns: p.rehearse_every_ns,
                ..rehearsal_state::Rehearsal::default()
            },
            stream: stream_state::StreamState::register(reg),
            warm,
        })
    }

    /// The gateway (tests inject faults through it).
    pub fn gateway_mut(&mut self) -> &mut G {
        &mut self.gw
    }

    /// The risk book (balances, open notional).
    pub fn risk(&self) -> &Risk {
        &self.risk
    }

    /// A venue's breaker state (`Closed` for an unknown venue).
    pub fn breaker_state(&self, venue: VenueId) -> BreakerState {
        self.breakers
            .get(venue.index())
            .map_or(BreakerState::Closed, |b| b.state())
    }

    /// Arbitrages with orders in flight.
    pub fn in_flight(&self) -> usize {
        self.inflight.count()
    }

    /// Opportunities waiting for a rate-limit token.
    pub fn waiting(&self) -> usize {
        self.n_waiting
    }

    /// Whether nothing is in flight or waiting (every opportunity taken so far has ended).
    pub fn is_idle(&self) -> bool {
        self.n_waiting == 0 && self.inflight.count() == 0
    }

    // ---- the book feed (paper venue) -------------------------------------------------------

    /// Every answer the gateway has due at `now_ns`, acted on. Returns how many.
    fn answers(&mut self, now_ns: u64) -> u32 {
        let mut n = 0u32;
        loop {
            let k = self.gw.poll(now_ns, &mut self.events);
            for i in 0..k {
                let e = self.events[i];
                self.on_event(e, now_ns);
            }
            n += k as u32;
            if k < EVENTS {
                return n;
            }
        }
    }

    /// Detection time of the next waiting opportunity, in a replay (`u64::MAX` otherwise or when
    /// none waits).
    fn next_detect_ts(&self) -> u64 {
        match self.capture_time {
            Some(_) => self.rx.peek().map_or(u64::MAX, |m| m.msg.detect_ts_ns),
            None => u64::MAX,
        }
    }

    /// Hand the gateway the quotes waiting on the book ring, the book current before orders match.
    /// Live: all of them (each was received before now). Replay: those received up to `limit`
    /// (the next opportunity's detection), each one first advancing the capture clock to its
    /// receive time and delivering what fell due before it, so a simulated order meets the book
    /// as it stood at its arrival in the capture's time. An opportunity is always pushed before
    /// the quote that made it, so every opportunity up to a quote seen here is already visible.
    fn apply_books(&mut self, real_ns: u64, limit: u64) -> u32 {
        let Some(mut books) = self.books.take() else {
            return 0;
        };
        let mut n = 0u32;
        while let Some(m) = books.peek() {
            let q = m.msg;
            if self.capture_time.is_some() {
                if q.recv_ts_ns > limit {
                    break;
                }
                if let Some((cap, real)) = self.capture_time.as_mut() {
                    if q.recv_ts_ns > *cap {
                        *cap = q.recv_ts_ns;
                        *real = real_ns;
                    }
                }
                let t = self.time(real_ns, None);
                n += self.answers(t);
            }
            books.pop();
            self.gw.on_quote(&q);
            n += 1;
        }
        self.books = Some(books);
        n
    }

    // ---- opportunities -------------------------------------------------------------------

    fn on_opportunity(&mut self, opp: Opportunity, now: u64) {
        self.c.opps_in.inc();
        if self.kill.is_on() {
            return self.end(&opp, Outcome::Rejected(RejectReason::KillSwitch), 0);
        }
        if now > opp.expiry_ts_ns {
            return self.end(&opp, Outcome::Expired, 0);
        }
        let (b, s) = (opp.buy_venue.index(), opp.sell_venue.index());
        if b >= self.venues.len() || s >= self.venues.len() || b == s {
            return self.end(&opp, Outcome::Rejected(RejectReason::RiskLimit), 0);
        }
        if !self.venues[b].trades || !self.venues[s].trades {
            return self.end(&opp, Outcome::Rejected(RejectReason::FeedOnly), 0);
        }
        let (slip_b, slip_s) = (self.venues[b].slippage, self.venues[s].slippage);
        let plan = match self.rules.plan(&opp, slip_b, slip_s) {
            Ok(p) => p,
            Err(r) => return self.end(&opp, Outcome::Rejected(r), 0),
        };
        let opp = Opportunity {
            qty: plan.qty,
            ..opp
        };
        let Ok(pb) = self.breakers[b].check(now) else {
            return self.end(&opp, Outcome::Rejected(RejectReason::BreakerOpen), 0);
        };
        let Ok(ps) = self.breakers[s].check(now) else {
            if pb.probe {
                self.breakers[b].release_probe();
            }
            return self.end(&opp, Outcome::Rejected(RejectReason::BreakerOpen), 0);
        };
        let probes = [pb.probe, ps.probe];
        let ticket = self.risk.check(&opp).and_then(|()| {
            self.slots
                .try_acquire(opp.buy_venue, opp.sell_venue, opp.net_bps)
                .map_err(|_| RejectReason::NoSlot)
        });
        let ticket = match ticket {
            Ok(t) => t,
            Err(r) => {
                self.release_probes(&opp, probes);
                return self.end(&opp, Outcome::Rejected(r), 0);
            }
        };
        self.risk.open(&opp);
        let w = Waiter {
            opp,
            plan,
            ticket,
            probes,
            budget: WaitBudget::for_opportunity(&opp, now, self.max_wait_ns),
            wake_ns: now,
            since_ns: now,
        };
        self.admit_or_wait(w, now, None);
    }

    /// Whether this poll decides the next opportunity before reading answers, truth and timers:
    /// live time (a replay keeps the capture's order), one waiting, none queued for a rate-limit
    /// token, and a slot it would get ([`Slots::would_admit`]). Otherwise an answer read first
    /// might free the slot it needs, so the usual order stands.
    #[inline]
    fn decides_first(&self) -> bool {
        if self.capture_time.is_some() || self.n_waiting != 0 {
            return false;
        }
        self.rx.peek().is_some_and(|m| {
            let o = &m.msg;
            self.slots.would_admit(o.buy_venue, o.sell_venue, o.net_bps)
        })
    }

    /// An opportunity taken from the ring: kept for the rehearsal, decided, its hop recorded.
    #[inline]
    fn take(&mut self, m: Stamped<Opportunity>, real_ns: u64) {
        let hop = self.clock.now_ns().saturating_sub(m.push_ts_ns);
        let now = self.time(real_ns, Some(&m.msg));
        self.keep_for_rehearsal(&m.msg);
        self.on_opportunity(m.msg, now);
        // Recorded once the order is out: a histogram bucket touched a few hundred times a
        // second is cold memory, not worth a cache miss before the order.
        self.rec.record(Metric::Hop, hop);
    }

    #[inline]
    fn end(&mut self, opp: &Opportunity, o: Outcome, order_unix_ns: u64) {
        self.outcomes.count(o);
        if let Some(log) = self.opps_log.as_mut() {
            log.log_order(*opp, o, order_unix_ns);
        }
    }

    /// Write every opportunity this stage ends to the `--opps` log.
    pub fn set_opps_log(&mut self, tx: OppLogTx) {
        self.opps_log = Some(tx);
    }

    /// Feed the gateway every quote the strategy stage received (the paper venue matches against
    /// them); drained at the start of every poll, before answers fall due.
    pub fn set_book_feed(&mut self, rx: RingRx<Quote>) {
        self.books = Some(rx);
    }

    /// Take the operator's emergency-mode requests from `switch` (`microarb emergency`).
    pub fn set_emergency_switch(&mut self, switch: EmergencySwitch) {
        self.emergency = Some((switch, 0));
    }

    /// Whether `venue`'s limiters are in emergency mode at `now_ns`.
    pub fn in_emergency(&self, venue: VenueId, now_ns: u64) -> bool {
        self.limits
            .get(venue.index())
            .is_some_and(|z| z.in_emergency(now_ns))
    }

    /// A new operator request since the last poll: every venue in emergency mode until its time
    /// (nothing when that time has passed). One relaxed load when nothing changed.
    #[inline]
    fn operator_emergency(&mut self, now_ns: u64) {
        let Some((switch, seen)) = self.emergency.as_mut() else {
            return;
        };
        let until_ms = switch.requested_until_unix_ms();
        if until_ms == *seen {
            return;
        }
        *seen = until_ms;
        let now_ms = self.clock.unix_ns(now_ns) / 1_000_000;
        if until_ms <= now_ms {
            return;
        }
        let duration_ns = (until_ms - now_ms).saturating_mul(1_000_000);
        for z in &mut self.limits {
            z.enter_emergency(EmergencyCause::Operator, duration_ns, now_ns);
        }
    }

    /// Judge time on the capture's clock (replay); `tick_to_order` is not recorded then.
    pub fn use_capture_time(&mut self) {
        self.capture_time = Some((0, 0));
    }

    /// The stage's notion of now: the worker's clock, or in a replay the latest capture time
    /// advanced by the real time since it was seen.
    #[inline]
    fn time(&mut self, now_ns: u64, opp: Option<&Opportunity>) -> u64 {
        match (&mut self.capture_time, opp) {
            (None, _) => now_ns,
            (Some((cap, real)), Some(o)) if o.detect_ts_ns > *cap => {
                *cap = o.detect_ts_ns;
                *real = now_ns;
                *cap
            }
            (Some((cap, real)), _) => cap.saturating_add(now_ns.saturating_sub(*real)),
        }
    }

    fn release_probes(&mut self, opp: &Opportunity, probes: [bool; 2]) {
        for (v, p) in [opp.buy_venue, opp.sell_venue].into_iter().zip(probes) {
            if p {
                self.breakers[v.index()].release_probe();
            }
        }
    }

    /// An accepted opportunity that will not be sent: give back what it holds and count it.
    fn abandon(&mut self, w: &Waiter, o: Outcome) {
        let _ = self.slots.release(w.ticket);
        self.risk.close(&w.opp);
        self.release_probes(&w.opp, w.probes);
        self.end(&w.opp, o, 0);
    }

    /// Whether `venue`'s breaker is open (a woken waiter re-checks without taking a probe).
    fn is_open(&self, venue: VenueId) -> bool {
        self.breakers[venue.index()].state() == BreakerState::Open
    }

    /// Earliest time every order group of both venues has a token (`None`: never).
    fn earliest(&mut self, opp: &Opportunity, now: u64) -> Option<u64> {
        let mut at = now;
        for v in [opp.buy_venue, opp.sell_venue] {
            let groups = self.venues[v.index()].order_groups;
            for g in groups.into_iter().flatten() {
                at = at.max(self.limits[v.index()].earliest_at(g, now)?);
            }
        }
        Some(at)
    }

    /// Take one token of every order group of `venue`, or say until when not.
    fn take_tokens(&mut self, venue: VenueId, now: u64) -> Result<(), Throttle> {
        let groups = self.venues[venue.index()].order_groups;
        for g in groups.into_iter().flatten() {
            if let Err(t) = self.limits[venue.index()].check(g, 1, now) {
                self.c.throttled.inc();
                return Err(t);
            }
        }
        Ok(())
    }

    /// Decide for a waiter (fresh or woken): send, keep waiting, or end it. `slot` is its queue
    /// entry when it already has one.
    fn admit_or_wait(&mut self, mut w: Waiter, now: u64, slot: Option<usize>) {
        if self.kill.is_on() {
            return self.abandon(&w, Outcome::Rejected(RejectReason::KillSwitch));
        }
        if slot.is_some() && (self.is_open(w.opp.buy_venue) || self.is_open(w.opp.sell_venue)) {
            // It passed the breakers before it waited for a token; a breaker that opened
            // meanwhile stops it too: nothing goes to a venue while its breaker is open.
            return self.abandon(&w, Outcome::Rejected(RejectReason::BreakerOpen));
        }
        let earliest = self.earliest(&w.opp, now);
        let mut decision = w.budget.decide(now, earliest);
        if decision == WaitDecision::Admit {
            let (b, s) = (w.opp.buy_venue, w.opp.sell_venue);
            let taken = self
                .take_tokens(b, now)
                .and_then(|()| self.take_tokens(s, now));
            decision = w.budget.decide_after(now, taken);
        }
        match decision {
            WaitDecision::Admit => self.send(&w, now),
            WaitDecision::WaitUntil(t) => {
                w.wake_ns = t;
                let free = slot.or_else(|| self.waiters.iter().position(|x| x.is_none()));
                let Some(i) = free else {
                    self.c.wait_full.inc();
                    return self.abandon(&w, Outcome::Rejected(RejectReason::RateLimited));
                };
                if slot.is_none() {
                    self.c.waits.inc();
                }
                self.waiters[i] = Some(w);
                self.n_waiting += 1;
                self.next_wake_ns = self.next_wake_ns.min(t);
            }
            WaitDecision::Reject(r) => self.abandon(&w, Outcome::Rejected(r)),
            WaitDecision::Expired => self.abandon(&w, Outcome::Expired),
        }
    }

    fn on_waiters(&mut self, now: u64) -> u32 {
        if self.n_waiting == 0 || now < self.next_wake_ns {
            return 0;
        }
        self.next_wake_ns = u64::MAX;
        let mut n = 0;
        for i in 0..self.waiters.len() {
            let Some(w) = self.waiters[i] else { continue };
            if w.wake_ns > now {
                self.next_wake_ns = self.next_wake_ns.min(w.wake_ns);
                continue;
            }
            self.waiters[i] = None;
            self.n_waiting -= 1;
            n += 1;
            self.admit_or_wait(w, now, Some(i));
        }
        n
    }

    fn next_order_id(&mut self) -> OrderId {
        let id = OrderId(self.next_order);
        self.next_order += 1;
        id
    }

    fn order(
        &mut self,
        opp: &Opportunity,
        venue: VenueId,
        side: Side,
        qty: Qty,
        px: Price,
        now: u64,
    ) -> Order {
        Order {
            id: self.next_order_id(),
            opp: opp.id,
            px,
            qty,
            sent_ts_ns: now,
            recv_ts_ns: opp.recv_ts_ns,
            instrument: opp.instrument,
            venue,
            side,
            tif: TimeInForce::Ioc,
        }
    }

    /// Stage both legs. An order its venue cannot encode refuses the arbitrage with nothing
    /// staged; a buy leg the gateway refuses (nothing can be sent) drops the sell leg too.
    fn stage_legs(&mut self, buy: &Order, sell: &Order, now: u64) -> Staging {
        let b = self.gw.stage(buy, now);
        if matches!(b, Err(SubmitError::Unencodable(_))) {
            return Staging::Unencodable;
        }
        let s = self.gw.stage(sell, now);
        if matches!(s, Err(SubmitError::Unencodable(_))) {
            self.gw.discard();
            return Staging::Unencodable;
        }
        if b.is_err() {
            self.gw.discard();
            return Staging::BuyRefused;
        }
        Staging::Staged { sell: s.is_ok() }
    }

    /// `tick_to_order` of `opp`, decided at `written` (live time only).
    #[inline]
    fn record_tick_to_order(&mut self, opp: &Opportunity, written: u64) {
        if self.capture_time.is_none() {
            self.rec
                .record(Metric::TickToOrder, written.saturating_sub(opp.recv_ts_ns));
        }
    }

    /// Build both legs, stage them on the gateway (encoded and signed), send them, record
    /// `tick_to_order` and `tick_to_wire`; track them.
    fn send(&mut self, w: &Waiter, now: u64) {
        let opp = w.opp;
        if now > w.since_ns {
            self.rec.record(Metric::RatelimitWait, now - w.since_ns);
        }
        self.gw.on_market(&opp, now);
        let (bv, sv) = (opp.buy_venue, opp.sell_venue);
        let LegPlan {
            buy_px,
            sell_px,
            qty,
        } = w.plan;
        let buy = self.order(&opp, bv, Side::Buy, qty, buy_px, now);
        let sell = self.order(&opp, sv, Side::Sell, qty, sell_px, now);
        let sell_staged = match self.stage_legs(&buy, &sell, now) {
            Staging::Unencodable => {
                self.c.encode_errors.inc();
                return self.abandon(w, Outcome::Rejected(RejectReason::RiskLimit));
            }
            Staging::BuyRefused => None,
            Staging::Staged { sell } => Some(sell),
        };
        // Both legs' signed bytes are final (or the arbitrage is refused): the order is decided.
        let written = self.clock.now_ns();
        let Some(sell_staged) = sell_staged else {
            self.record_tick_to_order(&opp, written);
            self.c.arbs_sent.inc();
            self.c.submit_errors.inc();
            return self.abandon(w, Outcome::Rejected(RejectReason::NoFill));
        };
        let bytes = self.gw.send(now);
        // The histograms after the writes: nothing between the signed bytes and the `write`.
        if self.capture_time.is_none() && self.gw.writes_to_wire() {
            let on_wire = self.clock.now_ns();
            self.rec
                .record(Metric::TickToWire, on_wire.saturating_sub(opp.recv_ts_ns));
        }
        self.record_tick_to_order(&opp, written);
        self.c.arbs_sent.inc();
        self.c.order_bytes.add(bytes as u64);
        self.c.orders_sent.inc();
        let sent_unix = self.clock.unix_ns(written);
        self.log_sent(buy, LegRole::Buy, sent_unix);
        if sell_staged {
            self.log_sent(sell, LegRole::Sell, sent_unix);
        }
        let timer = now.saturating_add(self.order_timeout_ns);
        let mut legs = [Leg::idle(buy), Leg::idle(sell), Leg::idle(buy)];
        legs[0].state = LegState::Sent;
        legs[0].timer_ns = timer;
        if sell_staged {
            self.c.orders_sent.inc();
            legs[1].state = LegState::Sent;
            legs[1].timer_ns = timer;
        } else {
            self.c.submit_errors.inc();
            legs[1].state = LegState::Final;
        }
        let arb = Arb {
            opp,
            ticket: w.ticket,
            legs,
            hedges_sent: 0,
            bought: Qty::ZERO,
            sold: Qty::ZERO,
            buy_ref: buy_px,
            sell_ref: sell_px,
            flow: 0,
            initial: None,
            any_429: false,
            lost_buy: 0,
            lost_sell: 0,
            lost: false,
            order_unix_ns: self.clock.unix_ns(written),
        };
        self.inflight
            .insert(arb)
            .expect("the in-flight table holds MAX_SLOTS arbitrages and each holds a slot");
        self.next_timer_ns = self.next_timer_ns.min(timer);
    }
}

impl<G: Gateway> Stage for ExecStage<G> {
    fn name(&self) -> &'static str {
        "exec"
    }

    fn poll(&mut self, real_ns: u64) -> Work {
        // `real_ns` is the engine clock; `now_ns` the stage's time (the capture's in a replay).
        let mut n = self.apply_books(real_ns, self.next_detect_ts());
        let now_ns = self.time(real_ns, None);
        self.operator_emergency(now_ns);
        let mut taken = 0;
        if self.decides_first() {
            // The opportunity goes before the answers, the venue truth and the timers are read:
            // those cost a system call now and then (the gateway's poll of its sockets), and
            // the order is the latency the engine is judged by. Reading them first could free
            // nothing it needs (a slot is free for it, no earlier one waits for a token); an
            // answer that would open a breaker or pause a venue is read microseconds after the
            // order, as if it had arrived that much later, which the engine cannot tell apart.
            if let Some(m) = self.rx.pop() {
                taken += 1;
                self.take(m, real_ns);
            }
        }
        n += self.answers(now_ns);
        n += self.truth_poll(now_ns);
        n += self.on_timers(now_ns);
        n += self.on_waiters(now_ns);
        while taken < BATCH {
            if self.capture_time.is_some() {
                // Replay: the book as it stood when this opportunity was detected, no later.
                let limit = self.next_detect_ts();
                n += self.apply_books(real_ns, limit);
            }
            let Some(m) = self.rx.pop() else { break };
            taken += 1;
            self.take(m, real_ns);
        }
        if taken == 0 {
            if self.capture_time.is_none() {
                self.maybe_rehearse(real_ns);
                self.warm.maybe_warm(real_ns);
            }
        } else {
            self.rehearsal_not_before(real_ns);
            self.warm.not_before(real_ns);
        }
        Work(n + taken)
    }

    fn flush_telemetry(&mut self, now_ns: u64) {
        let mut t = [0u64; 4];
        for b in &self.breakers {
            for (i, x) in b.transitions().iter().enumerate() {
                t[i] += x;
            }
        }
        for tr in Transition::ALL {
            self.c.breaker[tr.index()].set(t[tr.index()]);
        }
        let s = self.slots.counters();
        self.c.slots_acquired.set(s.acquired);
        self.c.slots_reserved.set(s.acquired_reserved);
        self.c.slots_released.set(s.released);
        let now = self.time(now_ns, None);
        let (mut entries, mut exits, mut active) = ([0u64; EmergencyCause::COUNT], 0, 0);
        for z in &mut self.limits {
            z.tick(now);
            let e = z.emergency_counters();
            for (sum, x) in entries.iter_mut().zip(e.entries) {
                *sum += x;
            }
            exits += e.exits;
            active += u64::from(z.in_emergency(now));
        }
        for cause in EmergencyCause::ALL {
            self.c.emergency_entries[cause.index()].set(entries[cause.index()]);
        }
        self.c.emergency_exits.set(exits);
        self.c.emergency_active.set(active);
        self.gw.flush_counters();
        self.gauges.publish(
            now,
            &self.kill,
            &self.breakers,
            &self.limits,
            &self.risk,
            self.n_waiting,
        );
        self.rec.flush(now_ns);
    }

    fn is_finished(&self, stopping: bool) -> bool {
        stopping && self.rx.is_drained() && self.is_idle()
    }
}

#[path = "answers.rs"]
mod answers;

#[path = "pushes.rs"]
mod pushes;
#[path = "rehearsal.rs"]
mod rehearsal;
#[path = "rehearsal_state.rs"]
mod rehearsal_state;
#[path = "stream_state.rs"]
mod stream_state;
#[path = "trade_records.rs"]
mod trade_records;
#[path = "truth.rs"]
mod truth;
#[path = "warm_writes.rs"]
mod warm_writes;

#[path = "counters.rs"]
mod counters;
use counters::ExecCounters;

#[path = "gauges.rs"]
mod gauges;
use gauges::ExecGauges;

#[cfg(test)]
#[path = "exec_stage_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "emergency_tests.rs"]
mod emergency_tests;

#[cfg(test)]
#[path = "truth_tests.rs"]
mod truth_tests;

#[cfg(test)]
#[path = "rehearsal_tests.rs"]
mod rehearsal_tests;

#[cfg(test)]
#[path = "pushes_tests.rs"]
mod pushes_tests;
