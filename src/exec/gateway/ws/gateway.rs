//! [`WsGateway`]: the [`Gateway`] of one venue over its WebSocket sessions: an order session
//! (Binance's WebSocket API, OKX's private socket, Bybit's trade socket) and, where the venue
//! pushes on another socket, a stream session (Bybit's private socket, Upbit's private stream).
//! Answers become the same [`GatewayEvent`]s the REST router gives ([`answer_events`]); pushes
//! become [`GatewayEvent::Pushed`] (an order's final state) and [`GatewayEvent::Balance`].
//!
//! Contract: `stage` refuses at once with [`SubmitError::NotConnected`] while the order session
//! is not logged on (the caller may send that order on REST instead: the decision is made before
//! any byte is written, so one client id never goes on both paths); ops the dialect does not take
//! on its socket are refused the same way. Status queries need the order, so the last
//! [`ORDER_MEMORY`] orders are remembered by id. Events wait in a fixed ring and a session is
//! polled only when the ring has room for every answer it can give at once, so no answer is
//! dropped; a push that finds the ring short of that room is dropped and counted
//! (`pushes_dropped`: the status queries and the reconciliation still settle what it said).
//! Nothing allocates after construction (plain TCP).

use crate::base::{Clock, ClockOffsets};
use crate::exec::gateway::answer_events::{answer_events, PER_ANSWER};
use crate::exec::gateway::{Gateway, GatewayEvent, SubmitError};
use crate::exec::limits::EndpointGroup;
use crate::model::{Order, OrderId, VenueId};

use super::dialect::{OrderLookup, StreamEvent, WsOp};
use super::session::{WsOut, WsSession, PENDING};

/// Orders remembered for status queries (by `id % ORDER_MEMORY`).
pub const ORDER_MEMORY: usize = 4096;
/// Events buffered between polls.
const QUEUE: usize = 2048;

/// The WebSocket gateway of one venue. See the module documentation.
#[derive(Debug)]
pub struct WsGateway {
    venue: VenueId,
    orders_socket: Option<WsSession>,
    stream_socket: Option<WsSession>,
    clock: Clock,
    offsets: ClockOffsets,
    orders: Vec<Option<Order>>,
    queue: Vec<GatewayEvent>,
    head: usize,
    len: usize,
    pushes_dropped: u64,
}

/// The ring of events (room for answers is checked before a session is polled).
struct Ring<'a> {
    queue: &'a mut [GatewayEvent],
    head: usize,
    len: &'a mut usize,
    pushes_dropped: &'a mut u64,
}

impl Ring<'_> {
    fn push(&mut self, e: GatewayEvent) {
        debug_assert!(
            *self.len < QUEUE,
            "room is checked before a session is polled"
        );
        if *self.len < QUEUE {
            self.queue[(self.head + *self.len) % QUEUE] = e;
            *self.len += 1;
        }
    }

    /// A push keeps the room every answer in flight may need.
    fn push_stream(&mut self, e: GatewayEvent) {
        if QUEUE - *self.len > 2 * PENDING * PER_ANSWER {
            self.push(e);
        } else {
            *self.pushes_dropped += 1;
        }
    }
}

impl WsGateway {
    /// A gateway for `venue` over an order session and/or a stream session (cold path); `clock`
    /// and `offsets` give the venue's wall clock for timestamps.
    pub fn new(
        venue: VenueId,
        orders_socket: Option<WsSession>,
        stream_socket: Option<WsSession>,
        clock: Clock,
        offsets: ClockOffsets,
    ) -> Self {
        WsGateway {
            venue,
            orders_socket,
            stream_socket,
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
            pushes_dropped: 0,
        }
    }

    /// The venue served.
    pub fn venue(&self) -> VenueId {
        self.venue
    }

    /// The order session, if orders go on a WebSocket here.
    pub fn session(&self) -> Option<&WsSession> {
        self.orders_socket.as_ref()
    }

    /// The separate stream session, if the venue pushes on another socket.
    pub fn stream(&self) -> Option<&WsSession> {
        self.stream_socket.as_ref()
    }

    /// Give both sessions' dialects the venue's instrument codes (OKX's `instIdCode`s from the
    /// start-up rules; cold path): how many instruments of the order session got one.
    pub fn set_venue_codes(&mut self, codes: &[(String, u64)]) -> usize {
        if let Some(s) = self.stream_socket.as_mut() {
            s.set_venue_codes(codes);
        }
        self.orders_socket
            .as_mut()
            .map_or(0, |s| s.set_venue_codes(codes))
    }

    /// Pushes dropped because the event ring was short of room.
    pub fn pushes_dropped(&self) -> u64 {
        self.pushes_dropped
    }

    /// True while orders go on the order session.
    pub fn is_ready(&self) -> bool {
        self.orders_socket.as_ref().is_some_and(WsSession::is_ready)
    }

