//! Cost per message as instruments (1, 10, 50, 200, 1,000) and venues (2, 4, 8) grow.
//!
//! Workload: Binance `bookTicker` frames round-robin over every (instrument, venue) pair, prices
//! wandering +-16 bp so the detector sees crosses, sub-threshold books and best pairs that do not
//! involve the updating venue; the clock advances 1 us per message so every venue stays fresh.
//! `parse_detect` is one venue parser (its symbol table holds all the instruments) plus the
//! detector per message, the strategy's hot path from socket bytes; `detect` is the detector alone
//! on the same quotes, pre-parsed. Frames carry `"u":0` (unsequenced) so the 8,192-message cycle
//! can repeat without being dropped as stale. Single thread, no rings. Memory: `tools/bench/src/scale_mem.rs`.

// criterion_group! generates a public fn that cannot carry a doc comment.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use microarb::ingest::venues::{FeedParser, Frame, SymbolTable};
use microarb::model::{Bps, InstrumentId, Price, Qty, Quote, VenueId, VenueKind};
use microarb::strategy::{
    ConfidenceParams, Detector, DetectorParams, FeeRate, InstrumentParams, VenueParams, VolParams,
};

const INSTRUMENTS: [usize; 5] = [1, 10, 50, 200, 1000];
const VENUES: [usize; 3] = [2, 4, 8];
const CYCLE: usize = 8192;

fn detector(instruments: usize, venues: usize) -> Detector {
    Detector::new(DetectorParams {
        venues: (0..venues)
            .map(|i| VenueParams {
                taker_fee: FeeRate::from_bps([10.0, 7.5, 5.0, 2.0][i % 4]).unwrap(),
                stale_after_ns: 500_000_000,
            })
            .collect(),
        instruments: vec![
            InstrumentParams {
                price_scale: 2,
                qty_scale: 8,
                lot: Qty(1_000),
                max_notional: Price(100_000),
                ref_qty: Qty(100_000_000),
            };
            instruments
        ],
        min_profit: Bps(200),
        volatility: VolParams::default(),
        confidence: ConfidenceParams::default(),
    })
    .unwrap()
}

/// One parser per venue, each knowing every instrument as `C{i}USDT`.
fn parsers(instruments: usize, venues: usize) -> Vec<FeedParser> {
    let names: Vec<String> = (0..instruments).map(|i| format!("C{i}USDT")).collect();
    (0..venues)
        .map(|v| {
            let t = SymbolTable::from_entries(
                names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (n.as_str(), InstrumentId(i as u16), 2, 8)),
            )
            .unwrap();
            FeedParser::new(VenueKind::Binance, VenueId(v as u8), t)
        })
        .collect()
}

/// `(venue, frame)` round-robin: message `k` is venue `k % venues`, instrument
/// `(k / venues) % instruments`.
fn frames(instruments: usize, venues: usize) -> Vec<(usize, Vec<u8>)> {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    (0..CYCLE)
        .map(|k| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let wiggle = (seed % 41) as i64 - 20; // +-20 steps of 4.00 around 50 000 (+-16 bp)
            let (v, i) = (k % venues, (k / venues) % instruments);
            let bid = 5_000_000 + wiggle * 400;
            let f = format!(
                r#"{{"stream":"c{i}usdt@bookTicker","data":{{"u":0,"s":"C{i}USDT","b":"{}.{:02}","B":"0.50000000","a":"{}.{:02}","A":"0.30000000"}}}}"#,
                bid / 100,
                bid % 100,
                (bid + 10) / 100,
                (bid + 10) % 100
            );
            (v, f.into_bytes())
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("scale_parse_detect");
    g.throughput(Throughput::Elements(1));
    for v in VENUES {
        for n in INSTRUMENTS {
            let fs = frames(n, v);
            let mut ps = parsers(n, v);
            let mut d = detector(n, v);
            let (mut k, mut now) = (0usize, 0u64);
            g.bench_with_input(BenchmarkId::new(format!("venues_{v}"), n), &n, |b, _| {
                b.iter(|| {
                    let (venue, f) = &fs[k % CYCLE];
                    k += 1;
                    now += 1_000;
                    match ps[*venue].parse(black_box(f), now) {
                        Ok(Frame::Quote(q)) => black_box(d.on_quote(q, now)).is_some(),
                        _ => false,
                    }
                })
            });
            assert_eq!(d.stats().unknown_ids, 0, "every quote lands in the book");
        }
    }
    g.finish();

    let mut g = c.benchmark_group("scale_detect");
    g.throughput(Throughput::Elements(1));
    for v in VENUES {
        for n in INSTRUMENTS {
            let mut ps = parsers(n, v);
            let qs: Vec<Quote> = frames(n, v)
                .iter()
                .map(|(venue, f)| match ps[*venue].parse(f, 0) {
                    Ok(Frame::Quote(q)) => q,
                    other => panic!("bench frame does not parse: {other:?}"),
                })
                .collect();
            let mut d = detector(n, v);
            let (mut k, mut now) = (0usize, 0u64);
            g.bench_with_input(BenchmarkId::new(format!("venues_{v}"), n), &n, |b, _| {
                b.iter(|| {
                    let mut q = qs[k % CYCLE];
                    k += 1;
                    now += 1_000;
                    q.recv_ts_ns = now;
                    black_box(d.on_quote(black_box(q), now)).is_some()
                })
            });
        }
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20);
    targets = bench
}
criterion_main!(benches);
