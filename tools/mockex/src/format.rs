//! Venue push messages built from a synthetic top of book, byte for byte in each venue's format
//! (the venues' API documentation), into a caller-owned buffer that is cleared and reused (no allocation once it has
//! grown to the longest frame).
//!
//! Decimals are written exactly from the fixed-point mantissas with
//! [`write_decimal`] (shortest exact form: `60000.01`, `1.5`),
//! strings for Binance, Bybit and OKX, JSON numbers for Upbit. Exchange timestamps are the send
//! time in ms, which is what a venue stamps. No field a venue does not send is added.

use std::io::Write;

use crate::decimal::{write_decimal, Scale};
use crate::market::SimQuote;

/// Decimal scales of the synthetic instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scales {
    /// Price decimals.
    pub price: Scale,
    /// Quantity decimals.
    pub qty: Scale,
}

/// Upbit's key set, as the client asked for in its request's `format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpbitKeys {
    /// Long keys (`orderbook_units`, `ask_price`, ...).
    Default,
    /// Short keys (`obu`, `ap`, ...).
    Simple,
}

fn dec(out: &mut Vec<u8>, mantissa: i64, scale: Scale) {
    write_decimal(out, mantissa, scale);
}

fn quoted_dec(out: &mut Vec<u8>, mantissa: i64, scale: Scale) {
    out.push(b'"');
    dec(out, mantissa, scale);
    out.push(b'"');
}

fn int(out: &mut Vec<u8>, n: u64) {
    // Writing an integer into a Vec cannot fail.
    let _ = write!(out, "{n}");
}

/// Binance spot bookTicker; with `stream` (the combined-stream name, `btcusdt@bookTicker`) wrapped
/// as the combined endpoint sends it: `{"stream":..,"data":{"u":..,"s":..,"b":..,"B":..,"a":..,"A":..}}`.
pub fn binance(out: &mut Vec<u8>, stream: Option<&str>, symbol: &str, q: &SimQuote, s: Scales) {
    out.clear();
    if let Some(stream) = stream {
        out.extend_from_slice(b"{\"stream\":\"");
        out.extend_from_slice(stream.as_bytes());
        out.extend_from_slice(b"\",\"data\":");
    }
    out.extend_from_slice(b"{\"u\":");
    int(out, q.seq);
    out.extend_from_slice(b",\"s\":\"");
    out.extend_from_slice(symbol.as_bytes());
    out.extend_from_slice(b"\",\"b\":");
    quoted_dec(out, q.bid_px, s.price);
    out.extend_from_slice(b",\"B\":");
    quoted_dec(out, q.bid_qty, s.qty);
    out.extend_from_slice(b",\"a\":");
    quoted_dec(out, q.ask_px, s.price);
    out.extend_from_slice(b",\"A\":");
    quoted_dec(out, q.ask_qty, s.qty);
    out.push(b'}');
    if stream.is_some() {
        out.push(b'}');
    }
}

/// Upbit orderbook (one unit: the top of book), sent by the caller as a binary frame. The totals
/// are the unit's sizes; `stream_type` is REALTIME (SNAPSHOT for the connection's first frame).
pub fn upbit(
    out: &mut Vec<u8>,
    keys: UpbitKeys,
    code: &str,
    q: &SimQuote,
    ts_ms: u64,
    snapshot: bool,
    s: Scales,
) {
    let k = match keys {
        UpbitKeys::Default => [
            "type",
            "code",
            "timestamp",
            "total_ask_size",
            "total_bid_size",
            "orderbook_units",
            "ask_price",
            "bid_price",
            "ask_size",
            "bid_size",
            "stream_type",
        ],
        UpbitKeys::Simple => [
            "ty", "cd", "tms", "tas", "tbs", "obu", "ap", "bp", "as", "bs", "st",
        ],
    };
    let key = |out: &mut Vec<u8>, first: bool, name: &str| {
        out.extend_from_slice(if first { b"{\"" } else { b",\"" });
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
    };
    out.clear();
    key(out, true, k[0]);
    out.extend_from_slice(b"\"orderbook\"");
    key(out, false, k[1]);
    out.push(b'"');
    out.extend_from_slice(code.as_bytes());
    out.push(b'"');
    key(out, false, k[2]);
    int(out, ts_ms);
    key(out, false, k[3]);
    dec(out, q.ask_qty, s.qty);
    key(out, false, k[4]);
    dec(out, q.bid_qty, s.qty);
    key(out, false, k[5]);
    out.push(b'[');
    key(out, true, k[6]);
    dec(out, q.ask_px, s.price);
    key(out, false, k[7]);
    dec(out, q.bid_px, s.price);
    key(out, false, k[8]);
    dec(out, q.ask_qty, s.qty);
    key(out, false, k[9]);
    dec(out, q.bid_qty, s.qty);
    out.extend_from_slice(b"}]");
    key(out, false, k[10]);
    out.extend_from_slice(if snapshot {
        b"\"SNAPSHOT\"}"
    } else {
        b"\"REALTIME\"}"
    });
}

