//! The REST fallback's client against a minimal HTTP/1.1 server on loopback (the smallest thing
//! that answers Binance's `GET /api/v3/ticker/bookTicker` like the docs' example; the mock
//! exchange's own endpoints are exercised in `tests/pipeline/rest_fallback.rs`): the venue's
//! WebSocket URL points at a closed port, so the stream is never live and the fallback polls once
//! the start-up grace (`stale_after_ms`) has passed. Pins the client itself: the request it
//! sends, the quotes and their stamps, the keep-alive reuse, unchanged books not pushed, a 429
//! honoured for its `Retry-After`, bad answers and timeouts counted, the connection never
//! blocking the stage.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::config::{binance_only, checked};
use microarb::base::Clock;
use microarb::config::Config;
use microarb::ingest::{IngestSettings, IngestStage};
use microarb::model::{Quote, QuoteSource};
use microarb::runtime::{ring, RingRx, Stage};
use microarb::telemetry::Registry;

/// What the server answers to request `n` (0-based, over all connections).
type Script = dyn Fn(usize) -> Answer + Send + Sync;

enum Answer {
    /// Status, extra header lines, body.
    Send(u16, &'static str, String),
    /// Read the request, answer nothing (the client must time out).
    Silent,
}

fn ticker(bid: u64) -> String {
    format!(
        r#"{{"symbol":"BTCUSDT","bidPrice":"{bid}.00000000","bidQty":"431.00000000","askPrice":"{}.00000200","askQty":"9.00000000"}}"#,
        bid + 1
    )
}

struct Server {
    url: String,
    requests: Arc<Mutex<Vec<(Instant, String)>>>,
    connections: Arc<AtomicUsize>,
}

fn serve(script: Box<Script>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let connections = Arc::new(AtomicUsize::new(0));
    let (reqs, conns) = (Arc::clone(&requests), Arc::clone(&connections));
    let script: Arc<Script> = Arc::from(script);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            conns.fetch_add(1, Ordering::SeqCst);
            let (reqs, script) = (Arc::clone(&reqs), Arc::clone(&script));
            std::thread::spawn(move || session(stream, &reqs, &*script));
        }
    });
    Server {
        url,
        requests,
        connections,
    }
}

fn session(mut s: TcpStream, reqs: &Mutex<Vec<(Instant, String)>>, script: &Script) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            match s.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let head = String::from_utf8_lossy(&buf[..end]).to_string();
        buf.drain(..end);
        let n = {
            let mut r = reqs.lock().unwrap();
            r.push((Instant::now(), head));
            r.len() - 1
        };
        match script(n) {
            Answer::Send(status, extra, body) => {
                let text = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}\r\n{body}",
                    body.len()
                );
                if s.write_all(text.as_bytes()).is_err() {
                    return;
                }
            }
            Answer::Silent => {}
        }
    }
}

fn config(rest_url: &str, poll_ms: u64) -> Config {
    // Nothing listens on port 9: the stream never opens.
    let mut cfg = binance_only("ws://127.0.0.1:9");
    cfg.venues[0].stale_after_ms = 100;
    cfg.venues[0].rest_url = Some(rest_url.to_string());
    cfg.venues[0].rest_poll_ms = Some(poll_ms);
    cfg.ingest.rest_fallback = true;
    cfg.ingest.rest_timeout_ms = 300;
    cfg.ingest.backoff_initial_ms = 10_000;
    cfg.ingest.backoff_max_ms = 10_000;
    checked(cfg)
}

struct Harness {
    stage: IngestStage,
    rx: RingRx<Quote>,
    reg: Registry,
    clock: Clock,
}

impl Harness {
    fn new(cfg: &Config) -> Harness {
        let clock = Clock::new();
        let mut reg = Registry::new();
        let (tx, rx) = ring::<Quote>("quotes", 1 << 12, &mut reg.counters);
        let stage = IngestStage::from_config(cfg, tx, clock, &mut reg, &IngestSettings::default())
            .expect("stage");
        Harness {
            stage,
            rx,
            reg,
            clock,
        }
    }

