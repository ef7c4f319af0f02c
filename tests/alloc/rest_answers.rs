//! The REST fallback's answer parsers allocate nothing either: every venue's top-of-book answer
//! (the docs' examples, error answers, malformed bodies) parsed thousands of times under the
//! counting allocator, quotes handed to a callback that keeps only a count.

use microarb::ingest::rest::{parse_answer, Answer};
use microarb::ingest::venues::{SymbolInfo, SymbolTable};
use microarb::model::{InstrumentId, VenueId, VenueKind};

use crate::common::alloc as counting_alloc;

const ANSWERS: &[(VenueKind, &str)] = &[
    (
        VenueKind::Binance,
        r#"{"symbol":"BTCUSDT","bidPrice":"4.00000000","bidQty":"431.00000000","askPrice":"4.00000200","askQty":"9.00000000"}"#,
    ),
    (
        VenueKind::Binance,
        r#"[{"symbol":"BTCUSDT","bidPrice":"4.0","bidQty":"431.0","askPrice":"4.000002","askQty":"9.0"},{"symbol":"ETHBTC","bidPrice":"0.079467","bidQty":"9","askPrice":"100000","askQty":"1000"}]"#,
    ),
    (
        VenueKind::Binance,
        r#"{"code":-1121,"msg":"Invalid symbol."}"#,
    ),
    (
        VenueKind::Binance,
        r#"{"symbol":"BTCUSDT","bidPrice":"4.x"}"#,
    ),
    (
        VenueKind::Upbit,
        r#"[{"market":"KRW-BTC","timestamp":1529910247984,"total_ask_size":8.83621228,"total_bid_size":2.43976741,"orderbook_units":[{"ask_price":6956000,"bid_price":6954000,"ask_size":0.24078656,"bid_size":0.00718341}]}]"#,
    ),
    (
        VenueKind::Upbit,
        r#"{"error":{"name":"404","message":"Code not found"}}"#,
    ),
    (
        VenueKind::Bybit,
        r#"{"retCode":0,"retMsg":"OK","result":{"s":"BTCUSDT","a":[["65557.7","16.606555"]],"b":[["65485.47","47.081829"]],"ts":1716863719031,"u":230704,"seq":1432604333,"cts":1716863718905},"retExtInfo":{},"time":1716863719382}"#,
    ),
    (
        VenueKind::Bybit,
        r#"{"retCode":10001,"retMsg":"params error","result":{}}"#,
    ),
    (
        VenueKind::Okx,
        r#"{"code":"0","msg":"","data":[{"asks":[["41006.8","0.60038921","0","1"]],"bids":[["41006.3","0.30178218","0","2"]],"ts":"1629966436396","seqId":3235851742}]}"#,
    ),
    (
        VenueKind::Okx,
        r#"{"code":"50011","msg":"Too Many Requests","data":[]}"#,
    ),
    (VenueKind::Okx, r#"{"code":"0","data":[{"asks":[["1"]]}]}"#),
];

#[test]
fn answers_parse_without_allocating() {
    let _serial = counting_alloc::serial();
    let table = SymbolTable::from_entries([
        ("BTCUSDT", InstrumentId(0), 8, 8),
        ("KRW-BTC", InstrumentId(1), 8, 8),
    ])
    .unwrap();
    let asked = Some(SymbolInfo {
        instrument: InstrumentId(2),
        price_scale: 8,
        qty_scale: 8,
    });
    let mut outcomes = [0u64; 3];
    counting_alloc::reset();
    counting_alloc::track(true);
    for _ in 0..500 {
        for (kind, body) in ANSWERS {
            let mut quotes = 0u64;
            match parse_answer(
                *kind,
                body.as_bytes(),
                &table,
                asked,
                VenueId(0),
                &mut |_q| quotes += 1,
            ) {
                Ok(Answer::Quotes { .. }) => outcomes[0] += quotes,
                Ok(Answer::VenueError) => outcomes[1] += 1,
                Err(_) => outcomes[2] += 1,
            }
        }
    }
    counting_alloc::track(false);
    let allocs = counting_alloc::allocations();
    eprintln!("quotes/venue errors/parse errors: {outcomes:?}, allocations: {allocs}");
    assert!(outcomes.iter().all(|&n| n > 0), "{outcomes:?}");
    assert_eq!(allocs, 0, "REST answer parsing allocated");
}
