//! [`WsSession`]: one persistent, authenticated Binance WebSocket API session, from TCP connect
//! to `session.logon`, carrying `order.place` / `order.status` / `order.cancel` and their
//! answers, and back to reconnecting after a loss.
//!
//! ```text
//!  Down --retry time--> Connecting --TCP (+TLS) up--> Upgrading --101--> LoggingOn --200--> Ready
//!   ^                       |  timeout / error             |                 | refused     | lost /
//!   +-----------------------+------------------------------+-----------------+-------------+ renewal
//! ```
//!
//! Contract:
//! - Orders go only on a `Ready` session ([`WsSession::is_ready`]); otherwise
//!   [`WsSession::stage`] refuses at once (the caller sends on REST instead), so one order is
//!   decided to one path before any byte is written.
//! - Every staged request that is sent gets exactly one [`RestAnswer`] from [`WsSession::poll`]:
//!   the venue's answer read by the codec ([`read_order_answer`], the REST path's judgement:
//!   5xx and -1007 are `Ambiguous`), or `Ambiguous` when its deadline passes or the session is
//!   lost after its first byte left, or `NotSent` when the session is lost before that. Never a
//!   retry: the caller status-queries what is ambiguous.
//! - After each (re)connect the session logs on again before it is `Ready`; it renews itself
//!   (closes and reconnects) after `renew_after_ns`, first refusing new requests until those in
//!   flight are answered, so a renewal loses no order.
//! - The server's pings are answered with a pong carrying the same payload.
//! - Hot path (`stage`, `send`, `poll` with answers): the codec writes the request into a buffer
//!   reserved once, [`write_client_frame`] masks it into the reserved output buffer, frames are
//!   read in place from a fixed input buffer; nothing allocates on plain TCP. Connecting, the
//!   upgrade and the logon (an Ed25519 signature) are cold and may allocate.
//! - Time is the caller's: `now_ns` (monotonic: deadlines, backoff) and `unix_ms` (the venue's
//!   clock: `timestamp`).

use std::net::SocketAddr;

use crate::exec::gateway::codec::binance_ws::{
    parse_inbound, read_order_answer, write_logon, Ed25519Key, LogonParams, RequestId, WsInbound,
    WsMethod, WsRequestWriter,
};
use crate::exec::gateway::codec::{AnswerKind, RestAnswer};
use crate::exec::gateway::SubmitError;
use crate::model::Order;
use crate::net::http::TlsTarget;

use super::counters::WsCounters;
use super::frame::{
    read_head, write_client_frame, MaskRng, MAX_CONTROL_PAYLOAD, OP_CLOSE, OP_PING, OP_PONG,
    OP_TEXT,
};
use super::handshake::Handshake;
use super::transport::Transport;

/// Requests in flight at once (the table is scanned on each answer: small on purpose).
pub const PENDING: usize = 64;

/// Everything fixed about a session (cold path, from the config).
#[derive(Debug, Clone)]
pub struct WsSessionSettings {
    /// Where to connect.
    pub addr: SocketAddr,
    /// The `Host` header (`host` or `host:port`).
    pub host_header: String,
    /// The upgrade request's path and query (`/ws-api/v3`).
    pub path: String,
    /// The API key `session.logon` names (registered with the Ed25519 public key).
    pub api_key: String,
    /// `recvWindow` of the logon, ms (0: the venue's default).
    pub recv_window_ms: u32,
    /// How long a request waits for its answer before its fate is called unknown.
    pub answer_timeout_ns: u64,
    /// Longest connect + TLS + upgrade + logon.
    pub connect_timeout_ns: u64,
    /// First reconnect delay after a failure; doubles per consecutive failure up to
    /// `retry_max_ns`.
    pub retry_min_ns: u64,
    /// Longest reconnect delay.
    pub retry_max_ns: u64,
    /// Renew a session this long after its logon (the venue ends one at 24 h).
    pub renew_after_ns: u64,
    /// Input buffer: the largest frame the session accepts.
    pub in_cap: usize,
    /// Output buffer: frames staged and not yet taken by the socket.
    pub out_cap: usize,
}

