//! [`WsSession`]: one persistent, authenticated WebSocket session, from TCP connect to the
//! venue's login, carrying order requests and their answers and the venue's pushes, and back to
//! reconnecting after a loss. What is venue-specific (the login, the requests, reading a frame) is
//! its [`WsDialect`]; the state machine is the same for every venue.
//!
//! ```text
//!  Down --retry time--> Connecting --TCP (+TLS) up--> Upgrading --101--> LoggingOn --200--> Ready
//!   ^                       |  timeout / error             |                 | refused     | lost /
//!   +-----------------------+------------------------------+-----------------+-------------+ renewal
//! ```
//! (A socket the upgrade itself authenticates, [`LoginFrame::NotNeeded`], goes from `Upgrading`
//! straight to `Ready`.)
//!
//! Contract:
//! - Orders go only on a `Ready` session ([`WsSession::is_ready`]); otherwise
//!   [`WsSession::stage`] refuses at once (the caller sends on REST instead), so one order is
//!   decided to one path before any byte is written.
//! - Every staged request that is sent gets exactly one [`WsOut::Answer`] from
//!   [`WsSession::poll`]: the venue's answer read by the dialect (the REST path's judgement), or
//!   `Ambiguous` when its deadline passes or the session is lost after its first byte left, or
//!   `NotSent` when the session is lost before that. Never a retry: the caller status-queries
//!   what is ambiguous.
//! - After each (re)connect the session logs on again before it is `Ready`, then sends the
//!   dialect's subscriptions; it renews itself (closes and reconnects) after `renew_after_ns`,
//!   first refusing new requests until those in flight are answered, so a renewal loses no order.
//! - The server's pings are answered with a pong carrying the same payload; a dialect's text
//!   keep-alive is sent when nothing was written for its idle time.
//! - Half-open connections end: a request waiting with nothing read since it was sent gets a
//!   liveness ping, and the session ends when that goes unanswered; a socket with a keep-alive
//!   that reads nothing for three of its intervals ends too (a push-only stream).
//! - Pushes (order updates, balances) are read by the dialect into [`WsOut::Stream`] events.
//! - A session the venue de-authenticates ([`Inbound::Revoked`](super::dialect::Inbound::Revoked): Binance's answer with a null id
//!   after a key was revoked) ends at once, as a lost one: what was in flight is `Ambiguous`
//!   (the request that met the revocation names no id, so it cannot be told apart), and the next
//!   logon says whether the key is still refused.
//! - Hot path (`stage`, `send`, `poll` with answers and pushes): the dialect writes the request
//!   into a buffer reserved once, [`write_client_frame`] masks it into the reserved output
//!   buffer, frames are read in place from a fixed input buffer; nothing allocates on plain TCP.
//!   Connecting, the upgrade and the login are cold and may allocate.
//! - Time is the caller's: `now_ns` (monotonic: deadlines, backoff) and `unix_ms` (the venue's
//!   clock: timestamps).

use std::net::SocketAddr;

use crate::exec::gateway::codec::{AnswerKind, RestAnswer};
use crate::exec::gateway::SubmitError;
use crate::model::Order;
use crate::net::http::TlsTarget;

use super::counters::WsCounters;
use super::dialect::{Inbound as Kind, LoginFrame, OrderLookup, StreamEvent, WsDialect, WsOp};
use super::frame::{
    read_head, write_client_frame, MaskRng, MAX_CONTROL_PAYLOAD, OP_BINARY, OP_CLOSE, OP_PING,
    OP_PONG, OP_TEXT,
};
use super::handshake::Handshake;
use super::transport::Transport;

/// What a session's poll hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WsOut {
    /// The one answer of a request (the venue's, or `Ambiguous` / `NotSent`).
    Answer(RestAnswer),
    /// Something the venue pushed: an order's final state or a balance.
    Stream(StreamEvent),
}

