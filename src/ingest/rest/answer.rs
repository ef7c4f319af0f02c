//! What one REST top-of-book answer gave, whatever the venue: quotes (handed one by one to the
//! caller, never collected), or the venue's own error answer. A body that is not the venue's shape
//! is a [`ParseError`], counted as a REST parse error.
//!
//! [`parse_answer`] dispatches by [`VenueKind`]. Every parser borrows the body, allocates
//! nothing, never panics and never goes through `f64`: prices and sizes are parsed from the
//! answer's decimal text at the instrument's scale ([`SymbolTable`]), as the WebSocket parsers do.
//! The quotes it emits carry [`QuoteSource::Rest`](crate::model::QuoteSource), flag bit 0
//! (a REST answer is a snapshot), the venue's timestamp and update id where the answer has them,
//! and a receive time the caller stamps.

use super::{binance, bybit, okx, upbit};
use crate::ingest::venues::{ParseError, SymbolInfo, SymbolTable};
use crate::model::{Quote, VenueId, VenueKind};

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

/// Parse one answer body of `kind`'s top-of-book endpoint, calling `emit` with each quote.
/// `asked` is the instrument the request named, for answers that do not repeat it (OKX).
pub fn parse_answer(
    kind: VenueKind,
    body: &[u8],
    symbols: &SymbolTable,
    asked: Option<SymbolInfo>,
    venue: VenueId,
    emit: &mut impl FnMut(Quote),
) -> Result<Answer, ParseError> {
    match kind {
        VenueKind::Binance => binance::parse_answer(body, symbols, venue, emit),
        VenueKind::Upbit => upbit::parse_answer(body, symbols, venue, emit),
        VenueKind::Bybit => bybit::parse_answer(body, symbols, venue, emit),
        VenueKind::Okx => okx::parse_answer(body, asked, venue, emit),
    }
}
