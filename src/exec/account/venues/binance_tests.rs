//! Binance account calls: request bytes (signature recomputed independently) and the documented
//! example answers of `testdata/` (sources in `testdata/README.md`).

use super::*;
use crate::exec::account::venues::test_util::{header, hmac_hex, resp};
use crate::exec::gateway::codec::{BinanceSettings, InstrumentTable};

const KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

fn venue(missing: Option<&'static str>) -> BinanceAccount {
    let codec = BinanceCodec::new(
        BinanceSettings {
            host: "api.binance.com".into(),
            recv_window_ms: 5000,
            client_id_prefix: String::new(),
        },
        KEY.as_bytes(),
        SECRET.as_bytes(),
        InstrumentTable::default(),
    )
    .unwrap();
    BinanceAccount::new("binance", codec, missing)
}

fn write(req: &AccountRequest) -> String {
    let mut out = Vec::new();
    venue(None)
        .write_request(req, 1_700_000_000_000, &mut out)
        .unwrap();
    String::from_utf8(out).unwrap()
}

/// The request line's target, and the signature checked against HMAC(secret, params before it).
fn signed_target(text: &str, method: &str, path: &str) -> String {
    let line = text.split("\r\n").next().unwrap();
    let target = line
        .strip_prefix(&format!("{method} {path}?"))
        .and_then(|t| t.strip_suffix(" HTTP/1.1"))
        .unwrap_or_else(|| panic!("{line}"));
    let (params, sig) = target.rsplit_once("&signature=").unwrap();
    assert_eq!(sig, hmac_hex(SECRET.as_bytes(), params.as_bytes()));
    assert_eq!(header(text, "X-MBX-APIKEY"), Some(KEY));
    assert!(text.ends_with("\r\n\r\n"));
    params.to_string()
}

#[test]
fn signed_requests() {
    let t = write(&AccountRequest::Cancel {
        symbol: "BTCUSDT".into(),
        client_id: "ma42".into(),
    });
    assert_eq!(
        signed_target(&t, "DELETE", "/api/v3/order"),
        "symbol=BTCUSDT&origClientOrderId=ma42&recvWindow=5000&timestamp=1700000000000"
    );
    let t = write(&AccountRequest::OpenOrders {
        symbol: None,
        cursor: None,
    });
    assert_eq!(
        signed_target(&t, "GET", "/api/v3/openOrders"),
        "recvWindow=5000&timestamp=1700000000000"
    );
    let t = write(&AccountRequest::Balances);
    assert_eq!(
        signed_target(&t, "GET", "/api/v3/account"),
        "omitZeroBalances=true&recvWindow=5000&timestamp=1700000000000"
    );
}

#[test]
fn public_requests_carry_no_key() {
    let t = write(&AccountRequest::Rules {
        symbols: vec!["BTCUSDT".into(), "ETHBTC".into()],
    });
    assert!(t.starts_with(
        "GET /api/v3/exchangeInfo?symbols=%5B%22BTCUSDT%22%2C%22ETHBTC%22%5D HTTP/1.1\r\nHost: api.binance.com\r\n"
    ));
    assert!(header(&t, "X-MBX-APIKEY").is_none());
    assert_eq!(
        write(&AccountRequest::Time),
        "GET /api/v3/time HTTP/1.1\r\nHost: api.binance.com\r\n\r\n"
    );
    // Without credentials, public calls still work and private ones are refused before sending.
    let mut v = venue(Some("API credentials"));
    let mut out = Vec::new();
    assert!(v.write_request(&AccountRequest::Time, 0, &mut out).is_ok());
    assert!(matches!(
        v.write_request(&AccountRequest::Balances, 0, &mut out),
        Err(AccountError::NoCredentials { .. })
    ));
    assert!(matches!(
        v.write_request(
            &AccountRequest::Cancel {
                symbol: "BTC/USDT".into(),
                client_id: "x".into()
            },
            0,
            &mut out
        ),
        Err(AccountError::NoCredentials { .. })
    ));
    let mut v = venue(None);
    assert!(matches!(
        v.write_request(
            &AccountRequest::Cancel {
                symbol: "BTC/USDT".into(),
                client_id: "x".into()
            },
            0,
            &mut out
        ),
        Err(AccountError::BadRequest { .. })
    ));
}

fn parse(req: &AccountRequest, status: u16, body: &[u8]) -> Result<AccountAnswer, AccountError> {
    venue(None).parse_answer(req, &resp(status, &[], body))
}

const BALANCES: AccountRequest = AccountRequest::Balances;

fn cancel_req() -> AccountRequest {
    AccountRequest::Cancel {
        symbol: "LTCBTC".into(),
        client_id: "myOrder1".into(),
    }
}

