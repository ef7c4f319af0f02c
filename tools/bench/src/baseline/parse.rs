//! Venue payloads parsed the way seed 000 parses them: `serde_json` into owned structs
//! (`String` fields), then `.parse::<f64>()` on the decimal strings.
//!
//! Contract: [`parse`] takes one WebSocket payload of a venue of kind `kind` and returns a
//! [`Parsed`]: zero or more top-of-book updates ([`PriceData`], owned, `f64` prices), a
//! recognised non-quote message (subscribe answers, pongs, status), or a [`ParseError`]. It never
//! panics on outside input. Unlike microarb's zero-copy parsers this allocates per frame (the
//! owned strings and vectors): that is the point of the baseline.
//!
//! Bybit's `orderbook.1` sends deltas; a level with size `"0"` removes it. A side with no live
//! level keeps the previous top of book, which [`BybitTops`] remembers per symbol.

use std::collections::HashMap;

use microarb::model::VenueKind;
use serde::Deserialize;
use thiserror::Error;

/// One top-of-book update, owned, as the seed's `PriceData`.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceData {
    /// The venue's symbol (`BTCUSDT`, `BTC-USDT`, `USDT-BTC`).
    pub symbol: String,
    /// Venue sequence / update id (0 when the venue sends none).
    pub sequence: u64,
    /// Best bid price.
    pub bid: f64,
    /// Best bid size.
    pub bid_qty: f64,
    /// Best ask price.
    pub ask: f64,
    /// Best ask size.
    pub ask_qty: f64,
}

/// What one payload held.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// A top-of-book update.
    Quote(PriceData),
    /// A recognised message that carries no quote (subscribe answer, pong, status).
    Skip,
}

/// Why a payload could not be used.
#[derive(Debug, Error)]
pub enum ParseError {
    /// Not the JSON shape this venue sends.
    #[error("{venue}: bad JSON: {source}")]
    Json {
        /// Venue kind.
        venue: &'static str,
        /// serde_json's reason.
        source: serde_json::Error,
    },
    /// A price or size string that is not a number.
    #[error("{venue}: field {field}: not a number: {text:?}")]
    Number {
        /// Venue kind.
        venue: &'static str,
        /// Which field.
        field: &'static str,
        /// The text received.
        text: String,
    },
    /// A book message with no level on a side and nothing remembered for it.
    #[error("{venue}: {symbol}: empty book side")]
    EmptySide {
        /// Venue kind.
        venue: &'static str,
        /// Symbol.
        symbol: String,
    },
}

/// Binance combined-stream wrapper (`stream` names the stream; the symbol is in `data`).
#[derive(Debug, Deserialize)]
pub struct Combined {
    /// The bookTicker payload.
    pub data: BookTicker,
}

/// Binance `bookTicker` payload.
#[derive(Debug, Deserialize)]
pub struct BookTicker {
    /// Update id.
    pub u: u64,
    /// Symbol.
    pub s: String,
    /// Best bid price.
    pub b: String,
    /// Best bid qty.
    #[serde(rename = "B")]
    pub bid_qty: String,
    /// Best ask price.
    pub a: String,
    /// Best ask qty.
    #[serde(rename = "A")]
    pub ask_qty: String,
}

/// Bybit v5 push or control answer.
#[derive(Debug, Deserialize)]
struct BybitMsg {
    topic: Option<String>,
    data: Option<BybitBook>,
}

#[derive(Debug, Deserialize)]
struct BybitBook {
    s: String,
    #[serde(default)]
    b: Vec<Vec<String>>,
    #[serde(default)]
    a: Vec<Vec<String>>,
    #[serde(default)]
    u: u64,
}

/// OKX v5 push or event.
#[derive(Debug, Deserialize)]
struct OkxMsg {
    arg: Option<OkxArg>,
    data: Option<Vec<OkxBbo>>,
}

