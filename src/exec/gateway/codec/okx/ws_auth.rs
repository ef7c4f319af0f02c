//! The OKX codec's signing, lent to the private WebSocket login ([`crate::exec::gateway::codec::okx_ws`]):
//! the same HMAC key, API key and passphrase the REST order codec signs with, so the engine keeps
//! one OKX signer and one place that holds the secret. A child module of the codec so it can
//! reach the private fields.

use super::{OkxCodec, OkxSignature};

/// `requestPath` of the WebSocket login's signed text (OKX v5 "WebSocket Login").
const VERIFY_PATH: &[u8] = b"/users/self/verify";

impl OkxCodec {
    /// The login `sign`: `Base64(HMAC-SHA256(secret, timestamp + "GET" + "/users/self/verify"))`
    /// with `timestamp` the decimal text of unix seconds.
    pub(crate) fn ws_login_sign(&self, timestamp: &[u8]) -> OkxSignature {
        self.sign(&[timestamp, b"GET", VERIFY_PATH])
    }

    /// The API key (checked unreserved at construction).
    pub(crate) fn api_key(&self) -> &[u8] {
        &self.api_key
    }

    /// The passphrase (checked visible ASCII at construction).
    pub(crate) fn passphrase(&self) -> &[u8] {
        &self.passphrase
    }
}
