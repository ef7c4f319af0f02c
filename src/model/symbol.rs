//! Rules every venue symbol obeys, shared by the config check and the builders that enforce
//! them (ingest's symbol tables, the order codecs' instrument tables), so `check-config` refuses
//! exactly the symbols a run would.

/// Longest venue symbol a symbol table stores (OKX futures ids like `BTC-USD-220527` are 14),
/// after [`base_symbol`] drops an Upbit depth suffix.
pub const MAX_SYMBOL_LEN: usize = 32;

/// Strip an Upbit-style `.N` depth suffix (`KRW-BTC.15` -> `KRW-BTC`): frames carry the bare code,
/// so the table keys on it.
pub fn base_symbol(symbol: &[u8]) -> &[u8] {
    if let Some(dot) = symbol.iter().rposition(|&c| c == b'.') {
        let suffix = &symbol[dot + 1..];
        if dot > 0 && !suffix.is_empty() && suffix.iter().all(u8::is_ascii_digit) {
            return &symbol[..dot];
        }
    }
    symbol
}

/// Whether `b` is an RFC 3986 unreserved byte, which url-encoding leaves as it is. Symbols and ids
/// are checked against this at construction so the "url-encoded" form the venues sign is the
/// plain text itself and nothing needs escaping on the hot path.
#[inline]
pub fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_suffix_and_unreserved_bytes() {
        assert_eq!(base_symbol(b"KRW-BTC.15"), b"KRW-BTC");
        assert_eq!(base_symbol(b"KRW-BTC."), b"KRW-BTC.");
        assert_eq!(base_symbol(b".1"), b".1");
        assert!(is_unreserved(b'~') && !is_unreserved(b'/'));
    }
}
