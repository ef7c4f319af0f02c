//! The Upbit codec's JWT signer, lent to the cold-path account API (`crate::exec::account`): the
//! same access key, secret and nonce generator the order codec uses, so the engine has one Upbit
//! signer. A child module of the codec so it can reach the private fields.

use super::UpbitCodec;

impl UpbitCodec {
    /// The `Authorization: Bearer <jwt>` header line (CRLF-terminated) for a request whose
    /// parameters, as a url-encoded query string, are `query` (`None` for a request without
    /// parameters: the token then carries no `query_hash`). Draws a fresh nonce.
    pub(crate) fn push_auth_header(&mut self, query: Option<&[u8]>, out: &mut Vec<u8>) {
        out.extend_from_slice(b"Authorization: Bearer ");
        let nonce = self.nonces.next_uuid();
        self.signer
            .write_token(out, &nonce, query.filter(|q| !q.is_empty()));
        out.extend_from_slice(b"\r\n");
    }

    /// [`push_auth_header`](Self::push_auth_header) with a given nonce (reference checks against
    /// ccxt, which fixes the nonce).
    pub(crate) fn push_auth_header_with_nonce(
        &mut self,
        query: Option<&[u8]>,
        nonce: &[u8],
        out: &mut Vec<u8>,
    ) {
        out.extend_from_slice(b"Authorization: Bearer ");
        self.signer
            .write_token(out, nonce, query.filter(|q| !q.is_empty()));
        out.extend_from_slice(b"\r\n");
    }

    /// The `Host` header value the codec was configured with.
    pub(crate) fn host(&self) -> &str {
        &self.settings.host
    }

    /// `text` with the access key replaced by `****` (see the Binance codec's `redact`).
    pub(crate) fn redact(&self, text: &str) -> String {
        self.signer.redact(text)
    }
}
