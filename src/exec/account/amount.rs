//! [`Amount`]: an exact decimal as a venue wrote it (`"4723846.89208129"`, `"0.00100000"`, `1000`),
//! kept as an `i128` mantissa and the number of decimals it came with. Never `f64`.
//!
//! Why not `model::Price`/`Qty`: those are `i64` at an instrument's configured scale, for the hot
//! path. Account answers carry amounts of any asset at whatever precision the venue prints
//! (balances of 10^12 tokens with 8 decimals, steps of `0.00000001`), before anything knows the
//! scale it will be compared at. An `Amount` loses nothing; [`Amount::to_scale`] converts exactly
//! (or refuses) when a caller needs a mantissa at a given scale.

use std::fmt;

/// Most decimals an [`Amount`] keeps (more are refused, not rounded).
pub const MAX_SCALE: u8 = 30;

/// An exact non-negative or negative decimal: `mantissa / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Amount {
    /// The digits, as an integer.
    pub mantissa: i128,
    /// How many of them are decimals.
    pub scale: u8,
}

impl Amount {
    /// Zero at scale 0.
    pub const ZERO: Amount = Amount {
        mantissa: 0,
        scale: 0,
    };

    /// Parse plain decimal text: an optional `-`, digits, an optional `.` and digits. Exponents,
    /// `+`, blanks and empty text are refused (`None`), as are more than [`MAX_SCALE`] decimals
    /// and values beyond `i128`.
    pub fn parse(text: &[u8]) -> Option<Amount> {
        let (neg, digits) = match text {
            [b'-', rest @ ..] => (true, rest),
            _ => (false, text),
        };
        let mut mantissa: i128 = 0;
        let mut scale: Option<u8> = None;
        let mut any = false;
        for &c in digits {
            match c {
                b'0'..=b'9' => {
                    any = true;
                    if let Some(s) = scale.as_mut() {
                        if *s == MAX_SCALE {
                            return None;
                        }
                        *s += 1;
                    }
                    mantissa = mantissa
                        .checked_mul(10)?
                        .checked_add(i128::from(c - b'0'))?;
                }
                b'.' if scale.is_none() => scale = Some(0),
                _ => return None,
            }
        }
        if !any {
            return None;
        }
        Some(Amount {
            mantissa: if neg { -mantissa } else { mantissa },
            scale: scale.unwrap_or(0),
        })
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    /// The mantissa at `scale`, exactly: `None` when that would drop non-zero digits or overflow.
    pub fn to_scale(&self, scale: u8) -> Option<i128> {
        if scale >= self.scale {
            self.mantissa
                .checked_mul(10i128.checked_pow(u32::from(scale - self.scale))?)
        } else {
            let div = 10i128.checked_pow(u32::from(self.scale - scale))?;
            (self.mantissa % div == 0).then_some(self.mantissa / div)
        }
    }

    /// `self - other`, exactly (at the larger scale); `None` on overflow.
    pub fn checked_sub(&self, other: &Amount) -> Option<Amount> {
        let scale = self.scale.max(other.scale);
        Some(Amount {
            mantissa: self.to_scale(scale)?.checked_sub(other.to_scale(scale)?)?,
            scale,
        })
    }

    /// The same value with trailing fractional zeros dropped (`1.500` -> `1.5`, `2.0` -> `2`).
    pub fn normalized(&self) -> Amount {
        let mut a = *self;
        while a.scale > 0 && a.mantissa % 10 == 0 {
            a.mantissa /= 10;
            a.scale -= 1;
        }
        a
    }
}

impl fmt::Display for Amount {
    /// The exact decimal text at the amount's own scale (`0.00100000` stays `0.00100000`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.mantissa.unsigned_abs().to_string();
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let scale = usize::from(self.scale);
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(t: &str) -> Amount {
        Amount::parse(t.as_bytes()).unwrap()
    }

    #[test]
    fn parses_and_prints_exactly() {
        for t in [
            "0",
            "7",
            "0.00100000",
            "4723846.89208129",
            "-1.5",
            "0.000000000000000001",
        ] {
            assert_eq!(a(t).to_string(), t);
        }
        assert_eq!(a("12.").to_string(), "12");
        assert_eq!(a(".5").to_string(), "0.5");
        for bad in ["", "-", ".", "1e5", "+1", " 1", "1.2.3", "0x10", "1,5"] {
            assert_eq!(Amount::parse(bad.as_bytes()), None, "{bad:?}");
        }
        let too_fine = format!("0.{}", "1".repeat(31));
        assert_eq!(Amount::parse(too_fine.as_bytes()), None);
        let huge = "9".repeat(40);
        assert_eq!(Amount::parse(huge.as_bytes()), None);
    }

    #[test]
    fn scales_exactly_or_refuses() {
        assert_eq!(a("0.00100000").to_scale(3), Some(1));
        assert_eq!(a("0.0015").to_scale(3), None);
        assert_eq!(a("25").to_scale(2), Some(2500));
        assert_eq!(a("1.500").normalized(), a("1.5"));
        assert_eq!(a("2.000").normalized().to_string(), "2");
        assert_eq!(a("10").checked_sub(&a("0.25")), Some(a("9.75")));
        assert!(a("0").is_zero() && a("0.000").is_zero() && !a("0.001").is_zero());
    }
}
