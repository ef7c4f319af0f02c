//! A blocking request/response exchange for the cold path, on the engine's own HTTP/1.1 client
//! ([`crate::net::http::HttpConn`]: the same TLS config, framing and response limits as the order
//! gateways), driven by a private mio poller until the answer is complete or the timeout passes.
//!
//! Contract: one call opens one connection, writes the request bytes as given, reads one
//! response, copies it out ([`HttpResponse`]) and closes the connection. It reads the monotonic
//! clock for its deadline and allocates (the response buffer is sized for the largest answer
//! accepted): start-up, reconciliation, operator commands and the kill switch's cancels, never an
//! order on the hot path.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mio::{Events, Poll, Token};
use rustls::pki_types::ServerName;

use crate::net::http::{ConnState, HostSpec, HttpConn, LostReason, Progress, TlsTarget};

/// Default largest answer accepted (Bybit's and OKX's full spot instrument lists are well under
/// a megabyte).
pub const DEFAULT_MAX_RESPONSE: usize = 4 << 20;

/// One complete HTTP response, copied out of the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers in order, names as sent.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The (de-chunked) body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header named `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }
}

/// Why an exchange produced no response.
#[derive(Debug)]
pub enum ExchangeError {
    /// Setting up the socket or the poller failed.
    Io(io::Error),
    /// The connection was lost (refused, reset, TLS, bad HTTP, too large).
    Lost(LostReason),
    /// No complete response before the deadline.
    Timeout,
}

impl std::fmt::Display for ExchangeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExchangeError::Io(e) => write!(f, "{e}"),
            ExchangeError::Lost(r) => write!(f, "connection lost: {r:?}"),
            ExchangeError::Timeout => f.write_str("timed out"),
        }
    }
}

/// Where to send, how long to wait, how much to accept.
#[derive(Debug, Clone)]
pub struct BlockingHttp {
    addr: SocketAddr,
    tls: Option<TlsTarget>,
    timeout: Duration,
    max_response: usize,
}

impl BlockingHttp {
    /// For `host` (resolved on the cold path), waiting up to `timeout` per exchange and accepting
    /// answers up to `max_response` bytes. Fails on a TLS host name that is not a valid name.
    pub fn new(host: &HostSpec, timeout: Duration, max_response: usize) -> Result<Self, String> {
        let tls = match &host.tls {
            None => None,
            Some((config, name)) => Some(TlsTarget {
                config: Arc::clone(config),
                name: ServerName::try_from(name.clone())
                    .map_err(|_| format!("invalid TLS server name {name:?}"))?,
            }),
        };
        Ok(BlockingHttp {
            addr: host.addr,
            tls,
            timeout,
            max_response,
        })
    }

    /// The timeout per exchange.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Send `request` (complete HTTP/1.1 bytes) on a fresh connection and wait for its response.
    pub fn exchange(&self, request: &[u8]) -> Result<HttpResponse, ExchangeError> {
        let deadline = Instant::now() + self.timeout;
        let mut poll = Poll::new().map_err(ExchangeError::Io)?;
        let mut events = Events::with_capacity(8);
        let mut conn = HttpConn::new(
            self.addr,
            self.tls.clone(),
            self.max_response,
            request.len() + 64,
        );
        conn.connect(poll.registry(), Token(0))
            .map_err(ExchangeError::Io)?;
        let mut sent = false;
        let result = loop {
            match conn.drive() {
                Progress::Lost(r) => break Err(ExchangeError::Lost(r)),
                Progress::Ready => {
                    let copied = conn.take_response(|status, headers, body| HttpResponse {
                        status,
                        headers: headers
                            .iter()
                            .map(|h| (h.name.to_string(), h.value.to_vec()))
                            .collect(),
                        body: body.to_vec(),
                    });
                    break copied
                        .map(|(r, _)| r)
                        .ok_or(ExchangeError::Lost(LostReason::Closed));
                }
                Progress::Pending => {}
            }
            if !sent && conn.state() == ConnState::Idle {
                conn.request_buf().extend_from_slice(request);
                conn.start();
                sent = true;
                continue;
            }
            let now = Instant::now();
            if now >= deadline {
                break Err(ExchangeError::Timeout);
            }
            match poll.poll(&mut events, Some(deadline - now)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(ExchangeError::Io(e)),
            }
        };
        conn.close(poll.registry());
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    fn serve_once(answer: &'static [u8]) -> (SocketAddr, std::thread::JoinHandle<Vec<u8>>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let h = std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 1024];
            while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = s.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            s.write_all(answer).unwrap();
            got
        });
        (addr, h)
    }

    #[test]
    fn one_exchange_on_loopback() {
        let (addr, h) =
            serve_once(b"HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 2\r\n\r\n{}");
        let http = BlockingHttp::new(
            &HostSpec { addr, tls: None },
            Duration::from_secs(5),
            DEFAULT_MAX_RESPONSE,
        )
        .unwrap();
        let r = http
            .exchange(b"GET /api/v3/time HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"{}");
        assert_eq!(
            r.header("date"),
            Some(&b"Sun, 06 Nov 1994 08:49:37 GMT"[..])
        );
        assert!(h
            .join()
            .unwrap()
            .starts_with(b"GET /api/v3/time HTTP/1.1\r\n"));
    }

    #[test]
    fn refused_and_silent_peers_fail_cleanly() {
        // A port nobody listens on: connection refused, reported, no panic.
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        drop(l);
        let http =
            BlockingHttp::new(&HostSpec { addr, tls: None }, Duration::from_secs(2), 4096).unwrap();
        assert!(http.exchange(b"GET / HTTP/1.1\r\n\r\n").is_err());
        // A peer that accepts and never answers: the timeout.
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let http = BlockingHttp::new(
            &HostSpec { addr, tls: None },
            Duration::from_millis(200),
            4096,
        )
        .unwrap();
        assert!(matches!(
            http.exchange(b"GET / HTTP/1.1\r\n\r\n"),
            Err(ExchangeError::Timeout)
        ));
        drop(l);
    }
}
