//! Request authentication of Bybit v5 and OKX v5, as the venues document it:
//!
//! - Bybit (v5 "Integration Guidance", Authentication): headers `X-BAPI-API-KEY`,
//!   `X-BAPI-TIMESTAMP` (unix ms), `X-BAPI-RECV-WINDOW` (ms, default 5000) and `X-BAPI-SIGN` =
//!   lowercase hex `HMAC-SHA256(secret, timestamp + apiKey + recvWindow + payload)`, the payload
//!   being the query string of a GET and the JSON body of a POST, exactly as sent. The timestamp
//!   must satisfy `server_time - recv_window <= timestamp < server_time + 1000`.
//! - OKX (v5 "REST Authentication"): headers `OK-ACCESS-KEY`, `OK-ACCESS-PASSPHRASE` (chosen when
//!   the key was made), `OK-ACCESS-TIMESTAMP` (ISO 8601 UTC with ms, `2020-12-08T09:08:57.715Z`)
//!   and `OK-ACCESS-SIGN` = Base64 `HMAC-SHA256(secret, timestamp + METHOD + requestPath + body)`,
//!   requestPath including `?query` when there is one. OKX refuses a timestamp more than 30 s
//!   away from its clock (50102 "Timestamp request expired").
//!
//! Constant-time comparison via `ring`. The mock's tests check these against signatures built by
//! hand with `ring` from the documented recipe (and Bybit's documented plain-text examples).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::hmac;

use super::auth::{hex_decode, AuthError};
use crate::config::ApiCredentials;

/// How far OKX lets a request's timestamp be from its clock, ms.
pub const OKX_TIMESTAMP_TOLERANCE_MS: u64 = 30_000;

/// The Bybit authentication headers of one request (each as sent, if sent).
#[derive(Debug, Clone, Copy, Default)]
pub struct BybitAuth<'a> {
    /// `X-BAPI-API-KEY`.
    pub api_key: Option<&'a [u8]>,
    /// `X-BAPI-TIMESTAMP`.
    pub timestamp: Option<&'a [u8]>,
    /// `X-BAPI-RECV-WINDOW`.
    pub recv_window: Option<&'a [u8]>,
    /// `X-BAPI-SIGN`.
    pub sign: Option<&'a [u8]>,
}

/// The OKX authentication headers of one request (each as sent, if sent).
#[derive(Debug, Clone, Copy, Default)]
pub struct OkxAuth<'a> {
    /// `OK-ACCESS-KEY`.
    pub key: Option<&'a [u8]>,
    /// `OK-ACCESS-PASSPHRASE`.
    pub passphrase: Option<&'a [u8]>,
    /// `OK-ACCESS-TIMESTAMP`.
    pub timestamp: Option<&'a [u8]>,
    /// `OK-ACCESS-SIGN`.
    pub sign: Option<&'a [u8]>,
}

fn parse_u64(s: &[u8]) -> Option<u64> {
    std::str::from_utf8(s).ok()?.trim().parse().ok()
}

/// Check a Bybit v5 signed request whose payload (query string or JSON body) is `payload`, at
/// server time `unix_ms`. Order of checks: key (10003), signature (10004), time window (10002).
pub fn verify_bybit(
    creds: &ApiCredentials,
    h: BybitAuth<'_>,
    payload: &[u8],
    unix_ms: u64,
) -> Result<(), AuthError> {
    if h.api_key != Some(creds.key.as_bytes()) {
        return Err(AuthError::UnknownKey);
    }
    let ts_text = h.timestamp.ok_or(AuthError::StaleTimestamp)?;
    let ts = parse_u64(ts_text).ok_or(AuthError::StaleTimestamp)?;
    let window_text = h.recv_window.unwrap_or(b"");
    let window = if window_text.is_empty() {
        5000
    } else {
        parse_u64(window_text).ok_or(AuthError::StaleTimestamp)?
    };
    let sig = h.sign.and_then(hex_decode).ok_or(AuthError::BadSignature)?;
    let mut signed = Vec::with_capacity(64 + payload.len());
    signed.extend_from_slice(ts_text);
    signed.extend_from_slice(creds.key.as_bytes());
    signed.extend_from_slice(window_text);
    signed.extend_from_slice(payload);
    let key = hmac::Key::new(hmac::HMAC_SHA256, creds.secret.as_bytes());
    hmac::verify(&key, &signed, &sig).map_err(|_| AuthError::BadSignature)?;
    if unix_ms.saturating_sub(window) > ts || ts >= unix_ms.saturating_add(1000) {
        return Err(AuthError::StaleTimestamp);
    }
    Ok(())
}

