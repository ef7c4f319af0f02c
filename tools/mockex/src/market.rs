//! The synthetic market's price process.
//!
//! Every venue quotes each instrument around that instrument's common mid, which moves as a random
//! walk (the correlation); each (instrument, venue) adds its own small mean-reverting basis (the
//! noise). With the basis bounded well inside the venues' fees, the quiet market holds no
//! opportunity. At scheduled ticks a dislocation is injected: one venue's whole book of one
//! instrument jumps by `dislocation_bps`, so its bid clears another venue's ask by that much for
//! `hold_ticks` updates of that (instrument, venue), then returns. Each injection is recorded with
//! its tick, venue, instrument and size. The dislocated venue rotates (0, 1, 2, ...): an injection
//! falls on the first update of the next venue in turn at or after each multiple of
//! `dislocation_every`, so whatever the period and the number of venues, every venue takes its
//! share.
//!
//! Several instruments (`SimParams::instruments`): venues take turns, and each venue walks its
//! instruments round robin, so every (instrument, venue) pair is refreshed every
//! `venues x instruments` updates. Instrument `i` starts at `start_mid_ticks / (i + 1)` (so they
//! look like different coins; same tick and scales). A venue's update id counts every update of
//! that venue, whatever the instrument: per venue it is strictly increasing across instruments,
//! and per instrument it has gaps (which the engine's sequence check accepts). Dislocations go to
//! the instruments in turn (0, 1, 2, ...): the update that carries one is of the next instrument
//! in that rotation, whatever the venue's round robin would have given.

use crate::rng::Rng;

/// Parameters of the synthetic market.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimParams {
    /// Venues quoting.
    pub venues: usize,
    /// Instruments every venue quotes (at least 1).
    pub instruments: usize,
    /// Seed for the generator.
    pub seed: u64,
    /// Starting mid price of instrument 0, in ticks (instrument `i`: this over `i + 1`).
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
    /// One dislocation every this many updates (0: never): the first at or after each multiple
    /// that is an update of the next venue in turn (the dislocated venues rotate too).
    pub dislocation_every: u64,
    /// Size of a dislocation, bp of the mid.
    pub dislocation_bps: i64,
    /// Updates of the dislocated (instrument, venue) it lasts.
    pub hold_ticks: u32,
}