/// Bybit v5 `orderbook.1` snapshot (level 1 pushes snapshots), `u` and `seq` = the update id.
pub fn bybit(out: &mut Vec<u8>, symbol: &str, q: &SimQuote, ts_ms: u64, s: Scales) {
    out.clear();
    out.extend_from_slice(b"{\"topic\":\"orderbook.1.");
    out.extend_from_slice(symbol.as_bytes());
    out.extend_from_slice(b"\",\"type\":\"snapshot\",\"ts\":");
    int(out, ts_ms);
    out.extend_from_slice(b",\"data\":{\"s\":\"");
    out.extend_from_slice(symbol.as_bytes());
    out.extend_from_slice(b"\",\"b\":[[");
    quoted_dec(out, q.bid_px, s.price);
    out.push(b',');
    quoted_dec(out, q.bid_qty, s.qty);
    out.extend_from_slice(b"]],\"a\":[[");
    quoted_dec(out, q.ask_px, s.price);
    out.push(b',');
    quoted_dec(out, q.ask_qty, s.qty);
    out.extend_from_slice(b"]],\"u\":");
    int(out, q.seq);
    out.extend_from_slice(b",\"seq\":");
    int(out, q.seq);
    out.extend_from_slice(b"},\"cts\":");
    int(out, ts_ms);
    out.push(b'}');
}

