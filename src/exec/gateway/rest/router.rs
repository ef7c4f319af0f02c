//! [`RestRouter`]: the [`Gateway`] over the venues' REST APIs. One [`RestGateway`] per venue that
//! trades (Binance, Upbit, Bybit v5 and OKX v5 kinds; a feed-only venue has no route), `submit`
//! routed by [`Order::venue`], every [`RestAnswer`] turned into the [`GatewayEvent`]s the
//! execution stage acts on.
//!
//! Contract:
//! - `stage` and `stage_query` sign into an idle connection's buffer or refuse with a
//!   [`SubmitError`] (nothing staged): no route for the venue, no idle connection
//!   (`NotConnected`), request not buildable (`Unencodable`); `send` writes what was staged.
//! - Every written request yields exactly one [`GatewayEvent::Report`] (or, when the venue took
//!   the order without saying how it ended, one [`GatewayEvent::Accepted`]), plus, from the same
//!   response, [`GatewayEvent::BinanceUsage`] (Binance usage headers),
//!   [`GatewayEvent::UpbitRemaining`] (Upbit `Remaining-Req`) / [`GatewayEvent::BybitLimit`]
//!   (Bybit `X-Bapi-Limit-Status`), both charged to the order group for an order and to the
//!   query group for a status query, and [`GatewayEvent::Banned`] (418, Bybit's 403), so the
//!   zero-429 policy throttles before the venue answers 429.
//! - Status queries need the order (symbol, client id): the router keeps the last [`ORDER_MEMORY`]
//!   orders it sent in a fixed table indexed by order id; an id not there is
//!   [`SubmitError::UnknownOrder`].
//! - Nothing allocates after construction: events wait in a fixed ring, and a venue is polled
//!   only when the ring has room for everything its pool can answer at once (3 events per
//!   connection), so no event is ever dropped.
//! - Time: `now_ns` is the caller's monotonic time; the wall clock a venue signs (Binance
//!   `timestamp`, Bybit `X-BAPI-TIMESTAMP`, OKX `OK-ACCESS-TIMESTAMP`) is [`Clock::unix_ns`] of it
//!   plus that venue's measured server clock offset ([`ClockOffsets`], one relaxed atomic load,
//!   written by the cold clock-sync thread; 0 until measured). Nothing here reads a clock.

use super::gateway::{RestGateway, SubmitError as RestSubmitError};
use crate::base::{Clock, ClockOffsets};
use crate::exec::gateway::answer_events::{answer_events, PER_ANSWER};
use crate::exec::gateway::codec::{BinanceCodec, BybitCodec, OkxCodec, RestAnswer, UpbitCodec};
use crate::exec::gateway::ws::{WsGateway, WsMetrics, WsOp, PENDING as WS_PENDING};
use crate::exec::gateway::{Gateway, GatewayEvent, SubmitError};
use crate::exec::limits::EndpointGroup;
use crate::model::{Order, OrderId, VenueId, MAX_VENUES};

/// Orders remembered for status queries (by `id % ORDER_MEMORY`).
pub const ORDER_MEMORY: usize = 4096;
/// Events buffered between polls.
const QUEUE: usize = 1024;

/// One venue's REST client.
#[derive(Debug)]
pub enum RestRoute {
    /// Binance (HMAC-SHA256 signed form bodies).
    Binance(RestGateway<BinanceCodec>),
    /// Upbit (JWT HS256 with a SHA-512 query hash).
    Upbit(RestGateway<UpbitCodec>),
    /// Bybit v5 (`X-BAPI-*` headers, hex HMAC-SHA256).
    Bybit(RestGateway<BybitCodec>),
    /// OKX v5 (`OK-ACCESS-*` headers, Base64 HMAC-SHA256, passphrase).
    Okx(RestGateway<OkxCodec>),
}

/// `$e` with `$g` bound to the route's gateway, whichever venue kind it is.
macro_rules! each_route {
    ($route:expr, $g:ident => $e:expr) => {
        match $route {
            RestRoute::Binance($g) => $e,
            RestRoute::Upbit($g) => $e,
            RestRoute::Bybit($g) => $e,
            RestRoute::Okx($g) => $e,
        }
    };
}

