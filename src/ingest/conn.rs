//! One venue connection: the state machine from TCP connect through the WebSocket handshake to an
//! open, subscribed stream, and back to waiting after a failure.
//!
//! ```text
//!  Waiting --retry time--> Connecting --writable+connected--> Handshaking --done--> Open
//!     ^                        |  timeout / refused                |  WouldBlock: resume   |
//!     +------------------------+-----------------------------------+--- close / error / silence
//! ```
//!
//! Nothing here blocks: the TCP connect is non-blocking, the TLS and WebSocket handshakes resume on
//! `WouldBlock` (tungstenite's `MidHandshake`), reads drain until `WouldBlock`. Every way a
//! connection can end is counted, and the next attempt waits an exponential backoff with jitter;
//! a feed circuit breaker stops attempts for a while when a venue keeps failing. With an address
//! feed the venue's host is resolved again, off this thread, before each reconnect.

use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::Arc;

use mio::net::TcpStream;
use mio::{Interest, Registry as MioRegistry, Token};
use tungstenite::client::client_with_config;
use tungstenite::handshake::client::ClientHandshake;
use tungstenite::handshake::{HandshakeError, MidHandshake};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

use super::counters::ConnCounters;
use super::out::{Out, ParseSample};
use super::venues::{ClientPing, FeedParser, KeepAlive};
use crate::base::backoff::Backoff;
use crate::base::breaker::{Breaker, BreakerConfig};
use crate::model::VenueId;
use crate::net::dns_refresh::AddrFeed;
use crate::net::url::WsUrl;
use crate::telemetry::{Registry, SampleTx};

/// The stream a WebSocket runs over: plain TCP or rustls over TCP.
pub type Stream = MaybeTlsStream<TcpStream>;

/// Everything fixed about one connection, built from the config.
#[derive(Debug, Clone)]
pub struct ConnSpec {
    /// The venue's id (config order).
    pub venue: VenueId,
    /// The venue's name (counters, logs).
    pub name: String,
    /// Where to connect.
    pub url: WsUrl,
    /// Resolved addresses of `url`'s host, tried in turn (resolved on the cold path).
    pub addrs: Vec<SocketAddr>,
    /// Text messages sent once open (subscriptions).
    pub subscribe: Vec<String>,
    /// The venue's keep-alive rule.
    pub keep_alive: KeepAlive,
    /// No message for this long: the venue's quotes are stale (counted as a stale period).
    pub stale_after_ns: u64,
    /// No message for this long: reconnect.
    pub reconnect_after_ns: u64,
    /// Longest TCP connect + TLS + WebSocket handshake.
    pub connect_timeout_ns: u64,
    /// Largest WebSocket frame and message accepted; larger ones drop the connection.
    pub max_message_bytes: usize,
    /// Feed breaker: consecutive failed sessions before it opens, and how long it stays open.
    pub breaker: BreakerConfig,
}

enum State {
    Waiting {
        retry_at_ns: u64,
    },
    Connecting {
        stream: TcpStream,
        since_ns: u64,
    },
    Handshaking {
        mid: Box<MidHandshake<ClientHandshake<Stream>>>,
        since_ns: u64,
    },
    Open {
        ws: Box<WebSocket<Stream>>,
        opened_ns: u64,
    },
    /// Transitional while a state is being taken apart.
    Empty,
}

/// Why a session or attempt ended (for counting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    ConnectFailed,
    Disconnected,
    Silent,
    Oversized,
}

/// One venue connection.
pub struct Connection {
    spec: ConnSpec,
    token: Token,
    tls: Option<Arc<rustls::ClientConfig>>,
    state: State,
    /// The venue's parser (symbol table, sequence guard).
    pub parser: FeedParser,
    backoff: Backoff,
    breaker: Breaker,
    attempt: usize,
    last_recv_ns: u64,
    last_ping_ns: u64,
    stale: bool,
    healthy: bool,
    pending: bool,
    /// Counters.
    pub counters: ConnCounters,
    samples: SampleTx<ParseSample>,
    /// Fresh addresses of the host, asked for whenever a session or attempt ends.
    addr_feed: Option<AddrFeed>,
}