impl Default for SimParams {
    /// One BTC-like instrument: mid 60 000 at scale 8 with a 0.01 tick, 1-tick half spread, +-3
    /// ticks of basis (about 0.5 bp: far inside any taker fee), a 40 bp dislocation every 2 000
    /// updates.
    fn default() -> Self {
        SimParams {
            venues: 4,
            instruments: 1,
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

/// One venue's new top of book of one instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimQuote {
    /// Venue index (0-based).
    pub venue: usize,
    /// Instrument index (0-based, `< SimParams::instruments`).
    pub instrument: usize,
    /// Per-venue increasing update id (across the venue's instruments).
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
    /// The instrument whose book jumped there.
    pub instrument: usize,
    /// +1: jumped up (its bid is now above the others' asks); -1: down.
    pub direction: i64,
    /// Size in bp.
    pub size_bps: i64,
}

/// The generator.
pub struct SyntheticMarket {
    p: SimParams,
    rng: Rng,
    /// Common mid per instrument, ticks.
    mid: Vec<i64>,
    /// Basis per (instrument, venue): `instrument * venues + venue`.
    basis: Vec<i64>,
    /// Update id per venue.
    seq: Vec<u64>,
    /// Next instrument of each venue's round robin.
    cursor: Vec<usize>,
    update: u64,
    next_venue: usize,
    /// Instrument the next dislocation goes to.
    next_dislocated: usize,
    /// Venue the next dislocation goes to.
    next_dislocated_venue: usize,
    /// Update number from which the next dislocation is due.
    next_due: u64,
    /// The dislocation in force.
    active: Option<Active>,
    injected: Vec<Dislocation>,
}

/// A dislocation in force: where, which way, and for how many more updates.
#[derive(Debug, Clone, Copy)]
struct Active {
    venue: usize,
    instrument: usize,
    direction: i64,
    left: u32,
}

impl SyntheticMarket {
    /// A market with `p`; allocates its per-venue and per-instrument state once.
    pub fn new(p: SimParams) -> SyntheticMarket {
        let venues = p.venues.max(1);
        let instruments = p.instruments.max(1);
        SyntheticMarket {
            rng: Rng::new(p.seed),
            mid: (0..instruments)
                .map(|i| SyntheticMarket::start_mid(&p, i))
                .collect(),
            basis: vec![0; venues * instruments],
            seq: vec![0; venues],
            cursor: vec![0; venues],
            update: 0,
            next_venue: 0,
            next_dislocated: 0,
            next_dislocated_venue: 0,
            next_due: p.dislocation_every,
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

    /// Instruments quoted (at least 1).
    pub fn instruments(&self) -> usize {
        self.mid.len()
    }

    /// Instrument `i`'s starting mid, ticks: `start_mid_ticks / (i + 1)`.
    pub fn start_mid(p: &SimParams, i: usize) -> i64 {
        p.start_mid_ticks / (i as i64 + 1)
    }

    /// The next update: venues take turns, each walks its instruments round robin (an injection
    /// takes the rotation's instrument instead); the instrument's common mid and its basis on the
    /// venue move first.
    pub fn next_quote(&mut self) -> SimQuote {
        let venues = self.seq.len();
        let instruments = self.mid.len();
        let v = self.next_venue;
        self.next_venue = (v + 1) % venues;
        let p = &self.p;
        let inject = p.dislocation_every > 0
            && self.update >= self.next_due
            && v == self.next_dislocated_venue
            && self.active.is_none();
        if inject {
            self.next_due = (self.update / p.dislocation_every + 1) * p.dislocation_every;
            self.next_dislocated_venue = (v + 1) % venues;
        }
        let i = if inject {
            let i = self.next_dislocated;
            self.next_dislocated = (i + 1) % instruments;
            i
        } else {
            let i = self.cursor[v];
            self.cursor[v] = (i + 1) % instruments;
            i
        };
        let floor = SyntheticMarket::start_mid(p, i) / 2;
        self.mid[i] = (self.mid[i] + self.rng.symmetric(p.step_ticks)).max(floor);
        let b = &mut self.basis[i * venues + v];
        *b = (*b + self.rng.symmetric(1)).clamp(-p.max_basis_ticks, p.max_basis_ticks);

        if inject {
            let direction = if self.rng.below(2) == 0 { 1 } else { -1 };
            self.active = Some(Active {
                venue: v,
                instrument: i,
                direction,
                left: p.hold_ticks.max(1),
            });
            if self.injected.len() < self.injected.capacity() {
                self.injected.push(Dislocation {
                    at_update: self.update,
                    venue: v,
                    instrument: i,
                    direction,
                    size_bps: p.dislocation_bps,
                });
            }
        }
        let common = self.mid[i];
        let mut mid = common + self.basis[i * venues + v];
        let mut dislocated = false;
        if let Some(a) = self.active {
            if a.venue == v && a.instrument == i {
                // Jump the whole book so its near side clears the others' far side by the size.
                let jump = (common * p.dislocation_bps / 10_000)
                    + 2 * (p.half_spread_ticks + p.max_basis_ticks);
                mid += a.direction * jump;
                dislocated = true;
                self.active = (a.left > 1).then_some(Active {
                    left: a.left - 1,
                    ..a
                });
            }
        }
        self.seq[v] += 1;
        self.update += 1;
        let tick = p.tick;
        let bid_qty = p.qty_min + self.rng.below((p.qty_max - p.qty_min).max(0) as u64 + 1) as i64;
        let ask_qty = p.qty_min + self.rng.below((p.qty_max - p.qty_min).max(0) as u64 + 1) as i64;
        SimQuote {
            venue: v,
            instrument: i,
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

    fn multi(instruments: usize, every: u64) -> SimParams {
        SimParams {
            instruments,
            dislocation_every: every,
            ..SimParams::default()
        }
    }

    #[test]
    fn update_ids_rise_per_venue_across_instruments() {
        let p = multi(50, 500);
        let mut m = SyntheticMarket::new(p.clone());
        let mut last_seq = vec![0u64; p.venues];
        let mut seen = vec![0u32; p.venues * 50];
        for _ in 0..20_000 {
            let q = m.next_quote();
            assert!(q.instrument < 50);
            assert_eq!(q.seq, last_seq[q.venue] + 1, "venue {}", q.venue);
            last_seq[q.venue] = q.seq;
            seen[q.instrument * p.venues + q.venue] += 1;
        }
        // Round robin: every pair is refreshed about as often as any other.
        let (lo, hi) = (seen.iter().min().unwrap(), seen.iter().max().unwrap());
        assert!(*lo >= 90 && *hi <= 110, "pair refreshes {lo}..{hi}");
    }

    #[test]
    fn instruments_have_their_own_mids() {
        let p = multi(50, 0);
        let mut m = SyntheticMarket::new(p.clone());
        let mut mid = vec![0i64; 50];
        for _ in 0..10_000 {
            let q = m.next_quote();
            assert!(q.bid_px < q.ask_px);
            mid[q.instrument] = (q.bid_px + q.ask_px) / 2 / p.tick;
        }
        for (i, &x) in mid.iter().enumerate() {
            let start = SyntheticMarket::start_mid(&p, i);
            // A few hundred steps of at most 2 ticks, plus the basis: close to its own start.
            assert!((x - start).abs() < 2_000, "instrument {i}: {x} vs {start}");
        }
        assert!(
            mid.windows(2).all(|w| w[0] > w[1]),
            "distinct, decreasing mids"
        );
    }

    #[test]
    fn dislocations_rotate_over_instruments_and_cross_by_their_size() {
        let p = multi(5, 97);
        let mut m = SyntheticMarket::new(p.clone());
        let mut last: Vec<Option<SimQuote>> = vec![None; p.venues * 5];
        let mut seen = 0;
        for _ in 0..20_000 {
            let q = m.next_quote();
            if q.dislocated {
                seen += 1;
                let others = (0..p.venues)
                    .filter(|&v| v != q.venue)
                    .filter_map(|v| last[q.instrument * p.venues + v]);
                for o in others {
                    assert_eq!(o.instrument, q.instrument);
                    let edge = if q.bid_px > o.ask_px {
                        (q.bid_px - o.ask_px) * 10_000 / o.ask_px
                    } else {
                        (o.bid_px - q.ask_px) * 10_000 / q.ask_px
                    };
                    assert!(edge >= p.dislocation_bps - 1, "edge {edge} bp");
                }
            }
            last[q.instrument * p.venues + q.venue] = Some(q);
        }
        let inj = m.injected();
        assert_eq!(seen, inj.len());
        assert!(inj.len() > 100);
        for (k, d) in inj.iter().enumerate() {
            assert_eq!(d.instrument, k % 5, "rotation");
            assert_eq!(d.venue, k % p.venues, "venues rotate too");
        }
    }

    #[test]
    fn deterministic_by_seed_with_many_instruments() {
        let p = multi(50, 300);
        let run = |p: SimParams| {
            let mut m = SyntheticMarket::new(p);
            (0..5_000).map(|_| m.next_quote()).collect::<Vec<_>>()
        };
        assert_eq!(run(p.clone()), run(p.clone()));
        assert_ne!(run(p.clone()), run(SimParams { seed: 2, ..p }));
    }

    #[test]
    fn one_instrument_is_instrument_zero() {
        let mut m = SyntheticMarket::new(SimParams::default());
        assert_eq!(m.instruments(), 1);
        assert!((0..1_000).all(|_| m.next_quote().instrument == 0));
    }
}
