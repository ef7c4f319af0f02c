//! The venue's instrument table: [`InstrumentId`] -> [`InstrumentSpec`], a flat array indexed by id
//! so the hot path finds a symbol with one bounds-checked load. Built on the cold path.

use crate::config::Config;
use crate::model::{InstrumentId, Order, MAX_INSTRUMENTS};

use super::answer::{check_unreserved, InstrumentSpec, RequestError};

/// Symbols and scales of the instruments one venue trades.
#[derive(Debug, Clone, Default)]
pub struct InstrumentTable {
    specs: Vec<Option<InstrumentSpec>>,
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
        Ok(InstrumentTable { specs })
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
}
