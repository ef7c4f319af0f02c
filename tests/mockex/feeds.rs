//! The mock exchange's feeds on real loopback sockets: per venue, the engine's URL and subscribe
//! messages are accepted, and every frame streamed parses with the engine's parser into exactly the
//! generator's quotes; the multi-venue market reports the dislocations it injected.

use std::time::Duration;

use crate::common::mockex_feed::*;
use microarb::ingest::venues::{self, Frame, SkipKind};
use microarb::model::VenueKind;
use mockex::{MockConfig, MockExchange};
use tungstenite::Message;

const N: u64 = 200;

/// Subscribe like the engine, read `N` frames, compare with the generator.
fn streams_generator_quotes(kind: VenueKind) {
    let mut ex = MockExchange::start(one_venue(kind, Some(N))).expect("start");
    let symbol = default_symbol(kind);
    let mut ws = subscribe(&ex, kind.name(), symbol);
    let mut p = parser(kind, symbol);
    let (want, _) = reference(1, N);
    let mut got = Vec::new();
    let mut acks = 0;
    while (got.len() as u64) < N {
        let payload = next_data(&mut ws, Duration::from_secs(3))
            .unwrap_or_else(|| panic!("{kind:?}: only {} frames", got.len()));
        match parse(&mut p, &payload) {
            Ok(Frame::Quote(q)) => got.push(q),
            Ok(Frame::Skip(SkipKind::SubscribeAck)) => acks += 1,
            other => panic!(
                "{kind:?}: {other:?} for {}",
                String::from_utf8_lossy(&payload)
            ),
        }
    }
    for (q, w) in got.iter().zip(&want) {
        assert_eq!(
            (q.bid_px.0, q.bid_qty.0, q.ask_px.0, q.ask_qty.0),
            (w.bid_px, w.bid_qty, w.ask_px, w.ask_qty),
            "{kind:?}"
        );
        if kind != VenueKind::Upbit {
            assert_eq!(q.seq, w.seq, "{kind:?}: update id");
        }
    }
    let expect_acks = match kind {
        VenueKind::Binance | VenueKind::Upbit => 0,
        VenueKind::Bybit | VenueKind::Okx => 1,
    };
    assert_eq!(acks, expect_acks, "{kind:?}: subscribe answers");
    wait_for(Duration::from_secs(2), "frames counted", || {
        ex.venue_stats(kind.name()).unwrap().frames_sent == N
    });
    let s = ex.venue_stats(kind.name()).expect("stats");
    assert_eq!((s.subscribes, s.handshakes), (1, 1));
    // Every frame's send time is logged under its update id.
    for w in &want {
        assert!(ex.send_time(kind.name(), w.seq).is_some());
    }
    // The source marks itself done just after handing over its last batch.
    wait_for(Duration::from_secs(2), "source done", || ex.source_done());
    ex.stop();
}

#[test]
fn binance_combined_stream() {
    streams_generator_quotes(VenueKind::Binance);
}

#[test]
fn upbit_orderbook_binary_frames() {
    streams_generator_quotes(VenueKind::Upbit);
}

#[test]
fn bybit_orderbook_1() {
    streams_generator_quotes(VenueKind::Bybit);
}

#[test]
fn okx_bbo_tbt() {
    streams_generator_quotes(VenueKind::Okx);
}

