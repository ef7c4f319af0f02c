//! OKX v5 over real HTTP against requests signed by this test alone (`support`): place and
//! order details, optional clOrdId absent, the passphrase, auth refusals (HTTP 401 with OKX's
//! codes), per-order sCode refusals, 429 50011, faults.

mod support;

use mockex::{RestFault, RestLimits, VenueKind};
use support::{base, now_ms, okx, okx_with, px8, start, OkxCreds};

fn place(b: &str, side: &str, ord_type: &str, px: i64, extra: &str) -> support::Resp {
    let body = format!(
        r#"{{"instId":"BTC-USDT","tdMode":"cash","side":"{side}","ordType":"{ord_type}","px":"{}","sz":"0.001"{extra}}}"#,
        px8(px)
    );
    okx(b, "POST", "/api/v5/trade/order", &body)
}

#[test]
fn okx_place_status_auth_and_limits() {
    let ex = start(
        &[VenueKind::Okx],
        RestLimits {
            okx_orders_per_2s: 2,
            ..RestLimits::default()
        },
    );
    let b = base(&ex, "okx");
    let ask = ex.top_of_book("okx").unwrap().ask_px;
    let r = place(&b, "buy", "ioc", ask * 2, r#","clOrdId":"ok1""#);
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (200, Some("0")),
        "{}",
        r.body
    );
    assert_eq!(
        (
            r.body["data"][0]["sCode"].as_str(),
            r.body["data"][0]["clOrdId"].as_str()
        ),
        (Some("0"), Some("ok1"))
    );
    assert!(r.body["inTime"].as_str().is_some());
    let q = okx(
        &b,
        "GET",
        "/api/v5/trade/order?instId=BTC-USDT&clOrdId=ok1",
        "",
    );
    let o = &q.body["data"][0];
    assert_eq!(
        (
            o["state"].as_str(),
            o["accFillSz"].as_str(),
            o["ordType"].as_str()
        ),
        (Some("filled"), Some("0.001"), Some("ioc")),
        "{}",
        q.body
    );
    // No clOrdId: the ordId finds it.
    let r = place(&b, "buy", "ioc", ask * 2, "");
    let id = r.body["data"][0]["ordId"].as_str().unwrap().to_owned();
    assert_eq!(r.body["data"][0]["clOrdId"], "");
    let q = okx(
        &b,
        "GET",
        &format!("/api/v5/trade/order?instId=BTC-USDT&ordId={id}"),
        "",
    );
    assert_eq!(q.body["data"][0]["state"], "filled");
    let q = okx(
        &b,
        "GET",
        "/api/v5/trade/order?instId=BTC-USDT&clOrdId=none1",
        "",
    );
    assert_eq!((q.status, q.body["code"].as_str()), (200, Some("51603")));
    // Per-order refusal: an unknown instrument; parameter errors: HTTP 400.
    let r = okx(
        &b,
        "POST",
        "/api/v5/trade/order",
        r#"{"instId":"ETH-USDT","tdMode":"cash","side":"buy","ordType":"ioc","px":"1","sz":"1","clOrdId":"e1"}"#,
    );
    assert_eq!(
        (
            r.status,
            r.body["code"].as_str(),
            r.body["data"][0]["sCode"].as_str()
        ),
        (200, Some("1"), Some("51001"))
    );
    assert_eq!(r.body["data"][0]["clOrdId"], "e1");
    // The third placement in 2 s on BTC-USDT (ETH-USDT counts apart): 429 50011.
    let r = place(&b, "buy", "ioc", ask * 2, "");
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (429, Some("50011")),
        "{}",
        r.body
    );
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let r = okx(
        &b,
        "POST",
        "/api/v5/trade/order",
        r#"{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"ioc","px":"1"}"#,
    );
    assert_eq!(
        (r.status, r.body["code"].as_str(), r.body["msg"].as_str()),
        (400, Some("50014"), Some("Parameter sz can not be empty."))
    );
    let r = okx(
        &b,
        "POST",
        "/api/v5/trade/order",
        r#"{"instId":"BTC-USDT","tdMode":"cross","side":"buy","ordType":"ioc","px":"1","sz":"1"}"#,
    );
    assert_eq!((r.status, r.body["code"].as_str()), (400, Some("51000")));
    // Authentication: 401 with OKX's codes.
    let path = "/api/v5/trade/order?instId=BTC-USDT&clOrdId=ok1";
    let get = |c: OkxCreds<'_>| okx_with(&b, "GET", path, "", c);
    let r = get(OkxCreds {
        passphrase: "wrong",
        ..OkxCreds::default()
    });
    assert_eq!((r.status, r.body["code"].as_str()), (401, Some("50105")));
    let r = get(OkxCreds {
        passphrase: "",
        ..OkxCreds::default()
    });
    assert_eq!(r.body["code"], "50104");
    let r = get(OkxCreds {
        key: "other",
        ..OkxCreds::default()
    });
    assert_eq!(r.body["code"], "50111");
    let r = get(OkxCreds {
        secret: "wrong",
        ..OkxCreds::default()
    });
    assert_eq!(r.body["code"], "50113");
    let r = get(OkxCreds {
        ts: now_ms() - 60_000,
        ..OkxCreds::default()
    });
    assert_eq!(r.body["code"], "50102");
    let r = support::http(&b, "GET", path, &[], "");
    assert_eq!((r.status, r.body["code"].as_str()), (401, Some("50103")));
    let s = ex.venue_stats("okx").unwrap();
    assert_eq!(
        (
            s.rest_bad_passphrases,
            s.rest_unknown_keys,
            s.rest_bad_signatures,
            s.rest_stale_timestamps,
            s.rest_429s
        ),
        (2, 2, 1, 1, 1)
    );
    assert_eq!((s.rest_fills, s.rest_status_queries), (2, 9));
}

#[test]
fn okx_faults() {
    let ex = start(&[VenueKind::Okx], RestLimits::default());
    let b = base(&ex, "okx");
    let ctl = ex.control();
    let ask = ex.top_of_book("okx").unwrap().ask_px;
    ctl.inject_rest("okx", RestFault::ServerError).unwrap();
    let r = place(&b, "buy", "ioc", ask * 2, r#","clOrdId":"f1""#);
    assert_eq!((r.status, r.body["code"].as_str()), (500, Some("50026")));
    let q = okx(
        &b,
        "GET",
        "/api/v5/trade/order?instId=BTC-USDT&clOrdId=f1",
        "",
    );
    assert_eq!(
        q.body["data"][0]["state"], "filled",
        "executed behind the 5xx"
    );
    ctl.inject_rest("okx", RestFault::Reject).unwrap();
    let r = place(&b, "buy", "ioc", ask * 2, r#","clOrdId":"f2""#);
    assert_eq!(
        (
            r.body["code"].as_str(),
            r.body["data"][0]["sCode"].as_str(),
            r.body["data"][0]["clOrdId"].as_str()
        ),
        (Some("1"), Some("51008"), Some("f2"))
    );
    ctl.inject_rest("okx", RestFault::RateLimitStorm).unwrap();
    let r = place(&b, "buy", "ioc", ask * 2, "");
    assert_eq!((r.status, r.body["code"].as_str()), (429, Some("50011")));
    ctl.inject_rest("okx", RestFault::Clear).unwrap();
    let r = place(&b, "sell", "ioc", 1, "");
    assert_eq!(r.body["data"][0]["sCode"], "0");
}
