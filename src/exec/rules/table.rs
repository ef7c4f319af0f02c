//! [`RulesTable`]: every (venue, instrument)'s trading rules as the execution stage checks them, and
//! the pricing of an arbitrage's legs against them ([`RulesTable::plan`]) and of a hedge
//! ([`RulesTable::fit_hedge`]).
//!
//! The table is sized at start-up (venues x instruments, one `Copy` entry each) and never grows;
//! looking an entry up, rounding and comparing are integer arithmetic on the hot path. An entry is
//! `None` when the rules are unknown: the venue's instrument answer was missing, refused or
//! contradictory at start-up (`crate::exec::startup::rules`), and such a leg is refused
//! `rejected: no_rules`.
//!
//! Planning an arbitrage, before anything is taken or sent:
//! 1. each leg's limit: the touch widened by its venue's slippage, onto the tick inside the buffer
//!    ([`TickTable::limit`]);
//! 2. one quantity for both legs: the opportunity's, floored to a whole number of both venues'
//!    steps (their least common multiple, so each venue sees a multiple of its own step);
//! 3. minimums: on each venue the quantity must reach `min_qty` and `limit * qty` its
//!    `min_notional`, else `rejected: below_minimum` (sending it would get one leg refused and
//!    leave the other unhedged).

use super::tick::TickTable;
use crate::exec::orders::legs::Hedge;
use crate::model::{
    notional, Bps, InstrumentId, Opportunity, Price, Qty, RejectReason, Side, VenueId,
};

/// One instrument's rules on one venue, at the instrument's scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstrumentRules {
    /// Price ticks (price mantissas).
    pub tick: TickTable,
    /// Quantity step (qty mantissa, at least 1).
    pub step: Qty,
    /// Smallest quantity (qty mantissa; 0: none).
    pub min_qty: Qty,
    /// Smallest `price * qty` (mantissa at `price_scale + qty_scale`; 0: none).
    pub min_notional: i128,
}

impl InstrumentRules {
    /// Rules nothing is refused by: one mantissa unit of tick and step, no minimums. The paper
    /// venue's default (documented with the `instruments[].rules` keys), and what a test starts
    /// from.
    pub const PASS: InstrumentRules = InstrumentRules {
        tick: TickTable::fixed(1),
        step: Qty(1),
        min_qty: Qty(0),
        min_notional: 0,
    };

    /// `qty` floored to the step.
    #[inline]
    pub fn floor_qty(&self, qty: Qty) -> Qty {
        qty.round_down_to(self.step)
    }

    /// Whether an order of `qty` at `px` reaches both minimums.
    #[inline]
    pub fn meets_minimums(&self, px: Price, qty: Qty) -> bool {
        qty.0 > 0 && qty >= self.min_qty && notional(px, qty) >= self.min_notional
    }
}

/// Both legs of an arbitrage as they will be sent: limits on tick, one quantity on both steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LegPlan {
    /// Buy limit.
    pub buy_px: Price,
    /// Sell limit.
    pub sell_px: Price,
    /// Quantity of both legs.
    pub qty: Qty,
}

/// Why a hedge was not sent as the policy asked (counted by the stage).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HedgeUnfit {
    /// No rules, or no tick at the hedge's price.
    NoRules,
    /// Floored to the step, it is under the venue's minimum quantity or notional.
    BelowMinimum,
}

/// Rules per (venue, instrument), sized at start-up.
#[derive(Debug, Clone)]
pub struct RulesTable {
    instruments: usize,
    entries: Box<[Option<InstrumentRules>]>,
}

fn gcd(mut a: i64, mut b: i64) -> i64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.abs()
}

/// Least common multiple of two positive steps (`None` on overflow).
fn lcm(a: i64, b: i64) -> Option<i64> {
    let g = gcd(a, b).max(1);
    (a / g).checked_mul(b)
}

impl RulesTable {
    /// `venues` x `instruments` entries, each `fill`. Cold path.
    pub fn new(venues: usize, instruments: usize, fill: Option<InstrumentRules>) -> RulesTable {
        RulesTable {
            instruments,
            entries: vec![fill; venues * instruments].into_boxed_slice(),
        }
    }

    /// Number of venues the table is sized for.
    pub fn venues(&self) -> usize {
        self.entries
            .len()
            .checked_div(self.instruments)
            .unwrap_or(0)
    }

    /// The rules of `instrument` on `venue` (`None`: unknown, or outside the table).
    #[inline]
    pub fn get(&self, venue: VenueId, instrument: InstrumentId) -> Option<&InstrumentRules> {
        if instrument.index() >= self.instruments {
            return None;
        }
        self.entries
            .get(venue.index() * self.instruments + instrument.index())?
            .as_ref()
    }

    /// Set (or, with `None`, forget) the rules of `instrument` on `venue`. Cold path; outside
    /// the table it does nothing and says so.
    pub fn set(
        &mut self,
        venue: VenueId,
        instrument: InstrumentId,
        rules: Option<InstrumentRules>,
    ) -> bool {
        if instrument.index() >= self.instruments {
            return false;
        }
        match self
            .entries
            .get_mut(venue.index() * self.instruments + instrument.index())
        {
            Some(e) => {
                *e = rules;
                true
            }
            None => false,
        }
    }

    /// Both legs of `opp` priced and sized by the rules, or the reason it is refused
    /// (`no_rules`, `below_minimum`). `slip_buy` / `slip_sell`: the venues' slippage buffers.
    #[inline]
    pub fn plan(
        &self,
        opp: &Opportunity,
        slip_buy: Bps,
        slip_sell: Bps,
    ) -> Result<LegPlan, RejectReason> {
        let b = self
            .get(opp.buy_venue, opp.instrument)
            .ok_or(RejectReason::NoRules)?;
        let s = self
            .get(opp.sell_venue, opp.instrument)
            .ok_or(RejectReason::NoRules)?;
        let buy_px = b
            .tick
            .limit(opp.buy_px, slip_buy, Side::Buy)
            .ok_or(RejectReason::NoRules)?;
        let sell_px = s
            .tick
            .limit(opp.sell_px, slip_sell, Side::Sell)
            .ok_or(RejectReason::NoRules)?;
        let step = lcm(b.step.0.max(1), s.step.0.max(1)).ok_or(RejectReason::BelowMinimum)?;
        let qty = opp.qty.round_down_to(Qty(step));
        if !b.meets_minimums(buy_px, qty) || !s.meets_minimums(sell_px, qty) {
            return Err(RejectReason::BelowMinimum);
        }
        Ok(LegPlan {
            buy_px,
            sell_px,
            qty,
        })
    }

    /// `h` for `instrument` made sendable on its venue: quantity floored to the step, price onto
    /// the tick toward the hedge's better side (a sell up, a buy down, so an unwind's bound is
    /// never crossed), both minimums met; or why it cannot be.
    #[inline]
    pub fn fit_hedge(&self, instrument: InstrumentId, h: Hedge) -> Result<Hedge, HedgeUnfit> {
        let r = self.get(h.venue, instrument).ok_or(HedgeUnfit::NoRules)?;
        let px = r
            .tick
            .toward_better(h.px.0, h.side)
            .ok_or(HedgeUnfit::NoRules)?;
        let qty = r.floor_qty(h.qty);
        if !r.meets_minimums(Price(px), qty) {
            return Err(HedgeUnfit::BelowMinimum);
        }
        Ok(Hedge {
            px: Price(px),
            qty,
            ..h
        })
    }
}
