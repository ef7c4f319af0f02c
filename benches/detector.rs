//! Detector cost per quote with 2, 4 and 8 venues, against the floor of only storing the quote.
//!
//! Workload: one instrument, quotes cycling through the venues with prices that wander by a few
//! ticks, so the detector sees crosses (candidates), sub-threshold books and best pairs that do
//! not involve the updating venue. Time advances 1 ms per quote; all venues stay fresh. Single
//! thread, no rings: this is the `detect` step alone.

// criterion_group! generates a public fn that cannot carry a doc comment.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use microarb::model::{Bps, InstrumentId, Price, Qty, Quote, QuoteSource, VenueId};
use microarb::strategy::{
    BookTable, ConfidenceParams, Detector, DetectorParams, FeeRate, InstrumentParams, VenueParams,
    VolParams,
};

fn detector(n: usize) -> Detector {
    Detector::new(DetectorParams {
        venues: (0..n)
            .map(|i| VenueParams {
                taker_fee: FeeRate::from_bps([10.0, 7.5, 5.0, 2.0][i % 4]).unwrap(),
                stale_after_ns: 500_000_000,
            })
            .collect(),
        instruments: vec![InstrumentParams {
            price_scale: 2,
            qty_scale: 8,
            lot: Qty(1_000),
            max_notional: Price(100_000),
            ref_qty: Qty(100_000_000),
        }],
        min_profit: Bps(200),
        volatility: VolParams::default(),
        confidence: ConfidenceParams::default(),
    })
    .unwrap()
}

fn quotes(n: usize) -> Vec<Quote> {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    (0..4096u64)
        .map(|k| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let wiggle = (seed % 41) as i64 - 20; // +-20 steps of 4.00 around 50 000 (+-16 bp)
            Quote {
                seq: k,
                bid_px: Price(5_000_000 + wiggle * 400),
                bid_qty: Qty(50_000_000),
                ask_px: Price(5_000_010 + wiggle * 400),
                ask_qty: Qty(30_000_000),
                exch_ts_ns: 0,
                recv_ts_ns: k * 1_000_000,
                instrument: InstrumentId(0),
                venue: VenueId((k % n as u64) as u8),
                flags: 0,
                source: QuoteSource::Ws,
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("detector_on_quote");
    for n in [2usize, 4, 8] {
        let qs = quotes(n);
        let mut d = detector(n);
        let mut i = 0usize;
        g.bench_with_input(BenchmarkId::new("venues", n), &n, |b, _| {
            b.iter(|| {
                let q = qs[i & 4095];
                i += 1;
                black_box(d.on_quote(black_box(q), q.recv_ts_ns))
            })
        });
        let mut book = BookTable::new(1, n);
        let mut i = 0usize;
        g.bench_with_input(BenchmarkId::new("store_only", n), &n, |b, _| {
            b.iter(|| {
                let q = qs[i & 4095];
                i += 1;
                black_box(book.store(black_box(q)))
            })
        });
        let mut d = detector(n);
        let hits = qs
            .iter()
            .filter(|q| d.on_quote(**q, q.recv_ts_ns).is_some())
            .count();
        eprintln!(
            "{n} venues: {hits} candidates per {} quotes {:?}",
            qs.len(),
            d.stats()
        );
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = bench
}
criterion_main!(benches);
