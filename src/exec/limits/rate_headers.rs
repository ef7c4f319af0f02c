//! Parsers for the rate-limit headers venues send back, so the zero-429 policy can slow down
//! *before* a venue says 429.
//!
//! Forms handled (from the venues' API documentation):
//! - Binance, on every response: `X-MBX-USED-WEIGHT-1M: 1234` (IP weight used in the current minute);
//!   on order responses `X-MBX-ORDER-COUNT-10S: 12` and `X-MBX-ORDER-COUNT-1D: 3456`.
//! - Upbit, on every REST response: `Remaining-Req: group=default; min=1800; sec=29` (`sec` = requests
//!   left in this second for that group; `min` is deprecated and may be absent).
//! - Bybit v5, on every response: `X-Bapi-Limit-Status: 9` (requests left in the endpoint's rolling
//!   window, per second per UID), `X-Bapi-Limit: 10` and `X-Bapi-Limit-Reset-Timestamp: <unix ms>`
//!   (when the limit resets once exceeded; otherwise the current time). OKX sends no usage headers.
//! - Any venue, on 429/418: `Retry-After: <seconds>` (delta-seconds; the HTTP-date form is refused, so the
//!   caller falls back to its configured default rather than guessing).
//!
//! Everything takes `&[u8]` as `httparse` hands it over and returns borrowed or integer results: no
//! allocation, no UTF-8 validation, no `f64`. Malformed input is an error value, never a panic. Header
//! *names* compare ASCII case-insensitively, as HTTP requires.

use thiserror::Error;

/// A header value that is not in the documented form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum HeaderError {
    /// Empty (after trimming).
    #[error("empty header value")]
    Empty,
    /// A byte that is not part of the form, at this offset of the (untrimmed) value.
    #[error("unexpected byte {byte:#04x} at offset {at}")]
    Unexpected {
        /// The byte.
        byte: u8,
        /// Its offset in the value.
        at: usize,
    },
    /// A number too large for its type.
    #[error("number out of range")]
    Overflow,
    /// A required `key=value` field is missing.
    #[error("missing field `{0}`")]
    Missing(&'static str),
}

/// Trim ASCII spaces and tabs on both sides, returning the slice and the offset it starts at.
fn trim(v: &[u8]) -> (&[u8], usize) {
    let start = v
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(start, |e| e + 1);
    (&v[start..end], start)
}

fn parse_digits(v: &[u8], base_offset: usize) -> Result<u64, HeaderError> {
    let (t, off) = trim(v);
    if t.is_empty() {
        return Err(HeaderError::Empty);
    }
    let mut n: u64 = 0;
    for (i, &b) in t.iter().enumerate() {
        if !b.is_ascii_digit() {
            return Err(HeaderError::Unexpected {
                byte: b,
                at: base_offset + off + i,
            });
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(b - b'0')))
            .ok_or(HeaderError::Overflow)?;
    }
    Ok(n)
}

/// A decimal `u32` header value (`X-MBX-USED-WEIGHT-1M: 1234`), surrounding blanks allowed.
pub fn parse_u32(value: &[u8]) -> Result<u32, HeaderError> {
    u32::try_from(parse_digits(value, 0)?).map_err(|_| HeaderError::Overflow)
}

/// `Retry-After` in delta-seconds, returned in ns.
pub fn parse_retry_after_ns(value: &[u8]) -> Result<u64, HeaderError> {
    parse_digits(value, 0)?
        .checked_mul(1_000_000_000)
        .ok_or(HeaderError::Overflow)
}

/// Upbit's `Remaining-Req` value, borrowed from the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpbitRemainingReq<'a> {
    /// The group name (`default`, `order`, `market`, ...); see
    /// [`EndpointGroup::from_upbit_name`](super::EndpointGroup::from_upbit_name).
    pub group: &'a [u8],
    /// Requests left this minute (deprecated by Upbit; absent in newer responses).
    pub min: Option<u32>,
    /// Requests left in the current second for this group.
    pub sec: u32,
}

