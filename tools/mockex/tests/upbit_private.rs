//! The mock's Upbit private stream (`/websocket/v1/private`) over a real socket, with the
//! upgrade's `Authorization: Bearer <JWT>` built by this test alone (ring HS256, as Upbit's
//! authentication guide describes: `access_key` and a `nonce`, no `query_hash`), and payloads
//! checked against the field tables of docs.upbit.com "내 주문 및 체결 (MyOrder)" and global-docs
//! "My Asset": orders placed and cancelled over REST pushed as `myOrder` (`wait`, `trade`,
//! `done` / `cancel`) and `myAsset`, binary frames, a missing or bad token refused with
//! `INVALID_AUTH`, bad requests, `codes` filtering, `SIMPLE` keys, `PING` / `{"status":"UP"}`, the
//! idle timeout, and the duplicate and drop faults.

mod support;

use std::net::TcpStream;
use std::time::Duration;

use mockex::{MockExchange, UpbitPrivateConfig, VenueKind};
use serde_json::Value;
use support::{base, px8, upbit, upbit_token, SECRET};
use tungstenite::client::IntoClientRequest;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

type Ws = WebSocket<MaybeTlsStream<TcpStream>>;

fn start(edit: impl FnOnce(&mut UpbitPrivateConfig)) -> MockExchange {
    support::start_with(&[VenueKind::Upbit], |cfg| edit(&mut cfg.upbit_private))
}

/// Open the private stream with `authorization` (None: no header).
fn connect(ex: &MockExchange, authorization: Option<&str>) -> Ws {
    let url = ex
        .endpoint("upbit")
        .unwrap()
        .private_ws_url
        .clone()
        .unwrap();
    let mut req = url.as_str().into_client_request().unwrap();
    if let Some(a) = authorization {
        req.headers_mut()
            .insert("Authorization", a.parse().unwrap());
    }
    let (ws, resp) = tungstenite::connect(req).unwrap();
    assert_eq!(resp.status().as_u16(), 101, "the upgrade succeeds");
    if let MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    }
    ws
}

fn good(ex: &MockExchange) -> Ws {
    connect(ex, Some(&upbit_token(SECRET, "")))
}

fn send(ws: &mut Ws, text: &str) {
    ws.send(Message::Text(text.into())).unwrap();
}

/// The next data frame as JSON: binary, as Upbit sends them.
fn recv(ws: &mut Ws) -> Value {
    loop {
        match ws.read().unwrap() {
            Message::Binary(b) => return serde_json::from_slice(&b).unwrap(),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("expected a binary frame, got {other:?}"),
        }
    }
}

/// No data frame within `ms`.
fn silent(ws: &mut Ws, ms: u64) {
    if let MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_millis(ms))).unwrap();
    }
    match ws.read() {
        Err(tungstenite::Error::Io(e))
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) => {}
        other => panic!("expected silence, got {other:?}"),
    }
    if let MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    }
}

const SUBSCRIBE: &str =
    r#"[{"ticket":"test-private"},{"type":"myOrder"},{"type":"myAsset"},{"format":"DEFAULT"}]"#;

