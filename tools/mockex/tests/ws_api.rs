//! The mock's Binance WebSocket API (`/ws-api/v3`) over a real socket, with `session.logon`
//! signed by this test alone (ring Ed25519 over the payload Binance's docs describe): logon,
//! refusals before logon and with a wrong key, an order filled over the session and seen by the
//! REST side, a rejected order, rate limits in answers, user-data events, server pings, and the
//! drop / lost-ack faults.

mod support;

use std::net::TcpStream;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use mockex::{MockExchange, VenueKind};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::Value;
use support::{now_ms, px8, KEY};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

type Ws = WebSocket<MaybeTlsStream<TcpStream>>;

fn keypair() -> Ed25519KeyPair {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap()
}

fn start(pair: &Ed25519KeyPair, edit: impl FnOnce(&mut mockex::WsApiConfig)) -> MockExchange {
    let pk = pair.public_key().as_ref().to_vec();
    support::start_with(&[VenueKind::Binance], |cfg| {
        cfg.ws_api.ed25519_public_key = Some(pk);
        edit(&mut cfg.ws_api);
    })
}

fn connect(ex: &MockExchange) -> Ws {
    let url = ex.endpoint("binance").unwrap().ws_api_url.clone().unwrap();
    let (ws, _) = tungstenite::connect(url.as_str()).unwrap();
    if let MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    }
    ws
}

fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into())).unwrap();
}

