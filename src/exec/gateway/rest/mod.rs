//! REST order gateways for Binance and Upbit: signed HTTP/1.1 requests over a small pool of
//! keep-alive connections on mio (plain TCP or rustls), answers read into `Copy` reports.
//!
//! Contract:
//! - [`gateway::RestGateway`] drives one venue host. `submit(order, now_ns, unix_ms)` writes the
//!   signed request on an idle connection (or refuses at once: no idle connection, unknown
//!   instrument); `poll(now_ns, out)` moves bytes and yields one [`answer::RestAnswer`] per
//!   submitted order, exactly once: the venue's answer, or `Unknown` when the answer is ambiguous
//!   (5xx, timeout by the caller's clock, connection lost after the request left).
//! - Time is the caller's (`now_ns` monotonic, `unix_ms` wall clock for Binance's `timestamp`);
//!   nothing here reads a clock.
//! - Steady state allocates nothing on plain TCP: request and response buffers are reserved at
//!   construction and reused (proven by `tests/rest_alloc.rs`). Over TLS, rustls 0.23's buffered
//!   API allocates a record buffer per write and per read.
//! - Key material stays in `ring::hmac::Key`s and boxed copies of the API keys; no type here
//!   prints it (`Debug` says `****`).
//!
//! Layers, bottom up: [`encode`] (hex, base64url, decimals), [`nonce`] (uuid v4), [`jwt`] (Upbit
//! token), [`binance`] / [`upbit`] (request bytes and answer reading, [`answer::RestVenue`]),
//! [`response`] (HTTP framing), [`conn`] (one connection), [`pool`] (N connections + mio `Poll`),
//! [`gateway`] (orders <-> connections).
#![forbid(unsafe_code)]

pub mod answer;
pub mod binance;
pub mod conn;
pub mod encode;
pub mod gateway;
pub mod instruments;
pub mod jwt;
pub mod nonce;
pub mod pool;
pub mod response;
pub mod upbit;

pub use answer::{AnswerKind, InstrumentSpec, RequestError, RestAnswer, RestVenue};
pub use binance::{BinanceCodec, BinanceSettings};
pub use gateway::{GatewaySettings, RestGateway, SubmitError};
pub use instruments::InstrumentTable;
pub use pool::HostSpec;
pub use upbit::{UpbitCodec, UpbitSettings};
