//! Tests of reading WebSocket API answers and user-data events.

use super::tests::{order, table};
use super::*;
use crate::exec::gateway::codec::answer::{AnswerKind, InstrumentSpec, CODE_NO_SUCH_ORDER};
use crate::model::{ExecStatus, Fee, OrderId, Price, Qty, VenueOrderId};

const LIMITS: &str = r#"[{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":50,"count":12},{"rateLimitType":"ORDERS","interval":"DAY","intervalNum":1,"limit":160000,"count":4043},{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":321}]"#;

fn answer(frame: &str) -> crate::exec::gateway::codec::RestAnswer {
    let WsInbound::Answer(env) = parse_inbound(frame.as_bytes()).unwrap() else {
        panic!("not an answer: {frame}");
    };
    assert_eq!(
        env.id,
        Some(RequestId {
            method: WsMethod::Place,
            number: 42
        })
    );
    read_order_answer(&table(), &order(), &env, 99)
}

#[test]
fn filled_answer_with_fee_and_rate_limits() {
    let frame = format!(
        r#"{{"id":"p42","status":200,"result":{{"symbol":"BTCUSDT","orderId":28,"clientOrderId":"ma42","status":"FILLED","executedQty":"0.01500000","cummulativeQuoteQty":"900.00750000","fills":[{{"price":"60000.50","qty":"0.01500000","commission":"0.00001500","commissionAsset":"BTC","tradeId":56}}]}},"rateLimits":{LIMITS}}}"#
    );
    let a = answer(&frame);
    assert_eq!(a.kind, AnswerKind::Final);
    assert_eq!(a.http_status, 200);
    assert_eq!(a.report.status, ExecStatus::Filled);
    assert_eq!(a.report.order, OrderId(42));
    assert_eq!(a.report.recv_ts_ns, 99);
    assert_eq!(a.report.filled_qty, Qty(1_500_000));
    assert_eq!(a.report.avg_px, Price(6_000_050));
    assert_eq!(a.report.fee, Fee::parse(b"0.00001500", b"BTC", false));
    assert_eq!(a.report.venue_order_id, VenueOrderId::new(b"28").unwrap());
    assert_eq!(a.binance_orders_10s, Some(12));
    assert_eq!(a.binance_orders_1d, Some(4043));
    assert_eq!(a.binance_weight_1m, Some(321));
}

#[test]
fn expired_answers_read_cancelled_or_partly_filled() {
    let none = r#"{"id":"p42","status":200,"result":{"orderId":29,"status":"EXPIRED","executedQty":"0.00000000","cummulativeQuoteQty":"0.00000000","fills":[]}}"#;
    let a = answer(none);
    assert_eq!(
        (a.kind, a.report.status),
        (AnswerKind::Final, ExecStatus::Cancelled)
    );
    assert_eq!(a.report.filled_qty, Qty::ZERO);
    assert_eq!(a.binance_weight_1m, None);
    let some = r#"{"id":"p42","status":200,"result":{"orderId":29,"status":"EXPIRED","executedQty":"0.00500000","cummulativeQuoteQty":"300.00000000","fills":[]}}"#;
    let a = answer(some);
    assert_eq!(
        (a.kind, a.report.status),
        (AnswerKind::Final, ExecStatus::PartiallyFilled)
    );
    assert_eq!(a.report.filled_qty, Qty(500_000));
    assert_eq!(a.report.avg_px, Price(6_000_000));
}

