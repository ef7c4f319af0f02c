//! The percentile distribution (`.hgrm`) in the layout of HdrHistogram's
//! `outputPercentileDistribution`, which the HdrHistogram plotters take. Values are written in
//! microseconds (the histograms hold nanoseconds; scaling ratio 1000).

use std::fmt::Write;

use hdrhistogram::Histogram;

/// Render `h` (ns) as `.hgrm` text in microseconds, 5 ticks per half-distance as Java does.
pub fn render(h: &Histogram<u64>) -> String {
    let scale = 1000.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:>12} {:>14} {:>10} {:>14}\n",
        "Value", "Percentile", "TotalCount", "1/(1-Percentile)"
    );
    let mut total: u64 = 0;
    if !h.is_empty() {
        for v in h.iter_quantiles(5) {
            total += v.count_since_last_iteration();
            let q = v.quantile_iterated_to();
            let value = h.highest_equivalent(v.value_iterated_to()) as f64 / scale;
            if q < 1.0 {
                let _ = writeln!(
                    s,
                    "{:>12.3} {:>2.12} {:>10} {:>14.2}",
                    value,
                    q,
                    total,
                    1.0 / (1.0 - q)
                );
            } else {
                let _ = writeln!(s, "{:>12.3} {:>2.12} {:>10}", value, q, h.len());
            }
        }
    }
    let _ = writeln!(
        s,
        "#[Mean    = {:>12.3}, StdDeviation   = {:>12.3}]",
        h.mean() / scale,
        h.stdev() / scale
    );
    let _ = writeln!(
        s,
        "#[Max     = {:>12.3}, Total count    = {:>12}]",
        h.max() as f64 / scale,
        h.len()
    );
    let _ = writeln!(
        s,
        "#[Buckets = {:>12}, SubBuckets     = {:>12}]",
        h.buckets(),
        1u64 << (2.0 * 10f64.powi(h.sigfig() as i32)).log2().ceil() as u32
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_hdrhistogram() {
        let mut h = crate::telemetry::metric::new_histogram();
        for v in 1..=1000u64 {
            h.record(v * 1000).unwrap();
        }
        let text = render(&h);
        let mut lines = text.lines();
        assert!(lines
            .next()
            .unwrap()
            .contains("Value     Percentile TotalCount 1/(1-Percentile)"));
        assert_eq!(lines.next(), Some(""));
        let first: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
        assert_eq!(first[0], "1.000");
        assert!(
            text.contains("#[Max     =        1000.447, Total count    =         1000]")
                || text.contains("Total count    =         1000]")
        );
        assert!(text.contains("SubBuckets     =         2048]"));
        let last_data = text
            .lines()
            .rfind(|l| !l.starts_with('#') && !l.is_empty())
            .unwrap();
        assert!(last_data.contains("1.000000000000"), "{last_data}");
        assert!(last_data.trim_end().ends_with("1000"));
    }
}
