//! Gateways: where orders are encoded, signed and written, and where answers come from.
//!
//! The execution stage drives a [`Gateway`] without ever blocking on it, in two phases so the
//! moment both legs' final bytes exist can be measured apart from the write:
//!
//! - [`Gateway::stage`] encodes and signs one order into the buffer that will be handed to the
//!   socket (one per connection or slot) and reserves what sending needs. An `Err` means nothing
//!   was staged for it; [`Gateway::discard`] drops everything staged and not sent yet.
//! - [`Gateway::send`] writes everything staged. A write that fails is answered later like any
//!   lost request, never silently dropped. [`Gateway::submit`] is `stage` then `send`.
//! - [`Gateway::stage_query`] stages a status query for an order whose fate is unknown (a 5xx, a
//!   timeout); [`Gateway::status_query`] stages and sends it. The answer is an ordinary
//!   [`GatewayEvent::Report`] for that order id; an answer that is still
//!   [`ExecStatus::Unknown`](crate::model::ExecStatus::Unknown) means "ask again later".
//! - [`Gateway::poll`] copies the events that have arrived by `now_ns` into a caller-owned fixed
//!   buffer and returns how many; events left over wait for the next poll. Nothing allocates.
//!
//! Every gateway signs with the venue's [`codec`], the paper one included (with a throwaway key),
//! so nothing else encodes an order. [`AnyGateway`] is the gateway a run is built with
//! (`execution.gateway`); the stage is generic over the trait so tests can wrap one. One gateway
//! serves every venue and routes by [`Order::venue`]; the REST one delivers the rate-limit headers
//! it reads as [`GatewayEvent::UpbitRemaining`] / [`GatewayEvent::BinanceUsage`] /
//! [`GatewayEvent::BybitLimit`] / [`GatewayEvent::Banned`] events so the zero-429 policy throttles
//! before a 429, and an order a venue took without saying how it ended (Bybit's and OKX's
//! acknowledgements, Upbit's `wait`) as [`GatewayEvent::Accepted`], to be status-queried.
//!
//! Time is always an argument: the paper gateway is deterministic for a seed on a fake clock.
#![forbid(unsafe_code)]

pub mod answer_events;
pub mod codec;
pub mod paper;
pub mod rest;
pub mod ws;

use thiserror::Error;

use super::guards::AssetId;
use super::limits::rate_headers::BinanceUsage;
use super::limits::EndpointGroup;
use crate::model::{ExecReport, Opportunity, Order, OrderId, Quote, VenueId};

pub use paper::{PaperFaults, PaperGateway, PaperParams};
pub use rest::{RestRoute, RestRouter};

/// Status code of the answer to a status query for an order the venue never received.
pub const CODE_NO_SUCH_ORDER: u16 = 404;

/// Something a gateway has to tell the execution stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewayEvent {
    /// An answer about one order (to a submit or to a status query).
    Report(ExecReport),
    /// The venue answered and holds the order, but its final state is not in the answer (an
    /// acknowledgement, or a status query that found it still live): the venue works, the fate
    /// is queried later. The report's status is `Unknown`.
    Accepted(ExecReport),
    /// The final state of one of our orders as the venue's private stream pushed it (an
    /// `executionReport`, an OKX `orders` update, a Bybit `order` message, an Upbit `myOrder`):
    /// the same facts as an answer's report, from another source. It settles a leg still waiting
    /// and cross-checks one already settled by its answer.
    Pushed(ExecReport),
    /// One asset's balance as the venue's private stream pushed it, mantissas at
    /// [`ASSET_SCALE`](crate::exec::params::ASSET_SCALE).
    Balance {
        /// The venue.
        venue: VenueId,
        /// The asset.
        asset: AssetId,
        /// Available to trade.
        free: i64,
        /// Free plus locked.
        total: i64,
    },
    /// Bybit's `X-Bapi-Limit-Status` from one response.
    BybitLimit {
        /// Venue that sent it.
        venue: VenueId,
        /// Group the request was charged to (order group, or the status query's group).
        group: EndpointGroup,
        /// Requests left in the window.
        remaining: u32,
        /// `X-Bapi-Limit-Reset-Timestamp`, unix ms, when sent.
        reset_unix_ms: Option<u64>,
        /// Wall-clock time (unix ns) of the response.
        unix_ns: u64,
    },
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
    /// The venue's codec cannot write this order (no symbol there, a non-positive amount).
    #[error("order {0:?} cannot be encoded for its venue")]
    Unencodable(OrderId),
    /// A status query for an order id the gateway never saw.
    #[error("order {0:?} is unknown to the gateway")]
    UnknownOrder(OrderId),
}

/// A venue connection (or a simulated one) the execution stage drives without blocking.
pub trait Gateway: Send {
    /// Short name for logs and reports.
    fn name(&self) -> &'static str;

    /// True when [`send`](Self::send) writes to a socket (a network gateway), so the time it
    /// returns is when the order went on the wire (`tick_to_wire`); the paper venue writes nothing.
    fn writes_to_wire(&self) -> bool {
        false
    }

    /// A market-data hint: the opportunity about to be traded, with the prices and size the
    /// strategy saw. The paper gateway takes it as its latest top of book; a REST gateway ignores it.
    fn on_market(&mut self, _opp: &Opportunity, _now_ns: u64) {}

    /// A quote of a venue's top of book as the strategy stage received it, forwarded on the book
    /// ring before any opportunity it makes is acted on. The paper gateway keeps them as its
    /// simulated venues' books and matches against them; a network gateway ignores them.
    fn on_quote(&mut self, _q: &Quote) {}

    /// Encode and sign `order` into the buffer it will be written from; nothing leaves before
    /// [`send`](Self::send). Never blocks.
    fn stage(&mut self, order: &Order, now_ns: u64) -> Result<(), SubmitError>;

