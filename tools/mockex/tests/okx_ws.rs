//! The mock's OKX private WebSocket (`/ws/v5/private`) over a real socket, driven as OKX's v5
//! docs describe it ("WebSocket / Login", "WS / Place order", "WS / Cancel order", "WS / Order
//! channel", "Account channel", "Error Code / WebSocket"), with the login signed by this test
//! alone (ring HMAC-SHA256 over `timestamp + "GET" + "/users/self/verify"`, seconds): login and
//! its refusals, an order acknowledged then pushed filled on `orders` and seen by REST, a resting
//! order cancelled, `instIdCode` / `instId`, the per-instrument rate limit, `ping`/`pong`, the idle
//! close, expiry and the drop / lost-answer / duplicate-push faults; and, as OKX pushes every
//! order of the account to every subscribed connection, orders placed over REST (signed here too)
//! or on another session pushed once each, with the balances they moved.

mod support;

use std::net::TcpStream;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use mockex::{okx_inst_id_code, MockExchange, OkxWsConfig, VenueKind};
use ring::hmac;
use serde_json::{json, Value};
use support::{now_ms, px8, KEY, PASSPHRASE, SECRET};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

type Ws = WebSocket<MaybeTlsStream<TcpStream>>;

fn start(edit: impl FnOnce(&mut mockex::MockConfig)) -> MockExchange {
    support::start_with(&[VenueKind::Okx], edit)
}

fn faults(edit: impl FnOnce(&mut OkxWsConfig)) -> MockExchange {
    start(|cfg| edit(&mut cfg.okx_ws))
}

fn connect(ex: &MockExchange) -> Ws {
    let url = ex.endpoint("okx").unwrap().ws_api_url.clone().unwrap();
    assert!(url.ends_with("/ws/v5/private"), "{url}");
    let (ws, _) = tungstenite::connect(url.as_str()).unwrap();
    if let MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    }
    ws
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

/// No text frame within `ms`.
fn quiet(ws: &mut Ws, ms: u64) -> bool {
    if let MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_millis(ms))).unwrap();
    }
    let r = match ws.read() {
        Err(tungstenite::Error::Io(e))
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            true
        }
        Ok(Message::Text(t)) => panic!("unexpected frame {t}"),
        _ => false,
    };
    if let MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    }
    r
}

fn sign(secret: &str, ts: &str) -> String {
    let k = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    STANDARD.encode(hmac::sign(
        &k,
        format!("{ts}GET/users/self/verify").as_bytes(),
    ))
}

fn login_with(ws: &mut Ws, key: &str, pass: &str, secret: &str, ts: &str) -> Value {
    send(
        ws,
        json!({"op":"login","args":[{"apiKey":key,"passphrase":pass,"timestamp":ts,
            "sign":sign(secret, ts)}]}),
    );
    recv(ws)
}

fn login(ws: &mut Ws) {
    let ts = (now_ms() / 1000).to_string();
    let a = login_with(ws, KEY, PASSPHRASE, SECRET, &ts);
    assert_eq!(
        (a["event"].as_str(), a["code"].as_str()),
        (Some("login"), Some("0")),
        "{a}"
    );
}

fn subscribe(ws: &mut Ws) {
    send(
        ws,
        json!({"id":"s1","op":"subscribe","args":[{"channel":"orders","instType":"SPOT"},
            {"channel":"account"}]}),
    );
    for ch in ["orders", "account"] {
        let a = recv(ws);
        assert_eq!(
            (a["event"].as_str(), a["arg"]["channel"].as_str()),
            (Some("subscribe"), Some(ch)),
            "{a}"
        );
        assert_eq!(a["id"], "s1");
    }
    // The account channel starts with a snapshot of the balances.
    let snap = recv(ws);
    assert_eq!(
        (snap["arg"]["channel"].as_str(), snap["eventType"].as_str()),
        (Some("account"), Some("snapshot")),
        "{snap}"
    );
    assert!(!snap["data"][0]["details"].as_array().unwrap().is_empty());
}

