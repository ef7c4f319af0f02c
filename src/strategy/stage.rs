//! The strategy stage: quotes in, deduplicated opportunities out.
//!
//! Per quote popped from the ingest ring: run the detector (docs/architecture.md, "Detection rule"); a candidate counts
//! as detected; if a leg's quote came from the REST fallback and `ingest.trade_on_rest_quotes` is
//! off it ends as `rejected: rest_quote` (before the cache, so the same opportunity is taken once
//! the stream confirms it); if its key is live in the opportunity cache it ends as
//! `rejected: duplicate`, otherwise it gets an id and an expiry and is pushed to execution, or ends as `dropped` if that
//! ring is full. Time is the worker's clock, or the capture's receive time in a replay, so a
//! replay decides exactly as the recording would have.

use thiserror::Error;

use super::{Detector, DetectorParams, InstrumentParams, ParamsError, VenueParams};
use crate::base::Clock;
use crate::base::Counter;
use crate::cache::{CacheError, Dedupe, DedupeCache, TtlBands};
use crate::config::Config;
use crate::model::{OppId, Opportunity, Outcome, Price, Qty, Quote, RejectReason};
use crate::runtime::{RingRx, RingTx, Stage, Work};
use crate::telemetry::{Metric, OppLogTx, OutcomeCounters, Recorder, Registry};

/// Most quotes taken per poll, so one poll stays bounded.
const BATCH: u32 = 256;

/// Why the strategy stage could not be built from a (validated) config.
#[derive(Debug, Error)]
pub enum StrategyBuildError {
    /// The detector refused its parameters.
    #[error("detector parameters: {0}")]
    Params(#[from] ParamsError),
    /// The cache refused its parameters.
    #[error("opportunity cache: {0}")]
    Cache(#[from] CacheError),
    /// A config amount does not fit its instrument's scale.
    #[error("{what}: {reason}")]
    Amount {
        /// Key path.
        what: String,
        /// Why.
        reason: String,
    },
}

/// Whose clock judges staleness and TTLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSource {
    /// The worker's monotonic clock (live and demo).
    Live,
    /// Each quote's recorded receive time (replay): deterministic on any machine.
    Capture,
}

/// Detector parameters from a validated config.
pub fn detector_params(cfg: &Config) -> Result<DetectorParams, StrategyBuildError> {
    let venues = cfg
        .venues
        .iter()
        .map(|v| VenueParams::from_config(v.taker_fee_bps, v.stale_after_ms))
        .collect::<Result<Vec<_>, _>>()
        .map_err(ParamsError::from)?;
    let mut instruments = Vec::with_capacity(cfg.instruments.len());
    for (i, ins) in cfg.instruments.iter().enumerate() {
        let amount = |what: String, r: Result<i64, crate::model::DecimalError>| {
            r.map_err(|e| StrategyBuildError::Amount {
                what,
                reason: e.to_string(),
            })
        };
        let lot = amount(
            format!("instruments[{i}].lot"),
            ins.lot.at_scale(ins.qty_scale),
        )?;
        let max_notional = match &ins.max_notional {
            Some(m) => amount(
                format!("instruments[{i}].max_notional"),
                m.at_scale(ins.price_scale),
            )?,
            None => amount(
                "strategy.max_notional".to_string(),
                cfg.strategy.max_notional.at_scale(ins.price_scale),
            )?,
        };
        instruments.push(InstrumentParams {
            price_scale: ins.price_scale,
            qty_scale: ins.qty_scale,
            lot: Qty(lot),
            max_notional: Price(max_notional),
            // One whole unit of the base asset: sizes at or above it do not lower confidence.
            ref_qty: Qty(10i64.pow(ins.qty_scale as u32)),
        });
    }
    let params = DetectorParams {
        venues,
        instruments,
        min_profit: Default::default(),
        volatility: Default::default(),
        confidence: Default::default(),
    }
    .with_min_profit_bps(cfg.strategy.min_profit_bps)?;
    params.validate()?;
    Ok(params)
}

/// The strategy stage.
pub struct StrategyStage {
    rx: RingRx<Quote>,
    tx: RingTx<Opportunity>,
    clock: Clock,
    time: TimeSource,
    detector: Detector,
    cache: DedupeCache,
    opp_ttl_ns: u64,
    trade_on_rest_quotes: bool,
    next_id: u64,
    rec: Recorder,
    outcomes: OutcomeCounters,
    quotes: Counter,
    detected: Counter,
    cache_hits: Counter,
    cache_misses: Counter,
    cache_expiries: Counter,
    cache_evictions: Counter,
    below_threshold: Counter,
    other_venues: Counter,
    zero_qty: Counter,
    unknown_ids: Counter,
    opps_log: Option<OppLogTx>,
    /// Every quote received, forwarded to the execution stage (the paper venue's books).
    book_out: Option<RingTx<Quote>>,
    /// The idle rehearsal ([`StrategyStage::maybe_rehearse`]): period (0: never, and never on
    /// capture time), next due time, the last quote received, rehearsals run.
    rehearse_every_ns: u64,
    rehearse_next_ns: u64,
    last_quote: Option<Quote>,
    rehearsals: u64,
}

impl StrategyStage {
    /// Build from a validated config, live time.
    pub fn new(
        cfg: &Config,
        rx: RingRx<Quote>,
        tx: RingTx<Opportunity>,
        clock: Clock,
        reg: &mut Registry,
    ) -> Result<StrategyStage, StrategyBuildError> {
        Self::with_time(cfg, rx, tx, clock, TimeSource::Live, reg)
    }

