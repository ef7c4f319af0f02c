//! Upbit's bearer token: a JWT (RFC 7519) signed with HS256, written without allocation.
//!
//! Layout: `base64url(header) "." base64url(payload) "." base64url(HMAC-SHA256(secret, header "."
//! payload))`, base64url without padding. The header is always `{"alg":"HS256","typ":"JWT"}`; the
//! payload is `{"access_key":..,"nonce":..}` plus, when the request has parameters,
//! `"query_hash":<hex SHA-512 of the query string>,"query_hash_alg":"SHA512"` (Upbit API docs,
//! "Authentication"). The access key and nonce are JSON strings that need no escaping (checked at
//! construction / produced by [`UuidGen`](super::nonce::UuidGen)).
//!
//! The signer keeps the derived HMAC key and a copy of the access key; `Debug` prints `****`.

use ring::{digest, hmac};

use super::answer::{check_unreserved, RequestError};
use super::encode::{push_base64url, push_hex};

/// `base64url({"alg":"HS256","typ":"JWT"})`, the same for every token.
pub const HEADER_B64: &[u8] = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/// Append `hex(SHA-512(query))` (128 characters), Upbit's `query_hash`.
pub fn push_query_hash(out: &mut Vec<u8>, query: &[u8]) {
    push_hex(out, digest::digest(&digest::SHA512, query).as_ref());
}

/// Writes HS256 JWTs for one access key.
pub struct JwtSigner {
    access_key: Box<[u8]>,
    key: hmac::Key,
    payload: Vec<u8>,
}

impl std::fmt::Debug for JwtSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtSigner { access_key: ****, secret: **** }")
    }
}

impl JwtSigner {
    /// A signer for `access_key` / `secret` (cold path). The access key must need no JSON or URL
    /// escaping (Upbit keys are alphanumeric).
    pub fn new(access_key: &[u8], secret: &[u8]) -> Result<Self, RequestError> {
        check_unreserved("access key", access_key)?;
        Ok(JwtSigner {
            access_key: access_key.into(),
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            payload: Vec::with_capacity(512),
        })
    }

    /// `text` with the access key replaced by `****` (cold path).
    pub fn redact(&self, text: &str) -> String {
        super::encode::redact(text, &[&self.access_key])
    }

    /// Append the token for `nonce` and, if there are parameters, their `query` string.
    pub fn write_token(&mut self, out: &mut Vec<u8>, nonce: &[u8], query: Option<&[u8]>) {
        let p = &mut self.payload;
        p.clear();
        p.extend_from_slice(b"{\"access_key\":\"");
        p.extend_from_slice(&self.access_key);
        p.extend_from_slice(b"\",\"nonce\":\"");
        p.extend_from_slice(nonce);
        p.push(b'"');
        if let Some(q) = query {
            p.extend_from_slice(b",\"query_hash\":\"");
            push_query_hash(p, q);
            p.extend_from_slice(b"\",\"query_hash_alg\":\"SHA512\"");
        }
        p.push(b'}');
        let start = out.len();
        out.extend_from_slice(HEADER_B64);
        out.push(b'.');
        push_base64url(out, p);
        let tag = hmac::sign(&self.key, &out[start..]);
        out.push(b'.');
        push_base64url(out, tag.as_ref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    /// HMAC-SHA256 from its definition (RFC 2104) over ring's plain SHA-256, to check the token
    /// signature independently of `ring::hmac`.
    fn reference_hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut k = [0u8; 64];
        if key.len() > 64 {
            k[..32].copy_from_slice(digest::digest(&digest::SHA256, key).as_ref());
        } else {
            k[..key.len()].copy_from_slice(key);
        }
        let mut inner: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
        inner.extend_from_slice(msg);
        let ih = digest::digest(&digest::SHA256, &inner);
        let mut outer: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
        outer.extend_from_slice(ih.as_ref());
        digest::digest(&digest::SHA256, &outer).as_ref().to_vec()
    }

    #[test]
    fn reference_hmac_matches_rfc4231_case_2() {
        let mac = reference_hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let mut hex = Vec::new();
        push_hex(&mut hex, &mac);
        assert_eq!(
            hex,
            b"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn token_decodes_and_verifies() {
        let mut s = JwtSigner::new(b"accesskey123", b"secret-key").unwrap();
        let mut out = b"Bearer ".to_vec();
        let query = b"market=KRW-BTC&side=bid&volume=0.01&price=100&ord_type=limit";
        s.write_token(
            &mut out,
            b"0f8fad5b-d9cb-469f-a165-70867728950e",
            Some(query),
        );
        let token = &out[7..];
        let parts: Vec<&[u8]> = token.split(|&b| b == b'.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header, serde_json::json!({"alg":"HS256","typ":"JWT"}));
        let payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        let mut qh = Vec::new();
        push_hex(&mut qh, digest::digest(&digest::SHA512, query).as_ref());
        assert_eq!(
            payload,
            serde_json::json!({
                "access_key": "accesskey123",
                "nonce": "0f8fad5b-d9cb-469f-a165-70867728950e",
                "query_hash": String::from_utf8(qh).unwrap(),
                "query_hash_alg": "SHA512",
            })
        );
        let signed_len = parts[0].len() + 1 + parts[1].len();
        let want = reference_hmac_sha256(b"secret-key", &token[..signed_len]);
        assert_eq!(URL_SAFE_NO_PAD.decode(parts[2]).unwrap(), want);
    }

    #[test]
    fn token_without_parameters_has_no_hash() {
        let mut s = JwtSigner::new(b"ak", b"sk").unwrap();
        let mut out = Vec::new();
        s.write_token(&mut out, b"n", None);
        let parts: Vec<&[u8]> = out.split(|&b| b == b'.').collect();
        assert_eq!(
            URL_SAFE_NO_PAD.decode(parts[1]).unwrap(),
            br#"{"access_key":"ak","nonce":"n"}"#
        );
    }

    #[test]
    fn sha512_of_known_text() {
        // FIPS 180-2 example "abc".
        let mut out = Vec::new();
        push_query_hash(&mut out, b"abc");
        assert_eq!(&out[..32], b"ddaf35a193617abacc417349ae204131");
        assert_eq!(out.len(), 128);
    }

    #[test]
    fn debug_hides_keys() {
        let s = JwtSigner::new(b"visible-access", b"visible-secret").unwrap();
        let d = format!("{s:?}");
        assert!(!d.contains("visible"), "{d}");
    }
}
