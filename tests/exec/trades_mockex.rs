//! The trade log of the whole engine trading over REST against the mock exchange (all four venue
//! kinds, the mock charging a taker fee): fees and fee assets as the mock reports them, venue
//! order ids, every order with one final state, the report's sums equal to the log's; and the kill
//! switch cancelling at the venues the orders whose fate is unknown.

use std::time::Duration;

use crate::common::mockex_rest::{
    self, creds_file, stats, ALL_FOUR, BINANCE_UPBIT, KEY, PASSPHRASE, SECRET,
};
use crate::common::tmp::TempDir;
use crate::common::trades::{check_lifecycle, dec18, mul18, read_log, recompute};
use microarb::pipeline::{run, Feed, RunOptions};
use mockex::{ApiCredentials, RestFault, RestLimits};

/// The mock's taker fee on every venue.
const FEE_BPS: u32 = 10;

fn live() -> Feed {
    Feed::Live {
        settings: Default::default(),
        record: None,
        ingest_only: false,
    }
}

/// 10 bps of `amount` rounded up to 8 decimals (the mock's rule, the venues' precision).
fn fee_of(amount: i128) -> i128 {
    let raw = amount * i128::from(FEE_BPS);
    let fee = raw / 10_000 + i128::from(raw % 10_000 != 0);
    let unit = 10_000_000_000; // 1e-8 at 18 decimals
    (fee + unit - 1) / unit * unit
}

#[test]
fn fees_and_fee_assets_in_the_trade_log_are_the_venues() {
    let ex = mockex_rest::start_with(&ALL_FOUR, RestLimits::default(), |m| {
        for v in &ALL_FOUR {
            m.rest_fee_bps.insert(v.name.to_string(), FEE_BPS);
        }
    });
    let dir = TempDir::new("trades-rest");
    let (_creds_dir, creds) = creds_file("trades.creds", SECRET);
    // OKX's file carries its passphrase too (only OKX's may).
    let okx_creds = dir.join("okx.creds");
    ApiCredentials::new(KEY, SECRET)
        .with_passphrase(PASSPHRASE)
        .write_file(&okx_creds)
        .expect("credentials file written");
    let cfg = mockex_rest::config(&ex, &ALL_FOUR, creds.to_str().unwrap(), |c| {
        c.execution.max_wait_ms = 50;
        c.venues[3].api_secret_file = Some(okx_creds.display().to_string());
    });
    let path = dir.join("trades.jsonl");
    let opts = RunOptions {
        seconds: Some(4.0),
        no_pin: true,
        status_line: Some(false),
        trades: Some(path.clone()),
        ..RunOptions::default()
    };
    let summary = run(&cfg, live(), &opts).expect("run");
    let r = &summary.report;
    let lines = read_log(&path);
    let orders = check_lifecycle(&lines);
    let at_mock: u64 = ALL_FOUR
        .iter()
        .map(|v| stats(&ex, v.name).rest_orders)
        .sum();
    assert!(orders > 0, "the engine traded");
    assert_eq!(
        orders as u64, at_mock,
        "the log holds every order the mock received"
    );
    let fills: Vec<_> = lines.iter().filter(|l| l["kind"] == "fill").collect();
    assert!(!fills.is_empty());
    let mut venues_seen = std::collections::BTreeSet::new();
    for f in &fills {
        let venue = f["venue"].as_str().unwrap();
        venues_seen.insert(venue.to_string());
        assert_eq!(f["fee_source"], "venue", "{f}");
        assert!(
            !f["venue_order_id"].as_str().unwrap_or("").is_empty(),
            "the venue's id: {f}"
        );
        let q = dec18(f["qty"].as_str().unwrap());
        let notional = mul18(q, dec18(f["px"].as_str().unwrap()));
        let buy = f["side"] == "buy";
        // Upbit charges the quote currency; the others the asset received.
        let (asset, on) = if venue == "upbit" || !buy {
            ("USDT", notional)
        } else {
            ("BTC", q)
        };
        assert_eq!(f["fee_asset"], asset, "{f}");
        // Binance's and Upbit's answers carry the quote amount, Bybit's and OKX's an average price:
        // the fee on the notional agrees to within the average's truncation.
        let fee = dec18(f["fee"].as_str().unwrap());
        let want = fee_of(on);
        let tolerance = if asset == "USDT" && (venue == "bybit" || venue == "okx") {
            10_000_000_000
        } else {
            0
        };
        assert!(
            (fee - want).abs() <= tolerance,
            "{venue}: fee {fee} vs {want}: {f}"
        );
    }
    assert!(
        venues_seen.len() >= 2,
        "fills on several venues: {venues_seen:?}"
    );
    let t = &r["trades"];
    assert_eq!(t["inconsistent_records"], 0);
    assert_eq!(t["open_orders"], 0);
    let (pnl, fees, residual) = recompute(&lines, &|_| ("BTC".into(), "USDT".into()));
    for (ins, v) in &pnl {
        let got = &t["realized_pnl_by_instrument"][ins]["realized_pnl"];
        assert_eq!(dec18(got.as_str().unwrap()), *v, "{ins}: {t}");
    }
    for (a, v) in &fees {
        assert_eq!(
            dec18(t["fees_by_asset"][a].as_str().unwrap()),
            *v,
            "fee {a}: {t}"
        );
    }
    for ((venue, a), v) in &residual {
        let got = &t["residual_by_venue"][venue][a];
        assert_eq!(dec18(got.as_str().unwrap()), *v, "{venue} {a}: {t}");
    }
}

