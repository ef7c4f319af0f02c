//! The cache's promise that nothing allocates after construction, checked with a counting global
//! allocator: build the caches, then drive many inserts, gets, touches, removals, evictions and
//! expiries (with colliding keys too) and assert the allocator was not called once.
//!
//! Only allocations made by the test's own thread while counting is switched on are counted, so the
//! test harness's threads cannot disturb the figure.

use microarb::cache::{CacheHash, Dedupe, DedupeCache, OppKey, SlabLru, TtlBands};
use microarb::model::{InstrumentId, Price, VenueId};

use crate::common::alloc::{allocations_in, serial};

/// Every key in one bucket: the longest probes and the most backward shifts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Colliding(u64);

impl CacheHash for Colliding {
    fn cache_hash(&self) -> u64 {
        7
    }
}

/// A well-mixed pseudo-random stream (so keys repeat at random, not in a Weyl sequence).
fn splitmix64(i: u64) -> u64 {
    let mut z = i.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn opp_key(n: u64) -> OppKey {
    OppKey {
        ask_a: Price(6_000_000_000_000 + (n % 5_000) as i64),
        bid_b: Price(6_000_100_000_000 + (n % 7_000) as i64),
        instrument: InstrumentId((n % 3) as u16),
        buy_venue: VenueId((n % 4) as u8),
        sell_venue: VenueId(((n + 1) % 4) as u8),
    }
}

#[test]
fn counting_allocator_sees_allocations() {
    let _serial = serial();
    // Guard against a vacuous pass: the counter must see an ordinary allocation.
    let n = allocations_in(|| drop(std::hint::black_box(vec![1u8; 64])));
    assert!(n >= 1, "allocator not counting");
}

#[test]
fn no_allocation_after_construction() {
    let _serial = serial();
    let mut small: SlabLru<u64, u64> = SlabLru::new(3).expect("cap > 0");
    let mut big: SlabLru<u64, u64> = SlabLru::new(1_000).expect("cap > 0");
    let mut colliding: SlabLru<Colliding, u32> = SlabLru::new(64).expect("cap > 0");
    let mut dedupe = DedupeCache::new(512, TtlBands::default()).expect("cap > 0");
    let mut fresh = 0u64;

    let n = allocations_in(|| {
        for i in 0..200_000u64 {
            let now = i * 100_000; // 100 us per step: TTLs of 50-200 ms expire along the way
            let k = splitmix64(i) % 3_000;
            small.insert(k % 7, i, 500_000, now);
            let _ = small.get(&(k % 7), now);
            big.insert(k, i, 500_000_000, now);
            let _ = big.get(&(k / 2), now);
            big.touch(&(k / 3), now);
            if i % 5 == 0 {
                big.remove(&(k / 5));
            }
            let _ = big.get_or_insert(k + 1, i, 10_000_000, now);
            let ttl = if i % 2 == 0 { 30_000_000 } else { 200_000 };
            colliding.insert(Colliding(k % 200), i as u32, ttl, now);
            let _ = colliding.get(&Colliding(k % 150), now);
            if i % 3 == 0 {
                colliding.remove(&Colliding(k % 100));
            }
            let vol = (i % 10) as f64 / 100.0;
            if dedupe.check_and_insert(opp_key(k % 600), vol, now) == Dedupe::Fresh {
                fresh += 1;
            }
        }
    });

    assert_eq!(
        n, 0,
        "the cache allocated (or freed) {n} times after construction"
    );
    // The workload really exercised every path.
    let s = big.stats();
    assert!(
        s.hits > 0 && s.misses > 0 && s.evictions > 0 && s.expiries > 0,
        "{s:?}"
    );
    let c = colliding.stats();
    assert!(c.evictions > 0 && c.expiries > 0, "{c:?}");
    let d = dedupe.stats();
    assert!(
        d.hits > 0 && d.evictions > 0 && d.expiries > 0 && fresh > 0,
        "{d:?}"
    );
}
