//! The detector's hot path allocates nothing: a counting global allocator watches every
//! `Detector::on_quote` call after construction, across candidates, rejections, stale and
//! unknown quotes.

use microarb::model::{Bps, InstrumentId, Price, Qty, Quote, QuoteSource, VenueId};
use microarb::strategy::{
    ConfidenceParams, Detector, DetectorParams, FeeRate, InstrumentParams, VenueParams, VolParams,
};

use crate::common::alloc as counting_alloc;

fn detector(n: usize) -> Detector {
    Detector::new(DetectorParams {
        venues: (0..n)
            .map(|i| VenueParams {
                taker_fee: FeeRate::from_millionths(100 * i as u32).unwrap(),
                stale_after_ns: 500_000_000,
            })
            .collect(),
        instruments: vec![
            InstrumentParams {
                price_scale: 2,
                qty_scale: 8,
                lot: Qty(1_000),
                max_notional: Price(100_000),
                ref_qty: Qty(100_000_000),
            };
            2
        ],
        min_profit: Bps(100),
        volatility: VolParams::default(),
        confidence: ConfidenceParams::default(),
    })
    .unwrap()
}

#[test]
fn on_quote_allocates_nothing() {
    let _serial = counting_alloc::serial();
    counting_alloc::reset();
    let n = 8;
    let mut d = detector(n);
    let mut quotes = Vec::new();
    for k in 0..4_000u64 {
        let v = (k % (n as u64 + 1)) as u8; // venue n is unknown: exercises the refusal path
        let wiggle = ((k * 7919) % 200) as i64 - 100;
        quotes.push(Quote {
            seq: k,
            bid_px: Price(5_000_000 + wiggle * 50),
            bid_qty: Qty(if k % 13 == 0 { 0 } else { 50_000_000 }),
            ask_px: Price(5_000_100 + wiggle * 50),
            ask_qty: Qty(30_000_000),
            exch_ts_ns: 0,
            recv_ts_ns: k * 1_000_000
                - if k % 17 == 0 {
                    900_000_000.min(k * 1_000_000)
                } else {
                    0
                },
            instrument: InstrumentId((k % 3) as u16), // instrument 2 is unknown
            venue: VenueId(v),
            flags: 0,
            source: QuoteSource::Ws,
        });
    }
    // The counter itself must see allocations, or a zero below proves nothing.
    counting_alloc::track(true);
    drop(std::hint::black_box(Box::new(1u64)));
    counting_alloc::track(false);
    assert_eq!(
        counting_alloc::allocations(),
        1,
        "counting allocator is live"
    );
    counting_alloc::reset();

    let mut found = 0usize;
    counting_alloc::track(true);
    for (k, q) in quotes.iter().enumerate() {
        if d.on_quote(*q, k as u64 * 1_000_000).is_some() {
            found += 1;
        }
    }
    counting_alloc::track(false);
    assert_eq!(counting_alloc::allocations(), 0, "on_quote allocated");
    assert!(
        found > 0,
        "the workload must produce candidates to be meaningful"
    );
    let s = d.stats();
    assert!(s.unknown_ids > 0 && s.below_threshold + s.other_venues > 0);
}
