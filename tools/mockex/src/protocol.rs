//! The server side of each venue's request protocol: what a client's text message asks for and
//! what the venue answers (the venues' API documentation), as a pure function so every exchange is unit-tested without
//! a socket.
//!
//! - Binance: streams come in the URL (`/stream?streams=a@bookTicker/b@bookTicker`, or raw
//!   `/ws/<stream>`); a live `{"method":"SUBSCRIBE","params":[..],"id":N}` is answered
//!   `{"result":null,"id":N}`. Keep-alive is server pings (driven by the connection, not here).
//! - Upbit: the request array `[{"ticket":..},{"type":"orderbook","codes":[..]},{"format":..}]` (no
//!   answer: data follows); text `PING` is answered `{"status":"UP"}`; errors are
//!   `{"error":{"name":"WRONG_FORMAT",..}}`.
//! - Bybit: `{"op":"subscribe","args":["orderbook.1.X"],"req_id":..}` answered with `success`,
//!   `ret_msg`, `conn_id`, `req_id`, `op`; `{"op":"ping"}` answered with `"ret_msg":"pong"`.
//! - OKX: `{"op":"subscribe","args":[{"channel":"bbo-tbt","instId":..}]}` answered by one
//!   `{"event":"subscribe","arg":{..},"connId":..}` per arg; text `ping` answered `pong`.
//!
//! Only top-of-book subscriptions (Binance `@bookTicker`, Upbit `orderbook`, Bybit `orderbook.1.`,
//! OKX `bbo-tbt`) add symbols to stream; other channels are acknowledged and never fed.
//! Symbols are kept uppercase with any Upbit `.N` depth suffix removed.

use serde_json::Value;

use super::format::UpbitKeys;
use crate::venue_kind::VenueKind;

/// What the connection must do about one client message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reply {
    /// Text frames to send back, in order.
    pub texts: Vec<String>,
    /// Symbols now subscribed (uppercase); `Some` even when empty for a subscribe request.
    pub subscribe: Option<Vec<String>>,
    /// Upbit: the key format the client asked for.
    pub upbit_keys: Option<UpbitKeys>,
    /// The message was a keep-alive ping (its answer is in `texts`).
    pub ping: bool,
    /// The venue did not understand the message (its error answer, if any, is in `texts`).
    pub bad_request: bool,
}

/// Streams subscribed by a Binance handshake path: `/stream?streams=a/b` (combined: frames are
/// wrapped) or `/ws/<stream>` (raw). `None` for `/ws` alone or another path: nothing until a live
/// `SUBSCRIBE`. Returns `(combined, symbols)`.
pub fn binance_path(path_and_query: &str) -> Option<(bool, Vec<String>)> {
    if let Some(q) = path_and_query.strip_prefix("/stream?") {
        let streams = q
            .split('&')
            .find_map(|kv| kv.strip_prefix("streams="))
            .unwrap_or("");
        return Some((true, binance_symbols(streams.split('/'))));
    }
    let raw = path_and_query.strip_prefix("/ws/")?;
    Some((false, binance_symbols(raw.split('/'))))
}

/// Combined path for the frames' `stream` field: `btcusdt@bookTicker`.
pub fn binance_stream_name(symbol: &str) -> String {
    format!("{}@bookTicker", symbol.to_ascii_lowercase())
}

