//! A mock quoting several synthetic instruments, read with a plain tungstenite client, serde_json
//! and `support`'s signed requests (no engine code): each frame carries its own instrument's
//! symbol in the venue's spelling (Upbit's binary frames included) and exactly the generator's
//! quote; a connection gets only the instruments it subscribed to; per-venue update ids rise
//! across instruments; and a REST order on any instrument fills against that instrument's quote.

mod support;

use std::time::{Duration, Instant};

use mockex::{
    MockConfig, MockExchange, MockVenue, SimParams, SyntheticMarket, SyntheticSource, VenueKind,
};
use support::{base, binance, eventually, px2, SECRET};
use tungstenite::Message;

type Ws = tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>;

/// The next data frame: its text and whether it came as a binary frame.
fn next_frame(ws: &mut Ws) -> (String, bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        assert!(Instant::now() < deadline, "no frame");
        match ws.read().expect("read") {
            Message::Text(t) => return (t.as_str().to_owned(), false),
            Message::Binary(b) => return (String::from_utf8(b.to_vec()).unwrap(), true),
            _ => {}
        }
    }
}

/// A JSON number or string at scale 8 as a mantissa (the test's own reading).
fn mantissa(v: &serde_json::Value) -> i64 {
    let s = match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    int.parse::<i64>().unwrap() * 100_000_000 + format!("{frac:0<8}").parse::<i64>().unwrap()
}

fn upbit_subscribe(ws: &mut Ws, codes: &[&str]) {
    let codes: Vec<String> = codes.iter().map(|c| format!("\"{c}\"")).collect();
    let req = format!(
        r#"[{{"ticket":"t"}},{{"type":"orderbook","codes":[{}]}},{{"format":"DEFAULT"}}]"#,
        codes.join(",")
    );
    ws.send(Message::Text(req.into())).unwrap();
}

#[test]
fn upbit_binary_frames_carry_each_instruments_code_and_quote() {
    const N: u64 = 60;
    let params = SimParams {
        dislocation_every: 7,
        ..SimParams::default()
    };
    let src = SyntheticSource {
        params: params.clone(),
        max_frames: Some(N),
        ..SyntheticSource::default()
    };
    let venue = MockVenue::with_instruments("upbit", VenueKind::Upbit, 3);
    let cfg = MockConfig::synthetic(vec![venue.clone()], src);
    let ex = MockExchange::start(cfg).expect("start");
    let (mut ws, _) = tungstenite::connect(ex.endpoints()[0].ws_url.as_str()).expect("connect");
    upbit_subscribe(&mut ws, &["USDT-BTC", "USDT-C1", "USDT-C2"]);
    let mut reference = SyntheticMarket::new(SimParams {
        venues: 1,
        instruments: 3,
        ..params
    });
    let mut firsts = [true; 3];
    for _ in 0..N {
        let want = reference.next_quote();
        let (text, binary) = next_frame(&mut ws);
        assert!(binary, "Upbit sends binary frames");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["code"], venue.symbols[want.instrument].as_str());
        let u = &v["orderbook_units"][0];
        assert_eq!(
            (
                mantissa(&u["bid_price"]),
                mantissa(&u["bid_size"]),
                mantissa(&u["ask_price"]),
                mantissa(&u["ask_size"])
            ),
            (want.bid_px, want.bid_qty, want.ask_px, want.ask_qty)
        );
        // Each code's first frame is its snapshot.
        let first = std::mem::replace(&mut firsts[want.instrument], false);
        let st = if first { "SNAPSHOT" } else { "REALTIME" };
        assert_eq!(v["stream_type"], st);
    }
    assert!(firsts.iter().all(|f| !f), "every instrument streamed");
    // No update id in these frames: the bench finds a frame's send by instrument and time.
    let now = mockex::unix_ns();
    for i in 0..3 {
        let sent = ex
            .instrument_send("upbit", i, now, u64::MAX)
            .unwrap_or_else(|| panic!("no send recorded for instrument {i}"));
        assert!(sent <= now);
    }
    assert_eq!(ex.instrument_send("upbit", 3, now, u64::MAX), None);
    let inj = ex.injected();
    assert!(inj.len() >= 3);
    for (k, d) in inj.iter().enumerate() {
        assert_eq!(d.dislocation.instrument, k % 3);
        assert_eq!(d.symbol, venue.symbols[k % 3]);
    }
}

