//! One venue's account on the mock exchange: free and locked balances of the synthetic
//! instrument's two assets, moved by the orders on its book (`ledger`). A new order locks what it
//! could spend (a buy `price x qty` of the quote asset, a sell `qty` of the base asset) or is
//! refused when that is not free; each execution spends from the lock and credits the other asset
//! (a buy that executes below its limit gets the difference back); what an order leaves unexecuted
//! when it closes is unlocked. A venue with a fee rate (`fees`) is charged its fee on each
//! execution, from the asset the venue charges.
//!
//! Amounts are `i128` mantissas at the quote scale (price scale + qty scale) for both assets, so a
//! base quantity is its qty mantissa times `10^price_scale`.

use std::collections::BTreeMap;

use crate::format::Scales;

/// Starting balances of one venue's account, in whole units of each asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountConfig {
    /// The base asset (`BTC`).
    pub base: String,
    /// The quote asset (`USDT`, `KRW`).
    pub quote: String,
    /// Starting free balance of the base asset, whole units.
    pub base_balance: u64,
    /// Starting free balance of the quote asset, whole units.
    pub quote_balance: u64,
}

/// The quote assets a symbol written without a separator may end with (Binance, Bybit).
const QUOTES: [&str; 8] = ["USDT", "USDC", "FDUSD", "BUSD", "KRW", "EUR", "BTC", "ETH"];

impl AccountConfig {
    /// One million of the base asset and a trillion of the quote asset: more than any test spends.
    pub const DEFAULT_BASE: u64 = 1_000_000;
    /// See [`AccountConfig::DEFAULT_BASE`].
    pub const DEFAULT_QUOTE: u64 = 1_000_000_000_000;

    /// The default account for `symbol` as a venue spells it (`BTCUSDT`, `BTC-USDT`, Upbit's
    /// quote-first `USDT-BTC` when `quote_first`).
    pub fn for_symbol(symbol: &str, quote_first: bool) -> AccountConfig {
        let (base, quote) = match symbol.split_once('-') {
            Some((a, b)) if quote_first => (b, a),
            Some((a, b)) => (a, b),
            None => QUOTES
                .iter()
                .find_map(|q| symbol.strip_suffix(q).map(|b| (b, *q)))
                .filter(|(b, _)| !b.is_empty())
                .unwrap_or((symbol, "USDT")),
        };
        AccountConfig {
            base: base.to_owned(),
            quote: quote.to_owned(),
            base_balance: Self::DEFAULT_BASE,
            quote_balance: Self::DEFAULT_QUOTE,
        }
    }
}

/// One asset's balance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Balance {
    /// Available.
    pub free: i128,
    /// Held by open orders.
    pub locked: i128,
}

/// One venue's account.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    /// Base asset name.
    pub base: String,
    /// Quote asset name.
    pub quote: String,
    balances: BTreeMap<String, Balance>,
    /// `10^price_scale`: a qty mantissa times this is at the quote scale.
    unit_px: i128,
    scale: u32,
}

impl Account {
    /// The account `c` describes, at the instrument's scales.
    pub fn new(c: &AccountConfig, s: Scales) -> Account {
        let scale = u32::from(s.price) + u32::from(s.qty);
        let one = 10i128.pow(scale);
        let mut balances = BTreeMap::new();
        balances.insert(
            c.base.clone(),
            Balance {
                free: i128::from(c.base_balance) * one,
                locked: 0,
            },
        );
        balances.insert(
            c.quote.clone(),
            Balance {
                free: i128::from(c.quote_balance) * one,
                locked: 0,
            },
        );
        Account {
            base: c.base.clone(),
            quote: c.quote.clone(),
            balances,
            unit_px: 10i128.pow(u32::from(s.price)),
            scale,
        }
    }

    /// The decimals of every amount here (price scale + qty scale).
    pub fn scale(&self) -> u32 {
        self.scale
    }

