//! DNS again on every reconnect, without a lookup on the thread that reconnects.
//!
//! Why: a venue moves its API behind a new address (failover, load balancer change); a
//! connection that always reconnects to the address resolved at start-up keeps failing. But a
//! lookup blocks (getaddrinfo, up to seconds), and the threads that reconnect (ingest, exec)
//! must never block. So a cold `dns-refresh` thread does the lookups, and each connection owner
//! talks to it through a pair of SPSC rings (rtrb, as every hand-off between threads here):
//!
//! - [`AddrFeed::request`] (the polling thread, when a connection is lost): one non-blocking
//!   push asking for a fresh lookup of its host;
//! - [`AddrFeed::latest`] (the polling thread, before it connects again): the newest address
//!   answered since the last call, if any, by non-blocking pops.
//!
//! A lost connection asks at once, so by the time its backoff lets it reconnect the answer is
//! usually there; if not, it connects to the address it had, and the next attempt uses the new
//! one. A failed lookup answers nothing (the old address stays) and is counted.
//!
//! Counters (single writer: the refresh thread): `dns.<name>.re_resolved` (lookups answered),
//! `dns.<name>.failed` (lookups that gave no address), registered by the caller's
//! [`DnsRefresh::feed`].

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rtrb::{Consumer, Producer, RingBuffer};

use super::dns::Resolver;
use crate::base::Counter;

/// Requests or answers a ring holds (more requests before an answer add nothing).
const RING: usize = 4;
/// How often the refresh thread looks for requests (and at its stop flag).
const TICK: Duration = Duration::from_millis(10);

/// One connection owner's end: ask for a lookup, take the answer. `Send`, not shared.
#[derive(Debug)]
pub struct AddrFeed {
    ask: Producer<()>,
    answers: Consumer<SocketAddr>,
}

impl AddrFeed {
    /// Ask for a fresh lookup of the host (non-blocking; a request already waiting makes this
    /// one redundant, and it is dropped). Returns whether it was queued.
    #[inline]
    pub fn request(&mut self) -> bool {
        self.ask.push(()).is_ok()
    }

    /// The newest address answered since the last call (non-blocking pops).
    #[inline]
    pub fn latest(&mut self) -> Option<SocketAddr> {
        let mut last = None;
        while let Ok(a) = self.answers.pop() {
            last = Some(a);
        }
        last
    }
}

/// The refresh thread's end of one feed.
struct Entry {
    host: String,
    port: u16,
    asked: Consumer<()>,
    answer: Producer<SocketAddr>,
    re_resolved: Counter,
    failed: Counter,
}

/// The `dns-refresh` thread's work list, built on the cold path ([`feed`](Self::feed) per
/// host), then started ([`start`](Self::start)).
pub struct DnsRefresh {
    resolver: Box<dyn Resolver>,
    entries: Vec<Entry>,
}

impl std::fmt::Debug for DnsRefresh {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DnsRefresh")
            .field(
                "hosts",
                &self.entries.iter().map(|e| &e.host).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl DnsRefresh {
    /// No hosts yet; lookups through `resolver`.
    pub fn new(resolver: Box<dyn Resolver>) -> DnsRefresh {
        DnsRefresh {
            resolver,
            entries: Vec::new(),
        }
    }

    /// A feed for `host:port`, its lookups counted in `re_resolved` and `failed` (cold path:
    /// allocates the rings).
    pub fn feed(
        &mut self,
        host: &str,
        port: u16,
        re_resolved: Counter,
        failed: Counter,
    ) -> AddrFeed {
        let (ask, asked) = RingBuffer::new(RING);
        let (answer, answers) = RingBuffer::new(RING);
        self.entries.push(Entry {
            host: host.to_string(),
            port,
            asked,
            answer,
            re_resolved,
            failed,
        });
        AddrFeed { ask, answers }
    }

    /// Whether any feed was made.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Answer every waiting request once (the thread's loop body; tests call it directly).
    pub fn serve_once(&mut self) -> usize {
        let mut n = 0;
        for e in &mut self.entries {
            let mut asked = false;
            while e.asked.pop().is_ok() {
                asked = true;
            }
            if !asked {
                continue;
            }
            n += 1;
            match self.resolver.lookup(&e.host, e.port) {
                Ok(a) if !a.is_empty() => {
                    // A full ring means the owner has not read the earlier answers: it will
                    // read those, and ask again on its next loss.
                    if e.answer.push(a[0]).is_ok() {
                        e.re_resolved.inc();
                    }
                }
                _ => e.failed.inc(),
            }
        }
        n
    }

    /// Serve on a `dns-refresh` thread until the handle drops (cold path: spawns).
    pub fn start(mut self) -> std::io::Result<DnsRefreshHandle> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("dns-refresh".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    if self.serve_once() == 0 {
                        std::thread::sleep(TICK);
                    }
                }
            })?;
        Ok(DnsRefreshHandle {
            stop,
            thread: Some(thread),
        })
    }
}

/// The running `dns-refresh` thread: dropping it tells the thread to stop (after the lookup in
/// progress; nobody waits).
#[derive(Debug)]
pub struct DnsRefreshHandle {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl DnsRefreshHandle {
    /// Stop the thread and wait for it.
    pub fn stop_and_join(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for DnsRefreshHandle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::dns::tests::Flaky;
    use std::sync::atomic::AtomicU32;

    #[test]
    fn a_request_is_answered_with_a_fresh_lookup_and_failures_keep_nothing() {
        let mut r = DnsRefresh::new(Box::new(Flaky {
            fail: 1,
            calls: AtomicU32::new(0),
        }));
        let (ok, failed) = (Counter::new(), Counter::new());
        let mut f = r.feed("localhost", 9000, ok.clone(), failed.clone());
        assert_eq!(r.serve_once(), 0, "nothing asked");
        assert!(f.request());
        assert!(f.request(), "a second request waits beside the first");
        assert_eq!(r.serve_once(), 1, "one lookup for both");
        assert_eq!((ok.get(), failed.get()), (0, 1), "the first lookup fails");
        assert_eq!(f.latest(), None, "a failure answers nothing");
        f.request();
        r.serve_once();
        let a = f.latest().expect("answered");
        assert!(a.ip().is_loopback() && a.port() == 9000, "{a}");
        assert_eq!(f.latest(), None, "taken");
        assert_eq!((ok.get(), failed.get()), (1, 1));
    }

    #[test]
    fn the_thread_answers_until_stopped() {
        let mut r = DnsRefresh::new(Box::new(crate::net::dns::SystemResolver));
        let mut f = r.feed("127.0.0.1", 7, Counter::new(), Counter::new());
        let h = r.start().expect("thread");
        f.request();
        let end = std::time::Instant::now() + Duration::from_secs(10);
        let mut got = None;
        while got.is_none() && std::time::Instant::now() < end {
            got = f.latest();
            std::thread::sleep(Duration::from_millis(5));
        }
        h.stop_and_join();
        assert_eq!(got.map(|a| a.to_string()).as_deref(), Some("127.0.0.1:7"));
    }
}
