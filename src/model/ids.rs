//! Typed ids. Venues and instruments are small dense integers assigned from the config's order, so
//! the book table and every per-venue array index by them directly (no hashing, no strings on the
//! hot path). Names live only in the config and in reports.

/// Most venues one engine connects to: a hard cap checked by the config. The few small per-venue
/// arrays (slot caps, paper faults) are sized by it; every per-venue table of instruments or
/// assets is sized from the config's venue count at start-up.
pub const MAX_VENUES: usize = 16;
/// Most instruments one engine watches: a hard cap checked by the config ([`InstrumentId`] is a
/// `u16`). Tables indexed by instrument (book table, sequence guards, risk, codec tables) are
/// sized from the config's instrument count at start-up, never on the hot path.
pub const MAX_INSTRUMENTS: usize = 4096;

/// A venue's index in the config's `[[venues]]` list (0-based). Ties in the detector break by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct VenueId(pub u8);

/// An instrument's index in the config's `[[instruments]]` list (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct InstrumentId(pub u16);

/// A detected opportunity's id: dense, increasing from 1 within one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct OppId(pub u64);

/// An order's client id: dense, increasing from 1 within one run; sent to the venue as the client
/// order id so every answer can be matched back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct OrderId(pub u64);

impl VenueId {
    /// The id as an array index.
    #[inline]
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl InstrumentId {
    /// The id as an array index.
    #[inline]
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}
