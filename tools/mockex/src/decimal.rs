//! The mock exchange's own fixed-point decimals: a mantissa (`i64`) at a scale (decimals kept).
//! It writes the venues' decimal text (shortest exact form: `60000.01`, `1.5`, `100`) and reads
//! order parameters back, exactly, never through `f64`. Independent of the engine's decimal code
//! on purpose: the mock checks what the engine sends, so it must not share its parser.

/// Decimals a mantissa keeps (price or quantity scale); at most [`MAX_SCALE`].
pub type Scale = u8;

/// The largest scale: 10^18 still fits an `i64`.
pub const MAX_SCALE: Scale = 18;

/// Append `mantissa` at `scale` as the shortest exact decimal text to `out`.
pub fn write_decimal(out: &mut Vec<u8>, mantissa: i64, scale: Scale) {
    let scale = u32::from(scale.min(MAX_SCALE));
    let unit = 10u64.pow(scale);
    let magnitude = mantissa.unsigned_abs();
    let (int, mut frac) = (magnitude / unit, magnitude % unit);
    if mantissa < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(int.to_string().as_bytes());
    if frac == 0 {
        return;
    }
    let mut digits = scale as usize;
    while frac % 10 == 0 {
        frac /= 10;
        digits -= 1;
    }
    out.push(b'.');
    out.extend_from_slice(format!("{frac:0digits$}").as_bytes());
}

/// `mantissa` at `scale` as decimal text (see [`write_decimal`]).
pub fn decimal_string(mantissa: i64, scale: Scale) -> String {
    let mut out = Vec::with_capacity(24);
    write_decimal(&mut out, mantissa, scale);
    // Only ASCII digits, '-' and '.' were written.
    String::from_utf8(out).unwrap_or_default()
}

/// Read plain decimal text (`-12.5`, `0.01`, `100`; no exponent) as a mantissa at `scale`.
/// `None` when it is not such a number, has non-zero digits beyond the scale, or overflows.
pub fn parse_decimal(text: &[u8], scale: Scale) -> Option<i64> {
    if scale > MAX_SCALE {
        return None;
    }
    let (negative, body) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let (int, frac) = match body.iter().position(|&b| b == b'.') {
        Some(i) => (&body[..i], &body[i + 1..]),
        None => (body, &b""[..]),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.iter().chain(frac).all(u8::is_ascii_digit) {
        return None;
    }
    let keep = frac.len().min(scale as usize);
    if frac[keep..].iter().any(|&d| d != b'0') {
        return None;
    }
    let mut m: i128 = 0;
    for &d in int.iter().chain(&frac[..keep]) {
        m = m.checked_mul(10)?.checked_add(i128::from(d - b'0'))?;
        if m > i128::from(i64::MAX) + 1 {
            return None;
        }
    }
    for _ in keep..scale as usize {
        m = m.checked_mul(10)?;
    }
    let m = if negative { -m } else { m };
    i64::try_from(m).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_shortest_exact_text() {
        assert_eq!(decimal_string(6_000_001_000_000, 8), "60000.01");
        assert_eq!(decimal_string(150_000_000, 8), "1.5");
        assert_eq!(decimal_string(1, 8), "0.00000001");
        assert_eq!(decimal_string(100, 0), "100");
        assert_eq!(decimal_string(-50, 2), "-0.5");
        assert_eq!(decimal_string(0, 8), "0");
        assert_eq!(decimal_string(i64::MIN, 0), i64::MIN.to_string());
    }

    #[test]
    fn reads_exactly_or_refuses() {
        assert_eq!(parse_decimal(b"100.25", 2), Some(10_025));
        assert_eq!(parse_decimal(b"0.5", 1), Some(5));
        assert_eq!(parse_decimal(b"1.50000000", 2), Some(150));
        assert_eq!(parse_decimal(b"-3", 2), Some(-300));
        assert_eq!(parse_decimal(b".5", 1), Some(5));
        assert_eq!(parse_decimal(b"1.255", 2), None, "would round");
        assert_eq!(parse_decimal(b"", 2), None);
        assert_eq!(parse_decimal(b".", 2), None);
        assert_eq!(parse_decimal(b"1e3", 2), None);
        assert_eq!(parse_decimal(b"99999999999999999999", 0), None, "overflow");
        assert_eq!(parse_decimal(b"1", 19), None);
    }

    proptest::proptest! {
        #[test]
        fn write_then_read_is_identity(m in proptest::num::i64::ANY, scale in 0u8..=18) {
            let text = decimal_string(m, scale);
            proptest::prop_assert_eq!(parse_decimal(text.as_bytes(), scale), Some(m));
        }
    }
}
