//! The OKX private WebSocket gateway (`src/exec/gateway/ws/okx.rs` on the generic session)
//! against the mock exchange's `/ws/v5/private` on loopback, real sockets, real time: login, a
//! refused key, an order acknowledged then its fill pushed on the `orders` channel (one
//! `Pushed` final, the balances, OKX's gateway latency recorded), a duplicated push read once,
//! a session dropped mid-order then re-login with every order answered exactly once and none
//! sent twice, orders on REST until the instruments' codes are known (and, subscribed, their
//! finals pushed back once and matched to their legs), and the stage trading OKX on the session
//! with the codes read by the start-up rules.

use std::time::{Duration, Instant};

use crate::common::mockex_rest::{self, Venue, KEY, PASSPHRASE, SECRET};
use crate::common::ws::{answers, poll_until, pushed};
use microarb::base::{Clock, ClockOffsets};
use microarb::exec::gateway::codec::answer::InstrumentSpec;
use microarb::exec::gateway::codec::okx::{OkxCodec, OkxSettings};
use microarb::exec::gateway::codec::okx_ws::{OkxWsSettings, OkxWsWriter};
use microarb::exec::gateway::codec::InstrumentTable;
use microarb::exec::gateway::ws::{
    AssetNames, OkxDialect, WsGateway, WsOp, WsSession, WsSessionSettings,
};
use microarb::exec::gateway::{Gateway, GatewayEvent, SubmitError};
use microarb::exec::guards::AssetId;
use microarb::model::{ExecStatus, InstrumentId, Order, OrderId, Qty, VenueId, VenueKind};
use mockex::{okx_inst_id_code, MockExchange, OkxWsConfig, RestLimits};

const OKX: VenueId = VenueId(0);
const VENUES: [Venue; 1] = [Venue {
    name: "okx",
    kind: VenueKind::Okx,
    extra: "",
}];

fn mock(edit: impl FnOnce(&mut OkxWsConfig)) -> MockExchange {
    mockex_rest::start_with(&VENUES, RestLimits::default(), |cfg| edit(&mut cfg.okx_ws))
}

/// The venue's one instrument; with `codes`, its `instIdCode` as the mock publishes it.
fn table(codes: bool) -> InstrumentTable {
    let mut t = InstrumentTable::new(&[(
        InstrumentId(0),
        InstrumentSpec {
            symbol: "BTC-USDT".into(),
            price_scale: 8,
            qty_scale: 8,
        },
    )])
    .unwrap();
    if codes {
        t.set_venue_codes(&[("BTC-USDT".into(), okx_inst_id_code("BTC-USDT"))]);
    }
    t
}

/// A gateway on the mock's private socket logging in with `secret`; `subscribe`: the `orders`
/// and `account` channels after each login; `codes`: the instrument's code known from the start.
fn gateway(ex: &MockExchange, secret: &str, subscribe: bool, codes: bool) -> WsGateway {
    gateway_pinging(ex, (KEY, secret, PASSPHRASE), subscribe, codes, None)
}

/// [`gateway`] logging in with `(key, secret, passphrase)`, its dialect pinging after
/// `ping_idle_ns` without writing when given.
fn gateway_pinging(
    ex: &MockExchange,
    (key, secret, passphrase): (&str, &str, &str),
    subscribe: bool,
    codes: bool,
    ping_idle_ns: Option<u64>,
) -> WsGateway {
    let e = ex.endpoint("okx").unwrap();
    let mut s = WsSessionSettings::new(e.addr, e.addr.to_string(), "/ws/v5/private".into());
    s.retry_min_ns = 20_000_000;
    s.answer_timeout_ns = 1_000_000_000;
    let codec = OkxCodec::new(
        OkxSettings {
            host: e.addr.to_string(),
            client_id_prefix: "ok".into(),
        },
        key.as_bytes(),
        secret.as_bytes(),
        passphrase.as_bytes(),
        table(codes),
    )
    .unwrap();
    let writer = OkxWsWriter::new(
        OkxWsSettings {
            client_id_prefix: "ok".into(),
        },
        table(codes),
    )
    .unwrap();
    let assets = AssetNames::new([("BTC", AssetId(0)), ("USDT", AssetId(1))]);
    let mut dialect = OkxDialect::new(writer, codec, subscribe, assets);
    if let Some(ns) = ping_idle_ns {
        dialect = dialect.with_keepalive_idle_ns(ns);
    }
    let session = WsSession::new(s, Box::new(dialect), None);
    WsGateway::new(OKX, Some(session), None, Clock::new(), ClockOffsets::new())
}

