//! [`parse_answer`]: one REST top-of-book answer body parsed by its venue's parser (the
//! dispatch, kept apart from the [`Answer`] type the parsers return so no file imports back).

use super::answer::Answer;
use super::{binance, bybit, okx, upbit};
use crate::ingest::venues::{ParseError, SymbolInfo, SymbolTable};
use crate::model::{Quote, VenueId, VenueKind};

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
