//! A group of the index's tag bytes matched at once: sixteen with SSE2 on x86-64 (one compare and
//! one mask move per question), eight in a `u64` with SWAR bit tricks elsewhere.
//!
//! Contract: a tag byte is [`EMPTY`] (`0x80`, high bit set) or a live tag in `0..=127` (high bit
//! clear, see [`tag_of`]). [`Group::match_tag`] reports exactly the live slots whose tag equals the
//! one asked for and [`Group::match_empty`] exactly the empty slots: no false positives, because a
//! false match on an empty slot would hand the index that slot's stale entry.
//!
//! Why the high bit marks empty (hashbrown's control-byte scheme): "which slots are empty" is then
//! the group's high bits, which SSE2's `pmovmskb` reads in one instruction and SWAR in one `and`,
//! and a live tag can never equal `EMPTY`. A miss, the most common lookup in a dedupe cache, costs
//! one 16-byte load, one compare and two mask moves.
//!
//! The SWAR version is compiled and tested on every target, so it cannot rot where SSE2 is used.

/// Tag byte of an empty slot.
pub(super) const EMPTY: u8 = 0x80;

/// A slot's tag: bits 25..32 of the 32-bit hash, so tag and home slot (the low bits) are
/// independent for tables up to 2^25 slots.
#[inline(always)]
pub(super) fn tag_of(hash: u32) -> u8 {
    (hash >> 25) as u8
}

/// Slots per group on this target.
pub(super) const WIDTH: usize = imp::WIDTH;

/// One group of `WIDTH` tags, loaded from the table.
pub(super) use imp::Group;

/// The slots of a group that answered a question, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct BitMask {
    /// `STRIDE` bits per slot; only the lowest bit of each slot's field may be set.
    bits: u64,
    /// log2 of the bits per slot (0 for SSE2's one bit, 3 for SWAR's byte).
    shift: u32,
}

impl BitMask {
    /// True when at least one slot answered.
    #[inline(always)]
    pub(super) fn any(self) -> bool {
        self.bits != 0
    }

    /// Offset of the lowest answering slot, or `WIDTH` or more when none answered: with `self`
    /// the empty slots, where the group's part of the probe chain ends.
    #[inline(always)]
    pub(super) fn first_or_past_end(self) -> usize {
        // `trailing_zeros` of 0 is 64: 64 slots for SSE2, 8 for SWAR, `>= WIDTH` on both.
        (self.bits.trailing_zeros() >> self.shift) as usize
    }
}

impl Iterator for BitMask {
    type Item = usize;

    /// Offset in the group of the lowest answering slot, dropping it from the mask.
    #[inline(always)]
    fn next(&mut self) -> Option<usize> {
        if self.bits == 0 {
            return None;
        }
        let slot = (self.bits.trailing_zeros() >> self.shift) as usize;
        self.bits &= self.bits - 1;
        Some(slot)
    }
}

/// SWAR over a `u64`: the portable version, also the one unit-tested against a byte-wise model.
#[allow(dead_code)]
mod swar {
    use super::BitMask;

    /// Tags per group.
    pub(crate) const WIDTH: usize = 8;
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

    /// Eight tags as one little-endian word.
    #[derive(Debug, Clone, Copy)]
    pub(crate) struct Group(u64);

    impl Group {
        /// The group starting at `tags[0]`.
        #[inline(always)]
        pub(crate) fn load(tags: &[u8; WIDTH]) -> Group {
            Group(u64::from_le_bytes(*tags))
        }

        /// Live slots whose tag is `tag` (`tag <= 127`). Exact: `x` has its high bit set in
        /// empty slots (so they never match), and `(x & LOW7) + LOW7` cannot carry between bytes,
        /// unlike the shorter `(x - LO) & !x & HI`, whose borrows flag bytes above a true match.
        #[inline(always)]
        pub(crate) fn match_tag(self, tag: u8) -> BitMask {
            let x = self.0 ^ (LO * tag as u64);
            let nonzero = ((x & LOW7) + LOW7) | x;
            BitMask {
                bits: !nonzero & HI,
                shift: 3,
            }
        }

        /// Empty slots: the bytes whose high bit is set.
        #[inline(always)]
        pub(crate) fn match_empty(self) -> BitMask {
            BitMask {
                bits: self.0 & HI,
                shift: 3,
            }
        }
    }
}

