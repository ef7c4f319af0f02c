//! Each injected fault, observed from the client side on a real socket: a dropped connection, a
//! stall (no data and no keep-alive answers, then recovery), garbage frames the engine's parser
//! refuses, and a frame over the client's size limit.

use std::time::{Duration, Instant};

use crate::common::mockex_feed::*;
use microarb::ingest::venues::Frame;
use microarb::model::VenueKind;
use mockex::{Fault, MockExchange};
use tungstenite::Message;

/// An OKX venue streaming the synthetic market at `rate` frames/s.
fn okx_streaming(rate: u64) -> MockExchange {
    let mut cfg = one_venue(VenueKind::Okx, None);
    cfg.rate_per_s = rate;
    MockExchange::start(cfg).expect("start")
}

/// Read until the connection ends (Some(error)) or `d` passes (None).
fn ends_within(ws: &mut Client, d: Duration) -> Option<Got> {
    let deadline = Instant::now() + d;
    while Instant::now() < deadline {
        if let g @ (Got::Failed(_) | Got::Other(Message::Close(_))) = read(ws) {
            return Some(g);
        }
    }
    None
}

#[test]
fn drop_closes_tcp_without_a_close_frame() {
    let ex = okx_streaming(2_000);
    let mut ws = subscribe(&ex, "okx", "BTC-USDT");
    assert!(next_data(&mut ws, Duration::from_secs(2)).is_some());
    ex.control().inject("okx", Fault::DropConnections).unwrap();
    match ends_within(&mut ws, Duration::from_secs(2)) {
        Some(Got::Failed(_)) => {}
        other => panic!("expected an abrupt end, got {other:?}"),
    }
    assert_eq!(ex.venue_stats("okx").unwrap().dropped_by_fault, 1);
    // The venue still accepts new connections.
    let mut again = subscribe(&ex, "okx", "BTC-USDT");
    assert!(next_data(&mut again, Duration::from_secs(2)).is_some());
}

/// Drain what was in flight when the stall began; then nothing for `quiet`.
fn quiet_for(ws: &mut Client, quiet: Duration) -> bool {
    let end = Instant::now() + Duration::from_secs(2);
    let mut last_data = Instant::now();
    while Instant::now() < end {
        match read(ws) {
            Got::Data(..) => last_data = Instant::now(),
            Got::Failed(_) | Got::Other(Message::Close(_)) => return false,
            _ => {}
        }
        if last_data.elapsed() >= quiet {
            return true;
        }
    }
    false
}

#[test]
fn stall_sends_nothing_then_resumes() {
    let ex = okx_streaming(2_000);
    let mut ws = subscribe(&ex, "okx", "BTC-USDT");
    assert!(next_data(&mut ws, Duration::from_secs(2)).is_some());
    ex.control().inject("okx", Fault::Stall(None)).unwrap();
    ws.send(Message::Text("ping".into())).unwrap();
    assert!(
        quiet_for(&mut ws, Duration::from_millis(300)),
        "data during a stall"
    );
    let before = ex.venue_stats("okx").unwrap();
    assert!(before.frames_discarded > 0);
    assert_eq!(before.pings_answered, 0, "a stalled venue answered a ping");
    ex.control().inject("okx", Fault::Clear).unwrap();
    // The ping sent during the stall is answered, and data flows again.
    let mut p = parser(VenueKind::Okx, "BTC-USDT");
    let (mut pong, mut quotes) = (false, 0);
    while !(pong && quotes >= 5) {
        let d = next_data(&mut ws, Duration::from_secs(2)).expect("resumed");
        pong |= d == b"pong";
        quotes += usize::from(matches!(parse(&mut p, &d), Ok(Frame::Quote(_))));
    }
}

#[test]
fn timed_stall_ends_by_itself() {
    let ex = okx_streaming(2_000);
    let mut ws = subscribe(&ex, "okx", "BTC-USDT");
    assert!(next_data(&mut ws, Duration::from_secs(2)).is_some());
    let t = Instant::now();
    ex.control()
        .inject("okx", Fault::Stall(Some(Duration::from_millis(250))))
        .unwrap();
    assert!(quiet_for(&mut ws, Duration::from_millis(150)));
    assert!(next_data(&mut ws, Duration::from_secs(2)).is_some());
    assert!(t.elapsed() >= Duration::from_millis(200));
}

#[test]
fn garbage_frames_are_parse_errors_for_the_engine() {
    for kind in VenueKind::ALL {
        let mut cfg = one_venue(kind, None);
        cfg.rate_per_s = 1_000;
        let ex = MockExchange::start(cfg).expect("start");
        let symbol = default_symbol(kind);
        let mut ws = subscribe(&ex, kind.name(), symbol);
        let mut p = parser(kind, symbol);
        assert!(next_data(&mut ws, Duration::from_secs(2)).is_some());
        ex.control().inject(kind.name(), Fault::Garbage(6)).unwrap();
        let (mut errors, mut quotes_after) = (0, 0);
        while errors < 6 || quotes_after < 3 {
            let d = next_data(&mut ws, Duration::from_secs(2))
                .unwrap_or_else(|| panic!("{kind:?}: {errors} garbage frames"));
            match parse(&mut p, &d) {
                Err(_) => errors += 1,
                Ok(Frame::Quote(_)) if errors == 6 => quotes_after += 1,
                Ok(_) => {}
            }
        }
        assert_eq!(ex.venue_stats(kind.name()).unwrap().garbage_sent, 6);
    }
}

#[test]
fn oversized_frame_exceeds_the_client_limit() {
    let ex = okx_streaming(1_000);
    let ep = ex.endpoint("okx").unwrap();
    let mut ws = connect_with(&ep.ws_url, Some(64 << 10));
    let sub = microarb::ingest::venues::subscribe_messages(VenueKind::Okx, &["BTC-USDT"], "t");
    ws.send(Message::Text(sub[0].clone().into())).unwrap();
    assert!(next_data(&mut ws, Duration::from_secs(2)).is_some());
    ex.control()
        .inject("okx", Fault::Oversized(100_000))
        .unwrap();
    match ends_within(&mut ws, Duration::from_secs(2)) {
        Some(Got::Failed(tungstenite::Error::Capacity(_))) => {}
        other => panic!("expected a capacity error, got {other:?}"),
    }
    wait_for(Duration::from_secs(2), "oversized counted", || {
        ex.venue_stats("okx").unwrap().oversized_sent == 1
    });
}