#[test]
fn binance_raw_stream_with_live_subscribe() {
    let ex = MockExchange::start(one_venue(VenueKind::Binance, Some(10))).expect("start");
    let url = format!("{}/ws", ex.endpoints()[0].ws_url);
    let mut ws = connect(&url);
    let sub = venues::binance::subscribe_message(&["BTCUSDT"], 7);
    ws.send(Message::Text(sub.into())).expect("send");
    let ack = next_data(&mut ws, Duration::from_secs(3)).expect("ack");
    assert_eq!(ack, br#"{"result":null,"id":7}"#);
    let first = next_data(&mut ws, Duration::from_secs(3)).expect("frame");
    // A raw connection gets the bare event, no combined wrapper.
    assert!(
        first.starts_with(b"{\"u\":1,\"s\":\"BTCUSDT\""),
        "{}",
        String::from_utf8_lossy(&first)
    );
}

#[test]
fn upbit_simple_format_is_honoured() {
    let ex = MockExchange::start(one_venue(VenueKind::Upbit, Some(5))).expect("start");
    let mut ws = connect(&ex.endpoints()[0].ws_url);
    let req = venues::upbit::subscribe_message(&["USDT-BTC"], "t", venues::upbit::Format::Simple);
    ws.send(Message::Text(req.into())).expect("send");
    let mut p = parser(VenueKind::Upbit, "USDT-BTC");
    for i in 0..5 {
        let Got::Data(d, binary) = read_data(&mut ws) else {
            panic!("no frame {i}");
        };
        assert!(binary, "Upbit sends binary frames");
        assert!(d.starts_with(b"{\"ty\":\"orderbook\",\"cd\":\"USDT-BTC\""));
        assert!(matches!(parse(&mut p, &d), Ok(Frame::Quote(_))));
        // The first frame of a subscription is the snapshot.
        assert_eq!(i == 0, d.ends_with(b"\"st\":\"SNAPSHOT\"}"));
    }
}

fn read_data(ws: &mut Client) -> Got {
    for _ in 0..30 {
        match read(ws) {
            Got::Nothing | Got::Other(_) => {}
            g => return g,
        }
    }
    Got::Nothing
}

#[test]
fn unsubscribed_symbol_gets_no_data() {
    let ex = MockExchange::start(one_venue(VenueKind::Okx, Some(50))).expect("start");
    let mut ws = subscribe(&ex, "okx", "ETH-USDT");
    let ack = next_data(&mut ws, Duration::from_secs(3)).expect("ack");
    assert!(ack.starts_with(b"{\"event\":\"subscribe\""));
    assert_eq!(next_data(&mut ws, Duration::from_millis(300)), None);
    assert_eq!(ex.venue_stats("okx").unwrap().frames_sent, 0);
}

#[test]
fn multi_venue_market_reports_its_dislocations() {
    const TOTAL: u64 = 400;
    let mut cfg = MockConfig::synthetic(
        MockConfig::all_kinds(),
        mockex::SyntheticSource {
            params: params(),
            max_frames: Some(TOTAL),
            ..Default::default()
        },
    );
    cfg.rate_per_s = 20_000;
    let ex = MockExchange::start(cfg).expect("start");
    let kinds = VenueKind::ALL;
    let mut clients: Vec<_> = kinds
        .iter()
        .map(|k| (*k, subscribe(&ex, k.name(), default_symbol(*k))))
        .collect();
    let (want, market) = reference(4, TOTAL);
    let mut received = vec![Vec::new(); 4];
    for (vi, (kind, ws)) in clients.iter_mut().enumerate() {
        let mut p = parser(*kind, default_symbol(*kind));
        while (received[vi].len() as u64) < TOTAL / 4 {
            let d = next_data(ws, Duration::from_secs(3)).expect("frame");
            if let Ok(Frame::Quote(q)) = parse(&mut p, &d) {
                received[vi].push(q);
            }
        }
    }
    for w in &want {
        let q = received[w.venue][w.seq as usize - 1];
        assert_eq!((q.bid_px.0, q.ask_px.0), (w.bid_px, w.ask_px));
    }
    let injected = ex.injected();
    assert_eq!(injected.len(), market.injected().len());
    assert!(!injected.is_empty());
    for (got, d) in injected.iter().zip(market.injected()) {
        assert_eq!(got.dislocation, *d);
        assert_eq!(got.venue, kinds[d.venue].name());
        let w = want[d.at_update as usize];
        assert!(w.dislocated);
        assert_eq!(got.update_id, w.seq);
        assert!(got.send_ns.is_some());
    }
}
