//! Tests of the OKX WebSocket codec: the login against ccxt's vectors (tools/okx_ws/make_vectors.py)
//! and each op's bytes.

use super::*;
use crate::exec::gateway::codec::answer::{InstrumentSpec, RequestError};
use crate::exec::gateway::codec::{InstrumentTable, OkxCodec, OkxSettings};
use crate::model::{InstrumentId, OppId, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId};

const VECTORS: &str = include_str!("../../../../../tools/okx_ws/vectors.json");

pub(super) fn spec() -> InstrumentSpec {
    InstrumentSpec {
        symbol: "BTC-USDT".into(),
        price_scale: 1,
        qty_scale: 8,
    }
}

pub(super) fn table() -> InstrumentTable {
    let mut t = InstrumentTable::new(&[(InstrumentId(0), spec())]).unwrap();
    assert_eq!(t.set_venue_codes(&[("BTC-USDT".to_string(), 10)]), 1);
    t
}

pub(super) fn order() -> Order {
    Order {
        id: OrderId(42),
        opp: OppId(1),
        px: Price(600_005),
        qty: Qty(1_000_000),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(0),
        venue: VenueId(0),
        side: Side::Buy,
        tif: TimeInForce::Ioc,
    }
}

fn codec(key: &str, secret: &str, pass: &str) -> OkxCodec {
    let settings = OkxSettings {
        host: "www.okx.com".into(),
        client_id_prefix: "ma".into(),
    };
    OkxCodec::new(
        settings,
        key.as_bytes(),
        secret.as_bytes(),
        pass.as_bytes(),
        table(),
    )
    .unwrap()
}

#[test]
fn login_matches_ccxt_vectors() {
    let file: serde_json::Value = serde_json::from_str(VECTORS).unwrap();
    let s = |k: &str| file[k].as_str().unwrap().to_string();
    let c = codec(&s("api_key"), &s("secret"), &s("passphrase"));
    let vectors = file["vectors"].as_array().unwrap();
    assert!(!vectors.is_empty());
    let mut out = Vec::new();
    for v in vectors {
        write_login(&c, v["timestamp_s"].as_u64().unwrap(), &mut out).unwrap();
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            v["message"].as_str().unwrap()
        );
        assert!(std::str::from_utf8(&out)
            .unwrap()
            .contains(v["sign_helper"].as_str().unwrap()));
    }
}

#[test]
fn login_refuses_json_breaking_passphrase() {
    let c = codec("key", "secret", "pa\"ss");
    assert!(matches!(
        write_login(&c, 1, &mut Vec::new()),
        Err(RequestError::BadText { byte: b'"', .. })
    ));
}

#[test]
fn order_and_cancel_ops() {
    let w = OkxWsWriter::new(
        OkxWsSettings {
            client_id_prefix: "ma".into(),
        },
        table(),
    )
    .unwrap();
    let mut out = Vec::with_capacity(OkxWsWriter::FRAME_CAPACITY);
    w.write_order(&order(), &mut out).unwrap();
    assert_eq!(
        std::str::from_utf8(&out).unwrap(),
        r#"{"id":"o42","op":"order","args":[{"instIdCode":10,"tdMode":"cash","side":"buy","ordType":"ioc","px":"60000.5","sz":"0.01","clOrdId":"ma42"}]}"#
    );
    w.write_cancel(&order(), &mut out).unwrap();
    assert_eq!(
        std::str::from_utf8(&out).unwrap(),
        r#"{"id":"c42","op":"cancel-order","args":[{"instIdCode":10,"clOrdId":"ma42"}]}"#
    );
    assert_eq!(
        OkxRequestId::parse(br#""c42""#),
        Some(OkxRequestId {
            op: OkxOp::Cancel,
            order_id: 42
        })
    );
    assert_eq!(OkxRequestId::parse(br#""x42""#), None);
    assert_eq!(OkxRequestId::parse(b"42"), None);
}

#[test]
fn op_writer_refusals() {
    let bad = OkxWsSettings {
        client_id_prefix: "m_a".into(),
    };
    assert!(OkxWsWriter::new(bad, table()).is_err());
    let long = OkxWsSettings {
        client_id_prefix: "abcdefghijklm".into(),
    };
    assert!(OkxWsWriter::new(long, table()).is_err());
    let no_code = InstrumentTable::new(&[(InstrumentId(0), spec())]).unwrap();
    let w = OkxWsWriter::new(
        OkxWsSettings {
            client_id_prefix: "ma".into(),
        },
        no_code,
    )
    .unwrap();
    assert_eq!(
        w.write_order(&order(), &mut Vec::new()),
        Err(RequestError::NoVenueCode(0))
    );
    let w = OkxWsWriter::new(
        OkxWsSettings {
            client_id_prefix: "ma".into(),
        },
        table(),
    )
    .unwrap();
    let zero = Order {
        qty: Qty(0),
        ..order()
    };
    assert_eq!(
        w.write_order(&zero, &mut Vec::new()),
        Err(RequestError::NonPositive(OrderId(42)))
    );
}

#[test]
fn keepalive_pings_when_idle_and_gives_up() {
    let mut k = Keepalive::new(20, 5, 0);
    assert_eq!(k.poll(19), KeepaliveAction::Nothing);
    assert_eq!(k.poll(20), KeepaliveAction::SendPing);
    k.ping_sent(20);
    assert_eq!(k.poll(24), KeepaliveAction::Nothing);
    assert_eq!(k.poll(25), KeepaliveAction::Dead);
    k.on_frame(26);
    assert_eq!(k.poll(30), KeepaliveAction::Nothing);
    assert!(is_pong(b"pong") && !is_pong(b"ping"));
    assert_eq!(parse_inbound(b"pong"), Ok(OkxInbound::Pong));
}
