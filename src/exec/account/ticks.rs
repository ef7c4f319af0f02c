//! Price-dependent tick tables: Upbit's KRW and USDT markets step prices by bands, so a rule is a
//! table, not one number.
//!
//! Sources (Upbit developer center):
//! - KRW: "원화(KRW) 마켓 주문 가격 단위 / 최소 주문 가능 금액" (docs.upbit.com/kr/docs/krw-market-info,
//!   updated 2026-05-04, the policy in force since 2025-07-31). Only the bands from 100 KRW up
//!   could be read from the copy available when this was written; below 100 KRW the table says
//!   nothing here ([`tick_at`] answers `None`) rather than guess. Upbit also lists per-pair
//!   exceptions (USDT/KRW and USDC/KRW since 2025-03-21): the per-pair truth is its public
//!   `GET /v1/orderbook/instruments` (`tick_size`), which the venue-truth work should prefer.
//! - USDT: "USDT 마켓 주문 가격 단위" (docs.upbit.com/docs/usdt-market-info, policy of 2024-08-19).
//! - BTC markets have one tick, 0.00000001 BTC, at every price (docs.upbit.com/docs/btc-market-info).

use super::amount::Amount;

/// From `from` (inclusive) up to the next higher band, prices step by `tick`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceBand {
    /// Lowest price of the band.
    pub from: Amount,
    /// Its tick.
    pub tick: Amount,
}

const fn band(
    from_mantissa: i128,
    from_scale: u8,
    tick_mantissa: i128,
    tick_scale: u8,
) -> PriceBand {
    PriceBand {
        from: Amount {
            mantissa: from_mantissa,
            scale: from_scale,
        },
        tick: Amount {
            mantissa: tick_mantissa,
            scale: tick_scale,
        },
    }
}

/// Upbit KRW market bands, highest first (from 100 KRW up; see the module doc).
pub const UPBIT_KRW: &[PriceBand] = &[
    band(2_000_000, 0, 1000, 0),
    band(1_000_000, 0, 1000, 0),
    band(500_000, 0, 500, 0),
    band(100_000, 0, 100, 0),
    band(50_000, 0, 50, 0),
    band(10_000, 0, 10, 0),
    band(5_000, 0, 5, 0),
    band(1_000, 0, 1, 0),
    band(100, 0, 1, 0),
];

/// Upbit USDT market bands, highest first, down to zero.
pub const UPBIT_USDT: &[PriceBand] = &[
    band(10, 0, 1, 2),
    band(1, 0, 1, 3),
    band(1, 1, 1, 4),
    band(1, 2, 1, 5),
    band(1, 3, 1, 6),
    band(1, 4, 1, 7),
    band(0, 0, 1, 8),
];

/// Upbit BTC markets' single tick (0.00000001 BTC).
pub const UPBIT_BTC_TICK: Amount = Amount {
    mantissa: 1,
    scale: 8,
};

/// The tick of the first band (highest first) whose `from` is at most `price`; `None` when the
/// price is below every band or cannot be compared.
pub fn tick_at(bands: &[PriceBand], price: &Amount) -> Option<Amount> {
    bands
        .iter()
        .find(|b| {
            let s = b.from.scale.max(price.scale);
            matches!((price.to_scale(s), b.from.to_scale(s)), (Some(p), Some(f)) if p >= f)
        })
        .map(|b| b.tick)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(t: &str) -> Amount {
        Amount::parse(t.as_bytes()).unwrap()
    }

    #[test]
    fn krw_bands() {
        let t = |p: &str| tick_at(UPBIT_KRW, &a(p)).map(|t| t.to_string());
        assert_eq!(t("95000000").as_deref(), Some("1000"));
        assert_eq!(t("1999999").as_deref(), Some("1000"));
        assert_eq!(t("999999.5").as_deref(), Some("500"));
        assert_eq!(t("100000").as_deref(), Some("100"));
        assert_eq!(t("99999").as_deref(), Some("50"));
        assert_eq!(t("20000").as_deref(), Some("10"));
        assert_eq!(t("5000").as_deref(), Some("5"));
        assert_eq!(t("4999").as_deref(), Some("1"));
        assert_eq!(t("100").as_deref(), Some("1"));
        assert_eq!(t("99.9"), None, "below the documented bands");
    }

    #[test]
    fn usdt_bands_cover_every_price() {
        let t = |p: &str| tick_at(UPBIT_USDT, &a(p)).map(|t| t.to_string());
        assert_eq!(t("65000.12").as_deref(), Some("0.01"));
        assert_eq!(t("9.999").as_deref(), Some("0.001"));
        assert_eq!(t("0.5").as_deref(), Some("0.0001"));
        assert_eq!(t("0.00005").as_deref(), Some("0.00000001"));
        assert_eq!(t("0").as_deref(), Some("0.00000001"));
    }
}
