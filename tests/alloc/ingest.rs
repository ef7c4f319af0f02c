//! Allocations per frame through the WebSocket layer and the ingest stage, in steady state.
//!
//! A counting allocator counts allocations on the test thread (which polls the ingest stage) once
//! the warm-up is over. The server streams Binance bookTicker frames over loopback; the figure is
//! printed (`cargo test --test ingest_alloc -- --nocapture`).
//!
//! What the layers allocate per frame: the parsers and the ring nothing; tungstenite 0.27 nothing
//! per frame either (a frame's payload is split off its input `BytesMut` and freed back into it
//! when the message is dropped), except that its input buffer may double its capacity when a
//! partial frame sits at the end of a full buffer and cannot be moved down without overlap. Each
//! doubling is one allocation, and the buffer (128 KiB to start) never needs to exceed twice the
//! 1 MiB frame limit plus a read, so there are at most 5 in a connection's life, whatever the
//! number of frames; in practice 0 or 1.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::common::config::{binance_only, checked};
use microarb::base::Clock;
use microarb::ingest::{IngestSettings, IngestStage};
use microarb::model::Quote;
use microarb::runtime::{ring, Stage};
use microarb::telemetry::Registry;
use tungstenite::Message;

use crate::common::alloc as counting_alloc;

#[test]
fn steady_state_frames_allocate_nothing() {
    let _serial = counting_alloc::serial();
    counting_alloc::reset();
    let n: u64 = 40_000;
    let warmup: u64 = 4_000;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let server = std::thread::spawn(move || {
        let (s, _) = listener.accept().unwrap();
        let mut ws = tungstenite::accept(s).unwrap();
        for u in 1..=n {
            if u == warmup + 1 {
                ws.flush().unwrap();
                // Wait until the client has read the warm-up and started counting.
                go_rx.recv().unwrap();
            }
            let f = format!(
                r#"{{"stream":"btcusdt@bookTicker","data":{{"u":{u},"s":"BTCUSDT","b":"60000.50","B":"1.5","a":"60001.00","A":"2.25"}}}}"#
            );
            ws.write(Message::text(f)).unwrap();
            if u % 64 == 0 {
                ws.flush().unwrap();
                // Pace the stream a little so reads happen in many small batches.
                std::thread::sleep(Duration::from_micros(50));
            }
        }
        ws.flush().unwrap();
        std::thread::sleep(Duration::from_millis(500));
    });
    let cfg = checked(binance_only(&url));
    let clock = Clock::new();
    let mut reg = Registry::new();
    let (tx, mut rx) = ring::<Quote>("quotes", 1 << 16, &mut reg.counters);
    let mut stage =
        IngestStage::from_config(&cfg, tx, clock, &mut reg, &IngestSettings::default()).unwrap();
    let mut got = 0u64;
    let mut tracked_from = None;
    let end = Instant::now() + Duration::from_secs(20);
    while got < n && Instant::now() < end {
        stage.poll(clock.now_ns());
        while rx.pop().is_some() {
            got += 1;
        }
        if got >= warmup && tracked_from.is_none() {
            tracked_from = Some(got);
            go_tx.send(()).unwrap();
            counting_alloc::track(true);
        }
    }
    counting_alloc::track(false);
    server.join().unwrap();
    assert_eq!(got, n);
    let frames = n - tracked_from.unwrap();
    let allocs = counting_alloc::allocations();
    println!(
        "websocket + ingest: {allocs} allocations over {frames} frames ({:.4} per frame)",
        allocs as f64 / frames as f64
    );
    assert!(
        allocs <= 5,
        "{allocs} allocations: more than the input buffer's bounded capacity doublings"
    );
}
