//! Fixed-point rescaling shared by the stage's files (answers, trade records): one mantissa from
//! one decimal scale to another, never through `f64`.

/// A mantissa at `from` decimals to `to` decimals, rounded `up` (away from zero) or toward zero,
/// saturating at the `i64` range.
pub(crate) fn to_scale(v: i128, from: u8, to: u8, up: bool) -> i64 {
    let r = if from <= to {
        v.saturating_mul(10i128.pow(u32::from(to - from)))
    } else {
        let d = 10i128.pow(u32::from((from - to).min(38)));
        let q = v / d;
        if up && v % d != 0 {
            q + v.signum()
        } else {
            q
        }
    };
    r.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}
