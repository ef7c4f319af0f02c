//! Request authentication of the mock exchange's REST side, as the venues check it (DESIGN.md
//! section 10, VENUES.md):
//!
//! - Binance: `X-MBX-APIKEY` must be the configured key (else -2015, HTTP 401); the `signature`
//!   parameter must be `hex(HMAC-SHA256(secret, totalParams))` where totalParams is the query
//!   string followed by the body, each without its `signature` parameter (else -1022, HTTP 400);
//!   `timestamp` must be within `recvWindow` (default 5000 ms) of the server's clock and at most
//!   1 s ahead of it (else -1021, HTTP 400).
//! - Upbit: `Authorization: Bearer <JWT>`, HS256 over the configured secret, payload
//!   `access_key` = the configured key, a `nonce`, and when there are parameters `query_hash` =
//!   hex SHA-512 of them as a url-encoded query string (`query_hash_alg` `SHA512`); else HTTP 401
//!   with `{"error":{"name":...}}` (`invalid_access_key`, `jwt_verification`,
//!   `invalid_query_payload`).
//!
//! Test tooling (allocation allowed); comparisons of signatures are constant-time via `ring`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::{digest, hmac};

use super::config::ApiCredentials;

/// Why a request was refused before its business was looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthError {
    /// Unknown or missing API key (Binance -2015, Upbit `invalid_access_key`).
    UnknownKey,
    /// Signature or token does not verify (Binance -1022, Upbit `jwt_verification`).
    BadSignature,
    /// Binance: `timestamp` outside `recvWindow` (-1021).
    StaleTimestamp,
    /// Upbit: `query_hash` missing or not the hash of the parameters (`invalid_query_payload`).
    BadQueryHash,
    /// A required parameter is missing or malformed (Binance -1102).
    Malformed,
}

/// The `name=value` pairs of a url-encoded string, in order (no percent-decoding: the engine
/// sends only unreserved characters, and a percent-encoded one just fails to match).
pub(crate) fn form_pairs(s: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    s.split(|&b| b == b'&').filter(|p| !p.is_empty()).map(|p| {
        match p.iter().position(|&b| b == b'=') {
            Some(i) => (&p[..i], &p[i + 1..]),
            None => (p, &b""[..]),
        }
    })
}

/// The value of `name` in the query string or, failing that, the body.
pub(crate) fn param<'a>(query: &'a [u8], body: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    form_pairs(query)
        .chain(form_pairs(body))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// `s` without its `signature=` pair (joined back with `&`).
fn without_signature(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for p in s.split(|&b| b == b'&') {
        if p.starts_with(b"signature=") || p.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(b'&');
        }
        out.extend_from_slice(p);
    }
    out
}

fn hex_decode(s: &[u8]) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    let nib = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    s.chunks(2)
        .map(|c| Some(nib(c[0])? << 4 | nib(c[1])?))
        .collect()
}

fn parse_u64(s: &[u8]) -> Option<u64> {
    std::str::from_utf8(s).ok()?.parse().ok()
}

/// Check a Binance signed request (`query` without the `?`, form `body`) at server time
/// `unix_ms`.
pub(crate) fn verify_binance(
    creds: &ApiCredentials,
    api_key: Option<&[u8]>,
    query: &[u8],
    body: &[u8],
    unix_ms: u64,
) -> Result<(), AuthError> {
    if api_key != Some(creds.key.as_bytes()) {
        return Err(AuthError::UnknownKey);
    }
    let sig = param(query, body, b"signature").ok_or(AuthError::BadSignature)?;
    let sig = hex_decode(sig).ok_or(AuthError::BadSignature)?;
    let mut total = without_signature(query);
    total.extend_from_slice(&without_signature(body));
    let key = hmac::Key::new(hmac::HMAC_SHA256, creds.secret.as_bytes());
    hmac::verify(&key, &total, &sig).map_err(|_| AuthError::BadSignature)?;
    let ts = param(query, body, b"timestamp")
        .and_then(parse_u64)
        .ok_or(AuthError::Malformed)?;
    let window = param(query, body, b"recvWindow")
        .map(|v| parse_u64(v).ok_or(AuthError::Malformed))
        .transpose()?
        .unwrap_or(5000);
    if ts > unix_ms.saturating_add(1000) || unix_ms.saturating_sub(ts) > window {
        return Err(AuthError::StaleTimestamp);
    }
    Ok(())
}

