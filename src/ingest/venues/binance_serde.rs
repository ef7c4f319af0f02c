//! The obvious alternative to the hand-written scanner, kept for the benchmark comparison the design
//! asks for (`benches/parse.rs`): Binance bookTicker through `serde_json` into a struct of borrowed
//! `&str` fields. It allocates nothing on success either (borrowed strings, unknown fields skipped),
//! but only understands combined-stream bookTicker frames: anything else (other streams, subscribe
//! answers, escaped strings) is an error here, where [`binance::parse`](super::binance::parse)
//! classifies it. Use `binance::parse` in the engine; this exists to be measured against.

use serde::Deserialize;

use super::frame::{Frame, ParseError, SkipKind};
use super::symbols::SymbolTable;
use crate::model::{parse_decimal, Price, Qty, Quote, VenueId};

/// `{"stream":"btcusdt@bookTicker","data":{...}}` with borrowed fields.
#[derive(Debug, Deserialize)]
pub struct Combined<'a> {
    /// Stream name.
    #[serde(borrow)]
    pub stream: &'a str,
    /// The bookTicker event.
    #[serde(borrow)]
    pub data: BookTicker<'a>,
}

/// A bookTicker event, spot or USD-M, with borrowed decimal strings.
#[derive(Debug, Deserialize)]
pub struct BookTicker<'a> {
    /// Update id.
    pub u: u64,
    /// Symbol.
    #[serde(borrow)]
    pub s: &'a str,
    /// Best bid price.
    #[serde(borrow)]
    pub b: &'a str,
    /// Best bid quantity.
    #[serde(borrow, rename = "B")]
    pub bid_qty: &'a str,
    /// Best ask price.
    #[serde(borrow)]
    pub a: &'a str,
    /// Best ask quantity.
    #[serde(borrow, rename = "A")]
    pub ask_qty: &'a str,
    /// Transaction time, ms (USD-M only).
    #[serde(rename = "T", default)]
    pub trade_ms: Option<u64>,
}

/// Parse a combined-stream bookTicker frame with serde. A serde failure is reported as
/// `WrongType { field: "serde" }` (the serde error itself would allocate).
pub fn parse_combined(
    payload: &[u8],
    symbols: &SymbolTable,
    recv_ts_ns: u64,
    venue: VenueId,
) -> Result<Frame, ParseError> {
    let frame: Combined<'_> =
        serde_json::from_slice(payload).map_err(|_| ParseError::WrongType { field: "serde" })?;
    let ev = frame.data;
    let Some(info) = symbols.get(ev.s.as_bytes()) else {
        return Ok(Frame::Skip(SkipKind::UnknownSymbol));
    };
    let (ps, qs) = (info.price_scale, info.qty_scale);
    let dec = |text: &str, field: &'static str, scale| {
        parse_decimal(text.as_bytes(), scale).map_err(ParseError::decimal(field))
    };
    Ok(Frame::Quote(Quote {
        seq: ev.u,
        bid_px: Price(dec(ev.b, "b", ps)?),
        bid_qty: Qty(dec(ev.bid_qty, "B", qs)?),
        ask_px: Price(dec(ev.a, "a", ps)?),
        ask_qty: Qty(dec(ev.ask_qty, "A", qs)?),
        exch_ts_ns: ev
            .trade_ms
            .and_then(|ms| ms.checked_mul(1_000_000))
            .and_then(|ns| i64::try_from(ns).ok())
            .unwrap_or(0),
        recv_ts_ns,
        instrument: info.instrument,
        venue,
        flags: 0,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::venues::binance;
    use crate::model::InstrumentId;

    #[test]
    fn agrees_with_the_scanner() {
        let t = SymbolTable::from_entries([("BTCUSDT", InstrumentId(0), 8, 8)]).unwrap();
        for f in [
            r#"{"stream":"btcusdt@bookTicker","data":{"u":50093239212,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"}}"#,
            r#"{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":5123107839020,"s":"BTCUSDT","b":"61800.20","B":"2.507","a":"61800.30","A":"2.510","T":1723161256313,"E":1723161256313}}"#,
        ] {
            let a = parse_combined(f.as_bytes(), &t, 1, VenueId(0)).unwrap();
            let b = binance::parse(f.as_bytes(), &t, 1, VenueId(0)).unwrap();
            assert_eq!(a, b);
        }
        assert!(parse_combined(b"{}", &t, 1, VenueId(0)).is_err());
    }
}
