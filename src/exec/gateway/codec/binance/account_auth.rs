//! The Binance codec's signing, lent to the cold-path account API (`crate::exec::account`): the
//! same HMAC key, API key and settings the order codec signs with, so the engine has one Binance
//! signer. A child module of the codec so it can reach the private key fields without making
//! them public.

use super::{sign_with, BinanceCodec};
use crate::exec::gateway::codec::encode::push_u64;

impl BinanceCodec {
    /// Finish a SIGNED request's parameters in place: append `recvWindow` (when configured) and
    /// `timestamp`, then `&signature=<hex HMAC-SHA256 of everything before it>`. `params` holds
    /// the url-encoded parameters so far (may be empty). Binance signs the query string followed
    /// by the body; the account requests send everything in the query, so this is all of it.
    pub(crate) fn sign_params(&self, params: &mut Vec<u8>, unix_ms: u64) {
        if !params.is_empty() {
            params.push(b'&');
        }
        if self.settings.recv_window_ms > 0 {
            params.extend_from_slice(b"recvWindow=");
            push_u64(params, u64::from(self.settings.recv_window_ms));
            params.push(b'&');
        }
        params.extend_from_slice(b"timestamp=");
        push_u64(params, unix_ms);
        let sig = sign_with(&self.key, params);
        params.extend_from_slice(b"&signature=");
        params.extend_from_slice(&sig);
    }

    /// The `X-MBX-APIKEY: <key>` header line, CRLF-terminated.
    pub(crate) fn push_key_header(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"X-MBX-APIKEY: ");
        out.extend_from_slice(&self.api_key);
        out.extend_from_slice(b"\r\n");
    }

    /// The `Host` header value the codec was configured with.
    pub(crate) fn host(&self) -> &str {
        &self.settings.host
    }

    /// `text` with every occurrence of the API key replaced by `****`, for venue messages that
    /// reach an error or a terminal (the secret itself is never sent, so it cannot come back).
    pub(crate) fn redact(&self, text: &str) -> String {
        super::super::encode::redact(text, &[&self.api_key])
    }
}
