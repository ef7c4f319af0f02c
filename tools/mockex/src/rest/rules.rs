//! An instrument's trading rules on the mock exchange: price tick, quantity step, minimum
//! quantity and minimum notional, configurable per venue ([`InstrumentRules`]), with defaults
//! every order passes. Served on each venue's instrument endpoint and enforced on every order
//! placement (an off-rule order is refused as the venue refuses it, and counted in
//! `rest_rule_rejects`). Upbit's KRW markets take their
//! tick from the price band instead (docs.upbit.com "원화 마켓 주문 가격 단위": 1 000 KRW at 2 000 000
//! and above ... 1 KRW from 100 to 10 000 (100-1 000 changed from 0.1 to 1 in October 2024) ...
//! 0.00000001 below 0.0001).

use super::answer::Rule;
use crate::decimal::parse_decimal;
use crate::format::Scales;

/// One instrument's rules, as decimal text (`"0.01"`), read at the instrument's scales.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstrumentRules {
    /// Price tick (`None`: one unit of the price scale).
    pub tick: Option<String>,
    /// Quantity step (`None`: one unit of the qty scale).
    pub step: Option<String>,
    /// Minimum quantity (`None`: one step).
    pub min_qty: Option<String>,
    /// Minimum price x quantity, in the quote asset (`None`: no minimum).
    pub min_notional: Option<String>,
}

impl Default for InstrumentRules {
    /// Rules every order passes.
    fn default() -> Self {
        InstrumentRules {
            tick: None,
            step: None,
            min_qty: None,
            min_notional: None,
        }
    }
}

/// Rules as mantissas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rules {
    /// Tick, price mantissa.
    pub tick: i64,
    /// Step, qty mantissa.
    pub step: i64,
    /// Minimum quantity, qty mantissa.
    pub min_qty: i64,
    /// Minimum notional, at the quote scale.
    pub min_notional: i128,
    /// Upbit KRW market: the tick comes from the price band.
    pub krw_bands: bool,
    /// Price scale.
    pub price_scale: u8,
}

/// Upbit's KRW tick for a price of `whole` KRW and more, in KRW x 10^8, highest band first
/// (digits grouped as whole KRW, then the 8 decimals).
#[allow(clippy::inconsistent_digit_grouping)]
const KRW_BANDS: [(i64, i64); 14] = [
    (2_000_000_00000000, 1_000_00000000),
    (1_000_000_00000000, 500_00000000),
    (500_000_00000000, 100_00000000),
    (100_000_00000000, 50_00000000),
    (10_000_00000000, 10_00000000),
    (1_000_00000000, 1_00000000),
    (100_00000000, 1_00000000),
    (10_00000000, 1_000000),
    (1_00000000, 100000),
    (10000000, 10000),
    (1000000, 1000),
    (100000, 100),
    (10000, 10),
    (0, 1),
];

/// Plain decimal text (`5`, `0.001`) as a wide mantissa at `scale`: `None` when it is not one,
/// is negative, or has non-zero digits beyond the scale.
fn parse_wide(t: &str, scale: u32) -> Option<i128> {
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let keep = frac.len().min(scale as usize);
    if frac[keep..].bytes().any(|b| b != b'0') {
        return None;
    }
    let int: i128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let f: i128 = if keep == 0 {
        0
    } else {
        frac[..keep].parse().ok()?
    };
    let unit = 10i128.checked_pow(scale)?;
    int.checked_mul(unit)?
        .checked_add(f * 10i128.pow(scale - keep as u32))
}

impl Rules {
    /// `r` at scales `s`; `krw_bands` for an Upbit KRW market. `None` when a value does not read.
    pub fn new(r: &InstrumentRules, s: Scales, krw_bands: bool) -> Option<Rules> {
        let read = |v: &Option<String>, scale, default: i64| match v {
            None => Some(default),
            Some(t) => parse_decimal(t.as_bytes(), scale).filter(|m| *m > 0),
        };
        let step = read(&r.step, s.qty, 1)?;
        let min_notional = match &r.min_notional {
            None => 0,
            Some(t) => parse_wide(t, u32::from(s.price) + u32::from(s.qty))?,
        };
        Some(Rules {
            tick: read(&r.tick, s.price, 1)?,
            step,
            min_qty: read(&r.min_qty, s.qty, step)?,
            min_notional,
            krw_bands,
            price_scale: s.price,
        })
    }

