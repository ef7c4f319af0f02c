//! The mock's REST side over real HTTP, with requests signed by this test alone (ring HMAC-SHA256
//! for Binance, a hand-built HS256 JWT with the SHA-512 query_hash for Upbit): no engine code.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use mockex::{ApiCredentials, MockConfig, MockExchange, MockVenue, SyntheticSource, VenueKind};
use ring::{digest, hmac};

/// Binance's published example credentials (spot API docs), used as this run's.
const KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn start() -> MockExchange {
    let venues = vec![
        MockVenue::new("binance", VenueKind::Binance),
        MockVenue::new("upbit", VenueKind::Upbit),
    ];
    let mut cfg = MockConfig::synthetic(venues, SyntheticSource::default());
    cfg.rate_per_s = 2000;
    cfg.wait_for_subscribers = false;
    cfg.api = Some(ApiCredentials::new(KEY, SECRET));
    let ex = MockExchange::start(cfg).expect("start");
    let t = std::time::Instant::now();
    while ex.top_of_book("binance").is_none() || ex.top_of_book("upbit").is_none() {
        assert!(t.elapsed() < Duration::from_secs(10), "no quotes");
        std::thread::sleep(Duration::from_millis(2));
    }
    ex
}

/// One HTTP/1.1 request; the status and the JSON body.
fn http(
    base: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, serde_json::Value) {
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
        let text = String::from_utf8_lossy(&buf).into_owned();
        if let Some(i) = text.find("\r\n\r\n") {
            let len: usize = text[..i]
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            if buf.len() >= i + 4 + len {
                let status = text[9..12].parse().unwrap();
                let body = serde_json::from_slice(&buf[i + 4..i + 4 + len]).unwrap();
                return (status, body);
            }
        }
    }
}

fn now_ms() -> u64 {
    mockex::unix_ns() / 1_000_000
}

#[test]
fn binance_signed_order_fills_and_bad_signatures_are_refused() {
    let ex = start();
    let base = ex.endpoint("binance").unwrap().rest_url.clone().unwrap();
    let top = ex.top_of_book("binance").unwrap();
    // Buy well above the ask: fills (IOC) at the ask. Prices at scale 8.
    let px = top.ask_px * 2;
    let params = format!(
        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.00000001&price={}.{:08}&newClientOrderId=t1&recvWindow=5000&timestamp={}",
        px / 100_000_000,
        px % 100_000_000,
        now_ms()
    );
    let key = hmac::Key::new(hmac::HMAC_SHA256, SECRET.as_bytes());
    let sig = hex(hmac::sign(&key, params.as_bytes()).as_ref());
    let body = format!("{params}&signature={sig}");
    let (status, j) = http(
        &base,
        "POST",
        "/api/v3/order",
        &[("X-MBX-APIKEY", KEY)],
        &body,
    );
    assert_eq!(status, 200, "{j}");
    assert_eq!(j["status"], "FILLED");
    assert_eq!(j["clientOrderId"], "t1");
    assert_eq!(j["executedQty"], "0.00000001");
    let q = format!("symbol=BTCUSDT&origClientOrderId=t1&timestamp={}", now_ms());
    let qs = format!(
        "{q}&signature={}",
        hex(hmac::sign(&key, q.as_bytes()).as_ref())
    );
    let (status, j) = http(
        &base,
        "GET",
        &format!("/api/v3/order?{qs}"),
        &[("X-MBX-APIKEY", KEY)],
        "",
    );
    assert_eq!((status, j["status"].as_str()), (200, Some("FILLED")));
    let (status, j) = http(
        &base,
        "POST",
        "/api/v3/order",
        &[("X-MBX-APIKEY", KEY)],
        &format!("{params}&signature={}", "00".repeat(32)),
    );
    assert_eq!((status, j["code"].as_i64()), (400, Some(-1022)));
    let (status, j) = http(
        &base,
        "POST",
        "/api/v3/order",
        &[("X-MBX-APIKEY", "nope")],
        &body,
    );
    assert_eq!((status, j["code"].as_i64()), (401, Some(-2015)));
    let s = ex.venue_stats("binance").unwrap();
    assert_eq!((s.rest_orders, s.rest_fills), (3, 1));
}

#[test]
fn upbit_hand_built_jwt_order_is_accepted_and_a_bad_hash_refused() {
    let ex = start();
    let base = ex.endpoint("upbit").unwrap().rest_url.clone().unwrap();
    let top = ex.top_of_book("upbit").unwrap();
    let px = top.ask_px * 2;
    let price = format!("{}.{:08}", px / 100_000_000, px % 100_000_000);
    let body = format!(
        r#"{{"market":"USDT-BTC","side":"bid","volume":"0.00000001","price":"{price}","ord_type":"limit","identifier":"u1","time_in_force":"ioc"}}"#
    );
    let query = format!(
        "market=USDT-BTC&side=bid&volume=0.00000001&price={price}&ord_type=limit&identifier=u1&time_in_force=ioc"
    );
    let token = |hash: &str| {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"access_key":"{KEY}","nonce":"n-{hash}","query_hash":"{hash}","query_hash_alg":"SHA512"}}"#
        ));
        let input = format!("{header}.{payload}");
        let key = hmac::Key::new(hmac::HMAC_SHA256, SECRET.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(hmac::sign(&key, input.as_bytes()));
        format!("Bearer {input}.{sig}")
    };
    let hash = hex(digest::digest(&digest::SHA512, query.as_bytes()).as_ref());
    let auth = token(&hash);
    let json = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    let (status, j) = http(&base, "POST", "/v1/orders", &json, &body);
    assert_eq!(status, 201, "{j}");
    assert_eq!(
        (j["state"].as_str(), j["identifier"].as_str()),
        (Some("done"), Some("u1"))
    );
    let bad = token(&"0".repeat(128));
    let (status, j) = http(
        &base,
        "POST",
        "/v1/orders",
        &[("Authorization", bad.as_str())],
        &body,
    );
    assert_eq!(
        (status, j["error"]["name"].as_str()),
        (401, Some("invalid_query_payload"))
    );
    let s = ex.venue_stats("upbit").unwrap();
    assert_eq!((s.rest_orders, s.rest_fills), (2, 1));
}
