//! Binance spot (and USD-M futures) `bookTicker`: URL, subscribe message, keep-alive, and the
//! zero-allocation parser.
//!
//! Frames come raw (`/ws/btcusdt@bookTicker`) or wrapped by the combined endpoint
//! (`{"stream":"btcusdt@bookTicker","data":{...}}`). Spot bookTicker:
//! `{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}`;
//! USD-M adds `"e":"bookTicker"`, `E` (event time) and `T` (transaction time), which become the
//! quote's exchange timestamp (`T` preferred; spot has none, so 0).
//!
//! The combined wrapper is read in one pass: `data` is parsed in place, not skipped and rescanned,
//! and a `stream` name that is not a bookTicker ends the parse at once (`stream` comes first in
//! Binance's frames), so depth and trade frames cost almost nothing and are not validated further.
//!
//! Recognised and skipped: other streams of a combined connection (by the `stream` name), raw
//! events with another `e` (`depthUpdate`, `trade`, `kline`...), the subscribe answer
//! `{"result":null,"id":1}`, and error answers (`{"code":..,"msg":..}`, `{"error":{..},"id":..}`)
//! as [`SkipKind::VenueError`]. Keep-alive is WebSocket control frames only, so no text frame is a
//! pong.

use super::fields::{decimal_str, ms_to_ns, required, string, uint};
use super::frame::{Frame, ParseError, SkipKind};
use super::keepalive::{ClientPing, KeepAlive};
use super::symbols::SymbolTable;
use crate::base::scan::{str_content, ObjIter, ScanError};
use crate::model::{Price, Qty, Quote, QuoteSource, VenueId};

/// Binance's keep-alive: the server pings every 20 s; a pong must come within 60 s.
pub const KEEP_ALIVE: KeepAlive = KeepAlive {
    client_ping: ClientPing::AnswerServerPings,
    interval_ms: 20_000,
    only_when_idle: false,
    server_timeout_ms: 60_000,
};

/// The stream name for `symbol`'s bookTicker (`btcusdt@bookTicker`; stream names are lowercase).
pub fn stream_name(symbol: &str) -> String {
    format!("{}@bookTicker", symbol.to_ascii_lowercase())
}

/// Combined-stream URL subscribing to every symbol's bookTicker at connect time:
/// `<base>/stream?streams=btcusdt@bookTicker/ethusdt@bookTicker` (cold path).
pub fn combined_url(base: &str, symbols: &[&str]) -> String {
    let streams: Vec<String> = symbols.iter().map(|s| stream_name(s)).collect();
    format!(
        "{}/stream?streams={}",
        base.trim_end_matches('/'),
        streams.join("/")
    )
}

/// Live subscribe request `{"method":"SUBSCRIBE","params":["btcusdt@bookTicker"],"id":1}`, for a
/// raw `/ws` connection or to add streams later (the combined URL needs none). Cold path.
pub fn subscribe_message(symbols: &[&str], id: u64) -> String {
    let params: Vec<String> = symbols.iter().map(|s| stream_name(s)).collect();
    serde_json::json!({ "method": "SUBSCRIBE", "params": params, "id": id }).to_string()
}

/// The bookTicker fields of one event object, as raw values.
#[derive(Default, Clone, Copy)]
struct Event<'a> {
    e: Option<&'a [u8]>,
    u: Option<&'a [u8]>,
    s: Option<&'a [u8]>,
    bid: Option<&'a [u8]>,
    bid_qty: Option<&'a [u8]>,
    ask: Option<&'a [u8]>,
    ask_qty: Option<&'a [u8]>,
    event_ms: Option<&'a [u8]>,
    trade_ms: Option<&'a [u8]>,
}

impl<'a> Event<'a> {
    #[inline]
    fn take(&mut self, k: &[u8], v: &'a [u8]) {
        match k {
            b"e" => self.e = Some(v),
            b"u" => self.u = Some(v),
            b"s" => self.s = Some(v),
            b"b" => self.bid = Some(v),
            b"B" => self.bid_qty = Some(v),
            b"a" => self.ask = Some(v),
            b"A" => self.ask_qty = Some(v),
            b"E" => self.event_ms = Some(v),
            b"T" => self.trade_ms = Some(v),
            _ => {}
        }
    }
}

