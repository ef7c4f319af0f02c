//! Binance and Upbit account endpoints over real HTTP (requests signed by `support`, no engine
//! code): GTC orders rest, show in open orders, lock balance, cancel, and execute when the
//! synthetic quotes move through them; IOC fills move balances; orders the account cannot cover
//! and off-rule orders are refused as the venue refuses them; optional client ids absent; rules,
//! time and the public book.

mod support;

use mockex::{AccountConfig, VenueKind};
use support::{base, binance, coarse, eventually, http, px2, px8, start_with, upbit, SECRET};

fn small(venue: &str, quote: &str) -> (String, AccountConfig) {
    let a = AccountConfig {
        base: "BTC".into(),
        quote: quote.into(),
        base_balance: 1,
        quote_balance: 100_000,
    };
    (venue.into(), a)
}

fn balance<'a>(list: &'a serde_json::Value, key: &str, asset: &str) -> &'a serde_json::Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|b| b[key] == asset)
        .unwrap_or_else(|| panic!("{asset} in {list}"))
}

#[test]
fn binance_account_gtc_cancel_and_crossing() {
    let ex = start_with(&[VenueKind::Binance], |c| {
        let (k, v) = small("binance", "USDT");
        c.rest_accounts.insert(k, v);
    });
    let b = base(&ex, "binance");
    let acct = |b: &str| binance(b, "GET", "/api/v3/account", "", SECRET).body;
    let a = acct(&b);
    assert_eq!(
        balance(&a["balances"], "asset", "USDT")["free"],
        "100000.00000000"
    );
    assert_eq!(
        balance(&a["balances"], "asset", "BTC")["free"],
        "1.00000000"
    );
    let top = ex.top_of_book("binance").unwrap();
    // A GTC buy far below the book rests; no newClientOrderId: Binance names it.
    let p = format!(
        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price={}",
        px2(top.bid_px / 2)
    );
    let r = binance(&b, "POST", "/api/v3/order", &p, SECRET);
    assert_eq!(
        (r.status, r.body["status"].as_str()),
        (200, Some("NEW")),
        "{}",
        r.body
    );
    let cid = r.body["clientOrderId"].as_str().unwrap().to_owned();
    let id = r.body["orderId"].as_u64().unwrap();
    let open = binance(&b, "GET", "/api/v3/openOrders", "symbol=BTCUSDT", SECRET);
    assert_eq!(open.body.as_array().unwrap().len(), 1);
    let a = acct(&b);
    assert_ne!(
        balance(&a["balances"], "asset", "USDT")["locked"],
        "0.00000000"
    );
    let q = binance(
        &b,
        "GET",
        "/api/v3/order",
        &format!("symbol=BTCUSDT&origClientOrderId={cid}"),
        SECRET,
    );
    assert_eq!(q.body["status"], "NEW");
    let c = binance(
        &b,
        "DELETE",
        "/api/v3/order",
        &format!("symbol=BTCUSDT&orderId={id}"),
        SECRET,
    );
    assert_eq!(
        (c.status, c.body["status"].as_str()),
        (200, Some("CANCELED")),
        "{}",
        c.body
    );
    let c = binance(
        &b,
        "DELETE",
        "/api/v3/order",
        &format!("symbol=BTCUSDT&orderId={id}"),
        SECRET,
    );
    assert_eq!((c.status, c.body["code"].as_i64()), (400, Some(-2011)));
    let open = binance(&b, "GET", "/api/v3/openOrders", "symbol=BTCUSDT", SECRET);
    assert!(open.body.as_array().unwrap().is_empty());
    let a = acct(&b);
    assert_eq!(
        balance(&a["balances"], "asset", "USDT")["free"],
        "100000.00000000"
    );
    assert_eq!(
        balance(&a["balances"], "asset", "USDT")["locked"],
        "0.00000000"
    );
    // An IOC buy fills: the base arrives, the quote spent leaves.
    let top = ex.top_of_book("binance").unwrap();
    let p = format!(
        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.01&price={}",
        px8(top.ask_px * 2)
    );
    let r = binance(&b, "POST", "/api/v3/order", &p, SECRET);
    assert_eq!(r.body["status"], "FILLED", "{}", r.body);
    let spent: f64 = r.body["cummulativeQuoteQty"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let a = acct(&b);
    assert_eq!(
        balance(&a["balances"], "asset", "BTC")["free"],
        "1.01000000"
    );
    let usdt: f64 = balance(&a["balances"], "asset", "USDT")["free"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((usdt - (100_000.0 - spent)).abs() < 1e-6, "{usdt} {spent}");
    // More than the account holds: -2010.
    let p = format!(
        "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=IOC&quantity=5&price={}",
        px8(top.bid_px)
    );
    let r = binance(&b, "POST", "/api/v3/order", &p, SECRET);
    assert_eq!((r.status, r.body["code"].as_i64()), (400, Some(-2010)));
    assert_eq!(
        r.body["msg"],
        "Account has insufficient balance for requested action."
    );
    // A GTC buy one tick above the bid rests until an ask comes down to it. When the spread is
    // one tick it crosses on arrival instead (not what this checks): place another.
    let mut cid = String::new();
    for k in 1..=20 {
        let top = ex.top_of_book("binance").unwrap();
        cid = format!("cross-{k}");
        let p = format!(
            "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price={}&newClientOrderId={cid}",
            px8(top.bid_px + 1_000_000)
        );
        let r = binance(&b, "POST", "/api/v3/order", &p, SECRET);
        assert_eq!(r.status, 200, "{}", r.body);
        if r.body["status"] == "NEW" {
            break;
        }
    }
    let st = eventually(|| {
        let q = binance(
            &b,
            "GET",
            "/api/v3/order",
            &format!("symbol=BTCUSDT&origClientOrderId={cid}"),
            SECRET,
        );
        let s = q.body["status"].as_str().unwrap().to_owned();
        (s == "FILLED").then_some(s)
    });
    assert_eq!(st, "FILLED");
    assert!(ex.venue_stats("binance").unwrap().rest_resting_fills >= 1);
    // Time, rules (the defaults every order passes, the limits enforced), the public book.
    let t = http(&b, "GET", "/api/v3/time", &[], "");
    assert!(t.body["serverTime"].as_u64().unwrap() > 1_600_000_000_000);
    assert!(t.header("date").unwrap().ends_with(" GMT"));
    let i = http(&b, "GET", "/api/v3/exchangeInfo?symbol=BTCUSDT", &[], "");
    let f = &i.body["symbols"][0]["filters"];
    assert_eq!(
        (f[0]["filterType"].as_str(), f[0]["tickSize"].as_str()),
        (Some("PRICE_FILTER"), Some("0.00000001"))
    );
    assert_eq!(i.body["rateLimits"][1]["limit"], 100);
    let i = http(&b, "GET", "/api/v3/exchangeInfo?symbol=ETHBTC", &[], "");
    assert_eq!((i.status, i.body["code"].as_i64()), (400, Some(-1121)));
    let s = ex.venue_stats("binance").unwrap();
    assert_eq!(
        (
            s.rest_cancels,
            s.rest_open_orders,
            s.rest_balances,
            s.rest_time,
            s.rest_rules
        ),
        (2, 2, 4, 1, 2)
    );
}

#[test]
fn binance_off_rule_orders_are_refused_with_the_filter_named() {
    let ex = start_with(&[VenueKind::Binance], |c| {
        c.rest_rules.insert("binance".into(), coarse());
    });
    let b = base(&ex, "binance");
    let order = |qty: &str, price: &str| {
        let p = format!(
            "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity={qty}&price={price}"
        );
        binance(&b, "POST", "/api/v3/order", &p, SECRET).body
    };
    assert_eq!(
        order("0.001", "60000.005")["msg"],
        "Filter failure: PRICE_FILTER"
    );
    assert_eq!(
        order("0.00105", "60000.01")["msg"],
        "Filter failure: LOT_SIZE"
    );
    assert_eq!(
        order("0.0005", "60000.01")["msg"],
        "Filter failure: LOT_SIZE"
    );
    assert_eq!(order("0.001", "1.00")["msg"], "Filter failure: NOTIONAL");
    assert_eq!(
        order("0.001", "120000.00")["status"],
        "FILLED",
        "on the rules: fills"
    );
    let i = http(&b, "GET", "/api/v3/exchangeInfo", &[], "");
    let f = &i.body["symbols"][0]["filters"];
    assert_eq!(
        (
            f[0]["tickSize"].as_str(),
            f[1]["stepSize"].as_str(),
            f[1]["minQty"].as_str(),
            f[2]["minNotional"].as_str()
        ),
        (
            Some("0.01000000"),
            Some("0.00010000"),
            Some("0.00100000"),
            Some("5.00000000")
        )
    );
    let s = ex.venue_stats("binance").unwrap();
    assert_eq!(s.rest_rejects, 4);
}

#[test]
fn upbit_account_gtc_cancel_chance_and_no_identifier() {
    let ex = start_with(&[VenueKind::Upbit], |c| {
        let (k, v) = small("upbit", "USDT");
        c.rest_accounts.insert(k, v);
    });
    let b = base(&ex, "upbit");
    let a = upbit(&b, "GET", "/v1/accounts", &[]).body;
    assert_eq!(balance(&a, "currency", "USDT")["balance"], "100000");
    assert_eq!(balance(&a, "currency", "BTC")["balance"], "1");
    let top = ex.top_of_book("upbit").unwrap();
    // No identifier, no time_in_force: a limit order that rests (state wait); found by uuid.
    let low = px2(top.bid_px / 2);
    let r = upbit(
        &b,
        "POST",
        "/v1/orders",
        &[
            ("market", "USDT-BTC"),
            ("side", "bid"),
            ("volume", "0.01"),
            ("price", &low),
            ("ord_type", "limit"),
        ],
    );
    assert_eq!(
        (r.status, r.body["state"].as_str()),
        (201, Some("wait")),
        "{}",
        r.body
    );
    assert!(r.body.get("identifier").is_none());
    let uuid = r.body["uuid"].as_str().unwrap().to_owned();
    let q = upbit(&b, "GET", "/v1/order", &[("uuid", &uuid)]);
    assert_eq!((q.status, q.body["state"].as_str()), (200, Some("wait")));
    let open = upbit(&b, "GET", "/v1/orders/open", &[("market", "USDT-BTC")]);
    assert_eq!(open.body.as_array().unwrap().len(), 1);
    let a = upbit(&b, "GET", "/v1/accounts", &[]).body;
    assert_ne!(balance(&a, "currency", "USDT")["locked"], "0");
    let c = upbit(&b, "DELETE", "/v1/order", &[("uuid", &uuid)]);
    assert_eq!(
        (c.status, c.body["state"].as_str()),
        (200, Some("wait")),
        "accepted"
    );
    let q = upbit(&b, "GET", "/v1/order", &[("uuid", &uuid)]);
    assert_eq!(q.body["state"], "cancel");
    let c = upbit(&b, "DELETE", "/v1/order", &[("uuid", &uuid)]);
    assert_eq!(
        (c.status, c.body["error"]["name"].as_str()),
        (404, Some("order_not_found"))
    );
    let a = upbit(&b, "GET", "/v1/accounts", &[]).body;
    assert_eq!(balance(&a, "currency", "USDT")["balance"], "100000");
    assert_eq!(balance(&a, "currency", "USDT")["locked"], "0");
    // Short of funds, a bad side, a missing parameter: Upbit's error bodies.
    let ask = px8(top.ask_px * 2);
    let r = upbit(
        &b,
        "POST",
        "/v1/orders",
        &[
            ("market", "USDT-BTC"),
            ("side", "bid"),
            ("volume", "10"),
            ("price", &ask),
            ("ord_type", "limit"),
            ("time_in_force", "ioc"),
        ],
    );
    assert_eq!(
        (r.status, r.body["error"]["name"].as_str()),
        (400, Some("insufficient_funds_bid"))
    );
    let r = upbit(
        &b,
        "POST",
        "/v1/orders",
        &[
            ("market", "USDT-BTC"),
            ("side", "buy"),
            ("volume", "1"),
            ("price", &ask),
            ("ord_type", "limit"),
        ],
    );
    assert_eq!(
        (
            r.body["error"]["name"].as_str(),
            r.body["error"]["message"].as_str()
        ),
        (
            Some("validation_error"),
            Some("side is missing, side does not have a valid value")
        )
    );
    let r = upbit(
        &b,
        "POST",
        "/v1/orders",
        &[
            ("market", "USDT-BTC"),
            ("side", "bid"),
            ("price", &ask),
            ("ord_type", "limit"),
        ],
    );
    assert_eq!(
        (r.status, r.body["error"]["name"].as_i64()),
        (400, Some(400))
    );
    // The order chance: fees, minimum, both accounts; the public orderbook.
    let ch = upbit(&b, "GET", "/v1/orders/chance", &[("market", "USDT-BTC")]);
    assert_eq!(
        (
            ch.body["market"]["id"].as_str(),
            ch.body["bid_account"]["currency"].as_str()
        ),
        (Some("USDT-BTC"), Some("USDT")),
        "{}",
        ch.body
    );
    let ob = http(&b, "GET", "/v1/orderbook?markets=USDT-BTC", &[], "");
    let u = &ob.body[0]["orderbook_units"][0];
    assert!(u["ask_price"].as_f64().unwrap() > u["bid_price"].as_f64().unwrap());
    assert!(ob
        .header("remaining-req")
        .unwrap()
        .starts_with("group=orderbook"));
    assert!(
        ob.header("date").is_some(),
        "Upbit's clock is the Date header"
    );
}

#[test]
fn upbit_krw_tick_bands_and_minimum() {
    let ex = start_with(&[VenueKind::Upbit], |c| {
        c.venues[0].symbols = vec!["KRW-BTC".into()];
        c.rest_rules.insert(
            "upbit".into(),
            mockex::InstrumentRules {
                min_notional: Some("5000".into()),
                ..mockex::InstrumentRules::default()
            },
        );
    });
    let b = base(&ex, "upbit");
    // The synthetic price (about 60 000) is in the 10 000-100 000 KRW band: tick 10.
    let r = upbit(
        &b,
        "POST",
        "/v1/orders",
        &[
            ("market", "KRW-BTC"),
            ("side", "ask"),
            ("volume", "1"),
            ("price", "60005"),
            ("ord_type", "limit"),
        ],
    );
    assert_eq!(
        (r.status, r.body["error"]["name"].as_str()),
        (400, Some("invalid_price")),
        "{}",
        r.body
    );
    let r = upbit(
        &b,
        "POST",
        "/v1/orders",
        &[
            ("market", "KRW-BTC"),
            ("side", "ask"),
            ("volume", "0.1"),
            ("price", "200025"),
            ("ord_type", "limit"),
        ],
    );
    assert_eq!(
        r.body["error"]["name"], "invalid_price",
        "the 100 000-500 000 band's tick is 50"
    );
    let r = upbit(
        &b,
        "POST",
        "/v1/orders",
        &[
            ("market", "KRW-BTC"),
            ("side", "ask"),
            ("volume", "0.1"),
            ("price", "200050"),
            ("ord_type", "limit"),
        ],
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let r = upbit(
        &b,
        "POST",
        "/v1/orders",
        &[
            ("market", "KRW-BTC"),
            ("side", "bid"),
            ("volume", "0.00001"),
            ("price", "60010"),
            ("ord_type", "limit"),
        ],
    );
    assert_eq!(r.body["error"]["name"], "under_min_total_bid");
}
