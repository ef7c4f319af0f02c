//! `hop`: the machine's limit for one ring hop — raw `rtrb` ping-pong between two pinned,
//! busy-spinning threads — as a latency distribution (one-way hop = round trip / 2), so the
//! end-to-end report can show how far each of the engine's ring hops is from it.
//!
//! `hop [--messages N] [--cores A,B] [--json]`. Measurement overhead: one clock read pair per
//! round trip (included, and stated).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;

/// Arguments.
#[derive(Debug, Parser)]
#[command(about = "raw rtrb ping-pong between two pinned cores")]
struct Args {
    /// Round trips to measure (after 10 000 of warm-up).
    #[arg(long, default_value_t = 200_000)]
    messages: u64,
    /// The two cores to pin to.
    #[arg(long, default_value = "0,1")]
    cores: String,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

fn pin(core: usize) -> bool {
    microarb::runtime::pin_current(core)
}

fn main() {
    let a = Args::parse();
    let cores: Vec<usize> = a
        .cores
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    let (c0, c1) = (
        cores.first().copied().unwrap_or(0),
        cores.get(1).copied().unwrap_or(1),
    );
    let (mut a_tx, mut a_rx) = rtrb::RingBuffer::<u64>::new(1024);
    let (mut b_tx, mut b_rx) = rtrb::RingBuffer::<u64>::new(1024);
    let stop = Arc::new(AtomicBool::new(false));
    let s2 = stop.clone();
    let echo = std::thread::spawn(move || {
        let pinned = pin(c1);
        while !s2.load(Ordering::Relaxed) {
            if let Ok(m) = a_rx.pop() {
                while b_tx.push(m).is_err() {}
            }
        }
        pinned
    });
    let pinned0 = pin(c0);
    let mut h =
        hdrhistogram::Histogram::<u64>::new_with_bounds(1, 1_000_000_000, 3).expect("bounds");
    let warm = 10_000;
    for i in 0..warm + a.messages {
        let t = Instant::now();
        a_tx.push(i).expect("one in flight");
        while b_rx.pop().is_err() {
            std::hint::spin_loop();
        }
        let rtt = t.elapsed().as_nanos() as u64;
        if i >= warm {
            h.saturating_record((rtt / 2).max(1));
        }
    }
    stop.store(true, Ordering::Relaxed);
    let pinned1 = echo.join().unwrap_or(false);
    let q = |q: f64| h.value_at_quantile(q);
    if a.json {
        println!(
            "{}",
            serde_json::json!({
                "cores": [c0, c1],
                "pinned": pinned0 && pinned1,
                "count": h.len(),
                "p50_ns": q(0.5),
                "p99_ns": q(0.99),
                "p999_ns": q(0.999),
                "max_ns": h.max(),
                "method": "rtrb ping-pong, busy-spin, one-way = round trip / 2, one Instant pair per round trip included",
            })
        );
    } else {
        println!(
            "hop (rtrb ping-pong, cores {c0},{c1}, pinned {}): p50 {} ns, p99 {} ns, p99.9 {} ns, max {} ns over {} round trips",
            pinned0 && pinned1,
            q(0.5),
            q(0.99),
            q(0.999),
            h.max(),
            h.len()
        );
    }
}
