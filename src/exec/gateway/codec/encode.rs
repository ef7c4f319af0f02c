//! Byte-level encoders for request building: lowercase hex, base64url without padding, decimal
//! integers and fixed-point decimals, all appended to a reusable `Vec<u8>`.
//!
//! Why by hand: `format!`/`write!` go through `core::fmt` (slow, and easy to make allocate), and
//! the order path must write a signed request in well under a microsecond. Appending to a `Vec`
//! whose capacity was reserved at construction never allocates; the gateway reserves enough for
//! the largest request it builds, so these helpers stay allocation-free in steady state.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::model::format_decimal;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Append `bytes` as lowercase hex (two characters per byte).
///
/// Written into the grown tail in one pass, two characters per store from a 256-entry table:
/// pushing byte by byte checked the capacity twice per input byte, and a signature's 32 or 64
/// bytes are on every signed order.
#[inline]
pub fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    let start = out.len();
    out.resize(start + 2 * bytes.len(), 0);
    for (pair, &b) in out[start..].chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&HEX_PAIRS[usize::from(b)]);
    }
}

/// Lowercase hex of every byte value.
const HEX_PAIRS: [[u8; 2]; 256] = {
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [HEX[i >> 4], HEX[i & 0x0f]];
        i += 1;
    }
    t
};

/// Start a request in `out` (cleared first): `<method> <target parts> HTTP/1.1`, then the `Host`
/// header, each line ending in CRLF. The head every venue's request starts with.
#[inline]
pub fn start_request(out: &mut Vec<u8>, method: &[u8], target: &[&[u8]], host: &str) {
    out.clear();
    out.extend_from_slice(method);
    out.push(b' ');
    for part in target {
        out.extend_from_slice(part);
    }
    out.extend_from_slice(b" HTTP/1.1\r\nHost: ");
    out.extend_from_slice(host.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// End an HTTP/1.1 request's headers with `Content-Length: <len>`, the blank line, then `body`
/// (the caller has written every header before it, ending with `Content-Length: `).
pub fn push_body(out: &mut Vec<u8>, body: &[u8]) {
    push_u64(out, body.len() as u64);
    out.extend_from_slice(b"\r\n\r\n");
    out.extend_from_slice(body);
}

/// Append `n` in decimal.
#[inline]
pub fn push_u64(out: &mut Vec<u8>, n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    let mut n = n;
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&tmp[i..]);
}

/// Append the shortest exact decimal text of `mantissa` at `scale` ("25.3519", "100").
#[inline]
pub fn push_decimal(out: &mut Vec<u8>, mantissa: i64, scale: u8) {
    let mut tmp = [0u8; 48];
    out.extend_from_slice(format_decimal(mantissa, scale, &mut tmp));
}

/// Append `input` as base64url without padding (RFC 7515 section 2, as JWT requires).
#[inline]
pub fn push_base64url(out: &mut Vec<u8>, input: &[u8]) {
    let start = out.len();
    let need = base64::encoded_len(input.len(), false).unwrap_or(0);
    out.resize(start + need, 0);
    let written = URL_SAFE_NO_PAD
        .encode_slice(input, &mut out[start..])
        .unwrap_or(0);
    out.truncate(start + written);
}

/// `text` with every occurrence of each non-empty `needles` entry replaced by `****`: for venue
/// messages that reach an error or a terminal, so an echoed API key or passphrase never prints.
/// Cold path (allocates).
pub fn redact(text: &str, needles: &[&[u8]]) -> String {
    let mut out = text.to_string();
    for n in needles {
        if let Ok(n) = std::str::from_utf8(n) {
            if !n.is_empty() {
                out = out.replace(n, "****");
            }
        }
    }
    out
}

/// Whether `b` is an RFC 3986 unreserved byte ([`crate::model::is_unreserved`], the rule the
/// config check applies too).
pub use crate::model::is_unreserved;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hex_of_every_byte_is_two_lowercase_digits_appended() {
        let all: Vec<u8> = (0..=255u8).collect();
        let mut v = b"x".to_vec();
        push_hex(&mut v, &all);
        let want: String = std::iter::once("x".to_string())
            .chain(all.iter().map(|b| format!("{b:02x}")))
            .collect();
        assert_eq!(v, want.as_bytes());
        push_hex(&mut v, &[]);
        assert_eq!(v.len(), 1 + 512);
    }

    #[test]
    fn hex_and_ints() {
        let mut v = Vec::new();
        push_hex(&mut v, &[0x00, 0xab, 0xff, 0x10]);
        assert_eq!(v, b"00abff10");
        v.clear();
        push_u64(&mut v, 0);
        v.push(b' ');
        push_u64(&mut v, u64::MAX);
        assert_eq!(v, b"0 18446744073709551615");
        v.clear();
        push_decimal(&mut v, 150_000, 8);
        assert_eq!(v, b"0.0015");
    }

    #[test]
    fn base64url_jwt_header() {
        let mut v = b"x".to_vec();
        push_base64url(&mut v, br#"{"alg":"HS256","typ":"JWT"}"#);
        assert_eq!(v, b"xeyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn base64url_round_trips(data in proptest::collection::vec(any::<u8>(), 0..100)) {
            let mut v = Vec::new();
            push_base64url(&mut v, &data);
            prop_assert!(!v.contains(&b'='));
            prop_assert_eq!(URL_SAFE_NO_PAD.decode(&v).unwrap(), data);
        }

        #[test]
        fn decimal_matches_std(n in any::<u64>()) {
            let mut v = Vec::new();
            push_u64(&mut v, n);
            prop_assert_eq!(v, n.to_string().into_bytes());
        }
    }
}
