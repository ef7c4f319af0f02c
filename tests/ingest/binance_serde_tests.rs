//! The serde-based Binance parser (the bench's alternative) agrees with the engine's scanner.

use crate::binance_serde::parse_combined;
use microarb::ingest::venues::{binance, SymbolTable};
use microarb::model::{InstrumentId, VenueId};

#[test]
fn agrees_with_the_scanner() {
    let t = SymbolTable::from_entries([("BTCUSDT", InstrumentId(0), 8, 8)]).unwrap();
    for f in [
        r#"{"stream":"btcusdt@bookTicker","data":{"u":50093239212,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"}}"#,
        r#"{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":5123107839020,"s":"BTCUSDT","b":"61800.20","B":"2.507","a":"61800.30","A":"2.510","T":1723161256313,"E":1723161256313}}"#,
    ] {
        let a = parse_combined(f.as_bytes(), &t, 1, VenueId(0)).unwrap();
        let b = binance::parse(f.as_bytes(), &t, 1, VenueId(0)).unwrap();
        assert_eq!(a, b);
    }
    assert!(parse_combined(b"{}", &t, 1, VenueId(0)).is_err());
}
