//! The counters of one venue connection, `ingest.<venue>.<name>`: one concept shared by the
//! connection's state machine ([`conn`](super::conn)) and its frame output ([`out`](super::out)).

use crate::base::Counter;
use crate::telemetry::Registry;

/// Counters of one connection (`ingest.<venue>.<name>`).
pub struct ConnCounters {
    /// Data frames (text or binary) read.
    pub frames: Counter,
    /// Payload bytes of those frames.
    pub bytes: Counter,
    /// Quotes pushed to the strategy.
    pub quotes: Counter,
    /// Quotes dropped because the quotes ring was full.
    pub quotes_dropped: Counter,
    /// Payloads that did not parse.
    pub parse_errors: Counter,
    /// Updates older than the last seen sequence number.
    pub seq_drops: Counter,
    /// Recognised non-quote frames (acks, keep-alives, other channels...).
    pub skipped: Counter,
    /// Error frames from the venue.
    pub venue_errors: Counter,
    /// Times the feed went silent past `stale_after`.
    pub stale_periods: Counter,
    /// Connection attempts started.
    pub connects: Counter,
    /// Sessions that reached the open state.
    pub opens: Counter,
    /// Reconnects scheduled after a failure.
    pub reconnects: Counter,
    /// Attempts that failed before opening (refused, timeout, TLS or handshake error).
    pub connect_failures: Counter,
    /// Open sessions closed by the venue or by an I/O error.
    pub disconnects: Counter,
    /// Sessions dropped for silence.
    pub silent_drops: Counter,
    /// Frames refused for size.
    pub oversized: Counter,
    /// Keep-alive pings we sent.
    pub pings_sent: Counter,
    /// Pings the venue sent (answered by a pong).
    pub pings_received: Counter,
    /// Attempts the feed breaker refused.
    pub breaker_rejections: Counter,
    /// Stream quotes not pushed because they showed the book the REST fallback had just pushed
    /// (the same update, already counted in `rest_quotes`).
    pub ws_same_as_rest: Counter,
}

impl ConnCounters {
    pub(super) fn register(reg: &mut Registry, venue: &str) -> ConnCounters {
        let mut c = |n: &str| reg.counter(&format!("ingest.{venue}.{n}"));
        ConnCounters {
            frames: c("frames"),
            bytes: c("bytes"),
            quotes: c("quotes"),
            quotes_dropped: c("quotes_dropped"),
            parse_errors: c("parse_errors"),
            seq_drops: c("seq_drops"),
            skipped: c("skipped"),
            venue_errors: c("venue_errors"),
            stale_periods: c("stale_periods"),
            connects: c("connects"),
            opens: c("opens"),
            reconnects: c("reconnects"),
            connect_failures: c("connect_failures"),
            disconnects: c("disconnects"),
            silent_drops: c("silent_drops"),
            oversized: c("oversized"),
            pings_sent: c("pings_sent"),
            pings_received: c("pings_received"),
            breaker_rejections: c("breaker_rejections"),
            ws_same_as_rest: c("ws_same_as_rest"),
        }
    }
}
