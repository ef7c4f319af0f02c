//! No parser panics, whatever the bytes: property tests that feed arbitrary bytes and mutated valid
//! frames (byte flips, inserted JSON punctuation, deletions, truncations, duplicated spans) to every
//! venue parser through [`FeedParser`] (so Bybit's state and the sequence guard are exercised) and
//! to the scanner.
//!
//! Case count: `MICROARB_FUZZ_CASES` (default 100_000) split evenly over the eight properties, so a
//! plain `cargo test` runs at least 100k cases; parsing is nanoseconds, generation dominates.

use microarb::base::scan::{ArrIter, ObjIter};
use microarb::ingest::venues::{FeedParser, Frame, SymbolTable};
use microarb::model::{InstrumentId, VenueId, VenueKind};
use proptest::prelude::*;

const PROPERTIES: u32 = 8;

fn config() -> ProptestConfig {
    let total: u32 = std::env::var("MICROARB_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    ProptestConfig {
        cases: (total / PROPERTIES).max(1),
        // Shrinking a failure is what matters; do not spend time on rejected cases.
        max_global_rejects: 0,
        ..ProptestConfig::default()
    }
}

const SEEDS: &[(VenueKind, &str)] = &[
    (
        VenueKind::Binance,
        r#"{"stream":"btcusdt@bookTicker","data":{"u":400900217,"s":"BTCUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}}"#,
    ),
    (
        VenueKind::Binance,
        r#"{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":5123107839020,"s":"BTCUSDT","b":"61800.20","B":"2.507","a":"61800.30","A":"2.510","T":1723161256313,"E":1723161256313}}"#,
    ),
    (VenueKind::Binance, r#"{"result":null,"id":1}"#),
    (
        VenueKind::Upbit,
        r#"{"type":"orderbook","code":"KRW-BTC","timestamp":1553853571184,"total_ask_size":36.90715747,"total_bid_size":29.12064978,"orderbook_units":[{"ask_price":4627000.0,"bid_price":4626000.0,"ask_size":1.40706623,"bid_size":3.57203617}],"stream_type":"SNAPSHOT"}"#,
    ),
    (
        VenueKind::Upbit,
        r#"{"ty":"orderbook","cd":"KRW-BTC","tms":1553853571184,"obu":[{"ap":4.627e6,"bp":4626000,"as":1.4,"bs":3.5}],"st":"REALTIME"}"#,
    ),
    (VenueKind::Upbit, r#"{"status":"UP"}"#),
    (
        VenueKind::Bybit,
        r#"{"topic":"orderbook.1.BTCUSDT","type":"snapshot","ts":1671179923028,"data":{"s":"BTCUSDT","b":[["17440.00","40.833"]],"a":[["17440.50","78.815"]],"u":13079592,"seq":22520573250},"cts":1671179923025}"#,
    ),
    (
        VenueKind::Bybit,
        r#"{"topic":"orderbook.1.BTCUSDT","type":"delta","ts":1671179923038,"data":{"s":"BTCUSDT","b":[["17441.00","1.5"]],"a":[["17440.50","0"]],"u":13079593,"seq":22520573251},"cts":1671179923035}"#,
    ),
    (
        VenueKind::Bybit,
        r#"{"success":true,"ret_msg":"pong","conn_id":"x","req_id":"","op":"ping"}"#,
    ),
    (
        VenueKind::Okx,
        r#"{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["8476.98","415","0","13"]],"bids":[["8476.97","256","0","12"]],"ts":"1597026383085","seqId":123456}]}"#,
    ),
    (
        VenueKind::Okx,
        r#"{"event":"subscribe","arg":{"channel":"bbo-tbt","instId":"BTC-USDT"}}"#,
    ),
    (VenueKind::Okx, "pong"),
];

fn parser(kind: VenueKind) -> FeedParser {
    let symbols = SymbolTable::from_entries([
        ("BTCUSDT", InstrumentId(0), 8, 8),
        ("KRW-BTC.1", InstrumentId(1), 2, 8),
        ("BTC-USDT", InstrumentId(2), 2, 3),
    ])
    .unwrap();
    FeedParser::new(kind, VenueId(0), symbols)
}

/// One edit of a frame; positions are taken modulo the current length.
#[derive(Debug, Clone)]
enum Edit {
    Set(usize, u8),
    Insert(usize, u8),
    Delete(usize, usize),
    Truncate(usize),
    Duplicate(usize, usize),
}

fn byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        any::<u8>(),
        proptest::sample::select(b"{}[]\",:\\0123456789.-+eE \t\nnulltruefalse".to_vec()),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), byte()).prop_map(|(p, b)| Edit::Set(p, b)),
        (any::<usize>(), byte()).prop_map(|(p, b)| Edit::Insert(p, b)),
        (any::<usize>(), 1usize..8).prop_map(|(p, n)| Edit::Delete(p, n)),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), 1usize..16).prop_map(|(p, n)| Edit::Duplicate(p, n)),
    ]
}

