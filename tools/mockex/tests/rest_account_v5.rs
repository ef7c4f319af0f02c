//! Bybit and OKX account endpoints over real HTTP (requests signed by `support`, no engine
//! code): GTC orders rest, list as open, lock balance, cancel, and execute when the synthetic
//! quotes move through them; balances follow fills; refusals for short funds and off-rule
//! orders in each venue's codes; rules, time and the public book.

mod support;

use mockex::{AccountConfig, VenueKind};
use support::{base, bybit, coarse, eventually, http, okx, px2, px8, start_with};

fn small(quote_balance: u64) -> AccountConfig {
    AccountConfig {
        base: "BTC".into(),
        quote: "USDT".into(),
        base_balance: 1,
        quote_balance,
    }
}

fn coin<'a>(list: &'a serde_json::Value, key: &str, name: &str) -> &'a serde_json::Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c[key] == name)
        .unwrap_or_else(|| panic!("{name} in {list}"))
}

#[test]
fn bybit_account_gtc_cancel_rules_time_book() {
    let ex = start_with(&[VenueKind::Bybit], |c| {
        c.rest_accounts.insert("bybit".into(), small(100_000));
    });
    let b = base(&ex, "bybit");
    let wallet = |b: &str| {
        let r = bybit(
            b,
            "GET",
            "/v5/account/wallet-balance",
            "accountType=UNIFIED",
        );
        r.body["result"]["list"][0]["coin"].clone()
    };
    let w = wallet(&b);
    assert_eq!(coin(&w, "coin", "USDT")["walletBalance"], "100000");
    let top = ex.top_of_book("bybit").unwrap();
    let body = format!(
        r#"{{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.01","price":"{}"}}"#,
        px2(top.bid_px / 2)
    );
    let r = bybit(&b, "POST", "/v5/order/create", &body);
    assert_eq!(r.body["retCode"], 0, "{}", r.body);
    let id = r.body["result"]["orderId"].as_str().unwrap().to_owned();
    let open = bybit(
        &b,
        "GET",
        "/v5/order/realtime",
        "category=spot&symbol=BTCUSDT",
    );
    let list = &open.body["result"]["list"];
    assert_eq!(
        (
            list.as_array().unwrap().len(),
            list[0]["orderStatus"].as_str()
        ),
        (1, Some("New"))
    );
    assert_ne!(coin(&wallet(&b), "coin", "USDT")["locked"], "0");
    let cancel = format!(r#"{{"category":"spot","symbol":"BTCUSDT","orderId":"{id}"}}"#);
    let c = bybit(&b, "POST", "/v5/order/cancel", &cancel);
    assert_eq!(
        (
            c.body["retCode"].as_i64(),
            c.body["result"]["orderId"].as_str()
        ),
        (Some(0), Some(id.as_str()))
    );
    let c = bybit(&b, "POST", "/v5/order/cancel", &cancel);
    assert_eq!(c.body["retCode"], 170213);
    let w = wallet(&b);
    assert_eq!(
        (
            coin(&w, "coin", "USDT")["walletBalance"].as_str(),
            coin(&w, "coin", "USDT")["locked"].as_str()
        ),
        (Some("100000"), Some("0"))
    );
    let closed = bybit(&b, "GET", "/v5/order/realtime", "category=spot&openOnly=1");
    assert_eq!(closed.body["result"]["list"][0]["orderStatus"], "Cancelled");
    // Short of funds: 170131.
    let body = format!(
        r#"{{"category":"spot","symbol":"BTCUSDT","side":"Sell","orderType":"Limit","qty":"5","price":"{}","timeInForce":"IOC"}}"#,
        px8(top.bid_px)
    );
    assert_eq!(
        bybit(&b, "POST", "/v5/order/create", &body).body["retCode"],
        170131
    );
    // A GTC buy one tick above the bid executes when an ask comes down to it.
    let top = ex.top_of_book("bybit").unwrap();
    let body = format!(
        r#"{{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.001","price":"{}","orderLinkId":"cross-1"}}"#,
        px8(top.bid_px + 1_000_000)
    );
    assert_eq!(
        bybit(&b, "POST", "/v5/order/create", &body).body["retCode"],
        0
    );
    eventually(|| {
        let q = bybit(
            &b,
            "GET",
            "/v5/order/realtime",
            "category=spot&orderLinkId=cross-1",
        );
        (q.body["result"]["list"][0]["orderStatus"] == "Filled").then_some(())
    });
    let w = wallet(&b);
    assert_eq!(coin(&w, "coin", "BTC")["walletBalance"], "1.001");
    // Public: time, instruments, the book; wallet needs accountType.
    let t = http(&b, "GET", "/v5/market/time", &[], "");
    assert!(
        t.body["result"]["timeSecond"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 1_600_000_000
    );
    let i = http(
        &b,
        "GET",
        "/v5/market/instruments-info?category=spot&symbol=BTCUSDT",
        &[],
        "",
    );
    let inst = &i.body["result"]["list"][0];
    assert_eq!(
        (
            inst["baseCoin"].as_str(),
            inst["priceFilter"]["tickSize"].as_str()
        ),
        (Some("BTC"), Some("0.00000001"))
    );
    let ob = http(
        &b,
        "GET",
        "/v5/market/orderbook?category=spot&symbol=BTCUSDT&limit=1",
        &[],
        "",
    );
    assert_eq!(ob.body["result"]["s"], "BTCUSDT");
    assert_eq!(ob.body["result"]["b"].as_array().unwrap().len(), 1);
    let r = bybit(&b, "GET", "/v5/account/wallet-balance", "");
    assert_eq!(
        (r.body["retCode"].as_i64(), r.body["retMsg"].as_str()),
        (Some(170105), Some("Parameter 'accountType' was empty."))
    );
}

#[test]
fn bybit_off_rule_orders() {
    let ex = start_with(&[VenueKind::Bybit], |c| {
        c.rest_rules.insert("bybit".into(), coarse());
    });
    let b = base(&ex, "bybit");
    let order = |qty: &str, price: &str| {
        let body = format!(
            r#"{{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"{qty}","price":"{price}","timeInForce":"IOC"}}"#
        );
        bybit(&b, "POST", "/v5/order/create", &body).body["retCode"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(order("0.001", "60000.005"), 170134);
    assert_eq!(order("0.00105", "60000.01"), 170137);
    assert_eq!(order("0.0005", "60000.01"), 170136);
    assert_eq!(order("0.001", "1.00"), 170140);
    assert_eq!(order("0.001", "120000.00"), 0);
    let i = http(
        &b,
        "GET",
        "/v5/market/instruments-info?category=spot",
        &[],
        "",
    );
    let lot = &i.body["result"]["list"][0]["lotSizeFilter"];
    assert_eq!(
        (
            lot["basePrecision"].as_str(),
            lot["minOrderQty"].as_str(),
            lot["minOrderAmt"].as_str()
        ),
        (Some("0.0001"), Some("0.001"), Some("5"))
    );
}

#[test]
fn okx_account_gtc_cancel_rules_time_book() {
    let ex = start_with(&[VenueKind::Okx], |c| {
        c.rest_accounts.insert("okx".into(), small(100_000));
    });
    let b = base(&ex, "okx");
    let bal =
        |b: &str| okx(b, "GET", "/api/v5/account/balance", "").body["data"][0]["details"].clone();
    assert_eq!(coin(&bal(&b), "ccy", "USDT")["cashBal"], "100000");
    let top = ex.top_of_book("okx").unwrap();
    let body = format!(
        r#"{{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"{}","sz":"0.01"}}"#,
        px2(top.bid_px / 2)
    );
    let r = okx(&b, "POST", "/api/v5/trade/order", &body);
    assert_eq!(r.body["data"][0]["sCode"], "0", "{}", r.body);
    let id = r.body["data"][0]["ordId"].as_str().unwrap().to_owned();
    let p = okx(
        &b,
        "GET",
        "/api/v5/trade/orders-pending?instType=SPOT&instId=BTC-USDT",
        "",
    );
    assert_eq!(
        (
            p.body["data"].as_array().unwrap().len(),
            p.body["data"][0]["state"].as_str()
        ),
        (1, Some("live"))
    );
    assert_ne!(coin(&bal(&b), "ccy", "USDT")["frozenBal"], "0");
    let cancel = format!(r#"{{"instId":"BTC-USDT","ordId":"{id}"}}"#);
    let c = okx(&b, "POST", "/api/v5/trade/cancel-order", &cancel);
    assert_eq!(
        (c.body["code"].as_str(), c.body["data"][0]["sCode"].as_str()),
        (Some("0"), Some("0")),
        "{}",
        c.body
    );
    let c = okx(&b, "POST", "/api/v5/trade/cancel-order", &cancel);
    assert_eq!(
        (c.body["code"].as_str(), c.body["data"][0]["sCode"].as_str()),
        (Some("1"), Some("51400"))
    );
    let q = okx(
        &b,
        "GET",
        &format!("/api/v5/trade/order?instId=BTC-USDT&ordId={id}"),
        "",
    );
    assert_eq!(q.body["data"][0]["state"], "canceled");
    let d = bal(&b);
    assert_eq!(
        (
            coin(&d, "ccy", "USDT")["availBal"].as_str(),
            coin(&d, "ccy", "USDT")["frozenBal"].as_str()
        ),
        (Some("100000"), Some("0"))
    );
    // Short of funds: 51008 in the order's data.
    let body = format!(
        r#"{{"instId":"BTC-USDT","tdMode":"cash","side":"sell","ordType":"ioc","px":"{}","sz":"5","clOrdId":"short1"}}"#,
        px8(top.bid_px)
    );
    let r = okx(&b, "POST", "/api/v5/trade/order", &body);
    assert_eq!(
        (
            r.body["data"][0]["sCode"].as_str(),
            r.body["data"][0]["clOrdId"].as_str()
        ),
        (Some("51008"), Some("short1"))
    );
    // Crossing.
    let top = ex.top_of_book("okx").unwrap();
    let body = format!(
        r#"{{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"{}","sz":"0.001","clOrdId":"cross1"}}"#,
        px8(top.bid_px + 1_000_000)
    );
    assert_eq!(
        okx(&b, "POST", "/api/v5/trade/order", &body).body["data"][0]["sCode"],
        "0"
    );
    eventually(|| {
        let q = okx(
            &b,
            "GET",
            "/api/v5/trade/order?instId=BTC-USDT&clOrdId=cross1",
            "",
        );
        (q.body["data"][0]["state"] == "filled").then_some(())
    });
    assert_eq!(coin(&bal(&b), "ccy", "BTC")["cashBal"], "1.001");
    // Public: time, instruments, books.
    let t = http(&b, "GET", "/api/v5/public/time", &[], "");
    assert!(
        t.body["data"][0]["ts"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 1_600_000_000_000
    );
    let i = http(
        &b,
        "GET",
        "/api/v5/public/instruments?instType=SPOT&instId=BTC-USDT",
        &[],
        "",
    );
    assert_eq!(
        (
            i.body["data"][0]["baseCcy"].as_str(),
            i.body["data"][0]["tickSz"].as_str()
        ),
        (Some("BTC"), Some("0.00000001"))
    );
    let i = http(&b, "GET", "/api/v5/public/instruments", &[], "");
    assert_eq!((i.status, i.body["code"].as_str()), (400, Some("50014")));
    let ob = http(
        &b,
        "GET",
        "/api/v5/market/books?instId=BTC-USDT&sz=1",
        &[],
        "",
    );
    assert_eq!(ob.body["data"][0]["asks"][0].as_array().unwrap().len(), 4);
    let s = ex.venue_stats("okx").unwrap();
    assert_eq!(
        (
            s.rest_cancels,
            s.rest_open_orders,
            s.rest_time,
            s.rest_books
        ),
        (2, 1, 1, 1)
    );
}

#[test]
fn okx_off_rule_orders() {
    let ex = start_with(&[VenueKind::Okx], |c| {
        c.rest_rules.insert("okx".into(), coarse());
    });
    let b = base(&ex, "okx");
    let order = |sz: &str, px: &str| {
        let body = format!(
            r#"{{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"ioc","px":"{px}","sz":"{sz}"}}"#
        );
        let r = okx(&b, "POST", "/api/v5/trade/order", &body);
        r.body["data"][0]["sCode"].as_str().unwrap().to_owned()
    };
    assert_eq!(order("0.001", "60000.005"), "51000");
    assert_eq!(order("0.00105", "60000.01"), "51121");
    assert_eq!(order("0.0005", "60000.01"), "51020");
    assert_eq!(order("0.001", "120000.00"), "0");
    let i = http(
        &b,
        "GET",
        "/api/v5/public/instruments?instType=SPOT",
        &[],
        "",
    );
    let d = &i.body["data"][0];
    assert_eq!(
        (
            d["tickSz"].as_str(),
            d["lotSz"].as_str(),
            d["minSz"].as_str()
        ),
        (Some("0.01"), Some("0.0001"), Some("0.001"))
    );
}
