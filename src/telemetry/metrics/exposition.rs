//! The Prometheus text exposition format, version 0.0.4, written by hand: families grouped, one
//! `# HELP` and `# TYPE` line each, label values escaped, histograms as cumulative `_bucket`
//! series with `le` plus `_sum` and `_count`.
//!
//! Written here rather than with a client crate: the values are the engine's own atomics and
//! HdrHistograms (no crate metric types to register them in), and `prometheus-client` writes
//! OpenMetrics text (`# EOF`, counter families named without `_total`), not the 0.0.4 format
//! served as `text/plain; version=0.0.4`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use hdrhistogram::Histogram;

/// A metric family's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Monotonic since start.
    Counter,
    /// Any value.
    Gauge,
    /// Cumulative buckets, `_sum`, `_count`.
    Histogram,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

/// Latency bucket upper bounds in ns: fine enough to tell 1 us from 2 us, up to 1 s.
pub const LATENCY_BUCKETS_NS: [u64; 24] = [
    500,
    1_000,
    1_500,
    2_000,
    3_000,
    5_000,
    7_500,
    10_000,
    15_000,
    20_000,
    30_000,
    50_000,
    75_000,
    100_000,
    200_000,
    500_000,
    1_000_000,
    2_000_000,
    5_000_000,
    10_000_000,
    50_000_000,
    100_000_000,
    500_000_000,
    1_000_000_000,
];

struct Family {
    help: String,
    kind: Kind,
    /// Sample lines, already formatted.
    lines: Vec<String>,
}

/// A scrape being built: families in name order, samples in the order added.
#[derive(Default)]
pub struct Exposition {
    families: BTreeMap<String, Family>,
}

impl Exposition {
    /// An empty exposition.
    pub fn new() -> Exposition {
        Exposition::default()
    }

    fn family(&mut self, name: &str, kind: Kind, help: &str) -> &mut Family {
        self.families
            .entry(name.to_string())
            .or_insert_with(|| Family {
                help: help.to_string(),
                kind,
                lines: Vec::new(),
            })
    }

    /// Add one counter or gauge sample to family `name` (created with `kind` and `help` on first
    /// use).
    pub fn sample(
        &mut self,
        name: &str,
        kind: Kind,
        help: &str,
        labels: &[(&str, &str)],
        value: u64,
    ) {
        self.sample_text(name, kind, help, labels, &value.to_string());
    }

    /// Add one sample whose value is already text (a decimal from [`decimal`]).
    pub fn sample_text(
        &mut self,
        name: &str,
        kind: Kind,
        help: &str,
        labels: &[(&str, &str)],
        value: &str,
    ) {
        let line = format!("{name}{} {value}", label_text(labels, None));
        self.family(name, kind, help).lines.push(line);
    }

    /// Add histogram `h` (values in ns) to family `name` (in seconds) with `labels`: cumulative
    /// counts at each of [`LATENCY_BUCKETS_NS`], `+Inf` = `_count`, and `_sum` from each recorded
    /// value's median equivalent.
    pub fn histogram_ns(
        &mut self,
        name: &str,
        help: &str,
        labels: &[(&str, &str)],
        h: &Histogram<u64>,
    ) {
        let mut at = [0u64; LATENCY_BUCKETS_NS.len()];
        let mut sum_ns: u128 = 0;
        for v in h.iter_recorded() {
            let n = v.count_since_last_iteration();
            let value = v.value_iterated_to();
            sum_ns += h.median_equivalent(value) as u128 * n as u128;
            if let Some(i) = LATENCY_BUCKETS_NS.iter().position(|&le| value <= le) {
                at[i] += n;
            }
        }
        let fam = self.family(name, Kind::Histogram, help);
        let mut cum = 0u64;
        for (i, le) in LATENCY_BUCKETS_NS.iter().enumerate() {
            cum += at[i];
            fam.lines.push(format!(
                "{name}_bucket{} {cum}",
                label_text(labels, Some(&ns_as_seconds(*le as u128)))
            ));
        }
        let count = h.len();
        let plain = label_text(labels, None);
        fam.lines.push(format!(
            "{name}_bucket{} {count}",
            label_text(labels, Some("+Inf"))
        ));
        fam.lines
            .push(format!("{name}_sum{plain} {}", ns_as_seconds(sum_ns)));
        fam.lines.push(format!("{name}_count{plain} {count}"));
    }

