//! The paper gateway: a simulated venue per configured venue, filling IOC limit orders against its
//! top of book as it stands when the order arrives (after the latency model), answering then, with
//! seeded faults injected.
//!
//! # The book
//!
//! In the engine every quote the strategy stage receives is forwarded to the execution thread on
//! the book ring and handed over with [`Gateway::on_quote`]: each simulated venue's book is the
//! latest quote of that venue and instrument (prices and sizes as the venue sent them). The order
//! is matched when its latency has elapsed, against the book at that moment, so a dislocation that
//! closed while the order was on its way is missed, and one leg can fill while the other does not
//! (legging), as on a real venue. Fills consume the book's size until the next quote refreshes it.
//!
//! Without a book feed (unit tests and rigs that drive the execution stage with opportunities
//! only), [`Gateway::on_market`] stands in: the opportunity about to be traded sets both venues'
//! tops (size = its quantity), the side it does not show derived with `spread`, and orders match
//! when they are sent (that book is only the opportunity's own view, so it would be wrong to let a
//! later opportunity's view decide an earlier order). Once a quote has arrived, opportunities no
//! longer touch the book and orders match on arrival.
//!
//! # Matching
//!
//! A buy fills iff its limit is at or above the ask, at the ask (never worse than the limit), for
//! `min(order qty, ask size)`: `Filled` when that is the whole order, `PartiallyFilled` when less,
//! `Cancelled` (IOC, nothing filled) when the limit does not reach. Sells mirror it on the bid.
//!
//! # Latency and faults
//!
//! Each order reaches the matching engine `latency + U[0, jitter]` after it was sent and is answered
//! at that instant (the way back is not modelled apart). Each order draws one fate from its venue's
//! [`PaperFaults`] (cumulative probabilities, one uniform draw) when it is sent:
//!
//! - `429`: rejected with code 429 and `Retry-After`; nothing placed.
//! - `5xx`: answered [`ExecStatus::Unknown`]; a fair coin decides whether the order reached the
//!   matching engine (then it matched normally) or not (then a status query says code 404, "no such
//!   order", nothing filled). Only a status query tells which.
//! - `timeout`: never answered; the same coin decides its real fate, told by a status query.
//! - `partial`: matched, then only half the fill (rounded down) is kept.
//! - `reject`: rejected with code 400; nothing placed.
//!
//! Everything is drawn from one SplitMix64 stream seeded by `seed` in submit order, so a run on a
//! fake clock is reproducible. A status query is answered `latency + U[0, jitter]` after it was sent
//! with what the venue knows then: an order not matched yet is reported [`ExecStatus::Unknown`]
//! (still working), so the caller asks again. Tables are sized at construction; submits and polls allocate nothing.
//!
//! # Signing
//!
//! [`Gateway::stage`] writes each order's signed request with its venue's [`VenueCodec`] and a
//! throwaway key, exactly as the REST gateway would, so `tick_to_order` measures the same work on
//! paper; the simulation runs when it is sent. A venue without a codec in
//! [`PaperParams::signing`] (unit tests that build the params by hand) is simulated unsigned.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::codec::{InstrumentTable, VenueCodec};
use super::{Gateway, GatewayEvent, SubmitError, CODE_NO_SUCH_ORDER};
use crate::base::Rng;
use crate::model::{
    Bps, ExecReport, ExecStatus, InstrumentId, OppId, Opportunity, Order, OrderId, Price, Qty,
    Quote, Side, TimeInForce, VenueId, VenueKind, MAX_VENUES,
};

/// Requests that can be staged between two sends (both legs of an arbitrage, with room).
const STAGED: usize = 4;
/// Capacity reserved for one signed request.
const REQUEST_CAP: usize = 2048;

/// Status code of a simulated venue rejection.
pub const CODE_REJECTED: u16 = 400;
/// Status code of a simulated rate-limit answer.
pub const CODE_RATE_LIMITED: u16 = 429;

/// Fault probabilities for one simulated venue (each in `[0, 1]`, summing to at most 1).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PaperFaults {
    /// Answer 429 with `Retry-After`.
    pub p_429: f64,
    /// Answer 5xx: fate unknown until queried.
    pub p_5xx: f64,
    /// Never answer.
    pub p_timeout: f64,
    /// Fill only half.
    pub p_partial: f64,
    /// Reject.
    pub p_reject: f64,
}

