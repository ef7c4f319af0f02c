//! Seed 000's `MicroArbitrageOrchestrator`: the shared state every venue task works on, and what
//! happens to one frame.
//!
//! Per frame ([`Orchestrator::on_frame`]): parse (serde_json into owned structs, `f64`), count
//! it in `Arc<RwLock<Stats>>`, store the quote in `Arc<RwLock<Book>>` and run the detector under
//! that write lock, dedupe the candidate in `Arc<Mutex<OpportunityCache>>` (key `format!`ed), and
//! hand a new opportunity to the executor on its own task (`tokio::spawn`), as the seed spawns
//! each execution behind its semaphore. Locks are tokio's (`tokio::sync`), as in the seed.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{Mutex, RwLock};

use crate::book::{Book, BookQuote};
use crate::cache::{Dedupe, OpportunityCache};
use crate::detect::{detect, NoCandidate};
use crate::exec::Executor;
use crate::parse::{parse, BybitTops, Parsed};
use crate::spec::{Spec, VenueSpec};
use crate::stats::Stats;
use crate::wire::Wire;

/// Shared state of the baseline engine.
pub struct Orchestrator {
    /// Config view.
    pub spec: Spec,
    /// Monotonic clock zero.
    pub start: Instant,
    /// Latest quotes per instrument and venue.
    pub book: Arc<RwLock<Book>>,
    /// Dedupe cache.
    pub cache: Arc<Mutex<OpportunityCache>>,
    /// Semaphore-bounded execution (paper or network).
    pub executor: Arc<Executor>,
    /// Counters and histograms.
    pub stats: Arc<RwLock<Stats>>,
}

impl Orchestrator {
    /// Build everything from the spec; `start` is the clock zero; with `wire` the legs go over
    /// the network, else on paper.
    pub fn new(spec: Spec, start: Instant, wire: Option<Wire>) -> Arc<Orchestrator> {
        let stats = Arc::new(RwLock::new(Stats::new()));
        let cache = OpportunityCache::new(spec.cache_capacity, spec.ttl_ns, spec.vol_bands);
        let executor = Arc::new(Executor::new(&spec, stats.clone(), start, wire));
        Arc::new(Orchestrator {
            spec,
            start,
            book: Arc::new(RwLock::new(Book::new())),
            cache: Arc::new(Mutex::new(cache)),
            executor,
            stats,
        })
    }

    /// Monotonic ns since start.
    pub fn now_ns(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    /// Handle one data frame of `venue` read at `recv_ns`.
    pub async fn on_frame(
        self: &Arc<Self>,
        venue: &VenueSpec,
        payload: &[u8],
        recv_ns: u64,
        bybit: &mut BybitTops,
    ) {
        let parsed = parse(venue.kind, payload, bybit);
        let parsed_ns = self.now_ns();
        let pd = {
            let mut stats = self.stats.write().await;
            let v = stats.venue(&venue.name);
            v.frames += 1;
            v.bytes += payload.len() as u64;
            match parsed {
                Ok(Parsed::Quote(pd)) => {
                    v.quotes += 1;
                    stats.record("parse", parsed_ns.saturating_sub(recv_ns));
                    pd
                }
                Ok(Parsed::Skip) => {
                    v.skipped += 1;
                    return;
                }
                Err(_) => {
                    v.parse_errors += 1;
                    return;
                }
            }
        };
        let Some(instrument) = self
            .spec
            .symbols
            .get(&(venue.name.clone(), pd.symbol.clone()))
            .cloned()
        else {
            self.stats.write().await.unknown_symbols += 1;
            return;
        };
        let Some(inst) = self.spec.instruments.iter().find(|i| i.name == instrument) else {
            return;
        };
        let quote = BookQuote {
            bid: pd.bid,
            bid_qty: pd.bid_qty,
            ask: pd.ask,
            ask_qty: pd.ask_qty,
            recv_ns,
            sequence: pd.sequence,
        };
        let (result, volatility) = {
            let mut book = self.book.write().await;
            if !book.update(&instrument, &venue.name, quote) {
                drop(book);
                self.stats.write().await.venue(&venue.name).seq_drops += 1;
                return;
            }
            let Some(quotes) = book.venues(&instrument) else {
                return;
            };
            let r = detect(
                inst,
                &self.spec.venues,
                quotes,
                &venue.name,
                self.spec.min_profit_bps,
                self.now_ns(),
            );
            (r, book.volatility(&instrument))
        };
        let opp = match result {
            Ok(opp) => opp,
            Err(why) => {
                let mut stats = self.stats.write().await;
                stats.quotes_in += 1;
                match why {
                    NoCandidate::BelowThreshold => stats.below_threshold += 1,
                    NoCandidate::OtherVenues => stats.other_venues += 1,
                    NoCandidate::ZeroQty => stats.zero_qty += 1,
                    NoCandidate::TooFewVenues => {}
                }
                return;
            }
        };
        let dedupe = {
            let mut cache = self.cache.lock().await;
            cache.check_and_insert(opp.cache_key(), &opp, volatility, opp.detected_ns)
        };
        {
            let mut stats = self.stats.write().await;
            stats.quotes_in += 1;
            stats.detected += 1;
            if dedupe == Dedupe::Duplicate {
                stats.duplicates += 1;
                return;
            }
            let decided = self.now_ns();
            stats.record("tick_to_decision", decided.saturating_sub(opp.recv_ns));
        }
        let executor = self.executor.clone();
        tokio::spawn(async move {
            executor.execute(opp).await;
        });
    }

    /// Copy the cache's counts into the stats (at exit).
    pub async fn collect_cache_counts(&self) {
        let counts = self.cache.lock().await.counts;
        self.stats.write().await.cache = counts;
    }
}
