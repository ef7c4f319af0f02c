//! The account API's signed requests checked against ccxt (`tools/ccxt/account_vectors.json`,
//! written by `tools/ccxt/account_vectors.py`; regenerate with `pip install -r
//! tools/ccxt/requirements.txt && python3 tools/ccxt/account_vectors.py >
//! tools/ccxt/account_vectors.json`). No Python and no network here: each venue's account module
//! is built on its order codec with the file's key, secret and passphrase, writes the request at
//! the file's timestamp (Upbit: with the file's JWT nonce), and must match ccxt's request line,
//! `Host`, every header ccxt sends (auth headers included) and the body; it may send no header
//! ccxt does not know of. Differences the venue accepts either way are recorded in the vectors,
//! not hidden here: Binance's parameter order (`engine_order`, as in `ccxt_vectors.rs`) and
//! Bybit's unsigned `Referer` / GET `Content-Type` (`header_exceptions`).

use microarb::exec::account::venues::{BinanceAccount, BybitAccount, OkxAccount, UpbitAccount};
use microarb::exec::account::{AccountRequest, AccountVenue};
use microarb::exec::gateway::codec::nonce::UuidGen;
use microarb::exec::gateway::codec::{
    binance, BinanceCodec, BinanceSettings, BybitCodec, BybitSettings, InstrumentTable, OkxCodec,
    OkxSettings, UpbitCodec, UpbitSettings,
};
use serde_json::Value;

const VECTORS: &str = include_str!("../../tools/ccxt/account_vectors.json");

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {v}"))
}

fn p(v: &Value, key: &str) -> Option<String> {
    v["params"][key].as_str().map(str::to_string)
}

/// The engine's request for vector `v` (by its name and parameters).
fn request_of(v: &Value) -> AccountRequest {
    let symbol = p(v, "symbol")
        .or_else(|| p(v, "market"))
        .or_else(|| p(v, "instId"));
    match s(v, "name") {
        "cancel" => AccountRequest::Cancel {
            symbol: symbol.unwrap_or_else(|| "KRW-BTC".into()),
            client_id: p(v, "origClientOrderId")
                .or_else(|| p(v, "identifier"))
                .or_else(|| p(v, "orderLinkId"))
                .or_else(|| p(v, "clOrdId"))
                .expect("a client id"),
        },
        "open_orders_symbol" | "open_orders_all" => AccountRequest::OpenOrders {
            symbol,
            cursor: None,
        },
        "balances" => AccountRequest::Balances,
        "rules" => AccountRequest::Rules {
            symbols: match p(v, "symbols") {
                Some(list) => serde_json::from_str(&list).expect("symbols is a JSON list"),
                None => vec![symbol.expect("a market")],
            },
        },
        "time" => AccountRequest::Time,
        other => panic!("vector {other}"),
    }
}

fn venue_of(file: &Value, v: &Value) -> Box<dyn AccountVenue> {
    let key = s(file, "api_key").as_bytes();
    let secret = s(file, "secret").as_bytes();
    let host = s(&v["ccxt"], "host").to_string();
    let rw = u32::try_from(file["recv_window_ms"].as_u64().unwrap()).unwrap();
    let t = InstrumentTable::default();
    match s(v, "venue") {
        "binance" => {
            let st = BinanceSettings {
                host,
                recv_window_ms: rw,
                client_id_prefix: String::new(),
            };
            let c = BinanceCodec::new(st, key, secret, t).unwrap();
            Box::new(BinanceAccount::new("binance", c, None))
        }
        "upbit" => {
            let st = UpbitSettings {
                host,
                identifier_prefix: String::new(),
                ioc: true,
            };
            let c = UpbitCodec::new(st, key, secret, t, UuidGen::from_seed(1)).unwrap();
            Box::new(UpbitAccount::new("upbit", c, None).with_fixed_nonce(s(file, "nonce")))
        }
        "bybit" => {
            let st = BybitSettings {
                host,
                recv_window_ms: rw,
                client_id_prefix: String::new(),
            };
            let c = BybitCodec::new(st, key, secret, t).unwrap();
            Box::new(BybitAccount::new("bybit", c, None))
        }
        "okx" => {
            let st = OkxSettings {
                host,
                client_id_prefix: String::new(),
            };
            let pass = s(file, "passphrase").as_bytes();
            let c = OkxCodec::new(st, key, secret, pass, t).unwrap();
            Box::new(OkxAccount::new("okx", c, None))
        }
        other => panic!("venue {other}"),
    }
}