/// Settings of the paper gateway.
#[derive(Debug, Clone)]
pub struct PaperParams {
    /// Fixed answer latency, ns.
    pub latency_ns: u64,
    /// Uniform jitter added to the latency, ns.
    pub jitter_ns: u64,
    /// Seed of every draw.
    pub seed: u64,
    /// Faults per venue, indexed by [`VenueId`].
    pub faults: [PaperFaults; MAX_VENUES],
    /// `Retry-After` of a simulated 429, ms.
    pub retry_after_ms: u32,
    /// Spread assumed for the side an opportunity does not show.
    pub spread: Bps,
    /// Venues simulated (ids `0..venues`).
    pub venues: usize,
    /// Instruments simulated (ids `0..instruments`).
    pub instruments: usize,
    /// Outstanding answers and remembered orders (for status queries) it can hold.
    pub capacity: usize,
    /// Per venue id: the venue kind whose codec signs its requests, and its instruments (empty:
    /// nothing is signed).
    pub signing: Vec<(VenueKind, InstrumentTable)>,
}

impl Default for PaperParams {
    fn default() -> Self {
        PaperParams {
            latency_ns: 100_000,
            jitter_ns: 50_000,
            seed: 1,
            faults: [PaperFaults::default(); MAX_VENUES],
            retry_after_ms: 1000,
            spread: Bps(100),
            venues: MAX_VENUES,
            instruments: 1,
            capacity: 1024,
            signing: Vec::new(),
        }
    }
}

/// What the paper venues have done, for tests and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PaperCounters {
    /// Orders received.
    pub orders: u64,
    /// Status queries received.
    pub queries: u64,
    /// Answers delivered.
    pub answers: u64,
    /// Faults injected: 429, 5xx, timeout, partial, reject.
    pub faults: [u64; 5],
}

#[derive(Debug, Clone, Copy, Default)]
struct Top {
    bid: Price,
    bid_qty: Qty,
    ask: Price,
    ask_qty: Qty,
}

#[derive(Debug, Clone, Copy)]
struct Known {
    id: OrderId,
    instrument: InstrumentId,
    truth: ExecReport,
}

/// What happens when a scheduled entry falls due.
#[derive(Debug, Clone, Copy)]
enum Due {
    /// Deliver the stored report as it is (429, reject: decided when sent).
    Deliver,
    /// The order reaches the matching engine: match it against the book now, remember the truth,
    /// and deliver it (`answer`) or, for a 5xx, deliver `Unknown`, or, for a timeout, nothing.
    Match { fault: Option<usize> },
    /// A status query is answered with what the venue knows now.
    Query,
}

/// One scheduled entry: the order (or the queried order's id in `order.id`), the report so far,
/// and what to do when due.
#[derive(Debug, Clone, Copy)]
struct Pending {
    order: Order,
    report: ExecReport,
    due: Due,
}

/// A request staged and not sent yet.
#[derive(Debug, Clone, Copy)]
enum Staged {
    Order(Order),
    Query(OrderId),
}

/// Simulated venues behind one [`Gateway`].
#[derive(Debug)]
pub struct PaperGateway {
    p: PaperParams,
    rng: Rng,
    books: Vec<Top>,
    /// True once a quote arrived through [`Gateway::on_quote`]: the book is fed, opportunities no
    /// longer set it.
    book_fed: bool,
    /// Entries not yet due, by slot.
    pending: Vec<Pending>,
    /// Slots of `pending` not in use (a stack: the next answer takes the last one).
    free: Vec<u32>,
    /// `(deliver_at, submission sequence, slot)` of every answer not yet delivered, earliest
    /// first: a poll takes what is due in O(log n) each instead of scanning the table (a scan of
    /// the whole table stalled the shared pipeline thread for microseconds). Allocated once with
    /// the table's capacity; never grows past it (`submit` refuses a full table first).
    due: BinaryHeap<Reverse<(u64, u64, u32)>>,
    /// Submission sequence: answers due at the same instant are delivered in submission order.
    seq: u64,
    known: Vec<Known>,
    counters: PaperCounters,
    /// Signing codec per venue id (`None`: unsigned).
    codecs: Vec<Option<VenueCodec>>,
    staged: [Option<Staged>; STAGED],
    n_staged: usize,
    /// The signed request of each staged entry.
    bufs: Vec<Vec<u8>>,
    /// Where a rehearsal signs (pre-sized like `bufs`; never sent).
    scratch: Vec<u8>,
}

