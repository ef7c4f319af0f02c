//! The execution stage's venue-truth side: messages from the account thread applied (balances to
//! the risk book, the engine's own open orders checked against its in-flight table), and legs
//! whose fate stays unknown marked lost after `execution.reconcile.max_status_queries` unsettled
//! status-query rounds (each an answer still unknown, or none for `order_timeout`). A child
//! module of [`super`] so it shares the stage's private state; the rules are in
//! [`crate::exec::truth::state`]. Hot path: fixed tables, no allocation, no lock.

use super::trade_records::LegEnd;
use super::ExecStage;
use crate::exec::gateway::Gateway;
use crate::exec::orders::inflight::LegState;
use crate::exec::truth::{ExecNote, TruthLink, TruthMsg};
use crate::model::{Price, Qty, Side, VenueId};
use crate::telemetry::trades::FinalState;

/// Most account-thread messages applied per poll.
const TRUTH_BATCH: u32 = 64;

impl<G: Gateway> ExecStage<G> {
    /// Take venue truth from the account thread at the other end of `link` (built by
    /// [`crate::exec::startup::start`]). Cold path.
    pub fn set_truth(&mut self, link: TruthLink) {
        self.truth.attach(link);
    }

    /// Lines for the head of the trade log: the previous run's orders start-up settled
    /// (`exec::startup::previous`). Cold path, before the stage runs.
    pub fn set_previous_lines(&mut self, lines: Vec<String>) {
        self.truth.set_previous_lines(lines);
    }

    /// What [`ExecStage::set_previous_lines`] kept, once: the run writes it first in `--trades`.
    pub fn take_previous_lines(&mut self) -> Vec<String> {
        self.truth.take_previous_lines()
    }

    /// Whether `venue` has a leg waiting on something (its balance may be changing now).
    pub(super) fn venue_busy(&self, venue: VenueId) -> bool {
        (0..self.inflight.capacity()).any(|ai| {
            self.inflight
                .get(ai)
                .is_some_and(|a| a.legs.iter().any(|l| l.pending() && l.order.venue == venue))
        })
    }

    /// Apply what the account thread sent. Returns how many messages.
    pub(super) fn truth_poll(&mut self, now: u64) -> u32 {
        let mut n = 0;
        while n < TRUTH_BATCH {
            let Some(m) = self.truth.pop() else { break };
            n += 1;
            match m {
                TruthMsg::Balance {
                    venue,
                    asset,
                    free,
                    total,
                    asked_ns,
                } => {
                    let busy = self.venue_busy(venue);
                    self.truth.apply_balance(
                        &mut self.risk,
                        venue,
                        asset,
                        free,
                        total,
                        asked_ns,
                        busy,
                        now,
                    );
                }
                TruthMsg::OwnOpen { venue, order } => {
                    // Tracked: its status queries settle it. Not tracked: the venue holds an
                    // order the engine gave up on.
                    if self.inflight.find(order).is_none() {
                        self.truth.on_orphan(ExecNote::Orphan { venue, order }, now);
                    }
                }
            }
        }
        n
    }

    /// A leg whose status queries never settled its fate: final with nothing known filled, its
    /// quantity kept as possible exposure (the arbitrage ends as a residual, unhedged), counted.
    pub(super) fn leg_lost(&mut self, ai: usize, li: usize, now: u64) {
        let Some(arb) = self.inflight.get_mut(ai) else {
            return;
        };
        let leg = arb.legs[li];
        if leg.state != LegState::Unknown {
            return;
        }
        let q = leg.order.qty.0.max(0);
        match leg.order.side {
            Side::Buy => arb.lost_buy = arb.lost_buy.saturating_add(q),
            Side::Sell => arb.lost_sell = arb.lost_sell.saturating_add(q),
        }
        arb.lost = true;
        self.truth.on_lost();
        self.leg_final(
            ai,
            li,
            Qty::ZERO,
            Price::ZERO,
            now,
            LegEnd::bare(FinalState::Lost),
        );
    }
}
