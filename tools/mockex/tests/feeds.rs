//! The mock's WebSocket feeds with a plain tungstenite client and serde_json (no engine code):
//! after the venue's own subscribe exchange, the frames carry exactly the synthetic market's
//! quotes, in order, and a capture source streams its payloads as recorded.

use std::time::{Duration, Instant};

use mockex::{
    MockConfig, MockExchange, MockVenue, SimParams, SyntheticMarket, SyntheticSource, VenueKind,
};
use tungstenite::Message;

/// Decimal text at scale 8 as a mantissa (the test's own reading: integer and fraction parts).
fn mantissa(v: &serde_json::Value) -> i64 {
    let s = v.as_str().expect("a decimal string");
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    int.parse::<i64>().unwrap() * 100_000_000 + format!("{frac:0<8}").parse::<i64>().unwrap()
}

fn next_text(
    ws: &mut tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>,
) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        assert!(Instant::now() < deadline, "no frame");
        match ws.read().expect("read") {
            Message::Text(t) => return t.as_str().to_owned(),
            Message::Binary(b) => return String::from_utf8(b.to_vec()).unwrap(),
            _ => {}
        }
    }
}

#[test]
fn okx_frames_carry_the_generator_quotes_in_order() {
    const N: u64 = 50;
    let params = SimParams {
        dislocation_every: 10,
        ..SimParams::default()
    };
    let src = SyntheticSource {
        params: params.clone(),
        max_frames: Some(N),
        ..SyntheticSource::default()
    };
    let cfg = MockConfig::synthetic(vec![MockVenue::new("okx", VenueKind::Okx)], src);
    let ex = MockExchange::start(cfg).expect("start");
    let (mut ws, _) = tungstenite::connect(ex.endpoints()[0].ws_url.as_str()).expect("connect");
    ws.send(Message::Text(
        r#"{"op":"subscribe","args":[{"channel":"bbo-tbt","instId":"BTC-USDT"}]}"#.into(),
    ))
    .unwrap();
    let ack: serde_json::Value = serde_json::from_str(&next_text(&mut ws)).unwrap();
    assert_eq!(ack["event"], "subscribe");
    let mut reference = SyntheticMarket::new(SimParams {
        venues: 1,
        ..params
    });
    for _ in 0..N {
        let want = reference.next_quote();
        let v: serde_json::Value = serde_json::from_str(&next_text(&mut ws)).unwrap();
        let d = &v["data"][0];
        assert_eq!(d["seqId"].as_u64(), Some(want.seq));
        assert_eq!(
            (
                mantissa(&d["bids"][0][0]),
                mantissa(&d["bids"][0][1]),
                mantissa(&d["asks"][0][0]),
                mantissa(&d["asks"][0][1])
            ),
            (want.bid_px, want.bid_qty, want.ask_px, want.ask_qty)
        );
    }
    let injected = ex.injected();
    assert_eq!(injected.len(), reference.injected().len());
    assert!(!injected.is_empty());
}

#[test]
fn a_capture_streams_its_payloads_as_recorded() {
    let dir = std::env::temp_dir().join(format!("mockex-feeds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("c.tsv");
    let payloads = [
        r#"{"u":1,"s":"BTCUSDT","b":"1.0"}"#,
        r#"{"u":2,"note":"tab	inside"}"#,
    ];
    let mut text = String::from("# a comment\n");
    for (i, p) in payloads.iter().enumerate() {
        text += &format!("{}\tbinance\t{p}\n{}\tother\tignored\n", 10 + i, 20 + i);
    }
    std::fs::write(&path, text).unwrap();
    let cfg = MockConfig::capture(vec![MockVenue::new("binance", VenueKind::Binance)], &path);
    let ex = MockExchange::start(cfg).expect("start");
    let url = format!(
        "{}/stream?streams=btcusdt@bookTicker",
        ex.endpoints()[0].ws_url
    );
    let (mut ws, _) = tungstenite::connect(url.as_str()).expect("connect");
    for p in payloads {
        assert_eq!(next_text(&mut ws), p);
    }
    let t = Instant::now();
    while !ex.source_done() {
        assert!(t.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(ex.frames_generated(), 2);
    drop(ex);
    let _ = std::fs::remove_dir_all(&dir);
}
