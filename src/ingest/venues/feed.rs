//! [`FeedParser`]: one venue connection's parser, dispatched by [`VenueKind`], with the state the
//! venue needs (Bybit's level-1 book) and the [`SeqGuard`] that drops updates not newer than the
//! last one seen.
//!
//! The ingest loop owns one per connection and calls [`FeedParser::parse`] with each payload and its
//! receive time. A stale update comes back as [`SkipKind::StaleSequence`], so the caller counts
//! every frame under exactly one of: quote, skip kind, parse error.

use super::frame::{Frame, ParseError, SkipKind};
use super::seq::{SeqCheck, SeqGuard};
use super::symbols::SymbolTable;
use super::{binance, bybit, okx, upbit};
use crate::model::{VenueId, VenueKind};

/// The parser of one venue connection (cold construction, hot [`parse`](FeedParser::parse)).
#[derive(Debug, Clone)]
pub struct FeedParser {
    kind: VenueKind,
    venue: VenueId,
    symbols: SymbolTable,
    seq: SeqGuard,
    bybit: Option<bybit::BybitBook>,
}

impl FeedParser {
    /// A parser for venue `venue` speaking `kind`, knowing `symbols` (allocates its state once,
    /// sized to the instrument ids `symbols` can produce).
    pub fn new(kind: VenueKind, venue: VenueId, symbols: SymbolTable) -> Self {
        let n = symbols.instrument_bound();
        FeedParser {
            kind,
            venue,
            symbols,
            seq: SeqGuard::with_instruments(n),
            bybit: (kind == VenueKind::Bybit).then(|| bybit::BybitBook::with_instruments(n)),
        }
    }

    /// The protocol this parser speaks.
    pub fn kind(&self) -> VenueKind {
        self.kind
    }

    /// The venue whose quotes it produces.
    pub fn venue(&self) -> VenueId {
        self.venue
    }

    /// The symbol table it looks instruments up in.
    pub fn symbols(&self) -> &SymbolTable {
        &self.symbols
    }

    /// Parse one payload received at `recv_ts_ns`. Never allocates, never panics.
    #[inline]
    pub fn parse(&mut self, payload: &[u8], recv_ts_ns: u64) -> Result<Frame, ParseError> {
        let frame = match self.kind {
            VenueKind::Binance => binance::parse(payload, &self.symbols, recv_ts_ns, self.venue)?,
            VenueKind::Upbit => upbit::parse(payload, &self.symbols, recv_ts_ns, self.venue)?,
            VenueKind::Okx => okx::parse(payload, &self.symbols, recv_ts_ns, self.venue)?,
            VenueKind::Bybit => {
                // Bybit checks its own sequence before applying a delta (see `bybit`).
                let book = self.bybit.get_or_insert_with(bybit::BybitBook::new);
                return bybit::parse(payload, &self.symbols, recv_ts_ns, self.venue, book);
            }
        };
        if let Frame::Quote(q) = frame {
            if let SeqCheck::Stale { .. } = self.seq.check(q.instrument, q.seq) {
                return Ok(Frame::Skip(SkipKind::StaleSequence));
            }
        }
        Ok(frame)
    }

    /// Forget sequence numbers and venue state, e.g. after a reconnect.
    pub fn reset(&mut self) {
        self.seq.reset_all();
        if let Some(book) = self.bybit.as_mut() {
            book.reset_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::InstrumentId;

    #[test]
    fn drops_stale_updates() {
        let t = SymbolTable::from_entries([("BNBUSDT", InstrumentId(0), 8, 8)]).unwrap();
        let mut p = FeedParser::new(VenueKind::Binance, VenueId(1), t);
        let f = |u: u64| format!(r#"{{"u":{u},"s":"BNBUSDT","b":"1","B":"1","a":"2","A":"1"}}"#);
        assert!(matches!(p.parse(f(5).as_bytes(), 1), Ok(Frame::Quote(_))));
        assert_eq!(
            p.parse(f(5).as_bytes(), 2),
            Ok(Frame::Skip(SkipKind::StaleSequence))
        );
        assert!(matches!(p.parse(f(6).as_bytes(), 3), Ok(Frame::Quote(_))));
        p.reset();
        assert!(matches!(p.parse(f(1).as_bytes(), 4), Ok(Frame::Quote(_))));
        assert_eq!(p.kind(), VenueKind::Binance);
        assert_eq!(p.venue(), VenueId(1));
        assert_eq!(p.symbols().len(), 1);
    }
}