#[derive(Debug, Deserialize)]
struct OkxArg {
    #[serde(rename = "instId")]
    inst_id: String,
}

#[derive(Debug, Deserialize)]
struct OkxBbo {
    asks: Vec<Vec<String>>,
    bids: Vec<Vec<String>>,
    #[serde(rename = "seqId", default)]
    seq_id: u64,
}

/// Upbit orderbook (DEFAULT keys, SIMPLE keys as aliases) or status message.
#[derive(Debug, Deserialize)]
struct UpbitMsg {
    #[serde(alias = "cd")]
    code: Option<String>,
    #[serde(alias = "tms", default)]
    timestamp: u64,
    #[serde(alias = "obu")]
    orderbook_units: Option<Vec<UpbitUnit>>,
}

#[derive(Debug, Deserialize)]
struct UpbitUnit {
    #[serde(alias = "ap")]
    ask_price: f64,
    #[serde(alias = "bp")]
    bid_price: f64,
    #[serde(alias = "as")]
    ask_size: f64,
    #[serde(alias = "bs")]
    bid_size: f64,
}

/// Bybit's last known top of book per symbol (deltas may leave a side unchanged).
#[derive(Debug, Default)]
pub struct BybitTops {
    tops: HashMap<String, (f64, f64, f64, f64)>,
}

fn num(venue: &'static str, field: &'static str, text: &str) -> Result<f64, ParseError> {
    text.parse::<f64>().map_err(|_| ParseError::Number {
        venue,
        field,
        text: text.to_string(),
    })
}

fn json<'a, T: Deserialize<'a>>(venue: &'static str, payload: &'a [u8]) -> Result<T, ParseError> {
    serde_json::from_slice(payload).map_err(|source| ParseError::Json { venue, source })
}

/// Parse one payload of a venue of `kind`. `bybit` holds that connection's Bybit book state.
pub fn parse(kind: VenueKind, payload: &[u8], bybit: &mut BybitTops) -> Result<Parsed, ParseError> {
    match kind {
        VenueKind::Binance => parse_binance(payload),
        VenueKind::Bybit => parse_bybit(payload, bybit),
        VenueKind::Okx => parse_okx(payload),
        VenueKind::Upbit => parse_upbit(payload),
    }
}

fn ticker(t: BookTicker) -> Result<Parsed, ParseError> {
    const V: &str = "binance";
    Ok(Parsed::Quote(PriceData {
        bid: num(V, "b", &t.b)?,
        bid_qty: num(V, "B", &t.bid_qty)?,
        ask: num(V, "a", &t.a)?,
        ask_qty: num(V, "A", &t.ask_qty)?,
        sequence: t.u,
        symbol: t.s,
    }))
}

fn parse_binance(payload: &[u8]) -> Result<Parsed, ParseError> {
    // The combined stream is what is subscribed, so try it first; fall back to the raw form and
    // then to control answers, rather than an untagged enum that buffers every frame twice.
    if let Ok(c) = serde_json::from_slice::<Combined>(payload) {
        return ticker(c.data);
    }
    if let Ok(t) = serde_json::from_slice::<BookTicker>(payload) {
        return ticker(t);
    }
    let v: serde_json::Value = json("binance", payload)?;
    if v.get("result").is_some() || v.get("e").is_some() {
        return Ok(Parsed::Skip);
    }
    Err(ParseError::Json {
        venue: "binance",
        source: serde::de::Error::custom("neither a bookTicker nor a control answer"),
    })
}

/// First level with a non-zero size, as `(price, size)`.
fn top(venue: &'static str, levels: &[Vec<String>]) -> Result<Option<(f64, f64)>, ParseError> {
    for l in levels {
        let (Some(p), Some(q)) = (l.first(), l.get(1)) else {
            continue;
        };
        let q = num(venue, "size", q)?;
        if q > 0.0 {
            return Ok(Some((num(venue, "price", p)?, q)));
        }
    }
    Ok(None)
}