impl RestRoute {
    fn pool_len(&self) -> usize {
        each_route!(self, g => g.pool().len())
    }

    /// Connections ready for a request now.
    pub fn idle_connections(&self) -> usize {
        each_route!(self, g => g.idle_connections())
    }

    /// Requests written and not answered yet.
    pub fn in_flight(&self) -> usize {
        each_route!(self, g => g.in_flight())
    }

    /// Re-resolve the venue's host on every reconnect through `feed` (see
    /// [`crate::net::dns_refresh`]). Cold path.
    pub fn set_addr_feed(&mut self, feed: crate::net::dns_refresh::AddrFeed) {
        each_route!(self, g => g.set_addr_feed(feed))
    }
}

/// The venues with WebSocket sessions: orders on the session while it is logged on, REST
/// otherwise; private streams read.
#[derive(Debug)]
struct WsSide {
    /// Per venue id.
    gateways: Vec<Option<WsGateway>>,
    /// Venues with a request staged on their session (bit per venue id).
    staged: u64,
    /// Requests sent on REST because the venue's session was not ready (per venue).
    fallbacks: [u64; MAX_VENUES],
    /// The sessions' counters on `/metrics` (per venue id; registered with the stage).
    metrics: Vec<Option<WsMetrics>>,
}

#[derive(Debug, Clone, Copy)]
struct Remembered {
    order: Order,
    /// The last request written for it was a status query.
    querying: bool,
}

/// The REST [`Gateway`]: routes orders to per-venue [`RestGateway`]s. See the module doc.
#[derive(Debug)]
pub struct RestRouter {
    routes: Vec<Option<RestRoute>>,
    clock: Clock,
    offsets: ClockOffsets,
    orders: Vec<Option<Remembered>>,
    queue: Vec<GatewayEvent>,
    head: usize,
    len: usize,
    query_group: [EndpointGroup; MAX_VENUES],
    /// Venues with a request staged (bit per venue id).
    staged: u64,
    /// The venues' WebSocket API sessions (`order_entry = "ws"`; boxed: one pointer here).
    ws: Box<WsSide>,
    /// Failed start-up DNS lookups retried, per venue (for the start-up's counters).
    dns_retries: Box<[u64; MAX_VENUES]>,
    /// Cold-path helpers that live as long as the router (the clock-sync thread's handle:
    /// dropping it stops the thread).
    helpers: Vec<Box<dyn std::any::Any + Send>>,
}

impl RestRouter {
    /// An empty router (cold path); add venues with [`add`](Self::add).
    pub fn new(clock: Clock) -> RestRouter {
        RestRouter {
            routes: (0..MAX_VENUES).map(|_| None).collect(),
            clock,
            offsets: ClockOffsets::new(),
            orders: vec![None; ORDER_MEMORY],
            queue: vec![
                GatewayEvent::Banned {
                    venue: VenueId(0),
                    retry_after_ms: 0,
                };
                QUEUE
            ],
            head: 0,
            len: 0,
            query_group: [EndpointGroup::ExchangeDefault; MAX_VENUES],
            staged: 0,
            ws: Box::new(WsSide {
                gateways: (0..MAX_VENUES).map(|_| None).collect(),
                staged: 0,
                fallbacks: [0; MAX_VENUES],
                metrics: (0..MAX_VENUES).map(|_| None).collect(),
            }),
            dns_retries: Box::new([0; MAX_VENUES]),
            helpers: Vec::new(),
        }
    }

    /// Route orders for `venue` to `route`. A status query's `Remaining-Req` (Upbit) or
    /// `X-Bapi-Limit-Status` (Bybit) is charged to `query_group` (the stage's
    /// `VenueExec::query_group`). Replaces an earlier route.
    pub fn add(&mut self, venue: VenueId, route: RestRoute, query_group: EndpointGroup) {
        if let Some(slot) = self.routes.get_mut(venue.index()) {
            *slot = Some(route);
            self.query_group[venue.index()] = query_group;
        }
    }

    /// Send `venue`'s orders and status queries on `ws` while its session is logged on (those
    /// its socket takes), on the venue's REST route otherwise, and read its private stream
    /// (cold path). Each request's path is chosen before any byte of it is written: never both.
    pub fn add_ws(&mut self, venue: VenueId, mut ws: WsGateway) {
        ws.set_clock_offsets(self.offsets.clone());
        if let Some(slot) = self.ws.gateways.get_mut(venue.index()) {
            *slot = Some(ws);
        }
    }

