//! The mock's Bybit v5 trade socket (`/v5/trade`) and private stream (`/v5/private`) over real
//! sockets, every payload written here from bybit-exchange/docs (`websocket/trade/guideline.mdx`,
//! `websocket/wss-authentication.mdx`, `websocket/private/{order,execution,wallet}.mdx`) and
//! `auth` signed by this test alone (ring HMAC over `"GET/realtime" + expires`): auth and its
//! refusals on both sockets, an order acknowledged on the trade socket and its fate pushed on
//! the private stream, a REST order pushed too, a resting order cancelled, the socket's own
//! refusals (before auth, 20006, 10429, 10002, 10404), pings and the idle cut-off, and the
//! faults (drop, lost ack, delayed ack, double final `order`, session expiry).

mod support;

use std::net::TcpStream;
use std::time::{Duration, Instant};

use mockex::{BybitWsConfig, MockExchange, VenueKind};
use ring::hmac;
use serde_json::{json, Value};
use support::{base, bybit, eventually, hex, now_ms, px8, KEY, SECRET};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

type Ws = WebSocket<MaybeTlsStream<TcpStream>>;

fn start(edit: impl FnOnce(&mut BybitWsConfig)) -> MockExchange {
    support::start_with(&[VenueKind::Bybit], |cfg| edit(&mut cfg.bybit_ws))
}

fn connect_url(url: &str) -> Ws {
    let (ws, _) = tungstenite::connect(url).unwrap();
    if let MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    }
    ws
}

fn trade(ex: &MockExchange) -> Ws {
    connect_url(ex.endpoint("bybit").unwrap().ws_api_url.as_deref().unwrap())
}

fn private(ex: &MockExchange) -> Ws {
    connect_url(
        ex.endpoint("bybit")
            .unwrap()
            .private_ws_url
            .as_deref()
            .unwrap(),
    )
}

fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into())).unwrap();
}

/// The next text frame as JSON.
fn recv(ws: &mut Ws) -> Value {
    loop {
        match ws.read().unwrap() {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// The next text frame within `wait`, or None.
fn recv_within(ws: &mut Ws, wait: Duration) -> Option<Value> {
    if let MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(wait)).unwrap();
    }
    let got = match ws.read() {
        Ok(Message::Text(t)) => Some(serde_json::from_str(t.as_str()).unwrap()),
        Ok(_) => None,
        Err(tungstenite::Error::Io(e))
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            None
        }
        Err(e) => panic!("{e}"),
    };
    if let MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    }
    got
}

/// `hex(HMAC_SHA256(secret, "GET/realtime" + expires))`, the docs' recipe.
fn signature(secret: &str, expires: u64) -> String {
    let k = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    hex(hmac::sign(&k, format!("GET/realtime{expires}").as_bytes()).as_ref())
}

fn auth_with(ws: &mut Ws, key: &str, secret: &str, expires: u64) -> Value {
    send(
        ws,
        json!({"op":"auth","args":[key, expires, signature(secret, expires)]}),
    );
    recv(ws)
}

fn auth(ws: &mut Ws) -> Value {
    auth_with(ws, KEY, SECRET, now_ms() + 10_000)
}

fn header() -> Value {
    json!({"X-BAPI-TIMESTAMP": now_ms().to_string(), "X-BAPI-RECV-WINDOW": "5000"})
}

fn create(ws: &mut Ws, req_id: &str, link: &str, side: &str, px: i64, tif: &str) {
    send(
        ws,
        json!({"reqId":req_id,"header":header(),"op":"order.create","args":[{
            "category":"spot","symbol":"BTCUSDT","side":side,"orderType":"Limit",
            "qty":"0.001","price":px8(px),"timeInForce":tif,"orderLinkId":link}]}),
    );
}

/// A private stream authenticated and subscribed to the three topics.
fn subscribed(ex: &MockExchange) -> Ws {
    let mut p = private(ex);
    assert_eq!(auth(&mut p)["success"], true);
    send(
        &mut p,
        json!({"req_id":"s1","op":"subscribe","args":["order","execution","wallet"]}),
    );
    let a = recv(&mut p);
    assert_eq!(
        (
            a["success"].as_bool(),
            a["op"].as_str(),
            a["req_id"].as_str()
        ),
        (Some(true), Some("subscribe"), Some("s1")),
        "{a}"
    );
    p
}

