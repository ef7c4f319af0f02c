//! The demo's closing summary on stderr: what the market did, what the engine did with it, its
//! latency over the arbitrages it sent, where it ran and why, and where its files are. Read from
//! the run's report, so it states only what was measured.

use serde_json::Value;

use super::files::Files;
use super::layout::Layout;
use microarb::telemetry::plot::duration;

/// Everything the closing summary shows besides the report.
pub struct Closing<'a> {
    /// The run's report.
    pub report: &'a Value,
    /// Dislocations the mock exchange injected.
    pub injected: usize,
    /// The demo's files.
    pub files: &'a Files,
    /// Whether the plot was written.
    pub plot_written: bool,
    /// The thread layout in words.
    pub layout: &'a Layout,
    /// Paper venues held to the venues' real order rate limits.
    pub venue_limits: bool,
}

/// Print the closing summary.
pub fn print(c: &Closing<'_>) {
    for line in lines(c) {
        eprintln!("{line}");
    }
}

/// The closing summary, one string per line.
pub fn lines(c: &Closing<'_>) -> Vec<String> {
    let r = c.report;
    let counter = |k: &str| r["counters"][k].as_u64().unwrap_or(0);
    let o = &r["opportunities"];
    let n = |v: &Value| v.as_u64().unwrap_or(0);
    let quotes = counter("strategy.quotes_in");
    let mut out = vec![
        String::new(),
        format!(
            "microarb demo: done after {:.1} s",
            r["run"]["seconds"].as_f64().unwrap_or(0.0)
        ),
        format!(
            "  market    {} quotes from {} mock venues; {} dislocations injected",
            quotes,
            r["config"]["venues"].as_array().map_or(0, Vec::len),
            c.injected
        ),
        format!(
            "  engine    {} opportunities detected: {} executed, {} partial, {} expired, {} dropped, {}",
            n(&o["detected"]),
            n(&o["executed"]),
            n(&o["partial"]),
            n(&o["expired"]),
            n(&o["dropped"]),
            super::super::summary::rejected(&o["rejected"])
        ),
        format!(
            "  orders    {} arbitrages sent, {} orders in all (both legs and hedges) on paper, no real venue contacted{}",
            counter("exec.arbs_sent"),
            counter("exec.orders_sent"),
            if c.venue_limits {
                ", held to each venue's real order rate limit"
            } else {
                "; rate limits lifted for the demo (--venue-limits holds them)"
            }
        ),
    ];
    if let Some(line) = pnl_line(&r["trades"]) {
        out.push(line);
    }
    let l = &r["latency_ns"];
    let tto = &l["tick_to_order"];
    if n(&tto["count"]) > 0 {
        out.push(format!(
            "  tick_to_order over {} arbitrages (quote received -> both legs' signed orders ready):",
            n(&tto["count"])
        ));
        out.push(format!("            {}", percentiles(tto)));
    } else {
        out.push("  tick_to_order: no arbitrage was sent, so nothing to measure".to_string());
    }
    for (tag, what) in [
        ("parse", "frame read -> quote"),
        ("hop", "ring push -> pop"),
        ("detect", "detector per quote"),
        ("order_rtt", "paper venue's answer"),
    ] {
        if n(&l[tag]["count"]) > 0 {
            out.push(format!("  {tag:<9} {what:<21} {}", percentiles(&l[tag])));
        }
    }
    out.push("  threads   ".to_string() + &c.layout.threads.join("; "));
    for why in &c.layout.why {
        out.push(format!("            {why}"));
    }
    out.push(format!(
        "  files     interval log  {}",
        c.files.hlog.display()
    ));
    out.push(format!(
        "            report        {}",
        c.files.report.display()
    ));
    if c.plot_written {
        out.push(format!(
            "            plot          {}  (open it in a browser)",
            c.files.plot.display()
        ));
    }
    out.push(format!(
        "            percentiles   {} (one .hgrm per metric)",
        c.files.tick_to_order_hgrm().display()
    ));
    out.push(format!(
        "  next      {} hist {} --plot other.svg  (read the log again)",
        super::watch::this_command(),
        c.files.hlog.display()
    ));
    out
}

/// `p50 20.1 µs  p90 ..  p99 ..  p99.9 ..  max ..` of a report latency object.
fn percentiles(m: &Value) -> String {
    let d = |k: &str| duration(m[k].as_u64().unwrap_or(0) as f64);
    format!(
        "p50 {:>8}  p90 {:>8}  p99 {:>8}  p99.9 {:>8}  max {:>8}",
        d("p50"),
        d("p90"),
        d("p99"),
        d("p999"),
        d("max")
    )
}

/// `  pnl  ...`: realized P&L per quote asset (never added across assets) and fees per asset, from
/// the report's `trades` object (the paper venue's modelled fees); `None` without trades.
fn pnl_line(t: &serde_json::Value) -> Option<String> {
    let pnl = t["realized_pnl_by_quote_asset"].as_object()?;
    if pnl.is_empty() {
        return None;
    }
    let list = |m: &serde_json::Map<String, serde_json::Value>| {
        m.iter()
            .map(|(a, v)| format!("{} {a}", v.as_str().unwrap_or("?")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let fees = t["fees_by_asset"].as_object().map(list).unwrap_or_default();
    Some(format!(
        "  pnl       realized {} after fees of {fees} (paper fills at the book; --trades logs each one)",
        list(pnl)
    ))
}
