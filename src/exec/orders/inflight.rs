//! The table of arbitrages in flight: each with its legs, each leg tracked to a final state.
//!
//! A leg moves `Sent` -> `Final` on a definite answer (filled, partly filled, cancelled, rejected),
//! or `Sent` -> `Unknown` on an ambiguous one (5xx, or no answer by its timeout), and from `Unknown`
//! only to `Final`, by a status query's answer (or the order's late answer): nothing more is sent
//! for that leg until its fate is known. While `Unknown`, status queries that stay unanswered for
//! `order_timeout` are a timeout of their own (`query_deadline_ns`). A hedge leg may also be
//! `Queued`, waiting for a rate-limit token. Every leg carries one timer (answer timeout, next
//! status query, or token time) and the stage keeps the earliest.
//!
//! Fixed capacity ([`crate::exec::guards::slots::MAX_SLOTS`] arbitrages, the most the slot table can have in
//! flight); lookups by order id scan the used entries (at most 64 x 3 legs, a few hundred ns in the
//! worst case and a handful of entries in practice). No allocation after construction.

use crate::exec::guards::slots::{SlotTicket, MAX_SLOTS};
use crate::model::{Opportunity, Order, OrderId, Outcome, Price, Qty};

/// Where a leg stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LegState {
    /// Not used (no hedge yet).
    Idle,
    /// Written; waiting for the answer until the timer.
    Sent,
    /// Fate unknown; the next status query goes at the timer.
    Unknown,
    /// A hedge waiting for a rate-limit token until the timer.
    Queued,
    /// Definitely ended.
    Final,
}

/// One order of an arbitrage.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Leg {
    pub state: LegState,
    pub order: Order,
    pub filled: Qty,
    pub avg_px: Price,
    pub timer_ns: u64,
    pub queries: u32,
    pub answered: bool,
    /// While the fate is unknown: when the status queries sent since the last counted timeout
    /// will have gone unanswered for `order_timeout` (`u64::MAX`: none outstanding).
    pub query_deadline_ns: u64,
    /// Status-query rounds that ended without settling the fate: an answer still unknown, or
    /// none for `order_timeout`. At `execution.reconcile.max_status_queries` the leg is lost.
    pub unsettled: u32,
}

impl Leg {
    pub fn idle(order: Order) -> Leg {
        Leg {
            state: LegState::Idle,
            order,
            filled: Qty::ZERO,
            avg_px: Price::ZERO,
            timer_ns: u64::MAX,
            queries: 0,
            answered: false,
            query_deadline_ns: u64::MAX,
            unsettled: 0,
        }
    }

    /// Whether the leg still waits on something (answer, query, token).
    pub fn pending(&self) -> bool {
        matches!(
            self.state,
            LegState::Sent | LegState::Unknown | LegState::Queued
        )
    }
}

/// Index of the hedge leg in [`Arb::legs`] (0 is the buy, 1 the sell).
pub(crate) const HEDGE: usize = 2;

/// One arbitrage in flight.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Arb {
    pub opp: Opportunity,
    pub ticket: SlotTicket,
    pub legs: [Leg; 3],
    pub hedges_sent: u32,
    pub bought: Qty,
    pub sold: Qty,
    pub buy_ref: Price,
    pub sell_ref: Price,
    /// Quote flow so far at `price_scale + qty_scale`: sells add, buys and fees subtract.
    pub flow: i128,
    pub initial: Option<Outcome>,
    pub any_429: bool,
    /// Quantities of the buy and sell legs marked lost (fate never learnt), at the quantity
    /// scale: their possible exposure, kept as a residual when nothing else is known.
    pub lost_buy: i64,
    /// See `lost_buy`.
    pub lost_sell: i64,
    /// A leg was marked lost: no hedge is sent (it may have filled; a guess could double the
    /// exposure).
    pub lost: bool,
    /// When both legs' bytes were complete (unix ns), for the `--opps` log.
    pub order_unix_ns: u64,
}

/// The fixed table.
pub(crate) struct Inflight {
    arbs: Vec<Option<Arb>>,
    count: usize,
}

impl Inflight {
    pub fn new() -> Inflight {
        Inflight {
            arbs: vec![None; MAX_SLOTS],
            count: 0,
        }
    }

    pub fn count(&self) -> usize {
        self.count
    }

    pub fn capacity(&self) -> usize {
        self.arbs.len()
    }

    /// Put an arbitrage in a free entry; `None` when full (cannot happen while the slot table's
    /// global cap is at most [`MAX_SLOTS`]).
    pub fn insert(&mut self, arb: Arb) -> Option<usize> {
        let i = self.arbs.iter().position(|a| a.is_none())?;
        self.arbs[i] = Some(arb);
        self.count += 1;
        Some(i)
    }

    pub fn get(&self, i: usize) -> Option<&Arb> {
        self.arbs.get(i)?.as_ref()
    }

    pub fn get_mut(&mut self, i: usize) -> Option<&mut Arb> {
        self.arbs.get_mut(i)?.as_mut()
    }

    pub fn remove(&mut self, i: usize) -> Option<Arb> {
        let a = self.arbs.get_mut(i)?.take();
        if a.is_some() {
            self.count -= 1;
        }
        a
    }

    /// The (arbitrage, leg) an order id belongs to.
    pub fn find(&self, id: OrderId) -> Option<(usize, usize)> {
        if self.count == 0 {
            return None;
        }
        self.arbs.iter().enumerate().find_map(|(i, a)| {
            let a = a.as_ref()?;
            a.legs
                .iter()
                .position(|l| l.state != LegState::Idle && l.order.id == id)
                .map(|li| (i, li))
        })
    }
}