fn code() -> u64 {
    okx_inst_id_code("BTC-USDT")
}

/// An IOC buy of 0.0001 at `px` (mantissa, scale 8).
fn order(ws: &mut Ws, id: &str, cl: &str, px: i64) {
    send(
        ws,
        json!({"id":id,"op":"order","args":[{"instIdCode":code(),"tdMode":"cash","side":"buy",
            "ordType":"ioc","px":px8(px),"sz":"0.0001","clOrdId":cl}]}),
    );
}

#[test]
fn login_refusals_and_ops_before_login() {
    let ex = start(|_| {});
    let mut ws = connect(&ex);
    order(&mut ws, "o0", "w0", 1);
    let a = recv(&mut ws);
    assert_eq!(
        (a["id"].as_str(), a["op"].as_str(), a["code"].as_str()),
        (Some("o0"), Some("order"), Some("60011")),
        "{a}"
    );
    send(
        &mut ws,
        json!({"op":"subscribe","args":[{"channel":"account"}]}),
    );
    let a = recv(&mut ws);
    assert_eq!(
        (a["event"].as_str(), a["code"].as_str()),
        (Some("error"), Some("60011"))
    );
    let now_s = now_ms() / 1000;
    let ts = now_s.to_string();
    let refused = |a: Value| {
        (
            a["event"].as_str().map(str::to_owned),
            a["code"].as_str().map(str::to_owned),
        )
    };
    let err = |c: &str| (Some("error".to_owned()), Some(c.to_owned()));
    assert_eq!(
        refused(login_with(&mut ws, KEY, PASSPHRASE, "wrong-secret", &ts)),
        err("60007")
    );
    assert_eq!(
        refused(login_with(&mut ws, "other-key", PASSPHRASE, SECRET, &ts)),
        err("60005")
    );
    assert_eq!(
        refused(login_with(&mut ws, KEY, "bad-pass", SECRET, &ts)),
        err("60024")
    );
    let stale = (now_s - 60).to_string();
    assert_eq!(
        refused(login_with(&mut ws, KEY, PASSPHRASE, SECRET, &stale)),
        err("60006")
    );
    let ms = now_ms().to_string(); // milliseconds where seconds are due: far in the future
    assert_eq!(
        refused(login_with(&mut ws, KEY, PASSPHRASE, SECRET, &ms)),
        err("60006")
    );
    assert_eq!(
        refused(login_with(&mut ws, KEY, PASSPHRASE, SECRET, "yesterday")),
        err("60004")
    );
    // Decimal seconds, as the docs' `Date.now() / 1000` example makes them, are fine.
    let dec = format!("{:.3}", now_ms() as f64 / 1000.0);
    let a = login_with(&mut ws, KEY, PASSPHRASE, SECRET, &dec);
    assert_eq!(
        (a["event"].as_str(), a["code"].as_str()),
        (Some("login"), Some("0")),
        "{a}"
    );
    assert!(a["connId"].as_str().is_some_and(|c| !c.is_empty()));
    let st = ex.venue_stats("okx").unwrap();
    assert_eq!(
        (
            st.okx_ws_sessions,
            st.okx_ws_logins,
            st.okx_ws_login_refusals
        ),
        (1, 1, 6)
    );
    assert_eq!(st.okx_ws_unauthenticated, 2);
    assert_eq!(
        st.rest_orders, 0,
        "nothing reached the book before the login"
    );
}

