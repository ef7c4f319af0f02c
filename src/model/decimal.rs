//! Decimal text <-> fixed-point mantissa, without ever passing through `f64`.
//!
//! Venues send money as decimal text: Binance as strings (`"25.35190000"`), Upbit as JSON numbers
//! that may carry an exponent (`4627000.0`, `1.5e-5`). A binary float cannot hold most of these
//! exactly, so the parser builds the `i64` mantissa digit by digit at the instrument's scale and
//! refuses what it cannot represent exactly: more significant decimals than the scale keeps, a value
//! beyond `i64`, or anything that is not a decimal number. Trailing zeros past the scale are exact
//! and accepted (`"1.50000000"` at scale 2 is 150).
//!
//! ```
//! use microarb::model::{parse_decimal, format_decimal};
//! assert_eq!(parse_decimal(b"25.3519", 8), Ok(2_535_190_000));
//! assert_eq!(parse_decimal(b"1.5e-3", 8), Ok(150_000));
//! let mut buf = [0u8; 32];
//! assert_eq!(format_decimal(2_535_190_000, 8, &mut buf), b"25.3519");
//! ```

use thiserror::Error;

/// The largest scale (decimals kept) an instrument may use: 10^18 still fits an `i64`.
pub const MAX_SCALE: u8 = 18;

/// Why a decimal string was refused. Carries only `Copy` data so the hot path can count it without
/// allocating; the caller adds the venue and field for context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum DecimalError {
    /// Nothing to parse.
    #[error("empty decimal")]
    Empty,
    /// A byte that is not part of a decimal number, at this offset.
    #[error("invalid character at byte {at}")]
    InvalidChar {
        /// Offset of the offending byte.
        at: usize,
    },
    /// No digit at all (".", "-", "e5").
    #[error("no digits")]
    NoDigits,
    /// A non-zero digit lies beyond the scale: keeping it would round.
    #[error("more than {scale} significant decimals")]
    TooManyDecimals {
        /// The scale that was asked for.
        scale: u8,
    },
    /// The value does not fit an `i64` mantissa at this scale.
    #[error("value overflows i64 at scale {scale}")]
    Overflow {
        /// The scale that was asked for.
        scale: u8,
    },
    /// The scale itself is above [`MAX_SCALE`].
    #[error("scale {0} above the maximum of 18")]
    BadScale(u8),
}

