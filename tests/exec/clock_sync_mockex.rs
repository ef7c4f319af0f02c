//! The REST start-up against the mock exchange: venue server clocks measured and applied to
//! signed timestamps (a mock whose clock runs 5 s ahead or behind the host's refuses every
//! uncorrected Binance order with -1021 and none once corrected), re-measured periodically, and
//! Binance's exchangeInfo `rateLimits` read into the limiter (the defaults when it cannot be
//! read).

use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::common::mockex_rest::{self, engine, stats, Venue, ALL_FOUR, BINANCE_UPBIT, SECRET};
use microarb::base::{Clock, ClockOffsets};
use microarb::config::Config;
use microarb::exec::limits::{default_limit, EndpointGroup};
use microarb::exec::params::ExecParams;
use microarb::exec::startup::{rate_limits, server_time::ClockSync};
use microarb::model::{Outcome, RejectReason, VenueId, VenueKind};
use microarb::telemetry::Registry;
use mockex::{MockExchange, RestLimits};

const BINANCE: VenueId = VenueId(0);
const UPBIT: VenueId = VenueId(1);
const VENUES: [Venue; 2] = BINANCE_UPBIT;

/// Binance + Upbit over REST against `ex`, a 2 s `recvWindow` (so a 5 s skew is outside it
/// either way), `edit` applied.
fn config(ex: &MockExchange, edit: impl FnOnce(&mut Config)) -> Config {
    mockex_rest::config(ex, &VENUES, "/nonexistent", |c| {
        c.execution.rest.recv_window_ms = 2000;
        c.execution.reserved_slots = 0;
        edit(c);
    })
}

