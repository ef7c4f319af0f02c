//! Unit tests of the OKX codec: timestamps, signing, and answers read from the bodies of OKX's v5
//! docs.

use super::*;
use crate::exec::gateway::codec::answer::InstrumentSpec;
use crate::model::{InstrumentId, OppId, OrderId, Price, Qty, TimeInForce, VenueId};

fn codec() -> OkxCodec {
    let table = InstrumentTable::new(&[(
        InstrumentId(0),
        InstrumentSpec {
            symbol: "BTC-USDT".into(),
            price_scale: 8,
            qty_scale: 8,
        },
    )])
    .unwrap();
    OkxCodec::new(
        OkxSettings {
            host: "www.okx.com".into(),
            client_id_prefix: "ma".into(),
        },
        b"key123",
        b"secret456",
        b"pass789",
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
        side: Side::Sell,
        tif: TimeInForce::Ioc,
    }
}

fn header<'a>(text: &'a str, name: &str) -> &'a str {
    text.split("\r\n")
        .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(": ")))
        .unwrap()
}

fn b64_hmac(prehash: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, b"secret456");
    STANDARD.encode(hmac::sign(&key, prehash.as_bytes()))
}

#[test]
fn timestamps() {
    // The example of OKX's docs.
    assert_eq!(
        &iso_timestamp(1_607_418_537_715),
        b"2020-12-08T09:08:57.715Z"
    );
    assert_eq!(&iso_timestamp(0), b"1970-01-01T00:00:00.000Z");
    assert_eq!(&iso_timestamp(951_782_400_001), b"2000-02-29T00:00:00.001Z");
    assert_eq!(
        &iso_timestamp(4_102_444_799_999),
        b"2099-12-31T23:59:59.999Z"
    );
}

#[test]
fn signed_order_request() {
    let mut out = Vec::new();
    codec()
        .write_request(&order(), 1_607_418_537_715, &mut out)
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    let body = r#"{"instId":"BTC-USDT","tdMode":"cash","side":"sell","ordType":"ioc","px":"25000.1","sz":"0.5","clOrdId":"ma7"}"#;
    assert!(text.starts_with("POST /api/v5/trade/order HTTP/1.1\r\nHost: www.okx.com\r\n"));
    assert!(text.ends_with(&format!("\r\n\r\n{body}")), "{text}");
    assert_eq!(header(&text, "OK-ACCESS-KEY"), "key123");
    assert_eq!(header(&text, "OK-ACCESS-PASSPHRASE"), "pass789");
    assert_eq!(
        header(&text, "OK-ACCESS-TIMESTAMP"),
        "2020-12-08T09:08:57.715Z"
    );
    assert_eq!(header(&text, "Content-Type"), "application/json");
    // The documented prehash: timestamp + "POST" + "/api/v5/trade/order" + body.
    let prehash = format!("2020-12-08T09:08:57.715ZPOST/api/v5/trade/order{body}");
    assert_eq!(header(&text, "OK-ACCESS-SIGN"), b64_hmac(&prehash));
}

