//! A plain HTTP/1.1 client and each venue's request signing, written for these tests alone from
//! the venues' documented recipes with `ring` (no engine code): Binance HMAC query signature,
//! Upbit HS256 JWT with the SHA-512 query_hash, Bybit `X-BAPI-*` headers, OKX `OK-ACCESS-*`
//! headers with the passphrase.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use mockex::{ApiCredentials, MockConfig, MockExchange, MockVenue, RestLimits, SyntheticSource};
use ring::{digest, hmac};

/// The run's API key.
pub const KEY: &str = "test-key-0123";
/// The run's API secret.
pub const SECRET: &str = "test-secret-4567";
/// The run's OKX passphrase.
pub const PASSPHRASE: &str = "Test-pass-89";

/// One answer: status, headers (names lower case), JSON body.
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: serde_json::Value,
}

impl Resp {
    /// The header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Start a mock serving `venues` (one of each kind listed, named after it) with REST on.
pub fn start(venues: &[mockex::VenueKind], limits: RestLimits) -> MockExchange {
    start_with(venues, |cfg| cfg.rest_limits = limits)
}

/// [`start`] with `edit` applied to the config first.
pub fn start_with(
    venues: &[mockex::VenueKind],
    edit: impl FnOnce(&mut MockConfig),
) -> MockExchange {
    let list = venues
        .iter()
        .map(|&k| MockVenue::new(k.name(), k))
        .collect();
    let mut cfg = MockConfig::synthetic(list, SyntheticSource::default());
    cfg.rate_per_s = 2000;
    cfg.wait_for_subscribers = false;
    cfg.api = Some(ApiCredentials::new(KEY, SECRET).with_passphrase(PASSPHRASE));
    edit(&mut cfg);
    let ex = MockExchange::start(cfg).expect("start");
    let t = std::time::Instant::now();
    for k in venues {
        while ex.top_of_book(k.name()).is_none() {
            assert!(t.elapsed() < Duration::from_secs(10), "no quotes");
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    ex
}

/// Venue `name`'s REST base URL.
pub fn base(ex: &MockExchange, name: &str) -> String {
    ex.endpoint(name).unwrap().rest_url.clone().unwrap()
}

/// One request on a fresh connection.
pub fn http(base: &str, method: &str, target: &str, headers: &[(&str, &str)], body: &str) -> Resp {
    let addr = base.strip_prefix("http://").unwrap();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut req = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req += &format!("{k}: {v}\r\n");
    }
    req += "\r\n";
    req += body;
    s.write_all(req.as_bytes()).unwrap();
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    loop {
        let n = s.read(&mut tmp).unwrap();
        assert!(n > 0, "connection closed before the answer");
        buf.extend_from_slice(&tmp[..n]);
        let mut hs = [httparse::EMPTY_HEADER; 32];
        let mut r = httparse::Response::new(&mut hs);
        if let Ok(httparse::Status::Complete(head)) = r.parse(&buf) {
            let headers: Vec<(String, String)> = r
                .headers
                .iter()
                .map(|h| {
                    (
                        h.name.to_ascii_lowercase(),
                        String::from_utf8_lossy(h.value).into_owned(),
                    )
                })
                .collect();
            let len: usize = headers
                .iter()
                .find(|(k, _)| k == "content-length")
                .map(|(_, v)| v.parse().unwrap())
                .unwrap();
            if buf.len() >= head + len {
                let body = serde_json::from_slice(&buf[head..head + len])
                    .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&buf)));
                return Resp {
                    status: r.code.unwrap(),
                    headers,
                    body,
                };
            }
        }
    }
}

/// Poll `f` every 10 ms for up to 10 s until it gives `Some`.
pub fn eventually<T>(mut f: impl FnMut() -> Option<T>) -> T {
    let t = std::time::Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(t.elapsed() < Duration::from_secs(10), "not within 10 s");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Coarse rules: tick 0.01, step 0.0001, minimum 0.001, minimum notional 5.
pub fn coarse() -> mockex::InstrumentRules {
    mockex::InstrumentRules {
        tick: Some("0.01".into()),
        step: Some("0.0001".into()),
        min_qty: Some("0.001".into()),
        min_notional: Some("5".into()),
    }
}

/// `m` (scale 8) rounded down to a multiple of 0.01, as text with 2 decimals.
pub fn px2(m: i64) -> String {
    let c = m / 1_000_000;
    format!("{}.{:02}", c / 100, c % 100)
}

/// Unix ms now.
pub fn now_ms() -> u64 {
    mockex::unix_ns() / 1_000_000
}

/// Lowercase hex.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn hmac256(secret: &str, text: &[u8]) -> Vec<u8> {
    let k = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    hmac::sign(&k, text).as_ref().to_vec()
}

/// A price mantissa (scale 8) as text.
pub fn px8(m: i64) -> String {
    format!("{}.{:08}", m / 100_000_000, m % 100_000_000)
}

