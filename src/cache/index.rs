//! The slab's hash index: open addressing with linear probing and backward-shift deletion.
//!
//! Contract: a table of `2^k >= 2 * capacity` slots allocated once, so the load factor never passes
//! 1/2, a probe always meets an empty slot, and the expected probe is about 1.5 slots for a hit. Each
//! slot is 8 bytes (`hash: u32`, `entry: u32`), eight to a cache line; the stored hash lets a probe
//! skip non-matching slots without touching the slab, and lets deletion find a slot's home without
//! rehashing the key.
//!
//! Why backward shift and not tombstones: tombstones make probes longer as entries churn (an LRU
//! churns constantly) until a rehash, and a rehash is a pause. Backward shift keeps every chain as
//! short as if the deleted key had never been inserted, in O(chain) moves, with no allocation.
//!
//! The index knows nothing of keys: callers pass a closure that compares the key of a slab entry.

/// Marks an empty slot (`entry` is a slab index below capacity <= `MAX_CAPACITY`).
const EMPTY: u32 = u32::MAX;

/// One index slot: the entry's hash (low 32 bits) and its slab position.
#[derive(Debug, Clone, Copy)]
struct Slot {
    hash: u32,
    entry: u32,
}

const VACANT: Slot = Slot {
    hash: 0,
    entry: EMPTY,
};

/// Fixed-size open-addressing table from hash to slab entry.
#[derive(Debug)]
pub(super) struct Index {
    slots: Box<[Slot]>,
    mask: usize,
}

impl Index {
    /// A table for at most `capacity` entries (`capacity <= MAX_CAPACITY`, checked by the caller).
    pub(super) fn new(capacity: usize) -> Index {
        let size = (capacity.max(1) * 2).next_power_of_two();
        Index {
            slots: vec![VACANT; size].into_boxed_slice(),
            mask: size - 1,
        }
    }

    /// Number of slots (for tests and the size report).
    #[cfg(test)]
    pub(super) fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// Position and entry of the slot with `hash` whose entry satisfies `is_key`.
    #[inline]
    pub(super) fn find(
        &self,
        hash: u32,
        mut is_key: impl FnMut(u32) -> bool,
    ) -> Option<(usize, u32)> {
        let mut pos = hash as usize & self.mask;
        loop {
            let slot = self.slots[pos];
            if slot.entry == EMPTY {
                return None;
            }
            if slot.hash == hash && is_key(slot.entry) {
                return Some((pos, slot.entry));
            }
            pos = (pos + 1) & self.mask;
        }
    }

    /// Position of the slot that holds `entry` (stored under `hash`).
    #[inline]
    pub(super) fn find_entry(&self, hash: u32, entry: u32) -> Option<usize> {
        self.find(hash, |e| e == entry).map(|(pos, _)| pos)
    }

    /// Add `entry` under `hash`. The caller guarantees the key is not present and that fewer than
    /// `capacity` entries are stored, so an empty slot exists.
    #[inline]
    pub(super) fn insert(&mut self, hash: u32, entry: u32) {
        debug_assert!(entry != EMPTY);
        let mut pos = hash as usize & self.mask;
        while self.slots[pos].entry != EMPTY {
            pos = (pos + 1) & self.mask;
        }
        self.slots[pos] = Slot { hash, entry };
    }

    /// Empty the slot at `pos` and pull later members of its probe chain back over the hole.
    ///
    /// A slot `j` after the hole `i` may move into it only if its home is not in the cyclic range
    /// `(i, j]`: otherwise moving it would put it before its home, where no probe would find it.
    #[inline]
    pub(super) fn remove_at(&mut self, pos: usize) {
        let mut hole = pos;
        let mut j = pos;
        loop {
            j = (j + 1) & self.mask;
            let slot = self.slots[j];
            if slot.entry == EMPTY {
                break;
            }
            let home = slot.hash as usize & self.mask;
            // Distance from home to j and from home to the hole, both cyclic: the entry may fill
            // the hole when the hole lies on its path, i.e. no farther from home than j is.
            let dist_j = j.wrapping_sub(home) & self.mask;
            let dist_hole = hole.wrapping_sub(home) & self.mask;
            if dist_hole <= dist_j {
                self.slots[hole] = slot;
                hole = j;
            }
        }
        self.slots[hole] = VACANT;
    }

    /// Empty every slot (O(table size); cold path).
    pub(super) fn clear(&mut self) {
        self.slots.fill(VACANT);
    }

    /// Every stored (hash, entry) is reachable by probing from its home: test-only audit.
    #[cfg(test)]
    pub(super) fn audit(&self) -> usize {
        let mut count = 0;
        for (pos, slot) in self.slots.iter().enumerate() {
            if slot.entry == EMPTY {
                continue;
            }
            count += 1;
            assert_eq!(
                self.find_entry(slot.hash, slot.entry),
                Some(pos),
                "entry {} unreachable from its home",
                slot.entry
            );
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_powers_of_two_at_least_twice_capacity() {
        assert_eq!(Index::new(1).slot_count(), 2);
        assert_eq!(Index::new(2).slot_count(), 4);
        assert_eq!(Index::new(3).slot_count(), 8);
        assert_eq!(Index::new(1000).slot_count(), 2048);
    }

    #[test]
    fn colliding_chain_survives_removal_anywhere() {
        // Eight entries, all with home 6 in a 16-slot table: the chain wraps past the end.
        for victim in 0..8u32 {
            let mut ix = Index::new(8);
            for e in 0..8u32 {
                ix.insert(6, e);
            }
            let pos = ix.find_entry(6, victim).expect("inserted");
            ix.remove_at(pos);
            assert_eq!(ix.audit(), 7);
            assert_eq!(ix.find_entry(6, victim), None);
            for e in (0..8).filter(|&e| e != victim) {
                assert!(
                    ix.find_entry(6, e).is_some(),
                    "lost {e} after removing {victim}"
                );
            }
        }
    }

    #[test]
    fn mixed_homes_with_wraparound() {
        let mut ix = Index::new(4); // 8 slots
        let items = [(7u32, 0u32), (7, 1), (0, 2), (1, 3)];
        for (h, e) in items {
            ix.insert(h, e);
        }
        // Slots: 7->0, 0->1, 1->2, 2->3. Remove entry 0 (slot 7): 1 shifts back to 7.
        ix.remove_at(ix.find_entry(7, 0).expect("present"));
        assert_eq!(ix.audit(), 3);
        for (h, e) in &items[1..] {
            assert!(ix.find_entry(*h, *e).is_some());
        }
        ix.clear();
        assert_eq!(ix.audit(), 0);
    }
}
