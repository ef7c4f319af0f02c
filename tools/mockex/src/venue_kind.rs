//! The venue protocols the mock exchange serves. Its own enum (not the engine's): the mock knows
//! the venues from their public documentation, not from the engine's adapters, and a caller maps
//! its own venue kinds onto this one.

/// A venue protocol the mock exchange serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VenueKind {
    /// Binance spot (bookTicker over combined streams; REST `/api/v3/order`).
    Binance,
    /// Upbit (orderbook, binary JSON frames; REST `/v1/orders`).
    Upbit,
    /// Bybit v5 spot (orderbook.1).
    Bybit,
    /// OKX v5 (bbo-tbt).
    Okx,
}

impl VenueKind {
    /// Every kind, for `MockConfig::all_kinds` and tests.
    pub const ALL: [VenueKind; 4] = [
        VenueKind::Binance,
        VenueKind::Upbit,
        VenueKind::Bybit,
        VenueKind::Okx,
    ];

    /// The lowercase name (`binance`, `upbit`, `bybit`, `okx`): the `mockex --venues` spelling and
    /// the default venue name.
    pub const fn name(self) -> &'static str {
        match self {
            VenueKind::Binance => "binance",
            VenueKind::Upbit => "upbit",
            VenueKind::Bybit => "bybit",
            VenueKind::Okx => "okx",
        }
    }

    /// The kind named `name` (as [`VenueKind::name`] writes it), if any.
    pub fn from_name(name: &str) -> Option<VenueKind> {
        VenueKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in VenueKind::ALL {
            assert_eq!(VenueKind::from_name(k.name()), Some(k));
        }
        assert_eq!(VenueKind::from_name("kraken"), None);
    }
}
