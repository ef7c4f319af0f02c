//! UUID v4 nonces for Upbit's JWT, from a fast seeded generator.
//!
//! Upbit requires a fresh `nonce` (a uuid) in every token, to refuse replays. It needs to be unique,
//! not secret: the HMAC over the payload is what authenticates. So the generator is a xoshiro256++
//! seeded once (from `/dev/urandom` at construction, the only syscall, on the cold path, or from an
//! explicit seed in tests) and each nonce is 128 of its bits with the version (4) and variant (10)
//! bits set as RFC 9562 section 5.4 requires, formatted by hand as `8-4-4-4-12` lowercase hex.
//! A nonce costs a few ns and never allocates.

use std::io::Read;

/// Length of a formatted UUID (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`).
pub const UUID_LEN: usize = 36;

/// A seeded UUID v4 generator (xoshiro256++). Not cryptographic; uniqueness is what counts.
#[derive(Clone)]
pub struct UuidGen {
    s: [u64; 4],
}

impl std::fmt::Debug for UuidGen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UuidGen { .. }")
    }
}

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl UuidGen {
    /// A generator with a fixed seed (tests, benches, replays).
    pub fn from_seed(seed: u64) -> Self {
        let mut x = seed;
        UuidGen {
            s: [
                splitmix(&mut x),
                splitmix(&mut x),
                splitmix(&mut x),
                splitmix(&mut x),
            ],
        }
    }

    /// A generator seeded from `/dev/urandom` (cold path: one open and one read).
    pub fn from_os() -> std::io::Result<Self> {
        let mut seed = [0u8; 8];
        std::fs::File::open("/dev/urandom")?.read_exact(&mut seed)?;
        Ok(Self::from_seed(u64::from_le_bytes(seed)))
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// The next UUID v4, formatted.
    pub fn next_uuid(&mut self) -> [u8; UUID_LEN] {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next_u64().to_be_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_be_bytes());
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [b'-'; UUID_LEN];
        let mut o = 0;
        for (i, b) in bytes.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                o += 1;
            }
            out[o] = HEX[usize::from(b >> 4)];
            out[o + 1] = HEX[usize::from(b & 0x0f)];
            o += 2;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn format_and_version_bits() {
        let mut g = UuidGen::from_seed(7);
        for _ in 0..1000 {
            let u = g.next_uuid();
            for (i, &c) in u.iter().enumerate() {
                if matches!(i, 8 | 13 | 18 | 23) {
                    assert_eq!(c, b'-');
                } else {
                    assert!(c.is_ascii_hexdigit() && !c.is_ascii_uppercase());
                }
            }
            assert_eq!(u[14], b'4', "version nibble");
            assert!(matches!(u[19], b'8' | b'9' | b'a' | b'b'), "variant bits");
        }
    }

    #[test]
    fn unique_and_seeded() {
        let mut g = UuidGen::from_seed(1);
        let set: HashSet<[u8; UUID_LEN]> = (0..10_000).map(|_| g.next_uuid()).collect();
        assert_eq!(set.len(), 10_000);
        assert_eq!(
            UuidGen::from_seed(3).next_uuid(),
            UuidGen::from_seed(3).next_uuid()
        );
        assert_ne!(
            UuidGen::from_seed(3).next_uuid(),
            UuidGen::from_seed(4).next_uuid()
        );
        assert!(UuidGen::from_os().is_ok());
    }
}
