//! The execution stage's order side: answers from the gateway, legs tracked to a final state,
//! unknown fates queried, timeouts, legging hedges, and the books closed when an arbitrage ends.
//! A child module of [`super`] so it shares the stage's private state; see the stage's module doc
//! for the rules.

use super::trade_records::LegEnd;
use super::ExecStage;
use crate::exec::gateway::{Gateway, GatewayEvent, SubmitError, CODE_NO_SUCH_ORDER};
use crate::exec::limits::EndpointGroup;
use crate::exec::orders::inflight::{Leg, LegState, HEDGE};
use crate::exec::orders::legs::{outcome, Hedge, HedgeKind, Legs};
use crate::exec::params::ASSET_SCALE;
use crate::exec::stage::mantissa::to_scale;
use crate::model::{notional, ExecReport, ExecStatus, Outcome, Price, Qty, Side, VenueId};
use crate::telemetry::trades::{FinalState, LegRole, TradeKind};
use crate::telemetry::Metric;

impl<G: Gateway> ExecStage<G> {
    // ---- answers -------------------------------------------------------------------------

    pub(super) fn on_event(&mut self, e: GatewayEvent, now: u64) {
        match e {
            GatewayEvent::Report(r) => self.on_report(r, now),
            GatewayEvent::Accepted(r) => self.on_accepted(r, now),
            GatewayEvent::Pushed(r) => self.on_pushed(r, now),
            GatewayEvent::Balance {
                venue,
                asset,
                free,
                total,
            } => self.on_stream_balance(venue, asset, free, total, now),
            GatewayEvent::BybitLimit {
                venue,
                group,
                remaining,
                reset_unix_ms,
                unix_ns,
            } => {
                if let Some(z) = self.limits.get_mut(venue.index()) {
                    z.on_bybit_limit(group, remaining, reset_unix_ms, now, unix_ns);
                }
            }
            GatewayEvent::UpbitRemaining { venue, group, sec } => {
                if let Some(z) = self.limits.get_mut(venue.index()) {
                    z.on_upbit_remaining(group, sec, now);
                }
            }
            GatewayEvent::BinanceUsage {
                venue,
                usage,
                unix_ns,
            } => {
                if let Some(z) = self.limits.get_mut(venue.index()) {
                    z.on_binance_usage(&usage, now, unix_ns);
                }
            }
            GatewayEvent::Banned {
                venue,
                retry_after_ms,
            } => {
                if let Some(z) = self.limits.get_mut(venue.index()) {
                    let ra = (retry_after_ms > 0).then(|| u64::from(retry_after_ms) * 1_000_000);
                    z.on_418(ra, now);
                }
            }
        }
    }

    /// The venue holds the order and said nothing of its fills yet (an acknowledgement, or a
    /// status query that found it live): the answer counts as the venue working, and the leg's
    /// fate is asked for after `status_query`, like an unknown one's, without counting a failure.
    fn on_accepted(&mut self, r: ExecReport, now: u64) {
        let Some((ai, li)) = self.inflight.find(r.order) else {
            self.c.late_reports.inc();
            return;
        };
        let status_query_ns = self.status_query_ns;
        let arb = self.inflight.get_mut(ai).expect("found above");
        let leg = &mut arb.legs[li];
        if leg.state == LegState::Final || leg.state == LegState::Idle {
            self.c.late_reports.inc();
            return;
        }
        let v = leg.order.venue.index();
        if !leg.answered {
            leg.answered = true;
            let rtt = r.recv_ts_ns.saturating_sub(leg.order.sent_ts_ns);
            self.rec.record(Metric::OrderRtt, rtt);
        }
        self.c.accepted.inc();
        if leg.state == LegState::Sent {
            self.breakers[v].on_success(now);
        }
        leg.state = LegState::Unknown;
        // The venue answered: its queries' deadline starts again with the next one.
        leg.query_deadline_ns = u64::MAX;
        leg.timer_ns = now.saturating_add(status_query_ns);
        self.next_timer_ns = self.next_timer_ns.min(leg.timer_ns);
    }

