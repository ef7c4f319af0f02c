//! A fixed-capacity LRU cache with a TTL per entry: a slab of nodes, an intrusive doubly linked
//! recency list by `u32` index, and an open-addressing index (`index.rs`) from key to node.
//!
//! Contract:
//! - [`SlabLru::new`] allocates everything the cache will ever use (the slab and the index, both
//!   written in full so their pages are faulted in at start-up, not on the first hot-path insert).
//!   No operation allocates, locks, reads a clock or can fail afterwards.
//! - Every operation is O(1) expected: one hash, a short probe (load factor <= 1/2), and a constant
//!   number of list splices.
//! - Time is the caller's `now_ns` (any monotonic ns clock, or a capture's receive times in a
//!   replay). An entry inserted at `t` with `ttl_ns` is live while `now_ns < t + ttl_ns` and dead from
//!   then on; dead entries are removed lazily, when an operation meets them, and counted as expiries.
//! - When full, an insert of a new key removes the least recently used entry: the tail of the list.
//!   `get`, `get_or_insert` on a hit, `touch` and `insert` move an entry to the front; `peek` and
//!   `contains_live` do not.
//!
//! Why not `lru::LruCache`: it allocates a node (`Box`) per insert until full and frees one per
//! `pop`/remove, has no TTL, links nodes with 8-byte raw pointers in `unsafe` code, and its hashbrown
//! index deletes with tombstones, which an always-churning LRU can turn into in-place rehashes (an
//! O(capacity) pause on some insert; not measured here). Here nodes are reused in place, links are
//! 4-byte indices, deletion is backward shift, and the whole thing is safe code. `benches/cache.rs`
//! compares the two on the same keys.

use super::error::CacheError;
use super::hash::CacheHash;
use super::index::Index;
use super::stats::CacheStats;

/// "No node": the end of a list.
const NIL: u32 = u32::MAX;

/// Largest supported capacity: node links are `u32` and the index holds `2 * capacity` slots.
pub const MAX_CAPACITY: usize = 1 << 30;

/// One slab node. Free nodes are chained through `next`.
#[derive(Debug, Clone, Copy)]
struct Node<K, V> {
    key: K,
    value: V,
    expires_at_ns: u64,
    hash: u32,
    prev: u32,
    next: u32,
}

/// What an [`SlabLru::insert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertOutcome<K, V> {
    /// The key was new (or its entry had expired) and there was room.
    Inserted,
    /// The key was live: its value (returned here) and TTL were replaced and it moved to the front.
    Replaced(V),
    /// The key was new and the cache full: the live least recently used entry was pushed out.
    Evicted(K, V),
}

/// What an [`SlabLru::get_or_insert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetOrInsert<'a, K, V> {
    /// The key was live; nothing was stored, its TTL is unchanged, it moved to the front.
    Found(&'a V),
    /// The key was not live and has been inserted.
    Inserted(InsertOutcome<K, V>),
}

/// Fixed-capacity LRU map with per-entry TTL. Single owner; see the module docs for the contract.
///
/// ```
/// use microarb::cache::{InsertOutcome, SlabLru};
/// let mut lru: SlabLru<u64, u32> = SlabLru::new(2).expect("capacity > 0");
/// lru.insert(1, 10, 1_000, 0);
/// lru.insert(2, 20, 1_000, 0);
/// assert_eq!(lru.get(&1, 5), Some(&10)); // 1 is now the most recent
/// assert_eq!(lru.insert(3, 30, 1_000, 5), InsertOutcome::Evicted(2, 20));
/// assert_eq!(lru.get(&1, 1_000), None); // inserted at 0 with TTL 1000: dead at 1000
/// assert_eq!(lru.stats().expiries, 1);
/// ```
#[derive(Debug)]
pub struct SlabLru<K, V> {
    nodes: Box<[Node<K, V>]>,
    index: Index,
    /// Most recently used.
    head: u32,
    /// Least recently used: the next victim.
    tail: u32,
    /// First free node.
    free: u32,
    len: u32,
    stats: CacheStats,
}

#[inline]
fn fold_hash<K: CacheHash>(key: &K) -> u32 {
    let h = key.cache_hash();
    (h ^ (h >> 32)) as u32
}

