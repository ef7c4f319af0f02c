//! Binance spot `GET /api/v3/ticker/bookTicker`: the request for a round and its answer.
//!
//! From Binance's `rest-api.md` ("Symbol order book ticker"): `symbol=BTCUSDT` (weight 2) answers
//! one object, `symbols=["BTCUSDT","BNBUSDT"]` (weight 4) an array of them:
//! `{"symbol":"LTCBTC","bidPrice":"4.00000000","bidQty":"431.00000000","askPrice":"4.00000200","askQty":"9.00000000"}`.
//! Prices and sizes are decimal strings. The answer has no update id and no timestamp, so the
//! quote's `seq` and `exch_ts_ns` are 0. Errors answer `{"code":-1121,"msg":"Invalid symbol."}`
//! (with a 4xx status), and a 429 or 418 carries `Retry-After` in seconds.

use crate::base::scan::{ArrIter, ObjIter};
use crate::ingest::rest::answer::Answer;
use crate::ingest::venues::fields::{decimal_str, required, string};
use crate::ingest::venues::{ParseError, SymbolTable};
use crate::model::{Price, Qty, Quote, QuoteSource, VenueId};

/// The path and query of one round over `symbols` (venue spellings; cold path):
/// `symbol=` for one, the JSON-array form of `symbols=` (percent-encoded) for several.
pub fn path(symbols: &[&str]) -> String {
    match symbols {
        [one] => format!(
            "/api/v3/ticker/bookTicker?symbol={}",
            one.to_ascii_uppercase()
        ),
        many => {
            let list: Vec<String> = many
                .iter()
                .map(|s| format!("%22{}%22", s.to_ascii_uppercase()))
                .collect();
            format!("/api/v3/ticker/bookTicker?symbols=%5B{}%5D", list.join(","))
        }
    }
}

/// Parse an answer (one object or an array of them).
pub fn parse_answer(
    body: &[u8],
    symbols: &SymbolTable,
    venue: VenueId,
    emit: &mut impl FnMut(Quote),
) -> Result<Answer, ParseError> {
    let start = crate::base::scan::skip_ws(body, 0);
    let (mut quotes, mut unknown) = (0, 0);
    if body.get(start) == Some(&b'[') {
        for item in ArrIter::new(body) {
            match ticker(item?, symbols, venue)? {
                Ticker::Quote(q) => {
                    quotes += 1;
                    emit(q)
                }
                Ticker::Unknown => unknown += 1,
                Ticker::Error => return Ok(Answer::VenueError),
            }
        }
    } else {
        match ticker(body, symbols, venue)? {
            Ticker::Quote(q) => {
                quotes += 1;
                emit(q)
            }
            Ticker::Unknown => unknown += 1,
            Ticker::Error => return Ok(Answer::VenueError),
        }
    }
    Ok(Answer::Quotes { quotes, unknown })
}

enum Ticker {
    Quote(Quote),
    Unknown,
    Error,
}