/// The url-encoded query string of a flat JSON object of strings and numbers, in body order
/// (what an Upbit client hashes for a POST).
pub(crate) fn json_to_query(body: &[u8]) -> Option<Vec<u8>> {
    use crate::base::scan::{str_content, ObjIter};
    let mut out = Vec::with_capacity(body.len());
    for m in ObjIter::new(body) {
        let (k, v) = m.ok()?;
        if !out.is_empty() {
            out.push(b'&');
        }
        out.extend_from_slice(k);
        out.push(b'=');
        out.extend_from_slice(str_content(v).unwrap_or(v));
    }
    Some(out)
}

/// Check an Upbit `Authorization` header value against `params` (the url-encoded parameters the
/// token must hash; empty when the request has none).
pub(crate) fn verify_upbit(
    creds: &ApiCredentials,
    authorization: Option<&[u8]>,
    params: &[u8],
) -> Result<(), AuthError> {
    let token = authorization
        .and_then(|a| a.strip_prefix(b"Bearer "))
        .ok_or(AuthError::UnknownKey)?;
    let mut parts = token.split(|&b| b == b'.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AuthError::BadSignature);
    };
    let payload = URL_SAFE_NO_PAD
        .decode(p)
        .map_err(|_| AuthError::BadSignature)?;
    let v: serde_json::Value =
        serde_json::from_slice(&payload).map_err(|_| AuthError::BadSignature)?;
    if v.get("access_key").and_then(|k| k.as_str()) != Some(creds.key.as_str()) {
        return Err(AuthError::UnknownKey);
    }
    let sig = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| AuthError::BadSignature)?;
    let key = hmac::Key::new(hmac::HMAC_SHA256, creds.secret.as_bytes());
    let signed = &token[..h.len() + 1 + p.len()];
    hmac::verify(&key, signed, &sig).map_err(|_| AuthError::BadSignature)?;
    if v.get("nonce")
        .and_then(|n| n.as_str())
        .is_none_or(str::is_empty)
    {
        return Err(AuthError::BadSignature);
    }
    if params.is_empty() {
        return Ok(());
    }
    let want = digest::digest(&digest::SHA512, params);
    let want: String = want.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    let alg_ok = v.get("query_hash_alg").and_then(|a| a.as_str()) == Some("SHA512");
    match v.get("query_hash").and_then(|q| q.as_str()) {
        Some(q) if alg_ok && q == want => Ok(()),
        _ => Err(AuthError::BadQueryHash),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::gateway::codec::binance::sign;
    use crate::exec::gateway::codec::jwt::JwtSigner;

    fn creds() -> ApiCredentials {
        ApiCredentials {
            key: "key1".into(),
            secret: "sec1".into(),
        }
    }

    #[test]
    fn binance_signatures_and_time() {
        let params = b"symbol=BTCUSDT&recvWindow=5000&timestamp=1000000";
        let sig = sign(b"sec1", params);
        let mut body = params.to_vec();
        body.extend_from_slice(b"&signature=");
        body.extend_from_slice(&sig);
        let c = creds();
        assert_eq!(
            verify_binance(&c, Some(b"key1"), b"", &body, 1_000_100),
            Ok(())
        );
        // Same parameters in the query string instead.
        assert_eq!(
            verify_binance(&c, Some(b"key1"), &body, b"", 1_000_100),
            Ok(())
        );
        assert_eq!(
            verify_binance(&c, Some(b"nope"), b"", &body, 1_000_100),
            Err(AuthError::UnknownKey)
        );
        assert_eq!(
            verify_binance(&c, Some(b"key1"), b"", &body, 1_006_000),
            Err(AuthError::StaleTimestamp)
        );
        let bad = ApiCredentials {
            secret: "other".into(),
            ..creds()
        };
        assert_eq!(
            verify_binance(&bad, Some(b"key1"), b"", &body, 1_000_100),
            Err(AuthError::BadSignature)
        );
    }

    #[test]
    fn upbit_tokens() {
        let mut signer = JwtSigner::new(b"key1", b"sec1").unwrap();
        let query = b"market=KRW-BTC&side=bid";
        let mut tok = b"Bearer ".to_vec();
        signer.write_token(&mut tok, b"nonce-1", Some(query));
        let c = creds();
        assert_eq!(verify_upbit(&c, Some(&tok), query), Ok(()));
        assert_eq!(
            verify_upbit(&c, Some(&tok), b"market=KRW-ETH"),
            Err(AuthError::BadQueryHash)
        );
        let bad = ApiCredentials {
            secret: "other".into(),
            ..creds()
        };
        assert_eq!(
            verify_upbit(&bad, Some(&tok), query),
            Err(AuthError::BadSignature)
        );
        assert_eq!(verify_upbit(&c, None, query), Err(AuthError::UnknownKey));
        assert_eq!(
            json_to_query(br#"{"market":"KRW-BTC","side":"bid"}"#).unwrap(),
            query.to_vec()
        );
    }
}
