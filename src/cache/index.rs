//! The slab's hash index: open addressing with linear probing and backward-shift deletion, split
//! into a byte of tag per slot and a separate array of `(hash, slab position)` pairs, probed a group
//! of tags at a time (`group.rs`: sixteen with SSE2, eight with SWAR).
//!
//! Contract: a table of `2^k >= max(WIDTH, 2 * capacity)` slots allocated once, so the load factor
//! never passes 1/2 and a probe always meets an empty slot (expected probe: 1.5 slots for a miss,
//! 1.25 for a hit, nearly always inside the first group). The index knows nothing of keys: callers
//! pass a closure that compares the key of a slab entry. Every slot's entry, empty or not, holds a
//! valid slab position (empty ones the caller's `nil`), so the slab may trust any entry it is given.
//!
//! Why one tag byte per slot (hashbrown's control bytes): a probe reads only tags until one matches
//! 7 more bits of the hash, so a miss reads one cache line of a table an eighth the size of the
//! `(hash, entry)` pairs: 128 KiB of tags for 64k entries stays in L2 where 1 MiB of pairs does
//! not. A hit then reads the matching pair; deletion reads the pairs' full hashes to find each
//! entry's home, so it never touches the slab.
//!
//! Why a group at a time: the probe loop's exit does not depend on the chain length; a
//! slot-by-slot loop mispredicts its exit on most misses (measured on a loaded 2-core box: ~25 ns
//! per miss at 64k entries slot by slot, ~10 ns eight at a time). The table keeps a mirror of its
//! first `WIDTH` tags past its end so a group starting near the end reads on without wrapping.
//!
//! Why backward shift and not tombstones: tombstones make probes longer as entries churn (an LRU
//! churns constantly) until a rehash, and a rehash is a pause. Backward shift keeps every chain as
//! short as if the deleted key had never been inserted, in O(chain) moves, with no allocation.

use super::group::{tag_of, Group, EMPTY, WIDTH};

/// Fixed-size open-addressing table from hash to slab entry.
#[derive(Debug)]
pub(super) struct Index {
    /// `mask + 1` tags, then a mirror of the first `WIDTH`.
    tags: Box<[u8]>,
    slots: Box<[Slot]>,
    mask: usize,
}

/// A slot's payload: the 32-bit hash (for deletion's home computation) and the slab position.
#[derive(Debug, Clone, Copy)]
struct Slot {
    hash: u32,
    entry: u32,
}

impl Index {
    /// A table for at most `capacity` entries (`capacity <= MAX_CAPACITY`, checked by the caller).
    /// Empty slots hold `nil`, a slab position the caller guarantees is valid.
    pub(super) fn new(capacity: usize, nil: u32) -> Index {
        let size = (capacity.max(1) * 2).next_power_of_two().max(WIDTH);
        Index {
            tags: vec![EMPTY; size + WIDTH].into_boxed_slice(),
            slots: vec![
                Slot {
                    hash: 0,
                    entry: nil
                };
                size
            ]
            .into_boxed_slice(),
            mask: size - 1,
        }
    }

    /// The `WIDTH` tags from `pos & mask` (the mirror covers the overhang).
    #[inline(always)]
    #[allow(unsafe_code)]
    fn group(&self, pos: usize) -> Group {
        let pos = pos & self.mask;
        debug_assert!(pos + WIDTH <= self.tags.len());
        // SAFETY: `pos <= mask` and `tags.len() == mask + 1 + WIDTH` (fixed in `new`), so the
        // `WIDTH` bytes from `pos` are in bounds; `[u8; WIDTH]` has alignment 1.
        let tags = unsafe { &*self.tags.as_ptr().add(pos).cast::<[u8; WIDTH]>() };
        Group::load(tags)
    }

    /// Slot `pos & mask`, unchecked (callers' positions are already masked: the `and` folds away).
    #[inline(always)]
    #[allow(unsafe_code)]
    fn slot(&self, pos: usize) -> Slot {
        let pos = pos & self.mask;
        debug_assert!(pos < self.slots.len());
        // SAFETY: `pos <= mask` and `slots.len() == mask + 1` (fixed in `new`).
        unsafe { *self.slots.get_unchecked(pos) }
    }

