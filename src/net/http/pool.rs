//! A small pool of keep-alive [`HttpConn`]s to one venue host, with its own mio `Poll`.
//!
//! Why a pool: an HTTP/1.1 connection carries one request at a time, and an arbitrage fires two
//! legs per venue at most a few at once, so a handful of warm connections (TCP and TLS already
//! up) removes the handshake from the order path. The pool keeps every connection open: a closed
//! one is reconnected on the next [`Pool::poll`], at once after a clean close and with doubling
//! back-off (`reconnect_min_ns` .. `reconnect_max_ns`) after failed connects. With an address
//! feed ([`Pool::set_addr_feed`]) the host is resolved again, off this thread, for every
//! reconnect.
//!
//! Time is the caller's: [`Pool::send`] takes the request's deadline and [`Pool::poll`] the
//! current time; a busy connection past its deadline is closed (a late answer must never be read
//! as the next request's) and reported as [`LostReason::Timeout`]. `poll` waits for nothing
//! (`Poll::poll` with a zero timeout) and allocates nothing: the event list is sized at
//! construction and connections are at most 64 (a bit mask of ready ones).

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use mio::{Events, Poll, Token};
use rustls::pki_types::ServerName;
use rustls::ClientConfig;

use super::conn::{ConnState, HttpConn, LostReason, Progress, TlsTarget};
use crate::net::dns_refresh::AddrFeed;

/// Where a venue's REST API lives (resolved on the cold path).
#[derive(Debug, Clone)]
pub struct HostSpec {
    /// Socket address to connect to.
    pub addr: SocketAddr,
    /// For https: the rustls config and the host name to verify (`api.binance.com`).
    pub tls: Option<(Arc<ClientConfig>, String)>,
}

/// Pool sizing and reconnect pacing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    /// Connections kept open (1..=64).
    pub conns: usize,
    /// Input buffer per connection (largest response accepted).
    pub in_cap: usize,
    /// Output buffer reserved per connection (largest request written without allocating).
    pub out_cap: usize,
    /// First delay after a failed connect.
    pub reconnect_min_ns: u64,
    /// Cap of the doubling delay.
    pub reconnect_max_ns: u64,
    /// With no request outstanding and no connect under way, [`Pool::poll`] asks the kernel for
    /// readiness at most this often (0: at every poll). Why: on the engine's shared pipeline
    /// thread the exec stage polls every venue's pool on every pass, before it takes the next
    /// opportunity, so an `epoll_wait` per venue per pass sat inside tick-to-order and cost more
    /// than the frames themselves. An idle connection has nothing to read but its close; that
    /// is noticed at most this late (the readiness stays queued in the kernel meanwhile). A
    /// request in flight is polled at every call.
    pub idle_poll_ns: u64,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings {
            conns: 4,
            in_cap: 16 * 1024,
            out_cap: 2048,
            reconnect_min_ns: 50_000_000,
            reconnect_max_ns: 5_000_000_000,
            idle_poll_ns: 50_000,
        }
    }
}

/// Why the pool could not be built.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// `conns` outside 1..=64.
    #[error("pool size {0} outside 1..=64")]
    Size(usize),
    /// The TLS host name is not a valid DNS name or IP.
    #[error("invalid TLS server name {0:?}")]
    ServerName(String),
    /// Creating the mio `Poll` failed.
    #[error("creating the poller: {0}")]
    Poll(#[from] io::Error),
}

/// What happened on a connection during [`Pool::poll`].
#[derive(Debug)]
pub enum PoolEvent<'a> {
    /// A complete response to the request sent on `conn`.
    Response {
        /// Connection index.
        conn: usize,
        /// HTTP status.
        status: u16,
        /// Response headers.
        headers: &'a [httparse::Header<'a>],
        /// Decoded body.
        body: &'a [u8],
    },
    /// The connection was lost. `busy`: a request was outstanding on it; `request_left`: some of
    /// its bytes had been handed to the socket, so the venue may have acted on it.
    Lost {
        /// Connection index.
        conn: usize,
        /// Why.
        reason: LostReason,
        /// A request was outstanding.
        busy: bool,
        /// Some of that request had left.
        request_left: bool,
    },
}

