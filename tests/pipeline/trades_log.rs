//! The `--trades` log of a paper run: every order sent has exactly one final state, its fills sum
//! to the filled quantity, the fee is the modelled one, and the report's P&L, fees and residuals
//! are the sums one recomputes from the log.

use crate::common::config::demo_with;
use crate::common::sim_feed::sim_feed;
use crate::common::tmp::TempDir;
use crate::common::trades::{check_lifecycle, dec18, read_log, recompute};
use microarb::pipeline::{run, RunOptions};
use mockex::SimParams;

#[test]
fn a_paper_run_logs_every_order_fill_and_final_and_the_report_adds_them_up() {
    let cfg = demo_with(|c| {
        for v in &mut c.venues {
            v.slippage_bps = 2.0;
        }
        // Partial fills leave imbalances to hedge: hedge orders are logged too.
        c.execution.paper.p_partial = 0.2;
    });
    let dir = TempDir::new("trades-log");
    let path = dir.join("trades.jsonl");
    let opts = RunOptions {
        seconds: Some(0.8),
        no_pin: true,
        status_line: Some(false),
        trades: Some(path.clone()),
        ..RunOptions::default()
    };
    let feed = sim_feed(
        &cfg,
        SimParams {
            dislocation_every: 500,
            hold_ticks: 50,
            qty_min: 200_000_000,
            qty_max: 200_000_000,
            ..SimParams::default()
        },
        100_000,
        None,
    );
    let summary = run(&cfg, feed, &opts).expect("run");
    let r = &summary.report;
    let c = |n: &str| r["counters"][n].as_u64().unwrap_or(0);
    let lines = read_log(&path);
    let orders = check_lifecycle(&lines);
    assert!(orders > 0, "the run traded");
    assert_eq!(
        orders as u64,
        c("exec.orders_sent"),
        "every order sent is logged"
    );
    assert_eq!(c("trades_log.dropped"), 0);
    let t = &r["trades"];
    assert_eq!(t["orders"].as_u64().unwrap(), orders as u64);
    assert_eq!(t["open_orders"], 0);
    assert_eq!(t["inconsistent_records"], 0);
    let fills: Vec<_> = lines.iter().filter(|l| l["kind"] == "fill").collect();
    assert!(!fills.is_empty());
    for f in &fills {
        assert_eq!(f["fee_source"], "model", "{f}");
        assert_eq!(f["fee_asset"], "USDT", "{f}");
        assert!(
            dec18(f["fee"].as_str().unwrap()) > 0,
            "taker fee modelled: {f}"
        );
    }
    assert!(
        lines.iter().any(|l| l["role"] == "hedge"),
        "partial fills were hedged and the hedges logged"
    );
    let (pnl, fees, residual) = recompute(&lines, &|_| ("BTC".into(), "USDT".into()));
    for (ins, v) in &pnl {
        let got = &t["realized_pnl_by_instrument"][ins]["realized_pnl"];
        assert_eq!(dec18(got.as_str().unwrap()), *v, "{ins}: {t}");
    }
    let usdt: i128 = pnl.values().sum();
    assert_eq!(
        dec18(t["realized_pnl_by_quote_asset"]["USDT"].as_str().unwrap()),
        usdt
    );
    for (a, v) in &fees {
        assert_eq!(
            dec18(t["fees_by_asset"][a].as_str().unwrap()),
            *v,
            "fee {a}"
        );
    }
    for ((venue, a), v) in &residual {
        let got = &t["residual_by_venue"][venue][a];
        assert_eq!(dec18(got.as_str().unwrap()), *v, "{venue} {a}: {t}");
    }
}