/// Parse `text` (ASCII decimal, optional sign, optional fraction, optional exponent) into a
/// mantissa with `scale` decimals. Exact or an error; never rounds, never panics, never allocates.
pub fn parse_decimal(text: &[u8], scale: u8) -> Result<i64, DecimalError> {
    if scale > MAX_SCALE {
        return Err(DecimalError::BadScale(scale));
    }
    if text.is_empty() {
        return Err(DecimalError::Empty);
    }
    let mut i = 0;
    let negative = match text[0] {
        b'-' => {
            i = 1;
            true
        }
        b'+' => {
            i = 1;
            false
        }
        _ => false,
    };
    // Mantissa digits are gathered as an unsigned integer `digits` with `frac_len` of them after the
    // point, ignoring leading zeros; the exponent then shifts the point. At most 38 significant
    // digits are kept (they fit a u128); digits beyond are only remembered as "some were non-zero"
    // and, before the point, as extra powers of ten.
    let mut digits: u128 = 0;
    let mut significant: u32 = 0;
    let mut frac_len: i64 = 0;
    let mut extra_int: i64 = 0;
    let mut dropped_nonzero = false;
    let mut any_digit = false;
    let mut seen_point = false;
    while i < text.len() {
        let c = text[i];
        match c {
            b'0'..=b'9' => {
                any_digit = true;
                let d = (c - b'0') as u128;
                if significant < 38 {
                    if digits != 0 || d != 0 {
                        digits = digits * 10 + d;
                        significant += 1;
                    }
                    if seen_point {
                        frac_len += 1;
                    }
                } else {
                    dropped_nonzero |= d != 0;
                    if !seen_point {
                        extra_int += 1;
                    }
                }
            }
            b'.' if !seen_point => seen_point = true,
            b'e' | b'E' => break,
            _ => return Err(DecimalError::InvalidChar { at: i }),
        }
        i += 1;
    }
    if !any_digit {
        return Err(DecimalError::NoDigits);
    }
    let mut exponent: i64 = 0;
    if i < text.len() {
        // text[i] is 'e' or 'E'
        i += 1;
        let mut exp_negative = false;
        if i < text.len() && (text[i] == b'-' || text[i] == b'+') {
            exp_negative = text[i] == b'-';
            i += 1;
        }
        let start = i;
        while i < text.len() {
            let c = text[i];
            if !c.is_ascii_digit() {
                return Err(DecimalError::InvalidChar { at: i });
            }
            // Exponents beyond a few hundred cannot give a representable non-zero value; saturate
            // so a long exponent string cannot overflow this counter.
            exponent = (exponent * 10 + (c - b'0') as i64).min(100_000);
            i += 1;
        }
        if i == start {
            return Err(DecimalError::NoDigits);
        }
        if exp_negative {
            exponent = -exponent;
        }
    }
    if digits == 0 {
        return Ok(0);
    }
    // value = digits * 10^(exponent - frac_len + extra_int); mantissa = value * 10^scale.
    // Out of range beats inexact: a value too large is an overflow whatever its decimals.
    let limit: u128 = if negative {
        i64::MAX as u128 + 1
    } else {
        i64::MAX as u128
    };
    let shift = exponent - frac_len + extra_int + scale as i64;
    let magnitude: u128 = if shift >= 0 {
        let mut m = digits;
        for _ in 0..shift {
            m = m.checked_mul(10).ok_or(DecimalError::Overflow { scale })?;
            if m > limit {
                return Err(DecimalError::Overflow { scale });
            }
        }
        if m > limit {
            return Err(DecimalError::Overflow { scale });
        }
        m
    } else {
        let p = -shift;
        if p > 38 {
            return Err(DecimalError::TooManyDecimals { scale });
        }
        let unit = 10u128.pow(p as u32);
        let (q, r) = (digits / unit, digits % unit);
        if q > limit {
            return Err(DecimalError::Overflow { scale });
        }
        if r != 0 || dropped_nonzero {
            return Err(DecimalError::TooManyDecimals { scale });
        }
        q
    };
    if negative {
        Ok((magnitude as i128).wrapping_neg() as i64)
    } else {
        Ok(magnitude as i64)
    }
}

