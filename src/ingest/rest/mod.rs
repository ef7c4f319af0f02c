//! The REST fallback: while a venue's WebSocket is down, poll its public REST top of book so the
//! strategy still sees the venue, and stop when the stream is back.
//!
//! Contract:
//! - [`RestPoller`] (one per venue, when `ingest.rest_fallback = true`) runs on the ingest thread
//!   as a non-blocking part of its poll loop: its socket is registered on the ingest stage's own
//!   mio `Poll` and driven by its readiness events; its timers run after the WebSocket
//!   connections' (see `poller.rs` for when it polls, how fast, and what it stamps).
//! - Endpoints (each file names the venue documentation it follows and holds the docs' example
//!   answers as tests): Binance `GET /api/v3/ticker/bookTicker` ([`binance`]), Upbit
//!   `GET /v1/orderbook` ([`upbit`]), Bybit `GET /v5/market/orderbook` ([`bybit`]), OKX
//!   `GET /api/v5/market/books` ([`okx`]). Answers are parsed like the stream's frames: the
//!   zero-copy scanner, fixed-point decimals, no allocation, no panic ([`parse_answer`]).
//! - Every quote from here carries [`QuoteSource::Rest`](crate::model::QuoteSource); the strategy
//!   refuses an opportunity with such a leg unless `ingest.trade_on_rest_quotes = true`. What is
//!   pushed, and what is counted once across both sources, is [`Handover`](super::Handover)'s rule.
//! - Counted per venue: [`RestCounters`] (`ingest.<venue>.rest_*`).

mod answer;
pub mod binance;
mod build;
pub mod bybit;
mod counters;
mod dispatch;
pub mod okx;
mod poller;
pub mod upbit;

pub use answer::Answer;
pub use build::{public_base, rest_spec, RestBuildError, RestRequest, RestSpec};
pub use counters::RestCounters;
pub use dispatch::parse_answer;
pub use poller::RestPoller;
