//! The Bybit codec's signing, lent to the cold-path account API (`crate::exec::account`): the same
//! HMAC key, API key and `recvWindow` the order codec signs with, so the engine has one Bybit
//! signer. A child module of the codec so it can reach the private fields.

use super::BybitCodec;

impl BybitCodec {
    /// The four `X-BAPI-*` header lines (CRLF-terminated) for `payload` (the JSON body of a POST,
    /// the query string of a GET) at `unix_ms`.
    pub(crate) fn push_signed_headers(&self, unix_ms: u64, payload: &[u8], out: &mut Vec<u8>) {
        self.push_auth(unix_ms, payload, out);
    }

    /// The `Host` header value the codec was configured with.
    pub(crate) fn host(&self) -> &str {
        &self.settings.host
    }

    /// `text` with the API key replaced by `****` (see the Binance codec's `redact`).
    pub(crate) fn redact(&self, text: &str) -> String {
        super::super::encode::redact(text, &[&self.api_key])
    }
}
