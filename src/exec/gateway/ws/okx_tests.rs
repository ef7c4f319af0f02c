//! Unit tests of the OKX dialect: frames classified (a late `error` is no login answer), ops
//! and the answers' latency, order finals forwarded once, balances of configured assets.

use super::*;
use crate::exec::gateway::codec::okx::OkxSettings;
use crate::exec::gateway::codec::okx_ws::OkxWsSettings;
use crate::exec::gateway::codec::{InstrumentSpec, InstrumentTable};
use crate::exec::guards::AssetId;
use crate::model::{
    ExecStatus, InstrumentId, OppId, OrderId, Price, Qty, Side, TimeInForce, VenueId,
};

fn dialect(codes: bool) -> OkxDialect {
    let mut t = InstrumentTable::new(&[(
        InstrumentId(0),
        InstrumentSpec {
            symbol: "BTC-USDT".into(),
            price_scale: 1,
            qty_scale: 8,
        },
    )])
    .unwrap();
    if codes {
        t.set_venue_codes(&[("BTC-USDT".into(), 10)]);
    }
    let settings = OkxSettings {
        host: "www.okx.com".into(),
        client_id_prefix: "ma".into(),
    };
    let codec = OkxCodec::new(settings, b"k", b"s", b"p", t.clone()).unwrap();
    let w = OkxWsWriter::new(
        OkxWsSettings {
            client_id_prefix: "ma".into(),
        },
        t,
    )
    .unwrap();
    let assets = AssetNames::new([("BTC", AssetId(0)), ("USDT", AssetId(1))]);
    OkxDialect::new(w, codec, true, assets)
}

fn order(id: u64) -> Order {
    Order {
        id: OrderId(id),
        opp: OppId(9),
        px: Price(600_005),
        qty: Qty(1_000_000),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(0),
        venue: VenueId(3),
        side: Side::Buy,
        tif: TimeInForce::Ioc,
    }
}

fn push(d: &mut OkxDialect, frame: &str) -> (bool, Vec<StreamEvent>) {
    let mut out = Vec::new();
    let lookup = |id: OrderId| (id == OrderId(7)).then(|| order(7));
    let read = d.on_push(frame.as_bytes(), 5, &lookup, &mut |e| out.push(e));
    (read, out)
}

const FILLED: &str = r#"{"arg":{"channel":"orders","instType":"SPOT","uid":"1"},"data":[{"instId":"BTC-USDT","ordId":"680","clOrdId":"ma7","state":"filled","fillPx":"60000.5","fillSz":"0.01","tradeId":"12","fillFee":"-0.00001","fillFeeCcy":"BTC","accFillSz":"0.01","avgPx":"60000.5","fee":"-0.00001","feeCcy":"BTC","uTime":"1708587373361"}]}"#;