impl<K: CacheHash + Copy + Eq + Default, V: Copy + Default> SlabLru<K, V> {
    /// A cache for up to `capacity` entries, allocated (and written) in full now.
    ///
    /// `K: Default` and `V: Default` fill the unused nodes, so building touches every page up front.
    pub fn new(capacity: usize) -> Result<Self, CacheError> {
        if capacity == 0 {
            return Err(CacheError::ZeroCapacity);
        }
        if capacity > MAX_CAPACITY {
            return Err(CacheError::CapacityTooLarge {
                capacity,
                max: MAX_CAPACITY,
            });
        }
        let nodes: Box<[Node<K, V>]> = (0..capacity as u32)
            .map(|i| Node {
                key: K::default(),
                value: V::default(),
                expires_at_ns: 0,
                hash: 0,
                prev: NIL,
                next: if i + 1 < capacity as u32 { i + 1 } else { NIL },
            })
            .collect();
        Ok(SlabLru {
            nodes,
            index: Index::new(capacity),
            head: NIL,
            tail: NIL,
            free: 0,
            len: 0,
            stats: CacheStats::default(),
        })
    }

    /// Most entries the cache holds.
    #[inline]
    pub fn capacity(&self) -> usize {
        self.nodes.len()
    }

    /// Entries stored, including dead ones not yet met by an operation.
    #[inline]
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// True when nothing is stored.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The counters since construction or the last [`reset_stats`](Self::reset_stats).
    #[inline]
    pub fn stats(&self) -> CacheStats {
        self.stats
    }

    /// Zero the counters.
    pub fn reset_stats(&mut self) {
        self.stats.reset();
    }

    /// The live value for `key`, moving it to the front. A dead entry is removed and counted as an
    /// expiry and a miss.
    #[inline(always)]
    pub fn get(&mut self, key: &K, now_ns: u64) -> Option<&V> {
        match self.find_live(key, now_ns) {
            Some(i) => {
                self.stats.hits += 1;
                self.move_to_front(i);
                Some(&self.nodes[i as usize].value)
            }
            None => {
                self.stats.misses += 1;
                None
            }
        }
    }

    /// The live value for `key` without moving it, counting nothing, removing nothing.
    #[inline(always)]
    pub fn peek(&self, key: &K, now_ns: u64) -> Option<&V> {
        let hash = fold_hash(key);
        let (_, i) = self
            .index
            .find(hash, |e| self.nodes[e as usize].key == *key)?;
        let node = &self.nodes[i as usize];
        (now_ns < node.expires_at_ns).then_some(&node.value)
    }

    /// True when `key` has a live entry (no side effects: see [`peek`](Self::peek)).
    #[inline]
    pub fn contains_live(&self, key: &K, now_ns: u64) -> bool {
        self.peek(key, now_ns).is_some()
    }

    /// Move a live `key` to the front; false when absent. A dead entry is removed (an expiry).
    /// Counts no hit or miss: touching is bookkeeping, not a lookup.
    #[inline]
    pub fn touch(&mut self, key: &K, now_ns: u64) -> bool {
        match self.find_live(key, now_ns) {
            Some(i) => {
                self.move_to_front(i);
                true
            }
            None => false,
        }
    }

    /// Store `value` for `key`, live for `ttl_ns` from `now_ns`, at the front. A live key is
    /// replaced (TTL restarted); a new key in a full cache removes the least recently used entry
    /// first (an eviction if it was live, an expiry if it was already dead).
    #[inline]
    pub fn insert(&mut self, key: K, value: V, ttl_ns: u64, now_ns: u64) -> InsertOutcome<K, V> {
        let hash = fold_hash(&key);
        if let Some(i) = self.find_live_hashed(&key, hash, now_ns) {
            let node = &mut self.nodes[i as usize];
            let old = std::mem::replace(&mut node.value, value);
            node.expires_at_ns = now_ns.saturating_add(ttl_ns);
            self.move_to_front(i);
            return InsertOutcome::Replaced(old);
        }
        self.insert_new(key, hash, value, ttl_ns, now_ns)
    }

