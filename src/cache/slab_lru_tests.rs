//! Unit tests of [`SlabLru`]: every operation, the capacity edges, forced collisions, TTL on a fake
//! clock. The model-based property test is `model`, in `slab_lru_model_tests.rs`.

use super::*;

/// Test-only views of the slab's internals, used here and by `model_tests.rs`.
impl<K: CacheHash + Copy + Eq + Default, V: Copy + Default> SlabLru<K, V> {
    /// Keys from most to least recently used (test helper; allocates).
    pub(crate) fn keys_mru(&self) -> Vec<K> {
        let mut out = Vec::new();
        let mut i = self.nodes[self.sentinel as usize].link.next;
        while i != self.sentinel {
            out.push(self.nodes[i as usize].key);
            i = self.nodes[i as usize].link.next;
        }
        out
    }

    /// Check every structural invariant (test helper): every stored position is in range, the
    /// list is consistent both ways through the sentinel, list, index and free list partition the
    /// slab, and every listed key is findable.
    pub(crate) fn audit(&self) {
        let s = self.sentinel;
        assert_eq!(
            self.nodes.len(),
            s as usize + 1,
            "slab is capacity + sentinel"
        );
        // What `node`/`link` rely on: no stored position points outside the slab.
        for (i, link) in self.nodes.iter().map(|n| n.link).enumerate() {
            assert!(
                link.prev <= s && link.next <= s,
                "links of {i} out of range"
            );
        }
        assert!(self.free <= s, "free head out of range");
        assert!(
            self.index.entries().all(|e| e <= s),
            "index entry out of range"
        );
        let mut seen = vec![false; self.nodes.len()];
        seen[s as usize] = true;
        let (mut i, mut prev, mut n) = (self.nodes[s as usize].link.next, s, 0usize);
        while i != s {
            assert!(!seen[i as usize], "cycle at {i}");
            seen[i as usize] = true;
            let node = &self.nodes[i as usize];
            assert_eq!(self.nodes[i as usize].link.prev, prev, "back link of {i}");
            assert_eq!(node.hash, hash_of(&node.key));
            let found = self
                .index
                .find(node.hash, |e| self.nodes[e as usize].key == node.key);
            assert_eq!(found.map(|(_, e)| e), Some(i), "index lost node {i}");
            prev = i;
            i = self.nodes[i as usize].link.next;
            n += 1;
        }
        assert_eq!(self.nodes[s as usize].link.prev, prev, "tail");
        assert_eq!(n, self.len as usize, "len");
        assert_eq!(self.index.audit(), n, "index count");
        let mut f = self.free;
        while f != s {
            assert!(!seen[f as usize], "free node {f} also listed");
            seen[f as usize] = true;
            f = self.nodes[f as usize].link.next;
        }
        assert!(seen.iter().all(|&s| s), "leaked node");
    }
}

const TTL: u64 = 1_000;

/// A key whose hash is constant: every key collides, so every probe walks one chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Colliding(pub u64);

impl CacheHash for Colliding {
    fn cache_hash(&self) -> u64 {
        42
    }
}

fn lru<K: CacheHash + Copy + Eq + Default>(cap: usize) -> SlabLru<K, u64> {
    SlabLru::new(cap).expect("capacity > 0")
}

#[test]
fn construction_rejects_zero_and_huge() {
    assert_eq!(
        SlabLru::<u64, u64>::new(0).err(),
        Some(CacheError::ZeroCapacity)
    );
    assert!(matches!(
        SlabLru::<u64, ()>::new(MAX_CAPACITY + 1),
        Err(CacheError::CapacityTooLarge { .. })
    ));
    let c = lru::<u64>(3);
    assert_eq!((c.capacity(), c.len(), c.is_empty()), (3, 0, true));
    assert_eq!(c.peek_lru(), None);
    c.audit();
}

