//! The state families of a scrape: every registered gauge ([`crate::telemetry::gauges`]) and the
//! depth of every ring, derived here from the ring's own `pushed` and `popped` counters so the
//! stages write nothing more for it.

use super::exposition::{decimal, Exposition, Kind};
use crate::base::Counters;
use crate::telemetry::gauges::{Gauges, QUEUE_DEPTH};

/// Add every gauge and every ring's depth to `e`.
pub fn render(e: &mut Exposition, counters: &Counters, gauges: &Gauges) {
    for s in gauges.iter() {
        let labels: Vec<(&str, &str)> = s.labels.iter().map(|(k, v)| (*k, v.as_str())).collect();
        e.sample_text(
            s.family.name,
            Kind::Gauge,
            s.family.help,
            &labels,
            &decimal(s.gauge.get(), s.family.scale),
        );
    }
    for (ring, depth) in ring_depths(counters) {
        e.sample(
            QUEUE_DEPTH.name,
            Kind::Gauge,
            QUEUE_DEPTH.help,
            &[("queue", &ring)],
            depth,
        );
    }
}

/// Each ring's name and depth, `pushed - popped`. `popped` is read first: `pushed` only grows
/// and every pop follows its push, so the difference never goes negative and is at most the
/// depth at some moment between the two reads.
pub fn ring_depths(counters: &Counters) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for (name, _) in counters.iter() {
        let Some(ring) = name
            .strip_prefix("ring.")
            .and_then(|r| r.strip_suffix(".pushed"))
        else {
            continue;
        };
        let Some(popped) = counters.get(&format!("ring.{ring}.popped")) else {
            continue;
        };
        let pushed = counters.get(name).unwrap_or(0);
        out.push((ring.to_string(), pushed.saturating_sub(popped)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::gauges::{BALANCE, KILL_SWITCH};

    #[test]
    fn gauges_render_as_exact_decimals_and_rings_as_depths() {
        let mut c = Counters::new();
        let mut g = Gauges::new();
        let (mut tx, mut rx) = crate::runtime::ring::<u8>("quotes", 8, &mut c);
        for i in 0..5 {
            tx.push(i, 0).unwrap();
        }
        rx.pop().unwrap();
        g.register(KILL_SWITCH, &[]).set(1);
        g.register(BALANCE, &[("venue", "okx"), ("asset", "BTC")])
            .set(-150_000_000);
        let mut e = Exposition::new();
        render(&mut e, &c, &g);
        let t = e.render();
        assert!(
            t.contains("# TYPE microarb_kill_switch gauge\nmicroarb_kill_switch 1\n"),
            "{t}"
        );
        assert!(
            t.contains("microarb_balance{venue=\"okx\",asset=\"BTC\"} -1.5\n"),
            "{t}"
        );
        assert!(
            t.contains("microarb_queue_depth{queue=\"quotes\"} 4\n"),
            "{t}"
        );
        assert_eq!(ring_depths(&c), vec![("quotes".to_string(), 4)]);
    }
}
