//! The engine's WebSocket client against a minimal venue server on loopback: subscribe and stream,
//! reconnect after a drop, garbage counted with the connection kept, oversized frames refused.
//! (The full mock exchange has its own tests; this server is the smallest thing that speaks the
//! Binance combined-stream protocol, so these tests pin the client itself.)
#![allow(clippy::result_large_err)] // tungstenite's accept_hdr callback signature

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::config::{binance_only, checked};
use microarb::base::Clock;
use microarb::config::Config;
use microarb::ingest::{IngestSettings, IngestStage};
use microarb::model::Quote;
use microarb::runtime::{ring, RingRx, Stage};
use microarb::telemetry::Registry;
use tungstenite::Message;

fn config(url: &str) -> Config {
    let mut cfg = binance_only(url);
    cfg.venues[0].stale_after_ms = 200;
    cfg.ingest.reconnect_after_ms = 2000;
    cfg.ingest.connect_timeout_ms = 2000;
    cfg.ingest.max_message_bytes = 65536;
    cfg.ingest.backoff_initial_ms = 20;
    cfg.ingest.backoff_max_ms = 200;
    checked(cfg)
}

fn frame(u: u64, bid: &str) -> String {
    format!(
        r#"{{"stream":"btcusdt@bookTicker","data":{{"u":{u},"s":"BTCUSDT","b":"{bid}","B":"1.5","a":"60001.00","A":"2.25"}}}}"#
    )
}

/// A server that accepts `sessions` connections in turn; for each, runs `script` with the socket.
fn serve(
    sessions: usize,
    script: impl Fn(usize, &mut tungstenite::WebSocket<std::net::TcpStream>) + Send + 'static,
) -> (String, Arc<AtomicUsize>, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let acc = accepted.clone();
    let h = std::thread::spawn(move || {
        for i in 0..sessions {
            let (stream, _) = listener.accept().unwrap();
            acc.fetch_add(1, Ordering::SeqCst);
            let mut path = String::new();
            let mut ws = tungstenite::accept_hdr(
                stream,
                |req: &tungstenite::handshake::server::Request, resp| {
                    path = req.uri().to_string();
                    Ok(resp)
                },
            )
            .unwrap();
            assert!(path.contains("streams=btcusdt@bookTicker"), "{path}");
            script(i, &mut ws);
        }
    });
    (url, accepted, h)
}

struct Harness {
    stage: IngestStage,
    rx: RingRx<Quote>,
    reg: Registry,
    clock: Clock,
}

impl Harness {
    fn new(cfg: &Config) -> Harness {
        Harness::with(cfg, &IngestSettings::default())
    }

    fn with(cfg: &Config, settings: &IngestSettings) -> Harness {
        let clock = Clock::new();
        let mut reg = Registry::new();
        let (tx, rx) = ring::<Quote>("quotes", 1 << 16, &mut reg.counters);
        let stage = IngestStage::from_config(cfg, tx, clock, &mut reg, settings).unwrap();
        Harness {
            stage,
            rx,
            reg,
            clock,
        }
    }