    /// The WebSocket API gateway of `venue`, if it has one.
    pub fn ws(&self, venue: VenueId) -> Option<&WsGateway> {
        self.ws.gateways.get(venue.index()).and_then(Option::as_ref)
    }

    /// Give `venue`'s WebSocket sessions its instrument codes (OKX's `instIdCode`s, from the
    /// start-up rules: [`crate::exec::startup::rules::RulesStartup::codes_for`]); cold path. How
    /// many instruments got one (0 without a WebSocket gateway).
    pub fn set_venue_codes(&mut self, venue: VenueId, codes: &[(String, u64)]) -> usize {
        self.ws
            .gateways
            .get_mut(venue.index())
            .and_then(Option::as_mut)
            .map_or(0, |ws| ws.set_venue_codes(codes))
    }

    /// Requests of `venue` sent on REST because its session was not ready.
    pub fn ws_fallbacks(&self, venue: VenueId) -> u64 {
        self.ws.fallbacks.get(venue.index()).copied().unwrap_or(0)
    }

    /// The route of `venue`.
    pub fn route(&self, venue: VenueId) -> Option<&RestRoute> {
        self.routes.get(venue.index()).and_then(Option::as_ref)
    }

    /// True when every route has at least one idle connection.
    pub fn all_connected(&self) -> bool {
        self.routes
            .iter()
            .flatten()
            .all(|r| r.idle_connections() > 0)
    }