/// N keep-alive connections to one host.
#[derive(Debug)]
pub struct Pool {
    poll: Poll,
    events: Events,
    conns: Vec<HttpConn>,
    deadline_ns: Vec<u64>,
    next_try_ns: Vec<u64>,
    backoff_ns: Vec<u64>,
    kick: u64,
    /// Connections holding a built request not written yet (bit per connection).
    staged: u64,
    settings: PoolSettings,
    connects: u64,
    /// Fresh addresses of the host, asked for whenever a connection is lost.
    addr_feed: Option<AddrFeed>,
    /// A quiet pool's next readiness poll ([`PoolSettings::idle_poll_ns`]).
    next_idle_poll_ns: u64,
    /// Readiness polls skipped because the pool was quiet.
    idle_skips: u64,
}

impl Pool {
    /// Build the pool (cold path); connections open on the first [`poll`](Self::poll).
    pub fn new(host: &HostSpec, settings: PoolSettings) -> Result<Self, PoolError> {
        if settings.conns == 0 || settings.conns > 64 {
            return Err(PoolError::Size(settings.conns));
        }
        let tls = match &host.tls {
            None => None,
            Some((config, name)) => Some(TlsTarget {
                config: Arc::clone(config),
                name: ServerName::try_from(name.clone())
                    .map_err(|_| PoolError::ServerName(name.clone()))?,
            }),
        };
        let conns = (0..settings.conns)
            .map(|_| HttpConn::new(host.addr, tls.clone(), settings.in_cap, settings.out_cap))
            .collect();
        Ok(Pool {
            poll: Poll::new()?,
            events: Events::with_capacity(2 * settings.conns + 8),
            conns,
            deadline_ns: vec![u64::MAX; settings.conns],
            next_try_ns: vec![0; settings.conns],
            backoff_ns: vec![settings.reconnect_min_ns; settings.conns],
            kick: 0,
            staged: 0,
            settings,
            connects: 0,
            addr_feed: None,
            next_idle_poll_ns: 0,
            idle_skips: 0,
        })
    }

    /// Number of connections.
    pub fn len(&self) -> usize {
        self.conns.len()
    }

    /// Always false (a pool has at least one connection); for clippy's `len_without_is_empty`.
    pub fn is_empty(&self) -> bool {
        self.conns.is_empty()
    }

    /// Re-resolve the host on every reconnect: each lost connection asks `feed` for a fresh
    /// lookup (non-blocking), and every reconnect first takes the newest address answered (see
    /// [`crate::net::dns_refresh`]). Cold path.
    pub fn set_addr_feed(&mut self, feed: AddrFeed) {
        self.addr_feed = Some(feed);
    }

    /// Connection `i` (state, reuse count).
    pub fn conn(&self, i: usize) -> &HttpConn {
        &self.conns[i]
    }

    /// Connect attempts made so far (reconnects included).
    pub fn connects(&self) -> u64 {
        self.connects
    }

    /// Readiness polls skipped because nothing was outstanding ([`PoolSettings::idle_poll_ns`]).
    pub fn idle_skips(&self) -> u64 {
        self.idle_skips
    }

    /// True when a readiness poll can wait: nothing written awaits an answer or a write failure,
    /// no connect is under way, and the quiet poll is not due yet. Sets the next one when due.
    #[inline]
    fn idle_skip(&mut self, now_ns: u64) -> bool {
        let quiet = self.kick == 0
            && self
                .conns
                .iter()
                .all(|c| matches!(c.state(), ConnState::Idle | ConnState::Closed));
        if !quiet {
            return false;
        }
        if now_ns < self.next_idle_poll_ns {
            self.idle_skips += 1;
            return true;
        }
        self.next_idle_poll_ns = now_ns.saturating_add(self.settings.idle_poll_ns);
        false
    }

    /// The first idle connection with nothing staged on it, if any.
    pub fn idle(&self) -> Option<usize> {
        (0..self.conns.len())
            .find(|&i| self.conns[i].state() == ConnState::Idle && self.staged & (1 << i) == 0)
    }

    /// Build a request on idle connection `i` without writing it: `build` fills the (cleared,
    /// reused) buffer the socket will be handed. The connection is reserved until
    /// [`start`](Self::start) writes it or [`unstage`](Self::unstage) gives it back.
    pub fn stage<E>(
        &mut self,
        i: usize,
        build: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
    ) -> Result<(), E> {
        let c = &mut self.conns[i];
        debug_assert_eq!(c.state(), ConnState::Idle);
        build(c.request_buf())?;
        self.staged |= 1 << i;
        Ok(())
    }