/// SSE2, part of the x86-64 baseline: no runtime detection needed.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use super::BitMask;
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi64x,
    };

    /// Tags per group.
    pub(crate) const WIDTH: usize = 16;

    /// Sixteen tags in an SSE register.
    #[derive(Debug, Clone, Copy)]
    pub(crate) struct Group(__m128i);

    impl Group {
        /// The group starting at `tags[0]`.
        #[inline(always)]
        #[allow(unsafe_code)]
        pub(crate) fn load(tags: &[u8; WIDTH]) -> Group {
            // SAFETY: `tags` is a reference to 16 initialised bytes, exactly what an unaligned
            // 16-byte load reads; SSE2 is enabled on every x86-64 target.
            Group(unsafe { _mm_loadu_si128(tags.as_ptr().cast::<__m128i>()) })
        }

        /// Live slots whose tag is `tag`: byte-wise equality, exact by construction.
        #[inline(always)]
        #[allow(unsafe_code, unused_unsafe)]
        pub(crate) fn match_tag(self, tag: u8) -> BitMask {
            // The broadcast as a multiply and a 64-bit splat: fewer instructions than a byte splat.
            let splat = (tag as u64).wrapping_mul(0x0101_0101_0101_0101) as i64;
            // SAFETY: register-only SSE2 intrinsics (no memory access), SSE2 being baseline on
            // x86-64; safe to call since Rust 1.87, the block keeps the crate's rust-version 1.85.
            let bits = unsafe { _mm_movemask_epi8(_mm_cmpeq_epi8(self.0, _mm_set1_epi64x(splat))) };
            BitMask {
                bits: bits as u16 as u64,
                shift: 0,
            }
        }

        /// Empty slots: the bytes whose high bit is set, which is what `pmovmskb` collects.
        #[inline(always)]
        #[allow(unsafe_code, unused_unsafe)]
        pub(crate) fn match_empty(self) -> BitMask {
            // SAFETY: as in `match_tag`: a register-only SSE2 intrinsic.
            let bits = unsafe { _mm_movemask_epi8(self.0) };
            BitMask {
                bits: bits as u16 as u64,
                shift: 0,
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
use sse2 as imp;
#[cfg(not(target_arch = "x86_64"))]
use swar as imp;

#[cfg(test)]
mod tests {
    use super::*;

    /// Byte-wise model of both questions.
    fn model(tags: &[u8], want: impl Fn(u8) -> bool) -> Vec<usize> {
        (0..tags.len()).filter(|&i| want(tags[i])).collect()
    }

    fn check_swar(tags: [u8; 8]) {
        let g = swar::Group::load(&tags);
        for tag in 0..=127u8 {
            let got: Vec<usize> = g.match_tag(tag).collect();
            assert_eq!(got, model(&tags, |b| b == tag), "tag {tag} in {tags:?}");
        }
        let empty: Vec<usize> = g.match_empty().collect();
        assert_eq!(empty, model(&tags, |b| b == EMPTY), "empty in {tags:?}");
    }

    #[test]
    fn swar_matches_are_exact() {
        // Neighbouring equal and off-by-one bytes: where borrow-based tricks report false matches.
        check_swar([0, 1, 0, 1, 7, 8, 7, 8]);
        check_swar([EMPTY, 0, EMPTY, 1, 127, EMPTY, 126, 0]);
        check_swar([EMPTY; 8]);
        check_swar([0; 8]);
        check_swar([127; 8]);
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..2_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Each byte either empty or a live 7-bit tag, both common.
            let tags = x
                .to_le_bytes()
                .map(|b| if b & 0x40 != 0 { EMPTY } else { b & 3 });
            check_swar(tags);
        }
    }

    #[test]
    fn target_group_matches_are_exact() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2_000 {
            let mut tags = [0u8; WIDTH];
            for t in tags.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *t = if x & 0x40 != 0 { EMPTY } else { (x & 3) as u8 };
            }
            let g = Group::load(&tags);
            for tag in [0u8, 1, 2, 3, 127] {
                let got: Vec<usize> = g.match_tag(tag).collect();
                assert_eq!(got, model(&tags, |b| b == tag), "tag {tag} in {tags:?}");
            }
            let empty: Vec<usize> = g.match_empty().collect();
            assert_eq!(empty, model(&tags, |b| b == EMPTY));
            assert_eq!(g.match_empty().any(), tags.contains(&EMPTY));
            // Chain-limited matches: those before the first empty slot.
            let first_empty = tags.iter().position(|&b| b == EMPTY).unwrap_or(WIDTH);
            let end = g.match_empty().first_or_past_end();
            assert_eq!(end.min(WIDTH), first_empty, "first empty of {tags:?}");
            let got: Vec<usize> = g.match_tag(1).take_while(|&o| o < end).collect();
            let want: Vec<usize> = model(&tags, |b| b == 1)
                .into_iter()
                .filter(|&i| i < first_empty)
                .collect();
            assert_eq!(got, want, "chain of {tags:?}");
        }
    }

    #[test]
    fn tags_are_seven_bits_and_never_empty() {
        assert_eq!(tag_of(0), 0);
        assert_eq!(tag_of(u32::MAX), 127);
        assert_eq!(
            tag_of(0x01ff_ffff),
            0,
            "low 25 bits (the home) do not reach the tag"
        );
        assert_ne!(tag_of(u32::MAX), EMPTY);
    }
}
