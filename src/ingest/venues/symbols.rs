//! Venue symbol -> instrument, looked up on the hot path by the raw bytes in the frame.
//!
//! Built once per venue connection on the cold path from the config (`symbols = { binance =
//! "BTCUSDT" }` plus the instrument's scales), then only read. Lookup compares fixed-size inline
//! keys (no pointer chasing, no hashing, no allocation); a venue subscribes to a handful of symbols,
//! so a linear scan over a contiguous array beats a hash map here.
//!
//! Normalisation, applied both when building and when looking up:
//! - ASCII case is ignored: Binance stream names are lowercase (`btcusdt@bookTicker`) while its
//!   frames carry `"s":"BTCUSDT"`;
//! - an Upbit depth suffix `.N` (`KRW-BTC.1`, the subscription code) is dropped when building, since
//!   frames carry the bare code `KRW-BTC`.

use thiserror::Error;

use crate::model::{InstrumentId, Scale, MAX_SCALE};

/// Longest venue symbol the table stores (OKX futures ids like `BTC-USD-220527` are 14).
pub const MAX_SYMBOL_LEN: usize = 32;

/// One instrument as one venue names it, with the scales its prices and sizes are parsed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SymbolInfo {
    /// The engine's instrument.
    pub instrument: InstrumentId,
    /// Decimals kept in price mantissas.
    pub price_scale: Scale,
    /// Decimals kept in quantity mantissas.
    pub qty_scale: Scale,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    key: [u8; MAX_SYMBOL_LEN],
    len: u8,
    info: SymbolInfo,
}

/// Why a symbol table could not be built (cold path, from the config).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SymbolError {
    /// An empty symbol.
    #[error("empty venue symbol for instrument {instrument}")]
    Empty {
        /// The instrument's index.
        instrument: u16,
    },
    /// A symbol longer than [`MAX_SYMBOL_LEN`] bytes.
    #[error("venue symbol {symbol:?} is longer than {MAX_SYMBOL_LEN} bytes")]
    TooLong {
        /// The symbol as given.
        symbol: String,
    },
    /// Two entries normalise to the same key.
    #[error("venue symbol {symbol:?} appears twice")]
    Duplicate {
        /// The symbol as given.
        symbol: String,
    },
    /// A scale above [`MAX_SCALE`].
    #[error("venue symbol {symbol:?}: scale {scale} above {MAX_SCALE}")]
    BadScale {
        /// The symbol as given.
        symbol: String,
        /// The refused scale.
        scale: Scale,
    },
}

/// Allocation-free lookup from a venue's symbol bytes to a [`SymbolInfo`].
#[derive(Debug, Clone, Default)]
pub struct SymbolTable {
    entries: Vec<Entry>,
}

/// Strip an Upbit-style `.N` depth suffix (`KRW-BTC.15` -> `KRW-BTC`).
fn base_symbol(symbol: &[u8]) -> &[u8] {
    if let Some(dot) = symbol.iter().rposition(|&c| c == b'.') {
        let suffix = &symbol[dot + 1..];
        if dot > 0 && !suffix.is_empty() && suffix.iter().all(u8::is_ascii_digit) {
            return &symbol[..dot];
        }
    }
    symbol
}

impl SymbolTable {
    /// An empty table.
    pub fn new() -> Self {
        SymbolTable::default()
    }

    /// Build from `(venue symbol, instrument, price_scale, qty_scale)` entries (cold path).
    pub fn from_entries<'s>(
        entries: impl IntoIterator<Item = (&'s str, InstrumentId, Scale, Scale)>,
    ) -> Result<Self, SymbolError> {
        let mut table = SymbolTable::new();
        for (symbol, instrument, price_scale, qty_scale) in entries {
            table.insert(
                symbol,
                SymbolInfo {
                    instrument,
                    price_scale,
                    qty_scale,
                },
            )?;
        }
        Ok(table)
    }

    /// Add one entry (cold path).
    pub fn insert(&mut self, symbol: &str, info: SymbolInfo) -> Result<(), SymbolError> {
        let base = base_symbol(symbol.as_bytes());
        if base.is_empty() {
            return Err(SymbolError::Empty {
                instrument: info.instrument.0,
            });
        }
        if base.len() > MAX_SYMBOL_LEN {
            return Err(SymbolError::TooLong {
                symbol: symbol.to_owned(),
            });
        }
        for scale in [info.price_scale, info.qty_scale] {
            if scale > MAX_SCALE {
                return Err(SymbolError::BadScale {
                    symbol: symbol.to_owned(),
                    scale,
                });
            }
        }
        if self.get(base).is_some() {
            return Err(SymbolError::Duplicate {
                symbol: symbol.to_owned(),
            });
        }
        let mut key = [0u8; MAX_SYMBOL_LEN];
        for (k, c) in key.iter_mut().zip(base) {
            *k = c.to_ascii_uppercase();
        }
        self.entries.push(Entry {
            key,
            len: base.len() as u8,
            info,
        });
        Ok(())
    }

    /// The instrument named `symbol` by this venue (ASCII case ignored). Never allocates.
    #[inline]
    pub fn get(&self, symbol: &[u8]) -> Option<SymbolInfo> {
        if symbol.len() > MAX_SYMBOL_LEN {
            return None;
        }
        self.entries
            .iter()
            .find(|e| {
                usize::from(e.len) == symbol.len()
                    && e.key[..symbol.len()].eq_ignore_ascii_case(symbol)
            })
            .map(|e| e.info)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the table has no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> SymbolTable {
        SymbolTable::from_entries([
            ("BTCUSDT", InstrumentId(0), 8, 8),
            ("KRW-BTC.1", InstrumentId(1), 0, 8),
            ("BTC-USDT", InstrumentId(2), 2, 6),
        ])
        .unwrap()
    }

    #[test]
    fn lookup_ignores_case_and_depth_suffix() {
        let t = table();
        assert_eq!(t.len(), 3);
        assert_eq!(t.get(b"BTCUSDT").unwrap().instrument, InstrumentId(0));
        assert_eq!(t.get(b"btcusdt").unwrap().instrument, InstrumentId(0));
        assert_eq!(t.get(b"KRW-BTC").unwrap().price_scale, 0);
        assert_eq!(t.get(b"BTC-USDT").unwrap().qty_scale, 6);
        assert_eq!(t.get(b"BTCUSD"), None);
        assert_eq!(t.get(b""), None);
        assert_eq!(t.get(&[b'A'; 64]), None);
    }

    #[test]
    fn refuses_bad_entries() {
        let info = SymbolInfo {
            instrument: InstrumentId(9),
            price_scale: 8,
            qty_scale: 8,
        };
        let mut t = table();
        assert!(matches!(
            t.insert("btcusdt", info),
            Err(SymbolError::Duplicate { .. })
        ));
        assert!(matches!(
            t.insert("KRW-BTC.15", info),
            Err(SymbolError::Duplicate { .. })
        ));
        assert!(matches!(t.insert("", info), Err(SymbolError::Empty { .. })));
        assert!(matches!(
            t.insert(&"X".repeat(33), info),
            Err(SymbolError::TooLong { .. })
        ));
        let bad = SymbolInfo {
            price_scale: 19,
            ..info
        };
        assert!(matches!(
            t.insert("ETHUSDT", bad),
            Err(SymbolError::BadScale { .. })
        ));
        // A dot that is not a depth suffix is kept.
        t.insert("A.B", info).unwrap();
        assert!(t.get(b"a.b").is_some());
    }
}
