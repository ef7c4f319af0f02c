//! The Binance WebSocket API gateway (`src/exec/gateway/ws/`) against the mock exchange's
//! `/ws-api/v3` on loopback, real sockets, real time: logon, a refused key, an order filled over
//! the session (and seen by the mock's REST side), a rejected order, and a session dropped
//! mid-request, then reconnect and re-logon with no order lost or duplicated.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::mockex_rest::{self, Venue, KEY};
use crate::common::ws::{answers, poll_until, pushed};
use microarb::base::{Clock, ClockOffsets};
use microarb::exec::gateway::codec::answer::InstrumentSpec;
use microarb::exec::gateway::codec::binance_ws::{Ed25519Key, WsRequestWriter, WsSettings};
use microarb::exec::gateway::codec::InstrumentTable;
use microarb::exec::gateway::ws::{
    AssetNames, BinanceDialect, WsGateway, WsSession, WsSessionSettings,
};
use microarb::exec::gateway::{Gateway, GatewayEvent};
use microarb::exec::guards::AssetId;
use microarb::model::{ExecStatus, InstrumentId, Order, OrderId, Qty, VenueId, VenueKind};
use mockex::{MockExchange, RestFault, RestLimits, WsApiConfig};

/// Binance's illustrative Ed25519 key (fix-api.md), PKCS#8 v1.
const PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u\n-----END PRIVATE KEY-----\n";
/// Another key, for the refusal.
const OTHER_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g\n-----END PRIVATE KEY-----\n";

const BINANCE: VenueId = VenueId(0);
const VENUES: [Venue; 1] = [Venue {
    name: "binance",
    kind: VenueKind::Binance,
    extra: "",
}];

fn key(pem: &str) -> Ed25519Key {
    Ed25519Key::from_pem(Path::new("test.pem"), pem.as_bytes()).unwrap()
}

fn mock(edit: impl FnOnce(&mut WsApiConfig)) -> MockExchange {
    let pk = key(PEM).public_key().to_vec();
    mockex_rest::start_with(&VENUES, RestLimits::default(), |cfg| {
        cfg.ws_api.ed25519_public_key = Some(pk);
        edit(&mut cfg.ws_api);
    })
}

fn gateway(ex: &MockExchange, pem: &str) -> WsGateway {
    gateway_with(ex, pem, |_| {})
}

fn gateway_with(
    ex: &MockExchange,
    pem: &str,
    edit: impl FnOnce(&mut WsSessionSettings),
) -> WsGateway {
    gateway_full(ex, pem, false, edit)
}

/// A gateway whose session subscribes to the user-data stream after each logon (`subscribe`).
fn gateway_full(
    ex: &MockExchange,
    pem: &str,
    subscribe: bool,
    edit: impl FnOnce(&mut WsSessionSettings),
) -> WsGateway {
    let e = ex.endpoint("binance").unwrap();
    let mut s = WsSessionSettings::new(e.addr, e.addr.to_string(), "/ws-api/v3".into());
    s.retry_min_ns = 20_000_000;
    s.answer_timeout_ns = 1_000_000_000;
    edit(&mut s);
    let table = InstrumentTable::new(&[(
        InstrumentId(0),
        InstrumentSpec {
            symbol: "BTCUSDT".into(),
            price_scale: 8,
            qty_scale: 8,
        },
    )])
    .unwrap();
    let settings = WsSettings {
        recv_window_ms: 5000,
        client_id_prefix: "ws".into(),
        query_rate_limits: true,
    };
    let writer = WsRequestWriter::new(settings, table).unwrap();
    let dialect = BinanceDialect::new(
        writer,
        key(pem),
        KEY.into(),
        5000,
        subscribe,
        AssetNames::new([("BTC", AssetId(0)), ("USDT", AssetId(1))]),
    );
    let session = WsSession::new(s, Box::new(dialect), None);
    WsGateway::new(
        BINANCE,
        Some(session),
        None,
        Clock::new(),
        ClockOffsets::new(),
    )
}

