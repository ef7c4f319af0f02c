//! `login`: the one signed message of a private WebSocket session, and what its answer means.
//!
//! OKX v5 "WebSocket / Login": `sign = Base64(HMAC-SHA256(secret, timestamp + "GET" +
//! "/users/self/verify"))`, `timestamp` in unix **seconds** (a string), refused 30 s after it:
//!
//! ```text
//! {"op":"login","args":[{"apiKey":"<key>","passphrase":"<pass>","timestamp":"1704876947",
//!   "sign":"<base64>"}]}
//! ```
//!
//! The HMAC is the REST codec's ([`OkxCodec`]): one OKX signer holds the secret. The answer is
//! `{"event":"login","code":"0","msg":"","connId":".."}` or an error event
//! `{"event":"error","code":"60009","msg":"Login failed.","connId":".."}` ([`login_result`]).
//!
//! Cold path (once per session): the message is small and built once; it may allocate.

use thiserror::Error;

use super::super::answer::RequestError;
use super::super::encode::push_u64;
use super::super::okx::OkxCodec;
use super::answer::OkxInbound;

/// Why OKX refused a login (the `code` of its answer), and so what to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum LoginError {
    /// 60004 "Invalid timestamp": the clock is off; resync it before logging in again.
    #[error("OKX login refused: invalid timestamp (60004); resync the clock")]
    BadTimestamp,
    /// 60006 "Timestamp request expired" (over 30 s old): resync the clock, then retry.
    #[error("OKX login refused: timestamp expired (60006); resync the clock")]
    TimestampExpired,
    /// 60009 "Login failed": key, passphrase or signature wrong; retrying will not help.
    #[error("OKX login failed (60009): check key, secret and passphrase")]
    Failed,
    /// Any other code (60005 bad key, 60007 bad sign, 60024 bad passphrase, ...), or none that
    /// could be read (`-1`).
    #[error("OKX login refused with code {0}")]
    Other(i32),
}

impl LoginError {
    /// The error a non-zero login `code` means.
    pub fn from_code(code: i32) -> Self {
        match code {
            60004 => LoginError::BadTimestamp,
            60006 => LoginError::TimestampExpired,
            60009 => LoginError::Failed,
            c => LoginError::Other(c),
        }
    }

    /// Whether a clock resync can cure it (60004, 60006): the session may log in again after one.
    pub fn clock_fault(self) -> bool {
        matches!(
            self,
            LoginError::BadTimestamp | LoginError::TimestampExpired
        )
    }
}

/// What a frame says of a pending login: `Some(Ok(()))` for `event: login` with code 0,
/// `Some(Err(_))` for a login with another code or any `event: error` (OKX answers a refused
/// login with one), `None` for a frame that is not about it.
pub fn login_result(frame: &OkxInbound<'_>) -> Option<Result<(), LoginError>> {
    match *frame {
        OkxInbound::Login { code: Some(0), .. } => Some(Ok(())),
        OkxInbound::Login { code, .. } | OkxInbound::Error { code, .. } => {
            Some(Err(LoginError::from_code(code.unwrap_or(-1))))
        }
        _ => None,
    }
}

/// The complete login message for `codec`'s credentials at `timestamp_s` (unix seconds) into
/// `out` (cleared first). The passphrase is written into JSON unescaped, so one holding `"` or
/// `\` is refused (the API key is already plain `[A-Za-z0-9._~-]`).
pub fn write_login(
    codec: &OkxCodec,
    timestamp_s: u64,
    out: &mut Vec<u8>,
) -> Result<(), RequestError> {
    if let Some(&byte) = codec
        .passphrase()
        .iter()
        .find(|&&b| b == b'"' || b == b'\\')
    {
        return Err(RequestError::BadText {
            what: "passphrase (no quote or backslash in JSON)",
            byte,
        });
    }
    let mut ts = Vec::with_capacity(20);
    push_u64(&mut ts, timestamp_s);
    let sign = codec.ws_login_sign(&ts);
    out.clear();
    out.extend_from_slice(b"{\"op\":\"login\",\"args\":[{\"apiKey\":\"");
    out.extend_from_slice(codec.api_key());
    out.extend_from_slice(b"\",\"passphrase\":\"");
    out.extend_from_slice(codec.passphrase());
    out.extend_from_slice(b"\",\"timestamp\":\"");
    out.extend_from_slice(&ts);
    out.extend_from_slice(b"\",\"sign\":\"");
    out.extend_from_slice(sign.as_bytes());
    out.extend_from_slice(b"\"}]}");
    Ok(())
}