    /// Stage a status query for an order whose fate is unknown. Never blocks.
    fn stage_query(
        &mut self,
        order: OrderId,
        venue: VenueId,
        now_ns: u64,
    ) -> Result<(), SubmitError>;

    /// Drop everything staged and not sent.
    fn discard(&mut self);

    /// Encode and sign `order` into a buffer nothing sends (the REST gateway uses the idle
    /// connection's request buffer the next order would take, given back unsent) and throw the
    /// bytes away: the execution
    /// stage's warm-up between real orders, so the first order after a quiet spell runs on warm
    /// caches. Changes nothing a later order, answer or counter can see (nothing staged, sent,
    /// remembered or counted; codec state such as a nonce put back). Default: nothing.
    fn rehearse(&mut self, _order: &Order, _now_ns: u64) {}

    /// Write everything staged; returns the request bytes handed over. Never blocks.
    fn send(&mut self, now_ns: u64) -> usize;

    /// Copy events that arrived by `now_ns` into `out`; returns how many were written.
    fn poll(&mut self, now_ns: u64, out: &mut [GatewayEvent]) -> usize;

    /// Register the gateway's own counters with the run's registry (cold path, once, when the
    /// stage is built); `venues` names the venue ids. Default: none.
    fn register_counters(&mut self, _reg: &mut crate::telemetry::Registry, _venues: &[String]) {}

    /// Copy the gateway's own tallies into the counters it registered (the stage's telemetry
    /// flush). Default: nothing.
    fn flush_counters(&mut self) {}

    /// Stage `order` and send it at once.
    fn submit(&mut self, order: &Order, now_ns: u64) -> Result<(), SubmitError> {
        self.stage(order, now_ns)?;
        self.send(now_ns);
        Ok(())
    }

    /// Stage a status query and send it at once.
    fn status_query(
        &mut self,
        order: OrderId,
        venue: VenueId,
        now_ns: u64,
    ) -> Result<(), SubmitError> {
        self.stage_query(order, venue, now_ns)?;
        self.send(now_ns);
        Ok(())
    }
}

impl<G: Gateway + ?Sized> Gateway for Box<G> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn writes_to_wire(&self) -> bool {
        (**self).writes_to_wire()
    }
    fn on_market(&mut self, opp: &Opportunity, now_ns: u64) {
        (**self).on_market(opp, now_ns)
    }
    fn on_quote(&mut self, q: &Quote) {
        (**self).on_quote(q)
    }
    fn stage(&mut self, order: &Order, now_ns: u64) -> Result<(), SubmitError> {
        (**self).stage(order, now_ns)
    }
    fn stage_query(
        &mut self,
        order: OrderId,
        venue: VenueId,
        now_ns: u64,
    ) -> Result<(), SubmitError> {
        (**self).stage_query(order, venue, now_ns)
    }
    fn discard(&mut self) {
        (**self).discard()
    }
    fn rehearse(&mut self, order: &Order, now_ns: u64) {
        (**self).rehearse(order, now_ns)
    }
    fn send(&mut self, now_ns: u64) -> usize {
        (**self).send(now_ns)
    }
    fn poll(&mut self, now_ns: u64, out: &mut [GatewayEvent]) -> usize {
        (**self).poll(now_ns, out)
    }
    fn register_counters(&mut self, reg: &mut crate::telemetry::Registry, venues: &[String]) {
        (**self).register_counters(reg, venues)
    }
    fn flush_counters(&mut self) {
        (**self).flush_counters()
    }
}

/// The gateway a run trades through, as `execution.gateway` chose it.
#[derive(Debug)]
pub enum AnyGateway {
    /// Simulated venues (boxed: their fault table makes them ten times the REST router's size).
    Paper(Box<PaperGateway>),
    /// The venues' REST APIs.
    Rest(RestRouter),
}

macro_rules! each {
    ($self:ident, $g:ident => $e:expr) => {
        match $self {
            AnyGateway::Paper($g) => $e,
            AnyGateway::Rest($g) => $e,
        }
    };
}

impl Gateway for AnyGateway {
    fn name(&self) -> &'static str {
        each!(self, g => g.name())
    }
    fn writes_to_wire(&self) -> bool {
        each!(self, g => g.writes_to_wire())
    }
    fn on_market(&mut self, opp: &Opportunity, now_ns: u64) {
        each!(self, g => g.on_market(opp, now_ns))
    }
    fn on_quote(&mut self, q: &Quote) {
        each!(self, g => g.on_quote(q))
    }
    #[inline]
    fn stage(&mut self, order: &Order, now_ns: u64) -> Result<(), SubmitError> {
        each!(self, g => g.stage(order, now_ns))
    }
    fn stage_query(
        &mut self,
        order: OrderId,
        venue: VenueId,
        now_ns: u64,
    ) -> Result<(), SubmitError> {
        each!(self, g => g.stage_query(order, venue, now_ns))
    }
    fn discard(&mut self) {
        each!(self, g => g.discard())
    }
    #[inline]
    fn rehearse(&mut self, order: &Order, now_ns: u64) {
        each!(self, g => g.rehearse(order, now_ns))
    }
    #[inline]
    fn send(&mut self, now_ns: u64) -> usize {
        each!(self, g => g.send(now_ns))
    }
    fn poll(&mut self, now_ns: u64, out: &mut [GatewayEvent]) -> usize {
        each!(self, g => g.poll(now_ns, out))
    }
    fn register_counters(&mut self, reg: &mut crate::telemetry::Registry, venues: &[String]) {
        each!(self, g => g.register_counters(reg, venues))
    }
    fn flush_counters(&mut self) {
        each!(self, g => g.flush_counters())
    }
}
