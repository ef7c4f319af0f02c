//! Parse cost per message, per venue, for the hand-written scanner; and Binance bookTicker through
//! the scanner versus a borrowed serde_json struct, side by side on the same bytes.
//!
//! Single-threaded, no rings, no idle strategy involved: one call per iteration on a warm cache,
//! frames from the venues' documentation and the real captures (Upbit: a real 15-level SIMPLE frame). Criterion's
//! own loop overhead (~1 ns) is included in every figure. Short measurement times so
//! `cargo bench --bench parse` finishes in well under a minute.

#![allow(missing_docs)] // criterion_group! generates undocumented public functions.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use microarb::base::scan::ObjIter;
use microarb::ingest::venues::{binance, bybit, okx, upbit, SymbolTable};

#[path = "../tests/ingest/binance_serde.rs"]
mod binance_serde;
use microarb::model::{parse_decimal, InstrumentId, VenueId};

const BINANCE_SPOT: &str = r#"{"stream":"btcusdt@bookTicker","data":{"u":50093239212,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"}}"#;
const BINANCE_USDM: &str = r#"{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":5123107839020,"s":"BTCUSDT","b":"61800.20","B":"2.507","a":"61800.30","A":"2.510","T":1723161256313,"E":1723161256313}}"#;
const UPBIT_DEFAULT: &str = r#"{"type":"orderbook","code":"KRW-BTC","timestamp":1553853571184,"total_ask_size":36.90715747,"total_bid_size":29.12064978,"orderbook_units":[{"ask_price":4627000.0,"bid_price":4626000.0,"ask_size":1.40706623,"bid_size":3.57203617}],"stream_type":"SNAPSHOT"}"#;
const UPBIT_SIMPLE_15: &str = r#"{"ty":"orderbook","cd":"KRW-WAVES","tms":1618678263564,"tas":6264.72922222,"tbs":9148.38237693,"obu":[{"ap":20230.0,"bp":20190.0,"as":6.205185,"bs":10.0},{"ap":20250.0,"bp":20180.0,"as":454.12347766,"bs":108.87348448},{"ap":20260.0,"bp":20170.0,"as":282.0,"bs":126.3512435},{"ap":20270.0,"bp":20160.0,"as":290.0,"bs":870.85809956},{"ap":20280.0,"bp":20150.0,"as":271.0,"bs":747.10655581},{"ap":20300.0,"bp":20140.0,"as":595.62026164,"bs":61.85451537},{"ap":20310.0,"bp":20130.0,"as":9.77789055,"bs":74.51564828},{"ap":20320.0,"bp":20120.0,"as":13.83834521,"bs":392.09987449},{"ap":20330.0,"bp":20110.0,"as":52.84224025,"bs":1014.77077408},{"ap":20340.0,"bp":20100.0,"as":30.0,"bs":167.88200157},{"ap":20350.0,"bp":20090.0,"as":3944.46901652,"bs":409.62745355},{"ap":20360.0,"bp":20080.0,"as":251.2771,"bs":4168.25333722},{"ap":20370.0,"bp":20060.0,"as":4.90918016,"bs":212.60274177},{"ap":20380.0,"bp":20050.0,"as":45.38520674,"bs":733.68644765},{"ap":20400.0,"bp":20040.0,"as":13.28131849,"bs":49.9001996}],"st":"REALTIME"}"#;
// "u":1 makes every iteration a venue reset, so each call yields a quote (not a stale skip).
const BYBIT: &str = r#"{"topic":"orderbook.1.BTCUSDT","type":"snapshot","ts":1671179923028,"data":{"s":"BTCUSDT","b":[["17440.00","40.833"]],"a":[["17440.50","78.815"]],"u":1,"seq":22520573250},"cts":1671179923025}"#;
const OKX: &str = r#"{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["8476.98","415","0","13"]],"bids":[["8476.97","256","0","12"]],"ts":"1597026383085","seqId":123456}]}"#;

fn symbols() -> SymbolTable {
    SymbolTable::from_entries([
        ("BTCUSDT", InstrumentId(0), 8, 8),
        ("KRW-BTC.1", InstrumentId(1), 8, 8),
        ("KRW-WAVES.1", InstrumentId(2), 8, 8),
        ("BTC-USDT", InstrumentId(3), 8, 8),
    ])
    .expect("static symbol table is valid")
}

fn per_venue(c: &mut Criterion) {
    let t = symbols();
    let v = VenueId(0);
    let mut g = c.benchmark_group("parse_scanner");
    g.throughput(Throughput::Elements(1));
    g.bench_function("binance_spot", |b| {
        b.iter(|| binance::parse(black_box(BINANCE_SPOT.as_bytes()), &t, 1, v))
    });
    g.bench_function("binance_usdm", |b| {
        b.iter(|| binance::parse(black_box(BINANCE_USDM.as_bytes()), &t, 1, v))
    });
    g.bench_function("upbit_default_1", |b| {
        b.iter(|| upbit::parse(black_box(UPBIT_DEFAULT.as_bytes()), &t, 1, v))
    });
    g.bench_function("upbit_simple_15", |b| {
        b.iter(|| upbit::parse(black_box(UPBIT_SIMPLE_15.as_bytes()), &t, 1, v))
    });
    let mut book = bybit::BybitBook::new();
    g.bench_function("bybit_orderbook1", |b| {
        b.iter(|| bybit::parse(black_box(BYBIT.as_bytes()), &t, 1, v, &mut book))
    });
    g.bench_function("okx_bbo_tbt", |b| {
        b.iter(|| okx::parse(black_box(OKX.as_bytes()), &t, 1, v))
    });
    // For scale: the structural walk alone (wrapper and event members, no interpretation).
    g.bench_function("scan_only_binance_spot", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for (k, v) in ObjIter::new(black_box(BINANCE_SPOT.as_bytes())).flatten() {
                if k == b"data" {
                    n += ObjIter::new(v).flatten().count();
                }
            }
            n
        })
    });
    // For scale: the four exact decimal conversions a Binance spot quote needs, alone.
    g.bench_function("decimals_only_x4", |b| {
        b.iter(|| {
            for text in [
                "61837.63000000",
                "3.78826000",
                "61837.64000000",
                "1.54698000",
            ] {
                let _ = black_box(parse_decimal(black_box(text.as_bytes()), 8));
            }
        })
    });
    g.finish();
}

fn binance_scanner_vs_serde(c: &mut Criterion) {
    let t = symbols();
    let v = VenueId(0);
    let mut g = c.benchmark_group("binance_bookticker");
    g.throughput(Throughput::Elements(1));
    for (name, frame) in [("spot", BINANCE_SPOT), ("usdm", BINANCE_USDM)] {
        g.bench_function(format!("scanner_{name}"), |b| {
            b.iter(|| binance::parse(black_box(frame.as_bytes()), &t, 1, v))
        });
        g.bench_function(format!("serde_borrowed_{name}"), |b| {
            b.iter(|| binance_serde::parse_combined(black_box(frame.as_bytes()), &t, 1, v))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(30);
    targets = per_venue, binance_scanner_vs_serde
}
criterion_main!(benches);