/// Capacity reserved for one request's JSON (the longest of any dialect is under 512 bytes).
const JSON_CAPACITY: usize = 1024;

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
    /// A request in flight this long with nothing read since it was sent makes the session
    /// suspect: a ping is sent, and the session is ended when nothing is read for as long again
    /// (a half-open connection). Requests' fates then go to status queries on REST.
    pub stale_after_ns: u64,
    /// Input buffer: the largest frame the session accepts.
    pub in_cap: usize,
    /// Output buffer: frames staged and not yet taken by the socket.
    pub out_cap: usize,
    /// A logged-on session with no request in flight and nothing waiting to be written reads its
    /// socket at most this often (0: at every poll). Why: the session polls by trying a `read`
    /// (no readiness registration), and on the engine's shared pipeline thread a `read` per socket
    /// per pass is a system call per market frame: four venues' sessions at 100k frames/s cost
    /// more than the frames themselves and the feed fell behind. Pushes and the server's pings
    /// wait at most this long; answers never do (a request in flight is read at every poll).
    pub idle_read_ns: u64,
}

impl WsSessionSettings {
    /// Defaults for `addr`: 2 s answers, 5 s connects, retries from 100 ms to 10 s, renewal after
    /// 23 h, 64 KiB in, 16 KiB out, an idle session read every 50 us.
    pub fn new(addr: SocketAddr, host_header: String, path: String) -> Self {
        WsSessionSettings {
            addr,
            host_header,
            path,
            answer_timeout_ns: 2_000_000_000,
            connect_timeout_ns: 5_000_000_000,
            retry_min_ns: 100_000_000,
            retry_max_ns: 10_000_000_000,
            renew_after_ns: 23 * 3600 * 1_000_000_000,
            stale_after_ns: 1_000_000_000,
            in_cap: 64 << 10,
            out_cap: 16 << 10,
            idle_read_ns: 50_000,
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
    /// The venue took the session's authentication away (a key revoked while logged on).
    Revoked,
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    order: Order,
    op: WsOp,
    deadline_ns: u64,
    /// The transport's `appended()` when the frame was staged: it has left once `left()` passes.
    start: u64,
}

/// What the frames of one read decided, applied after the input is released.
#[derive(Debug, Default)]
struct Inbound {
    /// Frames read (any kind).
    frames: u32,
    logon: Option<bool>,
    end: Option<End>,
    pong: Option<([u8; MAX_CONTROL_PAYLOAD], usize)>,
}

/// The parts of a session the inbound frames update (apart from the transport that holds them).
#[derive(Debug)]
struct Book {
    dialect: Box<dyn WsDialect>,
    pending: [Option<Pending>; PENDING],
    in_flight: usize,
    counters: WsCounters,
}

impl Book {
    fn take(&mut self, number: u64, op: WsOp) -> Option<Order> {
        let slot = self
            .pending
            .iter_mut()
            .find(|p| p.is_some_and(|p| p.order.id.0 == number && p.op == op))?;
        let p = slot.take()?;
        self.in_flight -= 1;
        Some(p.order)
    }

    /// One text frame.
    fn on_text(
        &mut self,
        payload: &[u8],
        now_ns: u64,
        orders: OrderLookup<'_>,
        inbound: &mut Inbound,
        out: &mut impl FnMut(WsOut),
    ) {
        match self.dialect.classify(payload) {
            Kind::Logon(ok) => inbound.logon = Some(ok),
            Kind::Answer { id, op } => match self.take(id, op) {
                Some(order) => {
                    self.counters.answers += 1;
                    out(WsOut::Answer(
                        self.dialect.answer(&order, op, payload, now_ns),
                    ));
                }
                None => self.counters.stray_answers += 1,
            },
            Kind::Push => {
                self.counters.pushes += 1;
                let mut n = 0u64;
                let read = self.dialect.on_push(payload, now_ns, orders, &mut |e| {
                    n += 1;
                    out(WsOut::Stream(e));
                });
                self.counters.stream_events += n;
                if !read {
                    self.counters.unreadable_frames += 1;
                }
            }
            Kind::Keepalive => {}
            Kind::Revoked => inbound.end = Some(End::Revoked),
            Kind::Unreadable => self.counters.unreadable_frames += 1,
        }
    }
}

/// One WebSocket session. See the module documentation.
#[derive(Debug)]
pub struct WsSession {
    settings: WsSessionSettings,
    io: Transport,
    phase: Phase,
    handshake: Option<Handshake>,
    rng: MaskRng,
    /// Where the codec writes one request (reserved once).
    json: Vec<u8>,
    /// Where a rehearsal masks its frame (reserved once, never sent).
    scratch: Vec<u8>,
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
    /// When bytes were last appended for the socket (the dialect's keep-alive idles from it).
    last_write_ns: u64,
    /// When a frame was last read (a request that times out with nothing read since it was
    /// sent means the connection is gone: half-open).
    last_read_ns: u64,
    /// When the liveness ping of a suspect session was sent (`None`: not suspect).
    probe_ns: Option<u64>,
    /// An idle session's next read ([`WsSessionSettings::idle_read_ns`]).
    next_idle_read_ns: u64,
}

impl WsSession {
    /// A session that connects at its first [`poll`](Self::poll) (cold path). `tls`: speak TLS
    /// (wss) to that identity.
    pub fn new(
        settings: WsSessionSettings,
        dialect: Box<dyn WsDialect>,
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
            phase: Phase::Down { retry_at_ns: 0 },
            handshake: None,
            rng: MaskRng::new(seed),
            json: Vec::with_capacity(JSON_CAPACITY),
            scratch: Vec::with_capacity(JSON_CAPACITY + 16),
            book: Book {
                dialect,
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
            last_write_ns: 0,
            last_read_ns: 0,
            probe_ns: None,
            next_idle_read_ns: 0,
        }
    }

    /// Whether this poll can be skipped: the session is logged on with nothing in flight,
    /// staged or unwritten, and its idle read is not due yet.
    #[inline]
    fn idle_skip(&mut self, now_ns: u64) -> bool {
        let quiet = !self.failed
            && self.book.in_flight == 0
            && self.staged == 0
            && self.io.unsent() == 0
            && matches!(self.phase, Phase::Ready { .. });
        if !quiet {
            return false;
        }
        if now_ns < self.next_idle_read_ns {
            return true;
        }
        self.next_idle_read_ns = now_ns.saturating_add(self.settings.idle_read_ns);
        false
    }

    /// True while the session is suspect: a request has waited `stale_after_ns` with nothing
    /// read since it was sent, and the liveness ping is unanswered. Status queries should not go
    /// on it then.
    pub fn is_suspect(&self) -> bool {
        self.probe_ns.is_some()
    }

    /// The venue's dialect (its own counters).
    pub fn dialect(&self) -> &dyn WsDialect {
        self.book.dialect.as_ref()
    }

    /// Give the dialect the venue's instrument codes ([`WsDialect::set_venue_codes`]; cold
    /// path): how many instruments got one.
    pub fn set_venue_codes(&mut self, codes: &[(String, u64)]) -> usize {
        self.book.dialect.set_venue_codes(codes)
    }

    /// Whether requests of kind `op` go on this session at all (the others go on REST).
    pub fn takes(&self, op: WsOp) -> bool {
        self.book.dialect.takes(op)
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

    /// Write `op` for `order` into the output buffer without sending it; [`send`](Self::send)
    /// sends, [`discard`](Self::discard) drops. Refused at once (nothing staged) when the session
    /// is not ready, the table or buffer is full, or the dialect cannot write the order (or does
    /// not take `op` on this socket).
    pub fn stage(
        &mut self,
        order: &Order,
        op: WsOp,
        now_ns: u64,
        unix_ms: u64,
    ) -> Result<(), SubmitError> {
        if !self.book.dialect.takes(op) {
            return Err(SubmitError::Unencodable(order.id));
        }
        if !self.is_ready() {
            self.book.counters.refused_not_ready += 1;
            return Err(SubmitError::NotConnected(order.venue));
        }
        let Some(slot) = self.book.pending.iter().position(Option::is_none) else {
            self.book.counters.refused_full += 1;
            return Err(SubmitError::Full { capacity: PENDING });
        };
        self.book
            .dialect
            .write_request(order, op, unix_ms, &mut self.json)
            .map_err(|_| SubmitError::Unencodable(order.id))?;
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
        self.last_write_ns = now_ns;
        self.book.pending[slot] = Some(Pending {
            order: o,
            op,
            deadline_ns: now_ns.saturating_add(self.settings.answer_timeout_ns),
            start,
        });
        self.book.in_flight += 1;
        self.staged |= 1 << slot;
        Ok(())
    }

    /// Write `order`'s placement and mask it into a frame, into scratch buffers, and throw the
    /// bytes away: the idle rehearsal of the order path (warm caches and branch predictors for
    /// the next real order). Nothing is staged, sent, remembered or counted, and the mask
    /// generator does not advance (a fixed scratch mask), so no later frame differs.
    pub fn rehearse(&mut self, order: &Order, unix_ms: u64) {
        if self
            .book
            .dialect
            .write_request(order, WsOp::Place, unix_ms, &mut self.json)
            .is_ok()
        {
            self.scratch.clear();
            let _ = write_client_frame(&mut self.scratch, OP_TEXT, &self.json, [0x5a; 4]);
            std::hint::black_box(&self.scratch);
        }
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

    /// Move bytes, advance the connection, answer what arrived and what expired, read the
    /// venue's pushes: each goes to `out`. `unix_ms` is the venue's clock (the login's
    /// timestamp); `orders` finds the orders pushes name.
    pub fn poll(
        &mut self,
        now_ns: u64,
        unix_ms: u64,
        orders: OrderLookup<'_>,
        out: &mut impl FnMut(WsOut),
    ) {
        if self.idle_skip(now_ns) {
            return;
        }
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
                    let mut extra = Vec::new();
                    self.book.dialect.upgrade_headers(unix_ms, &mut extra);
                    let s = &self.settings;
                    h.write_request(&s.host_header, &s.path, &extra, &mut self.io.out);
                    self.handshake = Some(h);
                    self.phase = Phase::Upgrading { since_ns };
                    self.drive(now_ns, unix_ms, orders, out);
                }
                Ok(false) if self.timed_out(since_ns, now_ns) => {
                    self.end(now_ns, End::ConnectFailed, out)
                }
                Ok(false) => {}
                Err(_) => self.end(now_ns, End::ConnectFailed, out),
            },
            _ => self.drive(now_ns, unix_ms, orders, out),
        }
    }

    fn timed_out(&self, since_ns: u64, now_ns: u64) -> bool {
        now_ns.saturating_sub(since_ns) > self.settings.connect_timeout_ns
    }

    fn start_connect(&mut self, now_ns: u64, out: &mut impl FnMut(WsOut)) {
        self.book.counters.connects += 1;
        match self.io.connect(self.settings.addr) {
            Ok(()) => self.phase = Phase::Connecting { since_ns: now_ns },
            Err(_) => self.end(now_ns, End::ConnectFailed, out),
        }
    }

    /// Logged on (or needing no login): ready, and the dialect's subscriptions written.
    fn on_ready(&mut self, now_ns: u64) {
        self.book.counters.logons += 1;
        self.failures = 0;
        self.phase = Phase::Ready { since_ns: now_ns };
        self.last_read_ns = now_ns;
        self.probe_ns = None;
        self.logon_seq += 1;
        let Self { book, io, rng, .. } = self;
        book.dialect
            .write_subscriptions(self.logon_seq, &mut |json| {
                if write_client_frame(&mut io.out, OP_TEXT, json, rng.mask()).is_ok() {
                    book.counters.subscriptions += 1;
                }
            });
        self.last_write_ns = now_ns;
    }

    /// Upgrading, logging on or ready: write, read, and act on what was read.
    fn drive(
        &mut self,
        now_ns: u64,
        unix_ms: u64,
        orders: OrderLookup<'_>,
        out: &mut impl FnMut(WsOut),
    ) {
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
                    match self.logon(unix_ms) {
                        LoginFrame::Written => self.phase = Phase::LoggingOn { since_ns },
                        LoginFrame::NotNeeded => self.on_ready(now_ns),
                        LoginFrame::Failed => return self.end(now_ns, End::ConnectFailed, out),
                    }
                }
                Ok(None) if read.is_err() || self.timed_out(since_ns, now_ns) => {
                    return self.end(now_ns, End::ConnectFailed, out)
                }
                Ok(None) => return,
                Err(_) => return self.end(now_ns, End::ConnectFailed, out),
            }
        }
        let inbound = self.read_frames(start, now_ns, orders, out);
        if inbound.frames > 0 {
            self.last_read_ns = now_ns;
            self.probe_ns = None;
        }
        if let Some((buf, n)) = inbound.pong {
            let mask = self.rng.mask();
            if write_client_frame(&mut self.io.out, OP_PONG, &buf[..n], mask).is_ok() {
                self.book.counters.pings_answered += 1;
            } else {
                self.book.counters.pongs_dropped += 1;
            }
        }
        match inbound.logon {
            Some(true) if matches!(self.phase, Phase::LoggingOn { .. }) => self.on_ready(now_ns),
            Some(true) => self.book.counters.stray_answers += 1,
            Some(false) => return self.end(now_ns, End::LogonRefused, out),
            None => {}
        }
        if let Some(why) = inbound.end {
            return self.end(now_ns, why, out);
        }
        if read.is_err() {
            return self.end(now_ns, self.lost_reason(), out);
        }
        if let Phase::Ready { .. } = self.phase {
            self.keepalive(now_ns);
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

    /// The dialect's text keep-alive, when nothing was written for its idle time (and nothing
    /// is staged: a keep-alive never splits staged frames from their `send`).
    fn keepalive(&mut self, now_ns: u64) {
        let Some((idle_ns, text)) = self.book.dialect.keepalive() else {
            return;
        };
        if self.staged != 0 || now_ns.saturating_sub(self.last_write_ns) < idle_ns {
            return;
        }
        let mask = self.rng.mask();
        if write_client_frame(&mut self.io.out, OP_TEXT, text, mask).is_ok() {
            self.book.counters.keepalives += 1;
            self.last_write_ns = now_ns;
        }
    }

    fn lost_reason(&self) -> End {
        match self.phase {
            Phase::Ready { .. } => End::Lost,
            Phase::LoggingOn { .. } => End::LogonRefused,
            _ => End::ConnectFailed,
        }
    }

    /// Frames in `inb[start..]`: answers and pushes to `out`, the rest into the returned
    /// decisions; the bytes read are consumed.
    fn read_frames(
        &mut self,
        start: usize,
        now_ns: u64,
        orders: OrderLookup<'_>,
        out: &mut impl FnMut(WsOut),
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
            inbound.frames += 1;
            match (head.fin, head.opcode) {
                // Upbit sends its frames as binary messages of the same UTF-8 JSON.
                (true, OP_TEXT | OP_BINARY) => {
                    self.book
                        .on_text(payload, now_ns, orders, &mut inbound, out)
                }
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

    /// The dialect's login into the output buffer (cold path: signs).
    fn logon(&mut self, unix_ms: u64) -> LoginFrame {
        self.logon_seq += 1;
        let mut json = Vec::new();
        let r = self
            .book
            .dialect
            .write_login(unix_ms, self.logon_seq, &mut json);
        if r != LoginFrame::Written {
            return r;
        }
        let mut frame = Vec::with_capacity(json.len() + 16);
        let mask = self.rng.mask();
        if write_client_frame(&mut frame, OP_TEXT, &json, mask).is_err() {
            return LoginFrame::Failed;
        }
        self.io.out.extend_from_slice(&frame);
        LoginFrame::Written
    }

    /// Deadlines of the requests in flight, the liveness probe, and the renewal. A request in
    /// flight for `stale_after_ns` with no frame read since it was sent makes the session
    /// suspect: a ping goes out (a live peer answers it at once); nothing read for
    /// `stale_after_ns` more means a half-open connection (the peer vanished without a FIN, or
    /// stopped reading): the session is ended and reconnects, so requests go on REST meanwhile
    /// instead of waiting on a dead socket one after another.
    fn expire(&mut self, since_ns: u64, now_ns: u64, out: &mut impl FnMut(WsOut)) {
        if self.book.in_flight > 0 {
            let timeout = self.settings.answer_timeout_ns;
            let mut oldest = u64::MAX;
            for slot in self.book.pending.iter_mut() {
                if let Some(p) = *slot {
                    if now_ns >= p.deadline_ns {
                        *slot = None;
                        self.book.in_flight -= 1;
                        self.book.counters.timeouts += 1;
                        out(WsOut::Answer(RestAnswer::without_response(
                            &p.order,
                            AnswerKind::Ambiguous,
                            now_ns,
                        )));
                    } else {
                        oldest = oldest.min(p.deadline_ns.saturating_sub(timeout));
                    }
                }
            }
            let stale_after = self.settings.stale_after_ns;
            let silent = oldest != u64::MAX
                && self.last_read_ns < oldest
                && now_ns.saturating_sub(oldest) >= stale_after;
            match self.probe_ns {
                None if silent => {
                    let mask = self.rng.mask();
                    if write_client_frame(&mut self.io.out, OP_PING, b"live?", mask).is_ok() {
                        self.book.counters.probes += 1;
                        self.probe_ns = Some(now_ns);
                        if self.staged == 0 && self.io.write_some().is_err() {
                            return self.end(now_ns, End::Lost, out);
                        }
                    }
                }
                _ => {}
            }
        }
        // Once the probe is out, the session ends without an answer to it, whether or not a
        // request is still waiting (one may have timed out meanwhile).
        if let Some(at) = self.probe_ns {
            if now_ns.saturating_sub(at) >= self.settings.stale_after_ns {
                self.book.counters.stale_sessions += 1;
                return self.end(now_ns, End::Lost, out);
            }
        }
        // A socket kept alive by the dialect's keep-alive (which the venue answers) that has read
        // nothing for three keep-alive intervals is gone too, with or without a request in
        // flight: a push-only stream has none to time out.
        if let Some((idle_ns, _)) = self.book.dialect.keepalive() {
            if now_ns.saturating_sub(self.last_read_ns) >= idle_ns.saturating_mul(3) {
                self.book.counters.stale_sessions += 1;
                return self.end(now_ns, End::Lost, out);
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
    fn end(&mut self, now_ns: u64, why: End, out: &mut impl FnMut(WsOut)) {
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
                out(WsOut::Answer(RestAnswer::without_response(
                    &p.order, kind, now_ns,
                )));
            }
        }
        self.book.in_flight = 0;
        self.staged = 0;
        self.io.close();
        self.handshake = None;
        self.renewing = false;
        self.probe_ns = None;
        let c = &mut self.book.counters;
        let delay = match why {
            End::Renewal => {
                c.renewals += 1;
                0
            }
            End::Lost | End::Protocol | End::Revoked => {
                if why == End::Revoked {
                    c.revocations += 1;
                }
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
