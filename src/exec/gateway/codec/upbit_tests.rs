use super::*;
use crate::exec::gateway::codec::answer::InstrumentSpec;
use crate::model::{InstrumentId, OppId, OrderId, Price, TimeInForce, VenueId};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::digest;

fn codec(ioc: bool) -> UpbitCodec {
    let table = InstrumentTable::new(&[(
        InstrumentId(1),
        InstrumentSpec {
            symbol: "KRW-BTC".into(),
            price_scale: 0,
            qty_scale: 8,
        },
    )])
    .unwrap();
    UpbitCodec::new(
        UpbitSettings {
            host: "api.upbit.com".into(),
            identifier_prefix: "ma".into(),
            ioc,
        },
        b"upbitaccess",
        b"upbit-secret",
        table,
        UuidGen::from_seed(5),
    )
    .unwrap()
}

fn order() -> Order {
    Order {
        id: OrderId(42),
        opp: OppId(7),
        px: Price(100_000_000),
        qty: Qty(1_000_000),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(1),
        venue: VenueId(1),
        side: Side::Buy,
        tif: TimeInForce::Ioc,
    }
}

const QUERY: &str =
    "market=KRW-BTC&side=bid&volume=0.01&price=100000000&ord_type=limit&identifier=ma42&time_in_force=ioc";
const BODY: &str = r#"{"market":"KRW-BTC","side":"bid","volume":"0.01","price":"100000000","ord_type":"limit","identifier":"ma42","time_in_force":"ioc"}"#;

#[test]
fn query_and_body_golden() {
    let c = codec(true);
    let mut q = Vec::new();
    c.write_query(&order(), &mut q).unwrap();
    assert_eq!(std::str::from_utf8(&q).unwrap(), QUERY);
    let mut b = Vec::new();
    c.write_json(&order(), &mut b).unwrap();
    assert_eq!(std::str::from_utf8(&b).unwrap(), BODY);
    // The body is valid JSON carrying exactly the query's parameters.
    let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
    let from_query: serde_json::Map<String, serde_json::Value> = QUERY
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_string(), serde_json::Value::String(v.to_string()))
        })
        .collect();
    assert_eq!(v, serde_json::Value::Object(from_query));
    let mut sell = order();
    sell.side = Side::Sell;
    let mut q = Vec::new();
    codec(false).write_query(&sell, &mut q).unwrap();
    assert_eq!(
        std::str::from_utf8(&q).unwrap(),
        "market=KRW-BTC&side=ask&volume=0.01&price=100000000&ord_type=limit&identifier=ma42"
    );
}

#[test]
fn golden_request_and_token() {
    let mut c = codec(true);
    let mut out = Vec::new();
    c.write_request(&order(), 0, &mut out).unwrap();
    let text = std::str::from_utf8(&out).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert_eq!(body, BODY);
    let lines: Vec<&str> = head.split("\r\n").collect();
    assert_eq!(lines[0], "POST /v1/orders HTTP/1.1");
    assert_eq!(lines[1], "Host: api.upbit.com");
    assert_eq!(lines[3], "Content-Type: application/json; charset=utf-8");
    assert_eq!(lines[4], format!("Content-Length: {}", BODY.len()));
    assert_eq!(lines.len(), 5);
    let token = lines[2].strip_prefix("Authorization: Bearer ").unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts[0], "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
    let payload: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    let want_hash: String = digest::digest(&digest::SHA512, QUERY.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(payload["access_key"], "upbitaccess");
    assert_eq!(payload["query_hash"], want_hash.as_str());
    assert_eq!(payload["query_hash_alg"], "SHA512");
    let nonce = payload["nonce"].as_str().unwrap();
    assert_eq!(nonce.as_bytes(), &UuidGen::from_seed(5).next_uuid()[..]);
    // HS256 over header.payload with the secret (ring's HMAC verifier, over the raw token text).
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"upbit-secret");
    let signed = &token[..parts[0].len() + 1 + parts[1].len()];
    ring::hmac::verify(
        &key,
        signed.as_bytes(),
        &URL_SAFE_NO_PAD.decode(parts[2]).unwrap(),
    )
    .unwrap();
    // A second request gets a fresh nonce.
    let mut again = Vec::new();
    c.write_request(&order(), 0, &mut again).unwrap();
    assert_ne!(again, out);
}

