//! The engine end to end on the synthetic feed: shutdown drains every ring, flushes the interval
//! log and the distributions, and the opportunity accounting balances.

use crate::common::config::demo_with;
use crate::common::tmp::TempDir;
use microarb::config::Config;
use microarb::pipeline::{hgrm_path, run, RunOptions};
use microarb::runtime::Shutdown;
use microarb::telemetry::{hlog, Metric};
use mockex::SimParams;

use crate::common::sim_feed::sim_feed;

fn demo_config(interval_ms: u64) -> Config {
    demo_with(|c| {
        c.telemetry.interval_ms = interval_ms;
        // Room for the book to move while the legs travel (the paper venue matches on arrival).
        for v in &mut c.venues {
            v.slippage_bps = 2.0;
        }
    })
}

#[test]
fn shutdown_drains_flushes_and_balances() {
    let cfg = demo_config(100);
    let dir = TempDir::new("engine-run");
    let hlog_path = dir.join("run.hlog");
    let report_path = dir.join("run.json");
    let opts = RunOptions {
        seconds: Some(0.6),
        hist_log: Some(hlog_path.clone()),
        report: Some(report_path.clone()),
        no_pin: true,
        status_line: Some(false),
        signals: false,
        shutdown: None,
        opps: None,
        metrics: None,
        metrics_bound: None,
    };
    let feed = sim_feed(
        &cfg,
        SimParams {
            dislocation_every: 500,
            // The paper venue matches on arrival (100-150 us later): a dislocation must outlast
            // that to be caught, even on a loaded machine (4 venues at 100k updates/s: 2 ms).
            hold_ticks: 50,
            // One size at every update, so what the detector saw is still there on arrival.
            qty_min: 200_000_000,
            qty_max: 200_000_000,
            ..SimParams::default()
        },
        100_000,
        None,
    );
    let summary = run(&cfg, feed, &opts).expect("run");
    assert!(summary.unfinished.is_empty(), "{:?}", summary.unfinished);
    let r = &summary.report;
    let c = |n: &str| {
        r["counters"][n]
            .as_u64()
            .unwrap_or_else(|| panic!("counter {n}"))
    };

    // Every ring drained: what was pushed was popped.
    assert!(c("ring.quotes.pushed") > 1000);
    assert_eq!(c("ring.quotes.pushed"), c("ring.quotes.popped"));
    assert_eq!(c("ring.opps.pushed"), c("ring.opps.popped"));
    assert_eq!(
        c("ring.quotes.pushed") + c("ring.quotes.dropped"),
        c("ingest.sim.quotes")
    );

    // Accounting: every detected opportunity ended in exactly one terminal state.
    let o = &r["opportunities"];
    let detected = o["detected"].as_u64().unwrap();
    assert!(detected > 0, "the injected dislocations were found");
    assert_eq!(o["terminal_sum"].as_u64().unwrap(), detected);
    assert_eq!(o["in_flight_at_exit"].as_u64().unwrap(), 0);

    // The report written to disk is the one returned.
    let on_disk: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report_path).unwrap()).unwrap();
    assert_eq!(on_disk["opportunities"], r["opportunities"]);
    assert!(on_disk["rss_bytes"]["peak"].as_u64().unwrap() > 0);
    assert_eq!(on_disk["config"]["venues"][0]["name"], "binance");
    // Venue truth: present on a paper run too, every count an integer, zero here.
    for k in [
        "foreign_orders",
        "cancelled",
        "lost_orders",
        "balance_mismatches",
    ] {
        assert_eq!(on_disk["reconciliation"][k].as_u64(), Some(0), "{k}");
    }

    // The interval log read back with the hdrhistogram crate holds exactly the recorded counts.
    let bytes = std::fs::read(&hlog_path).unwrap();
    let totals = hlog::read_totals("run.hlog", &bytes).expect("log reads back");
    for m in Metric::ALL {
        let want = r["latency_ns"][m.tag()]["count"].as_u64().unwrap();
        let got = totals.get(m.tag()).map(|(h, _)| h.len()).unwrap_or(0);
        assert_eq!(got, want, "metric {}", m.tag());
    }
    // tick_to_order is recorded once per opportunity whose two legs' bytes were written.
    let (tto, intervals) = &totals["tick_to_order"];
    assert_eq!(tto.len(), c("exec.arbs_sent"));
    assert!(c("exec.opps.executed") > 0);
    assert!(c("exec.opps.executed") <= c("exec.arbs_sent"));
    assert_eq!(
        c("exec.orders_sent"),
        2 * c("exec.arbs_sent") + c("exec.legging.retries") + c("exec.legging.unwinds")
    );
    let (rtt, _) = &totals["order_rtt"];
    assert_eq!(
        rtt.len(),
        c("exec.orders_sent"),
        "every order answered once (no faults)"
    );
    assert!(*intervals >= 1);
    assert!(hgrm_path(&hlog_path, Metric::TickToOrder).exists());
    assert!(totals["hop"].1 >= 2, "several intervals were flushed");
}

#[test]
fn an_external_shutdown_request_stops_a_run_without_a_deadline() {
    let cfg = demo_config(50);
    let sd = Shutdown::new();
    let opts = RunOptions {
        seconds: None,
        no_pin: true,
        status_line: Some(false),
        shutdown: Some(sd.clone()),
        ..Default::default()
    };
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        sd.request();
    });
    let feed = sim_feed(&cfg, SimParams::default(), 20_000, None);
    let summary = run(&cfg, feed, &opts).expect("run");
    stopper.join().unwrap();
    let o = &summary.report["opportunities"];
    assert_eq!(o["terminal_sum"], o["detected"]);
}
