//! Order round trip over loopback: [`RestRouter`] (the `gateway = "rest"` gateway) signs and
//! writes an IOC order to the mock exchange's REST side, which verifies the signature, counts the
//! rate limits, matches the order on its latest synthetic top of book and answers in the venue's
//! JSON; the router reads the answer into a report. One order at a time, spin-polling. Bybit and
//! OKX acknowledge an order without its fill, as the venues do, so their loop is the order, its
//! acknowledgement, one status query and its answer: the round trip a trade takes there.
//!
//! Measures the whole loop (client signing + kernel loopback both ways + the mock's blocking
//! thread, which allocates and formats: it is test tooling, so most of the figure is the mock).
//! Limits are raised so the bench never sees a 429. `cargo bench --bench rest_mockex -- --quick`.

// `criterion_group!` generates a public fn that cannot carry a doc comment.
#![allow(missing_docs)]

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use microarb::base::Clock;
use microarb::config::{Config, Machine};
use microarb::exec::gateway::rest::router_from_config;
use microarb::exec::gateway::{Gateway, GatewayEvent, RestRouter};
use microarb::exec::secrets::ApiSecret;
use microarb::model::{
    InstrumentId, OppId, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId, VenueKind,
};
use mockex::{ApiCredentials, MockConfig, MockExchange, MockVenue, RestLimits, SyntheticSource};

#[path = "../src/cli/mock.rs"]
mod mock;
use mock::mock_kind;

/// OKX's third credential; the other venues ignore it.
const PASSPHRASE: &str = "benchpass";

fn setup(kind: VenueKind) -> (MockExchange, RestRouter, Clock) {
    let mut cfg = MockConfig::synthetic(
        vec![MockVenue::new("v", mock_kind(kind))],
        SyntheticSource::default(),
    );
    cfg.rate_per_s = 1000;
    cfg.wait_for_subscribers = false;
    cfg.api = Some(ApiCredentials::new("benchkey", "benchsecret").with_passphrase(PASSPHRASE));
    cfg.rest_limits = RestLimits {
        binance_weight_1m: u32::MAX,
        binance_orders_10s: u32::MAX,
        binance_orders_1d: u32::MAX,
        upbit_order_per_sec: u32::MAX,
        upbit_default_per_sec: u32::MAX,
        bybit_create_per_sec: u32::MAX,
        bybit_realtime_per_sec: u32::MAX,
        bybit_ip_per_5s: u32::MAX,
        okx_orders_per_2s: u32::MAX,
        okx_queries_per_2s: u32::MAX,
        ..RestLimits::default()
    };
    let ex = MockExchange::start(cfg).expect("mockex");
    while ex.top_of_book("v").is_none() {
        std::thread::sleep(Duration::from_millis(1));
    }
    let e = ex.endpoint("v").unwrap();
    let symbol = MockVenue::default_symbol(mock_kind(kind));
    let text = format!(
        r#"
[[venues]]
name = "v"
kind = "{}"
taker_fee_bps = 1.0
rest_url = "{}"
api_secret_file = "/unused"

[[instruments]]
name = "BTC/USDT"
price_scale = 8
qty_scale = 8
lot = "0.00001"
symbols = {{ v = "{symbol}" }}

[execution]
gateway = "rest"
order_timeout_ms = 5000
"#,
        kind.name(),
        e.rest_url.as_deref().unwrap()
    );
    let cfg = Config::from_toml_str(&text, &Machine::this(false)).expect("config");
    let clock = Clock::new();
    let creds = [ApiSecret::new("benchkey", "benchsecret").with_passphrase(PASSPHRASE)];
    let mut router = router_from_config(&cfg, &creds, clock).expect("router");
    assert!(router.connect(5_000_000_000));
    (ex, router, clock)
}

fn round_trips(c: &mut Criterion) {
    for kind in [
        VenueKind::Binance,
        VenueKind::Bybit,
        VenueKind::Okx,
        VenueKind::Upbit,
    ] {
        let (ex, mut router, clock) = setup(kind);
        let mut next = 1u64;
        let mut events = [GatewayEvent::Banned {
            venue: VenueId(0),
            retry_after_ms: 0,
        }; 16];
        c.bench_function(
            &format!("rest_mockex/{}/order_round_trip", kind.name()),
            |b| {
                b.iter_custom(|iters| {
                    let start = Instant::now();
                    for _ in 0..iters {
                        let top = ex.top_of_book("v").unwrap();
                        let o = Order {
                            id: OrderId(next),
                            opp: OppId(next),
                            px: Price(top.ask_px * 2),
                            qty: Qty(100_000),
                            sent_ts_ns: 0,
                            recv_ts_ns: 0,
                            instrument: InstrumentId(0),
                            venue: VenueId(0),
                            side: Side::Buy,
                            tif: TimeInForce::Ioc,
                        };
                        next += 1;
                        router.submit(&o, clock.now_ns()).expect("idle connection");
                        'wait: loop {
                            let n = router.poll(clock.now_ns(), &mut events);
                            for e in &events[..n] {
                                match e {
                                    GatewayEvent::Report(_) => break 'wait,
                                    GatewayEvent::Accepted(r) => router
                                        .status_query(r.order, r.venue, clock.now_ns())
                                        .expect("idle connection"),
                                    _ => {}
                                }
                            }
                        }
                    }
                    start.elapsed()
                })
            },
        );
        drop(ex);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    targets = round_trips
}
criterion_main!(benches);