#[test]
fn capacity_one() {
    let mut c = lru::<u64>(1);
    assert_eq!(c.insert(1, 10, TTL, 0), InsertOutcome::Inserted);
    assert_eq!(c.insert(1, 11, TTL, 1), InsertOutcome::Replaced(10));
    assert_eq!(c.insert(2, 20, TTL, 2), InsertOutcome::Evicted(1, 11));
    assert_eq!(c.get(&1, 3), None);
    assert_eq!(c.get(&2, 3), Some(&20));
    assert_eq!(c.len(), 1);
    assert_eq!(c.remove(&2), Some(20));
    assert!(c.is_empty());
    assert_eq!(c.insert(3, 30, TTL, 4), InsertOutcome::Inserted);
    c.audit();
    let s = c.stats();
    assert_eq!(
        (s.hits, s.misses, s.evictions, s.inserts, s.expiries),
        (1, 1, 1, 3, 0)
    );
}

/// Fill, then insert one more: the victim is always the least recently used key.
fn lru_order_holds(cap: usize) {
    let mut c = lru::<u64>(cap);
    for k in 0..cap as u64 {
        assert_eq!(c.insert(k, k * 10, TTL, 0), InsertOutcome::Inserted);
    }
    assert_eq!(c.len(), cap);
    // Touch the oldest: key 1 (or 0 at capacity 1) becomes the victim.
    assert!(c.touch(&0, 1));
    let victim = if cap == 1 { 0 } else { 1 };
    assert_eq!(c.peek_lru(), Some((&victim, &(victim * 10))));
    assert_eq!(
        c.insert(1_000, 1, TTL, 2),
        InsertOutcome::Evicted(victim, victim * 10)
    );
    assert!(!c.contains_live(&victim, 2));
    assert_eq!(c.len(), cap);
    c.audit();
    // Evict everything else in order.
    let mut expected: Vec<u64> = c.keys_mru();
    expected.reverse();
    for (n, want) in expected.into_iter().enumerate() {
        let got = c.insert(2_000 + n as u64, 0, TTL, 3);
        assert!(
            matches!(got, InsertOutcome::Evicted(k, _) if k == want),
            "{got:?} != {want}"
        );
    }
    c.audit();
}

#[test]
fn lru_order_at_capacities_1_2_3_8_1000() {
    for cap in [1, 2, 3, 8, 1000] {
        lru_order_holds(cap);
    }
}

#[test]
fn get_moves_to_front_peek_does_not() {
    let mut c = lru::<u64>(3);
    for k in 1..=3 {
        c.insert(k, k, TTL, 0);
    }
    assert_eq!(c.keys_mru(), vec![3, 2, 1]);
    assert_eq!(c.peek(&1, 0), Some(&1));
    assert!(c.contains_live(&1, 0));
    assert_eq!(c.keys_mru(), vec![3, 2, 1]);
    assert_eq!(c.get(&1, 0), Some(&1));
    assert_eq!(c.keys_mru(), vec![1, 3, 2]);
    assert_eq!(c.get(&9, 0), None);
    assert!(!c.touch(&9, 0));
    assert_eq!(c.stats().hits, 1);
    assert_eq!(c.stats().misses, 1);
    c.audit();
}

#[test]
fn ttl_expiry_on_a_fake_clock() {
    let mut c = lru::<u64>(4);
    c.insert(1, 1, 100, 1_000); // live on [1000, 1100)
    assert_eq!(c.get(&1, 1_099), Some(&1));
    assert!(c.contains_live(&1, 1_099));
    assert!(!c.contains_live(&1, 1_100));
    assert_eq!(c.peek(&1, 1_100), None);
    assert_eq!(c.len(), 1, "peek removes nothing");
    assert_eq!(c.get(&1, 1_100), None);
    assert_eq!(c.len(), 0, "get removes the dead entry");
    let s = c.stats();
    assert_eq!((s.hits, s.misses, s.expiries), (1, 1, 1));

    // Replacing restarts the TTL; touching does not.
    c.insert(2, 2, 100, 0);
    assert!(c.touch(&2, 50));
    assert!(!c.contains_live(&2, 100));
    c.insert(3, 3, 100, 0);
    assert_eq!(c.insert(3, 4, 100, 90), InsertOutcome::Replaced(3));
    assert!(c.contains_live(&3, 189));
    // A touch of a dead entry removes it.
    assert!(!c.touch(&2, 100));
    assert_eq!(c.stats().expiries, 2);
    // An insert over a dead entry is a fresh insert, counting the expiry.
    assert_eq!(c.insert(3, 5, 100, 500), InsertOutcome::Inserted);
    assert_eq!(c.stats().expiries, 3);
    // TTL 0: stored but never live. A huge TTL saturates instead of wrapping.
    c.insert(4, 4, 0, 600);
    assert!(!c.contains_live(&4, 600));
    c.insert(5, 5, u64::MAX, 600);
    assert!(c.contains_live(&5, u64::MAX - 1));
    c.audit();
}

