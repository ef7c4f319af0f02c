//! Opportunity cache micro-benchmarks: our `SlabLru` against `lru::LruCache` (the crate people
//! would pick), same `OppKey` keys, same hash, same values (`u64`), same access pattern, at 1k and
//! 64k entries, both in the same run, one operation per iteration:
//!
//! - `get_hit`: cache full; look up stored keys in a shuffled order.
//! - `get_miss`: cache full; look up keys that are not stored (other prices, same shape).
//! - `insert_new`: insert distinct keys into a cache with room (emptied, untimed, whenever it
//!   fills; for `lru` that includes its per-node allocation, which is what its insert costs).
//! - `insert_update`: cache full; insert stored keys again with a new value.
//! - `insert_evict`: cache full; insert keys cycling through 2x capacity distinct keys, so every
//!   insert is new and pushes out the least recently used entry.
//! - `remove`: remove stored keys in a shuffled order (refilled, untimed, whenever it empties).
//! - `dedupe_check_and_insert`: the strategy's call, keys repeating at random (hits, misses,
//!   expiries, evictions); `lru` does what a careful caller of it would: `get_mut`, refreshing a
//!   dead entry's expiry in place, and `put` only when absent. Both sides pick the TTL from the
//!   volatility on every call.
//!
//! Same hash on both sides: `lru` gets `LruKey`, a transparent wrapper whose `Hash` feeds
//! `OppKey::cache_hash` (the function `SlabLru` uses) to a pass-through hasher, so neither side
//! wins on hashing (with hashbrown's default, foldhash over the derived `Hash`'s five field
//! writes, `lru` paid a few ns more per lookup). Differences that stay: `lru::LruCache` allocates
//! a node per insert until full and `SlabLru` reuses slab nodes; `SlabLru` also checks a TTL and
//! counts hits/misses on every lookup, which `lru` does not; TTLs are set to never expire so both
//! do the same work otherwise. Single-threaded, no pinning; figures include criterion's
//! per-iteration loop overhead (~1 ns). Lookups hand `black_box` a plain `u64`: an `Option<u64>`
//! there compiled to two 8-byte stores read back as one 16-byte load, a store-forwarding stall
//! that cost one side ~3 ns and not the other.

// `criterion_group!` generates an undocumented `pub fn`.
#![allow(missing_docs)]

use std::hash::{BuildHasher, Hash, Hasher};
use std::hint::black_box;
use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use microarb::cache::{CacheHash, Dedupe, DedupeCache, InsertOutcome, OppKey, SlabLru, TtlBands};
use microarb::model::{InstrumentId, Price, VenueId};

/// Capacities (powers of two, so the benches' index wrap is a mask, not a division).
const SIZES: [(usize, &str); 2] = [(1_024, "1k"), (65_536, "64k")];
const NEVER: u64 = u64::MAX;

/// `OppKey` as `lru` sees it: hashed by `OppKey::cache_hash`, the slab's own hash, once per
/// lookup (see the module docs). Same size and equality as the key it wraps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(transparent)]
struct LruKey(OppKey);

impl Hash for LruKey {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.0.cache_hash());
    }
}

/// Hands the one `u64` a `LruKey` writes straight to hashbrown: the hash is `cache_hash`.
#[derive(Debug, Clone, Copy, Default)]
struct PassThrough;

/// The state of a [`PassThrough`] hash.
#[derive(Debug, Clone, Copy, Default)]
struct PassThroughHasher(u64);

impl BuildHasher for PassThrough {
    type Hasher = PassThroughHasher;
    #[inline]
    fn build_hasher(&self) -> PassThroughHasher {
        PassThroughHasher(0)
    }
}

impl Hasher for PassThroughHasher {
    /// Not reached by `LruKey` (it writes one `u64`); folds bytes in for any other use.
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ b as u64;
        }
    }
    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

type Lru = lru::LruCache<LruKey, u64, PassThrough>;

fn new_lru(cap: usize) -> Lru {
    lru::LruCache::with_hasher(NonZeroUsize::new(cap).expect("cap > 0"), PassThrough)
}

