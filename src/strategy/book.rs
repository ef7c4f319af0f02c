//! The book table: the latest [`Quote`] of every (instrument, venue), in one flat array.
//!
//! Contract: slot `instrument.index() * n_venues + venue.index()` holds the last quote that arrived
//! for that pair, whatever its timestamps (ingest has already dropped older sequence numbers, so
//! "latest arrival" is "latest"). The array is allocated once in [`BookTable::new`]; storing is a
//! 64-byte copy, and a row (all venues of one instrument) is one contiguous slice, which is what
//! the detector scans on every quote. An empty slot reads as `Quote::default()`: zero prices, so
//! neither of its sides is usable.
//!
//! A side is usable only with a positive price **and** a positive size ([`ask_usable`],
//! [`bid_usable`]): a venue that sends an empty side (`Price::ZERO`) or a zero size cannot be that
//! side of a pair, though its other side still can.

use thiserror::Error;

use crate::model::{InstrumentId, Quote, VenueId};

/// A quote named an instrument or venue outside the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("quote for instrument {instrument:?} venue {venue:?} outside the {n_instruments}x{n_venues} book table")]
pub struct UnknownIds {
    /// The instrument the quote named.
    pub instrument: InstrumentId,
    /// The venue the quote named.
    pub venue: VenueId,
    /// Instruments in the table.
    pub n_instruments: usize,
    /// Venues in the table.
    pub n_venues: usize,
}

/// True when the quote's ask can be bought: positive price and size.
#[inline]
pub fn ask_usable(q: &Quote) -> bool {
    q.ask_px.0 > 0 && q.ask_qty.0 > 0
}

/// True when the quote's bid can be sold into: positive price and size.
#[inline]
pub fn bid_usable(q: &Quote) -> bool {
    q.bid_px.0 > 0 && q.bid_qty.0 > 0
}

/// Latest quote per (instrument, venue).
#[derive(Debug, Clone)]
pub struct BookTable {
    n_instruments: usize,
    n_venues: usize,
    quotes: Vec<Quote>,
}

impl BookTable {
    /// Allocate an empty `n_instruments x n_venues` table (cold path).
    pub fn new(n_instruments: usize, n_venues: usize) -> BookTable {
        BookTable {
            n_instruments,
            n_venues,
            quotes: vec![Quote::default(); n_instruments * n_venues],
        }
    }

    /// Venues per instrument row.
    #[inline]
    pub fn n_venues(&self) -> usize {
        self.n_venues
    }

    /// Instruments (rows).
    #[inline]
    pub fn n_instruments(&self) -> usize {
        self.n_instruments
    }

    #[inline]
    fn slot(&self, instrument: InstrumentId, venue: VenueId) -> Option<usize> {
        (instrument.index() < self.n_instruments && venue.index() < self.n_venues)
            .then(|| instrument.index() * self.n_venues + venue.index())
    }

    /// Store `q` as the latest quote of its (instrument, venue); refuses ids outside the table.
    #[inline]
    pub fn store(&mut self, q: Quote) -> Result<(), UnknownIds> {
        match self.slot(q.instrument, q.venue) {
            Some(s) => {
                self.quotes[s] = q;
                Ok(())
            }
            None => Err(UnknownIds {
                instrument: q.instrument,
                venue: q.venue,
                n_instruments: self.n_instruments,
                n_venues: self.n_venues,
            }),
        }
    }

    /// The latest quote of (instrument, venue); `Quote::default()` if none arrived yet, `None` for
    /// ids outside the table.
    #[inline]
    pub fn get(&self, instrument: InstrumentId, venue: VenueId) -> Option<&Quote> {
        self.slot(instrument, venue).map(|s| &self.quotes[s])
    }

    /// Every venue's latest quote of `instrument`, indexed by `VenueId`; empty for an unknown
    /// instrument.
    #[inline]
    pub fn row(&self, instrument: InstrumentId) -> &[Quote] {
        let i = instrument.index();
        if i >= self.n_instruments {
            return &[];
        }
        &self.quotes[i * self.n_venues..(i + 1) * self.n_venues]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Price, Qty};

    fn q(i: u16, v: u8, seq: u64) -> Quote {
        Quote {
            seq,
            instrument: InstrumentId(i),
            venue: VenueId(v),
            bid_px: Price(10),
            bid_qty: Qty(1),
            ask_px: Price(11),
            ask_qty: Qty(0),
            ..Quote::default()
        }
    }

    #[test]
    fn stores_latest_arrival_in_its_slot() {
        let mut b = BookTable::new(2, 3);
        b.store(q(1, 2, 7)).unwrap();
        b.store(q(1, 2, 5)).unwrap();
        assert_eq!(b.get(InstrumentId(1), VenueId(2)).unwrap().seq, 5);
        assert_eq!(b.get(InstrumentId(0), VenueId(2)), Some(&Quote::default()));
        assert_eq!(b.row(InstrumentId(1)).len(), 3);
        assert_eq!(b.row(InstrumentId(1))[2].seq, 5);
        assert!(b.row(InstrumentId(2)).is_empty());
    }

    #[test]
    fn refuses_unknown_ids() {
        let mut b = BookTable::new(2, 3);
        assert!(b.store(q(2, 0, 1)).is_err());
        assert!(b.store(q(0, 3, 1)).is_err());
        assert_eq!(b.get(InstrumentId(0), VenueId(3)), None);
    }

    #[test]
    fn sides_need_price_and_size() {
        let x = q(0, 0, 0);
        assert!(bid_usable(&x));
        assert!(!ask_usable(&x));
        assert!(!bid_usable(&Quote::default()));
        let neg = Quote {
            ask_px: Price(-1),
            ask_qty: Qty(5),
            ..x
        };
        assert!(!ask_usable(&neg));
    }
}
