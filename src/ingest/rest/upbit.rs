//! Upbit `GET /v1/orderbook?markets=`: the request for a round and its answer.
//!
//! From Upbit's API reference ("호가 정보 조회", orderbook list): `markets` is a comma-separated
//! list of market codes, answered by an array with one object per market:
//! `{"market":"KRW-BTC","timestamp":1529910247984,"total_ask_size":8.83621228,"total_bid_size":2.43976741,
//! "orderbook_units":[{"ask_price":6956000,"bid_price":6954000,"ask_size":0.24078656,"bid_size":0.00718341},..]}`,
//! units best first. Prices and sizes are JSON numbers: their text is parsed exactly, never
//! through `f64`. No update id (`seq` 0); `exch_ts_ns` is `timestamp`. An empty
//! `orderbook_units` is a quote with both sides zero (not tradable), as on the WebSocket. Errors
//! answer `{"error":{"name":..,"message":..}}`; the quotation group allows 10 requests per second
//! per IP (`Remaining-Req: group=orderbook; min=..; sec=..`).

use crate::base::scan::{first_element, ArrIter, ObjIter};
use crate::ingest::rest::answer::Answer;
use crate::ingest::venues::fields::{decimal_num, ms_to_ns, required, string, uint};
use crate::ingest::venues::{ParseError, SymbolTable};
use crate::model::{Price, Qty, Quote, QuoteSource, VenueId};

/// The path and query of one round over every market (venue spellings, an Upbit `.N` depth
/// suffix dropped; cold path).
pub fn path(markets: &[&str]) -> String {
    let codes: Vec<String> = markets
        .iter()
        .map(|m| {
            let upper = m.to_ascii_uppercase();
            match upper.rsplit_once('.') {
                Some((base, n)) if !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) => {
                    base.to_string()
                }
                _ => upper,
            }
        })
        .collect();
    format!("/v1/orderbook?markets={}", codes.join(","))
}

/// Parse an answer (an array of orderbooks, or the error object).
pub fn parse_answer(
    body: &[u8],
    symbols: &SymbolTable,
    venue: VenueId,
    emit: &mut impl FnMut(Quote),
) -> Result<Answer, ParseError> {
    let start = crate::base::scan::skip_ws(body, 0);
    if body.get(start) == Some(&b'{') {
        for member in ObjIter::new(body) {
            if member?.0 == b"error" {
                return Ok(Answer::VenueError);
            }
        }
        return Err(ParseError::MissingField { field: "error" });
    }
    let (mut quotes, mut unknown) = (0, 0);
    for item in ArrIter::new(body) {
        let (mut market, mut ts, mut units) = (None, None, None);
        for member in ObjIter::new(item?) {
            let (k, v) = member?;
            match k {
                b"market" => market = Some(v),
                b"timestamp" => ts = Some(v),
                b"orderbook_units" => units = Some(v),
                _ => {}
            }
        }
        let code = string(required(market, "market")?, "market")?;
        let Some(info) = symbols.get(code) else {
            unknown += 1;
            continue;
        };
        let (ps, qs) = (info.price_scale, info.qty_scale);
        let mut q = Quote {
            exch_ts_ns: match ts {
                Some(ts) => ms_to_ns(uint(ts, "timestamp")?, "timestamp")?,
                None => 0,
            },
            instrument: info.instrument,
            venue,
            flags: 1,
            source: QuoteSource::Rest,
            ..Quote::default()
        };
        if let Some(best) = first_element(required(units, "orderbook_units")?)? {
            let (mut ap, mut bp, mut asz, mut bsz) = (None, None, None, None);
            for member in ObjIter::new(best) {
                let (k, v) = member?;
                match k {
                    b"ask_price" => ap = Some(v),
                    b"bid_price" => bp = Some(v),
                    b"ask_size" => asz = Some(v),
                    b"bid_size" => bsz = Some(v),
                    _ => {}
                }
            }
            q.ask_px = Price(decimal_num(required(ap, "ask_price")?, "ask_price", ps)?);
            q.bid_px = Price(decimal_num(required(bp, "bid_price")?, "bid_price", ps)?);
            q.ask_qty = Qty(decimal_num(required(asz, "ask_size")?, "ask_size", qs)?);
            q.bid_qty = Qty(decimal_num(required(bsz, "bid_size")?, "bid_size", qs)?);
        }
        quotes += 1;
        emit(q);
    }
    Ok(Answer::Quotes { quotes, unknown })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::InstrumentId;

    fn run(body: &str) -> (Result<Answer, ParseError>, Vec<Quote>) {
        let t = SymbolTable::from_entries([("KRW-BTC.1", InstrumentId(2), 0, 8)]).unwrap();
        let mut got = Vec::new();
        let r = parse_answer(body.as_bytes(), &t, VenueId(1), &mut |q| got.push(q));
        (r, got)
    }

    /// The docs' example answer (first units of the KRW-BTC book).
    #[test]
    fn docs_example() {
        let body = r#"[
  {
    "market": "KRW-BTC",
    "timestamp": 1529910247984,
    "total_ask_size": 8.83621228,
    "total_bid_size": 2.43976741,
    "orderbook_units": [
      {"ask_price": 6956000, "bid_price": 6954000, "ask_size": 0.24078656, "bid_size": 0.00718341},
      {"ask_price": 6958000, "bid_price": 6953000, "ask_size": 1.12919, "bid_size": 0.11500074}
    ]
  }
]"#;
        let (r, q) = run(body);
        assert_eq!(
            r,
            Ok(Answer::Quotes {
                quotes: 1,
                unknown: 0
            })
        );
        let q = q[0];
        assert_eq!((q.ask_px, q.bid_px), (Price(6_956_000), Price(6_954_000)));
        assert_eq!((q.ask_qty, q.bid_qty), (Qty(24_078_656), Qty(718_341)));
        assert_eq!(q.exch_ts_ns, 1_529_910_247_984_000_000);
        assert_eq!(
            (q.instrument, q.venue, q.seq),
            (InstrumentId(2), VenueId(1), 0)
        );
        assert_eq!(q.source, QuoteSource::Rest);
    }

    #[test]
    fn other_shapes() {
        let (r, q) = run(r#"[{"market":"KRW-BTC","timestamp":1,"orderbook_units":[]}]"#);
        assert_eq!(
            r,
            Ok(Answer::Quotes {
                quotes: 1,
                unknown: 0
            })
        );
        assert!(!q[0].is_two_sided());
        assert_eq!(
            run(r#"[{"market":"KRW-ETH","timestamp":1,"orderbook_units":[]}]"#).0,
            Ok(Answer::Quotes {
                quotes: 0,
                unknown: 1
            })
        );
        assert_eq!(
            run(r#"{"error":{"name":"404","message":"Code not found"}}"#).0,
            Ok(Answer::VenueError)
        );
        // 0.5 KRW does not fit scale 0: refused, not rounded.
        assert!(matches!(
            run(r#"[{"market":"KRW-BTC","orderbook_units":[{"ask_price":1.5,"bid_price":1,"ask_size":1,"bid_size":1}]}]"#).0,
            Err(ParseError::Decimal { field: "ask_price", .. })
        ));
        assert!(run(r#"{"x":1}"#).0.is_err());
        assert!(run("[").0.is_err());
    }

    #[test]
    fn request_path() {
        assert_eq!(
            path(&["krw-btc.1", "USDT-BTC"]),
            "/v1/orderbook?markets=KRW-BTC,USDT-BTC"
        );
    }
}
