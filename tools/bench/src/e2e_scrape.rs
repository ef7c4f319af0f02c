//! The `e2e` driver's scraper: GETs the engine's `/metrics` at a fixed rate while it runs, as a
//! Prometheus server (or `microarb top`) would, so a run can compare the hot path's histograms
//! with and without scrapes. It runs on a thread of the driver (pinned with the mock exchange,
//! off the engine's cores) and counts what it got.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A free loopback port for the engine's endpoint (bound and released; the engine binds it next).
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// What the scraper did.
#[derive(Debug, Default)]
pub struct ScrapeStats {
    /// Scrapes answered 200.
    pub ok: u64,
    /// Scrapes that failed after the endpoint first answered.
    pub failed: u64,
    /// Body bytes of the last good scrape.
    pub last_bytes: usize,
    /// Each good scrape's duration, ns (connect to last byte).
    pub durations_ns: Vec<u64>,
}

/// The running scraper; [`Scraper::stop`] ends it and hands back its counts.
pub struct Scraper {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<ScrapeStats>,
}

impl Scraper {
    /// GET `http://addr/metrics` `hz` times a second until stopped (failures before the first
    /// answer are the engine starting, not counted).
    pub fn start(addr: SocketAddr, hz: f64) -> std::io::Result<Scraper> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let period = Duration::from_secs_f64(1.0 / hz.max(0.01));
        let handle = std::thread::Builder::new()
            .name("e2e-scrape".into())
            .spawn(move || {
                let mut st = ScrapeStats::default();
                let mut next = Instant::now();
                while !flag.load(Ordering::Relaxed) {
                    let t0 = Instant::now();
                    match get(addr) {
                        Ok(n) => {
                            st.ok += 1;
                            st.last_bytes = n;
                            st.durations_ns.push(t0.elapsed().as_nanos() as u64);
                        }
                        Err(_) if st.ok > 0 => st.failed += 1,
                        Err(_) => {}
                    }
                    next += period;
                    let now = Instant::now();
                    if next > now {
                        std::thread::sleep(next - now);
                    } else {
                        next = now;
                    }
                }
                st
            })?;
        Ok(Scraper { stop, handle })
    }

    /// Stop and collect.
    pub fn stop(self) -> ScrapeStats {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap_or_default()
    }
}

/// One GET; the body length of a 200.
fn get(addr: SocketAddr) -> std::io::Result<usize> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(500))?;
    s.set_read_timeout(Some(Duration::from_secs(2)))?;
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: e2e\r\nConnection: close\r\n\r\n")?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no response head"))?;
    if !raw.starts_with(b"HTTP/1.1 200") {
        return Err(std::io::Error::other("not 200"));
    }
    Ok(raw.len() - head_end - 4)
}
