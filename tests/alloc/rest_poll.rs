//! Allocations per REST poll of the fallback in steady state: the ingest stage polling a minimal
//! HTTP/1.1 server on loopback (Binance's bookTicker answer, a new book each time) while its
//! WebSocket URL points at a closed port. Counted on the test thread, which polls the stage:
//! writing the request (a copy into the connection's reserved buffer), reading and framing the
//! answer, parsing it and pushing the quote must allocate nothing.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::common::config::{binance_only, checked};
use microarb::base::Clock;
use microarb::ingest::{IngestSettings, IngestStage};
use microarb::model::{Quote, QuoteSource};
use microarb::runtime::{ring, Stage};
use microarb::telemetry::Registry;

use crate::common::alloc as counting_alloc;

#[test]
fn steady_state_polls_allocate_nothing() {
    let _serial = counting_alloc::serial();
    counting_alloc::reset();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let Ok((mut s, _)) = listener.accept() else {
            return;
        };
        let (mut buf, mut chunk, mut n) = (Vec::new(), [0u8; 2048], 0u64);
        loop {
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => return,
                    Ok(k) => buf.extend_from_slice(&chunk[..k]),
                }
            }
            let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
            buf.drain(..end);
            n += 1;
            let body = format!(
                r#"{{"symbol":"BTCUSDT","bidPrice":"{}.50","bidQty":"1.5","askPrice":"70000.00","askQty":"2.25"}}"#,
                60_000 + n
            );
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            if s.write_all(answer.as_bytes()).is_err() {
                return;
            }
        }
    });
    let mut cfg = binance_only("ws://127.0.0.1:9");
    cfg.venues[0].stale_after_ms = 50;
    cfg.venues[0].rest_url = Some(url);
    cfg.venues[0].rest_poll_ms = Some(40);
    cfg.ingest.rest_fallback = true;
    cfg.ingest.backoff_initial_ms = 60_000;
    cfg.ingest.backoff_max_ms = 60_000;
    let cfg = checked(cfg);
    let clock = Clock::new();
    let mut reg = Registry::new();
    let (tx, mut rx) = ring::<Quote>("quotes", 1 << 10, &mut reg.counters);
    let mut stage =
        IngestStage::from_config(&cfg, tx, clock, &mut reg, &IngestSettings::default()).unwrap();
    let (warmup, n) = (5u64, 30u64);
    let mut got = 0u64;
    let end = Instant::now() + Duration::from_secs(20);
    while got < warmup + n && Instant::now() < end {
        stage.poll(clock.now_ns());
        while let Some(m) = rx.pop() {
            assert_eq!(m.msg.source, QuoteSource::Rest);
            got += 1;
            if got == warmup {
                counting_alloc::track(true);
            }
        }
        std::thread::sleep(Duration::from_micros(100));
    }
    counting_alloc::track(false);
    assert_eq!(got, warmup + n);
    let allocs = counting_alloc::allocations();
    println!("REST fallback: {allocs} allocations over {n} polls");
    assert_eq!(allocs, 0, "a steady-state poll allocated");
}