#[test]
fn a_connection_gets_only_what_it_subscribed_with_ids_rising_per_venue() {
    let src = SyntheticSource {
        max_frames: Some(4_000),
        ..SyntheticSource::default()
    };
    let venues = vec![
        MockVenue::with_instruments("bybit", VenueKind::Bybit, 4),
        MockVenue::with_instruments("okx", VenueKind::Okx, 4),
    ];
    let mut cfg = MockConfig::synthetic(venues, src);
    // The Bybit client takes two of the four instruments: the source must not wait for the rest.
    cfg.wait_for_subscribers = false;
    cfg.rate_per_s = 2_000;
    let ex = MockExchange::start(cfg).expect("start");
    let (mut by, _) = tungstenite::connect(ex.endpoints()[0].ws_url.as_str()).expect("connect");
    by.send(Message::Text(
        r#"{"op":"subscribe","args":["orderbook.1.C1USDT","orderbook.1.C3USDT"],"req_id":"1"}"#
            .into(),
    ))
    .unwrap();
    let ack: serde_json::Value = serde_json::from_str(&next_frame(&mut by).0).unwrap();
    assert_eq!(ack["success"], true);
    let mut last = 0;
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..40 {
        let (text, binary) = next_frame(&mut by);
        assert!(!binary);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let s = v["data"]["s"].as_str().unwrap().to_owned();
        assert_eq!(v["topic"], format!("orderbook.1.{s}"));
        assert!(s == "C1USDT" || s == "C3USDT", "{s} not subscribed");
        let u = v["data"]["u"].as_u64().unwrap();
        // Ids rise across instruments, with gaps where the unsubscribed ones went.
        assert!(u > last + 1, "{u} after {last}");
        last = u;
        seen.insert(s);
    }
    assert_eq!(seen.len(), 2);
}

#[test]
fn rest_orders_fill_on_their_own_instruments_quote() {
    let ex = support::start_with(&[], |cfg| {
        cfg.venues = vec![MockVenue::with_instruments(
            "binance",
            VenueKind::Binance,
            3,
        )];
    });
    let b = base(&ex, "binance");
    let tops: Vec<_> = (0..3)
        .map(|i| eventually(|| ex.top_of_book_of("binance", i)))
        .collect();
    // Instrument i starts at 60 000 / (i + 1): three different books.
    assert!(tops[0].ask_px > tops[1].ask_px && tops[1].ask_px > tops[2].ask_px);
    for (i, sym) in ["BTCUSDT", "C1USDT", "C2USDT"].iter().enumerate() {
        // An IOC buy 1% above this instrument's ask fills there, far below instrument 0's ask.
        let limit = tops[i].ask_px + tops[i].ask_px / 100;
        let p = format!(
            "symbol={sym}&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.01&price={}",
            px2(limit)
        );
        let r = binance(&b, "POST", "/api/v3/order", &p, SECRET);
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["symbol"], *sym);
        assert_eq!(r.body["status"], "FILLED", "{}", r.body);
        let rules = binance(
            &b,
            "GET",
            "/api/v3/exchangeInfo",
            &format!("symbol={sym}"),
            "",
        );
        assert_eq!(rules.body["symbols"][0]["symbol"], *sym, "{}", rules.body);
    }
    // Without a symbol every instrument is listed (what the engine asks for at start-up); with
    // Binance's `symbols` array, those named.
    let all = binance(&b, "GET", "/api/v3/exchangeInfo", "", "");
    let names = |r: &support::Resp| -> Vec<String> {
        let list = r.body["symbols"]
            .as_array()
            .unwrap_or_else(|| panic!("{}", r.body));
        list.iter()
            .map(|x| x["symbol"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&all), ["BTCUSDT", "C1USDT", "C2USDT"]);
    let q = "symbols=%5B%22C2USDT%22%2C%22BTCUSDT%22%5D";
    let two = binance(&b, "GET", "/api/v3/exchangeInfo", q, "");
    assert_eq!(names(&two), ["C2USDT", "BTCUSDT"]);
    let other = binance(
        &b,
        "POST",
        "/api/v3/order",
        "symbol=C9USDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.01&price=1.00",
        SECRET,
    );
    assert_eq!(other.body["code"], -1121, "{}", other.body);
    let acct = binance(&b, "GET", "/api/v3/account", "", SECRET);
    let assets: Vec<&str> = acct.body["balances"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["asset"].as_str())
        .collect();
    for a in ["BTC", "C1", "C2", "USDT"] {
        assert!(assets.contains(&a), "{a} in {assets:?}");
    }
}
