//! A fixed-capacity LRU cache with a TTL per entry: a slab of nodes, an intrusive doubly linked
//! recency list by `u32` index (links inside the nodes, with a sentinel), and an open-addressing
//! index (`index.rs`) from key to node.
//!
//! Contract:
//! - [`SlabLru::new`] allocates everything the cache will ever use (the slab with its links, and
//!   the index, all written in full so their pages are faulted in at start-up, not on the first
//!   hot-path insert). No operation allocates, locks, reads a clock or can fail afterwards.
//! - Every operation is O(1) expected: one hash, a short probe (load factor <= 1/2), and a constant
//!   number of branch-free list splices.
//! - Time is the caller's `now_ns` (any monotonic ns clock, or a capture's receive times in a
//!   replay). An entry inserted at `t` with `ttl_ns` is live while `now_ns < t + ttl_ns` and dead from
//!   then on; dead entries are removed lazily, when an operation meets them, and counted as expiries.
//! - When full, an insert of a new key reuses the least recently used node (the list's tail) in
//!   place. `get`, `get_or_insert` on a hit, `touch` and `insert` move an entry to the front; `peek`
//!   and `contains_live` do not.
//!
//! Why not `lru::LruCache`: it allocates a node (`Box`) per insert until full and frees one per
//! `pop`/remove, has no TTL, and its hashbrown index deletes with tombstones, which an
//! always-churning LRU can turn into in-place rehashes (an O(capacity) pause on some insert; not
//! measured here). Here nodes are reused in place (one cache line each: key, value, expiry, hash
//! and 4-byte links), deletion is backward shift. The `unsafe` is bounds-check removal only: every position the
//! cache stores is in range by construction (see `node`), which the tests' `audit` checks after
//! every operation. `benches/cache.rs` compares the two on the same keys, operation by operation.

use super::error::CacheError;
use super::hash::CacheHash;
use super::index::Index;
use super::stats::CacheStats;

/// Largest supported capacity: node links are `u32` and the index holds `2 * capacity` slots.
pub const MAX_CAPACITY: usize = 1 << 30;

/// One slab entry with its recency links, aligned to a cache line so that a lookup's key compare,
/// expiry check, value read and the read of its own links touch one line (52 bytes for an
/// `OppKey` and a `u64`), not the two that most unaligned entries would straddle.
///
/// Why the links live in the node: a hit's chain of dependent loads is tag, index slot, node,
/// then the node's links (which neighbours to splice). In a separate array the links were a fourth
/// dependent load on every hit, update and removal; here they arrive with the node's line. The
/// neighbours' links are only written, which does not stall the lookup.
#[derive(Debug, Clone, Copy)]
#[repr(align(64))]
struct Node<K, V> {
    key: K,
    value: V,
    expires_at_ns: u64,
    hash: u32,
    link: Link,
}

/// A node's place in the recency list (or, for a free node, `next` is the next free node).
#[derive(Debug, Clone, Copy)]
struct Link {
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
    /// `capacity` nodes, then the recency list's sentinel at position `capacity` (only its links
    /// are used): its `next` is the most recently used node, its `prev` the least (the next
    /// victim), both itself when empty. With a sentinel every splice is branch-free.
    nodes: Box<[Node<K, V>]>,
    index: Index,
    /// Position of the sentinel (= capacity).
    sentinel: u32,
    /// First free node; the sentinel when none is free.
    free: u32,
    len: u32,
    stats: CacheStats,
}

/// Links of node `i` in a cache with nothing stored: the free list runs `0, 1, .., capacity - 1`
/// and ends at the sentinel, whose own links point at itself.
fn free_link(i: u32, sentinel: u32) -> Link {
    Link {
        prev: sentinel,
        next: if i < sentinel { i + 1 } else { sentinel },
    }
}

/// What one lookup probe found.
#[derive(Debug, Clone, Copy)]
enum Probe {
    /// The key's live node.
    Live(u32),
    /// The key is not stored; the index slot an insert would take.
    Vacant(usize),
    /// The key's entry was dead and has been removed (counted as an expiry).
    Expired,
}