#[test]
fn order_acked_then_pushed_filled_and_seen_by_rest() {
    let ex = start(|cfg| {
        cfg.rest_fee_bps.insert("okx".into(), 10);
    });
    let mut ws = connect(&ex);
    login(&mut ws);
    subscribe(&mut ws);
    let top = ex.top_of_book("okx").unwrap();
    order(&mut ws, "o1", "w1", top.ask_px * 2);
    let a = recv(&mut ws);
    assert_eq!(
        (a["id"].as_str(), a["op"].as_str(), a["code"].as_str()),
        (Some("o1"), Some("order"), Some("0")),
        "{a}"
    );
    let d = &a["data"][0];
    assert_eq!(
        (d["sCode"].as_str(), d["clOrdId"].as_str()),
        (Some("0"), Some("w1"))
    );
    let ord_id = d["ordId"].as_str().unwrap().to_owned();
    let t_in: u64 = a["inTime"].as_str().unwrap().parse().unwrap();
    let t_out: u64 = a["outTime"].as_str().unwrap().parse().unwrap();
    assert!(
        t_in <= t_out && t_in > 1_600_000_000_000_000,
        "{t_in} {t_out} (unix us)"
    );
    // The fill comes on the orders channel, then the balances on account.
    let p = recv(&mut ws);
    assert_eq!(
        (p["arg"]["channel"].as_str(), p["arg"]["instType"].as_str()),
        (Some("orders"), Some("SPOT")),
        "{p}"
    );
    assert!(p["arg"]["uid"].is_string());
    let u = &p["data"][0];
    assert_eq!(
        (
            u["state"].as_str(),
            u["ordId"].as_str(),
            u["clOrdId"].as_str()
        ),
        (Some("filled"), Some(ord_id.as_str()), Some("w1")),
        "{u}"
    );
    assert_eq!(
        (
            u["instId"].as_str(),
            u["side"].as_str(),
            u["ordType"].as_str()
        ),
        (Some("BTC-USDT"), Some("buy"), Some("ioc"))
    );
    assert_eq!(
        (u["accFillSz"].as_str(), u["fillSz"].as_str()),
        (Some("0.0001"), Some("0.0001"))
    );
    assert_eq!(u["fillPx"], u["avgPx"]);
    assert!(!u["tradeId"].as_str().unwrap().is_empty());
    assert_eq!(
        (u["feeCcy"].as_str(), u["fillFeeCcy"].as_str()),
        (Some("BTC"), Some("BTC")),
        "a buy pays its fee in the base"
    );
    assert!(
        u["fillFee"].as_str().unwrap().starts_with('-'),
        "a charged fee is negative: {u}"
    );
    assert_eq!(u["execType"], "T");
    let acc = recv(&mut ws);
    assert_eq!(
        (acc["arg"]["channel"].as_str(), acc["eventType"].as_str()),
        (Some("account"), Some("event_update")),
        "{acc}"
    );
    let details = acc["data"][0]["details"].as_array().unwrap();
    let ccys: Vec<&str> = details.iter().filter_map(|d| d["ccy"].as_str()).collect();
    assert!(ccys.contains(&"BTC") && ccys.contains(&"USDT"), "{ccys:?}");
    for d in details {
        for f in ["availBal", "cashBal", "frozenBal"] {
            assert!(
                d[f].as_str().is_some_and(|v| v.parse::<f64>().is_ok()),
                "{f} in {d}"
            );
        }
    }
    // The REST side holds the same order, filled.
    let base = support::base(&ex, "okx");
    let r = support::okx(
        &base,
        "GET",
        &format!("/api/v5/trade/order?instId=BTC-USDT&ordId={ord_id}"),
        "",
    );
    assert_eq!(r.body["data"][0]["state"], "filled", "{}", r.body);
    // instId (to be deprecated) is still taken; an unknown instIdCode or none at all is refused.
    send(
        &mut ws,
        json!({"id":"o2","op":"order","args":[{"instId":"BTC-USDT","tdMode":"cash","side":"buy",
            "ordType":"ioc","px":px8(top.ask_px * 2),"sz":"0.0001","clOrdId":"w2"}]}),
    );
    assert_eq!(recv(&mut ws)["data"][0]["sCode"], "0");
    let (_, _) = (recv(&mut ws), recv(&mut ws));
    send(
        &mut ws,
        json!({"id":"o3","op":"order","args":[{"instIdCode":code() + 1,"tdMode":"cash","side":"buy",
            "ordType":"ioc","px":"1","sz":"0.0001","clOrdId":"w3"}]}),
    );
    let a = recv(&mut ws);
    assert_eq!(
        (a["code"].as_str(), a["data"][0]["sCode"].as_str()),
        (Some("1"), Some("51001")),
        "{a}"
    );
    send(
        &mut ws,
        json!({"id":"o4","op":"order","args":[{"tdMode":"cash","side":"buy"}]}),
    );
    let a = recv(&mut ws);
    assert_eq!(
        (a["code"].as_str(), a["data"].as_array().map(Vec::len)),
        (Some("50014"), Some(0)),
        "{a}"
    );
    assert!(quiet(&mut ws, 100), "refused orders push nothing");
    // An account subscription naming one currency gets only that one.
    send(
        &mut ws,
        json!({"op":"subscribe","args":[{"channel":"account","ccy":"USDT"}]}),
    );
    assert_eq!(recv(&mut ws)["event"], "subscribe");
    let snap = recv(&mut ws);
    let ccys: Vec<&str> = snap["data"][0]["details"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["ccy"].as_str())
        .collect();
    assert_eq!(ccys, ["USDT"]);
    let st = ex.venue_stats("okx").unwrap();
    assert_eq!(
        st.okx_ws_pushes, 6,
        "two snapshots, two fills, two balance updates"
    );
}

