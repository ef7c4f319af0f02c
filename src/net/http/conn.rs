//! One non-blocking HTTP/1.1 keep-alive client connection on a `mio::net::TcpStream`, plain or
//! through a rustls `ClientConnection` (verification always on; roots from
//! [`client_config`](crate::net::tls::client_config)).
//!
//! State machine: `Closed -> Connecting (TCP connect, then TLS handshake) -> Idle <-> Busy`, and
//! any state back to `Closed` when the peer closes, an I/O error happens, or the response bytes
//! cannot be trusted. One request at a time (no pipelining): [`HttpConn::start`] puts the request
//! bytes (already in the reusable output buffer) on the wire, [`HttpConn::drive`] moves bytes
//! whenever mio says the socket is ready and reports [`Progress::Ready`] once a whole response is
//! framed, [`HttpConn::take_response`] hands it out and makes the connection idle again.
//!
//! Readiness is edge-triggered, so every read and write loop runs until `WouldBlock`. Buffers are
//! allocated at construction and reused; a response larger than the input buffer is refused
//! (order answers are a few hundred bytes). Nothing here knows about orders, venues or time: the
//! pool owns deadlines, the gateway owns meaning.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;

use mio::net::TcpStream;
use mio::{Interest, Registry, Token};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection};

use super::response::{frame, parse_head, Framed, HttpError, MAX_HEADERS};

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnState {
    /// No socket.
    Closed,
    /// TCP connect or TLS handshake in progress.
    Connecting,
    /// Open, no request outstanding.
    Idle,
    /// A request is written or being written; its response has not been taken.
    Busy,
}

/// Why a connection was lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LostReason {
    /// The peer closed the connection (or sent bytes while no request was outstanding).
    Closed,
    /// A socket error.
    Io(io::ErrorKind),
    /// TLS failed (handshake, certificate, record).
    Tls,
    /// The response bytes were not valid HTTP.
    Protocol(HttpError),
    /// The response did not come before the caller's deadline.
    Timeout,
}

/// What [`HttpConn::drive`] achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Nothing to hand out yet.
    Pending,
    /// A complete response is waiting in [`HttpConn::take_response`].
    Ready,
    /// The connection is unusable; close it.
    Lost(LostReason),
}

/// A TLS identity to speak to: the client config and the name the certificate must carry.
#[derive(Debug, Clone)]
pub struct TlsTarget {
    /// rustls client config (shared).
    pub config: Arc<ClientConfig>,
    /// Server name for SNI and certificate verification.
    pub name: ServerName<'static>,
}

/// One HTTP/1.1 client connection.
#[derive(Debug)]
pub struct HttpConn {
    addr: SocketAddr,
    tls_target: Option<TlsTarget>,
    stream: Option<TcpStream>,
    tls: Option<Box<ClientConnection>>,
    state: ConnState,
    tcp_up: bool,
    out: Vec<u8>,
    out_pos: usize,
    sent_any: bool,
    inb: Box<[u8]>,
    in_len: usize,
    eof: bool,
    framed: Option<Framed>,
    failed: Option<LostReason>,
    responses: u64,
}

fn would_block(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::WouldBlock
}

impl HttpConn {
    /// Connect to `addr` from the next [`connect`](Self::connect) on (a host resolved again);
    /// an open connection keeps its socket.
    pub fn set_addr(&mut self, addr: SocketAddr) {
        self.addr = addr;
    }

    /// The address the next connect goes to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A closed connection to `addr` (TLS when `tls` is given) with an input buffer of
    /// `in_cap` bytes and an output buffer reserved for `out_cap` bytes.
    pub fn new(addr: SocketAddr, tls: Option<TlsTarget>, in_cap: usize, out_cap: usize) -> Self {
        HttpConn {
            addr,
            tls_target: tls,
            stream: None,
            tls: None,
            state: ConnState::Closed,
            tcp_up: false,
            out: Vec::with_capacity(out_cap),
            out_pos: 0,
            sent_any: false,
            inb: vec![0u8; in_cap.max(1024)].into_boxed_slice(),
            in_len: 0,
            eof: false,
            framed: None,
            failed: None,
            responses: 0,
        }
    }

    /// Current state.
    pub fn state(&self) -> ConnState {
        self.state
    }

    /// Responses read over this socket since it connected (keep-alive reuse).
    pub fn responses(&self) -> u64 {
        self.responses
    }

