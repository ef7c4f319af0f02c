//! Request authentication of the mock exchange's REST side, as the venues check it (docs/architecture.md, "Contracts", and the venues' API documentation):
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
//! - Bybit and OKX: [`verify_bybit`] and [`verify_okx`] (`auth_v5`).
//!
//! Test tooling (allocation allowed); comparisons of signatures are constant-time via `ring`.
//! Public so the engine's tests can check its signer against these checks; the mock's own tests
//! check them against the venues' published examples and hand-built tokens.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::{digest, hmac};

use crate::config::ApiCredentials;

/// Why a request was refused before its business was looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    /// Unknown or missing API key (Binance -2015, Upbit `invalid_access_key`).
    UnknownKey,
    /// Signature or token does not verify (Binance -1022, Upbit `jwt_verification`).
    BadSignature,
    /// Binance: `timestamp` older than `recvWindow` (-1021 "outside of the recvWindow"); Bybit
    /// 10002 and OKX 50102 either way.
    StaleTimestamp,
    /// Binance: `timestamp` more than 1000 ms ahead of the server's clock (-1021 "was 1000ms
    /// ahead of the server's time").
    AheadTimestamp,
    /// Upbit: `query_hash` missing or not the hash of the parameters (`invalid_query_payload`).
    BadQueryHash,
    /// A required parameter is missing or malformed (Binance -1102); OKX: a timestamp that is
    /// not ISO 8601 (50112).
    Malformed,
    /// OKX: `OK-ACCESS-PASSPHRASE` is not the key's passphrase (50105).
    BadPassphrase,
    /// OKX: this authentication header is missing or empty (50103, 50104, 50106, 50107).
    MissingHeader(&'static str),
}

pub use super::auth_v5::{parse_iso8601_ms, verify_bybit, verify_okx, BybitAuth, OkxAuth};

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

