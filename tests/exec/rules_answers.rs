//! Venue instrument answers at start-up (issue 13, item 1, "bad input from venues"): malformed,
//! truncated and contradictory answers are refused with a clear line and the instrument is not
//! traded there, never trusted, never a panic; every venue's reader, fuzzed.

use std::io::{Read, Write};
use std::net::TcpListener;

use crate::common::config::{binance_only, checked};
use microarb::exec::account::TradingRules;
use microarb::exec::params::ExecParams;
use microarb::exec::rules::InstrumentRules;
use microarb::exec::secrets::ApiSecret;
use microarb::exec::startup::rules::{load, RulesStartup};
use microarb::model::{InstrumentId, Qty, VenueId};
use proptest::prelude::*;

const BINANCE: VenueId = VenueId(0);
const BTC: InstrumentId = InstrumentId(0);

/// A venue at a local socket answering every request `status` and `body`.
fn canned(status: u16, body: String) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { return };
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
            let _ = write!(
                s,
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

fn symbol(sym: &str, status: &str, tick: &str, step: &str, min_notional: &str) -> String {
    format!(
        r#"{{"symbol":"{sym}","status":"{status}","filters":[{{"filterType":"PRICE_FILTER","minPrice":"0.01","maxPrice":"1000000","tickSize":"{tick}"}},{{"filterType":"LOT_SIZE","minQty":"0.0001","maxQty":"9000","stepSize":"{step}"}},{{"filterType":"NOTIONAL","minNotional":"{min_notional}"}}]}}"#
    )
}

fn exchange_info(symbols: &[String]) -> String {
    format!(
        r#"{{"timezone":"UTC","rateLimits":[],"symbols":[{}]}}"#,
        symbols.join(",")
    )
}

/// Binance alone at `url`; the rules step's outcome and the stage's entry for BTC/USDT.
fn load_from(url: &str) -> (RulesStartup, Option<InstrumentRules>) {
    let mut cfg = binance_only("ws://127.0.0.1:1");
    cfg.venues[0].rest_url = Some(url.to_string());
    cfg.execution.rest.connect_timeout_ms = 1000;
    let cfg = checked(cfg);
    let mut p = ExecParams::from_config(&cfg).unwrap();
    let creds = [ApiSecret::new("k", "s")];
    let r = load(&cfg, &creds, &mut p).expect("a bad venue answer is not a config error");
    (r, p.rules.get(BINANCE, BTC).copied())
}

#[test]
fn malformed_truncated_and_contradictory_instrument_answers_are_refused_never_trusted() {
    let good = symbol("BTCUSDT", "TRADING", "0.01", "0.00001", "5");
    let (r, rules) = load_from(&canned(200, exchange_info(std::slice::from_ref(&good))));
    assert_eq!((r.loaded, r.lines.len()), (1, 0), "{:?}", r.lines);
    let rules = rules.expect("known");
    assert_eq!(rules.tick.tick_at(1), Some(1_000_000));
    assert_eq!(rules.step, Qty(1_000));
    assert_eq!(rules.min_notional, 5 * 10i128.pow(16));

    let full = exchange_info(std::slice::from_ref(&good));
    let cases: Vec<(&str, u16, String, &str)> = vec![
        (
            "malformed",
            200,
            "{\"symbols\":[{\"symbol\":".into(),
            "could not be read",
        ),
        (
            "truncated",
            200,
            full[..full.len() / 2].to_string(),
            "could not be read",
        ),
        (
            "not json",
            200,
            "<html>busy</html>".into(),
            "could not be read",
        ),
        ("a 500", 500, "{}".into(), "could not be read"),
        (
            "contradictory",
            200,
            exchange_info(&[
                good.clone(),
                symbol("BTCUSDT", "TRADING", "0.1", "0.00001", "5"),
            ]),
            "twice with different rules",
        ),
        (
            "a zero tick",
            200,
            exchange_info(&[symbol("BTCUSDT", "TRADING", "0.00000000", "0.00001", "5")]),
            "tick 0.00000000 is not a usable rule",
        ),
        (
            "a negative minimum",
            200,
            exchange_info(&[symbol("BTCUSDT", "TRADING", "0.01", "0.00001", "-5")]),
            "min_notional -5 is not a usable rule",
        ),
        (
            "not trading",
            200,
            exchange_info(&[symbol("BTCUSDT", "BREAK", "0.01", "0.00001", "5")]),
            "does not trade now",
        ),
        (
            "another symbol",
            200,
            exchange_info(&[symbol("ETHUSDT", "TRADING", "0.01", "0.00001", "5")]),
            "does not list BTCUSDT",
        ),
    ];
    for (what, status, body, why) in cases {
        let (r, rules) = load_from(&canned(status, body));
        assert_eq!(rules, None, "{what}: not traded");
        assert_eq!((r.loaded, r.lines.len()), (0, 1), "{what}: {:?}", r.lines);
        let line = &r.lines[0];
        assert!(
            line.contains("BTC/USDT (BTCUSDT) is not traded on binance") && line.contains(why),
            "{what}: {line}"
        );
    }
    // Nobody listening: the same.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (r, rules) = load_from(&format!("http://127.0.0.1:{port}"));
    assert_eq!((rules, r.lines.len()), (None, 1), "{:?}", r.lines);
}

/// A good instrument answer of each venue's reader (the part each reader is handed), and the
/// reader: Binance's whole `exchangeInfo`, Bybit's `result`, OKX's `data`, Upbit's chance body.
type Reader = fn(&[u8]) -> Result<Vec<TradingRules>, String>;

fn readers() -> [(String, Reader); 4] {
    use microarb::exec::account::venues::{binance, bybit, okx, upbit};
    [
        (
            exchange_info(&[symbol("BTCUSDT", "TRADING", "0.01", "0.00001", "5")]),
            |b| binance::parse_exchange_info(b).map(|v| v.instruments),
        ),
        (
            r#"{"category":"spot","list":[{"symbol":"BTCUSDT","status":"Trading","lotSizeFilter":{"basePrecision":"0.000001","minOrderQty":"0.000048","minOrderAmt":"1"},"priceFilter":{"tickSize":"0.01"}}],"nextPageCursor":""}"#.into(),
            bybit::parse_instruments,
        ),
        (
            r#"[{"instType":"SPOT","instId":"BTC-USDT","tickSz":"0.1","lotSz":"0.00000001","minSz":"0.00001","state":"live"}]"#.into(),
            okx::parse_instruments,
        ),
        (
            r#"{"bid_fee":"0.0005","market":{"id":"KRW-BTC","state":"active","bid":{"currency":"KRW","price_unit":null,"min_total":"5000"},"ask":{"currency":"BTC","min_total":"5000"}}}"#.into(),
            |b| upbit::parse_chance(b).map(|r| vec![r]),
        ),
    ]
}

#[test]
fn every_venue_reader_gives_usable_rules_from_a_good_answer() {
    for (body, read) in readers() {
        let rules = read(body.as_bytes()).unwrap_or_else(|e| panic!("{e}: {body}"));
        assert_eq!(rules.len(), 1, "{body}");
        let n = microarb::exec::rules::Names {
            venue: "v",
            symbol: &rules[0].symbol,
            key: "k",
        };
        microarb::exec::rules::from_venue(n, &rules[0], (8, 8)).expect("usable");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Any corruption of a good instrument answer, on every venue's reader, is read or refused,
    /// never a panic; what is taken is a usable rule (a tick and step of at least one unit,
    /// minimums not negative).
    #[test]
    fn corrupted_instrument_answers_never_panic(
        venue in 0usize..4, cut in 0usize..400, at in 0usize..400, byte in any::<u8>(),
    ) {
        let (body, read) = &readers()[venue];
        let mut body = body.clone().into_bytes();
        let at = at % body.len();
        body[at] = byte;
        body.truncate(body.len() - cut % body.len());
        if let Ok(list) = read(&body) {
            for t in &list {
                let n = microarb::exec::rules::Names { venue: "v", symbol: &t.symbol, key: "k" };
                if let Ok(r) = microarb::exec::rules::from_venue(n, t, (8, 8)) {
                    prop_assert!(r.tick.as_slice().iter().all(|b| b.tick >= 1));
                    prop_assert!(r.step.0 >= 1 && r.min_qty.0 >= 0 && r.min_notional >= 0);
                }
            }
        }
    }
}
