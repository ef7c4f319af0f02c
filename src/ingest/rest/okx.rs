//! OKX v5 `GET /api/v5/market/books?instId=&sz=1`: the request for one instrument and its answer.
//!
//! From OKX's v5 docs ("Get order book"): `{"code":"0","msg":"","data":[{"asks":[["41006.8",
//! "0.60038921","0","1"]],"bids":[["41006.3","0.30178218","0","2"]],"ts":"1629966436396"}]}`,
//! newer answers adding `"seqId"`. Levels are `[price, size, "0", order count]` strings; the
//! answer does not repeat the instrument, so the request's is used. `seq` is `seqId` (0 when
//! absent), `exch_ts_ns` is `ts`. A `code` other than `"0"` is the venue's error answer; the limit
//! is 40 requests per 2 s per IP.

use crate::base::scan::{first_element, str_content, ObjIter};
use crate::ingest::rest::answer::Answer;
use crate::ingest::venues::fields::{decimal_str, first_level, ms_to_ns, required, uint};
use crate::ingest::venues::{ParseError, SymbolInfo};
use crate::model::{Price, Qty, Quote, QuoteSource, VenueId};

/// The path and query for `inst_id` (venue spelling; cold path).
pub fn path(inst_id: &str) -> String {
    format!(
        "/api/v5/market/books?instId={}&sz=1",
        inst_id.to_ascii_uppercase()
    )
}

/// Parse an answer to a request for `asked`.
pub fn parse_answer(
    body: &[u8],
    asked: Option<SymbolInfo>,
    venue: VenueId,
    emit: &mut impl FnMut(Quote),
) -> Result<Answer, ParseError> {
    let (mut code, mut data) = (None, None);
    for member in ObjIter::new(body) {
        let (k, v) = member?;
        match k {
            b"code" => code = Some(v),
            b"data" => data = Some(v),
            _ => {}
        }
    }
    let code = required(code, "code")?;
    if str_content(code).unwrap_or(code) != b"0" {
        return Ok(Answer::VenueError);
    }
    let Some(info) = asked else {
        return Ok(Answer::Quotes {
            quotes: 0,
            unknown: 1,
        });
    };
    let Some(item) = first_element(required(data, "data")?)? else {
        return Ok(Answer::Quotes {
            quotes: 0,
            unknown: 0,
        });
    };
    let (mut asks, mut bids, mut ts, mut seq) = (None, None, None, None);
    for member in ObjIter::new(item) {
        let (k, v) = member?;
        match k {
            b"asks" => asks = Some(v),
            b"bids" => bids = Some(v),
            b"ts" => ts = Some(v),
            b"seqId" => seq = Some(v),
            _ => {}
        }
    }
    let (ps, qs) = (info.price_scale, info.qty_scale);
    let mut q = Quote {
        seq: match seq {
            Some(s) => uint(s, "seqId")?,
            None => 0,
        },
        exch_ts_ns: ms_to_ns(uint(required(ts, "ts")?, "ts")?, "ts")?,
        instrument: info.instrument,
        venue,
        flags: 1,
        source: QuoteSource::Rest,
        ..Quote::default()
    };
    if let Some((px, qty)) = first_level(required(asks, "asks")?, "asks")? {
        q.ask_px = Price(decimal_str(px, "asks", ps)?);
        q.ask_qty = Qty(decimal_str(qty, "asks", qs)?);
    }
    if let Some((px, qty)) = first_level(required(bids, "bids")?, "bids")? {
        q.bid_px = Price(decimal_str(px, "bids", ps)?);
        q.bid_qty = Qty(decimal_str(qty, "bids", qs)?);
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

    fn info() -> SymbolInfo {
        SymbolInfo {
            instrument: InstrumentId(1),
            price_scale: 1,
            qty_scale: 8,
        }
    }

    fn run(body: &str) -> (Result<Answer, ParseError>, Vec<Quote>) {
        let mut got = Vec::new();
        let r = parse_answer(body.as_bytes(), Some(info()), VenueId(0), &mut |q| {
            got.push(q)
        });
        (r, got)
    }

    /// The docs' example answer, with and without the newer `seqId`.
    #[test]
    fn docs_example() {
        let body = r#"{
    "code": "0",
    "msg": "",
    "data": [
        {
            "asks": [["41006.8", "0.60038921", "0", "1"]],
            "bids": [["41006.3", "0.30178218", "0", "2"]],
            "ts": "1629966436396"
        }
    ]
}"#;
        let (r, q) = run(body);
        assert_eq!(
            r,
            Ok(Answer::Quotes {
                quotes: 1,
                unknown: 0
            })
        );
        let q0 = q[0];
        assert_eq!((q0.ask_px, q0.ask_qty), (Price(410_068), Qty(60_038_921)));
        assert_eq!((q0.bid_px, q0.bid_qty), (Price(410_063), Qty(30_178_218)));
        assert_eq!((q0.exch_ts_ns, q0.seq), (1_629_966_436_396_000_000, 0));
        assert_eq!(
            (q0.instrument, q0.source),
            (InstrumentId(1), QuoteSource::Rest)
        );
        let with_seq = body.replace(
            r#""ts": "1629966436396""#,
            r#""ts": "1629966436396", "seqId": 3235851742"#,
        );
        assert_eq!(run(&with_seq).1[0].seq, 3_235_851_742);
    }

    #[test]
    fn other_shapes() {
        assert_eq!(
            run(r#"{"code":"51001","msg":"Instrument ID does not exist","data":[]}"#).0,
            Ok(Answer::VenueError)
        );
        assert_eq!(
            run(r#"{"code":"0","msg":"","data":[]}"#).0,
            Ok(Answer::Quotes {
                quotes: 0,
                unknown: 0
            })
        );
        assert!(matches!(
            run(r#"{"code":"0","data":[{"asks":[],"bids":[]}]}"#).0,
            Err(ParseError::MissingField { field: "ts" })
        ));
        assert!(run("").0.is_err());
    }

    #[test]
    fn request_path() {
        assert_eq!(
            path("btc-usdt"),
            "/api/v5/market/books?instId=BTC-USDT&sz=1"
        );
    }
}