impl WsSessionSettings {
    /// Defaults for `addr`: 2 s answers, 5 s connects, retries from 100 ms to 10 s, renewal after
    /// 23 h, 64 KiB in, 16 KiB out.
    pub fn new(addr: SocketAddr, host_header: String, path: String, api_key: String) -> Self {
        WsSessionSettings {
            addr,
            host_header,
            path,
            api_key,
            recv_window_ms: 5000,
            answer_timeout_ns: 2_000_000_000,
            connect_timeout_ns: 5_000_000_000,
            retry_min_ns: 100_000_000,
            retry_max_ns: 10_000_000_000,
            renew_after_ns: 23 * 3600 * 1_000_000_000,
            in_cap: 64 << 10,
            out_cap: 16 << 10,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Down { retry_at_ns: u64 },
    Connecting { since_ns: u64 },
    Upgrading { since_ns: u64 },
    LoggingOn { since_ns: u64 },
    Ready { since_ns: u64 },
}

/// Why a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    ConnectFailed,
    LogonRefused,
    Lost,
    Protocol,
    Renewal,
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    order: Order,
    method: WsMethod,
    deadline_ns: u64,
    /// The transport's `appended()` when the frame was staged: it has left once `left()` passes.
    start: u64,
}

/// What the frames of one read decided, applied after the input is released.
#[derive(Debug, Default)]
struct Inbound {
    logon: Option<bool>,
    end: Option<End>,
    pong: Option<([u8; MAX_CONTROL_PAYLOAD], usize)>,
}

/// The parts of a session the inbound frames update (apart from the transport that holds them).
#[derive(Debug)]
struct Book {
    writer: WsRequestWriter,
    pending: [Option<Pending>; PENDING],
    in_flight: usize,
    counters: WsCounters,
}

impl Book {
    fn take(&mut self, number: u64, method: WsMethod) -> Option<Order> {
        let slot = self
            .pending
            .iter_mut()
            .find(|p| p.is_some_and(|p| p.order.id.0 == number && p.method == method))?;
        let p = slot.take()?;
        self.in_flight -= 1;
        Some(p.order)
    }

    /// One text frame.
    fn on_text(
        &mut self,
        payload: &[u8],
        now_ns: u64,
        inbound: &mut Inbound,
        out: &mut impl FnMut(RestAnswer),
    ) {
        let env = match parse_inbound(payload) {
            Ok(WsInbound::Answer(env)) => env,
            Ok(WsInbound::Event(_)) => {
                self.counters.events_dropped += 1;
                return;
            }
            Err(_) => {
                self.counters.unreadable_frames += 1;
                return;
            }
        };
        match env.id {
            Some(RequestId {
                method: WsMethod::Logon,
                ..
            }) => inbound.logon = Some(env.status == 200),
            Some(RequestId {
                method: m @ (WsMethod::Place | WsMethod::Status | WsMethod::Cancel),
                number,
            }) => match self.take(number, m) {
                Some(order) => {
                    self.counters.answers += 1;
                    out(read_order_answer(
                        self.writer.instruments(),
                        &order,
                        &env,
                        now_ns,
                    ));
                }
                None => self.counters.stray_answers += 1,
            },
            _ => self.counters.stray_answers += 1,
        }
    }
}

/// One Binance WebSocket API session. See the module documentation.
#[derive(Debug)]
pub struct WsSession {
    settings: WsSessionSettings,
    key: Ed25519Key,
    io: Transport,
    phase: Phase,
    handshake: Option<Handshake>,
    rng: MaskRng,
    /// Where the codec writes one request (reserved once).
    json: Vec<u8>,
    book: Book,
    /// Slots staged and not sent (bit per slot), and the output length before the first.
    staged: u64,
    staged_from: usize,
    /// A write error seen by `send`, acted on by the next `poll`.
    failed: bool,
    /// Consecutive failed attempts (reconnect backoff).
    failures: u32,
    renewing: bool,
    logon_seq: u64,
}

impl WsSession {
    /// A session that connects at its first [`poll`](Self::poll) (cold path). `tls`: speak TLS
    /// (wss) to that identity.
    pub fn new(
        settings: WsSessionSettings,
        writer: WsRequestWriter,
        key: Ed25519Key,
        tls: Option<TlsTarget>,
    ) -> Self {
        let seed = {
            let mut b = [0u8; 8];
            let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut b);
            u64::from_ne_bytes(b)
        };
        WsSession {
            io: Transport::new(tls, settings.in_cap, settings.out_cap),
            settings,
            key,
            phase: Phase::Down { retry_at_ns: 0 },
            handshake: None,
            rng: MaskRng::new(seed),
            json: Vec::with_capacity(WsRequestWriter::FRAME_CAPACITY),
            book: Book {
                writer,
                pending: [None; PENDING],
                in_flight: 0,
                counters: WsCounters::default(),
            },
            staged: 0,
            staged_from: 0,
            failed: false,
            failures: 0,
            renewing: false,
            logon_seq: 0,
        }
    }