    /// The text: per family `# HELP`, `# TYPE` and its samples; ends with a newline.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (name, f) in &self.families {
            let _ = writeln!(out, "# HELP {name} {}", escape_help(&f.help));
            let _ = writeln!(out, "# TYPE {name} {}", f.kind.name());
            for l in &f.lines {
                out.push_str(l);
                out.push('\n');
            }
        }
        out
    }
}

/// `{a="x",le="1"}`, or nothing when there are no labels.
fn label_text(labels: &[(&str, &str)], le: Option<&str>) -> String {
    if labels.is_empty() && le.is_none() {
        return String::new();
    }
    let mut s = String::from("{");
    let mut first = true;
    for (k, v) in labels.iter().copied().chain(le.map(|le| ("le", le))) {
        if !first {
            s.push(',');
        }
        first = false;
        let _ = write!(s, "{k}=\"{}\"", escape_label_value(v));
        // `k` is always one of the engine's fixed label names.
    }
    s.push('}');
    s
}

/// A label value with `\`, `"` and newline escaped.
pub fn escape_label_value(v: &str) -> String {
    let mut s = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s
}

/// Help text with `\` and newline escaped.
fn escape_help(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\n', "\\n")
}

/// Mantissa `m` at `scale` decimals as exact decimal text (no float rounding): `(-1500, 3)` ->
/// `-1.5`, `(7, 0)` -> `7`.
pub fn decimal(m: i64, scale: u8) -> String {
    let sign = if m < 0 { "-" } else { "" };
    let mag = u128::from(m.unsigned_abs());
    let d = 10u128.pow(u32::from(scale.min(30)));
    let (whole, frac) = (mag / d, mag % d);
    if frac == 0 {
        return format!("{sign}{whole}");
    }
    let f = format!("{frac:0width$}", width = usize::from(scale));
    format!("{sign}{whole}.{}", f.trim_end_matches('0'))
}

