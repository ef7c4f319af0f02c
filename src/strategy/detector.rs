//! The cross-venue detector: the rule of docs/architecture.md ("Detection rule"), exactly, in O(venues) per quote.
//!
//! Contract of [`Detector::on_quote`]: store the quote; among the venues whose latest quote for
//! that instrument is fresh (`now - recv_ts <= stale_after` of that venue; a receive time in the
//! future counts as age 0) and whose side is usable (positive price and size, see `book.rs`),
//! take the ordered pair (buy `a`, sell `b`), `a != b`, with the highest
//! `net = (bid_b * (1 - fee_b) - ask_a * (1 + fee_a)) / (ask_a * (1 + fee_a))`, ties to the lower
//! buy venue, then the lower sell venue. It is a [`Candidate`] when `net >= min_profit`, `a` or `b`
//! is the quote's venue, and `qty = min(ask_qty_a, bid_qty_b, max_notional / ask_a)` rounded down
//! to the lot is positive.
//!
//! Every decision is exact integer arithmetic: fees are millionths, so adjusted cost and proceeds
//! are `i128` (below 2^85); ranking pairs needs 256-bit cross products (`pair.rs`, `wide.rs`); the
//! threshold test `proceeds * 1e6 >= cost * (1e6 + min_profit)` fits `i128` (below 2^106). The
//! reported `net_bps` / `gross_bps` are floor-rounded hundredths of a bp, for display only.
//!
//! The detector does not dedupe and does not assign ids or expiries: the caller looks
//! [`Candidate::key`] up in the opportunity cache (whose TTL band comes from
//! [`Detector::volatility`]), then builds the [`Opportunity`] with
//! [`Candidate::into_opportunity`]. Nothing here allocates after [`Detector::new`].

use crate::cache::OppKey;
use crate::model::{
    Bps, InstrumentId, OppId, Opportunity, Price, Qty, Quote, QuoteSource, VenueId,
};

use super::book::{ask_usable, bid_usable, BookTable};
use super::confidence::{confidence, ConfidenceParams, LegAge};
use super::fees::RATE_ONE;
use super::pair::PairScan;
use super::params::{DetectorParams, InstrumentParams, ParamsError, VenueParams};
use super::volatility::VolTracker;

/// `v` clamped into `i64`.
#[inline]
fn saturate(v: i128) -> i64 {
    v.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// A detected opportunity before dedupe: everything an [`Opportunity`] carries except its id and
/// expiry, which the caller assigns after the cache lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// Instrument.
    pub instrument: InstrumentId,
    /// Venue of the buy leg (its ask).
    pub buy_venue: VenueId,
    /// Venue of the sell leg (its bid).
    pub sell_venue: VenueId,
    /// `ask_a`.
    pub buy_px: Price,
    /// `bid_b`.
    pub sell_px: Price,
    /// Both legs' quantity, a positive whole number of lots.
    pub qty: Qty,
    /// `(bid_b - ask_a) / ask_a`, floor, hundredths of a bp.
    pub gross_bps: Bps,
    /// Net of both taker fees, floor, hundredths of a bp (the decision itself was exact).
    pub net_bps: Bps,
    /// Receive time of the triggering quote (monotonic ns).
    pub recv_ts_ns: u64,
    /// `now_ns` of the detection.
    pub detect_ts_ns: u64,
    /// Confidence, parts per 10 000.
    pub confidence: u16,
    /// Venue of the triggering quote.
    pub trigger_venue: VenueId,
    /// Sequence number (update id) of the triggering quote.
    pub trigger_seq: u64,
    /// True when either leg's quote came from the REST fallback ([`QuoteSource::Rest`]): the
    /// stage refuses it unless `ingest.trade_on_rest_quotes` is on.
    pub rest_leg: bool,
}

impl Candidate {
    /// The dedupe key for the opportunity cache.
    #[inline]
    pub fn key(&self) -> OppKey {
        OppKey {
            ask_a: self.buy_px,
            bid_b: self.sell_px,
            instrument: self.instrument,
            buy_venue: self.buy_venue,
            sell_venue: self.sell_venue,
        }
    }