fn ticker(obj: &[u8], symbols: &SymbolTable, venue: VenueId) -> Result<Ticker, ParseError> {
    let (mut s, mut bp, mut bq, mut ap, mut aq) = (None, None, None, None, None);
    for member in ObjIter::new(obj) {
        let (k, v) = member?;
        match k {
            b"symbol" => s = Some(v),
            b"bidPrice" => bp = Some(v),
            b"bidQty" => bq = Some(v),
            b"askPrice" => ap = Some(v),
            b"askQty" => aq = Some(v),
            b"code" | b"msg" => return Ok(Ticker::Error),
            _ => {}
        }
    }
    let symbol = string(required(s, "symbol")?, "symbol")?;
    let Some(info) = symbols.get(symbol) else {
        return Ok(Ticker::Unknown);
    };
    let (ps, qs) = (info.price_scale, info.qty_scale);
    Ok(Ticker::Quote(Quote {
        bid_px: Price(decimal_str(required(bp, "bidPrice")?, "bidPrice", ps)?),
        bid_qty: Qty(decimal_str(required(bq, "bidQty")?, "bidQty", qs)?),
        ask_px: Price(decimal_str(required(ap, "askPrice")?, "askPrice", ps)?),
        ask_qty: Qty(decimal_str(required(aq, "askQty")?, "askQty", qs)?),
        instrument: info.instrument,
        venue,
        flags: 1,
        source: QuoteSource::Rest,
        ..Quote::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::InstrumentId;

    fn table() -> SymbolTable {
        SymbolTable::from_entries([
            ("LTCBTC", InstrumentId(0), 8, 8),
            ("ETHBTC", InstrumentId(1), 8, 8),
        ])
        .unwrap()
    }

    fn run(body: &str) -> (Result<Answer, ParseError>, Vec<Quote>) {
        let mut got = Vec::new();
        let r = parse_answer(body.as_bytes(), &table(), VenueId(3), &mut |q| got.push(q));
        (r, got)
    }

    /// The docs' example answers, single and list.
    #[test]
    fn docs_examples() {
        let one = r#"{
    "symbol": "LTCBTC",
    "bidPrice": "4.00000000",
    "bidQty": "431.00000000",
    "askPrice": "4.00000200",
    "askQty": "9.00000000"
}"#;
        let (r, q) = run(one);
        assert_eq!(
            r,
            Ok(Answer::Quotes {
                quotes: 1,
                unknown: 0
            })
        );
        assert_eq!(q[0].bid_px, Price(400_000_000));
        assert_eq!(q[0].bid_qty, Qty(43_100_000_000));
        assert_eq!(q[0].ask_px, Price(400_000_200));
        assert_eq!(q[0].ask_qty, Qty(900_000_000));
        assert_eq!((q[0].seq, q[0].exch_ts_ns, q[0].venue), (0, 0, VenueId(3)));
        assert_eq!((q[0].source, q[0].flags), (QuoteSource::Rest, 1));
        let list = r#"[
    {"symbol": "LTCBTC", "bidPrice": "4.00000000", "bidQty": "431.00000000", "askPrice": "4.00000200", "askQty": "9.00000000"},
    {"symbol": "ETHBTC", "bidPrice": "0.07946700", "bidQty": "9.00000000", "askPrice": "100000.00000000", "askQty": "1000.00000000"},
    {"symbol": "BNBBTC", "bidPrice": "1", "bidQty": "1", "askPrice": "1", "askQty": "1"}
]"#;
        let (r, q) = run(list);
        assert_eq!(
            r,
            Ok(Answer::Quotes {
                quotes: 2,
                unknown: 1
            })
        );
        assert_eq!(q[1].instrument, InstrumentId(1));
        assert_eq!(q[1].ask_px, Price(10_000_000_000_000));
    }

    #[test]
    fn errors() {
        assert_eq!(
            run(r#"{"code":-1121,"msg":"Invalid symbol."}"#).0,
            Ok(Answer::VenueError)
        );
        assert_eq!(
            run(r#"{"symbol":"LTCBTC","bidPrice":"4","bidQty":"1","askPrice":"5"}"#).0,
            Err(ParseError::MissingField { field: "askQty" })
        );
        assert!(matches!(
            run(r#"{"symbol":"LTCBTC","bidPrice":4.0,"bidQty":"1","askPrice":"5","askQty":"1"}"#).0,
            Err(ParseError::WrongType { field: "bidPrice" })
        ));
        assert!(matches!(run("<html>").0, Err(ParseError::Json(_))));
        assert!(matches!(
            run(r#"[{"symbol":"LTCBTC""#).0,
            Err(ParseError::Json(_))
        ));
    }

    #[test]
    fn request_paths() {
        assert_eq!(
            path(&["btcusdt"]),
            "/api/v3/ticker/bookTicker?symbol=BTCUSDT"
        );
        assert_eq!(
            path(&["BTCUSDT", "BNBUSDT"]),
            "/api/v3/ticker/bookTicker?symbols=%5B%22BTCUSDT%22,%22BNBUSDT%22%5D"
        );
    }
}
