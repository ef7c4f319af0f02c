//! Allocations per order through the Binance WebSocket API session in steady state, over plain
//! TCP on loopback against the mock exchange's `/ws-api/v3` (its threads are not counted: only
//! the test thread tracks). The test thread stages, masks and sends `order.place` (and every
//! third request an `order.status`), reads the answer frames in place and turns them into
//! gateway events; the session is subscribed to the user-data stream, so every order's
//! `executionReport` and `outboundAccountPosition` pushes are read into `Pushed` / `Balance`
//! events too, and each order is preceded by an idle rehearsal of its frame. Expected: 0 per
//! order (the codec's buffer, the output and input buffers and the event ring are reserved at
//! construction). Connecting, the logon and the subscription (cold) are not counted.

use std::path::Path;
use std::time::{Duration, Instant};

use microarb::base::{Clock, ClockOffsets};
use microarb::exec::gateway::codec::binance_ws::{Ed25519Key, WsRequestWriter, WsSettings};
use microarb::exec::gateway::codec::{InstrumentSpec, InstrumentTable};
use microarb::exec::gateway::ws::{
    AssetNames, BinanceDialect, WsGateway, WsSession, WsSessionSettings,
};
use microarb::exec::gateway::{Gateway, GatewayEvent};
use microarb::model::{
    ExecStatus, InstrumentId, OppId, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId,
};
use mockex::{ApiCredentials, MockConfig, MockExchange, MockVenue, RestLimits, SyntheticSource};

use crate::common::alloc as counting_alloc;

const PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u\n-----END PRIVATE KEY-----\n";
const KEY: &str = "alloc-key";

fn key() -> Ed25519Key {
    Ed25519Key::from_pem(Path::new("doc.pem"), PEM.as_bytes()).unwrap()
}

fn mock() -> MockExchange {
    let venues = vec![MockVenue::new("binance", mockex::VenueKind::Binance)];
    let mut cfg = MockConfig::synthetic(venues, SyntheticSource::default());
    cfg.rate_per_s = 500;
    cfg.wait_for_subscribers = false;
    cfg.api = Some(ApiCredentials::new(KEY, "unused"));
    cfg.rest_limits = RestLimits::unlimited();
    cfg.ws_api.ed25519_public_key = Some(key().public_key().to_vec());
    let ex = MockExchange::start(cfg).unwrap();
    let t = Instant::now();
    while ex.top_of_book("binance").is_none() {
        assert!(t.elapsed() < Duration::from_secs(10), "no quotes");
        std::thread::sleep(Duration::from_millis(2));
    }
    ex
}

fn gateway(ex: &MockExchange) -> WsGateway {
    let addr = ex.endpoint("binance").unwrap().addr;
    let mut s = WsSessionSettings::new(addr, addr.to_string(), "/ws-api/v3".into());
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
    let writer = WsRequestWriter::new(
        WsSettings {
            recv_window_ms: 5000,
            client_id_prefix: "al".into(),
            query_rate_limits: true,
        },
        table,
    )
    .unwrap();
    let dialect = BinanceDialect::new(
        writer,
        key(),
        KEY.into(),
        5000,
        true,
        AssetNames::new([
            ("BTC", microarb::exec::guards::AssetId(0)),
            ("USDT", microarb::exec::guards::AssetId(1)),
        ]),
    );
    let session = WsSession::new(s, Box::new(dialect), None);
    WsGateway::new(
        VenueId(0),
        Some(session),
        None,
        Clock::new(),
        ClockOffsets::new(),
    )
}

#[test]
fn ws_session_orders_allocate_nothing() {
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
    while !g.is_ready() {
        assert!(Instant::now() < give_up, "no logon");
        g.poll(clock.now_ns(), &mut events);
        std::thread::yield_now();
    }
    let px = ex.top_of_book("binance").unwrap().ask_px * 2;
    let (warmup, counted) = (100u64, 400u64);
    let mut before = 0;
    for k in 1..=warmup + counted {
        if k == warmup + 1 {
            before = counting_alloc::allocations();
            counting_alloc::track(true);
        }
        let now = clock.now_ns();
        let query = k % 3 == 0 && k > 1;
        let id = if query { k - 1 } else { k };
        if query {
            g.status_query(OrderId(id), VenueId(0), now).unwrap();
        } else {
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
            g.rehearse(&o, now);
            g.submit(&o, now).unwrap();
        }
        let mut done = false;
        while !done {
            assert!(Instant::now() < give_up, "no answer to {k}");
            let n = g.poll(clock.now_ns(), &mut events);
            for e in &events[..n] {
                if let GatewayEvent::Report(r) = e {
                    assert_eq!((r.order, r.status), (OrderId(id), ExecStatus::Filled));
                    done = true;
                }
            }
            if !done {
                std::thread::yield_now();
            }
        }
    }
    counting_alloc::track(false);
    let allocs = counting_alloc::allocations() - before;
    assert_eq!(allocs, 0, "{allocs} allocations over {counted} requests");
    let c = g.session().unwrap().counters();
    assert_eq!((c.logons, c.disconnects, c.timeouts), (1, 0, 0));
    assert!(c.stream_events >= counted, "the pushes were read: {c:?}");
    assert_eq!(c.unreadable_frames, 0, "{c:?}");
}
