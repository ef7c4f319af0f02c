//! The trade log's accounting, kept by the writer thread from the records it writes: realized P&L
//! per instrument and per quote asset, fees per asset, residual positions by venue and asset, and
//! the orders sent that have no final state yet (what a kill must cancel).
//!
//! Cold path (the writer thread): maps keyed by names, `i128` mantissas, no `f64`. Every amount is
//! kept at [`BOOK_SCALE`] (18 decimals) so base quantities, quote notionals and fees add up in one
//! unit per asset; an instrument whose `price_scale + qty_scale` exceeds 18 loses the digits beyond
//! (truncated toward zero).
//!
//! Realized P&L of an instrument (in its quote asset) is average-price matching over every venue:
//! with `B` bought for `Nb` and `S` sold for `Ns`, the matched quantity `M = min(B, S)` realized
//! `M * Ns / S - M * Nb / B`, less every fee paid in the quote asset, less every fee paid in the
//! base asset valued at its fill's price. What is not matched is a residual position, not P&L.
//! Fees in any other asset (BNB) are listed under fees but kept out of P&L: the engine knows no
//! price for them. Quote assets are never added together (USDT and KRW stay apart).

use std::collections::BTreeMap;

use super::record::{FinalState, TradeKind, TradeRecord};
use crate::model::{Side, FEE_SCALE};

/// Decimals of every amount the book keeps.
pub const BOOK_SCALE: u8 = 18;

/// `v` at `from` decimals -> [`BOOK_SCALE`], truncated toward zero when `from` is larger.
pub fn to_book(v: i128, from: u8) -> i128 {
    if from <= BOOK_SCALE {
        v.saturating_mul(10i128.pow(u32::from(BOOK_SCALE - from)))
    } else {
        v / 10i128.pow(u32::from((from - BOOK_SCALE).min(38)))
    }
}

/// `v` (mantissa at `scale`) as decimal text, trailing zeros trimmed (`"-1.25"`, `"0"`).
pub fn decimal_text(v: i128, scale: u8) -> String {
    let unit = 10u128.pow(u32::from(scale));
    let a = v.unsigned_abs();
    let (int, frac) = (a / unit, a % unit);
    let sign = if v < 0 { "-" } else { "" };
    if frac == 0 {
        return format!("{sign}{int}");
    }
    let f = format!("{frac:0width$}", width = usize::from(scale));
    format!("{sign}{int}.{}", f.trim_end_matches('0'))
}

/// One instrument's fills, summed over every venue.
#[derive(Debug, Clone, Default)]
struct InstrumentBook {
    quote: String,
    base: String,
    bought: i128,
    bought_notional: i128,
    sold: i128,
    sold_notional: i128,
    /// Fees paid in the quote asset, plus base-asset fees valued at their fill's price.
    fees_in_quote: i128,
    fills: u64,
}

impl InstrumentBook {
    fn realized(&self) -> i128 {
        let m = self.bought.min(self.sold);
        if m <= 0 {
            return -self.fees_in_quote;
        }
        share(self.sold_notional, m, self.sold)
            - share(self.bought_notional, m, self.bought)
            - self.fees_in_quote
    }
}

/// `notional * part / total`, truncated toward zero. Quantities are kept at 18 decimals but carry
/// only the instrument's few: their common trailing zeros come off first, so the product fits an
/// `i128` for any realistic run (beyond, the division goes first and truncates more).
fn share(notional: i128, mut part: i128, mut total: i128) -> i128 {
    while part % 10 == 0 && total % 10 == 0 && total != 0 {
        part /= 10;
        total /= 10;
    }
    notional
        .checked_mul(part)
        .map(|x| x / total)
        .unwrap_or_else(|| notional / total * part)
}

/// An order sent and not final yet, as the kill switch's cancels need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOrder {
    /// The engine's order id.
    pub order_id: u64,
    /// Venue index in the config.
    pub venue: usize,
    /// Instrument index in the config.
    pub instrument: usize,
    /// The venue's order id, when an answer carried one.
    pub venue_order_id: String,
}

/// The writer thread's accounting of every record.
#[derive(Debug, Default)]
pub struct TradeBook {
    instruments: BTreeMap<usize, InstrumentBook>,
    fees: BTreeMap<String, i128>,
    residual: BTreeMap<(usize, String), i128>,
    open: BTreeMap<u64, OpenOrder>,
    orders: u64,
    fills: u64,
    finals: BTreeMap<&'static str, u64>,
    /// Records that contradict the order's life (a fill or final with no order, a second final).
    inconsistent: u64,
    modelled_fees: u64,
}

