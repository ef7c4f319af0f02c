//! OKX v5 `bbo-tbt` (best bid/offer, tick by tick): subscribe message, keep-alive, and the
//! zero-allocation parser.
//!
//! Push: `{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["8476.98","415","0","13"]],
//! "bids":[["8476.97","256","0","12"]],"ts":"1597026383085","seqId":123456}]}`. Each level is
//! `[price, size, "0", order count]`; `ts` is a string of unix ms. The quote is the first element of
//! `data`: its first ask and bid (an empty side is zero), `seq` = `seqId` (0 when absent, as in
//! older pushes: the sequence guard then lets it through), `exch_ts_ns` = `ts`. An empty `data`
//! array is [`SkipKind::Empty`].
//!
//! A push whose `arg.channel` is not `bbo-tbt` ends the parse at once (OKX sends `arg` first), so
//! `books` and `trades` pushes on the same connection cost almost nothing.
//!
//! Recognised and skipped: other channels (`tickers`, `books`, `trades`...), event answers
//! (`{"event":"subscribe",..}` is [`SkipKind::SubscribeAck`], `{"event":"error",..}` a
//! [`SkipKind::VenueError`], other events such as `channel-conn-count` [`SkipKind::OtherChannel`]),
//! and the keep-alive answer: the bare text `pong`, which is not JSON.

use super::fields::{decimal_str, first_level, ms_to_ns, required, string, uint};
use super::frame::{Frame, ParseError, SkipKind};
use super::keepalive::{ClientPing, KeepAlive};
use super::symbols::SymbolTable;
use crate::base::scan::{first_element, skip_ws, str_content, ObjIter};
use crate::model::{Price, Qty, Quote, VenueId};

/// OKX's keep-alive: the connection is closed after 30 s of silence; the client sends the text
/// `ping` after 25 s with nothing received and gets `pong`.
pub const KEEP_ALIVE: KeepAlive = KeepAlive {
    client_ping: ClientPing::Text("ping"),
    interval_ms: 25_000,
    only_when_idle: true,
    server_timeout_ms: 30_000,
};

/// Subscribe request `{"op":"subscribe","args":[{"channel":"bbo-tbt","instId":"BTC-USDT"}]}` for
/// every instrument id (cold path).
pub fn subscribe_message(inst_ids: &[&str]) -> String {
    let args: Vec<serde_json::Value> = inst_ids
        .iter()
        .map(|id| serde_json::json!({ "channel": "bbo-tbt", "instId": id.to_ascii_uppercase() }))
        .collect();
    serde_json::json!({ "op": "subscribe", "args": args }).to_string()
}

/// True for OKX's keep-alive answer, the bare text `pong` (surrounding whitespace allowed).
#[inline]
pub fn is_pong(payload: &[u8]) -> bool {
    let start = skip_ws(payload, 0);
    let rest = payload.get(start..).unwrap_or_default();
    rest.len() >= 4 && &rest[..4] == b"pong" && skip_ws(rest, 4) == rest.len()
}