fn ready_and_subscribed(g: &WsGateway) -> bool {
    g.is_ready() && g.session().unwrap().counters().subscriptions >= 1
}

#[test]
fn login_then_order_acked_and_its_fill_pushed_once() {
    let ex = mock(|_| {});
    let clock = Clock::new();
    let mut g = gateway(&ex, SECRET, true, true);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| ready_and_subscribed(g));
    assert_eq!(g.session().unwrap().counters().logons, 1);
    assert!(g.takes(WsOp::Place) && g.takes(WsOp::Cancel));
    assert!(!g.takes(WsOp::Status), "OKX status queries stay on REST");
    let ask = ex.top_of_book("okx").unwrap().ask_px;
    g.submit(&order(1, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| {
        !answers(e).is_empty()
            && !pushed(e).is_empty()
            && e.iter().any(|e| matches!(e, GatewayEvent::Balance { .. }))
    });
    // The answer acknowledges; the fill comes on the orders channel.
    assert_eq!(answers(&ev), vec![(OrderId(1), ExecStatus::Unknown)]);
    assert!(
        matches!(ev.iter().find(|e| matches!(e, GatewayEvent::Accepted(_))), Some(GatewayEvent::Accepted(r)) if r.order == OrderId(1)),
        "{ev:?}"
    );
    assert_eq!(pushed(&ev), vec![(OrderId(1), ExecStatus::Filled, Qty(1))]);
    let r = ev
        .iter()
        .find_map(|e| match e {
            GatewayEvent::Pushed(r) => Some(*r),
            _ => None,
        })
        .unwrap();
    assert!(r.avg_px.0 > 0 && r.avg_px.0 <= ask * 2, "{r:?}");
    assert!(
        ev.iter().any(|e| matches!(
            e,
            GatewayEvent::Balance { venue: OKX, asset: AssetId(0), free, total }
                if *free > 0 && total >= free
        )),
        "the base asset's balance, read at 1e-8: {ev:?}"
    );
    let d = g.session().unwrap().dialect();
    let p = d.push_counters();
    assert_eq!((p.finals, p.duplicates, p.foreign), (1, 0, 0), "{p:?}");
    let lat = d.venue_latency().expect("OKX stamps its answers");
    assert_eq!((lat.count, lat.missing), (1, 0), "{lat:?}");
    let c = g.session().unwrap().counters();
    assert_eq!(
        (c.requests, c.answers, c.stray_answers, c.unreadable_frames),
        (1, 1, 0, 0),
        "{c:?}"
    );
    assert_eq!(ex.rest_orders("okx").unwrap().len(), 1);
    let s = mockex_rest::stats(&ex, "okx");
    assert_eq!((s.okx_ws_logins, s.okx_ws_login_refusals), (1, 0), "{s:?}");
}

#[test]
fn a_wrong_key_secret_or_passphrase_is_refused_and_no_order_goes_on_the_session() {
    let ex = mock(|_| {});
    let clock = Clock::new();
    let ask = ex.top_of_book("okx").unwrap().ask_px;
    let mut refusals = 0;
    for creds in [
        ("someone-else", SECRET, PASSPHRASE),
        (KEY, "not-the-secret", PASSPHRASE),
        (KEY, SECRET, "not-the-passphrase"),
    ] {
        let mut g = gateway_pinging(&ex, creds, true, true, None);
        let mut ev = Vec::new();
        poll_until(&mut g, &clock, &mut ev, |g, _| {
            g.session().unwrap().counters().logon_refusals >= 2
        });
        assert!(!g.is_ready(), "{creds:?}");
        assert!(matches!(
            g.submit(&order(1, ask * 2), clock.now_ns()),
            Err(SubmitError::NotConnected(OKX))
        ));
        refusals += g.session().unwrap().counters().logon_refusals;
    }
    let s = mockex_rest::stats(&ex, "okx");
    assert!(s.okx_ws_login_refusals >= 6, "{s:?}");
    assert!(s.okx_ws_login_refusals <= refusals + 3, "{s:?}");
    assert_eq!((s.okx_ws_logins, s.rest_orders), (0, 0));
}