fn splitmix64(i: u64) -> u64 {
    let mut z = i.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Realistic keys: BTC-like prices a few ticks apart, a few instruments and venue pairs.
fn key(n: u64) -> OppKey {
    OppKey {
        ask_a: Price(6_000_000_000_000 + n as i64),
        bid_b: Price(6_000_100_000_000 + (n / 3) as i64),
        instrument: InstrumentId((n % 7) as u16),
        buy_venue: VenueId((n % 4) as u8),
        sell_venue: VenueId(((n + 1) % 4) as u8),
    }
}

/// `count` distinct keys starting at `first`, in a shuffled order (bench setup; allocates).
fn shuffled(first: u64, count: usize) -> Vec<OppKey> {
    let mut ids: Vec<u64> = (first..first + count as u64).collect();
    for i in (1..ids.len()).rev() {
        let j = (splitmix64(i as u64) % (i as u64 + 1)) as usize;
        ids.swap(i, j);
    }
    ids.into_iter().map(key).collect()
}

fn filled_slab(cap: usize) -> SlabLru<OppKey, u64> {
    let mut c = SlabLru::new(cap).expect("cap > 0");
    for n in 0..cap as u64 {
        c.insert(key(n), n, NEVER, 0);
    }
    c
}

fn filled_lru(cap: usize) -> Lru {
    let mut c = new_lru(cap);
    for n in 0..cap as u64 {
        c.put(LruKey(key(n)), n);
    }
    c
}

fn get_hit(c: &mut Criterion) {
    let mut g = c.benchmark_group("cache/get_hit");
    for (cap, label) in SIZES {
        let keys = shuffled(0, cap);
        let mut slab = filled_slab(cap);
        let mut i = 0usize;
        g.bench_function(BenchmarkId::new("slab_lru", label), |b| {
            b.iter(|| {
                i = (i + 1) & (cap - 1);
                black_box(slab.get(&keys[i], 1).map_or(0, |v| *v))
            })
        });
        assert_eq!(slab.stats().misses, 0, "every lookup hit");
        let mut l = filled_lru(cap);
        g.bench_function(BenchmarkId::new("lru_crate", label), |b| {
            b.iter(|| {
                i = (i + 1) & (cap - 1);
                black_box(l.get(&LruKey(keys[i])).map_or(0, |v| *v))
            })
        });
    }
    g.finish();
}

fn get_miss(c: &mut Criterion) {
    let mut g = c.benchmark_group("cache/get_miss");
    for (cap, label) in SIZES {
        let absent = shuffled(cap as u64 * 10, cap);
        let mut slab = filled_slab(cap);
        let mut i = 0usize;
        g.bench_function(BenchmarkId::new("slab_lru", label), |b| {
            b.iter(|| {
                i = (i + 1) & (cap - 1);
                black_box(slab.get(&absent[i], 1).map_or(0, |v| *v))
            })
        });
        assert_eq!(slab.stats().hits, 0, "every lookup missed");
        let mut l = filled_lru(cap);
        g.bench_function(BenchmarkId::new("lru_crate", label), |b| {
            b.iter(|| {
                i = (i + 1) & (cap - 1);
                black_box(l.get(&LruKey(absent[i])).map_or(0, |v| *v))
            })
        });
    }
    g.finish();
}

/// Time `op` on each of `keys` in turn for `iters` calls in all, running `reset` (untimed) before
/// the first call and after every `keys.len()` calls.
fn timed_passes<T>(
    iters: u64,
    cache: &mut T,
    keys: &[OppKey],
    mut reset: impl FnMut(&mut T),
    mut op: impl FnMut(&mut T, OppKey) -> u64,
) -> Duration {
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        reset(cache);
        let n = left.min(keys.len() as u64) as usize;
        let start = Instant::now();
        for &k in &keys[..n] {
            black_box(op(cache, k));
        }
        total += start.elapsed();
        left -= n as u64;
    }
    total
}

fn insert_new(c: &mut Criterion) {
    let mut g = c.benchmark_group("cache/insert_new");
    for (cap, label) in SIZES {
        let keys = shuffled(0, cap);
        let mut slab: SlabLru<OppKey, u64> = SlabLru::new(cap).expect("cap > 0");
        g.bench_function(BenchmarkId::new("slab_lru", label), |b| {
            b.iter_custom(|iters| {
                timed_passes(iters, &mut slab, &keys, SlabLru::clear, |c, k| {
                    matches!(c.insert(k, 1, NEVER, 1), InsertOutcome::Inserted) as u64
                })
            })
        });
        assert_eq!(slab.stats().evictions, 0, "every insert found room");
        let mut l = new_lru(cap);
        g.bench_function(BenchmarkId::new("lru_crate", label), |b| {
            b.iter_custom(|iters| {
                timed_passes(iters, &mut l, &keys, Lru::clear, |c, k| {
                    c.put(LruKey(k), 1u64).is_none() as u64
                })
            })
        });
    }
    g.finish();
}

fn insert_update(c: &mut Criterion) {
    let mut g = c.benchmark_group("cache/insert_update");
    for (cap, label) in SIZES {
        let keys = shuffled(0, cap);
        let mut slab = filled_slab(cap);
        let mut i = 0usize;
        g.bench_function(BenchmarkId::new("slab_lru", label), |b| {
            b.iter(|| {
                i = (i + 1) & (cap - 1);
                match slab.insert(keys[i], i as u64, NEVER, 1) {
                    InsertOutcome::Replaced(old) => black_box(old),
                    _ => black_box(0),
                }
            })
        });
        assert_eq!(slab.stats().inserts, cap as u64, "every insert replaced");
        let mut l = filled_lru(cap);
        g.bench_function(BenchmarkId::new("lru_crate", label), |b| {
            b.iter(|| {
                i = (i + 1) & (cap - 1);
                black_box(l.put(LruKey(keys[i]), i as u64).unwrap_or(0))
            })
        });
    }
    g.finish();
}

