//! Bybit v5 `orderbook.1`: subscribe message, keep-alive, and the zero-allocation parser with the
//! small per-instrument state that level-1 deltas need.
//!
//! Push: `{"topic":"orderbook.1.BTCUSDT","type":"snapshot","ts":..,"data":{"s":"BTCUSDT",
//! "b":[["17440.00","40.833"]],"a":[["17440.50","78.815"]],"u":13079592,"seq":..},"cts":..}`.
//!
//! What a frame makes of the quote (the decision this adapter documents):
//! - `snapshot`: the quote is exactly the frame's first (best) bid and ask; an empty side is zero
//!   (not tradable).
//! - `delta`: applied to the last top of book of the instrument, level by level, in order. A side
//!   whose array is empty or absent is unchanged. A level with a positive size replaces that side's
//!   top (with several, the last one listed wins; level 1 sends one). A level with size `"0"`
//!   removes a level: if it is the price held, that side becomes empty (zero, so the quote is
//!   one-sided and [`Quote::is_two_sided`] is false until the venue sends the new top); a removal
//!   of any other price is ignored (level 1 never held it).
//! - a delta before any snapshot of its instrument is [`SkipKind::AwaitingSnapshot`].
//! - sequence: `u` must rise; an update with `u <= last` is [`SkipKind::StaleSequence`] and is not
//!   applied. `u == 1` means the venue restarted: the instrument's sequence is reset and the frame
//!   applied. This adapter owns that check (a stale delta must not touch the state), so
//!   [`FeedParser`](super::FeedParser) does not check Bybit quotes again.
//! - `exch_ts_ns` is `cts` (matching engine time) when present, else `ts`; flag bit 0 = snapshot.
//!
//! One pass: a `topic` that is not `orderbook.1.*` ends the parse at once (Bybit sends `topic`
//! first), and once the topic is known `data` is read in place rather than skipped and rescanned.
//!
//! Recognised and skipped: other topics (`orderbook.50`, `publicTrade`, `tickers`, `kline`...),
//! subscribe answers (`"op":"subscribe"`; `"success":false` is a [`SkipKind::VenueError`]) and the
//! keep-alive answer (`"op":"ping"`/`"pong"`, `"ret_msg":"pong"`).

use super::fields::{decimal_str, first_level, level_pair, ms_to_ns, required, string, uint};
use super::frame::{Frame, ParseError, SkipKind};
use super::keepalive::{ClientPing, KeepAlive};
use super::seq::{SeqCheck, SeqGuard};
use super::symbols::SymbolTable;
use crate::base::scan::{str_content, ArrIter, ObjIter, ScanError};
use crate::model::{Price, Qty, Quote, QuoteSource, Scale, VenueId, MAX_INSTRUMENTS};