    /// Cold path: poll until every route has an idle connection or `timeout_ns` passes (real
    /// time, on the router's clock). Returns whether all connected.
    pub fn connect(&mut self, timeout_ns: u64) -> bool {
        let end = self.clock.now_ns().saturating_add(timeout_ns);
        let mut scratch = [GatewayEvent::Banned {
            venue: VenueId(0),
            retry_after_ms: 0,
        }; 8];
        loop {
            let now = self.clock.now_ns();
            // Nothing is in flight yet, so nothing is answered; keep events if any.
            self.poll_routes(now);
            if self.all_connected() {
                return true;
            }
            if now >= end {
                return false;
            }
            if self.len == QUEUE {
                self.poll(now, &mut scratch);
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    /// The venues' server clock offsets this router signs with (a clone shares them: the
    /// clock-sync thread writes through it).
    pub fn clock_offsets(&self) -> ClockOffsets {
        self.offsets.clone()
    }

    /// Sign with `offsets` from now on (cold path; e.g. offsets measured before the router was
    /// built).
    pub fn set_clock_offsets(&mut self, offsets: ClockOffsets) {
        for ws in self.ws.gateways.iter_mut().flatten() {
            ws.set_clock_offsets(offsets.clone());
        }
        self.offsets = offsets;
    }

    /// Record that `venue`'s host lookup was retried `n` times while building (cold path).
    pub fn note_dns_retries(&mut self, venue: VenueId, n: u64) {
        if let Some(r) = self.dns_retries.get_mut(venue.index()) {
            *r += n;
        }
    }

    /// Start-up DNS retries of `venue`'s host ([`crate::net::dns::START_UP`]).
    pub fn dns_retries(&self, venue: VenueId) -> u64 {
        self.dns_retries.get(venue.index()).copied().unwrap_or(0)
    }

    /// Mutable access to the route of `venue` (cold path: e.g. to give its pool an address
    /// feed).
    pub fn route_mut(&mut self, venue: VenueId) -> Option<&mut RestRoute> {
        self.routes.get_mut(venue.index()).and_then(Option::as_mut)
    }

    /// Keep `helper` alive as long as the router (cold path): e.g. the handle of the thread
    /// that writes [`clock_offsets`](Self::clock_offsets).
    pub fn keep(&mut self, helper: Box<dyn std::any::Any + Send>) {
        self.helpers.push(helper);
    }

    /// The wall clock `venue` is signed with at `now_ns`: local unix ms plus its offset.
    #[inline]
    fn unix_ms(&self, now_ns: u64, venue: VenueId) -> u64 {
        self.offsets
            .venue_ms(venue.index(), self.clock.unix_ns(now_ns) / 1_000_000)
    }

    fn remember(&mut self, order: &Order, querying: bool) {
        self.orders[(order.id.0 % ORDER_MEMORY as u64) as usize] = Some(Remembered {
            order: *order,
            querying,
        });
    }

    fn stage_request(
        &mut self,
        order: &Order,
        now_ns: u64,
        query: bool,
    ) -> Result<(), SubmitError> {
        let v = order.venue.index();
        let op = if query { WsOp::Status } else { WsOp::Place };
        if let Some(ws) = self
            .ws
            .gateways
            .get_mut(v)
            .and_then(Option::as_mut)
            .filter(|ws| ws.takes(op))
        {
            let r = if query {
                ws.stage_status(order, now_ns)
            } else {
                ws.stage(order, now_ns)
            };
            match r {
                Ok(()) => {
                    self.ws.staged |= 1 << v;
                    self.remember(order, query);
                    return Ok(());
                }
                // Nothing was written on the session: the request goes on REST instead.
                Err(SubmitError::NotConnected(_) | SubmitError::Full { .. }) => {
                    self.ws.fallbacks[v % MAX_VENUES] += 1;
                }
                Err(e) => return Err(e),
            }
        }
        let unix_ms = self.unix_ms(now_ns, order.venue);
        let route = self
            .routes
            .get_mut(order.venue.index())
            .and_then(Option::as_mut)
            .ok_or(SubmitError::UnknownVenue(order.venue))?;
        let r = each_route!(route, g => g.stage(order, now_ns, unix_ms, query));
        r.map_err(|e| match e {
            RestSubmitError::NoIdleConnection => SubmitError::NotConnected(order.venue),
            RestSubmitError::Request(_) => SubmitError::Unencodable(order.id),
        })?;
        self.staged |= 1 << order.venue.index();
        self.remember(order, query);
        Ok(())
    }

    /// Apply `f` to the route of every venue with a request staged, and clear the marks.
    fn each_staged(&mut self, mut f: impl FnMut(&mut RestRoute) -> usize) -> usize {
        let mut n = 0;
        while self.staged != 0 {
            let v = self.staged.trailing_zeros() as usize;
            self.staged &= self.staged - 1;
            if let Some(route) = self.routes.get_mut(v).and_then(Option::as_mut) {
                n += f(route);
            }
        }
        n
    }

    fn push(&mut self, e: GatewayEvent) {
        debug_assert!(self.len < QUEUE, "room is checked before a route is polled");
        if self.len < QUEUE {
            self.queue[(self.head + self.len) % QUEUE] = e;
            self.len += 1;
        }
    }

    /// Turn one answer into events.
    fn on_answer(&mut self, a: RestAnswer, now_ns: u64) {
        let venue = a.report.venue;
        let slot = (a.report.order.0 % ORDER_MEMORY as u64) as usize;
        let querying =
            self.orders[slot].is_some_and(|m| m.order.id == a.report.order && m.querying);
        let group = if querying {
            self.query_group[venue.index() % MAX_VENUES]
        } else {
            EndpointGroup::Order
        };
        let unix_ns = self.clock.unix_ns(now_ns);
        answer_events(&a, group, unix_ns, &mut |e| self.push(e));
    }

    /// Move every session's events into the queue while it has room for a full session.
    fn poll_ws(&mut self, now_ns: u64) {
        let mut buf = [GatewayEvent::Banned {
            venue: VenueId(0),
            retry_after_ms: 0,
        }; 32];
        // The sessions are lent out of `self` as a whole vector (a pointer move) while they are
        // polled: taking each `Option<WsGateway>` out and back would copy the session, about
        // 12 KB, twice per venue per poll, and it did (40% of the pipeline thread).
        let mut gateways = std::mem::take(&mut self.ws.gateways);
        for ws in gateways.iter_mut().flatten() {
            while QUEUE - self.len >= 2 * WS_PENDING * PER_ANSWER + buf.len() {
                let orders = &self.orders;
                let lookup = |id: OrderId| {
                    orders[(id.0 % ORDER_MEMORY as u64) as usize]
                        .filter(|m| m.order.id == id)
                        .map(|m| m.order)
                };
                let n = ws.poll_with(now_ns, &lookup, &mut buf);
                for e in &buf[..n] {
                    self.push(*e);
                }
                if n < buf.len() {
                    break;
                }
            }
        }
        self.ws.gateways = gateways;
    }

    /// Poll every route whose worst-case answers fit in the queue.
    fn poll_routes(&mut self, now_ns: u64) {
        // Lent out whole, as in `poll_ws` (a route is about 760 bytes).
        let mut routes = std::mem::take(&mut self.routes);
        for route in routes.iter_mut().flatten() {
            if QUEUE - self.len >= route.pool_len() * PER_ANSWER {
                each_route!(route, g => g.poll(now_ns, &mut |a| self.on_answer(a, now_ns)));
            }
        }
        self.routes = routes;
    }
}

impl Gateway for RestRouter {
    fn name(&self) -> &'static str {
        "rest"
    }
    fn writes_to_wire(&self) -> bool {
        true
    }

    fn stage(&mut self, order: &Order, now_ns: u64) -> Result<(), SubmitError> {
        self.stage_request(order, now_ns, false)
    }

    fn stage_query(
        &mut self,
        order: OrderId,
        venue: VenueId,
        now_ns: u64,
    ) -> Result<(), SubmitError> {
        let slot = (order.0 % ORDER_MEMORY as u64) as usize;
        let o = match self.orders[slot] {
            Some(m) if m.order.id == order && m.order.venue == venue => m.order,
            _ => return Err(SubmitError::UnknownOrder(order)),
        };
        self.stage_request(&o, now_ns, true)
    }

    fn rehearse(&mut self, order: &Order, now_ns: u64) {
        // The path the order would take now: the venue's session while it takes orders.
        if let Some(ws) = self
            .ws
            .gateways
            .get_mut(order.venue.index())
            .and_then(Option::as_mut)
            .filter(|ws| ws.is_ready() && ws.takes(WsOp::Place))
        {
            return ws.rehearse(order, now_ns);
        }
        let unix_ms = self.unix_ms(now_ns, order.venue);
        if let Some(Some(route)) = self.routes.get_mut(order.venue.index()) {
            each_route!(route, g => g.rehearse(order, unix_ms));
        }
    }

    fn discard(&mut self) {
        self.each_staged(|route| {
            each_route!(route, g => g.discard());
            0
        });
        while self.ws.staged != 0 {
            let v = self.ws.staged.trailing_zeros() as usize;
            self.ws.staged &= self.ws.staged - 1;
            if let Some(ws) = self.ws.gateways.get_mut(v).and_then(Option::as_mut) {
                ws.discard();
            }
        }
    }

    fn send(&mut self, now_ns: u64) -> usize {
        let mut n = self.each_staged(|route| each_route!(route, g => g.send()));
        while self.ws.staged != 0 {
            let v = self.ws.staged.trailing_zeros() as usize;
            self.ws.staged &= self.ws.staged - 1;
            if let Some(ws) = self.ws.gateways.get_mut(v).and_then(Option::as_mut) {
                n += ws.send(now_ns);
            }
        }
        n
    }

    fn register_counters(&mut self, reg: &mut crate::telemetry::Registry, venues: &[String]) {
        for (vi, gw) in self.ws.gateways.iter().enumerate() {
            if let Some(gw) = gw {
                let name = venues.get(vi).map_or("venue", String::as_str);
                self.ws.metrics[vi] = Some(WsMetrics::register(reg, name, gw));
            }
        }
    }

    fn flush_counters(&mut self) {
        for (vi, m) in self.ws.metrics.iter().enumerate() {
            if let (Some(m), Some(gw)) = (m, &self.ws.gateways[vi]) {
                m.flush(gw, self.ws.fallbacks[vi % MAX_VENUES]);
            }
        }
    }

    fn poll(&mut self, now_ns: u64, out: &mut [GatewayEvent]) -> usize {
        self.poll_routes(now_ns);
        self.poll_ws(now_ns);
        let n = out.len().min(self.len);
        for (i, slot) in out.iter_mut().take(n).enumerate() {
            *slot = self.queue[(self.head + i) % QUEUE];
        }
        self.head = (self.head + n) % QUEUE;
        self.len -= n;
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::gateway::codec::AnswerKind;
    use crate::model::{ExecStatus, InstrumentId, OppId, Price, Qty, Side, TimeInForce};

    fn order(id: u64, venue: u8) -> Order {
        Order {
            id: OrderId(id),
            opp: OppId(id),
            px: Price(1),
            qty: Qty(1),
            sent_ts_ns: 0,
            recv_ts_ns: 0,
            instrument: InstrumentId(0),
            venue: VenueId(venue),
            side: Side::Buy,
            tif: TimeInForce::Ioc,
        }
    }

    fn drain(r: &mut RestRouter) -> Vec<GatewayEvent> {
        let mut out = [GatewayEvent::Banned {
            venue: VenueId(0),
            retry_after_ms: 0,
        }; 4];
        let mut v = Vec::new();
        loop {
            let n = r.poll(0, &mut out);
            v.extend_from_slice(&out[..n]);
            if n == 0 {
                return v;
            }
        }
    }

    #[test]
    fn refusals_without_a_route() {
        let mut r = RestRouter::new(Clock::new());
        assert_eq!(
            r.submit(&order(1, 3), 0),
            Err(SubmitError::UnknownVenue(VenueId(3)))
        );
        assert_eq!(
            r.status_query(OrderId(1), VenueId(3), 0),
            Err(SubmitError::UnknownOrder(OrderId(1)))
        );
        assert!(r.all_connected(), "no routes: nothing to wait for");
    }

    #[test]
    fn answers_become_events_in_order() {
        let mut r = RestRouter::new(Clock::new());
        // A Binance 418 with usage headers: report, usage, ban.
        let mut a = RestAnswer::blank(&order(7, 0), 5);
        a.kind = AnswerKind::Banned;
        a.report.status = ExecStatus::Rejected { code: 418 };
        a.retry_after_ms = 120_000;
        a.binance_weight_1m = Some(10);
        r.on_answer(a, 5);
        // An Upbit answer to a status query: Remaining-Req charged to the query group.
        r.remember(&order(8, 1), true);
        r.query_group[1] = EndpointGroup::ExchangeDefault;
        let mut a = RestAnswer::blank(&order(8, 1), 6);
        a.upbit_remaining_sec = Some(3);
        r.on_answer(a, 6);
        let ev = drain(&mut r);
        assert_eq!(ev.len(), 5, "{ev:?}");
        assert!(matches!(ev[0], GatewayEvent::Report(x) if x.order == OrderId(7)));
        assert!(matches!(
            ev[1],
            GatewayEvent::BinanceUsage { venue: VenueId(0), usage, .. }
                if usage.used_weight_1m == Some(10)
        ));
        assert_eq!(
            ev[2],
            GatewayEvent::Banned {
                venue: VenueId(0),
                retry_after_ms: 120_000
            }
        );
        assert!(matches!(ev[3], GatewayEvent::Report(x) if x.order == OrderId(8)));
        assert_eq!(
            ev[4],
            GatewayEvent::UpbitRemaining {
                venue: VenueId(1),
                group: EndpointGroup::ExchangeDefault,
                sec: 3
            }
        );
        // A Bybit acknowledgement: accepted, with its limit header charged to the order group.
        let mut a = RestAnswer::blank(&order(9, 2), 7);
        a.kind = AnswerKind::Accepted;
        a.bybit_limit.remaining = Some(1);
        a.bybit_limit.reset_unix_ms = Some(1_700_000_000_000);
        r.on_answer(a, 7);
        let ev2 = drain(&mut r);
        assert!(matches!(ev2[0], GatewayEvent::Accepted(x) if x.order == OrderId(9)));
        assert!(matches!(
            ev2[1],
            GatewayEvent::BybitLimit {
                venue: VenueId(2),
                group: EndpointGroup::Order,
                remaining: 1,
                reset_unix_ms: Some(1_700_000_000_000),
                ..
            }
        ));
        assert_eq!(ev2.len(), 2);
        // The remembered order can be queried; another venue's id cannot.
        assert_eq!(
            r.status_query(OrderId(8), VenueId(0), 0),
            Err(SubmitError::UnknownOrder(OrderId(8)))
        );
    }
}
