//! [`BinanceWsGateway`]: the [`Gateway`] of one Binance venue over its WebSocket API session
//! ([`WsSession`]): orders are staged on the session, answers become the same
//! [`GatewayEvent`]s the REST router gives (a report, or `Accepted` for a live order; the
//! `rateLimits` usage as [`GatewayEvent::BinanceUsage`]; a 418 as [`GatewayEvent::Banned`]).
//!
//! Contract: `stage` refuses at once with [`SubmitError::NotConnected`] while the session is not
//! logged on (the caller may send that order on REST instead: the decision is made before any
//! byte is written, so one client id never goes on both paths); status queries need the order,
//! so the last [`ORDER_MEMORY`] orders are remembered by id. Events wait in a fixed ring and the
//! session is polled only when the ring has room for everything it can answer at once, so no
//! event is dropped. Nothing allocates after construction (plain TCP).

use crate::base::{Clock, ClockOffsets};
use crate::exec::gateway::codec::binance_ws::WsMethod;
use crate::exec::gateway::codec::{AnswerKind, RestAnswer};
use crate::exec::gateway::{Gateway, GatewayEvent, SubmitError};
use crate::exec::limits::rate_headers::BinanceUsage;
use crate::model::{Order, OrderId, VenueId};

use super::session::{WsSession, PENDING};

/// Orders remembered for status queries (by `id % ORDER_MEMORY`).
pub const ORDER_MEMORY: usize = 4096;
/// Events buffered between polls.
const QUEUE: usize = 1024;
/// Most events one answer produces (report, usage, ban).
const PER_ANSWER: usize = 3;

/// The WebSocket API gateway of one Binance venue. See the module documentation.
#[derive(Debug)]
pub struct BinanceWsGateway {
    venue: VenueId,
    session: WsSession,
    clock: Clock,
    offsets: ClockOffsets,
    orders: Vec<Option<Order>>,
    queue: Vec<GatewayEvent>,
    head: usize,
    len: usize,
}

/// Push `e` into the ring (room is checked before the session is polled).
fn push(queue: &mut [GatewayEvent], head: usize, len: &mut usize, e: GatewayEvent) {
    debug_assert!(*len < QUEUE, "room is checked before the session is polled");
    if *len < QUEUE {
        queue[(head + *len) % QUEUE] = e;
        *len += 1;
    }
}

impl BinanceWsGateway {
    /// A gateway for `venue` over `session` (cold path); `clock` and `offsets` give the venue's
    /// wall clock for `timestamp`.
    pub fn new(venue: VenueId, session: WsSession, clock: Clock, offsets: ClockOffsets) -> Self {
        BinanceWsGateway {
            venue,
            session,
            clock,
            offsets,
            orders: vec![None; ORDER_MEMORY],
            queue: vec![
                GatewayEvent::Banned {
                    venue,
                    retry_after_ms: 0,
                };
                QUEUE
            ],
            head: 0,
            len: 0,
        }
    }

    /// The venue served.
    pub fn venue(&self) -> VenueId {
        self.venue
    }

    /// The session (state, counters).
    pub fn session(&self) -> &WsSession {
        &self.session
    }

    /// True while orders go on the session.
    pub fn is_ready(&self) -> bool {
        self.session.is_ready()
    }

    #[inline]
    fn unix_ms(&self, now_ns: u64) -> u64 {
        self.offsets
            .venue_ms(self.venue.index(), self.clock.unix_ns(now_ns) / 1_000_000)
    }

    fn stage_method(
        &mut self,
        order: &Order,
        method: WsMethod,
        now_ns: u64,
    ) -> Result<(), SubmitError> {
        if order.venue != self.venue {
            return Err(SubmitError::UnknownVenue(order.venue));
        }
        let unix_ms = self.unix_ms(now_ns);
        self.session.stage(order, method, now_ns, unix_ms)?;
        self.orders[(order.id.0 % ORDER_MEMORY as u64) as usize] = Some(*order);
        Ok(())
    }

    /// Stage an `order.status` of `order` (by its client id) on the session.
    pub fn stage_status(&mut self, order: &Order, now_ns: u64) -> Result<(), SubmitError> {
        self.stage_method(order, WsMethod::Status, now_ns)
    }

    /// Sign with `offsets` from now on (cold path; the REST router's, shared with it).
    pub fn set_clock_offsets(&mut self, offsets: ClockOffsets) {
        self.offsets = offsets;
    }

    /// Stage a cancel of `order` (by its client id) on the session.
    pub fn stage_cancel(&mut self, order: &Order, now_ns: u64) -> Result<(), SubmitError> {
        self.stage_method(order, WsMethod::Cancel, now_ns)
    }

    /// Poll the session (when the ring has room) and keep its answers as events.
    fn poll_session(&mut self, now_ns: u64) {
        if QUEUE - self.len < PENDING * PER_ANSWER {
            return;
        }
        let unix_ms = self.unix_ms(now_ns);
        let unix_ns = self.clock.unix_ns(now_ns);
        let BinanceWsGateway {
            venue,
            session,
            queue,
            head,
            len,
            ..
        } = self;
        let venue = *venue;
        let head = *head;
        session.poll(now_ns, unix_ms, &mut |a: RestAnswer| {
            push(
                queue,
                head,
                len,
                if a.kind == AnswerKind::Accepted {
                    GatewayEvent::Accepted(a.report)
                } else {
                    GatewayEvent::Report(a.report)
                },
            );
            let usage = BinanceUsage {
                used_weight_1m: a.binance_weight_1m,
                order_count_10s: a.binance_orders_10s,
                order_count_1d: a.binance_orders_1d,
            };
            if usage != BinanceUsage::default() {
                push(
                    queue,
                    head,
                    len,
                    GatewayEvent::BinanceUsage {
                        venue,
                        usage,
                        unix_ns,
                    },
                );
            }
            if a.kind == AnswerKind::Banned {
                push(
                    queue,
                    head,
                    len,
                    GatewayEvent::Banned {
                        venue,
                        retry_after_ms: a.retry_after_ms,
                    },
                );
            }
        });
    }
}

impl Gateway for BinanceWsGateway {
    fn name(&self) -> &'static str {
        "binance_ws"
    }

    fn writes_to_wire(&self) -> bool {
        true
    }

    #[inline]
    fn stage(&mut self, order: &Order, now_ns: u64) -> Result<(), SubmitError> {
        self.stage_method(order, WsMethod::Place, now_ns)
    }

    fn stage_query(
        &mut self,
        order: OrderId,
        venue: VenueId,
        now_ns: u64,
    ) -> Result<(), SubmitError> {
        let o = match self.orders[(order.0 % ORDER_MEMORY as u64) as usize] {
            Some(o) if o.id == order && o.venue == venue => o,
            _ => return Err(SubmitError::UnknownOrder(order)),
        };
        self.stage_method(&o, WsMethod::Status, now_ns)
    }

    fn discard(&mut self) {
        self.session.discard();
    }

    #[inline]
    fn send(&mut self, _now_ns: u64) -> usize {
        self.session.send()
    }

    fn poll(&mut self, now_ns: u64, out: &mut [GatewayEvent]) -> usize {
        self.poll_session(now_ns);
        let n = out.len().min(self.len);
        for (i, slot) in out.iter_mut().take(n).enumerate() {
            *slot = self.queue[(self.head + i) % QUEUE];
        }
        self.head = (self.head + n) % QUEUE;
        self.len -= n;
        n
    }
}