/// Parse one Binance payload (spot or USD-M, raw or combined) into a [`Frame`]. Never allocates,
/// never panics; the quote's `seq` is the update id `u`.
pub fn parse(
    payload: &[u8],
    symbols: &SymbolTable,
    recv_ts_ns: u64,
    venue: VenueId,
) -> Result<Frame, ParseError> {
    let mut top = Event::default();
    let mut stream = None;
    let mut data = None;
    let mut ack = false;
    let mut error = false;
    let mut it = ObjIter::new(payload);
    while let Some(key) = it.next_key() {
        let key = key?;
        if key == b"data" {
            // Read the event in place rather than skipping it and scanning it again.
            let base = it.offset();
            let mut inner = ObjIter::new(it.rest());
            let mut ev = Event::default();
            for member in inner.by_ref() {
                let (k, v) = member.map_err(|e| ScanError {
                    at: e.at + base,
                    ..e
                })?;
                ev.take(k, v);
            }
            it.advance(inner.consumed());
            data = Some(ev);
            continue;
        }
        let v = it.value()?;
        match key {
            b"stream" => {
                // Another stream of the connection: done, without reading (or validating) `data`.
                if str_content(v).is_some_and(|name| !name.ends_with(b"@bookTicker")) {
                    return Ok(Frame::Skip(SkipKind::OtherChannel));
                }
                stream = Some(v);
            }
            b"result" | b"id" => ack = true,
            b"error" | b"code" | b"msg" => error = true,
            _ => top.take(key, v),
        }
    }
    if error {
        return Ok(Frame::Skip(SkipKind::VenueError));
    }
    let ev = match data {
        Some(ev) => {
            if let Some(name) = stream.and_then(str_content) {
                if !name.ends_with(b"@bookTicker") {
                    return Ok(Frame::Skip(SkipKind::OtherChannel));
                }
            }
            ev
        }
        None if ack => return Ok(Frame::Skip(SkipKind::SubscribeAck)),
        None => top,
    };
    quote_from(&ev, symbols, recv_ts_ns, venue)
}