/// Parse `group=default; min=1800; sec=29`. Fields may come in any order; unknown keys are ignored;
/// `group` and `sec` are required.
pub fn parse_upbit_remaining_req(value: &[u8]) -> Result<UpbitRemainingReq<'_>, HeaderError> {
    let mut group = None;
    let mut min = None;
    let mut sec = None;
    let mut offset = 0;
    for part in value.split(|&b| b == b';') {
        let here = offset;
        offset += part.len() + 1;
        let (field, foff) = trim(part);
        if field.is_empty() {
            continue;
        }
        let Some(eq) = field.iter().position(|&b| b == b'=') else {
            return Err(HeaderError::Unexpected {
                byte: field[0],
                at: here + foff,
            });
        };
        let (key, val) = (trim(&field[..eq]).0, &field[eq + 1..]);
        let val_at = here + foff + eq + 1;
        match key {
            b"group" => {
                let g = trim(val).0;
                if g.is_empty() {
                    return Err(HeaderError::Empty);
                }
                group = Some(g);
            }
            b"min" => {
                let n = parse_digits(val, val_at)?;
                min = Some(u32::try_from(n).map_err(|_| HeaderError::Overflow)?);
            }
            b"sec" => {
                let n = parse_digits(val, val_at)?;
                sec = Some(u32::try_from(n).map_err(|_| HeaderError::Overflow)?);
            }
            _ => {}
        }
    }
    Ok(UpbitRemainingReq {
        group: group.ok_or(HeaderError::Missing("group"))?,
        min,
        sec: sec.ok_or(HeaderError::Missing("sec"))?,
    })
}

/// Binance usage counters gathered from one response's headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BinanceUsage {
    /// `X-MBX-USED-WEIGHT-1M`.
    pub used_weight_1m: Option<u32>,
    /// `X-MBX-ORDER-COUNT-10S`.
    pub order_count_10s: Option<u32>,
    /// `X-MBX-ORDER-COUNT-1D`.
    pub order_count_1d: Option<u32>,
}

impl BinanceUsage {
    /// Feed one header; returns whether it was one of ours. Names compare case-insensitively.
    pub fn apply(&mut self, name: &[u8], value: &[u8]) -> Result<bool, HeaderError> {
        let slot = if name.eq_ignore_ascii_case(b"x-mbx-used-weight-1m") {
            &mut self.used_weight_1m
        } else if name.eq_ignore_ascii_case(b"x-mbx-order-count-10s") {
            &mut self.order_count_10s
        } else if name.eq_ignore_ascii_case(b"x-mbx-order-count-1d") {
            &mut self.order_count_1d
        } else {
            return Ok(false);
        };
        *slot = Some(parse_u32(value)?);
        Ok(true)
    }
}

/// Bybit's usage headers from one response (`X-Bapi-Limit-Status`, `X-Bapi-Limit-Reset-Timestamp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BybitLimit {
    /// `X-Bapi-Limit-Status`: requests left in the endpoint's window.
    pub remaining: Option<u32>,
    /// `X-Bapi-Limit-Reset-Timestamp`: unix ms at which the window resets.
    pub reset_unix_ms: Option<u64>,
}

impl BybitLimit {
    /// Feed one header; returns whether it was one of ours. Names compare case-insensitively.
    pub fn apply(&mut self, name: &[u8], value: &[u8]) -> Result<bool, HeaderError> {
        if name.eq_ignore_ascii_case(b"x-bapi-limit-status") {
            self.remaining = Some(parse_u32(value)?);
        } else if name.eq_ignore_ascii_case(b"x-bapi-limit-reset-timestamp") {
            self.reset_unix_ms = Some(parse_digits(value, 0)?);
        } else {
            return Ok(false);
        }
        Ok(true)
    }
}

/// Whether `name` is `Retry-After` (case-insensitive).
pub fn is_retry_after(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"retry-after")
}

