//! The REST gateways (`execution.gateway = "rest"`) against the mock exchange's REST endpoints on
//! loopback, real sockets, real time: fills, bad credentials, 429 / Retry-After, Upbit
//! `Remaining-Req`, a 429 storm, answers slower than `order_timeout_ms`, and the whole engine
//! (`pipeline::run`) trading over WebSocket feeds + REST orders.

use std::time::{Duration, Instant};

use crate::common::mockex_rest::{
    self, creds_file, engine, stats, Venue, BINANCE_UPBIT, KEY, SECRET,
};
use microarb::base::Clock;
use microarb::config::ExecutionConfig;
use microarb::exec::secrets::ApiSecret;
use microarb::exec::KillSwitch;
use microarb::model::{Opportunity, Outcome, VenueId};
use microarb::pipeline::{run, Feed, RunOptions};
use microarb::runtime::ring;
use microarb::telemetry::Registry;
use mockex::{MockExchange, RestFault, RestLimits};

const BINANCE: VenueId = VenueId(0);
const UPBIT: VenueId = VenueId(1);

/// Binance, and Upbit (with one arbitrage in flight at a time: see [`config`]).
const VENUES: [Venue; 2] = BINANCE_UPBIT;

fn mockex(limits: RestLimits) -> MockExchange {
    mockex_rest::start(&VENUES, limits)
}

/// The engine config for `ex`'s two venues over REST, Upbit with one arbitrage in flight at a
/// time; `edit` changes `[execution]`.
fn config(
    ex: &MockExchange,
    secret_file: &str,
    edit: impl FnOnce(&mut ExecutionConfig),
) -> microarb::config::Config {
    mockex_rest::config(ex, &VENUES, secret_file, |c| {
        c.venues[1].max_inflight = 1;
        c.execution.max_inflight = 3;
        c.execution.reserved_slots = 0;
        edit(&mut c.execution);
    })
}

#[test]
fn orders_fill_on_both_venues() {
    let ex = mockex(RestLimits::default());
    let cfg = config(&ex, "/nonexistent", |_| {});
    let mut e = engine(&cfg, SECRET);
    for i in 0..4 {
        let (b, s) = if i % 2 == 0 {
            (BINANCE, UPBIT)
        } else {
            (UPBIT, BINANCE)
        };
        e.feed(&ex, b, s);
        e.settle(Duration::from_secs(3));
    }
    assert_eq!(e.terminal_sum(), e.fed);
    assert_eq!(e.outcome(Outcome::Executed), 4, "every arbitrage filled");
    for v in ["binance", "upbit"] {
        let s = stats(&ex, v);
        assert_eq!(s.rest_orders, 4, "{v}: {s:?}");
        assert_eq!(s.rest_fills, 4, "{v}: {s:?}");
        assert_eq!(s.rest_bad_signatures + s.rest_429s + s.rest_rejects, 0);
    }
    // Funds moved in the risk book: base bought on one venue, sold on the other, net zero.
    assert_eq!(e.count("exec.fills"), 8);
}

#[test]
fn a_wrong_secret_is_rejected_and_never_printed() {
    let ex = mockex(RestLimits::default());
    let wrong = "WRONG-secret-string-977";
    let cfg = config(&ex, "/nonexistent", |_| {});
    let mut e = engine(&cfg, wrong);
    e.feed(&ex, BINANCE, UPBIT);
    e.settle(Duration::from_secs(3));
    assert_eq!(e.terminal_sum(), 1);
    assert_eq!(e.outcome(Outcome::Executed), 0);
    let (b, u) = (stats(&ex, "binance"), stats(&ex, "upbit"));
    assert_eq!((b.rest_bad_signatures, b.rest_fills), (1, 0), "{b:?}");
    assert_eq!((u.rest_bad_signatures, u.rest_fills), (1, 0), "{u:?}");
    assert_eq!(
        e.count("exec.venue_rejects"),
        2,
        "-1022 and 401 are rejections"
    );
    // The secret appears nowhere the engine can print: the gateway, the config, the counters.
    let mut text = format!("{:?}", e.stage.gateway_mut());
    text += &format!("{cfg:?}{:?}", ApiSecret::new(KEY, wrong));
    for (name, v) in e.reg.counters.iter() {
        text += &format!("{name}={v}\n");
    }
    assert!(!text.contains(wrong) && !text.contains(SECRET), "{text}");
    // A credentials file others can read is refused, naming the file but not the secret.
    let (_dir, f) = creds_file("loose.creds", wrong);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        let cfg = config(&ex, f.to_str().unwrap(), |_| {});
        let mut reg = Registry::new();
        let (_tx, rx) = ring::<Opportunity>("opps", 8, &mut reg.counters);
        let err = microarb::exec::build_stage(&cfg, rx, Clock::new(), KillSwitch::new(), &mut reg)
            .err()
            .expect("refused");
        let msg = format!("{err} {err:?}");
        assert!(msg.contains("loose.creds") && !msg.contains(wrong), "{msg}");
    }
}

