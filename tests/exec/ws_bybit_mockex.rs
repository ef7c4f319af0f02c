//! The Bybit WebSocket gateway (`src/exec/gateway/ws/bybit.rs`: the trade socket and the private
//! stream) against the mock exchange's `/v5/trade` and `/v5/private` on loopback, real sockets,
//! real time: auth on both sockets, a refused secret and a refused key, an order acknowledged
//! without its fate and then filled on the private stream (one final), the venue's double
//! `Filled` read once, the fill pushed before the ack, a trade socket dropped mid-order, then
//! re-auth with every order answered exactly once, expired sessions, the stage trading Bybit
//! over the sockets built from config (and on REST with the private stream read beside), a
//! half-open trade socket, and a fault storm with and without the private stream (every
//! opportunity ends once, each client id reaches the venue once, one fill per execution).

use std::time::{Duration, Instant};

use crate::common::mockex_rest::{self, Venue, KEY, SECRET};
use crate::common::ws::{answers, poll_until, pushed};
use microarb::base::{Clock, ClockOffsets};
use microarb::exec::gateway::codec::answer::InstrumentSpec;
use microarb::exec::gateway::codec::bybit_ws::{BybitWsSettings, BybitWsWriter, WsSocket};
use microarb::exec::gateway::codec::InstrumentTable;
use microarb::exec::gateway::ws::{
    AssetNames, BybitDialect, WsGateway, WsOp, WsSession, WsSessionSettings,
};
use microarb::exec::gateway::{Gateway, GatewayEvent, SubmitError};
use microarb::exec::guards::AssetId;
use microarb::model::{ExecStatus, InstrumentId, Order, OrderId, Qty, VenueId, VenueKind};
use mockex::{BybitWsConfig, MockExchange, RestLimits};

const BYBIT: VenueId = VenueId(0);
const VENUES: [Venue; 1] = [Venue {
    name: "bybit",
    kind: VenueKind::Bybit,
    extra: "",
}];

fn mock(edit: impl FnOnce(&mut BybitWsConfig)) -> MockExchange {
    mockex_rest::start_with(&VENUES, RestLimits::default(), |cfg| {
        edit(&mut cfg.bybit_ws)
    })
}

fn writer() -> BybitWsWriter {
    let table = InstrumentTable::new(&[(
        InstrumentId(0),
        InstrumentSpec {
            symbol: "BTCUSDT".into(),
            price_scale: 8,
            qty_scale: 8,
        },
    )])
    .unwrap();
    BybitWsWriter::new(
        BybitWsSettings {
            recv_window_ms: 5000,
            client_id_prefix: "by".into(),
        },
        table,
    )
    .unwrap()
}

fn session(
    addr: std::net::SocketAddr,
    path: &str,
    socket: WsSocket,
    key: &str,
    secret: &str,
) -> WsSession {
    let mut s = WsSessionSettings::new(addr, addr.to_string(), path.into());
    s.retry_min_ns = 20_000_000;
    s.answer_timeout_ns = 1_000_000_000;
    let dialect = BybitDialect::new(
        socket,
        writer(),
        key.as_bytes(),
        secret.as_bytes(),
        AssetNames::new([("BTC", AssetId(0)), ("USDT", AssetId(1))]),
    );
    WsSession::new(s, Box::new(dialect), None)
}

/// The venue's gateway: the trade socket and the private stream, authenticated with `secret`.
fn gateway(ex: &MockExchange, secret: &str) -> WsGateway {
    gateway_as(ex, KEY, secret)
}

/// [`gateway`] authenticating as `key`.
fn gateway_as(ex: &MockExchange, key: &str, secret: &str) -> WsGateway {
    let e = ex.endpoint("bybit").unwrap();
    WsGateway::new(
        BYBIT,
        Some(session(e.addr, "/v5/trade", WsSocket::Trade, key, secret)),
        Some(session(
            e.addr,
            "/v5/private",
            WsSocket::Private,
            key,
            secret,
        )),
        Clock::new(),
        ClockOffsets::new(),
    )
}

/// Poll for `d` more, keeping every event.
fn poll_for(g: &mut WsGateway, clock: &Clock, events: &mut Vec<GatewayEvent>, d: Duration) {
    let t = Instant::now();
    poll_until(g, clock, events, |_, _| t.elapsed() >= d);
}

