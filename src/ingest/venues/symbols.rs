//! Venue symbol -> instrument, looked up on the hot path by the raw bytes in the frame.
//!
//! Built once per venue connection on the cold path from the config (`symbols = { binance =
//! "BTCUSDT" }` plus the instrument's scales), then only read. Lookup compares fixed-size inline
//! keys found through a small open-addressing index (FNV-1a of the upper-cased bytes, linear
//! probing, at most half full), so a lookup costs the same with 1 symbol or 4,096: no pointer
//! chasing beyond the index slot, no allocation.
//!
//! Normalisation, applied both when building and when looking up:
//! - ASCII case is ignored: Binance stream names are lowercase (`btcusdt@bookTicker`) while its
//!   frames carry `"s":"BTCUSDT"`;
//! - an Upbit depth suffix `.N` (`KRW-BTC.1`, the subscription code) is dropped when building, since
//!   frames carry the bare code `KRW-BTC`.

use thiserror::Error;

use crate::model::{base_symbol, InstrumentId, Scale, MAX_SCALE};

/// Longest venue symbol the table stores (the rule the config check applies too).
pub use crate::model::MAX_SYMBOL_LEN;

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
    /// Open addressing over `entries`: slot = entry index + 1, 0 = empty; a power of two at least
    /// twice `entries.len()` (so a probe always meets an empty slot), rebuilt on the cold path.
    index: Vec<u32>,
}

/// FNV-1a of `symbol` with ASCII letters upper-cased (the table's normalisation).
#[inline]
fn hash(symbol: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &c in symbol {
        h ^= u32::from(c.to_ascii_uppercase());
        h = h.wrapping_mul(0x0100_0193);
    }
    h
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
        if self.entries.len() * 2 > self.index.len() {
            self.reindex((self.entries.len() * 2).next_power_of_two().max(16));
        } else {
            self.place(self.entries.len() - 1);
        }
        Ok(())
    }

    /// Rebuild the index with `size` slots (a power of two). Cold path.
    fn reindex(&mut self, size: usize) {
        self.index = vec![0; size];
        for i in 0..self.entries.len() {
            self.place(i);
        }
    }

    /// Put entry `i` in the first free slot of its probe sequence. Cold path.
    fn place(&mut self, i: usize) {
        let e = &self.entries[i];
        let mask = self.index.len() - 1;
        let mut at = hash(&e.key[..usize::from(e.len)]) as usize & mask;
        while self.index[at] != 0 {
            at = (at + 1) & mask;
        }
        self.index[at] = i as u32 + 1;
    }

    /// One more than the largest instrument id in the table (0 when empty): the size of the
    /// per-instrument state a parser of this venue needs.
    pub fn instrument_bound(&self) -> usize {
        self.entries
            .iter()
            .map(|e| e.info.instrument.index() + 1)
            .max()
            .unwrap_or(0)
    }

    /// The instrument named `symbol` by this venue (ASCII case ignored). Never allocates.
    #[inline]
    pub fn get(&self, symbol: &[u8]) -> Option<SymbolInfo> {
        if symbol.len() > MAX_SYMBOL_LEN || self.index.is_empty() {
            return None;
        }
        let mask = self.index.len() - 1;
        let mut at = hash(symbol) as usize & mask;
        loop {
            let slot = *self.index.get(at)?;
            let e = self.entries.get(slot.checked_sub(1)? as usize)?;
            if usize::from(e.len) == symbol.len()
                && e.key[..symbol.len()].eq_ignore_ascii_case(symbol)
            {
                return Some(e.info);
            }
            at = (at + 1) & mask;
        }
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
    fn thousands_of_symbols_each_find_their_instrument() {
        let names: Vec<String> = (0..4096).map(|i| format!("C{i}USDT")).collect();
        let t = SymbolTable::from_entries(
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.as_str(), InstrumentId(i as u16), 2, 6)),
        )
        .unwrap();
        assert_eq!(t.instrument_bound(), 4096);
        for (i, n) in names.iter().enumerate() {
            let lower = n.to_ascii_lowercase();
            assert_eq!(
                t.get(lower.as_bytes()).unwrap().instrument,
                InstrumentId(i as u16)
            );
        }
        assert_eq!(t.get(b"C4096USDT"), None);
        assert_eq!(SymbolTable::new().instrument_bound(), 0);
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