pub(crate) fn hex_decode(s: &[u8]) -> Option<Vec<u8>> {
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
pub fn verify_binance(
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
    let ts = param(query, body, b"timestamp");
    let window = param(query, body, b"recvWindow");
    check_timestamp(ts, window, unix_ms)
}

/// Binance's timing rule for a signed request whose parameters are `p` (the WebSocket API's,
/// whose session is already authenticated): [`check_timestamp`] of its `timestamp` and
/// `recvWindow`.
pub(crate) fn check_window(p: &super::params::Params, unix_ms: u64) -> Result<(), AuthError> {
    check_timestamp(
        p.get("timestamp").map(str::as_bytes),
        p.get("recvWindow").map(str::as_bytes),
        unix_ms,
    )
}

/// Binance's timing rule at server time `unix_ms`: `timestamp` present, at most 1000 ms ahead,
/// at most `recvWindow` (default 5000 ms) behind.
pub(crate) fn check_timestamp(
    ts: Option<&[u8]>,
    window: Option<&[u8]>,
    unix_ms: u64,
) -> Result<(), AuthError> {
    let ts = ts.and_then(parse_u64).ok_or(AuthError::Malformed)?;
    let window = window
        .map(|v| parse_u64(v).ok_or(AuthError::Malformed))
        .transpose()?
        .unwrap_or(5000);
    if ts > unix_ms.saturating_add(1000) {
        return Err(AuthError::AheadTimestamp);
    }
    if unix_ms.saturating_sub(ts) > window {
        return Err(AuthError::StaleTimestamp);
    }
    Ok(())
}

/// The url-encoded query string of a flat JSON object of strings and numbers, in body order
/// (what an Upbit client hashes for a POST).
pub fn json_to_query(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    for (k, v) in crate::json::members(body)? {
        if !out.is_empty() {
            out.push(b'&');
        }
        out.extend_from_slice(k);
        out.push(b'=');
        out.extend_from_slice(v);
    }
    Some(out)
}

/// Check an Upbit `Authorization` header value against `params` (the url-encoded parameters the
/// token must hash; empty when the request has none).
pub fn verify_upbit(
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

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Binance's published HMAC-SHA256 example (spot API docs, "SIGNED endpoint examples").
    const BINANCE_KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
    const BINANCE_SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
    const BINANCE_PARAMS: &str = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
    const BINANCE_SIGNATURE: &str =
        "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";

    fn binance_creds() -> ApiCredentials {
        ApiCredentials {
            key: BINANCE_KEY.into(),
            secret: BINANCE_SECRET.into(),
            passphrase: String::new(),
        }
    }

    #[test]
    fn binance_published_example_verifies() {
        let key = hmac::Key::new(hmac::HMAC_SHA256, BINANCE_SECRET.as_bytes());
        assert_eq!(
            hex(hmac::sign(&key, BINANCE_PARAMS.as_bytes()).as_ref()),
            BINANCE_SIGNATURE
        );
        let c = binance_creds();
        let now = 1_499_827_319_559 + 100;
        let signed = format!("{BINANCE_PARAMS}&signature={BINANCE_SIGNATURE}");
        let k = Some(BINANCE_KEY.as_bytes());
        // All in the query string, or all in the body.
        assert_eq!(verify_binance(&c, k, signed.as_bytes(), b"", now), Ok(()));
        assert_eq!(verify_binance(&c, k, b"", signed.as_bytes(), now), Ok(()));
        // Split between query string and body, the signed text is the two concatenated with no
        // '&' between them (Binance's totalParams), which is not what this signature covers.
        let (q, rest) = BINANCE_PARAMS.split_at(BINANCE_PARAMS.find("&quantity").unwrap());
        let body = format!("{}&signature={BINANCE_SIGNATURE}", &rest[1..]);
        assert_eq!(
            verify_binance(&c, k, q.as_bytes(), body.as_bytes(), now),
            Err(AuthError::BadSignature)
        );
        assert_eq!(
            verify_binance(&c, Some(b"other"), signed.as_bytes(), b"", now),
            Err(AuthError::UnknownKey)
        );
        assert_eq!(
            verify_binance(&c, None, signed.as_bytes(), b"", now),
            Err(AuthError::UnknownKey)
        );
        let tampered = signed.replace("price=0.1", "price=0.2");
        assert_eq!(
            verify_binance(&c, k, tampered.as_bytes(), b"", now),
            Err(AuthError::BadSignature)
        );
        let unsigned = BINANCE_PARAMS;
        assert_eq!(
            verify_binance(&c, k, unsigned.as_bytes(), b"", now),
            Err(AuthError::BadSignature)
        );
        // recvWindow 5000: 5 s late is still in, 5.001 s is not; 1 s early at most.
        let ts = 1_499_827_319_559;
        assert_eq!(
            verify_binance(&c, k, signed.as_bytes(), b"", ts + 5000),
            Ok(())
        );
        assert_eq!(
            verify_binance(&c, k, signed.as_bytes(), b"", ts + 5001),
            Err(AuthError::StaleTimestamp)
        );
        assert_eq!(
            verify_binance(&c, k, signed.as_bytes(), b"", ts - 1000),
            Ok(())
        );
        assert_eq!(
            verify_binance(&c, k, signed.as_bytes(), b"", ts - 1001),
            Err(AuthError::AheadTimestamp)
        );
    }

    /// An Upbit token built by hand: header and payload JSON written out, base64url without
    /// padding, HS256 with ring.
    fn upbit_token(secret: &str, payload: &str) -> Vec<u8> {
        let header = r#"{"alg":"HS256","typ":"JWT"}"#;
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(hmac::sign(&key, signing_input.as_bytes()));
        format!("Bearer {signing_input}.{sig}").into_bytes()
    }

    #[test]
    fn upbit_hand_built_tokens() {
        let c = ApiCredentials {
            key: "upbit-access".into(),
            secret: "upbit-secret".into(),
            passphrase: String::new(),
        };
        let query = "market=KRW-BTC&side=bid&volume=0.01&price=100&ord_type=limit&identifier=ma42";
        let hash = hex(digest::digest(&digest::SHA512, query.as_bytes()).as_ref());
        assert_eq!(hash.len(), 128);
        let payload = format!(
            r#"{{"access_key":"upbit-access","nonce":"n-1","query_hash":"{hash}","query_hash_alg":"SHA512"}}"#
        );
        let tok = upbit_token("upbit-secret", &payload);
        assert_eq!(verify_upbit(&c, Some(&tok), query.as_bytes()), Ok(()));
        assert_eq!(
            verify_upbit(&c, Some(&tok), b"market=KRW-ETH"),
            Err(AuthError::BadQueryHash)
        );
        let sha256_alg = payload.replace("SHA512", "SHA256");
        assert_eq!(
            verify_upbit(
                &c,
                Some(&upbit_token("upbit-secret", &sha256_alg)),
                query.as_bytes()
            ),
            Err(AuthError::BadQueryHash)
        );
        assert_eq!(
            verify_upbit(&c, Some(&upbit_token("wrong", &payload)), query.as_bytes()),
            Err(AuthError::BadSignature)
        );
        let other_key = payload.replace("upbit-access", "someone");
        assert_eq!(
            verify_upbit(
                &c,
                Some(&upbit_token("upbit-secret", &other_key)),
                query.as_bytes()
            ),
            Err(AuthError::UnknownKey)
        );
        // No parameters: no query_hash needed, but a nonce is.
        let bare = upbit_token(
            "upbit-secret",
            r#"{"access_key":"upbit-access","nonce":"n-2"}"#,
        );
        assert_eq!(verify_upbit(&c, Some(&bare), b""), Ok(()));
        let no_nonce = upbit_token("upbit-secret", r#"{"access_key":"upbit-access"}"#);
        assert_eq!(
            verify_upbit(&c, Some(&no_nonce), b""),
            Err(AuthError::BadSignature)
        );
        assert_eq!(verify_upbit(&c, None, b""), Err(AuthError::UnknownKey));
        assert_eq!(
            verify_upbit(&c, Some(b"Bearer a.b"), b""),
            Err(AuthError::BadSignature)
        );
        // The body a client hashes for a POST, in body order.
        let body = r#"{"market":"KRW-BTC","side":"bid","volume":"0.01","price":"100","ord_type":"limit","identifier":"ma42"}"#;
        assert_eq!(json_to_query(body.as_bytes()).unwrap(), query.as_bytes());
        assert_eq!(json_to_query(b"not json"), None);
    }
}
