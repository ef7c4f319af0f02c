//! Bybit and OKX verifiers against signatures built by hand with `ring` from the documented
//! recipes (the plain text to sign is Bybit's documented example string).

use super::*;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn creds() -> ApiCredentials {
    ApiCredentials {
        key: "XXXXXXXXXX".into(),
        secret: "bybit-or-okx-secret".into(),
        passphrase: "Pass-phrase1".into(),
    }
}

fn hmac_sha256(secret: &str, text: &str) -> Vec<u8> {
    let k = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    hmac::sign(&k, text.as_bytes()).as_ref().to_vec()
}

#[test]
fn bybit_documented_recipe() {
    let c = creds();
    // Bybit's GET example: timestamp + api_key + recv_window + queryString.
    let query = "category=option&symbol=BTC-29JUL22-25000-C";
    let text = "1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C";
    let sig = hex(&hmac_sha256(&c.secret, text));
    let h = BybitAuth {
        api_key: Some(b"XXXXXXXXXX"),
        timestamp: Some(b"1658384314791"),
        recv_window: Some(b"5000"),
        sign: Some(sig.as_bytes()),
    };
    let now = 1_658_384_314_791 + 100;
    assert_eq!(verify_bybit(&c, h, query.as_bytes(), now), Ok(()));
    // Upper-case hex decodes to the same bytes.
    let upper = sig.to_uppercase();
    let hu = BybitAuth {
        sign: Some(upper.as_bytes()),
        ..h
    };
    assert_eq!(verify_bybit(&c, hu, query.as_bytes(), now), Ok(()));
    // The POST example: the JSON body as sent.
    let body = r#"{"category": "option"}"#;
    let text = format!("1658385579423XXXXXXXXXX5000{body}");
    let sig2 = hex(&hmac_sha256(&c.secret, &text));
    let hp = BybitAuth {
        timestamp: Some(b"1658385579423"),
        sign: Some(sig2.as_bytes()),
        ..h
    };
    assert_eq!(
        verify_bybit(&c, hp, body.as_bytes(), 1_658_385_579_423),
        Ok(())
    );
    assert_eq!(
        verify_bybit(&c, hp, br#"{"category":"option"}"#, 1_658_385_579_423),
        Err(AuthError::BadSignature),
        "the body exactly as sent"
    );
    // Key, signature, window.
    let hk = BybitAuth {
        api_key: Some(b"other"),
        ..h
    };
    assert_eq!(
        verify_bybit(&c, hk, query.as_bytes(), now),
        Err(AuthError::UnknownKey)
    );
    let hn = BybitAuth { api_key: None, ..h };
    assert_eq!(
        verify_bybit(&c, hn, query.as_bytes(), now),
        Err(AuthError::UnknownKey)
    );
    assert_eq!(
        verify_bybit(&c, h, b"category=spot", now),
        Err(AuthError::BadSignature)
    );
    let hs = BybitAuth { sign: None, ..h };
    assert_eq!(
        verify_bybit(&c, hs, query.as_bytes(), now),
        Err(AuthError::BadSignature)
    );
    let ts = 1_658_384_314_791;
    // server_time - recv_window <= timestamp < server_time + 1000
    assert_eq!(verify_bybit(&c, h, query.as_bytes(), ts + 5000), Ok(()));
    assert_eq!(
        verify_bybit(&c, h, query.as_bytes(), ts + 5001),
        Err(AuthError::StaleTimestamp)
    );
    assert_eq!(verify_bybit(&c, h, query.as_bytes(), ts - 999), Ok(()));
    assert_eq!(
        verify_bybit(&c, h, query.as_bytes(), ts - 1000),
        Err(AuthError::StaleTimestamp)
    );
    // Without X-BAPI-RECV-WINDOW the default is 5000 and the signed text has none.
    let text = format!("{ts}XXXXXXXXXX{query}");
    let sig3 = hex(&hmac_sha256(&c.secret, &text));
    let hw = BybitAuth {
        recv_window: None,
        sign: Some(sig3.as_bytes()),
        ..h
    };
    assert_eq!(verify_bybit(&c, hw, query.as_bytes(), ts + 5000), Ok(()));
    assert_eq!(
        verify_bybit(&c, hw, query.as_bytes(), ts + 5001),
        Err(AuthError::StaleTimestamp)
    );
}

#[test]
fn iso8601() {
    assert_eq!(parse_iso8601_ms(b"1970-01-01T00:00:00.000Z"), Some(0));
    assert_eq!(
        parse_iso8601_ms(b"2020-12-08T09:08:57.715Z"),
        Some(1_607_418_537_715)
    );
    assert_eq!(
        parse_iso8601_ms(b"2024-02-29T23:59:59Z"),
        Some(1_709_251_199_000)
    );
    assert_eq!(
        parse_iso8601_ms(b"2020-12-08T09:08:57.7Z"),
        Some(1_607_418_537_700)
    );
    assert_eq!(
        parse_iso8601_ms(b"2020-12-08T09:08:57.715"),
        None,
        "UTC only"
    );
    assert_eq!(parse_iso8601_ms(b"1607418537715"), None);
    assert_eq!(parse_iso8601_ms(b"2020-13-08T09:08:57.715Z"), None);
}

#[test]
fn okx_documented_recipe() {
    let c = creds();
    let ts = "2020-12-08T09:08:57.715Z";
    let now = 1_607_418_537_715 + 200;
    let body = r#"{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"ioc","px":"1000","sz":"0.01"}"#;
    let text = format!("{ts}POST/api/v5/trade/order{body}");
    let sig = STANDARD.encode(hmac_sha256(&c.secret, &text));
    let h = OkxAuth {
        key: Some(b"XXXXXXXXXX"),
        passphrase: Some(b"Pass-phrase1"),
        timestamp: Some(ts.as_bytes()),
        sign: Some(sig.as_bytes()),
    };
    let post = |h, b: &str, n| verify_okx(&c, h, "POST", "/api/v5/trade/order", b.as_bytes(), n);
    assert_eq!(post(h, body, now), Ok(()));
    assert_eq!(
        post(h, &body.replace("1000", "1001"), now),
        Err(AuthError::BadSignature)
    );
    // A GET signs the path with its query string and no body.
    let path = "/api/v5/trade/order?instId=BTC-USDT&clOrdId=b15";
    let gsig = STANDARD.encode(hmac_sha256(&c.secret, &format!("{ts}GET{path}")));
    let g = OkxAuth {
        sign: Some(gsig.as_bytes()),
        ..h
    };
    assert_eq!(verify_okx(&c, g, "GET", path, b"", now), Ok(()));
    assert_eq!(
        verify_okx(&c, g, "GET", "/api/v5/trade/order", b"", now),
        Err(AuthError::BadSignature)
    );
    // Each header's own refusal.
    let none = |f: fn(&mut OkxAuth<'static>)| {
        let mut x = OkxAuth {
            key: Some(b"XXXXXXXXXX"),
            passphrase: Some(b"Pass-phrase1"),
            timestamp: Some(b"2020-12-08T09:08:57.715Z"),
            sign: Some(b"c2ln"),
        };
        f(&mut x);
        x
    };
    assert_eq!(
        post(none(|x| x.key = None), body, now),
        Err(AuthError::MissingHeader("OK-ACCESS-KEY"))
    );
    assert_eq!(
        post(none(|x| x.key = Some(b"k2")), body, now),
        Err(AuthError::UnknownKey)
    );
    assert_eq!(
        post(none(|x| x.passphrase = Some(b"")), body, now),
        Err(AuthError::MissingHeader("OK-ACCESS-PASSPHRASE"))
    );
    assert_eq!(
        post(none(|x| x.passphrase = Some(b"wrong")), body, now),
        Err(AuthError::BadPassphrase)
    );
    assert_eq!(
        post(none(|x| x.timestamp = None), body, now),
        Err(AuthError::MissingHeader("OK-ACCESS-TIMESTAMP"))
    );
    assert_eq!(
        post(none(|x| x.timestamp = Some(b"1607418537")), body, now),
        Err(AuthError::Malformed)
    );
    assert_eq!(
        post(none(|x| x.sign = None), body, now),
        Err(AuthError::MissingHeader("OK-ACCESS-SIGN"))
    );
    // 30 s either way.
    let t0 = 1_607_418_537_715;
    assert_eq!(post(h, body, t0 + 30_000), Ok(()));
    assert_eq!(post(h, body, t0 + 30_001), Err(AuthError::StaleTimestamp));
    assert_eq!(post(h, body, t0 - 30_000), Ok(()));
    assert_eq!(post(h, body, t0 - 30_001), Err(AuthError::StaleTimestamp));
}