/// Parse one OKX v5 payload into a [`Frame`]. Never allocates, never panics.
pub fn parse(
    payload: &[u8],
    symbols: &SymbolTable,
    recv_ts_ns: u64,
    venue: VenueId,
) -> Result<Frame, ParseError> {
    if is_pong(payload) {
        return Ok(Frame::Skip(SkipKind::KeepAlive));
    }
    let (mut data, mut event) = (None, None);
    let (mut arg, mut channel, mut inst_id) = (false, None, None);
    for member in ObjIter::new(payload) {
        let (k, v) = member?;
        match k {
            b"arg" => {
                arg = true;
                for member in ObjIter::new(v) {
                    let (k, v) = member?;
                    match k {
                        b"channel" => channel = Some(v),
                        b"instId" => inst_id = Some(v),
                        _ => {}
                    }
                }
                // A push of another channel (`arg` comes first in OKX's pushes): done, without
                // reading (or validating) its data. Event answers carry `event` before `arg`.
                if event.is_none() && channel.and_then(str_content) != Some(b"bbo-tbt") {
                    return Ok(Frame::Skip(SkipKind::OtherChannel));
                }
            }
            b"data" => data = Some(v),
            b"event" => event = Some(v),
            _ => {}
        }
    }
    if let Some(event) = event {
        return Ok(Frame::Skip(match str_content(event) {
            Some(b"subscribe") | Some(b"unsubscribe") => SkipKind::SubscribeAck,
            Some(b"error") => SkipKind::VenueError,
            _ => SkipKind::OtherChannel,
        }));
    }
    if !arg {
        return Err(ParseError::MissingField { field: "arg" });
    }
    if string(required(channel, "channel")?, "channel")? != b"bbo-tbt" {
        return Ok(Frame::Skip(SkipKind::OtherChannel));
    }
    let inst_id = string(required(inst_id, "instId")?, "instId")?;
    let Some(info) = symbols.get(inst_id) else {
        return Ok(Frame::Skip(SkipKind::UnknownSymbol));
    };
    let Some(item) = first_element(required(data, "data")?)? else {
        return Ok(Frame::Skip(SkipKind::Empty));
    };
    let (mut asks, mut bids, mut ts, mut seq_id) = (None, None, None, None);
    for member in ObjIter::new(item) {
        let (k, v) = member?;
        match k {
            b"asks" => asks = Some(v),
            b"bids" => bids = Some(v),
            b"ts" => ts = Some(v),
            b"seqId" => seq_id = Some(v),
            _ => {}
        }
    }
    let (ps, qs) = (info.price_scale, info.qty_scale);
    let mut quote = Quote {
        seq: match seq_id {
            Some(s) => uint(s, "seqId")?,
            None => 0,
        },
        exch_ts_ns: ms_to_ns(uint(required(ts, "ts")?, "ts")?, "ts")?,
        recv_ts_ns,
        instrument: info.instrument,
        venue,
        ..Quote::default()
    };
    if let Some((px, qty)) = first_level(required(asks, "asks")?, "asks")? {
        quote.ask_px = Price(decimal_str(px, "asks", ps)?);
        quote.ask_qty = Qty(decimal_str(qty, "asks", qs)?);
    }
    if let Some((px, qty)) = first_level(required(bids, "bids")?, "bids")? {
        quote.bid_px = Price(decimal_str(px, "bids", ps)?);
        quote.bid_qty = Qty(decimal_str(qty, "bids", qs)?);
    }
    Ok(Frame::Quote(quote))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::InstrumentId;
    use crate::model::QuoteSource;

    fn p(f: &str) -> Result<Frame, ParseError> {
        let t = SymbolTable::from_entries([("BTC-USDT", InstrumentId(0), 2, 3)]).unwrap();
        parse(f.as_bytes(), &t, 11, VenueId(0))
    }

    const BBO: &str = r#"{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["8476.98","415","0","13"]],"bids":[["8476.97","256","0","12"]],"ts":"1597026383085","seqId":123456}]}"#;

    #[test]
    fn bbo_tbt() {
        let want = Quote {
            seq: 123_456,
            bid_px: Price(847_697),
            bid_qty: Qty(256_000),
            ask_px: Price(847_698),
            ask_qty: Qty(415_000),
            exch_ts_ns: 1_597_026_383_085_000_000,
            recv_ts_ns: 11,
            instrument: InstrumentId(0),
            venue: VenueId(0),
            flags: 0,
            source: QuoteSource::Ws,
        };
        assert_eq!(p(BBO), Ok(Frame::Quote(want)));
        let no_seq = BBO.replace(r#","seqId":123456"#, "");
        assert_eq!(p(&no_seq), Ok(Frame::Quote(Quote { seq: 0, ..want })));
        let one_sided = BBO.replace(r#"["8476.97","256","0","12"]"#, "");
        let Ok(Frame::Quote(q)) = p(&one_sided) else {
            panic!()
        };
        assert_eq!((q.bid_px, q.bid_qty), (Price::ZERO, Qty::ZERO));
    }

    #[test]
    fn skips_and_errors() {
        assert_eq!(p("pong"), Ok(Frame::Skip(SkipKind::KeepAlive)));
        assert_eq!(p(" pong\n"), Ok(Frame::Skip(SkipKind::KeepAlive)));
        assert!(p("pongx").is_err());
        assert_eq!(
            p(r#"{"event":"subscribe","arg":{"channel":"bbo-tbt","instId":"BTC-USDT"}}"#),
            Ok(Frame::Skip(SkipKind::SubscribeAck))
        );
        assert_eq!(
            p(r#"{"event":"error","code":"60012","msg":"Invalid request"}"#),
            Ok(Frame::Skip(SkipKind::VenueError))
        );
        assert_eq!(
            p(&BBO.replace("bbo-tbt", "books")),
            Ok(Frame::Skip(SkipKind::OtherChannel))
        );
        assert_eq!(
            p(&BBO.replace("BTC-USDT", "ETH-USDT")),
            Ok(Frame::Skip(SkipKind::UnknownSymbol))
        );
        assert_eq!(
            p(r#"{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[]}"#),
            Ok(Frame::Skip(SkipKind::Empty))
        );
        assert_eq!(
            p(&BBO.replace(r#""ts":"1597026383085","#, "")),
            Err(ParseError::MissingField { field: "ts" })
        );
        assert_eq!(
            p(&BBO.replace(r#"["8476.98","415","0","13"]"#, r#"["8476.98"]"#)),
            Err(ParseError::WrongType { field: "asks" })
        );
        assert_eq!(
            subscribe_message(&["btc-usdt"]),
            r#"{"args":[{"channel":"bbo-tbt","instId":"BTC-USDT"}],"op":"subscribe"}"#
        );
    }
}
