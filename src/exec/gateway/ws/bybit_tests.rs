//! The Bybit dialects on frames written from bybit-exchange/docs (`websocket/trade/guideline.mdx`,
//! `websocket/wss-authentication.mdx`, `websocket/private/{order,wallet}.mdx`): what each frame
//! is, the login and subscription written, and the pushes turned into events (a double `Filled`
//! forwarded once, a working state and a foreign order only counted, wallet coins as balances).

use super::*;
use crate::exec::gateway::codec::bybit_ws::BybitWsSettings;
use crate::exec::gateway::codec::{AnswerKind, InstrumentSpec, InstrumentTable};
use crate::exec::guards::AssetId;
use crate::model::{
    ExecStatus, InstrumentId, OppId, OrderId, Price, Qty, Side, TimeInForce, VenueId,
};

fn dialect(socket: WsSocket) -> BybitDialect {
    let table = InstrumentTable::new(&[(
        InstrumentId(0),
        InstrumentSpec {
            symbol: "BTCUSDT".into(),
            price_scale: 2,
            qty_scale: 6,
        },
    )])
    .unwrap();
    let writer = BybitWsWriter::new(
        BybitWsSettings {
            recv_window_ms: 5000,
            client_id_prefix: "by".into(),
        },
        table,
    )
    .unwrap();
    BybitDialect::new(
        socket,
        writer,
        b"XXXXXX",
        b"secret",
        AssetNames::new([("BTC", AssetId(0)), ("USDT", AssetId(1))]),
    )
}

fn order(id: u64) -> Order {
    Order {
        id: OrderId(id),
        opp: OppId(id),
        px: Price(2_500_010),
        qty: Qty(500_000),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(0),
        venue: VenueId(2),
        side: Side::Buy,
        tif: TimeInForce::Ioc,
    }
}