/// Bybit's keep-alive: the client sends `{"op":"ping"}` every 20 s.
pub const KEEP_ALIVE: KeepAlive = KeepAlive {
    client_ping: ClientPing::Text(r#"{"op":"ping"}"#),
    interval_ms: 20_000,
    only_when_idle: false,
    server_timeout_ms: 30_000,
};

/// Most topics Bybit spot accepts in one subscribe request.
pub const MAX_ARGS_PER_REQUEST: usize = 10;

/// Subscribe requests `{"op":"subscribe","args":["orderbook.1.BTCUSDT"],"req_id":"<id>"}`, at most
/// [`MAX_ARGS_PER_REQUEST`] topics each; `req_id` is `<req_id_prefix><n>` (cold path).
pub fn subscribe_messages(symbols: &[&str], req_id_prefix: &str) -> Vec<String> {
    symbols
        .chunks(MAX_ARGS_PER_REQUEST)
        .enumerate()
        .map(|(n, chunk)| {
            let args: Vec<String> = chunk
                .iter()
                .map(|s| format!("orderbook.1.{}", s.to_ascii_uppercase()))
                .collect();
            serde_json::json!({ "op": "subscribe", "args": args, "req_id": format!("{req_id_prefix}{}", n + 1) })
                .to_string()
        })
        .collect()
}

#[derive(Debug, Clone, Copy, Default)]
struct Top {
    bid: (Price, Qty),
    ask: (Price, Qty),
    live: bool,
}

/// Per-instrument level-1 state and update-id guard of one Bybit connection. Allocated once.
#[derive(Debug, Clone)]
pub struct BybitBook {
    tops: Box<[Top]>,
    seq: SeqGuard,
}

impl Default for BybitBook {
    fn default() -> Self {
        BybitBook::new()
    }
}

impl BybitBook {
    /// State for every possible instrument id (cold path).
    pub fn new() -> Self {
        BybitBook::with_instruments(MAX_INSTRUMENTS)
    }

    /// State for instrument ids `0..instruments` (at most [`MAX_INSTRUMENTS`]), the size a
    /// venue's symbol table needs (cold path).
    pub fn with_instruments(instruments: usize) -> Self {
        let n = instruments.min(MAX_INSTRUMENTS);
        BybitBook {
            tops: vec![Top::default(); n].into_boxed_slice(),
            seq: SeqGuard::with_instruments(n),
        }
    }

    /// Forget every instrument (after a reconnect: the venue sends fresh snapshots).
    pub fn reset_all(&mut self) {
        self.tops.fill(Top::default());
        self.seq.reset_all();
    }
}

/// Apply one side's levels to `side` (see the module doc for the rule).
fn apply_side(
    levels: &[u8],
    side: &mut (Price, Qty),
    field: &'static str,
    ps: Scale,
    qs: Scale,
) -> Result<(), ParseError> {
    for level in ArrIter::new(levels) {
        let (px, qty) = level_pair(level?, field)?;
        let px = Price(decimal_str(px, field, ps)?);
        let qty = Qty(decimal_str(qty, field, qs)?);
        if qty.0 > 0 {
            *side = (px, qty);
        } else if px == side.0 {
            *side = (Price::ZERO, Qty::ZERO);
        }
    }
    Ok(())
}

/// The members of `data` the adapter reads.
#[derive(Default, Clone, Copy)]
struct DataFields<'a> {
    s: Option<&'a [u8]>,
    bids: Option<&'a [u8]>,
    asks: Option<&'a [u8]>,
    u: Option<&'a [u8]>,
}

impl<'a> DataFields<'a> {
    /// Walk the object to its end; `base` shifts error offsets back to the payload's.
    fn read(&mut self, it: &mut ObjIter<'a>, base: usize) -> Result<(), ParseError> {
        for member in it.by_ref() {
            let (k, v) = member.map_err(|e| ScanError {
                at: e.at + base,
                ..e
            })?;
            match k {
                b"s" => self.s = Some(v),
                b"b" => self.bids = Some(v),
                b"a" => self.asks = Some(v),
                b"u" => self.u = Some(v),
                _ => {}
            }
        }
        Ok(())
    }
}

/// A snapshot side: its first (best) level, or empty.
fn snapshot_side(
    levels: Option<&[u8]>,
    field: &'static str,
    ps: Scale,
    qs: Scale,
) -> Result<(Price, Qty), ParseError> {
    match levels {
        None => Ok((Price::ZERO, Qty::ZERO)),
        Some(levels) => match first_level(levels, field)? {
            None => Ok((Price::ZERO, Qty::ZERO)),
            Some((px, qty)) => Ok((
                Price(decimal_str(px, field, ps)?),
                Qty(decimal_str(qty, field, qs)?),
            )),
        },
    }
}

