//! Ingest: from venue sockets to [`Quote`](crate::model::Quote)s in the strategy ring.
//!
//! The event loop's contract ([`IngestStage`]):
//! - One mio `Poll` per ingest thread drives any number of venue connections ([`conn`]). Sockets are
//!   non-blocking; the TCP connect, the TLS handshake (rustls, bundled web PKI roots, verification
//!   always on) and the WebSocket handshake (tungstenite) all resume on `WouldBlock`.
//! - Who reads: on a readiness event the connection is drained until `WouldBlock`, every frame
//!   handed with its receive time to the venue's parser ([`venues::FeedParser`]); pings are answered
//!   (tungstenite queues the pong; the loop flushes it), a close ends the session.
//! - When a connection is dropped: on a close, an I/O or protocol error, a frame above
//!   `ingest.max_message_bytes`, a connect or handshake timeout, or no message at all for
//!   `ingest.reconnect_after_ms`. It then waits an exponential backoff with jitter ([`backoff`]),
//!   reset after a healthy session, and a feed breaker stops attempts for a while when a venue keeps
//!   failing. A quote older than its venue's `stale_after_ms` is never traded on (the detector judges
//!   each quote's age); a silent feed also counts a stale period.
//! - What is counted, per venue (`ingest.<venue>.*`): frames, bytes, quotes, ring drops, parse
//!   errors (with a rate-limited log sample), sequence drops, skipped frames, venue error frames,
//!   stale periods, connects, opens, reconnects, connect failures, disconnects, silent drops,
//!   oversized frames, pings sent and received, breaker rejections, and stream quotes that
//!   repeated the REST book they replace (`ws_same_as_rest`).
//! - While a venue's stream is down, the REST fallback ([`rest`], `ingest.rest_fallback`) polls
//!   its public top of book on the same `Poll`; quotes carry their source, and [`Handover`]
//!   decides which of them are new (nothing is counted twice across the two sources).
//!
//! The venue adapters ([`venues`]) hold per venue its URL, subscribe messages, keep-alive rule and
//! a zero-allocation parser from one WebSocket payload to a quote.

pub mod conn;
mod counters;
pub mod handover;
mod out;
pub mod rest;
mod stage;
pub mod venues;

pub use counters::ConnCounters;
pub use handover::{Handover, RestVerdict, WsVerdict};
pub use out::{Out, ParseSample};
pub use stage::{
    parsers_from_config, venue_symbols, IngestBuildError, IngestSettings, IngestStage,
};