#[test]
fn frames_of_the_trade_socket() {
    let d = dialect(WsSocket::Trade);
    assert_eq!(d.name(), "bybit");
    assert!(d.takes(WsOp::Place) && d.takes(WsOp::Cancel) && !d.takes(WsOp::Status));
    assert_eq!(
        d.classify(
            br#"{"retCode":0,"retMsg":"OK","op":"auth","connId":"cnt5leec0hvan15eukcg-2t"}"#
        ),
        Inbound::Logon(true)
    );
    assert_eq!(
        d.classify(br#"{"retCode":10004,"retMsg":"Invalid sign","op":"auth","connId":"c"}"#),
        Inbound::Logon(false)
    );
    assert_eq!(
        d.classify(br#"{"retCode":20001,"retMsg":"Repeat auth","op":"auth","connId":"c"}"#),
        Inbound::Logon(true),
        "already authenticated is authenticated"
    );
    assert_eq!(
        d.classify(
            br#"{"retCode":0,"retMsg":"OK","op":"pong","data":["1711002002529"],"connId":"c"}"#
        ),
        Inbound::Keepalive
    );
    let ack = br#"{"reqId":"c7","retCode":0,"retMsg":"OK","op":"order.create","data":{"orderId":"a4c1718e-fe53-4659-a118-1f6ecce04ad9","orderLinkId":"by7"},"retExtInfo":{},"header":{"X-Bapi-Limit":"10","X-Bapi-Limit-Status":"9","X-Bapi-Limit-Reset-Timestamp":"1711001595208","Traceid":"38b7977b430f9bd228f4b19724794dfd","Timenow":"1711001595209"},"connId":"cnt5leec0hvan15eukcg-2v"}"#;
    assert_eq!(
        d.classify(ack),
        Inbound::Answer {
            id: 7,
            op: WsOp::Place
        }
    );
    let mut d = d;
    let a = d.answer(&order(7), WsOp::Place, ack, 5);
    assert_eq!(
        (a.kind, a.report.status),
        (AnswerKind::Accepted, ExecStatus::Unknown)
    );
    assert_eq!(a.bybit_limit.remaining, Some(9));
    let cancel = br#"{"reqId":"x7","retCode":170213,"retMsg":"Order does not exist.","op":"order.cancel","data":{},"header":{},"connId":"c"}"#;
    assert_eq!(
        d.classify(cancel),
        Inbound::Answer {
            id: 7,
            op: WsOp::Cancel
        }
    );
    assert_eq!(
        d.classify(br#"{"reqId":"q1","retCode":0,"op":"order.create"}"#),
        Inbound::Unreadable,
        "not an id we wrote"
    );
    assert_eq!(d.classify(b"{not json"), Inbound::Unreadable);
    let mut json = Vec::new();
    assert_eq!(
        d.write_login(1_711_010_111_452, 1, &mut json),
        LoginFrame::Written
    );
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(
        (v["op"].as_str(), v["reqId"].as_str()),
        (Some("auth"), Some("a1"))
    );
    assert_eq!(v["args"][1], 1_711_010_121_452u64, "expires 10 s ahead");
    let mut subs = 0;
    d.write_subscriptions(1, &mut |_| subs += 1);
    assert_eq!(subs, 0, "the trade socket subscribes to nothing");
    d.write_request(&order(8), WsOp::Place, 1, &mut json)
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(
        (v["op"].as_str(), v["reqId"].as_str()),
        (Some("order.create"), Some("c8"))
    );
    assert_eq!(
        d.keepalive(),
        Some((20_000_000_000, &br#"{"op":"ping"}"#[..]))
    );
}

fn filled_push(link: &str, status: &str) -> String {
    format!(
        r#"{{"id":"5923240c6880ab-c59f-420b-9adb-3639adc9dd90","topic":"order","creationTime":1672364262474,"data":[{{"category":"spot","symbol":"BTCUSDT","orderId":"1321003749386327552","side":"Buy","orderType":"Limit","cancelType":"UNKNOWN","price":"25000.1","qty":"0.5","timeInForce":"IOC","orderStatus":"{status}","orderLinkId":"{link}","leavesQty":"0","cumExecQty":"0.5","cumExecValue":"12500.05","avgPrice":"25000.1","cumExecFee":"0.0005","feeCurrency":"BTC","rejectReason":"EC_NoError","createdTime":"1672364262444","updatedTime":"1672364262457","cumFeeDetail":{{"BTC":"0.0005"}}}}]}}"#
    )
}

#[test]
fn pushes_of_the_private_stream() {
    let mut d = dialect(WsSocket::Private);
    assert_eq!(d.name(), "bybit-private");
    assert!(!d.takes(WsOp::Place) && !d.takes(WsOp::Status));
    assert_eq!(
        d.classify(
            br#"{"success":true,"ret_msg":"","op":"auth","conn_id":"cejreaspqfh3sjdnldmg-p"}"#
        ),
        Inbound::Logon(true)
    );
    assert_eq!(
        d.classify(br#"{"success":true,"ret_msg":"","op":"subscribe","conn_id":"cejreassvfrsfvb9v1a0-2m"}"#),
        Inbound::Keepalive
    );
    assert_eq!(
        d.classify(br#"{"success":false,"ret_msg":"error:handler not found","op":"subscribe","conn_id":"c"}"#),
        Inbound::Unreadable,
        "a refused subscription is counted"
    );
    assert_eq!(
        d.classify(br#"{"req_id":"test","op":"pong","args":["1675418560633"],"conn_id":"cfcb4ocsvfriu23r3er0-1b"}"#),
        Inbound::Keepalive
    );
    let mut subs = Vec::new();
    d.write_subscriptions(1, &mut |j| subs.push(j.to_vec()));
    let v: serde_json::Value = serde_json::from_slice(&subs[0]).unwrap();
    assert_eq!(
        v["args"],
        serde_json::json!(["order", "execution", "wallet"])
    );
    let known = |id: OrderId| (id == OrderId(7)).then(|| order(7));
    let mut events = Vec::new();
    let filled = filled_push("by7", "Filled");
    assert_eq!(d.classify(filled.as_bytes()), Inbound::Push);
    for _ in 0..2 {
        assert!(d.on_push(filled.as_bytes(), 9, &known, &mut |e| events.push(e)));
    }
    assert_eq!(
        events.len(),
        1,
        "the racing second Filled is dropped: {events:?}"
    );
    let StreamEvent::Order(r) = events[0] else {
        panic!("{events:?}");
    };
    assert_eq!(
        (r.order, r.status, r.filled_qty, r.avg_px),
        (
            OrderId(7),
            ExecStatus::Filled,
            Qty(500_000),
            Price(2_500_010)
        )
    );
    assert!(r.fee.is_some(), "cumFeeDetail read");
    // A working state, a foreign order, an order we do not remember: counted only.
    for p in [
        filled_push("by7", "New"),
        filled_push("someone-else", "Filled"),
        filled_push("by99", "Filled"),
    ] {
        assert!(d.on_push(p.as_bytes(), 9, &known, &mut |e| events.push(e)));
    }
    assert_eq!(events.len(), 1);
    let wallet = br#"{"id":"592324d2bce751-ad38-48eb-8f42-4671d1fb4d4e","topic":"wallet","creationTime":1700034722104,"data":[{"accountType":"UNIFIED","totalEquity":"10262.91335023","coin":[{"coin":"BTC","equity":"0.00102964","walletBalance":"0.00102964","locked":"0.00002964","availableToWithdraw":""},{"coin":"ETH","walletBalance":"1","locked":"0"}]}]}"#;
    assert!(d.on_push(wallet, 9, &known, &mut |e| events.push(e)));
    assert_eq!(
        events[1],
        StreamEvent::Balance {
            asset: AssetId(0),
            free: 100_000,
            total: 102_964
        },
        "ETH is not configured"
    );
    assert_eq!(events.len(), 2);
    let execution = br#"{"topic":"execution","id":"386825804_BTCUSDT_140612148849382","creationTime":1746270400355,"data":[{"category":"spot","symbol":"BTCUSDT","execId":"0ab1bdf7-4219-438b-b30a-32ec863018f7","execPrice":"95900.1","execQty":"0.5","execType":"Trade","orderLinkId":"by7"}]}"#;
    assert!(d.on_push(execution, 9, &known, &mut |e| events.push(e)));
    assert!(!d.on_push(b"{broken", 9, &known, &mut |e| events.push(e)));
    assert_eq!(events.len(), 2);
    let p = d.push_counters();
    assert_eq!(
        (
            p.finals,
            p.duplicates,
            p.working,
            p.foreign,
            p.unknown_orders,
            p.balances,
            p.other
        ),
        (1, 1, 1, 1, 1, 1, 1),
        "{p:?}"
    );
}