#[test]
fn resting_order_pushed_live_then_cancelled() {
    let ex = start(|_| {});
    let mut ws = connect(&ex);
    login(&mut ws);
    subscribe(&mut ws);
    send(
        &mut ws,
        json!({"id":"o1","op":"order","args":[{"instIdCode":code(),"tdMode":"cash","side":"buy",
            "ordType":"limit","px":"1","sz":"0.0001","clOrdId":"r1"}]}),
    );
    let a = recv(&mut ws);
    assert_eq!(a["data"][0]["sCode"], "0", "{a}");
    let u = recv(&mut ws);
    assert_eq!(
        (
            u["data"][0]["state"].as_str(),
            u["data"][0]["accFillSz"].as_str()
        ),
        (Some("live"), Some("0")),
        "{u}"
    );
    assert_eq!(
        (
            u["data"][0]["tradeId"].as_str(),
            u["data"][0]["avgPx"].as_str()
        ),
        (Some(""), Some("0"))
    );
    let acc = recv(&mut ws);
    let usdt = acc["data"][0]["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ccy"] == "USDT")
        .unwrap()
        .clone();
    assert_eq!(
        usdt["frozenBal"], "0.0001",
        "the order's quote is held: {usdt}"
    );
    send(
        &mut ws,
        json!({"id":"c1","op":"cancel-order","args":[{"instIdCode":code(),"clOrdId":"r1"}]}),
    );
    let a = recv(&mut ws);
    assert_eq!(
        (a["id"].as_str(), a["op"].as_str(), a["code"].as_str()),
        (Some("c1"), Some("cancel-order"), Some("0")),
        "{a}"
    );
    assert_eq!(
        (
            a["data"][0]["sCode"].as_str(),
            a["data"][0]["clOrdId"].as_str()
        ),
        (Some("0"), Some("r1"))
    );
    let u = recv(&mut ws);
    assert_eq!(
        (
            u["data"][0]["state"].as_str(),
            u["data"][0]["cancelSource"].as_str()
        ),
        (Some("canceled"), Some("1")),
        "{u}"
    );
    let acc = recv(&mut ws);
    let usdt = acc["data"][0]["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ccy"] == "USDT")
        .unwrap()
        .clone();
    assert_eq!(usdt["frozenBal"], "0", "released: {usdt}");
    // Cancelling it again: refused per order (51400), nothing pushed.
    send(
        &mut ws,
        json!({"id":"c2","op":"cancel-order","args":[{"instIdCode":code(),"clOrdId":"r1"}]}),
    );
    let a = recv(&mut ws);
    assert_eq!(
        (a["code"].as_str(), a["data"][0]["sCode"].as_str()),
        (Some("1"), Some("51400")),
        "{a}"
    );
    assert!(quiet(&mut ws, 100));
    // A resting order cancelled elsewhere (over REST) is still pushed to the session that placed it.
    send(
        &mut ws,
        json!({"id":"o2","op":"order","args":[{"instIdCode":code(),"tdMode":"cash","side":"buy",
            "ordType":"limit","px":"1","sz":"0.0001","clOrdId":"r2"}]}),
    );
    assert_eq!(recv(&mut ws)["data"][0]["sCode"], "0");
    assert_eq!(recv(&mut ws)["data"][0]["state"], "live");
    recv(&mut ws);
    let base = support::base(&ex, "okx");
    let body = json!({"instId":"BTC-USDT","clOrdId":"r2"}).to_string();
    let r = support::okx(&base, "POST", "/api/v5/trade/cancel-order", &body);
    assert_eq!(r.body["data"][0]["sCode"], "0", "{}", r.body);
    let u = recv(&mut ws);
    assert_eq!(
        (
            u["data"][0]["clOrdId"].as_str(),
            u["data"][0]["state"].as_str()
        ),
        (Some("r2"), Some("canceled")),
        "{u}"
    );
    assert_eq!(recv(&mut ws)["arg"]["channel"], "account");
}

