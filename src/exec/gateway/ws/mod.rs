//! Order entry over a persistent WebSocket session: the Binance spot WebSocket API
//! (`wss://ws-api.binance.com:443/ws-api/v3`), where `session.logon` authenticates the
//! connection once (Ed25519) and orders then carry no signature.
//!
//! The contract (what [`WsSession`] and [`BinanceWsGateway`] promise):
//! - An order is sent on the session only while it is logged on; otherwise staging refuses at
//!   once and nothing is written, so the caller can send it on REST: one client id, one path,
//!   decided before any byte leaves.
//! - Every request written gets exactly one answer: the venue's (read by the codec, judged as the
//!   REST path judges it), or `Unknown` when its deadline passes or the session is lost after its
//!   bytes left (the stage then status-queries it: never a blind retry), or "not sent" when the
//!   session is lost before that.
//! - The session reconnects with backoff and logs on again before it takes orders; it renews
//!   itself before the venue's 24 h limit without losing an order in flight.
//! - Zero allocation per order on plain TCP: the codec writes into a buffer reserved once, our
//!   [`frame`] writer masks it into the reserved output buffer (tungstenite's `send` would
//!   allocate a message per order), and frames are read in place from a fixed input buffer.
//! - Every way a connection, request or frame is dropped is counted ([`WsCounters`]).
//!
//! Pieces, one concept per file: [`frame`] (RFC 6455 client frames and server frame heads),
//! [`handshake`] (the upgrade request and its `101` check), [`transport`] (the non-blocking
//! TCP/TLS byte pipe), [`session`] (the state machine and the requests in flight),
//! [`counters`], [`gateway`], [`build`] (from config) (the [`Gateway`](super::Gateway) over one Binance venue).
#![forbid(unsafe_code)]

pub mod build;
pub mod counters;
pub mod frame;
pub mod gateway;
pub mod handshake;
pub mod session;
pub mod transport;

pub use build::{ws_gateway, WsBuildError, PUBLIC_WS_API_URL};
pub use counters::WsCounters;
pub use gateway::BinanceWsGateway;
pub use session::{WsSession, WsSessionSettings, PENDING};
