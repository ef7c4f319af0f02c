//! The synthetic market's price process.
//!
//! Every venue quotes the same instrument around a common mid that moves as a random walk (the
//! correlation); each venue adds its own small mean-reverting basis (the noise). With the basis
//! bounded well inside the venues' fees, the quiet market holds no opportunity. At scheduled
//! ticks a dislocation is injected: one venue's whole book jumps by `dislocation_bps`, so its bid
//! clears another venue's ask by that much for `hold_ticks` updates of that venue, then returns.
//! Each injection is recorded with its tick, venues and size.

use crate::rng::Rng;

/// Parameters of the synthetic market.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimParams {
    /// Venues quoting.
    pub venues: usize,
    /// Seed for the generator.
    pub seed: u64,
    /// Starting mid price, in ticks.
    pub start_mid_ticks: i64,
    /// Price tick as a mantissa at the instrument's price scale.
    pub tick: i64,
    /// Half the bid/ask spread, in ticks.
    pub half_spread_ticks: i64,
    /// Largest basis of one venue away from the common mid, in ticks.
    pub max_basis_ticks: i64,
    /// Largest step of the common mid per update, in ticks.
    pub step_ticks: i64,
    /// Top-of-book size range, qty mantissa: uniform in `qty_min..=qty_max`.
    pub qty_min: i64,
    /// See `qty_min`.
    pub qty_max: i64,
    /// One dislocation every this many updates (0: never).
    pub dislocation_every: u64,
    /// Size of a dislocation, bp of the mid.
    pub dislocation_bps: i64,
    /// Updates of the dislocated venue it lasts.
    pub hold_ticks: u32,
}

impl Default for SimParams {
    /// BTC-like: mid 60 000 at scale 8 with a 0.01 tick, 1-tick half spread, +-3 ticks of basis
    /// (about 0.5 bp: far inside any taker fee), a 40 bp dislocation every 2 000 updates.
    fn default() -> Self {
        SimParams {
            venues: 4,
            seed: 1,
            start_mid_ticks: 6_000_000,
            tick: 1_000_000,
            half_spread_ticks: 1,
            max_basis_ticks: 3,
            step_ticks: 2,
            qty_min: 10_000_000,
            qty_max: 200_000_000,
            dislocation_every: 2_000,
            dislocation_bps: 40,
            hold_ticks: 1,
        }
    }
}

/// One venue's new top of book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimQuote {
    /// Venue index (0-based).
    pub venue: usize,
    /// Per-venue increasing update id.
    pub seq: u64,
    /// Best bid, price mantissa.
    pub bid_px: i64,
    /// Best bid size, qty mantissa.
    pub bid_qty: i64,
    /// Best ask, price mantissa.
    pub ask_px: i64,
    /// Best ask size, qty mantissa.
    pub ask_qty: i64,
    /// True when this update carries an injected dislocation.
    pub dislocated: bool,
}

/// A dislocation that was injected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dislocation {
    /// Update number (0-based, across venues) of its first quote.
    pub at_update: u64,
    /// The venue whose book jumped.
    pub venue: usize,
    /// +1: jumped up (its bid is now above the others' asks); -1: down.
    pub direction: i64,
    /// Size in bp.
    pub size_bps: i64,
}

/// The generator.
pub struct SyntheticMarket {
    p: SimParams,
    rng: Rng,
    mid: i64,
    basis: Vec<i64>,
    seq: Vec<u64>,
    update: u64,
    next_venue: usize,
    /// (venue, direction, updates left) of the dislocation in force.
    active: Option<(usize, i64, u32)>,
    injected: Vec<Dislocation>,
}

impl SyntheticMarket {
    /// A market with `p`; allocates its per-venue state once.
    pub fn new(p: SimParams) -> SyntheticMarket {
        let venues = p.venues.max(1);
        SyntheticMarket {
            rng: Rng::new(p.seed),
            mid: p.start_mid_ticks,
            basis: vec![0; venues],
            seq: vec![0; venues],
            update: 0,
            next_venue: 0,
            active: None,
            injected: Vec::with_capacity(1024),
            p,
        }
    }

    /// Parameters in use.
    pub fn params(&self) -> &SimParams {
        &self.p
    }

    /// Every dislocation injected so far.
    pub fn injected(&self) -> &[Dislocation] {
        &self.injected
    }

    /// Updates generated so far.
    pub fn updates(&self) -> u64 {
        self.update
    }

