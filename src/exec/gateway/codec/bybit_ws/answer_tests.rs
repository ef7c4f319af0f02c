//! The readers: op answers (acks, errors, auth, pong), pushes (`order`, `execution`, `wallet`),
//! and bad input.

use super::*;
use crate::exec::gateway::codec::answer::{AnswerKind, InstrumentSpec};
use crate::model::{
    ExecStatus, InstrumentId, OppId, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId,
};

fn spec() -> InstrumentSpec {
    InstrumentSpec {
        symbol: "BTCUSDT".into(),
        price_scale: 2,
        qty_scale: 6,
    }
}

fn order() -> Order {
    Order {
        id: OrderId(7),
        opp: OppId(1),
        px: Price(2_500_010),
        qty: Qty(500_000),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(1),
        venue: VenueId(0),
        side: Side::Buy,
        tif: TimeInForce::Ioc,
    }
}

fn op_answer(frame: &str) -> OpAnswer<'_> {
    match parse_inbound(frame.as_bytes()) {
        Ok(BybitInbound::Order(a)) => a,
        other => panic!("not an order answer: {other:?}"),
    }
}

const ACK: &str = r#"{"reqId":"c7","retCode":0,"retMsg":"OK","op":"order.create","data":{"orderId":"1321003749386327552","orderLinkId":"ma7"},"header":{"X-Bapi-Limit":"20","X-Bapi-Limit-Status":"19","X-Bapi-Limit-Reset-Timestamp":"1711001595208","Traceid":"38b7977b430f9bd228f4b19724794dfd","Timenow":"1711001595209"},"connId":"cnt5leec0hvan15eukcg-2v"}"#;

#[test]
fn an_ack_is_accepted_with_fate_pending_not_a_fill() {
    let a = op_answer(ACK);
    assert_eq!(
        a.id,
        Some(RequestId {
            op: WsOp::Create,
            number: 7
        })
    );
    assert!(a.ok());
    let r = read_order_answer(&order(), &a, 99);
    assert_eq!(r.kind, AnswerKind::Accepted);
    assert_eq!(r.report.status, ExecStatus::Unknown);
    assert_eq!(r.report.filled_qty, Qty::ZERO);
    assert_eq!(r.report.venue_order_id.as_str(), "1321003749386327552");
    assert_eq!(r.report.recv_ts_ns, 99);
    assert_eq!(r.venue_code, 0);
    assert_eq!(r.bybit_limit.remaining, Some(19));
    assert_eq!(r.bybit_limit.reset_unix_ms, Some(1_711_001_595_208));
    assert_eq!(r.bad_headers, 0);
    let cancel = op_answer(
        r#"{"reqId":"x7","retCode":0,"retMsg":"OK","op":"order.cancel","data":{"orderId":"1","orderLinkId":"ma7"},"connId":"c"}"#,
    );
    assert_eq!(cancel.id.map(|i| i.op), Some(WsOp::Cancel));
    let r = read_order_answer(&order(), &cancel, 0);
    assert_eq!(
        (r.kind, r.report.status),
        (AnswerKind::Accepted, ExecStatus::Unknown)
    );
}

#[test]
fn error_codes_map_to_refused_limited_or_unknown() {
    let cases: &[(i32, AnswerKind, ExecStatus)] = &[
        (
            10001,
            AnswerKind::Rejected,
            ExecStatus::Rejected { code: 400 },
        ),
        (
            10003,
            AnswerKind::Rejected,
            ExecStatus::Rejected { code: 400 },
        ),
        (
            10004,
            AnswerKind::Rejected,
            ExecStatus::Rejected { code: 400 },
        ),
        (
            10404,
            AnswerKind::Rejected,
            ExecStatus::Rejected { code: 400 },
        ),
        (
            10019,
            AnswerKind::Rejected,
            ExecStatus::Rejected { code: 400 },
        ),
        (
            110007,
            AnswerKind::Rejected,
            ExecStatus::Rejected { code: 400 },
        ),
        (
            170131,
            AnswerKind::Rejected,
            ExecStatus::Rejected { code: 400 },
        ),
        (
            10006,
            AnswerKind::RateLimited,
            ExecStatus::Rejected { code: 429 },
        ),
        (
            10429,
            AnswerKind::RateLimited,
            ExecStatus::Rejected { code: 429 },
        ),
        (10016, AnswerKind::Ambiguous, ExecStatus::Unknown),
        (10000, AnswerKind::Ambiguous, ExecStatus::Unknown),
        (20006, AnswerKind::Ambiguous, ExecStatus::Unknown),
    ];
    for &(code, kind, status) in cases {
        let frame = format!(
            r#"{{"reqId":"c7","retCode":{code},"retMsg":"some error","op":"order.create","data":{{}},"header":{{"X-Bapi-Limit-Status":"0"}},"connId":"c"}}"#
        );
        let a = op_answer(&frame);
        assert!(!a.ok());
        assert_eq!(a.ret_msg, b"some error");
        let r = read_order_answer(&order(), &a, 0);
        assert_eq!((r.kind, r.report.status), (kind, status), "retCode {code}");
        assert_eq!(r.venue_code, code);
        assert_eq!(r.report.venue_order_id.as_str(), "");
    }
}