    /// True while orders may go on the session: logged on, not renewing.
    pub fn is_ready(&self) -> bool {
        matches!(self.phase, Phase::Ready { .. }) && !self.renewing && !self.failed
    }

    /// Requests written and not answered yet.
    pub fn in_flight(&self) -> usize {
        self.book.in_flight
    }

    /// The counters.
    pub fn counters(&self) -> WsCounters {
        self.book.counters
    }

    /// Write `method` (`Place`, `Status` or `Cancel`) for `order` into the output buffer without
    /// sending it; [`send`](Self::send) sends, [`discard`](Self::discard) drops. Refused at once
    /// (nothing staged) when the session is not ready, the table or buffer is full, or the codec
    /// cannot write the order.
    pub fn stage(
        &mut self,
        order: &Order,
        method: WsMethod,
        now_ns: u64,
        unix_ms: u64,
    ) -> Result<(), SubmitError> {
        if !self.is_ready() {
            self.book.counters.refused_not_ready += 1;
            return Err(SubmitError::NotConnected(order.venue));
        }
        let Some(slot) = self.book.pending.iter().position(Option::is_none) else {
            self.book.counters.refused_full += 1;
            return Err(SubmitError::Full { capacity: PENDING });
        };
        let w = &self.book.writer;
        let written = match method {
            WsMethod::Place => w.write_place(order, unix_ms, &mut self.json),
            WsMethod::Status => w.write_status(order, unix_ms, &mut self.json),
            WsMethod::Cancel => w.write_cancel(order, unix_ms, &mut self.json),
            _ => return Err(SubmitError::Unencodable(order.id)),
        };
        written.map_err(|_| SubmitError::Unencodable(order.id))?;
        let start = self.io.appended();
        let before = self.io.out.len();
        let mask = self.rng.mask();
        if write_client_frame(&mut self.io.out, OP_TEXT, &self.json, mask).is_err() {
            self.book.counters.refused_full += 1;
            return Err(SubmitError::Full { capacity: PENDING });
        }
        if self.staged == 0 {
            self.staged_from = before;
        }
        let mut o = *order;
        o.sent_ts_ns = now_ns;
        self.book.pending[slot] = Some(Pending {
            order: o,
            method,
            deadline_ns: now_ns.saturating_add(self.settings.answer_timeout_ns),
            start,
        });
        self.book.in_flight += 1;
        self.staged |= 1 << slot;
        Ok(())
    }

    /// Drop every staged request unsent.
    pub fn discard(&mut self) {
        while self.staged != 0 {
            let i = self.staged.trailing_zeros() as usize;
            self.staged &= self.staged - 1;
            if self.book.pending[i].take().is_some() {
                self.book.in_flight -= 1;
            }
        }
        // Nothing writes while requests are staged, so they are still the buffer's tail.
        self.io.out.truncate(self.staged_from);
    }

    /// Hand the staged requests to the socket; returns the bytes handed over. A write error is
    /// acted on by the next [`poll`](Self::poll) (the requests are then answered as lost).
    pub fn send(&mut self) -> usize {
        self.book.counters.requests += u64::from(self.staged.count_ones());
        self.staged = 0;
        let before = self.io.left();
        if self.io.write_some().is_err() {
            self.failed = true;
        }
        (self.io.left() - before) as usize
    }

    /// Move bytes, advance the connection, answer what arrived and what expired: each answer goes
    /// to `out`. `unix_ms` is the venue's clock (the logon's `timestamp`).
    pub fn poll(&mut self, now_ns: u64, unix_ms: u64, out: &mut impl FnMut(RestAnswer)) {
        if self.failed {
            self.failed = false;
            self.end(now_ns, End::Lost, out);
            return;
        }
        match self.phase {
            Phase::Down { retry_at_ns } => {
                if now_ns >= retry_at_ns {
                    self.start_connect(now_ns, out);
                }
            }
            Phase::Connecting { since_ns } => match self.io.poll_connected() {
                Ok(true) => {
                    let nonce = {
                        let (a, b) = (self.rng.next_u64(), self.rng.next_u64());
                        let mut n = [0u8; 16];
                        n[..8].copy_from_slice(&a.to_ne_bytes());
                        n[8..].copy_from_slice(&b.to_ne_bytes());
                        n
                    };
                    let h = Handshake::new(nonce);
                    let s = &self.settings;
                    h.write_request(&s.host_header, &s.path, &mut self.io.out);
                    self.handshake = Some(h);
                    self.phase = Phase::Upgrading { since_ns };
                    self.drive(now_ns, unix_ms, out);
                }
                Ok(false) if self.timed_out(since_ns, now_ns) => {
                    self.end(now_ns, End::ConnectFailed, out)
                }
                Ok(false) => {}
                Err(_) => self.end(now_ns, End::ConnectFailed, out),
            },
            _ => self.drive(now_ns, unix_ms, out),
        }
    }

