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
///
/// Every token starts with the same bytes: the header, the dot, and the payload's opening
/// `{"access_key":"<key>","nonce":"`. Base64 maps each 3 input bytes to 4 output characters on
/// their own, so the payload's first `3k` bytes always encode to the same `4k` characters: those
/// and the header are [`head`](Self::head), encoded once, and the HMAC over them is computed once
/// too ([`mid`](Self::mid), a clone of which signs each token). A token is the same bytes as
/// encoding and signing the whole (the tests check it against RFC 2104 from its definition, and
/// `tests/exec/ccxt_vectors.rs` against ccxt's tokens), for about one SHA-256 block and (with a
/// 40-character key) 66 bytes of base64 less per order.
pub struct JwtSigner {
    access_key: Box<[u8]>,
    /// `base64url(header) "." base64url(payload opening[..3k])`.
    head: Box<[u8]>,
    /// The payload opening's last `len % 3` bytes, encoded with the rest of each payload.
    carry: Box<[u8]>,
    /// The HMAC context after [`head`](Self::head) (boxed: it is larger than the rest of the
    /// codec; cloned onto the stack for each token, so signing allocates nothing).
    mid: Box<hmac::Context>,
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
        let mut opening = b"{\"access_key\":\"".to_vec();
        opening.extend_from_slice(access_key);
        opening.extend_from_slice(b"\",\"nonce\":\"");
        let whole = opening.len() / 3 * 3;
        let mut head = HEADER_B64.to_vec();
        head.push(b'.');
        push_base64url(&mut head, &opening[..whole]);
        let mut mid = hmac::Context::with_key(&hmac::Key::new(hmac::HMAC_SHA256, secret));
        mid.update(&head);
        Ok(JwtSigner {
            access_key: access_key.into(),
            head: head.into(),
            carry: opening[whole..].into(),
            mid: Box::new(mid),
            payload: Vec::with_capacity(512),
        })
    }

    /// `text` with the access key replaced by `****` (cold path).
    pub fn redact(&self, text: &str) -> String {
        super::encode::redact(text, &[&self.access_key])
    }

    /// Append the token for `nonce` and, if there are parameters, their `query` string.
    pub fn write_token(&mut self, out: &mut Vec<u8>, nonce: &[u8], query: Option<&[u8]>) {
        // The payload after the opening's first 3k bytes (which `head` holds, encoded).
        let p = &mut self.payload;
        p.clear();
        p.extend_from_slice(&self.carry);
        p.extend_from_slice(nonce);
        p.push(b'"');
        if let Some(q) = query {
            p.extend_from_slice(b",\"query_hash\":\"");
            push_query_hash(p, q);
            p.extend_from_slice(b"\",\"query_hash_alg\":\"SHA512\"");
        }
        p.push(b'}');
        out.extend_from_slice(&self.head);
        let rest = out.len();
        push_base64url(out, p);
        let mut mac: hmac::Context = (*self.mid).clone();
        mac.update(&out[rest..]);
        let tag = mac.sign();
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
    fn tokens_equal_the_whole_payload_encoded_and_signed_for_every_key_length() {
        // The opening is 26 bytes plus the key: lengths 38..=43 cover every remainder mod 3.
        for len in 38..=43usize {
            let key: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let mut s = JwtSigner::new(&key, b"the-secret").unwrap();
            for query in [None, Some(&b"market=KRW-BTC&side=ask&volume=1"[..])] {
                let nonce = b"0f8fad5b-d9cb-469f-a165-70867728950e";
                let mut out = b"Bearer ".to_vec();
                s.write_token(&mut out, nonce, query);
                // The token from its definition: the whole payload, encoded and signed at once.
                let mut payload = format!(
                    r#"{{"access_key":"{}","nonce":"{}""#,
                    String::from_utf8_lossy(&key),
                    String::from_utf8_lossy(nonce)
                );
                if let Some(q) = query {
                    let mut qh = Vec::new();
                    push_hex(&mut qh, digest::digest(&digest::SHA512, q).as_ref());
                    payload += &format!(
                        r#","query_hash":"{}","query_hash_alg":"SHA512""#,
                        String::from_utf8_lossy(&qh)
                    );
                }
                payload += "}";
                let mut signed = HEADER_B64.to_vec();
                signed.push(b'.');
                signed.extend_from_slice(URL_SAFE_NO_PAD.encode(payload).as_bytes());
                let tag = reference_hmac_sha256(b"the-secret", &signed);
                let mut want = b"Bearer ".to_vec();
                want.extend_from_slice(&signed);
                want.push(b'.');
                want.extend_from_slice(URL_SAFE_NO_PAD.encode(tag).as_bytes());
                assert_eq!(
                    String::from_utf8_lossy(&out),
                    String::from_utf8_lossy(&want),
                    "key length {len}, query {}",
                    query.is_some()
                );
            }
        }
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
