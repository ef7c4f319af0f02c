//! Venue truth on the REST gateway against the mock exchange on loopback (and, for answers the
//! mock never gives, a fake venue server): foreign open orders reconciled at start-up (cancelled,
//! or left with `leave`) and while running, start-up failure naming the venue, balances from the
//! venue (a venue paused for lack of balance resumes when a fresh balance covers it; a balance
//! that moved behind the engine's back is a mismatch that halts the venue), the lost-order bound,
//! malformed, truncated and contradictory account answers counted and refused, and a whole run.
//!
//! Other trading on the account is done the way another program would: orders placed through the
//! venue's own API (`common::venue_orders`).

use std::time::{Duration, Instant};

use crate::common::fake_venue::{Answers, FakeVenue};
use crate::common::mockex_rest::{
    self, try_engine_with_truth, BINANCE_UPBIT, KEY, PASSPHRASE, SECRET,
};
use crate::common::venue_orders::{cents, place_limit, Limit, Signer};
use microarb::config::{Config, ForeignPolicy};
use microarb::exec::account::{client_for_url, AccountClient};
use microarb::exec::secrets::ApiSecret;
use microarb::exec::AssetId;
use microarb::model::{Outcome, Qty, RejectReason, VenueId, VenueKind};
use mockex::{AccountConfig, MockExchange, MockVenue, RestFault, RestLimits};

const BINANCE: VenueId = VenueId(0);
const UPBIT: VenueId = VenueId(1);
const BTC: AssetId = AssetId(0);
const USDT: AssetId = AssetId(1);
const E8: i64 = 100_000_000;

/// The mock with Binance and Upbit, each account holding 10 BTC and `usdt` USDT.
fn mock(usdt: u64) -> MockExchange {
    mockex_rest::start_with(&BINANCE_UPBIT, RestLimits::default(), |c| {
        for v in &BINANCE_UPBIT {
            let sym = MockVenue::new(v.name, mock_kind(v.kind))
                .symbol()
                .to_owned();
            let mut a = AccountConfig::for_symbol(&sym, v.kind == VenueKind::Upbit);
            a.base_balance = 10;
            a.quote_balance = usdt;
            c.rest_accounts.insert(v.name.to_string(), a);
        }
    })
}

fn mock_kind(k: VenueKind) -> mockex::VenueKind {
    crate::common::mock::mock_kind(k)
}

fn config(ex: &MockExchange, edit: impl FnOnce(&mut Config)) -> Config {
    mockex_rest::config(ex, &BINANCE_UPBIT, "/nonexistent", |c| {
        c.execution.reconcile.balance_refresh_ms = 100;
        // The cross-check would cancel the test's own resting orders; start-up is what is
        // tested here, unless a test asks for it.
        c.execution.reconcile.open_orders_ms = 3_600_000;
        edit(c);
    })
}

fn signer() -> Signer<'static> {
    Signer {
        key: KEY,
        secret: SECRET,
        passphrase: PASSPHRASE,
    }
}

fn url(ex: &MockExchange, name: &str) -> String {
    ex.endpoint(name)
        .and_then(|e| e.rest_url.clone())
        .expect("REST served")
}

fn symbol(v: usize) -> String {
    let v = BINANCE_UPBIT[v];
    MockVenue::new(v.name, mock_kind(v.kind))
        .symbol()
        .to_owned()
}

fn client(ex: &MockExchange, v: usize) -> AccountClient {
    let v = BINANCE_UPBIT[v];
    client_for_url(
        v.name,
        v.kind,
        &url(ex, v.name),
        5000,
        Some(&ApiSecret::new(KEY, SECRET)),
        Duration::from_secs(5),
    )
    .expect("client")
}

/// A resting GTC buy of `qty` at `price` on venue `v`, client id `cid`.
fn rest_buy(ex: &MockExchange, v: usize, price: &str, qty: &str, cid: &str) {
    let venue = BINANCE_UPBIT[v];
    let sym = symbol(v);
    let r = place_limit(
        &url(ex, venue.name),
        mock_kind(venue.kind),
        Limit {
            symbol: &sym,
            buy: true,
            price,
            qty,
            client_id: cid,
        },
        signer(),
    );
    assert!(
        (200..300).contains(&r.status),
        "{}: {} {}",
        venue.name,
        r.status,
        String::from_utf8_lossy(&r.body)
    );
}

/// Half the venue's bid, in whole cents: rests on every venue.
fn low_price(ex: &MockExchange, v: usize) -> String {
    cents(ex.top_of_book(BINANCE_UPBIT[v].name).expect("quote").bid_px / 2)
}