#[test]
fn logon_then_filled_and_rejected_orders() {
    let ex = mock(|_| {});
    let clock = Clock::new();
    let mut g = gateway(&ex, PEM);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| g.is_ready());
    assert_eq!(g.session().unwrap().counters().logons, 1);
    let ask = ex.top_of_book("binance").unwrap().ask_px;
    g.submit(&order(1, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| !answers(e).is_empty());
    assert_eq!(answers(&ev), vec![(OrderId(1), ExecStatus::Filled)]);
    assert!(
        ev.iter().any(|e| matches!(e, GatewayEvent::BinanceUsage { usage, .. } if usage.order_count_10s == Some(1))),
        "rateLimits feed the limiter: {ev:?}"
    );
    let taken = ex.rest_orders("binance").unwrap();
    assert_eq!(
        taken.len(),
        1,
        "the REST side's book holds the session's order"
    );
    // A refused order.
    ex.control()
        .inject_rest("binance", RestFault::Reject)
        .unwrap();
    ev.clear();
    g.submit(&order(2, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| !answers(e).is_empty());
    assert!(
        matches!(answers(&ev)[0], (OrderId(2), ExecStatus::Rejected { .. })),
        "{ev:?}"
    );
    // A status query on the session for the filled order.
    ex.control()
        .inject_rest("binance", RestFault::Clear)
        .unwrap();
    ev.clear();
    g.status_query(OrderId(1), BINANCE, clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| !answers(e).is_empty());
    assert_eq!(answers(&ev), vec![(OrderId(1), ExecStatus::Filled)]);
    let c = g.session().unwrap().counters();
    assert_eq!(
        (c.requests, c.answers, c.stray_answers, c.timeouts),
        (3, 3, 0, 0)
    );
}

#[test]
fn a_wrong_key_is_refused_and_no_order_goes_on_the_session() {
    let ex = mock(|_| {});
    let clock = Clock::new();
    let mut g = gateway(&ex, OTHER_PEM);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| {
        g.session().unwrap().counters().logon_refusals >= 2
    });
    assert!(!g.is_ready());
    let ask = ex.top_of_book("binance").unwrap().ask_px;
    assert!(matches!(
        g.submit(&order(1, ask * 2), clock.now_ns()),
        Err(microarb::exec::gateway::SubmitError::NotConnected(BINANCE))
    ));
    let s = mockex_rest::stats(&ex, "binance");
    assert!(s.ws_api_logon_refusals >= 2, "{s:?}");
    assert_eq!(s.rest_orders, 0);
}

