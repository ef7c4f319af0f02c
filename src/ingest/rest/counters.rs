//! The counters of one venue's REST fallback, `ingest.<venue>.rest_<name>` (exported on the
//! metrics endpoint as `microarb_ingest_rest_<name>_total{venue}`). Every poll ends in exactly one
//! of: an answer (`rest_answers`), a timeout (`rest_timeouts`), or a lost connection
//! (`rest_lost`); every answer in one of: parsed (its quotes then `rest_quotes`,
//! `rest_unchanged`, `rest_superseded`, `rest_quotes_dropped` or `rest_unknown_symbols`), a venue
//! error, a parse error, a 429/418, or another HTTP status.

use crate::base::Counter;
use crate::telemetry::Registry;

/// Counters of one venue's REST polling.
pub struct RestCounters {
    /// Times the fallback started polling (the WebSocket went down).
    pub activations: Counter,
    /// Connections opened to the REST host.
    pub connects: Counter,
    /// Requests sent.
    pub polls: Counter,
    /// Complete answers read (any status).
    pub answers: Counter,
    /// Quotes pushed to the strategy (new book states).
    pub quotes: Counter,
    /// Quotes not pushed: the same book as the last quote pushed.
    pub unchanged: Counter,
    /// Quotes not pushed: asked for before the last WebSocket quote arrived.
    pub superseded: Counter,
    /// Quotes dropped because the quotes ring was full.
    pub quotes_dropped: Counter,
    /// Answer entries for symbols not configured.
    pub unknown_symbols: Counter,
    /// 200 answers that did not parse.
    pub parse_errors: Counter,
    /// The venue's error answers (a 200 with its error shape, or a 4xx/5xx carrying it).
    pub venue_errors: Counter,
    /// 429 answers (rate limit; `Retry-After` honoured).
    pub http_429: Counter,
    /// 418 answers (Binance's IP ban; `Retry-After` honoured).
    pub http_418: Counter,
    /// Other non-200 answers.
    pub http_errors: Counter,
    /// Polls with no answer within `ingest.rest_timeout_ms` (the connection is closed).
    pub timeouts: Counter,
    /// Connections lost (closed by the host, I/O or TLS error, bad HTTP), with or without a poll
    /// outstanding.
    pub lost: Counter,
    /// Polls abandoned because the WebSocket took over while they were outstanding.
    pub abandoned: Counter,
    /// Rounds skipped because the ingest thread came to them a whole interval late (the schedule
    /// restarts then): each is one gap longer than the interval between REST quotes.
    pub rounds_skipped: Counter,
}

impl RestCounters {
    /// Register `ingest.<venue>.rest_*` (cold path).
    pub fn register(reg: &mut Registry, venue: &str) -> RestCounters {
        let mut c = |n: &str| reg.counter(&format!("ingest.{venue}.rest_{n}"));
        RestCounters {
            activations: c("activations"),
            connects: c("connects"),
            polls: c("polls"),
            answers: c("answers"),
            quotes: c("quotes"),
            unchanged: c("unchanged"),
            superseded: c("superseded"),
            quotes_dropped: c("quotes_dropped"),
            unknown_symbols: c("unknown_symbols"),
            parse_errors: c("parse_errors"),
            venue_errors: c("venue_errors"),
            http_429: c("http_429"),
            http_418: c("http_418"),
            http_errors: c("http_errors"),
            timeouts: c("timeouts"),
            lost: c("lost"),
            abandoned: c("abandoned"),
            rounds_skipped: c("rounds_skipped"),
        }
    }
}