    /// The opportunity to emit, with the id and expiry the caller assigns.
    #[inline]
    pub fn into_opportunity(self, id: OppId, expiry_ts_ns: u64) -> Opportunity {
        Opportunity {
            id,
            buy_px: self.buy_px,
            sell_px: self.sell_px,
            qty: self.qty,
            gross_bps: self.gross_bps,
            net_bps: self.net_bps,
            recv_ts_ns: self.recv_ts_ns,
            detect_ts_ns: self.detect_ts_ns,
            expiry_ts_ns,
            instrument: self.instrument,
            confidence: self.confidence,
            buy_venue: self.buy_venue,
            sell_venue: self.sell_venue,
            trigger_venue: self.trigger_venue,
            trigger_seq: self.trigger_seq,
        }
    }
}

/// What became of the quotes the detector saw; plain counters owned by the strategy thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DetectorStats {
    /// Quotes offered to [`Detector::on_quote`].
    pub quotes: u64,
    /// Quotes refused because their instrument or venue is not in the table.
    pub unknown_ids: u64,
    /// Best pair below `min_profit`.
    pub below_threshold: u64,
    /// Best pair profitable but not involving the quote's venue (reported by that venue's quote).
    pub other_venues: u64,
    /// Profitable pair whose quantity rounded down to zero lots.
    pub zero_qty: u64,
    /// Candidates returned.
    pub candidates: u64,
}

/// Why the rule found no candidate for a quote (each counted by [`Detector::on_quote`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Miss {
    /// No usable ask and bid on two venues.
    NoPair,
    /// Best pair below `min_profit`.
    BelowThreshold,
    /// Best pair not involving the quote's venue.
    OtherVenues,
    /// Quantity rounded down to zero lots.
    ZeroQty,
}

/// Book table, volatility and the detection rule for every instrument.
#[derive(Debug, Clone)]
pub struct Detector {
    book: BookTable,
    vol: VolTracker,
    venues: Vec<VenueParams>,
    instruments: Vec<InstrumentParams>,
    /// `10^qty_scale` per instrument, for `max_notional / ask` in qty units.
    qty_unit: Vec<i128>,
    min_profit: i64,
    confidence: ConfidenceParams,
    stats: DetectorStats,
}

impl Detector {
    /// Validate `params` and allocate everything (cold path).
    pub fn new(params: DetectorParams) -> Result<Detector, ParamsError> {
        params.validate()?;
        let n_i = params.instruments.len();
        let n_v = params.venues.len();
        Ok(Detector {
            book: BookTable::new(n_i, n_v),
            vol: VolTracker::new(n_i, n_v, params.volatility),
            qty_unit: params
                .instruments
                .iter()
                .map(|p| 10i128.pow(p.qty_scale as u32))
                .collect(),
            venues: params.venues,
            instruments: params.instruments,
            min_profit: params.min_profit.0,
            confidence: params.confidence,
            stats: DetectorStats::default(),
        })
    }

    /// Store `q` and apply the detection rule for its instrument at time `now_ns`. No allocation.
    pub fn on_quote(&mut self, q: Quote, now_ns: u64) -> Option<Candidate> {
        self.stats.quotes += 1;
        if self.book.store(q).is_err() {
            self.stats.unknown_ids += 1;
            return None;
        }
        self.vol.on_quote(&q);
        match self.evaluate(&q, now_ns) {
            Ok(c) => {
                self.stats.candidates += 1;
                Some(c)
            }
            Err(Miss::NoPair) => None,
            Err(Miss::BelowThreshold) => {
                self.stats.below_threshold += 1;
                None
            }
            Err(Miss::OtherVenues) => {
                self.stats.other_venues += 1;
                None
            }
            Err(Miss::ZeroQty) => {
                self.stats.zero_qty += 1;
                None
            }
        }
    }

    /// The detection rule for `q`'s instrument as the book stands, changing nothing (no store, no
    /// volatility update, no counter): what [`on_quote`](Self::on_quote) would return for `q` if
    /// `q` were already in the book. The strategy stage's idle rehearsal runs it on the last
    /// quote to keep the rule's code and the book's rows warm; `None` for an unknown instrument.
    pub fn rehearse(&self, q: &Quote, now_ns: u64) -> Option<Candidate> {
        if q.instrument.index() >= self.instruments.len() {
            return None;
        }
        self.evaluate(q, now_ns).ok()
    }

