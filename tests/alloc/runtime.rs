//! Zero allocations per message through the runtime in steady state.
//!
//! A counting global allocator counts allocations made on threads that opted in. The whole
//! pipeline (synthetic feed -> quotes ring -> strategy (detector + slab-LRU dedupe) -> opps ring ->
//! execution stage (kill switch, breakers, risk, slots, rate limits, order bytes) -> paper gateway
//! (latency model, seeded faults: answers, 5xx and timeouts resolved by status queries, partial
//! fills and legging hedges), plus the histogram hand-off each interval) runs on one worker thread, which
//! opts in once the warm-up is over. A stand-in account thread feeds the stage venue truth all the
//! while (balances applied to the risk book, the engine's own open orders checked, fill notes
//! back), as the REST gateway's account thread does. The telemetry hub side (log writing) is on another thread and
//! is allowed to allocate; the worker must not, for any number of messages.

use crate::common::config::demo_with;
use microarb::base::Clock;
use microarb::base::Counter;
use microarb::exec::gateway::PaperGateway;
use microarb::exec::limits::LimitSpec;
use microarb::exec::params::ExecParams;
use microarb::exec::truth::{ExecNote, TruthLink, TruthMsg};
use microarb::exec::AssetId;
use microarb::exec::ExecStage;
use microarb::exec::KillSwitch;
use microarb::model::{InstrumentId, Opportunity, OrderId, Quote, VenueId};
use microarb::runtime::{ring, IdleStrategy, Shutdown, Stage, Work, Worker};
use microarb::strategy::StrategyStage;
use microarb::telemetry::trades::{TradeLog, TradeNames};
use microarb::telemetry::Registry;

use mockex::SimParams;

use crate::common::alloc as counting_alloc;
use crate::common::sim_feed::SimFeedStage;

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
            counting_alloc::track(true);
        }
        Work::IDLE
    }
    fn is_finished(&self, stopping: bool) -> bool {
        stopping
    }
    fn on_finish(&mut self, _now: u64) {
        counting_alloc::track(false);
    }
}

