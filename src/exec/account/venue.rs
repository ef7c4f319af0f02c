//! The per-venue half of the account API: [`AccountVenue`] writes one signed request and reads its
//! answer. The four implementations live in [`super::venues`]; each borrows its venue's order
//! codec for the credentials and the signing (one signer per venue, see
//! `crate::exec::gateway::codec`).

use super::error::AccountError;
use super::http::HttpResponse;
use super::request::{AccountAnswer, AccountRequest};

/// A venue's account API: request writer and answer reader.
pub trait AccountVenue {
    /// The complete HTTP/1.1 request for `req` into `out` (cleared first), signed at wall-clock
    /// time `unix_ms` where the venue signs a time.
    fn write_request(
        &mut self,
        req: &AccountRequest,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), AccountError>;

    /// Read `resp` as the answer to `req`.
    fn parse_answer(
        &self,
        req: &AccountRequest,
        resp: &HttpResponse,
    ) -> Result<AccountAnswer, AccountError>;

    /// `text` with any credential the venue's codec holds replaced by `****`.
    fn redact(&self, text: &str) -> String;
}

/// Who is answering what: builds the errors of one answer with their context filled in.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// Venue name.
    pub venue: &'a str,
    /// Which call.
    pub request: &'static str,
    /// HTTP status of the answer.
    pub status: u16,
}

impl Ctx<'_> {
    /// The answer could not be read.
    pub fn unreadable(&self, detail: impl Into<String>) -> AccountError {
        AccountError::Unreadable {
            venue: self.venue.to_string(),
            request: self.request,
            status: self.status,
            detail: detail.into(),
        }
    }

    /// The venue refused, with its code and (already redacted) message.
    pub fn refused(&self, code: impl Into<String>, message: impl Into<String>) -> AccountError {
        AccountError::Venue {
            venue: self.venue.to_string(),
            request: self.request,
            status: self.status,
            code: code.into(),
            message: message.into(),
        }
    }

    /// The venue refused the credentials.
    pub fn auth(&self, code: impl Into<String>, message: impl Into<String>) -> AccountError {
        AccountError::AuthRefused {
            venue: self.venue.to_string(),
            request: self.request,
            status: self.status,
            code: code.into(),
            message: message.into(),
        }
    }

    /// The venue said slow down.
    pub fn rate_limited(&self, code: impl Into<String>, resp: &HttpResponse) -> AccountError {
        AccountError::RateLimited {
            venue: self.venue.to_string(),
            request: self.request,
            status: self.status,
            code: code.into(),
            retry_after_ms: retry_after_ms(resp),
        }
    }

    /// A request the venue cannot be asked.
    pub fn bad_request(&self, why: impl Into<String>) -> AccountError {
        AccountError::BadRequest {
            venue: self.venue.to_string(),
            request: self.request,
            why: why.into(),
        }
    }
}

/// `Retry-After` (delta-seconds) in ms, 0 when absent or unreadable.
pub fn retry_after_ms(resp: &HttpResponse) -> u64 {
    resp.header("retry-after")
        .and_then(|v| crate::exec::limits::rate_headers::parse_retry_after_ns(v).ok())
        .map_or(0, |ns| ns / 1_000_000)
}