/// The next push of `topic` on `p` (pushes of other topics skipped).
fn next_push(p: &mut Ws, topic: &str) -> Value {
    loop {
        let v = recv(p);
        if v["topic"] == topic {
            return v;
        }
    }
}

/// The next `order` push on `p` whose `orderStatus` is `status` (earlier states skipped: a
/// placement is pushed `New` first).
fn next_order(p: &mut Ws, status: &str) -> Value {
    loop {
        let v = next_push(p, "order");
        if v["data"][0]["orderStatus"] == status {
            return v;
        }
    }
}

/// The `coin` entry of `name` in a `wallet` push.
fn coin<'a>(w: &'a Value, name: &str) -> &'a Value {
    let coins = w["data"][0]["coin"].as_array().unwrap();
    coins.iter().find(|c| c["coin"] == name).unwrap()
}

#[test]
fn auth_on_both_sockets_and_its_refusals() {
    let ex = start(|_| {});
    let mut t = trade(&ex);
    let a = auth_with(&mut t, "wrong-key", SECRET, now_ms() + 10_000);
    assert_eq!(
        (a["retCode"].as_i64(), a["op"].as_str()),
        (Some(10003), Some("auth")),
        "{a}"
    );
    let a = auth_with(&mut t, KEY, "wrong-secret", now_ms() + 10_000);
    assert_eq!(a["retCode"], 10004, "{a}");
    let a = auth_with(&mut t, KEY, SECRET, now_ms() - 1);
    assert_eq!(a["retCode"], 10001, "expired: {a}");
    send(&mut t, json!({"op":"auth","args":[KEY]}));
    assert_eq!(recv(&mut t)["retCode"], 10001);
    // Before auth an order is refused and nothing is placed.
    create(&mut t, "r0", "w0", "Buy", 1, "GTC");
    let a = recv(&mut t);
    assert_eq!(
        (a["reqId"].as_str(), a["retCode"].as_i64()),
        (Some("r0"), Some(10007)),
        "{a}"
    );
    let a = auth(&mut t);
    assert_eq!(
        (
            a["retCode"].as_i64(),
            a["retMsg"].as_str(),
            a["op"].as_str()
        ),
        (Some(0), Some("OK"), Some("auth")),
        "{a}"
    );
    assert!(!a["connId"].as_str().unwrap().is_empty());
    assert!(a.get("reqId").is_none(), "no reqId sent, none returned");
    assert_eq!(auth(&mut t)["retCode"], 20001, "repeat auth");

    let mut p = private(&ex);
    send(&mut p, json!({"op":"subscribe","args":["order"]}));
    assert_eq!(recv(&mut p)["success"], false, "subscribe before auth");
    let a = auth_with(&mut p, KEY, "wrong-secret", now_ms() + 10_000);
    assert_eq!(
        (a["success"].as_bool(), a["op"].as_str()),
        (Some(false), Some("auth"))
    );
    let e = now_ms() - 1;
    send(
        &mut p,
        json!({"req_id":"a1","op":"auth","args":[KEY, e, signature(SECRET, e)]}),
    );
    let a = recv(&mut p);
    assert_eq!(
        (a["success"].as_bool(), a["req_id"].as_str()),
        (Some(false), Some("a1")),
        "expired: {a}"
    );
    let mut p = private(&ex);
    let a = auth(&mut p);
    assert_eq!(
        (
            a["success"].as_bool(),
            a["ret_msg"].as_str(),
            a["op"].as_str()
        ),
        (Some(true), Some(""), Some("auth")),
        "{a}"
    );
    assert!(!a["conn_id"].as_str().unwrap().is_empty());
    send(&mut p, json!({"op":"subscribe","args":["position"]}));
    assert_eq!(
        recv(&mut p)["success"],
        false,
        "a topic the mock does not serve"
    );
    let s = ex.venue_stats("bybit").unwrap();
    assert_eq!(s.bybit_ws_auths, 2);
    assert!(s.bybit_ws_auth_refusals >= 6, "{s:?}");
    assert_eq!(s.rest_orders, 0, "nothing reached the book");
}