fn blank_report() -> ExecReport {
    ExecReport {
        order: OrderId(0),
        opp: OppId(0),
        venue: VenueId(0),
        status: ExecStatus::Cancelled,
        filled_qty: Qty::ZERO,
        avg_px: Price::ZERO,
        recv_ts_ns: 0,
        retry_after_ms: 0,
        fee: None,
        venue_order_id: crate::model::VenueOrderId::EMPTY,
    }
}

fn blank_order() -> Order {
    Order {
        id: OrderId(0),
        opp: OppId(0),
        px: Price::ZERO,
        qty: Qty::ZERO,
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(0),
        venue: VenueId(0),
        side: Side::Buy,
        tif: TimeInForce::Ioc,
    }
}

/// `px * (1 + sign * bps)` rounded toward the unfavourable side is not needed here: the derived
/// side only has to be on the right side of the shown one.
fn shift(px: Price, bps: Bps, up: bool) -> Price {
    let d = i128::from(px.0) * i128::from(bps.0) / 1_000_000;
    let d = i64::try_from(d).unwrap_or(0);
    Price(if up {
        px.0.saturating_add(d)
    } else {
        px.0.saturating_sub(d)
    })
}

impl PaperGateway {
    /// Simulated venues per `p`; allocates its tables and builds its codecs here, once.
    ///
    /// # Panics
    ///
    /// If a codec of `p.signing` refuses its instruments (built from a validated config, whose
    /// symbols [`ExecParams::from_config`](crate::exec::ExecParams::from_config) has checked).
    pub fn new(p: PaperParams) -> PaperGateway {
        let capacity = p.capacity.max(1);
        let codecs = p
            .signing
            .iter()
            .enumerate()
            .map(|(v, (kind, table))| {
                let codec = VenueCodec::paper(*kind, table.clone(), p.seed ^ v as u64);
                Some(codec.expect("paper codec symbols are checked when the params are built"))
            })
            .collect();
        PaperGateway {
            rng: Rng::new(p.seed),
            // One row of the simulated venues per instrument, sized here once.
            books: vec![Top::default(); p.instruments.max(1) * p.venues.clamp(1, MAX_VENUES)],
            book_fed: false,
            pending: vec![
                Pending {
                    order: blank_order(),
                    report: blank_report(),
                    due: Due::Deliver,
                };
                capacity
            ],
            free: (0..capacity as u32).rev().collect(),
            due: BinaryHeap::with_capacity(capacity),
            seq: 0,
            known: vec![
                Known {
                    id: OrderId(0),
                    instrument: InstrumentId(0),
                    truth: blank_report(),
                };
                capacity
            ],
            counters: PaperCounters::default(),
            codecs,
            staged: [None; STAGED],
            n_staged: 0,
            bufs: (0..STAGED)
                .map(|_| Vec::with_capacity(REQUEST_CAP))
                .collect(),
            scratch: Vec::with_capacity(REQUEST_CAP),
            p: PaperParams { capacity, ..p },
        }
    }

    /// Change a venue's faults (injection at run time, e.g. to make a venue start failing).
    pub fn set_faults(&mut self, venue: VenueId, faults: PaperFaults) {
        if let Some(f) = self.p.faults.get_mut(venue.index()) {
            *f = faults;
        }
    }

    /// Change the answer latency (fixed part and jitter, ns) from the next submit or query on: a
    /// venue slowing down at run time (reliability tests raise it in steps until orders time out).
    /// Answers already scheduled keep their delivery time.
    pub fn set_latency(&mut self, latency_ns: u64, jitter_ns: u64) {
        self.p.latency_ns = latency_ns;
        self.p.jitter_ns = jitter_ns;
    }