    /// The next update: venues take turns; the common mid and the venue's basis move first.
    pub fn next_quote(&mut self) -> SimQuote {
        let venues = self.basis.len();
        let v = self.next_venue;
        self.next_venue = (v + 1) % venues;
        let p = &self.p;
        self.mid = (self.mid + self.rng.symmetric(p.step_ticks)).max(p.start_mid_ticks / 2);
        let b = &mut self.basis[v];
        *b = (*b + self.rng.symmetric(1)).clamp(-p.max_basis_ticks, p.max_basis_ticks);

        if p.dislocation_every > 0
            && self.update > 0
            && self.update % p.dislocation_every == 0
            && self.active.is_none()
        {
            let direction = if self.rng.below(2) == 0 { 1 } else { -1 };
            self.active = Some((v, direction, p.hold_ticks.max(1)));
            if self.injected.len() < self.injected.capacity() {
                self.injected.push(Dislocation {
                    at_update: self.update,
                    venue: v,
                    direction,
                    size_bps: p.dislocation_bps,
                });
            }
        }
        let mut mid = self.mid + self.basis[v];
        let mut dislocated = false;
        if let Some((dv, dir, left)) = self.active {
            if dv == v {
                // Jump the whole book so its near side clears the others' far side by the size.
                let jump = (self.mid * p.dislocation_bps / 10_000)
                    + 2 * (p.half_spread_ticks + p.max_basis_ticks);
                mid += dir * jump;
                dislocated = true;
                self.active = if left > 1 {
                    Some((dv, dir, left - 1))
                } else {
                    None
                };
            }
        }
        self.seq[v] += 1;
        self.update += 1;
        let tick = p.tick;
        let bid_qty = p.qty_min + self.rng.below((p.qty_max - p.qty_min).max(0) as u64 + 1) as i64;
        let ask_qty = p.qty_min + self.rng.below((p.qty_max - p.qty_min).max(0) as u64 + 1) as i64;
        SimQuote {
            venue: v,
            seq: self.seq[v],
            bid_px: (mid - p.half_spread_ticks) * tick,
            bid_qty,
            ask_px: (mid + p.half_spread_ticks) * tick,
            ask_qty,
            dislocated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_with_known_dislocations() {
        let p = SimParams {
            dislocation_every: 100,
            ..SimParams::default()
        };
        let mut a = SyntheticMarket::new(p.clone());
        let mut b = SyntheticMarket::new(p);
        for _ in 0..1000 {
            assert_eq!(a.next_quote(), b.next_quote());
        }
        assert_eq!(a.injected().len(), 9);
        assert_eq!(a.injected()[0].at_update, 100);
    }

    #[test]
    fn quiet_market_stays_inside_the_spread_band() {
        let p = SimParams {
            dislocation_every: 0,
            ..SimParams::default()
        };
        let mut m = SyntheticMarket::new(p.clone());
        let mut last = vec![None; p.venues];
        for _ in 0..10_000 {
            let q = m.next_quote();
            assert!(q.bid_px < q.ask_px);
            assert!(q.bid_qty >= p.qty_min && q.bid_qty <= p.qty_max);
            last[q.venue] = Some(q);
            // Across venues, a bid never exceeds another's ask by more than the basis band.
            for a in last.iter().flatten() {
                for b in last.iter().flatten() {
                    let cross = b.bid_px - a.ask_px;
                    assert!(cross <= (2 * p.max_basis_ticks + 2 * p.step_ticks) * p.tick * 4);
                }
            }
        }
    }

    #[test]
    fn a_dislocation_crosses_by_its_size() {
        let p = SimParams {
            dislocation_every: 50,
            ..SimParams::default()
        };
        let mut m = SyntheticMarket::new(p.clone());
        let mut last = vec![None; p.venues];
        let mut seen = 0;
        for _ in 0..1000 {
            let q = m.next_quote();
            if q.dislocated {
                seen += 1;
                for o in last.iter().flatten() {
                    let o: &SimQuote = o;
                    if o.venue == q.venue {
                        continue;
                    }
                    // Up: q.bid above o.ask by >= size; down: o.bid above q.ask by >= size.
                    let edge = if q.bid_px > o.ask_px {
                        (q.bid_px - o.ask_px) * 10_000 / o.ask_px
                    } else {
                        (o.bid_px - q.ask_px) * 10_000 / q.ask_px
                    };
                    assert!(edge >= p.dislocation_bps - 1, "edge {edge} bp");
                }
            }
            last[q.venue] = Some(q);
        }
        assert_eq!(seen, m.injected().len());
    }
}
