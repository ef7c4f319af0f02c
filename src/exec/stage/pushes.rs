//! The execution stage's side of the venues' private streams (a child module of [`super`], so it
//! shares the stage's private state):
//!
//! - A pushed final ([`GatewayEvent::Pushed`](crate::exec::gateway::GatewayEvent::Pushed)) for a
//!   leg still waiting settles it at once, exactly as its answer would (the risk book, the trade
//!   log, the hedge decision): a fill pushed before the order's acknowledgement, or while its
//!   fate is unknown, ends the wait. One for a leg already settled is checked against the fill
//!   it was settled with: the same quantity is a confirmation, another is a disagreement
//!   (counted: the venue's answer and its stream do not tell the same story; the periodic balance
//!   reconciliation then finds what it did to the balances). Never applied twice.
//! - A pushed balance goes through the venue-truth rules of a balance refresh
//!   ([`TruthState::apply_balance`](crate::exec::truth::TruthState::apply_balance)): deferred
//!   while a leg of the venue is pending, a mismatch beyond the tolerance halts the venue. Only
//!   with venue truth attached (a real run on the REST gateways, whose start-up read the venues'
//!   balances): without it the book's balances are the config's, which the venue's cannot be
//!   checked against, so the push is counted (`exec.stream.balances_ignored`) and left.
//!
//! Hot path: fixed tables, no allocation, no lock.

use super::ExecStage;
use crate::exec::gateway::Gateway;
use crate::exec::guards::AssetId;
use crate::exec::orders::inflight::LegState;
use crate::model::{ExecReport, VenueId};

impl<G: Gateway> ExecStage<G> {
    /// A final state pushed by the venue's private stream.
    pub(super) fn on_pushed(&mut self, r: ExecReport, now: u64) {
        self.stream.c.finals.inc();
        let leg = self
            .inflight
            .find(r.order)
            .and_then(|(ai, li)| self.inflight.get(ai).map(|a| a.legs[li]));
        match leg {
            Some(l) if matches!(l.state, LegState::Sent | LegState::Unknown) => {
                self.stream.c.settled.inc();
                self.on_report(r, now);
            }
            Some(l) if l.state == LegState::Final => self.cross_check(r.filled_qty, l.filled),
            _ => match self.stream.settled(r.order) {
                Some(q) => self.cross_check(r.filled_qty, q),
                None => self.stream.c.unmatched.inc(),
            },
        }
    }

    fn cross_check(&mut self, pushed: crate::model::Qty, settled: crate::model::Qty) {
        if pushed == settled {
            self.stream.c.confirms.inc();
        } else {
            self.stream.c.disagreements.inc();
        }
    }

    /// A balance pushed by the venue's private stream (mantissas at `ASSET_SCALE`).
    pub(super) fn on_stream_balance(
        &mut self,
        venue: VenueId,
        asset: AssetId,
        free: i64,
        total: i64,
        now: u64,
    ) {
        if !self.truth.attached() {
            self.stream.c.balances_ignored.inc();
            return;
        }
        self.stream.c.balances.inc();
        let busy = self.venue_busy(venue);
        self.truth
            .apply_balance(&mut self.risk, venue, asset, free, total, now, busy, now);
    }
}
