//! Allocations per order through Bybit's WebSocket sessions in steady state, over plain TCP on
//! loopback against the mock exchange's `/v5/trade` and `/v5/private` (its threads are not
//! counted: only the test thread tracks). The test thread stages, masks and sends
//! `order.create`, reads the acknowledgement on the trade socket and the `execution`, `order`
//! and `wallet` pushes on the private stream in place, and turns them into gateway events (the
//! final through the dedupe memory, the balances of configured coins); each order is preceded by
//! an idle rehearsal of its frame. Expected: 0 per order.
//! Connecting, `auth` and `subscribe` (cold) are not counted.

use std::time::{Duration, Instant};

use microarb::base::{Clock, ClockOffsets};
use microarb::exec::gateway::codec::bybit_ws::{BybitWsSettings, BybitWsWriter, WsSocket};
use microarb::exec::gateway::codec::{InstrumentSpec, InstrumentTable};
use microarb::exec::gateway::ws::{
    AssetNames, BybitDialect, WsGateway, WsSession, WsSessionSettings,
};
use microarb::exec::gateway::{Gateway, GatewayEvent};
use microarb::exec::guards::AssetId;
use microarb::model::{
    ExecStatus, InstrumentId, OppId, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId,
};
use mockex::{ApiCredentials, MockConfig, MockExchange, MockVenue, RestLimits, SyntheticSource};

use crate::common::alloc as counting_alloc;

const KEY: &str = "alloc-key";
const SECRET: &str = "alloc-secret";

fn mock() -> MockExchange {
    let venues = vec![MockVenue::new("bybit", mockex::VenueKind::Bybit)];
    let mut cfg = MockConfig::synthetic(venues, SyntheticSource::default());
    cfg.rate_per_s = 500;
    cfg.wait_for_subscribers = false;
    cfg.api = Some(ApiCredentials::new(KEY, SECRET));
    cfg.rest_limits = RestLimits::unlimited();
    let ex = MockExchange::start(cfg).unwrap();
    let t = Instant::now();
    while ex.top_of_book("bybit").is_none() {
        assert!(t.elapsed() < Duration::from_secs(10), "no quotes");
        std::thread::sleep(Duration::from_millis(2));
    }
    ex
}

fn session(addr: std::net::SocketAddr, path: &str, socket: WsSocket) -> WsSession {
    let mut s = WsSessionSettings::new(addr, addr.to_string(), path.into());
    s.answer_timeout_ns = 30_000_000_000;
    let table = InstrumentTable::new(&[(
        InstrumentId(0),
        InstrumentSpec {
            symbol: "BTCUSDT".into(),
            price_scale: 8,
            qty_scale: 8,
        },
    )])
    .unwrap();
    let writer = BybitWsWriter::new(
        BybitWsSettings {
            recv_window_ms: 5000,
            client_id_prefix: "al".into(),
        },
        table,
    )
    .unwrap();
    let dialect = BybitDialect::new(
        socket,
        writer,
        KEY.as_bytes(),
        SECRET.as_bytes(),
        AssetNames::new([("BTC", AssetId(0)), ("USDT", AssetId(1))]),
    );
    WsSession::new(s, Box::new(dialect), None)
}

fn gateway(ex: &MockExchange) -> WsGateway {
    let addr = ex.endpoint("bybit").unwrap().addr;
    WsGateway::new(
        VenueId(0),
        Some(session(addr, "/v5/trade", WsSocket::Trade)),
        Some(session(addr, "/v5/private", WsSocket::Private)),
        Clock::new(),
        ClockOffsets::new(),
    )
}

#[test]
fn bybit_ws_sessions_orders_and_pushes_allocate_nothing() {
    let _serial = counting_alloc::serial();
    counting_alloc::reset();
    let ex = mock();
    let mut g = gateway(&ex);
    let clock = Clock::new();
    let give_up = Instant::now() + Duration::from_secs(60);
    let mut events = [GatewayEvent::Banned {
        venue: VenueId(0),
        retry_after_ms: 0,
    }; 16];
    while !(g.is_ready()
        && g.stream()
            .is_some_and(|s| s.is_ready() && s.counters().subscriptions == 1)
        && ex.venue_stats("bybit").unwrap().bybit_ws_subscribes == 1)
    {
        assert!(Instant::now() < give_up, "no auth");
        g.poll(clock.now_ns(), &mut events);
        std::thread::yield_now();
    }
    let px = ex.top_of_book("bybit").unwrap().ask_px * 2;
    let (warmup, counted) = (100u64, 400u64);
    let mut before = 0;
    let mut balances = 0u64;
    for k in 1..=warmup + counted {
        if k == warmup + 1 {
            before = counting_alloc::allocations();
            counting_alloc::track(true);
        }
        let o = Order {
            id: OrderId(k),
            opp: OppId(k),
            px: Price(px),
            qty: Qty(1),
            sent_ts_ns: 0,
            recv_ts_ns: 0,
            instrument: InstrumentId(0),
            venue: VenueId(0),
            side: Side::Buy,
            tif: TimeInForce::Ioc,
        };
        // The idle rehearsal of the path, then the order itself.
        g.rehearse(&o, clock.now_ns());
        g.submit(&o, clock.now_ns()).unwrap();
        let (mut acked, mut filled) = (false, false);
        while !(acked && filled) {
            assert!(Instant::now() < give_up, "no ack or final for {k}");
            let n = g.poll(clock.now_ns(), &mut events);
            for e in &events[..n] {
                match e {
                    GatewayEvent::Accepted(r) => {
                        assert_eq!((r.order, r.status), (OrderId(k), ExecStatus::Unknown));
                        acked = true;
                    }
                    GatewayEvent::Pushed(r) => {
                        assert_eq!((r.order, r.status), (OrderId(k), ExecStatus::Filled));
                        filled = true;
                    }
                    GatewayEvent::Balance { .. } => balances += 1,
                    _ => {}
                }
            }
            if !(acked && filled) {
                std::thread::yield_now();
            }
        }
    }
    counting_alloc::track(false);
    let allocs = counting_alloc::allocations() - before;
    assert_eq!(allocs, 0, "{allocs} allocations over {counted} orders");
    assert!(balances > 0, "wallet pushes were read");
    let c = g.session().unwrap().counters();
    assert_eq!((c.logons, c.disconnects, c.timeouts), (1, 0, 0));
    assert_eq!(
        c.requests,
        warmup + counted,
        "rehearsals send nothing: {c:?}"
    );
    let sc = g.stream().unwrap().counters();
    assert_eq!(sc.unreadable_frames, 0, "{sc:?}");
    let p = g.stream().unwrap().dialect().push_counters();
    assert_eq!(p.finals, warmup + counted, "{p:?}");
}
