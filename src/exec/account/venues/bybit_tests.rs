//! Bybit account calls: request bytes (signature recomputed independently) and the documented
//! example answers of `testdata/`.

use super::*;
use crate::exec::account::amount::Amount;
use crate::exec::account::venues::test_util::{header, hmac_hex, resp};
use crate::exec::gateway::codec::{BybitSettings, InstrumentTable};

const KEY: &str = "key123";
const SECRET: &str = "secret456";

fn venue(missing: Option<&'static str>) -> BybitAccount {
    let codec = BybitCodec::new(
        BybitSettings {
            host: "api.bybit.com".into(),
            recv_window_ms: 5000,
            client_id_prefix: String::new(),
        },
        KEY.as_bytes(),
        SECRET.as_bytes(),
        InstrumentTable::default(),
    )
    .unwrap();
    BybitAccount::new("bybit", codec, missing)
}

fn write(req: &AccountRequest) -> String {
    let mut out = Vec::new();
    venue(None)
        .write_request(req, 1_700_000_000_123, &mut out)
        .unwrap();
    String::from_utf8(out).unwrap()
}

fn check_sig(text: &str, payload: &str) {
    assert_eq!(header(text, "X-BAPI-API-KEY"), Some(KEY));
    assert_eq!(header(text, "X-BAPI-TIMESTAMP"), Some("1700000000123"));
    assert_eq!(header(text, "X-BAPI-RECV-WINDOW"), Some("5000"));
    let prehash = format!("1700000000123{KEY}5000{payload}");
    assert_eq!(
        header(text, "X-BAPI-SIGN"),
        Some(hmac_hex(SECRET.as_bytes(), prehash.as_bytes()).as_str())
    );
}

