//! One venue's REST fallback: a keep-alive HTTP/1.1 connection ([`HttpConn`], plain or rustls)
//! registered on the ingest thread's own mio `Poll`, polling the venue's public top of book while
//! its WebSocket is down, and quiet otherwise.
//!
//! ```text
//!  idle --ws not live--> active: connect, then one round of requests every poll interval
//!    ^                      |  answer -> quotes (stamped with the request's send time) -> ring
//!    +-----ws live again----+  (close the connection, abandon what is outstanding)
//! ```
//!
//! - When: the WebSocket is not live ([`Connection::is_live`](crate::ingest::conn::Connection)):
//!   not open (reconnecting, or its feed breaker open), or open but no quote yet this session,
//!   or silent past the venue's `stale_after_ms`. At start-up the stream first gets its
//!   `stale_after_ms` to deliver a quote, so a normal start sends no poll.
//! - Pace: rounds start at fixed times `t0 + k * poll interval` (a round late by a whole interval
//!   is skipped, not bunched, and counted in `rest_rounds_skipped`); a round's requests go one at
//!   a time on the one connection. The
//!   interval is bounded by the venue's public limit when the config is checked
//!   (`config::rest_poll`). A 429 or 418 pauses polling for its `Retry-After` (seconds; 1 s when
//!   absent), as Binance requires of a client that wants no ban.
//! - Time stamps: a REST quote's `recv_ts_ns` is the scheduled start of the round that asked for
//!   it (`t0 + k * interval`), at or before the request was sent: the venue read its book after
//!   that, so the quote's age is never understated, and staleness (the strategy's
//!   `stale_after_ms` rule, the same as for the stream) counts from the earliest moment the book
//!   can be from. It also makes the cadence exact: consecutive REST quotes of an instrument are
//!   stamped one interval apart (unless a round was skipped, or its answer was not new).
//! - Nothing here blocks: connect, TLS, writes and reads all resume on readiness; a poll without
//!   an answer within `ingest.rest_timeout_ms` closes the connection (a late answer is never read
//!   as the next one's). Reading an answer allocates nothing (the connection's buffers are sized
//!   at construction; a request is a copy of bytes written on the cold path).
//! - What is counted: [`RestCounters`]; what reaches the ring: [`Handover`](crate::ingest::handover).

use mio::{Registry as MioRegistry, Token};

use super::answer::Answer;
use super::build::RestSpec;
use super::counters::RestCounters;
use super::dispatch::parse_answer;
use crate::ingest::out::{Out, ParseSample};
use crate::ingest::venues::SymbolTable;
use crate::net::http::{ConnState, HttpConn, Progress};
use crate::telemetry::Registry;

/// Pause after a 429 or 418 that carries no `Retry-After`.
const DEFAULT_RETRY_AFTER_NS: u64 = 1_000_000_000;
/// First delay after a failed connect (doubles up to the poll interval or 5 s, the larger).
const RECONNECT_MIN_NS: u64 = 50_000_000;

/// One venue's REST poller.
pub struct RestPoller {
    spec: RestSpec,
    table: SymbolTable,
    token: Token,
    conn: HttpConn,
    active: bool,
    started_ns: Option<u64>,
    ws_was_live: bool,
    next_round_ns: u64,
    /// Scheduled start of the round in progress (the stamp of its quotes).
    round_ns: u64,
    next_req: usize,
    /// The outstanding request: its index, its round's stamp, and when it was sent.
    in_flight: Option<(usize, u64, u64)>,
    connecting_since_ns: u64,
    reconnect_at_ns: u64,
    backoff_ns: u64,
    paused_until_ns: u64,
    /// Counters (`ingest.<venue>.rest_*`).
    pub counters: RestCounters,
}

impl RestPoller {
    /// A poller for `spec`, registering its socket under `token` when it connects (cold path).
    pub fn new(spec: RestSpec, table: SymbolTable, token: Token, reg: &mut Registry) -> Self {
        let out_cap = spec
            .requests
            .iter()
            .map(|r| r.bytes.len())
            .max()
            .unwrap_or(0);
        let conn = HttpConn::new(spec.addr, spec.tls.clone(), spec.in_cap, out_cap);
        RestPoller {
            counters: RestCounters::register(reg, &spec.name),
            spec,
            table,
            token,
            conn,
            active: false,
            started_ns: None,
            ws_was_live: false,
            next_round_ns: 0,
            round_ns: 0,
            next_req: 0,
            in_flight: None,
            connecting_since_ns: 0,
            reconnect_at_ns: 0,
            backoff_ns: RECONNECT_MIN_NS,
            paused_until_ns: 0,
        }
    }