/// tungstenite's read buffer, and the most one `recv` asks for. tungstenite zero-fills the free
/// part of its buffer, up to this size, before every `recv` (`FrameCodec::read_in`), including
/// the last one that finds the socket empty: with its 128 KiB default that was a 128 KiB memset
/// per readiness event, which showed in the pipeline thread's profile and flushed the L1 cache
/// between quotes. A top-of-book frame is a few hundred bytes; a larger frame still reads whole
/// (tungstenite reserves a frame's full length from its header).
pub const READ_BUFFER_BYTES: usize = 4096;

/// Most data frames one poll of a dedicated ingest thread reads before it looks for new readiness
/// and runs its timers (see `IngestSettings::frames_per_poll`).
pub const READ_BUDGET: u32 = 32;

/// How long an open breaker waits before the next check, so a refused attempt is retried.
const BREAKER_RECHECK_NS: u64 = 1_000_000_000;

impl Connection {
    /// A connection that will start connecting at its first timer check.
    pub fn new(
        spec: ConnSpec,
        token: Token,
        tls: Option<Arc<rustls::ClientConfig>>,
        parser: FeedParser,
        backoff: Backoff,
        reg: &mut Registry,
    ) -> Connection {
        let counters = ConnCounters::register(reg, &spec.name);
        let samples = reg.sampler(&format!("ingest.{}", spec.name), 1_000_000_000);
        Connection {
            breaker: Breaker::new(spec.breaker),
            spec,
            token,
            tls,
            state: State::Waiting { retry_at_ns: 0 },
            parser,
            backoff,
            attempt: 0,
            last_recv_ns: 0,
            last_ping_ns: 0,
            stale: false,
            healthy: false,
            pending: false,
            counters,
            samples,
            addr_feed: None,
        }
    }

    /// Resolve the venue's host again for every reconnect: each end of a session or attempt asks
    /// `feed` for a fresh lookup (non-blocking), and the next connect takes the newest address
    /// answered (see [`crate::net::dns_refresh`]). Cold path.
    pub fn set_addr_feed(&mut self, feed: AddrFeed) {
        self.addr_feed = Some(feed);
    }

    /// The venue's name.
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The venue's id.
    pub fn venue(&self) -> VenueId {
        self.spec.venue
    }

    /// True while subscribed and reading.
    pub fn is_open(&self) -> bool {
        matches!(self.state, State::Open { .. })
    }

    /// True while the stream delivers: open, a quote received this session, and a message within
    /// the venue's `stale_after_ms` of `now`. When it is false the REST fallback (if configured)
    /// polls the venue instead.
    pub fn is_live(&self, now: u64) -> bool {
        self.is_open()
            && self.healthy
            && now.saturating_sub(self.last_recv_ns) <= self.spec.stale_after_ns
    }

    /// Offer a sample for this venue's rate-limited log (the REST fallback's parse errors).
    pub fn offer_sample(&mut self, now: u64, sample: ParseSample) {
        self.samples.offer(now, || sample);
    }

    fn ws_config(&self) -> WebSocketConfig {
        WebSocketConfig::default()
            .read_buffer_size(READ_BUFFER_BYTES)
            .max_message_size(Some(self.spec.max_message_bytes))
            .max_frame_size(Some(self.spec.max_message_bytes))
    }

