//! One venue's account on the mock exchange: free and locked balances of the assets its
//! synthetic instruments trade (each instrument's two, [`Assets`]; a quote asset several share is
//! one balance), moved by the orders on its book (`ledger`). A new order locks what it
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

/// The two assets an instrument trades: what an order locks and what its executions move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Assets {
    /// Base asset name (`BTC`).
    pub base: String,
    /// Quote asset name (`USDT`).
    pub quote: String,
}

impl From<&AccountConfig> for Assets {
    fn from(c: &AccountConfig) -> Assets {
        Assets {
            base: c.base.clone(),
            quote: c.quote.clone(),
        }
    }
}

/// One venue's account: the balances of every asset its instruments trade.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    /// The first instrument's quote asset: the currency the account is valued in (Upbit's
    /// `unit_currency`).
    pub unit: String,
    balances: BTreeMap<String, Balance>,
    /// `10^price_scale`: a qty mantissa times this is at the quote scale.
    unit_px: i128,
    scale: u32,
}

impl Account {
    /// The account the configs `c` describe (one per instrument, the first's quote the unit), at
    /// the instruments' scales. An asset two configs name takes the earlier one's balance.
    pub fn new(c: &[AccountConfig], s: Scales) -> Account {
        let scale = u32::from(s.price) + u32::from(s.qty);
        let one = 10i128.pow(scale);
        let mut balances = BTreeMap::new();
        for c in c {
            for (asset, whole) in [(&c.base, c.base_balance), (&c.quote, c.quote_balance)] {
                balances.entry(asset.clone()).or_insert(Balance {
                    free: i128::from(whole) * one,
                    locked: 0,
                });
            }
        }
        Account {
            unit: c.first().map(|c| c.quote.clone()).unwrap_or_default(),
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

    /// What an order of `qty` at `px` on an instrument of assets `a` would lock: the asset and
    /// the amount.
    fn need<'a>(&self, a: &'a Assets, buy: bool, px: i64, qty: i64) -> (&'a str, i128) {
        if buy {
            (&a.quote, i128::from(px) * i128::from(qty))
        } else {
            (&a.base, i128::from(qty) * self.unit_px)
        }
    }

    /// Lock what an order on `a` needs; `false` (nothing changed) when it is not free.
    pub fn reserve(&mut self, a: &Assets, buy: bool, px: i64, qty: i64) -> bool {
        let (asset, amount) = self.need(a, buy, px, qty);
        let b = self.entry(asset);
        if b.free < amount {
            return false;
        }
        b.free -= amount;
        b.locked += amount;
        true
    }

    /// Settle an execution of `qty` for `amount` (quote scale) of an order on `a` with limit
    /// `px` (whose lock covers it).
    pub fn execute(&mut self, a: &Assets, buy: bool, px: i64, qty: i64, amount: i128) {
        let (q, unit) = (i128::from(qty), self.unit_px);
        if buy {
            let held = i128::from(px) * q;
            let b = self.entry(&a.quote);
            b.locked -= held;
            b.free += held - amount;
            self.entry(&a.base).free += q * unit;
        } else {
            self.entry(&a.base).locked -= q * unit;
            self.entry(&a.quote).free += amount;
        }
    }

    /// Take a fee of `amount` (quote scale) from the free balance of `a`'s quote asset
    /// (`in_quote`) or its base asset.
    pub fn charge_fee(&mut self, a: &Assets, in_quote: bool, amount: i128) {
        self.entry(Account::fee_asset(a, in_quote)).free -= amount;
    }

    /// The asset a fee on `a` is charged in.
    pub fn fee_asset(a: &Assets, in_quote: bool) -> &str {
        if in_quote {
            &a.quote
        } else {
            &a.base
        }
    }

    /// `10^price_scale`: a qty mantissa times this is at the account scale.
    pub fn unit_px(&self) -> i128 {
        self.unit_px
    }

    /// Unlock what a closing order on `a` with limit `px` leaves unexecuted (`rest`).
    pub fn release(&mut self, a: &Assets, buy: bool, px: i64, rest: i64) {
        let (asset, amount) = self.need(a, buy, px, rest);
        let b = self.entry(asset);
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
        let x = Assets::from(&c);
        let mut a = Account::new(std::slice::from_ref(&c), s);
        // Buy 2.0 at 30.00 needs 60 USDT (mantissa 6000 * 20 = 120000 at scale 3).
        assert!(a.reserve(&x, true, 3000, 20));
        assert_eq!(
            a.balance("USDT"),
            Balance {
                free: 40_000,
                locked: 60_000
            }
        );
        assert!(!a.reserve(&x, true, 3000, 20), "only 40 left");
        // 1.0 executes at 29.00: 29 spent, 1 back, 1 BTC in.
        a.execute(&x, true, 3000, 10, 29_000);
        assert_eq!(
            a.balance("USDT"),
            Balance {
                free: 41_000,
                locked: 30_000
            }
        );
        assert_eq!(a.balance("BTC").free, 2000);
        a.release(&x, true, 3000, 10);
        assert_eq!(
            a.balance("USDT"),
            Balance {
                free: 71_000,
                locked: 0
            }
        );
        // Sell 2.5 BTC: only 2 there.
        assert!(!a.reserve(&x, false, 1, 25));
        assert!(a.reserve(&x, false, 1, 20));
        a.execute(&x, false, 1, 20, 62_000);
        assert_eq!(a.balance("BTC"), Balance { free: 0, locked: 0 });
        assert_eq!(a.balance("USDT").free, 71_000 + 62_000);
    }

    #[test]
    fn instruments_share_their_quote_asset() {
        let s = Scales { price: 2, qty: 1 };
        let btc = AccountConfig::for_symbol("BTCUSDT", false);
        let eth = AccountConfig {
            quote_balance: 5,
            ..AccountConfig::for_symbol("ETHUSDT", false)
        };
        let mut a = Account::new(&[btc.clone(), eth.clone()], s);
        assert_eq!(a.unit, "USDT");
        let names: Vec<&str> = a.balances().map(|(n, _)| n).collect();
        assert_eq!(names, ["BTC", "ETH", "USDT"]);
        // USDT keeps the first config's balance; a buy of ETH spends the same USDT as BTC's.
        let usdt = a.balance("USDT").free;
        assert_eq!(usdt, i128::from(AccountConfig::DEFAULT_QUOTE) * 1000);
        assert!(a.reserve(&Assets::from(&eth), true, 100, 10));
        assert_eq!(a.balance("USDT").free, usdt - 1000);
        a.execute(&Assets::from(&eth), true, 100, 10, 1000);
        assert_eq!(
            a.balance("ETH").free,
            (i128::from(AccountConfig::DEFAULT_BASE) + 1) * 1000
        );
        assert_eq!(
            a.balance("BTC").free,
            i128::from(AccountConfig::DEFAULT_BASE) * 1000
        );
    }
}
