//! From a venue's published rules ([`TradingRules`], exact decimals) and the config's overrides
//! ([`RulesOverride`]) to the hot-path [`InstrumentRules`] at an instrument's scales. Cold path.
//!
//! Conversion never makes a rule looser: a tick or step finer than the instrument's scale becomes
//! the smallest multiple of it the scale can write (0.001 at scale 2 is 0.01), a minimum finer
//! than the scale rounds up. A venue answer that cannot be a rule (a tick or step of zero or
//! below, a negative minimum, a value beyond `i64` at the scale, a tick table that does not
//! descend) is refused with the offending value, never trusted.
//!
//! An override must be as coarse as the venue's rule or coarser: a tick or step that is a multiple
//! of the venue's (every band's, for a banded venue), a minimum at or above the venue's. A finer or
//! looser one is a config error naming the key, since the venue would refuse the orders it allows.

use thiserror::Error;

use super::table::InstrumentRules;
use super::tick::{Band, TickTable};
use crate::config::{DecimalText, RulesOverride};
use crate::exec::account::{Amount, TickRule, TradingRules};
use crate::model::Qty;

/// Why an instrument's rules on a venue were refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RulesError {
    /// The venue's value cannot be a rule.
    #[error("{venue} {symbol}: {field} {value} is not a usable rule ({why})")]
    Unusable {
        /// Venue name.
        venue: String,
        /// Venue symbol.
        symbol: String,
        /// Which rule (`tick`, `step`, `min_qty`, `min_notional`).
        field: &'static str,
        /// The value as the venue wrote it.
        value: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// The venue answered the same symbol twice with different rules.
    #[error("{venue} {symbol}: the answer lists the symbol twice with different rules")]
    Contradictory {
        /// Venue name.
        venue: String,
        /// Venue symbol.
        symbol: String,
    },
    /// A config override is finer or looser than the venue's rule.
    #[error("{key} = \"{value}\" is {why} the venue's {venue_value}: the venue would refuse the orders it allows")]
    Override {
        /// Key path (`instruments[0].rules.binance.tick`).
        key: String,
        /// The configured value.
        value: String,
        /// The venue's value.
        venue_value: String,
        /// `finer than` / `below`.
        why: &'static str,
    },
    /// A config override does not read at the instrument's scale (validation should have said).
    #[error("{key} = \"{value}\" is not an exact positive decimal at scale {scale}")]
    BadOverride {
        /// Key path.
        key: String,
        /// The configured value.
        value: String,
        /// The scale it was read at.
        scale: u8,
    },
}

/// Who is converting: names for the errors.
#[derive(Debug, Clone, Copy)]
pub struct Names<'a> {
    /// Venue name.
    pub venue: &'a str,
    /// Venue symbol.
    pub symbol: &'a str,
    /// Key path of the override table (`instruments[0].rules.binance`).
    pub key: &'a str,
}

/// The smallest positive multiple of `a` writable at `scale`, as a mantissa there (`None`: zero or
/// negative, or beyond `i64`).
fn step_at(a: &Amount, scale: u8) -> Option<i64> {
    if a.mantissa <= 0 {
        return None;
    }
    let s = scale.max(a.scale);
    let t = a.to_scale(s)?;
    let unit = 10i128.checked_pow(u32::from(s - scale))?;
    let g = gcd(t, unit);
    let lcm = (t / g).checked_mul(unit)?;
    i64::try_from(lcm / unit).ok()
}

/// `a` rounded up to a mantissa at `scale` (`None`: negative or beyond `i128`).
fn ceil_at(a: &Amount, scale: u8) -> Option<i128> {
    if a.mantissa < 0 {
        return None;
    }
    if scale >= a.scale {
        return a.to_scale(scale);
    }
    let div = 10i128.checked_pow(u32::from(a.scale - scale))?;
    let q = a.mantissa / div;
    Some(if a.mantissa % div == 0 { q } else { q + 1 })
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.abs().max(1)
}

fn unusable(n: Names<'_>, field: &'static str, value: &Amount, why: &'static str) -> RulesError {
    RulesError::Unusable {
        venue: n.venue.to_string(),
        symbol: n.symbol.to_string(),
        field,
        value: value.to_string(),
        why,
    }
}

