//! Proof that parsing allocates nothing: a counting global allocator, armed only on this test's
//! thread and only around the parse loop, must count zero allocations while every venue's parser
//! (through [`FeedParser`], so the dispatch, sequence guard and Bybit state are included) parses
//! thousands of frames: quotes, skips, stale updates and malformed payloads alike. Real captures
//! are added when `../shared/data` is present.

use std::path::PathBuf;

use microarb::ingest::venues::{FeedParser, Frame, SymbolTable};
use microarb::model::{InstrumentId, VenueId, VenueKind};
use microarb::record::CaptureReader;

use crate::common::alloc as counting_alloc;

const BINANCE: &[&str] = &[
    r#"{"stream":"btcusdt@bookTicker","data":{"u":400900217,"s":"BTCUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}}"#,
    r#"{"u":400900218,"s":"BTCUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}"#,
    r#"{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":5123107839020,"s":"BTCUSDT","b":"61800.20","B":"2.507","a":"61800.30","A":"2.510","T":1723161256313,"E":1723161256313}}"#,
    r#"{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","p":"1","q":"1"}}"#,
    r#"{"result":null,"id":1}"#,
    r#"{"u":1,"s":"ETHUSDT","b":"1","B":"1","a":"1","A":"1"}"#,
    r#"{"u":2,"s":"BTCUSDT","b":"1.x","B":"1","a":"1","A":"1"}"#,
    r#"{"stream":"btcusdt@bookTicker","data":{"u":1,"s":"BTCUSDT""#,
];

const UPBIT: &[&str] = &[
    r#"{"type":"orderbook","code":"KRW-BTC","timestamp":1553853571184,"total_ask_size":36.90715747,"total_bid_size":29.12064978,"orderbook_units":[{"ask_price":4627000.0,"bid_price":4626000.0,"ask_size":1.40706623,"bid_size":3.57203617}],"stream_type":"SNAPSHOT"}"#,
    r#"{"ty":"orderbook","cd":"KRW-BTC","tms":1553853571184,"obu":[{"ap":4.627e6,"bp":4626000,"as":1.4,"bs":3.5}],"st":"REALTIME"}"#,
    r#"{"ty":"trade","cd":"KRW-BTC","tp":127.0}"#,
    r#"{"status":"UP"}"#,
    r#"{"error":{"name":"WRONG_FORMAT","message":"x"}}"#,
    r#"{"ty":"orderbook","cd":"KRW-BTC","obu":[{"ap":"x"}]}"#,
];

const BYBIT: &[&str] = &[
    r#"{"topic":"orderbook.1.BTCUSDT","type":"snapshot","ts":1671179923028,"data":{"s":"BTCUSDT","b":[["17440.00","40.833"]],"a":[["17440.50","78.815"]],"u":13079592,"seq":22520573250},"cts":1671179923025}"#,
    r#"{"topic":"orderbook.1.BTCUSDT","type":"delta","ts":1671179923038,"data":{"s":"BTCUSDT","b":[["17441.00","1.5"]],"a":[],"u":13079593,"seq":22520573251},"cts":1671179923035}"#,
    r#"{"topic":"orderbook.1.BTCUSDT","type":"delta","ts":1671179923048,"data":{"s":"BTCUSDT","b":[],"a":[["17440.50","0"]],"u":13079594,"seq":22520573252},"cts":1671179923045}"#,
    r#"{"success":true,"ret_msg":"pong","conn_id":"x","req_id":"","op":"ping"}"#,
    r#"{"topic":"publicTrade.BTCUSDT","type":"snapshot","data":[]}"#,
];

const OKX: &[&str] = &[
    r#"{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["8476.98","415","0","13"]],"bids":[["8476.97","256","0","12"]],"ts":"1597026383085","seqId":123456}]}"#,
    "pong",
    r#"{"event":"subscribe","arg":{"channel":"bbo-tbt","instId":"BTC-USDT"}}"#,
    r#"{"arg":{"channel":"tickers","instId":"BTC-USDT"},"data":[{"last":"1"}]}"#,
    r#"{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["8476.98"]]}]}"#,
];

