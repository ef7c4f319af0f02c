//! The engine's signed order requests checked against an independent implementation: ccxt.
//!
//! `tools/ccxt/vectors.json` holds, for fixed credentials, timestamps and (Upbit) JWT nonces, the
//! IOC limit orders of the four venues the engine signs (and, for Bybit and OKX, the status query
//! of the same order), each as ccxt's own `sign()` wrote it
//! (`tools/ccxt/make_vectors.py`; regenerate with `pip install -r tools/ccxt/requirements.txt &&
//! python3 tools/ccxt/make_vectors.py > tools/ccxt/vectors.json`). This test needs no Python and no
//! network: it builds each venue's codec with the vector's key, secret, passphrase and order,
//! writes the request at the vector's timestamp / nonce, and requires ccxt's bytes: request line,
//! `Host`, every header ccxt sends (auth headers included), `Content-Length`, the body, and no
//! header ccxt does not know of.
//!
//! Two kinds of difference are recorded in the vectors rather than hidden here:
//! - Binance: ccxt's `sign()` always puts `timestamp` first, the engine last; Binance signs the
//!   parameters in the order sent, so both are valid and the signatures differ. The engine's body
//!   must equal the vector's `engine_order` (the same parameters in the engine's order, encoded
//!   and signed with ccxt's own `urlencode` and `hmac`), its parameters must equal those of ccxt's
//!   full request, and the engine's HMAC over ccxt's signed text must give ccxt's signature.
//! - Unsigned headers where ccxt and the engine differ (`header_exceptions`: Bybit's `Referer`
//!   broker tag, Upbit's `Content-Type` charset, the `Content-Type` ccxt puts on Bybit's GET) are
//!   checked against the engine value recorded there.

use microarb::exec::gateway::codec::nonce::{UuidGen, UUID_LEN};
use microarb::exec::gateway::codec::{
    binance, BinanceCodec, BinanceSettings, BybitCodec, BybitSettings, InstrumentSpec,
    InstrumentTable, OkxCodec, OkxSettings, RestVenue, UpbitCodec, UpbitSettings,
};
use microarb::model::{
    InstrumentId, OppId, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId,
};
use serde_json::Value;

const VECTORS: &str = include_str!("../../tools/ccxt/vectors.json");

fn vectors() -> Value {
    serde_json::from_str(VECTORS).expect("tools/ccxt/vectors.json is JSON")
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {v}"))
}

fn n(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} is not an unsigned integer in {v}"))
}

/// What every codec is built from: credentials of the file, order of the vector.
struct Case<'a> {
    name: String,
    v: &'a Value,
    key: &'a [u8],
    secret: &'a [u8],
    passphrase: &'a [u8],
    recv_window_ms: u32,
    prefix: String,
    table: InstrumentTable,
    order: Order,
    ts: u64,
}

fn case<'a>(file: &'a Value, i: usize, v: &'a Value) -> Case<'a> {
    let o = &v["order"];
    let price_scale = u8::try_from(n(o, "price_scale")).unwrap();
    let qty_scale = u8::try_from(n(o, "qty_scale")).unwrap();
    let table = InstrumentTable::new(&[(
        InstrumentId(0),
        InstrumentSpec {
            symbol: s(o, "symbol").into(),
            price_scale,
            qty_scale,
        },
    )])
    .unwrap();
    let prefix = s(o, "client_id_prefix").to_string();
    let id = n(o, "order_id");
    assert_eq!(format!("{prefix}{id}"), s(o, "client_order_id"));
    let order = Order {
        id: OrderId(id),
        opp: OppId(1),
        px: Price::parse(s(o, "price").as_bytes(), price_scale).unwrap(),
        qty: Qty::parse(s(o, "quantity").as_bytes(), qty_scale).unwrap(),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(0),
        venue: VenueId(0),
        side: match s(o, "side") {
            "buy" => Side::Buy,
            "sell" => Side::Sell,
            other => panic!("side {other}"),
        },
        tif: TimeInForce::Ioc,
    };
    Case {
        name: format!("vector {i} ({} {})", s(v, "venue"), s(o, "side")),
        v,
        key: s(file, "api_key").as_bytes(),
        secret: s(file, "secret").as_bytes(),
        passphrase: s(file, "passphrase").as_bytes(),
        recv_window_ms: u32::try_from(n(file, "recv_window_ms")).unwrap(),
        prefix,
        table,
        order,
        ts: n(v, "timestamp_ms"),
    }
}

/// An HTTP/1.1 request split into request line, headers in order, body.
struct Parsed {
    line: String,
    headers: Vec<(String, String)>,
    body: String,
}

