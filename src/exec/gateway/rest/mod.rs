//! REST order gateways for Binance, Upbit, Bybit v5 and OKX v5: signed HTTP/1.1 requests over a small pool of
//! keep-alive connections on mio (plain TCP or rustls), answers read into `Copy` reports.
//!
//! Contract:
//! - [`gateway::RestGateway`] drives one venue host. `stage(order, now_ns, unix_ms, query)` signs
//!   the request into an idle connection's buffer and `send()` writes it (or refuses at once: no idle connection, unknown
//!   instrument); `poll(now_ns, out)` moves bytes and yields one [`RestAnswer`](super::codec::RestAnswer) per
//!   submitted order, exactly once: the venue's answer, or `Unknown` when the answer is ambiguous
//!   (5xx, timeout by the caller's clock, connection lost after the request left).
//! - Time is the caller's (`now_ns` monotonic, `unix_ms` wall clock for Binance's `timestamp`);
//!   nothing here reads a clock.
//! - Steady state allocates nothing on plain TCP: request and response buffers are reserved at
//!   construction and reused (proven by `tests/alloc/rest.rs`). Over TLS, rustls 0.23's buffered
//!   API allocates a record buffer per write and per read.
//! - Key material stays in `ring::hmac::Key`s and boxed copies of the API keys; no type here
//!   prints it (`Debug` says `****`).
//!
//! Pieces: [`gateway`] (one venue: a codec from [`super::codec`] on a
//! [`Pool`](crate::net::http::Pool) of keep-alive connections), [`router`] (the [`Gateway`](super::Gateway)
//! over every venue) and [`build`] (from config: credentials, URLs, connections).
#![forbid(unsafe_code)]

pub mod build;
pub mod error;
pub mod gateway;
pub mod router;

pub use build::{
    client_prefix, connected_router, host_header, load_credentials, load_venue_credentials,
    public_rest_url, router_from_config, venue_codec,
};
pub use error::{RestBuildError, UrlError};
pub use gateway::{GatewaySettings, RestGateway, SubmitError};
pub use router::{RestRoute, RestRouter, ORDER_MEMORY};