    /// Whether any byte of the outstanding request has been handed to the socket (or to TLS), i.e.
    /// whether the venue may have seen it.
    pub fn request_left(&self) -> bool {
        self.sent_any
    }

    /// Start connecting (non-blocking) and register with `registry` under `token`.
    pub fn connect(&mut self, registry: &Registry, token: Token) -> io::Result<()> {
        self.close(registry);
        let mut stream = TcpStream::connect(self.addr)?;
        registry.register(&mut stream, token, Interest::READABLE | Interest::WRITABLE)?;
        if let Some(t) = &self.tls_target {
            let conn = ClientConnection::new(Arc::clone(&t.config), t.name.clone())
                .map_err(io::Error::other)?;
            self.tls = Some(Box::new(conn));
        }
        self.stream = Some(stream);
        self.state = ConnState::Connecting;
        Ok(())
    }

    /// Drop the socket (deregistering it) and forget any partial request or response.
    pub fn close(&mut self, registry: &Registry) {
        if let Some(mut s) = self.stream.take() {
            let _ = registry.deregister(&mut s);
        }
        self.tls = None;
        self.state = ConnState::Closed;
        self.tcp_up = false;
        self.out.clear();
        self.out_pos = 0;
        self.sent_any = false;
        self.in_len = 0;
        self.eof = false;
        self.framed = None;
        self.failed = None;
        self.responses = 0;
    }

    /// The output buffer, cleared, for the caller to write a request into (idle connections only).
    pub fn request_buf(&mut self) -> &mut Vec<u8> {
        self.out.clear();
        &mut self.out
    }

    /// Length of the request now in the output buffer.
    pub fn request_len(&self) -> usize {
        self.out.len()
    }

    /// The request now in the output buffer (tests and diagnostics: what `start` would write).
    pub fn request_bytes(&self) -> &[u8] {
        &self.out
    }

    /// Send the request now in the output buffer. The connection must be idle. Write errors are
    /// kept and reported by the next [`drive`](Self::drive).
    pub fn start(&mut self) {
        debug_assert_eq!(
            self.state,
            ConnState::Idle,
            "start on a non-idle connection"
        );
        self.state = ConnState::Busy;
        self.out_pos = 0;
        self.sent_any = false;
        if let Some(tls) = self.tls.as_mut() {
            // rustls takes the plaintext whole (its send buffer is unbounded); it has then "left".
            if tls.writer().write_all(&self.out).is_err() {
                self.failed = Some(LostReason::Tls);
                return;
            }
            self.out_pos = self.out.len();
            self.sent_any = true;
        }
        if let Err(r) = self.write_some() {
            self.failed = Some(r);
        }
    }

    fn write_some(&mut self) -> Result<(), LostReason> {
        let Some(stream) = self.stream.as_mut() else {
            return Err(LostReason::Closed);
        };
        if let Some(tls) = self.tls.as_mut() {
            while tls.wants_write() {
                match tls.write_tls(stream) {
                    Ok(_) => {}
                    Err(e) if would_block(&e) => break,
                    Err(e) => return Err(LostReason::Io(e.kind())),
                }
            }
            return Ok(());
        }
        if self.state != ConnState::Busy {
            return Ok(());
        }
        while self.out_pos < self.out.len() {
            match stream.write(&self.out[self.out_pos..]) {
                Ok(0) => return Err(LostReason::Closed),
                Ok(n) => {
                    self.out_pos += n;
                    self.sent_any = true;
                }
                Err(e) if would_block(&e) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(LostReason::Io(e.kind())),
            }
        }
        Ok(())
    }