    /// Whether requests of kind `op` go on a WebSocket here now: the socket takes them, and a
    /// status query never goes on a suspect session (an answer overdue, its liveness ping
    /// unanswered): it would wait on a dead socket; REST asks instead.
    pub fn takes(&self, op: WsOp) -> bool {
        self.orders_socket
            .as_ref()
            .is_some_and(|s| s.takes(op) && !(op == WsOp::Status && s.is_suspect()))
    }

    #[inline]
    fn unix_ms(&self, now_ns: u64) -> u64 {
        self.offsets
            .venue_ms(self.venue.index(), self.clock.unix_ns(now_ns) / 1_000_000)
    }

    fn stage_op(&mut self, order: &Order, op: WsOp, now_ns: u64) -> Result<(), SubmitError> {
        if order.venue != self.venue {
            return Err(SubmitError::UnknownVenue(order.venue));
        }
        let unix_ms = self.unix_ms(now_ns);
        let Some(s) = self.orders_socket.as_mut() else {
            return Err(SubmitError::NotConnected(order.venue));
        };
        s.stage(order, op, now_ns, unix_ms)?;
        self.orders[(order.id.0 % ORDER_MEMORY as u64) as usize] = Some(*order);
        Ok(())
    }

    /// Stage a status query of `order` (by its client id) on the order session.
    pub fn stage_status(&mut self, order: &Order, now_ns: u64) -> Result<(), SubmitError> {
        self.stage_op(order, WsOp::Status, now_ns)
    }

    /// Stage a cancel of `order` (by its client id) on the order session.
    pub fn stage_cancel(&mut self, order: &Order, now_ns: u64) -> Result<(), SubmitError> {
        self.stage_op(order, WsOp::Cancel, now_ns)
    }

    /// Sign with `offsets` from now on (cold path; the REST router's, shared with it).
    pub fn set_clock_offsets(&mut self, offsets: ClockOffsets) {
        self.offsets = offsets;
    }

    /// Poll the sessions (each when the ring has room for all it can answer) with `orders` to
    /// find the orders pushes name, then copy events into `out`; returns how many.
    pub fn poll_with(
        &mut self,
        now_ns: u64,
        orders: OrderLookup<'_>,
        out: &mut [GatewayEvent],
    ) -> usize {
        let unix_ms = self.unix_ms(now_ns);
        let unix_ns = self.clock.unix_ns(now_ns);
        let venue = self.venue;
        let WsGateway {
            orders_socket,
            stream_socket,
            queue,
            head,
            len,
            pushes_dropped,
            ..
        } = self;
        for s in [orders_socket.as_mut(), stream_socket.as_mut()]
            .into_iter()
            .flatten()
        {
            if QUEUE - *len < 2 * PENDING * PER_ANSWER {
                continue;
            }
            let mut ring = Ring {
                queue: &mut queue[..],
                head: *head,
                len: &mut *len,
                pushes_dropped: &mut *pushes_dropped,
            };
            s.poll(now_ns, unix_ms, orders, &mut |o: WsOut| match o {
                WsOut::Answer(a) => {
                    answer_events(&a, EndpointGroup::Order, unix_ns, &mut |e| ring.push(e))
                }
                WsOut::Stream(StreamEvent::Order(r)) => ring.push_stream(GatewayEvent::Pushed(r)),
                WsOut::Stream(StreamEvent::Balance { asset, free, total }) => {
                    ring.push_stream(GatewayEvent::Balance {
                        venue,
                        asset,
                        free,
                        total,
                    })
                }
            });
        }
        let n = out.len().min(self.len);
        for (i, slot) in out.iter_mut().take(n).enumerate() {
            *slot = self.queue[(self.head + i) % QUEUE];
        }
        self.head = (self.head + n) % QUEUE;
        self.len -= n;
        n
    }
}

impl Gateway for WsGateway {
    fn name(&self) -> &'static str {
        "ws"
    }

    fn writes_to_wire(&self) -> bool {
        true
    }

    #[inline]
    fn stage(&mut self, order: &Order, now_ns: u64) -> Result<(), SubmitError> {
        self.stage_op(order, WsOp::Place, now_ns)
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
        self.stage_op(&o, WsOp::Status, now_ns)
    }

    fn rehearse(&mut self, order: &Order, now_ns: u64) {
        let unix_ms = self.unix_ms(now_ns);
        if let Some(s) = self.orders_socket.as_mut().filter(|s| s.is_ready()) {
            s.rehearse(order, unix_ms);
        }
    }

    fn discard(&mut self) {
        if let Some(s) = self.orders_socket.as_mut() {
            s.discard();
        }
    }

    #[inline]
    fn send(&mut self, _now_ns: u64) -> usize {
        self.orders_socket.as_mut().map_or(0, WsSession::send)
    }

    fn poll(&mut self, now_ns: u64, out: &mut [GatewayEvent]) -> usize {
        let memory = std::mem::take(&mut self.orders);
        let lookup =
            |id: OrderId| memory[(id.0 % ORDER_MEMORY as u64) as usize].filter(|o| o.id == id);
        let n = self.poll_with(now_ns, &lookup, out);
        self.orders = memory;
        n
    }
}