/// A loopback port nothing listens on (bound, then released).
fn closed_port_url() -> String {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

/// Wait (bounded, generously: not a speed claim) until `ok` holds.
fn wait_until(max: Duration, mut ok: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + max;
    while Instant::now() < end {
        if ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    ok()
}

#[test]
fn a_skewed_venue_clock_refuses_uncorrected_binance_orders_and_none_once_measured() {
    for skew_ms in [5_000i64, -5_000] {
        // Without the correction (the stage built without the REST start-up): -1021.
        let ex = mockex_rest::start(&VENUES, RestLimits::default());
        ex.control().set_rest_clock_offset_ms(skew_ms).unwrap();
        let cfg = config(&ex, |_| {});
        let mut e = mockex_rest::engine_with(&cfg, SECRET, |_| {});
        for _ in 0..2 {
            e.feed(&ex, BINANCE, UPBIT);
            e.settle(Duration::from_secs(5));
        }
        let b = stats(&ex, "binance");
        assert!(b.rest_orders >= 2, "{skew_ms}: {b:?}");
        assert_eq!(
            (b.rest_stale_timestamps, b.rest_fills),
            (b.rest_orders, 0),
            "{skew_ms}: every uncorrected order is refused -1021: {b:?}"
        );
        drop(e);
        drop(ex);

        // With it (the stage as the engine builds it): the offset is measured, nothing refused.
        let ex = mockex_rest::start(&VENUES, RestLimits::default());
        ex.control().set_rest_clock_offset_ms(skew_ms).unwrap();
        let cfg = config(&ex, |_| {});
        let mut e = engine(&cfg, SECRET);
        let measured = e
            .stage
            .gateway_mut()
            .clock_offsets()
            .get_ms(BINANCE.index());
        assert!(
            (measured - skew_ms).abs() < 1000,
            "{skew_ms}: measured {measured} ms"
        );
        assert_eq!(e.count("clock_sync.binance.measured"), 1);
        assert_eq!(e.count("clock_sync.binance.failed"), 0);
        for _ in 0..2 {
            e.feed(&ex, BINANCE, UPBIT);
            e.settle(Duration::from_secs(5));
        }
        e.check_accounting(&ex, &VENUES);
        let b = stats(&ex, "binance");
        assert_eq!(b.rest_stale_timestamps, 0, "{skew_ms}: {b:?}");
        assert_eq!(b.rest_fills, 2, "{skew_ms}: {b:?}");
        assert_eq!(e.outcome(Outcome::Executed), 2, "{skew_ms}");
    }
}

#[test]
fn the_offset_is_re_measured_periodically_for_every_timestamp_venue() {
    let ex = mockex_rest::start(&ALL_FOUR, RestLimits::default());
    let cfg = mockex_rest::config(&ex, &ALL_FOUR, "/nonexistent", |_| {});
    let offsets = ClockOffsets::new();
    let mut reg = Registry::new();
    let sync = ClockSync::start_up(&cfg, offsets.clone(), Clock::new(), &mut reg);
    assert_eq!(
        sync.venues(),
        ["binance", "bybit", "okx"],
        "upbit signs no timestamp"
    );
    for v in [0, 2, 3] {
        assert!(
            offsets.get_ms(v).abs() < 1000,
            "venue {v}: {}",
            offsets.get_ms(v)
        );
    }
    ex.control().set_rest_clock_offset_ms(-4_000).unwrap();
    let handle = sync.spawn(Duration::from_millis(100)).expect("thread");
    let followed = wait_until(Duration::from_secs(10), || {
        [0, 2, 3]
            .iter()
            .all(|&v| (offsets.get_ms(v) + 4_000).abs() < 1000)
    });
    handle.stop_and_join();
    assert!(
        followed,
        "offsets {:?}",
        [0, 2, 3].map(|v| offsets.get_ms(v))
    );
    assert_eq!(offsets.get_ms(1), 0, "upbit is never measured");
    for v in ["binance", "bybit", "okx"] {
        let n = reg
            .counters
            .get(&format!("clock_sync.{v}.measured"))
            .unwrap();
        assert!(n >= 2, "{v}: measured {n} times");
        assert_eq!(reg.counters.get(&format!("clock_sync.{v}.failed")), Some(0));
    }
}

#[test]
fn the_engine_s_clock_sync_thread_follows_a_drifting_venue_clock() {
    let ex = mockex_rest::start(&VENUES, RestLimits::default());
    let cfg = config(&ex, |c| c.execution.rest.clock_sync_ms = 1000);
    let mut e = engine(&cfg, SECRET);
    let offsets = e.stage.gateway_mut().clock_offsets();
    assert!(offsets.get_ms(0).abs() < 1000);
    // The venue's clock jumps 5 s ahead of ours after start-up.
    ex.control().set_rest_clock_offset_ms(5_000).unwrap();
    assert!(
        wait_until(Duration::from_secs(15), || (offsets.get_ms(0) - 5_000)
            .abs()
            < 1000),
        "offset {}",
        offsets.get_ms(0)
    );
    e.feed(&ex, BINANCE, UPBIT);
    e.settle(Duration::from_secs(5));
    let b = stats(&ex, "binance");
    assert_eq!((b.rest_stale_timestamps, b.rest_fills), (0, 1), "{b:?}");
    assert!(e.count("clock_sync.binance.measured") >= 2);
}

#[test]
fn an_unreachable_venue_clock_is_counted_and_the_host_clock_kept() {
    let ex = mockex_rest::start(&VENUES, RestLimits::default());
    let mut cfg = config(&ex, |_| {});
    cfg.venues[0].rest_url = Some(closed_port_url());
    let offsets = ClockOffsets::new();
    offsets.set_ms(0, 0);
    let mut reg = Registry::new();
    let mut sync = ClockSync::start_up(&cfg, offsets.clone(), Clock::new(), &mut reg);
    assert_eq!(offsets.get_ms(0), 0);
    assert_eq!(reg.counters.get("clock_sync.binance.failed"), Some(1));
    assert_eq!(reg.counters.get("clock_sync.binance.measured"), Some(0));
    let r = sync.measure_all();
    assert!(r[0].1.is_err(), "{r:?}");
    assert_eq!(reg.counters.get("clock_sync.binance.failed"), Some(2));
}

fn group(p: &ExecParams, g: EndpointGroup) -> microarb::exec::LimitSpec {
    p.venues[0].limits[g.index()].expect("binance group")
}

#[test]
fn exchange_info_rate_limits_reach_the_binance_limiter() {
    let ex = mockex_rest::start(
        &VENUES,
        RestLimits {
            binance_orders_10s: 7,
            binance_weight_1m: 900,
            ..RestLimits::default()
        },
    );
    let cfg = config(&ex, |_| {});
    let mut p = ExecParams::from_config(&cfg).unwrap();
    let mut reg = Registry::new();
    rate_limits::apply(&cfg, &mut p, &mut reg);
    let o = group(&p, EndpointGroup::Orders10s);
    assert_eq!(
        (o.limit, o.burst),
        (7, 3),
        "the mock's 7 per 10 s, burst at most half"
    );
    let w = group(&p, EndpointGroup::RequestWeight);
    assert_eq!(w.limit, 900);
    assert!(w.burst <= 450);
    let d = group(&p, EndpointGroup::OrdersDay);
    assert_eq!(
        Some(d),
        default_limit(VenueKind::Binance, EndpointGroup::OrdersDay)
    );
    assert_eq!(reg.counters.get("rate_limits.binance.fetched"), Some(1));
    assert_eq!(reg.counters.get("rate_limits.binance.lowered"), Some(2));
    assert_eq!(reg.counters.get("rate_limits.binance.defaults"), Some(0));
    assert_eq!(stats(&ex, "binance").rest_rules, 1);
}

#[test]
fn without_exchange_info_the_published_defaults_stay() {
    let ex = mockex_rest::start(&VENUES, RestLimits::default());
    let mut cfg = config(&ex, |_| {});
    cfg.venues[0].rest_url = Some(closed_port_url());
    let mut p = ExecParams::from_config(&cfg).unwrap();
    let before = p.venues[0].limits;
    let mut reg = Registry::new();
    rate_limits::apply(&cfg, &mut p, &mut reg);
    assert_eq!(p.venues[0].limits, before);
    for g in [
        EndpointGroup::Orders10s,
        EndpointGroup::OrdersDay,
        EndpointGroup::RequestWeight,
    ] {
        assert_eq!(
            Some(group(&p, g)),
            default_limit(VenueKind::Binance, g),
            "{g:?}"
        );
    }
    assert_eq!(reg.counters.get("rate_limits.binance.defaults"), Some(1));
    assert_eq!(reg.counters.get("rate_limits.binance.fetched"), Some(0));
}

#[test]
fn the_engine_holds_to_the_published_limit_and_gets_no_429() {
    // The mirror of rest_mockex's binance_429_retry_after_is_honoured: the same 3 orders per
    // 10 s, but the stage is built as the engine builds it, so it read them at start-up.
    let ex = mockex_rest::start(
        &VENUES,
        RestLimits {
            binance_orders_10s: 3,
            ..RestLimits::default()
        },
    );
    let cfg = config(&ex, |c| c.execution.max_wait_ms = 0);
    let mut e = engine(&cfg, SECRET);
    assert_eq!(e.count("rate_limits.binance.fetched"), 1);
    for _ in 0..8 {
        e.feed(&ex, BINANCE, UPBIT);
        e.settle(Duration::from_secs(3));
    }
    assert_eq!(e.terminal_sum(), e.fed);
    let b = stats(&ex, "binance");
    assert_eq!(b.rest_429s + b.rest_418s, 0, "{b:?}");
    assert!((1..=3).contains(&b.rest_orders), "{b:?}");
    assert!(e.outcome(Outcome::Rejected(RejectReason::RateLimited)) > 0);
}

#[test]
fn a_host_that_never_resolves_ends_the_start_up_with_an_error_naming_it() {
    let ex = mockex_rest::start(&VENUES, RestLimits::default());
    let mut cfg = config(&ex, |_| {});
    cfg.venues[0].rest_url = Some("http://no-such-host.invalid:8080".into());
    let creds = mockex_rest::creds_with(&cfg, SECRET, mockex_rest::PASSPHRASE);
    // The bound is real time (about 6 s of retries): a typo is reported, not waited on forever.
    let err = microarb::exec::gateway::rest::router_from_config(&cfg, &creds, Clock::new())
        .expect_err("refused");
    let text = err.to_string();
    assert!(text.contains("no-such-host.invalid:8080"), "{text}");
    assert!(text.contains("after 6 attempt"), "{text}");
    // A host that resolves at once is counted with no retry.
    let e = engine(&config(&ex, |_| {}), SECRET);
    assert_eq!(e.reg.counters.get("dns.binance.retries"), Some(0));
    assert_eq!(e.reg.counters.get("dns.upbit.retries"), Some(0));
}

#[test]
fn account_calls_sign_with_the_measured_offset() {
    let ex = mockex_rest::start(&VENUES, RestLimits::default());
    ex.control().set_rest_clock_offset_ms(-5_000).unwrap();
    let cfg = config(&ex, |_| {});
    let creds = microarb::exec::ApiSecret::new(mockex_rest::KEY, SECRET);
    let mut c = microarb::exec::account::client_for_venue(
        &cfg,
        "binance",
        Some(&creds),
        Duration::from_secs(5),
    )
    .unwrap();
    let err = c.balances().expect_err("5 s ahead of the venue");
    assert!(err.to_string().contains("-1021"), "{err}");
    let local = || microarb::exec::account::client::unix_ms_now();
    let m = microarb::exec::startup::server_time::measure(&mut c, &local).unwrap();
    assert!((m.offset_ms + 5_000).abs() < 1000, "{m:?}");
    c.set_clock_offset_ms(m.offset_ms);
    assert!(!c.balances().unwrap().is_empty());
}