    pub(super) fn on_report(&mut self, r: ExecReport, now: u64) {
        let Some((ai, li)) = self.inflight.find(r.order) else {
            self.c.late_reports.inc();
            return;
        };
        let status_query_ns = self.status_query_ns;
        let arb = self.inflight.get_mut(ai).expect("found above");
        let leg = &mut arb.legs[li];
        if leg.state == LegState::Final || leg.state == LegState::Idle {
            self.c.late_reports.inc();
            return;
        }
        let v = leg.order.venue.index();
        if !leg.answered {
            leg.answered = true;
            let rtt = r.recv_ts_ns.saturating_sub(leg.order.sent_ts_ns);
            self.rec.record(Metric::OrderRtt, rtt);
        }
        match r.status {
            ExecStatus::Unknown => {
                if leg.state == LegState::Sent {
                    self.c.status_5xx.inc();
                    self.breakers[v].on_failure(now);
                } else {
                    // A status query answered without settling the fate.
                    leg.unsettled += 1;
                }
                leg.state = LegState::Unknown;
                leg.timer_ns = now.saturating_add(status_query_ns);
                self.next_timer_ns = self.next_timer_ns.min(leg.timer_ns);
            }
            ExecStatus::Rejected { code: 429 } if leg.state == LegState::Unknown => {
                // A 429 while the leg's fate is unknown answers its status query, not the order:
                // nothing is learnt about the order, so it stays unknown and is asked again after
                // Retry-After. The query's group takes the 429 (a late 429 to the order itself
                // is then settled by the next query's "no such order").
                self.c.status_429.inc();
                let ra = (r.retry_after_ms > 0).then(|| u64::from(r.retry_after_ms) * 1_000_000);
                let (group, _) = self.venues[v].query_group;
                self.limits[v].on_429(group, ra, now);
                leg.timer_ns = now.saturating_add(ra.unwrap_or(0).max(status_query_ns));
                self.next_timer_ns = self.next_timer_ns.min(leg.timer_ns);
            }
            ExecStatus::Rejected { code } => {
                if code == 429 {
                    arb.any_429 = true;
                    self.c.status_429.inc();
                    let ra =
                        (r.retry_after_ms > 0).then(|| u64::from(r.retry_after_ms) * 1_000_000);
                    if let Some(g) = self.venues[v].order_groups[0] {
                        self.limits[v].on_429(g, ra, now);
                    }
                    self.breakers[v].release_probe();
                } else if code == CODE_NO_SUCH_ORDER {
                    self.breakers[v].release_probe();
                } else {
                    self.c.rejects.inc();
                    self.breakers[v].on_failure(now);
                }
                let state = if code == CODE_NO_SUCH_ORDER {
                    FinalState::NotFound
                } else {
                    FinalState::Rejected { code }
                };
                self.leg_final(ai, li, Qty::ZERO, Price::ZERO, now, LegEnd::of(&r, state));
            }
            ExecStatus::Filled | ExecStatus::PartiallyFilled | ExecStatus::Cancelled => {
                // Only an answer inside the order timeout says the venue works. A leg whose fate
                // went unknown (no answer by its timeout, or a 5xx) was counted a failure then;
                // its late answer, or a status query's, must not undo that (nor pass for a
                // half-open probe's success).
                if leg.state == LegState::Sent {
                    self.breakers[v].on_success(now);
                }
                let state = match r.status {
                    ExecStatus::Filled => FinalState::Filled,
                    ExecStatus::PartiallyFilled => FinalState::PartiallyFilled,
                    _ => FinalState::Cancelled,
                };
                self.leg_final(ai, li, r.filled_qty, r.avg_px, now, LegEnd::of(&r, state));
            }
        }
    }

