//! The Prometheus text exposition format (0.0.4) read back into samples: what `top` needs of a
//! scrape, no more. `# HELP`/`# TYPE` lines and comments are skipped; each sample line is
//! `name{label="value",...} value [timestamp]`, label values unescaped (`\\`, `\"`, `\n`), the
//! value a float (`+Inf`, `-Inf`, `NaN` included). A line that does not parse is counted, never
//! fatal: one odd line from a newer engine must not blank the whole view.

use std::collections::BTreeMap;

/// One sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Metric name (a histogram's `_bucket`, `_sum`, `_count` suffix included).
    pub name: String,
    /// Labels, in the order written.
    pub labels: Vec<(String, String)>,
    /// Value.
    pub value: f64,
}

impl Sample {
    /// The value of label `key`, if present.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A parsed scrape: samples grouped by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scrape {
    by_name: BTreeMap<String, Vec<Sample>>,
    /// Sample lines that did not parse.
    pub bad_lines: usize,
}

impl Scrape {
    /// Parse exposition text.
    pub fn parse(text: &str) -> Scrape {
        let mut s = Scrape::default();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match sample(line) {
                Some(x) => s.by_name.entry(x.name.clone()).or_default().push(x),
                None => s.bad_lines += 1,
            }
        }
        s
    }

    /// Every sample named `name`.
    pub fn all(&self, name: &str) -> &[Sample] {
        self.by_name.get(name).map_or(&[], |v| v.as_slice())
    }

    /// The first sample named `name` whose labels include every `(key, value)` of `labels`.
    pub fn get(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.all(name)
            .iter()
            .find(|s| labels.iter().all(|(k, v)| s.label(k) == Some(v)))
            .map(|s| s.value)
    }

    /// Number of samples.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.by_name.values().map(Vec::len).sum()
    }
}

fn sample(line: &str) -> Option<Sample> {
    let name_end = line.find(['{', ' ', '\t']).unwrap_or(line.len());
    let name = &line[..name_end];
    let valid = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) || !name.chars().all(valid)
    {
        return None;
    }
    let mut rest = &line[name_end..];
    let mut labels = Vec::new();
    if let Some(r) = rest.strip_prefix('{') {
        let (l, after) = label_set(r)?;
        labels = l;
        rest = after;
    }
    let mut fields = rest.split_whitespace();
    let value = number(fields.next()?)?;
    // An optional timestamp (ms); anything more is not a sample line.
    if let Some(ts) = fields.next() {
        ts.parse::<i64>().ok()?;
    }
    if fields.next().is_some() {
        return None;
    }
    Some(Sample {
        name: name.to_string(),
        labels,
        value,
    })
}

/// `k="v",k2="v2"}` -> the labels and what follows the `}`.
fn label_set(mut s: &str) -> Option<(Vec<(String, String)>, &str)> {
    let mut out = Vec::new();
    loop {
        s = s.trim_start();
        if let Some(after) = s.strip_prefix('}') {
            return Some((out, after));
        }
        let eq = s.find('=')?;
        let key = s[..eq].trim();
        if key.is_empty() {
            return None;
        }
        s = s[eq + 1..].trim_start().strip_prefix('"')?;
        let mut value = String::new();
        let mut chars = s.char_indices();
        let end = loop {
            let (i, c) = chars.next()?;
            match c {
                '"' => break i,
                '\\' => match chars.next()?.1 {
                    'n' => value.push('\n'),
                    other => value.push(other),
                },
                c => value.push(c),
            }
        };
        out.push((key.to_string(), value));
        s = s[end + 1..].trim_start();
        if let Some(after) = s.strip_prefix(',') {
            s = after;
        } else if !s.starts_with('}') {
            return None;
        }
    }
}

fn number(t: &str) -> Option<f64> {
    match t {
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        t => t.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_labels_and_special_values() {
        let text = "# HELP microarb_quotes_total Quotes.\n\
                    # TYPE microarb_quotes_total counter\n\
                    microarb_quotes_total{venue=\"binance\"} 12\n\
                    microarb_quotes_total{venue=\"okx\"} 7 1700000000000\n\
                    microarb_kill_switch 0\n\
                    microarb_latency_seconds_bucket{metric=\"tick_to_order\",le=\"+Inf\"} 3\n\
                    x{a=\"q\\\"uo\\\\te\\nd\", b = \"2\" ,} -1.5e-3\n\
                    \n\
                    y +Inf\n";
        let s = Scrape::parse(text);
        assert_eq!(s.bad_lines, 0);
        assert_eq!(s.len(), 6);
        assert_eq!(
            s.get("microarb_quotes_total", &[("venue", "okx")]),
            Some(7.0)
        );
        assert_eq!(s.all("microarb_quotes_total").len(), 2);
        assert_eq!(s.get("microarb_kill_switch", &[]), Some(0.0));
        assert_eq!(
            s.get(
                "microarb_latency_seconds_bucket",
                &[("metric", "tick_to_order"), ("le", "+Inf")]
            ),
            Some(3.0)
        );
        let x = &s.all("x")[0];
        assert_eq!(x.label("a"), Some("q\"uo\\te\nd"));
        assert_eq!(x.label("b"), Some("2"));
        assert_eq!(x.value, -1.5e-3);
        assert_eq!(s.get("y", &[]), Some(f64::INFINITY));
        assert_eq!(s.get("absent", &[]), None);
    }

    #[test]
    fn bad_lines_are_counted_not_fatal() {
        let s = Scrape::parse(
            "ok 1\nno_value\nbad{a=\"1\" 2\nbad{a=1} 2\n9bad 1\nv 1 2 3\nv abc\nok2 2\n",
        );
        assert_eq!(s.bad_lines, 6);
        assert_eq!(s.get("ok", &[]), Some(1.0));
        assert_eq!(s.get("ok2", &[]), Some(2.0));
    }

    #[test]
    fn reads_back_what_the_engine_writes() {
        use microarb::telemetry::metrics::exposition::{Exposition, Kind};
        let mut e = Exposition::new();
        e.sample(
            "microarb_quotes_total",
            Kind::Counter,
            "Quotes.",
            &[("venue", "we\"ird\\")],
            7,
        );
        e.sample_text(
            "microarb_balance",
            Kind::Gauge,
            "B.",
            &[("venue", "v")],
            "-1.5",
        );
        let s = Scrape::parse(&e.render());
        assert_eq!(s.bad_lines, 0);
        assert_eq!(
            s.get("microarb_quotes_total", &[("venue", "we\"ird\\")]),
            Some(7.0)
        );
        assert_eq!(s.get("microarb_balance", &[("venue", "v")]), Some(-1.5));
    }
}