/// OKX v5 `bbo-tbt` push: levels `[price, size, "0", orders]`, `ts` a string of ms, `seqId`.
pub fn okx(out: &mut Vec<u8>, inst_id: &str, q: &SimQuote, ts_ms: u64, s: Scales) {
    out.clear();
    out.extend_from_slice(b"{\"arg\":{\"channel\":\"bbo-tbt\",\"instId\":\"");
    out.extend_from_slice(inst_id.as_bytes());
    out.extend_from_slice(b"\"},\"data\":[{\"asks\":[[");
    quoted_dec(out, q.ask_px, s.price);
    out.push(b',');
    quoted_dec(out, q.ask_qty, s.qty);
    out.extend_from_slice(b",\"0\",\"1\"]],\"bids\":[[");
    quoted_dec(out, q.bid_px, s.price);
    out.push(b',');
    quoted_dec(out, q.bid_qty, s.qty);
    out.extend_from_slice(b",\"0\",\"1\"]],\"ts\":\"");
    int(out, ts_ms);
    out.extend_from_slice(b"\",\"seqId\":");
    int(out, q.seq);
    out.extend_from_slice(b"}]}");
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Scales = Scales { price: 8, qty: 8 };

    #[test]
    fn exact_bytes_of_each_venue() {
        let q = SimQuote {
            venue: 0,
            instrument: 0,
            seq: 7,
            bid_px: 6_000_001_000_000,
            bid_qty: 150_000_000,
            ask_px: 6_000_002_000_000,
            ask_qty: 1,
            dislocated: false,
        };
        let mut out = Vec::new();
        binance(&mut out, Some("btcusdt@bookTicker"), "BTCUSDT", &q, S);
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            r#"{"stream":"btcusdt@bookTicker","data":{"u":7,"s":"BTCUSDT","b":"60000.01","B":"1.5","a":"60000.02","A":"0.00000001"}}"#
        );
        upbit(
            &mut out,
            UpbitKeys::Simple,
            "USDT-BTC",
            &q,
            1_700_000_000_123,
            true,
            S,
        );
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            r#"{"ty":"orderbook","cd":"USDT-BTC","tms":1700000000123,"tas":0.00000001,"tbs":1.5,"obu":[{"ap":60000.02,"bp":60000.01,"as":0.00000001,"bs":1.5}],"st":"SNAPSHOT"}"#
        );
        bybit(&mut out, "BTCUSDT", &q, 5, S);
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            r#"{"topic":"orderbook.1.BTCUSDT","type":"snapshot","ts":5,"data":{"s":"BTCUSDT","b":[["60000.01","1.5"]],"a":[["60000.02","0.00000001"]],"u":7,"seq":7},"cts":5}"#
        );
        okx(&mut out, "BTC-USDT", &q, 5, S);
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            r#"{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["60000.02","0.00000001","0","1"]],"bids":[["60000.01","1.5","0","1"]],"ts":"5","seqId":7}]}"#
        );
    }

    /// A decimal field of a frame read back with serde_json and the mock's own decimal parser.
    fn num(v: &serde_json::Value, scale: Scale) -> i64 {
        let text = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        crate::decimal::parse_decimal(text.as_bytes(), scale).expect("exact decimal")
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Every format is valid JSON whose fields are exactly the generator's numbers (read
        /// with serde_json and the mock's own decimals, not with the engine's parser).
        #[test]
        fn every_format_reads_back(
            seq in 1u64..u64::MAX / 2,
            px in 1i64..1_000_000_000_000_000,
            spread in 1i64..1_000_000,
            bq in 1i64..1_000_000_000_000,
            aq in 1i64..1_000_000_000_000,
            ts in 1u64..4_000_000_000_000,
        ) {
            use proptest::prop_assert_eq;
            use serde_json::Value;
            let q = SimQuote { venue: 0, instrument: 0, seq, bid_px: px, bid_qty: bq, ask_px: px + spread, ask_qty: aq, dislocated: false };
            let want = (q.bid_px, q.bid_qty, q.ask_px, q.ask_qty);
            let mut out = Vec::new();
            binance(&mut out, Some("btcusdt@bookTicker"), "BTCUSDT", &q, S);
            let v: Value = serde_json::from_slice(&out).unwrap();
            let d = &v["data"];
            prop_assert_eq!(v["stream"].as_str(), Some("btcusdt@bookTicker"));
            prop_assert_eq!(d["u"].as_u64(), Some(seq));
            prop_assert_eq!((num(&d["b"], 8), num(&d["B"], 8), num(&d["a"], 8), num(&d["A"], 8)), want);
            binance(&mut out, None, "BTCUSDT", &q, S);
            let d: Value = serde_json::from_slice(&out).unwrap();
            prop_assert_eq!((num(&d["b"], 8), num(&d["B"], 8), num(&d["a"], 8), num(&d["A"], 8)), want);
            for (keys, k) in [
                (UpbitKeys::Default, ["timestamp", "orderbook_units", "bid_price", "bid_size", "ask_price", "ask_size"]),
                (UpbitKeys::Simple, ["tms", "obu", "bp", "bs", "ap", "as"]),
            ] {
                upbit(&mut out, keys, "USDT-BTC", &q, ts, false, S);
                let v: Value = serde_json::from_slice(&out).unwrap();
                prop_assert_eq!(v[k[0]].as_u64(), Some(ts));
                // Upbit's decimals are JSON numbers: read their text, not an f64.
                let top = crate::json::members(&out).unwrap();
                let units = top.iter().find(|(key, _)| *key == k[1].as_bytes()).unwrap().1;
                let unit = crate::json::members(&units[1..units.len() - 1]).unwrap();
                let field = |name: &str| {
                    let raw = unit.iter().find(|(key, _)| *key == name.as_bytes()).unwrap().1;
                    crate::decimal::parse_decimal(raw, 8).expect("exact decimal")
                };
                prop_assert_eq!((field(k[2]), field(k[3]), field(k[4]), field(k[5])), want);
            }
            bybit(&mut out, "BTCUSDT", &q, ts, S);
            let v: Value = serde_json::from_slice(&out).unwrap();
            let d = &v["data"];
            prop_assert_eq!((d["u"].as_u64(), v["ts"].as_u64()), (Some(seq), Some(ts)));
            prop_assert_eq!((num(&d["b"][0][0], 8), num(&d["b"][0][1], 8), num(&d["a"][0][0], 8), num(&d["a"][0][1], 8)), want);
            okx(&mut out, "BTC-USDT", &q, ts, S);
            let v: Value = serde_json::from_slice(&out).unwrap();
            let d = &v["data"][0];
            let ts_text = ts.to_string();
            prop_assert_eq!((d["seqId"].as_u64(), d["ts"].as_str()), (Some(seq), Some(ts_text.as_str())));
            prop_assert_eq!((num(&d["bids"][0][0], 8), num(&d["bids"][0][1], 8), num(&d["asks"][0][0], 8), num(&d["asks"][0][1], 8)), want);
        }
    }
}
