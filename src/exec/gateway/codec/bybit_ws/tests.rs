//! The request writers, `auth` and the dedupe memory.

use ring::hmac;

use super::*;
use crate::exec::gateway::codec::answer::{InstrumentSpec, RequestError};
use crate::exec::gateway::codec::instruments::InstrumentTable;
use crate::model::{InstrumentId, OppId, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId};

const API_KEY: &[u8] = b"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const SECRET: &[u8] = b"NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

fn table() -> InstrumentTable {
    InstrumentTable::new(&[(
        InstrumentId(1),
        InstrumentSpec {
            symbol: "BTCUSDT".into(),
            price_scale: 2,
            qty_scale: 6,
        },
    )])
    .unwrap()
}

fn writer(recv_window_ms: u32) -> BybitWsWriter {
    BybitWsWriter::new(
        BybitWsSettings {
            recv_window_ms,
            client_id_prefix: "ma".into(),
        },
        table(),
    )
    .unwrap()
}

fn order(id: u64, side: Side) -> Order {
    Order {
        id: OrderId(id),
        opp: OppId(1),
        px: Price(2_500_010),
        qty: Qty(500_000),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(1),
        venue: VenueId(0),
        side,
        tif: TimeInForce::Ioc,
    }
}

fn text(v: &[u8]) -> &str {
    std::str::from_utf8(v).unwrap()
}

#[test]
fn create_is_the_documented_frame_with_the_rest_order_object() {
    let mut out = Vec::with_capacity(BybitWsWriter::FRAME_CAPACITY);
    writer(5000)
        .write_create(&order(7, Side::Buy), 1_700_000_000_123, &mut out)
        .unwrap();
    assert_eq!(
        text(&out),
        r#"{"reqId":"c7","header":{"X-BAPI-TIMESTAMP":"1700000000123","X-BAPI-RECV-WINDOW":"5000"},"op":"order.create","args":[{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.5","price":"25000.1","timeInForce":"IOC","orderLinkId":"ma7"}]}"#
    );
    let v: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
    assert_eq!(v["args"][0]["orderLinkId"], "ma7");
    writer(0)
        .write_create(&order(u64::MAX, Side::Sell), 1, &mut out)
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
    assert_eq!(v["header"].as_object().unwrap().len(), 1, "no recv window");
    assert_eq!(v["args"][0]["side"], "Sell");
    assert_eq!(v["reqId"], "c18446744073709551615");
    assert!(out.len() < BybitWsWriter::FRAME_CAPACITY);
}

#[test]
fn cancel_by_order_link_id() {
    let mut out = Vec::new();
    writer(5000)
        .write_cancel(&order(42, Side::Buy), 1_700_000_000_000, &mut out)
        .unwrap();
    assert_eq!(
        text(&out),
        r#"{"reqId":"x42","header":{"X-BAPI-TIMESTAMP":"1700000000000","X-BAPI-RECV-WINDOW":"5000"},"op":"order.cancel","args":[{"category":"spot","symbol":"BTCUSDT","orderLinkId":"ma42"}]}"#
    );
}

#[test]
fn bad_orders_and_settings_are_refused() {
    let mut out = b"old".to_vec();
    let mut o = order(1, Side::Buy);
    o.instrument = InstrumentId(9);
    assert_eq!(
        writer(5000).write_create(&o, 1, &mut out),
        Err(RequestError::UnknownInstrument(9))
    );
    assert_eq!(
        writer(5000).write_cancel(&o, 1, &mut out),
        Err(RequestError::UnknownInstrument(9))
    );
    let mut o = order(1, Side::Buy);
    o.qty = Qty(0);
    assert!(matches!(
        writer(5000).write_create(&o, 1, &mut out),
        Err(RequestError::NonPositive(_))
    ));
    for prefix in ["m\"a", "a/b", "abcdefghijklmnopq"] {
        let r = BybitWsWriter::new(
            BybitWsSettings {
                recv_window_ms: 5000,
                client_id_prefix: prefix.into(),
            },
            table(),
        );
        assert!(matches!(r, Err(RequestError::BadText { .. })), "{prefix}");
    }
}

#[test]
fn request_ids_round_trip_and_foreign_ones_are_none() {
    for op in [WsOp::Auth, WsOp::Create, WsOp::Cancel, WsOp::Ping] {
        let id = RequestId { op, number: 99 };
        let mut v = Vec::new();
        id.push_json(&mut v);
        assert_eq!(RequestId::parse(&v), Some(id));
    }
    assert_eq!(RequestId::parse(b"\"test-005\""), None);
    assert_eq!(RequestId::parse(b"\"\""), None);
    assert_eq!(RequestId::parse(b"100001"), None);
}