    fn fee_and_scale(&self, venue: VenueId, instrument: usize, px: Price, q: Qty) -> (i128, u8) {
        let (ps, qs) = self.scales.get(instrument).copied().unwrap_or((8, 8));
        let n = notional(px, q);
        let fee = self.venues[venue.index()].fee.0;
        let num = n * i128::from(fee);
        let fee_n = num / 1_000_000 + i128::from(num % 1_000_000 != 0);
        (fee_n, ps + qs)
    }

    pub(super) fn leg_final(
        &mut self,
        ai: usize,
        li: usize,
        q: Qty,
        px: Price,
        now: u64,
        end: LegEnd,
    ) {
        let Some(arb) = self.inflight.get(ai) else {
            return;
        };
        let order = arb.legs[li].order;
        let was_sent = matches!(arb.legs[li].state, LegState::Sent | LegState::Unknown);
        let q = Qty(q.0.clamp(0, order.qty.0.max(0)));
        if q.0 > 0 {
            self.c.fills.inc();
            self.truth.on_fill(order.venue, now);
            let (fee_n, scale) = self.fee_and_scale(order.venue, order.instrument.index(), px, q);
            if was_sent {
                self.log_end(TradeKind::Fill, li, order, q, px, now, end, (fee_n, scale));
            }
            let fee_asset = to_asset(fee_n, scale, true);
            if self
                .risk
                .on_fill(order.venue, order.instrument, order.side, px, q, fee_asset)
                .is_err()
            {
                self.c.risk_update_errors.inc();
            }
            let n = notional(px, q);
            let arb = self.inflight.get_mut(ai).expect("checked above");
            match order.side {
                Side::Buy => {
                    arb.bought.0 += q.0;
                    arb.flow -= n;
                    if li == 0 {
                        arb.buy_ref = px;
                    }
                }
                Side::Sell => {
                    arb.sold.0 += q.0;
                    arb.flow += n;
                    if li == 1 {
                        arb.sell_ref = px;
                    }
                }
            }
            arb.flow -= fee_n;
        }
        if was_sent {
            self.log_end(TradeKind::Final, li, order, q, px, now, end, (0, 0));
        }
        self.stream.remember(order.id, q);
        let arb = self.inflight.get_mut(ai).expect("checked above");
        let leg = &mut arb.legs[li];
        leg.state = LegState::Final;
        leg.filled = q;
        leg.avg_px = px;
        leg.timer_ns = u64::MAX;
        self.advance(ai, now);
    }

    /// Both legs final: fix the outcome, hedge an imbalance, or finish.
    fn advance(&mut self, ai: usize, now: u64) {
        let Some(arb) = self.inflight.get_mut(ai) else {
            return;
        };
        if arb.legs[0].pending() || arb.legs[1].pending() || arb.legs[HEDGE].pending() {
            return;
        }
        if arb.initial.is_none() {
            arb.initial = Some(outcome(arb.bought, arb.sold, arb.any_429));
            if arb.bought != arb.sold {
                self.c.imbalances.inc();
            }
        }
        let legs = Legs {
            buy_venue: arb.opp.buy_venue,
            sell_venue: arb.opp.sell_venue,
            buy_limit: arb.legs[0].order.px,
            sell_limit: arb.legs[1].order.px,
            buy_ref: arb.buy_ref,
            sell_ref: arb.sell_ref,
        };
        let instrument = arb.opp.instrument;
        // A lost leg may have filled: hedging on a guess could double the exposure.
        let hedge = if arb.lost {
            None
        } else {
            self.legging
                .next(&legs, arb.bought, arb.sold, arb.hedges_sent)
                .and_then(|h| match self.rules.fit_hedge(instrument, h) {
                    Ok(h) => Some(h),
                    Err(_) => {
                        self.c.hedges_unfit.inc();
                        None
                    }
                })
        };
        match hedge {
            Some(h) => {
                let opp = arb.opp;
                let order = self.order(&opp, h.venue, h.side, h.qty, h.px, now);
                let arb = self.inflight.get_mut(ai).expect("checked above");
                arb.legs[HEDGE] = Leg::idle(order);
                arb.legs[HEDGE].state = LegState::Queued;
                self.send_hedge(ai, h, now);
            }
            None => self.finish(ai),
        }
    }