    /// The tick at price `px` (Upbit KRW: its band's).
    pub fn tick_at(&self, px: i64) -> i64 {
        if !self.krw_bands {
            return self.tick;
        }
        // Band table is at scale 8; bring it to the price scale.
        let to = |v: i64| -> i64 {
            let ps = i32::from(self.price_scale);
            if ps >= 8 {
                v.saturating_mul(10i64.pow((ps - 8) as u32))
            } else {
                (v / 10i64.pow((8 - ps) as u32)).max(1)
            }
        };
        KRW_BANDS
            .iter()
            .find(|(from, _)| px >= to(*from))
            .map_or(1, |(_, t)| to(*t))
    }

    /// Check an order of `qty` at `px` against the rules.
    pub fn check(&self, px: i64, qty: i64) -> Result<(), Rule> {
        if px % self.tick_at(px) != 0 {
            return Err(Rule::Tick);
        }
        if qty < self.min_qty {
            return Err(Rule::MinQty);
        }
        if qty % self.step != 0 {
            return Err(Rule::Step);
        }
        if i128::from(px) * i128::from(qty) < self.min_notional {
            return Err(Rule::MinNotional);
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)] // whole units, then the 8 decimals
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_and_coarse_rules_refuse() {
        let s = Scales { price: 8, qty: 8 };
        let any = Rules::new(&InstrumentRules::default(), s, false).unwrap();
        assert_eq!(any.check(6_000_000_000_001, 1), Ok(()));
        let r = InstrumentRules {
            tick: Some("0.01".into()),
            step: Some("0.0001".into()),
            min_qty: Some("0.001".into()),
            min_notional: Some("5".into()),
        };
        let r = Rules::new(&r, s, false).unwrap();
        let px = 60_000_00000000;
        assert_eq!(
            r.check(px, 100_000),
            Ok(()),
            "0.001 BTC at 60000 is 60 USDT"
        );
        assert_eq!(r.check(px + 1, 100_000), Err(Rule::Tick));
        assert_eq!(r.check(px, 10_000), Err(Rule::MinQty));
        assert_eq!(r.check(px, 100_001), Err(Rule::Step));
        assert_eq!(r.check(1_00000000, 100_000), Err(Rule::MinNotional));
        assert_eq!(parse_wide("5000", 16), Some(5000 * 10i128.pow(16)));
        assert_eq!(parse_wide("0.25", 2), Some(25));
        assert_eq!(parse_wide("0.255", 2), None);
        assert_eq!(parse_wide("-1", 2), None);
        let bad = InstrumentRules {
            tick: Some("x".into()),
            ..InstrumentRules::default()
        };
        assert_eq!(Rules::new(&bad, s, false), None);
    }

    #[test]
    fn upbit_krw_bands() {
        let s = Scales { price: 8, qty: 8 };
        let r = Rules::new(&InstrumentRules::default(), s, true).unwrap();
        assert_eq!(r.tick_at(95_000_000_00000000), 1_000_00000000);
        assert_eq!(r.tick_at(1_500_000_00000000), 500_00000000);
        assert_eq!(r.tick_at(5_000_00000000), 1_00000000);
        assert_eq!(r.tick_at(50_00000000), 1_000000);
        assert_eq!(r.check(95_000_500_00000000, 1), Err(Rule::Tick));
        assert_eq!(r.check(95_001_000_00000000, 1), Ok(()));
        let s2 = Scales { price: 0, qty: 8 };
        let r2 = Rules::new(&InstrumentRules::default(), s2, true).unwrap();
        assert_eq!(r2.tick_at(95_000_000), 1000);
        assert_eq!(r2.tick_at(50), 1, "below the scale's unit: one unit");
    }
}