#[test]
fn per_instrument_rate_limit_answers_50011() {
    let ex = start(|cfg| cfg.rest_limits.okx_orders_per_2s = 3);
    let mut ws = connect(&ex);
    login(&mut ws);
    let top = ex.top_of_book("okx").unwrap();
    for i in 0..4 {
        order(&mut ws, &format!("o{i}"), &format!("l{i}"), top.ask_px * 2);
        let a = recv(&mut ws);
        let want = if i < 3 { "0" } else { "50011" };
        assert_eq!(a["code"], want, "order {i}: {a}");
    }
    // The limit is OKX's, shared with REST: the REST placement is refused too.
    let base = support::base(&ex, "okx");
    let body = json!({"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"ioc",
        "px":px8(top.ask_px * 2),"sz":"0.0001"})
    .to_string();
    let r = support::okx(&base, "POST", "/api/v5/trade/order", &body);
    assert_eq!((r.status, r.body["code"].as_str()), (429, Some("50011")));
}

#[test]
fn ping_pong_idle_close_and_bad_frames() {
    let ex = faults(|w| w.idle_timeout = Duration::from_millis(400));
    let mut ws = connect(&ex);
    ws.send(Message::Text("ping".into())).unwrap();
    assert_eq!(ws.read().unwrap(), Message::Text("pong".into()));
    ws.send(Message::Text("{not json".into())).unwrap();
    let a = recv(&mut ws);
    assert_eq!(
        (a["event"].as_str(), a["code"].as_str()),
        (Some("error"), Some("60012"))
    );
    send(&mut ws, json!({"id":"x","op":"amend-everything","args":[]}));
    assert_eq!(recv(&mut ws)["code"], "60019");
    login(&mut ws);
    send(
        &mut ws,
        json!({"op":"subscribe","args":[{"channel":"positions-of-the-moon","instType":"SPOT"}]}),
    );
    assert_eq!(recv(&mut ws)["code"], "60018");
    // Keep it alive past the timeout with pings, then fall silent: closed with 4004.
    for _ in 0..4 {
        std::thread::sleep(Duration::from_millis(150));
        ws.send(Message::Text("ping".into())).unwrap();
        assert_eq!(ws.read().unwrap(), Message::Text("pong".into()));
    }
    let close = match ws.read() {
        Ok(Message::Close(f)) => f,
        Ok(other) => panic!("unexpected {other:?}"),
        Err(e) => panic!("no close frame: {e}"),
    };
    assert_eq!(close.map(|f| f.code), Some(CloseCode::from(4004)));
    let st = ex.venue_stats("okx").unwrap();
    assert_eq!((st.okx_ws_pings, st.okx_ws_idle_closes), (5, 1));
    assert_eq!(st.okx_ws_bad_frames, 3);
}