    /// Timers: start due connects, time out slow ones, send keep-alives, notice silence.
    pub fn on_timer(&mut self, now: u64, reg: &MioRegistry, out: &mut Out) {
        match &mut self.state {
            State::Waiting { retry_at_ns } if now >= *retry_at_ns => self.start_connect(now, reg),
            State::Connecting { since_ns, .. } | State::Handshaking { since_ns, .. }
                if now.saturating_sub(*since_ns) > self.spec.connect_timeout_ns =>
            {
                self.end(now, End::ConnectFailed, reg)
            }
            State::Open { ws, .. } => {
                let silent_ns = now.saturating_sub(self.last_recv_ns);
                if silent_ns > self.spec.reconnect_after_ns {
                    self.end(now, End::Silent, reg);
                    return;
                }
                if silent_ns > self.spec.stale_after_ns && !self.stale {
                    self.stale = true;
                    self.counters.stale_periods.inc();
                }
                let ka = self.spec.keep_alive;
                if ka.ping_due(self.last_ping_ns, self.last_recv_ns, now) {
                    let msg = match ka.client_ping {
                        ClientPing::ControlFrame => Some(Message::Ping(Default::default())),
                        ClientPing::Text(t) => Some(Message::Text(t.into())),
                        ClientPing::AnswerServerPings => None,
                    };
                    if let Some(m) = msg {
                        self.last_ping_ns = now;
                        self.counters.pings_sent.inc();
                        if let Err(e) = ws.send(m) {
                            if !would_block(&e) {
                                self.end(now, End::Disconnected, reg);
                            }
                        }
                    }
                }
                let _ = out;
            }
            _ => {}
        }
    }

    fn start_connect(&mut self, now: u64, reg: &MioRegistry) {
        if self.breaker.check(now).is_err() {
            self.counters.breaker_rejections.inc();
            self.state = State::Waiting {
                retry_at_ns: now + BREAKER_RECHECK_NS,
            };
            return;
        }
        self.counters.connects.inc();
        if let Some(a) = self.addr_feed.as_mut().and_then(AddrFeed::latest) {
            // In place: the list was resolved non-empty at start-up, so this never allocates.
            self.spec.addrs.clear();
            self.spec.addrs.push(a);
        }
        let addr = self.spec.addrs[self.attempt % self.spec.addrs.len().max(1)];
        self.attempt += 1;
        match TcpStream::connect(addr) {
            Ok(mut stream) => {
                let _ = stream.set_nodelay(true);
                match reg.register(
                    &mut stream,
                    self.token,
                    Interest::READABLE | Interest::WRITABLE,
                ) {
                    Ok(()) => {
                        self.state = State::Connecting {
                            stream,
                            since_ns: now,
                        }
                    }
                    Err(_) => self.end(now, End::ConnectFailed, reg),
                }
            }
            Err(_) => self.end(now, End::ConnectFailed, reg),
        }
    }

    /// A readiness event for this connection's socket: the connect completes, the handshake
    /// advances, or an open socket is marked readable for the stage to read within its budget.
    pub fn on_event(&mut self, now: u64, reg: &MioRegistry) {
        match std::mem::replace(&mut self.state, State::Empty) {
            State::Connecting { stream, since_ns } => {
                if let Ok(Some(_)) | Err(_) = stream.take_error() {
                    self.state = State::Connecting { stream, since_ns };
                    self.end(now, End::ConnectFailed, reg);
                    return;
                }
                match stream.peer_addr() {
                    Ok(_) => self.handshake_start(stream, since_ns, now, reg),
                    Err(e)
                        if e.kind() == ErrorKind::NotConnected
                            || e.kind() == ErrorKind::WouldBlock =>
                    {
                        self.state = State::Connecting { stream, since_ns };
                    }
                    Err(_) => {
                        self.state = State::Connecting { stream, since_ns };
                        self.end(now, End::ConnectFailed, reg);
                    }
                }
            }
            State::Handshaking { mid, since_ns } => {
                let r = (*mid).handshake();
                self.handshake_result(r, since_ns, now, reg)
            }
            State::Open { ws, opened_ns } => {
                // Readable: the stage reads it within its frame budget (`resume`).
                self.state = State::Open { ws, opened_ns };
                self.pending = true;
            }
            other => {
                self.state = other;
            }
        }
    }

