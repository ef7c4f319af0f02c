//! The mock exchange's REST side held to the venues' contract with a plain blocking HTTP/1.1
//! client (not the engine's): Binance -2015 / -1022 / -1021, parameters in the query string,
//! usage headers, 429 + Retry-After then 418 for a client that keeps going, status queries;
//! Upbit 401 error bodies, `Remaining-Req`, 429; faults; keep-alive across requests.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::common::mockex_rest::{self, Venue, BINANCE_UPBIT, KEY, SECRET};
use microarb::exec::gateway::codec::binance::sign;
use microarb::exec::gateway::codec::jwt::JwtSigner;
use microarb::model::VenueKind;
use mockex::{MockExchange, RestFault, RestLimits};

/// Binance, Upbit and OKX, all with REST (OKX's side is held to its contract in
/// `tools/mockex/tests/rest_okx.rs`).
fn start(limits: RestLimits) -> MockExchange {
    let okx = Venue {
        name: "okx",
        kind: VenueKind::Okx,
        extra: "",
    };
    mockex_rest::start(&[BINANCE_UPBIT[0], BINANCE_UPBIT[1], okx], limits)
}

struct Http {
    s: TcpStream,
    buf: Vec<u8>,
}

/// One response: status, headers (lower-case names), body.
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: serde_json::Value,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Http {
    fn connect(ex: &MockExchange, venue: &str) -> Http {
        let url = ex.endpoint(venue).unwrap().rest_url.clone().unwrap();
        let s = TcpStream::connect(url.strip_prefix("http://").unwrap()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        Http { s, buf: Vec::new() }
    }

    fn send(&mut self, head: &str, body: &str) -> Resp {
        let req = format!("{head}Content-Length: {}\r\n\r\n{body}", body.len());
        self.s.write_all(req.as_bytes()).unwrap();
        loop {
            let mut hs = [httparse::EMPTY_HEADER; 32];
            let mut r = httparse::Response::new(&mut hs);
            if let Ok(httparse::Status::Complete(n)) = r.parse(&self.buf) {
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
                    .unwrap()
                    .1
                    .parse()
                    .unwrap();
                if self.buf.len() >= n + len {
                    let status = r.code.unwrap();
                    let body = serde_json::from_slice(&self.buf[n..n + len]).unwrap();
                    self.buf.drain(..n + len);
                    return Resp {
                        status,
                        headers,
                        body,
                    };
                }
            }
            let mut tmp = [0u8; 4096];
            let k = self.s.read(&mut tmp).expect("an answer");
            assert!(k > 0, "closed");
            self.buf.extend_from_slice(&tmp[..k]);
        }
    }

    /// A signed Binance request with `params` in the body (or in the query string).
    fn binance(&mut self, method: &str, params: &str, secret: &str, in_query: bool) -> Resp {
        let signed = format!(
            "{params}&signature={}",
            std::str::from_utf8(&sign(secret.as_bytes(), params.as_bytes())).unwrap()
        );
        let (q, b) = if in_query {
            (format!("?{signed}"), String::new())
        } else {
            (String::new(), signed)
        };
        let head =
            format!("{method} /api/v3/order{q} HTTP/1.1\r\nHost: x\r\nX-MBX-APIKEY: {KEY}\r\n");
        self.send(&head, &b)
    }
}

fn now_ms() -> u64 {
    mockex::unix_ns() / 1_000_000
}

fn order_params(ex: &MockExchange, id: &str, ts: u64) -> String {
    let ask = ex.top_of_book("binance").unwrap().ask_px as f64 / 1e8;
    format!(
        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.001&price={:.2}&newClientOrderId={id}&newOrderRespType=RESULT&recvWindow=5000&timestamp={ts}",
        ask * 1.05
    )
}

#[test]
fn binance_contract() {
    let ex = start(RestLimits {
        binance_orders_10s: 2,
        ..RestLimits::default()
    });
    assert!(ex.endpoint("okx").unwrap().rest_url.is_some());
    let mut h = Http::connect(&ex, "binance");
    // Unknown key.
    let r = h.send(
        "POST /api/v3/order HTTP/1.1\r\nHost: x\r\nX-MBX-APIKEY: nope\r\n",
        "symbol=BTCUSDT",
    );
    assert_eq!((r.status, r.body["code"].as_i64()), (401, Some(-2015)));
    // Wrong secret, stale timestamp.
    let r = h.binance("POST", &order_params(&ex, "a1", now_ms()), "wrong", false);
    assert_eq!((r.status, r.body["code"].as_i64()), (400, Some(-1022)));
    let r = h.binance(
        "POST",
        &order_params(&ex, "a1", now_ms() - 60_000),
        SECRET,
        false,
    );
    assert_eq!((r.status, r.body["code"].as_i64()), (400, Some(-1021)));
    // Stay clear of the end of Binance's fixed 10 s order window, so the counts below hold.
    while now_ms() % 10_000 > 8_000 {
        std::thread::sleep(Duration::from_millis(50));
    }
    // A good order fills; usage headers count it; same connection (keep-alive).
    let r = h.binance("POST", &order_params(&ex, "a1", now_ms()), SECRET, false);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "FILLED");
    assert_eq!(r.body["executedQty"], "0.001");
    assert_eq!(r.header("x-mbx-order-count-10s"), Some("1"));
    assert!(r.header("x-mbx-used-weight-1m").is_some());
    // Parameters in the query string work too; the status query finds the order.
    let r = h.binance("POST", &order_params(&ex, "a2", now_ms()), SECRET, true);
    assert_eq!(r.status, 200, "{}", r.body);
    let q = format!(
        "symbol=BTCUSDT&origClientOrderId=a1&recvWindow=5000&timestamp={}",
        now_ms()
    );
    let r = h.binance("GET", &q, SECRET, true);
    assert_eq!(
        (r.status, r.body["clientOrderId"].as_str()),
        (200, Some("a1"))
    );
    let q = q.replace("=a1&", "=zz&");
    let r = h.binance("GET", &q, SECRET, true);
    assert_eq!((r.status, r.body["code"].as_i64()), (400, Some(-2013)));
    // Third order in 10 s: 429 with Retry-After; going on is a 418.
    let r = h.binance("POST", &order_params(&ex, "a3", now_ms()), SECRET, false);
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() <= 10);
    let r = h.binance("POST", &order_params(&ex, "a4", now_ms()), SECRET, false);
    assert_eq!(r.status, 418);
    let s = ex.venue_stats("binance").unwrap();
    assert_eq!(
        (
            s.rest_unknown_keys,
            s.rest_bad_signatures,
            s.rest_stale_timestamps,
            s.rest_fills,
            s.rest_429s,
            s.rest_418s,
            s.rest_connections
        ),
        (1, 1, 1, 2, 1, 1, 1)
    );
    // Every placement's arrival is on record (status queries are not), oldest first.
    let times = ex.rest_order_times("binance").unwrap();
    assert_eq!(times.len() as u64, s.rest_orders, "{s:?}");
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(
        ex.rest_order_times("okx"),
        Some(vec![]),
        "nothing sent to OKX"
    );
    assert!(ex.rest_order_times("kraken").is_none(), "no such venue");
}

