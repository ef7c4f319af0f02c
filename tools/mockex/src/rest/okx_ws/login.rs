//! OKX's WebSocket `login` as the venue checks it (OKX API v5 docs "WebSocket / Login" and "Error
//! Code / WebSocket"), written here from the documentation and independent of the engine's
//! signer:
//!
//! ```text
//! {"op":"login","args":[{"apiKey":"..","passphrase":"..","timestamp":"1538054050","sign":".."}]}
//! ```
//!
//! 1. `args` is one object with `apiKey`, `passphrase`, `timestamp`, `sign`, none empty
//!    (else 60027 "Parameter {0} can not be empty.");
//! 2. `apiKey` is the configured key (else 60005 "Invalid apiKey");
//! 3. `passphrase` is the configured one (else 60024 "Wrong passphrase");
//! 4. `timestamp` is unix **seconds**, decimals allowed (the docs' example is
//!    `'' + Date.now() / 1000`; else 60004 "Invalid timestamp"), and "the request will expire 30
//!    seconds after the timestamp" (older than 30 s, or more than 30 s ahead: 60006 "Timestamp
//!    request expired");
//! 5. `sign` is the standard Base64 of HMAC-SHA256(secret, `timestamp + "GET" +
//!    "/users/self/verify"`), the timestamp as sent (else 60007 "Invalid sign").
//!
//! Which code each failure gets (rather than the docs' generic example, 60009 "Login failed.") is
//! our reading of OKX's WebSocket error table; 60009 is kept for an `args` that is not a list of
//! exactly one login.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::hmac;
use serde_json::Value;

use crate::config::ApiCredentials;

/// How far a login's timestamp may be from the server's clock, ms ("expire 30 seconds after").
pub(crate) const TIMESTAMP_TOLERANCE_MS: u64 = 30_000;

/// What OKX signs after the timestamp.
const SIGNED_SUFFIX: &str = "GET/users/self/verify";

/// A refused login: OKX's error `code` and `msg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    /// The error code (60004, 60005, 60006, 60007, 60009, 60024, 60027).
    pub code: u32,
    /// The message.
    pub msg: String,
}

fn refused(code: u32, msg: impl Into<String>) -> Refused {
    Refused {
        code,
        msg: msg.into(),
    }
}

/// Unix ms of a seconds timestamp with optional decimals (`1538054050`, `1538054050.123`);
/// `None` when it is not one.
pub(crate) fn seconds_to_ms(ts: &str) -> Option<u64> {
    let (int, frac) = ts.split_once('.').unwrap_or((ts, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) || (ts.contains('.') && frac.is_empty()) {
        return None;
    }
    let s: u64 = int.parse().ok()?;
    let mut ms = 0u64;
    for (i, b) in frac.bytes().take(3).enumerate() {
        ms += u64::from(b - b'0') * 10u64.pow(2 - i as u32);
    }
    s.checked_mul(1000)?.checked_add(ms)
}

/// Check a `login` op's `args` at server time `now_ms` against `creds`.
pub(crate) fn verify(
    creds: &ApiCredentials,
    args: Option<&Value>,
    now_ms: u64,
) -> Result<(), Refused> {
    let one = match args.and_then(Value::as_array).map(Vec::as_slice) {
        Some([one]) => one.as_object(),
        _ => None,
    };
    let Some(a) = one else {
        return Err(refused(60009, "Login failed."));
    };
    let field = |name: &'static str| -> Result<&str, Refused> {
        a.get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| refused(60027, format!("Parameter {name} can not be empty.")))
    };
    let (key, pass, ts, sign) = (
        field("apiKey")?,
        field("passphrase")?,
        field("timestamp")?,
        field("sign")?,
    );
    if key != creds.key {
        return Err(refused(60005, "Invalid apiKey"));
    }
    if pass != creds.passphrase || creds.passphrase.is_empty() {
        return Err(refused(60024, "Wrong passphrase"));
    }
    let Some(ts_ms) = seconds_to_ms(ts) else {
        return Err(refused(60004, "Invalid timestamp"));
    };
    if ts_ms.abs_diff(now_ms) > TIMESTAMP_TOLERANCE_MS {
        return Err(refused(60006, "Timestamp request expired"));
    }
    let sig = STANDARD
        .decode(sign)
        .map_err(|_| refused(60007, "Invalid sign"))?;
    let key = hmac::Key::new(hmac::HMAC_SHA256, creds.secret.as_bytes());
    let signed = format!("{ts}{SIGNED_SUFFIX}");
    hmac::verify(&key, signed.as_bytes(), &sig).map_err(|_| refused(60007, "Invalid sign"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> ApiCredentials {
        ApiCredentials::new("k1", "s1").with_passphrase("p1")
    }

    fn args(key: &str, pass: &str, ts: &str, secret: &str) -> Value {
        let k = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        let sign = STANDARD.encode(hmac::sign(
            &k,
            format!("{ts}GET/users/self/verify").as_bytes(),
        ));
        serde_json::json!([{"apiKey":key,"passphrase":pass,"timestamp":ts,"sign":sign}])
    }

    #[test]
    fn seconds_read_with_or_without_decimals() {
        assert_eq!(seconds_to_ms("1538054050"), Some(1_538_054_050_000));
        assert_eq!(seconds_to_ms("1538054050.5"), Some(1_538_054_050_500));
        assert_eq!(seconds_to_ms("1538054050.1234"), Some(1_538_054_050_123));
        for bad in ["", ".5", "1.", "12a", "-1", "2024-01-01T00:00:00Z"] {
            assert_eq!(seconds_to_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn codes_of_each_failure() {
        let c = creds();
        let now = 1_700_000_000_000u64;
        let ts = "1700000000";
        let code = |v: &Value| verify(&c, Some(v), now).err().map(|r| r.code);
        assert_eq!(code(&args("k1", "p1", ts, "s1")), None);
        assert_eq!(code(&args("k1", "p1", "1700000000.250", "s1")), None);
        assert_eq!(code(&args("k2", "p1", ts, "s1")), Some(60005));
        assert_eq!(code(&args("k1", "p2", ts, "s1")), Some(60024));
        assert_eq!(code(&args("k1", "p1", "soon", "s1")), Some(60004));
        assert_eq!(code(&args("k1", "p1", "1699999969", "s1")), Some(60006));
        assert_eq!(code(&args("k1", "p1", "1700000031", "s1")), Some(60006));
        assert_eq!(code(&args("k1", "p1", ts, "s2")), Some(60007));
        assert_eq!(code(&serde_json::json!([])), Some(60009));
        assert_eq!(
            code(&serde_json::json!([{"apiKey":"k1","passphrase":"p1","timestamp":ts}])),
            Some(60027)
        );
        assert_eq!(verify(&c, None, now).err().map(|r| r.code), Some(60009));
    }
}
