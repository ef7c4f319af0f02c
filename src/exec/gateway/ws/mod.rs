//! Order entry and account streams over persistent WebSocket sessions: Binance's WebSocket API
//! (`session.logon` once with Ed25519, then unsigned orders, and the user-data stream on the same
//! connection), OKX's private socket, Bybit's trade and private sockets, Upbit's private stream.
//! One session state machine ([`WsSession`]) serves them all; what differs per venue is a
//! [`WsDialect`].
//!
//! The contract (what [`WsSession`] and [`WsGateway`] promise):
//! - An order is sent on the session only while it is logged on; otherwise staging refuses at
//!   once and nothing is written, so the caller can send it on REST: one client id, one path,
//!   decided before any byte leaves.
//! - Every request written gets exactly one answer: the venue's (read by the dialect, judged as
//!   the REST path judges it), or `Unknown` when its deadline passes or the session is lost after
//!   its bytes left (the stage then status-queries it: never a blind retry), or "not sent" when
//!   the session is lost before that.
//! - The session reconnects with backoff and logs on again before it takes orders; it renews
//!   itself before the venue's session limit without losing an order in flight.
//! - The venue's pushes (order finals, balances) reach the stage as
//!   [`GatewayEvent::Pushed`](super::GatewayEvent::Pushed) and
//!   [`GatewayEvent::Balance`](super::GatewayEvent::Balance).
//! - Zero allocation per order on plain TCP: the dialect writes into a buffer reserved once, our
//!   [`frame`] writer masks it into the reserved output buffer (tungstenite's `send` would
//!   allocate a message per order), and frames are read in place from a fixed input buffer.
//! - Every way a connection, request, frame or push is dropped is counted ([`WsCounters`],
//!   [`PushCounters`]).
//!
//! Pieces, one concept per file: [`frame`] (RFC 6455 client frames and server frame heads),
//! [`handshake`] (the upgrade request and its `101` check), [`transport`] (the non-blocking
//! TCP/TLS byte pipe), [`dialect`] (what a venue must say), [`session`] (the state machine and
//! the requests in flight), [`pushed`] (a push's final report), [`counters`], [`metrics`] (on
//! `/metrics`), [`gateway`] (the [`Gateway`](super::Gateway) of one venue), [`build`] (from
//! config), [`venue_latency`] (the venue's own share of a round trip, where its answers say); the
//! venues' dialects: [`binance`], [`okx`], [`bybit`] (the trade socket and the private stream),
//! [`upbit`] (a stream only: Upbit's orders stay on REST).
#![forbid(unsafe_code)]

pub mod binance;
pub mod build;
pub mod bybit;
pub mod counters;
pub mod dialect;
pub mod frame;
pub mod gateway;
pub mod handshake;
pub mod metrics;
pub mod okx;
pub mod pushed;
pub mod session;
pub mod transport;
pub mod upbit;
pub mod venue_latency;

pub use binance::BinanceDialect;
pub use build::{
    ws_gateway, WsBuildError, BYBIT_PRIVATE_WS_URL, BYBIT_TRADE_WS_URL, PUBLIC_WS_API_URL,
};
pub use bybit::BybitDialect;
pub use counters::WsCounters;
pub use dialect::{AssetNames, Inbound, LoginFrame, OrderLookup, StreamEvent, WsDialect, WsOp};
pub use gateway::WsGateway;
pub use metrics::WsMetrics;
pub use okx::OkxDialect;
pub use pushed::PushCounters;
pub use session::{WsOut, WsSession, WsSessionSettings, PENDING};
pub use upbit::UpbitDialect;
pub use venue_latency::VenueLatency;

#[cfg(test)]
#[path = "session_tls_tests.rs"]
pub(crate) mod session_tls_tests;
