//! What a venue parser makes of one payload: a [`Quote`], a recognised frame that is not a quote
//! ([`SkipKind`], counted by kind), or a [`ParseError`] (counted with the venue, sampled into the log
//! at a limited rate by the caller).
//!
//! The split matters to operations: a subscribe answer, a pong or a trade on a channel we also
//! subscribed to is normal traffic and must never show up as a parse error; an error frame from the
//! venue is not a parse error either, but is a [`SkipKind::VenueError`] the caller should surface.
//! Everything here is `Copy` so the hot path can count and hand it on without allocating.

use thiserror::Error;

use crate::base::scan::ScanError;
use crate::model::{DecimalError, Quote};

/// The result of parsing one payload that was understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// A top-of-book update for a known instrument.
    Quote(Quote),
    /// A recognised frame that carries no quote for us.
    Skip(SkipKind),
}

/// Why a well-formed frame gives no quote. Each kind is counted separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SkipKind {
    /// Answer to a subscribe / unsubscribe request.
    SubscribeAck,
    /// The venue's answer to our keep-alive (`pong`, `{"status":"UP"}`, `"op":"ping"` echo).
    KeepAlive,
    /// Another channel of the venue (trade, depth, kline, tickers, books, ...).
    OtherChannel,
    /// A quote for a symbol that is not in the [`SymbolTable`](super::SymbolTable).
    UnknownSymbol,
    /// An error or failure answer from the venue (bad subscription, wrong format, ...).
    VenueError,
    /// An update whose sequence number is not above the last one seen: drop it (and count it).
    StaleSequence,
    /// A Bybit delta before any snapshot for its instrument: there is no book to apply it to.
    AwaitingSnapshot,
    /// A frame of our channel with nothing in it (e.g. an empty `data` array).
    Empty,
}

impl SkipKind {
    /// Every kind, in a fixed order, for counter arrays indexed by [`SkipKind::index`].
    pub const ALL: [SkipKind; 8] = [
        SkipKind::SubscribeAck,
        SkipKind::KeepAlive,
        SkipKind::OtherChannel,
        SkipKind::UnknownSymbol,
        SkipKind::VenueError,
        SkipKind::StaleSequence,
        SkipKind::AwaitingSnapshot,
        SkipKind::Empty,
    ];

    /// Dense index into a counter array of length `SkipKind::ALL.len()`.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Stable snake_case name for counters and reports.
    pub const fn name(self) -> &'static str {
        match self {
            SkipKind::SubscribeAck => "subscribe_ack",
            SkipKind::KeepAlive => "keep_alive",
            SkipKind::OtherChannel => "other_channel",
            SkipKind::UnknownSymbol => "unknown_symbol",
            SkipKind::VenueError => "venue_error",
            SkipKind::StaleSequence => "stale_sequence",
            SkipKind::AwaitingSnapshot => "awaiting_snapshot",
            SkipKind::Empty => "empty",
        }
    }
}

/// Why a payload could not be parsed. `Copy`, no heap: the field name is a static string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ParseError {
    /// The payload is not structurally valid JSON (or not the JSON shape the venue sends).
    #[error(transparent)]
    Json(#[from] ScanError),
    /// A field the frame must carry is absent.
    #[error("missing field `{field}`")]
    MissingField {
        /// The venue's key.
        field: &'static str,
    },
    /// A field has the wrong JSON type (a number where a string belongs, ...).
    #[error("field `{field}` has the wrong type")]
    WrongType {
        /// The venue's key.
        field: &'static str,
    },
    /// A price or size that is not an exact decimal at the instrument's scale.
    #[error("field `{field}`: {source}")]
    Decimal {
        /// The venue's key.
        field: &'static str,
        /// What the decimal parser refused.
        source: DecimalError,
    },
    /// An integer field (update id, timestamp) that is not an unsigned integer in range.
    #[error("field `{field}` is not an integer in range")]
    Integer {
        /// The venue's key.
        field: &'static str,
    },
}

impl ParseError {
    /// Shorthand used by the adapters for a decimal failure.
    #[inline]
    pub(crate) fn decimal(field: &'static str) -> impl Fn(DecimalError) -> ParseError {
        move |source| ParseError::Decimal { field, source }
    }
}
