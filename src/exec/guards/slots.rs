//! Execution slots: how many arbitrages may be in flight at once, in total and per venue, with some
//! slots held back for high-edge opportunities.
//!
//! This is seed 000's `Semaphore::new(3)` and its priority tiers, rebuilt for the hot path: acquiring
//! never waits (an opportunity that finds no slot is rejected with `NoSlot` and counted — by the time
//! a slot frees, its prices are gone), there is no lock (one owner, the execution stage), and nothing
//! is allocated after [`Slots::new`].
//!
//! Rules, checked in this order:
//! - per-venue cap: an arbitrage occupies a slot on its buy venue and on its sell venue (once if they
//!   are the same); each venue has its own cap (a venue whose order API is slow or fragile gets 1);
//! - global cap `global`: at most that many in flight;
//! - reserved tier: the last `reserved` of the global slots are only for opportunities with
//!   `net_bps >= reserved_min_net`; a normal opportunity passes only while fewer than
//!   `global - reserved` are in flight. A high-edge opportunity uses any free slot.
//!
//! A [`SlotTicket`] is a plain `Copy` value, released explicitly with [`Slots::release`] when both legs
//! have reached a final state (not a drop guard: a guard would borrow the table and stop the stage
//! from acquiring the next slot). Tickets carry a generation, so releasing twice or releasing a stale
//! ticket is an error, never a corrupted count.

use crate::model::{Bps, VenueId, MAX_VENUES};
use thiserror::Error;

/// Most slots a table can hold (the global cap is at most this).
pub const MAX_SLOTS: usize = 64;

/// Slot limits. Built from config on the cold path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotConfig {
    /// Global cap on in-flight arbitrages (seed 000: 3).
    pub global: u8,
    /// How many of the global slots only high-edge opportunities may take.
    pub reserved: u8,
    /// Net edge at or above which an opportunity may use reserved slots.
    pub reserved_min_net: Bps,
    /// Per-venue cap, indexed by [`VenueId`].
    pub per_venue: [u8; MAX_VENUES],
}

impl Default for SlotConfig {
    /// Seed 000's three slots, one held for edges of 10 bp or more, at most 2 per venue.
    fn default() -> Self {
        SlotConfig {
            global: 3,
            reserved: 1,
            reserved_min_net: Bps(10 * Bps::SCALE),
            per_venue: [2; MAX_VENUES],
        }
    }
}

/// A slot configuration that cannot work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SlotConfigError {
    /// `global` is 0 or above [`MAX_SLOTS`].
    #[error("global slot cap {global} must be in 1..={MAX_SLOTS}")]
    BadGlobal {
        /// The cap given.
        global: u8,
    },
    /// Reserving every slot would starve normal opportunities.
    #[error("reserved slots {reserved} must be fewer than the global cap {global}")]
    ReservedTooMany {
        /// Reserved slots given.
        reserved: u8,
        /// Global cap given.
        global: u8,
    },
}

/// Why no slot was given. Maps to [`RejectReason::NoSlot`](crate::model::RejectReason::NoSlot);
/// the detail is for counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum NoSlot {
    /// All global slots are in use.
    #[error("all {global} execution slots in use")]
    GlobalFull {
        /// The global cap.
        global: u8,
    },
    /// Only reserved slots are free and the edge is below the reserved threshold.
    #[error("only reserved slots free and net edge {net:?} is below {min:?}")]
    ReservedOnly {
        /// The opportunity's net edge.
        net: Bps,
        /// The reserved tier's threshold.
        min: Bps,
    },
    /// A leg's venue is at its cap (or is not a configured venue).
    #[error("venue {venue:?} is at its slot cap")]
    VenueFull {
        /// The full venue.
        venue: VenueId,
    },
}

/// Which tier a slot was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tier {
    /// Taken while normal slots were free.
    Normal,
    /// Taken from the reserved slots by a high-edge opportunity.
    Reserved,
}

/// Proof of one held slot; give it back to [`Slots::release`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SlotTicket {
    index: u8,
    generation: u32,
    /// The tier it came from.
    pub tier: Tier,
}

