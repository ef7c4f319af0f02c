//! The one-line status on stderr each interval: rates, opportunities, drops, tick-to-order.

use std::fmt::Write;

use hdrhistogram::Histogram;

use super::outcomes::OppTotals;
use crate::base::Counters;
use crate::model::Outcome;

/// Remembers the previous reading to print rates.
#[derive(Default)]
pub struct StatusLine {
    prev_quotes: u64,
    prev_t_ns: u64,
}

fn us(ns: u64) -> String {
    if ns >= 1_000_000 {
        format!("{:.1}ms", ns as f64 / 1e6)
    } else {
        format!("{:.1}us", ns as f64 / 1e3)
    }
}

impl StatusLine {
    /// Render the line for time `t_ns` since start.
    pub fn render(&mut self, t_ns: u64, c: &Counters, tick_to_order: &Histogram<u64>) -> String {
        let quotes = c.sum_suffix(".quotes");
        let dt = (t_ns.saturating_sub(self.prev_t_ns)).max(1) as f64 / 1e9;
        let rate = (quotes.saturating_sub(self.prev_quotes)) as f64 / dt;
        self.prev_quotes = quotes;
        self.prev_t_ns = t_ns;
        let o = OppTotals::from_counters(c);
        let drops = c.sum_suffix(".dropped");
        let mut s = String::new();
        let _ = write!(
            s,
            "[{:>6.1}s] quotes {:>8.0}/s  opps {} (exec {} part {} rej {} exp {} drop {})  ring drops {}",
            t_ns as f64 / 1e9,
            rate,
            o.detected,
            o.get(Outcome::Executed),
            o.get(Outcome::Partial),
            o.terminal_sum()
                - o.get(Outcome::Executed)
                - o.get(Outcome::Partial)
                - o.get(Outcome::Expired)
                - o.get(Outcome::Dropped),
            o.get(Outcome::Expired),
            o.get(Outcome::Dropped),
            drops
        );
        if !tick_to_order.is_empty() {
            let _ = write!(
                s,
                "  tick_to_order p50 {} p99 {} p99.9 {}",
                us(tick_to_order.value_at_quantile(0.5)),
                us(tick_to_order.value_at_quantile(0.99)),
                us(tick_to_order.value_at_quantile(0.999))
            );
        }
        s
    }
}