    /// Write a slot's tag, and its mirror when it is one of the first `WIDTH` slots.
    #[inline(always)]
    fn set_tag(&mut self, pos: usize, tag: u8) {
        self.tags[pos] = tag;
        if pos < WIDTH {
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
    pub(super) fn find(&self, hash: u32, is_key: impl FnMut(u32) -> bool) -> Option<(usize, u32)> {
        self.find_or_vacancy(hash, is_key).ok()
    }

    /// [`find`](Self::find), and on a miss the slot where [`insert`](Self::insert) would put the
    /// key: the first empty slot from its home, which the probe has just read. A caller that
    /// inserts after a miss passes it to [`insert_at`](Self::insert_at) and saves the second
    /// probe (an insert of a new key is a miss first).
    #[inline(always)]
    pub(super) fn find_or_vacancy(
        &self,
        hash: u32,
        mut is_key: impl FnMut(u32) -> bool,
    ) -> Result<(usize, u32), usize> {
        let tag = tag_of(hash);
        let mut pos = hash as usize & self.mask;
        loop {
            let group = self.group(pos);
            let empty = group.match_empty();
            // Only slots before the group's first empty one belong to this chain: matches past it
            // are other chains' keys, and skipping them saves a key comparison (two loads, misses
            // at 64k entries) on ~5% of misses. The test is a branch beside the slot's address,
            // not a mask on it, so a hit's chain of dependent loads is no longer for it.
            let chain_end = empty.first_or_past_end();
            for offset in group.match_tag(tag) {
                if offset > chain_end {
                    break;
                }
                let slot = (pos + offset) & self.mask;
                let entry = self.slot(slot).entry;
                if is_key(entry) {
                    return Ok((slot, entry));
                }
            }
            // Linear probing never stores a key past an empty slot of its chain.
            if empty.any() {
                return Err((pos + chain_end) & self.mask);
            }
            pos = (pos + WIDTH) & self.mask;
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
            if let Some(offset) = self.group(pos).match_empty().next() {
                pos = (pos + offset) & self.mask;
                break;
            }
            pos = (pos + WIDTH) & self.mask;
        }
        self.insert_at(pos, hash, entry);
    }

    /// Store `entry` under `hash` at `pos`, the first empty slot from the hash's home (a vacancy
    /// [`find_or_vacancy`](Self::find_or_vacancy) returned, moved by [`after_removal`] if a
    /// removal came between).
    #[inline(always)]
    pub(super) fn insert_at(&mut self, pos: usize, hash: u32, entry: u32) {
        debug_assert_eq!(self.tags[pos], EMPTY, "insert_at an occupied slot");
        self.set_tag(pos, tag_of(hash));
        self.slots[pos] = Slot { hash, entry };
    }

    /// Where the vacancy `vacancy` for `hash` is after a removal whose last emptied slot was
    /// `hole` ([`remove_at`](Self::remove_at)'s answer). A backward shift stops at the first
    /// empty slot, so it never fills `vacancy`, and it empties exactly one slot, `hole`: if that
    /// lies on the probe path from the home to `vacancy`, it is now the first empty slot there.
    #[inline(always)]
    pub(super) fn after_removal(&self, hash: u32, vacancy: usize, hole: usize) -> usize {
        let home = hash as usize & self.mask;
        let dist_hole = hole.wrapping_sub(home) & self.mask;
        let dist_vacancy = vacancy.wrapping_sub(home) & self.mask;
        if dist_hole < dist_vacancy {
            hole
        } else {
            vacancy
        }
    }

    /// Empty the slot at `pos` and pull later members of its probe chain back over the hole.
    ///
    /// A slot `j` after the hole may move into it only if its home is not in the cyclic range
    /// `(hole, j]`: otherwise moving it would put it before its home, where no probe would find it.
    /// The emptied slot keeps the entry it last held, a valid slab position. Returns the slot
    /// left empty (the last one an entry moved out of, or `pos`).
    #[inline]
    pub(super) fn remove_at(&mut self, pos: usize) -> usize {
        let mut hole = pos;
        let mut j = pos;
        loop {
            j = (j + 1) & self.mask;
            let tag = self.tags[j];
            if tag == EMPTY {
                break;
            }
            let slot = self.slot(j);
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
        hole
    }

    /// Empty every slot (O(table size); cold path). Entries keep valid slab positions.
    pub(super) fn clear(&mut self) {
        self.tags.fill(EMPTY);
    }

    /// Every stored entry is reachable by probing from its home: test-only audit.
    #[cfg(test)]
    pub(super) fn audit(&self) -> usize {
        let mut count = 0;
        for pos in 0..WIDTH {
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

    /// Every slot's entry, empty or live (test-only: the slab checks they are all in range).
    #[cfg(test)]
    pub(super) fn entries(&self) -> impl Iterator<Item = u32> + '_ {
        self.slots.iter().map(|s| s.entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hash with home `home` and tag `tag`.
    fn h(tag: u8, home: u32) -> u32 {
        (tag as u32) << 25 | home
    }

    #[test]
    fn sizes_are_powers_of_two_at_least_twice_capacity_and_a_group() {
        assert_eq!(Index::new(1, 0).slot_count(), WIDTH, "at least one group");
        assert_eq!(Index::new(WIDTH / 2, 0).slot_count(), WIDTH);
        assert_eq!(Index::new(WIDTH / 2 + 1, 0).slot_count(), 2 * WIDTH);
        assert_eq!(Index::new(1000, 0).slot_count(), 2048);
    }

    #[test]
    fn long_chains_cross_groups_and_the_mirror() {
        // Chains longer than a group, one starting mid-table, one wrapping past the end.
        for (cap, home) in [(64usize, 30u32), (32, 60)] {
            let hash = h(0x55, home);
            let mut ix = Index::new(cap, 0);
            assert!(ix.slot_count() > home as usize);
            let n = cap as u32 / 2 + WIDTH as u32;
            for e in 0..n {
                ix.insert(hash, e);
            }
            assert_eq!(ix.audit(), n as usize);
            for victim in [0u32, 9, 17, n - 1] {
                ix.remove_at(ix.find_entry(hash, victim).expect("present"));
                ix.audit();
                assert_eq!(ix.find_entry(hash, victim), None);
            }
        }
    }

    #[test]
    fn colliding_chain_survives_removal_anywhere() {
        // A group's worth of entries, all with home `size - 2`: the chain wraps past the end.
        let size = Index::new(WIDTH / 2, 0).slot_count() as u32;
        let n = WIDTH as u32 / 2;
        for victim in 0..n {
            let mut ix = Index::new(WIDTH / 2, 0);
            for e in 0..n {
                ix.insert(size - 2, e);
            }
            let pos = ix.find_entry(size - 2, victim).expect("inserted");
            ix.remove_at(pos);
            assert_eq!(ix.audit(), n as usize - 1);
            assert_eq!(ix.find_entry(size - 2, victim), None);
            for e in (0..n).filter(|&e| e != victim) {
                assert!(
                    ix.find_entry(size - 2, e).is_some(),
                    "lost {e} after removing {victim}"
                );
            }
        }
    }

    #[test]
    fn mixed_homes_with_wraparound() {
        // Entry e was inserted under hash HASHES[e]: homes last, last, 0, 1 of the table.
        let mut ix = Index::new(4, 0);
        let last = ix.slot_count() as u32 - 1;
        let hashes = [last, last, 0, 1];
        for (e, &hash) in hashes.iter().enumerate() {
            ix.insert(hash, e as u32);
        }
        // Slots last, 0, 1, 2 hold entries 0..4; removing entry 0 pulls each of the others back one.
        ix.remove_at(ix.find_entry(last, 0).expect("present"));
        assert_eq!(ix.audit(), 3);
        for (e, &hash) in hashes.iter().enumerate().skip(1) {
            assert_eq!(
                ix.find_entry(hash, e as u32),
                Some((e + last as usize - 1) & last as usize)
            );
        }
        ix.clear();
        assert_eq!(ix.audit(), 0);
    }

    #[test]
    fn a_vacancy_moved_by_a_removal_stays_the_first_empty_slot_from_home() {
        // A chain of 5 at home 3; the new key (home 3) would go to the slot after it. Removing
        // any member, or an entry of a chain elsewhere, leaves exactly one slot where the next
        // probe would stop, and that is where `after_removal` puts the new key.
        let size = Index::new(WIDTH, 0).slot_count();
        for victim in 0..7u32 {
            let mut ix = Index::new(WIDTH, 99);
            for e in 0..5 {
                ix.insert(h(1, 3), e);
            }
            ix.insert(h(2, 12), 5);
            ix.insert(h(2, (size - 1) as u32), 6);
            let new = h(3, 3);
            let vacancy = ix.find_or_vacancy(new, |_| false).unwrap_err();
            assert_eq!(vacancy, 8);
            let home_of = |e: u32| match e {
                0..=4 => h(1, 3),
                5 => h(2, 12),
                _ => h(2, (size - 1) as u32),
            };
            let hole = ix.remove_at(ix.find_entry(home_of(victim), victim).expect("present"));
            let pos = ix.after_removal(new, vacancy, hole);
            ix.insert_at(pos, new, 7);
            assert_eq!(ix.audit(), 7, "victim {victim}");
            assert_eq!(ix.find_entry(new, 7), Some(pos));
            let expected = if victim < 5 { 7 } else { 8 };
            assert_eq!(pos, expected, "victim {victim}");
        }
    }

    #[test]
    fn equal_tags_different_keys_fall_through_to_the_comparison() {
        // Same home, same tag: only the caller's key check tells them apart.
        let mut ix = Index::new(4, 0);
        ix.insert(h(0x2b, 3), 10);
        ix.insert(h(0x2b, 3), 11);
        assert_eq!(ix.find(h(0x2b, 3), |e| e == 11), Some((4, 11)));
        assert_eq!(ix.find(h(0x2b, 3), |e| e == 12), None);
        // A different tag at the same home is never offered to the comparison.
        assert_eq!(ix.find(h(0x2c, 3), |_| true), None);
    }

    #[test]
    fn empty_slots_keep_the_nil_entry_or_a_former_one() {
        let mut ix = Index::new(8, 7);
        assert!(ix.entries().all(|e| e == 7));
        ix.insert(h(1, 2), 3);
        ix.remove_at(ix.find_entry(h(1, 2), 3).expect("present"));
        assert!(ix.entries().all(|e| e == 7 || e == 3));
    }
}
