//! Upbit `orderbook`: subscribe request, keep-alive, and the zero-allocation parser.
//!
//! Upbit sends binary frames of UTF-8 JSON in one of two key sets, chosen by the request's
//! `format`: DEFAULT (`type`, `code`, `timestamp`, `orderbook_units` of `ask_price`, `bid_price`,
//! `ask_size`, `bid_size`, `stream_type`) or SIMPLE (`ty`, `cd`, `tms`, `obu` of `ap`, `bp`, `as`,
//! `bs`, `st`). The parser accepts both in any frame. Prices and sizes are JSON numbers such as
//! `4627000.0` or `1.5e-5`: their text is parsed exactly with
//! [`parse_decimal`](crate::model::parse_decimal), never through `f64`.
//!
//! The quote is the first (best) unit. An empty `orderbook_units` gives a quote with both sides zero
//! (an empty book: not tradable). Upbit has no update id, so `seq` is 0 (the sequence guard lets it
//! through); `exch_ts_ns` is `timestamp`; flag bit 0 is set for `stream_type` SNAPSHOT.
//!
//! Recognised and skipped: other types (`trade`, `ticker`), the keep-alive answer
//! `{"status":"UP"}`, and `{"error":{...}}` ([`SkipKind::VenueError`]).

use super::fields::{decimal_num, ms_to_ns, required, string, uint};
use super::frame::{Frame, ParseError, SkipKind};
use super::keepalive::{ClientPing, KeepAlive};
use super::symbols::SymbolTable;
use crate::base::scan::{first_element, str_content, ObjIter};
use crate::model::{Price, Qty, Quote, VenueId};

/// Upbit's keep-alive: the server closes a connection idle for about 120 s; the client sends the
/// text `PING` (answered by `{"status":"UP"}`) after 60 s of silence, well inside that.
pub const KEEP_ALIVE: KeepAlive = KeepAlive {
    client_ping: ClientPing::Text("PING"),
    interval_ms: 60_000,
    only_when_idle: true,
    server_timeout_ms: 120_000,
};

/// Key set of the frames Upbit sends, as chosen in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Long keys (`orderbook_units`, `ask_price`, ...).
    Default,
    /// Short keys (`obu`, `ap`, ...): about half the bytes per frame.
    Simple,
}

/// The subscription code for `code` at depth unit 1 (`KRW-BTC` -> `KRW-BTC.1`); a code that
/// already carries a `.N` suffix is kept as is. Codes are uppercase.
pub fn subscription_code(code: &str) -> String {
    let upper = code.to_ascii_uppercase();
    match upper.rsplit_once('.') {
        Some((_, n)) if !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) => upper,
        _ => format!("{upper}.1"),
    }
}

/// The request array
/// `[{"ticket":"<ticket>"},{"type":"orderbook","codes":["KRW-BTC.1"]},{"format":"DEFAULT"}]`
/// (cold path). `ticket` should be unique per connection (a uuid).
pub fn subscribe_message(codes: &[&str], ticket: &str, format: Format) -> String {
    let codes: Vec<String> = codes.iter().map(|c| subscription_code(c)).collect();
    let format = match format {
        Format::Default => "DEFAULT",
        Format::Simple => "SIMPLE",
    };
    serde_json::json!([
        { "ticket": ticket },
        { "type": "orderbook", "codes": codes },
        { "format": format }
    ])
    .to_string()
}