fn parse(bytes: &[u8]) -> Parsed {
    let text = std::str::from_utf8(bytes).expect("request is UTF-8");
    let (head, body) = text
        .split_once("\r\n\r\n")
        .expect("request has a blank line");
    let mut lines = head.split("\r\n");
    let line = lines.next().unwrap().to_string();
    let headers = lines
        .map(|l| {
            let (k, v) = l.split_once(": ").unwrap_or_else(|| panic!("header {l:?}"));
            (k.to_string(), v.to_string())
        })
        .collect();
    Parsed {
        line,
        headers,
        body: body.to_string(),
    }
}

impl Parsed {
    fn header(&self, name: &str) -> Option<&str> {
        let mut found = self
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name));
        let first = found.next().map(|(_, v)| v.as_str());
        assert!(found.next().is_none(), "header {name} sent twice");
        first
    }
}

/// The engine's order request `bytes` against ccxt's (`v["ccxt"]`), with `body` the body it must
/// carry.
fn check_request(c: &Case<'_>, bytes: &[u8], body: &str) {
    check_http(&c.name, c.v, bytes, body);
}

/// The engine's status query `bytes` against ccxt's (`v["status_query"]`): a GET, no body.
fn check_status_query(c: &Case<'_>, bytes: &[u8]) {
    let q = &c.v["status_query"];
    assert!(q.is_object(), "{}: no status_query in the vector", c.name);
    assert!(
        q["ccxt"]["body"].is_null(),
        "{}: ccxt's GET has a body",
        c.name
    );
    check_http(&format!("{} status query", c.name), q, bytes, "");
}

/// `bytes` against the request `v["ccxt"]` ccxt wrote, with `v["header_exceptions"]`; `body` is
/// the body the engine must carry (empty: none, and no `Content-Length`).
fn check_http(name: &str, v: &Value, bytes: &[u8], body: &str) {
    let ccxt = &v["ccxt"];
    let got = parse(bytes);
    let method = s(ccxt, "method");
    assert_eq!(
        got.line,
        format!("{method} {} HTTP/1.1", s(ccxt, "path")),
        "{name}: request line"
    );
    assert_eq!(got.header("Host"), Some(s(ccxt, "host")), "{name}: Host");
    assert_eq!(got.body, body, "{name}: body");
    let length = (!body.is_empty()).then(|| body.len().to_string());
    assert_eq!(
        got.header("Content-Length"),
        length.as_deref(),
        "{name}: Content-Length"
    );
    let exceptions = v["header_exceptions"]
        .as_array()
        .expect("header_exceptions");
    let exception = |h: &str| {
        exceptions
            .iter()
            .find(|e| s(e, "name").eq_ignore_ascii_case(h))
    };
    let ccxt_headers = ccxt["headers"].as_object().expect("ccxt headers");
    for (h, want) in ccxt_headers {
        let want = want.as_str().expect("header value");
        match exception(h) {
            Some(e) => {
                assert_eq!(e["ccxt"].as_str(), Some(want), "{name}: exception {h}");
                assert_eq!(got.header(h), e["engine"].as_str(), "{name}: header {h}");
            }
            None => assert_eq!(got.header(h), Some(want), "{name}: header {h}"),
        }
    }
    for e in exceptions {
        assert_eq!(got.header(s(e, "name")), e["engine"].as_str(), "{name}");
    }
    for (h, _) in &got.headers {
        let known = ["Host", "Content-Length"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(h))
            || ccxt_headers.keys().any(|k| k.eq_ignore_ascii_case(h))
            || exception(h).is_some();
        assert!(known, "{name}: the engine sends {h}, which ccxt does not");
    }
}

/// `a=1&b=2` as sorted pairs, without `signature`.
fn params_without_signature(form: &str) -> Vec<(&str, &str)> {
    let mut pairs: Vec<(&str, &str)> = form
        .split('&')
        .map(|kv| kv.split_once('=').unwrap_or_else(|| panic!("pair {kv:?}")))
        .filter(|(k, _)| *k != "signature")
        .collect();
    pairs.sort_unstable();
    pairs
}

