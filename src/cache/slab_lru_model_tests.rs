//! Property test: [`SlabLru`] against a plain reference model (a `Vec` kept in recency order) over
//! random operation sequences on a clock that moves forward, at several capacities, with both
//! well-spread keys and keys whose hashes collide in a few buckets. After every operation the
//! outputs, the counters, the length and the recency order must match, and the slab's structural
//! audit must pass.

use crate::cache::hash::CacheHash;
use crate::cache::slab_lru::{GetOrInsert, InsertOutcome, SlabLru};
use crate::cache::stats::CacheStats;
use proptest::prelude::*;

/// Hash keeps only two bits: four buckets, long chains, wrap-around probes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct FewBuckets(u64);

impl CacheHash for FewBuckets {
    fn cache_hash(&self) -> u64 {
        self.0 & 3
    }
}

#[derive(Debug, Clone)]
enum Op {
    Get(u64),
    Peek(u64),
    Insert(u64, u32, u64),
    GetOrInsert(u64, u32, u64),
    Touch(u64),
    Remove(u64),
    Advance(u64),
}

fn op(key_range: u64) -> impl Strategy<Value = Op> {
    let k = 0..key_range;
    let ttl = prop_oneof![Just(0u64), 1u64..50, Just(u64::MAX)];
    prop_oneof![
        3 => k.clone().prop_map(Op::Get),
        1 => k.clone().prop_map(Op::Peek),
        4 => (k.clone(), any::<u32>(), ttl.clone()).prop_map(|(k, v, t)| Op::Insert(k, v, t)),
        2 => (k.clone(), any::<u32>(), ttl).prop_map(|(k, v, t)| Op::GetOrInsert(k, v, t)),
        1 => k.clone().prop_map(Op::Touch),
        1 => k.prop_map(Op::Remove),
        2 => (0u64..20).prop_map(Op::Advance),
    ]
}

/// The reference: entries most recent first, linear scans, the same rules written plainly.
struct Model {
    cap: usize,
    entries: Vec<(u64, u32, u64)>, // key, value, expires_at
    stats: CacheStats,
}

impl Model {
    fn pos(&self, k: u64) -> Option<usize> {
        self.entries.iter().position(|e| e.0 == k)
    }

    /// Index of a live entry; a dead one is dropped and counted.
    fn live(&mut self, k: u64, now: u64) -> Option<usize> {
        let p = self.pos(k)?;
        if now < self.entries[p].2 {
            return Some(p);
        }
        self.entries.remove(p);
        self.stats.expiries += 1;
        None
    }

    fn front(&mut self, p: usize) -> u32 {
        let e = self.entries.remove(p);
        self.entries.insert(0, e);
        e.1
    }

    fn insert_new(&mut self, k: u64, v: u32, ttl: u64, now: u64) -> InsertOutcome<u64, u32> {
        let mut out = InsertOutcome::Inserted;
        if self.entries.len() == self.cap {
            let (vk, vv, exp) = self.entries.pop().expect("full");
            if now < exp {
                self.stats.evictions += 1;
                out = InsertOutcome::Evicted(vk, vv);
            } else {
                self.stats.expiries += 1;
            }
        }
        self.entries.insert(0, (k, v, now.saturating_add(ttl)));
        self.stats.inserts += 1;
        out
    }
}

