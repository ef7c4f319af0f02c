//! `session.logon` as Binance checks it (binance-spot-api-docs `web-socket-api.md`, "SIGNED
//! request security", "Signing request using Ed25519" and "Log in with API key"), written here
//! from the documentation and independent of the engine's signer:
//!
//! 1. `apiKey` must be the configured key (else -2015);
//! 2. the payload is every param except `signature`, sorted by name, as `name=value` joined
//!    with `&` (values as sent: JSON strings without their quotes, numbers as written);
//! 3. `signature` is the standard-alphabet Base64 of the Ed25519 signature of that payload's
//!    UTF-8 bytes, checked with `ring::signature::UnparsedPublicKey` and the registered public
//!    key (else -1022);
//! 4. `timestamp` within `recvWindow` (default 5000 ms) and at most 1 s ahead (else -1021).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::signature::{UnparsedPublicKey, ED25519};
use serde_json::{Map, Value};

use super::super::auth::{check_timestamp, AuthError};
use crate::config::ApiCredentials;

/// A param's value as it goes into the payload: a string's contents, anything else as JSON.
pub(crate) fn param_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The signature payload of `params`: all but `signature`, sorted by name, `name=value&...`.
pub(crate) fn payload(params: &Map<String, Value>) -> String {
    let mut names: Vec<&String> = params.keys().filter(|k| *k != "signature").collect();
    names.sort();
    names
        .iter()
        .map(|k| format!("{k}={}", param_text(&params[k.as_str()])))
        .collect::<Vec<_>>()
        .join("&")
}

/// Check a `session.logon`'s `params` at server time `now_ms` against `creds.key` and the
/// registered Ed25519 `public_key` (none registered: the key is unknown for a session).
pub(crate) fn verify(
    creds: &ApiCredentials,
    public_key: Option<&[u8]>,
    params: &Map<String, Value>,
    now_ms: u64,
) -> Result<(), AuthError> {
    let key = params.get("apiKey").and_then(Value::as_str);
    let Some(public_key) = public_key.filter(|_| key == Some(creds.key.as_str())) else {
        return Err(AuthError::UnknownKey);
    };
    let sig = params
        .get("signature")
        .and_then(Value::as_str)
        .and_then(|s| STANDARD.decode(s).ok())
        .ok_or(AuthError::BadSignature)?;
    UnparsedPublicKey::new(&ED25519, public_key)
        .verify(payload(params).as_bytes(), &sig)
        .map_err(|_| AuthError::BadSignature)?;
    let text = |name: &str| params.get(name).map(param_text);
    let (ts, window) = (text("timestamp"), text("recvWindow"));
    check_timestamp(
        ts.as_deref().map(str::as_bytes),
        window.as_deref().map(str::as_bytes),
        now_ms,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{Ed25519KeyPair, KeyPair};

    fn signed(pair: &Ed25519KeyPair, key: &str, ts: u64) -> Map<String, Value> {
        let mut p = Map::new();
        p.insert("apiKey".into(), Value::String(key.into()));
        p.insert("timestamp".into(), Value::from(ts));
        let sig = STANDARD.encode(pair.sign(payload(&p).as_bytes()).as_ref());
        p.insert("signature".into(), Value::String(sig));
        p
    }

    #[test]
    fn payload_is_sorted_and_unquoted() {
        let v: Value = serde_json::from_str(
            r#"{"timestamp":1649729878532,"signature":"x","apiKey":"k","recvWindow":5000}"#,
        )
        .unwrap();
        assert_eq!(
            payload(v.as_object().unwrap()),
            "apiKey=k&recvWindow=5000&timestamp=1649729878532"
        );
    }

    #[test]
    fn good_and_bad_logons() {
        let rng = SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let other =
            Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref())
                .unwrap();
        let creds = ApiCredentials::new("k1", "unused");
        let pk = Some(pair.public_key().as_ref());
        let now = 1_700_000_000_000;
        assert_eq!(verify(&creds, pk, &signed(&pair, "k1", now), now), Ok(()));
        assert_eq!(
            verify(&creds, pk, &signed(&other, "k1", now), now),
            Err(AuthError::BadSignature)
        );
        assert_eq!(
            verify(&creds, pk, &signed(&pair, "k2", now), now),
            Err(AuthError::UnknownKey)
        );
        assert_eq!(
            verify(&creds, None, &signed(&pair, "k1", now), now),
            Err(AuthError::UnknownKey)
        );
        assert_eq!(
            verify(&creds, pk, &signed(&pair, "k1", now - 6000), now),
            Err(AuthError::StaleTimestamp)
        );
        let mut tampered = signed(&pair, "k1", now);
        tampered.insert("recvWindow".into(), Value::from(60000));
        assert_eq!(
            verify(&creds, pk, &tampered, now),
            Err(AuthError::BadSignature)
        );
    }
}