#[test]
fn timeout_and_server_errors_mean_unknown() {
    for status in [400, 408, 503] {
        let frame = format!(
            r#"{{"id":"p42","status":{status},"error":{{"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."}}}}"#
        );
        let a = answer(&frame);
        assert_eq!(a.kind, AnswerKind::Ambiguous, "status {status}");
        assert_eq!(a.report.status, ExecStatus::Unknown, "status {status}");
        assert_eq!(a.venue_code, -1007);
    }
    for status in [500, 502, 503, 504] {
        let frame = format!(
            r#"{{"id":"p42","status":{status},"error":{{"code":-1001,"msg":"Internal error."}}}}"#
        );
        let a = answer(&frame);
        assert_eq!(
            (a.kind, a.report.status),
            (AnswerKind::Ambiguous, ExecStatus::Unknown),
            "status {status}"
        );
    }
    // A 200 with no result says nothing: unknown too.
    let a = answer(r#"{"id":"p42","status":200}"#);
    assert_eq!(a.report.status, ExecStatus::Unknown);
}

#[test]
fn refusals_rate_limits_and_missing_orders() {
    let a = answer(
        r#"{"id":"p42","status":400,"error":{"code":-2010,"msg":"Account has insufficient balance for requested action."}}"#,
    );
    assert_eq!(
        (a.kind, a.report.status, a.venue_code),
        (
            AnswerKind::Rejected,
            ExecStatus::Rejected { code: 400 },
            -2010
        )
    );
    let a = answer(
        r#"{"id":"p42","status":429,"error":{"code":-1015,"msg":"Too many new orders.","data":{"serverTime":1659580020000,"retryAfter":1659580023000}}}"#,
    );
    assert_eq!(a.kind, AnswerKind::RateLimited);
    assert_eq!(a.report.status, ExecStatus::Rejected { code: 429 });
    assert_eq!((a.retry_after_ms, a.report.retry_after_ms), (3000, 3000));
    let a = answer(r#"{"id":"p42","status":418,"error":{"code":-1003,"msg":"banned"}}"#);
    assert_eq!(a.kind, AnswerKind::Banned);
    let a =
        answer(r#"{"id":"p42","status":400,"error":{"code":-2013,"msg":"Order does not exist."}}"#);
    assert_eq!(
        a.report.status,
        ExecStatus::Rejected {
            code: CODE_NO_SUCH_ORDER
        }
    );
}

#[test]
fn frames_that_are_not_answers() {
    assert!(matches!(
        parse_inbound(br#"{"id":"p42","status":200,"result":{"#),
        Err(WsError::Json(_))
    ));
    assert_eq!(
        parse_inbound(br#"{"id":"p42"}"#),
        Err(WsError::Unrecognised)
    );
    assert_eq!(
        parse_inbound(br#"{"id":"p42","status":20000}"#),
        Err(WsError::BadStatus(20000))
    );
    let WsInbound::Answer(env) = parse_inbound(br#"{"id":17,"status":200,"result":{}}"#).unwrap()
    else {
        panic!("an answer");
    };
    assert_eq!(env.id, None);
    let limits = WsRateLimits::parse(
        br#"[{"rateLimitType":"RAW_REQUESTS","interval":"MINUTE","intervalNum":5,"limit":61000,"count":3},{"rateLimitType":"ORDERS","count":"x"}]"#,
    );
    assert_eq!((limits.unrecognised, limits.malformed), (1, 1));
    assert_eq!(limits.orders_10s, None);
}

fn spec() -> InstrumentSpec {
    InstrumentSpec {
        symbol: "BTCUSDT".into(),
        price_scale: 2,
        qty_scale: 8,
    }
}

const TRADE: &str = r#"{"subscriptionId":0,"event":{"e":"executionReport","E":1499405658658,"s":"BTCUSDT","c":"ma42","S":"BUY","o":"LIMIT","f":"IOC","q":"0.01500000","p":"60000.50","P":"0.00000000","F":"0.00000000","g":-1,"C":"","x":"TRADE","X":"FILLED","r":"NONE","i":4293153,"l":"0.01500000","z":"0.01500000","L":"60000.50","n":"0.00001500","N":"BTC","T":1499405658657,"t":77,"I":8641984,"w":false,"m":false,"M":true,"O":1499405658657,"Z":"900.00750000","Y":"900.00750000","Q":"0.00000000","W":1499405658657,"V":"NONE"}}"#;

#[test]
fn execution_report_trade() {
    let WsInbound::Event(ev) = parse_inbound(TRADE.as_bytes()).unwrap() else {
        panic!("an event");
    };
    let UserEvent::Execution(r) = UserEvent::parse(ev).unwrap() else {
        panic!("an executionReport");
    };
    assert_eq!(r.symbol, b"BTCUSDT");
    assert_eq!(r.order_id(b"ma"), Some(OrderId(42)));
    assert_eq!(r.order_id(b"xx"), None);
    assert_eq!(
        (r.exec_type, r.order_status),
        (&b"TRADE"[..], &b"FILLED"[..])
    );
    assert_eq!(r.venue_order_id(), VenueOrderId::new(b"4293153").unwrap());
    assert_eq!(
        (r.trade_id, r.transaction_ms, r.event_ms),
        (77, 1499405658657, 1499405658658)
    );
    assert_eq!(r.status(&spec()), Some((ExecStatus::Filled, true)));
    assert_eq!(r.cum_filled(&spec()), Some(Qty(1_500_000)));
    assert_eq!(r.avg_px(&spec()), Price(6_000_050));
    let t = r.trade(&spec()).unwrap();
    assert_eq!(
        (t.qty, t.px, t.trade_id),
        (Qty(1_500_000), Price(6_000_050), 77)
    );
    assert_eq!(t.fee, Fee::parse(b"0.00001500", b"BTC", false));
}

#[test]
fn execution_report_states() {
    let new = r#"{"e":"executionReport","c":"ma43","x":"NEW","X":"NEW","i":1,"l":"0.00000000","z":"0.00000000","L":"0.00000000","n":"0","N":null,"t":-1,"Z":"0.00000000"}"#;
    let UserEvent::Execution(r) = UserEvent::parse(new.as_bytes()).unwrap() else {
        panic!("an executionReport");
    };
    assert_eq!(r.status(&spec()), Some((ExecStatus::Unknown, false)));
    assert_eq!(r.trade(&spec()), None);
    assert_eq!((r.commission_asset, r.trade_id), (None, -1));
    let expired = new.replace(r#""x":"NEW","X":"NEW""#, r#""x":"EXPIRED","X":"EXPIRED""#);
    let UserEvent::Execution(r) = UserEvent::parse(expired.as_bytes()).unwrap() else {
        panic!("an executionReport");
    };
    assert_eq!(r.status(&spec()), Some((ExecStatus::Cancelled, true)));
    let part = expired.replace(r#""z":"0.00000000""#, r#""z":"0.00500000""#);
    let UserEvent::Execution(r) = UserEvent::parse(part.as_bytes()).unwrap() else {
        panic!("an executionReport");
    };
    assert_eq!(r.status(&spec()), Some((ExecStatus::PartiallyFilled, true)));
    let odd = new.replace(r#""X":"NEW""#, r#""X":"SOMETHING_NEW""#);
    let UserEvent::Execution(r) = UserEvent::parse(odd.as_bytes()).unwrap() else {
        panic!("an executionReport");
    };
    assert_eq!(r.status(&spec()), None);
}

#[test]
fn account_position_and_other_events() {
    let frame = br#"{"subscriptionId":0,"event":{"e":"outboundAccountPosition","E":1564034571105,"u":1564034571073,"B":[{"a":"ETH","f":"10000.000000","l":"0.000000"},{"a":"USDT","f":"5.5","l":"1.25"}]}}"#;
    let WsInbound::Event(ev) = parse_inbound(frame).unwrap() else {
        panic!("an event");
    };
    let UserEvent::Position(p) = UserEvent::parse(ev).unwrap() else {
        panic!("an outboundAccountPosition");
    };
    assert_eq!((p.event_ms, p.update_ms), (1564034571105, 1564034571073));
    let got: Vec<_> = p.balances().map(|b| b.unwrap()).collect();
    assert_eq!(
        got,
        vec![
            (&b"ETH"[..], &b"10000.000000"[..], &b"0.000000"[..]),
            (&b"USDT"[..], &b"5.5"[..], &b"1.25"[..]),
        ]
    );
    let other = br#"{"e":"balanceUpdate","E":1,"a":"BTC","d":"100.0"}"#;
    assert_eq!(
        UserEvent::parse(other).unwrap(),
        UserEvent::Other(b"balanceUpdate")
    );
    assert!(UserEvent::parse(br#"{"e":"executionReport","c":"#).is_err());
}
