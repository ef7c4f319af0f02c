//! One client connection of one venue, on its own thread: the WebSocket handshake (blocking, with
//! a deadline), then a loop over a non-blocking socket that, each turn,
//! 1. carries out fault requests (drop, stall, garbage, oversized);
//! 2. reads every client message available and answers it as the venue does ([`protocol`]);
//! 3. runs Binance's server keep-alive (ping every interval, close when no pong in time);
//! 4. waits up to [`TICK`] for batches from the source and writes them, with one flush per turn.
//!
//! Frames go out only once the client subscribed to what the source streams, and only those of
//! the instruments it subscribed to (each frame carries its instrument's symbol in the venue's
//! spelling). Writes never block:
//! tungstenite keeps what the socket did not take and the loop flushes it before taking more
//! batches, so a slow client slows (paced source: drops for) only its own connection.
//! Send times go to the venue's [`SendLog`](super::SendLog) just before each batch is written.

use std::io::ErrorKind;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use tungstenite::handshake::server::{Request, Response};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Bytes, Message, Utf8Bytes, WebSocket};

use super::faults::{garbage_frame, FaultCursor};
use super::format::{self, UpbitKeys};
use super::protocol::{self, normalize_symbol};
use super::send_log::unix_ns;
use super::shared::{Batch, Shared, VenueShared};
use super::stats::VenueCounters;
use crate::venue_kind::VenueKind;

/// Longest wait for a batch before the loop turns again (bounds the delay of answers).
pub const TICK: Duration = Duration::from_millis(2);
/// Longest WebSocket handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// Batches taken in one turn before flushing.
const MAX_BATCHES_PER_TURN: usize = 64;

/// Why the loop ended (all end the connection; the reason only matters to tests via counters).
struct End;

type Ws = WebSocket<TcpStream>;

struct Conn<'a> {
    shared: &'a Shared,
    venue: &'a VenueShared,
    kind: VenueKind,
    ws: Ws,
    rx: Receiver<Arc<Batch>>,
    conn_id: String,
    /// Normalised symbol of each synthetic instrument on this venue, by instrument index.
    symbols: Vec<String>,
    /// Which instruments this connection subscribed to, by instrument index.
    subscribed: Vec<bool>,
    /// Subscribed to something the source streams: frames flow (those of subscribed instruments).
    feeding: bool,
    /// Subscribed to every instrument: counted in the venue's `feeding`.
    complete: bool,
    upbit_keys: UpbitKeys,
    /// Upbit: the next frame of each instrument is its first (SNAPSHOT).
    upbit_first: Vec<bool>,
    /// Binance: each instrument's combined-stream name when the frames are wrapped.
    binance_streams: Option<Vec<String>>,
    buf: Vec<u8>,
    cursor: FaultCursor,
    pending_flush: bool,
    last_server_ping_ns: u64,
    pong_due_since: Option<u64>,
    /// Client messages read while the venue was stalled: handled, in order, once it resumes.
    held: std::collections::VecDeque<Message>,
}