#[test]
fn binance_429_retry_after_is_honoured() {
    let ex = mockex(RestLimits {
        binance_orders_10s: 3,
        ..RestLimits::default()
    });
    let cfg = config(&ex, "/nonexistent", |e| e.max_wait_ms = 0);
    // Without the REST start-up: it would read the mock's exchangeInfo (3 per 10 s) and hold the
    // orders under it, so no 429 would come (`clock_sync_mockex.rs` tests that). This test is
    // about a limit the engine does not know.
    let mut e = mockex_rest::engine_with(&cfg, SECRET, |_| {});
    mockex_rest::eight_arbs_and_a_honoured_429(&mut e, &ex, BINANCE, UPBIT);
}

#[test]
fn upbit_remaining_req_throttles_before_a_429() {
    let ex = mockex(RestLimits {
        upbit_order_per_sec: 3,
        ..RestLimits::default()
    });
    let cfg = config(&ex, "/nonexistent", |e| e.max_wait_ms = 2000);
    let mut e = engine(&cfg, SECRET);
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(2500) {
        e.feed(&ex, UPBIT, BINANCE);
        e.settle(Duration::from_secs(3));
    }
    assert_eq!(e.terminal_sum(), e.fed);
    let u = stats(&ex, "upbit");
    assert_eq!(u.rest_429s, 0, "{u:?}");
    assert!(
        u.rest_orders >= 4,
        "several seconds' worth of orders: {u:?}"
    );
    assert!(
        e.count("exec.ratelimit.waits") + e.count("exec.ratelimit.throttled") > 0,
        "the stage held the group"
    );
}

#[test]
fn a_429_storm_ends_every_opportunity_once() {
    let ex = mockex(RestLimits::default());
    let cfg = config(&ex, "/nonexistent", |e| e.max_wait_ms = 10);
    let mut e = engine(&cfg, SECRET);
    let ctl = ex.control();
    ctl.inject_rest("binance", RestFault::RateLimitStorm)
        .unwrap();
    ctl.inject_rest("upbit", RestFault::RateLimitStorm).unwrap();
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(1500) {
        e.feed(&ex, BINANCE, UPBIT);
        e.poll_for(Duration::from_millis(20));
    }
    e.settle(Duration::from_secs(5));
    assert_eq!(e.terminal_sum(), e.fed);
    assert!(e.fed > 20);
    let (b, u) = (stats(&ex, "binance"), stats(&ex, "upbit"));
    assert!(b.rest_429s + u.rest_429s > 0);
    assert_eq!(b.rest_418s + u.rest_418s, 0, "Retry-After honoured");
    assert_eq!(b.rest_fills + u.rest_fills, 0);
    // After the storm, trading resumes.
    ctl.inject_rest("binance", RestFault::Clear).unwrap();
    ctl.inject_rest("upbit", RestFault::Clear).unwrap();
    e.poll_for(Duration::from_millis(1100));
    let executed = e.outcome(Outcome::Executed);
    e.feed(&ex, BINANCE, UPBIT);
    e.settle(Duration::from_secs(3));
    assert_eq!(e.outcome(Outcome::Executed), executed + 1);
    assert_eq!(e.terminal_sum(), e.fed);
}