#[test]
fn create_is_acknowledged_and_its_fill_pushed() {
    let ex = start(|_| {});
    let mut p = subscribed(&ex);
    let mut t = trade(&ex);
    auth(&mut t);
    let ask = ex.top_of_book("bybit").unwrap().ask_px;
    create(&mut t, "c-1", "by-1", "Buy", ask * 2, "IOC");
    let a = recv(&mut t);
    assert_eq!(
        (a["reqId"].as_str(), a["retCode"].as_i64(), a["op"].as_str()),
        (Some("c-1"), Some(0), Some("order.create")),
        "{a}"
    );
    assert_eq!(a["data"]["orderLinkId"], "by-1");
    let order_id = a["data"]["orderId"].as_str().unwrap().to_owned();
    assert!(a["data"].get("orderStatus").is_none(), "an ack, not a fill");
    assert_eq!(a["retExtInfo"], json!({}));
    let h = &a["header"];
    assert_eq!(h["X-Bapi-Limit"], "20");
    assert_eq!(h["X-Bapi-Limit-Status"], "19");
    for k in ["X-Bapi-Limit-Reset-Timestamp", "Traceid", "Timenow"] {
        assert!(h[k].is_string(), "{k} in {h}");
    }
    assert!(a["connId"].is_string());
    // The private stream: the execution, the final order state, the balances.
    let x = next_push(&mut p, "execution");
    let e = &x["data"][0];
    assert_eq!(
        (e["orderId"].as_str(), e["orderLinkId"].as_str()),
        (Some(order_id.as_str()), Some("by-1"))
    );
    assert_eq!(
        (e["execQty"].as_str(), e["execType"].as_str()),
        (Some("0.001"), Some("Trade"))
    );
    let exec_px = e["execPrice"].as_str().unwrap().to_owned();
    assert!(e["execId"].as_str().is_some_and(|s| s.len() == 36));
    assert_eq!(e["isMaker"], false);
    let o = next_order(&mut p, "Filled");
    assert!(o["creationTime"].is_u64() && o["id"].is_string());
    let d = &o["data"][0];
    assert_eq!(
        (
            d["orderStatus"].as_str(),
            d["cumExecQty"].as_str(),
            d["category"].as_str()
        ),
        (Some("Filled"), Some("0.001"), Some("spot")),
        "{d}"
    );
    assert_eq!(d["orderLinkId"], "by-1");
    assert_eq!(d["leavesQty"], "0");
    assert_eq!(
        d["avgPrice"],
        exec_px.as_str(),
        "one execution: its price is the average"
    );
    let w = next_push(&mut p, "wallet");
    let coins = w["data"][0]["coin"].as_array().unwrap();
    let names: Vec<&str> = coins.iter().map(|c| c["coin"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2);
    assert!(
        names.contains(&"BTC") && names.contains(&"USDT"),
        "{names:?}"
    );
    assert!(coins[0]["walletBalance"].is_string() && coins[0]["locked"].is_string());
    assert_eq!(w["data"][0]["accountType"], "UNIFIED");
    // The REST side saw the same order.
    let q = bybit(
        &base(&ex, "bybit"),
        "GET",
        "/v5/order/realtime",
        "category=spot&orderLinkId=by-1",
    );
    assert_eq!(q.body["result"]["list"][0]["orderStatus"], "Filled");
    assert!(ex.venue_stats("bybit").unwrap().bybit_ws_pushed >= 3);
}

#[test]
fn rest_orders_and_resting_cancels_are_pushed() {
    let ex = start(|_| {});
    let mut p = subscribed(&ex);
    let b = base(&ex, "bybit");
    let bid = ex.top_of_book("bybit").unwrap().bid_px;
    // Placed over REST, resting (a buy far under the bid): `New`.
    let body = format!(
        r#"{{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.001","price":"{}","orderLinkId":"r-1"}}"#,
        px8(bid / 2)
    );
    let r = bybit(&b, "POST", "/v5/order/create", &body);
    assert_eq!(r.body["retCode"], 0, "{}", r.body);
    let o = next_push(&mut p, "order");
    let d = &o["data"][0];
    assert_eq!(
        (d["orderStatus"].as_str(), d["orderLinkId"].as_str()),
        (Some("New"), Some("r-1"))
    );
    assert_eq!(
        (d["avgPrice"].as_str(), d["cumExecQty"].as_str()),
        (Some(""), Some("0"))
    );
    let w = next_push(&mut p, "wallet");
    let usdt = coin(&w, "USDT");
    assert_ne!(usdt["locked"], "0", "the buy locks its quote: {usdt}");
    // Cancelled over the trade socket.
    let mut t = trade(&ex);
    auth(&mut t);
    send(
        &mut t,
        json!({"reqId":"x-1","header":header(),"op":"order.cancel","args":[{
            "category":"spot","symbol":"BTCUSDT","orderLinkId":"r-1"}]}),
    );
    let a = recv(&mut t);
    assert_eq!(
        (a["retCode"].as_i64(), a["op"].as_str()),
        (Some(0), Some("order.cancel")),
        "{a}"
    );
    assert_eq!(a["data"]["orderLinkId"], "r-1");
    let o = next_push(&mut p, "order");
    assert_eq!(o["data"][0]["orderStatus"], "Cancelled");
    assert_eq!(o["data"][0]["cancelType"], "CancelByUser");
    // Cancelling it again: refused by the REST pipeline's own code (order does not exist).
    send(
        &mut t,
        json!({"reqId":"x-2","header":header(),"op":"order.cancel","args":[{
            "category":"spot","symbol":"BTCUSDT","orderLinkId":"r-1"}]}),
    );
    assert_eq!(recv(&mut t)["retCode"], 170213);
}

#[test]
fn trade_socket_refusals() {
    let ex = start(|c| c.system_limit_per_sec = Some(4));
    let mut t = trade(&ex);
    auth(&mut t);
    let bid = ex.top_of_book("bybit").unwrap().bid_px;
    create(&mut t, "d-1", "d-1", "Buy", bid / 2, "GTC");
    assert_eq!(recv(&mut t)["retCode"], 0);
    create(&mut t, "d-1", "d-2", "Buy", bid / 2, "GTC");
    let a = recv(&mut t);
    assert_eq!(
        (a["reqId"].as_str(), a["retCode"].as_i64()),
        (Some("d-1"), Some(20006)),
        "{a}"
    );
    let long = "r".repeat(37);
    create(&mut t, &long, "d-3", "Buy", bid / 2, "GTC");
    assert_eq!(recv(&mut t)["retCode"], 10001, "reqId over 36 characters");
    // A stale timestamp: 10002; a linear category and an unknown op: 10404.
    send(
        &mut t,
        json!({"reqId":"s-1","header":{"X-BAPI-TIMESTAMP":(now_ms() - 60_000).to_string()},"op":"order.create","args":[{
            "category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.001","price":"1"}]}),
    );
    assert_eq!(recv(&mut t)["retCode"], 10002);
    send(
        &mut t,
        json!({"reqId":"l-1","header":header(),"op":"order.create","args":[{
            "category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.001","price":"1"}]}),
    );
    assert_eq!(recv(&mut t)["retCode"], 10404);
    // The fifth request within a second: system-level frequency protection.
    let mut codes = Vec::new();
    for i in 0..3 {
        create(
            &mut t,
            &format!("f-{i}"),
            &format!("f-{i}"),
            "Buy",
            bid / 2,
            "GTC",
        );
        codes.push(recv(&mut t)["retCode"].as_i64().unwrap());
    }
    assert!(codes.contains(&10429), "{codes:?}");
    send(
        &mut t,
        json!({"reqId":"u-1","header":header(),"op":"order.amend","args":[{}]}),
    );
    assert_eq!(recv(&mut t)["retCode"], 10404);
    let s = ex.venue_stats("bybit").unwrap();
    assert_eq!(
        (s.bybit_ws_duplicate_req_ids, s.bybit_ws_system_limited > 0),
        (1, true)
    );
}

#[test]
fn account_rate_limit_is_shared_with_rest() {
    let ex = support::start_with(&[VenueKind::Bybit], |c| {
        c.rest_limits.bybit_create_per_sec = 2
    });
    let mut t = trade(&ex);
    auth(&mut t);
    let bid = ex.top_of_book("bybit").unwrap().bid_px;
    let body = format!(
        r#"{{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.001","price":"{}"}}"#,
        px8(bid / 2)
    );
    assert_eq!(
        bybit(&base(&ex, "bybit"), "POST", "/v5/order/create", &body).body["retCode"],
        0
    );
    create(&mut t, "q-1", "q-1", "Buy", bid / 2, "GTC");
    let a = recv(&mut t);
    assert_eq!(
        (
            a["retCode"].as_i64(),
            a["header"]["X-Bapi-Limit-Status"].as_str()
        ),
        (Some(0), Some("0"))
    );
    create(&mut t, "q-2", "q-2", "Buy", bid / 2, "GTC");
    let a = recv(&mut t);
    assert_eq!(a["retCode"], 10006, "{a}");
}

#[test]
fn pings_and_idle_cut_off() {
    let ex = start(|c| c.idle_timeout = Duration::from_millis(400));
    let mut t = trade(&ex);
    send(&mut t, json!({"reqId":"p1","op":"ping"}));
    let a = recv(&mut t);
    assert_eq!(
        (a["op"].as_str(), a["retCode"].as_i64(), a["reqId"].as_str()),
        (Some("pong"), Some(0), Some("p1"))
    );
    let ts: u64 = a["data"][0].as_str().unwrap().parse().unwrap();
    assert!(ts.abs_diff(now_ms()) < 5_000);
    let mut p = private(&ex);
    send(&mut p, json!({"req_id":"test","op":"ping"}));
    let a = recv(&mut p);
    assert_eq!(
        (a["op"].as_str(), a["req_id"].as_str()),
        (Some("pong"), Some("test")),
        "{a}"
    );
    assert!(a["args"][0].is_string() && a["conn_id"].is_string());
    // Pinging keeps the trade socket up past the idle time; the silent private stream is closed.
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_millis(700) {
        send(&mut t, json!({"op":"ping"}));
        assert_eq!(recv(&mut t)["op"], "pong");
        std::thread::sleep(Duration::from_millis(100));
    }
    let closed = loop {
        match p.read() {
            Ok(Message::Close(_)) | Err(_) => break true,
            Ok(_) => {}
        }
    };
    assert!(closed);
    assert!(ex.venue_stats("bybit").unwrap().bybit_ws_sessions_ended >= 1);
}

#[test]
fn drop_lose_and_delay_faults() {
    let ex = start(|c| {
        c.drop_on_create = Some(1);
        c.lose_ack_on_create = Some(2);
        c.ack_delay = Duration::from_millis(300);
    });
    let mut p = subscribed(&ex);
    let ask = ex.top_of_book("bybit").unwrap().ask_px;
    let mut t = trade(&ex);
    auth(&mut t);
    // The first create is executed, then the socket drops without an answer.
    create(&mut t, "k-1", "k-1", "Buy", ask * 2, "IOC");
    let answered = loop {
        match t.read() {
            Ok(Message::Text(_)) => break true,
            Ok(Message::Close(_)) | Err(_) => break false,
            Ok(_) => {}
        }
    };
    assert!(!answered, "dropped without an answer");
    let o = next_order(&mut p, "Filled");
    assert_eq!(
        o["data"][0]["orderLinkId"], "k-1",
        "executed before the drop"
    );
    // Re-auth on a new socket; the second create is executed and never answered.
    let mut t = trade(&ex);
    assert_eq!(auth(&mut t)["retCode"], 0);
    create(&mut t, "k-2", "k-2", "Buy", ask * 2, "IOC");
    assert!(
        recv_within(&mut t, Duration::from_millis(600)).is_none(),
        "the ack is lost"
    );
    let o = next_order(&mut p, "Filled");
    assert_eq!(o["data"][0]["orderLinkId"], "k-2");
    // The third: the fill is pushed before the delayed ack arrives.
    create(&mut t, "k-3", "k-3", "Buy", ask * 2, "IOC");
    let sent = Instant::now();
    let o = next_order(&mut p, "Filled");
    let pushed = sent.elapsed();
    assert_eq!(o["data"][0]["orderLinkId"], "k-3");
    let a = recv(&mut t);
    let acked = sent.elapsed();
    assert_eq!(
        (a["reqId"].as_str(), a["retCode"].as_i64()),
        (Some("k-3"), Some(0))
    );
    assert!(
        pushed < acked && acked >= Duration::from_millis(250),
        "{pushed:?} {acked:?}"
    );
    let s = ex.venue_stats("bybit").unwrap();
    assert_eq!(s.rest_orders, 3);
    assert!(s.bybit_ws_sessions_ended >= 1);
}

#[test]
fn final_order_pushed_twice_and_sessions_expire() {
    let ex = start(|c| {
        c.duplicate_final_orders = true;
        c.session_lifetime = Duration::from_millis(1500);
    });
    let mut p = subscribed(&ex);
    let mut t = trade(&ex);
    auth(&mut t);
    let ask = ex.top_of_book("bybit").unwrap().ask_px;
    create(&mut t, "z-1", "z-1", "Buy", ask * 2, "IOC");
    assert_eq!(recv(&mut t)["retCode"], 0);
    let a = next_order(&mut p, "Filled");
    let b = next_push(&mut p, "order");
    let (a, b) = (&a["data"][0], &b["data"][0]);
    assert_eq!(
        (a["orderStatus"].as_str(), b["orderStatus"].as_str()),
        (Some("Filled"), Some("Filled"))
    );
    assert_eq!(a["rejectReason"], "EC_NoError");
    assert_eq!(
        (b["cancelType"].as_str(), b["rejectReason"].as_str()),
        (Some("CancelByUser"), Some("EC_OrigClOrdIDDoesNotExist"))
    );
    assert_eq!(a["cumExecQty"], b["cumExecQty"]);
    // Both sockets are closed at the end of their lifetime.
    for ws in [&mut t, &mut p] {
        let closed = eventually(|| match ws.read() {
            Ok(Message::Close(_)) | Err(_) => Some(true),
            Ok(_) => None,
        });
        assert!(closed);
    }
    assert!(ex.venue_stats("bybit").unwrap().bybit_ws_sessions_ended >= 2);
}

#[test]
fn busy_polled_sockets_answer_and_push_alike() {
    let ex = support::start_with(&[VenueKind::Bybit], |cfg| cfg.rest_busy_poll = true);
    let mut p = subscribed(&ex);
    let mut t = trade(&ex);
    assert_eq!(auth(&mut t)["retCode"], 0);
    let ask = ex.top_of_book("bybit").unwrap().ask_px;
    create(&mut t, "b-1", "b-1", "Buy", ask * 2, "IOC");
    assert_eq!(recv(&mut t)["retCode"], 0);
    let o = next_order(&mut p, "Filled");
    assert_eq!(o["data"][0]["orderStatus"], "Filled");
    send(&mut t, json!({"op":"ping"}));
    assert_eq!(recv(&mut t)["op"], "pong");
}

#[test]
fn a_silent_trade_socket_stays_open_and_answers_nothing() {
    let ex = start(|c| c.silent_after_create = Some(1));
    let mut t = trade(&ex);
    auth(&mut t);
    let ask = ex.top_of_book("bybit").unwrap().ask_px;
    create(&mut t, "h-1", "h-1", "Buy", ask * 2, "IOC");
    assert!(
        recv_within(&mut t, Duration::from_millis(400)).is_none(),
        "no answer"
    );
    send(&mut t, json!({"op":"ping"}));
    assert!(
        recv_within(&mut t, Duration::from_millis(400)).is_none(),
        "no pong"
    );
    let orders = ex.rest_orders("bybit").unwrap();
    assert_eq!(orders.len(), 1, "the create was executed");
}