/// `ns` as a decimal number of seconds, exact (no float rounding): 1500 -> `0.0000015`.
pub fn ns_as_seconds(ns: u128) -> String {
    let whole = ns / 1_000_000_000;
    let frac = ns % 1_000_000_000;
    if frac == 0 {
        return whole.to_string();
    }
    let f = format!("{frac:09}");
    format!("{whole}.{}", f.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::metric::new_histogram;

    #[test]
    fn seconds_are_exact_decimals() {
        assert_eq!(ns_as_seconds(500), "0.0000005");
        assert_eq!(ns_as_seconds(1_500), "0.0000015");
        assert_eq!(ns_as_seconds(1_000_000_000), "1");
        assert_eq!(ns_as_seconds(2_250_000_000), "2.25");
        assert_eq!(ns_as_seconds(0), "0");
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(decimal(0, 8), "0");
        assert_eq!(decimal(7, 0), "7");
        assert_eq!(decimal(-1_500, 3), "-1.5");
        assert_eq!(decimal(100_000_000, 8), "1");
        assert_eq!(decimal(1, 8), "0.00000001");
        assert_eq!(decimal(950_000, 6), "0.95");
        assert_eq!(decimal(i64::MIN, 0), "-9223372036854775808");
        assert_eq!(decimal(-5, 1), "-0.5");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label_value(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape_label_value("x\ny"), "x\\ny");
        let mut e = Exposition::new();
        e.sample(
            "microarb_quotes_total",
            Kind::Counter,
            "Quotes.\nPer venue.",
            &[("venue", "we\"ird\\")],
            7,
        );
        assert_eq!(
            e.render(),
            "# HELP microarb_quotes_total Quotes.\\nPer venue.\n\
             # TYPE microarb_quotes_total counter\n\
             microarb_quotes_total{venue=\"we\\\"ird\\\\\"} 7\n"
        );
    }

    #[test]
    fn families_are_grouped_with_one_header() {
        let mut e = Exposition::new();
        e.sample("b_total", Kind::Counter, "B.", &[("venue", "x")], 1);
        e.sample("a", Kind::Gauge, "A.", &[], 5);
        e.sample("b_total", Kind::Counter, "B.", &[("venue", "y")], 2);
        let t = e.render();
        assert_eq!(t.matches("# TYPE b_total counter").count(), 1);
        assert_eq!(
            t,
            "# HELP a A.\n# TYPE a gauge\na 5\n# HELP b_total B.\n# TYPE b_total counter\n\
             b_total{venue=\"x\"} 1\nb_total{venue=\"y\"} 2\n"
        );
    }

    #[test]
    fn histogram_buckets_are_cumulative_with_sum_and_count() {
        let mut h = new_histogram();
        h.record(900).unwrap(); // <= 1 us
        h.record(1_000).unwrap(); // <= 1 us (inclusive bound)
        h.record(1_200).unwrap(); // <= 1.5 us
        h.record(1_800).unwrap(); // <= 2 us
        h.record_n(3_000_000_000, 2).unwrap(); // beyond 1 s: +Inf only
        let mut e = Exposition::new();
        e.histogram_ns(
            "microarb_latency_seconds",
            "Latency.",
            &[("metric", "tick_to_order")],
            &h,
        );
        let t = e.render();
        let get = |le: &str| -> u64 {
            let key =
                format!("microarb_latency_seconds_bucket{{metric=\"tick_to_order\",le=\"{le}\"}} ");
            let line = t.lines().find(|l| l.starts_with(&key)).unwrap_or_else(|| {
                panic!("no bucket {le} in\n{t}");
            });
            line[key.len()..].parse().unwrap()
        };
        assert_eq!(get("0.0000005"), 0);
        assert_eq!(get("0.000001"), 2);
        assert_eq!(get("0.0000015"), 3);
        assert_eq!(get("0.000002"), 4);
        assert_eq!(get("1"), 4);
        assert_eq!(get("+Inf"), 6);
        // Monotonic non-decreasing across every bucket line.
        let counts: Vec<u64> = t
            .lines()
            .filter(|l| l.contains("_bucket{"))
            .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(counts.len(), LATENCY_BUCKETS_NS.len() + 1);
        assert!(counts.windows(2).all(|w| w[0] <= w[1]));
        assert!(t.contains("microarb_latency_seconds_count{metric=\"tick_to_order\"} 6\n"));
        let sum_line = t
            .lines()
            .find(|l| l.starts_with("microarb_latency_seconds_sum{"))
            .unwrap();
        let sum: f64 = sum_line.rsplit(' ').next().unwrap().parse().unwrap();
        let want = (900.0 + 1_000.0 + 1_200.0 + 1_800.0 + 6e9) / 1e9;
        assert!((sum - want).abs() / want < 1e-3, "{sum} vs {want}");
        assert!(t.starts_with(
            "# HELP microarb_latency_seconds Latency.\n# TYPE microarb_latency_seconds histogram\n"
        ));
    }

    #[test]
    fn an_empty_histogram_has_zero_buckets() {
        let mut e = Exposition::new();
        e.histogram_ns("x_seconds", "X.", &[], &new_histogram());
        let t = e.render();
        assert!(t.contains("x_seconds_bucket{le=\"+Inf\"} 0\n"));
        assert!(t.contains("x_seconds_sum 0\n"));
        assert!(t.contains("x_seconds_count 0\n"));
    }
}