    fn timed_out(&self, since_ns: u64, now_ns: u64) -> bool {
        now_ns.saturating_sub(since_ns) > self.settings.connect_timeout_ns
    }

    fn start_connect(&mut self, now_ns: u64, out: &mut impl FnMut(RestAnswer)) {
        self.book.counters.connects += 1;
        match self.io.connect(self.settings.addr) {
            Ok(()) => self.phase = Phase::Connecting { since_ns: now_ns },
            Err(_) => self.end(now_ns, End::ConnectFailed, out),
        }
    }

    /// Upgrading, logging on or ready: write, read, and act on what was read.
    fn drive(&mut self, now_ns: u64, unix_ms: u64, out: &mut impl FnMut(RestAnswer)) {
        // Staged requests leave with `send`, never before.
        if self.staged == 0 && self.io.write_some().is_err() {
            return self.end(now_ns, self.lost_reason(), out);
        }
        let read = self.io.read_some();
        let mut start = 0;
        if let Phase::Upgrading { since_ns } = self.phase {
            let Some(h) = self.handshake.as_ref() else {
                return self.end(now_ns, End::ConnectFailed, out);
            };
            match h.read_response(&self.io.inb[..self.io.in_len], self.io.inb.len()) {
                Ok(Some(n)) => {
                    start = n;
                    self.handshake = None;
                    if !self.logon(unix_ms) {
                        return self.end(now_ns, End::ConnectFailed, out);
                    }
                    self.phase = Phase::LoggingOn { since_ns };
                }
                Ok(None) if read.is_err() || self.timed_out(since_ns, now_ns) => {
                    return self.end(now_ns, End::ConnectFailed, out)
                }
                Ok(None) => return,
                Err(_) => return self.end(now_ns, End::ConnectFailed, out),
            }
        }
        let inbound = self.read_frames(start, now_ns, out);
        if let Some((buf, n)) = inbound.pong {
            let mask = self.rng.mask();
            if write_client_frame(&mut self.io.out, OP_PONG, &buf[..n], mask).is_ok() {
                self.book.counters.pings_answered += 1;
            } else {
                self.book.counters.pongs_dropped += 1;
            }
        }
        match inbound.logon {
            Some(true) => {
                self.book.counters.logons += 1;
                self.failures = 0;
                self.phase = Phase::Ready { since_ns: now_ns };
            }
            Some(false) => return self.end(now_ns, End::LogonRefused, out),
            None => {}
        }
        if let Some(why) = inbound.end {
            return self.end(now_ns, why, out);
        }
        if read.is_err() {
            return self.end(now_ns, self.lost_reason(), out);
        }
        if self.staged == 0 && self.io.write_some().is_err() {
            return self.end(now_ns, self.lost_reason(), out);
        }
        match self.phase {
            Phase::LoggingOn { since_ns } if self.timed_out(since_ns, now_ns) => {
                self.end(now_ns, End::LogonRefused, out)
            }
            Phase::Ready { since_ns } => self.expire(since_ns, now_ns, out),
            _ => {}
        }
    }

    fn lost_reason(&self) -> End {
        match self.phase {
            Phase::Ready { .. } => End::Lost,
            Phase::LoggingOn { .. } => End::LogonRefused,
            _ => End::ConnectFailed,
        }
    }