    /// Write the request staged on connection `i`; its response is due by `deadline_ns`. Returns
    /// the request's length.
    pub fn start(&mut self, i: usize, deadline_ns: u64) -> usize {
        debug_assert!(
            self.staged & (1 << i) != 0,
            "start without a staged request"
        );
        self.staged &= !(1 << i);
        let c = &mut self.conns[i];
        let len = c.request_len();
        c.start();
        self.deadline_ns[i] = deadline_ns;
        // A write failure is reported by the next poll, with the request's fate.
        self.kick |= 1 << i;
        len
    }

    /// Give back connection `i` with its staged request unsent.
    pub fn unstage(&mut self, i: usize) {
        self.staged &= !(1 << i);
    }

    /// Build and write a request on idle connection `i` at once ([`stage`](Self::stage), then
    /// [`start`](Self::start)).
    pub fn send<E>(
        &mut self,
        i: usize,
        deadline_ns: u64,
        build: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.stage(i, build)?;
        self.start(i, deadline_ns);
        Ok(())
    }

    fn lose(&mut self, i: usize, now_ns: u64) -> (bool, bool) {
        let c = &mut self.conns[i];
        let busy = c.state() == ConnState::Busy;
        let left = busy && c.request_left();
        let was_connecting = c.state() == ConnState::Connecting;
        c.close(self.poll.registry());
        self.deadline_ns[i] = u64::MAX;
        if let Some(f) = self.addr_feed.as_mut() {
            f.request();
        }
        if was_connecting {
            self.next_try_ns[i] = now_ns.saturating_add(self.backoff_ns[i]);
            self.backoff_ns[i] = (self.backoff_ns[i] * 2).min(self.settings.reconnect_max_ns);
        } else {
            self.next_try_ns[i] = now_ns;
        }
        (busy, left)
    }

