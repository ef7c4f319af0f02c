//! The public top of book over REST on all four venues: unauthenticated, the same prices the
//! WebSocket feed sent last (checked with a source that stops, so the book holds still), each
//! venue's public rate limit and how it answers past it, counted in the stats.

mod support;

use mockex::{MockConfig, RestLimits, Source, VenueKind};
use support::{base, http, start_with};

/// `m` at scale 8 in the shortest exact form (`60000.01`), as Bybit, OKX and Upbit write it.
fn short8(m: i64) -> String {
    let t = format!("{}.{:08}", m / 100_000_000, m % 100_000_000);
    t.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn still(c: &mut MockConfig) {
    if let Source::Synthetic(s) = &mut c.source {
        s.max_frames = Some(40);
    }
}

#[test]
fn rest_books_answer_the_feeds_last_quote() {
    let ex = start_with(&VenueKind::ALL, still);
    let t = std::time::Instant::now();
    while !ex.source_done() {
        assert!(t.elapsed().as_secs() < 10);
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let q = |n: &str| ex.top_of_book(n).unwrap();
    let bn = http(
        &base(&ex, "binance"),
        "GET",
        "/api/v3/ticker/bookTicker?symbol=BTCUSDT",
        &[],
        "",
    );
    let top = q("binance");
    assert_eq!(bn.body["bidPrice"], support::px8(top.bid_px));
    assert_eq!(bn.body["askQty"], support::px8(top.ask_qty));
    let up = http(
        &base(&ex, "upbit"),
        "GET",
        "/v1/orderbook?markets=USDT-BTC",
        &[],
        "",
    );
    let top = q("upbit");
    let unit = &up.body[0]["orderbook_units"][0];
    assert_eq!(unit["bid_price"].to_string(), short8(top.bid_px));
    assert_eq!(unit["ask_size"].to_string(), short8(top.ask_qty));
    let by = http(
        &base(&ex, "bybit"),
        "GET",
        "/v5/market/orderbook?category=spot&symbol=BTCUSDT&limit=1",
        &[],
        "",
    );
    let top = q("bybit");
    assert_eq!(by.body["result"]["a"][0][0], short8(top.ask_px));
    assert_eq!(by.body["result"]["u"], top.seq);
    let ok = http(
        &base(&ex, "okx"),
        "GET",
        "/api/v5/market/books?instId=BTC-USDT&sz=1",
        &[],
        "",
    );
    let top = q("okx");
    assert_eq!(ok.body["data"][0]["bids"][0][1], short8(top.bid_qty));
    // A symbol the venue does not list.
    let r = http(
        &base(&ex, "okx"),
        "GET",
        "/api/v5/market/books?instId=ETH-USDT",
        &[],
        "",
    );
    assert_eq!(r.body["code"], "51001");
    let r = http(
        &base(&ex, "binance"),
        "GET",
        "/api/v3/ticker/bookTicker?symbol=ETHUSDT",
        &[],
        "",
    );
    assert_eq!(r.body["code"], -1121);
    for v in ["binance", "upbit", "bybit", "okx"] {
        let s = ex.venue_stats(v).unwrap();
        assert!(s.rest_books >= 1, "{v}: {s:?}");
    }
}

#[test]
fn rest_books_public_limits() {
    let ex = start_with(&VenueKind::ALL, |c| {
        c.rest_limits = RestLimits {
            binance_weight_1m: 6,
            upbit_orderbook_per_sec: 3,
            bybit_ip_per_5s: 4,
            okx_books_per_2s: 2,
            ..RestLimits::default()
        };
    });
    let get = |v: &str, target: &str| http(&base(&ex, v), "GET", target, &[], "");
    // Binance: bookTicker weighs 2; the fourth in the minute passes 6: 429 + Retry-After, then 418.
    while support::now_ms() % 60_000 > 50_000 {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let b = "/api/v3/ticker/bookTicker?symbol=BTCUSDT";
    for _ in 0..3 {
        assert_eq!(get("binance", b).status, 200);
    }
    let r = get("binance", b);
    assert_eq!((r.status, r.body["code"].as_i64()), (429, Some(-1003)));
    assert!(r.header("retry-after").is_some());
    assert_eq!(get("binance", b).status, 418);
    // Upbit: the orderbook group, 3 a second here.
    while support::now_ms() % 1000 > 600 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let u = "/v1/orderbook?markets=USDT-BTC";
    let statuses: Vec<u16> = (0..4).map(|_| get("upbit", u).status).collect();
    assert_eq!(statuses, [200, 200, 200, 429]);
    // Bybit: the IP limit (4 per 5 s here), then 403 for the ban.
    let y = "/v5/market/orderbook?category=spot&symbol=BTCUSDT&limit=1";
    let statuses: Vec<u16> = (0..6).map(|_| get("bybit", y).status).collect();
    assert_eq!(statuses, [200, 200, 200, 200, 403, 403]);
    // OKX: 2 per 2 s here, then 429 50011, no Retry-After.
    let o = "/api/v5/market/books?instId=BTC-USDT&sz=1";
    assert_eq!(get("okx", o).status, 200);
    assert_eq!(get("okx", o).status, 200);
    let r = get("okx", o);
    assert_eq!((r.status, r.body["code"].as_str()), (429, Some("50011")));
    assert!(r.header("retry-after").is_none());
    let s = ex.venue_stats("bybit").unwrap();
    assert_eq!((s.rest_books, s.rest_418s), (6, 2));
    let s = ex.venue_stats("binance").unwrap();
    assert_eq!((s.rest_429s, s.rest_418s), (1, 1));
}
