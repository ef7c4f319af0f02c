//! The slab's hash index: open addressing with linear probing and backward-shift deletion, split
//! into a byte of tag per slot and a separate array of `(hash, slab position)` pairs, probed eight
//! tags at a time.
//!
//! Contract: a table of `2^k >= max(8, 2 * capacity)` slots allocated once, so the load factor never
//! passes 1/2 and a probe always meets an empty slot (expected probe: 1.5 slots for a miss, 1.25 for
//! a hit, nearly always inside the first group of eight). The index knows nothing of keys: callers
//! pass a closure that compares the key of a slab entry.
//!
//! Why one tag byte per slot (hashbrown's control bytes): a probe reads only tags until one matches
//! 8 more bits of the hash, so a miss reads one cache line of a table an eighth the size of the
//! `(hash, entry)` pairs: 128 KiB of tags for 64k entries stays in L2 where 1 MiB of pairs does
//! not. A hit then reads the matching pair; deletion reads the pairs' full hashes to find each
//! entry's home, so it never touches the slab.
//!
//! Why eight at a time: the tags of a group load as one `u64` and are matched with SWAR bit tricks,
//! so the probe loop's exit does not depend on the chain length; a slot-by-slot loop mispredicts its
//! exit on most misses (measured on a loaded 2-core box: ~25 ns per miss at 64k entries slot by
//! slot, ~10 ns eight at a time). The table keeps a mirror of its first eight tags past its end so
//! a group starting near the end reads on without wrapping.
//!
//! Why backward shift and not tombstones: tombstones make probes longer as entries churn (an LRU
//! churns constantly) until a rehash, and a rehash is a pause. Backward shift keeps every chain as
//! short as if the deleted key had never been inserted, in O(chain) moves, with no allocation.

/// Tags compared per probe step (one `u64`).
const GROUP: usize = 8;
/// Every byte's low bit.
const LO: u64 = 0x0101_0101_0101_0101;
/// Every byte's high bit.
const HI: u64 = 0x8080_8080_8080_8080;
/// Every byte's low seven bits.
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// High bit set in exactly the bytes of `group` equal to `byte`.
///
/// Exact, unlike the shorter `(x - LO) & !x & HI`, whose borrows flag bytes above a true match: a
/// false match on an empty slot would read that slot's stale entry and return the wrong position.
#[inline(always)]
fn match_byte(group: u64, byte: u8) -> u64 {
    let x = group ^ (LO * byte as u64);
    // Per byte, without carries between bytes: high bit set iff the byte is non-zero.
    let nonzero = ((x & LOW7) + LOW7) | x;
    !nonzero & HI
}

/// Tag of an empty slot; live tags are 1..=255.
const EMPTY: u8 = 0;

/// A slot's tag: the hash's top byte, moved off 0 so it never reads as empty. The home slot uses
/// the low bits, so tag and home are independent for tables up to 2^24 slots.
#[inline(always)]
fn tag_of(hash: u32) -> u8 {
    ((hash >> 24) as u8).max(1)
}

/// Fixed-size open-addressing table from hash to slab entry.
#[derive(Debug)]
pub(super) struct Index {
    tags: Box<[u8]>,
    slots: Box<[Slot]>,
    mask: usize,
}

/// A slot's payload: the full 32-bit hash (for deletion's home computation) and the slab position.
#[derive(Debug, Clone, Copy)]
struct Slot {
    hash: u32,
    entry: u32,
}

impl Index {
    /// A table for at most `capacity` entries (`capacity <= MAX_CAPACITY`, checked by the caller).
    pub(super) fn new(capacity: usize) -> Index {
        let size = (capacity.max(1) * 2).next_power_of_two().max(GROUP);
        Index {
            tags: vec![EMPTY; size + GROUP].into_boxed_slice(),
            slots: vec![
                Slot {
                    hash: 0,
                    entry: u32::MAX
                };
                size
            ]
            .into_boxed_slice(),
            mask: size - 1,
        }
    }