#[test]
fn signed_status_query_and_refusals() {
    let mut c = codec();
    let mut out = Vec::new();
    c.write_status_request(&order(), 0, &mut out).unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    let path = "/api/v5/trade/order?instId=BTC-USDT&clOrdId=ma7";
    assert!(text.starts_with(&format!("GET {path} HTTP/1.1\r\n")));
    assert!(text.ends_with("\r\n\r\n"));
    let prehash = format!("1970-01-01T00:00:00.000ZGET{path}");
    assert_eq!(header(&text, "OK-ACCESS-SIGN"), b64_hmac(&prehash));
    let mut o = order();
    o.px = Price(-1);
    assert_eq!(
        c.write_request(&o, 1, &mut out),
        Err(RequestError::NonPositive(o.id))
    );
    let s = OkxSettings {
        host: "h".into(),
        client_id_prefix: "m-a".into(),
    };
    assert!(OkxCodec::new(s, b"k", b"s", b"p", InstrumentTable::default()).is_err());
    let d = format!("{c:?}");
    assert!(!d.contains("secret456") && !d.contains("pass789") && !d.contains("key123"));
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

/// OKX's "Get order details" response example with `state`, `accFillSz` and `avgPx` set.
fn details(state: &str, filled: &str, avg: &str) -> String {
    format!(
        r#"{{"code":"0","data":[{{"accFillSz":"{filled}","algoClOrdId":"","algoId":"","attachAlgoClOrdId":"","attachAlgoOrds":[],"avgPx":"{avg}","cTime":"1708587373361","cancelSource":"","cancelSourceReason":"","category":"normal","ccy":"","clOrdId":"ma7","fee":"-0.00000192834","feeCcy":"BTC","fillPx":"51858","fillSz":"0.00192834","fillTime":"1708587373361","instId":"BTC-USDT","instType":"SPOT","isTpLimit":"false","lever":"","linkedAlgoOrd":{{"algoId":""}},"ordId":"680800019749904384","ordType":"ioc","pnl":"0","posSide":"net","px":"25000.1","pxType":"","pxUsd":"","pxVol":"","quickMgnType":"","rebate":"0","rebateCcy":"USDT","reduceOnly":"false","side":"sell","slOrdPx":"","slTriggerPx":"","slTriggerPxType":"","source":"","state":"{state}","stpId":"","stpMode":"","sz":"0.5","tag":"","tdMode":"cash","tgtCcy":"","tpOrdPx":"","tpTriggerPx":"","tpTriggerPxType":"","tradeId":"744876980","tradeQuoteCcy":"USDT","uTime":"1708587373362"}}],"msg":""}}"#
    )
}

#[test]
fn a_place_answer_is_an_acknowledgement_to_query() {
    // OKX's "Place order" response example.
    let a = answer(
        200,
        &[],
        r#"{"code":"0","msg":"","data":[{"clOrdId":"oktswap6","ordId":"312269865356374016","tag":"","ts":"1695190491421","sCode":"0","sMsg":"","subCode":""}],"inTime":"1695190491421339","outTime":"1695190491423240"}"#,
    );
    assert_eq!(
        (a.kind, a.report.status),
        (AnswerKind::Accepted, ExecStatus::Unknown)
    );
    // Refused: code "1", the reason in sCode.
    let a = answer(
        200,
        &[],
        r#"{"code":"1","msg":"All operations failed","data":[{"clOrdId":"ma7","ordId":"","tag":"","ts":"1695190491421","sCode":"51008","sMsg":"Order failed. Insufficient USDT balance in account.","subCode":""}],"inTime":"1","outTime":"2"}"#,
    );
    assert_eq!(
        (a.kind, a.report.status, a.venue_code),
        (
            AnswerKind::Rejected,
            ExecStatus::Rejected { code: 400 },
            51008
        )
    );
    let a = answer(
        200,
        &[],
        r#"{"code":"1","msg":"","data":[{"clOrdId":"ma7","ordId":"","sCode":"50011","sMsg":"Rate limit reached."}]}"#,
    );
    assert_eq!(a.kind, AnswerKind::RateLimited);
}

#[test]
fn status_query_answers_give_the_final_state() {
    let a = answer(200, &[], &details("filled", "0.5", "25000.1"));
    assert_eq!(
        (a.kind, a.report.status),
        (AnswerKind::Final, ExecStatus::Filled)
    );
    assert_eq!(
        (a.report.filled_qty, a.report.avg_px),
        (Qty(50_000_000), Price(2_500_010_000_000))
    );
    let a = answer(
        200,
        &[],
        &details("canceled", "0.00192834", "51858.123456789"),
    );
    assert_eq!(a.report.status, ExecStatus::PartiallyFilled);
    assert_eq!(a.report.filled_qty, Qty(192_834));
    let fee = a.report.fee.expect("fee and feeCcy (a charge is negative)");
    assert_eq!((fee.amount, fee.asset.as_str()), (1_928_340, "BTC"));
    assert_eq!(a.report.venue_order_id.as_str(), "680800019749904384");
    assert_eq!(
        a.report.avg_px,
        Price(5_185_812_345_678),
        "truncated at the scale"
    );
    let a = answer(200, &[], &details("canceled", "0", ""));
    assert_eq!(
        (a.report.status, a.report.avg_px),
        (ExecStatus::Cancelled, Price::ZERO)
    );
    let a = answer(200, &[], &details("mmp_canceled", "0", ""));
    assert_eq!(a.report.status, ExecStatus::Cancelled);
    for state in ["live", "partially_filled"] {
        let a = answer(200, &[], &details(state, "0", ""));
        assert_eq!(
            (a.kind, a.report.status),
            (AnswerKind::Accepted, ExecStatus::Unknown)
        );
    }
    let no = ExecStatus::Rejected {
        code: CODE_NO_SUCH_ORDER,
    };
    let a = answer(
        200,
        &[],
        r#"{"code":"51603","msg":"Order does not exist","data":[]}"#,
    );
    assert_eq!(a.report.status, no);
    let a = answer(200, &[], r#"{"code":"0","msg":"","data":[]}"#);
    assert_eq!(a.report.status, no);
}

#[test]
fn error_codes_and_statuses() {
    let err = |code: &str, msg: &str| format!(r#"{{"msg":"{msg}","code":"{code}"}}"#);
    for (code, msg) in [
        ("50102", "Timestamp request expired."),
        (
            "50105",
            r#"Request header \"OK-ACCESS-PASSPHRASE\" incorrect."#,
        ),
        ("50111", "Invalid OK-ACCESS-KEY."),
        ("50113", "Invalid signature."),
    ] {
        let a = answer(401, &[], &err(code, msg));
        assert_eq!(
            (a.kind, a.report.status),
            (AnswerKind::Rejected, ExecStatus::Rejected { code: 401 }),
            "{code}"
        );
        assert_eq!(a.venue_code.to_string(), code);
    }
    let a = answer(200, &[], &err("50011", "Rate limit reached."));
    assert_eq!(
        (a.kind, a.report.status),
        (AnswerKind::RateLimited, ExecStatus::Rejected { code: 429 })
    );
    let a = answer(
        429,
        &[("Retry-After", "1")],
        &err("50011", "Too Many Requests"),
    );
    assert_eq!((a.kind, a.retry_after_ms), (AnswerKind::RateLimited, 1000));
    let a = answer(400, &[], &err("50004", "API endpoint request timeout."));
    assert_eq!(
        (a.kind, a.report.status),
        (AnswerKind::Ambiguous, ExecStatus::Unknown)
    );
    for status in [500, 503] {
        let a = answer(
            status,
            &[],
            &err("50001", "Service temporarily unavailable."),
        );
        assert_eq!(a.kind, AnswerKind::Ambiguous);
    }
    let a = answer(200, &[], "{\"code\":\"0\",\"data\":[{");
    assert_eq!(a.kind, AnswerKind::Ambiguous);
    // A wrong path is a refusal, not "no such order".
    let a = answer(404, &[], "not found");
    assert_eq!(a.report.status, ExecStatus::Rejected { code: 400 });
}