impl TradeBook {
    /// Account for one record; `scales(instrument)` gives its (price, qty) scale.
    pub fn apply(&mut self, r: &TradeRecord, scales: (u8, u8)) {
        let id = r.order.id.0;
        match r.kind {
            TradeKind::Order => {
                self.orders += 1;
                let prev = self.open.insert(
                    id,
                    OpenOrder {
                        order_id: id,
                        venue: r.order.venue.index(),
                        instrument: r.order.instrument.index(),
                        venue_order_id: String::new(),
                    },
                );
                if prev.is_some() {
                    self.inconsistent += 1;
                }
            }
            TradeKind::Fill => {
                if !self.open.contains_key(&id) {
                    self.inconsistent += 1;
                }
                self.fill(r, scales);
            }
            TradeKind::Final => {
                let name = match r.state {
                    FinalState::Rejected { code: 429 } => "rejected_429",
                    s => s.name(),
                };
                *self.finals.entry(name).or_default() += 1;
                if self.open.remove(&id).is_none() {
                    self.inconsistent += 1;
                }
            }
        }
        if !r.venue_order_id.is_empty() {
            if let Some(o) = self.open.get_mut(&id) {
                o.venue_order_id = r.venue_order_id.as_str().to_string();
            }
        }
    }

    fn fill(&mut self, r: &TradeRecord, (ps, qs): (u8, u8)) {
        self.fills += 1;
        if r.fee_modelled {
            self.modelled_fees += 1;
        }
        let (base, quote) = (r.base.as_str(), r.quote.as_str());
        let q = to_book(i128::from(r.qty.0), qs);
        let n = to_book(i128::from(r.px.0) * i128::from(r.qty.0), ps + qs);
        let fee = to_book(i128::from(r.fee.amount), FEE_SCALE);
        let b = self
            .instruments
            .entry(r.order.instrument.index())
            .or_insert_with(|| InstrumentBook {
                quote: quote.to_string(),
                base: base.to_string(),
                ..InstrumentBook::default()
            });
        b.fills += 1;
        let v = r.order.venue.index();
        let (d_base, d_quote) = match r.order.side {
            Side::Buy => {
                b.bought += q;
                b.bought_notional += n;
                (q, -n)
            }
            Side::Sell => {
                b.sold += q;
                b.sold_notional += n;
                (-q, n)
            }
        };
        let fee_asset = r.fee.asset.as_str();
        if fee_asset == quote {
            b.fees_in_quote += fee;
        } else if fee_asset == base {
            // A base-asset fee is worth its quantity at the fill's price.
            b.fees_in_quote += to_book(
                i128::from(r.fee.amount) * i128::from(r.px.0),
                FEE_SCALE + ps,
            );
        }
        *self.residual.entry((v, base.to_string())).or_default() += d_base;
        *self.residual.entry((v, quote.to_string())).or_default() += d_quote;
        if r.fee.amount != 0 && !fee_asset.is_empty() {
            *self.fees.entry(fee_asset.to_string()).or_default() += fee;
            *self.residual.entry((v, fee_asset.to_string())).or_default() -= fee;
        }
    }

    /// Orders sent and not final, oldest id first.
    pub fn open_orders(&self) -> Vec<OpenOrder> {
        self.open.values().cloned().collect()
    }

    /// Residual positions by venue index and asset (non-zero only), at [`BOOK_SCALE`].
    pub fn residuals(&self) -> Vec<(usize, String, i128)> {
        self.residual
            .iter()
            .filter(|(_, v)| **v != 0)
            .map(|((venue, a), v)| (*venue, a.clone(), *v))
            .collect()
    }

    /// The report's `trades` object; `venue(i)` and `instrument(i)` name the config's entries.
    pub fn to_json(
        &self,
        venue: &dyn Fn(usize) -> String,
        instrument: &dyn Fn(usize) -> String,
    ) -> serde_json::Value {
        let dec = |v: i128| decimal_text(v, BOOK_SCALE);
        let mut per_quote: BTreeMap<&str, i128> = BTreeMap::new();
        let mut per_instrument = serde_json::Map::new();
        for (i, b) in &self.instruments {
            let realized = b.realized();
            *per_quote.entry(b.quote.as_str()).or_default() += realized;
            per_instrument.insert(
                instrument(*i),
                serde_json::json!({
                    "base_asset": b.base,
                    "quote_asset": b.quote,
                    "realized_pnl": dec(realized),
                    "bought": dec(b.bought),
                    "sold": dec(b.sold),
                    "bought_notional": dec(b.bought_notional),
                    "sold_notional": dec(b.sold_notional),
                    "fees_in_pnl": dec(b.fees_in_quote),
                    "fills": b.fills,
                }),
            );
        }
        let mut residual: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (v, a, amount) in self.residuals() {
            residual.entry(venue(v)).or_default().insert(a, dec(amount));
        }
        let fees: BTreeMap<&str, String> = self
            .fees
            .iter()
            .map(|(a, v)| (a.as_str(), dec(*v)))
            .collect();
        let per_quote: BTreeMap<&str, String> =
            per_quote.into_iter().map(|(a, v)| (a, dec(v))).collect();
        serde_json::json!({
            "orders": self.orders,
            "fills": self.fills,
            "finals": self.finals,
            "open_orders": self.open.len(),
            "inconsistent_records": self.inconsistent,
            "modelled_fees": self.modelled_fees,
            "realized_pnl_by_instrument": per_instrument,
            "realized_pnl_by_quote_asset": per_quote,
            "fees_by_asset": fees,
            "residual_by_venue": residual,
        })
    }
}

#[cfg(test)]
#[path = "book_tests.rs"]
mod tests;