fn quote_from(
    ev: &Event<'_>,
    symbols: &SymbolTable,
    recv_ts_ns: u64,
    venue: VenueId,
) -> Result<Frame, ParseError> {
    if let Some(e) = ev.e {
        if str_content(e) != Some(b"bookTicker") {
            return Ok(Frame::Skip(SkipKind::OtherChannel));
        }
    } else if ev.s.is_none() && ev.bid.is_none() && ev.ask.is_none() {
        return Ok(Frame::Skip(SkipKind::OtherChannel));
    }
    let symbol = string(required(ev.s, "s")?, "s")?;
    let Some(info) = symbols.get(symbol) else {
        return Ok(Frame::Skip(SkipKind::UnknownSymbol));
    };
    let (ps, qs) = (info.price_scale, info.qty_scale);
    let seq = uint(required(ev.u, "u")?, "u")?;
    let exch_ts_ns = match (ev.trade_ms, ev.event_ms) {
        (Some(t), _) => ms_to_ns(uint(t, "T")?, "T")?,
        (None, Some(e)) => ms_to_ns(uint(e, "E")?, "E")?,
        (None, None) => 0,
    };
    Ok(Frame::Quote(Quote {
        seq,
        bid_px: Price(decimal_str(required(ev.bid, "b")?, "b", ps)?),
        bid_qty: Qty(decimal_str(required(ev.bid_qty, "B")?, "B", qs)?),
        ask_px: Price(decimal_str(required(ev.ask, "a")?, "a", ps)?),
        ask_qty: Qty(decimal_str(required(ev.ask_qty, "A")?, "A", qs)?),
        exch_ts_ns,
        recv_ts_ns,
        instrument: info.instrument,
        venue,
        flags: 0,
        source: QuoteSource::Ws,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DecimalError, InstrumentId};

    fn symbols() -> SymbolTable {
        SymbolTable::from_entries([
            ("BNBUSDT", InstrumentId(1), 8, 8),
            ("BTCUSDT", InstrumentId(0), 2, 3),
        ])
        .unwrap()
    }

    fn p(payload: &str) -> Result<Frame, ParseError> {
        parse(payload.as_bytes(), &symbols(), 77, VenueId(2))
    }

    const SPOT: &str = r#"{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}"#;

    #[test]
    fn spot_raw_and_combined() {
        let want = Quote {
            seq: 400_900_217,
            bid_px: Price(2_535_190_000),
            bid_qty: Qty(3_121_000_000),
            ask_px: Price(2_536_520_000),
            ask_qty: Qty(4_066_000_000),
            exch_ts_ns: 0,
            recv_ts_ns: 77,
            instrument: InstrumentId(1),
            venue: VenueId(2),
            flags: 0,
            source: QuoteSource::Ws,
        };
        assert_eq!(p(SPOT), Ok(Frame::Quote(want)));
        let wrapped = format!(r#"{{"stream":"bnbusdt@bookTicker","data":{SPOT}}}"#);
        assert_eq!(p(&wrapped), Ok(Frame::Quote(want)));
        // Field order does not matter, whitespace is allowed.
        let reordered = r#"{ "data" : {"A":"40.66","a":"25.3652","B":"31.21","b":"25.3519","s":"BNBUSDT","u":400900217}, "stream":"bnbusdt@bookTicker" }"#;
        assert_eq!(p(reordered), Ok(Frame::Quote(want)));
    }

    #[test]
    fn usdm_carries_transaction_time() {
        let f = r#"{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":5123107839020,"s":"BTCUSDT","b":"61800.20","B":"2.507","a":"61800.30","A":"2.510","T":1723161256313,"E":1723161256314}}"#;
        let Ok(Frame::Quote(q)) = p(f) else {
            panic!("not a quote")
        };
        assert_eq!(q.seq, 5_123_107_839_020);
        assert_eq!((q.bid_px, q.bid_qty), (Price(6_180_020), Qty(2_507)));
        assert_eq!((q.ask_px, q.ask_qty), (Price(6_180_030), Qty(2_510)));
        assert_eq!(q.exch_ts_ns, 1_723_161_256_313_000_000);
    }

    #[test]
    fn skips() {
        assert_eq!(
            p(r#"{"result":null,"id":1}"#),
            Ok(Frame::Skip(SkipKind::SubscribeAck))
        );
        assert_eq!(
            p(r#"{"code":2,"msg":"Invalid request"}"#),
            Ok(Frame::Skip(SkipKind::VenueError))
        );
        assert_eq!(
            p(r#"{"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT","p":"1"}}"#),
            Ok(Frame::Skip(SkipKind::OtherChannel))
        );
        assert_eq!(
            p(r#"{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[],"a":[]}"#),
            Ok(Frame::Skip(SkipKind::OtherChannel))
        );
        assert_eq!(
            p(r#"{"lastUpdateId":1,"bids":[],"asks":[]}"#),
            Ok(Frame::Skip(SkipKind::OtherChannel))
        );
        assert_eq!(
            p(&SPOT.replace("BNBUSDT", "XRPUSDT")),
            Ok(Frame::Skip(SkipKind::UnknownSymbol))
        );
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(
            p(&SPOT.replace(r#""u":400900217,"#, "")),
            Err(ParseError::MissingField { field: "u" })
        );
        assert_eq!(
            p(&SPOT.replace(r#""25.35190000""#, "25.3519")),
            Err(ParseError::WrongType { field: "b" })
        );
        assert_eq!(
            p(&SPOT.replace("40.66000000", "40.66x")),
            Err(ParseError::Decimal {
                field: "A",
                source: DecimalError::InvalidChar { at: 5 }
            })
        );
        assert!(matches!(p(&SPOT[..50]), Err(ParseError::Json(_))));
        assert!(matches!(p("pong"), Err(ParseError::Json(_))));
    }

    #[test]
    fn protocol_facts() {
        assert_eq!(
            combined_url("wss://stream.binance.com:9443/", &["BTCUSDT", "EthUsdt"]),
            "wss://stream.binance.com:9443/stream?streams=btcusdt@bookTicker/ethusdt@bookTicker"
        );
        assert_eq!(
            subscribe_message(&["BTCUSDT"], 1),
            r#"{"id":1,"method":"SUBSCRIBE","params":["btcusdt@bookTicker"]}"#
        );
    }
}