fn parse_bybit(payload: &[u8], state: &mut BybitTops) -> Result<Parsed, ParseError> {
    const V: &str = "bybit";
    let msg: BybitMsg = json(V, payload)?;
    let (Some(_topic), Some(book)) = (msg.topic, msg.data) else {
        return Ok(Parsed::Skip);
    };
    let prev = state.tops.get(&book.s).copied();
    let bid = top(V, &book.b)?.or(prev.map(|p| (p.0, p.1)));
    let ask = top(V, &book.a)?.or(prev.map(|p| (p.2, p.3)));
    let (Some((bid, bid_qty)), Some((ask, ask_qty))) = (bid, ask) else {
        return Err(ParseError::EmptySide {
            venue: V,
            symbol: book.s,
        });
    };
    state
        .tops
        .insert(book.s.clone(), (bid, bid_qty, ask, ask_qty));
    Ok(Parsed::Quote(PriceData {
        symbol: book.s,
        sequence: book.u,
        bid,
        bid_qty,
        ask,
        ask_qty,
    }))
}

fn parse_okx(payload: &[u8]) -> Result<Parsed, ParseError> {
    const V: &str = "okx";
    if payload == b"pong" {
        return Ok(Parsed::Skip);
    }
    let msg: OkxMsg = json(V, payload)?;
    let (Some(arg), Some(data)) = (msg.arg, msg.data) else {
        return Ok(Parsed::Skip);
    };
    let Some(bbo) = data.into_iter().next() else {
        return Ok(Parsed::Skip);
    };
    let (Some((bid, bid_qty)), Some((ask, ask_qty))) = (top(V, &bbo.bids)?, top(V, &bbo.asks)?)
    else {
        return Err(ParseError::EmptySide {
            venue: V,
            symbol: arg.inst_id,
        });
    };
    Ok(Parsed::Quote(PriceData {
        symbol: arg.inst_id,
        sequence: bbo.seq_id,
        bid,
        bid_qty,
        ask,
        ask_qty,
    }))
}

