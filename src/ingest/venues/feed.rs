//! [`FeedParser`]: one venue connection's parser, dispatched by [`VenueKind`], with the state the
//! venue needs (Bybit's level-1 book) and the [`SeqGuard`] that drops updates not newer than the
//! last one seen.
//!
//! The ingest loop owns one per connection and calls [`FeedParser::parse`] with each payload and its
//! receive time. A stale update comes back as [`SkipKind::StaleSequence`], so the caller counts
//! every frame under exactly one of: quote, skip kind, parse error.
//!
//! It also keeps a copy of the last frame that made a quote, so the ingest stage's idle
//! rehearsal ([`FeedParser::rehearse`]) can parse it again while the market is quiet, keeping the
//! parser's code and the symbol table warm, without touching the sequence guard or the book.

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
    /// The last frame that made a quote, for [`FeedParser::rehearse`] (reserved once, never grown).
    last: Vec<u8>,
    /// Bybit's rehearsal applies deltas to this book, never to the real one.
    bybit_scratch: Option<bybit::BybitBook>,
}

/// Longest frame kept for the rehearsal (a longer one is simply not kept).
pub const REHEARSAL_FRAME_CAP: usize = 2048;

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
            last: Vec::with_capacity(REHEARSAL_FRAME_CAP),
            bybit_scratch: (kind == VenueKind::Bybit)
                .then(|| bybit::BybitBook::with_instruments(n)),
        }
    }

    /// Keep `payload` (a frame that made a quote) for the rehearsal; one copy, no allocation (a
    /// frame over [`REHEARSAL_FRAME_CAP`] is not kept).
    #[inline]
    pub fn remember(&mut self, payload: &[u8]) {
        if payload.len() <= REHEARSAL_FRAME_CAP {
            self.last.clear();
            self.last.extend_from_slice(payload);
        }
    }

    /// Parse the remembered frame again and drop the result: the same code as
    /// [`parse`](Self::parse) without the sequence check, and for Bybit into a scratch book, so
    /// nothing the parser decides later changes. Returns whether it made a quote (tests).
    pub fn rehearse(&mut self, recv_ts_ns: u64) -> bool {
        if self.last.is_empty() {
            return false;
        }
        let (p, syms, v) = (&self.last[..], &self.symbols, self.venue);
        let frame = match self.kind {
            VenueKind::Binance => binance::parse(p, syms, recv_ts_ns, v),
            VenueKind::Upbit => upbit::parse(p, syms, recv_ts_ns, v),
            VenueKind::Okx => okx::parse(p, syms, recv_ts_ns, v),
            VenueKind::Bybit => match self.bybit_scratch.as_mut() {
                Some(book) => bybit::parse(p, syms, recv_ts_ns, v, book),
                None => return false,
            },
        };
        matches!(std::hint::black_box(frame), Ok(Frame::Quote(_)))
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
        self.last.clear();
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
        // A rehearsal parses the remembered frame and leaves the guard alone.
        assert!(!p.rehearse(4), "nothing remembered yet");
        p.remember(f(7).as_bytes());
        for t in 5..10 {
            assert!(p.rehearse(t));
        }
        assert!(matches!(p.parse(f(7).as_bytes(), 10), Ok(Frame::Quote(_))));
        assert_eq!(
            p.parse(f(7).as_bytes(), 11),
            Ok(Frame::Skip(SkipKind::StaleSequence))
        );
        p.reset();
        assert!(matches!(p.parse(f(1).as_bytes(), 4), Ok(Frame::Quote(_))));
        assert_eq!(p.kind(), VenueKind::Binance);
        assert_eq!(p.venue(), VenueId(1));
        assert_eq!(p.symbols().len(), 1);
    }

    #[test]
    fn a_bybit_rehearsal_never_touches_the_real_book() {
        let frame = |ty: &str, u: u64, b: &str, a: &str| {
            format!(
                r#"{{"topic":"orderbook.1.BTCUSDT","type":"{ty}","ts":1,"data":{{"s":"BTCUSDT","b":[{b}],"a":[{a}],"u":{u},"seq":1}},"cts":1}}"#
            )
        };
        let t = SymbolTable::from_entries([("BTCUSDT", InstrumentId(0), 2, 3)]).unwrap();
        let (mut plain, mut busy) = (
            FeedParser::new(VenueKind::Bybit, VenueId(0), t.clone()),
            FeedParser::new(VenueKind::Bybit, VenueId(0), t),
        );
        let frames = [
            frame(
                "snapshot",
                1,
                r#"["100.00","1.000"]"#,
                r#"["101.00","2.000"]"#,
            ),
            frame("delta", 2, r#"["100.50","1.500"]"#, ""),
            frame("delta", 3, "", r#"["100.90","0.500"]"#),
            frame("delta", 4, r#"["100.50","0"]"#, ""),
        ];
        for (i, f) in frames.iter().enumerate() {
            // Rehearse the frame that comes next (a later `u`, other levels): had it reached the
            // real book, the real frames after it would read differently or be stale.
            busy.remember(frames[(i + 1) % frames.len()].as_bytes());
            for k in 0..5 {
                busy.rehearse(100 + k);
            }
            let (a, b) = (
                plain.parse(f.as_bytes(), i as u64),
                busy.parse(f.as_bytes(), i as u64),
            );
            assert_eq!(a, b, "frame {i}");
        }
    }
}
