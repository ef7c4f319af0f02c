//! The Bybit v5 and OKX v5 REST gateways against the mock exchange's REST endpoints on loopback,
//! real sockets, real time: fills (acknowledged, then status-queried to their final state), a
//! wrong secret, a wrong or missing passphrase, stale timestamps, rate-limit answers without
//! `Retry-After` (Bybit's 10006, OKX's 429 50011), Bybit's `X-Bapi-Limit-Status` throttling
//! before a 10006, and 5xx / unanswered orders that become unknown, are queried and end final.

use std::time::{Duration, Instant};

use crate::common::mockex_rest::{
    self, creds_file, creds_with, engine, engine_on, stats, Venue, BYBIT_OKX, KEY, PASSPHRASE,
    SECRET,
};
use microarb::base::Clock;
use microarb::config::ExecutionConfig;
use microarb::exec::secrets::ApiSecret;
use microarb::exec::KillSwitch;
use microarb::model::{Opportunity, Outcome, VenueId};
use microarb::runtime::ring;
use microarb::telemetry::Registry;
use mockex::{ApiCredentials, MockExchange, RestFault, RestLimits};

const BYBIT: VenueId = VenueId(0);
const OKX: VenueId = VenueId(1);
const VENUES: [Venue; 2] = BYBIT_OKX;

fn mockex(limits: RestLimits) -> MockExchange {
    mockex_rest::start(&VENUES, limits)
}

/// The engine config for `ex`'s Bybit and OKX over REST; `edit` changes `[execution]`.
fn config(
    ex: &MockExchange,
    secret_file: &str,
    edit: impl FnOnce(&mut ExecutionConfig),
) -> microarb::config::Config {
    mockex_rest::config(ex, &VENUES, secret_file, |c| {
        c.execution.max_inflight = 3;
        c.execution.reserved_slots = 0;
        edit(&mut c.execution);
    })
}

#[test]
fn orders_are_acknowledged_queried_and_filled_on_both_venues() {
    let ex = mockex(RestLimits::default());
    // Orders and status queries share the venues' conservative order limit (10/s, burst 5): let
    // an opportunity wait for its token rather than be refused.
    let cfg = config(&ex, "/nonexistent", |e| {
        e.status_query_ms = 20;
        e.max_wait_ms = 1000;
    });
    let mut e = engine(&cfg, SECRET);
    for i in 0..4 {
        let (b, s) = if i % 2 == 0 {
            (BYBIT, OKX)
        } else {
            (OKX, BYBIT)
        };
        e.feed(&ex, b, s);
        e.settle(Duration::from_secs(3));
    }
    e.check_accounting(&ex, &VENUES);
    let dump: Vec<String> = e
        .reg
        .counters
        .iter()
        .filter(|(_, v)| *v > 0)
        .map(|(n, v)| format!("{n}={v}"))
        .collect();
    assert_eq!(
        e.outcome(Outcome::Executed),
        4,
        "every arbitrage filled: {dump:?} {:?} {:?}",
        stats(&ex, "bybit"),
        stats(&ex, "okx")
    );
    for v in ["bybit", "okx"] {
        let s = stats(&ex, v);
        assert_eq!((s.rest_orders, s.rest_fills), (4, 4), "{v}: {s:?}");
        assert!(
            s.rest_status_queries >= 4,
            "every acknowledgement queried: {s:?}"
        );
        assert_eq!(
            s.rest_bad_signatures
                + s.rest_bad_passphrases
                + s.rest_stale_timestamps
                + s.rest_unknown_keys
                + s.rest_429s
                + s.rest_rejects,
            0,
            "{v}: {s:?}"
        );
    }
    assert_eq!(
        e.count("exec.accepted"),
        8,
        "both create answers are acknowledgements"
    );
    assert_eq!(e.count("exec.status_5xx") + e.count("exec.timeouts"), 0);
    assert_eq!(e.count("exec.fills"), 8);
}

#[test]
fn a_wrong_secret_or_passphrase_is_rejected_and_never_printed() {
    let ex = mockex(RestLimits::default());
    let cfg = config(&ex, "/nonexistent", |_| {});
    let wrong = "WRONG-secret-string-977";
    let mut e = engine(&cfg, wrong);
    e.feed(&ex, BYBIT, OKX);
    e.settle(Duration::from_secs(3));
    e.check_accounting(&ex, &VENUES);
    assert_eq!(e.outcome(Outcome::Executed), 0);
    let (b, o) = (stats(&ex, "bybit"), stats(&ex, "okx"));
    assert_eq!(
        (b.rest_bad_signatures, b.rest_fills),
        (1, 0),
        "10004: {b:?}"
    );
    assert_eq!(
        (o.rest_bad_signatures, o.rest_fills),
        (1, 0),
        "50113: {o:?}"
    );
    assert_eq!(e.count("exec.venue_rejects"), 2);
    let mut text = format!("{:?}{cfg:?}", e.stage.gateway_mut());
    for (name, v) in e.reg.counters.iter() {
        text += &format!("{name}={v}\n");
    }
    assert!(!text.contains(wrong) && !text.contains(SECRET), "{text}");
    assert!(!text.contains(PASSPHRASE), "{text}");

    // The right secret, the wrong passphrase: OKX refuses (50105), Bybit fills.
    let bad_pass = "Wrong-phrase-31";
    let mut e = engine_on(
        &cfg,
        &creds_with(&cfg, SECRET, bad_pass),
        Clock::new(),
        |_| {},
    );
    e.feed(&ex, BYBIT, OKX);
    e.settle(Duration::from_secs(3));
    assert_eq!(e.terminal_sum(), e.fed);
    let o2 = stats(&ex, "okx");
    assert_eq!(o2.rest_bad_passphrases, 1, "{o2:?}");
    assert_eq!(o2.rest_fills, 0, "{o2:?}");
    assert!(
        stats(&ex, "bybit").rest_fills >= 1,
        "the Bybit leg went through"
    );
    assert!(!format!("{:?}", e.stage.gateway_mut()).contains(bad_pass));
}