fn check_binance(c: &Case<'_>) {
    let name = &c.name;
    let mut codec = BinanceCodec::new(
        BinanceSettings {
            host: s(&c.v["ccxt"], "host").into(),
            recv_window_ms: c.recv_window_ms,
            client_id_prefix: c.prefix.clone(),
        },
        c.key,
        c.secret,
        c.table.clone(),
    )
    .unwrap();
    let mut out = Vec::new();
    codec.write_request(&c.order, c.ts, &mut out).unwrap();
    let engine_order = &c.v["engine_order"];
    check_request(c, &out, s(engine_order, "body"));
    // The engine's signed text is the vector's, whose HMAC (ccxt's) is the signature it sent.
    let mut text = Vec::new();
    codec.write_body(&c.order, c.ts, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    let (signed, sig) = text.rsplit_once("&signature=").unwrap();
    assert_eq!(signed, s(engine_order, "signed_text"), "{name}");
    assert_eq!(sig, s(engine_order, "signature"), "{name}");
    // ccxt's full request (timestamp first): the same parameters, and the engine's HMAC over
    // ccxt's signed text gives ccxt's signature.
    let ccxt_body = s(&c.v["ccxt"], "body");
    let (ccxt_signed, ccxt_sig) = ccxt_body.rsplit_once("&signature=").unwrap();
    assert_eq!(ccxt_signed, s(c.v, "ccxt_signed_text"), "{name}");
    assert_eq!(
        params_without_signature(ccxt_body),
        params_without_signature(&text),
        "{name}: ccxt's parameters and the engine's"
    );
    assert_eq!(
        &binance::sign(c.secret, ccxt_signed.as_bytes())[..],
        ccxt_sig.as_bytes(),
        "{name}: the engine's HMAC over ccxt's signed text"
    );
}

fn check_upbit(c: &Case<'_>) {
    let mut codec = UpbitCodec::new(
        UpbitSettings {
            host: s(&c.v["ccxt"], "host").into(),
            identifier_prefix: c.prefix.clone(),
            ioc: true,
        },
        c.key,
        c.secret,
        c.table.clone(),
        UuidGen::from_seed(0),
    )
    .unwrap();
    let nonce: [u8; UUID_LEN] = s(c.v, "nonce").as_bytes().try_into().expect("uuid nonce");
    let mut out = Vec::new();
    codec
        .write_request_with_nonce(&c.order, &nonce, &mut out)
        .unwrap();
    check_request(c, &out, s(&c.v["ccxt"], "body"));
    let mut query = Vec::new();
    codec.write_query(&c.order, &mut query).unwrap();
    assert_eq!(
        std::str::from_utf8(&query).unwrap(),
        s(c.v, "query_hash_text"),
        "{}: the text query_hash covers",
        c.name
    );
}

fn check_bybit(c: &Case<'_>) {
    let mut codec = BybitCodec::new(
        BybitSettings {
            host: s(&c.v["ccxt"], "host").into(),
            recv_window_ms: c.recv_window_ms,
            client_id_prefix: c.prefix.clone(),
        },
        c.key,
        c.secret,
        c.table.clone(),
    )
    .unwrap();
    let mut out = Vec::new();
    codec.write_request(&c.order, c.ts, &mut out).unwrap();
    check_request(c, &out, s(&c.v["ccxt"], "body"));
    codec
        .write_status_request(&c.order, c.ts, &mut out)
        .unwrap();
    check_status_query(c, &out);
}

fn check_okx(c: &Case<'_>) {
    let mut codec = OkxCodec::new(
        OkxSettings {
            host: s(&c.v["ccxt"], "host").into(),
            client_id_prefix: c.prefix.clone(),
        },
        c.key,
        c.secret,
        c.passphrase,
        c.table.clone(),
    )
    .unwrap();
    let mut out = Vec::new();
    codec.write_request(&c.order, c.ts, &mut out).unwrap();
    check_request(c, &out, s(&c.v["ccxt"], "body"));
    codec
        .write_status_request(&c.order, c.ts, &mut out)
        .unwrap();
    check_status_query(c, &out);
}

#[test]
fn engine_requests_match_ccxt() {
    let file = vectors();
    let list = file["vectors"].as_array().expect("vectors");
    for (i, v) in list.iter().enumerate() {
        let c = case(&file, i, v);
        match s(v, "venue") {
            "binance" => check_binance(&c),
            "upbit" => check_upbit(&c),
            "bybit" => check_bybit(&c),
            "okx" => check_okx(&c),
            other => panic!("unknown venue {other}"),
        }
    }
}

#[test]
fn every_venue_and_side_is_covered() {
    let file = vectors();
    assert!(file["ccxt_version"].as_str().is_some_and(|v| !v.is_empty()));
    let list = file["vectors"].as_array().expect("vectors");
    for venue in ["binance", "upbit", "bybit", "okx"] {
        for side in ["buy", "sell"] {
            assert!(
                list.iter()
                    .any(|v| s(v, "venue") == venue && s(&v["order"], "side") == side),
                "no {venue} {side} vector"
            );
        }
    }
}
