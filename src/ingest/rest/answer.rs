//! What one REST top-of-book answer gave, whatever the venue: quotes (handed one by one to the
//! caller, never collected), or the venue's own error answer. A body that is not the venue's shape
//! is a [`ParseError`](crate::ingest::venues::ParseError), counted as a REST parse error.
//!
//! [`parse_answer`](super::parse_answer) dispatches by venue kind. Every parser borrows the body, allocates
//! nothing, never panics and never goes through `f64`: prices and sizes are parsed from the
//! answer's decimal text at the instrument's scale ([`SymbolTable`](crate::ingest::venues::SymbolTable)), as the WebSocket parsers do.
//! The quotes it emits carry [`QuoteSource::Rest`](crate::model::QuoteSource), flag bit 0
//! (a REST answer is a snapshot), the venue's timestamp and update id where the answer has them,
//! and a receive time the caller stamps.

/// The outcome of one well-formed answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The answer carried books: `quotes` were emitted, `unknown` named symbols not configured.
    Quotes {
        /// Quotes handed to the caller.
        quotes: u32,
        /// Entries for symbols not in the table (skipped).
        unknown: u32,
    },
    /// The venue answered with its error shape (Binance `code`/`msg`, Upbit `error`, Bybit a
    /// non-zero `retCode`, OKX a non-zero `code`).
    VenueError,
}