/// The 32 bits of the key's hash the index uses (home slot from the low bits, tag from the top).
#[inline(always)]
fn hash_of<K: CacheHash>(key: &K) -> u32 {
    key.cache_hash() as u32
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
        let sentinel = capacity as u32;
        let nodes: Box<[Node<K, V>]> = (0..=sentinel)
            .map(|i| Node {
                key: K::default(),
                value: V::default(),
                expires_at_ns: 0,
                hash: 0,
                link: free_link(i, sentinel),
            })
            .collect();
        Ok(SlabLru {
            nodes,
            index: Index::new(capacity, sentinel),
            sentinel,
            free: 0,
            len: 0,
            stats: CacheStats::default(),
        })
    }

    /// Most entries the cache holds.
    #[inline]
    pub fn capacity(&self) -> usize {
        self.sentinel as usize
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
                Some(&self.node(i).value)
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
        let (_, i) = self.find(key, hash_of(key))?;
        let node = self.node(i);
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
    ///
    /// Inlined up to the replacement, the new-key path out of line: a replacement is a probe and
    /// a splice, small enough that a call's register saves and the outcome's trip through memory
    /// were a third of its cost; a new key pays one call, as it did when all of it was one call.
    #[inline(always)]
    pub fn insert(&mut self, key: K, value: V, ttl_ns: u64, now_ns: u64) -> InsertOutcome<K, V> {
        let hash = hash_of(&key);
        let vacancy = match self.probe_live(&key, hash, now_ns) {
            Probe::Live(i) => {
                let node = self.node_mut(i);
                let old = std::mem::replace(&mut node.value, value);
                node.expires_at_ns = now_ns.saturating_add(ttl_ns);
                self.move_to_front(i);
                return InsertOutcome::Replaced(old);
            }
            Probe::Vacant(v) => Some(v),
            Probe::Expired => None,
        };
        self.insert_new_outlined(key, hash, value, ttl_ns, now_ns, vacancy)
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
        let hash = hash_of(&key);
        let vacancy = match self.probe_live(&key, hash, now_ns) {
            Probe::Live(i) => {
                self.stats.hits += 1;
                self.move_to_front(i);
                return GetOrInsert::Found(&self.node(i).value);
            }
            Probe::Vacant(v) => Some(v),
            Probe::Expired => None,
        };
        self.stats.misses += 1;
        GetOrInsert::Inserted(self.insert_new(key, hash, value, ttl_ns, now_ns, vacancy))
    }

    /// Remove `key` and return its value, live or dead (an explicit forget; counts nothing).
    #[inline]
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let (pos, i) = self.find(key, hash_of(key))?;
        let value = self.node(i).value;
        self.unlink_and_free(pos, i);
        Some(value)
    }

    /// The least recently used entry (the next victim), live or dead, without moving it.
    #[inline]
    pub fn peek_lru(&self) -> Option<(&K, &V)> {
        let tail = self.link(self.sentinel).prev;
        if tail == self.sentinel {
            return None;
        }
        let node = self.node(tail);
        Some((&node.key, &node.value))
    }

    /// Remove every entry, keeping the allocation and the counters. O(capacity): cold path.
    pub fn clear(&mut self) {
        self.index.clear();
        let sentinel = self.sentinel;
        for (i, node) in (0..=sentinel).zip(self.nodes.iter_mut()) {
            node.link = free_link(i, sentinel);
        }
        self.free = 0;
        self.len = 0;
    }

    /// Node `i`, unchecked. Callers pass only positions the cache itself stores, and every one of
    /// those is `<= sentinel < nodes.len()` (the invariant `audit` checks in the tests).
    #[inline(always)]
    #[allow(unsafe_code)]
    fn node(&self, i: u32) -> &Node<K, V> {
        debug_assert!((i as usize) < self.nodes.len(), "node {i} out of range");
        // SAFETY: `i <= sentinel` and `nodes.len() == sentinel + 1` (fixed in `new`). `i` is always
        // a stored position: `new` writes only positions `0..=sentinel` into the links, the free
        // head and (as `nil`) every index entry; afterwards each of those is only ever assigned
        // the sentinel or a value read from another of them (`clear` rewrites the links with
        // `free_link`, in range too), so none can leave the range. No public method takes a
        // position from outside.
        unsafe { self.nodes.get_unchecked(i as usize) }
    }

    /// Node `i`, mutably and unchecked (same invariant as [`node`](Self::node)).
    #[inline(always)]
    #[allow(unsafe_code)]
    fn node_mut(&mut self, i: u32) -> &mut Node<K, V> {
        debug_assert!((i as usize) < self.nodes.len(), "node {i} out of range");
        // SAFETY: as in `node`: `i` is a stored position, `<= sentinel < nodes.len()`.
        unsafe { self.nodes.get_unchecked_mut(i as usize) }
    }

    /// Links of node `i` (checked through [`node`](Self::node)).
    #[inline(always)]
    fn link(&self, i: u32) -> Link {
        self.node(i).link
    }

    /// Links of node `i`, mutably (checked through [`node_mut`](Self::node_mut)).
    #[inline(always)]
    fn link_mut(&mut self, i: u32) -> &mut Link {
        &mut self.node_mut(i).link
    }

    /// Index slot and node of `key` (stored under `hash`), live or dead.
    #[inline(always)]
    fn find(&self, key: &K, hash: u32) -> Option<(usize, u32)> {
        self.index.find(hash, |e| self.node(e).key == *key)
    }

    /// Node of a live `key`; a dead one is removed and counted as an expiry.
    #[inline(always)]
    fn find_live(&mut self, key: &K, now_ns: u64) -> Option<u32> {
        self.find_live_hashed(key, hash_of(key), now_ns)
    }

    #[inline(always)]
    fn find_live_hashed(&mut self, key: &K, hash: u32, now_ns: u64) -> Option<u32> {
        match self.probe_live(key, hash, now_ns) {
            Probe::Live(i) => Some(i),
            Probe::Vacant(_) | Probe::Expired => None,
        }
    }

    /// One probe for `key`: its live node, or where it would be inserted, or (a dead entry met
    /// and removed, an expiry) neither.
    #[inline(always)]
    fn probe_live(&mut self, key: &K, hash: u32, now_ns: u64) -> Probe {
        match self
            .index
            .find_or_vacancy(hash, |e| self.node(e).key == *key)
        {
            Ok((_, i)) if now_ns < self.node(i).expires_at_ns => Probe::Live(i),
            Ok((_, i)) => {
                self.expire(hash, i);
                Probe::Expired
            }
            Err(vacancy) => Probe::Vacant(vacancy),
        }
    }

    /// Remove a dead entry (node `i`, stored under `hash`) met by a lookup: out of line so the
    /// lookup's hot path stays small. It finds the entry's index slot again rather than have the
    /// lookup keep the slot in a register through every hit, for the rare entry that is dead.
    #[cold]
    #[inline(never)]
    fn expire(&mut self, hash: u32, i: u32) {
        self.stats.expiries += 1;
        let pos = self
            .index
            .find_entry(hash, i)
            .expect("invariant: every linked node is in the index");
        self.unlink_and_free(pos, i);
    }

    /// [`insert_new`](Self::insert_new) as a call, for [`insert`](Self::insert).
    #[inline(never)]
    fn insert_new_outlined(
        &mut self,
        key: K,
        hash: u32,
        value: V,
        ttl_ns: u64,
        now_ns: u64,
        vacancy: Option<usize>,
    ) -> InsertOutcome<K, V> {
        self.insert_new(key, hash, value, ttl_ns, now_ns, vacancy)
    }

    /// Insert a key known not to be stored: into a free node, or, when full, into the least
    /// recently used node, reused in place. `vacancy`: the index slot the key's miss probe ended
    /// at, when the caller has one (the index is then not probed again).
    #[inline]
    fn insert_new(
        &mut self,
        key: K,
        hash: u32,
        value: V,
        ttl_ns: u64,
        now_ns: u64,
        mut vacancy: Option<usize>,
    ) -> InsertOutcome<K, V> {
        let mut outcome = InsertOutcome::Inserted;
        let i = if self.free != self.sentinel {
            let i = self.free;
            self.free = self.link(i).next;
            self.len += 1;
            i
        } else {
            let victim = self.link(self.sentinel).prev;
            let old = self.node(victim);
            let (old_key, old_value, old_expiry, old_hash) =
                (old.key, old.value, old.expires_at_ns, old.hash);
            let pos = self
                .index
                .find_entry(old_hash, victim)
                .expect("invariant: every linked node is in the index");
            let hole = self.index.remove_at(pos);
            vacancy = vacancy.map(|v| self.index.after_removal(hash, v, hole));
            self.unlink(victim);
            if now_ns < old_expiry {
                self.stats.evictions += 1;
                outcome = InsertOutcome::Evicted(old_key, old_value);
            } else {
                self.stats.expiries += 1;
            }
            victim
        };
        let node = self.node_mut(i);
        node.key = key;
        node.value = value;
        node.expires_at_ns = now_ns.saturating_add(ttl_ns);
        node.hash = hash;
        self.push_front(i);
        match vacancy {
            Some(pos) => self.index.insert_at(pos, hash, i),
            None => self.index.insert(hash, i),
        }
        self.stats.inserts += 1;
        outcome
    }

    /// Drop node `i` (at index slot `pos`) from the index and the list, onto the free list.
    #[inline]
    fn unlink_and_free(&mut self, pos: usize, i: u32) {
        self.index.remove_at(pos);
        self.unlink(i);
        let free = self.free;
        self.link_mut(i).next = free;
        self.free = i;
        self.len -= 1;
    }

    /// Take node `i` out of the recency list (its own links are left stale).
    #[inline(always)]
    fn unlink(&mut self, i: u32) {
        let Link { prev, next } = self.link(i);
        self.link_mut(prev).next = next;
        self.link_mut(next).prev = prev;
    }

    /// Link node `i` (not in the list) in at the front.
    #[inline(always)]
    fn push_front(&mut self, i: u32) {
        let sentinel = self.sentinel;
        let old_head = self.link(sentinel).next;
        *self.link_mut(i) = Link {
            prev: sentinel,
            next: old_head,
        };
        self.link_mut(old_head).prev = i;
        self.link_mut(sentinel).next = i;
    }

    /// Move listed node `i` to the front: unconditional (a node already at the front is taken out
    /// and put back), so there is no branch to mispredict.
    #[inline(always)]
    fn move_to_front(&mut self, i: u32) {
        self.unlink(i);
        self.push_front(i);
    }
}

#[cfg(test)]
#[path = "slab_lru_tests.rs"]
mod tests;
