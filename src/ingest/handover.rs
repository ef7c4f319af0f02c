//! The hand-over between a venue's WebSocket stream and the REST polls that stand in for it
//! (`ingest/rest/`): the last quote pushed for every (instrument, venue), and the rule that keeps
//! one book state from being counted, or pushed, twice.
//!
//! The rule, per (instrument, venue), against the last quote pushed on the quotes ring:
//! - a REST answer showing the same top of book (prices and sizes, [`Quote::same_book`]) as the
//!   last quote pushed, from either source, is not a new update: it is not pushed
//!   ([`RestVerdict::Unchanged`], counted `rest_unchanged`);
//! - a REST answer stamped (its round's start, at or before its request was sent) before the last
//!   WebSocket quote was received may be older than what the strategy holds: not pushed ([`RestVerdict::Superseded`], `rest_superseded`), so the
//!   book never moves backwards at the hand-over;
//! - a WebSocket quote showing the same book as the REST quote pushed just before it is that same
//!   update seen again: not pushed ([`WsVerdict::SameAsRest`], counted `ws_same_as_rest` instead
//!   of `quotes`); the venue's book stays REST-sourced until its stream shows a change, which is
//!   the conservative side with `ingest.trade_on_rest_quotes = false`;
//! - every other quote is new: pushed, and recorded here once the ring took it.
//!
//! So a book state reaches the strategy once, from whichever source delivered it first, and the
//! `quotes` + `rest_quotes` counters count each update once. WebSocket quotes after a WebSocket
//! quote are untouched by this (the stream's own sequence guard already ran).
//!
//! Storage: one entry per (instrument, venue), allocated once; checks are a compare of four
//! integers, no allocation.

use crate::model::{Quote, QuoteSource};

/// What to do with a REST quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestVerdict {
    /// A new book state: push it.
    New,
    /// The same book as the last quote pushed: not a new update.
    Unchanged,
    /// Asked for before the last WebSocket quote arrived: older than the strategy's book.
    Superseded,
}

/// What to do with a WebSocket quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WsVerdict {
    /// Push it.
    New,
    /// The same book as the REST quote pushed just before it: already counted.
    SameAsRest,
}

#[derive(Debug, Clone, Copy, Default)]
struct Last {
    quote: Quote,
    pushed: bool,
}

/// The last quote pushed per (instrument, venue).
#[derive(Debug, Clone)]
pub struct Handover {
    n_venues: usize,
    last: Box<[Last]>,
}

impl Handover {
    /// Room for `n_instruments x n_venues` (cold path).
    pub fn new(n_instruments: usize, n_venues: usize) -> Handover {
        Handover {
            n_venues,
            last: vec![Last::default(); n_instruments * n_venues].into_boxed_slice(),
        }
    }

    #[inline]
    fn slot(&self, q: &Quote) -> Option<usize> {
        let v = q.venue.index();
        (v < self.n_venues)
            .then(|| q.instrument.index() * self.n_venues + v)
            .filter(|&i| i < self.last.len())
    }

    /// The verdict on a WebSocket quote (ids outside the table: always new).
    #[inline]
    pub fn ws(&self, q: &Quote) -> WsVerdict {
        match self.slot(q).map(|i| &self.last[i]) {
            Some(l) if l.pushed && l.quote.source == QuoteSource::Rest && l.quote.same_book(q) => {
                WsVerdict::SameAsRest
            }
            _ => WsVerdict::New,
        }
    }

    /// The verdict on a REST quote stamped `stamp_ns` (its round's start).
    #[inline]
    pub fn rest(&self, q: &Quote, stamp_ns: u64) -> RestVerdict {
        match self.slot(q).map(|i| &self.last[i]) {
            Some(l) if l.pushed && l.quote.same_book(q) => RestVerdict::Unchanged,
            Some(l)
                if l.pushed
                    && l.quote.source == QuoteSource::Ws
                    && l.quote.recv_ts_ns > stamp_ns =>
            {
                RestVerdict::Superseded
            }
            _ => RestVerdict::New,
        }
    }

    /// Remember `q` as pushed (call once the ring took it).
    #[inline]
    pub fn pushed(&mut self, q: &Quote) {
        if let Some(i) = self.slot(q) {
            self.last[i] = Last {
                quote: *q,
                pushed: true,
            };
        }
    }

    /// The last quote pushed for `q`'s (instrument, venue), if any.
    pub fn last(&self, q: &Quote) -> Option<Quote> {
        self.slot(q)
            .map(|i| self.last[i])
            .filter(|l| l.pushed)
            .map(|l| l.quote)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{InstrumentId, Price, Qty, VenueId};

    fn q(bid: i64, ts: u64, source: QuoteSource) -> Quote {
        Quote {
            bid_px: Price(bid),
            bid_qty: Qty(1),
            ask_px: Price(bid + 1),
            ask_qty: Qty(1),
            recv_ts_ns: ts,
            instrument: InstrumentId(1),
            venue: VenueId(2),
            source,
            ..Quote::default()
        }
    }

    #[test]
    fn a_book_state_counts_once_across_sources() {
        let mut h = Handover::new(2, 3);
        let (ws, rest) = (QuoteSource::Ws, QuoteSource::Rest);
        assert_eq!(h.ws(&q(10, 1, ws)), WsVerdict::New);
        h.pushed(&q(10, 1, ws));
        // The poll shows what the stream last showed: not new.
        assert_eq!(h.rest(&q(10, 5, rest), 4), RestVerdict::Unchanged);
        // A request sent before the last stream quote: superseded, even with another book.
        assert_eq!(h.rest(&q(9, 5, rest), 0), RestVerdict::Superseded);
        assert_eq!(h.rest(&q(11, 5, rest), 4), RestVerdict::New);
        h.pushed(&q(11, 4, rest));
        assert_eq!(h.rest(&q(11, 9, rest), 8), RestVerdict::Unchanged);
        // The stream comes back showing the polled book: already counted.
        assert_eq!(h.ws(&q(11, 12, ws)), WsVerdict::SameAsRest);
        assert_eq!(h.ws(&q(12, 13, ws)), WsVerdict::New);
        h.pushed(&q(12, 13, ws));
        // Stream after stream: always new, even unchanged (the stream's own rules apply).
        assert_eq!(h.ws(&q(12, 14, ws)), WsVerdict::New);
        assert_eq!(h.last(&q(0, 0, ws)).map(|l| l.bid_px), Some(Price(12)));
        // Other slots are independent; ids outside the table are new.
        let other = Quote {
            instrument: InstrumentId(0),
            ..q(12, 1, rest)
        };
        assert_eq!(h.rest(&other, 0), RestVerdict::New);
        let outside = Quote {
            venue: VenueId(9),
            ..q(12, 1, ws)
        };
        assert_eq!(h.ws(&outside), WsVerdict::New);
        h.pushed(&outside);
    }
}
