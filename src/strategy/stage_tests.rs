//! The stage's REST-leg rule: an opportunity with a leg quoted by the REST fallback is refused
//! with the default config (`rejected: rest_quote`, counted as detected) and taken with
//! `ingest.trade_on_rest_quotes = true`.

use super::*;
use crate::base::Counters;
use crate::config::{Machine, DEMO_TOML};
use crate::model::{InstrumentId, QuoteSource, VenueId};
use crate::runtime::ring;

fn stage(trade_on_rest: bool, reg: &mut Registry) -> StrategyStage {
    let mut cfg = Config::from_toml_str(DEMO_TOML, &Machine::this(false)).expect("demo config");
    cfg.ingest.trade_on_rest_quotes = trade_on_rest;
    let mut counters = Counters::new();
    let (_qtx, qrx) = ring::<Quote>("quotes", 16, &mut counters);
    let (otx, _orx) = ring::<Opportunity>("opps", 16, &mut counters);
    StrategyStage::with_time(&cfg, qrx, otx, Clock::new(), TimeSource::Capture, reg).expect("stage")
}

/// Venue 0 (binance) asks 100, venue 1 (bybit) bids 101: about 80 bp after both 10 bp fees.
fn quote(venue: u8, bid: i64, ask: i64, source: QuoteSource, recv: u64) -> Quote {
    let px = 100_000_000; // 1.0 at scale 8
    Quote {
        bid_px: Price(bid * px),
        bid_qty: Qty(px),
        ask_px: Price(ask * px),
        ask_qty: Qty(px),
        recv_ts_ns: recv,
        instrument: InstrumentId(0),
        venue: VenueId(venue),
        source,
        ..Quote::default()
    }
}

fn count(reg: &mut Registry, name: &str) -> u64 {
    reg.counter(name).get()
}

#[test]
fn rest_legs_are_refused_by_default_and_taken_when_allowed() {
    let mut reg = Registry::new();
    let mut s = stage(false, &mut reg);
    assert!(s.offer(quote(0, 99, 100, QuoteSource::Ws, 1_000)).is_none());
    // The sell leg from a REST poll: detected, refused as its own outcome, not cached.
    assert!(s
        .offer(quote(1, 101, 102, QuoteSource::Rest, 2_000))
        .is_none());
    assert_eq!(count(&mut reg, "strategy.opps.detected"), 1);
    assert_eq!(count(&mut reg, "strategy.opps.rejected.rest_quote"), 1);
    assert_eq!(count(&mut reg, "strategy.opps.rejected.duplicate"), 0);
    // The stream confirms a book: the same opportunity is taken (the refusal left no cache entry).
    let opp = s
        .offer(quote(1, 101, 102, QuoteSource::Ws, 3_000))
        .expect("taken from the stream");
    assert_eq!((opp.buy_venue, opp.sell_venue), (VenueId(0), VenueId(1)));
    // A REST buy leg is refused too.
    assert!(s
        .offer(quote(0, 98, 99, QuoteSource::Rest, 4_000))
        .is_none());
    assert_eq!(count(&mut reg, "strategy.opps.rejected.rest_quote"), 2);

    let mut reg = Registry::new();
    let mut s = stage(true, &mut reg);
    assert!(s.offer(quote(0, 99, 100, QuoteSource::Ws, 1_000)).is_none());
    let opp = s
        .offer(quote(1, 101, 102, QuoteSource::Rest, 2_000))
        .expect("trade_on_rest_quotes = true takes it");
    assert_eq!(opp.sell_px, Price(101 * 100_000_000));
    assert_eq!(count(&mut reg, "strategy.opps.rejected.rest_quote"), 0);
}
