//! Upbit account calls: request bytes (the JWT decoded and its HMAC and `query_hash` recomputed
//! independently) and the documented example answers of `testdata/`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::*;
use crate::exec::account::amount::Amount;
use crate::exec::account::venues::test_util::{header, resp};
use crate::exec::gateway::codec::nonce::UuidGen;
use crate::exec::gateway::codec::{InstrumentTable, UpbitSettings};

const KEY: &str = "accesskey123";
const SECRET: &str = "secret-key-456";

fn venue(missing: Option<&'static str>) -> UpbitAccount {
    let codec = UpbitCodec::new(
        UpbitSettings {
            host: "api.upbit.com".into(),
            identifier_prefix: String::new(),
            ioc: true,
        },
        KEY.as_bytes(),
        SECRET.as_bytes(),
        InstrumentTable::default(),
        UuidGen::from_seed(9),
    )
    .unwrap();
    UpbitAccount::new("upbit", codec, missing)
}

fn write(req: &AccountRequest) -> String {
    let mut out = Vec::new();
    venue(None).write_request(req, 0, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The token's payload, its signature checked with ring's HMAC directly.
fn token_payload(text: &str) -> serde_json::Value {
    let token = header(text, "Authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET.as_bytes());
    let signed = format!("{}.{}", parts[0], parts[1]);
    assert_eq!(
        URL_SAFE_NO_PAD.decode(parts[2]).unwrap(),
        ring::hmac::sign(&key, signed.as_bytes()).as_ref()
    );
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap()
}

fn sha512_hex(text: &str) -> String {
    ring::digest::digest(&ring::digest::SHA512, text.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn signed_requests() {
    let t = write(&AccountRequest::Cancel {
        symbol: "KRW-BTC".into(),
        client_id: "ma42".into(),
    });
    assert!(t.starts_with("DELETE /v1/order?identifier=ma42 HTTP/1.1\r\nHost: api.upbit.com\r\n"));
    assert!(t.ends_with("\r\n\r\n"));
    let p = token_payload(&t);
    assert_eq!(p["access_key"], KEY);
    assert_eq!(p["query_hash"], sha512_hex("identifier=ma42"));
    assert_eq!(p["query_hash_alg"], "SHA512");
    assert_eq!(p["nonce"].as_str().unwrap().len(), 36);

    let t = write(&AccountRequest::Balances);
    assert!(t.starts_with("GET /v1/accounts HTTP/1.1\r\n"));
    let p = token_payload(&t);
    assert!(
        p.get("query_hash").is_none(),
        "no parameters, no query_hash: {p}"
    );

    let t = write(&AccountRequest::OpenOrders {
        symbol: Some("KRW-ETH".into()),
        cursor: None,
    });
    assert!(t.starts_with("GET /v1/orders/open?market=KRW-ETH HTTP/1.1\r\n"));
    assert_eq!(
        token_payload(&t)["query_hash"],
        sha512_hex("market=KRW-ETH")
    );

    let t = write(&AccountRequest::Rules {
        symbols: vec!["KRW-BTC".into()],
    });
    assert!(t.starts_with("GET /v1/orders/chance?market=KRW-BTC HTTP/1.1\r\n"));
    assert_eq!(
        token_payload(&t)["query_hash"],
        sha512_hex("market=KRW-BTC")
    );

    let t = write(&AccountRequest::Time);
    assert_eq!(
        t,
        "GET /v1/market/all HTTP/1.1\r\nHost: api.upbit.com\r\n\r\n"
    );

    // Two markets at once cannot be asked; no credentials, no private call.
    let mut out = Vec::new();
    assert!(matches!(
        venue(None).write_request(
            &AccountRequest::Rules {
                symbols: vec!["KRW-BTC".into(), "KRW-ETH".into()]
            },
            0,
            &mut out
        ),
        Err(AccountError::BadRequest { .. })
    ));
    assert!(matches!(
        venue(Some("API credentials")).write_request(&AccountRequest::Balances, 0, &mut out),
        Err(AccountError::NoCredentials { .. })
    ));
    assert!(venue(Some("API credentials"))
        .write_request(&AccountRequest::Time, 0, &mut out)
        .is_ok());
}

fn parse(req: &AccountRequest, status: u16, body: &[u8]) -> Result<AccountAnswer, AccountError> {
    venue(None).parse_answer(req, &resp(status, &[], body))
}

fn cancel_req() -> AccountRequest {
    AccountRequest::Cancel {
        symbol: "KRW-BTC".into(),
        client_id: "ma42".into(),
    }
}

#[test]
fn documented_answers() {
    let a = |t: &str| Amount::parse(t.as_bytes()).unwrap();
    assert_eq!(
        parse(
            &cancel_req(),
            200,
            include_bytes!("../testdata/upbit_cancel.json")
        )
        .unwrap(),
        AccountAnswer::Cancel(CancelOutcome::Cancelled)
    );
    let open = AccountRequest::OpenOrders {
        symbol: None,
        cursor: None,
    };
    assert_eq!(
        parse(
            &open,
            200,
            include_bytes!("../testdata/upbit_open_orders.json")
        )
        .unwrap(),
        AccountAnswer::OpenOrders {
            orders: vec![OpenOrder {
                symbol: "SGD-XRP".into(),
                client_id: String::new(),
                venue_order_id: "637fd66-d019-4d77-bee6-8e0cff28edd9".into(),
                side: Side::Sell,
                price: a("1.5"),
                qty: a("10"),
                filled: a("0"),
                state: OrderState::New,
            }],
            next: None,
        }
    );
    assert_eq!(
        parse(
            &AccountRequest::Balances,
            200,
            include_bytes!("../testdata/upbit_accounts.json")
        )
        .unwrap(),
        AccountAnswer::Balances(vec![
            Balance {
                asset: "BTC".into(),
                free: a("0.005"),
                locked: a("0.0")
            },
            Balance {
                asset: "ETH".into(),
                free: a("0.1"),
                locked: a("0.0")
            },
        ])
    );
    let AccountAnswer::Rules(r) = parse(
        &AccountRequest::Rules {
            symbols: vec!["KRW-BTC".into()],
        },
        200,
        include_bytes!("../testdata/upbit_chance.json"),
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(
        r.instruments,
        vec![TradingRules {
            symbol: "KRW-BTC".into(),
            tick: TickRule::Bands(UPBIT_KRW),
            step: None,
            min_qty: None,
            min_notional: Some(a("1000")),
            trading: true,
            venue_code: None,
        }]
    );
    assert_eq!(r.instruments[0].tick.at(&a("95000000")), Some(a("1000")));
    assert!(r.rate_limits.is_empty());
}

#[test]
fn time_from_the_date_header() {
    let v = venue(None);
    let r = v
        .parse_answer(
            &AccountRequest::Time,
            &resp(200, &[("Date", "Tue, 08 Dec 2020 09:08:57 GMT")], b"[]"),
        )
        .unwrap();
    assert_eq!(
        r,
        AccountAnswer::Time(ServerTime {
            unix_ms: 1_607_418_537_000
        })
    );
    assert!(matches!(
        v.parse_answer(&AccountRequest::Time, &resp(200, &[], b"[]")),
        Err(AccountError::Unreadable { .. })
    ));
}

#[test]
fn errors_by_kind() {
    let not_found =
        r#"{"error":{"name":"order_not_found","message":"주문을 찾지 못했습니다."}}"#.as_bytes();
    assert_eq!(
        parse(&cancel_req(), 404, not_found).unwrap(),
        AccountAnswer::Cancel(CancelOutcome::NotFound)
    );
    // Not found on a query that is not a cancel is a refusal.
    assert!(matches!(
        parse(&AccountRequest::Balances, 404, not_found),
        Err(AccountError::Venue { status: 404, .. })
    ));
    let jwt =
        format!(r#"{{"error":{{"name":"jwt_verification","message":"bad token for {KEY}"}}}}"#);
    let e = parse(&AccountRequest::Balances, 401, jwt.as_bytes()).unwrap_err();
    assert!(matches!(e, AccountError::AuthRefused { ref code, .. } if code == "jwt_verification"));
    assert!(!e.to_string().contains(KEY), "{e}");
    assert!(matches!(
        parse(
            &AccountRequest::Balances,
            429,
            br#"{"error":{"name":"too_many_requests","message":"..."}}"#
        ),
        Err(AccountError::RateLimited { status: 429, .. })
    ));
    assert!(matches!(
        parse(&AccountRequest::Balances, 200, br#"{"not":"an array"}"#),
        Err(AccountError::Unreadable { .. })
    ));
    // A chance answer for a quote with no tick table and no price_unit is refused, not guessed.
    let eth = br#"{"market":{"id":"ETH-XRP","state":"active","bid":{"currency":"ETH","price_unit":null,"min_total":"0.0005"}}}"#;
    assert!(matches!(
        parse(
            &AccountRequest::Rules {
                symbols: vec!["ETH-XRP".into()]
            },
            200,
            eth
        ),
        Err(AccountError::Unreadable { .. })
    ));
}