    /// Build from a validated config with the given time source.
    pub fn with_time(
        cfg: &Config,
        rx: RingRx<Quote>,
        tx: RingTx<Opportunity>,
        clock: Clock,
        time: TimeSource,
        reg: &mut Registry,
    ) -> Result<StrategyStage, StrategyBuildError> {
        let s = &cfg.strategy;
        let ms = 1_000_000;
        let bands = TtlBands::new(
            s.vol_high,
            s.vol_mid,
            s.ttl_high_vol_ms * ms,
            s.ttl_mid_vol_ms * ms,
            s.ttl_low_vol_ms * ms,
        )?;
        let metrics: &[Metric] = match time {
            TimeSource::Live => &[Metric::Hop, Metric::Detect, Metric::TickToDecision],
            TimeSource::Capture => &[Metric::Hop, Metric::Detect],
        };
        Ok(StrategyStage {
            rx,
            tx,
            clock,
            time,
            detector: Detector::new(detector_params(cfg)?)?,
            cache: DedupeCache::new(s.cache_capacity as usize, bands)?,
            opp_ttl_ns: s.opportunity_ttl_ms * ms,
            trade_on_rest_quotes: cfg.ingest.trade_on_rest_quotes,
            next_id: 1,
            rec: reg.recorder("strategy", metrics),
            outcomes: OutcomeCounters::register(reg, "strategy"),
            quotes: reg.counter("strategy.quotes_in"),
            detected: reg.counter("strategy.opps.detected"),
            cache_hits: reg.counter("strategy.cache.hits"),
            cache_misses: reg.counter("strategy.cache.misses"),
            cache_expiries: reg.counter("strategy.cache.expiries"),
            cache_evictions: reg.counter("strategy.cache.evictions"),
            below_threshold: reg.counter("strategy.detector.below_threshold"),
            other_venues: reg.counter("strategy.detector.other_venues"),
            zero_qty: reg.counter("strategy.detector.zero_qty"),
            unknown_ids: reg.counter("strategy.detector.unknown_ids"),
            opps_log: None,
            book_out: None,
            rehearse_every_ns: match time {
                TimeSource::Live => cfg.execution.rehearse_every_us.saturating_mul(1_000),
                TimeSource::Capture => 0,
            },
            rehearse_next_ns: 0,
            last_quote: None,
            rehearsals: 0,
        })
    }

    /// While no quote arrives, every `execution.rehearse_every_us` run the detection rule on the
    /// last quote against the book as it stands and look its key up in the dedupe cache, both
    /// read-only ([`Detector::rehearse`], [`DedupeCache::is_live`]), and drop the answers. Why:
    /// on a quiet market the rule's code, the book's rows and the cache's buckets are evicted
    /// between quotes by everything else the pipeline thread runs, and the first quote after a
    /// pause paid for it (detect p50 about 5x its busy-market figure). Nothing is stored, counted
    /// or emitted; `stage_tests.rs` checks the stage's opportunities and counters are the same
    /// with and without it.
    #[inline]
    fn maybe_rehearse(&mut self, now_ns: u64) {
        if self.rehearse_every_ns == 0 || now_ns < self.rehearse_next_ns {
            return;
        }
        self.rehearse_next_ns = now_ns.saturating_add(self.rehearse_every_ns);
        let Some(q) = self.last_quote else { return };
        self.rehearsals += 1;
        if let Some(c) = self.detector.rehearse(&q, now_ns) {
            std::hint::black_box(self.cache.is_live(&c.key(), now_ns));
            std::hint::black_box(&c);
        }
    }

    /// Idle rehearsals run so far (tests).
    pub fn rehearsals(&self) -> u64 {
        self.rehearsals
    }

    /// Write every opportunity this stage ends (duplicates, ring drops) to the `--opps` log.
    pub fn set_opps_log(&mut self, tx: OppLogTx) {
        self.opps_log = Some(tx);
    }