/// Releasing a ticket the table does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("slot ticket {index}/{generation} is not held (released twice or from another table)")]
pub struct StaleTicket {
    /// The ticket's slot index.
    pub index: u8,
    /// The ticket's generation.
    pub generation: u32,
}

/// What the table has done, for telemetry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SlotCounters {
    /// Slots given out.
    pub acquired: u64,
    /// Of those, from the reserved tier.
    pub acquired_reserved: u64,
    /// Slots given back.
    pub released: u64,
    /// Refused: global cap.
    pub no_slot_global: u64,
    /// Refused: only reserved slots left.
    pub no_slot_reserved: u64,
    /// Refused: a venue at its cap.
    pub no_slot_venue: u64,
    /// Stale or double releases seen.
    pub stale_releases: u64,
    /// Most slots ever in flight at once.
    pub high_water: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    generation: u32,
    busy: bool,
    buy: VenueId,
    sell: VenueId,
}

/// The slot table: single owner, fixed size, no allocation.
#[derive(Debug, Clone)]
pub struct Slots {
    cfg: SlotConfig,
    entries: [Entry; MAX_SLOTS],
    in_flight: u8,
    per_venue: [u8; MAX_VENUES],
    counters: SlotCounters,
}

impl Slots {
    /// An empty table.
    pub fn new(cfg: SlotConfig) -> Result<Slots, SlotConfigError> {
        if cfg.global == 0 || usize::from(cfg.global) > MAX_SLOTS {
            return Err(SlotConfigError::BadGlobal { global: cfg.global });
        }
        if cfg.reserved >= cfg.global {
            return Err(SlotConfigError::ReservedTooMany {
                reserved: cfg.reserved,
                global: cfg.global,
            });
        }
        let free = Entry {
            generation: 0,
            busy: false,
            buy: VenueId(0),
            sell: VenueId(0),
        };
        Ok(Slots {
            cfg,
            entries: [free; MAX_SLOTS],
            in_flight: 0,
            per_venue: [0; MAX_VENUES],
            counters: SlotCounters::default(),
        })
    }

    /// Take a slot for an arbitrage buying on `buy` and selling on `sell` with edge `net`, or say why
    /// not. Never waits.
    pub fn try_acquire(
        &mut self,
        buy: VenueId,
        sell: VenueId,
        net: Bps,
    ) -> Result<SlotTicket, NoSlot> {
        for v in [buy, sell] {
            let cap = self.cfg.per_venue.get(v.index()).copied().unwrap_or(0);
            let used = self.per_venue.get(v.index()).copied().unwrap_or(u8::MAX);
            if used >= cap {
                self.counters.no_slot_venue += 1;
                return Err(NoSlot::VenueFull { venue: v });
            }
        }
        if self.in_flight >= self.cfg.global {
            self.counters.no_slot_global += 1;
            return Err(NoSlot::GlobalFull {
                global: self.cfg.global,
            });
        }
        let tier = if self.in_flight < self.cfg.global - self.cfg.reserved {
            Tier::Normal
        } else if net >= self.cfg.reserved_min_net {
            Tier::Reserved
        } else {
            self.counters.no_slot_reserved += 1;
            return Err(NoSlot::ReservedOnly {
                net,
                min: self.cfg.reserved_min_net,
            });
        };
        // A free entry exists: in_flight < global <= MAX_SLOTS and busy entries == in_flight.
        let global = usize::from(self.cfg.global);
        let Some(index) = self.entries[..global].iter().position(|e| !e.busy) else {
            self.counters.no_slot_global += 1;
            return Err(NoSlot::GlobalFull {
                global: self.cfg.global,
            });
        };
        let e = &mut self.entries[index];
        e.busy = true;
        e.generation = e.generation.wrapping_add(1);
        e.buy = buy;
        e.sell = sell;
        let generation = e.generation;
        self.per_venue[buy.index()] += 1;
        if sell != buy {
            self.per_venue[sell.index()] += 1;
        }
        self.in_flight += 1;
        self.counters.acquired += 1;
        if tier == Tier::Reserved {
            self.counters.acquired_reserved += 1;
        }
        self.counters.high_water = self.counters.high_water.max(self.in_flight);
        Ok(SlotTicket {
            index: index as u8,
            generation,
            tier,
        })
    }

