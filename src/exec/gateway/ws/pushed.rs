//! What every dialect does with a venue's push about one of our orders: the final state as an
//! [`ExecReport`] (the same report an answer gives, so the execution stage settles a leg from
//! whichever arrives first), and the counters of pushes that were not forwarded.

use crate::exec::gateway::codec::{InstrumentSpec, InstrumentTable};
use crate::model::{ExecReport, ExecStatus, Fee, Order, OrderId, Price, Qty, VenueOrderId};

/// The order a push is about and its instrument's spec: `id` is what the push's client id gave
/// (`None`: not ours, counted `foreign`); an order no longer remembered, or one whose instrument
/// the venue's table lacks, is counted `unknown_orders`. `None` in every counted case.
pub fn our_order<'t>(
    id: Option<OrderId>,
    orders: &dyn Fn(OrderId) -> Option<Order>,
    instruments: &'t InstrumentTable,
    counters: &mut PushCounters,
) -> Option<(Order, &'t InstrumentSpec)> {
    let Some(id) = id else {
        counters.foreign += 1;
        return None;
    };
    let found = orders(id).and_then(|o| instruments.for_order(&o).ok().map(|spec| (o, spec)));
    if found.is_none() {
        counters.unknown_orders += 1;
    }
    found
}

/// The report of `order`'s final state as a push gave it (`recv_ts_ns`: when it was read).
pub fn final_report(
    order: &Order,
    status: ExecStatus,
    filled_qty: Qty,
    avg_px: Price,
    fee: Option<Fee>,
    venue_order_id: VenueOrderId,
    recv_ts_ns: u64,
) -> ExecReport {
    ExecReport {
        order: order.id,
        opp: order.opp,
        venue: order.venue,
        status,
        filled_qty,
        avg_px,
        recv_ts_ns,
        retry_after_ms: 0,
        fee,
        venue_order_id,
    }
}

/// What a dialect's pushes did (plain `u64`s on the owning thread).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PushCounters {
    /// Final order states forwarded.
    pub finals: u64,
    /// Final states of an order already forwarded (a venue's duplicate push): dropped.
    pub duplicates: u64,
    /// Updates of a working order (new, partly filled): counted, not forwarded.
    pub working: u64,
    /// Balances of configured assets forwarded.
    pub balances: u64,
    /// Order updates whose client id is not ours (another client of the account).
    pub foreign: u64,
    /// Order updates with our prefix whose order is not remembered (too old, another run).
    pub unknown_orders: u64,
    /// Balances of configured assets whose amounts cannot be held at 1e-8 in an `i64` (over
    /// about 92 billion units) or are not plain decimals: skipped (the REST refresh reads them).
    pub bad_amounts: u64,
    /// Pushes of another kind (subscription notices, other event types).
    pub other: u64,
}

impl PushCounters {
    /// Every counter with its name (for `/metrics`: `gateway.ws.<venue>.<socket>.push_<name>`).
    pub fn fields(&self) -> [(&'static str, u64); 8] {
        [
            ("push_finals", self.finals),
            ("push_duplicates", self.duplicates),
            ("push_working", self.working),
            ("push_balances", self.balances),
            ("push_foreign", self.foreign),
            ("push_unknown_orders", self.unknown_orders),
            ("push_bad_amounts", self.bad_amounts),
            ("push_other", self.other),
        ]
    }
}
