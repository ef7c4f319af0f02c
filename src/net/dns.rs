//! Host name resolution behind a seam ([`Resolver`]), and the start-up rule: a lookup that fails
//! is retried with backoff, counted, and only fatal once the bound is spent.
//!
//! Why: a venue's DNS answer can be missing for a moment (resolver restart, network coming up
//! after boot); one failed lookup at start-up should not end the run. A host name that does not
//! exist at all (a config typo) must still end it, with an error that names the host: the bound
//! is [`START_UP`], 6 attempts over about 6 s (waits 0.25, 0.5, 1, 2, 2 s), short enough that a
//! typo is reported quickly and long enough to ride out a resolver hiccup.
//!
//! Re-resolving on every reconnect, off the threads that poll sockets, is
//! [`super::dns_refresh`]'s. Cold path: lookups block (getaddrinfo) and allocate.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use thiserror::Error;

/// Resolves a host name and port to socket addresses. The system's resolver is
/// [`SystemResolver`]; tests give a fake (a name that fails, then resolves).
pub trait Resolver: Send + Sync {
    /// Every address of `host:port`, in the order to try them (empty or `Err`: not resolved).
    fn lookup(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>>;
}

/// The operating system's resolver (`getaddrinfo` through [`ToSocketAddrs`]); IP literals
/// resolve without a query.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn lookup(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        // An IPv6 literal may come bracketed from a URL authority.
        let h = host.trim_start_matches('[').trim_end_matches(']');
        Ok((h, port).to_socket_addrs()?.collect())
    }
}

/// How often, and how patiently, a failed lookup is tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Lookups in all, the first included (at least 1).
    pub attempts: u32,
    /// Wait after the first failure; doubles after each.
    pub first_delay: Duration,
    /// Cap of the doubling wait.
    pub max_delay: Duration,
}

/// The start-up bound: 6 attempts, waits 0.25 s doubling to at most 2 s (about 5.75 s of
/// waiting in all before the error).
pub const START_UP: RetryPolicy = RetryPolicy {
    attempts: 6,
    first_delay: Duration::from_millis(250),
    max_delay: Duration::from_secs(2),
};

/// A host that did not resolve within the bound.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("cannot resolve {host}:{port} after {attempts} attempt(s): {reason}")]
pub struct DnsError {
    /// The host name.
    pub host: String,
    /// The port asked for.
    pub port: u16,
    /// Lookups made.
    pub attempts: u32,
    /// The last lookup's error ("no address" when it answered none).
    pub reason: String,
}

/// Look `host:port` up with `r`, retrying failures by `policy` (waiting with `sleep`, which
/// tests replace); `on_retry` is called before each retry (the caller counts it). Returns the
/// addresses of the first lookup that gave any.
pub fn resolve_with_retry(
    r: &dyn Resolver,
    host: &str,
    port: u16,
    policy: RetryPolicy,
    sleep: &mut dyn FnMut(Duration),
    on_retry: &mut dyn FnMut(),
) -> Result<Vec<SocketAddr>, DnsError> {
    let attempts = policy.attempts.max(1);
    let mut delay = policy.first_delay;
    let mut reason = String::new();
    for n in 1..=attempts {
        match r.lookup(host, port) {
            Ok(a) if !a.is_empty() => return Ok(a),
            Ok(_) => reason = "no address".to_string(),
            Err(e) => reason = e.to_string(),
        }
        if n < attempts {
            on_retry();
            sleep(delay);
            delay = (delay * 2).min(policy.max_delay);
        }
    }
    Err(DnsError {
        host: host.to_string(),
        port,
        attempts,
        reason,
    })
}

/// [`resolve_with_retry`] on the system resolver with the [`START_UP`] bound, really sleeping.
pub fn resolve_at_start_up(
    host: &str,
    port: u16,
    on_retry: &mut dyn FnMut(),
) -> Result<Vec<SocketAddr>, DnsError> {
    resolve_with_retry(
        &SystemResolver,
        host,
        port,
        START_UP,
        &mut std::thread::sleep,
        on_retry,
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// Fails its first `fail` lookups, then answers like the system resolver.
    pub(crate) struct Flaky {
        pub fail: u32,
        pub calls: AtomicU32,
    }

    impl Resolver for Flaky {
        fn lookup(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
            let n = self.calls.fetch_add(1, Ordering::Relaxed);
            if n < self.fail {
                return Err(io::Error::other("temporary failure in name resolution"));
            }
            SystemResolver.lookup(host, port)
        }
    }

    #[test]
    fn a_name_that_fails_then_resolves_is_retried_and_counted() {
        let r = Flaky {
            fail: 2,
            calls: AtomicU32::new(0),
        };
        let (mut waits, mut retries) = (Vec::new(), 0);
        let a = resolve_with_retry(
            &r,
            "localhost",
            8080,
            START_UP,
            &mut |d| waits.push(d),
            &mut || retries += 1,
        )
        .expect("resolves on the third lookup");
        assert!(
            a.iter().all(|a| a.ip().is_loopback() && a.port() == 8080),
            "{a:?}"
        );
        assert_eq!(retries, 2);
        assert_eq!(
            waits,
            [Duration::from_millis(250), Duration::from_millis(500)]
        );
    }

    #[test]
    fn a_name_that_never_resolves_ends_with_an_error_naming_it() {
        let (mut waits, mut retries) = (Vec::new(), 0);
        let e = resolve_with_retry(
            &SystemResolver,
            "no-such-host.invalid",
            443,
            START_UP,
            &mut |d| waits.push(d),
            &mut || retries += 1,
        )
        .unwrap_err();
        assert_eq!(
            (e.host.as_str(), e.port, e.attempts),
            ("no-such-host.invalid", 443, 6)
        );
        assert!(e.to_string().contains("no-such-host.invalid:443"), "{e}");
        assert_eq!(retries, 5);
        let total: Duration = waits.iter().sum();
        assert_eq!(total, Duration::from_millis(5750), "{waits:?}");
    }

    #[test]
    fn literals_resolve_without_retry() {
        let mut retries = 0;
        let a = resolve_with_retry(
            &SystemResolver,
            "[::1]",
            1,
            START_UP,
            &mut |_| {},
            &mut || retries += 1,
        )
        .unwrap();
        assert_eq!(a[0].to_string(), "[::1]:1");
        assert_eq!(retries, 0);
    }
}