#[test]
fn a_missing_passphrase_is_a_config_error_naming_the_key() {
    let ex = mockex(RestLimits::default());
    // An OKX credentials file without its passphrase= line.
    let (_dir, f) = creds_file("okx.creds", SECRET);
    let cfg = config(&ex, f.to_str().unwrap(), |_| {});
    let mut reg = Registry::new();
    let (_tx, rx) = ring::<Opportunity>("opps", 8, &mut reg.counters);
    let err = microarb::exec::build_stage(&cfg, rx, Clock::new(), KillSwitch::new(), &mut reg)
        .err()
        .expect("refused");
    let msg = format!("{err}");
    assert!(
        msg.contains("venues[1]") && msg.contains("passphrase") && msg.contains("api_secret_file"),
        "{msg}"
    );
    assert!(!format!("{msg} {err:?}").contains(SECRET), "{msg}");
    // With the line, the same file loads and the stage connects.
    let dir = crate::common::tmp::TempDir::new("okx-pass");
    let p = dir.join("okx.creds");
    ApiCredentials::new(KEY, SECRET)
        .with_passphrase(PASSPHRASE)
        .write_file(&p)
        .unwrap();
    let mut cfg = cfg;
    cfg.venues[1].api_secret_file = Some(p.to_str().unwrap().into());
    // Bybit takes no passphrase: its own file keeps none.
    cfg.venues[0].api_secret_file = Some(f.to_str().unwrap().into());
    let (_tx, rx) = ring::<Opportunity>("opps", 8, &mut reg.counters);
    assert!(
        microarb::exec::build_stage(&cfg, rx, Clock::new(), KillSwitch::new(), &mut reg).is_ok()
    );
    // A passphrase= line on the Bybit venue is refused, naming it.
    cfg.venues[0].api_secret_file = Some(p.to_str().unwrap().into());
    let (_tx, rx) = ring::<Opportunity>("opps", 8, &mut reg.counters);
    let err = microarb::exec::build_stage(&cfg, rx, Clock::new(), KillSwitch::new(), &mut reg)
        .err()
        .expect("refused");
    assert!(err.to_string().contains("only okx"), "{err}");
    assert!(!format!("{err:?}").contains(PASSPHRASE));
}

#[test]
fn stale_timestamps_are_refused_by_both_venues() {
    let ex = mockex(RestLimits::default());
    let cfg = config(&ex, "/nonexistent", |_| {});
    // A host clock a minute behind: outside Bybit's recv window and OKX's 30 s.
    let creds: Vec<ApiSecret> = creds_with(&cfg, SECRET, PASSPHRASE);
    let mut e = engine_on(&cfg, &creds, Clock::skewed(-60_000_000_000), |_| {});
    e.feed(&ex, BYBIT, OKX);
    e.settle(Duration::from_secs(3));
    e.check_accounting(&ex, &VENUES);
    for v in ["bybit", "okx"] {
        let s = stats(&ex, v);
        assert_eq!(
            (s.rest_stale_timestamps, s.rest_fills),
            (1, 0),
            "{v}: {s:?}"
        );
    }
    assert_eq!(
        e.count("exec.venue_rejects"),
        2,
        "10002 and 50102 are rejections"
    );
}