/// Place a limit order over REST: a buy at `px` (scale 8) of 0.00000001, `ioc` or resting.
fn place(ex: &MockExchange, id: &str, px: i64, ioc: bool) -> Value {
    let price = px8(px);
    let mut pairs = vec![
        ("market", "USDT-BTC"),
        ("side", "bid"),
        ("volume", "0.00000001"),
        ("price", price.as_str()),
        ("ord_type", "limit"),
        ("identifier", id),
    ];
    if ioc {
        pairs.push(("time_in_force", "ioc"));
    }
    let r = upbit(&base(ex, "upbit"), "POST", "/v1/orders", &pairs);
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

/// Every key of the docs' `myOrder` table.
const MY_ORDER_KEYS: [&str; 29] = [
    "type",
    "code",
    "uuid",
    "ask_bid",
    "order_type",
    "state",
    "trade_uuid",
    "price",
    "avg_price",
    "volume",
    "remaining_volume",
    "executed_volume",
    "trades_count",
    "reserved_fee",
    "remaining_fee",
    "paid_fee",
    "locked",
    "executed_funds",
    "time_in_force",
    "trade_fee",
    "is_maker",
    "identifier",
    "smp_type",
    "prevented_volume",
    "prevented_locked",
    "trade_timestamp",
    "order_timestamp",
    "timestamp",
    "stream_type",
];

#[test]
fn filled_order_pushes_wait_trade_done_and_assets() {
    let ex = start(|_| {});
    let mut ws = good(&ex);
    send(&mut ws, SUBSCRIBE);
    // The subscription is taken before the order (no answer on success).
    support::eventually(|| {
        (ex.venue_stats("upbit").unwrap().upbit_private_subscribes == 1).then_some(())
    });
    let top = ex.top_of_book("upbit").unwrap();
    let placed = place(&ex, "w1", top.ask_px * 2, true);
    let uuid = placed["uuid"].as_str().unwrap();
    let wait = recv(&mut ws);
    for k in MY_ORDER_KEYS {
        assert!(wait.get(k).is_some(), "{k} missing from {wait}");
    }
    assert_eq!(wait["type"], "myOrder");
    assert_eq!(wait["code"], "USDT-BTC");
    assert_eq!(wait["uuid"], uuid);
    assert_eq!(wait["ask_bid"], "BID");
    assert_eq!(wait["order_type"], "limit");
    assert_eq!(wait["state"], "wait");
    assert_eq!(wait["identifier"], "w1");
    assert_eq!(wait["time_in_force"], "ioc");
    assert_eq!(wait["executed_volume"].as_f64(), Some(0.0));
    assert!(wait["trade_uuid"].is_null() && wait["trade_fee"].is_null());
    assert!(wait["is_maker"].is_null() && wait["trade_timestamp"].is_null());
    assert_eq!(wait["stream_type"], "REALTIME");
    let trade = recv(&mut ws);
    assert_eq!(trade["state"], "trade");
    // The trade's price and volume (it fills at the ask, below its limit).
    let ask = top.ask_px as f64 / 1e8;
    let filled_px = trade["price"].as_f64().unwrap();
    assert!(filled_px > 0.0 && filled_px <= 2.0 * ask, "{trade}");
    assert_eq!(trade["volume"].as_f64(), Some(1e-8));
    assert_eq!(trade["executed_volume"].as_f64(), Some(1e-8));
    assert_eq!(trade["trades_count"], 1);
    assert_eq!(trade["is_maker"], false);
    assert!(trade["trade_uuid"].is_string() && trade["trade_timestamp"].is_u64());
    let done = recv(&mut ws);
    assert_eq!(done["state"], "done");
    assert_eq!(done["uuid"], uuid);
    assert_eq!(done["remaining_volume"].as_f64(), Some(0.0));
    assert_eq!(done["avg_price"], trade["price"]);
    assert_eq!(done["locked"].as_f64(), Some(0.0));
    assert!(done["trade_fee"].is_null());
    let asset = recv(&mut ws);
    assert_eq!(asset["type"], "myAsset");
    assert_eq!(asset["stream_type"], "REALTIME");
    assert!(asset["asset_timestamp"].is_u64() && asset["timestamp"].is_u64());
    let currencies: Vec<&str> = asset["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["currency"].as_str().unwrap())
        .collect();
    assert_eq!(currencies, ["USDT", "BTC"]);
    let btc = &asset["assets"][1];
    assert!(btc["balance"].is_number() && btc["locked"].is_number());
    // The balances are the REST side's.
    let acc = upbit(&base(&ex, "upbit"), "GET", "/v1/accounts", &[]).body;
    let rest_btc = acc
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["currency"] == "BTC")
        .unwrap()["balance"]
        .as_str()
        .unwrap()
        .parse::<f64>()
        .unwrap();
    assert_eq!(btc["balance"].as_f64(), Some(rest_btc));
    // Counted just after each write.
    support::eventually(|| {
        let st = ex.venue_stats("upbit").unwrap();
        (st.upbit_private_streams, st.upbit_private_pushed)
            .eq(&(1, 4))
            .then_some(())
    });
}

#[test]
fn resting_order_cancelled_pushes_wait_then_cancel() {
    let ex = start(|_| {});
    let mut ws = good(&ex);
    send(
        &mut ws,
        r#"[{"ticket":"t"},{"type":"myOrder","codes":["USDT-BTC"]},{"format":"SIMPLE"}]"#,
    );
    support::eventually(|| {
        (ex.venue_stats("upbit").unwrap().upbit_private_subscribes == 1).then_some(())
    });
    let top = ex.top_of_book("upbit").unwrap();
    let placed = place(&ex, "r1", top.bid_px / 2, false);
    let wait = recv(&mut ws);
    // SIMPLE: the abbreviated keys of the docs' table.
    assert_eq!(
        (wait["ty"].as_str(), wait["s"].as_str(), wait["id"].as_str()),
        (Some("myOrder"), Some("wait"), Some("r1"))
    );
    assert!(wait["tif"].is_null() && wait["l"].as_f64().unwrap() > 0.0);
    let c = upbit(
        &base(&ex, "upbit"),
        "DELETE",
        "/v1/order",
        &[("uuid", placed["uuid"].as_str().unwrap())],
    );
    assert_eq!(c.status, 200);
    let cancel = recv(&mut ws);
    assert_eq!(
        (cancel["s"].as_str(), cancel["uid"].as_str()),
        (Some("cancel"), placed["uuid"].as_str())
    );
    assert_eq!(cancel["ev"].as_f64(), Some(0.0));
    assert_eq!(cancel["l"].as_f64(), Some(0.0));
    // No myAsset subscribed: nothing more.
    silent(&mut ws, 200);
}

#[test]
fn codes_filter_my_order_but_not_my_asset() {
    let ex = start(|_| {});
    let mut ws = good(&ex);
    send(
        &mut ws,
        r#"[{"ticket":"t"},{"type":"myOrder","codes":["KRW-ETH"]},{"type":"myAsset"},{"format":"JSON_LIST"}]"#,
    );
    support::eventually(|| {
        (ex.venue_stats("upbit").unwrap().upbit_private_subscribes == 1).then_some(())
    });
    let top = ex.top_of_book("upbit").unwrap();
    place(&ex, "f1", top.ask_px * 2, true);
    let a = recv(&mut ws);
    assert_eq!(a[0]["type"], "myAsset", "JSON_LIST wraps each frame: {a}");
    silent(&mut ws, 200);
}

#[test]
fn missing_or_bad_token_is_refused_with_invalid_auth() {
    let ex = start(|_| {});
    for auth in [
        None,
        Some(upbit_token("wrong-secret", "")),
        Some("Bearer not.a.jwt".to_owned()),
    ] {
        let mut ws = connect(&ex, auth.as_deref());
        send(&mut ws, SUBSCRIBE);
        let e = recv(&mut ws);
        assert_eq!(e["error"]["name"], "INVALID_AUTH", "{e}");
        // Then closed.
        loop {
            match ws.read() {
                Ok(Message::Close(_)) => {}
                Ok(other) => panic!("{other:?}"),
                Err(_) => break,
            }
        }
    }
    // A refused stream gets nothing of the account's orders.
    let top = ex.top_of_book("upbit").unwrap();
    place(&ex, "x1", top.ask_px * 2, true);
    let st = ex.venue_stats("upbit").unwrap();
    assert_eq!(st.upbit_private_auth_refusals, 3);
    assert_eq!(ex.upbit_private_nonces("upbit").unwrap().len(), 0);
    assert_eq!(
        (st.upbit_private_subscribes, st.upbit_private_pushed),
        (0, 0)
    );
}

#[test]
fn bad_requests_are_answered_and_the_stream_stays() {
    let ex = start(|_| {});
    let mut ws = good(&ex);
    for (req, name) in [
        ("not json", "WRONG_FORMAT"),
        (r#"[{"type":"myOrder"}]"#, "NO_TICKET"),
        (r#"[{"ticket":"t"}]"#, "NO_TYPE"),
        (
            r#"[{"ticket":"t"},{"type":"myAsset","codes":["USDT-BTC"]}]"#,
            "WRONG_FORMAT",
        ),
        (
            r#"[{"ticket":"t"},{"type":"orderbook","codes":["USDT-BTC"]}]"#,
            "INVALID_PARAM",
        ),
    ] {
        send(&mut ws, req);
        assert_eq!(recv(&mut ws)["error"]["name"], name, "{req}");
    }
    send(&mut ws, SUBSCRIBE);
    let top = ex.top_of_book("upbit").unwrap();
    support::eventually(|| {
        (ex.venue_stats("upbit").unwrap().upbit_private_subscribes == 1).then_some(())
    });
    place(&ex, "b1", top.ask_px * 2, true);
    assert_eq!(recv(&mut ws)["state"], "wait");
    assert_eq!(
        ex.venue_stats("upbit").unwrap().upbit_private_bad_requests,
        5
    );
}

#[test]
fn ping_text_gets_status_up_and_idle_streams_close() {
    let ex = start(|c| {
        c.status_interval = Duration::from_millis(100);
        c.idle_timeout = Duration::from_millis(400);
    });
    let mut ws = good(&ex);
    send(&mut ws, "PING");
    assert_eq!(recv(&mut ws), serde_json::json!({"status":"UP"}));
    // Then again every status interval: the connection never idles.
    for _ in 0..6 {
        assert_eq!(recv(&mut ws)["status"], "UP");
    }
    // Without PING, a silent stream is closed once idle.
    let mut quiet = good(&ex);
    let t = std::time::Instant::now();
    loop {
        match quiet.read() {
            Ok(Message::Close(_)) => {}
            Ok(other) => panic!("{other:?}"),
            Err(_) => break,
        }
    }
    assert!(
        t.elapsed() >= Duration::from_millis(350),
        "{:?}",
        t.elapsed()
    );
    let st = ex.venue_stats("upbit").unwrap();
    assert_eq!(st.upbit_private_idle_closes, 1);
    assert!(st.pings_answered >= 1);
}

#[test]
fn duplicate_finals_and_drop_after_pushes() {
    let ex = start(|c| {
        c.duplicate_finals = true;
        // wait, trade, done, done (duplicate), myAsset: the 5th push drops the stream.
        c.drop_after_pushes = Some(5);
    });
    let mut ws = good(&ex);
    send(&mut ws, SUBSCRIBE);
    support::eventually(|| {
        (ex.venue_stats("upbit").unwrap().upbit_private_subscribes == 1).then_some(())
    });
    let top = ex.top_of_book("upbit").unwrap();
    place(&ex, "d1", top.ask_px * 2, true);
    let states: Vec<Value> = (0..4).map(|_| recv(&mut ws)["state"].clone()).collect();
    assert_eq!(states, ["wait", "trade", "done", "done"]);
    assert_eq!(recv(&mut ws)["type"], "myAsset");
    assert!(ws.read().is_err(), "dropped without a close frame");
    // A new stream gets the next order's pushes (the fault acted once).
    let mut ws = good(&ex);
    send(&mut ws, SUBSCRIBE);
    support::eventually(|| {
        (ex.venue_stats("upbit").unwrap().upbit_private_subscribes == 2).then_some(())
    });
    place(&ex, "d2", top.ask_px * 2, true);
    let wait = recv(&mut ws);
    assert_eq!(
        (wait["state"].as_str(), wait["identifier"].as_str()),
        (Some("wait"), Some("d2"))
    );
    let st = ex.venue_stats("upbit").unwrap();
    assert_eq!(st.upbit_private_dropped, 1);
    // Each connection's token had its own nonce.
    let nonces = ex.upbit_private_nonces("upbit").unwrap();
    assert_eq!(nonces.len(), 2);
    assert!(
        !nonces[0].is_empty() && nonces[0] != nonces[1],
        "{nonces:?}"
    );
}