/// Both sockets authenticated and the stream's subscription taken by the venue (Bybit sends no
/// snapshot: an order placed before the subscription is in force is never pushed).
fn ready(ex: &MockExchange, g: &WsGateway) -> bool {
    g.is_ready()
        && g.stream()
            .is_some_and(|s| s.is_ready() && s.counters().subscriptions >= 1)
        && mockex_rest::stats(ex, "bybit").bybit_ws_subscribes >= 1
}

#[test]
fn auth_then_an_ack_without_fill_and_the_fill_on_the_private_stream() {
    let ex = mock(|_| {});
    let clock = Clock::new();
    let mut g = gateway(&ex, SECRET);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| ready(&ex, g));
    assert_eq!(g.session().unwrap().counters().logons, 1);
    assert_eq!(g.stream().unwrap().counters().logons, 1);
    assert!(g.takes(WsOp::Place) && g.takes(WsOp::Cancel));
    assert!(!g.takes(WsOp::Status), "Bybit's status queries go on REST");
    let ask = ex.top_of_book("bybit").unwrap().ask_px;
    g.submit(&order(1, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| {
        !answers(e).is_empty()
            && !pushed(e).is_empty()
            && e.iter().any(|e| matches!(e, GatewayEvent::Balance { .. }))
    });
    poll_for(&mut g, &clock, &mut ev, Duration::from_millis(100));
    // The ack says the venue holds the order, not what became of it.
    assert!(
        ev.iter()
            .any(|e| matches!(e, GatewayEvent::Accepted(r) if r.order == OrderId(1) && r.status == ExecStatus::Unknown)),
        "{ev:?}"
    );
    assert_eq!(answers(&ev), vec![(OrderId(1), ExecStatus::Unknown)]);
    assert_eq!(
        pushed(&ev),
        vec![(OrderId(1), ExecStatus::Filled, Qty(1))],
        "one final, from the stream"
    );
    assert!(
        ev.iter()
            .any(|e| matches!(e, GatewayEvent::BybitLimit { venue: BYBIT, .. })),
        "the answer's X-Bapi-Limit-Status feeds the limiter: {ev:?}"
    );
    assert!(
        ev.iter().any(|e| matches!(
            e,
            GatewayEvent::Balance { venue: BYBIT, asset: AssetId(0), free, total }
                if *free > 0 && total >= free
        )),
        "the base coin's wallet balance, read at 1e-8: {ev:?}"
    );
    assert!(matches!(
        g.stage_status(&order(1, ask * 2), clock.now_ns()),
        Err(SubmitError::Unencodable(_))
    ));
    let c = g.session().unwrap().counters();
    assert_eq!(
        (c.requests, c.answers, c.stray_answers, c.timeouts),
        (1, 1, 0, 0)
    );
    let sc = g.stream().unwrap().counters();
    assert_eq!(sc.unreadable_frames, 0, "{sc:?}");
    let p = g.stream().unwrap().dialect().push_counters();
    assert_eq!((p.finals, p.duplicates), (1, 0), "{p:?}");
    assert_eq!(ex.rest_orders("bybit").unwrap().len(), 1);
}

#[test]
fn a_wrong_secret_is_refused_on_both_sockets_and_no_order_goes() {
    let ex = mock(|_| {});
    let clock = Clock::new();
    let mut g = gateway(&ex, "not-the-secret");
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| {
        g.session().unwrap().counters().logon_refusals >= 2
            && g.stream().unwrap().counters().logon_refusals >= 2
    });
    assert!(!g.is_ready());
    let ask = ex.top_of_book("bybit").unwrap().ask_px;
    assert!(matches!(
        g.submit(&order(1, ask * 2), clock.now_ns()),
        Err(SubmitError::NotConnected(BYBIT))
    ));
    let s = mockex_rest::stats(&ex, "bybit");
    assert!(s.bybit_ws_auth_refusals >= 4, "{s:?}");
    assert_eq!((s.bybit_ws_auths, s.rest_orders), (0, 0));
}