#[test]
fn refusals() {
    let mut c = codec(true);
    let mut o = order();
    o.instrument = InstrumentId(9);
    let mut out = Vec::new();
    assert_eq!(
        c.write_request(&o, 0, &mut out),
        Err(RequestError::UnknownInstrument(9))
    );
    let mut o = order();
    o.px = Price(-1);
    assert_eq!(
        c.write_request(&o, 0, &mut out),
        Err(RequestError::NonPositive(OrderId(42)))
    );
    assert!(UpbitCodec::new(
        UpbitSettings {
            host: "h".into(),
            identifier_prefix: "a b".into(),
            ioc: true
        },
        b"k",
        b"s",
        InstrumentTable::default(),
        UuidGen::from_seed(1)
    )
    .is_err());
    let d = format!("{:?}", codec(true));
    assert!(
        !d.contains("upbitaccess") && !d.contains("upbit-secret"),
        "{d}"
    );
}

fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> RestAnswer {
    let hs: Vec<httparse::Header<'_>> = headers
        .iter()
        .map(|(n, v)| httparse::Header {
            name: n,
            value: v.as_bytes(),
        })
        .collect();
    codec(true).parse_answer(&order(), status, &hs, body.as_bytes(), 5)
}

const REMAINING: &[(&str, &str)] = &[("Remaining-Req", "group=order; min=59; sec=7")];

