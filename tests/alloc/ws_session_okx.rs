//! Allocations per order through the OKX private WebSocket session in steady state, over plain
//! TCP on loopback against the mock exchange's `/ws/v5/private` (its threads are not counted:
//! only the test thread tracks). The test thread stages, masks and sends each `order` op, reads
//! its acknowledgement and the `orders` / `account` pushes that follow in place, and turns them
//! into gateway events (the answer, the pushed final, the balances; OKX's gateway latency
//! recorded). Expected: 0 per order (the codec's buffer, the output and input buffers, the event
//! ring and the dialect's tables are reserved at construction). Connecting, the login and the
//! subscription (cold) are not counted.

use std::time::{Duration, Instant};

use microarb::base::{Clock, ClockOffsets};
use microarb::exec::gateway::codec::okx::{OkxCodec, OkxSettings};
use microarb::exec::gateway::codec::okx_ws::{OkxWsSettings, OkxWsWriter};
use microarb::exec::gateway::codec::{InstrumentSpec, InstrumentTable};
use microarb::exec::gateway::ws::{
    AssetNames, OkxDialect, WsGateway, WsSession, WsSessionSettings,
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
const PASSPHRASE: &str = "alloc-pass";

fn mock() -> MockExchange {
    let venues = vec![MockVenue::new("okx", mockex::VenueKind::Okx)];
    let mut cfg = MockConfig::synthetic(venues, SyntheticSource::default());
    cfg.rate_per_s = 500;
    cfg.wait_for_subscribers = false;
    cfg.api = Some(ApiCredentials::new(KEY, SECRET).with_passphrase(PASSPHRASE));
    cfg.rest_limits = RestLimits::unlimited();
    let ex = MockExchange::start(cfg).unwrap();
    let t = Instant::now();
    while ex.top_of_book("okx").is_none() {
        assert!(t.elapsed() < Duration::from_secs(10), "no quotes");
        std::thread::sleep(Duration::from_millis(2));
    }
    ex
}

fn gateway(ex: &MockExchange) -> WsGateway {
    let addr = ex.endpoint("okx").unwrap().addr;
    let mut s = WsSessionSettings::new(addr, addr.to_string(), "/ws/v5/private".into());
    s.answer_timeout_ns = 30_000_000_000;
    let mut table = InstrumentTable::new(&[(
        InstrumentId(0),
        InstrumentSpec {
            symbol: "BTC-USDT".into(),
            price_scale: 8,
            qty_scale: 8,
        },
    )])
    .unwrap();
    table.set_venue_codes(&[("BTC-USDT".into(), mockex::okx_inst_id_code("BTC-USDT"))]);
    let codec = OkxCodec::new(
        OkxSettings {
            host: addr.to_string(),
            client_id_prefix: "al".into(),
        },
        KEY.as_bytes(),
        SECRET.as_bytes(),
        PASSPHRASE.as_bytes(),
        table.clone(),
    )
    .unwrap();
    let writer = OkxWsWriter::new(
        OkxWsSettings {
            client_id_prefix: "al".into(),
        },
        table,
    )
    .unwrap();
    let assets = AssetNames::new([("BTC", AssetId(0)), ("USDT", AssetId(1))]);
    let dialect = OkxDialect::new(writer, codec, true, assets);
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
fn okx_ws_session_orders_and_pushes_allocate_nothing() {
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
    while !(g.is_ready() && g.session().unwrap().counters().subscriptions == 1) {
        assert!(Instant::now() < give_up, "no login");
        g.poll(clock.now_ns(), &mut events);
        std::thread::yield_now();
    }
    let px = ex.top_of_book("okx").unwrap().ask_px * 2;
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
        g.submit(&o, clock.now_ns()).unwrap();
        let (mut acked, mut filled) = (false, false);
        while !(acked && filled) {
            assert!(Instant::now() < give_up, "no answer or push for {k}");
            let n = g.poll(clock.now_ns(), &mut events);
            for e in &events[..n] {
                match e {
                    GatewayEvent::Accepted(r) if r.order == OrderId(k) => acked = true,
                    GatewayEvent::Pushed(r) if r.order == OrderId(k) => {
                        assert_eq!((r.status, r.filled_qty), (ExecStatus::Filled, Qty(1)));
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
    assert_eq!(
        allocs, 0,
        "{allocs} allocations over {counted} orders and their pushes"
    );
    assert!(
        balances >= counted,
        "the account pushes were read too: {balances}"
    );
    let s = g.session().unwrap();
    let c = s.counters();
    assert_eq!((c.logons, c.disconnects, c.timeouts), (1, 0, 0), "{c:?}");
    let lat = s.dialect().venue_latency().unwrap();
    assert_eq!(lat.count, warmup + counted);
}
