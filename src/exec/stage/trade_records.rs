//! The execution stage's side of the trade log (docs/architecture.md, "Trade log"): the
//! fixed-size record of every order sent, fill reported and final state, pushed on the ring the
//! writer thread drains. A child module of the stage (it shares its private state); one ring push
//! per event, no formatting, no allocation.

use super::ExecStage;
use crate::exec::gateway::Gateway;
use crate::exec::stage::mantissa::to_scale;
use crate::model::{ExecReport, Fee, Order, Price, Qty, VenueOrderId, FEE_SCALE};
use crate::telemetry::trades::{FinalState, LegRole, TradeKind, TradeRecord};
use crate::telemetry::TradeTx;

/// How a leg ended, for the trade log: its final state and what the venue's answer said of fees
/// and of its own order id.
#[derive(Debug, Clone, Copy)]
pub(super) struct LegEnd {
    state: FinalState,
    fee: Option<Fee>,
    venue_order_id: VenueOrderId,
}

impl LegEnd {
    /// An end no answer described (a hedge never sent, an order the venue never saw).
    pub(super) fn bare(state: FinalState) -> LegEnd {
        LegEnd {
            state,
            fee: None,
            venue_order_id: VenueOrderId::EMPTY,
        }
    }

    /// The end an answer describes.
    pub(super) fn of(r: &ExecReport, state: FinalState) -> LegEnd {
        LegEnd {
            state,
            fee: r.fee,
            venue_order_id: r.venue_order_id,
        }
    }
}

impl<G: Gateway> ExecStage<G> {
    /// Write a record of every order sent, fill and final state to the trade log.
    pub fn set_trade_log(&mut self, tx: TradeTx) {
        self.trades = Some(tx);
    }

    /// Log that `order` was sent at `unix_ns` (one ring push; nothing when no log is set).
    #[inline]
    pub(super) fn log_sent(&mut self, order: Order, role: LegRole, unix_ns: u64) {
        if let Some(t) = self.trades.as_mut() {
            let (base, quote) = self
                .assets
                .get(order.instrument.index())
                .copied()
                .unwrap_or_default();
            t.log(TradeRecord::sent(order, role, unix_ns, base, quote));
        }
    }

    /// Log a leg's fill or final state. A fill's fee is the venue's when its answer carried one,
    /// else `modelled` (mantissa, scale) in the instrument's quote asset. One ring push.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub(super) fn log_end(
        &mut self,
        kind: TradeKind,
        li: usize,
        order: Order,
        q: Qty,
        px: Price,
        now: u64,
        end: LegEnd,
        modelled: (i128, u8),
    ) {
        let Some(t) = self.trades.as_mut() else {
            return;
        };
        let (base, quote) = self
            .assets
            .get(order.instrument.index())
            .copied()
            .unwrap_or_default();
        let role = match li {
            0 => LegRole::Buy,
            1 => LegRole::Sell,
            _ => LegRole::Hedge,
        };
        let (fee, fee_modelled) = match end.fee {
            Some(f) => (f, false),
            None if kind == TradeKind::Fill => (
                Fee {
                    amount: to_scale(modelled.0, modelled.1, FEE_SCALE, true),
                    asset: quote,
                },
                true,
            ),
            None => (Fee::default(), false),
        };
        t.log(TradeRecord {
            kind,
            unix_ns: self.clock.unix_ns(now),
            px,
            qty: q,
            fee,
            fee_modelled,
            venue_order_id: end.venue_order_id,
            state: end.state,
            ..TradeRecord::sent(order, role, 0, base, quote)
        });
    }
}
