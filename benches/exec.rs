//! Micro-benchmarks of the execution building blocks: slot acquire+release, GCRA check (single-owner
//! and atomic, admitted and refused), the zero-429 group check, and the circuit breaker check.
//!
//! Single thread, no pinning, criterion's own timing loop (its overhead, about a nanosecond per
//! iteration, is inside every figure). Time is a counter passed in, as the engine does: no clock is
//! read inside the measured code. Short measurement times so `cargo bench --bench exec` stays quick:
//! `cargo bench --bench exec -- --quick` for a smoke run.

// `criterion_group!` generates a public fn that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use microarb::base::breaker::{Breaker, BreakerConfig};
#[path = "../tests/reliability/atomic_gcra.rs"]
mod atomic_gcra;
use atomic_gcra::AtomicGcra;
use microarb::exec::limits::gcra::Gcra;
use microarb::exec::limits::EndpointGroup;
use microarb::exec::{SlotConfig, Slots};
use microarb::exec::{Zero429, Zero429Config};
use microarb::model::{Bps, VenueId, VenueKind};
use std::time::Duration;

fn slots(c: &mut Criterion) {
    let mut s = Slots::new(SlotConfig::default()).expect("default config is valid");
    c.bench_function("slots/acquire+release", |b| {
        b.iter(|| {
            let t = s
                .try_acquire(
                    black_box(VenueId(0)),
                    black_box(VenueId(1)),
                    black_box(Bps(500)),
                )
                .expect("a slot is free");
            s.release(black_box(t)).expect("ticket is held");
        })
    });
    let mut full = Slots::new(SlotConfig::default()).expect("default config is valid");
    let _a = full.try_acquire(VenueId(0), VenueId(1), Bps(500));
    let _b = full.try_acquire(VenueId(2), VenueId(3), Bps(500));
    c.bench_function("slots/refused (reserved only)", |b| {
        b.iter(|| {
            full.try_acquire(
                black_box(VenueId(4)),
                black_box(VenueId(5)),
                black_box(Bps(500)),
            )
        })
    });
}

fn gcra(c: &mut Criterion) {
    // 1 ns interval and time advancing 1 ns per check: every check is admitted.
    let mut g = Gcra::new(1, 10).expect("valid");
    let mut now = 0u64;
    c.bench_function("gcra/single-owner check (admit)", |b| {
        b.iter(|| {
            now += 1;
            black_box(g.check(black_box(now)))
        })
    });
    let mut g = Gcra::new(1_000_000_000, 1).expect("valid");
    let _ = g.check(0);
    c.bench_function("gcra/single-owner check (refuse)", |b| {
        b.iter(|| black_box(g.check(black_box(5))))
    });
    let a = AtomicGcra::new(1, 10).expect("valid");
    let mut now = 0u64;
    c.bench_function("gcra/atomic check (admit, uncontended)", |b| {
        b.iter(|| {
            now += 1;
            black_box(a.check(black_box(now)))
        })
    });
    let a = AtomicGcra::new(1_000_000_000, 1).expect("valid");
    let _ = a.check(0);
    c.bench_function("gcra/atomic check (refuse)", |b| {
        b.iter(|| black_box(a.check(black_box(5))))
    });
}

fn zero429(c: &mut Criterion) {
    let mut z = Zero429::for_venue(VenueKind::Binance, Zero429Config::default()).expect("defaults");
    // Step time by the group's interval so every check is admitted by the GCRA.
    let step = z
        .gcra(EndpointGroup::RequestWeight)
        .expect("binance has it")
        .emission_interval_ns;
    let mut now = 0u64;
    c.bench_function("zero429/check (admit)", |b| {
        b.iter(|| {
            now += step;
            black_box(z.check(black_box(EndpointGroup::RequestWeight), 1, now))
        })
    });
}

fn breaker(c: &mut Criterion) {
    let mut br = Breaker::new(BreakerConfig::default());
    c.bench_function("breaker/check (closed)", |b| {
        b.iter(|| black_box(br.check(black_box(1))))
    });
    let mut open = Breaker::new(BreakerConfig::default());
    for _ in 0..5 {
        open.on_failure(0);
    }
    c.bench_function("breaker/check (open)", |b| {
        b.iter(|| black_box(open.check(black_box(1))))
    });
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = slots, gcra, zero429, breaker
}
criterion_main!(benches);