/// Parse one Bybit v5 payload and apply it to `book`. Never allocates, never panics.
pub fn parse(
    payload: &[u8],
    symbols: &SymbolTable,
    recv_ts_ns: u64,
    venue: VenueId,
    book: &mut BybitBook,
) -> Result<Frame, ParseError> {
    let (mut topic, mut ty, mut ts, mut cts, mut data) = (None, None, None, None, None);
    let (mut op, mut success) = (None, None);
    let mut fields = DataFields::default();
    let mut data_read = false;
    let mut it = ObjIter::new(payload);
    while let Some(key) = it.next_key() {
        let key = key?;
        if key == b"data" && topic.is_some() {
            // Our topic is known (it comes first in Bybit's frames): read `data` in place.
            let base = it.offset();
            let mut inner = ObjIter::new(it.rest());
            fields.read(&mut inner, base)?;
            it.advance(inner.consumed());
            data_read = true;
            continue;
        }
        let v = it.value()?;
        match key {
            b"topic" => {
                // Another topic: done, without reading (or validating) the rest.
                if str_content(v).is_some_and(|t| !t.starts_with(b"orderbook.1.")) {
                    return Ok(Frame::Skip(SkipKind::OtherChannel));
                }
                topic = Some(v);
            }
            b"type" => ty = Some(v),
            b"ts" => ts = Some(v),
            b"cts" => cts = Some(v),
            b"data" => data = Some(v),
            b"op" => op = Some(v),
            b"success" => success = Some(v),
            _ => {}
        }
    }
    if success == Some(b"false") {
        return Ok(Frame::Skip(SkipKind::VenueError));
    }
    if let Some(op) = op {
        return Ok(Frame::Skip(match str_content(op) {
            Some(b"ping") | Some(b"pong") => SkipKind::KeepAlive,
            Some(b"subscribe") | Some(b"unsubscribe") => SkipKind::SubscribeAck,
            _ => SkipKind::OtherChannel,
        }));
    }
    let topic = string(required(topic, "topic")?, "topic")?;
    if !topic.starts_with(b"orderbook.1.") {
        return Ok(Frame::Skip(SkipKind::OtherChannel));
    }
    let snapshot = match string(required(ty, "type")?, "type")? {
        b"snapshot" => true,
        b"delta" => false,
        _ => return Err(ParseError::WrongType { field: "type" }),
    };
    if !data_read {
        // `data` came before `topic` (or is missing): it was skipped, read it now.
        fields.read(&mut ObjIter::new(required(data, "data")?), 0)?;
    }
    let DataFields { s, bids, asks, u } = fields;
    let symbol = string(required(s, "s")?, "s")?;
    let Some(info) = symbols.get(symbol) else {
        return Ok(Frame::Skip(SkipKind::UnknownSymbol));
    };
    let u = uint(required(u, "u")?, "u")?;
    let exch_ts_ns = match (cts, ts) {
        (Some(c), _) => ms_to_ns(uint(c, "cts")?, "cts")?,
        (None, Some(t)) => ms_to_ns(uint(t, "ts")?, "ts")?,
        (None, None) => 0,
    };
    let idx = info.instrument.index();
    let Some(current) = book.tops.get(idx).copied() else {
        return Ok(Frame::Skip(SkipKind::UnknownSymbol));
    };
    let mut next = if snapshot {
        Top {
            live: true,
            ..Top::default()
        }
    } else if current.live {
        current
    } else {
        return Ok(Frame::Skip(SkipKind::AwaitingSnapshot));
    };
    let (ps, qs) = (info.price_scale, info.qty_scale);
    if snapshot {
        next.bid = snapshot_side(bids, "b", ps, qs)?;
        next.ask = snapshot_side(asks, "a", ps, qs)?;
    } else {
        if let Some(b) = bids {
            apply_side(b, &mut next.bid, "b", ps, qs)?;
        }
        if let Some(a) = asks {
            apply_side(a, &mut next.ask, "a", ps, qs)?;
        }
    }
    if u == 1 {
        book.seq.reset(info.instrument);
    }
    if let SeqCheck::Stale { .. } = book.seq.check(info.instrument, u) {
        return Ok(Frame::Skip(SkipKind::StaleSequence));
    }
    if let Some(slot) = book.tops.get_mut(idx) {
        *slot = next;
    }
    Ok(Frame::Quote(Quote {
        seq: u,
        bid_px: next.bid.0,
        bid_qty: next.bid.1,
        ask_px: next.ask.0,
        ask_qty: next.ask.1,
        exch_ts_ns,
        recv_ts_ns,
        instrument: info.instrument,
        venue,
        flags: u8::from(snapshot),
        source: QuoteSource::Ws,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::InstrumentId;

    struct Fx {
        t: SymbolTable,
        book: BybitBook,
    }

    impl Fx {
        fn new() -> Self {
            Fx {
                t: SymbolTable::from_entries([("BTCUSDT", InstrumentId(2), 2, 3)]).unwrap(),
                book: BybitBook::new(),
            }
        }
        fn p(&mut self, f: &str) -> Result<Frame, ParseError> {
            parse(f.as_bytes(), &self.t, 9, VenueId(3), &mut self.book)
        }
        fn top(&mut self, f: &str) -> (i64, i64, i64, i64) {
            match self.p(f) {
                Ok(Frame::Quote(q)) => (q.bid_px.0, q.bid_qty.0, q.ask_px.0, q.ask_qty.0),
                other => panic!("{other:?}"),
            }
        }
    }

    fn frame(ty: &str, u: u64, b: &str, a: &str) -> String {
        format!(
            r#"{{"topic":"orderbook.1.BTCUSDT","type":"{ty}","ts":1671179923028,"data":{{"s":"BTCUSDT","b":[{b}],"a":[{a}],"u":{u},"seq":22520573250}},"cts":1671179923025}}"#
        )
    }

    #[test]
    fn snapshot_then_deltas() {
        let mut fx = Fx::new();
        let snap = frame(
            "snapshot",
            10,
            r#"["17440.00","40.833"]"#,
            r#"["17440.50","78.815"]"#,
        );
        let Ok(Frame::Quote(q)) = fx.p(&snap) else {
            panic!()
        };
        assert_eq!(q.seq, 10);
        assert_eq!(q.flags, 1);
        assert_eq!(q.exch_ts_ns, 1_671_179_923_025_000_000);
        assert_eq!(q.venue, VenueId(3));
        assert_eq!(
            (q.bid_px.0, q.bid_qty.0, q.ask_px.0, q.ask_qty.0),
            (1_744_000, 40_833, 1_744_050, 78_815)
        );
        // Only the bid changes; the ask is kept.
        let d = frame("delta", 11, r#"["17441.00","1"]"#, "");
        assert_eq!(fx.top(&d), (1_744_100, 1_000, 1_744_050, 78_815));
        // Removing a price we do not hold is ignored; removing ours empties the side.
        let d = frame("delta", 12, "", r#"["17450.00","0"]"#);
        assert_eq!(fx.top(&d), (1_744_100, 1_000, 1_744_050, 78_815));
        let d = frame("delta", 13, "", r#"["17440.50","0"]"#);
        assert_eq!(fx.top(&d), (1_744_100, 1_000, 0, 0));
        // Removal then new level, in one side.
        let d = frame(
            "delta",
            14,
            r#"["17441.00","0"],["17439.00","2"]"#,
            r#"["17442.00","3"]"#,
        );
        assert_eq!(fx.top(&d), (1_743_900, 2_000, 1_744_200, 3_000));
    }

    #[test]
    fn member_order_does_not_matter() {
        let mut fx = Fx::new();
        let f = r#"{"data":{"u":7,"a":[["2","1"]],"b":[["1","1"]],"s":"BTCUSDT"},"cts":1,"type":"snapshot","topic":"orderbook.1.BTCUSDT"}"#;
        assert_eq!(fx.top(f), (100, 1_000, 200, 1_000));
        let f = r#"{"topic":"orderbook.1.BTCUSDT","type":"snapshot"}"#;
        assert_eq!(fx.p(f), Err(ParseError::MissingField { field: "data" }));
        let f = r#"{"topic":"orderbook.1.BTCUSDT","type":"snapshot","data":[1]}"#;
        assert!(matches!(fx.p(f), Err(ParseError::Json(_))));
    }

    #[test]
    fn sequence_rules() {
        let mut fx = Fx::new();
        let d = frame("delta", 5, r#"["1","1"]"#, "");
        assert_eq!(fx.p(&d), Ok(Frame::Skip(SkipKind::AwaitingSnapshot)));
        fx.top(&frame("snapshot", 100, r#"["1","1"]"#, r#"["2","1"]"#));
        // Stale and equal ids are dropped without touching the state.
        let stale = frame("delta", 100, r#"["1.5","1"]"#, "");
        assert_eq!(fx.p(&stale), Ok(Frame::Skip(SkipKind::StaleSequence)));
        let stale = frame("delta", 99, r#"["1.5","1"]"#, "");
        assert_eq!(fx.p(&stale), Ok(Frame::Skip(SkipKind::StaleSequence)));
        assert_eq!(
            fx.top(&frame("delta", 101, "", "")),
            (100, 1_000, 200, 1_000)
        );
        // u == 1: the venue restarted.
        let restart = frame("snapshot", 1, r#"["3","1"]"#, r#"["4","1"]"#);
        assert_eq!(fx.top(&restart), (300, 1_000, 400, 1_000));
        assert_eq!(fx.top(&frame("delta", 2, "", "")), (300, 1_000, 400, 1_000));
        // A bad level leaves sequence and state untouched.
        let bad = frame("delta", 3, r#"["x","1"]"#, "");
        assert!(matches!(
            fx.p(&bad),
            Err(ParseError::Decimal { field: "b", .. })
        ));
        assert_eq!(fx.top(&frame("delta", 3, "", "")), (300, 1_000, 400, 1_000));
        fx.book.reset_all();
        assert_eq!(fx.p(&d), Ok(Frame::Skip(SkipKind::AwaitingSnapshot)));
    }

    #[test]
    fn skips_and_messages() {
        let mut fx = Fx::new();
        let k = |fx: &mut Fx, f: &str| fx.p(f).unwrap();
        assert_eq!(
            k(
                &mut fx,
                r#"{"success":true,"ret_msg":"pong","conn_id":"x","req_id":"","op":"ping"}"#
            ),
            Frame::Skip(SkipKind::KeepAlive)
        );
        assert_eq!(
            k(
                &mut fx,
                r#"{"success":true,"ret_msg":"","conn_id":"x","req_id":"","op":"subscribe"}"#
            ),
            Frame::Skip(SkipKind::SubscribeAck)
        );
        assert_eq!(
            k(
                &mut fx,
                r#"{"success":false,"ret_msg":"bad topic","op":"subscribe"}"#
            ),
            Frame::Skip(SkipKind::VenueError)
        );
        assert_eq!(
            k(
                &mut fx,
                r#"{"topic":"publicTrade.BTCUSDT","type":"snapshot","data":[]}"#
            ),
            Frame::Skip(SkipKind::OtherChannel)
        );
        let other = frame("snapshot", 1, "", "").replace("\"s\":\"BTCUSDT\"", "\"s\":\"ETHUSDT\"");
        assert_eq!(k(&mut fx, &other), Frame::Skip(SkipKind::UnknownSymbol));
        assert_eq!(
            fx.p(&frame("snap", 1, "", "")),
            Err(ParseError::WrongType { field: "type" })
        );
        assert_eq!(
            subscribe_messages(&["btcusdt"], "r"),
            vec![r#"{"args":["orderbook.1.BTCUSDT"],"op":"subscribe","req_id":"r1"}"#]
        );
        let many: Vec<&str> = vec!["A"; 11];
        assert_eq!(subscribe_messages(&many, "r").len(), 2);
    }
}
