//! An in-process feed for the engine tests: quotes from the mock exchange's synthetic market at a
//! fixed rate, standing where the ingest stage stands (it produces the same `Quote`s into the same
//! ring), plugged into a run through [`Feed::Source`] ([`sim_feed`]) or driven directly.
//!

use microarb::base::Counter;
use microarb::config::Config;
use microarb::model::{InstrumentId, Price, Qty, Quote, QuoteSource, VenueId};
use microarb::pipeline::Feed;
use microarb::runtime::{RingTx, Stage, Work};
use microarb::telemetry::Registry;
use mockex::{SimParams, SyntheticMarket};

/// A [`Feed::Source`] of synthetic quotes for instrument 0 on every venue of `cfg` (`params.venues`
/// is set to their number): `rate_per_s` quotes a second (0: as fast as the ring takes them), at
/// most `limit` in all.
pub fn sim_feed(cfg: &Config, mut params: SimParams, rate_per_s: u64, limit: Option<u64>) -> Feed {
    params.venues = cfg.venues.len();
    Feed::Source(Box::new(move |tx, reg| {
        Box::new(SimFeedStage::new(
            params,
            InstrumentId(0),
            rate_per_s,
            limit,
            tx,
            reg,
        ))
    }))
}

/// Most quotes one poll emits when it is behind schedule, so a poll stays bounded.
const MAX_BURST: u32 = 64;

/// Synthetic quotes for one instrument on every venue.
pub struct SimFeedStage {
    market: SyntheticMarket,
    tx: RingTx<Quote>,
    instrument: InstrumentId,
    interval_ns: u64,
    next_ns: u64,
    limit: Option<u64>,
    quotes: Counter,
    dropped: Counter,
}

impl SimFeedStage {
    /// `rate_per_s` quotes a second (0: as fast as the ring takes them), at most `limit` in all.
    pub fn new(
        params: SimParams,
        instrument: InstrumentId,
        rate_per_s: u64,
        limit: Option<u64>,
        tx: RingTx<Quote>,
        reg: &mut Registry,
    ) -> SimFeedStage {
        SimFeedStage {
            market: SyntheticMarket::new(params),
            tx,
            instrument,
            interval_ns: 1_000_000_000u64.checked_div(rate_per_s).unwrap_or(0),
            next_ns: 0,
            limit,
            quotes: reg.counter("ingest.sim.quotes"),
            dropped: reg.counter("ingest.sim.quotes_dropped"),
        }
    }

    /// The market, to read back which dislocations were injected.
    pub fn market(&self) -> &SyntheticMarket {
        &self.market
    }
}

impl Stage for SimFeedStage {
    fn name(&self) -> &'static str {
        "ingest(sim)"
    }

    fn poll(&mut self, now_ns: u64) -> Work {
        if self.next_ns == 0 {
            self.next_ns = now_ns;
        }
        let mut n = 0;
        while n < MAX_BURST && self.next_ns <= now_ns {
            if let Some(limit) = self.limit {
                if self.market.updates() >= limit {
                    break;
                }
            }
            let s = self.market.next_quote();
            let q = Quote {
                seq: s.seq,
                bid_px: Price(s.bid_px),
                bid_qty: Qty(s.bid_qty),
                ask_px: Price(s.ask_px),
                ask_qty: Qty(s.ask_qty),
                exch_ts_ns: 0,
                recv_ts_ns: now_ns,
                instrument: self.instrument,
                venue: VenueId(s.venue as u8),
                flags: 0,
                source: QuoteSource::Ws,
            };
            self.quotes.inc();
            if self.tx.push(q, now_ns).is_err() {
                self.dropped.inc();
            }
            self.next_ns += self.interval_ns;
            n += 1;
        }
        // Far behind (a stall): do not try to catch up with a burst of stale quotes.
        if self.interval_ns > 0 && now_ns > self.next_ns + 1_000 * self.interval_ns {
            self.next_ns = now_ns;
        }
        Work(n)
    }

    fn is_finished(&self, stopping: bool) -> bool {
        stopping
    }
}