    /// Send the queued hedge leg if its venue has a token; else keep it queued until then.
    fn send_hedge(&mut self, ai: usize, h: Hedge, now: u64) {
        let Some(arb) = self.inflight.get(ai) else {
            return;
        };
        let mut order = arb.legs[HEDGE].order;
        if let Err(t) = self.take_tokens(h.venue, now) {
            let at = t
                .until_ns()
                .unwrap_or(now.saturating_add(self.status_query_ns))
                .max(now + 1);
            let arb = self.inflight.get_mut(ai).expect("checked above");
            arb.legs[HEDGE].timer_ns = at;
            self.next_timer_ns = self.next_timer_ns.min(at);
            return;
        }
        order.sent_ts_ns = now;
        match h.kind {
            HedgeKind::Retry => self.c.retries.inc(),
            HedgeKind::Unwind => self.c.unwinds.inc(),
        }
        let sent = self.gw.stage(&order, now).is_ok();
        if sent {
            let bytes = self.gw.send(now);
            self.c.order_bytes.add(bytes as u64);
        }
        let arb = self.inflight.get_mut(ai).expect("checked above");
        arb.hedges_sent += 1;
        arb.legs[HEDGE].order = order;
        if sent {
            self.c.orders_sent.inc();
            self.log_sent(order, LegRole::Hedge, self.clock.unix_ns(now));
            let arb = self.inflight.get_mut(ai).expect("checked above");
            let timer = now.saturating_add(self.order_timeout_ns);
            let leg = &mut arb.legs[HEDGE];
            leg.state = LegState::Sent;
            leg.timer_ns = timer;
            self.next_timer_ns = self.next_timer_ns.min(timer);
        } else {
            self.c.submit_errors.inc();
            let end = LegEnd::bare(FinalState::Cancelled);
            self.leg_final(ai, HEDGE, Qty::ZERO, Price::ZERO, now, end);
        }
    }

    /// Everything final and no more hedging: book it, free the slot, count the outcome.
    fn finish(&mut self, ai: usize) {
        let Some(arb) = self.inflight.remove(ai) else {
            return;
        };
        let net = arb.bought.0 - arb.sold.0;
        let mut flow = arb.flow;
        if net != 0 || arb.lost {
            // A lost leg's fill is unknown: the exposure kept is what is known (as if it did not
            // fill), or, with nothing known, the lost legs' own quantities at their venues.
            self.c.residual.inc();
            if net != 0 {
                self.gauges.on_residual(&self.risk, &arb.opp, net);
            } else {
                for q in [arb.lost_buy, -arb.lost_sell] {
                    if q != 0 {
                        self.gauges.on_residual(&self.risk, &arb.opp, q);
                    }
                }
            }
        }
        if net != 0 {
            let reference = if net > 0 { arb.buy_ref } else { arb.sell_ref };
            flow += notional(reference, Qty(net));
        }
        let (ps, qs) = self
            .scales
            .get(arb.opp.instrument.index())
            .copied()
            .unwrap_or((8, 8));
        self.risk.on_pnl(to_asset(flow, ps + qs, false));
        let _ = self.slots.release(arb.ticket);
        self.risk.close(&arb.opp);
        self.end(
            &arb.opp,
            arb.initial.unwrap_or(Outcome::Partial),
            arb.order_unix_ns,
        );
    }

    // ---- timers --------------------------------------------------------------------------