fn open_count(ex: &MockExchange, v: usize) -> usize {
    client(ex, v)
        .open_orders(Some(&symbol(v)))
        .expect("open orders")
        .len()
}

#[test]
fn foreign_orders_are_cancelled_at_start_up_and_balances_come_from_the_venue() {
    let ex = mock(1_000_000);
    let p0 = low_price(&ex, 0);
    let p1 = low_price(&ex, 1);
    rest_buy(&ex, 0, &p0, "0.01", "manual1");
    // A previous run of the engine (configured prefix `ma`, another run's stamp).
    rest_buy(&ex, 1, &p1, "0.01", "ma1234567x9");
    assert_eq!(open_count(&ex, 0) + open_count(&ex, 1), 2);
    let cfg = config(&ex, |_| {});
    let e = try_engine_with_truth(&cfg, SECRET).expect("start-up reconciles");
    assert_eq!(e.count("exec.reconcile.foreign_orders"), 2);
    assert_eq!(e.count("exec.reconcile.previous_run_orders"), 1);
    assert_eq!(e.count("exec.reconcile.cancelled"), 2);
    assert_eq!(e.count("exec.reconcile.left"), 0);
    assert_eq!(open_count(&ex, 0) + open_count(&ex, 1), 0, "cancelled");
    // The venues' balances, not the config's: 10 BTC and a million USDT, nothing locked.
    for v in [BINANCE, UPBIT] {
        assert_eq!(e.stage.risk().balance(v, BTC), 10 * E8);
        assert_eq!(e.stage.risk().balance(v, USDT), 1_000_000 * E8);
    }
}

#[test]
fn foreign_orders_are_left_and_counted_with_leave() {
    let ex = mock(1_000_000);
    rest_buy(&ex, 0, "1000.00", "1", "manual2");
    let cfg = config(&ex, |c| {
        c.execution.reconcile.foreign = ForeignPolicy::Leave
    });
    let e = try_engine_with_truth(&cfg, SECRET).expect("start-up reconciles");
    assert_eq!(e.count("exec.reconcile.foreign_orders"), 1);
    assert_eq!(e.count("exec.reconcile.left"), 1);
    assert_eq!(e.count("exec.reconcile.cancelled"), 0);
    assert_eq!(open_count(&ex, 0), 1, "left on the book");
    // What it locks is not free to trade.
    assert_eq!(e.stage.risk().balance(BINANCE, USDT), 999_000 * E8);
}

