//! What a gateway says happened to an order.

use super::fill::{Fee, VenueOrderId};
use super::ids::{OppId, OrderId, VenueId};
use super::price::{Price, Qty};

/// The state an order reached, as far as the venue has told us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExecStatus {
    /// Completely filled.
    Filled,
    /// Partly filled, the rest cancelled (IOC).
    PartiallyFilled,
    /// Nothing filled (IOC found no liquidity at the limit).
    Cancelled,
    /// The venue refused it (bad parameters, balance, rate limit with its HTTP status).
    Rejected {
        /// HTTP status or venue code.
        code: u16,
    },
    /// Fate unknown (5xx, timeout): nothing more is sent for this leg until a status query says.
    Unknown,
}

/// A gateway's answer for one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecReport {
    /// Client order id.
    pub order: OrderId,
    /// The opportunity it belongs to.
    pub opp: OppId,
    /// Venue.
    pub venue: VenueId,
    /// Final or current status.
    pub status: ExecStatus,
    /// Quantity filled.
    pub filled_qty: Qty,
    /// Average fill price (zero when nothing filled).
    pub avg_px: Price,
    /// When the answer arrived (monotonic ns).
    pub recv_ts_ns: u64,
    /// Retry-After the venue asked for, ms (0 when none).
    pub retry_after_ms: u32,
    /// The fee the venue reported for the fills so far, in the asset it charged (`None`: the
    /// answer said nothing of fees; the stage then logs its modelled fee).
    pub fee: Option<Fee>,
    /// The venue's own id of the order, when the answer carried it (empty otherwise).
    pub venue_order_id: VenueOrderId,
}
