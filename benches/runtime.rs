//! Runtime micro-benchmarks: one ring hop between two pinned threads (ping-pong, our counted ring
//! against raw `rtrb`), the cost of recording into a histogram, and of a single-writer counter
//! increment against an atomic `fetch_add`.
//!
//! Topology: the two ping-pong threads are pinned to cores 0 and 1 where they exist and both
//! busy-spin (the only honest way to time a hop); measurement overhead is one `Instant` pair per
//! criterion batch, not per message. Run: `cargo bench --bench runtime`; `perf/bench.sh` turns the
//! results into `perf/RESULTS.md`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use microarb::base::{Counter, Counters};
use microarb::runtime::ring;
use microarb::telemetry::new_histogram;

fn pin(core: usize) {
    microarb::runtime::pin_current(core);
}

/// Round trips of `iters` messages through two rings; returns the total time.
fn pingpong_counted(iters: u64) -> Duration {
    let mut counters = Counters::new();
    let (mut a_tx, mut a_rx) = ring::<u64>("ping", 1024, &mut counters);
    let (mut b_tx, mut b_rx) = ring::<u64>("pong", 1024, &mut counters);
    let stop = Arc::new(AtomicBool::new(false));
    let s2 = stop.clone();
    let echo = std::thread::spawn(move || {
        pin(1);
        while !s2.load(Ordering::Relaxed) {
            if let Some(m) = a_rx.pop() {
                while b_tx.push(m.msg, 0).is_err() {}
            }
        }
    });
    pin(0);
    // Warm the echo thread.
    for i in 0..1000 {
        a_tx.push(i, 0).unwrap();
        while b_rx.pop().is_none() {}
    }
    let start = Instant::now();
    for i in 0..iters {
        a_tx.push(i, 0).unwrap();
        loop {
            if let Some(m) = b_rx.pop() {
                black_box(m);
                break;
            }
        }
    }
    let t = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    echo.join().unwrap();
    t
}

fn pingpong_raw(iters: u64) -> Duration {
    let (mut a_tx, mut a_rx) = rtrb::RingBuffer::<u64>::new(1024);
    let (mut b_tx, mut b_rx) = rtrb::RingBuffer::<u64>::new(1024);
    let stop = Arc::new(AtomicBool::new(false));
    let s2 = stop.clone();
    let echo = std::thread::spawn(move || {
        pin(1);
        while !s2.load(Ordering::Relaxed) {
            if let Ok(m) = a_rx.pop() {
                while b_tx.push(m).is_err() {}
            }
        }
    });
    pin(0);
    for i in 0..1000 {
        a_tx.push(i).unwrap();
        while b_rx.pop().is_err() {}
    }
    let start = Instant::now();
    for i in 0..iters {
        a_tx.push(i).unwrap();
        loop {
            if let Ok(m) = b_rx.pop() {
                black_box(m);
                break;
            }
        }
    }
    let t = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    echo.join().unwrap();
    t
}

fn ring_hop(c: &mut Criterion) {
    let mut g = c.benchmark_group("ring_roundtrip");
    g.measurement_time(Duration::from_secs(3));
    g.warm_up_time(Duration::from_secs(1));
    g.sample_size(20);
    g.bench_function("microarb_ring", |b| b.iter_custom(pingpong_counted));
    g.bench_function("raw_rtrb", |b| b.iter_custom(pingpong_raw));
    g.finish();
}

fn hist_record(c: &mut Criterion) {
    let mut g = c.benchmark_group("histogram");
    g.measurement_time(Duration::from_secs(2));
    g.warm_up_time(Duration::from_millis(500));
    let mut h = new_histogram();
    let mut v: u64 = 12_345;
    g.bench_function("saturating_record", |b| {
        b.iter(|| {
            v = v
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            h.saturating_record(black_box(v >> 40));
        })
    });
    g.finish();
}

fn counter_inc(c: &mut Criterion) {
    let mut g = c.benchmark_group("counter");
    g.measurement_time(Duration::from_secs(2));
    g.warm_up_time(Duration::from_millis(500));
    let ours = Counter::new();
    g.bench_function("single_writer_inc", |b| b.iter(|| black_box(&ours).inc()));
    let atomic = AtomicU64::new(0);
    g.bench_function("atomic_fetch_add", |b| {
        b.iter(|| black_box(&atomic).fetch_add(1, Ordering::Relaxed))
    });
    g.finish();
}

criterion_group!(benches, ring_hop, hist_record, counter_inc);
criterion_main!(benches);
