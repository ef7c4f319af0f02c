//! The OKX codec's signing, lent to the cold-path account API (`crate::exec::account`): the same
//! HMAC key, API key and passphrase the order codec signs with, so the engine has one OKX signer.
//! A child module of the codec so it can reach the private fields.

use super::OkxCodec;

impl OkxCodec {
    /// The four `OK-ACCESS-*` header lines (CRLF-terminated) for `method path body` at `unix_ms`;
    /// `path` is the request path with its query string, `body` empty for a GET.
    pub(crate) fn push_signed_headers(
        &self,
        unix_ms: u64,
        method: &[u8],
        path: &[u8],
        body: &[u8],
        out: &mut Vec<u8>,
    ) {
        self.push_auth(unix_ms, method, path, body, out);
    }

    /// The `Host` header value the codec was configured with.
    pub(crate) fn host(&self) -> &str {
        &self.settings.host
    }

    /// `text` with the API key and the passphrase replaced by `****` (see the Binance codec's
    /// `redact`).
    pub(crate) fn redact(&self, text: &str) -> String {
        super::super::encode::redact(text, &[&self.api_key, &self.passphrase])
    }
}
