//! [`RestGateway`]: orders in, answers out, for one venue host: a venue codec ([`RestVenue`]) on
//! top of a [`Pool`] of keep-alive connections.
//!
//! Contract:
//! - [`submit`](RestGateway::submit) either puts the signed request on an idle connection (the
//!   order is then in flight) or refuses at once with a [`SubmitError`] (nothing was sent).
//! - [`status_query`](RestGateway::status_query) does the same with the venue's status GET.
//! - Every in-flight order gets exactly one [`RestAnswer`] from [`poll`](RestGateway::poll): the
//!   venue's answer read by the codec, or, with no usable answer, `AnswerKind::Ambiguous` /
//!   `ExecStatus::Unknown` (timeout by the caller's clock, connection lost after the request
//!   left, bytes that are not HTTP) or `AnswerKind::NotSent` (lost before any byte left).
//! - Nothing blocks, reads a clock or allocates in steady state; the caller supplies `now_ns`
//!   (monotonic, for deadlines and report timestamps) and `unix_ms` (wall clock, signed into
//!   Binance requests).
//!
//! Independent of the execution stage: the stage (or a `Gateway` trait adapter) owns the rate
//! limiter, breaker and retries; this type only reports what the wire said.

use thiserror::Error;

use crate::model::Order;

use crate::exec::gateway::codec::{AnswerKind, RequestError, RestAnswer, RestVenue};
use crate::net::http::{ConnState, HostSpec, Pool, PoolError, PoolEvent, PoolSettings};

/// Gateway settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GatewaySettings {
    /// Connection pool.
    pub pool: PoolSettings,
    /// How long to wait for an answer before calling the order's fate unknown.
    pub timeout_ns: u64,
}

impl Default for GatewaySettings {
    fn default() -> Self {
        GatewaySettings {
            pool: PoolSettings::default(),
            timeout_ns: 2_000_000_000,
        }
    }
}

/// Why an order was not sent (it never left: safe to count as not attempted).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SubmitError {
    /// Every connection is busy, connecting or closed.
    #[error("no idle connection to the venue")]
    NoIdleConnection,
    /// The request could not be built.
    #[error(transparent)]
    Request(#[from] RequestError),
}

/// A REST order gateway for one venue.
#[derive(Debug)]
pub struct RestGateway<V: RestVenue> {
    venue: V,
    pool: Pool,
    pending: Vec<Option<Order>>,
    /// Connections with a request staged (bit per connection) and the deadline it will get.
    staged: u64,
    staged_deadline_ns: Vec<u64>,
    in_flight: usize,
    timeout_ns: u64,
    stray_responses: u64,
    /// Where a rehearsal signs (sized like a connection's request buffer; never written).
    scratch: Vec<u8>,
}

impl<V: RestVenue> RestGateway<V> {
    /// Build the gateway (cold path). Connections open on the first [`poll`](Self::poll); call it
    /// until [`idle_connections`](Self::idle_connections) is non-zero before trading.
    pub fn new(venue: V, host: &HostSpec, settings: GatewaySettings) -> Result<Self, PoolError> {
        let pool = Pool::new(host, settings.pool)?;
        Ok(RestGateway {
            venue,
            pending: vec![None; pool.len()],
            staged: 0,
            staged_deadline_ns: vec![u64::MAX; pool.len()],
            pool,
            in_flight: 0,
            timeout_ns: settings.timeout_ns,
            stray_responses: 0,
            scratch: Vec::with_capacity(settings.pool.out_cap),
        })
    }

    /// Sign and send `order` on an idle connection ([`stage`](Self::stage), then
    /// [`send`](Self::send)): the request bytes are handed to the socket before this returns (`now_ns` is the order's send time; the answer's deadline is
    /// `now_ns + timeout_ns`). On success the order is in flight until `poll` answers it.
    ///
    /// A keep-alive connection the server closed while idle is normally seen (and replaced) by
    /// `poll` before it is picked; if the close races with the request, the answer is
    /// `Ambiguous`, never a silent retry.
    pub fn submit(&mut self, order: &Order, now_ns: u64, unix_ms: u64) -> Result<(), SubmitError> {
        self.stage(order, now_ns, unix_ms, false)?;
        self.send();
        Ok(())
    }

    /// Ask the venue for `order`'s state (a signed GET by its client id) on an idle connection.
    /// The answer comes from [`poll`](Self::poll) like an order's, exactly once, with the same
    /// deadline rule; "no such order" is `Rejected { code: CODE_NO_SUCH_ORDER }`.
    pub fn status_query(
        &mut self,
        order: &Order,
        now_ns: u64,
        unix_ms: u64,
    ) -> Result<(), SubmitError> {
        self.stage(order, now_ns, unix_ms, true)?;
        self.send();
        Ok(())
    }