#[test]
fn dropped_mid_request_then_relogon_no_order_lost_or_duplicated() {
    let ex = mock(|w| w.drop_on_place = Some(2));
    let clock = Clock::new();
    let mut g = gateway(&ex, PEM);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| g.is_ready());
    let ask = ex.top_of_book("binance").unwrap().ask_px;
    g.submit(&order(1, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| answers(e).len() == 1);
    // The second placement executes at the venue, and the session drops before its answer.
    g.submit(&order(2, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| answers(e).len() == 2);
    assert_eq!(
        answers(&ev)[1],
        (OrderId(2), ExecStatus::Unknown),
        "fate unknown, not failed: {ev:?}"
    );
    assert_eq!(g.session().unwrap().counters().lost_in_flight, 1);
    // Reconnect and re-logon, then the status query finds the order filled.
    poll_until(&mut g, &clock, &mut ev, |g, _| g.is_ready());
    assert_eq!(g.session().unwrap().counters().logons, 2);
    g.status_query(OrderId(2), BINANCE, clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| answers(e).len() == 3);
    assert_eq!(answers(&ev)[2], (OrderId(2), ExecStatus::Filled));
    g.submit(&order(3, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| answers(e).len() == 4);
    assert_eq!(answers(&ev)[3], (OrderId(3), ExecStatus::Filled));
    // The venue took each order exactly once.
    let taken = ex.rest_orders("binance").unwrap();
    assert_eq!(taken.len(), 3, "{taken:?}");
    let s = mockex_rest::stats(&ex, "binance");
    assert_eq!((s.ws_api_sessions, s.ws_api_logons), (2, 2));
}

#[test]
fn a_key_revoked_while_logged_on_ends_the_session_and_no_order_goes_on_it_again() {
    let ex = mock(|w| w.revoke_key_on_place = Some(2));
    let clock = Clock::new();
    let mut g = gateway(&ex, PEM);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| g.is_ready());
    let ask = ex.top_of_book("binance").unwrap().ask_px;
    g.submit(&order(1, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| answers(e).len() == 1);
    // The key is revoked at the second placement: the venue does not execute it and takes the
    // session's logon away with an answer whose id is null.
    g.submit(&order(2, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| answers(e).len() == 2);
    assert_eq!(
        answers(&ev)[1],
        (OrderId(2), ExecStatus::Unknown),
        "the revocation names no request: the order's fate goes to a status query: {ev:?}"
    );
    let c = g.session().unwrap().counters();
    assert_eq!(
        (c.revocations, c.disconnects, c.lost_in_flight),
        (1, 1, 1),
        "{c:?}"
    );
    // Every logon is refused from now on: the session stays down and takes no order.
    poll_until(&mut g, &clock, &mut ev, |g, _| {
        g.session().unwrap().counters().logon_refusals >= 2
    });
    assert!(!g.is_ready());
    assert!(matches!(
        g.submit(&order(3, ask * 2), clock.now_ns()),
        Err(microarb::exec::gateway::SubmitError::NotConnected(BINANCE))
    ));
    assert_eq!(answers(&ev).len(), 2, "each order answered exactly once");
    assert_eq!(
        ex.rest_orders("binance").unwrap().len(),
        1,
        "the venue executed the order before the revocation only"
    );
    let s = mockex_rest::stats(&ex, "binance");
    assert_eq!((s.ws_api_revocations, s.ws_api_logons), (1, 1), "{s:?}");
    assert!(s.ws_api_logon_refusals >= 2, "{s:?}");
}

#[test]
fn server_pings_answered_and_an_expired_session_logs_on_again() {
    let pk = key(PEM).public_key().to_vec();
    let ex = mockex_rest::start_with(&VENUES, RestLimits::default(), |cfg| {
        cfg.ws_api.ed25519_public_key = Some(pk);
        cfg.ws_api.session_lifetime = Duration::from_millis(400);
        cfg.keep_alive.server_ping_interval = Duration::from_millis(30);
        cfg.keep_alive.pong_timeout = Duration::from_millis(150);
    });
    let clock = Clock::new();
    let mut g = gateway(&ex, PEM);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| {
        g.session().unwrap().counters().logons >= 2 && g.is_ready()
    });
    let c = g.session().unwrap().counters();
    assert!(c.pings_answered >= 3, "{c:?}");
    assert_eq!(
        c.disconnects,
        c.logons - 1,
        "each expiry is one loss: {c:?}"
    );
    let s = mockex_rest::stats(&ex, "binance");
    assert_eq!(s.pong_timeouts, 0, "every ping answered in time: {s:?}");
    assert!(s.pongs_received >= 3);
    let ask = ex.top_of_book("binance").unwrap().ask_px;
    g.submit(&order(9, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| !answers(e).is_empty());
    assert_eq!(answers(&ev), vec![(OrderId(9), ExecStatus::Filled)]);
}

#[test]
fn an_idle_session_reads_its_socket_at_most_every_idle_read_interval_and_at_once_in_flight() {
    let pk = key(PEM).public_key().to_vec();
    let ex = mockex_rest::start_with(&VENUES, RestLimits::default(), |cfg| {
        cfg.ws_api.ed25519_public_key = Some(pk);
        cfg.keep_alive.server_ping_interval = Duration::from_millis(1);
        cfg.keep_alive.pong_timeout = Duration::from_secs(5);
    });
    let clock = Clock::new();
    let mut g = gateway_with(&ex, PEM, |s| s.idle_read_ns = 1_000_000_000);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| g.is_ready());
    let mut buf = [GatewayEvent::Banned {
        venue: BINANCE,
        retry_after_ms: 0,
    }; 16];
    let pings = |g: &WsGateway| g.session().unwrap().counters().pings_answered;
    // The idle read is due once now, then not for a second of the session's time, however many
    // pings the venue sends meanwhile.
    let t0 = clock.now_ns();
    g.poll(t0, &mut buf);
    let before = pings(&g);
    std::thread::sleep(Duration::from_millis(30));
    for i in 1..=20 {
        g.poll(t0 + i * 1_000_000, &mut buf);
    }
    assert_eq!(pings(&g), before, "no read while idle and not due");
    // Due again: the pings that piled up are read and answered.
    g.poll(t0 + 1_000_000_001, &mut buf);
    assert!(pings(&g) > before, "the due read answered the pings");
    // A request in flight is read at every poll, idle interval or not.
    let ask = ex.top_of_book("binance").unwrap().ask_px;
    let t1 = t0 + 1_000_000_002;
    g.submit(&order(1, ask * 2), t1).unwrap();
    let start = Instant::now();
    let mut k = 0;
    while answers(&ev).is_empty() {
        assert!(start.elapsed() < Duration::from_secs(5), "no answer");
        k += 1;
        let n = g.poll(t1 + k, &mut buf);
        ev.extend_from_slice(&buf[..n]);
        std::thread::sleep(Duration::from_micros(200));
    }
    assert_eq!(answers(&ev), vec![(OrderId(1), ExecStatus::Filled)]);
}

/// The engine config for `ex` (Binance, Upbit), Binance's orders on its WebSocket API session
/// (`order_entry = "ws"`, the key in an owner-only PEM file under `dir`).
fn ws_config(ex: &MockExchange, dir: &crate::common::tmp::TempDir) -> microarb::config::Config {
    use std::os::unix::fs::PermissionsExt;
    let pem = dir.join("ed25519.pem");
    std::fs::write(&pem, PEM).unwrap();
    std::fs::set_permissions(&pem, std::fs::Permissions::from_mode(0o600)).unwrap();
    let url = ex.endpoint("binance").unwrap().ws_api_url.clone().unwrap();
    mockex_rest::config(ex, &mockex_rest::BINANCE_UPBIT, "/nonexistent", |c| {
        c.venues[0].order_entry = microarb::config::OrderEntry::Ws;
        c.venues[0].ws_api_url = Some(url);
        c.venues[0].ed25519_key_file = Some(pem.to_string_lossy().into_owned());
        c.venues[1].max_inflight = 1;
        c.execution.max_inflight = 3;
        c.execution.reserved_slots = 0;
    })
}

fn mock_two(ws_key: Vec<u8>) -> MockExchange {
    mock_two_with(ws_key, |_| {})
}

/// Binance (its WebSocket API knowing `ws_key`) and Upbit, with `edit` applied to the mock's config.
fn mock_two_with(ws_key: Vec<u8>, edit: impl FnOnce(&mut mockex::MockConfig)) -> MockExchange {
    mockex_rest::start_with(&mockex_rest::BINANCE_UPBIT, RestLimits::default(), |cfg| {
        cfg.ws_api.ed25519_public_key = Some(ws_key);
        edit(cfg);
    })
}

/// Poll the engine until Binance's session is logged on (5 s at most).
fn wait_logged_on(e: &mut mockex_rest::Engine) {
    let t = Instant::now();
    while !e.stage.gateway_mut().ws(BINANCE).unwrap().is_ready() {
        assert!(t.elapsed() < Duration::from_secs(5), "no logon");
        e.poll();
        std::thread::sleep(Duration::from_micros(200));
    }
}

#[test]
fn the_stage_trades_binance_on_the_session_while_it_is_up() {
    let ex = mock_two(key(PEM).public_key().to_vec());
    let dir = crate::common::tmp::TempDir::new("ws-entry");
    let cfg = ws_config(&ex, &dir);
    let mut e = mockex_rest::engine(&cfg, mockex_rest::SECRET);
    wait_logged_on(&mut e);
    for _ in 0..2 {
        e.feed(&ex, BINANCE, VenueId(1));
        e.settle(Duration::from_secs(3));
    }
    // The pushes trail the answers on the socket: let them in.
    e.poll_for(Duration::from_millis(50));
    assert_eq!(e.outcome(microarb::model::Outcome::Executed), 2);
    let gw = e.stage.gateway_mut();
    assert_eq!(gw.ws_fallbacks(BINANCE), 0);
    let c = gw.ws(BINANCE).unwrap().session().unwrap().counters();
    assert_eq!((c.requests, c.answers), (2, 2), "{c:?}");
    let s = mockex_rest::stats(&ex, "binance");
    assert_eq!(s.rest_orders, 2, "each order taken once: {s:?}");
    assert_eq!(s.rest_fills, 2);
    assert_eq!(
        s.ws_api_requests, 4,
        "logon, the user-data subscription (on by default with order_entry = \"ws\") and the two orders: {s:?}"
    );
    assert!(c.stream_events >= 2, "both fills pushed back: {c:?}");
    // The session's counters are on /metrics, and the stage cross-checked the pushed fills.
    {
        use microarb::runtime::Stage;
        let now = e.clock.now_ns();
        e.stage.flush_telemetry(now);
    }
    assert_eq!(e.count("gateway.ws.binance.orders.requests"), 2);
    assert_eq!(e.count("gateway.ws.binance.orders.logons"), 1);
    assert_eq!(e.count("gateway.ws.binance.orders.subscriptions"), 1);
    assert_eq!(e.count("gateway.ws.binance.rest_fallbacks"), 0);
    assert!(e.count("gateway.ws.binance.orders.push_finals") >= 2);
    assert!(
        e.count("exec.stream.confirms") + e.count("exec.stream.settled") >= 2,
        "every pushed fill was matched to its leg"
    );
    assert_eq!(e.count("exec.stream.disagreements"), 0);
}

#[test]
fn the_stage_trades_binance_on_rest_while_the_session_is_down() {
    // The venue knows another Ed25519 key: every logon is refused, the session never comes up.
    let ex = mock_two(key(OTHER_PEM).public_key().to_vec());
    let dir = crate::common::tmp::TempDir::new("ws-entry-down");
    let cfg = ws_config(&ex, &dir);
    let mut e = mockex_rest::engine(&cfg, mockex_rest::SECRET);
    e.poll_for(Duration::from_millis(50));
    e.feed(&ex, BINANCE, VenueId(1));
    e.settle(Duration::from_secs(3));
    assert_eq!(e.outcome(microarb::model::Outcome::Executed), 1);
    let gw = e.stage.gateway_mut();
    assert_eq!(gw.ws_fallbacks(BINANCE), 1);
    assert!(!gw.ws(BINANCE).unwrap().is_ready());
    let s = mockex_rest::stats(&ex, "binance");
    assert_eq!((s.rest_orders, s.ws_api_logons), (1, 0), "{s:?}");
    assert!(s.ws_api_logon_refusals >= 1);
}

#[test]
fn the_stage_goes_to_rest_when_the_key_is_revoked_and_settles_the_order_it_met() {
    let ex = mock_two_with(key(PEM).public_key().to_vec(), |c| {
        c.ws_api.revoke_key_on_place = Some(2);
    });
    let dir = crate::common::tmp::TempDir::new("ws-entry-revoked");
    let cfg = ws_config(&ex, &dir);
    let mut e = mockex_rest::engine(&cfg, mockex_rest::SECRET);
    wait_logged_on(&mut e);
    for _ in 0..3 {
        e.feed(&ex, BINANCE, VenueId(1));
        e.settle(Duration::from_secs(3));
    }
    let gw = e.stage.gateway_mut();
    let c = gw.ws(BINANCE).unwrap().session().unwrap().counters();
    assert_eq!(c.revocations, 1, "{c:?}");
    assert!(!gw.ws(BINANCE).unwrap().is_ready(), "logons refused since");
    assert_eq!(
        gw.ws_fallbacks(BINANCE),
        2,
        "the second order's status query and the third order went on REST"
    );
    // Each opportunity ended once: the first and third executed; the second's Binance leg met
    // the revocation, was never executed, and its status query on REST said so.
    assert_eq!(e.outcome(microarb::model::Outcome::Executed), 2);
    assert_eq!(e.stage.in_flight(), 0, "nothing left waiting");
    let s = mockex_rest::stats(&ex, "binance");
    assert_eq!(
        s.rest_orders, 2,
        "each client id reached the venue once: {s:?}"
    );
    assert_eq!(s.ws_api_revocations, 1);
}

#[test]
fn a_429_on_the_session_is_honoured_like_one_on_rest() {
    let pk = key(PEM).public_key().to_vec();
    let ex = mockex_rest::start_with(
        &mockex_rest::BINANCE_UPBIT,
        RestLimits {
            binance_orders_10s: 3,
            ..RestLimits::default()
        },
        |cfg| cfg.ws_api.ed25519_public_key = Some(pk),
    );
    let dir = crate::common::tmp::TempDir::new("ws-entry-429");
    let mut cfg = ws_config(&ex, &dir);
    cfg.execution.max_wait_ms = 0;
    // No start-up rules step: the engine does not know the 3-per-10-s limit, so the venue's 429
    // is what stops it (as in the REST test of the same name).
    let mut e = mockex_rest::engine_with(&cfg, mockex_rest::SECRET, |_| {});
    wait_logged_on(&mut e);
    mockex_rest::eight_arbs_and_a_honoured_429(&mut e, &ex, BINANCE, VenueId(1));
    let gw = e.stage.gateway_mut();
    assert_eq!(gw.ws_fallbacks(BINANCE), 0, "every order on the session");
}

#[test]
fn the_session_renews_itself_and_every_order_is_answered() {
    let ex = mock(|_| {});
    let clock = Clock::new();
    let mut g = gateway_with(&ex, PEM, |s| s.renew_after_ns = 150_000_000);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| g.is_ready());
    let ask = ex.top_of_book("binance").unwrap().ask_px;
    // Orders until the renewal begins; each is answered, none lost to it.
    let mut sent = 0;
    while g.session().unwrap().counters().renewals == 0 {
        if g.is_ready() && g.session().unwrap().in_flight() == 0 {
            sent += 1;
            g.submit(&order(sent, ask * 2), clock.now_ns()).unwrap();
        }
        poll_until(&mut g, &clock, &mut ev, |g, e| {
            answers(e).len() as u64 == sent || g.session().unwrap().counters().renewals > 0
        });
        assert!(sent < 50);
        // A few orders over the session's life, well inside the venue's order-rate limit.
        std::thread::sleep(Duration::from_millis(20));
    }
    poll_until(&mut g, &clock, &mut ev, |g, e| {
        g.is_ready() && answers(e).len() as u64 == sent
    });
    let c = g.session().unwrap().counters();
    assert_eq!(
        (c.logons, c.disconnects, c.lost_in_flight, c.lost_unsent),
        (2, 0, 0, 0),
        "{c:?}"
    );
    assert!(
        answers(&ev).iter().all(|(_, s)| *s == ExecStatus::Filled),
        "{ev:?}"
    );
    assert_eq!(ex.rest_orders("binance").unwrap().len() as u64, sent);
}

#[test]
fn a_lost_ack_times_out_as_unknown_and_the_status_query_finds_the_fill() {
    let ex = mock(|w| w.lose_ack_on_place = Some(1));
    let clock = Clock::new();
    let mut g = gateway_with(&ex, PEM, |s| s.answer_timeout_ns = 200_000_000);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| g.is_ready());
    let ask = ex.top_of_book("binance").unwrap().ask_px;
    g.submit(&order(1, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| !answers(e).is_empty());
    assert_eq!(answers(&ev), vec![(OrderId(1), ExecStatus::Unknown)]);
    let c = g.session().unwrap().counters();
    assert_eq!(
        (c.timeouts, c.disconnects),
        (1, 0),
        "the session stays up: {c:?}"
    );
    g.status_query(OrderId(1), BINANCE, clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| answers(e).len() == 2);
    assert_eq!(answers(&ev)[1], (OrderId(1), ExecStatus::Filled));
    assert_eq!(
        ex.rest_orders("binance").unwrap().len(),
        1,
        "sent once, never retried"
    );
}

#[test]
fn user_data_stream_pushes_each_final_once_and_the_balances() {
    // Duplicated executionReports: the gateway forwards each push; the stage cross-checks
    // (a second pushed final for a settled leg is a confirmation, never a second fill).
    let ex = mock(|c| c.duplicate_execution_reports = true);
    let clock = Clock::new();
    let mut g = gateway_full(&ex, PEM, true, |_| {});
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| {
        g.is_ready() && g.session().unwrap().counters().subscriptions == 1
    });
    let ask = ex.top_of_book("binance").unwrap().ask_px;
    g.submit(&order(7, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| {
        !answers(e).is_empty()
            && pushed(e).len() >= 2
            && e.iter().any(|e| matches!(e, GatewayEvent::Balance { .. }))
    });
    assert_eq!(answers(&ev), vec![(OrderId(7), ExecStatus::Filled)]);
    let p = pushed(&ev);
    assert!(
        p.iter()
            .all(|&x| x == (OrderId(7), ExecStatus::Filled, Qty(1))),
        "every pushed final is the order's fill: {p:?}"
    );
    assert!(
        ev.iter().any(|e| matches!(
            e,
            GatewayEvent::Balance { venue: BINANCE, asset: AssetId(0), free, total }
                if *free > 0 && total >= free
        )),
        "the base asset's balance is pushed, read at 1e-8: {ev:?}"
    );
    let c = g.session().unwrap().counters();
    assert_eq!(c.unreadable_frames, 0, "{c:?}");
    assert!(c.pushes >= 3, "two executionReports and a position: {c:?}");
    let p = g.session().unwrap().dialect().push_counters();
    assert!(p.finals >= 2 && p.balances >= 1, "{p:?}");
    assert_eq!(
        p.bad_amounts, 1,
        "the mock's 10^12 USDT does not fit i64 at 1e-8: skipped, counted: {p:?}"
    );
}

#[test]
fn a_fault_storm_on_the_order_path_ends_every_order_in_exactly_one_final_state() {
    storm(true);
}

#[test]
fn a_fault_storm_without_the_user_data_stream_is_settled_by_status_queries() {
    storm(false);
}

/// The storm, with (`stream`) or without the user-data stream on the session.
fn storm(stream: bool) {
    // Binance on its session, Upbit on REST. The session is dropped mid-request after the 2nd
    // placement on it executed, the 4th placement's acknowledgement is lost, every executionReport is
    // pushed twice; Upbit answers 5xx for a while (its orders executed, their fate unknown); the
    // venues' clocks run 2.5 s behind ours (inside recvWindow: every request still accepted).
    let ex = mock_two_with(key(PEM).public_key().to_vec(), |cfg| {
        cfg.ws_api.drop_on_place = Some(2);
        cfg.ws_api.lose_ack_on_place = Some(4);
        cfg.ws_api.duplicate_execution_reports = true;
        cfg.rest_clock_offset_ms = -2_500;
    });
    let dir = crate::common::tmp::TempDir::new("ws-storm");
    let mut cfg = ws_config(&ex, &dir);
    cfg.venues[0].private_stream = Some(stream);
    cfg.execution.order_timeout_ms = 300;
    cfg.execution.status_query_ms = 30;
    let mut e = mockex_rest::engine(&cfg, mockex_rest::SECRET);
    wait_logged_on(&mut e);
    let ctl = ex.control();
    for i in 0..10 {
        match i {
            4 => ctl.inject_rest("upbit", RestFault::ServerError).unwrap(),
            7 => ctl.inject_rest("upbit", RestFault::Clear).unwrap(),
            _ => {}
        }
        e.feed(&ex, BINANCE, VenueId(1));
        e.poll_for(Duration::from_millis(40));
    }
    e.settle(Duration::from_secs(10));
    e.poll_for(Duration::from_millis(50));
    // Every opportunity ended once, every slot back, every placement the mock took sent once by
    // the stage.
    e.check_accounting(&ex, &mockex_rest::BINANCE_UPBIT);
    let s = mockex_rest::stats(&ex, "binance");
    assert!(s.ws_api_logons >= 2, "re-logon after the drop: {s:?}");
    let c = e
        .stage
        .gateway_mut()
        .ws(BINANCE)
        .unwrap()
        .session()
        .unwrap()
        .counters();
    assert_eq!(c.lost_in_flight, 1, "the drop: {c:?}");
    assert!(
        c.refused_not_ready >= 1,
        "orders went on REST while the session was down: {c:?}"
    );
    if stream {
        assert!(
            e.count("exec.stream.settled") >= 1,
            "the lost ack's fill arrived on the user-data stream and settled its leg"
        );
        assert!(e.count("exec.status_queries") >= 1, "unknown fates queried");
    } else {
        assert_eq!(e.count("exec.stream.finals"), 0, "no stream");
        assert!(e.count("exec.timeouts") >= 1, "the lost ack timed out");
        assert!(e.count("exec.status_queries") >= 2, "unknown fates queried");
    }
    assert_eq!(
        e.count("exec.reconcile.lost_orders"),
        0,
        "every fate was found"
    );
    // At the venues: each client id once, each order in a final state (IOC: filled or
    // expired), and the engine's fills are the venues' executions.
    for v in ["binance", "upbit"] {
        let orders = ex.rest_orders(v).unwrap();
        let mut ids: Vec<_> = orders.iter().filter_map(|o| o.client_id.clone()).collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "{v}: an order sent twice");
        assert!(
            orders.iter().all(|o| o.state != "open"),
            "{v}: every order final: {orders:?}"
        );
    }
    let executed: usize = ["binance", "upbit"]
        .iter()
        .flat_map(|v| ex.rest_orders(v).unwrap())
        .filter(|o| o.executed > 0)
        .count();
    assert_eq!(
        executed as u64,
        e.count("exec.fills"),
        "one fill booked per execution"
    );
    assert_eq!(e.count("exec.stream.disagreements"), 0);
}

