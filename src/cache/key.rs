//! The opportunity key: what makes two candidates "the same opportunity" (docs/architecture.md, "Detection rule").
//!
//! Same instrument, same buy venue, same sell venue, same price levels (`ask_a`, `bid_b`). Quantity,
//! edge and timestamps are not part of it: a size change at the same prices is the same
//! dislocation, and sending it again would trade into our own first order.

use super::hash::{fold_mul, CacheHash};
use crate::model::{InstrumentId, Opportunity, Price, VenueId};

/// `(instrument, buy venue, sell venue, ask at the buy venue, bid at the sell venue)`; 24 bytes,
/// `Copy`, hashed with one multiply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct OppKey {
    /// Buy leg price: the buy venue's best ask.
    pub ask_a: Price,
    /// Sell leg price: the sell venue's best bid.
    pub bid_b: Price,
    /// Which instrument.
    pub instrument: InstrumentId,
    /// Venue of the buy leg (`a`).
    pub buy_venue: VenueId,
    /// Venue of the sell leg (`b`).
    pub sell_venue: VenueId,
}

impl OppKey {
    /// The key of a detected opportunity.
    #[inline]
    pub fn of(opp: &Opportunity) -> OppKey {
        OppKey {
            ask_a: opp.buy_px,
            bid_b: opp.sell_px,
            instrument: opp.instrument,
            buy_venue: opp.buy_venue,
            sell_venue: opp.sell_venue,
        }
    }
}

impl CacheHash for OppKey {
    #[inline]
    fn cache_hash(&self) -> u64 {
        // One folded multiply of two words that hold every field: prices below 2^48 fixed-point
        // units (2.8e14) leave their top 16 bits zero, so the instrument goes there in one word and
        // the venue pair in the other, and distinct keys give distinct word pairs. The multiply
        // spreads all 128 input bits over the 64 output bits (foldhash's short-input step).
        let venues = self.buy_venue.0 as u64 | (self.sell_venue.0 as u64) << 8;
        let a = self.ask_a.0 as u64 ^ (self.instrument.0 as u64) << 48;
        let b = self.bid_b.0 as u64 ^ venues << 48;
        fold_mul(a ^ KEY_SEED_A, b ^ KEY_SEED_B)
    }
}

/// The key hash's seeds: odd, with the top 33 bits set, so that they fit an instruction's
/// sign-extended 32-bit immediate (no 10-byte constant load per hash) and, xored into a word whose
/// bit 63 is clear (prices below 2^48, instruments below 2^15), never give the zero operand that
/// would send every key with that price to one hash.
const KEY_SEED_A: u64 = 0x85a3_08d3_u32 as i32 as i64 as u64;
/// Second seed (see [`KEY_SEED_A`]).
const KEY_SEED_B: u64 = 0x8370_7345_u32 as i32 as i64 as u64;

const _: () = assert!(std::mem::size_of::<OppKey>() == 24);

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: u16, a: u8, b: u8, ask: i64, bid: i64) -> OppKey {
        OppKey {
            ask_a: Price(ask),
            bid_b: Price(bid),
            instrument: InstrumentId(i),
            buy_venue: VenueId(a),
            sell_venue: VenueId(b),
        }
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = key(1, 0, 1, 100, 101);
        let variants = [
            key(2, 0, 1, 100, 101),
            key(1, 1, 0, 100, 101), // swapped venues are a different direction
            key(1, 0, 2, 100, 101),
            key(1, 0, 1, 99, 101),
            key(1, 0, 1, 100, 102),
            key(1, 0, 1, 101, 100), // swapped prices
        ];
        for v in variants {
            assert_ne!(v, base);
            assert_ne!(v.cache_hash(), base.cache_hash(), "{v:?}");
        }
        assert_eq!(key(1, 0, 1, 100, 101).cache_hash(), base.cache_hash());
    }

    #[test]
    fn from_opportunity_ignores_qty_and_times() {
        let mut opp = Opportunity {
            buy_px: Price(100),
            sell_px: Price(101),
            instrument: InstrumentId(3),
            buy_venue: VenueId(1),
            sell_venue: VenueId(2),
            ..Opportunity::default()
        };
        let k = OppKey::of(&opp);
        assert_eq!(k, key(3, 1, 2, 100, 101));
        opp.qty.0 = 7;
        opp.recv_ts_ns = 99;
        assert_eq!(OppKey::of(&opp), k);
    }

    #[test]
    fn neighbouring_price_ticks_spread_over_buckets() {
        let mut buckets = [0u32; 128];
        for tick in 0..12_800i64 {
            let k = key(0, 0, 1, 6_000_000_000_000 + tick, 6_000_100_000_000 + tick);
            buckets[(k.cache_hash() & 127) as usize] += 1;
        }
        assert!(
            buckets.iter().all(|&n| (50..=150).contains(&n)),
            "{buckets:?}"
        );
    }
}
