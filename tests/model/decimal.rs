//! The fixed-point parser against a decimal reference, over random decimal texts.
//!
//! The reference works on the digit string itself: it moves the decimal point by the exponent and
//! the scale, then either the digits that fall behind the point are all zeros (exact) or the text
//! has too many decimals; what remains must fit an i64.

use microarb::model::{format_decimal, parse_decimal, DecimalError};
use proptest::prelude::*;

/// Reference: `Ok(mantissa)` or which kind of refusal.
fn reference(neg: bool, int: &str, frac: &str, exp: i32, scale: u8) -> Result<i64, &'static str> {
    let digits: String = format!("{int}{frac}");
    // value = digits * 10^(exp - frac.len()); mantissa = value * 10^scale
    let shift = exp as i64 - frac.len() as i64 + scale as i64;
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() {
        return Ok(0);
    }
    let whole: String = if shift >= 0 {
        if trimmed.len() as i64 + shift > 19 {
            return Err("overflow");
        }
        format!("{trimmed}{}", "0".repeat(shift as usize))
    } else {
        let cut = (-shift) as usize;
        if cut >= trimmed.len() {
            return Err("decimals"); // non-zero digits all behind the point
        }
        let (keep, dropped) = trimmed.split_at(trimmed.len() - cut);
        // Out of range beats inexact.
        let keep_mag: u128 = keep.parse().unwrap_or(u128::MAX);
        let limit = if neg {
            i64::MAX as u128 + 1
        } else {
            i64::MAX as u128
        };
        if keep.len() > 19 || keep_mag > limit {
            return Err("overflow");
        }
        if dropped.bytes().any(|b| b != b'0') {
            return Err("decimals");
        }
        keep.to_string()
    };
    let mag: u128 = whole.parse().map_err(|_| "overflow")?;
    if neg {
        if mag > i64::MAX as u128 + 1 {
            return Err("overflow");
        }
        Ok((mag as i128).wrapping_neg() as i64)
    } else if mag > i64::MAX as u128 {
        Err("overflow")
    } else {
        Ok(mag as i64)
    }
}

fn kind(r: Result<i64, DecimalError>) -> Result<i64, &'static str> {
    r.map_err(|e| match e {
        DecimalError::Overflow { .. } => "overflow",
        DecimalError::TooManyDecimals { .. } => "decimals",
        _ => "other",
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn parser_matches_reference(
        neg in any::<bool>(),
        int in "[0-9]{0,24}",
        frac in "[0-9]{0,24}",
        exp in proptest::option::of(-25i32..25),
        scale in 0u8..=18,
    ) {
        prop_assume!(!(int.is_empty() && frac.is_empty()));
        let mut text = String::new();
        if neg { text.push('-'); }
        text.push_str(&int);
        if !frac.is_empty() { text.push('.'); text.push_str(&frac); }
        if let Some(e) = exp { text.push_str(&format!("e{e}")); }
        let got = kind(parse_decimal(text.as_bytes(), scale));
        let want = reference(neg, &int, &frac, exp.unwrap_or(0), scale);
        prop_assert_eq!(got, want, "text {} scale {}", text, scale);
    }

    #[test]
    fn format_then_parse_round_trips(m in any::<i64>(), scale in 0u8..=18) {
        let mut buf = [0u8; 48];
        let text = format_decimal(m, scale, &mut buf).to_vec();
        prop_assert_eq!(parse_decimal(&text, scale), Ok(m));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..40), scale in 0u8..=20) {
        let _ = parse_decimal(&bytes, scale);
    }
}