#[test]
fn dead_victim_counts_as_expiry_not_eviction() {
    let mut c = lru::<u64>(2);
    c.insert(1, 1, 10, 0);
    c.insert(2, 2, 1_000, 0);
    assert_eq!(c.insert(3, 3, 1_000, 20), InsertOutcome::Inserted);
    assert_eq!(c.insert(4, 4, 1_000, 20), InsertOutcome::Evicted(2, 2));
    let s = c.stats();
    assert_eq!((s.expiries, s.evictions), (1, 1));
    c.audit();
}

#[test]
fn get_or_insert_dedupes_without_extending_ttl() {
    let mut c = lru::<u64>(2);
    assert_eq!(
        c.get_or_insert(1, 10, 100, 0),
        GetOrInsert::Inserted(InsertOutcome::Inserted)
    );
    assert_eq!(c.get_or_insert(1, 11, 100, 50), GetOrInsert::Found(&10));
    assert_eq!(
        c.get_or_insert(1, 12, 100, 100),
        GetOrInsert::Inserted(InsertOutcome::Inserted)
    );
    c.get_or_insert(2, 20, 100, 100);
    assert_eq!(
        c.get_or_insert(3, 30, 100, 100),
        GetOrInsert::Inserted(InsertOutcome::Evicted(1, 12))
    );
    let s = c.stats();
    assert_eq!(
        (s.hits, s.misses, s.expiries, s.evictions, s.inserts),
        (1, 4, 1, 1, 4)
    );
    c.audit();
}

#[test]
fn remove_returns_dead_values_too_and_clear_resets() {
    let mut c = lru::<u64>(3);
    c.insert(1, 10, 5, 0);
    c.insert(2, 20, 5, 0);
    assert_eq!(c.remove(&1), Some(10));
    assert_eq!(c.remove(&1), None);
    c.audit();
    c.insert(3, 30, 5, 0);
    c.clear();
    assert!(c.is_empty());
    assert!(!c.contains_live(&2, 0));
    c.audit();
    for k in 0..3 {
        c.insert(k, k, 5, 0);
    }
    assert_eq!(c.len(), 3);
    c.audit();
    c.reset_stats();
    assert_eq!(c.stats(), CacheStats::default());
}

#[test]
fn colliding_keys_every_operation() {
    for cap in [1, 2, 3, 8, 1000] {
        let mut c = lru::<Colliding>(cap);
        let n = cap as u64;
        for k in 0..n {
            c.insert(Colliding(k), k, TTL, 0);
        }
        c.audit();
        for k in 0..n {
            assert_eq!(c.get(&Colliding(k), 1), Some(&k));
        }
        // Remove every other key from the shared chain, then find the rest.
        for k in (0..n).step_by(2) {
            assert_eq!(c.remove(&Colliding(k)), Some(k));
        }
        c.audit();
        for k in 0..n {
            assert_eq!(
                c.contains_live(&Colliding(k), 1),
                k % 2 == 1,
                "key {k} cap {cap}"
            );
        }
        // Churn through evictions and expiries on the one chain.
        for k in n..n * 3 {
            c.insert(Colliding(k), k, 10, k);
        }
        c.audit();
        assert_eq!(c.len(), cap);
        assert_eq!(c.get(&Colliding(3 * n - 1), 3 * n), Some(&(3 * n - 1)));
    }
}

/// The property test against a reference model (long, so in its own file).
#[path = "slab_lru_model_tests.rs"]
mod model;