    /// Poll until `done` or `secs`; returns the quotes taken.
    fn run_until(
        &mut self,
        secs: f64,
        mut done: impl FnMut(&Harness, &[Quote]) -> bool,
    ) -> Vec<Quote> {
        let mut got = Vec::new();
        let end = Instant::now() + Duration::from_secs_f64(secs);
        while Instant::now() < end {
            self.stage.poll(self.clock.now_ns());
            while let Some(m) = self.rx.pop() {
                got.push(m.msg);
            }
            if done(self, &got) {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        got
    }

    fn c(&self, name: &str) -> u64 {
        self.reg
            .counters
            .get(&format!("ingest.binance.rest_{name}"))
            .unwrap_or_else(|| panic!("no counter rest_{name}"))
    }
}

#[test]
fn polls_at_a_fixed_cadence_over_one_kept_alive_connection() {
    let srv = serve(Box::new(|n| {
        Answer::Send(200, "", ticker(60_000 + n as u64))
    }));
    let mut h = Harness::new(&config(&srv.url, 50));
    let t0 = h.clock.now_ns();
    let quotes = h.run_until(10.0, |_, q| q.len() >= 8);
    assert_eq!(quotes.len(), 8, "{} quotes", quotes.len());
    // Not before the stream's start-up grace.
    assert!(quotes[0].recv_ts_ns >= t0 + 100_000_000);
    for (i, q) in quotes.iter().enumerate() {
        assert_eq!(q.source, QuoteSource::Rest);
        assert_eq!(q.flags & 1, 1, "a REST answer is a snapshot");
        assert_eq!(q.bid_px.0, (60_000 + i as i64) * 100_000_000);
        assert_eq!(q.ask_px.0, (60_001 + i as i64) * 100_000_000 + 200);
        assert_eq!((q.bid_qty.0, q.ask_qty.0), (43_100_000_000, 900_000_000));
    }
    for pair in quotes.windows(2) {
        assert_eq!(
            pair[1].recv_ts_ns - pair[0].recv_ts_ns,
            50_000_000,
            "one round per interval"
        );
    }
    let reqs: Vec<String> = srv
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.1.clone())
        .collect();
    assert!(
        reqs[0].starts_with("GET /api/v3/ticker/bookTicker?symbol=BTCUSDT HTTP/1.1\r\n"),
        "{}",
        reqs[0]
    );
    assert!(reqs[0].contains(&format!(
        "\r\nHost: {}\r\n",
        srv.url.trim_start_matches("http://")
    )));
    assert_eq!(
        srv.connections.load(Ordering::SeqCst),
        1,
        "keep-alive: one connection"
    );
    assert_eq!(h.c("activations"), 1);
    assert_eq!(h.c("connects"), 1);
    assert!(h.c("polls") >= 8 && h.c("polls") <= h.c("answers") + 1);
    assert_eq!(h.c("quotes"), 8);
    assert!(h.stage.rest_pollers()[0].is_active());
}

#[test]
fn unchanged_books_429s_bad_answers_and_timeouts_are_counted() {
    // 0: a book; 1: the same book; 2: 429 for 1 s; 3: unparsable; 4: venue error; 5: a 500;
    // 6: silence (times out, the connection is dropped); then new books.
    let srv = serve(Box::new(|n| match n {
        0 | 1 => Answer::Send(200, "", ticker(100)),
        2 => Answer::Send(
            429,
            "Retry-After: 1\r\n",
            r#"{"code":-1003,"msg":"Too many requests"}"#.into(),
        ),
        3 => Answer::Send(200, "", "<html>".into()),
        4 => Answer::Send(400, "", r#"{"code":-1121,"msg":"Invalid symbol."}"#.into()),
        5 => Answer::Send(500, "", "{}".into()),
        6 => Answer::Silent,
        n => Answer::Send(200, "", ticker(100 + n as u64)),
    }));
    let mut h = Harness::new(&config(&srv.url, 50));
    let quotes = h.run_until(15.0, |_, q| q.len() >= 3);
    assert_eq!(quotes.len(), 3);
    assert_eq!(h.c("unchanged"), 1, "the repeated book is not a new update");
    assert_eq!(h.c("http_429"), 1);
    assert_eq!(h.c("parse_errors"), 1);
    assert_eq!(h.c("http_errors"), 2, "the 400 and the 500");
    assert_eq!(h.c("timeouts"), 1);
    assert_eq!(h.c("connects"), 2, "reconnected after the timeout");
    assert_eq!(srv.connections.load(Ordering::SeqCst), 2);
    // Retry-After: 1 s: the request after the 429 comes at least that much after it.
    let reqs = srv.requests.lock().unwrap().clone();
    assert!(reqs.len() >= 9, "{} requests", reqs.len());
    let pause = reqs[3].0 - reqs[2].0;
    assert!(pause >= Duration::from_secs(1), "{pause:?}");
    // Other requests keep the cadence (no pause after errors other than 429).
    assert!(reqs[4].0 - reqs[3].0 < Duration::from_secs(1));
    assert!(quotes.iter().all(|q| q.source == QuoteSource::Rest));
}

#[test]
fn a_dead_rest_host_never_blocks_the_stage() {
    // Nothing listens: connects fail and back off; every poll of the stage returns at once.
    let mut h = Harness::new(&config("http://127.0.0.1:9", 50));
    let mut slowest = Duration::ZERO;
    let end = Instant::now() + Duration::from_millis(800);
    while Instant::now() < end {
        let t = Instant::now();
        h.stage.poll(h.clock.now_ns());
        slowest = slowest.max(t.elapsed());
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(h.c("connects") >= 2, "retried");
    assert!(
        h.c("connects") <= 6,
        "with backoff, not every poll: {}",
        h.c("connects")
    );
    assert_eq!(h.c("polls"), 0);
    assert!(h.rx.pop().is_none());
    eprintln!("slowest stage poll with a dead REST host: {slowest:?}");
}