    /// Reconnect what is closed, move bytes on ready sockets, expire deadlines, and report each
    /// response or loss to `on`. Never blocks.
    pub fn poll(&mut self, now_ns: u64, mut on: impl FnMut(PoolEvent<'_>)) {
        for i in 0..self.conns.len() {
            if self.conns[i].state() == ConnState::Closed && now_ns >= self.next_try_ns[i] {
                if let Some(a) = self.addr_feed.as_mut().and_then(AddrFeed::latest) {
                    for c in &mut self.conns {
                        c.set_addr(a);
                    }
                }
                self.connects += 1;
                if self.conns[i]
                    .connect(self.poll.registry(), Token(i))
                    .is_err()
                {
                    self.lose(i, now_ns);
                    self.next_try_ns[i] = now_ns.saturating_add(self.backoff_ns[i]);
                }
            }
        }
        if self.idle_skip(now_ns) {
            return;
        }
        let mut ready = std::mem::take(&mut self.kick);
        if self
            .poll
            .poll(&mut self.events, Some(Duration::ZERO))
            .is_ok()
        {
            for e in self.events.iter() {
                if e.token().0 < self.conns.len() {
                    ready |= 1 << e.token().0;
                }
            }
        }
        while ready != 0 {
            let i = ready.trailing_zeros() as usize;
            ready &= ready - 1;
            let was_connecting = self.conns[i].state() == ConnState::Connecting;
            match self.conns[i].drive() {
                Progress::Pending => {
                    if was_connecting && self.conns[i].state() == ConnState::Idle {
                        self.backoff_ns[i] = self.settings.reconnect_min_ns;
                    }
                }
                Progress::Ready => {
                    self.deadline_ns[i] = u64::MAX;
                    let taken = self.conns[i].take_response(|status, headers, body| {
                        on(PoolEvent::Response {
                            conn: i,
                            status,
                            headers,
                            body,
                        })
                    });
                    if let Some(((), false)) = taken {
                        self.lose(i, now_ns);
                    }
                }
                Progress::Lost(reason) => {
                    let (busy, request_left) = self.lose(i, now_ns);
                    on(PoolEvent::Lost {
                        conn: i,
                        reason,
                        busy,
                        request_left,
                    });
                }
            }
        }
        for i in 0..self.conns.len() {
            if now_ns >= self.deadline_ns[i] {
                let (busy, request_left) = self.lose(i, now_ns);
                on(PoolEvent::Lost {
                    conn: i,
                    reason: LostReason::Timeout,
                    busy,
                    request_left,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::Counter;
    use crate::net::dns::Resolver;
    use crate::net::dns_refresh::DnsRefresh;

    /// Answers one fixed address, whatever the name.
    struct Fixed(SocketAddr);

    impl Resolver for Fixed {
        fn lookup(&self, _host: &str, _port: u16) -> std::io::Result<Vec<SocketAddr>> {
            Ok(vec![self.0])
        }
    }

    #[test]
    fn a_pool_reconnects_to_the_address_resolved_again() {
        // The venue moved: the start-up address refuses, the name now resolves elsewhere.
        let live = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let live_addr = live.local_addr().unwrap();
        let dead_addr = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap()
        };
        let mut r = DnsRefresh::new(Box::new(Fixed(live_addr)));
        let ok = Counter::new();
        let feed = r.feed(
            "api.venue.test",
            live_addr.port(),
            ok.clone(),
            Counter::new(),
        );
        let host = HostSpec {
            addr: dead_addr,
            tls: None,
        };
        let settings = PoolSettings {
            conns: 1,
            reconnect_min_ns: 1_000_000,
            ..PoolSettings::default()
        };
        let mut pool = Pool::new(&host, settings).unwrap();
        pool.set_addr_feed(feed);
        let t0 = std::time::Instant::now();
        while pool.conn(0).state() != ConnState::Idle && t0.elapsed() < Duration::from_secs(10) {
            pool.poll(t0.elapsed().as_nanos() as u64, |_| {});
            r.serve_once();
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(pool.conn(0).state(), ConnState::Idle);
        assert_eq!(pool.conn(0).addr(), live_addr);
        assert!(pool.connects() >= 2, "the first connect was refused");
        assert!(ok.get() >= 1, "resolved again after the loss");
    }

    #[test]
    fn a_quiet_pool_polls_the_kernel_at_most_every_idle_period_and_a_busy_one_always() {
        use std::io::{Read, Write};
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let host = HostSpec {
            addr: l.local_addr().unwrap(),
            tls: None,
        };
        let settings = PoolSettings {
            conns: 1,
            idle_poll_ns: 1_000_000,
            ..PoolSettings::default()
        };
        let mut pool = Pool::new(&host, settings).unwrap();
        // Connecting: every poll asks the kernel (the clock does not move).
        let t0 = std::time::Instant::now();
        while pool.conn(0).state() != ConnState::Idle && t0.elapsed() < Duration::from_secs(10) {
            pool.poll(0, |_| {});
        }
        assert_eq!(pool.conn(0).state(), ConnState::Idle);
        assert_eq!(pool.idle_skips(), 0, "a connect under way is never skipped");
        let (server, _) = l.accept().unwrap();

        // Idle: the first poll at t is due and sets the next at t + 1 ms; polls before that skip.
        let t = 10_000_000;
        pool.poll(t, |_| {});
        let skips = pool.idle_skips();
        pool.poll(t + 999_999, |_| {});
        assert_eq!(pool.idle_skips(), skips + 1);

        // The venue closes the idle connection: noticed only once the quiet poll is due, and
        // nothing is lost meanwhile (the readiness waits in the kernel).
        drop(server);
        std::thread::sleep(Duration::from_millis(20));
        pool.poll(t + 999_999, |_| {});
        assert_eq!(pool.conn(0).state(), ConnState::Idle, "not looked at yet");
        let mut lost = 0;
        pool.poll(t + 1_000_000, |e| {
            if matches!(e, PoolEvent::Lost { .. }) {
                lost += 1;
            }
        });
        assert_ne!(pool.conn(0).state(), ConnState::Idle, "the close was read");
        assert_eq!(lost, 1, "an idle connection's loss is reported once");

        // Busy: a request in flight is polled at every call, the clock standing still.
        let t1 = t + 2_000_000;
        while pool.conn(0).state() != ConnState::Idle && t0.elapsed() < Duration::from_secs(10) {
            pool.poll(t1, |_| {});
        }
        let (mut server, _) = l.accept().unwrap();
        pool.poll(t1, |_| {});
        let i = pool.idle().expect("an idle connection");
        pool.send(i, u64::MAX, |b| {
            b.extend_from_slice(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            Ok::<(), ()>(())
        })
        .unwrap();
        let mut req = [0u8; 64];
        let n = server.read(&mut req).unwrap();
        assert!(n > 0);
        server
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            .unwrap();
        let skips = pool.idle_skips();
        let mut answered = 0;
        while answered == 0 && t0.elapsed() < Duration::from_secs(10) {
            pool.poll(t1, |e| {
                if let PoolEvent::Response { status, body, .. } = e {
                    assert_eq!((status, body), (200, &b"ok"[..]));
                    answered += 1;
                }
            });
        }
        assert_eq!(answered, 1);
        assert_eq!(pool.idle_skips(), skips, "a busy pool never skips");
    }
}