    /// Set a top of book directly (tests, and callers with a real quote).
    pub fn set_top(
        &mut self,
        instrument: InstrumentId,
        venue: VenueId,
        bid: (Price, Qty),
        ask: (Price, Qty),
    ) {
        if let Some(t) = self.book_mut(instrument, venue) {
            *t = Top {
                bid: bid.0,
                bid_qty: bid.1,
                ask: ask.0,
                ask_qty: ask.1,
            };
        }
    }

    /// Counters so far.
    pub fn counters(&self) -> PaperCounters {
        self.counters
    }

    /// Answers scheduled but not yet delivered.
    pub fn outstanding(&self) -> usize {
        self.due.len()
    }

    fn book_mut(&mut self, instrument: InstrumentId, venue: VenueId) -> Option<&mut Top> {
        let stride = self.p.venues.clamp(1, MAX_VENUES);
        if venue.index() >= stride || instrument.index() >= self.p.instruments.max(1) {
            return None;
        }
        self.books
            .get_mut(instrument.index() * stride + venue.index())
    }

    fn latency(&mut self) -> u64 {
        self.p.latency_ns + self.rng.below(self.p.jitter_ns.saturating_add(1))
    }

    fn uniform(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Match an IOC limit order against the book, consuming what it takes.
    fn fill(&mut self, order: &Order) -> (ExecStatus, Qty, Price) {
        let Some(t) = self.book_mut(order.instrument, order.venue) else {
            return (ExecStatus::Cancelled, Qty::ZERO, Price::ZERO);
        };
        let (px, size) = match order.side {
            Side::Buy if t.ask.0 > 0 && order.px >= t.ask => (t.ask, &mut t.ask_qty),
            Side::Sell if t.bid.0 > 0 && order.px <= t.bid => (t.bid, &mut t.bid_qty),
            _ => return (ExecStatus::Cancelled, Qty::ZERO, Price::ZERO),
        };
        let q = Qty(order.qty.0.min(size.0).max(0));
        if q.0 == 0 {
            return (ExecStatus::Cancelled, Qty::ZERO, Price::ZERO);
        }
        size.0 -= q.0;
        let status = if q == order.qty {
            ExecStatus::Filled
        } else {
            ExecStatus::PartiallyFilled
        };
        (status, q, px)
    }

    /// Schedule `entry` at `at`. A slot is free: each staged request checked for one.
    fn schedule(&mut self, at: u64, entry: Pending) {
        let Some(slot) = self.free.pop() else {
            debug_assert!(false, "staging checks for a free answer slot");
            return;
        };
        self.pending[slot as usize] = entry;
        self.seq += 1;
        self.due.push(Reverse((at, self.seq, slot)));
    }

    fn remember(&mut self, order: &Order, truth: ExecReport) {
        let i = (truth.order.0 as usize) % self.p.capacity;
        self.known[i] = Known {
            id: truth.order,
            instrument: order.instrument,
            truth,
        };
    }

    /// Room to stage one more request that will take an answer slot.
    fn check_room(&self) -> Result<(), SubmitError> {
        if self.n_staged >= STAGED || self.free.len() <= self.n_staged {
            return Err(SubmitError::Full {
                capacity: self.p.capacity,
            });
        }
        Ok(())
    }

    /// Sign `order` (or its status query) into the next staging buffer with its venue's codec.
    fn sign(&mut self, order: &Order, query: bool, now_ns: u64) -> Result<(), SubmitError> {
        let Some(Some(codec)) = self.codecs.get_mut(order.venue.index()) else {
            self.bufs[self.n_staged].clear();
            return Ok(());
        };
        let out = &mut self.bufs[self.n_staged];
        let unix_ms = now_ns / 1_000_000;
        let r = if query {
            codec.write_status_request(order, unix_ms, out)
        } else {
            codec.write_request(order, unix_ms, out)
        };
        r.map_err(|_| SubmitError::Unencodable(order.id))
    }

    /// The signed bytes of the `i`-th request staged and not yet sent (`None` past the last): what
    /// a network gateway would write. For tests and tools that check what would go out.
    pub fn staged_request(&self, i: usize) -> Option<&[u8]> {
        (i < self.n_staged).then(|| self.bufs[i].as_slice())
    }

    fn push_staged(&mut self, s: Staged) {
        self.staged[self.n_staged] = Some(s);
        self.n_staged += 1;
    }
}

impl Gateway for PaperGateway {
    fn name(&self) -> &'static str {
        "paper"
    }

