//! Unit tests of the Bybit codec: signing, and answers read from the bodies of Bybit's v5 docs.

use super::*;
use crate::exec::gateway::codec::answer::InstrumentSpec;
use crate::model::{InstrumentId, OppId, OrderId, Price, Qty, TimeInForce, VenueId};

fn codec() -> BybitCodec {
    let table = InstrumentTable::new(&[(
        InstrumentId(0),
        InstrumentSpec {
            symbol: "BTCUSDT".into(),
            price_scale: 8,
            qty_scale: 8,
        },
    )])
    .unwrap();
    BybitCodec::new(
        BybitSettings {
            host: "api.bybit.com".into(),
            recv_window_ms: 5000,
            client_id_prefix: "ma".into(),
        },
        b"key123",
        b"secret456",
        table,
    )
    .unwrap()
}

fn order() -> Order {
    Order {
        id: OrderId(7),
        opp: OppId(1),
        px: Price(2_500_010_000_000),
        qty: Qty(50_000_000),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(0),
        venue: VenueId(0),
        side: Side::Buy,
        tif: TimeInForce::Ioc,
    }
}

fn header<'a>(text: &'a str, name: &str) -> &'a str {
    text.split("\r\n")
        .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(": ")))
        .unwrap()
}

#[test]
fn signed_order_request() {
    let mut out = Vec::new();
    codec()
        .write_request(&order(), 1_700_000_000_123, &mut out)
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    let body = r#"{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.5","price":"25000.1","timeInForce":"IOC","orderLinkId":"ma7"}"#;
    assert!(text.starts_with("POST /v5/order/create HTTP/1.1\r\nHost: api.bybit.com\r\n"));
    assert!(text.ends_with(&format!("\r\n\r\n{body}")), "{text}");
    assert_eq!(header(&text, "X-BAPI-API-KEY"), "key123");
    assert_eq!(header(&text, "X-BAPI-TIMESTAMP"), "1700000000123");
    assert_eq!(header(&text, "X-BAPI-RECV-WINDOW"), "5000");
    assert_eq!(header(&text, "Content-Length"), body.len().to_string());
    // The documented prehash: timestamp + apiKey + recvWindow + body.
    let prehash = format!("1700000000123key1235000{body}");
    let key = hmac::Key::new(hmac::HMAC_SHA256, b"secret456");
    let want: String = hmac::sign(&key, prehash.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(header(&text, "X-BAPI-SIGN"), want);
}

#[test]
fn signed_status_query_and_refusals() {
    let mut c = codec();
    let mut out = Vec::new();
    c.write_status_request(&order(), 5, &mut out).unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    let q = "category=spot&symbol=BTCUSDT&orderLinkId=ma7";
    assert!(text.starts_with(&format!("GET /v5/order/realtime?{q} HTTP/1.1\r\n")));
    assert!(text.ends_with("\r\n\r\n"));
    let key = hmac::Key::new(hmac::HMAC_SHA256, b"secret456");
    let want: String = hmac::sign(&key, format!("5key1235000{q}").as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(header(&text, "X-BAPI-SIGN"), want);
    let mut o = order();
    o.instrument = InstrumentId(3);
    assert_eq!(
        c.write_request(&o, 1, &mut out),
        Err(RequestError::UnknownInstrument(3))
    );
    o = order();
    o.qty = Qty(0);
    assert_eq!(
        c.write_request(&o, 1, &mut out),
        Err(RequestError::NonPositive(o.id))
    );
    assert!(!format!("{c:?}").contains("secret456"));
}

fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> RestAnswer {
    let hs: Vec<httparse::Header<'_>> = headers
        .iter()
        .map(|(n, v)| httparse::Header {
            name: n,
            value: v.as_bytes(),
        })
        .collect();
    codec().parse_answer(&order(), status, &hs, body.as_bytes(), 9)
}

/// The order of Bybit's "Get Open & Closed Orders" example, with `orderStatus`, `cumExecQty`
/// and `cumExecValue` set.
fn realtime(state: &str, qty: &str, value: &str) -> String {
    format!(
        r#"{{"retCode":0,"retMsg":"OK","result":{{"list":[{{"orderId":"fd4300ae-7847-404e-b947-b46980a4d140","orderLinkId":"ma7","blockTradeId":"","symbol":"BTCUSDT","price":"25000.1","qty":"0.5","side":"Buy","isLeverage":"","positionIdx":0,"orderStatus":"{state}","cancelType":"UNKNOWN","rejectReason":"EC_NoError","avgPrice":"0","leavesQty":"0","leavesValue":"0","cumExecQty":"{qty}","cumExecValue":"{value}","cumExecFee":"0","timeInForce":"IOC","orderType":"Limit","stopOrderType":"UNKNOWN","orderIv":"","triggerPrice":"0.00","takeProfit":"","stopLoss":"","tpTriggerBy":"","slTriggerBy":"","triggerDirection":0,"triggerBy":"UNKNOWN","lastPriceOnCreated":"","reduceOnly":false,"closeOnTrigger":false,"smpType":"None","smpGroup":0,"smpOrderId":"","tpslMode":"","tpLimitPrice":"","slLimitPrice":"","placeType":"","createdTime":"1684738540559","updatedTime":"1684738540561","cumFeeDetail":{{"BTC":"0.0005"}}}}],"nextPageCursor":"page_args%3Dfd4300ae","category":"spot"}},"retExtInfo":{{}},"time":1684765770483}}"#
    )
}

#[test]
fn a_create_answer_is_an_acknowledgement_to_query() {
    // Bybit's "Place Order" response example.
    let a = answer(
        200,
        &[
            ("X-Bapi-Limit-Status", "19"),
            ("X-Bapi-Limit", "20"),
            ("X-Bapi-Limit-Reset-Timestamp", "1672211918471"),
        ],
        r#"{"retCode":0,"retMsg":"OK","result":{"orderId":"1321003749386327552","orderLinkId":"spot-test-postonly"},"retExtInfo":{},"time":1672211918471}"#,
    );
    assert_eq!(a.kind, AnswerKind::Accepted);
    assert_eq!(a.report.status, ExecStatus::Unknown);
    assert_eq!(a.bybit_limit.remaining, Some(19));
    assert_eq!(a.bybit_limit.reset_unix_ms, Some(1_672_211_918_471));
    assert_eq!((a.http_status, a.venue_code, a.bad_headers), (200, 0, 0));
}

#[test]
fn status_query_answers_give_the_final_state() {
    let a = answer(200, &[], &realtime("Filled", "0.5", "12500.05"));
    assert_eq!(
        (a.kind, a.report.status),
        (AnswerKind::Final, ExecStatus::Filled)
    );
    assert_eq!(a.report.filled_qty, Qty(50_000_000));
    assert_eq!(a.report.avg_px, Price(2_500_010_000_000));
    let fee = a.report.fee.expect("cumFeeDetail");
    assert_eq!((fee.amount, fee.asset.as_str()), (500_000_000, "BTC"));
    assert_eq!(
        a.report.venue_order_id.as_str(),
        "fd4300ae-7847-404e-b947-b46980a4d140"
    );
    let a = answer(
        200,
        &[],
        &realtime("PartiallyFilledCanceled", "0.2", "5000.02"),
    );
    assert_eq!(a.report.status, ExecStatus::PartiallyFilled);
    assert_eq!(a.report.filled_qty, Qty(20_000_000));
    assert_eq!(a.report.avg_px, Price(2_500_010_000_000));
    let a = answer(200, &[], &realtime("Cancelled", "0", "0"));
    assert_eq!(
        (a.kind, a.report.status),
        (AnswerKind::Final, ExecStatus::Cancelled)
    );
    let a = answer(200, &[], &realtime("New", "0", "0"));
    assert_eq!(
        (a.kind, a.report.status),
        (AnswerKind::Accepted, ExecStatus::Unknown)
    );
    let a = answer(200, &[], &realtime("PartiallyFilled", "0.1", "2500.01"));
    assert_eq!(a.kind, AnswerKind::Accepted);
    let a = answer(200, &[], &realtime("Rejected", "0", "0"));
    assert_eq!(a.kind, AnswerKind::Rejected);
    // No order by that orderLinkId: it never reached the book.
    let a = answer(
        200,
        &[],
        r#"{"retCode":0,"retMsg":"OK","result":{"list":[],"nextPageCursor":"","category":"spot"},"retExtInfo":{},"time":1}"#,
    );
    assert_eq!(
        a.report.status,
        ExecStatus::Rejected {
            code: CODE_NO_SUCH_ORDER
        }
    );
}

#[test]
fn ret_codes_and_statuses() {
    let body = |code: i32, msg: &str| {
        format!(r#"{{"retCode":{code},"retMsg":"{msg}","result":{{}},"retExtInfo":{{}},"time":1}}"#)
    };
    for (code, msg) in [
        (
            10002,
            "invalid request, please check your server timestamp or recv_window param",
        ),
        (10003, "API key is invalid."),
        (10004, "error sign! origin_string[...]"),
        (170131, "Insufficient balance."),
    ] {
        let a = answer(200, &[], &body(code, msg));
        assert_eq!(a.kind, AnswerKind::Rejected, "{code}");
        assert_eq!(
            a.report.status,
            ExecStatus::Rejected { code: 400 },
            "{code}"
        );
        assert_eq!(a.venue_code, code);
    }
    let a = answer(401, &[], &body(10003, "API key is invalid."));
    assert_eq!(a.report.status, ExecStatus::Rejected { code: 401 });
    let a = answer(200, &[], &body(10006, "Too many visits!"));
    assert_eq!(
        (a.kind, a.report.status),
        (AnswerKind::RateLimited, ExecStatus::Rejected { code: 429 })
    );
    for code in [10016, 10000] {
        let a = answer(200, &[], &body(code, "Server error"));
        assert_eq!(
            (a.kind, a.report.status),
            (AnswerKind::Ambiguous, ExecStatus::Unknown)
        );
    }
    let a = answer(429, &[("Retry-After", "2")], "");
    assert_eq!((a.kind, a.retry_after_ms), (AnswerKind::RateLimited, 2000));
    let a = answer(403, &[], "access too frequent");
    assert_eq!(a.kind, AnswerKind::Banned);
    let a = answer(502, &[], "<html>bad gateway</html>");
    assert_eq!(
        (a.kind, a.report.status),
        (AnswerKind::Ambiguous, ExecStatus::Unknown)
    );
    // A 200 we cannot read may have placed the order; a 4xx we cannot read did not.
    let a = answer(200, &[], "{\"retCode\":");
    assert_eq!(a.kind, AnswerKind::Ambiguous);
    let a = answer(400, &[], "nope");
    assert_eq!(a.report.status, ExecStatus::Rejected { code: 400 });
    let a = answer(200, &[("X-Bapi-Limit-Status", "x")], &body(0, "OK"));
    assert_eq!((a.kind, a.bad_headers), (AnswerKind::Accepted, 1));
}