/// Unix ms of an ISO 8601 UTC time `YYYY-MM-DDTHH:MM:SS[.fff]Z` (what OKX's timestamps are).
pub fn parse_iso8601_ms(s: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(s).ok()?;
    let s = s.strip_suffix('Z')?;
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-');
    let (y, mo, da) = (d.next()?, d.next()?, d.next()?);
    if d.next().is_some() || y.len() != 4 || mo.len() != 2 || da.len() != 2 {
        return None;
    }
    let (hms, frac) = time.split_once('.').unwrap_or((time, ""));
    let mut t = hms.split(':');
    let (h, mi, se) = (t.next()?, t.next()?, t.next()?);
    if t.next().is_some() || frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |v: &str| -> Option<i64> {
        (v.len() == 2 || v.len() == 4)
            .then_some(())
            .and_then(|()| v.parse::<i64>().ok())
    };
    let (y, mo, da, h, mi, se) = (num(y)?, num(mo)?, num(da)?, num(h)?, num(mi)?, num(se)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&da) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let ms: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<3}").parse().ok()?
    };
    // Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    let yy = if mo <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + da - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let total = ((days * 24 + h) * 60 + mi) * 60 + se;
    u64::try_from(total * 1000 + ms).ok()
}

/// `v` when it is there and not empty, else the missing-header refusal for `name`.
fn present<'a>(v: Option<&'a [u8]>, name: &'static str) -> Result<&'a [u8], AuthError> {
    v.filter(|v| !v.is_empty())
        .ok_or(AuthError::MissingHeader(name))
}

/// Check an OKX v5 signed request (`method` as sent, `path_and_query` = path plus `?query` when
/// there is one, `body` as sent) at server time `unix_ms`. Order of checks: key (50103 / 50111),
/// passphrase (50104 / 50105), timestamp (50107, 50112, 50102), signature (50106 / 50113).
pub fn verify_okx(
    creds: &ApiCredentials,
    h: OkxAuth<'_>,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    unix_ms: u64,
) -> Result<(), AuthError> {
    let key = present(h.key, "OK-ACCESS-KEY")?;
    if key != creds.key.as_bytes() {
        return Err(AuthError::UnknownKey);
    }
    let pass = present(h.passphrase, "OK-ACCESS-PASSPHRASE")?;
    if pass != creds.passphrase.as_bytes() {
        return Err(AuthError::BadPassphrase);
    }
    let ts_text = present(h.timestamp, "OK-ACCESS-TIMESTAMP")?;
    let ts = parse_iso8601_ms(ts_text).ok_or(AuthError::Malformed)?;
    if ts.abs_diff(unix_ms) > OKX_TIMESTAMP_TOLERANCE_MS {
        return Err(AuthError::StaleTimestamp);
    }
    let sig = present(h.sign, "OK-ACCESS-SIGN")?;
    let sig = STANDARD.decode(sig).map_err(|_| AuthError::BadSignature)?;
    let mut signed = Vec::with_capacity(64 + path_and_query.len() + body.len());
    signed.extend_from_slice(ts_text);
    signed.extend_from_slice(method.as_bytes());
    signed.extend_from_slice(path_and_query.as_bytes());
    signed.extend_from_slice(body);
    let key = hmac::Key::new(hmac::HMAC_SHA256, creds.secret.as_bytes());
    hmac::verify(&key, &signed, &sig).map_err(|_| AuthError::BadSignature)
}

#[cfg(test)]
#[path = "auth_v5_tests.rs"]
mod tests;