#[test]
fn a_foreign_order_placed_while_running_is_found_by_the_cross_check_and_cancelled() {
    let ex = mock(1_000_000);
    let cfg = config(&ex, |c| c.execution.reconcile.open_orders_ms = 100);
    let mut e = try_engine_with_truth(&cfg, SECRET).expect("start-up");
    assert_eq!(e.count("exec.reconcile.foreign_orders"), 0);
    rest_buy(&ex, 1, &low_price(&ex, 1), "0.01", "manual4");
    e.poll_until(Duration::from_secs(5), |e| {
        e.count("exec.reconcile.cancelled") >= 1
    });
    assert_eq!(e.count("exec.reconcile.foreign_orders"), 1);
    let end = Instant::now() + Duration::from_secs(5);
    while open_count(&ex, 1) > 0 {
        assert!(Instant::now() < end, "still open");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Counted once, however many rounds saw it.
    e.poll_for(Duration::from_millis(300));
    assert_eq!(e.count("exec.reconcile.foreign_orders"), 1);
}

#[test]
fn a_venue_paused_for_lack_of_balance_resumes_when_a_fresh_balance_covers_it() {
    let ex = mock(10_000);
    let cfg = config(&ex, |_| {});
    let mut e = try_engine_with_truth(&cfg, SECRET).expect("start-up");
    // Another program's resting order locks 9990 of Binance's 10000 USDT.
    rest_buy(&ex, 0, "1000.00", "9.99", "other1");
    e.poll_until(Duration::from_secs(5), |e| {
        e.stage.risk().balance(BINANCE, USDT) == 10 * E8
    });
    // A 0.001 BTC buy on Binance costs far more than 10 USDT.
    let o = e.opp(&ex, BINANCE, UPBIT, Qty(100_000), 500 * mockex_rest::MS);
    e.push(o);
    e.settle(Duration::from_secs(3));
    let short = Outcome::Rejected(RejectReason::InsufficientBalance);
    assert_eq!(e.outcome(short), 1);
    assert!(e.stage.risk().is_paused(BINANCE));
    // The order is cancelled through the venue's API: the next refresh covers the buy again.
    let mut c = client(&ex, 0);
    c.cancel(&symbol(0), "other1").expect("cancelled");
    e.poll_until(Duration::from_secs(5), |e| {
        e.count("exec.reconcile.resumes") >= 1 && !e.stage.risk().is_paused(BINANCE)
    });
    e.feed(&ex, BINANCE, UPBIT);
    e.settle(Duration::from_secs(3));
    assert_eq!(e.outcome(Outcome::Executed), 1, "trading again");
    assert_eq!(
        e.count("exec.reconcile.balance_mismatches"),
        0,
        "a lock is no mismatch"
    );
}

#[test]
fn a_balance_moved_behind_the_engines_back_is_a_mismatch_that_halts_the_venue() {
    let ex = mock(100_000);
    let cfg = config(&ex, |_| {});
    let mut e = try_engine_with_truth(&cfg, SECRET).expect("start-up");
    // Another program buys 1 BTC on Binance (marketable, fills at once): BTC +10 %, USDT down.
    let ask = ex.top_of_book("binance").expect("quote").ask_px;
    rest_buy(&ex, 0, &cents(ask + ask / 20), "1", "other2");
    e.poll_until(Duration::from_secs(5), |e| {
        e.count("exec.reconcile.balance_mismatches") >= 1
    });
    assert!(e.stage.risk().is_halted(BINANCE));
    assert!(!e.stage.risk().is_halted(UPBIT));
    assert_eq!(
        e.stage.risk().balance(BINANCE, BTC),
        11 * E8,
        "the venue's figure"
    );
    e.feed(&ex, BINANCE, UPBIT);
    e.settle(Duration::from_secs(3));
    assert_eq!(e.outcome(Outcome::Rejected(RejectReason::RiskLimit)), 1);
}

#[test]
fn a_leg_whose_fate_stays_unknown_is_lost_after_the_query_bound_and_frees_its_slot() {
    let ex = mock(1_000_000);
    let cfg = config(&ex, |c| {
        c.execution.order_timeout_ms = 100;
        c.execution.status_query_ms = 20;
        c.execution.reconcile.max_status_queries = 3;
    });
    let mut e = try_engine_with_truth(&cfg, SECRET).expect("start-up");
    // Upbit answers nothing in time, orders or status queries.
    let ctl = ex.control();
    ctl.inject_rest("upbit", RestFault::Delay(Duration::from_secs(30)))
        .expect("fault");
    e.feed(&ex, BINANCE, UPBIT);
    e.settle(Duration::from_secs(10));
    assert_eq!(e.count("exec.reconcile.lost_orders"), 1);
    assert!(e.count("exec.status_queries") >= 1);
    assert_eq!(e.count("exec.legging.residual"), 1, "kept as a residual");
    assert_eq!(e.terminal_sum(), 1, "the arbitrage ended");
    ctl.inject_rest("upbit", RestFault::Clear).expect("clear");
}

/// A config whose Binance venue is the fake server at `url` (Upbit stays on the mock).
fn fake_config(ex: &MockExchange, url: &str) -> Config {
    config(ex, |c| c.venues[0].rest_url = Some(url.to_string()))
}

const EMPTY_OPEN: &str = "[]";
const GOOD_ACCOUNT: &str = r#"{"balances":[{"asset":"BTC","free":"2","locked":"0"},{"asset":"USDT","free":"5000","locked":"0"}]}"#;

#[test]
fn bad_account_answers_at_start_up_fail_it_naming_the_venue_and_are_counted() {
    let ex = mock(1_000_000);
    let cases = [
        // Truncated.
        (
            "[{\"symbol\":\"BTCUSDT\",\"orderId\":1,",
            GOOD_ACCOUNT,
            "open orders",
        ),
        // Malformed (not the documented shape).
        (EMPTY_OPEN, r#"{"balance":[]}"#, "balances"),
        // Contradictory: more filled than ordered.
        (
            r#"[{"symbol":"BTCUSDT","orderId":7,"clientOrderId":"x1","price":"1","origQty":"1","executedQty":"2","status":"NEW","side":"BUY"}]"#,
            GOOD_ACCOUNT,
            "filled 2",
        ),
        // Contradictory: a negative balance.
        (
            EMPTY_OPEN,
            r#"{"balances":[{"asset":"BTC","free":"-1","locked":"0"}]}"#,
            "negative balance",
        ),
        // Contradictory: an order on a symbol that was not asked for.
        (
            r#"[{"symbol":"ETHUSDT","orderId":7,"clientOrderId":"x1","price":"1","origQty":"1","executedQty":"0","status":"NEW","side":"BUY"}]"#,
            GOOD_ACCOUNT,
            "ETHUSDT",
        ),
    ];
    for (open, account, what) in cases {
        let fake = FakeVenue::start(Answers(vec![
            ("/api/v3/openOrders".into(), open.into()),
            ("/api/v3/account".into(), account.into()),
        ]));
        let cfg = fake_config(&ex, &fake.url);
        let Err(err) = try_engine_with_truth(&cfg, SECRET) else {
            panic!("{what}: start-up must fail");
        };
        let msg = err.to_string();
        assert!(msg.contains("venue binance"), "{what}: {msg}");
        assert!(msg.contains(what), "{what}: {msg}");
        assert!(msg.contains("trading does not start"), "{msg}");
        // Counted as a bad answer (not as a failed call).
        let mut reg = microarb::telemetry::Registry::new();
        let mut p = microarb::exec::params::ExecParams::from_config(&cfg).expect("params");
        let creds = mockex_rest::creds_with(&cfg, SECRET, PASSPHRASE);
        let clock = microarb::base::Clock::new();
        assert!(microarb::exec::startup::start(&cfg, &creds, &mut p, clock, &mut reg).is_err());
        assert_eq!(
            reg.counters.get("exec.reconcile.bad_answers"),
            Some(1),
            "{what}"
        );
        assert_eq!(reg.counters.get("exec.reconcile.call_errors"), Some(0));
    }
}

#[test]
fn bad_balance_answers_while_running_are_counted_and_never_trusted() {
    let ex = mock(1_000_000);
    let fake = FakeVenue::start(Answers(vec![
        ("/api/v3/openOrders".into(), EMPTY_OPEN.into()),
        ("/api/v3/account".into(), GOOD_ACCOUNT.into()),
    ]));
    let cfg = fake_config(&ex, &fake.url);
    let mut e = try_engine_with_truth(&cfg, SECRET).expect("start-up");
    assert_eq!(e.stage.risk().balance(BINANCE, USDT), 5000 * E8);
    for bad in [
        r#"{"balances":[{"asset":"USDT","free":"9"#,
        r#"{"balances":[{"asset":"USDT","free":"1","locked":"0"},{"asset":"USDT","free":"9","locked":"0"}]}"#,
    ] {
        let before = e.count("exec.reconcile.bad_answers");
        fake.set("/api/v3/account", bad);
        e.poll_until(Duration::from_secs(5), |e| {
            e.count("exec.reconcile.bad_answers") > before
        });
        assert_eq!(
            e.stage.risk().balance(BINANCE, USDT),
            5000 * E8,
            "the bad answer changed nothing"
        );
    }
    assert_eq!(e.count("exec.reconcile.balance_mismatches"), 0);
}

#[test]
fn a_run_reconciles_before_trading_and_reports_it() {
    let ex = mock(1_000_000);
    rest_buy(&ex, 0, &low_price(&ex, 0), "0.01", "manual3");
    let (_dir, creds) = mockex_rest::creds_file("truth.creds", SECRET);
    let cfg = mockex_rest::config(&ex, &BINANCE_UPBIT, creds.to_str().unwrap(), |c| {
        c.execution.reconcile.balance_refresh_ms = 200;
    });
    let opts = microarb::pipeline::RunOptions {
        seconds: Some(2.0),
        no_pin: true,
        status_line: Some(false),
        ..Default::default()
    };
    let feed = microarb::pipeline::Feed::Live {
        settings: Default::default(),
        record: None,
        ingest_only: false,
    };
    let summary = microarb::pipeline::run(&cfg, feed, &opts).expect("run");
    let r = &summary.report["reconciliation"];
    assert_eq!(r["foreign_orders"].as_u64(), Some(1), "{r}");
    assert_eq!(r["cancelled"].as_u64(), Some(1), "{r}");
    assert_eq!(r["lost_orders"].as_u64(), Some(0), "{r}");
    assert_eq!(r["balance_mismatches"].as_u64(), Some(0), "{r}");
    assert!(r["balance_updates"].as_u64().unwrap_or(0) > 0, "{r}");
    assert_eq!(open_count(&ex, 0), 0);
    let c = &summary.report["counters"];
    assert!(c["exec.fills"].as_u64().unwrap_or(0) > 0, "it traded: {c}");
}