#[test]
fn unreadable_order_answers_are_unknown_never_refused() {
    for frame in [
        r#"{"reqId":"c7","retMsg":"OK","op":"order.create","data":{}}"#,
        r#"{"reqId":"c7","retCode":"zero","op":"order.create"}"#,
        r#"{"reqId":"c7","retCode":1e3,"op":"order.create"}"#,
    ] {
        let r = read_order_answer(&order(), &op_answer(frame), 0);
        assert_eq!(
            (r.kind, r.report.status),
            (AnswerKind::Ambiguous, ExecStatus::Unknown),
            "{frame}"
        );
    }
    let a = op_answer(
        r#"{"reqId":"someone-else","retCode":0,"op":"order.create","data":{"orderId":"1"},"header":{"X-Bapi-Limit-Status":"many","X-Bapi-Limit-Reset-Timestamp":"-1"}}"#,
    );
    assert_eq!(a.id, None, "a foreign reqId is not ours");
    let r = read_order_answer(&order(), &a, 0);
    assert_eq!(r.bad_headers, 2);
    assert_eq!(r.kind, AnswerKind::Accepted);
}

#[test]
fn bad_frames_are_errors() {
    for frame in [
        &br#"{"reqId":"c7","retCode":"#[..],
        b"",
        b"[1,2]",
        b"pong",
        br#"{"reqId":"c7","retCode":0,"op":"order.create","data":{"orderId":"1"}"#,
    ] {
        assert!(
            matches!(parse_inbound(frame), Err(WsError::Json(_))),
            "{}",
            String::from_utf8_lossy(frame)
        );
    }
    assert_eq!(
        parse_inbound(br#"{"retCode":0,"retMsg":"OK"}"#),
        Err(WsError::Unrecognised)
    );
    assert!(matches!(
        parse_inbound(br#"{"op":"order.create","success":true}"#),
        Ok(BybitInbound::Order(_))
    ));
    assert!(matches!(
        parse_inbound(br#"{"op":"subscribe","success":true,"ret_msg":"","conn_id":"c"}"#),
        Ok(BybitInbound::Subscribed(a)) if a.ok()
    ));
    assert!(matches!(
        parse_inbound(br#"{"op":"order.amend2","retCode":0}"#),
        Ok(BybitInbound::OtherOp(_))
    ));
}

#[test]
fn auth_answers_of_both_sockets() {
    let read = |frame: &str| match parse_inbound(frame.as_bytes()) {
        Ok(BybitInbound::Auth(a)) => auth_result(&a),
        other => panic!("not an auth answer: {other:?}"),
    };
    assert_eq!(
        read(r#"{"retCode":0,"retMsg":"OK","op":"auth","connId":"cnt5leec0hvan15eukcg-2t"}"#),
        AuthResult::Ok
    );
    assert_eq!(
        read(r#"{"reqId":"a1","retCode":10004,"retMsg":"Invalid sign","op":"auth","connId":"c"}"#),
        AuthResult::Refused { code: 10004 }
    );
    assert_eq!(
        read(r#"{"retCode":20001,"retMsg":"Repeat auth","op":"auth","connId":"c"}"#),
        AuthResult::AlreadyAuthenticated
    );
    assert_eq!(
        read(r#"{"success":true,"ret_msg":"","op":"auth","conn_id":"cejreaspqfh3sjdnldmg-p"}"#),
        AuthResult::Ok
    );
    assert_eq!(
        read(
            r#"{"req_id":"a2","success":false,"ret_msg":"error:USVC1111","op":"auth","conn_id":"c"}"#
        ),
        AuthResult::Refused { code: 0 }
    );
    assert_eq!(
        read(r#"{"op":"auth","conn_id":"c"}"#),
        AuthResult::Refused { code: 0 },
        "no verdict is no success"
    );
    assert_eq!(
        read(r#"{"op":"auth","success":"yes"}"#),
        AuthResult::Refused { code: 0 }
    );
}

#[test]
fn pongs_of_both_sockets() {
    for frame in [
        r#"{"retCode":0,"retMsg":"OK","op":"pong","data":["1711002002529"],"connId":"c"}"#,
        r#"{"req_id":"p3","op":"pong","args":["1675418560633"],"conn_id":"c"}"#,
        r#"{"success":true,"ret_msg":"pong","conn_id":"c","op":"ping"}"#,
    ] {
        assert!(
            matches!(parse_inbound(frame.as_bytes()), Ok(BybitInbound::Pong(_))),
            "{frame}"
        );
    }
    let Ok(BybitInbound::Pong(p)) =
        parse_inbound(br#"{"req_id":"p3","op":"pong","args":["1"],"conn_id":"c"}"#)
    else {
        panic!("pong")
    };
    assert_eq!(
        p.id,
        Some(RequestId {
            op: WsOp::Ping,
            number: 3
        })
    );
}

fn push(frame: &str) -> Push<'_> {
    match parse_inbound(frame.as_bytes()) {
        Ok(BybitInbound::Push(p)) => p,
        other => panic!("not a push: {other:?}"),
    }
}

fn order_push(status: &str, cum_qty: &str, cum_value: &str) -> String {
    format!(
        r#"{{"id":"5923240c6880ab-c59f-420b-9adb-3639adc9dd90","topic":"order","creationTime":1672364262474,"data":[{{"category":"spot","symbol":"BTCUSDT","orderId":"1321003749386327552","orderLinkId":"ma7","side":"Buy","orderStatus":"{status}","cancelType":"UNKNOWN","rejectReason":"EC_NoError","avgPrice":"25000.1","leavesQty":"0","price":"25000.1","qty":"0.5","cumExecQty":"{cum_qty}","cumExecValue":"{cum_value}","cumExecFee":"0.0005","feeCurrency":"BTC","timeInForce":"IOC","orderType":"Limit","updatedTime":"1672364262457"}}]}}"#
    )
}

/// One order push case: status, cumulative qty, cumulative value, what the reader must make of it.
type OrderPushCase = (
    &'static str,
    &'static str,
    &'static str,
    Option<(ExecStatus, bool)>,
);

#[test]
fn order_pushes_read_final_and_pending_states() {
    let s = spec();
    let cases: &[OrderPushCase] = &[
        (
            "Filled",
            "0.5",
            "12500.05",
            Some((ExecStatus::Filled, true)),
        ),
        (
            "PartiallyFilledCanceled",
            "0.2",
            "5000.02",
            Some((ExecStatus::PartiallyFilled, true)),
        ),
        ("Cancelled", "0", "0", Some((ExecStatus::Cancelled, true))),
        (
            "Cancelled",
            "0.1",
            "2500.01",
            Some((ExecStatus::PartiallyFilled, true)),
        ),
        (
            "Rejected",
            "0",
            "0",
            Some((ExecStatus::Rejected { code: 400 }, true)),
        ),
        ("New", "0", "0", Some((ExecStatus::Unknown, false))),
        (
            "PartiallyFilled",
            "0.2",
            "5000.02",
            Some((ExecStatus::Unknown, false)),
        ),
        ("Exploded", "0", "0", None),
        ("Filled", "lots", "0", None),
    ];
    for &(status, qty, value, want) in cases {
        let frame = order_push(status, qty, value);
        let p = push(&frame);
        assert_eq!(p.kind(), Topic::Order);
        assert_eq!(p.creation_ms, 1_672_364_262_474);
        let mut n = 0;
        for u in p.orders() {
            let u = u.unwrap();
            n += 1;
            assert_eq!(u.status(&s), want, "{status} {qty}");
            assert_eq!(u.order_id(b"ma"), Some(OrderId(7)));
            assert_eq!(u.order_id(b"run7x"), None);
            assert_eq!(u.venue_order_id().as_str(), "1321003749386327552");
            assert_eq!(u.updated_ms, 1_672_364_262_457);
        }
        assert_eq!(n, 1);
    }
    let frame = order_push("Filled", "0.5", "12500.05");
    let u = push(&frame).orders().next().unwrap().unwrap();
    assert_eq!(u.avg_px(&s), Price(2_500_010));
    let fee = u.fee().unwrap();
    assert_eq!((fee.amount, fee.asset.as_str()), (500_000_000, "BTC"));
    let frame = order_push("Filled", "0.5", "");
    let u = push(&frame).orders().next().unwrap().unwrap();
    assert_eq!(
        u.avg_px(&s),
        Price(2_500_010),
        "avgPrice without cumExecValue"
    );
    // Not ours: no orderLinkId, or one that is not prefix + digits.
    let p = push(r#"{"topic":"order","data":[{"orderLinkId":""},{"orderLinkId":"ma7x"},{}]}"#);
    assert!(p.orders().all(|u| u.unwrap().order_id(b"ma").is_none()));
    assert!(
        matches!(
            parse_inbound(br#"{"topic":"order","data":[{"orderLinkId":"ma7"},{"orderLinkId":"#),
            Err(WsError::Json(_))
        ),
        "a truncated push is refused whole, before any entry is read"
    );
    let p = push(r#"{"topic":"order","data":[{"orderLinkId":"ma7"},7]}"#);
    let got: Vec<_> = p.orders().map(|r| r.is_ok()).collect();
    assert_eq!(
        got,
        [true, false],
        "an entry that is not an object is an error"
    );
}

#[test]
fn execution_pushes_read_each_trade() {
    let s = spec();
    let frame = r#"{"id":"592324803b2785-26fa-4214-9963-bdd4727f07be","topic":"execution","creationTime":1672364174455,"data":[{"category":"spot","symbol":"BTCUSDT","execFee":"0.0002","feeCurrency":"BTC","execId":"7e2ae69c-4edf-5800-a352-893d52b446aa","execPrice":"25000.1","execQty":"0.2","execType":"Trade","execValue":"5000.02","isMaker":false,"orderId":"1321003749386327552","orderLinkId":"ma7","execTime":"1672364174443"},{"symbol":"BTCUSDT","execId":"e2","execPrice":"25000.1","execQty":"0.3","execType":"Trade","execFee":"x","feeCurrency":"BTC","orderLinkId":"ma7","isMaker":true},{"execId":"e3","execType":"Funding","execQty":"1","execPrice":"1"},{"execId":"e4","execType":"Trade","execQty":"0.0000001","execPrice":"1"}]}"#;
    let p = push(frame);
    assert_eq!(p.kind(), Topic::Execution);
    let all: Vec<Execution<'_>> = p.executions().map(Result::unwrap).collect();
    assert_eq!(all.len(), 4);
    let f = all[0].fill(&s).unwrap();
    assert_eq!((f.qty, f.px), (Qty(200_000), Price(2_500_010)));
    let fee = f.fee.unwrap();
    assert_eq!((fee.amount, fee.asset.as_str()), (200_000_000, "BTC"));
    assert_eq!(all[0].exec_id, b"7e2ae69c-4edf-5800-a352-893d52b446aa");
    assert_eq!(all[0].order_id(b"ma"), Some(OrderId(7)));
    assert_eq!(all[0].exec_ms, 1_672_364_174_443);
    assert!(!all[0].is_maker);
    let f = all[1].fill(&s).unwrap();
    assert_eq!(f.fee, None, "an unreadable fee is left out, not guessed");
    assert!(all[1].is_maker);
    assert_eq!(all[2].fill(&s), None, "not a trade");
    assert_eq!(all[3].fill(&s), None, "finer than the instrument's scale");
}

#[test]
fn wallet_pushes_read_coins() {
    let frame = r#"{"id":"592324d2bce751-ad38-48eb-8f42-4671d1fb4d4e","topic":"wallet","creationTime":1700034722104,"data":[{"accountIMRate":"0","accountType":"UNIFIED","totalEquity":"10262.91","coin":[{"coin":"BTC","equity":"0.5","walletBalance":"0.5","locked":"0.1","free":""},{"coin":"USDT","walletBalance":"10000","locked":"0"},{"coin":"ETH"}]}]}"#;
    let p = push(frame);
    assert_eq!(p.kind(), Topic::Wallet);
    let accounts: Vec<WalletAccount<'_>> = p.wallets().map(Result::unwrap).collect();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].account_type, b"UNIFIED");
    let coins: Vec<CoinText<'_>> = accounts[0].coins().map(Result::unwrap).collect();
    assert_eq!(
        coins,
        [
            (&b"BTC"[..], &b"0.5"[..], &b"0.1"[..]),
            (b"USDT", b"10000", b"0"),
            (b"ETH", b"", b"")
        ]
    );
    assert!(matches!(
        parse_inbound(br#"{"topic":"wallet","data":[{"coin":[{"coin":"BTC"},{"coin":]}]}"#),
        Err(WsError::Json(_))
    ));
    let p = push(r#"{"topic":"wallet","data":[{"coin":[{"coin":"BTC"},"USDT"]}]}"#);
    let coins: Vec<_> = p.wallets().next().unwrap().unwrap().coins().collect();
    assert!(
        coins[0].is_ok() && coins[1].is_err(),
        "a coin that is not an object"
    );
    assert_eq!(
        push(r#"{"topic":"position","data":[]}"#).kind(),
        Topic::Other(b"position")
    );
    assert_eq!(push(r#"{"topic":"order"}"#).orders().count(), 0);
}

#[test]
fn a_racing_second_filled_counts_once() {
    let s = spec();
    let mut d = StreamDedupe::new();
    let (first, second) = (
        order_push("Filled", "0.5", "12500.05"),
        order_push("Filled", "0.5", "12500.05"),
    );
    let mut booked = 0;
    for frame in [&first, &second] {
        for u in push(frame).orders() {
            let u = u.unwrap();
            if let Some((_, true)) = u.status(&s) {
                if d.first_final(u.order_link_id) == Ok(true) {
                    booked += 1;
                }
            }
        }
    }
    assert_eq!(booked, 1);
}
