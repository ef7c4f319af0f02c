//! Why an account call failed. Messages name the venue, the request and what the venue said; they
//! never carry a key, a secret or a passphrase (venue text is passed through the codec's
//! `redact` first, and the secret itself is never sent).

use std::io;

use crate::exec::gateway::codec::RequestError;

/// Why an account call failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Connecting, writing or reading failed before a complete answer arrived.
    #[error("{venue}: {request}: transport: {reason}")]
    Transport {
        /// Venue name.
        venue: String,
        /// Which call.
        request: &'static str,
        /// What failed (socket error kind, TLS, bad HTTP).
        reason: String,
    },
    /// No complete answer within the timeout.
    #[error("{venue}: {request}: no answer within {timeout_ms} ms")]
    Timeout {
        /// Venue name.
        venue: String,
        /// Which call.
        request: &'static str,
        /// The timeout.
        timeout_ms: u64,
    },
    /// The venue refused the credentials or the signature (Binance -1022/-2014/-2015, Upbit
    /// `jwt_verification`/`invalid_access_key`, Bybit 10003/10004/10005/10007/10010, OKX
    /// 501xx, or HTTP 401).
    #[error("{venue}: {request}: authentication refused (HTTP {status}, code {code}): {message}")]
    AuthRefused {
        /// Venue name.
        venue: String,
        /// Which call.
        request: &'static str,
        /// HTTP status.
        status: u16,
        /// The venue's error code or name.
        code: String,
        /// The venue's message (redacted).
        message: String,
    },
    /// The venue said the request rate is too high (429, 418, Bybit 10006, OKX 50011).
    #[error("{venue}: {request}: rate limited (HTTP {status}, code {code}, retry after {retry_after_ms} ms)")]
    RateLimited {
        /// Venue name.
        venue: String,
        /// Which call.
        request: &'static str,
        /// HTTP status.
        status: u16,
        /// The venue's error code (empty when none).
        code: String,
        /// `Retry-After` in ms (0: none given).
        retry_after_ms: u64,
    },
    /// Any other refusal: HTTP status, the venue's code and message.
    #[error("{venue}: {request}: refused (HTTP {status}, code {code}): {message}")]
    Venue {
        /// Venue name.
        venue: String,
        /// Which call.
        request: &'static str,
        /// HTTP status.
        status: u16,
        /// The venue's error code or name (empty when none).
        code: String,
        /// The venue's message (redacted).
        message: String,
    },
    /// The answer arrived but could not be read as the venue documents it.
    #[error("{venue}: {request}: unreadable answer (HTTP {status}): {detail}")]
    Unreadable {
        /// Venue name.
        venue: String,
        /// Which call.
        request: &'static str,
        /// HTTP status.
        status: u16,
        /// What was wrong with it.
        detail: String,
    },
    /// The call needs credentials the client was not given.
    #[error("{venue}: {request}: needs {missing}, and none is configured")]
    NoCredentials {
        /// Venue name.
        venue: String,
        /// Which call.
        request: &'static str,
        /// What is missing ("API credentials", "an OKX passphrase").
        missing: &'static str,
    },
    /// The request cannot be made as asked (e.g. Upbit rules for several markets at once).
    #[error("{venue}: {request}: {why}")]
    BadRequest {
        /// Venue name.
        venue: String,
        /// Which call.
        request: &'static str,
        /// Why.
        why: String,
    },
    /// The client could not be built (URL, TLS, credentials' text).
    #[error("{venue}: cannot build the account client: {why}")]
    Setup {
        /// Venue name.
        venue: String,
        /// Why.
        why: String,
    },
    /// The codec refused the configured text.
    #[error("{venue}: {source}")]
    Codec {
        /// Venue name.
        venue: String,
        /// What it refused.
        #[source]
        source: RequestError,
    },
}

impl AccountError {
    /// A transport error from an I/O error.
    pub fn io(venue: &str, request: &'static str, e: &io::Error) -> Self {
        AccountError::Transport {
            venue: venue.to_string(),
            request,
            reason: e.to_string(),
        }
    }
}