/// The next text frame as JSON (pings are answered by tungstenite and skipped).
fn recv(ws: &mut Ws) -> Value {
    loop {
        match ws.read().unwrap() {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

fn logon(ws: &mut Ws, pair: &Ed25519KeyPair, key: &str) -> Value {
    let ts = now_ms();
    let payload = format!("apiKey={key}&recvWindow=5000&timestamp={ts}");
    let sig = STANDARD.encode(pair.sign(payload.as_bytes()).as_ref());
    send(
        ws,
        serde_json::json!({"id":"l1","method":"session.logon","params":{
            "apiKey":key,"recvWindow":5000,"signature":sig,"timestamp":ts}}),
    );
    recv(ws)
}

fn place(ws: &mut Ws, id: &str, client: &str, px: i64) {
    send(
        ws,
        serde_json::json!({"id":id,"method":"order.place","params":{
            "symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"IOC",
            "quantity":"0.00000001","price":px8(px),"newClientOrderId":client,
            "newOrderRespType":"FULL","timestamp":now_ms()}}),
    );
}

#[test]
fn logon_then_order_filled_and_seen_by_rest() {
    let pair = keypair();
    let ex = start(&pair, |_| {});
    let mut ws = connect(&ex);
    // Before logon: refused as an unsigned request.
    place(&mut ws, "p0", "w0", 1);
    let a = recv(&mut ws);
    assert_eq!(
        (a["id"].as_str(), a["status"].as_u64()),
        (Some("p0"), Some(400))
    );
    assert_eq!(a["error"]["code"], -1102);
    let a = logon(&mut ws, &pair, KEY);
    assert_eq!(a["status"], 200, "{a}");
    assert_eq!(a["result"]["apiKey"], KEY);
    send(
        &mut ws,
        serde_json::json!({"id":"u1","method":"userDataStream.subscribe"}),
    );
    assert_eq!(recv(&mut ws)["result"]["subscriptionId"], 0);
    let top = ex.top_of_book("binance").unwrap();
    place(&mut ws, "p1", "w1", top.ask_px * 2);
    let a = recv(&mut ws);
    assert_eq!(
        (a["id"].as_str(), a["status"].as_u64()),
        (Some("p1"), Some(200)),
        "{a}"
    );
    assert_eq!(a["result"]["status"], "FILLED");
    assert_eq!(a["result"]["clientOrderId"], "w1");
    let limits = a["rateLimits"].as_array().unwrap();
    assert_eq!(limits[1]["rateLimitType"], "ORDERS");
    assert!(limits[1]["count"].as_u64().unwrap() >= 1);
    // The pushed events: the execution, then the balances.
    let ev = recv(&mut ws);
    assert_eq!(ev["event"]["e"], "executionReport");
    assert_eq!(
        (ev["event"]["c"].as_str(), ev["event"]["X"].as_str()),
        (Some("w1"), Some("FILLED"))
    );
    assert_eq!(recv(&mut ws)["event"]["e"], "outboundAccountPosition");
    // The same order, by status query on the session and as the REST side holds it.
    send(
        &mut ws,
        serde_json::json!({"id":"s1","method":"order.status","params":{
            "symbol":"BTCUSDT","origClientOrderId":"w1","timestamp":now_ms()}}),
    );
    let s = recv(&mut ws);
    assert_eq!(
        (s["status"].as_u64(), s["result"]["status"].as_str()),
        (Some(200), Some("FILLED"))
    );
    let taken = ex.rest_orders("binance").unwrap();
    assert_eq!(taken.len(), 1);
    // A refused order (the reject fault acts on session placements too).
    ex.control()
        .inject_rest("binance", mockex::RestFault::Reject)
        .unwrap();
    place(&mut ws, "p2", "w2", top.ask_px * 2);
    let a = recv(&mut ws);
    assert_eq!(
        (a["status"].as_u64(), a["error"]["code"].as_i64()),
        (Some(400), Some(-2010))
    );
    let st = ex.venue_stats("binance").unwrap();
    assert_eq!((st.ws_api_sessions, st.ws_api_logons), (1, 1));
    assert_eq!(st.ws_api_unauthenticated, 1);
}

#[test]
fn wrong_key_and_unknown_api_key_refused() {
    let pair = keypair();
    let ex = start(&pair, |_| {});
    let mut ws = connect(&ex);
    let a = logon(&mut ws, &keypair(), KEY);
    assert_eq!(
        (a["status"].as_u64(), a["error"]["code"].as_i64()),
        (Some(400), Some(-1022)),
        "{a}"
    );
    let a = logon(&mut ws, &pair, "someone-else");
    assert_eq!(
        (a["status"].as_u64(), a["error"]["code"].as_i64()),
        (Some(401), Some(-2015))
    );
    place(&mut ws, "p1", "w1", 1);
    assert_eq!(recv(&mut ws)["error"]["code"], -1102);
    assert_eq!(ex.venue_stats("binance").unwrap().ws_api_logon_refusals, 2);
}

#[test]
fn drop_mid_request_and_lost_ack_execute_the_order() {
    let pair = keypair();
    let ex = start(&pair, |w| {
        w.drop_on_place = Some(1);
        w.lose_ack_on_place = Some(2);
        w.duplicate_execution_reports = true;
    });
    let top = ex.top_of_book("binance").unwrap();
    let mut ws = connect(&ex);
    assert_eq!(logon(&mut ws, &pair, KEY)["status"], 200);
    place(&mut ws, "p1", "d1", top.ask_px * 2);
    assert!(
        ws.read().is_err(),
        "the session is dropped without an answer"
    );
    let mut ws = connect(&ex);
    assert_eq!(logon(&mut ws, &pair, KEY)["status"], 200);
    send(
        &mut ws,
        serde_json::json!({"id":"u1","method":"userDataStream.subscribe"}),
    );
    recv(&mut ws);
    place(&mut ws, "p2", "d2", top.ask_px * 2);
    // No answer for p2, but its (duplicated) execution reports and the balances arrive.
    let (a, b, c) = (recv(&mut ws), recv(&mut ws), recv(&mut ws));
    assert_eq!(a["event"]["c"], "d2");
    assert_eq!(a, b, "duplicated executionReport");
    assert_eq!(c["event"]["e"], "outboundAccountPosition");
    // Both orders executed: a status query finds them.
    for c in ["d1", "d2"] {
        send(
            &mut ws,
            serde_json::json!({"id":c,"method":"order.status","params":{
                "symbol":"BTCUSDT","origClientOrderId":c,"timestamp":now_ms()}}),
        );
        assert_eq!(recv(&mut ws)["result"]["status"], "FILLED");
    }
    let st = ex.venue_stats("binance").unwrap();
    assert_eq!(st.ws_api_sessions_ended, 1);
}

#[test]
fn server_pings_and_session_expiry() {
    let pair = keypair();
    let pk = pair.public_key().as_ref().to_vec();
    let ex = support::start_with(&[VenueKind::Binance], |cfg| {
        cfg.ws_api.ed25519_public_key = Some(pk);
        cfg.ws_api.session_lifetime = Duration::from_millis(400);
        cfg.keep_alive.server_ping_interval = Duration::from_millis(50);
    });
    let mut ws = connect(&ex);
    let mut pings = 0;
    loop {
        match ws.read() {
            Ok(Message::Ping(_)) => pings += 1,
            Ok(Message::Close(_)) | Err(_) => break,
            Ok(_) => {}
        }
    }
    assert!(pings >= 2, "{pings} pings");
    let st = ex.venue_stats("binance").unwrap();
    assert!(st.pongs_received >= 1, "tungstenite answered the pings");
    assert_eq!(st.ws_api_sessions_ended, 1);
}
