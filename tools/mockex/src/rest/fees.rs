//! The mock's taker fee: what each execution costs and in which asset, the way each venue
//! charges it (their fee pages): Binance, Bybit and OKX take the fee from the asset received (the
//! base on a buy, the quote on a sell); Upbit always charges the market's quote currency (KRW).
//!
//! The rate is `rest_fee_bps` per venue (`MockConfig`, none: no fee, and the venues' fee fields
//! read 0). The fee is rounded up to 8 decimals, the precision the venues report commissions in,
//! and kept at the account's scale (price scale + qty scale) so it moves balances exactly.

/// A venue's fee rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct FeeModel {
    /// Taker fee, basis points.
    pub bps: u32,
    /// Charge the quote asset whatever the side (Upbit).
    pub always_quote: bool,
}

/// Decimals venues report commissions in.
const FEE_DECIMALS: u32 = 8;

impl FeeModel {
    /// The fee of one execution that moved `base` (base asset) and `quote` (quote asset), both at
    /// the account scale `scale`: (charged in the quote asset?, amount at `scale`).
    pub fn charge(&self, buy: bool, base: i128, quote: i128, scale: u32) -> (bool, i128) {
        let in_quote = self.always_quote || !buy;
        let on = if in_quote { quote } else { base };
        if self.bps == 0 || on <= 0 {
            return (in_quote, 0);
        }
        let raw = on * i128::from(self.bps);
        let mut fee = raw / 10_000 + i128::from(raw % 10_000 != 0);
        if scale > FEE_DECIMALS {
            let unit = 10i128.pow(scale - FEE_DECIMALS);
            fee = (fee + unit - 1) / unit * unit;
        }
        (in_quote, fee)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn received_asset_rounded_up_to_eight_decimals() {
        let m = FeeModel {
            bps: 10,
            always_quote: false,
        };
        // Buy 1.5 (scale 10): fee 0.0015 of the base.
        assert_eq!(m.charge(true, 15_000_000_000, 0, 10), (false, 15_000_000));
        // Sell for 3.00000001 (scale 10): 0.00300000001 rounds up to 0.00300001.
        assert_eq!(m.charge(false, 0, 30_000_000_100, 10), (true, 30_000_100));
        let upbit = FeeModel {
            bps: 5,
            always_quote: true,
        };
        assert_eq!(upbit.charge(true, 1, 20_000, 2), (true, 10));
        assert_eq!(FeeModel::default().charge(true, 100, 100, 2), (false, 0));
    }
}
