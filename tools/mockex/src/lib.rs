//! `mockex`: a mock exchange that serves each venue's WebSocket market-data protocol on loopback
//! exactly as the venue does, for integration tests, `microarb demo` and the end-to-end latency
//! bench. Test and demo tooling, not the engine's hot path: plain blocking std threads, allocation
//! allowed, yet efficient enough for 100k+ frames/s in total on loopback.
//!
//! ```text
//!  [source thread] --Arc<Batch> per venue--> [conn thread] x N per venue --ws frames--> client
//!   synthetic market | capture file, paced      subscribe exchange, keep-alive, faults,
//!                                               send-time log, counters
//!  [accept thread] x 1 per venue: 127.0.0.1:<ephemeral>, one thread per connection
//! ```
//!
//! Contract:
//! - Each venue ([`MockVenue`]) listens on its own port; [`Endpoint::ws_url`] is what the engine's
//!   config `venues[].url` takes (Binance: the base URL, the engine appends `/stream?streams=`).
//! - The subscribe exchange, push formats and keep-alive answers are the venue's (see
//!   `protocol` and `format`, and the venues' API documentation); a connection is sent the frames
//!   of the instruments it subscribed to (Binance: by the combined-stream URL or a live
//!   `SUBSCRIBE`), each carrying its instrument's symbol as the venue spells it.
//! - Synthetic source: one [`SyntheticMarket`](crate::market::SyntheticMarket) over all venues (its
//!   venue `i` is `venues[i]`, its instrument `j` each venue's `symbols[j]`,
//!   [`MockVenue::with_instruments`]), so cross-venue opportunities exist exactly at the injected
//!   dislocations ([`MockExchange::injected`]), which rotate over the instruments and venues. Capture source: the file's frames of the served
//!   venues, in order, payloads as recorded.
//! - Rate: `rate_per_s` frames per second in total (0: as fast as the connections take them).
//! - Send times: [`SendLog`] per venue, keyed by update id, written just before the frame is
//!   written to the socket; the latency bench reads it in process.
//! - Faults ([`Fault`]) are injected per venue at run time through [`Control`]; every action is
//!   counted ([`VenueStats`]) so tests can assert on both ends.
//! - REST endpoints (docs/architecture.md, "Contracts"; module `rest`): with [`MockConfig::api`]
//!   set, every venue (Binance, Upbit, Bybit v5 spot, OKX v5) also listens for HTTP/1.1 on its
//!   own port ([`Endpoint::rest_url`]), verifies each venue's authentication (OKX's passphrase
//!   included, [`ApiCredentials::passphrase`]), enforces [`RestLimits`], fills orders on the
//!   venue's latest synthetic top of book of the order's instrument (IOC, or GTC resting on its
//!   book), answers in the venue's
//!   JSON and error bodies, and takes [`RestFault`]s through [`Control::inject_rest`]. On the
//!   feed's port, the same orders also go over WebSocket sessions ([`Endpoint::ws_api_url`]):
//!   Binance's WebSocket API ([`WsApiConfig`]) and OKX's private WebSocket with its `orders` and
//!   `account` channels ([`OkxWsConfig`]).
//!   [`ApiCredentials::generate`] and [`ApiCredentials::write_file`]
//!   make a run's credentials and the owner-only file the engine's config reads them from;
//!   with REST on, the Binance venue also serves its WebSocket API ([`Endpoint::ws_api_url`],
//!   [`WsApiConfig`]) and the Upbit venue its private stream of `myOrder` / `myAsset` pushes for
//!   the REST side's orders ([`Endpoint::private_ws_url`], [`UpbitPrivateConfig`]), each on the
//!   venue's feed port;
//!   [`serve_synthetic`] serves a list of venues as one synthetic market, REST on or off.
//! - Order-entry and account sockets on a venue's feed port, with [`MockConfig::api`] set
//!   ([`Endpoint::ws_api_url`], [`Endpoint::private_ws_url`]): Binance's WebSocket API
//!   (`/ws-api/v3`, [`WsApiConfig`]) and Bybit's v5 trade socket (`/v5/trade`) and private
//!   stream (`/v5/private`, [`BybitWsConfig`]), each order running through the REST side's own
//!   pipeline, every order change of the venue (any path) pushed to Bybit's private streams.
//!
//! Its own crate, depending on nothing of the engine: its venue kinds ([`VenueKind`]), decimals
//! ([`Scale`]), JSON handling (serde_json and a small scanner), capture reader
//! ([`CaptureReader`]) and signature checks (`ring`) are written from the venues' documentation,
//! so the engine's tests check the engine against an independent implementation.
//!
//! ```no_run
//! use mockex::{MockConfig, MockExchange, SyntheticSource};
//! let cfg = MockConfig::synthetic(MockConfig::all_kinds(), SyntheticSource::default());
//! let ex = MockExchange::start(cfg)?;
//! for e in ex.endpoints() {
//!     println!("{} ws={}", e.name, e.ws_url);
//! }
//! # Ok::<(), mockex::MockError>(())
//! ```
#![forbid(unsafe_code)]

mod api_credentials;
mod capture;
mod config;
mod conn;
mod decimal;
mod faults;
pub mod format;
mod instrument_sends;
mod json;
mod market;
pub mod protocol;
mod rest;
mod rng;
mod send_log;
mod serve;
mod server;
mod shared;
mod source;
mod stats;
mod venue_kind;

pub use api_credentials::CredentialsError;
pub use capture::{CaptureError, CaptureReader, Record};
pub use config::{
    ApiCredentials, BybitWsConfig, KeepAliveSettings, MockConfig, MockVenue, OkxWsConfig, Source,
    SyntheticSource, UpbitPrivateConfig, WsApiConfig,
};
pub use conn::TICK;
pub use decimal::Scale;
pub use faults::Fault;
pub use format::Scales;
pub use instrument_sends::InstrumentSends;
pub use market::{Dislocation, SimParams, SimQuote, SyntheticMarket};
pub use rest::auth as rest_auth;
pub use rest::{
    has_rest, okx_inst_id_code, AccountConfig, Arrival, InstrumentRules, RestFault, RestLimits,
    TakenOrder,
};
pub use send_log::{unix_ns, SendLog};
pub use serve::{serve_synthetic, synthetic_config};
pub use server::{Control, Endpoint, MockError, MockExchange};
pub use shared::InjectedDislocation;
pub use source::MAX_BATCH;
pub use stats::VenueStats;
pub use venue_kind::VenueKind;
