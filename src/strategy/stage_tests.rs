//! The stage's REST-leg rule: an opportunity with a leg quoted by the REST fallback is refused
//! with the default config (`rejected: rest_quote`, counted as detected) and taken with
//! `ingest.trade_on_rest_quotes = true`. The idle rehearsal changes nothing the stage emits or
//! counts.

use super::*;
use crate::base::Counters;
use crate::config::{Machine, DEMO_TOML};
use crate::model::{InstrumentId, QuoteSource, VenueId};
use crate::runtime::{ring, RingRx, RingTx, Stage};

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

/// A live-time stage over rings of its own, rehearsing every `every_us` (0: never).
fn live_stage(every_us: u64) -> (StrategyStage, RingTx<Quote>, RingRx<Opportunity>) {
    let mut cfg = Config::from_toml_str(DEMO_TOML, &Machine::this(false)).expect("demo config");
    cfg.execution.rehearse_every_us = every_us;
    let mut counters = Counters::new();
    let (qtx, qrx) = ring::<Quote>("quotes", 64, &mut counters);
    let (otx, orx) = ring::<Opportunity>("opps", 64, &mut counters);
    let mut reg = Registry::new();
    let s = StrategyStage::with_time(&cfg, qrx, otx, Clock::new(), TimeSource::Live, &mut reg)
        .expect("stage");
    (s, qtx, orx)
}

#[test]
fn a_rehearsing_stage_emits_and_counts_the_same() {
    let (mut plain, mut ptx, mut prx) = live_stage(0);
    let (mut busy, mut btx, mut brx) = live_stage(1);
    // A market that crosses, repeats itself (duplicates), goes quiet and crosses back.
    let quotes = [
        (0, 99, 100),
        (1, 101, 102),
        (1, 101, 102),
        (0, 98, 99),
        (2, 97, 103),
        (1, 99, 100),
        (0, 101, 102),
        (0, 101, 102),
        (3, 90, 95),
    ];
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut now = 1_000_000u64;
    for (i, (v, bid, ask)) in quotes.into_iter().enumerate() {
        let q = quote(v, bid, ask, QuoteSource::Ws, now);
        ptx.push(q, now).expect("room");
        btx.push(q, now).expect("room");
        plain.poll(now);
        busy.poll(now);
        // Quiet spells of rising length between quotes: the rehearsing stage runs through them.
        for k in 0..(i as u64 * 3) {
            plain.poll(now + 2_000 * (k + 1));
            busy.poll(now + 2_000 * (k + 1));
        }
        now += 2_000 * (i as u64 * 3 + 1);
        while let Some(m) = prx.pop() {
            a.push(m.msg);
        }
        while let Some(m) = brx.pop() {
            b.push(m.msg);
        }
    }
    assert!(
        busy.rehearsals() > 20,
        "it rehearsed: {}",
        busy.rehearsals()
    );
    assert_eq!(plain.rehearsals(), 0);
    assert!(!a.is_empty(), "the market crossed");
    assert_eq!(a, b, "same opportunities, ids and expiries");
    assert_eq!(plain.detector.stats(), busy.detector.stats());
    assert_eq!(plain.cache.stats(), busy.cache.stats());
    assert_eq!(plain.next_id, busy.next_id);
}