    fn handshake_start(&mut self, tcp: TcpStream, since_ns: u64, now: u64, reg: &MioRegistry) {
        let stream = match &self.tls {
            Some(cfg) if self.spec.url.tls => {
                let name = match rustls::pki_types::ServerName::try_from(self.spec.url.host.clone())
                {
                    Ok(n) => n,
                    Err(_) => {
                        self.state = State::Connecting {
                            stream: tcp,
                            since_ns,
                        };
                        self.end(now, End::ConnectFailed, reg);
                        return;
                    }
                };
                match rustls::ClientConnection::new(Arc::clone(cfg), name) {
                    Ok(conn) => MaybeTlsStream::Rustls(rustls::StreamOwned::new(conn, tcp)),
                    Err(_) => {
                        self.state = State::Connecting {
                            stream: tcp,
                            since_ns,
                        };
                        self.end(now, End::ConnectFailed, reg);
                        return;
                    }
                }
            }
            _ => MaybeTlsStream::Plain(tcp),
        };
        let r = client_with_config(self.spec.url.full.as_str(), stream, Some(self.ws_config()));
        self.handshake_result(r.map(|(ws, _resp)| ws), since_ns, now, reg)
    }

    fn handshake_result<R>(
        &mut self,
        r: Result<R, HandshakeError<ClientHandshake<Stream>>>,
        since_ns: u64,
        now: u64,
        reg: &MioRegistry,
    ) where
        R: IntoWs,
    {
        match r {
            Ok(ws) => {
                let mut ws = Box::new(ws.into_ws());
                self.counters.opens.inc();
                self.last_recv_ns = now;
                self.last_ping_ns = now;
                self.stale = false;
                self.healthy = false;
                self.parser.reset();
                for m in &self.spec.subscribe {
                    if let Err(e) = ws.send(Message::Text(m.as_str().into())) {
                        if !would_block(&e) {
                            self.state = State::Open { ws, opened_ns: now };
                            self.end(now, End::Disconnected, reg);
                            return;
                        }
                    }
                }
                self.state = State::Open { ws, opened_ns: now };
                // Data may already be buffered behind the handshake response.
                self.pending = true;
            }
            Err(HandshakeError::Interrupted(mid)) => {
                self.state = State::Handshaking {
                    mid: Box::new(mid),
                    since_ns,
                };
            }
            Err(HandshakeError::Failure(_)) => {
                self.state = State::Waiting { retry_at_ns: now };
                self.end(now, End::ConnectFailed, reg);
            }
        }
    }

    /// Bytes may be waiting: the socket became readable (or a read stopped at its budget) and has
    /// not since returned `WouldBlock`.
    pub fn has_pending(&self) -> bool {
        self.pending
    }

    /// Read up to `budget` data frames from a connection with bytes waiting. Returns the frames
    /// read. Stops at `WouldBlock` (then nothing is pending until the next readiness event) or at
    /// the budget: then the connection stays pending and the stage comes back to it on a later poll
    /// without waiting for a new event (edge-triggered readiness would not come again for bytes
    /// already there). A small budget is what lets a thread shared with the strategy take each
    /// quote to its order before it parses the next one or makes another system call.
    pub fn resume(&mut self, reg: &MioRegistry, out: &mut Out, budget: u32) -> u32 {
        if !self.pending || budget == 0 {
            return 0;
        }
        self.read_some(reg, out, budget)
    }