fn apply(mut f: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = f.len().max(1);
        match *e {
            Edit::Set(p, b) => {
                if !f.is_empty() {
                    let i = p % f.len();
                    f[i] = b;
                }
            }
            Edit::Insert(p, b) => f.insert(p % (f.len() + 1), b),
            Edit::Delete(p, n) => {
                let i = p % len;
                let j = (i + n).min(f.len());
                if i < j {
                    f.drain(i..j);
                }
            }
            Edit::Truncate(p) => f.truncate(p % len),
            Edit::Duplicate(p, n) => {
                let i = p % len;
                let j = (i + n).min(f.len());
                if i < j {
                    let span: Vec<u8> = f[i..j].to_vec();
                    f.splice(j..j, span);
                }
            }
        }
    }
    f
}

/// Parse `bytes` twice (so Bybit applies to state) and check what comes back is coherent.
fn exercise(kind: VenueKind, bytes: &[u8]) {
    let mut p = parser(kind);
    for round in 0..2 {
        if let Ok(Frame::Quote(q)) = p.parse(bytes, round) {
            assert_eq!(q.recv_ts_ns, round);
            assert_eq!(q.venue, VenueId(0));
        }
    }
}

fn mutated(kind: VenueKind) -> impl Strategy<Value = Vec<u8>> {
    let seeds: Vec<&'static str> = SEEDS
        .iter()
        .filter(|(k, _)| *k == kind)
        .map(|(_, s)| *s)
        .collect();
    (
        proptest::sample::select(seeds),
        proptest::collection::vec(edit(), 1..6),
    )
        .prop_map(|(seed, edits)| apply(seed.as_bytes().to_vec(), &edits))
}

fn arbitrary() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..256),
        proptest::collection::vec(byte(), 0..256),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn binance_mutated(f in mutated(VenueKind::Binance)) { exercise(VenueKind::Binance, &f); }

    #[test]
    fn upbit_mutated(f in mutated(VenueKind::Upbit)) { exercise(VenueKind::Upbit, &f); }

    #[test]
    fn bybit_mutated(f in mutated(VenueKind::Bybit)) { exercise(VenueKind::Bybit, &f); }

    #[test]
    fn okx_mutated(f in mutated(VenueKind::Okx)) { exercise(VenueKind::Okx, &f); }

    #[test]
    fn all_venues_arbitrary_bytes(f in arbitrary()) {
        for kind in VenueKind::ALL {
            exercise(kind, &f);
        }
    }

    #[test]
    fn scanner_arbitrary_bytes(f in arbitrary()) {
        for (_, v) in ObjIter::new(&f).flatten() {
            for e in ArrIter::new(v) { let _ = e; }
        }
        for e in ArrIter::new(&f) { let _ = e; }
    }

    #[test]
    fn scanner_mutated(f in mutated(VenueKind::Bybit)) {
        fn walk(b: &[u8], depth: u32) {
            if depth > 4 { return; }
            for (_, v) in ObjIter::new(b).flatten() { walk(v, depth + 1); }
            for e in ArrIter::new(b).flatten() { walk(e, depth + 1); }
        }
        walk(&f, 0);
    }

    #[test]
    fn deep_nesting(depth in 0usize..200, open in proptest::sample::select(vec![b'[', b'{']), tail in arbitrary()) {
        let mut f = vec![open; depth];
        f.extend_from_slice(&tail);
        for kind in VenueKind::ALL {
            exercise(kind, &f);
        }
    }
}

#[test]
fn seeds_parse() {
    // The seeds themselves are valid: every one is a quote or a recognised skip.
    for (kind, seed) in SEEDS {
        let mut p = parser(*kind);
        assert!(p.parse(seed.as_bytes(), 0).is_ok(), "{kind:?} {seed}");
    }
}