#[test]
fn the_per_instrument_rate_limit_on_the_session_reads_as_rate_limited_and_nothing_is_placed() {
    // OKX's 60 orders per 2 s per instrument, shared with REST, here 2.
    let ex = mockex_rest::start_with(
        &VENUES,
        RestLimits {
            okx_orders_per_2s: 2,
            ..RestLimits::default()
        },
        |_| {},
    );
    let clock = Clock::new();
    let mut g = gateway(&ex, SECRET, false, true);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| g.is_ready());
    let ask = ex.top_of_book("okx").unwrap().ask_px;
    for id in 1..=3 {
        g.submit(&order(id, ask * 2), clock.now_ns()).unwrap();
        poll_until(&mut g, &clock, &mut ev, |_, e| {
            answers(e).len() as u64 == id
        });
    }
    let a = answers(&ev);
    assert_eq!(
        a[2],
        (OrderId(3), ExecStatus::Rejected { code: 429 }),
        "50011 is a rate limit (nothing done), not a fill nor an unknown fate: {ev:?}"
    );
    assert!(
        a[..2]
            .iter()
            .all(|(_, s)| *s != ExecStatus::Rejected { code: 429 }),
        "{a:?}"
    );
    assert_eq!(
        ex.rest_orders("okx").unwrap().len(),
        2,
        "the refused order was not placed"
    );
    let c = g.session().unwrap().counters();
    assert_eq!((c.requests, c.answers, c.disconnects), (3, 3, 0), "{c:?}");
}

#[test]
fn a_duplicated_final_push_is_read_once() {
    let ex = mock(|w| w.duplicate_final_pushes = true);
    let clock = Clock::new();
    let mut g = gateway(&ex, SECRET, true, true);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| ready_and_subscribed(g));
    let ask = ex.top_of_book("okx").unwrap().ask_px;
    g.submit(&order(5, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |g, _| {
        g.session().unwrap().dialect().push_counters().duplicates >= 1
    });
    // Whatever is left (the balances) read, then: one final, the copy dropped and counted.
    let t = Instant::now();
    poll_until(&mut g, &clock, &mut ev, |_, _| {
        t.elapsed() > Duration::from_millis(100)
    });
    assert_eq!(pushed(&ev), vec![(OrderId(5), ExecStatus::Filled, Qty(1))]);
    let p = g.session().unwrap().dialect().push_counters();
    assert_eq!((p.finals, p.duplicates), (1, 1), "{p:?}");
    assert_eq!(
        mockex_rest::stats(&ex, "okx").okx_ws_pushes,
        4,
        "two copies, two balances"
    );
}