    /// The mio token its socket is registered under.
    pub fn token(&self) -> Token {
        self.token
    }

    /// True while polling (the WebSocket is down).
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// The poll interval.
    pub fn poll_ns(&self) -> u64 {
        self.spec.poll_ns
    }

    /// Timers: switch on or off by the stream's health, connect, send what is due, time out.
    /// Returns the answers handled (a connect or send may complete one at once on loopback) and
    /// a parse-error sample for the venue's log, if any.
    pub fn on_timer(
        &mut self,
        now: u64,
        ws_live: bool,
        reg: &MioRegistry,
        out: &mut Out,
    ) -> (u32, Option<ParseSample>) {
        let started = *self.started_ns.get_or_insert(now);
        self.ws_was_live |= ws_live;
        let want = !ws_live
            && (self.ws_was_live || now.saturating_sub(started) > self.spec.startup_grace_ns);
        if !want {
            if self.active {
                self.active = false;
                if self.in_flight.take().is_some() {
                    self.counters.abandoned.inc();
                }
                self.conn.close(reg);
            }
            return (0, None);
        }
        if !self.active {
            self.active = true;
            self.counters.activations.inc();
            self.next_round_ns = now;
            self.next_req = self.spec.requests.len();
        }
        if now < self.paused_until_ns {
            return (0, None);
        }
        match self.conn.state() {
            ConnState::Closed if now >= self.reconnect_at_ns => {
                self.counters.connects.inc();
                self.connecting_since_ns = now;
                if self.conn.connect(reg, self.token).is_err() {
                    self.connect_failed(now, reg);
                }
                (0, None)
            }
            ConnState::Connecting
                if now.saturating_sub(self.connecting_since_ns) > self.spec.timeout_ns =>
            {
                self.counters.lost.inc();
                self.connect_failed(now, reg);
                (0, None)
            }
            ConnState::Idle => self.send_due(now, reg, out),
            ConnState::Busy => {
                if let Some((_, _, sent)) = self.in_flight {
                    if now.saturating_sub(sent) > self.spec.timeout_ns {
                        self.counters.timeouts.inc();
                        self.in_flight = None;
                        self.conn.close(reg);
                        self.reconnect_at_ns = now;
                    }
                }
                (0, None)
            }
            _ => (0, None),
        }
    }

    fn connect_failed(&mut self, now: u64, reg: &MioRegistry) {
        self.conn.close(reg);
        self.in_flight = None;
        self.reconnect_at_ns = now.saturating_add(self.backoff_ns);
        let cap = self.spec.poll_ns.max(5_000_000_000);
        self.backoff_ns = (self.backoff_ns * 2).min(cap);
    }

    fn send_due(
        &mut self,
        now: u64,
        reg: &MioRegistry,
        out: &mut Out,
    ) -> (u32, Option<ParseSample>) {
        let len = self.spec.requests.len();
        if len == 0 {
            return (0, None);
        }
        if self.next_req >= len {
            if now < self.next_round_ns {
                return (0, None);
            }
            self.next_req = 0;
            // A round late by a whole interval or more is skipped: the schedule restarts now.
            let late = now.saturating_sub(self.next_round_ns) >= self.spec.poll_ns;
            if late {
                self.counters.rounds_skipped.inc();
            }
            self.round_ns = if late { now } else { self.next_round_ns };
            self.next_round_ns = self.round_ns.saturating_add(self.spec.poll_ns);
        }
        let i = self.next_req;
        self.next_req += 1;
        self.conn
            .request_buf()
            .extend_from_slice(&self.spec.requests[i].bytes);
        self.conn.start();
        self.in_flight = Some((i, self.round_ns, now));
        self.counters.polls.inc();
        self.drive(now, reg, out)
    }

