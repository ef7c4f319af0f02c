//! Axis and legend text for a latency plot: nanoseconds in the unit a reader expects (`ns`, `µs`,
//! `ms`, `s`) and the percentile a position on HdrHistogram's `1/(1-p)` axis stands for.

/// `ns` as a short quantity with a unit: `850 ns`, `20.1 µs`, `3 ms`, `1.5 s` (three significant
/// figures at most, trailing zeros dropped).
pub fn duration(ns: f64) -> String {
    let (v, unit) = if ns >= 1e9 {
        (ns / 1e9, "s")
    } else if ns >= 1e6 {
        (ns / 1e6, "ms")
    } else if ns >= 1e3 {
        (ns / 1e3, "µs")
    } else {
        (ns, "ns")
    };
    format!("{} {unit}", three_figures(v))
}

/// The percentile at `x = 1/(1-p)`: `0%` at 1, `90%` at 10, `99.9%` at 1000.
pub fn percentile(x: f64) -> String {
    if x <= 1.0 {
        return "0%".to_string();
    }
    let p = 100.0 * (1.0 - 1.0 / x);
    // As many decimals as the nines need: 99.99 needs two.
    let decimals = (x.log10() - 2.0).ceil().clamp(0.0, 6.0) as usize;
    let text = format!("{p:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    format!("{text}%")
}

/// `v` (>= 0) with at most three significant figures, without trailing zeros.
fn three_figures(v: f64) -> String {
    let decimals = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    let t = format!("{v:.decimals$}");
    if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_the_readers_unit() {
        assert_eq!(duration(850.0), "850 ns");
        assert_eq!(duration(1_000.0), "1 µs");
        assert_eq!(duration(20_095.0), "20.1 µs");
        assert_eq!(duration(8_568_831.0), "8.57 ms");
        assert_eq!(duration(1.5e9), "1.5 s");
        assert_eq!(duration(1.0), "1 ns");
    }

    #[test]
    fn percentiles_show_their_nines() {
        assert_eq!(percentile(1.0), "0%");
        assert_eq!(percentile(2.0), "50%");
        assert_eq!(percentile(10.0), "90%");
        assert_eq!(percentile(100.0), "99%");
        assert_eq!(percentile(1_000.0), "99.9%");
        assert_eq!(percentile(10_000.0), "99.99%");
        assert_eq!(percentile(100_000.0), "99.999%");
    }
}