#[test]
fn session_expires() {
    let ex = faults(|w| w.session_lifetime = Duration::from_millis(300));
    let mut ws = connect(&ex);
    login(&mut ws);
    loop {
        match ws.read() {
            Ok(Message::Close(_)) | Err(_) => break,
            Ok(_) => {}
        }
    }
    assert_eq!(ex.venue_stats("okx").unwrap().okx_ws_sessions_ended, 1);
}

#[test]
fn drop_lost_answer_and_duplicate_pushes() {
    let ex = faults(|w| {
        w.drop_on_order = Some(1);
        w.lose_answer_on_order = Some(2);
        w.duplicate_final_pushes = true;
    });
    let top = ex.top_of_book("okx").unwrap();
    let mut ws = connect(&ex);
    login(&mut ws);
    order(&mut ws, "o1", "d1", top.ask_px * 2);
    assert!(
        !matches!(ws.read(), Ok(Message::Text(_))),
        "the session is dropped without an answer"
    );
    let mut ws = connect(&ex);
    login(&mut ws);
    subscribe(&mut ws);
    order(&mut ws, "o2", "d2", top.ask_px * 2);
    // No answer for o2, but its (duplicated) final push and the balances arrive.
    let (a, b, c) = (recv(&mut ws), recv(&mut ws), recv(&mut ws));
    assert_eq!(
        (
            a["arg"]["channel"].as_str(),
            a["data"][0]["clOrdId"].as_str()
        ),
        (Some("orders"), Some("d2")),
        "{a}"
    );
    assert_eq!(a["data"][0]["state"], "filled");
    assert_eq!(a, b, "duplicated final push");
    assert_eq!(c["arg"]["channel"], "account");
    assert!(quiet(&mut ws, 100), "and no answer");
    // The third order is answered normally (and its final push duplicated).
    order(&mut ws, "o3", "d3", top.ask_px * 2);
    assert_eq!(recv(&mut ws)["id"], "o3");
    let (a, b) = (recv(&mut ws), recv(&mut ws));
    assert_eq!(
        (a["data"][0]["clOrdId"].as_str(), a == b),
        (Some("d3"), true)
    );
    // Both faulted orders executed: REST finds them filled.
    let base = support::base(&ex, "okx");
    for cl in ["d1", "d2"] {
        let r = support::okx(
            &base,
            "GET",
            &format!("/api/v5/trade/order?instId=BTC-USDT&clOrdId={cl}"),
            "",
        );
        assert_eq!(r.body["data"][0]["state"], "filled", "{cl}: {}", r.body);
    }
    let st = ex.venue_stats("okx").unwrap();
    assert_eq!((st.okx_ws_sessions_ended, st.okx_ws_answers_lost), (1, 1));
}

/// The `details[]` entry of `ccy` in an `account` push or a REST balance answer.
fn detail(v: &Value, ccy: &str) -> Value {
    v["data"][0]["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ccy"] == ccy)
        .unwrap_or_else(|| panic!("no {ccy} in {v}"))
        .clone()
}

/// A logged-in session subscribed to `orders` (SPOT) and `account`.
fn subscribed(ex: &MockExchange) -> Ws {
    let mut ws = connect(ex);
    login(&mut ws);
    subscribe(&mut ws);
    ws
}

