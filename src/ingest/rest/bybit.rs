//! Bybit v5 `GET /v5/market/orderbook?category=spot&symbol=&limit=1`: the request for one
//! instrument and its answer.
//!
//! From Bybit's v5 docs ("Get Orderbook"): `{"retCode":0,"retMsg":"OK","result":{"s":"BTCUSDT",
//! "a":[["65557.7","16.606555"]],"b":[["65485.47","47.081829"]],"ts":1716863719031,"u":230704,
//! "seq":1432604333,"cts":1716863718905},"retExtInfo":{},"time":1716863719382}`. Levels are
//! `[price, size]` strings, best first; an empty side is zero. `seq` is the update id `u`;
//! `exch_ts_ns` is `cts` (matching engine) when present, else `ts`. A non-zero `retCode` is the
//! venue's error answer. The HTTP IP limit is 600 requests per 5 s.

use crate::base::scan::ObjIter;
use crate::ingest::rest::answer::Answer;
use crate::ingest::venues::fields::{decimal_str, first_level, ms_to_ns, required, string, uint};
use crate::ingest::venues::{ParseError, SymbolTable};
use crate::model::{Price, Qty, Quote, QuoteSource, VenueId};

/// The path and query for `symbol` (venue spelling; cold path).
pub fn path(symbol: &str) -> String {
    format!(
        "/v5/market/orderbook?category=spot&symbol={}&limit=1",
        symbol.to_ascii_uppercase()
    )
}

/// Parse an answer.
pub fn parse_answer(
    body: &[u8],
    symbols: &SymbolTable,
    venue: VenueId,
    emit: &mut impl FnMut(Quote),
) -> Result<Answer, ParseError> {
    let (mut code, mut result) = (None, None);
    for member in ObjIter::new(body) {
        let (k, v) = member?;
        match k {
            b"retCode" => code = Some(v),
            b"result" => result = Some(v),
            _ => {}
        }
    }
    if uint(required(code, "retCode")?, "retCode").ok() != Some(0) {
        return Ok(Answer::VenueError);
    }
    let (mut s, mut a, mut b, mut ts, mut cts, mut u) = (None, None, None, None, None, None);
    for member in ObjIter::new(required(result, "result")?) {
        let (k, v) = member?;
        match k {
            b"s" => s = Some(v),
            b"a" => a = Some(v),
            b"b" => b = Some(v),
            b"ts" => ts = Some(v),
            b"cts" => cts = Some(v),
            b"u" => u = Some(v),
            _ => {}
        }
    }
    let symbol = string(required(s, "s")?, "s")?;
    let Some(info) = symbols.get(symbol) else {
        return Ok(Answer::Quotes {
            quotes: 0,
            unknown: 1,
        });
    };
    let (ps, qs) = (info.price_scale, info.qty_scale);
    let exch_ms = match (cts, ts) {
        (Some(t), _) => uint(t, "cts")?,
        (None, Some(t)) => uint(t, "ts")?,
        (None, None) => 0,
    };
    let mut q = Quote {
        seq: match u {
            Some(u) => uint(u, "u")?,
            None => 0,
        },
        exch_ts_ns: ms_to_ns(exch_ms, "ts")?,
        instrument: info.instrument,
        venue,
        flags: 1,
        source: QuoteSource::Rest,
        ..Quote::default()
    };
    if let Some((px, qty)) = first_level(required(a, "a")?, "a")? {
        q.ask_px = Price(decimal_str(px, "a", ps)?);
        q.ask_qty = Qty(decimal_str(qty, "a", qs)?);
    }
    if let Some((px, qty)) = first_level(required(b, "b")?, "b")? {
        q.bid_px = Price(decimal_str(px, "b", ps)?);
        q.bid_qty = Qty(decimal_str(qty, "b", qs)?);
    }
    emit(q);
    Ok(Answer::Quotes {
        quotes: 1,
        unknown: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::InstrumentId;

    fn run(body: &str) -> (Result<Answer, ParseError>, Vec<Quote>) {
        let t = SymbolTable::from_entries([("BTCUSDT", InstrumentId(0), 2, 6)]).unwrap();
        let mut got = Vec::new();
        let r = parse_answer(body.as_bytes(), &t, VenueId(2), &mut |q| got.push(q));
        (r, got)
    }

    const DOCS: &str = r#"{
    "retCode": 0,
    "retMsg": "OK",
    "result": {
        "s": "BTCUSDT",
        "a": [["65557.7", "16.606555"]],
        "b": [["65485.47", "47.081829"]],
        "ts": 1716863719031,
        "u": 230704,
        "seq": 1432604333,
        "cts": 1716863718905
    },
    "retExtInfo": {},
    "time": 1716863719382
}"#;

    /// The docs' example answer.
    #[test]
    fn docs_example() {
        let (r, q) = run(DOCS);
        assert_eq!(
            r,
            Ok(Answer::Quotes {
                quotes: 1,
                unknown: 0
            })
        );
        let q = q[0];
        assert_eq!((q.ask_px, q.ask_qty), (Price(6_555_770), Qty(16_606_555)));
        assert_eq!((q.bid_px, q.bid_qty), (Price(6_548_547), Qty(47_081_829)));
        assert_eq!(q.seq, 230_704);
        assert_eq!(
            q.exch_ts_ns, 1_716_863_718_905_000_000,
            "cts, the engine's time"
        );
        assert_eq!((q.venue, q.source), (VenueId(2), QuoteSource::Rest));
    }

    #[test]
    fn other_shapes() {
        let no_cts = DOCS.replace(",\n        \"cts\": 1716863718905", "");
        assert_eq!(run(&no_cts).1[0].exch_ts_ns, 1_716_863_719_031_000_000);
        let empty_bid = DOCS.replace(r#"[["65485.47", "47.081829"]]"#, "[]");
        assert_eq!(run(&empty_bid).1[0].bid_px, Price::ZERO);
        assert_eq!(
            run(r#"{"retCode":10001,"retMsg":"params error: symbol invalid","result":{},"retExtInfo":{},"time":1}"#).0,
            Ok(Answer::VenueError)
        );
        assert_eq!(
            run(&DOCS.replace("\"BTCUSDT\"", "\"ETHUSDT\"")).0,
            Ok(Answer::Quotes {
                quotes: 0,
                unknown: 1
            })
        );
        assert!(matches!(
            run(&DOCS.replace("65557.7", "65557.777")).0,
            Err(ParseError::Decimal { field: "a", .. })
        ));
        assert!(run(r#"{"retMsg":"OK"}"#).0.is_err());
    }

    #[test]
    fn request_path() {
        assert_eq!(
            path("btcusdt"),
            "/v5/market/orderbook?category=spot&symbol=BTCUSDT&limit=1"
        );
    }
}
