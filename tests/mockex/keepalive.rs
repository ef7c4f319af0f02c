//! Keep-alive on real sockets, per venue: Binance's server pings (answered pongs are counted, a
//! connection that does not pong is closed), the text pings of Upbit, Bybit and OKX answered as
//! the venue does, Upbit's control pings answered, and [`Fault::IgnorePings`] switching it all off.

use std::time::{Duration, Instant};

use crate::common::mockex_feed::*;
use microarb::ingest::venues::{Frame, SkipKind};
use microarb::model::VenueKind;
use mockex::{Fault, KeepAliveSettings, MockExchange};
use tungstenite::{Bytes, Message};

fn binance_exchange(close_without_pong: bool) -> MockExchange {
    let mut cfg = one_venue(VenueKind::Binance, Some(0));
    cfg.wait_for_subscribers = false;
    cfg.keep_alive = KeepAliveSettings {
        server_ping_interval: Duration::from_millis(40),
        pong_timeout: Duration::from_millis(150),
        close_without_pong,
    };
    MockExchange::start(cfg).expect("start")
}

/// Read for `d`, counting server pings seen; None when the connection ended.
fn pings_within(ws: &mut Client, d: Duration) -> Option<usize> {
    let deadline = Instant::now() + d;
    let mut pings = 0;
    while Instant::now() < deadline {
        match read(ws) {
            Got::Other(Message::Ping(_)) => pings += 1,
            Got::Other(Message::Close(_)) | Got::Failed(_) => return None,
            _ => {}
        }
    }
    Some(pings)
}

#[test]
fn binance_server_pings_and_pongs() {
    let ex = binance_exchange(true);
    let mut ws = subscribe(&ex, "binance", "BTCUSDT");
    let pings = pings_within(&mut ws, Duration::from_millis(400)).expect("still open");
    assert!(pings >= 3, "{pings} pings");
    wait_for(Duration::from_secs(2), "pongs counted", || {
        ex.venue_stats("binance").unwrap().pongs_received >= 3
    });
    let s = ex.venue_stats("binance").unwrap();
    assert_eq!(s.pong_timeouts, 0);
    assert!(s.server_pings_sent >= 3);
}

#[test]
fn binance_closes_a_connection_that_does_not_pong() {
    let ex = binance_exchange(true);
    let mut ws = subscribe(&ex, "binance", "BTCUSDT");
    // Not reading means tungstenite never answers the pings.
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(pings_within(&mut ws, Duration::from_millis(500)), None);
    assert_eq!(ex.venue_stats("binance").unwrap().pong_timeouts, 1);
}

#[test]
fn binance_without_enforcement_only_counts() {
    let ex = binance_exchange(false);
    let mut ws = subscribe(&ex, "binance", "BTCUSDT");
    std::thread::sleep(Duration::from_millis(400));
    assert!(pings_within(&mut ws, Duration::from_millis(200)).is_some());
    assert!(ex.venue_stats("binance").unwrap().pong_timeouts >= 1);
}

#[test]
fn binance_ignore_pings_stops_server_pings() {
    let ex = binance_exchange(true);
    let mut ws = subscribe(&ex, "binance", "BTCUSDT");
    assert!(pings_within(&mut ws, Duration::from_millis(200)).unwrap() >= 1);
    ex.control().inject("binance", Fault::IgnorePings).unwrap();
    pings_within(&mut ws, Duration::from_millis(50)).unwrap();
    assert_eq!(pings_within(&mut ws, Duration::from_millis(300)), Some(0));
    ex.control().inject("binance", Fault::Clear).unwrap();
    assert!(pings_within(&mut ws, Duration::from_millis(300)).unwrap() >= 1);
}

/// The venue's keep-alive answer to its text ping, as the engine's parser sees it.
fn text_ping(kind: VenueKind, ping: &str, expect: &[u8]) {
    let mut cfg = one_venue(kind, Some(0));
    cfg.wait_for_subscribers = false;
    let ex = MockExchange::start(cfg).expect("start");
    let symbol = default_symbol(kind);
    let mut ws = subscribe(&ex, kind.name(), symbol);
    let mut p = parser(kind, symbol);
    let mut answer = |ws: &mut Client| loop {
        let d = next_data(ws, Duration::from_millis(300))?;
        match parse(&mut p, &d) {
            Ok(Frame::Skip(SkipKind::SubscribeAck)) => continue,
            Ok(Frame::Skip(SkipKind::KeepAlive)) => return Some(d),
            other => panic!("{kind:?}: {other:?}"),
        }
    };
    ws.send(Message::Text(ping.into())).unwrap();
    let got = answer(&mut ws).expect("answer");
    assert!(got.starts_with(expect), "{}", String::from_utf8_lossy(&got));
    assert_eq!(ex.venue_stats(kind.name()).unwrap().pings_answered, 1);

    ex.control()
        .inject(kind.name(), Fault::IgnorePings)
        .unwrap();
    ws.send(Message::Text(ping.into())).unwrap();
    assert_eq!(answer(&mut ws), None, "{kind:?}: answered while ignoring");
    assert_eq!(ex.venue_stats(kind.name()).unwrap().pings_ignored, 1);

    ex.control().inject(kind.name(), Fault::Clear).unwrap();
    ws.send(Message::Text(ping.into())).unwrap();
    assert!(answer(&mut ws).is_some());
}

#[test]
fn upbit_text_ping() {
    text_ping(VenueKind::Upbit, "PING", br#"{"status":"UP"}"#);
}

#[test]
fn bybit_op_ping() {
    text_ping(
        VenueKind::Bybit,
        r#"{"op":"ping","req_id":"k1"}"#,
        br#"{"success":true,"ret_msg":"pong","conn_id":""#,
    );
}

#[test]
fn okx_text_ping() {
    text_ping(VenueKind::Okx, "ping", b"pong");
}

#[test]
fn upbit_control_ping_gets_a_pong() {
    let mut cfg = one_venue(VenueKind::Upbit, Some(0));
    cfg.wait_for_subscribers = false;
    let ex = MockExchange::start(cfg).expect("start");
    let mut ws = subscribe(&ex, "upbit", "USDT-BTC");
    ws.send(Message::Ping(Bytes::from_static(b"hb"))).unwrap();
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        assert!(Instant::now() < deadline, "no pong");
        if let Got::Other(Message::Pong(p)) = read(&mut ws) {
            assert_eq!(&p[..], b"hb");
            break;
        }
    }
}
