//! The execution stage end to end on one thread: one opportunity popped from its ring, checked
//! (kill switch, expiry, breakers, risk, slots, rate limits), both legs built, encoded into their
//! venues' signed order requests and sent to the paper gateway — and, separately, encoding and
//! signing alone (the venues' codecs, as both gateways use them).
//!
//! `exec_stage/opportunity_to_order_bytes` times only the `poll` that takes the opportunity and
//! writes both orders (criterion `iter_custom`: two `Instant` reads per iteration, ~40 ns on this
//! box, are inside the figure, and so is the ring push's hop-histogram record and the
//! `tick_to_order` clock read); a second, untimed poll 1 ms later delivers the paper answers and
//! ends the arbitrage, so every iteration starts from the same state. Venue rate limits are lifted
//! so the measured path always admits; paper faults are off. Single thread, no pinning.
//! `cargo bench --bench exec_stage -- --quick` for a smoke run.

// `criterion_group!` generates a public fn that cannot carry a doc comment.
#![allow(missing_docs)]

use std::time::{Duration, Instant};

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use microarb::base::Clock;
use microarb::config::{Config, Machine, DEMO_TOML};
use microarb::exec::gateway::codec::{InstrumentTable, VenueCodec};
use microarb::exec::gateway::PaperGateway;
use microarb::exec::limits::LimitSpec;
use microarb::exec::params::ExecParams;
use microarb::exec::stage::ExecStage;
use microarb::exec::KillSwitch;
use microarb::model::{
    Bps, InstrumentId, OppId, Opportunity, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId,
};
use microarb::runtime::{ring, Stage};
use microarb::telemetry::Registry;

const ONE: i64 = 100_000_000;
const MS: u64 = 1_000_000;

fn cfg() -> Config {
    Config::from_toml_str(DEMO_TOML, &Machine::this(false)).expect("demo config")
}

/// Alternate the direction so balances go back and forth instead of running out; the edge (about
/// 31 bp) pays both taker fees, so the loss limit is never reached.
fn opp(id: u64, now: u64) -> Opportunity {
    let (a, b) = if id % 2 == 0 { (0, 3) } else { (3, 0) };
    Opportunity {
        id: OppId(id),
        buy_px: Price(65_000 * ONE + 12_345_678),
        sell_px: Price(65_200 * ONE + 87_654_321),
        qty: Qty(1_234_567),
        gross_bps: Bps(500),
        net_bps: Bps(300),
        recv_ts_ns: now,
        detect_ts_ns: now,
        expiry_ts_ns: now + 100 * MS,
        instrument: InstrumentId(0),
        confidence: 10_000,
        buy_venue: VenueId(a),
        sell_venue: VenueId(b),
        trigger_venue: VenueId(a),
        trigger_seq: id,
    }
}

fn stage(c: &mut Criterion) {
    let cfg = cfg();
    let mut p = ExecParams::from_config(&cfg).expect("params");
    for v in &mut p.venues {
        for g in v.limits.iter_mut().flatten() {
            *g = LimitSpec {
                limit: 1_000_000_000,
                window_ns: 1_000_000_000,
                burst: 1_000_000,
                margin_ns: 0,
            };
        }
    }
    let mut reg = Registry::new();
    let (mut tx, rx) = ring::<Opportunity>("opps", 1024, &mut reg.counters);
    let gw = PaperGateway::new(p.paper.clone());
    let mut st =
        ExecStage::new(p, rx, gw, Clock::new(), KillSwitch::new(), &mut reg).expect("stage");
    let executed = reg.counter("exec.opps.executed");
    let opps_in = reg.counter("exec.opps_in");
    let mut now = 1_000 * MS;
    let mut id = 1;
    c.bench_function("exec_stage/opportunity_to_order_bytes", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let _ = tx.push(opp(id, now), now);
                id += 1;
                let t0 = Instant::now();
                black_box(st.poll(now));
                total += t0.elapsed();
                now += MS;
                st.poll(now);
                // Keep the histograms from filling: hand them over now and then (untimed).
                if id % 100_000 == 0 {
                    st.flush_telemetry(now);
                }
            }
            total
        })
    });
    // Every opportunity measured went all the way (the last one may still be in flight).
    assert!(
        executed.get() + 1 >= opps_in.get() && executed.get() > 0,
        "executed {} of {}",
        executed.get(),
        opps_in.get()
    );
}

fn encoding(c: &mut Criterion) {
    let cfg = cfg();
    let codec = |v: usize| {
        let table = InstrumentTable::for_venue(&cfg, &cfg.venues[v].name).expect("symbols");
        VenueCodec::paper(cfg.venues[v].kind, table, 1).expect("codec")
    };
    let (mut binance, mut upbit) = (codec(0), codec(3));
    let leg = |venue: u8, side| Order {
        id: OrderId(123_456_789),
        opp: OppId(1),
        px: Price(65_000 * ONE + 12_345_678),
        qty: Qty(1_234_567),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(0),
        venue: VenueId(venue),
        side,
        tif: TimeInForce::Ioc,
    };
    let (buy, sell) = (leg(0, Side::Buy), leg(3, Side::Sell));
    let mut bufs = [Vec::with_capacity(2048), Vec::with_capacity(2048)];
    let ms = 1_700_000_000_000;
    c.bench_function("order_bytes/binance leg", |b| {
        b.iter(|| {
            binance
                .write_request(black_box(&buy), ms, &mut bufs[0])
                .expect("encodes")
        })
    });
    c.bench_function("order_bytes/upbit leg", |b| {
        b.iter(|| {
            upbit
                .write_request(black_box(&sell), ms, &mut bufs[1])
                .expect("encodes")
        })
    });
    c.bench_function("order_bytes/both legs", |b| {
        b.iter(|| {
            let [b0, b1] = &mut bufs;
            binance
                .write_request(black_box(&buy), ms, b0)
                .expect("encodes");
            upbit
                .write_request(black_box(&sell), ms, b1)
                .expect("encodes");
        })
    });
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = stage, encoding
}
criterion_main!(benches);