    /// Sign `order` (or, with `query`, its status query) into an idle connection's request buffer
    /// without writing it; [`send`](Self::send) writes it, [`discard`](Self::discard) drops it.
    /// `now_ns` is the order's send time (the answer's deadline is `now_ns + timeout_ns`).
    pub fn stage(
        &mut self,
        order: &Order,
        now_ns: u64,
        unix_ms: u64,
        query: bool,
    ) -> Result<(), SubmitError> {
        let i = self.pool.idle().ok_or(SubmitError::NoIdleConnection)?;
        let venue = &mut self.venue;
        self.pool.stage(i, |buf| {
            if query {
                venue.write_status_request(order, unix_ms, buf)
            } else {
                venue.write_request(order, unix_ms, buf)
            }
        })?;
        let mut o = *order;
        o.sent_ts_ns = now_ns;
        self.pending[i] = Some(o);
        self.staged |= 1 << i;
        self.staged_deadline_ns[i] = now_ns.saturating_add(self.timeout_ns);
        Ok(())
    }

    /// Sign `order` and drop it (the stage's warm-up): no pending order, nothing staged, nothing
    /// written; the codec is left as it was ([`RestVenue::rehearse`]). The bytes go into the
    /// request buffer of the idle connection the next order would take ([`Pool::idle`]), given
    /// back at once ([`Pool::unstage`]; the next request clears the buffer before building), so
    /// that buffer's memory is in cache too; with none idle, into a scratch buffer.
    pub fn rehearse(&mut self, order: &Order, unix_ms: u64) {
        let venue = &mut self.venue;
        match self.pool.idle() {
            Some(i) => {
                let _ = self
                    .pool
                    .stage(i, |buf| venue.rehearse(order, unix_ms, buf));
                self.pool.unstage(i);
            }
            None => {
                let _ = venue.rehearse(order, unix_ms, &mut self.scratch);
                std::hint::black_box(&self.scratch);
            }
        }
    }

    /// Hand every staged request to its socket; the orders are in flight until `poll` answers
    /// them. Returns the bytes handed over.
    pub fn send(&mut self) -> usize {
        let mut bytes = 0;
        while self.staged != 0 {
            let i = self.staged.trailing_zeros() as usize;
            self.staged &= self.staged - 1;
            bytes += self.pool.start(i, self.staged_deadline_ns[i]);
            self.in_flight += 1;
        }
        bytes
    }

    /// Drop every staged request unsent.
    pub fn discard(&mut self) {
        while self.staged != 0 {
            let i = self.staged.trailing_zeros() as usize;
            self.staged &= self.staged - 1;
            self.pool.unstage(i);
            self.pending[i] = None;
        }
    }

    /// Move bytes, expire deadlines, and hand each finished order's answer to `out`. Returns the
    /// number of answers given.
    pub fn poll(&mut self, now_ns: u64, out: &mut impl FnMut(RestAnswer)) -> usize {
        let RestGateway {
            venue,
            pool,
            pending,
            in_flight,
            stray_responses,
            ..
        } = self;
        let mut n = 0;
        pool.poll(now_ns, |ev| match ev {
            PoolEvent::Response {
                conn,
                status,
                headers,
                body,
            } => match pending[conn].take() {
                Some(order) => {
                    out(venue.parse_answer(&order, status, headers, body, now_ns));
                    *in_flight -= 1;
                    n += 1;
                }
                None => *stray_responses += 1,
            },
            PoolEvent::Lost {
                conn, request_left, ..
            } => {
                if let Some(order) = pending[conn].take() {
                    let kind = if request_left {
                        AnswerKind::Ambiguous
                    } else {
                        AnswerKind::NotSent
                    };
                    out(RestAnswer::without_response(&order, kind, now_ns));
                    *in_flight -= 1;
                    n += 1;
                }
            }
        });
        n
    }

    /// Orders sent and not yet answered.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Connections ready for an order now.
    pub fn idle_connections(&self) -> usize {
        (0..self.pool.len())
            .filter(|&i| self.pool.conn(i).state() == ConnState::Idle)
            .count()
    }

    /// Responses that arrived with no order outstanding (should stay 0).
    pub fn stray_responses(&self) -> u64 {
        self.stray_responses
    }

    /// Re-resolve the host on every reconnect through `feed` ([`Pool::set_addr_feed`]). Cold
    /// path.
    pub fn set_addr_feed(&mut self, feed: crate::net::dns_refresh::AddrFeed) {
        self.pool.set_addr_feed(feed);
    }

    /// The connection pool (states, reuse and connect counts).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The venue codec.
    pub fn venue(&self) -> &V {
        &self.venue
    }
}

#[cfg(test)]
#[path = "gateway_tests.rs"]
pub(crate) mod tests;