    /// Forward every quote received to the execution stage on `tx` (the paper venue matches
    /// against them). Each is pushed after the opportunity it makes, if any, so forwarding adds
    /// nothing before the decision; a full ring drops the quote (counted as `ring.books.dropped`:
    /// the simulated book then lags by one update).
    pub fn set_book_out(&mut self, tx: RingTx<Quote>) {
        self.book_out = Some(tx);
    }

    #[inline]
    fn forward(&mut self, q: Quote, now: u64) {
        if let Some(tx) = self.book_out.as_mut() {
            let _ = tx.push(q, now);
        }
    }

    /// Handle one quote at time `now` (already popped; the engine clock read `t0` just before).
    /// Returns the opportunity if one was emitted to the ring. Three clock reads for a quote that
    /// makes an opportunity, two for one that does not.
    #[inline]
    fn on_quote(&mut self, q: Quote, now: u64, t0: u64) -> Option<Opportunity> {
        self.quotes.inc();
        let cand = self.detector.on_quote(q, now);
        let t1 = self.clock.now_ns();
        self.rec.record(Metric::Detect, t1.saturating_sub(t0));
        let c = cand?;
        self.detected.inc();
        if c.rest_leg && !self.trade_on_rest_quotes {
            let o = Outcome::Rejected(RejectReason::RestQuote);
            self.outcomes.count(o);
            if let Some(log) = self.opps_log.as_mut() {
                log.log(c.into_opportunity(OppId(0), 0), o);
            }
            return None;
        }
        let vol = self.detector.volatility(c.instrument);
        if self.cache.check_and_insert(c.key(), vol, now) == Dedupe::Duplicate {
            let o = Outcome::Rejected(RejectReason::Duplicate);
            self.outcomes.count(o);
            if let Some(log) = self.opps_log.as_mut() {
                log.log(c.into_opportunity(OppId(0), 0), o);
            }
            return None;
        }
        let opp = c.into_opportunity(OppId(self.next_id), now.saturating_add(self.opp_ttl_ns));
        self.next_id += 1;
        let t2 = self.clock.now_ns();
        // Recorded after the push: the histogram's bucket for a rare figure is cold memory, and
        // the execution stage need not wait for it.
        let pushed = self.tx.push(opp, t2);
        if self.time == TimeSource::Live {
            self.rec
                .record(Metric::TickToDecision, t2.saturating_sub(q.recv_ts_ns));
        }
        if pushed.is_err() {
            self.outcomes.count(Outcome::Dropped);
            if let Some(log) = self.opps_log.as_mut() {
                log.log(opp, Outcome::Dropped);
            }
            return None;
        }
        Some(opp)
    }

    /// Give up the stage and keep its input ring (ingest-only runs drain it elsewhere).
    pub fn into_input(self) -> RingRx<Quote> {
        self.rx
    }

    /// Offer a quote directly (replay's deterministic path): returns the emitted opportunity.
    pub fn offer(&mut self, q: Quote) -> Option<Opportunity> {
        let now = q.recv_ts_ns;
        let t0 = self.clock.now_ns();
        let opp = self.on_quote(q, now, t0);
        self.forward(q, now);
        opp
    }
}

impl Stage for StrategyStage {
    fn name(&self) -> &'static str {
        "strategy"
    }

    fn poll(&mut self, now_ns: u64) -> Work {
        let mut n = 0;
        while n < BATCH {
            let Some(m) = self.rx.pop() else { break };
            n += 1;
            let popped_ns = self.clock.now_ns();
            self.rec
                .record(Metric::Hop, popped_ns.saturating_sub(m.push_ts_ns));
            let now = match self.time {
                TimeSource::Live => now_ns,
                TimeSource::Capture => m.msg.recv_ts_ns,
            };
            self.on_quote(m.msg, now, popped_ns);
            self.forward(m.msg, popped_ns);
            self.last_quote = Some(m.msg);
        }
        if n == 0 {
            self.maybe_rehearse(now_ns);
        } else {
            self.rehearse_next_ns = now_ns.saturating_add(self.rehearse_every_ns);
        }
        Work(n)
    }

    fn flush_telemetry(&mut self, now_ns: u64) {
        let c = self.cache.stats();
        self.cache_hits.set(c.hits);
        self.cache_misses.set(c.misses);
        self.cache_expiries.set(c.expiries);
        self.cache_evictions.set(c.evictions);
        let d = self.detector.stats();
        self.below_threshold.set(d.below_threshold);
        self.other_venues.set(d.other_venues);
        self.zero_qty.set(d.zero_qty);
        self.unknown_ids.set(d.unknown_ids);
        self.rec.flush(now_ns);
    }

    fn is_finished(&self, stopping: bool) -> bool {
        stopping && self.rx.is_drained()
    }
}

#[cfg(test)]
#[path = "stage_tests.rs"]
mod tests;
