//! Mock exchange throughput: formatting one venue push from a synthetic quote (per venue), and
//! frames streamed over loopback to one blocking tungstenite client (the mock's own cost plus the
//! client's read; the engine is not involved). The mock exchange is test tooling; the figure that
//! matters is that it streams well over 100k frames/s in total, so the latency bench measures the
//! engine, not the mock.

#![allow(missing_docs)] // criterion_group! generates undocumented public functions.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use microarb::ingest::venues;
use microarb::model::VenueKind;
use mockex::format::{self, Scales, UpbitKeys};
use mockex::{MockExchange, MockVenue, SimParams, SyntheticMarket, SyntheticSource};
use tungstenite::Message;

#[path = "../src/cli/mock.rs"]
mod mock;
use mock::mock_kind;

const S: Scales = Scales { price: 8, qty: 8 };

fn bench_format(c: &mut Criterion) {
    let mut m = SyntheticMarket::new(SimParams::default());
    let quotes: Vec<_> = (0..1024).map(|_| m.next_quote()).collect();
    let mut g = c.benchmark_group("mockex_format");
    g.throughput(Throughput::Elements(1));
    let mut buf = Vec::with_capacity(512);
    let mut i = 0usize;
    let mut next = || {
        i = (i + 1) & 1023;
        quotes[i]
    };
    g.bench_function("binance_combined", |b| {
        b.iter(|| {
            let q = next();
            format::binance(&mut buf, Some("btcusdt@bookTicker"), "BTCUSDT", &q, S);
            black_box(buf.len())
        })
    });
    g.bench_function("upbit_default", |b| {
        b.iter(|| {
            let q = next();
            format::upbit(&mut buf, UpbitKeys::Default, "USDT-BTC", &q, 1, false, S);
            black_box(buf.len())
        })
    });
    g.bench_function("bybit", |b| {
        b.iter(|| {
            let q = next();
            format::bybit(&mut buf, "BTCUSDT", &q, 1, S);
            black_box(buf.len())
        })
    });
    g.bench_function("okx", |b| {
        b.iter(|| {
            let q = next();
            format::okx(&mut buf, "BTC-USDT", &q, 1, S);
            black_box(buf.len())
        })
    });
    g.finish();
}

fn bench_loopback(c: &mut Criterion) {
    let mut g = c.benchmark_group("mockex_loopback");
    g.throughput(Throughput::Elements(1));
    for kind in [VenueKind::Binance, VenueKind::Okx] {
        let cfg = mockex::MockConfig::synthetic(
            vec![MockVenue::new(kind.name(), mock_kind(kind))],
            SyntheticSource::default(),
        );
        let ex = MockExchange::start(cfg).expect("start");
        let ep = &ex.endpoints()[0];
        let symbol = MockVenue::default_symbol(mock_kind(kind));
        let url = venues::ws_url(kind, Some(&ep.ws_url), &[symbol]);
        let (mut ws, _) = tungstenite::connect(url).expect("connect");
        for msg in venues::subscribe_messages(kind, &[symbol], "b1") {
            ws.send(Message::Text(msg.into())).expect("subscribe");
        }
        g.bench_function(format!("{}_frame", kind.name()), |b| {
            b.iter_custom(|iters| {
                let t = Instant::now();
                let mut n = 0;
                while n < iters {
                    if let Ok(Message::Text(_)) = ws.read() {
                        n += 1;
                    }
                }
                t.elapsed()
            })
        });
        drop(ws);
        drop(ex);
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    targets = bench_format, bench_loopback
}
criterion_main!(benches);