fn parser(kind: VenueKind) -> FeedParser {
    let symbols = SymbolTable::from_entries([
        ("BTCUSDT", InstrumentId(0), 8, 8),
        ("KRW-BTC.1", InstrumentId(1), 8, 8),
        ("BTC-USDT", InstrumentId(2), 8, 8),
        // Symbols of the session captures, so their frames become quotes too.
        ("BLZETH", InstrumentId(3), 8, 8),
        ("LRCBTC", InstrumentId(4), 8, 8),
        ("NKNUSDT", InstrumentId(5), 8, 8),
        ("RUNEEUR", InstrumentId(6), 8, 8),
        ("BTC-ITAM", InstrumentId(7), 8, 8),
        ("BTC-PAX", InstrumentId(8), 8, 8),
        ("BTC-XTZ", InstrumentId(9), 8, 8),
        ("KRW-LAMB", InstrumentId(10), 8, 8),
        ("KRW-WAVES", InstrumentId(11), 8, 8),
    ])
    .unwrap();
    FeedParser::new(kind, VenueId(0), symbols)
}

/// Frames of one venue from the real captures (loaded before counting starts).
fn capture_frames(file: &str) -> Vec<Vec<u8>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(file);
    if !path.exists() {
        eprintln!(
            "NOTICE: {} absent; hand-written frames only",
            path.display()
        );
        return Vec::new();
    }
    let mut r = CaptureReader::open(&path).unwrap();
    let mut out = Vec::new();
    while let Some(rec) = r.next_record().unwrap() {
        out.push(rec.payload.to_vec());
    }
    out
}

#[test]
fn parsing_allocates_nothing() {
    let _serial = counting_alloc::serial();
    counting_alloc::reset();
    let sets: Vec<(VenueKind, Vec<Vec<u8>>)> = vec![
        (
            VenueKind::Binance,
            BINANCE
                .iter()
                .map(|f| f.as_bytes().to_vec())
                .chain(capture_frames("session-binance.tsv"))
                .collect(),
        ),
        (
            VenueKind::Upbit,
            UPBIT
                .iter()
                .map(|f| f.as_bytes().to_vec())
                .chain(capture_frames("session-upbit.tsv"))
                .collect(),
        ),
        (
            VenueKind::Bybit,
            BYBIT
                .iter()
                .map(|f| f.as_bytes().to_vec())
                .chain(capture_frames("session-bybit.tsv"))
                .collect(),
        ),
        (
            VenueKind::Okx,
            OKX.iter()
                .map(|f| f.as_bytes().to_vec())
                .chain(capture_frames("session-okx.tsv"))
                .collect(),
        ),
    ];
    let mut parsers: Vec<FeedParser> = sets.iter().map(|(k, _)| parser(*k)).collect();
    let mut outcomes = [0u64; 3];
    counting_alloc::reset();
    counting_alloc::track(true);
    for round in 0..200u64 {
        for ((_, frames), p) in sets.iter().zip(parsers.iter_mut()) {
            // Reset so every round produces quotes again rather than stale-sequence skips.
            p.reset();
            for f in frames {
                match p.parse(f, round) {
                    Ok(Frame::Quote(_)) => outcomes[0] += 1,
                    Ok(Frame::Skip(_)) => outcomes[1] += 1,
                    Err(_) => outcomes[2] += 1,
                }
            }
        }
    }
    counting_alloc::track(false);
    let allocs = counting_alloc::allocations();
    eprintln!("quotes/skips/errors: {outcomes:?}, allocations: {allocs}");
    assert!(outcomes.iter().all(|&n| n > 0), "{outcomes:?}");
    assert_eq!(allocs, 0, "parsing allocated");

    // The counter works: an allocation while armed is seen.
    counting_alloc::track(true);
    let v = std::hint::black_box(vec![1u8; 16]);
    counting_alloc::track(false);
    drop(v);
    assert!(counting_alloc::allocations() > 0);
}
