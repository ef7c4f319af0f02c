//! `auth` on Bybit's trade socket and private stream, checked as Bybit documents it
//! (bybit-exchange/docs `docs/v5/websocket/wss-authentication.mdx` "Authentication",
//! `docs/v5/websocket/trade/guideline.mdx` "Authentication"), written here from the docs and
//! independent of the engine's signer:
//!
//! `{"op":"auth","args":[apiKey, expires, signature]}` with `expires` unix ms ("is greater than
//! your current timestamp") and `signature` = lowercase hex `HMAC-SHA256(secret, "GET/realtime"
//! + expires)`, verified with `ring`. Checks in order: three args of the right types (else
//! param error), the key (else invalid key), the signature (else invalid sign), `expires` still
//! ahead of the server clock (else expired); a second `auth` on a socket is "repeat auth".
//!
//! Answers: the trade socket's `{"reqId"?,"retCode","retMsg","op":"auth","connId"}` (docs: 0,
//! 20001 repeat auth, 10004 invalid sign, 10001 param error; an unknown key takes 10003, the v5
//! "API key is invalid" code, and an expired `expires` 10001: our reading, no published example),
//! and the private stream's `{"req_id"?,"success","ret_msg","op":"auth","conn_id"}` (docs'
//! success example; the failure texts are our reading).

use ring::hmac;
use serde_json::Value;

use super::super::auth::hex_decode;
use crate::config::ApiCredentials;

/// Why an `auth` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthRefusal {
    /// `args` is not `[string, integer, string]`.
    Malformed,
    /// Not the configured key.
    UnknownKey,
    /// The signature is not hex, or not the HMAC of `"GET/realtime" + expires`.
    BadSignature,
    /// `expires` is not ahead of the server clock.
    Expired,
    /// The socket was already authenticated.
    Repeated,
}

impl AuthRefusal {
    /// The trade socket's `retCode` and `retMsg`.
    pub fn trade_code(self) -> (i32, &'static str) {
        match self {
            AuthRefusal::Malformed => (10001, "Params Error"),
            AuthRefusal::UnknownKey => (10003, "Invalid apikey"),
            AuthRefusal::BadSignature => (10004, "Invalid sign"),
            AuthRefusal::Expired => (10001, "Request expired"),
            AuthRefusal::Repeated => (20001, "Repeat auth"),
        }
    }

    /// The private stream's `ret_msg`.
    pub fn private_msg(self) -> &'static str {
        match self {
            AuthRefusal::Malformed => "Params Error",
            AuthRefusal::UnknownKey => "Invalid apikey",
            AuthRefusal::BadSignature => "Invalid sign",
            AuthRefusal::Expired => "Request expired",
            AuthRefusal::Repeated => "Repeat auth",
        }
    }
}

/// `expires` as sent: a JSON integer (the docs' example) or a string of digits.
fn expires_of(v: &Value) -> Option<(u64, String)> {
    match v {
        Value::Number(n) => n.as_u64().map(|e| (e, n.to_string())),
        Value::String(s) => s.parse().ok().map(|e| (e, s.clone())),
        _ => None,
    }
}

/// Check the `args` of an `auth` at server time `now_ms` against `creds`.
pub(crate) fn verify(
    creds: &ApiCredentials,
    args: Option<&Value>,
    now_ms: u64,
) -> Result<(), AuthRefusal> {
    let args = args
        .and_then(Value::as_array)
        .ok_or(AuthRefusal::Malformed)?;
    let [key, expires, sig] = args.as_slice() else {
        return Err(AuthRefusal::Malformed);
    };
    let (Some(key), Some((expires, expires_text)), Some(sig)) =
        (key.as_str(), expires_of(expires), sig.as_str())
    else {
        return Err(AuthRefusal::Malformed);
    };
    if key != creds.key {
        return Err(AuthRefusal::UnknownKey);
    }
    let sig = hex_decode(sig.as_bytes()).ok_or(AuthRefusal::BadSignature)?;
    let payload = format!("GET/realtime{expires_text}");
    let k = hmac::Key::new(hmac::HMAC_SHA256, creds.secret.as_bytes());
    hmac::verify(&k, payload.as_bytes(), &sig).map_err(|_| AuthRefusal::BadSignature)?;
    if expires <= now_ms {
        return Err(AuthRefusal::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, expires: u64) -> String {
        let k = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        let tag = hmac::sign(&k, format!("GET/realtime{expires}").as_bytes());
        tag.as_ref().iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn good_and_bad_auths() {
        let creds = ApiCredentials::new("k", "s");
        let now = 1_700_000_000_000;
        let args = |key: &str, e: Value, sig: &str| {
            Value::from(vec![Value::from(key), e, Value::from(sig)])
        };
        let ok = args("k", Value::from(now + 1000), &sign("s", now + 1000));
        assert_eq!(verify(&creds, Some(&ok), now), Ok(()));
        let text = args(
            "k",
            Value::from((now + 1000).to_string()),
            &sign("s", now + 1000),
        );
        assert_eq!(verify(&creds, Some(&text), now), Ok(()));
        let expired = args("k", Value::from(now), &sign("s", now));
        assert_eq!(
            verify(&creds, Some(&expired), now),
            Err(AuthRefusal::Expired)
        );
        let other = args("x", Value::from(now + 1000), &sign("s", now + 1000));
        assert_eq!(
            verify(&creds, Some(&other), now),
            Err(AuthRefusal::UnknownKey)
        );
        let wrong = args("k", Value::from(now + 1000), &sign("t", now + 1000));
        assert_eq!(
            verify(&creds, Some(&wrong), now),
            Err(AuthRefusal::BadSignature)
        );
        let not_hex = args("k", Value::from(now + 1000), "zz");
        assert_eq!(
            verify(&creds, Some(&not_hex), now),
            Err(AuthRefusal::BadSignature)
        );
        assert_eq!(verify(&creds, None, now), Err(AuthRefusal::Malformed));
        let short = Value::from(vec![Value::from("k")]);
        assert_eq!(
            verify(&creds, Some(&short), now),
            Err(AuthRefusal::Malformed)
        );
    }
}
