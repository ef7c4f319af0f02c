//! Upbit's private stream (`src/exec/gateway/ws/upbit.rs`) against the mock exchange's
//! `/websocket/v1/private` on loopback, real sockets, real time, built from config as a run builds
//! it (`private_stream = true`, `private_ws_url`; orders stay on REST): the stream connects with
//! the Bearer JWT (a fresh nonce per connect), an order placed over REST comes back as one pushed
//! final with its quantity and price, a duplicated final push gives one, a dropped stream
//! reconnects and subscribes again, and a bad key is refused.

use std::time::{Duration, Instant};

use crate::common::mockex_rest::{self, BINANCE_UPBIT, KEY, MS, PASSPHRASE, SECRET};
use microarb::base::{Clock, ClockOffsets};
use microarb::config::Config;
use microarb::exec::gateway::codec::jwt::JwtSigner;
use microarb::exec::gateway::codec::nonce::UuidGen;
use microarb::exec::gateway::codec::InstrumentSpec;
use microarb::exec::gateway::rest::router_from_config;
use microarb::exec::gateway::ws::{
    AssetNames, UpbitDialect, WsGateway, WsSession, WsSessionSettings,
};
use microarb::exec::gateway::{Gateway, GatewayEvent, RestRouter};
use microarb::exec::guards::AssetId;
use microarb::exec::private::upbit::{UpbitMarket, UpbitPrivateParser};
use microarb::model::{ExecReport, ExecStatus, InstrumentId, OppId, Order, OrderId, Qty, VenueId};
use mockex::{AccountConfig, MockExchange, RestLimits, UpbitPrivateConfig};

const UPBIT: VenueId = VenueId(1);

/// The mock, its Upbit account holding 10 BTC and a million USDT (balances an `i64` holds at
/// 1e-8, as a real account's).
fn mock(edit: impl FnOnce(&mut UpbitPrivateConfig)) -> MockExchange {
    mockex_rest::start_with(&BINANCE_UPBIT, RestLimits::default(), |cfg| {
        cfg.rest_accounts.insert(
            "upbit".into(),
            AccountConfig {
                base: "BTC".into(),
                quote: "USDT".into(),
                base_balance: 10,
                quote_balance: 1_000_000,
            },
        );
        edit(&mut cfg.upbit_private)
    })
}

/// Binance and Upbit over REST, Upbit's private stream read from the mock.
fn config(ex: &MockExchange) -> Config {
    let url = ex
        .endpoint("upbit")
        .unwrap()
        .private_ws_url
        .clone()
        .unwrap();
    mockex_rest::config(ex, &BINANCE_UPBIT, "/nonexistent", |c| {
        c.venues[1].private_stream = Some(true);
        c.venues[1].private_ws_url = Some(url);
    })
}

fn router(cfg: &Config) -> RestRouter {
    let creds = mockex_rest::creds_with(cfg, SECRET, PASSPHRASE);
    let mut r = router_from_config(cfg, &creds, Clock::new()).expect("router builds");
    assert!(
        r.connect(cfg.execution.rest.connect_timeout_ms * MS),
        "connects"
    );
    r
}

fn blank() -> GatewayEvent {
    GatewayEvent::Banned {
        venue: UPBIT,
        retry_after_ms: 0,
    }
}

