//! OKX account calls: request bytes (signature recomputed independently) and the example answers
//! of `testdata/` (OKX's own, as ccxt quotes them).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::*;
use crate::exec::account::amount::Amount;
use crate::exec::account::venues::test_util::{header, resp};
use crate::exec::gateway::codec::{InstrumentTable, OkxSettings};

const KEY: &str = "key123";
const SECRET: &str = "secret456";
const PASS: &str = "pass789";

fn venue(missing: Option<&'static str>) -> OkxAccount {
    let codec = OkxCodec::new(
        OkxSettings {
            host: "www.okx.com".into(),
            client_id_prefix: String::new(),
        },
        KEY.as_bytes(),
        SECRET.as_bytes(),
        PASS.as_bytes(),
        InstrumentTable::default(),
    )
    .unwrap();
    OkxAccount::new("okx", codec, missing)
}

fn write(req: &AccountRequest) -> String {
    let mut out = Vec::new();
    venue(None)
        .write_request(req, 1_607_418_537_715, &mut out)
        .unwrap();
    String::from_utf8(out).unwrap()
}

fn check_sig(text: &str, method: &str, path: &str, body: &str) {
    let ts = "2020-12-08T09:08:57.715Z";
    assert_eq!(header(text, "OK-ACCESS-KEY"), Some(KEY));
    assert_eq!(header(text, "OK-ACCESS-PASSPHRASE"), Some(PASS));
    assert_eq!(header(text, "OK-ACCESS-TIMESTAMP"), Some(ts));
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET.as_bytes());
    let want = STANDARD.encode(ring::hmac::sign(
        &key,
        format!("{ts}{method}{path}{body}").as_bytes(),
    ));
    assert_eq!(header(text, "OK-ACCESS-SIGN"), Some(want.as_str()));
}

#[test]
fn signed_requests() {
    let t = write(&AccountRequest::Cancel {
        symbol: "BTC-USDT".into(),
        client_id: "ma7".into(),
    });
    let body = r#"{"instId":"BTC-USDT","clOrdId":"ma7"}"#;
    assert!(t.starts_with("POST /api/v5/trade/cancel-order HTTP/1.1\r\nHost: www.okx.com\r\n"));
    assert!(t.ends_with(&format!("\r\n\r\n{body}")));
    check_sig(&t, "POST", "/api/v5/trade/cancel-order", body);

    let t = write(&AccountRequest::OpenOrders {
        symbol: Some("BTC-USDT".into()),
        cursor: Some("317251910906576896".into()),
    });
    let path =
        "/api/v5/trade/orders-pending?instType=SPOT&instId=BTC-USDT&after=317251910906576896";
    assert!(t.starts_with(&format!("GET {path} HTTP/1.1\r\n")));
    check_sig(&t, "GET", path, "");

    let t = write(&AccountRequest::Balances);
    assert!(t.starts_with("GET /api/v5/account/balance HTTP/1.1\r\n"));
    check_sig(&t, "GET", "/api/v5/account/balance", "");

    assert_eq!(
        write(&AccountRequest::Rules { symbols: vec![] }),
        "GET /api/v5/public/instruments?instType=SPOT HTTP/1.1\r\nHost: www.okx.com\r\n\r\n"
    );
    assert_eq!(
        write(&AccountRequest::Time),
        "GET /api/v5/public/time HTTP/1.1\r\nHost: www.okx.com\r\n\r\n"
    );
    let mut out = Vec::new();
    let e = venue(Some("an OKX API passphrase"))
        .write_request(&AccountRequest::Balances, 0, &mut out)
        .unwrap_err();
    assert!(e.to_string().contains("passphrase"), "{e}");
}

fn parse(req: &AccountRequest, status: u16, body: &[u8]) -> Result<AccountAnswer, AccountError> {
    venue(None).parse_answer(req, &resp(status, &[], body))
}