/// The engine only sends IOC orders, so what a kill finds open are orders whose answer has not
/// come: here Binance executes every order and never answers it, the legs stay unanswered for the
/// long `order_timeout_ms`, and the kill file appears meanwhile. Each such order gets a cancel at
/// its venue (the mock answers "unknown order": an IOC order is already final), the report says
/// what was still exposed, and the status queries after the timeout still end every order.
#[test]
fn the_kill_switch_cancels_every_order_whose_fate_is_unknown() {
    let ex = mockex_rest::start(&BINANCE_UPBIT, RestLimits::default());
    let (dir, creds) = creds_file("kill.creds", SECRET);
    let kill_file = dir.join("KILL");
    let cfg = mockex_rest::config(&ex, &BINANCE_UPBIT, creds.to_str().unwrap(), |c| {
        c.execution.max_wait_ms = 50;
        c.execution.order_timeout_ms = 4_000;
        c.risk.kill_file = Some(kill_file.display().to_string());
    });
    ex.control()
        .inject_rest("binance", RestFault::NoAnswer)
        .unwrap();
    let opts = RunOptions {
        seconds: Some(8.0),
        no_pin: true,
        status_line: Some(false),
        ..RunOptions::default()
    };
    let killer = {
        let kill_file = kill_file.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(2_000));
            microarb::exec::create_kill_file(&kill_file).unwrap();
        })
    };
    let clear = {
        let ctl = ex.control();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(2_500));
            ctl.inject_rest("binance", RestFault::Clear).unwrap();
        })
    };
    let summary = run(&cfg, live(), &opts).expect("run");
    killer.join().unwrap();
    clear.join().unwrap();
    let t = &summary.report["trades"];
    let k = &t["kill"];
    let open = k["open_orders"].as_u64().expect("the kill was seen");
    assert!(open >= 1, "orders were waiting for Binance's answer: {k}");
    let cancels = k["cancels"].as_array().unwrap();
    assert_eq!(cancels.len() as u64, open, "one cancel per open order: {k}");
    for c in cancels {
        let result = c["result"].as_str().unwrap();
        assert!(
            ["cancelled", "already_final", "not_found"].contains(&result),
            "the venue answered the cancel: {c}"
        );
    }
    let cancels_at_mock: u64 = ["binance", "upbit"]
        .iter()
        .map(|v| stats(&ex, v).rest_cancels)
        .sum();
    assert_eq!(cancels_at_mock, open, "each cancel reached the mock");
    assert!(k["residual_at_kill"].is_array());
    assert_eq!(t["open_orders"], 0, "every order still ended final: {t}");
}