/// Serve one accepted TCP connection until it ends or the exchange stops.
pub(crate) fn serve(
    shared: Arc<Shared>,
    venue_index: usize,
    conn_no: u64,
    stream: TcpStream,
    rx: Receiver<Arc<Batch>>,
) {
    let venue = &shared.venues[venue_index];
    let c = &venue.counters;
    let Some((ws, path, authorization)) = handshake(&shared, stream) else {
        return;
    };
    VenueCounters::inc(&c.handshakes);
    VenueCounters::inc(&c.connections_open);
    let kind = venue.spec.kind;
    if kind == VenueKind::Binance && path.starts_with(crate::rest::ws_api::PATH) {
        // A WebSocket API session, not a feed: it takes no batches.
        venue.conns().retain(|(id, _)| *id != conn_no);
        drop(rx);
        crate::rest::ws_api::serve(&shared, venue_index, ws);
        c.connections_open.fetch_sub(1, Ordering::Relaxed);
        return;
    }
    if kind == VenueKind::Bybit && crate::rest::bybit_ws::serves(&path) {
        // A trade socket or private stream, not a feed: it takes no batches.
        venue.conns().retain(|(id, _)| *id != conn_no);
        drop(rx);
        crate::rest::bybit_ws::serve(&shared, venue_index, ws, &path, conn_no);
        c.connections_open.fetch_sub(1, Ordering::Relaxed);
        return;
    }
    if kind == VenueKind::Upbit && path.starts_with(crate::rest::upbit_private::PATH) {
        // Upbit's private stream, not the feed: it takes no batches.
        venue.conns().retain(|(id, _)| *id != conn_no);
        drop(rx);
        crate::rest::upbit_private::serve(&shared, venue_index, ws, authorization);
        c.connections_open.fetch_sub(1, Ordering::Relaxed);
        return;
    }
    if kind == VenueKind::Okx && path.starts_with(crate::rest::okx_ws::PATH) {
        // OKX's private WebSocket (order ops and private channels), not a feed.
        venue.conns().retain(|(id, _)| *id != conn_no);
        drop(rx);
        crate::rest::okx_ws::serve(&shared, venue_index, conn_no, ws);
        c.connections_open.fetch_sub(1, Ordering::Relaxed);
        return;
    }
    let mut conn = Conn {
        shared: &shared,
        venue,
        kind,
        ws,
        rx,
        conn_id: format!("{:08x}", 0x6d00_0000u64 + conn_no),
        symbols: venue
            .spec
            .symbols
            .iter()
            .map(|s| normalize_symbol(s))
            .collect(),
        subscribed: vec![false; venue.spec.symbols.len()],
        feeding: false,
        complete: false,
        upbit_keys: UpbitKeys::Default,
        upbit_first: vec![true; venue.spec.symbols.len()],
        binance_streams: None,
        buf: Vec::with_capacity(512),
        cursor: venue.faults.cursor(),
        pending_flush: false,
        last_server_ping_ns: shared.now_ns(),
        pong_due_since: None,
        held: std::collections::VecDeque::new(),
    };
    if kind == VenueKind::Binance {
        if let Some((combined, symbols)) = protocol::binance_path(&path) {
            if combined {
                let names = venue.spec.symbols.iter();
                conn.binance_streams =
                    Some(names.map(|s| protocol::binance_stream_name(s)).collect());
            }
            conn.subscribed(&symbols);
        }
    }
    let _ = conn.run();
    if conn.complete {
        venue.feeding.fetch_sub(1, Ordering::AcqRel);
    }
    c.connections_open.fetch_sub(1, Ordering::Relaxed);
}

// tungstenite's handshake callback type returns its own large `ErrorResponse`.
#[allow(clippy::result_large_err)]
fn handshake(shared: &Shared, stream: TcpStream) -> Option<(Ws, String, Option<Vec<u8>>)> {
    let _ = stream.set_nodelay(true);
    stream.set_read_timeout(Some(HANDSHAKE_TIMEOUT)).ok()?;
    stream.set_write_timeout(Some(HANDSHAKE_TIMEOUT)).ok()?;
    let mut path = String::new();
    let mut authorization = None;
    let callback = |req: &Request, resp: Response| {
        path = req.uri().to_string();
        authorization = req
            .headers()
            .get("authorization")
            .map(|v| v.as_bytes().to_vec());
        Ok(resp)
    };
    let limit = shared.max_client_message_bytes;
    let config = WebSocketConfig::default()
        .max_message_size(Some(limit))
        .max_frame_size(Some(limit));
    let ws = tungstenite::accept_hdr_with_config(stream, callback, Some(config)).ok()?;
    ws.get_ref().set_nonblocking(true).ok()?;
    Some((ws, path, authorization))
}

fn would_block(e: &tungstenite::Error) -> bool {
    matches!(e, tungstenite::Error::Io(io) if io.kind() == ErrorKind::WouldBlock)
}