fn insert_evict(c: &mut Criterion) {
    let mut g = c.benchmark_group("cache/insert_evict");
    for (cap, label) in SIZES {
        // Cycling through 2x capacity keys (a power of two, so the wrap is a mask): each comes
        // back after being evicted.
        let stream: Vec<OppKey> = shuffled(cap as u64, 2 * cap);
        let mut slab = filled_slab(cap);
        let mut i = 0usize;
        g.bench_function(BenchmarkId::new("slab_lru", label), |b| {
            b.iter(|| {
                i = (i + 1) & (stream.len() - 1);
                black_box(slab.insert(stream[i], i as u64, NEVER, 1))
            })
        });
        assert_eq!(slab.stats().evictions, slab.stats().inserts - cap as u64);
        let mut l = filled_lru(cap);
        g.bench_function(BenchmarkId::new("lru_crate", label), |b| {
            b.iter(|| {
                i = (i + 1) & (stream.len() - 1);
                black_box(l.push(LruKey(stream[i]), i as u64))
            })
        });
    }
    g.finish();
}

fn remove(c: &mut Criterion) {
    let mut g = c.benchmark_group("cache/remove");
    for (cap, label) in SIZES {
        let keys = shuffled(0, cap);
        let mut slab: SlabLru<OppKey, u64> = SlabLru::new(cap).expect("cap > 0");
        let refill_slab = |c: &mut SlabLru<OppKey, u64>| {
            for n in 0..cap as u64 {
                c.insert(key(n), n, NEVER, 0);
            }
        };
        g.bench_function(BenchmarkId::new("slab_lru", label), |b| {
            b.iter_custom(|iters| {
                timed_passes(iters, &mut slab, &keys, refill_slab, |c, k| {
                    c.remove(&k).unwrap_or(u64::MAX)
                })
            })
        });
        let mut l = new_lru(cap);
        let refill_lru = |c: &mut Lru| {
            for n in 0..cap as u64 {
                c.put(LruKey(key(n)), n);
            }
        };
        g.bench_function(BenchmarkId::new("lru_crate", label), |b| {
            b.iter_custom(|iters| {
                timed_passes(iters, &mut l, &keys, refill_lru, |c, k| {
                    c.pop(&LruKey(k)).unwrap_or(u64::MAX)
                })
            })
        });
    }
    g.finish();
}

fn dedupe(c: &mut Criterion) {
    let mut g = c.benchmark_group("cache/dedupe_check_and_insert");
    let bands = TtlBands::default();
    for (cap, label) in SIZES {
        // Keys drawn at random from 1.5x capacity, the clock advancing 10 us per call at 1k (and
        // in proportion to capacity at 64k, so a key's mean return time is the same share of its
        // TTL): a mix of duplicates, fresh keys, expiries and evictions.
        let keys: Vec<OppKey> = (0..4 * cap as u64)
            .map(|n| key(splitmix64(n) % (cap as u64 * 3 / 2)))
            .collect();
        let step_ns = 10_000 * 1_024 / cap as u64;
        let mut cache = DedupeCache::new(cap, bands).expect("cap > 0");
        let (mut i, mut now) = (0usize, 0u64);
        g.bench_function(BenchmarkId::new("slab_lru", label), |b| {
            b.iter(|| {
                i = (i + 1) & (keys.len() - 1);
                now += step_ns;
                black_box(cache.check_and_insert(keys[i], black_box(0.03), now))
            })
        });
        let s = cache.stats();
        assert!(s.hits > 0 && s.misses > 0 && s.expiries > 0, "a mix: {s:?}");
        // The same rule over `lru`: the value is the entry's expiry; a duplicate does not extend
        // it; a dead entry is refreshed where it is (it was just moved to the front, as the slab
        // re-inserts it at the front).
        let mut l = new_lru(cap);
        g.bench_function(BenchmarkId::new("lru_crate", label), |b| {
            b.iter(|| {
                i = (i + 1) & (keys.len() - 1);
                now += step_ns;
                let ttl_ns = bands.ttl_ns(black_box(0.03));
                let k = LruKey(keys[i]);
                let verdict = match l.get_mut(&k) {
                    Some(expires) if now < *expires => Dedupe::Duplicate,
                    Some(expires) => {
                        *expires = now + ttl_ns;
                        Dedupe::Fresh
                    }
                    None => {
                        l.put(k, now + ttl_ns);
                        Dedupe::Fresh
                    }
                };
                black_box(verdict)
            })
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1_500))
        .sample_size(20)
}

criterion_group! {
    name = benches;
    config = config();
    targets = get_hit, get_miss, insert_new, insert_update, insert_evict, remove, dedupe
}
criterion_main!(benches);