    /// Frames in `inb[start..]`: answers to `out`, the rest into the returned decisions; the
    /// bytes read are consumed.
    fn read_frames(
        &mut self,
        start: usize,
        now_ns: u64,
        out: &mut impl FnMut(RestAnswer),
    ) -> Inbound {
        let mut inbound = Inbound::default();
        let cap = self.io.inb.len();
        let mut pos = start;
        while inbound.end.is_none() {
            let buf = &self.io.inb[pos..self.io.in_len];
            let head = match read_head(buf, cap) {
                Ok(Some(h)) => h,
                Ok(None) => break,
                Err(_) => {
                    self.book.counters.protocol_errors += 1;
                    inbound.end = Some(End::Protocol);
                    break;
                }
            };
            let payload = &buf[head.payload_start..head.frame_len];
            pos += head.frame_len;
            match (head.fin, head.opcode) {
                (true, OP_TEXT) => self.book.on_text(payload, now_ns, &mut inbound, out),
                (true, OP_PING) => {
                    let mut b = [0u8; MAX_CONTROL_PAYLOAD];
                    let n = payload.len().min(MAX_CONTROL_PAYLOAD);
                    b[..n].copy_from_slice(&payload[..n]);
                    inbound.pong = Some((b, n));
                }
                (true, OP_PONG) => {}
                (_, OP_CLOSE) => inbound.end = Some(End::Lost),
                (false, _) | (true, _) => {
                    self.book.counters.unexpected_frames += 1;
                    if !head.fin {
                        inbound.end = Some(End::Protocol);
                    }
                }
            }
        }
        self.io.consume(pos);
        inbound
    }

    /// `session.logon` into the output buffer (cold path: signs). False when it cannot be built.
    fn logon(&mut self, unix_ms: u64) -> bool {
        self.logon_seq += 1;
        let params = LogonParams {
            api_key: self.settings.api_key.as_bytes(),
            timestamp_ms: unix_ms,
            recv_window_ms: self.settings.recv_window_ms,
        };
        let mut json = Vec::new();
        if write_logon(&self.key, params, self.logon_seq, &mut json).is_err() {
            return false;
        }
        let mut frame = Vec::with_capacity(json.len() + 16);
        let mask = self.rng.mask();
        if write_client_frame(&mut frame, OP_TEXT, &json, mask).is_err() {
            return false;
        }
        self.io.out.extend_from_slice(&frame);
        true
    }

    /// Deadlines of the requests in flight, and the renewal.
    fn expire(&mut self, since_ns: u64, now_ns: u64, out: &mut impl FnMut(RestAnswer)) {
        if self.book.in_flight > 0 {
            for slot in self.book.pending.iter_mut() {
                if let Some(p) = *slot {
                    if now_ns >= p.deadline_ns {
                        *slot = None;
                        self.book.in_flight -= 1;
                        self.book.counters.timeouts += 1;
                        out(RestAnswer::without_response(
                            &p.order,
                            AnswerKind::Ambiguous,
                            now_ns,
                        ));
                    }
                }
            }
        }
        if now_ns.saturating_sub(since_ns) >= self.settings.renew_after_ns {
            self.renewing = true;
            if self.book.in_flight == 0 {
                self.end(now_ns, End::Renewal, out);
            }
        }
    }

    /// Tear the connection down: answer what was in flight, count why, schedule the next try.
    fn end(&mut self, now_ns: u64, why: End, out: &mut impl FnMut(RestAnswer)) {
        let left = self.io.left();
        for slot in self.book.pending.iter_mut() {
            if let Some(p) = slot.take() {
                let kind = if left > p.start {
                    self.book.counters.lost_in_flight += 1;
                    AnswerKind::Ambiguous
                } else {
                    self.book.counters.lost_unsent += 1;
                    AnswerKind::NotSent
                };
                out(RestAnswer::without_response(&p.order, kind, now_ns));
            }
        }
        self.book.in_flight = 0;
        self.staged = 0;
        self.io.close();
        self.handshake = None;
        self.renewing = false;
        let c = &mut self.book.counters;
        let delay = match why {
            End::Renewal => {
                c.renewals += 1;
                0
            }
            End::Lost | End::Protocol => {
                c.disconnects += 1;
                self.failures = 0;
                self.settings.retry_min_ns
            }
            End::ConnectFailed | End::LogonRefused => {
                if why == End::LogonRefused {
                    c.logon_refusals += 1;
                } else {
                    c.connect_failures += 1;
                }
                let d = self
                    .settings
                    .retry_min_ns
                    .saturating_mul(1u64 << self.failures.min(16));
                self.failures = self.failures.saturating_add(1);
                d.min(self.settings.retry_max_ns)
            }
        };
        self.phase = Phase::Down {
            retry_at_ns: now_ns.saturating_add(delay),
        };
    }
}