    /// A readiness event on this poller's socket: move bytes, handle a complete answer.
    pub fn on_event(
        &mut self,
        now: u64,
        reg: &MioRegistry,
        out: &mut Out,
    ) -> (u32, Option<ParseSample>) {
        if !self.active {
            return (0, None);
        }
        let (n, sample) = self.drive(now, reg, out);
        if n > 0 && self.conn.state() == ConnState::Idle {
            // The next request of the round may be due already.
            let (m, s) = self.send_due(now, reg, out);
            return (n + m, sample.or(s));
        }
        (n, sample)
    }

    fn drive(&mut self, now: u64, reg: &MioRegistry, out: &mut Out) -> (u32, Option<ParseSample>) {
        let was_connecting = self.conn.state() == ConnState::Connecting;
        match self.conn.drive() {
            Progress::Pending => {
                if was_connecting && self.conn.state() == ConnState::Idle {
                    self.backoff_ns = RECONNECT_MIN_NS;
                    return self.send_due(now, reg, out);
                }
                (0, None)
            }
            Progress::Ready => {
                let Some((i, stamp_ns, _)) = self.in_flight.take() else {
                    self.conn.close(reg);
                    return (0, None);
                };
                let asked = self.spec.requests[i].asked;
                let (spec, table, c) = (&self.spec, &self.table, &self.counters);
                let mut sample = None;
                let mut pause = None;
                let taken = self.conn.take_response(|status, headers, body| {
                    c.answers.inc();
                    match status {
                        200 => {
                            let r =
                                parse_answer(spec.kind, body, table, asked, spec.venue, &mut |q| {
                                    out.push_rest(q, stamp_ns, c)
                                });
                            match r {
                                Ok(Answer::Quotes { unknown, .. }) => {
                                    c.unknown_symbols.add(unknown as u64)
                                }
                                Ok(Answer::VenueError) => c.venue_errors.inc(),
                                Err(e) => {
                                    c.parse_errors.inc();
                                    sample = Some(ParseSample::of(Some(e)).with(body));
                                }
                            }
                        }
                        429 | 418 => {
                            if status == 429 {
                                c.http_429.inc();
                            } else {
                                c.http_418.inc();
                            }
                            pause = Some(retry_after_ns(headers).unwrap_or(DEFAULT_RETRY_AFTER_NS));
                        }
                        _ => c.http_errors.inc(),
                    }
                });
                if let Some(p) = pause {
                    // From the answer's arrival, read now: `now` can predate this poll's own
                    // request (sent and answered within one loop), and the venue counts from
                    // when it answered. A 429 is rare, so one clock read here costs nothing.
                    let received = out.clock.now_ns().max(now);
                    self.paused_until_ns = received.saturating_add(p);
                }
                if let Some(((), false)) = taken {
                    self.conn.close(reg);
                    self.reconnect_at_ns = now;
                }
                (1, sample)
            }
            Progress::Lost(_) => {
                self.counters.lost.inc();
                self.in_flight = None;
                if was_connecting {
                    self.connect_failed(now, reg);
                } else {
                    self.conn.close(reg);
                    self.reconnect_at_ns = now;
                }
                (0, None)
            }
        }
    }

    /// Close the connection (shutdown).
    pub fn close(&mut self, reg: &MioRegistry) {
        self.conn.close(reg);
        self.in_flight = None;
        self.active = false;
    }
}

/// `Retry-After` in whole seconds (the form Binance and the HTTP spec's delta-seconds use), as ns.
fn retry_after_ns(headers: &[httparse::Header<'_>]) -> Option<u64> {
    let h = headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("retry-after"))?;
    let secs = crate::base::scan::parse_u64(h.value.trim_ascii())?;
    secs.checked_mul(1_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_header() {
        let h = [httparse::Header {
            name: "Retry-After",
            value: b" 7",
        }];
        assert_eq!(retry_after_ns(&h), Some(7_000_000_000));
        let bad = [httparse::Header {
            name: "retry-after",
            value: b"Wed, 21 Oct 2015 07:28:00 GMT",
        }];
        assert_eq!(retry_after_ns(&bad), None);
        assert_eq!(retry_after_ns(&[]), None);
    }
}
