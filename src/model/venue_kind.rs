//! Which protocol a venue speaks. The config names it (`kind = "binance"`); ingest picks the adapter
//! (URL, subscribe messages, keep-alive, parser) and execution the gateway by it.

use serde::{Deserialize, Serialize};

/// A venue protocol the engine has an adapter for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VenueKind {
    /// Binance spot (bookTicker over combined streams).
    Binance,
    /// Upbit (orderbook, binary JSON frames).
    Upbit,
    /// Bybit v5 spot (orderbook.1).
    Bybit,
    /// OKX v5 (bbo-tbt).
    Okx,
}

impl VenueKind {
    /// Every kind, for help text and tests.
    pub const ALL: [VenueKind; 4] = [
        VenueKind::Binance,
        VenueKind::Upbit,
        VenueKind::Bybit,
        VenueKind::Okx,
    ];

    /// The config spelling.
    pub const fn name(self) -> &'static str {
        match self {
            VenueKind::Binance => "binance",
            VenueKind::Upbit => "upbit",
            VenueKind::Bybit => "bybit",
            VenueKind::Okx => "okx",
        }
    }

    /// The venue's public market-data endpoint, used when the config gives no `url`.
    pub const fn default_ws_url(self) -> &'static str {
        match self {
            VenueKind::Binance => "wss://stream.binance.com:9443",
            VenueKind::Upbit => "wss://api.upbit.com/websocket/v1",
            VenueKind::Bybit => "wss://stream.bybit.com/v5/public/spot",
            VenueKind::Okx => "wss://ws.okx.com:8443/ws/v5/public",
        }
    }
}
