//! The venue account API: the cold-path calls beside the order path, for all four venues —
//! cancel by client id, open orders, balances, instrument rules (tick, quantity step, minimum
//! quantity, minimum notional; Binance's published rate limits with them) and server time.
//! Start-up checks, reconciliation ("venue truth"), the kill switch's cancels and the `microarb
//! account` operator command use it; the order path never does.
//!
//! Contract:
//! - One signer per venue: every private call is signed by that venue's order codec
//!   ([`crate::exec::gateway::codec`]), through small crate-visible methods in the codec's own
//!   `account_auth` child module. Same credentials, same bytes-level signing, same checks of
//!   configured text.
//! - One net stack: the engine's HTTP/1.1 client and rustls config ([`crate::net`]), driven
//!   blocking with a timeout ([`http`]). The one exception is Binance's WebSocket API session
//!   ([`ws_api`], tungstenite over the same rustls config), which takes open orders and balances
//!   where the venue's orders go over the WebSocket API ([`session`]).
//! - Exact amounts: [`Amount`] keeps the venue's decimal text as an `i128` mantissa and scale;
//!   no `f64` anywhere.
//! - Errors ([`AccountError`]) separate transport, timeout, authentication refused, rate
//!   limited, any other refusal (HTTP status, venue code, venue message), and an unreadable
//!   answer. Venue messages pass through the codec's `redact` (an echoed key or passphrase
//!   prints as `****`); the secret is never sent, so never echoed.
//! - Nothing is retried: a cancel whose answer was lost may have happened; the caller decides.
//! - Cold path: allocates, reads the wall clock for signed timestamps, blocks.
//!
//! Layout: [`amount`] and [`types`] (the answers' vocabulary), [`ticks`] (Upbit's price-band
//! tick tables), [`request`] (request and answer enums), [`error`], [`json`] (exact reading over
//! the engine's JSON scanner), [`http`] (the blocking exchange), [`venue`] (the per-venue trait)
//! and [`venues`] (Binance, Upbit, Bybit, OKX: each file lists its endpoints and the docs it
//! follows), [`session`] and [`ws_api`] (calls on an authenticated WebSocket session instead),
//! [`client`] (the calls) and [`build`] (from config).
#![forbid(unsafe_code)]

pub mod amount;
pub mod build;
pub mod client;
pub mod error;
pub mod http;
pub mod json;
pub mod request;
pub mod session;
pub mod ticks;
pub mod types;
pub mod venue;
pub mod venues;
pub mod ws_api;
#[cfg(test)]
mod ws_api_tls_tests;

pub use amount::Amount;
pub use build::{client_for_url, client_for_venue, load_account_credentials, DEFAULT_TIMEOUT};
pub use client::AccountClient;
pub use error::AccountError;
pub use request::{AccountAnswer, AccountRequest};
pub use session::{AccountSession, SessionCounters, SessionError};
pub use types::{
    Balance, CancelOutcome, OpenOrder, OrderState, RateLimit, RateLimitKind, ServerTime, TickRule,
    TradingRules, VenueRules,
};
pub use venue::AccountVenue;
pub use ws_api::{BinanceWsAccount, WsAccountTarget};