    /// The rule itself, read-only (see [`on_quote`](Self::on_quote)); `q` is in the book.
    #[inline]
    fn evaluate(&self, q: &Quote, now_ns: u64) -> Result<Candidate, Miss> {
        let row = self.book.row(q.instrument);
        let mut scan = PairScan::new();
        for (v, (quote, venue)) in row.iter().zip(&self.venues).enumerate() {
            if now_ns.saturating_sub(quote.recv_ts_ns) > venue.stale_after_ns {
                continue;
            }
            // v < MAX_VENUES (16) by validation.
            if ask_usable(quote) {
                scan.push_ask(
                    v as u8,
                    quote.ask_px.0 as i128 * venue.taker_fee.cost_factor(),
                );
            }
            if bid_usable(quote) {
                scan.push_bid(
                    v as u8,
                    quote.bid_px.0 as i128 * venue.taker_fee.proceeds_factor(),
                );
            }
        }
        let (a, b, cost, proceeds) = scan.best().ok_or(Miss::NoPair)?;

        let one = RATE_ONE as i128;
        if proceeds * one < cost * (one + self.min_profit as i128) {
            return Err(Miss::BelowThreshold);
        }
        if a != q.venue.0 && b != q.venue.0 {
            return Err(Miss::OtherVenues);
        }

        let (buy, sell) = (&row[a as usize], &row[b as usize]);
        let inst = &self.instruments[q.instrument.index()];
        // max_notional (price scale) / ask (price scale) = base units; times 10^qty_scale for the
        // mantissa. Below 2^63 * 10^18 < 2^127.
        let by_notional = inst.max_notional.0 as i128 * self.qty_unit[q.instrument.index()]
            / buy.ask_px.0 as i128;
        let raw = by_notional
            .min(buy.ask_qty.0 as i128)
            .min(sell.bid_qty.0 as i128) as i64;
        let qty = Qty(raw).round_down_to(inst.lot);
        if qty.0 <= 0 {
            return Err(Miss::ZeroQty);
        }

        let net = ((proceeds - cost) * one).div_euclid(cost);
        let ask = buy.ask_px.0 as i128;
        let gross = ((sell.bid_px.0 as i128 - ask) * one).div_euclid(ask);
        let leg = |quote: &Quote, venue: &VenueParams| LegAge {
            age_ns: now_ns.saturating_sub(quote.recv_ts_ns),
            stale_after_ns: venue.stale_after_ns,
        };
        let score = confidence(
            leg(buy, &self.venues[a as usize]),
            leg(sell, &self.venues[b as usize]),
            Qty(buy.ask_qty.0.min(sell.bid_qty.0)),
            inst.ref_qty,
            self.vol.volatility(q.instrument),
            &self.confidence,
        );
        Ok(Candidate {
            instrument: q.instrument,
            buy_venue: VenueId(a),
            sell_venue: VenueId(b),
            buy_px: buy.ask_px,
            sell_px: sell.bid_px,
            qty,
            // Absurd books (ask 1, bid 9e18) give edges beyond i64 hundredths of a bp; display
            // values saturate, the decision above was already taken exactly.
            gross_bps: Bps(saturate(gross)),
            net_bps: Bps(saturate(net)),
            recv_ts_ns: q.recv_ts_ns,
            detect_ts_ns: now_ns,
            confidence: score,
            trigger_venue: q.venue,
            trigger_seq: q.seq,
            rest_leg: buy.source == QuoteSource::Rest || sell.source == QuoteSource::Rest,
        })
    }

    /// The book table (latest quote per instrument and venue).
    #[inline]
    pub fn book(&self) -> &BookTable {
        &self.book
    }

    /// Current volatility of `instrument`, percent per update (see `volatility.rs`), for the
    /// opportunity cache's TTL band.
    #[inline]
    pub fn volatility(&self, instrument: InstrumentId) -> f64 {
        self.vol.volatility(instrument)
    }

    /// Counters so far.
    #[inline]
    pub fn stats(&self) -> &DetectorStats {
        &self.stats
    }
}

#[cfg(test)]
#[path = "detector_tests.rs"]
mod tests;