    /// The dedupe primitive: if `key` is live, count a hit, move it to the front and return its
    /// value without changing it or its TTL; otherwise count a miss and insert. One probe either way.
    #[inline(always)]
    pub fn get_or_insert(
        &mut self,
        key: K,
        value: V,
        ttl_ns: u64,
        now_ns: u64,
    ) -> GetOrInsert<'_, K, V> {
        let hash = fold_hash(&key);
        if let Some(i) = self.find_live_hashed(&key, hash, now_ns) {
            self.stats.hits += 1;
            self.move_to_front(i);
            return GetOrInsert::Found(&self.nodes[i as usize].value);
        }
        self.stats.misses += 1;
        GetOrInsert::Inserted(self.insert_new(key, hash, value, ttl_ns, now_ns))
    }

    /// Remove `key` and return its value, live or dead (an explicit forget; counts nothing).
    #[inline]
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let hash = fold_hash(key);
        let (pos, i) = self
            .index
            .find(hash, |e| self.nodes[e as usize].key == *key)?;
        let value = self.nodes[i as usize].value;
        self.unlink_and_free(pos, i);
        Some(value)
    }

    /// The least recently used entry (the next victim), live or dead, without moving it.
    #[inline]
    pub fn peek_lru(&self) -> Option<(&K, &V)> {
        let node = self.nodes.get(self.tail as usize)?;
        Some((&node.key, &node.value))
    }

    /// Remove every entry, keeping the allocation and the counters. O(capacity): cold path.
    pub fn clear(&mut self) {
        self.index.clear();
        let cap = self.nodes.len() as u32;
        for (i, node) in self.nodes.iter_mut().enumerate() {
            node.prev = NIL;
            node.next = if (i as u32) + 1 < cap {
                i as u32 + 1
            } else {
                NIL
            };
        }
        self.head = NIL;
        self.tail = NIL;
        self.free = 0;
        self.len = 0;
    }

    /// Node of a live `key`; a dead one is removed and counted as an expiry.
    #[inline(always)]
    fn find_live(&mut self, key: &K, now_ns: u64) -> Option<u32> {
        let hash = fold_hash(key);
        self.find_live_hashed(key, hash, now_ns)
    }

    #[inline(always)]
    fn find_live_hashed(&mut self, key: &K, hash: u32, now_ns: u64) -> Option<u32> {
        let nodes = &self.nodes;
        let (pos, i) = self.index.find(hash, |e| nodes[e as usize].key == *key)?;
        if now_ns < self.nodes[i as usize].expires_at_ns {
            return Some(i);
        }
        self.expire(pos, i);
        None
    }

    /// Remove a dead entry met by a lookup: out of line so the lookup's hot path stays small.
    #[cold]
    #[inline(never)]
    fn expire(&mut self, pos: usize, i: u32) {
        self.stats.expiries += 1;
        self.unlink_and_free(pos, i);
    }

    /// Insert a key known not to be stored.
    #[inline]
    fn insert_new(
        &mut self,
        key: K,
        hash: u32,
        value: V,
        ttl_ns: u64,
        now_ns: u64,
    ) -> InsertOutcome<K, V> {
        let mut outcome = InsertOutcome::Inserted;
        if self.free == NIL {
            let victim = self.tail;
            let node = self.nodes[victim as usize];
            let pos = self
                .index
                .find_entry(node.hash, victim)
                .expect("invariant: every linked node is in the index");
            self.unlink_and_free(pos, victim);
            if now_ns < node.expires_at_ns {
                self.stats.evictions += 1;
                outcome = InsertOutcome::Evicted(node.key, node.value);
            } else {
                self.stats.expiries += 1;
            }
        }
        let i = self.free;
        let node = &mut self.nodes[i as usize];
        self.free = node.next;
        *node = Node {
            key,
            value,
            expires_at_ns: now_ns.saturating_add(ttl_ns),
            hash,
            prev: NIL,
            next: NIL,
        };
        self.push_front(i);
        self.index.insert(hash, i);
        self.len += 1;
        self.stats.inserts += 1;
        outcome
    }

    /// Drop node `i` (at index slot `pos`) from the index and the list, onto the free list.
    #[inline]
    fn unlink_and_free(&mut self, pos: usize, i: u32) {
        self.index.remove_at(pos);
        self.unlink(i);
        let node = &mut self.nodes[i as usize];
        node.next = self.free;
        node.prev = NIL;
        self.free = i;
        self.len -= 1;
    }

    #[inline(always)]
    fn unlink(&mut self, i: u32) {
        let Node { prev, next, .. } = self.nodes[i as usize];
        match prev {
            NIL => self.head = next,
            p => self.nodes[p as usize].next = next,
        }
        match next {
            NIL => self.tail = prev,
            n => self.nodes[n as usize].prev = prev,
        }
    }

    #[inline(always)]
    fn push_front(&mut self, i: u32) {
        let old_head = self.head;
        {
            let node = &mut self.nodes[i as usize];
            node.prev = NIL;
            node.next = old_head;
        }
        match old_head {
            NIL => self.tail = i,
            h => self.nodes[h as usize].prev = i,
        }
        self.head = i;
    }

    #[inline(always)]
    fn move_to_front(&mut self, i: u32) {
        if self.head != i {
            self.unlink(i);
            self.push_front(i);
        }
    }
}

#[cfg(test)]
#[path = "slab_lru_tests.rs"]
mod tests;
