//! The venue's instrument table: [`InstrumentId`] -> [`InstrumentSpec`], a flat array indexed by id
//! so the hot path finds a symbol with one bounds-checked load. Built on the cold path.
//!
//! Beside each symbol the table can hold the venue's numeric code of the instrument (OKX's
//! `instIdCode`, which its WebSocket `order` / `cancel-order` ops now require in place of `instId`;
//! published by `GET /api/v5/public/instruments`). It is a parallel array, empty until
//! [`InstrumentTable::set_venue_codes`] fills it from the venue's rules answer, so venues and
//! configs without such codes are untouched.

use crate::config::Config;
use crate::model::{InstrumentId, Order, MAX_INSTRUMENTS};

use super::answer::{check_unreserved, InstrumentSpec, RequestError};

/// Symbols and scales of the instruments one venue trades.
#[derive(Debug, Clone, Default)]
pub struct InstrumentTable {
    specs: Vec<Option<InstrumentSpec>>,
    /// The venue's numeric instrument code by id (`None`: not known); empty when none is set.
    venue_codes: Vec<Option<u64>>,
}

impl InstrumentTable {
    /// Build from `(id, spec)` pairs; refuses symbols that would need url-encoding and ids beyond
    /// [`MAX_INSTRUMENTS`]. The table is sized to the largest id given, once.
    pub fn new(entries: &[(InstrumentId, InstrumentSpec)]) -> Result<Self, RequestError> {
        let len = entries
            .iter()
            .map(|(id, _)| id.index() + 1)
            .max()
            .unwrap_or(0)
            .min(MAX_INSTRUMENTS);
        let mut specs = vec![None; len];
        for (id, spec) in entries {
            check_unreserved("symbol", spec.symbol.as_bytes())?;
            let slot = specs
                .get_mut(id.index())
                .ok_or(RequestError::UnknownInstrument(id.0))?;
            *slot = Some(spec.clone());
        }
        Ok(InstrumentTable {
            specs,
            venue_codes: Vec::new(),
        })
    }

    /// The instruments the config's venue `venue` trades (those with a symbol there).
    pub fn for_venue(cfg: &Config, venue: &str) -> Result<Self, RequestError> {
        let entries: Vec<(InstrumentId, InstrumentSpec)> = cfg
            .instruments
            .iter()
            .enumerate()
            .filter_map(|(i, ins)| {
                ins.symbols.get(venue).map(|sym| {
                    (
                        InstrumentId(i as u16),
                        InstrumentSpec {
                            symbol: sym.clone(),
                            price_scale: ins.price_scale,
                            qty_scale: ins.qty_scale,
                        },
                    )
                })
            })
            .collect();
        InstrumentTable::new(&entries)
    }

    /// The spec of `id`, if this venue trades it.
    #[inline]
    pub fn get(&self, id: InstrumentId) -> Result<&InstrumentSpec, RequestError> {
        self.specs
            .get(id.index())
            .and_then(Option::as_ref)
            .ok_or(RequestError::UnknownInstrument(id.0))
    }

    /// Record the venue's numeric code of each instrument whose symbol is in `codes`
    /// (`(symbol, code)`, as the venue's instrument list gives them; symbols this table does not
    /// trade are skipped). Returns how many instruments got a code. Cold path.
    pub fn set_venue_codes(&mut self, codes: &[(String, u64)]) -> usize {
        self.venue_codes.resize(self.specs.len(), None);
        let mut set = 0;
        for (slot, spec) in self.venue_codes.iter_mut().zip(&self.specs) {
            let Some(spec) = spec else { continue };
            if let Some((_, code)) = codes.iter().find(|(sym, _)| *sym == spec.symbol) {
                *slot = Some(*code);
                set += 1;
            }
        }
        set
    }

    /// Whether every instrument of the table has its venue code (false for an empty table).
    pub fn has_every_venue_code(&self) -> bool {
        let mut any = false;
        for (i, spec) in self.specs.iter().enumerate() {
            if spec.is_some() {
                any = true;
                if !matches!(self.venue_codes.get(i), Some(Some(_))) {
                    return false;
                }
            }
        }
        any
    }

    /// The venue's numeric code of `id` (OKX `instIdCode`): [`RequestError::UnknownInstrument`]
    /// when the venue does not trade it, [`RequestError::NoVenueCode`] when no code was set.
    #[inline]
    pub fn venue_code(&self, id: InstrumentId) -> Result<u64, RequestError> {
        self.get(id)?;
        self.venue_codes
            .get(id.index())
            .copied()
            .flatten()
            .ok_or(RequestError::NoVenueCode(id.0))
    }

    /// The spec of `order`'s instrument, once its price and quantity are known to be positive:
    /// what every venue's order body starts by checking, before a byte is written.
    pub fn for_order(&self, order: &Order) -> Result<&InstrumentSpec, RequestError> {
        let spec = self.get(order.instrument)?;
        if order.px.0 <= 0 || order.qty.0 <= 0 {
            return Err(RequestError::NonPositive(order.id));
        }
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_and_refusals() {
        let spec = InstrumentSpec {
            symbol: "BTCUSDT".into(),
            price_scale: 2,
            qty_scale: 8,
        };
        let t = InstrumentTable::new(&[(InstrumentId(3), spec.clone())]).unwrap();
        assert_eq!(t.get(InstrumentId(3)), Ok(&spec));
        assert_eq!(
            t.get(InstrumentId(4)),
            Err(RequestError::UnknownInstrument(4))
        );
        assert_eq!(
            t.get(InstrumentId(60_000)),
            Err(RequestError::UnknownInstrument(60_000))
        );
        let bad = InstrumentSpec {
            symbol: "BTC USDT".into(),
            ..spec
        };
        assert!(InstrumentTable::new(&[(InstrumentId(0), bad)]).is_err());
    }

    #[test]
    fn venue_codes_by_symbol() {
        let spec = |s: &str| InstrumentSpec {
            symbol: s.into(),
            price_scale: 1,
            qty_scale: 8,
        };
        let mut t = InstrumentTable::new(&[
            (InstrumentId(0), spec("BTC-USDT")),
            (InstrumentId(2), spec("ETH-USDT")),
        ])
        .unwrap();
        assert_eq!(
            t.venue_code(InstrumentId(0)),
            Err(RequestError::NoVenueCode(0))
        );
        let codes = [("BTC-USDT".to_string(), 10), ("XRP-USDT".to_string(), 99)];
        assert!(!t.has_every_venue_code());
        assert_eq!(t.set_venue_codes(&codes), 1);
        assert!(!t.has_every_venue_code(), "ETH-USDT has none");
        assert_eq!(t.venue_code(InstrumentId(0)), Ok(10));
        assert_eq!(
            t.venue_code(InstrumentId(2)),
            Err(RequestError::NoVenueCode(2))
        );
        assert_eq!(
            t.venue_code(InstrumentId(1)),
            Err(RequestError::UnknownInstrument(1))
        );
        t.set_venue_codes(&[("ETH-USDT".to_string(), 11)]);
        assert!(t.has_every_venue_code());
        assert!(!InstrumentTable::default().has_every_venue_code());
    }
}
