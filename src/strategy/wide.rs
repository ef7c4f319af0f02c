//! Exact 256-bit products of two `u128`s, for comparing fee-adjusted price ratios.
//!
//! The detector ranks buy/sell pairs by `proceeds / cost`, where `cost = ask * (1e6 + fee)` and
//! `proceeds = bid * (1e6 - fee)` are each below 2^85 (an `i64` mantissa times a factor below
//! 2^21). Comparing two ratios by cross-multiplication (`p1 * c2` vs `p2 * c1`) needs up to 170
//! bits, more than `i128` holds, so this module multiplies exactly into a `(hi, lo)` pair of
//! `u128`s (four 64x64 -> 128 partial products, schoolbook) and compares those. No allocation, no
//! branches on data beyond the carries, a handful of instructions.

/// A 256-bit unsigned value as `(high 128 bits, low 128 bits)`; tuples compare lexicographically,
/// which is the numeric order.
pub type U256 = (u128, u128);

/// `a * b` exactly, as 256 bits.
#[inline]
pub fn mul_wide(a: u128, b: u128) -> U256 {
    const MASK: u128 = u64::MAX as u128;
    let (a1, a0) = (a >> 64, a & MASK);
    let (b1, b0) = (b >> 64, b & MASK);
    // Each partial product fits u128: (2^64 - 1)^2 < 2^128.
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    // Middle column: high half of p00 plus the low halves of the cross terms, at most 3 * 2^64.
    let mid = (p00 >> 64) + (p01 & MASK) + (p10 & MASK);
    let lo = (p00 & MASK) | (mid << 64);
    let hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (hi, lo)
}

/// Order of `a * b` against `c * d`, exactly.
#[inline]
pub fn cmp_products(a: u128, b: u128, c: u128, d: u128) -> core::cmp::Ordering {
    mul_wide(a, b).cmp(&mul_wide(c, d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reference: shift-and-add over the bits of `b`, in 256 bits; slow but obviously right.
    fn mul_ref(a: u128, b: u128) -> U256 {
        let mut acc: U256 = (0, 0);
        let mut shifted: U256 = (0, a);
        for bit in 0..128 {
            if (b >> bit) & 1 == 1 {
                let (lo, carry) = acc.1.overflowing_add(shifted.1);
                acc = (acc.0 + shifted.0 + carry as u128, lo);
            }
            shifted = ((shifted.0 << 1) | (shifted.1 >> 127), shifted.1 << 1);
        }
        acc
    }

    #[test]
    fn edges() {
        assert_eq!(mul_wide(0, u128::MAX), (0, 0));
        assert_eq!(mul_wide(1, u128::MAX), (0, u128::MAX));
        assert_eq!(mul_wide(u128::MAX, u128::MAX), (u128::MAX - 1, 1));
        assert_eq!(mul_wide(1 << 64, 1 << 64), (1, 0));
        assert_eq!(
            mul_wide(u64::MAX as u128, u64::MAX as u128),
            (0, (u64::MAX as u128).pow(2))
        );
        assert_eq!(
            cmp_products(1 << 100, 3, 3 << 50, 1 << 50),
            core::cmp::Ordering::Equal
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn matches_shift_and_add(a in any::<u128>(), b in any::<u128>()) {
            prop_assert_eq!(mul_wide(a, b), mul_ref(a, b));
        }

        #[test]
        fn agrees_with_u128_when_small(a in any::<u64>(), b in any::<u64>()) {
            prop_assert_eq!(mul_wide(a as u128, b as u128), (0, a as u128 * b as u128));
        }
    }
}