    /// The eight tags from `pos` (`pos <= mask`; the mirror covers the overhang).
    #[inline(always)]
    fn group(&self, pos: usize) -> u64 {
        let bytes: [u8; GROUP] = self.tags[pos..pos + GROUP]
            .try_into()
            .expect("invariant: tags has GROUP mirror bytes past the last slot");
        u64::from_le_bytes(bytes)
    }

    /// Write a slot's tag, and its mirror when it is one of the first `GROUP` slots.
    #[inline(always)]
    fn set_tag(&mut self, pos: usize, tag: u8) {
        self.tags[pos] = tag;
        if pos < GROUP {
            self.tags[self.mask + 1 + pos] = tag;
        }
    }

    /// Number of slots (for tests).
    #[cfg(test)]
    pub(super) fn slot_count(&self) -> usize {
        self.mask + 1
    }

    /// Position and entry of the slot for `hash` whose entry satisfies `is_key`.
    #[inline(always)]
    pub(super) fn find(
        &self,
        hash: u32,
        mut is_key: impl FnMut(u32) -> bool,
    ) -> Option<(usize, u32)> {
        let tag = tag_of(hash);
        let mut pos = hash as usize & self.mask;
        loop {
            let group = self.group(pos);
            let empty = match_byte(group, EMPTY);
            // Only slots before the group's first empty one belong to this chain.
            let chain = if empty == 0 {
                u64::MAX
            } else {
                (empty & empty.wrapping_neg()) - 1
            };
            let mut hits = match_byte(group, tag) & chain;
            while hits != 0 {
                let slot = (pos + hits.trailing_zeros() as usize / 8) & self.mask;
                let entry = self.slots[slot].entry;
                if is_key(entry) {
                    return Some((slot, entry));
                }
                hits &= hits - 1;
            }
            // Linear probing never stores a key past an empty slot of its chain.
            if empty != 0 {
                return None;
            }
            pos = (pos + GROUP) & self.mask;
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
        let mut pos = hash as usize & self.mask;
        loop {
            let empty = match_byte(self.group(pos), EMPTY);
            if empty != 0 {
                pos = (pos + empty.trailing_zeros() as usize / 8) & self.mask;
                break;
            }
            pos = (pos + GROUP) & self.mask;
        }
        self.set_tag(pos, tag_of(hash));
        self.slots[pos] = Slot { hash, entry };
    }

    /// Empty the slot at `pos` and pull later members of its probe chain back over the hole.
    ///
    /// A slot `j` after the hole may move into it only if its home is not in the cyclic range
    /// `(hole, j]`: otherwise moving it would put it before its home, where no probe would find it.
    #[inline]
    pub(super) fn remove_at(&mut self, pos: usize) {
        let mut hole = pos;
        let mut j = pos;
        loop {
            j = (j + 1) & self.mask;
            let tag = self.tags[j];
            if tag == EMPTY {
                break;
            }
            let slot = self.slots[j];
            let home = slot.hash as usize & self.mask;
            // Cyclic distances from home: the entry may fill the hole when the hole lies on its
            // probe path, i.e. no farther from home than j is.
            let dist_j = j.wrapping_sub(home) & self.mask;
            let dist_hole = hole.wrapping_sub(home) & self.mask;
            if dist_hole <= dist_j {
                self.set_tag(hole, tag);
                self.slots[hole] = slot;
                hole = j;
            }
        }
        self.set_tag(hole, EMPTY);
    }

    /// Empty every slot (O(table size); cold path).
    pub(super) fn clear(&mut self) {
        self.tags.fill(EMPTY);
    }

    /// Every stored entry is reachable by probing from its home: test-only audit.
    #[cfg(test)]
    pub(super) fn audit(&self) -> usize {
        let mut count = 0;
        for pos in 0..GROUP {
            assert_eq!(
                self.tags[pos],
                self.tags[self.mask + 1 + pos],
                "mirror of tag {pos}"
            );
        }
        for pos in 0..=self.mask {
            if self.tags[pos] == EMPTY {
                continue;
            }
            count += 1;
            let Slot { hash, entry } = self.slots[pos];
            assert_eq!(self.tags[pos], tag_of(hash), "tag of entry {entry}");
            assert_eq!(
                self.find_entry(hash, entry),
                Some(pos),
                "entry {entry} unreachable from its home"
            );
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_powers_of_two_at_least_twice_capacity_and_a_group() {
        assert_eq!(Index::new(1).slot_count(), 8, "at least one group");
        assert_eq!(Index::new(4).slot_count(), 8);
        assert_eq!(Index::new(5).slot_count(), 16);
        assert_eq!(Index::new(1000).slot_count(), 2048);
    }

    #[test]
    fn swar_match_finds_the_lowest_equal_byte() {
        let group = u64::from_le_bytes([5, 0, 7, 7, 0, 1, 0, 9]);
        assert_eq!(match_byte(group, 7).trailing_zeros() / 8, 2);
        assert_eq!(match_byte(group, 0).trailing_zeros() / 8, 1);
        assert_eq!(match_byte(group, 5).trailing_zeros() / 8, 0);
        assert_eq!(match_byte(group, 9).trailing_zeros() / 8, 7);
        assert_eq!(match_byte(group, 3), 0);
        assert_eq!(match_byte(u64::MAX, 0), 0);
        // No borrow into the byte above a match (the classic trick flags byte 1 here).
        let group = u64::from_le_bytes([0, 1, 0, 1, 7, 8, 7, 8]);
        assert_eq!(match_byte(group, 0), 0x0000_0000_0080_0080);
        assert_eq!(match_byte(group, 7), 0x0080_0080_0000_0000);
    }

    #[test]
    fn long_chains_cross_groups_and_the_mirror() {
        // 40 entries with home 30 in a 128-slot table; 24 with home 60 in 64 slots (wrapping).
        for (cap, home) in [(64usize, 30u32), (32, 60)] {
            let hash = 0x5500_0000 | home;
            let mut ix = Index::new(cap);
            let n = cap as u32 / 2 + 8;
            for e in 0..n {
                ix.insert(hash, e);
            }
            for victim in [0u32, 9, 17, n - 1] {
                ix.remove_at(ix.find_entry(hash, victim).expect("present"));
                ix.audit();
                assert_eq!(ix.find_entry(hash, victim), None);
            }
        }
    }

    #[test]
    fn tags_are_never_empty() {
        assert_eq!(tag_of(0), 1);
        assert_eq!(tag_of(0x00ff_ffff), 1);
        assert_eq!(tag_of(0xff00_0000), 0xff);
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
        // Entry e was inserted under hash HASHES[e]; 8 slots, so homes 7, 7, 0, 1.
        const HASHES: [u32; 4] = [7, 7, 0, 1];
        let mut ix = Index::new(4);
        for e in 0..4 {
            ix.insert(HASHES[e as usize], e);
        }
        // Slots 7, 0, 1, 2 hold entries 0..4; removing entry 0 pulls each of the others back one.
        ix.remove_at(ix.find_entry(7, 0).expect("present"));
        assert_eq!(ix.audit(), 3);
        for e in 1..4 {
            assert!(ix.find_entry(HASHES[e as usize], e).is_some());
        }
        ix.clear();
        assert_eq!(ix.audit(), 0);
    }

    #[test]
    fn equal_tags_different_keys_fall_through_to_the_comparison() {
        // Same home, same top byte: only the caller's key check tells them apart.
        let mut ix = Index::new(4);
        ix.insert(0xab00_0003, 10);
        ix.insert(0xab00_0003, 11);
        assert_eq!(ix.find(0xab00_0003, |e| e == 11), Some((4, 11)));
        assert_eq!(ix.find(0xab00_0003, |e| e == 12), None);
    }
}
