//! A WebSocket request id of the form `"<tag><number>"`: one ASCII letter naming the request kind,
//! then our order id (or a sequence number) in decimal, as a JSON string.
//!
//! Why: a session's answers arrive in any order and carry only the id we sent, so the id itself must
//! say which order *and* which request an answer belongs to (an order's create and its cancel can be
//! in flight at once). Binance's WebSocket API (`id`) and Bybit's trade WebSocket (`reqId`) both
//! echo a string id unchanged; this one is at most 22 bytes with its quotes. Hot path: appending
//! and reading allocate nothing.

use crate::base::scan::{parse_u64, str_content};

use super::encode::push_u64;

/// Append `"<tag><number>"` (with the quotes) to `out`.
#[inline]
pub fn push_tagged(out: &mut Vec<u8>, tag: u8, number: u64) {
    out.push(b'"');
    out.push(tag);
    push_u64(out, number);
    out.push(b'"');
}

/// Read a raw JSON string value `"<tag><digits>"` back as `(tag, number)`; `None` for anything
/// else (a number, `null`, an empty string, digits that overflow a `u64`).
#[inline]
pub fn parse_tagged(raw: &[u8]) -> Option<(u8, u64)> {
    let (&tag, digits) = str_content(raw)?.split_first()?;
    Some((tag, parse_u64(digits)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let mut v = Vec::new();
        push_tagged(&mut v, b'c', u64::MAX);
        assert_eq!(v, b"\"c18446744073709551615\"");
        assert_eq!(parse_tagged(&v), Some((b'c', u64::MAX)));
        assert_eq!(parse_tagged(b"\"c18446744073709551616\""), None);
        assert_eq!(parse_tagged(b"\"\""), None);
        assert_eq!(parse_tagged(b"\"c\""), None);
        assert_eq!(parse_tagged(b"42"), None);
        assert_eq!(parse_tagged(b"null"), None);
        assert_eq!(parse_tagged(b"\"c-1\""), None);
    }
}
