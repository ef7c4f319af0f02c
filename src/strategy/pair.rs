//! Choosing the best (buy venue, sell venue) pair in one pass, exactly.
//!
//! For buy venue `a` and sell venue `b`, with fee-adjusted `cost_a = ask_a * (1e6 + fee_a)` and
//! `proceeds_b = bid_b * (1e6 - fee_b)`, `net = proceeds_b / cost_a - 1`: the ratio separates, so
//! the best pair overall is (cheapest adjusted ask, richest adjusted bid). Section 11 forbids
//! `a == b` and breaks ties by lower buy venue, then lower sell venue. [`PairScan`] keeps the two
//! best asks and the two best bids (ties to the lower venue, which is the first pushed), and
//! [`PairScan::best`] resolves the rest:
//!
//! - best ask venue `a0` != best bid venue `b0`: `(a0, b0)`. Every pair of equal ratio has a cost
//!   of `cost_a0` and proceeds of `proceeds_b0`, and `a0`, `b0` are the lowest such venues.
//! - `a0 == b0`: only `X = (a0, b1)` (best ask, second bid) and `Y = (a1, a0)` (second ask, best
//!   bid) can be best; any pair avoiding `a0` on both sides is no better than `X` and tied with it
//!   only when it also ties on cost, where `X`'s lower buy venue wins. `X` beats `Y` iff
//!   `p_b1 / c_a0 > p_a0 / c_a1`, i.e. `p_b1 * c_a1 > p_a0 * c_a0`, compared exactly in 256 bits
//!   ([`super::wide`]); on equality the lower buy venue wins (`a0 < a1` picks `X`).
//!
//! Venues must be pushed in increasing id order; that is what makes "first seen" mean "lower id".

use core::cmp::Ordering;

use super::wide::cmp_products;

/// Running best-two asks (lowest cost) and bids (highest proceeds) over venues in id order.
#[derive(Debug, Clone, Copy, Default)]
pub struct PairScan {
    ask1: Option<(u8, i128)>,
    ask2: Option<(u8, i128)>,
    bid1: Option<(u8, i128)>,
    bid2: Option<(u8, i128)>,
}

impl PairScan {
    /// An empty scan.
    #[inline]
    pub fn new() -> PairScan {
        PairScan::default()
    }

    /// Offer venue `venue`'s adjusted ask cost (> 0). Call in increasing venue order.
    #[inline]
    pub fn push_ask(&mut self, venue: u8, cost: i128) {
        match self.ask1 {
            Some((_, c1)) if cost >= c1 => {
                let better = match self.ask2 {
                    Some((_, c2)) => cost < c2,
                    None => true,
                };
                if better {
                    self.ask2 = Some((venue, cost));
                }
            }
            _ => {
                self.ask2 = self.ask1;
                self.ask1 = Some((venue, cost));
            }
        }
    }

    /// Offer venue `venue`'s adjusted bid proceeds (> 0). Call in increasing venue order.
    #[inline]
    pub fn push_bid(&mut self, venue: u8, proceeds: i128) {
        match self.bid1 {
            Some((_, p1)) if proceeds <= p1 => {
                let better = match self.bid2 {
                    Some((_, p2)) => proceeds > p2,
                    None => true,
                };
                if better {
                    self.bid2 = Some((venue, proceeds));
                }
            }
            _ => {
                self.bid2 = self.bid1;
                self.bid1 = Some((venue, proceeds));
            }
        }
    }

