//! Venue answers turned into what the engine trusts: balances of the configured assets as risk-book
//! mantissas, open orders with their owner. Every contradiction is refused with a
//! [`TruthError`] naming the venue and the offending value; nothing half-read is ever used.
//! Cold path (allocates).

pub use super::error::TruthError;
use super::ids::{ClientIds, Whose};
use crate::exec::account::{Amount, Balance, OpenOrder};
use crate::exec::guards::AssetId;
use crate::exec::params::ASSET_SCALE;

/// Largest balance mantissa kept (1e-8 units): a larger one is held at this, far beyond what any
/// order can spend, so sums of a few of them never overflow an `i64`.
pub const MAX_BALANCE: i64 = i64::MAX / 8;

/// One configured asset's balance: (asset, free, total), mantissas at `ASSET_SCALE`.
pub type AssetBalance = (AssetId, i64, i64);

/// `a` at `ASSET_SCALE`, rounded toward zero, held at [`MAX_BALANCE`].
fn to_mantissa(a: &Amount) -> i64 {
    let v = if a.scale >= ASSET_SCALE {
        let d = 10i128.checked_pow(u32::from(a.scale - ASSET_SCALE));
        d.map_or(0, |d| a.mantissa / d)
    } else {
        10i128
            .checked_pow(u32::from(ASSET_SCALE - a.scale))
            .and_then(|m| a.mantissa.checked_mul(m))
            .unwrap_or(i128::MAX)
    };
    i64::try_from(v.min(i128::from(MAX_BALANCE))).unwrap_or(MAX_BALANCE)
}

/// The balances of `assets` (names by [`AssetId`]) in a venue's answer; an asset the venue does
/// not list holds zero (venues omit empty balances). Refused: a configured asset listed twice, a
/// negative free or locked amount.
pub fn balances_of(
    venue: &str,
    answer: &[Balance],
    assets: &[String],
) -> Result<Vec<AssetBalance>, TruthError> {
    let bad = |detail: String| TruthError::Contradictory {
        venue: venue.to_string(),
        request: "balances",
        detail,
    };
    let mut out = Vec::with_capacity(assets.len());
    for (i, name) in assets.iter().enumerate() {
        let mut found: Option<&Balance> = None;
        for b in answer.iter().filter(|b| b.asset.eq_ignore_ascii_case(name)) {
            if found.is_some() {
                return Err(bad(format!("asset {} is listed twice", b.asset)));
            }
            found = Some(b);
        }
        let (free, total) = match found {
            None => (0, 0),
            Some(b) => {
                if b.free.mantissa < 0 || b.locked.mantissa < 0 {
                    return Err(bad(format!(
                        "asset {}: negative balance (free {}, locked {})",
                        b.asset, b.free, b.locked
                    )));
                }
                let (free, locked) = (to_mantissa(&b.free), to_mantissa(&b.locked));
                (free, free.saturating_add(locked).min(MAX_BALANCE))
            }
        };
        out.push((AssetId(i as u16), free, total));
    }
    Ok(out)
}

/// An open order and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    /// The order as listed.
    pub order: OpenOrder,
    /// Its owner.
    pub whose: Whose,
}

/// The open orders of `symbol` in a venue's answer, classified. Refused: an order on another
/// symbol than asked, a non-positive quantity, a negative price or fill, more filled than
/// ordered, the same venue order id twice.
pub fn open_orders_of(
    venue: &str,
    symbol: &str,
    answer: Vec<OpenOrder>,
    ids: &ClientIds,
) -> Result<Vec<Classified>, TruthError> {
    let bad = |detail: String| TruthError::Contradictory {
        venue: venue.to_string(),
        request: "open orders",
        detail,
    };
    let mut out: Vec<Classified> = Vec::with_capacity(answer.len());
    for o in answer {
        if o.symbol != symbol {
            return Err(bad(format!(
                "asked for {symbol}, got order {} on {}",
                o.venue_order_id, o.symbol
            )));
        }
        let (qty, filled) = (o.qty.normalized(), o.filled.normalized());
        let over = filled.checked_sub(&qty).is_none_or(|d| d.mantissa > 0);
        if qty.mantissa <= 0 || o.price.mantissa < 0 || filled.mantissa < 0 || over {
            return Err(bad(format!(
                "order {}: quantity {}, filled {}, price {}",
                o.venue_order_id, o.qty, o.filled, o.price
            )));
        }
        if !o.venue_order_id.is_empty()
            && out
                .iter()
                .any(|c| c.order.venue_order_id == o.venue_order_id)
        {
            return Err(bad(format!("order {} is listed twice", o.venue_order_id)));
        }
        let whose = ids.whose(&o.client_id);
        out.push(Classified { order: o, whose });
    }
    Ok(out)
}

#[cfg(test)]
#[path = "convert_tests.rs"]
mod tests;