fn binance_symbols<'a>(streams: impl Iterator<Item = &'a str>) -> Vec<String> {
    streams
        .filter_map(|s| {
            let (sym, chan) = s.split_once('@')?;
            chan.eq_ignore_ascii_case("bookTicker")
                .then(|| sym.to_ascii_uppercase())
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// A symbol as subscriptions are compared: uppercase, without an Upbit `.N` depth suffix.
pub fn normalize_symbol(code: &str) -> String {
    let upper = code.to_ascii_uppercase();
    match upper.rsplit_once('.') {
        Some((base, n)) if !base.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) => {
            base.to_owned()
        }
        _ => upper,
    }
}

/// The venue's answer to a text (or UTF-8 binary) message from a client. `conn_id` is this
/// connection's id as the venue reports it; `ignore_pings` drops keep-alive answers.
pub fn handle(kind: VenueKind, text: &str, conn_id: &str, ignore_pings: bool) -> Reply {
    let mut r = match kind {
        VenueKind::Binance => binance(text),
        VenueKind::Upbit => upbit(text),
        VenueKind::Bybit => bybit(text, conn_id),
        VenueKind::Okx => okx(text, conn_id),
    };
    if r.ping && ignore_pings {
        r.texts.clear();
    }
    r
}

fn bad(text: String) -> Reply {
    Reply {
        texts: vec![text],
        bad_request: true,
        ..Reply::default()
    }
}

fn binance(text: &str) -> Reply {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return bad(r#"{"error":{"code":3,"msg":"Invalid JSON"},"id":null}"#.into());
    };
    let id = v.get("id").cloned().unwrap_or(Value::Null);
    match v.get("method").and_then(Value::as_str) {
        Some("SUBSCRIBE") => {
            let Some(params) = v.get("params").and_then(Value::as_array) else {
                return bad(format!(
                    r#"{{"error":{{"code":2,"msg":"Invalid request: missing params"}},"id":{id}}}"#
                ));
            };
            let streams = params.iter().filter_map(Value::as_str);
            Reply {
                texts: vec![format!(r#"{{"result":null,"id":{id}}}"#)],
                subscribe: Some(binance_symbols(streams)),
                ..Reply::default()
            }
        }
        Some("UNSUBSCRIBE") | Some("SET_PROPERTY") => Reply {
            texts: vec![format!(r#"{{"result":null,"id":{id}}}"#)],
            ..Reply::default()
        },
        Some("LIST_SUBSCRIPTIONS") => Reply {
            texts: vec![format!(r#"{{"result":[],"id":{id}}}"#)],
            ..Reply::default()
        },
        _ => bad(format!(
            r#"{{"error":{{"code":2,"msg":"Invalid request: unknown method"}},"id":{id}}}"#
        )),
    }
}

fn upbit(text: &str) -> Reply {
    if text.trim() == "PING" {
        return Reply {
            texts: vec![r#"{"status":"UP"}"#.into()],
            ping: true,
            ..Reply::default()
        };
    }
    let wrong = |msg: &str| {
        bad(format!(
            r#"{{"error":{{"name":"WRONG_FORMAT","message":{}}}}}"#,
            Value::from(msg)
        ))
    };
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text) else {
        return wrong("request is not a JSON array");
    };
    if !items.iter().any(|i| i.get("ticket").is_some()) {
        return wrong("ticket is required");
    }
    let mut symbols = Vec::new();
    let mut keys = UpbitKeys::Default;
    let mut typed = false;
    for item in &items {
        if let Some(t) = item.get("type").and_then(Value::as_str) {
            typed = true;
            let Some(codes) = item.get("codes").and_then(Value::as_array) else {
                return wrong("codes are required");
            };
            if t == "orderbook" {
                symbols.extend(codes.iter().filter_map(Value::as_str).map(normalize_symbol));
            }
        }
        if let Some(f) = item.get("format").and_then(Value::as_str) {
            keys = match f {
                "SIMPLE" | "SIMPLE_LIST" => UpbitKeys::Simple,
                _ => UpbitKeys::Default,
            };
        }
    }
    if !typed {
        return wrong("type is required");
    }
    Reply {
        subscribe: Some(symbols),
        upbit_keys: Some(keys),
        ..Reply::default()
    }
}

/// Bybit's answer, keys in the venue's order.
fn bybit_answer(
    success: bool,
    ret_msg: &str,
    conn_id: &str,
    req_id: Option<&Value>,
    op: &str,
) -> String {
    let req = req_id
        .map(|r| format!(r#","req_id":{r}"#))
        .unwrap_or_default();
    format!(
        r#"{{"success":{success},"ret_msg":{},"conn_id":{}{req},"op":{}}}"#,
        Value::from(ret_msg),
        Value::from(conn_id),
        Value::from(op)
    )
}

fn bybit(text: &str, conn_id: &str) -> Reply {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return bad(bybit_answer(false, "error:invalid json", conn_id, None, ""));
    };
    let op = v.get("op").and_then(Value::as_str).unwrap_or("");
    let req_id = v.get("req_id");
    match op {
        "ping" => Reply {
            texts: vec![bybit_answer(true, "pong", conn_id, req_id, op)],
            ping: true,
            ..Reply::default()
        },
        "subscribe" => {
            let Some(args) = v.get("args").and_then(Value::as_array) else {
                return bad(bybit_answer(
                    false,
                    "error:args is required",
                    conn_id,
                    req_id,
                    op,
                ));
            };
            let symbols = args
                .iter()
                .filter_map(Value::as_str)
                .filter_map(|t| t.strip_prefix("orderbook.1."))
                .map(str::to_ascii_uppercase)
                .collect();
            Reply {
                texts: vec![bybit_answer(true, "", conn_id, req_id, op)],
                subscribe: Some(symbols),
                ..Reply::default()
            }
        }
        "unsubscribe" => Reply {
            texts: vec![bybit_answer(true, "", conn_id, req_id, op)],
            ..Reply::default()
        },
        _ => bad(bybit_answer(
            false,
            &format!("error:handler not found,topic:{op}"),
            conn_id,
            req_id,
            op,
        )),
    }
}

fn okx(text: &str, conn_id: &str) -> Reply {
    if text.trim() == "ping" {
        return Reply {
            texts: vec!["pong".into()],
            ping: true,
            ..Reply::default()
        };
    }
    let err = |code: &str, msg: &str| {
        bad(format!(
            r#"{{"event":"error","code":{},"msg":{},"connId":{}}}"#,
            Value::from(code),
            Value::from(msg),
            Value::from(conn_id)
        ))
    };
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return err("60012", &format!("Invalid request: {text}"));
    };
    match v.get("op").and_then(Value::as_str) {
        Some(op @ ("subscribe" | "unsubscribe")) => {
            let Some(args) = v.get("args").and_then(Value::as_array) else {
                return err("60012", "Invalid request: args required");
            };
            let mut texts = Vec::with_capacity(args.len());
            let mut symbols = Vec::new();
            for arg in args {
                let (Some(channel), Some(inst)) = (
                    arg.get("channel").and_then(Value::as_str),
                    arg.get("instId").and_then(Value::as_str),
                ) else {
                    return err("60018", "Wrong URL or channel doesn't exist");
                };
                texts.push(format!(
                    r#"{{"event":{},"arg":{{"channel":{},"instId":{}}},"connId":{}}}"#,
                    Value::from(op),
                    Value::from(channel),
                    Value::from(inst),
                    Value::from(conn_id)
                ));
                if channel == "bbo-tbt" {
                    symbols.push(inst.to_ascii_uppercase());
                }
            }
            Reply {
                texts,
                subscribe: (op == "subscribe").then_some(symbols),
                ..Reply::default()
            }
        }
        _ => err("60012", &format!("Invalid request: {text}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine-facing checks of these answers (the engine's parser recognising each one) are
    /// engine tests, in the root package's `tests/mockex_engine_units.rs`; here the answers are
    /// checked against the venues' documented shapes with serde_json.
    #[test]
    fn subscribe_requests_are_acked_in_the_venues_shapes() {
        let r = handle(
            VenueKind::Upbit,
            r#"[{"ticket":"t1"},{"type":"orderbook","codes":["usdt-btc.5"]},{"format":"SIMPLE"}]"#,
            "c1",
            false,
        );
        assert_eq!(r.subscribe, Some(vec!["USDT-BTC".to_owned()]));
        assert_eq!(r.upbit_keys, Some(UpbitKeys::Simple));
        assert!(r.texts.is_empty() && !r.bad_request);
        let r = handle(
            VenueKind::Bybit,
            r#"{"op":"subscribe","args":["orderbook.1.BTCUSDT"],"req_id":"7"}"#,
            "c1",
            false,
        );
        assert_eq!(r.subscribe, Some(vec!["BTCUSDT".to_owned()]));
        let v: Value = serde_json::from_str(&r.texts[0]).unwrap();
        assert_eq!(
            (v["success"].as_bool(), v["op"].as_str()),
            (Some(true), Some("subscribe"))
        );
        assert_eq!(v["req_id"], "7");
        let r = handle(
            VenueKind::Okx,
            r#"{"op":"subscribe","args":[{"channel":"bbo-tbt","instId":"BTC-USDT"}]}"#,
            "c1",
            false,
        );
        assert_eq!(r.subscribe, Some(vec!["BTC-USDT".to_owned()]));
        let v: Value = serde_json::from_str(&r.texts[0]).unwrap();
        assert_eq!(v["event"], "subscribe");
        assert_eq!(v["arg"]["instId"], "BTC-USDT");
        let r = handle(
            VenueKind::Binance,
            r#"{"method":"SUBSCRIBE","params":["btcusdt@bookTicker","ethusdt@bookTicker"],"id":5}"#,
            "",
            false,
        );
        assert_eq!(r.texts, vec![r#"{"result":null,"id":5}"#.to_owned()]);
        assert_eq!(r.subscribe, Some(vec!["BTCUSDT".into(), "ETHUSDT".into()]));
    }

    #[test]
    fn keep_alive_answers_and_ignoring_them() {
        for (kind, ping, pong) in [
            (VenueKind::Upbit, "PING", r#"{"status":"UP"}"#),
            (VenueKind::Okx, "ping", "pong"),
        ] {
            let r = handle(kind, ping, "c1", false);
            assert!(r.ping, "{kind:?}");
            assert_eq!(r.texts, vec![pong.to_owned()]);
            let r = handle(kind, ping, "c1", true);
            assert!(r.ping && r.texts.is_empty());
        }
        let r = handle(
            VenueKind::Bybit,
            r#"{"op":"ping","req_id":"9"}"#,
            "c1",
            false,
        );
        assert!(r.ping);
        let v: Value = serde_json::from_str(&r.texts[0]).unwrap();
        assert_eq!(v["req_id"], "9");
        assert_eq!(v["ret_msg"], "pong");
        assert_eq!(v["conn_id"], "c1");
    }

    #[test]
    fn paths_and_bad_requests() {
        assert_eq!(
            binance_path("/stream?streams=btcusdt@bookTicker/ethusdt@depth"),
            Some((true, vec!["BTCUSDT".into()]))
        );
        assert_eq!(
            binance_path("/ws/btcusdt@bookTicker"),
            Some((false, vec!["BTCUSDT".into()]))
        );
        assert_eq!(binance_path("/ws"), None);
        assert_eq!(binance_stream_name("BTCUSDT"), "btcusdt@bookTicker");
        for kind in VenueKind::ALL {
            let r = handle(kind, "{not json", "c", false);
            assert!(r.bad_request, "{kind:?}");
        }
        let r = handle(
            VenueKind::Okx,
            r#"{"op":"subscribe","args":[{"channel":"books","instId":"BTC-USDT"}]}"#,
            "c",
            false,
        );
        assert_eq!((r.texts.len(), r.subscribe), (1, Some(vec![])));
    }
}