    /// Give a slot back. A ticket not held (double release) is refused and counted.
    pub fn release(&mut self, ticket: SlotTicket) -> Result<(), StaleTicket> {
        let stale = StaleTicket {
            index: ticket.index,
            generation: ticket.generation,
        };
        let Some(e) = self.entries.get_mut(usize::from(ticket.index)) else {
            self.counters.stale_releases += 1;
            return Err(stale);
        };
        if !e.busy || e.generation != ticket.generation {
            self.counters.stale_releases += 1;
            return Err(stale);
        }
        e.busy = false;
        let (buy, sell) = (e.buy, e.sell);
        self.per_venue[buy.index()] -= 1;
        if sell != buy {
            self.per_venue[sell.index()] -= 1;
        }
        self.in_flight -= 1;
        self.counters.released += 1;
        Ok(())
    }

    /// Whether [`try_acquire`](Self::try_acquire) would give an arbitrage on `buy` / `sell` with
    /// edge `net` a slot now; changes nothing and counts nothing.
    pub fn would_admit(&self, buy: VenueId, sell: VenueId, net: Bps) -> bool {
        let room = |v: VenueId| {
            let cap = self.cfg.per_venue.get(v.index()).copied().unwrap_or(0);
            self.per_venue.get(v.index()).copied().unwrap_or(u8::MAX) < cap
        };
        room(buy)
            && room(sell)
            && self.in_flight < self.cfg.global
            && (self.in_flight < self.cfg.global - self.cfg.reserved
                || net >= self.cfg.reserved_min_net)
    }

    /// Slots in flight now.
    pub fn in_flight(&self) -> u8 {
        self.in_flight
    }

    /// Slots in flight touching `venue`.
    pub fn in_flight_on(&self, venue: VenueId) -> u8 {
        self.per_venue.get(venue.index()).copied().unwrap_or(0)
    }

    /// The counters so far.
    pub fn counters(&self) -> SlotCounters {
        self.counters
    }

