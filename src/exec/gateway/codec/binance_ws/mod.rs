//! Binance spot WebSocket API (`wss://ws-api.binance.com:443/ws-api/v3`) session codec: the bytes
//! of the requests and the reading of the answers and user-data events, with no connection logic.
//!
//! Why a session: `session.logon` authenticates the connection once with an Ed25519 signature
//! (about 14 us), after which `order.place`, `order.status`, `order.cancel`, `openOrders.status`
//! and `account.status` go without `apiKey` and `signature` (they keep `timestamp`), so the
//! per-order signing cost is zero. Layers, one concept per file:
//! - [`key`]: the Ed25519 private key from an owner-only PKCS#8 PEM file (cold path).
//! - [`logon`]: the signature payload (params sorted by name, `key=value&...`) and the
//!   `session.logon` request (cold path, once per session).
//! - [`request_id`]: the request `id`, which carries our order id so an answer matches back.
//! - [`requests`]: the unsigned request writers into a pre-sized buffer (hot path, no allocation).
//! - [`answer`]: `{"id","status","result"|"error","rateLimits"}` into a [`RestAnswer`]
//!   (hot path, zero-copy).
//! - [`events`]: user-data `executionReport` and `outboundAccountPosition` (zero-copy).
//!
//! [`RestAnswer`]: super::answer::RestAnswer

pub mod answer;
pub mod events;
pub mod key;
pub mod logon;
pub mod request_id;
pub mod requests;

pub use answer::{
    parse_inbound, read_order_answer, retry_after_ms, WsEnvelope, WsError, WsInbound, WsRateLimits,
};
pub use events::{
    AccountPosition, BalanceIter, BalanceText, ExecutionReport, TradeFill, UserEvent,
};
pub use key::{Ed25519Key, KeyError};
pub use logon::{sign_payload, write_logon, LogonParams};
pub use request_id::{RequestId, WsMethod};
pub use requests::{WsRequestWriter, WsSettings};

#[cfg(test)]
mod answer_tests;
#[cfg(test)]
mod tests;