#[test]
fn signed_requests() {
    let t = write(&AccountRequest::Cancel {
        symbol: "BTCUSDT".into(),
        client_id: "ma7".into(),
    });
    let body = r#"{"category":"spot","symbol":"BTCUSDT","orderLinkId":"ma7"}"#;
    assert!(t.starts_with("POST /v5/order/cancel HTTP/1.1\r\nHost: api.bybit.com\r\n"));
    assert!(t.ends_with(&format!("\r\n\r\n{body}")));
    assert_eq!(
        header(&t, "Content-Length"),
        Some(body.len().to_string().as_str())
    );
    check_sig(&t, body);

    let t = write(&AccountRequest::OpenOrders {
        symbol: Some("BTCUSDT".into()),
        cursor: Some("page_args%3Dfd43%26symbol%3D6%26".into()),
    });
    let q =
        "category=spot&openOnly=0&limit=50&symbol=BTCUSDT&cursor=page_args%3Dfd43%26symbol%3D6%26";
    assert!(
        t.starts_with(&format!("GET /v5/order/realtime?{q} HTTP/1.1\r\n")),
        "{t}"
    );
    check_sig(&t, q);

    let t = write(&AccountRequest::Balances);
    assert!(t.starts_with("GET /v5/account/wallet-balance?accountType=UNIFIED HTTP/1.1\r\n"));
    check_sig(&t, "accountType=UNIFIED");

    let t = write(&AccountRequest::Rules {
        symbols: vec!["BTCUSDT".into()],
    });
    assert_eq!(
        t,
        "GET /v5/market/instruments-info?category=spot&symbol=BTCUSDT HTTP/1.1\r\nHost: api.bybit.com\r\n\r\n"
    );
    assert_eq!(
        write(&AccountRequest::Time),
        "GET /v5/market/time HTTP/1.1\r\nHost: api.bybit.com\r\n\r\n"
    );
    let mut out = Vec::new();
    assert!(matches!(
        venue(Some("API credentials")).write_request(&AccountRequest::Balances, 0, &mut out),
        Err(AccountError::NoCredentials { .. })
    ));
    assert!(matches!(
        venue(None).write_request(
            &AccountRequest::OpenOrders {
                symbol: None,
                cursor: Some("a&b".into())
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

fn cancel_req() -> AccountRequest {
    AccountRequest::Cancel {
        symbol: "BTCUSDT".into(),
        client_id: "ma7".into(),
    }
}

#[test]
fn documented_answers() {
    let a = |t: &str| Amount::parse(t.as_bytes()).unwrap();
    assert_eq!(
        parse(
            &cancel_req(),
            200,
            include_bytes!("../testdata/bybit_cancel.json")
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
            include_bytes!("../testdata/bybit_open_orders.json")
        )
        .unwrap(),
        AccountAnswer::OpenOrders {
            orders: vec![OpenOrder {
                symbol: "ETHUSDT".into(),
                client_id: "test-000005".into(),
                venue_order_id: "fd4300ae-7847-404e-b947-b46980a4d140".into(),
                side: Side::Buy,
                price: a("1600.00"),
                qty: a("0.10"),
                filled: a("0.00"),
                state: OrderState::New,
            }],
            next: Some("page_args%3Dfd4300ae-7847-404e-b947-b46980a4d140%26symbol%3D6%26".into()),
        }
    );
    assert_eq!(
        parse(
            &AccountRequest::Balances,
            200,
            include_bytes!("../testdata/bybit_wallet.json")
        )
        .unwrap(),
        AccountAnswer::Balances(vec![Balance {
            asset: "BTC".into(),
            free: a("0"),
            locked: a("0"),
        }])
    );
    let AccountAnswer::Rules(r) = parse(
        &AccountRequest::Rules { symbols: vec![] },
        200,
        include_bytes!("../testdata/bybit_instruments_spot.json"),
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(
        r.instruments,
        vec![TradingRules {
            symbol: "BTCUSDT".into(),
            tick: TickRule::Fixed(a("0.1")),
            step: Some(a("0.000001")),
            min_qty: Some(a("0.000011")),
            min_notional: Some(a("5")),
            trading: true,
            venue_code: None,
        }]
    );
    // Asking for symbols the answer does not hold filters them out.
    let AccountAnswer::Rules(r) = parse(
        &AccountRequest::Rules {
            symbols: vec!["ETHUSDT".into(), "SOLUSDT".into()],
        },
        200,
        include_bytes!("../testdata/bybit_instruments_spot.json"),
    )
    .unwrap() else {
        panic!()
    };
    assert!(r.instruments.is_empty());
    assert_eq!(
        parse(
            &AccountRequest::Time,
            200,
            include_bytes!("../testdata/bybit_time.json")
        )
        .unwrap(),
        AccountAnswer::Time(ServerTime {
            unix_ms: 1_688_639_403_423
        })
    );
}

#[test]
fn free_is_wallet_minus_locked() {
    let body = br#"{"list":[{"coin":[{"coin":"USDT","walletBalance":"100.5","locked":"20.25"}]}]}"#;
    assert_eq!(
        parse_wallet(body).unwrap(),
        vec![Balance {
            asset: "USDT".into(),
            free: Amount::parse(b"80.25").unwrap(),
            locked: Amount::parse(b"20.25").unwrap(),
        }]
    );
}

#[test]
fn errors_by_kind() {
    let not_found = br#"{"retCode":170213,"retMsg":"Order does not exist.","result":{},"retExtInfo":{},"time":1}"#;
    assert_eq!(
        parse(&cancel_req(), 200, not_found).unwrap(),
        AccountAnswer::Cancel(CancelOutcome::NotFound)
    );
    assert!(matches!(
        parse(&AccountRequest::Balances, 200, not_found),
        Err(AccountError::Venue { ref code, .. }) if code == "170213"
    ));
    let sign = br#"{"retCode":10004,"retMsg":"error sign! origin_string[1700000000123key1235000category=spot]","result":{}}"#;
    let e = parse(&AccountRequest::Balances, 200, sign).unwrap_err();
    assert!(matches!(e, AccountError::AuthRefused { ref code, .. } if code == "10004"));
    assert!(!e.to_string().contains(KEY), "{e}");
    assert!(matches!(
        parse(
            &AccountRequest::Balances,
            200,
            br#"{"retCode":10006,"retMsg":"Too many visits!","result":{}}"#
        ),
        Err(AccountError::RateLimited { .. })
    ));
    assert!(matches!(
        parse(&AccountRequest::Balances, 403, b""),
        Err(AccountError::RateLimited { status: 403, .. })
    ));
    assert!(matches!(
        parse(&AccountRequest::Balances, 401, b""),
        Err(AccountError::AuthRefused { status: 401, .. })
    ));
    assert!(matches!(
        parse(
            &AccountRequest::Balances,
            200,
            br#"{"retCode":0,"retMsg":"OK"}"#
        ),
        Err(AccountError::Unreadable { .. })
    ));
}