#[test]
fn a_half_open_session_is_ended_and_its_orders_settled() {
    // The venue executes the first placement and then never reads, answers or pings on that
    // connection again, the socket left open: nothing tells the client it is gone.
    let ex = mock_two_with(key(PEM).public_key().to_vec(), |cfg| {
        cfg.ws_api.silent_after_place = Some(1);
    });
    let dir = crate::common::tmp::TempDir::new("ws-half-open");
    let mut cfg = ws_config(&ex, &dir);
    cfg.venues[0].private_stream = Some(false);
    cfg.execution.order_timeout_ms = 150;
    cfg.execution.status_query_ms = 30;
    let mut e = mockex_rest::engine(&cfg, mockex_rest::SECRET);
    wait_logged_on(&mut e);
    e.feed(&ex, BINANCE, VenueId(1));
    e.settle(Duration::from_secs(10));
    // The order's fate was found by a status query on REST (the session was suspect: its
    // answer overdue with nothing read, a liveness ping out); then, the ping unanswered too,
    // the session is ended as half-open.
    e.poll_for(Duration::from_millis(400));
    let c = e
        .stage
        .gateway_mut()
        .ws(BINANCE)
        .unwrap()
        .session()
        .unwrap()
        .counters();
    assert_eq!((c.probes, c.stale_sessions), (1, 1), "{c:?}");
    assert_eq!(e.outcome(microarb::model::Outcome::Executed), 1);
    assert!(mockex_rest::stats(&ex, "binance").rest_status_queries >= 1);
    assert_eq!(e.count("exec.reconcile.lost_orders"), 0);
    // Trading goes on, on a new session.
    wait_logged_on(&mut e);
    let logons = mockex_rest::stats(&ex, "binance").ws_api_logons;
    assert_eq!(logons, 2, "a new session");
    e.feed(&ex, BINANCE, VenueId(1));
    e.settle(Duration::from_secs(5));
    assert_eq!(e.outcome(microarb::model::Outcome::Executed), 2);
    e.check_accounting(&ex, &mockex_rest::BINANCE_UPBIT);
}