    pub(super) fn on_timers(&mut self, now: u64) -> u32 {
        if self.inflight.count() == 0 || now < self.next_timer_ns {
            return 0;
        }
        self.next_timer_ns = u64::MAX;
        let mut n = 0;
        for ai in 0..self.inflight.capacity() {
            for li in 0..3 {
                let Some(arb) = self.inflight.get(ai) else {
                    break;
                };
                let leg = arb.legs[li];
                if !leg.pending() {
                    continue;
                }
                if leg.timer_ns > now {
                    self.next_timer_ns = self.next_timer_ns.min(leg.timer_ns);
                    continue;
                }
                n += 1;
                match leg.state {
                    LegState::Sent => {
                        self.c.timeouts.inc();
                        self.breakers[leg.order.venue.index()].on_failure(now);
                        self.query(ai, li, now);
                    }
                    LegState::Unknown if leg.unsettled >= self.truth.max_queries() => {
                        self.leg_lost(ai, li, now);
                    }
                    LegState::Unknown => {
                        if now >= leg.query_deadline_ns {
                            // Asked and not answered for a whole order timeout: the venue is not
                            // answering, which is a failure like the order's own timeout (else a
                            // hung venue's unknown legs hold their slots and the breaker never
                            // sees enough failures to open).
                            self.c.query_timeouts.inc();
                            self.breakers[leg.order.venue.index()].on_failure(now);
                            if let Some(arb) = self.inflight.get_mut(ai) {
                                arb.legs[li].query_deadline_ns = u64::MAX;
                                arb.legs[li].unsettled += 1;
                            }
                        }
                        self.query(ai, li, now)
                    }
                    LegState::Queued => {
                        let o = leg.order;
                        let kind = if o.venue == arb.opp.buy_venue && o.side == Side::Buy
                            || o.venue == arb.opp.sell_venue && o.side == Side::Sell
                        {
                            HedgeKind::Retry
                        } else {
                            HedgeKind::Unwind
                        };
                        let h = Hedge {
                            kind,
                            venue: o.venue,
                            side: o.side,
                            qty: o.qty,
                            px: o.px,
                        };
                        self.send_hedge(ai, h, now);
                    }
                    LegState::Idle | LegState::Final => {}
                }
            }
        }
        n
    }

    /// Ask for a leg whose fate is unknown (rate-limited like any request).
    fn query(&mut self, ai: usize, li: usize, now: u64) {
        let Some(arb) = self.inflight.get(ai) else {
            return;
        };
        let leg = arb.legs[li];
        let v = leg.order.venue;
        let (group, tokens): (EndpointGroup, u32) = self.venues[v.index()].query_group;
        let mut next = now.saturating_add(self.status_query_ns);
        let mut asked = false;
        match self.limits[v.index()].check(group, tokens, now) {
            Err(t) => {
                self.c.throttled.inc();
                next = t.until_ns().unwrap_or(next).max(now + 1);
            }
            Ok(()) => match self.gw.status_query(leg.order.id, v, now) {
                Ok(()) => {
                    self.c.status_queries.inc();
                    asked = true;
                }
                Err(SubmitError::UnknownOrder(_)) => {
                    // The venue never saw it: nothing can have filled.
                    let end = LegEnd::bare(FinalState::NotFound);
                    return self.leg_final(ai, li, Qty::ZERO, Price::ZERO, now, end);
                }
                Err(_) => {}
            },
        }
        let arb = self.inflight.get_mut(ai).expect("checked above");
        let leg = &mut arb.legs[li];
        leg.state = LegState::Unknown;
        leg.queries += 1;
        leg.timer_ns = next;
        if asked && leg.query_deadline_ns == u64::MAX {
            leg.query_deadline_ns = now.saturating_add(self.order_timeout_ns);
        }
        self.next_timer_ns = self.next_timer_ns.min(next);
    }
}

/// A mantissa at `from` decimals to [`ASSET_SCALE`], rounded `up` (away from zero) or toward zero,
/// saturating at the `i64` range.
fn to_asset(v: i128, from: u8, up: bool) -> i64 {
    to_scale(v, from, ASSET_SCALE, up)
}