#[test]
fn binance_on_a_skewed_server_clock() {
    let ex = start(RestLimits::default());
    let ctl = ex.control();
    let mut h = Http::connect(&ex, "binance");
    // The server's clock 5 s behind the host's: server time says so, and a request signed with
    // the host's clock is 5 s ahead of it.
    ctl.set_rest_clock_offset_ms(-5_000).unwrap();
    let r = h.send("GET /api/v3/time HTTP/1.1\r\nHost: x\r\n", "");
    let server = r.body["serverTime"].as_i64().unwrap();
    let host = now_ms() as i64;
    assert!(
        (server - (host - 5_000)).abs() < 1_000,
        "{server} vs {host}"
    );
    let r = h.binance("POST", &order_params(&ex, "s1", now_ms()), SECRET, false);
    assert_eq!((r.status, r.body["code"].as_i64()), (400, Some(-1021)));
    assert_eq!(
        r.body["msg"],
        "Timestamp for this request was 1000ms ahead of the server's time."
    );
    // Signed on the server's clock it fills.
    let r = h.binance(
        "POST",
        &order_params(&ex, "s2", now_ms() - 5_000),
        SECRET,
        false,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    // 6 s ahead: the host's timestamp is older than the 5000 ms recvWindow allows.
    ctl.set_rest_clock_offset_ms(6_000).unwrap();
    let r = h.binance("POST", &order_params(&ex, "s3", now_ms()), SECRET, false);
    assert_eq!((r.status, r.body["code"].as_i64()), (400, Some(-1021)));
    assert_eq!(
        r.body["msg"],
        "Timestamp for this request is outside of the recvWindow."
    );
    let s = ex.venue_stats("binance").unwrap();
    assert_eq!((s.rest_stale_timestamps, s.rest_fills), (2, 1), "{s:?}");
}

#[test]
fn upbit_contract_and_faults() {
    let ex = start(RestLimits {
        upbit_order_per_sec: 2,
        ..RestLimits::default()
    });
    let mut h = Http::connect(&ex, "upbit");
    let bid = ex.top_of_book("upbit").unwrap().bid_px as f64 / 1e8;
    let order = |id: &str| {
        let json = format!(
            r#"{{"market":"USDT-BTC","side":"ask","volume":"0.001","price":"{:.2}","ord_type":"limit","identifier":"{id}","time_in_force":"ioc"}}"#,
            bid * 0.95
        );
        let query = format!(
            "market=USDT-BTC&side=ask&volume=0.001&price={:.2}&ord_type=limit&identifier={id}&time_in_force=ioc",
            bid * 0.95
        );
        (json, query)
    };
    let token = |secret: &str, query: &str| {
        let mut t = Vec::new();
        JwtSigner::new(KEY.as_bytes(), secret.as_bytes())
            .unwrap()
            .write_token(&mut t, b"nonce-x", Some(query.as_bytes()));
        String::from_utf8(t).unwrap()
    };
    let post = |h: &mut Http, secret: &str, json: &str, query: &str| {
        let head = format!(
            "POST /v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\n",
            token(secret, query)
        );
        h.send(&head, json)
    };
    let (j, q) = order("u1");
    let r = post(&mut h, "wrong", &j, &q);
    assert_eq!(
        (r.status, r.body["error"]["name"].as_str()),
        (401, Some("jwt_verification"))
    );
    let r = post(&mut h, SECRET, &j, "market=other");
    assert_eq!(r.body["error"]["name"], "invalid_query_payload");
    let r = post(&mut h, SECRET, &j, &q);
    assert_eq!(
        (r.status, r.body["state"].as_str()),
        (201, Some("done")),
        "{}",
        r.body
    );
    let rem = r.header("remaining-req").unwrap();
    assert!(
        rem.starts_with("group=order; min=") && rem.ends_with("sec=1"),
        "{rem}"
    );
    // Status query.
    let head = format!(
        "GET /v1/order?identifier=u1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n",
        token(SECRET, "identifier=u1")
    );
    let r = h.send(&head, "");
    assert_eq!((r.status, r.body["identifier"].as_str()), (200, Some("u1")));
    // Faults: reject, 5xx (the order executed anyway), storm.
    let ctl = ex.control();
    ctl.inject_rest("upbit", RestFault::Reject).unwrap();
    let (j, q) = order("u2");
    assert_eq!(post(&mut h, SECRET, &j, &q).status, 400);
    ctl.inject_rest("upbit", RestFault::ServerError).unwrap();
    std::thread::sleep(Duration::from_millis(1000)); // a fresh second for the limit
    let (j, q) = order("u3");
    assert_eq!(post(&mut h, SECRET, &j, &q).status, 500);
    ctl.inject_rest("upbit", RestFault::RateLimitStorm).unwrap();
    let (j, q) = order("u4");
    let r = post(&mut h, SECRET, &j, &q);
    assert_eq!((r.status, r.header("retry-after")), (429, Some("1")));
    assert!(
        ctl.inject_rest("kraken", RestFault::Clear).is_err(),
        "no such venue"
    );
    ctl.inject_rest("upbit", RestFault::Clear).unwrap();
    // Past the per-second limit: 429 (all three inside one of Upbit's fixed seconds).
    std::thread::sleep(Duration::from_millis(1000));
    while now_ms() % 1000 > 500 {
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut statuses = Vec::new();
    for i in 0..3 {
        let (j, q) = order(&format!("v{i}"));
        statuses.push(post(&mut h, SECRET, &j, &q).status);
    }
    assert_eq!(
        statuses.iter().filter(|&&s| s == 429).count(),
        1,
        "{statuses:?}"
    );
    let s = ex.venue_stats("upbit").unwrap();
    assert_eq!(
        (s.rest_5xx, s.rest_rejects, s.rest_bad_query_hashes),
        (1, 1, 1)
    );
    assert_eq!(
        s.rest_fills,
        2 + 2,
        "u1, u3 (behind the 5xx) and two of v0..v2"
    );
}