#[test]
fn a_rehearsal_on_the_session_sends_and_changes_nothing() {
    let ex = mock(|_| {});
    let clock = Clock::new();
    let mut g = gateway(&ex, PEM);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| g.is_ready());
    let before = (
        g.session().unwrap().counters(),
        mockex_rest::stats(&ex, "binance").ws_api_requests,
    );
    let ask = ex.top_of_book("binance").unwrap().ask_px;
    for i in 0..100 {
        g.rehearse(&order(1_000 + i, ask * 2), clock.now_ns());
        let n = g.poll(
            clock.now_ns(),
            &mut [GatewayEvent::Banned {
                venue: BINANCE,
                retry_after_ms: 0,
            }; 4],
        );
        assert_eq!(n, 0, "nothing answered: nothing was sent");
    }
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(
        g.session().unwrap().counters(),
        before.0,
        "no counter moved"
    );
    assert_eq!(mockex_rest::stats(&ex, "binance").ws_api_requests, before.1);
    assert_eq!(g.session().unwrap().in_flight(), 0);
    // The next real order goes and is answered as usual.
    g.submit(&order(1, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| !answers(e).is_empty());
    assert_eq!(answers(&ev), vec![(OrderId(1), ExecStatus::Filled)]);
}

/// An IOC buy of one unit on Binance.
fn order(id: u64, px: i64) -> Order {
    crate::common::ws::order(BINANCE, id, px)
}
