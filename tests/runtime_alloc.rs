//! Zero allocations per message through the runtime in steady state.
//!
//! A counting global allocator counts allocations made on threads that opted in. The whole
//! pipeline (synthetic feed -> quotes ring -> strategy (detector + slab-LRU dedupe) -> opps ring ->
//! paper execution, plus the histogram hand-off each interval) runs on one worker thread, which
//! opts in once the warm-up is over. The telemetry hub side (log writing) is on another thread and
//! is allowed to allocate; the worker must not, for any number of messages.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use microarb::config::{Config, Machine, DEMO_TOML};
use microarb::model::{InstrumentId, Opportunity, Quote};
use microarb::pipeline::{PaperExecStage, SimFeedStage};
use microarb::runtime::{ring, Clock, IdleStrategy, Shutdown, Stage, Work, Worker};
use microarb::sim::SimParams;
use microarb::strategy::StrategyStage;
use microarb::telemetry::{Counter, Registry};

struct Counting;

static TRACKED_ALLOCS: AtomicU64 = AtomicU64::new(0);
thread_local! {
    static TRACK: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: forwards every call to the system allocator unchanged; it only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if TRACK.with(|t| t.get()) {
            TRACKED_ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if TRACK.with(|t| t.get()) {
            TRACKED_ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Turns tracking on for its thread once `quotes` passed `warmup`, off when it finishes.
struct Gate {
    quotes: Counter,
    warmup: u64,
}

impl Stage for Gate {
    fn name(&self) -> &'static str {
        "gate"
    }
    fn poll(&mut self, _now: u64) -> Work {
        if self.quotes.get() >= self.warmup {
            TRACK.with(|t| t.set(true));
        }
        Work::IDLE
    }
    fn is_finished(&self, stopping: bool) -> bool {
        stopping
    }
    fn on_finish(&mut self, _now: u64) {
        TRACK.with(|t| t.set(false));
    }
}

#[test]
fn steady_state_pipeline_allocates_nothing_per_message() {
    let cfg = Config::from_toml_str(DEMO_TOML, &Machine::this(false)).unwrap();
    let clock = Clock::new();
    let mut reg = Registry::new();
    let (q_tx, q_rx) = ring::<Quote>("quotes", 4096, &mut reg.counters);
    let (o_tx, o_rx) = ring::<Opportunity>("opps", 4096, &mut reg.counters);
    let feed = SimFeedStage::new(
        SimParams {
            venues: cfg.venues.len(),
            dislocation_every: 200,
            ..SimParams::default()
        },
        InstrumentId(0),
        0,
        Some(200_000),
        q_tx,
        &mut reg,
    );
    let strategy = StrategyStage::new(&cfg, q_rx, o_tx, clock, &mut reg).unwrap();
    let symbols = vec![cfg
        .venues
        .iter()
        .map(|v| cfg.instruments[0].symbols[&v.name].clone())
        .collect()];
    let exec = PaperExecStage::new(o_rx, clock, symbols, vec![(8, 8)], &mut reg);
    let quotes = reg.counter("ring.quotes.popped");
    let gate = Gate {
        quotes: quotes.clone(),
        warmup: 20_000,
    };
    let executed = reg.counter("exec.opps.executed");
    let mut hub = reg.into_hub();

    let sd = Shutdown::new();
    let worker = Worker {
        name: "pipeline".into(),
        core: None,
        idle: IdleStrategy::PARK,
        stages: vec![
            Box::new(gate),
            Box::new(feed),
            Box::new(strategy),
            Box::new(exec),
        ],
        // A short interval so many histogram hand-offs happen while tracking.
        flush_interval_ns: 1_000_000,
        drain_timeout_ns: 5_000_000_000,
    };
    let handle = worker.spawn(clock, sd.clone()).unwrap();
    // Play the telemetry thread: collect (and so return) histograms while the worker runs.
    let mut collections = 0;
    while quotes.get() < 200_000 {
        hub.collect(None).unwrap();
        collections += 1;
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    sd.request();
    let report = handle.join().unwrap();
    assert!(report.unfinished.is_empty());
    hub.collect(None).unwrap();

    let tracked_msgs = quotes.get() - 20_000;
    assert!(
        tracked_msgs >= 100_000,
        "{tracked_msgs} messages while tracking"
    );
    assert!(
        executed.get() > 100,
        "opportunities went all the way to order bytes"
    );
    assert!(collections > 1 && hub.intervals_seen() > 1);
    assert_eq!(
        TRACKED_ALLOCS.load(Ordering::Relaxed),
        0,
        "allocations on the worker thread over {tracked_msgs} messages in steady state"
    );
}