    fn read_some(&mut self, reg: &MioRegistry, out: &mut Out, budget: u32) -> u32 {
        self.pending = false;
        let State::Open { ws, .. } = &mut self.state else {
            return 0;
        };
        let mut frames = 0u32;
        let mut end = None;
        let mut pinged = false;
        let mut last_recv = 0;
        loop {
            if frames >= budget {
                self.pending = true;
                break;
            }
            match ws.read() {
                Ok(msg) => {
                    let recv = out.clock.now_ns();
                    last_recv = recv;
                    self.last_recv_ns = recv;
                    self.stale = false;
                    match msg {
                        Message::Text(t) => {
                            frames += 1;
                            let bytes = t.as_bytes();
                            match out.on_payload(&mut self.parser, &self.counters, bytes, recv) {
                                Ok(quote) => self.healthy |= quote,
                                Err(e) => {
                                    self.samples.offer(recv, || ParseSample::of(e).with(bytes))
                                }
                            }
                        }
                        Message::Binary(b) => {
                            frames += 1;
                            match out.on_payload(&mut self.parser, &self.counters, &b, recv) {
                                Ok(quote) => self.healthy |= quote,
                                Err(e) => self.samples.offer(recv, || ParseSample::of(e).with(&b)),
                            }
                        }
                        Message::Ping(_) => {
                            pinged = true;
                            self.counters.pings_received.inc();
                        }
                        Message::Pong(_) | Message::Frame(_) => {}
                        Message::Close(_) => {}
                    }
                }
                Err(e) if would_block(&e) => break,
                Err(tungstenite::Error::Capacity(_)) => {
                    end = Some(End::Oversized);
                    break;
                }
                Err(_) => {
                    end = Some(End::Disconnected);
                    break;
                }
            }
        }
        if end.is_none() && pinged {
            // Send the pongs tungstenite queued for the pings just read.
            if let Err(e) = ws.flush() {
                if !would_block(&e) {
                    end = Some(End::Disconnected);
                }
            }
        }
        if self.healthy && last_recv != 0 {
            self.breaker.on_success(last_recv);
        }
        if let Some(why) = end {
            self.end(out.clock.now_ns(), why, reg);
        }
        frames
    }

    /// Tear the current attempt or session down and schedule the next attempt.
    fn end(&mut self, now: u64, why: End, reg: &MioRegistry) {
        self.pending = false;
        let (session_ns, was_open) = match std::mem::replace(&mut self.state, State::Empty) {
            State::Connecting { mut stream, .. } => {
                let _ = reg.deregister(&mut stream);
                (0, false)
            }
            State::Handshaking { mut mid, .. } => {
                deregister(mid.get_mut().get_mut(), reg);
                (0, false)
            }
            State::Open { mut ws, opened_ns } => {
                let _ = ws.close(None);
                let _ = ws.flush();
                deregister(ws.get_mut(), reg);
                (now.saturating_sub(opened_ns), true)
            }
            _ => (0, false),
        };
        match why {
            End::ConnectFailed => self.counters.connect_failures.inc(),
            End::Disconnected => self.counters.disconnects.inc(),
            End::Silent => self.counters.silent_drops.inc(),
            End::Oversized => {
                self.counters.oversized.inc();
                self.counters.disconnects.inc();
            }
        }
        if !(was_open && self.healthy) {
            self.breaker.on_failure(now);
        }
        self.backoff.session_ended(session_ns);
        self.counters.reconnects.inc();
        if let Some(f) = self.addr_feed.as_mut() {
            f.request();
        }
        self.state = State::Waiting {
            retry_at_ns: now + self.backoff.next_delay(),
        };
    }

    /// Close an open session politely (shutdown).
    pub fn close(&mut self, reg: &MioRegistry) {
        if let State::Open { ws, .. } = &mut self.state {
            let _ = ws.close(None);
            let _ = ws.flush();
            deregister(ws.get_mut(), reg);
        }
        self.state = State::Waiting {
            retry_at_ns: u64::MAX,
        };
    }
}

fn deregister(s: &mut Stream, reg: &MioRegistry) {
    let tcp: &mut TcpStream = match s {
        MaybeTlsStream::Plain(t) => t,
        MaybeTlsStream::Rustls(t) => t.get_mut(),
        _ => return,
    };
    let _ = reg.deregister(tcp);
}

fn would_block(e: &tungstenite::Error) -> bool {
    matches!(e, tungstenite::Error::Io(io) if io.kind() == ErrorKind::WouldBlock)
}

/// Both handshake entry points' success types, reduced to the socket.
trait IntoWs {
    fn into_ws(self) -> WebSocket<Stream>;
}

impl IntoWs for WebSocket<Stream> {
    fn into_ws(self) -> WebSocket<Stream> {
        self
    }
}

impl IntoWs for (WebSocket<Stream>, tungstenite::handshake::client::Response) {
    fn into_ws(self) -> WebSocket<Stream> {
        self.0
    }
}