    /// The configuration in force.
    pub fn config(&self) -> &SlotConfig {
        &self.cfg
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const A: VenueId = VenueId(0);
    const B: VenueId = VenueId(1);
    const C: VenueId = VenueId(2);
    const D: VenueId = VenueId(3);
    const LOW: Bps = Bps(300);
    const HIGH: Bps = Bps(2_000);

    fn table(global: u8, reserved: u8, per_venue: u8) -> Slots {
        Slots::new(SlotConfig {
            global,
            reserved,
            reserved_min_net: Bps(1_000),
            per_venue: [per_venue; MAX_VENUES],
        })
        .unwrap()
    }

    #[test]
    fn global_cap_and_reserved_tier() {
        let mut s = table(3, 1, 3);
        let t1 = s.try_acquire(A, B, LOW).unwrap();
        let t2 = s.try_acquire(C, D, LOW).unwrap();
        assert_eq!(t1.tier, Tier::Normal);
        assert_eq!(
            s.try_acquire(A, C, LOW),
            Err(NoSlot::ReservedOnly {
                net: LOW,
                min: Bps(1_000)
            })
        );
        let t3 = s.try_acquire(A, C, HIGH).unwrap();
        assert_eq!(t3.tier, Tier::Reserved);
        assert_eq!(
            s.try_acquire(B, D, HIGH),
            Err(NoSlot::GlobalFull { global: 3 })
        );
        s.release(t2).unwrap();
        assert_eq!(
            s.try_acquire(B, D, LOW),
            Err(NoSlot::ReservedOnly {
                net: LOW,
                min: Bps(1_000)
            })
        );
        s.release(t1).unwrap();
        assert!(s.try_acquire(B, D, LOW).is_ok());
        let c = s.counters();
        assert_eq!((c.acquired, c.acquired_reserved, c.released), (4, 1, 2));
        assert_eq!((c.no_slot_global, c.no_slot_reserved), (1, 2));
        assert_eq!(c.high_water, 3);
    }

    #[test]
    fn per_venue_cap() {
        let mut s = table(5, 0, 1);
        let t = s.try_acquire(A, B, LOW).unwrap();
        assert_eq!(
            s.try_acquire(A, C, HIGH),
            Err(NoSlot::VenueFull { venue: A })
        );
        assert_eq!(
            s.try_acquire(C, B, HIGH),
            Err(NoSlot::VenueFull { venue: B })
        );
        assert!(s.try_acquire(C, D, LOW).is_ok());
        assert_eq!(
            (s.in_flight_on(A), s.in_flight_on(B), s.in_flight()),
            (1, 1, 2)
        );
        s.release(t).unwrap();
        assert!(s.try_acquire(A, B, LOW).is_ok());
        assert_eq!(s.counters().no_slot_venue, 2);
    }

    #[test]
    fn unknown_venue_is_refused_not_panicking() {
        let mut s = table(3, 0, 3);
        let far = VenueId(200);
        assert_eq!(
            s.try_acquire(far, A, HIGH),
            Err(NoSlot::VenueFull { venue: far })
        );
        assert_eq!(s.in_flight_on(far), 0);
    }

    #[test]
    fn double_and_foreign_release_refused() {
        let mut s = table(2, 0, 2);
        let t = s.try_acquire(A, B, LOW).unwrap();
        s.release(t).unwrap();
        assert!(s.release(t).is_err());
        let t2 = s.try_acquire(A, B, LOW).unwrap();
        assert_eq!(t2.index, t.index);
        assert!(s.release(t).is_err(), "old generation of a reused slot");
        assert_eq!(s.in_flight(), 1);
        s.release(t2).unwrap();
        assert_eq!(s.counters().stale_releases, 2);
    }

    #[test]
    fn same_venue_counts_once() {
        let mut s = table(2, 0, 1);
        let t = s.try_acquire(A, A, LOW).unwrap();
        assert_eq!(s.in_flight_on(A), 1);
        s.release(t).unwrap();
        assert_eq!(s.in_flight_on(A), 0);
    }

    #[test]
    fn bad_configs() {
        let mut cfg = SlotConfig {
            global: 0,
            ..SlotConfig::default()
        };
        assert!(matches!(
            Slots::new(cfg),
            Err(SlotConfigError::BadGlobal { .. })
        ));
        cfg.global = 65;
        assert!(matches!(
            Slots::new(cfg),
            Err(SlotConfigError::BadGlobal { .. })
        ));
        cfg.global = 2;
        cfg.reserved = 2;
        assert!(matches!(
            Slots::new(cfg),
            Err(SlotConfigError::ReservedTooMany { .. })
        ));
        assert!(Slots::new(SlotConfig::default()).is_ok());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Against a model: the caps are never exceeded, a release always frees what it took, and
        /// `would_admit` says what `try_acquire` then does.
        #[test]
        fn matches_model(ops in proptest::collection::vec((0u8..4, 0u8..4, prop::bool::ANY, 0usize..8), 1..300)) {
            let mut s = table(4, 1, 2);
            let mut held: Vec<(SlotTicket, VenueId, VenueId)> = Vec::new();
            for (b, v, high, pick) in ops {
                let (buy, sell) = (VenueId(b), VenueId(v));
                if pick < 5 {
                    let net = if high { HIGH } else { LOW };
                    let venue_ok = |x: VenueId| held.iter().filter(|(_, p, q)| *p == x || *q == x).count() < 2;
                    let n = held.len();
                    let expect = venue_ok(buy) && venue_ok(sell) && n < 4 && (n < 3 || high);
                    let counters = s.counters();
                    prop_assert_eq!(s.would_admit(buy, sell, net), expect);
                    prop_assert_eq!(s.counters(), counters, "would_admit counts nothing");
                    match s.try_acquire(buy, sell, net) {
                        Ok(t) => { prop_assert!(expect); held.push((t, buy, sell)); }
                        Err(_) => prop_assert!(!expect),
                    }
                } else if !held.is_empty() {
                    let (t, _, _) = held.swap_remove(pick % held.len());
                    prop_assert!(s.release(t).is_ok());
                }
                prop_assert_eq!(usize::from(s.in_flight()), held.len());
            }
        }
    }
}