impl Conn<'_> {
    fn run(&mut self) -> Result<(), End> {
        let faults = &self.venue.faults;
        let c = &self.venue.counters;
        loop {
            if self.shared.stopping() {
                let _ = self.ws.close(None);
                let _ = self.ws.flush();
                return Ok(());
            }
            let now = self.shared.now_ns();
            if faults.stalled(now) {
                if faults.drop_pending(&self.cursor) {
                    return self.drop_socket();
                }
                while let Ok(b) = self.rx.try_recv() {
                    VenueCounters::add(&c.frames_discarded, b.len() as u64);
                }
                std::thread::sleep(TICK);
                continue;
            }
            let due = faults.due(&mut self.cursor);
            if due.drop {
                return self.drop_socket();
            }
            for i in 0..due.garbage {
                self.send(Message::Text(Utf8Bytes::from_static(garbage_frame(i))))?;
                VenueCounters::inc(&c.garbage_sent);
            }
            for _ in 0..due.oversized {
                self.send(Message::Text(oversized(due.oversized_bytes)))?;
                VenueCounters::inc(&c.oversized_sent);
            }
            self.read_all()?;
            self.keep_alive(now)?;
            if self.pending_flush {
                self.flush()?;
                if self.pending_flush {
                    std::thread::sleep(Duration::from_micros(200));
                    continue;
                }
            }
            match self.rx.recv_timeout(TICK) {
                Ok(batch) => {
                    self.write_batch(&batch)?;
                    for _ in 1..MAX_BATCHES_PER_TURN {
                        match self.rx.try_recv() {
                            Ok(batch) => self.write_batch(&batch)?,
                            Err(_) => break,
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => std::thread::sleep(TICK),
            }
            self.flush()?;
        }
    }

    fn drop_socket(&mut self) -> Result<(), End> {
        VenueCounters::inc(&self.venue.counters.dropped_by_fault);
        let _ = self.ws.get_ref().shutdown(Shutdown::Both);
        Err(End)
    }

    /// Queue `msg`; a socket that would block keeps it for the next flush.
    fn send(&mut self, msg: Message) -> Result<(), End> {
        match self.ws.write(msg) {
            Ok(()) => Ok(()),
            Err(e) if would_block(&e) => {
                self.pending_flush = true;
                Ok(())
            }
            Err(_) => Err(End),
        }
    }

    fn flush(&mut self) -> Result<(), End> {
        match self.ws.flush() {
            Ok(()) => {
                self.pending_flush = false;
                Ok(())
            }
            Err(e) if would_block(&e) => {
                self.pending_flush = true;
                Ok(())
            }
            Err(_) => Err(End),
        }
    }

    /// A server message: binary for Upbit (it sends everything as binary frames), else text.
    fn venue_message(&self, text: String) -> Message {
        if self.kind == VenueKind::Upbit {
            Message::Binary(Bytes::from(text.into_bytes()))
        } else {
            Message::Text(Utf8Bytes::from(text))
        }
    }

    fn read_all(&mut self) -> Result<(), End> {
        while let Some(msg) = self.held.pop_front() {
            self.on_message(msg)?;
        }
        loop {
            match self.ws.read() {
                // The stall is checked after the read, not before: a message that arrived after a
                // stall was injected is read after it too, so it is held, never answered, however
                // the inject and this loop interleave.
                Ok(msg) if self.venue.faults.stalled(self.shared.now_ns()) => {
                    self.held.push_back(msg);
                    return Ok(());
                }
                Ok(msg) => self.on_message(msg)?,
                Err(e) if would_block(&e) => return Ok(()),
                Err(_) => return Err(End),
            }
        }
    }

    fn on_message(&mut self, msg: Message) -> Result<(), End> {
        let c = &self.venue.counters;
        let text = match &msg {
            Message::Text(t) => t.as_str(),
            Message::Binary(b) => std::str::from_utf8(b).unwrap_or(""),
            Message::Ping(_) => {
                // tungstenite queued the pong; it leaves with the next flush.
                VenueCounters::inc(&c.pings_answered);
                return Ok(());
            }
            Message::Pong(_) => {
                VenueCounters::inc(&c.pongs_received);
                self.pong_due_since = None;
                return Ok(());
            }
            Message::Close(_) => {
                let _ = self.ws.flush();
                return Err(End);
            }
            Message::Frame(_) => return Ok(()),
        };
        let ignoring = self.venue.faults.ignoring_pings();
        let reply = protocol::handle(self.kind, text, &self.conn_id, ignoring);
        if reply.ping {
            VenueCounters::inc(if ignoring {
                &c.pings_ignored
            } else {
                &c.pings_answered
            });
        }
        if reply.bad_request {
            VenueCounters::inc(&c.bad_requests);
        }
        if let Some(keys) = reply.upbit_keys {
            self.upbit_keys = keys;
        }
        for t in reply.texts {
            let m = self.venue_message(t);
            self.send(m)?;
        }
        if let Some(symbols) = reply.subscribe {
            self.subscribed(&symbols);
        }
        Ok(())
    }

    /// A subscribe request (or a Binance stream URL) for `symbols`: adds to what this connection
    /// is fed (a capture source feeds any subscription everything).
    fn subscribed(&mut self, symbols: &[String]) {
        VenueCounters::inc(&self.venue.counters.subscribes);
        let any = self.shared.feed_any_subscription;
        for (i, ours) in self.symbols.iter().enumerate() {
            if !self.subscribed[i] && (any || symbols.contains(ours)) {
                self.subscribed[i] = true;
                self.upbit_first[i] = true;
                self.feeding = true;
            }
        }
        let complete = self.feeding && (any || self.subscribed.iter().all(|s| *s));
        if complete && !self.complete {
            self.complete = true;
            self.venue.feeding.fetch_add(1, Ordering::AcqRel);
        }
    }

    fn keep_alive(&mut self, now: u64) -> Result<(), End> {
        if self.kind != VenueKind::Binance {
            return Ok(());
        }
        let ka = self.shared.keep_alive;
        if self.venue.faults.ignoring_pings() {
            self.pong_due_since = None;
            self.last_server_ping_ns = now;
            return Ok(());
        }
        let interval = ka.server_ping_interval.as_nanos() as u64;
        if now.saturating_sub(self.last_server_ping_ns) >= interval {
            self.last_server_ping_ns = now;
            let payload = (unix_ns() / 1_000_000).to_string();
            self.send(Message::Ping(Bytes::from(payload.into_bytes())))?;
            VenueCounters::inc(&self.venue.counters.server_pings_sent);
            self.pong_due_since.get_or_insert(now);
        }
        if let Some(since) = self.pong_due_since {
            if now.saturating_sub(since) > ka.pong_timeout.as_nanos() as u64 {
                VenueCounters::inc(&self.venue.counters.pong_timeouts);
                self.pong_due_since = None;
                if ka.close_without_pong {
                    let _ = self.ws.close(None);
                    let _ = self.ws.flush();
                    return Err(End);
                }
            }
        }
        Ok(())
    }

    fn write_batch(&mut self, batch: &Batch) -> Result<(), End> {
        if !self.feeding {
            return Ok(());
        }
        let send_ns = unix_ns();
        let ts_ms = send_ns / 1_000_000;
        let log = Arc::clone(&self.venue.log);
        let scales = self.shared.scales;
        let mut sent = 0u64;
        match batch {
            Batch::Sim(quotes) => {
                for q in quotes {
                    // Only the instruments this connection subscribed to.
                    if !self.subscribed.get(q.instrument).copied().unwrap_or(false) {
                        continue;
                    }
                    let symbol = self.venue.spec.symbols[q.instrument].as_str();
                    let msg = match self.kind {
                        VenueKind::Binance => {
                            let streams = self.binance_streams.as_ref();
                            let stream = streams.map(|s| s[q.instrument].as_str());
                            format::binance(&mut self.buf, stream, symbol, q, scales);
                            Message::Text(text_of(&self.buf))
                        }
                        VenueKind::Upbit => {
                            let first =
                                std::mem::replace(&mut self.upbit_first[q.instrument], false);
                            let keys = self.upbit_keys;
                            format::upbit(&mut self.buf, keys, symbol, q, ts_ms, first, scales);
                            if let Some(s) = &self.venue.by_instrument {
                                s.record(q.instrument, send_ns);
                            }
                            Message::Binary(Bytes::copy_from_slice(&self.buf))
                        }
                        VenueKind::Bybit => {
                            format::bybit(&mut self.buf, symbol, q, ts_ms, scales);
                            Message::Text(text_of(&self.buf))
                        }
                        VenueKind::Okx => {
                            format::okx(&mut self.buf, symbol, q, ts_ms, scales);
                            Message::Text(text_of(&self.buf))
                        }
                    };
                    log.record(q.seq, send_ns);
                    self.send(msg)?;
                    sent += 1;
                }
            }
            Batch::Raw(frames) => {
                for f in frames {
                    let msg = if f.binary {
                        Message::Binary(f.payload.clone())
                    } else {
                        match Utf8Bytes::try_from(f.payload.clone()) {
                            Ok(t) => Message::Text(t),
                            Err(_) => Message::Binary(f.payload.clone()),
                        }
                    };
                    log.record(f.id, send_ns);
                    self.send(msg)?;
                    sent += 1;
                }
            }
        }
        VenueCounters::add(&self.venue.counters.frames_sent, sent);
        Ok(())
    }
}

/// The formatted frame as text (the formatters write ASCII only).
fn text_of(buf: &[u8]) -> Utf8Bytes {
    Utf8Bytes::try_from(Bytes::copy_from_slice(buf)).unwrap_or_else(|_| Utf8Bytes::from_static(""))
}

/// A JSON text frame of exactly `bytes` bytes (at least the 14 of its envelope).
fn oversized(bytes: usize) -> Utf8Bytes {
    let pad = bytes.saturating_sub(14);
    let mut s = String::with_capacity(pad + 14);
    s.push_str("{\"oversized\":\"");
    s.extend(std::iter::repeat_n('x', pad.saturating_sub(2)));
    s.push_str("\"}");
    Utf8Bytes::from(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_frame_has_the_asked_size() {
        for n in [100, 1 << 20] {
            let t = oversized(n);
            assert_eq!(t.len(), n);
            assert!(serde_json::from_str::<serde_json::Value>(t.as_str()).is_ok());
        }
    }
}