#[test]
fn an_order_placed_over_rest_is_pushed_once_with_its_fill_then_the_balances() {
    let ex = start(|cfg| {
        cfg.rest_fee_bps.insert("okx".into(), 10);
    });
    let mut ws = subscribed(&ex);
    let base = support::base(&ex, "okx");
    let top = ex.top_of_book("okx").unwrap();
    let body = json!({"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"ioc",
        "px":px8(top.ask_px * 2),"sz":"0.0001","clOrdId":"rest1"})
    .to_string();
    let r = support::okx(&base, "POST", "/api/v5/trade/order", &body);
    assert_eq!(r.body["data"][0]["sCode"], "0", "{}", r.body);
    let ord_id = r.body["data"][0]["ordId"].as_str().unwrap().to_owned();
    // The session placed nothing, yet the order is pushed: once, filled, with its one trade.
    let p = recv(&mut ws);
    assert_eq!(p["arg"]["channel"], "orders", "{p}");
    let u = &p["data"][0];
    assert_eq!(
        (
            u["ordId"].as_str(),
            u["clOrdId"].as_str(),
            u["state"].as_str()
        ),
        (Some(ord_id.as_str()), Some("rest1"), Some("filled")),
        "{u}"
    );
    assert_eq!(
        (
            u["instType"].as_str(),
            u["instId"].as_str(),
            u["accFillSz"].as_str(),
            u["fillSz"].as_str()
        ),
        (
            Some("SPOT"),
            Some("BTC-USDT"),
            Some("0.0001"),
            Some("0.0001")
        )
    );
    assert_eq!(u["fillPx"], u["avgPx"]);
    assert!(!u["tradeId"].as_str().unwrap().is_empty(), "{u}");
    assert!(u["fillFee"].as_str().unwrap().starts_with('-'), "{u}");
    assert!(u["uTime"].as_str().is_some_and(|t| !t.is_empty()));
    // Then the balances the fill moved, as REST reads them now.
    let acc = recv(&mut ws);
    assert_eq!(
        (acc["arg"]["channel"].as_str(), acc["eventType"].as_str()),
        (Some("account"), Some("event_update")),
        "{acc}"
    );
    let rest = support::okx(&base, "GET", "/api/v5/account/balance", "").body;
    for ccy in ["BTC", "USDT"] {
        let (pushed, now) = (detail(&acc, ccy), detail(&rest, ccy));
        for f in ["availBal", "cashBal", "frozenBal"] {
            assert_eq!(pushed[f], now[f], "{ccy} {f}: {pushed} vs {now}");
        }
    }
    assert!(quiet(&mut ws, 150), "pushed once");
    // A resting order placed and cancelled over REST: live, then canceled, each once.
    let body = json!({"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit",
        "px":"1","sz":"0.0001","clOrdId":"rest2"})
    .to_string();
    let r = support::okx(&base, "POST", "/api/v5/trade/order", &body);
    assert_eq!(r.body["data"][0]["sCode"], "0", "{}", r.body);
    let live = recv(&mut ws);
    assert_eq!(
        (
            live["data"][0]["clOrdId"].as_str(),
            live["data"][0]["state"].as_str()
        ),
        (Some("rest2"), Some("live")),
        "{live}"
    );
    assert_eq!(detail(&recv(&mut ws), "USDT")["frozenBal"], "0.0001");
    let body = json!({"instId":"BTC-USDT","clOrdId":"rest2"}).to_string();
    let r = support::okx(&base, "POST", "/api/v5/trade/cancel-order", &body);
    assert_eq!(r.body["data"][0]["sCode"], "0", "{}", r.body);
    assert_eq!(recv(&mut ws)["data"][0]["state"], "canceled");
    assert_eq!(detail(&recv(&mut ws), "USDT")["frozenBal"], "0");
    assert!(quiet(&mut ws, 150));
    assert_eq!(
        ex.venue_stats("okx").unwrap().okx_ws_pushes,
        7,
        "a snapshot, three orders pushes, three balance updates"
    );
}