#[test]
fn frames_are_classified_and_a_late_error_is_no_login_answer() {
    let mut d = dialect(true);
    let mut json = Vec::new();
    assert_eq!(
        d.write_login(1_700_000_000_000, 1, &mut json),
        LoginFrame::Written
    );
    assert!(json.starts_with(br#"{"op":"login""#));
    let err = br#"{"event":"error","code":"60007","msg":"Invalid sign","connId":"a"}"#;
    assert_eq!(d.classify(err), Inbound::Logon(false), "the login's answer");
    assert_eq!(d.classify(err), Inbound::Unreadable, "no login awaited now");
    d.write_login(1_700_000_000_000, 2, &mut json);
    let ok = br#"{"event":"login","code":"0","msg":"","connId":"a"}"#;
    assert_eq!(d.classify(ok), Inbound::Logon(true));
    let sub = br#"{"id":"s1","event":"subscribe","arg":{"channel":"account"},"connId":"a"}"#;
    assert_eq!(d.classify(sub), Inbound::Keepalive);
    assert_eq!(d.classify(b"pong"), Inbound::Keepalive);
    let place =
        br#"{"id":"o7","op":"order","code":"0","msg":"","data":[],"inTime":"1","outTime":"2"}"#;
    assert_eq!(
        d.classify(place),
        Inbound::Answer {
            id: 7,
            op: WsOp::Place
        }
    );
    let cancel = br#"{"id":"c7","op":"cancel-order","code":"0","msg":"","data":[]}"#;
    assert_eq!(
        d.classify(cancel),
        Inbound::Answer {
            id: 7,
            op: WsOp::Cancel
        }
    );
    let theirs = br#"{"id":"x1","op":"order","code":"0","msg":"","data":[]}"#;
    assert_eq!(d.classify(theirs), Inbound::Unreadable);
    assert_eq!(d.classify(FILLED.as_bytes()), Inbound::Push);
    assert_eq!(d.classify(b"{nope"), Inbound::Unreadable);
}

#[test]
fn ops_and_the_answers_latency() {
    let mut d = dialect(false);
    assert!(!d.takes(WsOp::Place) && !d.takes(WsOp::Cancel) && !d.takes(WsOp::Status));
    assert_eq!(d.set_venue_codes(&[("BTC-USDT".into(), 10)]), 1);
    assert!(d.takes(WsOp::Place) && d.takes(WsOp::Cancel) && !d.takes(WsOp::Status));
    let mut json = Vec::new();
    d.write_request(&order(7), WsOp::Place, 0, &mut json)
        .unwrap();
    assert!(json.starts_with(br#"{"id":"o7","op":"order","args":[{"instIdCode":10"#));
    assert!(d
        .write_request(&order(7), WsOp::Status, 0, &mut json)
        .is_err());
    let ack = br#"{"id":"o7","op":"order","code":"0","msg":"","data":[{"clOrdId":"ma7","ordId":"1","tag":"","ts":"1","sCode":"0","sMsg":""}],"inTime":"1695190491421339","outTime":"1695190491423240"}"#;
    let a = d.answer(&order(7), WsOp::Place, ack, 5);
    assert_eq!(
        (a.kind, a.report.status),
        (
            crate::exec::gateway::codec::AnswerKind::Accepted,
            ExecStatus::Unknown
        )
    );
    let lat = d.venue_latency().unwrap();
    assert_eq!((lat.count, lat.last_us), (1, 1901));
    let mut subs = Vec::new();
    d.write_subscriptions(3, &mut |j| subs.push(j.to_vec()));
    assert_eq!(subs.len(), 1);
    assert!(subs[0].starts_with(br#"{"id":"s3","op":"subscribe""#));
    assert_eq!(d.keepalive(), Some((KEEPALIVE_IDLE_NS, PING)));
}

#[test]
fn order_pushes_forward_each_final_once() {
    let mut d = dialect(true);
    let (read, out) = push(&mut d, FILLED);
    assert!(read);
    let [StreamEvent::Order(r)] = out[..] else {
        panic!("{out:?}")
    };
    assert_eq!(
        (r.order, r.opp, r.venue),
        (OrderId(7), OppId(9), VenueId(3))
    );
    assert_eq!(
        (r.status, r.filled_qty, r.avg_px),
        (ExecStatus::Filled, Qty(1_000_000), Price(600_005))
    );
    assert!(r.fee.is_some(), "the order's fee: {r:?}");
    assert_eq!(
        push(&mut d, FILLED),
        (true, vec![]),
        "a repeated final is dropped"
    );
    let live = FILLED.replace(r#""state":"filled""#, r#""state":"live""#);
    assert_eq!(push(&mut d, &live), (true, vec![]));
    let foreign = FILLED.replace("ma7", "zz7");
    assert_eq!(push(&mut d, &foreign), (true, vec![]));
    let forgotten = FILLED.replace("ma7", "ma8");
    assert_eq!(push(&mut d, &forgotten), (true, vec![]));
    let odd = FILLED.replace(r#""state":"filled""#, r#""state":"exploded""#);
    assert!(!push(&mut d, &odd).0, "an unknown state is unreadable");
    let p = d.push_counters();
    assert_eq!(
        (
            p.finals,
            p.duplicates,
            p.working,
            p.foreign,
            p.unknown_orders
        ),
        (1, 1, 1, 1, 1),
        "{p:?}"
    );
}

#[test]
fn account_pushes_give_configured_balances() {
    let mut d = dialect(true);
    let acc = r#"{"arg":{"channel":"account","uid":"1"},"eventType":"snapshot","data":[{"uTime":"1","details":[{"ccy":"USDT","availBal":"100.5","cashBal":"120.5","frozenBal":"20"},{"ccy":"ETH","availBal":"1","cashBal":"1","frozenBal":"0"},{"ccy":"BTC","availBal":"1000000000000","cashBal":"1000000000000","frozenBal":"0"}]}]}"#;
    let (read, out) = push(&mut d, acc);
    assert!(read);
    assert_eq!(
        out,
        vec![StreamEvent::Balance {
            asset: AssetId(1),
            free: 10_050_000_000,
            total: 12_050_000_000
        }]
    );
    let p = d.push_counters();
    assert_eq!(
        (p.balances, p.bad_amounts),
        (1, 1),
        "ETH not configured, BTC too big: {p:?}"
    );
    let other = r#"{"arg":{"channel":"positions","uid":"1"},"data":[]}"#;
    assert_eq!(push(&mut d, other), (true, vec![]));
    assert_eq!(d.push_counters().other, 1);
}