/// Poll `g` until `done` holds of the events so far (or 5 s pass); every event is kept.
fn poll_until<G: Gateway>(
    g: &mut G,
    events: &mut Vec<GatewayEvent>,
    mut done: impl FnMut(&G, &[GatewayEvent]) -> bool,
) {
    let clock = Clock::new();
    let t = Instant::now();
    let mut buf = [blank(); 32];
    while !done(g, events) {
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "not within 5 s: {events:?}"
        );
        let n = g.poll(clock.now_ns(), &mut buf);
        events.extend_from_slice(&buf[..n]);
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// The stream's subscription reached the mock (so the next order's pushes follow).
fn subscribed(r: &mut RestRouter, ex: &MockExchange, n: u64, ev: &mut Vec<GatewayEvent>) {
    poll_until(r, ev, |_, _| {
        mockex_rest::stats(ex, "upbit").upbit_private_subscribes >= n
    });
}

fn order(id: u64, px: i64) -> Order {
    crate::common::ws::order(UPBIT, id, px)
}

fn pushed(events: &[GatewayEvent], id: u64) -> Vec<ExecReport> {
    events
        .iter()
        .filter_map(|e| match e {
            GatewayEvent::Pushed(r) if r.order == OrderId(id) => Some(*r),
            _ => None,
        })
        .collect()
}

fn answered(events: &[GatewayEvent], id: u64) -> Option<ExecReport> {
    events.iter().find_map(|e| match e {
        GatewayEvent::Report(r) if r.order == OrderId(id) => Some(*r),
        _ => None,
    })
}

/// Submit order `id` on REST and poll until both its answer and its pushed final are in.
fn trade(r: &mut RestRouter, ex: &MockExchange, id: u64, ev: &mut Vec<GatewayEvent>) {
    let ask = ex.top_of_book("upbit").unwrap().ask_px;
    r.submit(&order(id, ask * 2), Clock::new().now_ns())
        .expect("submitted on REST");
    poll_until(r, ev, |_, e| {
        answered(e, id).is_some() && !pushed(e, id).is_empty()
    });
}

#[test]
fn an_order_placed_over_rest_is_pushed_back_once_with_its_fill() {
    let ex = mock(|_| {});
    let cfg = config(&ex);
    let mut r = router(&cfg);
    let mut ev = Vec::new();
    subscribed(&mut r, &ex, 1, &mut ev);
    assert!(
        !r.ws(UPBIT).unwrap().is_ready(),
        "no order socket: orders on REST"
    );
    trade(&mut r, &ex, 1, &mut ev);
    let rest = answered(&ev, 1).unwrap();
    assert_eq!(rest.status, ExecStatus::Filled, "{rest:?}");
    let p = pushed(&ev, 1);
    assert_eq!(p.len(), 1, "{ev:?}");
    assert_eq!((p[0].status, p[0].filled_qty), (ExecStatus::Filled, Qty(1)));
    assert_eq!(p[0].avg_px, rest.avg_px, "the push and the answer agree");
    assert_eq!((p[0].opp, p[0].venue), (OppId(1), UPBIT));
    assert_eq!(p[0].venue_order_id, rest.venue_order_id);
    // The mock filled it whole.
    assert!(p[0].avg_px.0 > 0, "{p:?}");
    let taken = &ex.rest_orders("upbit").unwrap()[0];
    assert_eq!((taken.executed, taken.state), (1, "filled"), "{taken:?}");
    // The balances pushed after it: both of the instrument's assets are configured.
    let balances = |e: &[GatewayEvent]| -> Vec<(i64, i64)> {
        e.iter()
            .filter_map(|e| match e {
                GatewayEvent::Balance {
                    venue: UPBIT,
                    free,
                    total,
                    ..
                } => Some((*free, *total)),
                _ => None,
            })
            .collect()
    };
    poll_until(&mut r, &mut ev, |_, e| balances(e).len() >= 2);
    // 10 BTC and one more satoshi; a million USDT less what it cost (nothing locked after).
    let b = balances(&ev);
    assert!(b.contains(&(1_000_000_001, 1_000_000_001)), "{b:?}");
    assert!(
        b.iter()
            .any(|&(f, t)| f == t && f < 1_000_000 * 100_000_000 && f > 999_000 * 100_000_000),
        "{b:?}"
    );
    let s = r.ws(UPBIT).unwrap().stream().unwrap();
    let c = s.counters();
    assert_eq!((c.connects, c.logons, c.subscriptions), (1, 1, 1), "{c:?}");
    assert_eq!(c.unreadable_frames, 0, "{c:?}");
    let pc = s.dialect().push_counters();
    assert_eq!((pc.finals, pc.duplicates), (1, 0), "{pc:?}");
    assert!(pc.working >= 2, "wait and trade counted: {pc:?}");
    let m = mockex_rest::stats(&ex, "upbit");
    assert_eq!(
        (m.upbit_private_streams, m.upbit_private_auth_refusals),
        (1, 0)
    );
    assert_eq!(ex.upbit_private_nonces("upbit").unwrap().len(), 1);
}

#[test]
fn a_duplicated_final_push_is_forwarded_once() {
    let ex = mock(|c| c.duplicate_finals = true);
    let cfg = config(&ex);
    let mut r = router(&cfg);
    let mut ev = Vec::new();
    subscribed(&mut r, &ex, 1, &mut ev);
    trade(&mut r, &ex, 1, &mut ev);
    // The duplicate follows the first at once; give it time to be read.
    let t = Instant::now();
    poll_until(&mut r, &mut ev, |_, _| {
        t.elapsed() > Duration::from_millis(200)
    });
    assert_eq!(pushed(&ev, 1).len(), 1, "{ev:?}");
    let pc = r
        .ws(UPBIT)
        .unwrap()
        .stream()
        .unwrap()
        .dialect()
        .push_counters();
    assert_eq!((pc.finals, pc.duplicates), (1, 1), "{pc:?}");
}

#[test]
fn a_dropped_stream_reconnects_and_subscribes_again() {
    // wait, trade, done: the stream is dropped right after the final.
    let ex = mock(|c| c.drop_after_pushes = Some(3));
    let cfg = config(&ex);
    let mut r = router(&cfg);
    let mut ev = Vec::new();
    subscribed(&mut r, &ex, 1, &mut ev);
    trade(&mut r, &ex, 1, &mut ev);
    subscribed(&mut r, &ex, 2, &mut ev);
    trade(&mut r, &ex, 2, &mut ev);
    assert_eq!((pushed(&ev, 1).len(), pushed(&ev, 2).len()), (1, 1));
    let c = r.ws(UPBIT).unwrap().stream().unwrap().counters();
    assert_eq!((c.disconnects, c.subscriptions), (1, 2), "{c:?}");
    assert_eq!(c.connects, 2, "{c:?}");
    let m = mockex_rest::stats(&ex, "upbit");
    assert_eq!((m.upbit_private_dropped, m.upbit_private_streams), (1, 2));
    let nonces = ex.upbit_private_nonces("upbit").unwrap();
    assert_eq!(nonces.len(), 2);
    assert_ne!(nonces[0], nonces[1], "a fresh token per connect");
}

/// A stream-only gateway for the mock's Upbit venue signing with `secret`.
fn stream_gateway(ex: &MockExchange, secret: &str) -> WsGateway {
    stream_gateway_with(ex, secret, |d| d)
}

/// [`stream_gateway`] with `edit` applied to the dialect.
fn stream_gateway_with(
    ex: &MockExchange,
    secret: &str,
    edit: impl FnOnce(UpbitDialect) -> UpbitDialect,
) -> WsGateway {
    let e = ex.endpoint("upbit").unwrap();
    let mut s = WsSessionSettings::new(e.addr, e.addr.to_string(), "/websocket/v1/private".into());
    s.retry_min_ns = 20 * MS;
    let parser = UpbitPrivateParser::new(
        vec![UpbitMarket {
            instrument: InstrumentId(0),
            spec: InstrumentSpec {
                symbol: "USDT-BTC".into(),
                price_scale: 8,
                qty_scale: 8,
            },
        }],
        "ma",
    );
    let dialect = UpbitDialect::new(
        JwtSigner::new(KEY.as_bytes(), secret.as_bytes()).unwrap(),
        UuidGen::from_seed(1),
        parser,
        AssetNames::new([("BTC", AssetId(0)), ("USDT", AssetId(1))]),
    );
    let session = WsSession::new(s, Box::new(edit(dialect)), None);
    WsGateway::new(
        UPBIT,
        None,
        Some(session),
        Clock::new(),
        ClockOffsets::new(),
    )
}

#[test]
fn the_ping_keep_alive_holds_off_the_idle_close() {
    // Upbit closes a connection idle for about 120 s; here 300 ms, with a PING every 100 ms idle.
    let ex = mock(|c| c.idle_timeout = Duration::from_millis(300));
    let mut g = stream_gateway_with(&ex, SECRET, |d| d.with_keepalive_idle_ns(100 * MS));
    let mut ev = Vec::new();
    let t = Instant::now();
    poll_until(&mut g, &mut ev, |_, _| {
        t.elapsed() > Duration::from_millis(1200)
    });
    let c = g.stream().unwrap().counters();
    assert!(c.keepalives >= 5, "{c:?}");
    assert_eq!(
        (c.connects, c.disconnects, c.unreadable_frames),
        (1, 0, 0),
        "{c:?}"
    );
    let m = mockex_rest::stats(&ex, "upbit");
    assert_eq!(m.upbit_private_idle_closes, 0, "{m:?}");
    assert!(m.pings_answered >= 5, "{m:?}");
    // Without it, the mock closes the stream once idle and the session reconnects.
    let mut g = stream_gateway_with(&ex, SECRET, |d| d.with_keepalive_idle_ns(u64::MAX));
    poll_until(&mut g, &mut ev, |g, _| {
        g.stream().unwrap().counters().disconnects >= 1
    });
    assert!(mockex_rest::stats(&ex, "upbit").upbit_private_idle_closes >= 1);
}

#[test]
fn a_bad_key_is_refused_and_retried() {
    let ex = mock(|_| {});
    let mut g = stream_gateway(&ex, "not-the-secret");
    let mut ev = Vec::new();
    poll_until(&mut g, &mut ev, |g, _| {
        g.stream().unwrap().counters().logon_refusals >= 2
    });
    let c = g.stream().unwrap().counters();
    assert!(c.connects >= 2, "retried: {c:?}");
    let m = mockex_rest::stats(&ex, "upbit");
    assert!(m.upbit_private_auth_refusals >= 2, "{m:?}");
    assert_eq!((m.upbit_private_subscribes, m.upbit_private_pushed), (0, 0));
    assert!(ev.is_empty(), "{ev:?}");
    // The right key: the same gateway shape connects and stays up.
    let mut g = stream_gateway(&ex, SECRET);
    poll_until(&mut g, &mut ev, |_, _| {
        mockex_rest::stats(&ex, "upbit").upbit_private_subscribes == 1
    });
    let c = g.stream().unwrap().counters();
    assert_eq!((c.logon_refusals, c.disconnects), (0, 0), "{c:?}");
}

#[test]
fn the_stage_cross_checks_upbit_fills_against_the_stream() {
    // The mock's default accounts: balances beyond what an i64 holds at 1e-8, so the pushed
    // myAsset frames are refused (counted unreadable) and only the order finals reach the stage.
    let ex = mockex_rest::start(&BINANCE_UPBIT, RestLimits::default());
    let cfg = config(&ex);
    let mut e = mockex_rest::engine(&cfg, SECRET);
    e.poll_for(Duration::ZERO);
    let t = Instant::now();
    while mockex_rest::stats(&ex, "upbit").upbit_private_subscribes == 0 {
        assert!(t.elapsed() < Duration::from_secs(5), "no stream");
        e.poll();
        std::thread::sleep(Duration::from_micros(200));
    }
    for _ in 0..2 {
        e.feed(&ex, VenueId(0), UPBIT);
        e.settle(Duration::from_secs(3));
    }
    assert_eq!(e.outcome(microarb::model::Outcome::Executed), 2);
    let t = Instant::now();
    while e.count("exec.stream.finals") < 2 {
        assert!(t.elapsed() < Duration::from_secs(5), "finals not pushed");
        e.poll_for(Duration::from_millis(5));
    }
    assert_eq!(e.count("exec.stream.finals"), 2);
    assert_eq!(
        e.count("exec.stream.confirms") + e.count("exec.stream.settled"),
        2,
        "each Upbit leg settled by its answer and confirmed by its push, or settled by the push"
    );
    assert_eq!(e.count("exec.stream.disagreements"), 0);
    assert_eq!(e.count("exec.stream.unmatched"), 0);
    let s = mockex_rest::stats(&ex, "upbit");
    assert_eq!(s.rest_orders, 2, "orders stay on REST: {s:?}");
}

#[test]
fn a_silent_stream_is_ended_as_half_open_and_reconnected() {
    // A server that completes the upgrade and then neither reads nor writes: the socket stays
    // open, nothing arrives. A push-only stream has no request to time out; its keep-alive goes
    // unanswered, and after three keep-alive intervals with nothing read the session ends.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming() {
            let Ok(s) = s else { return };
            if let Ok(ws) = tungstenite::accept(s) {
                held.push(ws);
            }
        }
    });
    let mut s = WsSessionSettings::new(addr, addr.to_string(), "/websocket/v1/private".into());
    s.retry_min_ns = 20 * MS;
    let parser = UpbitPrivateParser::new(
        vec![UpbitMarket {
            instrument: InstrumentId(0),
            spec: InstrumentSpec {
                symbol: "USDT-BTC".into(),
                price_scale: 8,
                qty_scale: 8,
            },
        }],
        "ma",
    );
    let dialect = UpbitDialect::new(
        JwtSigner::new(KEY.as_bytes(), SECRET.as_bytes()).unwrap(),
        UuidGen::from_seed(1),
        parser,
        AssetNames::default(),
    )
    .with_keepalive_idle_ns(50 * MS);
    let session = WsSession::new(s, Box::new(dialect), None);
    let mut g = WsGateway::new(
        UPBIT,
        None,
        Some(session),
        Clock::new(),
        ClockOffsets::new(),
    );
    let clock = Clock::new();
    let t = Instant::now();
    let mut buf = [GatewayEvent::Banned {
        venue: UPBIT,
        retry_after_ms: 0,
    }; 8];
    while g.stream().unwrap().counters().stale_sessions < 2 {
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "{:?}",
            g.stream().unwrap().counters()
        );
        g.poll(clock.now_ns(), &mut buf);
        std::thread::sleep(Duration::from_millis(1));
    }
    let c = g.stream().unwrap().counters();
    assert!(
        c.connects >= 2 && c.logons >= 2,
        "reconnected after each: {c:?}"
    );
    assert!(c.keepalives >= 2, "its keep-alives went unanswered: {c:?}");
}
