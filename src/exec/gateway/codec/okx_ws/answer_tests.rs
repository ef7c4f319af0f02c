//! Tests of reading op answers, login answers and channel pushes (bodies from OKX's v5 docs).

use super::tests::{order, spec, table};
use super::*;
use crate::exec::gateway::codec::answer::AnswerKind;
use crate::model::{ExecStatus, OrderId, Price, Qty};

fn op(frame: &str) -> OkxWsAnswer {
    let Ok(OkxInbound::Answer(env)) = parse_inbound(frame.as_bytes()) else {
        panic!("not an answer: {frame}");
    };
    read_op_answer(&table(), &order(), &env, 7)
}

#[test]
fn accepted_order_with_gateway_times() {
    let a = op(
        r#"{"id":"o42","op":"order","code":"0","msg":"","data":[{"clOrdId":"ma42","ordId":"12345689","tag":"","ts":"1695190491421","sCode":"0","sMsg":""}],"inTime":"1695190491421339","outTime":"1695190491423240"}"#,
    );
    assert_eq!(
        (a.answer.kind, a.answer.report.status),
        (AnswerKind::Accepted, ExecStatus::Unknown)
    );
    assert_eq!(a.in_time_us, Some(1_695_190_491_421_339));
    assert_eq!(a.venue_latency_us(), Some(1_901));
    assert_eq!(a.answer.report.recv_ts_ns, 7);
}

#[test]
fn refused_rate_limited_ambiguous_and_broken_ops() {
    let a = op(
        r#"{"id":"o42","op":"order","code":"1","msg":"","data":[{"clOrdId":"ma42","ordId":"","sCode":"51008","sMsg":"Insufficient balance"}],"inTime":"1","outTime":"2"}"#,
    );
    assert_eq!(a.answer.kind, AnswerKind::Rejected);
    assert_eq!(a.answer.venue_code, 51008);
    let a = op(r#"{"id":"o42","op":"order","code":"50011","msg":"Too Many Requests","data":[]}"#);
    assert_eq!(a.answer.kind, AnswerKind::RateLimited);
    let a =
        op(r#"{"id":"o42","op":"order","code":"1","data":[{"sCode":"50004","sMsg":"timeout"}]}"#);
    assert_eq!(
        (a.answer.kind, a.answer.report.status),
        (AnswerKind::Ambiguous, ExecStatus::Unknown)
    );
    // No code, or a code of the wrong type: nothing says what happened.
    let a = op(r#"{"id":"o42","op":"order","code":true,"data":[]}"#);
    assert_eq!(a.answer.kind, AnswerKind::Ambiguous);
    assert!(parse_inbound(br#"{"id":"o42","op":"order","code":"0","data":[{"#).is_err());
    assert_eq!(
        parse_inbound(br#"{"foo":1}"#),
        Err(OkxWsError::Unrecognised)
    );
    assert!(parse_inbound(b"").is_err());
}

#[test]
fn login_answers_and_errors() {
    let ok =
        parse_inbound(br#"{"event":"login","code":"0","msg":"","connId":"a4d3ae55"}"#).unwrap();
    assert_eq!(login_result(&ok), Some(Ok(())));
    for (code, want) in [
        ("60009", LoginError::Failed),
        ("60004", LoginError::BadTimestamp),
        ("60006", LoginError::TimestampExpired),
        ("60024", LoginError::Other(60024)),
    ] {
        let f = format!(r#"{{"event":"error","code":"{code}","msg":"x","connId":"a"}}"#);
        let r = login_result(&parse_inbound(f.as_bytes()).unwrap());
        assert_eq!(r, Some(Err(want)));
    }
    assert!(LoginError::TimestampExpired.clock_fault() && !LoginError::Failed.clock_fault());
    let bad = parse_inbound(br#"{"event":"error","code":"x","msg":"x"}"#).unwrap();
    assert_eq!(login_result(&bad), Some(Err(LoginError::Other(-1))));
    let sub = parse_inbound(br#"{"event":"subscribe","arg":{"channel":"orders"}}"#).unwrap();
    assert_eq!(login_result(&sub), None);
}

#[test]
fn orders_push_into_fills() {
    let f = br#"{"arg":{"channel":"orders","instType":"SPOT","uid":"1"},"data":[{"instId":"BTC-USDT","ordId":"680800019749904384","clOrdId":"ma42","state":"filled","fillPx":"60000.5","fillSz":"0.01","tradeId":"1234","fillFee":"-0.00001","fillFeeCcy":"BTC","accFillSz":"0.01","avgPx":"60000.5","uTime":"1708587373361"}]}"#;
    let Ok(OkxInbound::Push(p)) = parse_inbound(f) else {
        panic!()
    };
    assert_eq!(p.channel, b"orders");
    let u = OrderUpdates::new(p.data).next().unwrap().unwrap();
    assert_eq!(u.order_id(b"ma"), Some(OrderId(42)));
    assert_eq!(u.status(&spec()), Some((ExecStatus::Filled, true)));
    assert_eq!(u.avg_px(&spec()), Price(600_005));
    let t = u.trade(&spec()).unwrap();
    assert_eq!(
        (t.qty, t.px, t.trade_id),
        (Qty(1_000_000), Price(600_005), 1234)
    );
    assert_eq!(
        t.fee.unwrap().amount,
        crate::model::Fee::parse(b"0.00001", b"BTC", false)
            .unwrap()
            .amount
    );
    assert_eq!(u.venue_order_id().as_str(), "680800019749904384");
    // A cancelled IOC with a partial fill; a push without a trade; bad figures.
    let c =
        br#"[{"clOrdId":"ma42","state":"canceled","accFillSz":"0.005","tradeId":"","fillSz":"0"}]"#;
    let u = OrderUpdates::new(c).next().unwrap().unwrap();
    assert_eq!(u.status(&spec()), Some((ExecStatus::PartiallyFilled, true)));
    assert_eq!(u.trade(&spec()), None);
    let bad = br#"[{"state":"weird","accFillSz":"x"}]"#;
    let u = OrderUpdates::new(bad).next().unwrap().unwrap();
    assert_eq!(u.status(&spec()), None);
    assert!(OrderUpdates::new(b"[{\"a\":").next().unwrap().is_err());
}

#[test]
fn account_push_balances() {
    let f = br#"{"arg":{"channel":"account","uid":"1"},"data":[{"uTime":"1705564223311","totalEq":"1","details":[{"ccy":"USDT","availBal":"100.5","cashBal":"120.5","frozenBal":"20"},{"ccy":"BTC","availBal":"1","cashBal":"1","frozenBal":"0"}]}]}"#;
    let Ok(OkxInbound::Push(p)) = parse_inbound(f) else {
        panic!()
    };
    let a = AccountUpdate::parse(p.data).unwrap();
    assert_eq!(a.update_ms, 1_705_564_223_311);
    let b: Vec<_> = a.balances().map(Result::unwrap).collect();
    assert_eq!(b.len(), 2);
    assert_eq!(
        (b[0].ccy, b[0].avail_bal, b[0].cash_bal, b[0].frozen_bal),
        (&b"USDT"[..], &b"100.5"[..], &b"120.5"[..], &b"20"[..])
    );
    assert_eq!(AccountUpdate::parse(b"[]").unwrap().balances().count(), 0);
    assert!(AccountUpdate::parse(b"[{").is_err());
}