/// A signed Binance request: `params` (without timestamp) in the query string.
pub fn binance(base: &str, method: &str, path: &str, params: &str, secret: &str) -> Resp {
    let sep = if params.is_empty() { "" } else { "&" };
    let p = format!("{params}{sep}recvWindow=5000&timestamp={}", now_ms());
    let sig = hex(&hmac256(secret, p.as_bytes()));
    let target = format!("{path}?{p}&signature={sig}");
    http(base, method, &target, &[("X-MBX-APIKEY", KEY)], "")
}

/// An Upbit JWT for `query` (empty: no parameters).
pub fn upbit_token(secret: &str, query: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
    let nonce = mockex::unix_ns();
    let payload = if query.is_empty() {
        format!(r#"{{"access_key":"{KEY}","nonce":"n{nonce}"}}"#)
    } else {
        let hash = hex(digest::digest(&digest::SHA512, query.as_bytes()).as_ref());
        format!(
            r#"{{"access_key":"{KEY}","nonce":"n{nonce}","query_hash":"{hash}","query_hash_alg":"SHA512"}}"#
        )
    };
    let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(payload));
    let sig = URL_SAFE_NO_PAD.encode(hmac256(secret, input.as_bytes()));
    format!("Bearer {input}.{sig}")
}

/// An Upbit request: a POST sends `pairs` as a JSON body, anything else as the query string.
pub fn upbit(base: &str, method: &str, path: &str, pairs: &[(&str, &str)]) -> Resp {
    let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let query = query.join("&");
    let auth = upbit_token(SECRET, &query);
    if method == "POST" {
        let members: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!(r#""{k}":"{v}""#))
            .collect();
        let body = format!("{{{}}}", members.join(","));
        let h = [
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/json"),
        ];
        http(base, method, path, &h, &body)
    } else {
        let target = if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        };
        http(
            base,
            method,
            &target,
            &[("Authorization", auth.as_str())],
            "",
        )
    }
}

/// A Bybit v5 request signed with `secret` at `ts`: a POST sends `payload` as its JSON body, a
/// GET as its query string.
pub fn bybit_at(
    base: &str,
    method: &str,
    path: &str,
    payload: &str,
    key: &str,
    secret: &str,
    ts: u64,
) -> Resp {
    let text = format!("{ts}{key}5000{payload}");
    let sig = hex(&hmac256(secret, text.as_bytes()));
    let ts = ts.to_string();
    let h = [
        ("X-BAPI-API-KEY", key),
        ("X-BAPI-TIMESTAMP", ts.as_str()),
        ("X-BAPI-RECV-WINDOW", "5000"),
        ("X-BAPI-SIGN", sig.as_str()),
        ("Content-Type", "application/json"),
    ];
    if method == "POST" {
        http(base, method, path, &h, payload)
    } else {
        http(base, method, &format!("{path}?{payload}"), &h, "")
    }
}

/// [`bybit_at`] now with the run's credentials.
pub fn bybit(base: &str, method: &str, path: &str, payload: &str) -> Resp {
    bybit_at(base, method, path, payload, KEY, SECRET, now_ms())
}

/// ISO 8601 UTC with ms of unix ms `t` (what OKX's timestamp header carries).
pub fn iso(t: u64) -> String {
    let secs = (t / 1000) as i64;
    let (days, s) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        s / 3600,
        s % 3600 / 60,
        s % 60,
        t % 1000
    )
}

/// The OKX auth headers of one request, as (key, passphrase, timestamp, sign).
pub struct OkxCreds<'a> {
    pub key: &'a str,
    pub secret: &'a str,
    pub passphrase: &'a str,
    pub ts: u64,
}

impl Default for OkxCreds<'_> {
    fn default() -> Self {
        OkxCreds {
            key: KEY,
            secret: SECRET,
            passphrase: PASSPHRASE,
            ts: now_ms(),
        }
    }
}

/// An OKX v5 request: `target` is the path with its query; a POST carries `body`.
pub fn okx_with(base: &str, method: &str, target: &str, body: &str, c: OkxCreds<'_>) -> Resp {
    let ts = iso(c.ts);
    let text = format!("{ts}{method}{target}{body}");
    let sig = STANDARD.encode(hmac256(c.secret, text.as_bytes()));
    let h = [
        ("OK-ACCESS-KEY", c.key),
        ("OK-ACCESS-PASSPHRASE", c.passphrase),
        ("OK-ACCESS-TIMESTAMP", ts.as_str()),
        ("OK-ACCESS-SIGN", sig.as_str()),
        ("Content-Type", "application/json"),
    ];
    http(base, method, target, &h, body)
}

/// [`okx_with`] with the run's credentials, now.
pub fn okx(base: &str, method: &str, target: &str, body: &str) -> Resp {
    okx_with(base, method, target, body, OkxCreds::default())
}