    fn on_market(&mut self, opp: &Opportunity, _now_ns: u64) {
        if self.book_fed {
            return;
        }
        let spread = self.p.spread;
        let (buy_px, sell_px, q) = (opp.buy_px, opp.sell_px, opp.qty);
        self.set_top(
            opp.instrument,
            opp.buy_venue,
            (shift(buy_px, spread, false), q),
            (buy_px, q),
        );
        self.set_top(
            opp.instrument,
            opp.sell_venue,
            (sell_px, q),
            (shift(sell_px, spread, true), q),
        );
    }

    fn on_quote(&mut self, q: &Quote) {
        self.book_fed = true;
        self.set_top(
            q.instrument,
            q.venue,
            (q.bid_px, q.bid_qty),
            (q.ask_px, q.ask_qty),
        );
    }

    fn stage(&mut self, order: &Order, now_ns: u64) -> Result<(), SubmitError> {
        if order.venue.index() >= self.p.venues.min(MAX_VENUES) {
            return Err(SubmitError::UnknownVenue(order.venue));
        }
        self.check_room()?;
        self.sign(order, false, now_ns)?;
        self.push_staged(Staged::Order(*order));
        Ok(())
    }

    fn stage_query(
        &mut self,
        order: OrderId,
        venue: VenueId,
        now_ns: u64,
    ) -> Result<(), SubmitError> {
        let k = self.known[(order.0 as usize) % self.p.capacity];
        if k.id != order || k.truth.venue != venue {
            return Err(SubmitError::UnknownOrder(order));
        }
        self.check_room()?;
        let o = Order {
            id: order,
            opp: k.truth.opp,
            px: Price::ZERO,
            qty: Qty::ZERO,
            sent_ts_ns: now_ns,
            recv_ts_ns: 0,
            instrument: k.instrument,
            venue,
            side: Side::Buy,
            tif: TimeInForce::Ioc,
        };
        self.sign(&o, true, now_ns)?;
        self.push_staged(Staged::Query(order));
        Ok(())
    }

    fn discard(&mut self) {
        self.staged = [None; STAGED];
        self.n_staged = 0;
    }

    fn rehearse(&mut self, order: &Order, now_ns: u64) {
        if let Some(Some(codec)) = self.codecs.get_mut(order.venue.index()) {
            let _ = codec.rehearse(order, now_ns / 1_000_000, &mut self.scratch);
            std::hint::black_box(&self.scratch);
        }
    }

    fn send(&mut self, now_ns: u64) -> usize {
        let mut bytes = 0;
        for i in 0..self.n_staged {
            bytes += self.bufs[i].len();
            match self.staged[i].take() {
                Some(Staged::Order(o)) => self.simulate(&o, now_ns),
                Some(Staged::Query(id)) => self.answer_query(id, now_ns),
                None => {}
            }
        }
        self.n_staged = 0;
        bytes
    }

    fn poll(&mut self, now_ns: u64, out: &mut [GatewayEvent]) -> usize {
        let mut n = 0;
        while n < out.len() {
            let Some(&Reverse((at, _, slot))) = self.due.peek() else {
                break;
            };
            if at > now_ns {
                break;
            }
            self.due.pop();
            self.free.push(slot);
            let entry = self.pending[slot as usize];
            if let Some(report) = self.fall_due(entry) {
                out[n] = GatewayEvent::Report(ExecReport {
                    recv_ts_ns: at,
                    ..report
                });
                n += 1;
            }
        }
        self.counters.answers += n as u64;
        n
    }
}