#[test]
fn rate_limit_answers_without_retry_after_end_every_opportunity_once() {
    let ex = mockex(RestLimits::default());
    let cfg = config(&ex, "/nonexistent", |e| e.max_wait_ms = 10);
    let mut e = engine(&cfg, SECRET);
    let ctl = ex.control();
    // Bybit answers 10006 (HTTP 200, X-Bapi-* headers), OKX HTTP 429 50011; neither sends
    // Retry-After, so the engine's default block applies.
    ctl.inject_rest("bybit", RestFault::RateLimitStorm).unwrap();
    ctl.inject_rest("okx", RestFault::RateLimitStorm).unwrap();
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(1500) {
        e.feed(&ex, BYBIT, OKX);
        e.poll_for(Duration::from_millis(20));
    }
    e.settle(Duration::from_secs(5));
    assert_eq!(e.terminal_sum(), e.fed);
    assert!(e.fed > 20);
    let (b, o) = (stats(&ex, "bybit"), stats(&ex, "okx"));
    assert!(b.rest_429s > 0 && o.rest_429s > 0, "{b:?} {o:?}");
    assert_eq!(b.rest_418s + o.rest_418s, 0, "no ban: {b:?} {o:?}");
    assert_eq!(b.rest_fills + o.rest_fills, 0);
    assert!(e.count("exec.status_429") >= 2);
    // The engine held back: far fewer orders than opportunities reached the venues.
    assert!(b.rest_orders + o.rest_orders < 2 * e.fed, "{b:?} {o:?}");
    // After the storm, trading resumes.
    ctl.inject_rest("bybit", RestFault::Clear).unwrap();
    ctl.inject_rest("okx", RestFault::Clear).unwrap();
    e.poll_for(Duration::from_millis(1100));
    let executed = e.outcome(Outcome::Executed);
    e.feed(&ex, BYBIT, OKX);
    e.settle(Duration::from_secs(3));
    assert_eq!(e.outcome(Outcome::Executed), executed + 1);
    assert_eq!(e.terminal_sum(), e.fed);
}

#[test]
fn bybit_limit_status_throttles_before_a_10006() {
    let ex = mockex(RestLimits {
        bybit_create_per_sec: 3,
        ..RestLimits::default()
    });
    let cfg = config(&ex, "/nonexistent", |e| {
        e.max_wait_ms = 2000;
        e.status_query_ms = 20;
    });
    let mut e = engine(&cfg, SECRET);
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(2500) {
        e.feed(&ex, BYBIT, OKX);
        e.settle(Duration::from_secs(3));
    }
    assert_eq!(e.terminal_sum(), e.fed);
    let b = stats(&ex, "bybit");
    assert_eq!(b.rest_429s, 0, "{b:?}");
    assert!(
        b.rest_orders >= 4,
        "several seconds' worth of orders: {b:?}"
    );
    assert!(
        e.count("exec.ratelimit.waits") + e.count("exec.ratelimit.throttled") > 0,
        "the stage held the group"
    );
}

#[test]
fn a_5xx_and_a_swallowed_answer_become_unknown_then_queried_then_final() {
    let ex = mockex(RestLimits::default());
    let cfg = config(&ex, "/nonexistent", |e| {
        e.order_timeout_ms = 200;
        e.status_query_ms = 20;
    });
    let mut e = engine(&cfg, SECRET);
    let ctl = ex.control();
    ctl.inject_rest("bybit", RestFault::ServerError).unwrap();
    e.feed(&ex, BYBIT, OKX);
    e.poll_for(Duration::from_millis(30));
    ctl.inject_rest("bybit", RestFault::Clear).unwrap();
    ctl.inject_rest("okx", RestFault::NoAnswer).unwrap();
    e.feed(&ex, BYBIT, OKX);
    e.poll_for(Duration::from_millis(30));
    ctl.inject_rest("okx", RestFault::Clear).unwrap();
    e.settle(Duration::from_secs(5));
    e.check_accounting(&ex, &VENUES);
    let (b, o) = (stats(&ex, "bybit"), stats(&ex, "okx"));
    assert!(b.rest_5xx >= 1, "{b:?}");
    assert!(o.rest_unanswered >= 1, "{o:?}");
    assert!(b.rest_status_queries >= 1 && o.rest_status_queries >= 1);
    assert!(e.count("exec.status_5xx") >= 1);
    assert!(e.count("exec.timeouts") >= 1);
    assert_eq!(e.outcome(Outcome::Executed), 2, "both orders had executed");
}

#[test]
fn a_feed_only_venue_gets_no_order_and_its_opportunities_are_refused() {
    let ex = mockex(RestLimits::default());
    // OKX is a feed only: no credentials, no route; Bybit trades.
    let cfg = mockex_rest::config(&ex, &VENUES, "/nonexistent", |c| {
        c.venues[1].trade = false;
        c.venues[1].api_secret_file = None;
    });
    let mut e = engine(&cfg, SECRET);
    e.feed(&ex, BYBIT, OKX);
    e.feed(&ex, OKX, BYBIT);
    e.settle(Duration::from_secs(3));
    e.check_accounting(&ex, &VENUES);
    assert_eq!(
        e.outcome(Outcome::Rejected(microarb::model::RejectReason::FeedOnly)),
        2
    );
    assert_eq!(e.count("exec.orders_sent"), 0);
    assert_eq!(stats(&ex, "okx").rest_requests, 0, "okx: nothing sent");
    // Bybit trades: the start-up read its server clock, and nothing else was sent.
    let b = stats(&ex, "bybit");
    assert_eq!(
        b.rest_requests, b.rest_time,
        "bybit: only clock reads: {b:?}"
    );
}
