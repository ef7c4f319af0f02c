//! The execution stage's rehearsal: while no opportunity arrives, the last one is run again every
//! `execution.rehearse_every_us`, on each ordered pair of the configured venues in turn (its
//! instrument and prices, another pair each time), through the same decision and signing code as a real one (venue
//! checks, the rules' leg plan, the risk assessment, the slot and breaker reads, both legs built
//! and signed by the gateway into the buffer the next order would use, given back unsent), and everything it produced is thrown away. Why: on a quiet market the
//! first quote after a pause is the one an arbitrage lives on, and by then the order path's code,
//! branch history and tables have been evicted by the market-data path that runs in between
//! (measured: the two legs' signing took 4.6-7 us cold against about 1 us warm in the e2e run).
//!
//! What it must never do is change anything: it takes no order id, no rate-limit token, no slot,
//! no breaker probe; it opens no risk and pauses no venue ([`Risk::assess`] reads only); the
//! gateway signs into scratch and puts back any codec state a request consumes
//! ([`Gateway::rehearse`]). `rehearsal_tests.rs` runs the same opportunities through two stages,
//! one rehearsing between every step, and requires the same orders, bytes and counters.
//!
//! [`Risk::assess`]: crate::exec::guards::risk::Risk::assess

use super::ExecStage;
use crate::exec::gateway::Gateway;
use crate::model::{Opportunity, Order, OrderId, Side, TimeInForce, VenueId};

/// The order id a rehearsed leg carries: never a real order's (real ids count up from 1).
pub(super) const REHEARSAL_ID: OrderId = OrderId(u64::MAX);

impl<G: Gateway> ExecStage<G> {
    /// Keep `opp` as the template the next rehearsals run (the latest opportunity received).
    #[inline]
    pub(super) fn keep_for_rehearsal(&mut self, opp: &Opportunity) {
        self.rehearsal.template = Some(*opp);
    }

    /// Rehearse if the period has passed since the last one (or the last real opportunity).
    /// Called by `poll` when it took no opportunity.
    #[inline]
    pub(super) fn maybe_rehearse(&mut self, now_ns: u64) {
        let every = self.rehearsal.every_ns;
        if every == 0 || now_ns < self.rehearsal.next_ns {
            return;
        }
        self.rehearsal.next_ns = now_ns.saturating_add(every);
        self.rehearse(now_ns);
    }

    /// Push back the next rehearsal: a real opportunity just warmed the path.
    #[inline]
    pub(super) fn rehearsal_not_before(&mut self, now_ns: u64) {
        self.rehearsal.next_ns = now_ns.saturating_add(self.rehearsal.every_ns);
    }

    /// Run the template through the order path and drop the result (see the module doc).
    /// Returns whether both legs were signed (tests); changes nothing either way.
    pub(crate) fn rehearse(&mut self, now_ns: u64) -> bool {
        let Some(opp) = self.rehearsal.template else {
            return false;
        };
        let k = self.rehearsal.count;
        self.rehearsal.count += 1;
        // The venue pair turns over every ordered pair of the configured venues: the next
        // opportunity is as likely to be on another pair as on the template's, and each venue's
        // signer (Upbit's SHA-512 JWT, the others' HMAC) is its own code and tables to keep warm.
        let n = self.venues.len() as u64;
        if n < 2 {
            return false;
        }
        let b = (k % n) as usize;
        let s = ((k % n + 1 + (k / n) % (n - 1)) % n) as usize;
        if !self.venues[b].trades || !self.venues[s].trades {
            return false;
        }
        let (buy_venue, sell_venue) = (VenueId(b as u8), VenueId(s as u8));
        let opp = Opportunity {
            buy_venue,
            sell_venue,
            ..opp
        };
        let (slip_b, slip_s) = (self.venues[b].slippage, self.venues[s].slippage);
        let Ok(plan) = self.rules.plan(&opp, slip_b, slip_s) else {
            return false;
        };
        let sized = Opportunity {
            qty: plan.qty,
            ..opp
        };
        let assessed = self.risk.assess(&sized);
        std::hint::black_box(&assessed);
        // The admission guards' reads (slot room, both breakers' states): read-only.
        std::hint::black_box(self.slots.would_admit(buy_venue, sell_venue, sized.net_bps));
        std::hint::black_box((
            self.breaker_state(buy_venue),
            self.breaker_state(sell_venue),
        ));
        let leg = |venue, side, px| Order {
            id: REHEARSAL_ID,
            opp: opp.id,
            px,
            qty: plan.qty,
            sent_ts_ns: now_ns,
            recv_ts_ns: opp.recv_ts_ns,
            instrument: opp.instrument,
            venue,
            side,
            tif: TimeInForce::Ioc,
        };
        self.gw
            .rehearse(&leg(buy_venue, Side::Buy, plan.buy_px), now_ns);
        self.gw
            .rehearse(&leg(sell_venue, Side::Sell, plan.sell_px), now_ns);
        true
    }

    /// Rehearsals run so far (tests and the report).
    pub fn rehearsals(&self) -> u64 {
        self.rehearsal.count
    }

    /// Whether this stage makes warm writes between orders (`warm_writes.rs`; tests).
    pub fn warm_writes_on(&self) -> bool {
        self.warm.is_on()
    }
}
