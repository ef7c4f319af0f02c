use super::*;
use crate::exec::gateway::codec::answer::InstrumentSpec;
use crate::model::{InstrumentId, OppId, OrderId, Price, TimeInForce, VenueId};

const DOC_KEY: &[u8] = b"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const DOC_SECRET: &[u8] = b"NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

/// The worked example of Binance's API docs ("SIGNED Endpoint Examples for POST /api/v3/order").
#[test]
fn documented_signature_vector() {
    let total = b"symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
    assert_eq!(
        &sign(DOC_SECRET, total),
        b"c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    );
    // The docs' mixed example: query string + body concatenated without a separator.
    let (query, body) = total.split_at(44);
    let mut both = query.to_vec();
    both.extend_from_slice(body);
    assert_eq!(sign(DOC_SECRET, &both), sign(DOC_SECRET, total));
}

pub(crate) fn codec() -> BinanceCodec {
    let table = InstrumentTable::new(&[(
        InstrumentId(1),
        InstrumentSpec {
            symbol: "BTCUSDT".into(),
            price_scale: 2,
            qty_scale: 8,
        },
    )])
    .unwrap();
    BinanceCodec::new(
        BinanceSettings {
            host: "api.binance.com".into(),
            recv_window_ms: 5000,
            client_id_prefix: "ma".into(),
        },
        DOC_KEY,
        b"test-secret",
        table,
    )
    .unwrap()
}

pub(crate) fn order() -> Order {
    Order {
        id: OrderId(42),
        opp: OppId(7),
        px: Price(6_000_050),
        qty: Qty(1_500_000),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(1),
        venue: VenueId(0),
        side: Side::Buy,
        tif: TimeInForce::Ioc,
    }
}

#[test]
fn golden_request_bytes() {
    let mut c = codec();
    let mut out = Vec::new();
    c.write_request(&order(), 1_700_000_000_000, &mut out)
        .unwrap();
    let body = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.015&price=60000.5&newClientOrderId=ma42&newOrderRespType=FULL&recvWindow=5000&timestamp=1700000000000&signature=2a90355a132ecccc0c04240cffc4bd6c9b34581cec6ea6c5cd1b314a9439006c";
    let want = format!(
        "POST /api/v3/order HTTP/1.1\r\nHost: api.binance.com\r\nX-MBX-APIKEY: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        std::str::from_utf8(DOC_KEY).unwrap(),
        body.len()
    );
    assert_eq!(std::str::from_utf8(&out).unwrap(), want);
    // The request is rebuilt from scratch every time (buffer cleared, same bytes).
    c.write_request(&order(), 1_700_000_000_000, &mut out)
        .unwrap();
    assert_eq!(std::str::from_utf8(&out).unwrap(), want);
    let mut sell = order();
    sell.side = Side::Sell;
    c.write_request(&sell, 1, &mut out).unwrap();
    assert!(out.windows(10).any(|w| w == b"&side=SELL"));
}

#[test]
fn request_refusals() {
    let mut c = codec();
    let mut out = Vec::new();
    let mut o = order();
    o.instrument = InstrumentId(2);
    assert_eq!(
        c.write_request(&o, 1, &mut out),
        Err(RequestError::UnknownInstrument(2))
    );
    let mut o = order();
    o.qty = Qty(0);
    assert_eq!(
        c.write_request(&o, 1, &mut out),
        Err(RequestError::NonPositive(OrderId(42)))
    );
    let bad = BinanceCodec::new(
        BinanceSettings {
            host: "h".into(),
            recv_window_ms: 0,
            client_id_prefix: "a&b".into(),
        },
        b"k",
        b"s",
        InstrumentTable::default(),
    );
    assert!(bad.is_err());
    let long = BinanceCodec::new(
        BinanceSettings {
            host: "h".into(),
            recv_window_ms: 0,
            client_id_prefix: "x".repeat(17),
        },
        b"k",
        b"s",
        InstrumentTable::default(),
    );
    assert!(long.is_err());
}

#[test]
fn debug_hides_keys() {
    let d = format!("{:?}", codec());
    assert!(!d.contains("vmPUZE"), "{d}");
    assert!(!d.contains("test-secret"), "{d}");
}

fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> RestAnswer {
    let hs: Vec<httparse::Header<'_>> = headers
        .iter()
        .map(|(n, v)| httparse::Header {
            name: n,
            value: v.as_bytes(),
        })
        .collect();
    codec().parse_answer(&order(), status, &hs, body.as_bytes(), 99)
}

const USAGE: &[(&str, &str)] = &[
    ("X-MBX-USED-WEIGHT-1M", "12"),
    ("X-MBX-ORDER-COUNT-10S", "3"),
    ("X-MBX-ORDER-COUNT-1D", "345"),
];

#[test]
fn filled() {
    let a = answer(
        200,
        USAGE,
        r#"{"symbol":"BTCUSDT","orderId":28,"orderListId":-1,"clientOrderId":"ma42","transactTime":1507725176595,"price":"60000.50","origQty":"0.01500000","executedQty":"0.01500000","cummulativeQuoteQty":"900.00750000","status":"FILLED","timeInForce":"IOC","type":"LIMIT","side":"BUY"}"#,
    );
    assert_eq!(a.kind, AnswerKind::Final);
    assert_eq!(a.report.status, ExecStatus::Filled);
    assert_eq!(a.report.filled_qty, Qty(1_500_000));
    assert_eq!(a.report.avg_px, Price(6_000_050));
    assert_eq!(a.report.venue_order_id.as_str(), "28");
    assert_eq!(
        a.report.fee, None,
        "RESULT carries no fills, so no commission"
    );
    // `FULL`'s fills carry it (binance-spot-api-docs, "Response FULL").
    let full = answer(
        200,
        &[],
        r#"{"symbol":"BTCUSDT","orderId":28,"status":"FILLED","executedQty":"0.01500000","cummulativeQuoteQty":"900.00750000","fills":[{"price":"60000.50","qty":"0.01000000","commission":"0.00001000","commissionAsset":"BTC","tradeId":56},{"price":"60000.50","qty":"0.00500000","commission":"0.00000500","commissionAsset":"BTC","tradeId":57}]}"#,
    );
    let fee = full.report.fee.expect("the fills' commission");
    assert_eq!((fee.amount, fee.asset.as_str()), (15_000_000, "BTC"));
    assert_eq!(
        (
            a.binance_weight_1m,
            a.binance_orders_10s,
            a.binance_orders_1d
        ),
        (Some(12), Some(3), Some(345))
    );
    assert_eq!((a.http_status, a.report.recv_ts_ns), (200, 99));
    assert_eq!((a.report.order, a.report.opp), (OrderId(42), OppId(7)));
}

#[test]
fn expired_partial_and_empty() {
    let a = answer(
        200,
        &[],
        r#"{"executedQty":"0.00500000","cummulativeQuoteQty":"300.00000000","status":"EXPIRED"}"#,
    );
    assert_eq!(
        (a.kind, a.report.status),
        (AnswerKind::Final, ExecStatus::PartiallyFilled)
    );
    assert_eq!(a.report.avg_px, Price(6_000_000));
    let a = answer(
        200,
        &[],
        r#"{"executedQty":"0.00000000","cummulativeQuoteQty":"0.00000000","status":"EXPIRED"}"#,
    );
    assert_eq!(
        (a.kind, a.report.status, a.report.avg_px),
        (AnswerKind::Final, ExecStatus::Cancelled, Price::ZERO)
    );
    let a = answer(200, &[], r#"{"executedQty":"0","status":"NEW"}"#);
    assert_eq!(
        (a.kind, a.report.status),
        (AnswerKind::Accepted, ExecStatus::Unknown)
    );
}

#[test]
fn rejected_with_code() {
    let a = answer(
        400,
        USAGE,
        r#"{"code":-2010,"msg":"Account has insufficient balance for requested action."}"#,
    );
    assert_eq!(a.kind, AnswerKind::Rejected);
    assert_eq!(a.report.status, ExecStatus::Rejected { code: 400 });
    assert_eq!(a.venue_code, -2010);
    assert_eq!(a.binance_weight_1m, Some(12));
    let a = answer(401, &[], r#"{"code":-2015,"msg":"Invalid API-key"}"#);
    assert_eq!((a.kind, a.venue_code), (AnswerKind::Rejected, -2015));
}

#[test]
fn rate_limited_and_banned() {
    let a = answer(
        429,
        &[("Retry-After", "7"), ("X-MBX-USED-WEIGHT-1M", "6001")],
        r#"{"code":-1003,"msg":"Too many requests"}"#,
    );
    assert_eq!(a.kind, AnswerKind::RateLimited);
    assert_eq!(a.report.status, ExecStatus::Rejected { code: 429 });
    assert_eq!((a.retry_after_ms, a.report.retry_after_ms), (7000, 7000));
    assert_eq!((a.venue_code, a.binance_weight_1m), (-1003, Some(6001)));
    let a = answer(418, &[("retry-after", "120")], r#"{"code":-1003}"#);
    assert_eq!(
        (a.kind, a.report.status, a.retry_after_ms),
        (
            AnswerKind::Banned,
            ExecStatus::Rejected { code: 418 },
            120_000
        )
    );
}

#[test]
fn ambiguous_answers() {
    for (status, body) in [
        (500, "<html>Internal</html>"),
        (
            503,
            r#"{"code":-1001,"msg":"Internal error; unable to process your request."}"#,
        ),
        (
            408,
            r#"{"code":-1007,"msg":"Timeout waiting for response from backend server."}"#,
        ),
        (200, "not json"),
        (200, r#"{"status":"SOMETHING_NEW"}"#),
        (302, ""),
    ] {
        let a = answer(status, &[], body);
        assert_eq!(
            (a.kind, a.report.status),
            (AnswerKind::Ambiguous, ExecStatus::Unknown),
            "{status} {body}"
        );
    }
    let a = answer(
        200,
        &[("X-MBX-USED-WEIGHT-1M", "lots")],
        r#"{"status":"FILLED"}"#,
    );
    assert_eq!(a.bad_headers, 1);
}

mod props {
    use super::*;
    use proptest::prelude::*;

    /// Reference: the decimal text of `m` at `scale`, by integer arithmetic and std formatting.
    fn reference_decimal(m: i64, scale: u32) -> String {
        let unit = 10i64.pow(scale);
        let (int, frac) = (m / unit, m % unit);
        if frac == 0 {
            return int.to_string();
        }
        let f = format!("{frac:0width$}", width = scale as usize);
        format!("{int}.{}", f.trim_end_matches('0'))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any order: the body is the documented parameter list in order, and its signature is
        /// the HMAC of everything before `&signature=`.
        #[test]
        fn body_matches_reference(
            px in 1i64..10_000_000_000,
            qty in 1i64..100_000_000_000,
            id in any::<u64>(),
            ts in 1_500_000_000_000u64..2_500_000_000_000,
            buy in any::<bool>(),
        ) {
            let mut o = order();
            o.px = Price(px);
            o.qty = Qty(qty);
            o.id = OrderId(id);
            o.side = if buy { Side::Buy } else { Side::Sell };
            let c = codec();
            let mut body = Vec::new();
            c.write_body(&o, ts, &mut body).unwrap();
            let body = String::from_utf8(body).unwrap();
            let (params, sig) = body.rsplit_once("&signature=").unwrap();
            let want = format!(
                "symbol=BTCUSDT&side={}&type=LIMIT&timeInForce=IOC&quantity={}&price={}&newClientOrderId=ma{id}&newOrderRespType=FULL&recvWindow=5000&timestamp={ts}",
                if buy { "BUY" } else { "SELL" },
                reference_decimal(qty, 8),
                reference_decimal(px, 2),
            );
            prop_assert_eq!(params, want.as_str());
            prop_assert_eq!(sig.as_bytes(), &sign(b"test-secret", params.as_bytes())[..]);
        }
    }
}

#[test]
fn status_query_bytes_and_no_such_order() {
    let mut c = codec();
    let mut out = Vec::new();
    c.write_status_request(&order(), 1_700_000_000_000, &mut out)
        .unwrap();
    let params = "symbol=BTCUSDT&origClientOrderId=ma42&recvWindow=5000&timestamp=1700000000000";
    let sig = sign(b"test-secret", params.as_bytes());
    let want = format!(
        "GET /api/v3/order?{params}&signature={} HTTP/1.1\r\nHost: api.binance.com\r\nX-MBX-APIKEY: {}\r\n\r\n",
        std::str::from_utf8(&sig).unwrap(),
        std::str::from_utf8(DOC_KEY).unwrap(),
    );
    assert_eq!(std::str::from_utf8(&out).unwrap(), want);
    // The query's answer is an order object like the placement's; an unknown id is "no such
    // order" (final, nothing filled), not an ordinary rejection.
    let a = answer(400, &[], r#"{"code":-2013,"msg":"Order does not exist."}"#);
    assert_eq!(
        (a.kind, a.report.status),
        (
            AnswerKind::Rejected,
            ExecStatus::Rejected {
                code: CODE_NO_SUCH_ORDER
            }
        )
    );
}