fn parse_upbit(payload: &[u8]) -> Result<Parsed, ParseError> {
    const V: &str = "upbit";
    let msg: UpbitMsg = json(V, payload)?;
    let (Some(code), Some(units)) = (msg.code, msg.orderbook_units) else {
        return Ok(Parsed::Skip);
    };
    let Some(u) = units.into_iter().next() else {
        return Err(ParseError::EmptySide {
            venue: V,
            symbol: code,
        });
    };
    Ok(Parsed::Quote(PriceData {
        symbol: code,
        // Upbit sends no sequence number; its timestamp orders updates.
        sequence: msg.timestamp,
        bid: u.bid_price,
        bid_qty: u.bid_size,
        ask: u.ask_price,
        ask_qty: u.ask_size,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quote(kind: VenueKind, payload: &str) -> PriceData {
        match parse(kind, payload.as_bytes(), &mut BybitTops::default()) {
            Ok(Parsed::Quote(q)) => q,
            other => panic!("{payload}: {other:?}"),
        }
    }

    #[test]
    fn binance_combined_and_raw() {
        let raw = r#"{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}"#;
        let q = quote(VenueKind::Binance, raw);
        assert_eq!(q.symbol, "BNBUSDT");
        assert_eq!(q.sequence, 400900217);
        assert_eq!(
            (q.bid, q.bid_qty, q.ask, q.ask_qty),
            (25.3519, 31.21, 25.3652, 40.66)
        );
        let combined = format!(r#"{{"stream":"bnbusdt@bookTicker","data":{raw}}}"#);
        assert_eq!(quote(VenueKind::Binance, &combined), q);
        let mut s = BybitTops::default();
        let r = parse(VenueKind::Binance, br#"{"result":null,"id":1}"#, &mut s);
        assert!(matches!(r, Ok(Parsed::Skip)));
        assert!(parse(VenueKind::Binance, b"{nope", &mut s).is_err());
        let bad = raw.replace("25.35190000", "x");
        assert!(matches!(
            parse(VenueKind::Binance, bad.as_bytes(), &mut s),
            Err(ParseError::Number { field: "b", .. })
        ));
    }

    #[test]
    fn bybit_snapshot_then_delta_keeps_the_unchanged_side() {
        let mut s = BybitTops::default();
        let snap = br#"{"topic":"orderbook.1.BTCUSDT","type":"snapshot","ts":1671179923028,"data":{"s":"BTCUSDT","b":[["17440.00","40.833"]],"a":[["17440.50","78.815"]],"u":13079592,"seq":22520573250},"cts":1671179923025}"#;
        let Ok(Parsed::Quote(q)) = parse(VenueKind::Bybit, snap, &mut s) else {
            panic!("snapshot")
        };
        assert_eq!((q.bid, q.ask, q.sequence), (17440.0, 17440.5, 13079592));
        let delta = br#"{"topic":"orderbook.1.BTCUSDT","type":"delta","ts":1,"data":{"s":"BTCUSDT","b":[["17441.00","1.5"]],"a":[],"u":13079593,"seq":2},"cts":1}"#;
        let Ok(Parsed::Quote(q)) = parse(VenueKind::Bybit, delta, &mut s) else {
            panic!("delta")
        };
        assert_eq!(
            (q.bid, q.bid_qty, q.ask, q.ask_qty),
            (17441.0, 1.5, 17440.5, 78.815)
        );
        let pong = br#"{"success":true,"ret_msg":"pong","conn_id":"x","op":"ping"}"#;
        assert!(matches!(
            parse(VenueKind::Bybit, pong, &mut s),
            Ok(Parsed::Skip)
        ));
    }

    #[test]
    fn okx_bbo_and_events() {
        let q = quote(
            VenueKind::Okx,
            r#"{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["8476.98","415","0","13"]],"bids":[["8476.97","256","0","12"]],"ts":"1597026383085","seqId":123456}]}"#,
        );
        assert_eq!(q.symbol, "BTC-USDT");
        assert_eq!((q.bid, q.ask, q.sequence), (8476.97, 8476.98, 123456));
        let mut s = BybitTops::default();
        let ev = br#"{"event":"subscribe","arg":{"channel":"bbo-tbt","instId":"BTC-USDT"}}"#;
        assert!(matches!(
            parse(VenueKind::Okx, ev, &mut s),
            Ok(Parsed::Skip)
        ));
        assert!(matches!(
            parse(VenueKind::Okx, b"pong", &mut s),
            Ok(Parsed::Skip)
        ));
    }

    #[test]
    fn upbit_default_and_simple() {
        let q = quote(
            VenueKind::Upbit,
            r#"{"type":"orderbook","code":"KRW-BTC","timestamp":1553853571184,"total_ask_size":36.90715747,"total_bid_size":29.12064978,"orderbook_units":[{"ask_price":4627000.0,"bid_price":4626000.0,"ask_size":1.40706623,"bid_size":3.57203617}],"stream_type":"SNAPSHOT"}"#,
        );
        assert_eq!(q.symbol, "KRW-BTC");
        assert_eq!(
            (q.bid, q.ask, q.ask_qty),
            (4626000.0, 4627000.0, 1.40706623)
        );
        let simple = quote(
            VenueKind::Upbit,
            r#"{"ty":"orderbook","cd":"KRW-BTC","tms":1553853571184,"obu":[{"ap":4.627e6,"bp":4626000,"as":1.40706623,"bs":3.57203617}]}"#,
        );
        assert_eq!(simple, q);
        let mut s = BybitTops::default();
        assert!(matches!(
            parse(VenueKind::Upbit, br#"{"status":"UP"}"#, &mut s),
            Ok(Parsed::Skip)
        ));
    }
}