struct Parsed {
    line: String,
    headers: Vec<(String, String)>,
    body: String,
}

fn parse(bytes: &[u8]) -> Parsed {
    let text = std::str::from_utf8(bytes).expect("request is UTF-8");
    let (head, body) = text.split_once("\r\n\r\n").expect("a blank line");
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

fn pairs(q: &str) -> Vec<(&str, &str)> {
    let mut v: Vec<(&str, &str)> = q
        .split('&')
        .map(|kv| kv.split_once('=').unwrap_or((kv, "")))
        .filter(|(k, _)| *k != "signature")
        .collect();
    v.sort_unstable();
    v
}

#[test]
fn account_requests_match_ccxt() {
    let file: Value = serde_json::from_str(VECTORS).expect("account_vectors.json is JSON");
    let ts = file["timestamp_ms"].as_u64().unwrap();
    let vectors = file["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 17, "every venue's calls are covered");
    for v in vectors {
        let name = format!("{} {}", s(v, "venue"), s(v, "name"));
        let ccxt = &v["ccxt"];
        let mut venue = venue_of(&file, v);
        let mut out = Vec::new();
        venue
            .write_request(&request_of(v), ts, &mut out)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = parse(&out);
        let method = s(ccxt, "method");
        let path = s(ccxt, "path");
        assert_eq!(got.header("Host"), Some(s(ccxt, "host")), "{name}: Host");
        if v["engine_order"].is_object() {
            // Binance: the engine's parameters are ccxt's, in the engine's order, signed as ccxt
            // signs; ccxt's own ordering verifies with the engine's signer too.
            let eo = &v["engine_order"];
            let (ccxt_path, ccxt_query) = path.split_once('?').unwrap();
            let want = format!(
                "{method} {ccxt_path}?{}&signature={} HTTP/1.1",
                s(eo, "signed_text"),
                s(eo, "signature")
            );
            assert_eq!(got.line, want, "{name}: request line");
            assert_eq!(pairs(ccxt_query), pairs(s(eo, "signed_text")), "{name}");
            let ccxt_sig = ccxt_query.rsplit_once("&signature=").unwrap().1;
            let mine = binance::sign(
                s(&file, "secret").as_bytes(),
                s(v, "ccxt_signed_text").as_bytes(),
            );
            assert_eq!(std::str::from_utf8(&mine).unwrap(), ccxt_sig, "{name}");
        } else {
            assert_eq!(
                got.line,
                format!("{method} {path} HTTP/1.1"),
                "{name}: request line"
            );
        }
        let body = ccxt["body"].as_str().unwrap_or("");
        assert_eq!(got.body, body, "{name}: body");
        if !body.is_empty() {
            assert_eq!(
                got.header("Content-Length"),
                Some(body.len().to_string().as_str()),
                "{name}"
            );
        }
        let no_exceptions = Vec::new();
        let exceptions = v["header_exceptions"].as_array().unwrap_or(&no_exceptions);
        let exception = |h: &str| {
            exceptions
                .iter()
                .find(|e| s(e, "name").eq_ignore_ascii_case(h))
        };
        let empty = serde_json::Map::new();
        let ccxt_headers = ccxt["headers"].as_object().unwrap_or(&empty);
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
        for (h, _) in &got.headers {
            let known = ["Host", "Content-Length"]
                .iter()
                .any(|k| k.eq_ignore_ascii_case(h))
                || ccxt_headers.keys().any(|k| k.eq_ignore_ascii_case(h));
            assert!(known, "{name}: the engine sends {h}, which ccxt does not");
        }
    }
}