/// Parse one Upbit payload (DEFAULT or SIMPLE keys) into a [`Frame`]. Never allocates, never panics.
pub fn parse(
    payload: &[u8],
    symbols: &SymbolTable,
    recv_ts_ns: u64,
    venue: VenueId,
) -> Result<Frame, ParseError> {
    let (mut ty, mut code, mut ts, mut units, mut stream_type) = (None, None, None, None, None);
    let mut status = false;
    for member in ObjIter::new(payload) {
        let (k, v) = member?;
        match k {
            b"ty" | b"type" => ty = Some(v),
            b"cd" | b"code" => code = Some(v),
            b"tms" | b"timestamp" => ts = Some(v),
            b"obu" | b"orderbook_units" => units = Some(v),
            b"st" | b"stream_type" => stream_type = Some(v),
            b"status" => status = true,
            b"error" => return Ok(Frame::Skip(SkipKind::VenueError)),
            _ => {}
        }
    }
    let Some(ty) = ty else {
        if status {
            return Ok(Frame::Skip(SkipKind::KeepAlive));
        }
        return Err(ParseError::MissingField { field: "type" });
    };
    if string(ty, "type")? != b"orderbook" {
        return Ok(Frame::Skip(SkipKind::OtherChannel));
    }
    let code = string(required(code, "code")?, "code")?;
    let Some(info) = symbols.get(code) else {
        return Ok(Frame::Skip(SkipKind::UnknownSymbol));
    };
    let (ps, qs) = (info.price_scale, info.qty_scale);
    let exch_ts_ns = match ts {
        Some(ts) => ms_to_ns(uint(ts, "timestamp")?, "timestamp")?,
        None => 0,
    };
    let mut quote = Quote {
        exch_ts_ns,
        recv_ts_ns,
        instrument: info.instrument,
        venue,
        flags: u8::from(stream_type.and_then(str_content) == Some(b"SNAPSHOT")),
        ..Quote::default()
    };
    let units = required(units, "orderbook_units")?;
    if let Some(best) = first_element(units)? {
        let (mut ap, mut bp, mut asz, mut bsz) = (None, None, None, None);
        for member in ObjIter::new(best) {
            let (k, v) = member?;
            match k {
                b"ap" | b"ask_price" => ap = Some(v),
                b"bp" | b"bid_price" => bp = Some(v),
                b"as" | b"ask_size" => asz = Some(v),
                b"bs" | b"bid_size" => bsz = Some(v),
                _ => {}
            }
        }
        quote.ask_px = Price(decimal_num(required(ap, "ask_price")?, "ask_price", ps)?);
        quote.bid_px = Price(decimal_num(required(bp, "bid_price")?, "bid_price", ps)?);
        quote.ask_qty = Qty(decimal_num(required(asz, "ask_size")?, "ask_size", qs)?);
        quote.bid_qty = Qty(decimal_num(required(bsz, "bid_size")?, "bid_size", qs)?);
    }
    Ok(Frame::Quote(quote))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::InstrumentId;
    use crate::model::QuoteSource;

    fn p(payload: &str) -> Result<Frame, ParseError> {
        let t = SymbolTable::from_entries([("KRW-BTC.1", InstrumentId(4), 0, 8)]).unwrap();
        parse(payload.as_bytes(), &t, 5, VenueId(1))
    }

    const DEFAULT: &str = r#"{"type":"orderbook","code":"KRW-BTC","timestamp":1553853571184,"total_ask_size":36.90715747,"total_bid_size":29.12064978,"orderbook_units":[{"ask_price":4627000.0,"bid_price":4626000.0,"ask_size":1.40706623,"bid_size":3.57203617}],"stream_type":"SNAPSHOT"}"#;

    #[test]
    fn default_and_simple_keys() {
        let want = Quote {
            seq: 0,
            bid_px: Price(4_626_000),
            bid_qty: Qty(357_203_617),
            ask_px: Price(4_627_000),
            ask_qty: Qty(140_706_623),
            exch_ts_ns: 1_553_853_571_184_000_000,
            recv_ts_ns: 5,
            instrument: InstrumentId(4),
            venue: VenueId(1),
            flags: 1,
            source: QuoteSource::Ws,
        };
        assert_eq!(p(DEFAULT), Ok(Frame::Quote(want)));
        let simple = r#"{"ty":"orderbook","cd":"KRW-BTC","tms":1553853571184,"tas":36.9,"tbs":29.1,"obu":[{"ap":4.627e6,"bp":4626000,"as":1.40706623,"bs":357203617E-8},{"ap":1,"bp":1,"as":1,"bs":1}],"st":"REALTIME"}"#;
        assert_eq!(p(simple), Ok(Frame::Quote(Quote { flags: 0, ..want })));
    }

    #[test]
    fn empty_book_is_a_zero_quote() {
        let f = r#"{"ty":"orderbook","cd":"KRW-BTC","tms":1,"obu":[]}"#;
        let Ok(Frame::Quote(q)) = p(f) else {
            panic!("not a quote")
        };
        assert!(!q.is_two_sided());
        assert_eq!(q.bid_px, Price::ZERO);
    }

    #[test]
    fn skips_and_errors() {
        assert_eq!(
            p(r#"{"status":"UP"}"#),
            Ok(Frame::Skip(SkipKind::KeepAlive))
        );
        assert_eq!(
            p(r#"{"error":{"name":"WRONG_FORMAT","message":"x"}}"#),
            Ok(Frame::Skip(SkipKind::VenueError))
        );
        assert_eq!(
            p(r#"{"ty":"trade","cd":"KRW-BTC","tp":127.0}"#),
            Ok(Frame::Skip(SkipKind::OtherChannel))
        );
        assert_eq!(
            p(&DEFAULT.replace("KRW-BTC", "KRW-ETH")),
            Ok(Frame::Skip(SkipKind::UnknownSymbol))
        );
        // 0.5 KRW does not fit scale 0: refused, not rounded.
        assert!(matches!(
            p(&DEFAULT.replace("4627000.0", "4627000.5")),
            Err(ParseError::Decimal {
                field: "ask_price",
                ..
            })
        ));
        assert_eq!(
            p(&DEFAULT.replace(r#""ask_size":1.40706623,"#, "")),
            Err(ParseError::MissingField { field: "ask_size" })
        );
        assert!(matches!(p("[1]"), Err(ParseError::Json(_))));
    }

    #[test]
    fn request() {
        assert_eq!(subscription_code("krw-btc"), "KRW-BTC.1");
        assert_eq!(subscription_code("KRW-BTC.15"), "KRW-BTC.15");
        assert_eq!(
            subscribe_message(&["KRW-BTC", "USDT-BTC.5"], "t-1", Format::Default),
            r#"[{"ticket":"t-1"},{"codes":["KRW-BTC.1","USDT-BTC.5"],"type":"orderbook"},{"format":"DEFAULT"}]"#
        );
    }
}