impl PaperGateway {
    /// `order` leaves at `now_ns`: draw its fate and latency now (the draw order is the submit
    /// order, so a run is reproducible), schedule its arrival; matching waits for the arrival.
    fn simulate(&mut self, order: &Order, now_ns: u64) {
        self.counters.orders += 1;
        let f = self.p.faults[order.venue.index()];
        let u = self.uniform();
        let latency = self.latency();
        let mut r = ExecReport {
            order: order.id,
            opp: order.opp,
            venue: order.venue,
            ..blank_report()
        };
        let cuts = [f.p_429, f.p_5xx, f.p_timeout, f.p_partial, f.p_reject];
        let mut acc = 0.0;
        let mut fault = None;
        for (k, p) in cuts.iter().enumerate() {
            acc += p;
            if u < acc {
                fault = Some(k);
                break;
            }
        }
        if let Some(k) = fault {
            self.counters.faults[k] += 1;
        }
        let due = match fault {
            Some(0) => {
                r.status = ExecStatus::Rejected {
                    code: CODE_RATE_LIMITED,
                };
                r.retry_after_ms = self.p.retry_after_ms;
                Due::Deliver
            }
            Some(4) => {
                r.status = ExecStatus::Rejected {
                    code: CODE_REJECTED,
                };
                Due::Deliver
            }
            Some(1) | Some(2) if self.rng.below(2) != 0 => {
                // Lost before the matching engine: a status query will say "no such order".
                r.status = ExecStatus::Rejected {
                    code: CODE_NO_SUCH_ORDER,
                };
                self.remember(order, r);
                if fault == Some(2) {
                    return;
                }
                r.status = ExecStatus::Unknown;
                Due::Deliver
            }
            _ => {
                // On its way: a status query before it arrives hears "still working".
                r.status = ExecStatus::Unknown;
                self.remember(order, r);
                Due::Match { fault }
            }
        };
        if matches!(due, Due::Deliver) && r.status != ExecStatus::Unknown {
            self.remember(order, r);
        }
        let mut entry = Pending {
            order: *order,
            report: r,
            due,
        };
        if !self.book_fed && matches!(due, Due::Match { .. }) {
            // No book feed: the opportunity's view is the only book, so match against it now.
            match self.fall_due(entry) {
                Some(report) => {
                    entry.report = report;
                    entry.due = Due::Deliver;
                }
                None => return,
            }
        }
        self.schedule(now_ns.saturating_add(latency), entry);
    }

    /// An entry falls due: what it delivers, if anything.
    fn fall_due(&mut self, e: Pending) -> Option<ExecReport> {
        match e.due {
            Due::Deliver => Some(e.report),
            Due::Query => {
                let k = self.known[(e.order.id.0 as usize) % self.p.capacity];
                Some(k.truth)
            }
            Due::Match { fault } => {
                let truth = self.matched(&e.order, e.report, fault == Some(3));
                self.remember(&e.order, truth);
                match fault {
                    // A 5xx: the answer says nothing of the fill; only a status query tells.
                    Some(1) => Some(e.report),
                    Some(2) => None,
                    _ => Some(truth),
                }
            }
        }
    }

    /// Match `order` against the book now; with `partial`, keep only half the fill (rounded down)
    /// and give the rest back to the book.
    fn matched(&mut self, order: &Order, mut r: ExecReport, partial: bool) -> ExecReport {
        let (mut status, mut q, px) = self.fill(order);
        if partial && q.0 > 0 {
            let kept = Qty(q.0 / 2);
            if let Some(t) = self.book_mut(order.instrument, order.venue) {
                let size = match order.side {
                    Side::Buy => &mut t.ask_qty,
                    Side::Sell => &mut t.bid_qty,
                };
                size.0 += q.0 - kept.0;
            }
            q = kept;
            status = if q.0 == 0 {
                ExecStatus::Cancelled
            } else {
                ExecStatus::PartiallyFilled
            };
        }
        r.status = status;
        r.filled_qty = q;
        r.avg_px = if q.0 == 0 { Price::ZERO } else { px };
        r
    }

    /// The venue receives a status query for `order` (known: checked when it was staged); it is
    /// answered with what the venue knows when the answer leaves.
    fn answer_query(&mut self, order: OrderId, now_ns: u64) {
        self.counters.queries += 1;
        let at = now_ns.saturating_add(self.latency());
        let mut o = blank_order();
        o.id = order;
        let entry = Pending {
            order: o,
            report: blank_report(),
            due: Due::Query,
        };
        self.schedule(at, entry);
    }
}

#[cfg(test)]
#[path = "paper_tests.rs"]
mod tests;
