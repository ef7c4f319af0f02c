//! Fixed-point money. A `Price` and a `Qty` are `i64` mantissas at the instrument's scale
//! (`price_scale`, `qty_scale` in the config); distinct types so a quantity is never added to a
//! price. Products (notional) are taken in `i128` so they cannot overflow.

use super::decimal::{parse_decimal, DecimalError};

/// Number of decimals a mantissa keeps (`8` means units of 1e-8).
pub type Scale = u8;

/// A price as a fixed-point mantissa at the instrument's `price_scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Price(pub i64);

/// A quantity as a fixed-point mantissa at the instrument's `qty_scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Qty(pub i64);

impl Price {
    /// Zero: "no price" in a one-sided book.
    pub const ZERO: Price = Price(0);

    /// Parse decimal text at `scale`, exactly (see [`parse_decimal`]).
    #[inline]
    pub fn parse(text: &[u8], scale: Scale) -> Result<Price, DecimalError> {
        parse_decimal(text, scale).map(Price)
    }
}

impl Qty {
    /// Zero quantity.
    pub const ZERO: Qty = Qty(0);

    /// Parse decimal text at `scale`, exactly (see [`parse_decimal`]).
    #[inline]
    pub fn parse(text: &[u8], scale: Scale) -> Result<Qty, DecimalError> {
        parse_decimal(text, scale).map(Qty)
    }

    /// Round down to a whole number of `lot`s (`lot` at the same scale; a lot <= 0 leaves it as is).
    #[inline]
    pub fn round_down_to(self, lot: Qty) -> Qty {
        if lot.0 <= 0 {
            return self;
        }
        Qty(self.0 - self.0.rem_euclid(lot.0))
    }
}

/// Notional `px * qty` as an `i128` mantissa at scale `price_scale + qty_scale`.
#[inline]
pub fn notional(px: Price, qty: Qty) -> i128 {
    px.0 as i128 * qty.0 as i128
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lot_rounding() {
        assert_eq!(Qty(123_456).round_down_to(Qty(1_000)), Qty(123_000));
        assert_eq!(Qty(999).round_down_to(Qty(1_000)), Qty(0));
        assert_eq!(Qty(5).round_down_to(Qty(0)), Qty(5));
    }

    #[test]
    fn notional_is_wide() {
        assert_eq!(notional(Price(i64::MAX), Qty(2)), i64::MAX as i128 * 2);
    }
}