/// Whether `name` is Upbit's `Remaining-Req` (case-insensitive).
pub fn is_upbit_remaining_req(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"remaining-req")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn upbit_documented_form() {
        let r = parse_upbit_remaining_req(b"group=default; min=1800; sec=29").unwrap();
        assert_eq!(
            r,
            UpbitRemainingReq {
                group: b"default",
                min: Some(1800),
                sec: 29
            }
        );
    }

    #[test]
    fn upbit_variants() {
        let r = parse_upbit_remaining_req(b"sec=0;group=order").unwrap();
        assert_eq!((r.group, r.min, r.sec), (&b"order"[..], None, 0));
        let r = parse_upbit_remaining_req(b" group = market ; sec = 9 ; extra=x ;").unwrap();
        assert_eq!((r.group, r.sec), (&b"market"[..], 9));
        assert_eq!(
            parse_upbit_remaining_req(b"group=default; min=1800"),
            Err(HeaderError::Missing("sec"))
        );
        assert_eq!(
            parse_upbit_remaining_req(b"sec=3"),
            Err(HeaderError::Missing("group"))
        );
        assert_eq!(
            parse_upbit_remaining_req(b"group=default; sec=2x"),
            Err(HeaderError::Unexpected { byte: b'x', at: 20 })
        );
        assert!(parse_upbit_remaining_req(b"group=default; garbage").is_err());
        assert_eq!(
            parse_upbit_remaining_req(b"group=; sec=1"),
            Err(HeaderError::Empty)
        );
        assert_eq!(
            parse_upbit_remaining_req(b"group=a; sec=99999999999"),
            Err(HeaderError::Overflow)
        );
    }

    #[test]
    fn binance_headers() {
        let mut u = BinanceUsage::default();
        assert_eq!(u.apply(b"X-MBX-USED-WEIGHT-1M", b"1234"), Ok(true));
        assert_eq!(u.apply(b"x-mbx-order-count-10s", b" 7 "), Ok(true));
        assert_eq!(u.apply(b"X-MBX-ORDER-COUNT-1D", b"3456"), Ok(true));
        assert_eq!(u.apply(b"Content-Type", b"application/json"), Ok(false));
        assert_eq!(
            u,
            BinanceUsage {
                used_weight_1m: Some(1234),
                order_count_10s: Some(7),
                order_count_1d: Some(3456)
            }
        );
        assert!(u.apply(b"X-MBX-USED-WEIGHT-1M", b"-1").is_err());
        assert_eq!(
            u.apply(b"X-MBX-USED-WEIGHT-1M", b""),
            Err(HeaderError::Empty)
        );
    }

    #[test]
    fn bybit_headers() {
        // The form of Bybit's "Rate Limit Rules" page.
        let mut b = BybitLimit::default();
        assert_eq!(b.apply(b"X-Bapi-Limit-Status", b"99"), Ok(true));
        assert_eq!(
            b.apply(b"x-bapi-limit-reset-timestamp", b"1672738134824"),
            Ok(true)
        );
        assert_eq!(b.apply(b"X-Bapi-Limit", b"100"), Ok(false));
        assert_eq!(
            b,
            BybitLimit {
                remaining: Some(99),
                reset_unix_ms: Some(1_672_738_134_824)
            }
        );
        assert!(b.apply(b"X-Bapi-Limit-Status", b"-1").is_err());
        assert!(b.apply(b"X-Bapi-Limit-Reset-Timestamp", b"").is_err());
    }

    #[test]
    fn retry_after() {
        assert_eq!(parse_retry_after_ns(b"120"), Ok(120_000_000_000));
        assert_eq!(parse_retry_after_ns(b" 0"), Ok(0));
        assert!(parse_retry_after_ns(b"Wed, 21 Oct 2015 07:28:00 GMT").is_err());
        assert_eq!(
            parse_retry_after_ns(b"99999999999999"),
            Err(HeaderError::Overflow)
        );
        assert!(is_retry_after(b"RETRY-AFTER") && is_upbit_remaining_req(b"Remaining-Req"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_upbit_remaining_req(&bytes);
            let _ = parse_u32(&bytes);
            let _ = parse_retry_after_ns(&bytes);
            let _ = BybitLimit::default().apply(b"x-bapi-limit-status", &bytes);
        }

        #[test]
        fn round_trips(group in "[a-z-]{1,16}", min in any::<u32>(), sec in any::<u32>()) {
            let text = format!("group={group}; min={min}; sec={sec}");
            let r = parse_upbit_remaining_req(text.as_bytes()).unwrap();
            prop_assert_eq!(r.group, group.as_bytes());
            prop_assert_eq!((r.min, r.sec), (Some(min), sec));
        }
    }
}