#[test]
fn ping_on_both_sockets() {
    let mut out = Vec::new();
    write_ping(WsSocket::Private, 3, &mut out);
    assert_eq!(text(&out), r#"{"req_id":"p3","op":"ping"}"#);
    write_ping(WsSocket::Trade, 4, &mut out);
    assert_eq!(text(&out), r#"{"reqId":"p4","op":"ping"}"#);
}

/// The signature is checked against Python's `hmac` here (`hmac.new(SECRET,
/// b"GET/realtime1700000010000", hashlib.sha256).hexdigest()`) and against ccxt in
/// `ccxt_auth_vectors`.
#[test]
fn auth_signs_get_realtime_and_expires() {
    let key = hmac::Key::new(hmac::HMAC_SHA256, SECRET);
    let mut out = Vec::new();
    write_auth(
        WsSocket::Private,
        API_KEY,
        &key,
        1_700_000_010_000,
        1,
        &mut out,
    )
    .unwrap();
    assert_eq!(
        text(&out),
        concat!(
            r#"{"req_id":"a1","op":"auth","args":["vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A","#,
            r#"1700000010000,"194bac3b7b098cb5ac800a2e9218f6d8f93c65fe576c6bcd429017c7310cb429"]}"#
        )
    );
    write_auth(
        WsSocket::Trade,
        API_KEY,
        &key,
        1_700_000_010_000,
        2,
        &mut out,
    )
    .unwrap();
    assert!(text(&out).starts_with(r#"{"reqId":"a2","op":"auth","args":["#));
    assert!(matches!(
        write_auth(WsSocket::Trade, b"key\"x", &key, 1, 1, &mut out),
        Err(RequestError::BadText { byte: b'"', .. })
    ));
}

#[derive(serde::Deserialize)]
struct Vectors {
    auth: Vec<AuthVector>,
}

#[derive(serde::Deserialize)]
struct AuthVector {
    api_key: String,
    secret: String,
    expires: u64,
    payload: String,
    signature: String,
    request: serde_json::Value,
}

/// `tools/bybit_ws/vectors.json`, written by ccxt (`tools/bybit_ws/make_vectors.py`): the same
/// signature bytes, and the same `auth` frame up to `expires`' JSON type (ccxt sends the digits as
/// a string, this codec as a number, as Bybit's docs do) and the request id (ccxt sends none).
#[test]
fn ccxt_auth_vectors() {
    let v: Vectors =
        serde_json::from_str(include_str!("../../../../../tools/bybit_ws/vectors.json"))
            .expect("vectors.json is JSON");
    assert!(!v.auth.is_empty());
    for a in &v.auth {
        assert_eq!(a.payload, format!("GET/realtime{}", a.expires));
        let key = hmac::Key::new(hmac::HMAC_SHA256, a.secret.as_bytes());
        let mut hex = Vec::new();
        crate::exec::gateway::codec::encode::push_hex(
            &mut hex,
            auth_signature(&key, a.expires).as_ref(),
        );
        assert_eq!(
            text(&hex),
            a.signature,
            "signature for expires {}",
            a.expires
        );
        let mut out = Vec::new();
        write_auth(
            WsSocket::Private,
            a.api_key.as_bytes(),
            &key,
            a.expires,
            1,
            &mut out,
        )
        .unwrap();
        let mut ours: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let obj = ours.as_object_mut().unwrap();
        assert_eq!(obj.remove("req_id"), Some("a1".into()));
        obj["args"][1] = a.expires.to_string().into();
        assert_eq!(ours, a.request, "auth frame for expires {}", a.expires);
    }
}

#[test]
fn dedupe_counts_a_second_final_and_a_replayed_exec_once() {
    let mut d = StreamDedupe::new();
    assert_eq!(d.first_final(b"ma42"), Ok(true));
    assert_eq!(d.first_final(b"ma42"), Ok(false));
    assert_eq!(d.first_final(b"ma43"), Ok(true));
    assert_eq!(d.first_final(b"ma4"), Ok(true), "a prefix is another key");
    assert_eq!(d.first_exec(b"ma42"), Ok(true), "separate memories");
    assert_eq!(d.first_exec(b"ma42"), Ok(false));
    assert_eq!(d.first_final(b""), Err(DedupeError::Empty));
    let long = [b'x'; dedupe::KEY_MAX + 1];
    assert_eq!(
        d.first_exec(&long),
        Err(DedupeError::TooLong(dedupe::KEY_MAX + 1))
    );
    assert_eq!(d.first_exec(&long[..dedupe::KEY_MAX]), Ok(true));
    assert_eq!(d.first_exec(&long[..dedupe::KEY_MAX]), Ok(false));
}

#[test]
fn dedupe_forgets_the_oldest_key_after_capacity() {
    let mut s = SeenSet::new();
    let key = |i: u64| {
        let mut v = b"e".to_vec();
        crate::exec::gateway::codec::encode::push_u64(&mut v, i);
        v
    };
    for i in 0..SeenSet::CAPACITY as u64 {
        assert_eq!(s.first_time(&key(i)), Ok(true));
    }
    for i in 0..SeenSet::CAPACITY as u64 {
        assert_eq!(s.first_time(&key(i)), Ok(false), "all {i} remembered");
    }
    assert_eq!(s.first_time(&key(9999)), Ok(true));
    assert_eq!(s.first_time(&key(0)), Ok(true), "the oldest was forgotten");
    assert_eq!(s.first_time(&key(2)), Ok(false));
}