/// Write `mantissa` at `scale` as the shortest exact decimal ("25.3519", "-0.5", "100") into `buf`
/// and return the written slice. `buf` must hold at least 41 bytes for any input; 32 is enough for
/// every value below 10^18 at scale 8. Used for order bytes and reports; never allocates.
///
/// # Panics
/// If `buf` is too small for the text, which is a caller bug (a fixed buffer that is too short).
pub fn format_decimal(mantissa: i64, scale: u8, buf: &mut [u8]) -> &[u8] {
    let scale = scale.min(MAX_SCALE) as u32;
    let magnitude = mantissa.unsigned_abs();
    let unit = 10u64.pow(scale);
    let (mut int, mut frac) = (magnitude / unit, magnitude % unit);
    let mut frac_len = scale as usize;
    while frac_len > 0 && frac % 10 == 0 {
        frac /= 10;
        frac_len -= 1;
    }
    // Right to left into a scratch array: fraction, point, integer part, sign.
    let mut tmp = [0u8; 48];
    let mut n = 0;
    for _ in 0..frac_len {
        tmp[n] = b'0' + (frac % 10) as u8;
        frac /= 10;
        n += 1;
    }
    if frac_len > 0 {
        tmp[n] = b'.';
        n += 1;
    }
    loop {
        tmp[n] = b'0' + (int % 10) as u8;
        int /= 10;
        n += 1;
        if int == 0 {
            break;
        }
    }
    if mantissa < 0 {
        tmp[n] = b'-';
        n += 1;
    }
    for (k, b) in buf[..n].iter_mut().enumerate() {
        *b = tmp[n - 1 - k];
    }
    &buf[..n]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(m: i64, s: u8) -> String {
        let mut b = [0u8; 48];
        String::from_utf8(format_decimal(m, s, &mut b).to_vec()).unwrap()
    }

    #[test]
    fn parses_venue_forms() {
        assert_eq!(parse_decimal(b"25.35190000", 8), Ok(2_535_190_000));
        assert_eq!(parse_decimal(b"4627000.0", 2), Ok(462_700_000));
        assert_eq!(parse_decimal(b"1.40706623", 8), Ok(140_706_623));
        assert_eq!(parse_decimal(b"1.5e-5", 8), Ok(1_500));
        assert_eq!(parse_decimal(b"1E+2", 0), Ok(100));
        assert_eq!(parse_decimal(b"-0.5", 1), Ok(-5));
        assert_eq!(parse_decimal(b"0", 8), Ok(0));
        assert_eq!(parse_decimal(b"0.000", 0), Ok(0));
        assert_eq!(parse_decimal(b"00012", 0), Ok(12));
        assert_eq!(parse_decimal(b".5", 1), Ok(5));
        assert_eq!(parse_decimal(b"5.", 1), Ok(50));
        assert_eq!(parse_decimal(b"9223372036854775807", 0), Ok(i64::MAX));
        assert_eq!(parse_decimal(b"-9223372036854775808", 0), Ok(i64::MIN));
        // More than 38 significant digits, brought back into range by the exponent.
        let long = format!("1{}e-30", "0".repeat(40));
        assert_eq!(parse_decimal(long.as_bytes(), 0), Ok(10_000_000_000));
        let inexact = format!("1{}1e-30", "0".repeat(40));
        assert_eq!(
            parse_decimal(inexact.as_bytes(), 0),
            Err(DecimalError::TooManyDecimals { scale: 0 })
        );
    }

    #[test]
    fn refuses_what_it_cannot_hold() {
        assert_eq!(parse_decimal(b"", 8), Err(DecimalError::Empty));
        assert_eq!(
            parse_decimal(b"1.2.3", 8),
            Err(DecimalError::InvalidChar { at: 3 })
        );
        assert_eq!(
            parse_decimal(b"abc", 8),
            Err(DecimalError::InvalidChar { at: 0 })
        );
        assert_eq!(parse_decimal(b".", 8), Err(DecimalError::NoDigits));
        assert_eq!(parse_decimal(b"-", 8), Err(DecimalError::NoDigits));
        assert_eq!(parse_decimal(b"1e", 8), Err(DecimalError::NoDigits));
        assert_eq!(
            parse_decimal(b"0.123", 2),
            Err(DecimalError::TooManyDecimals { scale: 2 })
        );
        assert_eq!(
            parse_decimal(b"9223372036854775808", 0),
            Err(DecimalError::Overflow { scale: 0 })
        );
        assert_eq!(
            parse_decimal(b"1e30", 0),
            Err(DecimalError::Overflow { scale: 0 })
        );
        assert_eq!(
            parse_decimal(b"1e-99999999999999999999", 0),
            Err(DecimalError::TooManyDecimals { scale: 0 })
        );
        assert_eq!(parse_decimal(b"1", 19), Err(DecimalError::BadScale(19)));
        assert_eq!(
            parse_decimal(b"100000000000000000000000000000000000000000000", 0),
            Err(DecimalError::Overflow { scale: 0 })
        );
    }

    #[test]
    fn formats_shortest_exact() {
        assert_eq!(fmt(2_535_190_000, 8), "25.3519");
        assert_eq!(fmt(0, 8), "0");
        assert_eq!(fmt(5, 3), "0.005");
        assert_eq!(fmt(-5, 1), "-0.5");
        assert_eq!(fmt(100, 0), "100");
        assert_eq!(fmt(100_000_000, 8), "1");
        assert_eq!(fmt(i64::MIN, 0), "-9223372036854775808");
        assert_eq!(fmt(i64::MAX, 18), "9.223372036854775807");
        assert_eq!(fmt(1, 18), "0.000000000000000001");
    }
}
