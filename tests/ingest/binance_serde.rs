//! The obvious alternative to the engine's hand-written scanner, kept for the benchmark comparison
//! (`benches/parse.rs` includes this file) and checked against the engine's parser by
//! `binance_serde_tests.rs`: Binance bookTicker through `serde_json` into a struct of borrowed
//! `&str` fields. It allocates nothing on success either (borrowed strings, unknown fields skipped),
//! but only understands combined-stream bookTicker frames: anything else (other streams, subscribe
//! answers, escaped strings) is an error here, where the engine's `binance::parse`
//! classifies it. Use `binance::parse` in the engine; this exists to be measured against.

use serde::Deserialize;

use microarb::ingest::venues::{Frame, ParseError, SkipKind, SymbolTable};
use microarb::model::{parse_decimal, Price, Qty, Quote, QuoteSource, VenueId};

/// `{"stream":"btcusdt@bookTicker","data":{...}}` with borrowed fields.
#[derive(Debug, Deserialize)]
pub struct Combined<'a> {
    /// Stream name.
    #[serde(borrow)]
    #[allow(dead_code)] // required in the frame, never read afterwards
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
        parse_decimal(text.as_bytes(), scale)
            .map_err(|source| ParseError::Decimal { field, source })
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
        source: QuoteSource::Ws,
    }))
}