#[test]
fn dropped_mid_order_then_relogin_each_order_answered_once_none_sent_twice() {
    let ex = mock(|w| w.drop_on_order = Some(2));
    let clock = Clock::new();
    let mut g = gateway(&ex, SECRET, true, true);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| ready_and_subscribed(g));
    let ask = ex.top_of_book("okx").unwrap().ask_px;
    g.submit(&order(1, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| {
        answers(e).len() == 1 && pushed(e).len() == 1
    });
    // The second order executes at the venue, and the session drops before its answer.
    g.submit(&order(2, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| answers(e).len() == 2);
    assert_eq!(
        answers(&ev)[1],
        (OrderId(2), ExecStatus::Unknown),
        "fate unknown, not failed: {ev:?}"
    );
    assert!(
        !matches!(
            ev.iter()
                .rev()
                .find(|e| matches!(e, GatewayEvent::Report(_) | GatewayEvent::Accepted(_))),
            Some(GatewayEvent::Accepted(_))
        ),
        "a lost order is reported, not acknowledged: {ev:?}"
    );
    assert_eq!(g.session().unwrap().counters().lost_in_flight, 1);
    // Reconnect and log in again (and subscribe again), then the next order goes through.
    poll_until(&mut g, &clock, &mut ev, |g, _| {
        g.is_ready() && g.session().unwrap().counters().subscriptions >= 2
    });
    assert_eq!(g.session().unwrap().counters().logons, 2);
    g.submit(&order(3, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| {
        answers(e).len() == 3 && pushed(e).len() == 2
    });
    // Each order answered exactly once; order 2's fate is for the stage's REST status query.
    let ids: Vec<OrderId> = answers(&ev).iter().map(|a| a.0).collect();
    assert_eq!(ids, [OrderId(1), OrderId(2), OrderId(3)]);
    assert_eq!(
        pushed(&ev),
        vec![
            (OrderId(1), ExecStatus::Filled, Qty(1)),
            (OrderId(3), ExecStatus::Filled, Qty(1))
        ]
    );
    let c = g.session().unwrap().counters();
    assert_eq!(
        (c.requests, c.answers, c.lost_in_flight),
        (3, 2, 1),
        "{c:?}"
    );
    // The venue took each order exactly once.
    let taken = ex.rest_orders("okx").unwrap();
    assert_eq!(taken.len(), 3, "{taken:?}");
    let s = mockex_rest::stats(&ex, "okx");
    assert_eq!((s.okx_ws_sessions, s.okx_ws_logins), (2, 2), "{s:?}");
    assert_eq!(s.rest_orders, 3);
}

#[test]
fn a_lost_answer_times_out_as_unknown_while_the_push_gives_the_fill() {
    let ex = mock(|w| w.lose_answer_on_order = Some(1));
    let clock = Clock::new();
    let mut g = gateway(&ex, SECRET, true, true);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| ready_and_subscribed(g));
    let ask = ex.top_of_book("okx").unwrap().ask_px;
    g.submit(&order(1, ask * 2), clock.now_ns()).unwrap();
    // The fill is pushed at once; the answer never comes, and its deadline (1 s here) reports
    // the order Unknown: one answer, for the stage to reconcile with the pushed final.
    poll_until(&mut g, &clock, &mut ev, |_, e| !answers(e).is_empty());
    assert_eq!(pushed(&ev), vec![(OrderId(1), ExecStatus::Filled, Qty(1))]);
    assert_eq!(answers(&ev), vec![(OrderId(1), ExecStatus::Unknown)]);
    let first_push = ev
        .iter()
        .position(|e| matches!(e, GatewayEvent::Pushed(_)))
        .unwrap();
    let answer = ev
        .iter()
        .position(|e| matches!(e, GatewayEvent::Report(_)))
        .unwrap();
    assert!(first_push < answer, "the push came first: {ev:?}");
    let c = g.session().unwrap().counters();
    assert_eq!((c.timeouts, c.disconnects, c.answers), (1, 0, 0), "{c:?}");
    // The session stays up and the next order is answered.
    g.submit(&order(2, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| answers(e).len() == 2);
    assert_eq!(
        answers(&ev)[1],
        (OrderId(2), ExecStatus::Unknown),
        "acknowledged"
    );
    assert_eq!(ex.rest_orders("okx").unwrap().len(), 2, "sent once each");
    assert_eq!(mockex_rest::stats(&ex, "okx").okx_ws_answers_lost, 1);
}

#[test]
fn an_idle_session_pings_and_stays_up_past_the_venues_idle_close() {
    // The venue closes a connection silent for 300 ms (OKX: 30 s); the dialect pings after
    // 100 ms without writing (the engine's default: 25 s).
    let ex = mock(|w| w.idle_timeout = Duration::from_millis(300));
    let clock = Clock::new();
    let mut g = gateway_pinging(
        &ex,
        (KEY, SECRET, PASSPHRASE),
        true,
        true,
        Some(100_000_000),
    );
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| ready_and_subscribed(g));
    let t = Instant::now();
    poll_until(&mut g, &clock, &mut ev, |_, _| {
        t.elapsed() > Duration::from_millis(1200)
    });
    assert!(g.is_ready());
    let c = g.session().unwrap().counters();
    assert!(c.keepalives >= 5, "{c:?}");
    assert_eq!(
        (c.logons, c.disconnects, c.unreadable_frames),
        (1, 0, 0),
        "pongs read: {c:?}"
    );
    let s = mockex_rest::stats(&ex, "okx");
    assert_eq!(s.okx_ws_idle_closes, 0, "{s:?}");
    assert!(s.okx_ws_pings >= 5, "{s:?}");
    let ask = ex.top_of_book("okx").unwrap().ask_px;
    g.submit(&order(4, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| !pushed(e).is_empty());
    assert_eq!(pushed(&ev), vec![(OrderId(4), ExecStatus::Filled, Qty(1))]);
}

#[test]
fn orders_stay_on_rest_until_the_instrument_codes_are_known() {
    let ex = mock(|_| {});
    let clock = Clock::new();
    let mut g = gateway(&ex, SECRET, false, false);
    let mut ev = Vec::new();
    poll_until(&mut g, &clock, &mut ev, |g, _| g.is_ready());
    assert!(
        !g.takes(WsOp::Place),
        "no instIdCode: the router keeps OKX on REST"
    );
    let ask = ex.top_of_book("okx").unwrap().ask_px;
    assert!(g.submit(&order(1, ask * 2), clock.now_ns()).is_err());
    assert_eq!(
        mockex_rest::stats(&ex, "okx").okx_ws_requests,
        1,
        "the login only"
    );
    let code = okx_inst_id_code("BTC-USDT");
    assert_eq!(g.set_venue_codes(&[("BTC-USDT".into(), code)]), 1);
    assert!(g.takes(WsOp::Place));
    g.submit(&order(2, ask * 2), clock.now_ns()).unwrap();
    poll_until(&mut g, &clock, &mut ev, |_, e| !answers(e).is_empty());
    assert_eq!(answers(&ev), vec![(OrderId(2), ExecStatus::Unknown)]);
    // Not subscribed: the fill is not pushed (the stage would query it on REST).
    std::thread::sleep(Duration::from_millis(50));
    poll_until(&mut g, &clock, &mut ev, |_, _| true);
    assert!(pushed(&ev).is_empty(), "{ev:?}");
    assert_eq!(mockex_rest::stats(&ex, "okx").okx_ws_pushes, 0);
}

#[test]
fn the_stage_trades_okx_on_the_session_with_the_codes_the_rules_read() {
    let ex = mockex_rest::start(&mockex_rest::BYBIT_OKX, RestLimits::default());
    let okx = VenueId(1);
    let url = ex.endpoint("okx").unwrap().ws_api_url.clone().unwrap();
    let cfg = mockex_rest::config(&ex, &mockex_rest::BYBIT_OKX, "/nonexistent", |c| {
        c.venues[1].order_entry = microarb::config::OrderEntry::Ws;
        c.venues[1].ws_api_url = Some(url);
        c.venues[0].max_inflight = 1;
        c.execution.max_inflight = 3;
        c.execution.reserved_slots = 0;
    });
    // With the venues' truth read at start-up, as a run does: the account channel's snapshot
    // then agrees with the stage's balances.
    let mut e = mockex_rest::try_engine_with_truth(&cfg, SECRET).expect("stage with truth");
    // The start-up rules read OKX's instIdCode from its instrument list; the router takes them
    // (what `build_stage` does after the rules step).
    let creds = mockex_rest::creds_with(&cfg, SECRET, PASSPHRASE);
    let mut p = microarb::exec::params::ExecParams::from_config(&cfg).unwrap();
    let rules = microarb::exec::startup::rules::load(&cfg, &creds, &mut p).unwrap();
    let codes = rules.codes_for(okx);
    assert_eq!(
        codes,
        vec![("BTC-USDT".to_string(), okx_inst_id_code("BTC-USDT"))]
    );
    assert_eq!(e.stage.gateway_mut().set_venue_codes(okx, &codes), 1);
    let t = Instant::now();
    while !e.stage.gateway_mut().ws(okx).unwrap().is_ready() {
        assert!(t.elapsed() < Duration::from_secs(5), "no login");
        e.poll();
        std::thread::sleep(Duration::from_micros(200));
    }
    for _ in 0..2 {
        e.feed(&ex, okx, VenueId(0));
        e.settle(Duration::from_secs(3));
    }
    let dump: Vec<String> = e
        .reg
        .counters
        .iter()
        .filter(|(_, v)| *v > 0)
        .map(|(n, v)| format!("{n}={v}"))
        .collect();
    assert_eq!(
        e.outcome(microarb::model::Outcome::Executed),
        2,
        "{dump:?} {:?}",
        mockex_rest::stats(&ex, "okx")
    );
    let gw = e.stage.gateway_mut();
    assert_eq!(gw.ws_fallbacks(okx), 0);
    let session = gw.ws(okx).unwrap().session().unwrap();
    let c = session.counters();
    assert_eq!((c.requests, c.answers), (2, 2), "{c:?}");
    assert!(c.stream_events >= 2, "both fills pushed back: {c:?}");
    assert_eq!(session.dialect().venue_latency().unwrap().count, 2);
    let s = mockex_rest::stats(&ex, "okx");
    assert_eq!(s.rest_orders, 2, "each order taken once: {s:?}");
    assert_eq!(
        s.okx_ws_requests, 4,
        "login, the channels' subscription and the two orders: {s:?}"
    );
    // On /metrics: the session's counters, OKX's own latency; the stage matched the pushes.
    {
        use microarb::runtime::Stage;
        let now = e.clock.now_ns();
        e.stage.flush_telemetry(now);
    }
    assert_eq!(e.count("gateway.ws.okx.orders.requests"), 2);
    assert_eq!(e.count("gateway.ws.okx.orders.logons"), 1);
    assert_eq!(e.count("gateway.ws.okx.rest_fallbacks"), 0);
    assert_eq!(e.count("gateway.ws.okx.orders.push_finals"), 2);
    assert_eq!(e.count("gateway.ws.okx.orders.venue_latency_count"), 2);
    let buckets: u64 = (0..microarb::exec::gateway::ws::venue_latency::BUCKETS)
        .map(|i| {
            let name = microarb::exec::gateway::ws::VenueLatency::bucket_name(i);
            e.count(&format!("gateway.ws.okx.orders.{name}"))
        })
        .sum();
    assert_eq!(buckets, 2, "the histogram holds both answers");
    assert!(
        e.count("exec.stream.confirms") + e.count("exec.stream.settled") >= 2,
        "every pushed fill was matched to its leg"
    );
    assert_eq!(e.count("exec.stream.disagreements"), 0);
}

#[test]
fn orders_on_rest_while_the_codes_are_unknown_come_back_on_the_stream_once() {
    // OKX pushes every order of the account on the subscribed session, REST ones too: the
    // stage's REST orders (no instIdCode yet, so the router keeps them off the session) are
    // each settled by their answer and confirmed once by their pushed final.
    let ex = mockex_rest::start(&mockex_rest::BYBIT_OKX, RestLimits::default());
    let okx = VenueId(1);
    let url = ex.endpoint("okx").unwrap().ws_api_url.clone().unwrap();
    let cfg = mockex_rest::config(&ex, &mockex_rest::BYBIT_OKX, "/nonexistent", |c| {
        c.venues[1].order_entry = microarb::config::OrderEntry::Ws;
        c.venues[1].ws_api_url = Some(url);
        c.venues[0].max_inflight = 1;
        c.execution.max_inflight = 3;
        c.execution.reserved_slots = 0;
    });
    let mut e = mockex_rest::try_engine_with_truth(&cfg, SECRET).expect("stage with truth");
    let t = Instant::now();
    loop {
        let g = e.stage.gateway_mut().ws(okx).unwrap();
        if ready_and_subscribed(g) {
            assert!(!g.takes(WsOp::Place), "no codes: orders on REST");
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(5), "no login");
        e.poll();
        std::thread::sleep(Duration::from_micros(200));
    }
    for _ in 0..2 {
        e.feed(&ex, okx, VenueId(0));
        e.settle(Duration::from_secs(3));
    }
    // The pushes may trail the REST answers: read until both finals are in.
    let finals = |e: &mut mockex_rest::Engine| {
        let g = e.stage.gateway_mut().ws(okx).unwrap();
        g.session().unwrap().dialect().push_counters().finals
    };
    let t = Instant::now();
    while finals(&mut e) < 2 && t.elapsed() < Duration::from_secs(3) {
        e.poll_for(Duration::from_millis(10));
    }
    e.poll_for(Duration::from_millis(100));
    {
        use microarb::runtime::Stage;
        let now = e.clock.now_ns();
        e.stage.flush_telemetry(now);
    }
    assert_eq!(e.outcome(microarb::model::Outcome::Executed), 2);
    let gw = e.stage.gateway_mut();
    let session = gw.ws(okx).unwrap().session().unwrap();
    let c = session.counters();
    assert_eq!(c.requests, 0, "no order on the session: {c:?}");
    let p = session.dialect().push_counters();
    assert_eq!(
        (p.finals, p.duplicates, p.foreign),
        (2, 0, 0),
        "each REST order's final pushed once: {p:?}"
    );
    let s = mockex_rest::stats(&ex, "okx");
    assert_eq!(s.rest_orders, 2, "each order taken once: {s:?}");
    assert_eq!(e.count("exec.stream.finals"), 2);
    assert_eq!(
        e.count("exec.stream.confirms") + e.count("exec.stream.settled"),
        2,
        "each pushed final matched to its leg once"
    );
    assert_eq!(e.count("exec.stream.disagreements"), 0);
    e.check_accounting(&ex, &mockex_rest::BYBIT_OKX);
}

#[test]
fn build_stage_gives_the_session_the_codes_its_rules_step_read() {
    use microarb::exec::gateway::AnyGateway;
    let ex = mockex_rest::start(&mockex_rest::BYBIT_OKX, RestLimits::default());
    let okx = VenueId(1);
    let dir = crate::common::tmp::TempDir::new("okx-ws-build");
    let okx_file = dir.join("okx.creds");
    mockex::ApiCredentials::new(KEY, SECRET)
        .with_passphrase(PASSPHRASE)
        .write_file(&okx_file)
        .unwrap();
    let (_d, bybit_file) = mockex_rest::creds_file("bybit.creds", SECRET);
    let url = ex.endpoint("okx").unwrap().ws_api_url.clone().unwrap();
    let cfg = mockex_rest::config(&ex, &mockex_rest::BYBIT_OKX, "/nonexistent", |c| {
        c.venues[0].api_secret_file = Some(bybit_file.to_string_lossy().into_owned());
        c.venues[1].api_secret_file = Some(okx_file.to_string_lossy().into_owned());
        c.venues[1].order_entry = microarb::config::OrderEntry::Ws;
        c.venues[1].ws_api_url = Some(url);
    });
    let mut reg = microarb::telemetry::Registry::new();
    let (_tx, rx) =
        microarb::runtime::ring::<microarb::model::Opportunity>("opps", 8, &mut reg.counters);
    let mut stage = microarb::exec::build_stage(
        &cfg,
        rx,
        Clock::new(),
        microarb::exec::KillSwitch::new(),
        &mut reg,
    )
    .expect("the stage builds on the mock");
    let AnyGateway::Rest(router) = stage.gateway_mut() else {
        panic!("a REST run")
    };
    let ws = router.ws(okx).expect("okx's WebSocket gateway");
    assert!(
        ws.takes(WsOp::Place) && ws.takes(WsOp::Cancel),
        "the instIdCode read by the rules step reached the dialect"
    );
    assert!(!ws.takes(WsOp::Status));
}

/// An IOC buy of one unit on Okx.
fn order(id: u64, px: i64) -> Order {
    crate::common::ws::order(OKX, id, px)
}
