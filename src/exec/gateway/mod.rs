//! Gateways: where order bytes go and answers come from.
//!
//! The execution stage drives a [`Gateway`] without ever blocking on it:
//!
//! - [`Gateway::submit`] hands over one order (and its encoded bytes) and returns at once; the answer
//!   comes later. An `Err` means the order was *not* written (nothing reached the venue), so the
//!   stage may treat that leg as finished with nothing filled.
//! - [`Gateway::poll`] copies the events that have arrived by `now_ns` into a caller-owned fixed
//!   buffer and returns how many; events left over wait for the next poll. Nothing allocates.
//! - [`Gateway::status_query`] asks the venue for an order whose fate is unknown (a 5xx, a timeout).
//!   The answer is an ordinary [`GatewayEvent::Report`] for that order id; an answer that is still
//!   [`ExecStatus::Unknown`](crate::model::ExecStatus::Unknown) means "ask again later".
//!
//! The trait is object-safe (`Box<dyn Gateway>` is itself a gateway) so a run can choose paper or
//! REST from config; the stage is generic over it so the paper path is statically dispatched. One
//! gateway serves every venue and routes by [`Order::venue`]: a REST gateway will own one
//! HTTP/1.1 keep-alive connection per venue on its mio `Poll`, and deliver the rate-limit headers it
//! reads as [`GatewayEvent::UpbitRemaining`] / [`GatewayEvent::BinanceUsage`] /
//! [`GatewayEvent::Banned`] events so the zero-429 policy throttles before a 429.
//!
//! Time is always an argument: the paper gateway is deterministic for a seed on a fake clock.
#![forbid(unsafe_code)]

pub mod paper;
pub mod rest;
pub mod rest_build;
pub mod rest_router;

use thiserror::Error;

use super::limits::EndpointGroup;
use super::rate_headers::BinanceUsage;
use crate::model::{ExecReport, Opportunity, Order, OrderId, VenueId};

pub use paper::{PaperFaults, PaperGateway, PaperParams};
pub use rest_router::{RestRoute, RestRouter};

/// Something a gateway has to tell the execution stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewayEvent {
    /// An answer about one order (to a submit or to a status query).
    Report(ExecReport),
    /// Upbit's `Remaining-Req` header for `group` said `sec` requests are left in this second.
    UpbitRemaining {
        /// Venue that sent it.
        venue: VenueId,
        /// Endpoint group named in the header.
        group: EndpointGroup,
        /// Requests left in the current second.
        sec: u32,
    },
    /// Binance usage headers from one response.
    BinanceUsage {
        /// Venue that sent them.
        venue: VenueId,
        /// The counters read.
        usage: BinanceUsage,
        /// Wall-clock time (unix ns) of the response, to find the end of Binance's window.
        unix_ns: u64,
    },
    /// A 418: the venue banned us.
    Banned {
        /// Venue that banned us.
        venue: VenueId,
        /// `Retry-After` it sent, ms (0: none).
        retry_after_ms: u32,
    },
}

/// Why an order (or a status query) was not written. Nothing reached the venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SubmitError {
    /// The gateway has no connection or simulated venue for this venue id.
    #[error("no gateway for venue {0:?}")]
    UnknownVenue(VenueId),
    /// Its fixed table of outstanding requests is full.
    #[error("gateway has {capacity} requests outstanding; none can be added")]
    Full {
        /// The table size.
        capacity: usize,
    },
    /// The connection is down (REST); the order was not sent.
    #[error("venue {0:?} is not connected")]
    NotConnected(VenueId),
    /// A status query for an order id the gateway never saw.
    #[error("order {0:?} is unknown to the gateway")]
    UnknownOrder(OrderId),
}

/// A venue connection (or a simulated one) the execution stage drives without blocking.
pub trait Gateway: Send {
    /// Short name for logs and reports.
    fn name(&self) -> &'static str;

    /// A market-data hint: the opportunity about to be traded, with the prices and size the
    /// strategy saw. The paper gateway takes it as its latest top of book; a REST gateway ignores it.
    fn on_market(&mut self, _opp: &Opportunity, _now_ns: u64) {}

    /// Write one order; `body` is its encoded request (see [`super::order_bytes`]). Never blocks.
    fn submit(&mut self, order: &Order, body: &[u8], now_ns: u64) -> Result<(), SubmitError>;

    /// Ask the venue for the state of an order whose fate is unknown. Never blocks.
    fn status_query(
        &mut self,
        order: OrderId,
        venue: VenueId,
        now_ns: u64,
    ) -> Result<(), SubmitError>;

    /// Copy events that arrived by `now_ns` into `out`; returns how many were written.
    fn poll(&mut self, now_ns: u64, out: &mut [GatewayEvent]) -> usize;
}

impl<G: Gateway + ?Sized> Gateway for Box<G> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn on_market(&mut self, opp: &Opportunity, now_ns: u64) {
        (**self).on_market(opp, now_ns)
    }
    fn submit(&mut self, order: &Order, body: &[u8], now_ns: u64) -> Result<(), SubmitError> {
        (**self).submit(order, body, now_ns)
    }
    fn status_query(
        &mut self,
        order: OrderId,
        venue: VenueId,
        now_ns: u64,
    ) -> Result<(), SubmitError> {
        (**self).status_query(order, venue, now_ns)
    }
    fn poll(&mut self, now_ns: u64, out: &mut [GatewayEvent]) -> usize {
        (**self).poll(now_ns, out)
    }
}