#[test]
fn an_order_placed_on_one_session_is_pushed_on_every_subscribed_one() {
    let ex = faults(|w| w.duplicate_final_pushes = false);
    let mut a = subscribed(&ex);
    let mut b = subscribed(&ex);
    // Logged in but not subscribed: nothing is pushed to it.
    let mut idle = connect(&ex);
    login(&mut idle);
    let top = ex.top_of_book("okx").unwrap();
    order(&mut a, "a1", "sa1", top.ask_px * 2);
    let ack = recv(&mut a);
    assert_eq!(
        (ack["id"].as_str(), ack["code"].as_str()),
        (Some("a1"), Some("0")),
        "{ack}"
    );
    let (pa, acc_a) = (recv(&mut a), recv(&mut a));
    let (pb, acc_b) = (recv(&mut b), recv(&mut b));
    assert_eq!(
        (
            pb["arg"]["channel"].as_str(),
            pb["data"][0]["clOrdId"].as_str(),
            pb["data"][0]["state"].as_str()
        ),
        (Some("orders"), Some("sa1"), Some("filled")),
        "{pb}"
    );
    assert_eq!(pa["data"], pb["data"], "the same update on both sessions");
    assert_eq!(acc_b["arg"]["channel"], "account");
    assert_eq!(acc_a["data"][0]["details"], acc_b["data"][0]["details"]);
    // And the other way round.
    order(&mut b, "b1", "sb1", top.ask_px * 2);
    assert_eq!(recv(&mut b)["id"], "b1");
    let pa = recv(&mut a);
    assert_eq!(
        (
            pa["data"][0]["clOrdId"].as_str(),
            pa["data"][0]["state"].as_str()
        ),
        (Some("sb1"), Some("filled")),
        "{pa}"
    );
    assert_eq!(recv(&mut a)["arg"]["channel"], "account");
    let (_, _) = (recv(&mut b), recv(&mut b));
    for ws in [&mut a, &mut b, &mut idle] {
        assert!(quiet(ws, 150), "each order pushed once per session");
    }
    // A session that unsubscribed `orders` keeps only the balances.
    send(
        &mut b,
        json!({"op":"unsubscribe","args":[{"channel":"orders","instType":"SPOT"}]}),
    );
    assert_eq!(recv(&mut b)["event"], "unsubscribe");
    order(&mut a, "a2", "sa2", top.ask_px * 2);
    assert_eq!(recv(&mut a)["id"], "a2");
    assert_eq!(recv(&mut b)["arg"]["channel"], "account");
    assert!(quiet(&mut b, 150));
    let st = ex.venue_stats("okx").unwrap();
    assert_eq!(st.rest_orders, 3, "each order taken once");
}

#[test]
fn a_resting_rest_order_filled_by_a_later_quote_is_pushed_as_the_maker() {
    let ex = start(|_| {});
    let mut ws = subscribed(&ex);
    let base = support::base(&ex, "okx");
    // A buy one tick (0.01) above the bid rests until an ask comes down to it; when the spread
    // is one tick it crosses on arrival instead (not what this checks): place another.
    let mut cl = String::new();
    for k in 1..=20 {
        let top = ex.top_of_book("okx").unwrap();
        cl = format!("mk{k}");
        let body = json!({"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit",
            "px":px8(top.bid_px + 1_000_000),"sz":"0.0001","clOrdId":cl})
        .to_string();
        let r = support::okx(&base, "POST", "/api/v5/trade/order", &body);
        assert_eq!(r.body["data"][0]["sCode"], "0", "{}", r.body);
        let p = recv(&mut ws);
        assert_eq!(p["data"][0]["clOrdId"], cl.as_str(), "{p}");
        assert_eq!(recv(&mut ws)["arg"]["channel"], "account");
        if p["data"][0]["state"] == "live" {
            break;
        }
    }
    let fill = loop {
        let p = recv(&mut ws);
        if p["arg"]["channel"] == "orders" {
            break p;
        }
    };
    let u = &fill["data"][0];
    assert_eq!(
        (
            u["clOrdId"].as_str(),
            u["state"].as_str(),
            u["execType"].as_str()
        ),
        (Some(cl.as_str()), Some("filled"), Some("M")),
        "{u}"
    );
    assert_eq!(
        (u["fillSz"].as_str(), u["accFillSz"].as_str()),
        (Some("0.0001"), Some("0.0001"))
    );
    assert_eq!(recv(&mut ws)["arg"]["channel"], "account");
    assert!(quiet(&mut ws, 150), "the fill pushed once");
    assert!(ex.venue_stats("okx").unwrap().rest_resting_fills >= 1);
}
