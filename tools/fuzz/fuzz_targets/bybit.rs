//! Fuzz the bybit parser through `FeedParser`: any bytes must give a frame or an error, never a
//! panic. Each input is parsed twice so stateful paths (sequence guard, Bybit book) run too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use microarb::ingest::venues::{FeedParser, SymbolTable};
use microarb::model::{InstrumentId, VenueId, VenueKind};

fuzz_target!(|data: &[u8]| {
    let symbols = SymbolTable::from_entries([
        ("BTCUSDT", InstrumentId(0), 8, 8),
        ("KRW-BTC.1", InstrumentId(1), 2, 8),
        ("BTC-USDT", InstrumentId(2), 2, 3),
    ])
    .expect("static symbol table is valid");
    let mut parser = FeedParser::new(VenueKind::Bybit, VenueId(0), symbols);
    let _ = parser.parse(data, 1);
    let _ = parser.parse(data, 2);
});
