//! Bybit v5 spot over real HTTP against requests signed by this test alone (`support`): order
//! create and realtime status, optional fields absent, auth refusals with Bybit's retCodes, the
//! `X-Bapi-*` headers and 10006, faults.

mod support;

use mockex::{RestFault, RestLimits, VenueKind};
use support::{base, bybit, bybit_at, now_ms, px8, start, KEY, SECRET};

fn create(b: &str, side: &str, px: i64, extra: &str) -> support::Resp {
    let body = format!(
        r#"{{"category":"spot","symbol":"BTCUSDT","side":"{side}","orderType":"Limit","qty":"0.001","price":"{}"{extra}}}"#,
        px8(px)
    );
    bybit(b, "POST", "/v5/order/create", &body)
}

#[test]
fn bybit_create_status_refusals_and_limits() {
    let ex = start(
        &[VenueKind::Bybit],
        RestLimits {
            bybit_create_per_sec: 3,
            ..RestLimits::default()
        },
    );
    let b = base(&ex, "bybit");
    let ask = ex.top_of_book("bybit").unwrap().ask_px;
    // IOC with a client id: filled; the UID limit headers count it.
    let r = create(
        &b,
        "Buy",
        ask * 2,
        r#","timeInForce":"IOC","orderLinkId":"by-1""#,
    );
    assert_eq!(
        (r.status, r.body["retCode"].as_i64()),
        (200, Some(0)),
        "{}",
        r.body
    );
    assert_eq!(r.body["result"]["orderLinkId"], "by-1");
    assert_eq!(r.header("x-bapi-limit"), Some("3"));
    assert_eq!(r.header("x-bapi-limit-status"), Some("2"));
    let reset: u64 = r
        .header("x-bapi-limit-reset-timestamp")
        .unwrap()
        .parse()
        .unwrap();
    assert!(reset.abs_diff(now_ms()) < 5_000);
    let q = bybit(
        &b,
        "GET",
        "/v5/order/realtime",
        "category=spot&orderLinkId=by-1",
    );
    let o = &q.body["result"]["list"][0];
    assert_eq!(
        (o["orderStatus"].as_str(), o["cumExecQty"].as_str()),
        (Some("Filled"), Some("0.001")),
        "{}",
        q.body
    );
    assert_eq!(
        (o["timeInForce"].as_str(), o["side"].as_str()),
        (Some("IOC"), Some("Buy"))
    );
    assert!(q.header("x-bapi-limit").is_some());
    // No orderLinkId, no timeInForce (GTC by default): the order id finds it.
    let r = create(&b, "Buy", ask * 2, "");
    assert_eq!(r.body["retCode"], 0, "{}", r.body);
    assert_eq!(r.body["result"]["orderLinkId"], "");
    let id = r.body["result"]["orderId"].as_str().unwrap().to_owned();
    let q = bybit(
        &b,
        "GET",
        "/v5/order/realtime",
        &format!("category=spot&orderId={id}"),
    );
    assert_eq!(q.body["result"]["list"][0]["timeInForce"], "GTC");
    assert_eq!(q.body["result"]["list"][0]["orderStatus"], "Filled");
    // No such order: an empty list, as Bybit answers.
    let q = bybit(
        &b,
        "GET",
        "/v5/order/realtime",
        "category=spot&orderLinkId=nope",
    );
    assert_eq!(
        (
            q.body["retCode"].as_i64(),
            q.body["result"]["list"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0))
    );
    // The third order this second, then the fourth: 10006 with the reset time.
    let r = create(&b, "Sell", 1, r#","timeInForce":"IOC""#);
    assert_eq!(r.body["retCode"], 0);
    let r = create(&b, "Sell", 1, r#","timeInForce":"IOC""#);
    assert_eq!(
        (r.status, r.body["retCode"].as_i64()),
        (200, Some(10006)),
        "{}",
        r.body
    );
    assert_eq!(r.body["retMsg"], "Too many visits!");
    assert_eq!(r.header("x-bapi-limit-status"), Some("0"));
    let reset: u64 = r
        .header("x-bapi-limit-reset-timestamp")
        .unwrap()
        .parse()
        .unwrap();
    assert!(reset > now_ms().saturating_sub(1000) && reset <= now_ms() + 1000);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    // Parameters named as Bybit names them.
    let r = bybit(
        &b,
        "POST",
        "/v5/order/create",
        r#"{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","price":"1"}"#,
    );
    assert_eq!(
        (r.body["retCode"].as_i64(), r.body["retMsg"].as_str()),
        (Some(170105), Some("Parameter 'qty' was empty."))
    );
    let r = create(&b, "Up", 1, "");
    assert_eq!(r.body["retCode"], 170117);
    let r = bybit(
        &b,
        "POST",
        "/v5/order/create",
        r#"{"category":"spot","symbol":"ETHUSDT","side":"Buy","orderType":"Limit","qty":"1","price":"1"}"#,
    );
    assert_eq!(r.body["retCode"], 170121);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    // Authentication: key, signature, time window; HTTP 200 with the retCode.
    let body = r#"{"category":"spot"}"#;
    let r = bybit_at(
        &b,
        "POST",
        "/v5/order/create",
        body,
        "other",
        SECRET,
        now_ms(),
    );
    assert_eq!((r.status, r.body["retCode"].as_i64()), (200, Some(10003)));
    let r = bybit_at(&b, "POST", "/v5/order/create", body, KEY, "wrong", now_ms());
    assert_eq!(r.body["retCode"], 10004);
    let r = bybit_at(
        &b,
        "POST",
        "/v5/order/create",
        body,
        KEY,
        SECRET,
        now_ms() - 10_000,
    );
    assert_eq!(r.body["retCode"], 10002);
    let r = support::http(&b, "GET", "/v5/order/nothing", &[], "");
    assert_eq!(r.status, 404);
    let s = ex.venue_stats("bybit").unwrap();
    assert_eq!(
        (
            s.rest_unknown_keys,
            s.rest_bad_signatures,
            s.rest_stale_timestamps,
            s.rest_429s,
            s.rest_fills
        ),
        (1, 1, 1, 1, 3),
        "two buys and the sell at 1 filled"
    );
    assert_eq!((s.rest_orders, s.rest_status_queries), (10, 3));
}

#[test]
fn bybit_faults() {
    let ex = start(&[VenueKind::Bybit], RestLimits::default());
    let b = base(&ex, "bybit");
    let ctl = ex.control();
    let ask = ex.top_of_book("bybit").unwrap().ask_px;
    ctl.inject_rest("bybit", RestFault::ServerError).unwrap();
    let r = create(
        &b,
        "Buy",
        ask * 2,
        r#","timeInForce":"IOC","orderLinkId":"f1""#,
    );
    assert_eq!((r.status, r.body["retCode"].as_i64()), (503, Some(10016)));
    // The order executed behind the 5xx: the status query tells.
    let q = bybit(
        &b,
        "GET",
        "/v5/order/realtime",
        "category=spot&orderLinkId=f1",
    );
    assert_eq!(q.body["result"]["list"][0]["orderStatus"], "Filled");
    ctl.inject_rest("bybit", RestFault::Reject).unwrap();
    let r = create(&b, "Buy", ask * 2, r#","orderLinkId":"f2""#);
    assert_eq!(r.body["retCode"], 170131);
    ctl.inject_rest("bybit", RestFault::RateLimitStorm).unwrap();
    let r = create(&b, "Buy", ask * 2, "");
    assert_eq!((r.status, r.body["retCode"].as_i64()), (200, Some(10006)));
    assert!(r.header("x-bapi-limit-reset-timestamp").is_some());
    ctl.inject_rest("bybit", RestFault::Clear).unwrap();
    let s = ex.venue_stats("bybit").unwrap();
    assert_eq!(
        (s.rest_5xx, s.rest_rejects, s.rest_429s, s.rest_fills),
        (1, 1, 1, 1)
    );
}