    fn read_some(&mut self) -> Result<(), LostReason> {
        let Some(stream) = self.stream.as_mut() else {
            return Err(LostReason::Closed);
        };
        let cap = self.inb.len();
        match self.tls.as_mut() {
            None => {
                while !self.eof {
                    if self.in_len == cap {
                        return Err(LostReason::Protocol(HttpError::TooLarge(cap)));
                    }
                    match stream.read(&mut self.inb[self.in_len..]) {
                        Ok(0) => self.eof = true,
                        Ok(n) => self.in_len += n,
                        Err(e) if would_block(&e) => break,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(LostReason::Io(e.kind())),
                    }
                }
            }
            Some(tls) => loop {
                let mut socket_dry = false;
                match tls.read_tls(stream) {
                    Ok(0) => self.eof = true,
                    Ok(_) => {
                        tls.process_new_packets().map_err(|_| LostReason::Tls)?;
                    }
                    Err(e) if would_block(&e) => socket_dry = true,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(LostReason::Io(e.kind())),
                }
                loop {
                    if self.in_len == cap {
                        return Err(LostReason::Protocol(HttpError::TooLarge(cap)));
                    }
                    match tls.reader().read(&mut self.inb[self.in_len..]) {
                        Ok(0) => {
                            self.eof = true;
                            break;
                        }
                        Ok(n) => self.in_len += n,
                        Err(e) if would_block(&e) => break,
                        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                            self.eof = true;
                            break;
                        }
                        Err(e) => return Err(LostReason::Io(e.kind())),
                    }
                }
                if socket_dry || self.eof {
                    break;
                }
            },
        }
        Ok(())
    }

    /// Move bytes after a readiness event (or right after `start`): finish connecting, write what
    /// is pending, read what has arrived, and frame the response.
    pub fn drive(&mut self) -> Progress {
        if let Some(r) = self.failed.take() {
            return Progress::Lost(r);
        }
        if self.state == ConnState::Closed {
            return Progress::Pending;
        }
        if self.state == ConnState::Connecting && !self.tcp_up {
            let Some(stream) = self.stream.as_ref() else {
                return Progress::Lost(LostReason::Closed);
            };
            match stream.take_error() {
                Ok(Some(e)) | Err(e) => return Progress::Lost(LostReason::Io(e.kind())),
                Ok(None) => {}
            }
            match stream.peer_addr() {
                Ok(_) => {
                    self.tcp_up = true;
                    let _ = stream.set_nodelay(true);
                }
                Err(e) if e.kind() == io::ErrorKind::NotConnected || would_block(&e) => {
                    return Progress::Pending
                }
                Err(e) => return Progress::Lost(LostReason::Io(e.kind())),
            }
        }
        if let Err(r) = self.write_some() {
            return Progress::Lost(r);
        }
        if let Err(r) = self.read_some() {
            return Progress::Lost(r);
        }
        // A TLS read may have produced handshake bytes to send.
        if let Err(r) = self.write_some() {
            return Progress::Lost(r);
        }
        match self.state {
            ConnState::Connecting => {
                if self.eof {
                    return Progress::Lost(LostReason::Closed);
                }
                if self.tls.as_ref().is_none_or(|t| !t.is_handshaking()) {
                    self.state = ConnState::Idle;
                }
                Progress::Pending
            }
            ConnState::Idle => {
                if self.eof || self.in_len > 0 {
                    Progress::Lost(LostReason::Closed)
                } else {
                    Progress::Pending
                }
            }
            ConnState::Busy => {
                if self.framed.is_some() {
                    return Progress::Ready;
                }
                match frame(&mut self.inb[..self.in_len], self.eof) {
                    Ok(Some(f)) => {
                        self.framed = Some(f);
                        Progress::Ready
                    }
                    Ok(None) if self.eof => Progress::Lost(LostReason::Closed),
                    Ok(None) => Progress::Pending,
                    Err(e) => Progress::Lost(LostReason::Protocol(e)),
                }
            }
            ConnState::Closed => Progress::Pending,
        }
    }

    /// Hand the framed response to `f(status, headers, body)` and make the connection idle again.
    /// Returns `None` when no response is ready; otherwise `f`'s result and whether the connection
    /// may be reused (`false`: the server said close, or sent more than one response: close it).
    pub fn take_response<R>(
        &mut self,
        f: impl FnOnce(u16, &[httparse::Header<'_>], &[u8]) -> R,
    ) -> Option<(R, bool)> {
        let framed = self.framed.take()?;
        let mut storage = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let buf = &self.inb[..self.in_len];
        let r = match parse_head(buf, &mut storage) {
            Ok(Some((status, _, headers))) => f(status, headers, &buf[framed.body.clone()]),
            // `frame` parsed this very head a moment ago.
            _ => f(framed.status, &[], &buf[framed.body.clone()]),
        };
        let keep = !framed.close && !self.eof && framed.msg_len == self.in_len;
        self.in_len = 0;
        self.out.clear();
        self.out_pos = 0;
        self.sent_any = false;
        self.responses += 1;
        self.state = ConnState::Idle;
        Some((r, keep))
    }
}