#[test]
fn an_unknown_key_is_refused_on_both_sockets() {
    let ex = mock(|_| {});
    let clock = Clock::new();
    let mut g = gateway_as(&ex, "not-our-key", SECRET);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| {
        g.session().unwrap().counters().logon_refusals >= 1
            && g.stream().unwrap().counters().logon_refusals >= 1
    });
    assert!(!g.is_ready() && !g.stream().unwrap().is_ready());
    let s = mockex_rest::stats(&ex, "bybit");
    assert_eq!((s.bybit_ws_auths, s.rest_orders), (0, 0), "{s:?}");
}

#[test]
fn a_double_filled_push_is_one_final() {
    let ex = mock(|c| c.duplicate_final_orders = true);
    let clock = Clock::new();
    let mut g = gateway(&ex, SECRET);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| ready(&ex, g));
    let ask = ex.top_of_book("bybit").unwrap().ask_px;
    g.submit(&order(3, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |g, _| {
        g.stream().unwrap().dialect().push_counters().duplicates >= 1
    });
    poll_for(&mut g, &clock, &mut ev, Duration::from_millis(100));
    assert_eq!(pushed(&ev), vec![(OrderId(3), ExecStatus::Filled, Qty(1))]);
    let p = g.stream().unwrap().dialect().push_counters();
    assert_eq!((p.finals, p.duplicates), (1, 1), "{p:?}");
    let s = mockex_rest::stats(&ex, "bybit");
    assert!(
        s.bybit_ws_pushed >= 4,
        "execution, order twice, wallet: {s:?}"
    );
}

#[test]
fn the_fill_pushed_before_the_ack_is_still_one_final_and_one_answer() {
    let ex = mock(|c| c.ack_delay = Duration::from_millis(300));
    let clock = Clock::new();
    let mut g = gateway(&ex, SECRET);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| ready(&ex, g));
    let ask = ex.top_of_book("bybit").unwrap().ask_px;
    g.submit(&order(4, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| !answers(e).is_empty());
    let pushed_at = ev.iter().position(|e| matches!(e, GatewayEvent::Pushed(_)));
    let acked_at = ev
        .iter()
        .position(|e| matches!(e, GatewayEvent::Accepted(_)));
    assert!(
        pushed_at.is_some() && pushed_at < acked_at,
        "the final arrived first: {ev:?}"
    );
    poll_for(&mut g, &clock, &mut ev, Duration::from_millis(100));
    assert_eq!(pushed(&ev), vec![(OrderId(4), ExecStatus::Filled, Qty(1))]);
    assert_eq!(answers(&ev), vec![(OrderId(4), ExecStatus::Unknown)]);
}