    /// Every asset's balance, by name.
    pub fn balances(&self) -> impl Iterator<Item = (&str, Balance)> {
        self.balances.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// The balance of `asset` (zero if the account has none).
    pub fn balance(&self, asset: &str) -> Balance {
        self.balances.get(asset).copied().unwrap_or_default()
    }

    fn entry(&mut self, asset: &str) -> &mut Balance {
        self.balances.entry(asset.to_owned()).or_default()
    }

    /// What an order of `qty` at `px` would lock: the asset and the amount.
    fn need(&self, buy: bool, px: i64, qty: i64) -> (String, i128) {
        if buy {
            (self.quote.clone(), i128::from(px) * i128::from(qty))
        } else {
            (self.base.clone(), i128::from(qty) * self.unit_px)
        }
    }

    /// Lock what an order needs; `false` (nothing changed) when it is not free.
    pub fn reserve(&mut self, buy: bool, px: i64, qty: i64) -> bool {
        let (asset, amount) = self.need(buy, px, qty);
        let b = self.entry(&asset);
        if b.free < amount {
            return false;
        }
        b.free -= amount;
        b.locked += amount;
        true
    }

    /// Settle an execution of `qty` for `amount` (quote scale) of an order with limit `px`
    /// (whose lock covers it).
    pub fn execute(&mut self, buy: bool, px: i64, qty: i64, amount: i128) {
        let (q, unit) = (i128::from(qty), self.unit_px);
        let (base, quote) = (self.base.clone(), self.quote.clone());
        if buy {
            let held = i128::from(px) * q;
            let b = self.entry(&quote);
            b.locked -= held;
            b.free += held - amount;
            self.entry(&base).free += q * unit;
        } else {
            self.entry(&base).locked -= q * unit;
            self.entry(&quote).free += amount;
        }
    }

    /// Take a fee of `amount` (quote scale) from the free balance of the quote asset
    /// (`in_quote`) or the base asset.
    pub fn charge_fee(&mut self, in_quote: bool, amount: i128) {
        let asset = if in_quote {
            self.quote.clone()
        } else {
            self.base.clone()
        };
        self.entry(&asset).free -= amount;
    }

    /// The asset a fee is charged in.
    pub fn fee_asset(&self, in_quote: bool) -> &str {
        if in_quote {
            &self.quote
        } else {
            &self.base
        }
    }

    /// `10^price_scale`: a qty mantissa times this is at the account scale.
    pub fn unit_px(&self) -> i128 {
        self.unit_px
    }

    /// Unlock what a closing order with limit `px` leaves unexecuted (`rest`).
    pub fn release(&mut self, buy: bool, px: i64, rest: i64) {
        let (asset, amount) = self.need(buy, px, rest);
        let b = self.entry(&asset);
        b.locked -= amount;
        b.free += amount;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_split() {
        let a = AccountConfig::for_symbol("BTCUSDT", false);
        assert_eq!((a.base.as_str(), a.quote.as_str()), ("BTC", "USDT"));
        let a = AccountConfig::for_symbol("USDT-BTC", true);
        assert_eq!((a.base.as_str(), a.quote.as_str()), ("BTC", "USDT"));
        let a = AccountConfig::for_symbol("BTC-USDT", false);
        assert_eq!((a.base.as_str(), a.quote.as_str()), ("BTC", "USDT"));
        let a = AccountConfig::for_symbol("ETHBTC", false);
        assert_eq!((a.base.as_str(), a.quote.as_str()), ("ETH", "BTC"));
    }

    #[test]
    fn reserve_execute_release() {
        let c = AccountConfig {
            base: "BTC".into(),
            quote: "USDT".into(),
            base_balance: 1,
            quote_balance: 100,
        };
        let s = Scales { price: 2, qty: 1 };
        let mut a = Account::new(&c, s);
        // Buy 2.0 at 30.00 needs 60 USDT (mantissa 6000 * 20 = 120000 at scale 3).
        assert!(a.reserve(true, 3000, 20));
        assert_eq!(
            a.balance("USDT"),
            Balance {
                free: 40_000,
                locked: 60_000
            }
        );
        assert!(!a.reserve(true, 3000, 20), "only 40 left");
        // 1.0 executes at 29.00: 29 spent, 1 back, 1 BTC in.
        a.execute(true, 3000, 10, 29_000);
        assert_eq!(
            a.balance("USDT"),
            Balance {
                free: 41_000,
                locked: 30_000
            }
        );
        assert_eq!(a.balance("BTC").free, 2000);
        a.release(true, 3000, 10);
        assert_eq!(
            a.balance("USDT"),
            Balance {
                free: 71_000,
                locked: 0
            }
        );
        // Sell 2.5 BTC: only 2 there.
        assert!(!a.reserve(false, 1, 25));
        assert!(a.reserve(false, 1, 20));
        a.execute(false, 1, 20, 62_000);
        assert_eq!(a.balance("BTC"), Balance { free: 0, locked: 0 });
        assert_eq!(a.balance("USDT").free, 71_000 + 62_000);
    }
}
