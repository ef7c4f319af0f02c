//! Frames per second one ingest thread takes over loopback: the mock exchange streams Binance
//! bookTicker frames as fast as the connection takes them (rate 0) and this thread polls the
//! ingest stage (epoll, WebSocket frame decode, parse, ring push) and pops the quotes.
//!
//! Topology: the mock exchange's threads and this thread share the machine unpinned; busy loop, no
//! idling. Criterion reports time per frame and throughput (elements = frames).
#![allow(missing_docs)]

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use microarb::base::Clock;
use microarb::config::{Config, Machine};
use microarb::ingest::{IngestSettings, IngestStage};
use microarb::model::Quote;
use microarb::runtime::{ring, Stage};
use microarb::telemetry::Registry;
use mockex::{MockConfig, MockExchange, MockVenue, SyntheticSource, VenueKind};

fn ingest_loopback(c: &mut Criterion) {
    let venues = vec![MockVenue::new("binance", VenueKind::Binance)];
    let mut src = SyntheticSource::default();
    src.params.venues = 1;
    src.params.dislocation_every = 0;
    let mut mcfg = MockConfig::synthetic(venues, src);
    mcfg.rate_per_s = 0;
    let ex = MockExchange::start(mcfg).expect("mock exchange");
    let url = ex.endpoints()[0].ws_url.clone();
    let text = format!(
        "[[venues]]\nname = \"binance\"\nkind = \"binance\"\nurl = \"{url}\"\ntaker_fee_bps = 10.0\n\n\
         [[instruments]]\nname = \"BTC/USDT\"\nprice_scale = 8\nqty_scale = 8\nlot = \"0.00001\"\n\
         symbols = {{ binance = \"BTCUSDT\" }}\n"
    );
    let cfg = Config::from_toml_str(&text, &Machine::this(false)).expect("config");
    let clock = Clock::new();
    let mut reg = Registry::new();
    let (tx, mut rx) = ring::<Quote>("quotes", 1 << 16, &mut reg.counters);
    let mut stage = IngestStage::from_config(&cfg, tx, clock, &mut reg, &IngestSettings::default())
        .expect("ingest");
    // Connect and warm up.
    let warm_until = Instant::now() + Duration::from_secs(2);
    let mut got = 0u64;
    while Instant::now() < warm_until && got < 50_000 {
        stage.poll(clock.now_ns());
        while rx.pop().is_some() {
            got += 1;
        }
    }
    let mut g = c.benchmark_group("ingest_loopback");
    g.throughput(Throughput::Elements(1));
    g.measurement_time(Duration::from_secs(4));
    g.warm_up_time(Duration::from_secs(1));
    g.sample_size(20);
    g.bench_function("binance_frames_one_thread", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            let mut n = 0u64;
            while n < iters {
                stage.poll(clock.now_ns());
                while rx.pop().is_some() {
                    n += 1;
                }
            }
            start.elapsed()
        })
    });
    g.finish();
    drop(ex);
}

criterion_group!(benches, ingest_loopback);
criterion_main!(benches);