#[test]
fn dropped_mid_order_then_reauth_each_order_answered_exactly_once() {
    let ex = mock(|c| c.drop_on_create = Some(2));
    let clock = Clock::new();
    let mut g = gateway(&ex, SECRET);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| ready(&ex, g));
    let ask = ex.top_of_book("bybit").unwrap().ask_px;
    g.submit(&order(1, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| {
        answers(e).len() == 1 && pushed(e).len() == 1
    });
    // The second create executes at the venue; the trade socket drops before its answer.
    g.submit(&order(2, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| {
        answers(e).len() == 2 && pushed(e).len() == 2
    });
    assert_eq!(
        answers(&ev)[1],
        (OrderId(2), ExecStatus::Unknown),
        "fate unknown, not failed: {ev:?}"
    );
    assert_eq!(g.session().unwrap().counters().lost_in_flight, 1);
    assert_eq!(
        pushed(&ev)[1],
        (OrderId(2), ExecStatus::Filled, Qty(1)),
        "the private stream, still up, tells its fate"
    );
    // Re-auth on a new trade socket, and the next order goes.
    poll_until(&mut g, &clock, &mut ev, |g, _| g.is_ready());
    assert_eq!(g.session().unwrap().counters().logons, 2);
    assert_eq!(
        g.stream().unwrap().counters().logons,
        1,
        "the stream was not dropped"
    );
    g.submit(&order(3, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| {
        answers(e).len() == 3 && pushed(e).len() == 3
    });
    poll_for(&mut g, &clock, &mut ev, Duration::from_millis(100));
    for id in 1..=3 {
        let n = answers(&ev)
            .iter()
            .filter(|(o, _)| *o == OrderId(id))
            .count();
        let f = pushed(&ev)
            .iter()
            .filter(|(o, ..)| *o == OrderId(id))
            .count();
        assert_eq!((n, f), (1, 1), "order {id}: one answer, one final: {ev:?}");
    }
    assert_eq!(
        ex.rest_orders("bybit").unwrap().len(),
        3,
        "each order taken once"
    );
    let s = mockex_rest::stats(&ex, "bybit");
    assert_eq!(s.bybit_ws_auths, 3, "trade twice, private once: {s:?}");
}

/// The engine config for `ex` (Bybit, OKX), Bybit's orders on its trade socket and its fates
/// on the private stream (`order_entry = "ws"` opens both).
fn ws_config(ex: &MockExchange) -> microarb::config::Config {
    let e = ex.endpoint("bybit").unwrap();
    let (trade, private) = (e.ws_api_url.clone(), e.private_ws_url.clone());
    mockex_rest::config(ex, &mockex_rest::BYBIT_OKX, "/nonexistent", |c| {
        c.venues[0].order_entry = microarb::config::OrderEntry::Ws;
        c.venues[0].ws_api_url = trade;
        c.venues[0].private_ws_url = private;
        c.venues[1].max_inflight = 1;
        c.execution.max_inflight = 3;
        c.execution.reserved_slots = 0;
    })
}

#[test]
fn the_stage_trades_bybit_on_the_trade_socket_settled_by_the_private_stream() {
    let ex = mockex_rest::start_with(&mockex_rest::BYBIT_OKX, RestLimits::default(), |_| {});
    let cfg = ws_config(&ex);
    let mut e = mockex_rest::engine(&cfg, SECRET);
    let t = Instant::now();
    loop {
        let g = e.stage.gateway_mut().ws(BYBIT).unwrap();
        if ready(&ex, g) {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(5), "no auth");
        e.poll();
        std::thread::sleep(Duration::from_micros(200));
    }
    for _ in 0..2 {
        e.feed(&ex, BYBIT, VenueId(1));
        e.settle(Duration::from_secs(3));
    }
    assert_eq!(e.outcome(microarb::model::Outcome::Executed), 2);
    let gw = e.stage.gateway_mut();
    assert_eq!(gw.ws_fallbacks(BYBIT), 0);
    let g = gw.ws(BYBIT).unwrap();
    let c = g.session().unwrap().counters();
    assert_eq!((c.requests, c.answers), (2, 2), "{c:?}");
    let p = g.stream().unwrap().dialect().push_counters();
    assert_eq!(p.finals, 2, "both fates from the private stream: {p:?}");
    let s = mockex_rest::stats(&ex, "bybit");
    assert_eq!(
        (s.rest_orders, s.rest_fills),
        (2, 2),
        "each order taken once: {s:?}"
    );
    assert_eq!(
        s.bybit_ws_auths, 2,
        "the trade socket and the private stream: {s:?}"
    );
}

#[test]
fn expired_sessions_auth_and_subscribe_again_and_orders_go_on() {
    let ex = mock(|c| c.session_lifetime = Duration::from_millis(1500));
    let clock = Clock::new();
    let mut g = gateway(&ex, SECRET);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| ready(&ex, g));
    // Both sockets are closed by the venue and come back, authenticated and subscribed.
    poll_until(&mut g, &clock, &mut ev, |g, _| {
        g.session().unwrap().counters().logons >= 2
            && g.stream().unwrap().counters().logons >= 2
            && mockex_rest::stats(&ex, "bybit").bybit_ws_subscribes >= 2
            && ready(&ex, g)
    });
    let ask = ex.top_of_book("bybit").unwrap().ask_px;
    g.submit(&order(5, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| {
        !answers(e).is_empty() && !pushed(e).is_empty()
    });
    assert_eq!(answers(&ev), vec![(OrderId(5), ExecStatus::Unknown)]);
    assert_eq!(pushed(&ev), vec![(OrderId(5), ExecStatus::Filled, Qty(1))]);
    assert!(
        g.stream().unwrap().counters().subscriptions >= 2,
        "subscribed after each auth"
    );
    assert!(mockex_rest::stats(&ex, "bybit").bybit_ws_sessions_ended >= 2);
}

#[test]
fn a_fault_storm_on_the_trade_socket_ends_every_order_in_exactly_one_final_state() {
    storm(true);
}

#[test]
fn a_fault_storm_without_the_private_stream_is_settled_by_status_queries() {
    storm(false);
}

/// Bybit on its trade socket (with or without the private stream, `stream`), OKX on REST. The
/// trade socket is dropped after the 2nd create executed, the 4th create's ack is lost, every
/// final `order` is pushed twice; OKX answers 5xx for a while (its orders executed, their fate
/// unknown); the venues' clocks run 2.5 s behind ours.
fn storm(stream: bool) {
    let ex = mockex_rest::start_with(&mockex_rest::BYBIT_OKX, RestLimits::default(), |cfg| {
        cfg.bybit_ws.drop_on_create = Some(2);
        cfg.bybit_ws.lose_ack_on_create = Some(4);
        cfg.bybit_ws.duplicate_final_orders = true;
        cfg.rest_clock_offset_ms = -2_500;
    });
    let mut cfg = ws_config(&ex);
    cfg.venues[0].private_stream = Some(stream);
    if !stream {
        cfg.venues[0].private_ws_url = None;
    }
    cfg.execution.order_timeout_ms = 300;
    cfg.execution.status_query_ms = 30;
    let mut e = mockex_rest::engine(&cfg, SECRET);
    let t = Instant::now();
    loop {
        let g = e.stage.gateway_mut().ws(BYBIT).unwrap();
        if g.is_ready() && (!stream || ready(&ex, g)) {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(5), "no auth");
        e.poll();
        std::thread::sleep(Duration::from_micros(200));
    }
    let ctl = ex.control();
    for i in 0..10 {
        match i {
            4 => ctl
                .inject_rest("okx", mockex::RestFault::ServerError)
                .unwrap(),
            7 => ctl.inject_rest("okx", mockex::RestFault::Clear).unwrap(),
            _ => {}
        }
        e.feed(&ex, BYBIT, VenueId(1));
        e.poll_for(Duration::from_millis(40));
    }
    e.settle(Duration::from_secs(10));
    e.poll_for(Duration::from_millis(50));
    // Every opportunity ended once, every slot back, every order the mock took sent once.
    e.check_accounting(&ex, &mockex_rest::BYBIT_OKX);
    let gw = e.stage.gateway_mut().ws(BYBIT).unwrap();
    let c = gw.session().unwrap().counters();
    assert_eq!(c.lost_in_flight, 1, "the drop: {c:?}");
    assert!(c.logons >= 2, "re-auth after the drop: {c:?}");
    assert_eq!(gw.stream().is_some(), stream);
    if stream {
        let p = gw.stream().unwrap().dialect().push_counters();
        assert!(
            p.duplicates >= 1,
            "the doubled finals were read once: {p:?}"
        );
        assert!(
            e.count("exec.stream.settled") >= 1,
            "an unknown fate settled by the private stream"
        );
    } else {
        assert_eq!(e.count("exec.stream.finals"), 0, "no stream");
        assert!(
            e.count("exec.status_queries") >= 2,
            "acks and the lost ones queried on REST"
        );
    }
    assert_eq!(
        e.count("exec.reconcile.lost_orders"),
        0,
        "every fate was found"
    );
    let s = mockex_rest::stats(&ex, "bybit");
    assert!(
        s.bybit_ws_sessions_ended >= 1 && s.rest_unanswered >= 1 && s.bybit_ws_auths >= 2,
        "the drop and the lost ack happened: {s:?}"
    );
    assert!(
        mockex_rest::stats(&ex, "okx").rest_5xx >= 1,
        "OKX's 5xx happened"
    );
    assert!(e.outcome(microarb::model::Outcome::Executed) >= 1);
    for v in ["bybit", "okx"] {
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
    let executed: usize = ["bybit", "okx"]
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
fn a_half_open_trade_socket_is_ended_and_its_order_settled_on_rest() {
    // The venue executes the first create and then never reads or answers on that trade
    // socket again, the socket left open: nothing tells the client it is gone.
    let ex = mockex_rest::start_with(&mockex_rest::BYBIT_OKX, RestLimits::default(), |cfg| {
        cfg.bybit_ws.silent_after_create = Some(1);
    });
    let mut cfg = ws_config(&ex);
    cfg.venues[0].private_stream = Some(false);
    cfg.venues[0].private_ws_url = None;
    cfg.execution.order_timeout_ms = 150;
    cfg.execution.status_query_ms = 30;
    let mut e = mockex_rest::engine(&cfg, SECRET);
    let wait_ready = |e: &mut mockex_rest::Engine| {
        let t = Instant::now();
        while !e.stage.gateway_mut().ws(BYBIT).unwrap().is_ready() {
            assert!(t.elapsed() < Duration::from_secs(5), "no auth");
            e.poll();
            std::thread::sleep(Duration::from_micros(200));
        }
    };
    wait_ready(&mut e);
    e.feed(&ex, BYBIT, VenueId(1));
    e.settle(Duration::from_secs(10));
    e.poll_for(Duration::from_millis(400));
    let c = e
        .stage
        .gateway_mut()
        .ws(BYBIT)
        .unwrap()
        .session()
        .unwrap()
        .counters();
    assert_eq!((c.probes, c.stale_sessions), (1, 1), "{c:?}");
    assert_eq!(e.outcome(microarb::model::Outcome::Executed), 1);
    assert!(
        mockex_rest::stats(&ex, "bybit").rest_status_queries >= 1,
        "settled on REST"
    );
    assert_eq!(e.count("exec.reconcile.lost_orders"), 0);
    // Trading goes on, on a new trade socket.
    wait_ready(&mut e);
    assert_eq!(
        mockex_rest::stats(&ex, "bybit").bybit_ws_auths,
        2,
        "a new socket"
    );
    e.feed(&ex, BYBIT, VenueId(1));
    e.settle(Duration::from_secs(5));
    assert_eq!(e.outcome(microarb::model::Outcome::Executed), 2);
    e.check_accounting(&ex, &mockex_rest::BYBIT_OKX);
}

#[test]
fn bybit_orders_on_rest_with_its_private_stream_read_beside() {
    let ex = mockex_rest::start_with(&mockex_rest::BYBIT_OKX, RestLimits::default(), |_| {});
    let mut cfg = ws_config(&ex);
    cfg.venues[0].order_entry = microarb::config::OrderEntry::Rest;
    cfg.venues[0].ws_api_url = None;
    cfg.venues[0].private_stream = Some(true);
    let mut e = mockex_rest::engine(&cfg, SECRET);
    let t = Instant::now();
    loop {
        let g = e.stage.gateway_mut().ws(BYBIT).unwrap();
        assert!(
            g.session().is_none(),
            "no trade socket with REST order entry"
        );
        let s = g.stream().unwrap();
        if s.is_ready() && mockex_rest::stats(&ex, "bybit").bybit_ws_subscribes >= 1 {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(5), "no auth");
        e.poll();
        std::thread::sleep(Duration::from_micros(200));
    }
    for _ in 0..2 {
        e.feed(&ex, BYBIT, VenueId(1));
        e.settle(Duration::from_secs(3));
    }
    e.poll_for(Duration::from_millis(50));
    assert_eq!(e.outcome(microarb::model::Outcome::Executed), 2);
    let gw = e.stage.gateway_mut();
    assert_eq!(
        gw.ws_fallbacks(BYBIT),
        0,
        "REST by choice, not as a fallback"
    );
    let p = gw
        .ws(BYBIT)
        .unwrap()
        .stream()
        .unwrap()
        .dialect()
        .push_counters();
    assert_eq!(
        p.finals, 2,
        "the REST orders' finals read from the stream: {p:?}"
    );
    assert_eq!(e.count("exec.stream.disagreements"), 0);
    let s = mockex_rest::stats(&ex, "bybit");
    assert_eq!((s.rest_orders, s.bybit_ws_auths), (2, 1), "{s:?}");
    e.check_accounting(&ex, &mockex_rest::BYBIT_OKX);
}

/// An IOC buy of one unit on Bybit.
fn order(id: u64, px: i64) -> Order {
    crate::common::ws::order(BYBIT, id, px)
}