fn cancel_req() -> AccountRequest {
    AccountRequest::Cancel {
        symbol: "ETH-USDT".into(),
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
            include_bytes!("../testdata/okx_cancel.json")
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
            include_bytes!("../testdata/okx_orders_pending.json")
        )
        .unwrap(),
        AccountAnswer::OpenOrders {
            orders: vec![OpenOrder {
                symbol: "ETH-USDT".into(),
                client_id: String::new(),
                venue_order_id: "317251910906576896".into(),
                side: Side::Buy,
                price: a("2000"),
                qty: a("0.001"),
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
            include_bytes!("../testdata/okx_balance.json")
        )
        .unwrap(),
        AccountAnswer::Balances(vec![Balance {
            asset: "BTC".into(),
            free: a("0.049"),
            locked: a("0"),
        }])
    );
    let AccountAnswer::Rules(r) = parse(
        &AccountRequest::Rules {
            symbols: vec!["BTC-USDT".into()],
        },
        200,
        include_bytes!("../testdata/okx_instruments.json"),
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(
        r.instruments,
        vec![TradingRules {
            symbol: "BTC-USDT".into(),
            tick: TickRule::Fixed(a("0.1")),
            step: Some(a("0.00000001")),
            min_qty: Some(a("0.00001")),
            min_notional: None,
            trading: true,
            venue_code: None,
        }]
    );
    assert_eq!(
        parse(
            &AccountRequest::Time,
            200,
            include_bytes!("../testdata/okx_time.json")
        )
        .unwrap(),
        AccountAnswer::Time(ServerTime {
            unix_ms: 1_621_247_923_668
        })
    );
}

#[test]
fn a_full_page_continues_after_its_last_order() {
    let one = r#"{"accFillSz":"0.5","clOrdId":"ma1","instId":"BTC-USDT","ordId":"ID","px":"1","side":"sell","state":"partially_filled","sz":"1"}"#;
    let page: Vec<String> = (0..PAGE)
        .map(|i| one.replace("ID", &format!("{}", 1000 - i)))
        .collect();
    let body = format!(r#"{{"code":"0","msg":"","data":[{}]}}"#, page.join(","));
    let AccountAnswer::OpenOrders { orders, next } = parse(
        &AccountRequest::OpenOrders {
            symbol: None,
            cursor: None,
        },
        200,
        body.as_bytes(),
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(orders.len(), PAGE);
    assert_eq!(orders[0].state, OrderState::PartiallyFilled);
    assert_eq!(next.as_deref(), Some("901"));
}

#[test]
fn cancel_codes_and_errors() {
    let with = |s: &str| {
        format!(
            r#"{{"code":"1","msg":"Operation failed.","data":[{{"clOrdId":"ma7","ordId":"","sCode":"{s}","sMsg":"x"}}]}}"#
        )
    };
    let cancel = |s: &str| parse(&cancel_req(), 200, with(s).as_bytes());
    assert_eq!(
        cancel("51400").unwrap(),
        AccountAnswer::Cancel(CancelOutcome::NotFound)
    );
    assert_eq!(
        cancel("51401").unwrap(),
        AccountAnswer::Cancel(CancelOutcome::AlreadyFinal)
    );
    assert_eq!(
        cancel("51402").unwrap(),
        AccountAnswer::Cancel(CancelOutcome::AlreadyFinal)
    );
    assert_eq!(
        cancel("51410").unwrap(),
        AccountAnswer::Cancel(CancelOutcome::Cancelled)
    );
    assert!(
        matches!(cancel("51000"), Err(AccountError::Venue { ref code, .. }) if code == "51000")
    );
    let sign = format!(r#"{{"code":"50113","msg":"Invalid Sign {PASS}","data":[]}}"#);
    let e = parse(&AccountRequest::Balances, 401, sign.as_bytes()).unwrap_err();
    assert!(matches!(e, AccountError::AuthRefused { ref code, .. } if code == "50113"));
    assert!(!e.to_string().contains(PASS), "{e}");
    assert!(matches!(
        parse(
            &AccountRequest::Balances,
            429,
            br#"{"code":"50011","msg":"Too Many Requests","data":[]}"#
        ),
        Err(AccountError::RateLimited { .. })
    ));
    assert!(matches!(
        parse(&AccountRequest::Balances, 200, br#"{"code":"0","msg":""}"#),
        Err(AccountError::Unreadable { .. })
    ));
    // An empty balance detail falls back to cashBal - frozenBal.
    let b = br#"{"code":"0","msg":"","data":[{"details":[{"ccy":"USDT","availBal":"","cashBal":"10","frozenBal":"2.5"}]}]}"#;
    let AccountAnswer::Balances(b) = parse(&AccountRequest::Balances, 200, b).unwrap() else {
        panic!()
    };
    assert_eq!(b[0].free.to_string(), "7.5");
}

#[test]
fn instruments_carry_the_inst_id_code_when_published() {
    let rules = |code: &str| {
        let body = format!(
            r#"{{"code":"0","msg":"","data":[{{"instType":"SPOT","instId":"BTC-USDT","tickSz":"0.1","lotSz":"0.00000001","minSz":"0.00001","state":"live"{code}}}]}}"#
        );
        parse(
            &AccountRequest::Rules {
                symbols: vec!["BTC-USDT".into()],
            },
            200,
            body.as_bytes(),
        )
        .map(|a| match a {
            AccountAnswer::Rules(r) => r.instruments[0].venue_code,
            other => panic!("{other:?}"),
        })
    };
    assert_eq!(rules(r#","instIdCode":10"#).unwrap(), Some(10));
    assert_eq!(
        rules(r#","instIdCode":"2021032601102994""#).unwrap(),
        Some(2021032601102994)
    );
    assert_eq!(rules("").unwrap(), None);
    assert_eq!(rules(r#","instIdCode":"""#).unwrap(), None);
    assert!(rules(r#","instIdCode":"BTC""#).is_err());
    assert!(rules(r#","instIdCode":-1"#).is_err());
}