fn run<K: CacheHash + Copy + Eq + Default + std::fmt::Debug>(
    cap: usize,
    ops: &[Op],
    wrap: fn(u64) -> K,
    unwrap: fn(K) -> u64,
) -> Result<(), TestCaseError> {
    let mut lru: SlabLru<K, u32> = SlabLru::new(cap).expect("cap > 0");
    let mut m = Model {
        cap,
        entries: Vec::new(),
        stats: CacheStats::default(),
    };
    let mut now = 0u64;
    for (step, op) in ops.iter().enumerate() {
        match *op {
            Op::Advance(dt) => now += dt,
            Op::Get(k) => {
                let want = match m.live(k, now) {
                    Some(p) => {
                        m.stats.hits += 1;
                        Some(m.front(p))
                    }
                    None => {
                        m.stats.misses += 1;
                        None
                    }
                };
                prop_assert_eq!(
                    lru.get(&wrap(k), now).copied(),
                    want,
                    "step {} {:?}",
                    step,
                    op
                );
            }
            Op::Peek(k) => {
                let want = m
                    .pos(k)
                    .filter(|&p| now < m.entries[p].2)
                    .map(|p| m.entries[p].1);
                prop_assert_eq!(lru.peek(&wrap(k), now).copied(), want);
                prop_assert_eq!(lru.contains_live(&wrap(k), now), want.is_some());
            }
            Op::Insert(k, v, ttl) => {
                let want = match m.live(k, now) {
                    Some(p) => {
                        let old = m.front(p);
                        m.entries[0] = (k, v, now.saturating_add(ttl));
                        InsertOutcome::Replaced(old)
                    }
                    None => m.insert_new(k, v, ttl, now),
                };
                let got = match lru.insert(wrap(k), v, ttl, now) {
                    InsertOutcome::Evicted(ek, ev) => InsertOutcome::Evicted(unwrap(ek), ev),
                    InsertOutcome::Replaced(o) => InsertOutcome::Replaced(o),
                    InsertOutcome::Inserted => InsertOutcome::Inserted,
                };
                prop_assert_eq!(got, want, "step {} {:?}", step, op);
            }
            Op::GetOrInsert(k, v, ttl) => {
                let want = match m.live(k, now) {
                    Some(p) => {
                        m.stats.hits += 1;
                        Err(m.front(p))
                    }
                    None => {
                        m.stats.misses += 1;
                        Ok(m.insert_new(k, v, ttl, now))
                    }
                };
                let got = match lru.get_or_insert(wrap(k), v, ttl, now) {
                    GetOrInsert::Found(v) => Err(*v),
                    GetOrInsert::Inserted(InsertOutcome::Evicted(ek, ev)) => {
                        Ok(InsertOutcome::Evicted(unwrap(ek), ev))
                    }
                    GetOrInsert::Inserted(InsertOutcome::Replaced(o)) => {
                        Ok(InsertOutcome::Replaced(o))
                    }
                    GetOrInsert::Inserted(InsertOutcome::Inserted) => Ok(InsertOutcome::Inserted),
                };
                prop_assert_eq!(got, want, "step {} {:?}", step, op);
            }
            Op::Touch(k) => {
                let want = m.live(k, now).map(|p| m.front(p)).is_some();
                prop_assert_eq!(lru.touch(&wrap(k), now), want);
            }
            Op::Remove(k) => {
                let want = m.pos(k).map(|p| m.entries.remove(p).1);
                prop_assert_eq!(lru.remove(&wrap(k)), want);
            }
        }
        prop_assert_eq!(lru.stats(), m.stats, "stats after step {} {:?}", step, op);
        prop_assert_eq!(lru.len(), m.entries.len());
        let order: Vec<u64> = lru.keys_mru().into_iter().map(unwrap).collect();
        let want: Vec<u64> = m.entries.iter().map(|e| e.0).collect();
        prop_assert_eq!(order, want, "recency after step {} {:?}", step, op);
        lru.audit();
    }
    Ok(())
}

fn case() -> impl Strategy<Value = (usize, Vec<Op>)> {
    prop_oneof![Just(1usize), Just(2), Just(3), Just(5), Just(8), Just(13)].prop_flat_map(|cap| {
        (
            Just(cap),
            prop::collection::vec(op(cap as u64 * 2 + 2), 1..200),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn matches_model_spread_keys((cap, ops) in case()) {
        run::<u64>(cap, &ops, |k| k, |k| k)?;
    }

    #[test]
    fn matches_model_colliding_keys((cap, ops) in case()) {
        run::<FewBuckets>(cap, &ops, FewBuckets, |k| k.0)?;
    }
}