#[test]
fn slow_answers_become_unknown_then_queried_then_final() {
    let ex = mockex(RestLimits::default());
    let cfg = config(&ex, "/nonexistent", |e| {
        e.order_timeout_ms = 200;
        e.status_query_ms = 20;
    });
    let mut e = engine(&cfg, SECRET);
    let ctl = ex.control();
    // Degradation: 0.05 s answers are still in time (timeout 0.2 s) ...
    ctl.inject_rest("binance", RestFault::Delay(Duration::from_millis(50)))
        .unwrap();
    e.feed(&ex, BINANCE, UPBIT);
    e.settle(Duration::from_secs(3));
    assert_eq!(e.count("exec.timeouts"), 0);
    // ... 0.6 s answers are not: the leg's fate is unknown until a status query says FILLED.
    ctl.inject_rest("binance", RestFault::Delay(Duration::from_millis(600)))
        .unwrap();
    e.feed(&ex, BINANCE, UPBIT);
    e.poll_for(Duration::from_millis(300));
    assert!(e.count("exec.timeouts") >= 1);
    ctl.inject_rest("binance", RestFault::Clear).unwrap();
    e.settle(Duration::from_secs(5));
    assert!(e.count("exec.status_queries") >= 1);
    assert!(stats(&ex, "binance").rest_status_queries >= 1);
    assert_eq!(e.outcome(Outcome::Executed), 2, "the slow order did fill");
    // A 5xx and a swallowed answer: unknown, queried, final. Each fault stays on until the venue
    // has met it and the arbitrage has settled: with fixed 30 ms waits the second order once
    // reached the venue only after the fault was cleared (CI load), or not at all (the first
    // arbitrage's unknown leg still held what it needed).
    ctl.inject_rest("upbit", RestFault::ServerError).unwrap();
    e.feed(&ex, BINANCE, UPBIT);
    e.poll_until(Duration::from_secs(5), |_| {
        stats(&ex, "upbit").rest_5xx >= 1
    });
    ctl.inject_rest("upbit", RestFault::Clear).unwrap();
    e.settle(Duration::from_secs(5));
    ctl.inject_rest("upbit", RestFault::NoAnswer).unwrap();
    e.feed(&ex, BINANCE, UPBIT);
    e.poll_until(Duration::from_secs(5), |_| {
        stats(&ex, "upbit").rest_unanswered >= 1
    });
    ctl.inject_rest("upbit", RestFault::Clear).unwrap();
    e.settle(Duration::from_secs(5));
    let u = stats(&ex, "upbit");
    // What the stage did, named in the message.
    let did = [
        "exec.opps_in",
        "exec.orders_sent",
        "exec.submit_errors",
        "exec.timeouts",
        "exec.status_queries",
    ]
    .map(|n| format!("{n} {}", e.count(n)));
    assert!(
        u.rest_5xx >= 1 && u.rest_unanswered >= 1,
        "{u:?}; stage: {did:?}, executed {}, terminal {}",
        e.outcome(Outcome::Executed),
        e.terminal_sum()
    );
    assert!(u.rest_status_queries >= 2, "{u:?}");
    assert_eq!(e.terminal_sum(), e.fed);
    assert_eq!(e.outcome(Outcome::Executed), 4, "both orders had executed");
}

#[test]
fn the_engine_trades_over_rest_against_mockex() {
    let mut ex = mockex(RestLimits::default());
    let (_dir, creds) = creds_file("engine.creds", SECRET);
    let cfg = config(&ex, creds.to_str().unwrap(), |e| e.max_wait_ms = 50);
    let opts = RunOptions {
        seconds: Some(3.0),
        no_pin: true,
        status_line: Some(false),
        ..RunOptions::default()
    };
    let feed = Feed::Live {
        settings: Default::default(),
        record: None,
        ingest_only: false,
    };
    let summary = run(&cfg, feed, &opts).expect("run");
    let r = &summary.report;
    let o = &r["opportunities"];
    let detected = o["detected"].as_u64().unwrap();
    assert!(detected > 0, "{o}");
    assert_eq!(o["terminal_sum"].as_u64().unwrap(), detected, "{o}");
    assert_eq!(o["in_flight_at_exit"].as_u64().unwrap(), 0);
    let orders: u64 = ["binance", "upbit"]
        .iter()
        .map(|v| stats(&ex, v).rest_orders)
        .sum();
    let c = |n: &str| r["counters"][n].as_u64().unwrap_or(0);
    assert!(orders > 0, "orders reached mockex");
    assert_eq!(orders, c("exec.orders_sent"), "{}", r["counters"]);
    let bad: u64 = ["binance", "upbit"]
        .iter()
        .map(|v| stats(&ex, v).rest_bad_signatures)
        .sum();
    assert_eq!(bad, 0);
    assert!(!r.to_string().contains(SECRET));
    let fills: u64 = ["binance", "upbit"]
        .iter()
        .map(|v| stats(&ex, v).rest_fills)
        .sum();
    println!(
        "detected {detected}, outcomes {o}, orders {orders}, fills at mockex {fills}, order_rtt {}",
        r["latency_ns"]["order_rtt"]
    );
    assert!(fills > 0, "the engine traded");
    ex.stop();
}