#[test]
fn documented_answers() {
    assert_eq!(
        parse(
            &cancel_req(),
            200,
            include_bytes!("../testdata/binance_cancel.json")
        )
        .unwrap(),
        AccountAnswer::Cancel(CancelOutcome::Cancelled)
    );
    let AccountAnswer::OpenOrders { orders, next } = parse(
        &AccountRequest::OpenOrders {
            symbol: None,
            cursor: None,
        },
        200,
        include_bytes!("../testdata/binance_open_orders.json"),
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(next, None);
    assert_eq!(
        orders,
        vec![OpenOrder {
            symbol: "LTCBTC".into(),
            client_id: "myOrder1".into(),
            venue_order_id: "1".into(),
            side: Side::Buy,
            price: Amount::parse(b"0.1").unwrap(),
            qty: Amount::parse(b"1.0").unwrap(),
            filled: Amount::parse(b"0.0").unwrap(),
            state: OrderState::New,
        }]
    );
    let AccountAnswer::Balances(b) = parse(
        &BALANCES,
        200,
        include_bytes!("../testdata/binance_account.json"),
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(b.len(), 2);
    assert_eq!(b[0].asset, "BTC");
    assert_eq!(b[0].free.to_string(), "4723846.89208129");
    assert_eq!(b[0].locked.to_string(), "0.00000000");
    assert_eq!(
        parse(
            &AccountRequest::Time,
            200,
            include_bytes!("../testdata/binance_time.json")
        )
        .unwrap(),
        AccountAnswer::Time(ServerTime {
            unix_ms: 1_499_827_319_559
        })
    );
}

#[test]
fn exchange_info_rules_and_rate_limits() {
    let body = include_bytes!("../testdata/binance_exchange_info.json");
    let AccountAnswer::Rules(r) =
        parse(&AccountRequest::Rules { symbols: vec![] }, 200, body).unwrap()
    else {
        panic!()
    };
    let a = |t: &str| Amount::parse(t.as_bytes()).unwrap();
    assert_eq!(
        r.instruments,
        vec![TradingRules {
            symbol: "ETHBTC".into(),
            tick: TickRule::Fixed(a("0.00000100")),
            step: Some(a("0.00100000")),
            min_qty: Some(a("0.00100000")),
            min_notional: Some(a("10.00000000")),
            trading: true,
            venue_code: None,
        }]
    );
    assert_eq!(
        r.rate_limits,
        vec![
            RateLimit {
                kind: RateLimitKind::RequestWeight,
                interval_ms: 60_000,
                limit: 6000
            },
            RateLimit {
                kind: RateLimitKind::Orders,
                interval_ms: 1000,
                limit: 10
            },
            RateLimit {
                kind: RateLimitKind::RawRequests,
                interval_ms: 300_000,
                limit: 61000
            },
        ]
    );
    assert_eq!(parse_rate_limits(body).unwrap(), r.rate_limits);
}

#[test]
fn errors_by_kind() {
    // errors.md: -2011 CANCEL_REJECTED with "Unknown order sent." (no such open order).
    let unknown = br#"{"code":-2011,"msg":"Unknown order sent."}"#;
    assert_eq!(
        parse(&cancel_req(), 400, unknown).unwrap(),
        AccountAnswer::Cancel(CancelOutcome::NotFound)
    );
    assert_eq!(
        parse(
            &cancel_req(),
            400,
            br#"{"code":-2013,"msg":"Order does not exist."}"#
        )
        .unwrap(),
        AccountAnswer::Cancel(CancelOutcome::NotFound)
    );
    // Another -2011 message is a refusal, not "not found".
    let restricted =
        br#"{"code":-2011,"msg":"Order was not canceled due to cancel restrictions."}"#;
    assert!(matches!(
        parse(&cancel_req(), 400, restricted),
        Err(AccountError::Venue { status: 400, ref code, .. }) if code == "-2011"
    ));
    let key_refused = format!(
        r#"{{"code":-2015,"msg":"Invalid API-key {KEY}, IP, or permissions for action."}}"#
    );
    let e = parse(&BALANCES, 401, key_refused.as_bytes()).unwrap_err();
    assert!(matches!(e, AccountError::AuthRefused { ref code, .. } if code == "-2015"));
    let shown = e.to_string();
    assert!(
        !shown.contains(KEY) && !shown.contains(SECRET) && shown.contains("****"),
        "{shown}"
    );
    assert!(matches!(
        parse(
            &BALANCES,
            400,
            br#"{"code":-1022,"msg":"Signature for this request is not valid."}"#
        ),
        Err(AccountError::AuthRefused { .. })
    ));
    let limited = venue(None).parse_answer(
        &BALANCES,
        &resp(
            429,
            &[("Retry-After", "120")],
            br#"{"code":-1003,"msg":"Too many requests"}"#,
        ),
    );
    assert!(matches!(
        limited,
        Err(AccountError::RateLimited {
            retry_after_ms: 120_000,
            status: 429,
            ..
        })
    ));
    assert!(matches!(
        parse(&BALANCES, 200, b"<html>"),
        Err(AccountError::Unreadable { .. })
    ));
    assert!(matches!(
        parse(&AccountRequest::Time, 200, br#"{"serverTime":"soon"}"#),
        Err(AccountError::Unreadable { .. })
    ));
    assert!(matches!(
        parse(&BALANCES, 503, b""),
        Err(AccountError::Venue { status: 503, .. })
    ));
}
