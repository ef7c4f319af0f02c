//! A non-blocking HTTP/1.1 client for request/response APIs: one keep-alive connection on mio,
//! plain TCP or rustls ([`conn`]), a small pool of them with its own poller ([`pool`]), and
//! response framing ([`response`]). Venue-agnostic: callers write the request bytes into the
//! connection's reused buffer and read responses as `(status, headers, body)`. Imports no stage.
#![forbid(unsafe_code)]

pub mod conn;
pub mod pool;
pub mod response;

pub use conn::{ConnState, HttpConn, LostReason, Progress, TlsTarget};
pub use pool::{HostSpec, Pool, PoolError, PoolEvent, PoolSettings};
pub use response::{frame, parse_head, Framed, HttpError, MAX_HEADERS};