#[test]
fn created_states() {
    let done = r#"{"uuid":"9ca023a5-851b-4fec-9f0a-48cd83c2eaae","side":"bid","ord_type":"limit","price":"100000000","state":"done","market":"KRW-BTC","created_at":"2018-04-10T15:42:23+09:00","volume":"0.01","remaining_volume":"0","reserved_fee":"0","remaining_fee":"0","paid_fee":"500","locked":"0","executed_volume":"0.01","executed_funds":"999999","trades_count":1}"#;
    let a = answer(201, REMAINING, done);
    assert_eq!(
        (a.kind, a.report.status),
        (AnswerKind::Final, ExecStatus::Filled)
    );
    assert_eq!(a.report.filled_qty, Qty(1_000_000));
    assert_eq!(a.report.avg_px, Price(99_999_900));
    assert_eq!((a.upbit_remaining_sec, a.http_status), (Some(7), 201));
    let fee = a
        .report
        .fee
        .expect("paid_fee, in the market's quote currency");
    assert_eq!(
        (fee.amount, fee.asset.as_str()),
        (500_000_000_000_000, "KRW")
    );
    assert_eq!(
        a.report.venue_order_id.as_str(),
        "9ca023a5-851b-4fec-9f0a-48cd83c2eaae"
    );
    let a = answer(
        201,
        &[],
        r#"{"state":"cancel","executed_volume":"0.004","remaining_volume":"0.006"}"#,
    );
    assert_eq!(
        (a.kind, a.report.status, a.report.filled_qty),
        (AnswerKind::Final, ExecStatus::PartiallyFilled, Qty(400_000))
    );
    let a = answer(201, &[], r#"{"state":"cancel","executed_volume":"0.0"}"#);
    assert_eq!(a.report.status, ExecStatus::Cancelled);
    let a = answer(201, &[], r#"{"state":"wait","executed_volume":"0"}"#);
    assert_eq!(
        (a.kind, a.report.status),
        (AnswerKind::Accepted, ExecStatus::Unknown)
    );
}

#[test]
fn errors_and_limits() {
    let body = r#"{"error":{"name":"insufficient_funds_bid","message":"주문가능한 금액(KRW)이 부족합니다."}}"#;
    let a = answer(400, REMAINING, body);
    assert_eq!(
        (a.kind, a.report.status),
        (AnswerKind::Rejected, ExecStatus::Rejected { code: 400 })
    );
    assert_eq!(
        error_name(body.as_bytes()),
        Some(&b"insufficient_funds_bid"[..])
    );
    assert_eq!(error_name(b"{}"), None);
    let a = answer(
        401,
        &[],
        r#"{"error":{"name":"invalid_query_payload","message":"..."}}"#,
    );
    assert_eq!(a.report.status, ExecStatus::Rejected { code: 401 });
    let a = answer(
        429,
        &[
            ("Remaining-Req", "group=order; sec=0"),
            ("Retry-After", "1"),
        ],
        "Too many API requests.",
    );
    assert_eq!(
        (a.kind, a.retry_after_ms, a.upbit_remaining_sec),
        (AnswerKind::RateLimited, 1000, Some(0))
    );
    let a = answer(418, &[], r#"{"error":{"name":"blocked"}}"#);
    assert_eq!(a.kind, AnswerKind::Banned);
    for (status, body) in [
        (500, ""),
        (502, "<html/>"),
        (201, "garbage"),
        (201, r#"{"state":"??"}"#),
    ] {
        let a = answer(status, &[], body);
        assert_eq!(
            (a.kind, a.report.status),
            (AnswerKind::Ambiguous, ExecStatus::Unknown),
            "{status} {body}"
        );
    }
    let a = answer(201, &[("Remaining-Req", "nonsense")], r#"{"state":"done"}"#);
    assert_eq!((a.bad_headers, a.upbit_remaining_sec), (1, None));
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Any order: the JSON body (parsed by serde_json) carries exactly the query string's
        /// parameters, and the token's query_hash is the SHA-512 of that query string.
        #[test]
        fn body_query_and_hash_agree(
            px in 1i64..1_000_000_000_000,
            qty in 1i64..100_000_000_000,
            id in any::<u64>(),
            buy in any::<bool>(),
        ) {
            let mut o = order();
            o.px = Price(px);
            o.qty = Qty(qty);
            o.id = OrderId(id);
            o.side = if buy { Side::Buy } else { Side::Sell };
            let mut c = codec(true);
            let mut q = Vec::new();
            c.write_query(&o, &mut q).unwrap();
            let q = String::from_utf8(q).unwrap();
            let mut req = Vec::new();
            c.write_request(&o, 0, &mut req).unwrap();
            let text = String::from_utf8(req).unwrap();
            let (head, body) = text.split_once("\r\n\r\n").unwrap();
            let v: serde_json::Value = serde_json::from_str(body).unwrap();
            let from_query: serde_json::Map<String, serde_json::Value> = q
                .split('&')
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap();
                    (k.to_string(), serde_json::Value::String(v.to_string()))
                })
                .collect();
            prop_assert_eq!(v, serde_json::Value::Object(from_query));
            let token = head
                .split("\r\n")
                .find_map(|l| l.strip_prefix("Authorization: Bearer "))
                .unwrap();
            let payload: serde_json::Value = serde_json::from_slice(
                &URL_SAFE_NO_PAD.decode(token.split('.').nth(1).unwrap()).unwrap(),
            )
            .unwrap();
            let want: String = digest::digest(&digest::SHA512, q.as_bytes())
                .as_ref()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            prop_assert_eq!(payload["query_hash"].as_str().unwrap(), want.as_str());
        }
    }
}

#[test]
fn status_query_bytes_and_no_such_order() {
    let mut c = codec(true);
    let mut out = Vec::new();
    c.write_status_request(&order(), 0, &mut out).unwrap();
    let text = std::str::from_utf8(&out).unwrap();
    let head =
        "GET /v1/order?identifier=ma42 HTTP/1.1\r\nHost: api.upbit.com\r\nAuthorization: Bearer ";
    assert!(text.starts_with(head), "{text}");
    assert!(text.ends_with("\r\n\r\n") && !text.contains("Content-Length"));
    // The token hashes exactly the query string.
    let token = &text[head.len()..text.len() - 4];
    let payload = token.split('.').nth(1).unwrap();
    let payload: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let want: String = digest::digest(&digest::SHA512, b"identifier=ma42")
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(payload["query_hash"], want.as_str());
    let a = answer(
        404,
        &[],
        r#"{"error":{"name":"order_not_found","message":"not found"}}"#,
    );
    assert_eq!(
        a.report.status,
        ExecStatus::Rejected {
            code: CODE_NO_SUCH_ORDER
        }
    );
    // Other errors keep their HTTP status.
    let a = answer(400, &[], r#"{"error":{"name":"other","message":"x"}}"#);
    assert_eq!(a.report.status, ExecStatus::Rejected { code: 400 });
}