#[test]
fn steady_state_pipeline_allocates_nothing_per_message() {
    let _serial = counting_alloc::serial();
    counting_alloc::reset();
    // Faults on, so the tracked steady state includes every exec path: 429s, 5xx and timeouts
    // (status queries), partial fills (legging hedges), rejects. Short timeouts so the timeout and
    // query paths run many times in the tracked window.
    let cfg = demo_with(|c| {
        c.execution.order_timeout_ms = 2;
        c.execution.status_query_ms = 1;
        let p = &mut c.execution.paper;
        p.latency_us = 20;
        p.jitter_us = 10;
        p.p_429 = 0.01;
        p.p_5xx = 0.02;
        p.p_timeout = 0.02;
        p.p_partial = 0.05;
        p.p_reject = 0.01;
        p.retry_after_ms = 1;
    });
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
    // The venues' real order limits (Upbit 12/s) would refuse nearly every opportunity of a feed
    // this fast as rate_limited; lift them so the tracked window sends thousands of orders.
    let mut p = ExecParams::from_config(&cfg).unwrap();
    for v in &mut p.venues {
        for g in v.limits.iter_mut().flatten() {
            *g = LimitSpec {
                limit: 1_000_000,
                window_ns: 1_000_000_000,
                burst: 1_000,
                margin_ns: 0,
            };
        }
    }
    // Venue truth is exercised, not judged: a tolerance no drift reaches, so no venue halts.
    p.balance_tolerance_bps = 1e9;
    let gw = PaperGateway::new(p.paper.clone());
    let mut exec = ExecStage::new(p, o_rx, gw, clock, KillSwitch::new(), &mut reg).unwrap();
    let (link, account) = account_stand_in(cfg.venues.len(), clock, &mut reg);
    exec.set_truth(link);
    let balance_updates = reg.counter("exec.reconcile.balance_updates");
    // The trade log on: every order, fill and final pushed on its ring from the worker thread
    // (the writer thread formats and writes them; it is not the thread counted).
    let mut trades = TradeLog::new(false);
    exec.set_trade_log(trades.channel(&mut reg));
    let trades_dir = crate::common::tmp::TempDir::new("alloc-trades");
    let trades_writer = trades
        .spawn_writer(
            Some(&trades_dir.join("trades.jsonl")),
            TradeNames::of(&cfg, ""),
            None,
        )
        .unwrap();
    let trades_dropped = reg.counter("trades_log.dropped");
    let quotes = reg.counter("ring.quotes.popped");
    let gate = Gate {
        quotes: quotes.clone(),
        warmup: 20_000,
    };
    let executed = reg.counter("exec.opps.executed");
    let exec_counter = |reg: &mut Registry, n: &str| reg.counter(&format!("exec.{n}"));
    let arbs_sent = exec_counter(&mut reg, "arbs_sent");
    let queries = exec_counter(&mut reg, "status_queries");
    let hedges = exec_counter(&mut reg, "legging.unwinds");
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
    // Until the feed is spent and at least two hand-offs came back, so the tracked window holds
    // hand-offs even when this thread is starved of the CPU while the feed runs (a loaded 2-core
    // machine); bounded, so a stuck worker fails the assertions below instead of hanging.
    let mut collections = 0;
    let give_up = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while (quotes.get() < 200_000 || collections < 2 || hub.intervals_seen() < 2)
        && std::time::Instant::now() < give_up
    {
        hub.collect(None).unwrap();
        collections += 1;
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    sd.request();
    let report = handle.join().unwrap();
    let notes = account.join().unwrap();
    assert!(report.unfinished.is_empty());
    hub.collect(None).unwrap();

    let tracked_msgs = quotes.get() - 20_000;
    assert!(
        tracked_msgs >= 100_000,
        "{tracked_msgs} messages while tracking"
    );
    let dump: Vec<String> = hub
        .counters
        .iter()
        .filter(|(n, _)| n.starts_with("exec") || n.starts_with("strategy.opps"))
        .map(|(n, v)| format!("{n}={v}"))
        .collect();
    eprintln!("{}", dump.join("\n"));
    assert!(
        executed.get() > 100 && arbs_sent.get() > 100,
        "opportunities went all the way to order bytes and back"
    );
    assert!(queries.get() > 0, "status queries ran");
    assert!(balance_updates.get() > 0, "venue balances were applied");
    assert!(notes > 0, "fill notes reached the account thread");
    let t = trades_writer.join().unwrap().unwrap();
    assert!(
        t["orders"].as_u64().unwrap() > 100,
        "the trade log saw the orders: {t}"
    );
    assert_eq!(trades_dropped.get(), 0, "the trade ring kept up");
    assert!(hedges.get() > 0, "legging hedges ran");
    assert!(collections > 1 && hub.intervals_seen() > 1);
    assert_eq!(
        counting_alloc::allocations(),
        0,
        "allocations on the worker thread over {tracked_msgs} messages in steady state"
    );
}

/// A stand-in for the account thread: until the stage drops its end, pushes a balance for every
/// venue and asset and an "own order open" for a made-up id, and drains the stage's notes.
/// Returns the stage's end and a handle answering how many notes came back.
fn account_stand_in(
    venues: usize,
    clock: Clock,
    reg: &mut Registry,
) -> (TruthLink, std::thread::JoinHandle<u64>) {
    let (mut tx, rx) = ring::<TruthMsg>("truth_in", 1024, &mut reg.counters);
    let (ntx, mut notes) = ring::<ExecNote>("truth_out", 256, &mut reg.counters);
    let handle = std::thread::spawn(move || {
        let mut n = 0u64;
        let mut round = 0u64;
        while !tx.is_abandoned() {
            round += 1;
            for v in 0..venues {
                for a in 0..2u16 {
                    let big = 1_000_000_000 * 100_000_000;
                    let m = TruthMsg::Balance {
                        venue: VenueId(v as u8),
                        asset: AssetId(a),
                        free: big,
                        total: big,
                        asked_ns: clock.now_ns(),
                    };
                    let _ = tx.push(m, 0);
                }
                let own = TruthMsg::OwnOpen {
                    venue: VenueId(v as u8),
                    order: OrderId(u64::MAX - round),
                };
                let _ = tx.push(own, 0);
            }
            while notes.pop().is_some() {
                n += 1;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        n
    });
    let link = TruthLink {
        rx,
        tx: ntx,
        initial: Vec::new(),
    };
    (link, handle)
}