    /// The best pair `(buy venue, sell venue, cost, proceeds)` with distinct venues, ties per
    /// the detection rule; `None` when no such pair exists.
    #[inline]
    pub fn best(&self) -> Option<(u8, u8, i128, i128)> {
        let (a0, c0) = self.ask1?;
        let (b0, p0) = self.bid1?;
        if a0 != b0 {
            return Some((a0, b0, c0, p0));
        }
        let x = self.bid2.map(|(b1, p1)| (a0, b1, c0, p1));
        let y = self.ask2.map(|(a1, c1)| (a1, a0, c1, p0));
        match (x, y) {
            (Some(x), Some(y)) => {
                // x.3 = p_b1, y.2 = c_a1; both positive and below 2^85 by the callers' bounds.
                match cmp_products(x.3 as u128, y.2 as u128, p0 as u128, c0 as u128) {
                    Ordering::Greater => Some(x),
                    Ordering::Less => Some(y),
                    Ordering::Equal => Some(if x.0 < y.0 { x } else { y }),
                }
            }
            (x, None) => x,
            (None, y) => y,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// All ordered pairs, exact i128 cross-multiplication (small values), strict improvement only
    /// so the first pair in (buy, sell) order wins ties.
    fn brute(asks: &[Option<i128>], bids: &[Option<i128>]) -> Option<(u8, u8)> {
        let mut best: Option<(usize, usize)> = None;
        for a in 0..asks.len() {
            for b in 0..bids.len() {
                let (Some(c), Some(p)) = (asks[a], bids[b]) else {
                    continue;
                };
                if a == b {
                    continue;
                }
                let better = match best {
                    None => true,
                    Some((ba, bb)) => p * asks[ba].unwrap() > bids[bb].unwrap() * c,
                };
                if better {
                    best = Some((a, b));
                }
            }
        }
        best.map(|(a, b)| (a as u8, b as u8))
    }

    fn scan(asks: &[Option<i128>], bids: &[Option<i128>]) -> Option<(u8, u8)> {
        let mut s = PairScan::new();
        for v in 0..asks.len() {
            if let Some(c) = asks[v] {
                s.push_ask(v as u8, c);
            }
            if let Some(p) = bids[v] {
                s.push_bid(v as u8, p);
            }
        }
        s.best().map(|(a, b, _, _)| (a, b))
    }

    #[test]
    fn same_venue_best_on_both_sides() {
        // Venue 0 has the cheapest ask and the richest bid.
        let asks = [Some(100), Some(102), Some(101)];
        let bids = [Some(110), Some(105), Some(104)];
        // X = (0, 1): 105/100; Y = (2, 0): 110/101. 105*101 = 10605 < 110*100 = 11000 -> Y.
        assert_eq!(scan(&asks, &bids), Some((2, 0)));
        assert_eq!(brute(&asks, &bids), Some((2, 0)));
    }

    #[test]
    fn exact_tie_between_x_and_y_goes_to_lower_buy_venue() {
        // Venue 1 is best on both sides. X = (1, 0): 100/100; Y = (0, 1): 120/120. Equal ratios;
        // the lower buy venue is 0, so Y.
        let asks = [Some(120), Some(100)];
        let bids = [Some(100), Some(120)];
        assert_eq!(scan(&asks, &bids), Some((0, 1)));
        assert_eq!(brute(&asks, &bids), Some((0, 1)));
        // Mirror: venue 0 best on both sides; X = (0, 1) has the lower buy venue.
        let asks = [Some(100), Some(120)];
        let bids = [Some(120), Some(100)];
        assert_eq!(scan(&asks, &bids), Some((0, 1)));
        assert_eq!(brute(&asks, &bids), Some((0, 1)));
    }

    #[test]
    fn single_venue_or_one_side_has_no_pair() {
        assert_eq!(scan(&[Some(1)], &[Some(2)]), None);
        assert_eq!(scan(&[Some(1), None], &[Some(2), None]), None);
        assert_eq!(scan(&[None, None], &[Some(2), Some(3)]), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn matches_brute_force(
            sides in prop::collection::vec(
                (prop::option::weighted(0.8, 1i128..5), prop::option::weighted(0.8, 1i128..5)),
                1..=8,
            )
        ) {
            let asks: Vec<_> = sides.iter().map(|s| s.0).collect();
            let bids: Vec<_> = sides.iter().map(|s| s.1).collect();
            prop_assert_eq!(scan(&asks, &bids), brute(&asks, &bids));
        }
    }
}