/// The venue's tick rule as a table at `ps`.
fn ticks(n: Names<'_>, rule: &TickRule, ps: u8) -> Result<TickTable, RulesError> {
    match rule {
        TickRule::Fixed(t) => step_at(t, ps)
            .map(TickTable::fixed)
            .ok_or_else(|| unusable(n, "tick", t, "zero, negative or beyond the price scale")),
        TickRule::Bands(bands) => {
            let mut list = Vec::with_capacity(bands.len());
            for b in *bands {
                let tick = step_at(&b.tick, ps)
                    .ok_or_else(|| unusable(n, "tick", &b.tick, "band tick zero or negative"))?;
                let from = ceil_at(&b.from, ps)
                    .and_then(|f| i64::try_from(f).ok())
                    .ok_or_else(|| unusable(n, "tick", &b.from, "band start negative"))?;
                // Two bands that start at the same price at this scale: the higher one holds.
                if list.last().is_some_and(|l: &Band| l.from <= from) {
                    continue;
                }
                list.push(Band { from, tick });
            }
            TickTable::bands(&list)
                .ok_or_else(|| unusable(n, "tick", &Amount::ZERO, "band table does not descend"))
        }
    }
}

/// The venue's rules at scales `(ps, qs)`. Absent values pass (`step` one unit, no minimum).
pub fn from_venue(
    n: Names<'_>,
    r: &TradingRules,
    (ps, qs): (u8, u8),
) -> Result<InstrumentRules, RulesError> {
    let tick = ticks(n, &r.tick, ps)?;
    let step = match &r.step {
        None => 1,
        Some(s) => step_at(s, qs).ok_or_else(|| unusable(n, "step", s, "zero or negative"))?,
    };
    let min_qty = match &r.min_qty {
        None => 0,
        Some(m) => ceil_at(m, qs)
            .and_then(|v| i64::try_from(v).ok())
            .ok_or_else(|| unusable(n, "min_qty", m, "negative or beyond the qty scale"))?,
    };
    let min_notional = match &r.min_notional {
        None => 0,
        Some(m) => ceil_at(m, ps + qs)
            .ok_or_else(|| unusable(n, "min_notional", m, "negative or too large"))?,
    };
    Ok(InstrumentRules {
        tick,
        step: Qty(step),
        min_qty: Qty(min_qty),
        min_notional,
    })
}

/// A mantissa at `scale` as decimal text, trailing zeros dropped.
fn dec(mantissa: i128, scale: u8) -> String {
    Amount { mantissa, scale }.normalized().to_string()
}

fn read(key: String, v: &DecimalText, scale: u8) -> Result<i64, RulesError> {
    match v.at_scale(scale) {
        Ok(m) if m > 0 => Ok(m),
        _ => Err(RulesError::BadOverride {
            key,
            value: v.0.clone(),
            scale,
        }),
    }
}

/// `base` (the venue's rules, or [`InstrumentRules::PASS`] on paper) with the override `o`
/// applied at scales `(ps, qs)`; `check`: refuse an override finer or looser than `base`.
pub fn with_override(
    n: Names<'_>,
    base: InstrumentRules,
    o: &RulesOverride,
    (ps, qs): (u8, u8),
    check: bool,
) -> Result<InstrumentRules, RulesError> {
    let mut r = base;
    let key = |k: &str| format!("{}.{k}", n.key);
    let refuse = |k: &str, v: &DecimalText, venue_value: String, why| RulesError::Override {
        key: key(k),
        value: v.0.clone(),
        venue_value,
        why,
    };
    if let Some(v) = &o.tick {
        let t = read(key("tick"), v, ps)?;
        if check {
            if let Some(b) = base.tick.as_slice().iter().find(|b| t % b.tick != 0) {
                return Err(refuse("tick", v, dec(b.tick.into(), ps), "finer than"));
            }
        }
        r.tick = TickTable::fixed(t);
    }
    if let Some(v) = &o.step {
        let s = read(key("step"), v, qs)?;
        if check && s % base.step.0.max(1) != 0 {
            return Err(refuse("step", v, dec(base.step.0.into(), qs), "finer than"));
        }
        r.step = Qty(s);
    }
    if let Some(v) = &o.min_qty {
        let m = read(key("min_qty"), v, qs)?;
        if check && m < base.min_qty.0 {
            return Err(refuse(
                "min_qty",
                v,
                dec(base.min_qty.0.into(), qs),
                "below",
            ));
        }
        r.min_qty = Qty(m);
    }
    if let Some(v) = &o.min_notional {
        let m = i128::from(read(key("min_notional"), v, ps)?) * 10i128.pow(u32::from(qs));
        if check && m < base.min_notional {
            return Err(refuse(
                "min_notional",
                v,
                dec(base.min_notional, ps + qs),
                "below",
            ));
        }
        r.min_notional = m;
    }
    Ok(r)
}