    /// Poll until `done` or the deadline; returns quotes taken.
    fn run_until(
        &mut self,
        secs: f64,
        mut done: impl FnMut(&Registry, &[Quote]) -> bool,
    ) -> Vec<Quote> {
        let mut got = Vec::new();
        let end = Instant::now() + Duration::from_secs_f64(secs);
        while Instant::now() < end {
            self.stage.poll(self.clock.now_ns());
            while let Some(m) = self.rx.pop() {
                got.push(m.msg);
            }
            if done(&self.reg, &got) {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        got
    }

    fn counter(&self, name: &str) -> u64 {
        self.reg
            .counters
            .get(&format!("ingest.binance.{name}"))
            .unwrap()
    }
}

#[test]
fn subscribe_and_stream_n_frames_gives_n_quotes() {
    let n = 2000u64;
    let (url, _acc, server) = serve(1, move |_, ws| {
        for u in 1..=n {
            ws.write(Message::text(frame(u, "60000.50"))).unwrap();
        }
        ws.flush().unwrap();
        // Keep the session open until the client has read everything.
        std::thread::sleep(Duration::from_millis(500));
    });
    let mut h = Harness::new(&config(&url));
    let quotes = h.run_until(10.0, |_, q| q.len() as u64 >= n);
    assert_eq!(quotes.len() as u64, n);
    for (i, q) in quotes.iter().enumerate() {
        assert_eq!(q.seq, i as u64 + 1);
        assert_eq!(q.bid_px.0, 6_000_050_000_000);
        assert_eq!(q.ask_qty.0, 225_000_000);
    }
    assert_eq!(h.counter("frames"), n);
    assert_eq!(h.counter("quotes"), n);
    assert_eq!(h.counter("parse_errors"), 0);
    server.join().unwrap();
}

#[test]
fn a_budget_of_one_frame_reads_one_frame_per_poll_and_loses_nothing() {
    // The shared-thread topology: each quote goes on before the next frame is read, and the
    // frames left in the socket are read on later polls without a new readiness event.
    let n = 300u64;
    let (url, _acc, server) = serve(1, move |_, ws| {
        for u in 1..=n {
            ws.write(Message::text(frame(u, "60000.50"))).unwrap();
        }
        ws.flush().unwrap();
        std::thread::sleep(Duration::from_millis(800));
    });
    let settings = IngestSettings {
        frames_per_poll: 1,
        ..IngestSettings::default()
    };
    let mut h = Harness::with(&config(&url), &settings);
    let first = h.run_until(10.0, |_, q| !q.is_empty());
    assert_eq!(first.len(), 1, "one frame per poll");
    // Everything else is already in the socket: let it all arrive, then poll without sleeping.
    std::thread::sleep(Duration::from_millis(100));
    let mut got = first;
    let mut polls = 0;
    while (got.len() as u64) < n && polls < 100_000 {
        h.stage.poll(h.clock.now_ns());
        polls += 1;
        let mut this_poll = 0;
        while let Some(m) = h.rx.pop() {
            got.push(m.msg);
            this_poll += 1;
        }
        assert!(this_poll <= 1, "poll {polls} read {this_poll} frames");
    }
    assert_eq!(got.len() as u64, n, "nothing lost");
    assert!(got.iter().enumerate().all(|(i, q)| q.seq == i as u64 + 1));
    assert_eq!(h.counter("quotes"), n);
    server.join().unwrap();
}

#[test]
fn a_dropped_connection_reconnects_and_resumes() {
    let (url, accepted, server) = serve(2, move |session, ws| {
        for u in 1..=100u64 {
            // The second session's update ids restart: a reconnect resets the sequence guard.
            ws.write(Message::text(frame(u + session as u64 * 1000, "60000.50")))
                .unwrap();
        }
        ws.flush().unwrap();
        if session == 0 {
            // Drop abruptly: no close frame.
            let _ = ws.get_mut().shutdown(std::net::Shutdown::Both);
        } else {
            std::thread::sleep(Duration::from_millis(500));
        }
    });
    let mut h = Harness::new(&config(&url));
    let quotes = h.run_until(10.0, |_, q| q.len() >= 200);
    assert_eq!(quotes.len(), 200);
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
    assert!(h.counter("reconnects") >= 1);
    assert_eq!(h.counter("opens"), 2);
    server.join().unwrap();
}

#[test]
fn garbage_is_counted_and_the_connection_kept() {
    let (url, accepted, server) = serve(1, move |_, ws| {
        ws.write(Message::text(frame(1, "60000.50"))).unwrap();
        for g in [
            "not json",
            "{\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":2,\"s\":\"BTCUSDT\",\"b\":\"x\"}}",
            "\u{0}\u{1}",
        ] {
            ws.write(Message::text(g)).unwrap();
        }
        ws.write(Message::binary(vec![0xff, 0xfe, 0x00])).unwrap();
        ws.write(Message::text(frame(3, "60000.50"))).unwrap();
        ws.flush().unwrap();
        std::thread::sleep(Duration::from_millis(500));
    });
    let mut h = Harness::new(&config(&url));
    let quotes = h.run_until(10.0, |_, q| q.len() >= 2);
    assert_eq!(quotes.len(), 2);
    assert_eq!(h.counter("parse_errors"), 4);
    assert_eq!(h.counter("opens"), 1);
    assert_eq!(h.counter("disconnects"), 0);
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
    server.join().unwrap();
}

#[test]
fn an_oversized_frame_is_refused_and_counted() {
    let (url, _acc, server) = serve(2, move |session, ws| {
        if session == 0 {
            ws.write(Message::text(frame(1, "60000.50"))).unwrap();
            ws.write(Message::text("x".repeat(200_000))).unwrap();
            let _ = ws.flush();
            std::thread::sleep(Duration::from_millis(300));
        } else {
            ws.write(Message::text(frame(5, "60000.50"))).unwrap();
            ws.flush().unwrap();
            std::thread::sleep(Duration::from_millis(500));
        }
    });
    let mut h = Harness::new(&config(&url));
    let quotes = h.run_until(10.0, |_, q| q.len() >= 2);
    assert_eq!(quotes.len(), 2);
    assert_eq!(h.counter("oversized"), 1);
    assert_eq!(h.counter("opens"), 2);
    server.join().unwrap();
}

#[test]
fn server_pings_are_answered() {
    let (url, _acc, server) = serve(1, move |_, ws| {
        ws.send(Message::Ping(b"hi".to_vec().into())).unwrap();
        // Read until the pong arrives.
        let end = Instant::now() + Duration::from_secs(5);
        ws.get_mut()
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let mut ponged = false;
        while Instant::now() < end && !ponged {
            if let Ok(Message::Pong(p)) = ws.read() {
                assert_eq!(&p[..], b"hi");
                ponged = true;
            }
        }
        assert!(ponged, "client answered the ping");
        ws.write(Message::text(frame(1, "60000.50"))).unwrap();
        ws.flush().unwrap();
        std::thread::sleep(Duration::from_millis(300));
    });
    let mut h = Harness::new(&config(&url));
    let quotes = h.run_until(10.0, |_, q| !q.is_empty());
    assert_eq!(quotes.len(), 1);
    assert_eq!(h.counter("pings_received"), 1);
    server.join().unwrap();
}

#[test]
fn a_refused_connect_is_retried_with_backoff() {
    // Bind then drop a listener: its port refuses connections.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut h = Harness::new(&config(&format!("ws://127.0.0.1:{port}")));
    h.run_until(0.5, |_, _| false);
    let failures = h.counter("connect_failures");
    assert!(failures >= 2, "retried: {failures}");
    assert!(failures < 40, "backoff spaces the attempts: {failures}");
}
