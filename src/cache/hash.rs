//! The cache's hash: a trait a key implements with a few multiplies instead of `std::hash::Hash`.
//!
//! Why not `Hash` + `BuildHasher`: SipHash (std's default) costs tens of ns per key and hashes field
//! by field through a `Hasher` state machine; a cache key here is a handful of integers that fold into
//! two 64-bit words. [`fold_mul`] (a 64x64->128 multiply whose halves are xored, the mixer foldhash and
//! ahash use) spreads every input bit over the low bits the open-addressing index probes with.
//!
//! Not DoS-resistant, and it does not need to be: keys come from the engine's own detector, not from
//! an adversary.

/// A key the [`SlabLru`](super::SlabLru) can index: equal keys must give equal hashes.
///
/// The low bits matter most (the index masks them); mix with [`fold_mul`] rather than returning a
/// raw field.
pub trait CacheHash {
    /// The key's 64-bit hash.
    fn cache_hash(&self) -> u64;
}

/// Arbitrary odd constants (digits of pi) that keep a zero input from multiplying to zero.
pub(crate) const SEED_A: u64 = 0x243f_6a88_85a3_08d3;
/// Second mixing constant.
pub(crate) const SEED_B: u64 = 0x1319_8a2e_0370_7344;

/// Multiply to 128 bits and xor the halves: one `mul` instruction on x86-64 and aarch64.
#[inline(always)]
pub fn fold_mul(a: u64, b: u64) -> u64 {
    let p = (a as u128).wrapping_mul(b as u128);
    (p as u64) ^ ((p >> 64) as u64)
}

impl CacheHash for u64 {
    #[inline]
    fn cache_hash(&self) -> u64 {
        fold_mul(*self ^ SEED_A, SEED_B)
    }
}

impl CacheHash for u32 {
    #[inline]
    fn cache_hash(&self) -> u64 {
        (*self as u64).cache_hash()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_equal_hashes_and_low_bits_spread() {
        assert_eq!(7u64.cache_hash(), 7u64.cache_hash());
        assert_eq!(7u32.cache_hash(), 7u64.cache_hash());
        // Sequential keys must not pile onto a few buckets of a small table.
        let mut buckets = [0u32; 64];
        for k in 0u64..6400 {
            buckets[(k.cache_hash() & 63) as usize] += 1;
        }
        assert!(
            buckets.iter().all(|&n| (50..=150).contains(&n)),
            "{buckets:?}"
        );
    }
}
