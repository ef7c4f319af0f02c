//! The one execution rig: the stage on a fake clock over any gateway, a ring to push opportunities
//! into, time moved by hand, and the registry's counters to read outcomes from. `paper` (the paper
//! venue) and `gateway` (the paper venue behind a request log) build on it. With
//! [`ExecRig::with_books`] the paper venue matches against quotes the test pushes, as it does in a
//! run (the strategy's `books` ring): a book that moves while an order is in flight makes a leg
//! miss, so the scenarios see real legging.

use microarb::base::Clock;
use microarb::exec::gateway::Gateway;
use microarb::exec::params::ExecParams;
use microarb::exec::ExecStage;
use microarb::exec::KillSwitch;
use microarb::model::{
    Bps, InstrumentId, OppId, Opportunity, Outcome, Price, Qty, Quote, QuoteSource, VenueId,
    OUTCOME_COUNT,
};
use microarb::runtime::{ring, RingTx, Stage};
use microarb::telemetry::{counter_name, Registry};

/// One unit at scale 8.
pub const ONE: i64 = 100_000_000;

/// The stage, its input ring, its counters and a hand-moved clock.
pub struct ExecRig<G: Gateway> {
    pub stage: ExecStage<G>,
    pub tx: RingTx<Opportunity>,
    pub reg: Registry,
    pub kill: KillSwitch,
    pub now: u64,
    pub next_id: u64,
    pub fed: u64,
    /// The book ring into the stage, once [`ExecRig::with_books`] made one.
    pub books: Option<RingTx<Quote>>,
    next_seq: u64,
}

/// A rig over `gw` with parameters `p`, an input ring of `ring_capacity`, starting at `now`.
pub fn exec_rig<G: Gateway>(p: ExecParams, gw: G, ring_capacity: usize, now: u64) -> ExecRig<G> {
    let mut reg = Registry::new();
    let (tx, rx) = ring::<Opportunity>("opps", ring_capacity, &mut reg.counters);
    let kill = KillSwitch::new();
    let stage = ExecStage::new(p, rx, gw, Clock::new(), kill.clone(), &mut reg).expect("stage");
    ExecRig {
        stage,
        tx,
        reg,
        kill,
        now,
        next_id: 1,
        fed: 0,
        books: None,
        next_seq: 1,
    }
}

impl<G: Gateway> ExecRig<G> {
    /// An opportunity with the next id, buying `qty` at 100 on `buy` and selling at 101 on `sell`,
    /// detected now and alive `ttl_ns`, with edges in whole basis points.
    pub fn opp_with(
        &mut self,
        (buy, sell): (VenueId, VenueId),
        qty: Qty,
        (gross_bps, net_bps): (i64, i64),
        ttl_ns: u64,
    ) -> Opportunity {
        let id = self.next_id;
        self.next_id += 1;
        Opportunity {
            id: OppId(id),
            buy_px: Price(100 * ONE),
            sell_px: Price(101 * ONE),
            qty,
            gross_bps: Bps(gross_bps * 100),
            net_bps: Bps(net_bps * 100),
            recv_ts_ns: self.now,
            detect_ts_ns: self.now,
            expiry_ts_ns: self.now + ttl_ns,
            instrument: InstrumentId(0),
            confidence: 10_000,
            buy_venue: buy,
            sell_venue: sell,
            trigger_venue: buy,
            trigger_seq: id,
        }
    }

    /// Give the stage a book ring (as `pipeline::run` does on the paper venue): from now on the
    /// paper venue matches orders against the quotes pushed with [`ExecRig::quote`].
    pub fn with_books(mut self, capacity: usize) -> Self {
        let (tx, rx) = ring::<Quote>("books", capacity, &mut self.reg.counters);
        self.stage.set_book_feed(rx);
        self.books = Some(tx);
        self
    }

    /// Push the top of book of `instrument` on `venue` (bid and ask with their sizes), received
    /// now. Panics without [`ExecRig::with_books`] or when the ring is full (a test sizes it).
    pub fn quote(
        &mut self,
        venue: VenueId,
        instrument: InstrumentId,
        (bid_px, bid_qty): (Price, Qty),
        (ask_px, ask_qty): (Price, Qty),
    ) {
        let q = Quote {
            seq: self.next_seq,
            bid_px,
            bid_qty,
            ask_px,
            ask_qty,
            exch_ts_ns: self.now as i64,
            recv_ts_ns: self.now,
            instrument,
            venue,
            flags: 0,
            source: QuoteSource::Ws,
        };
        self.next_seq += 1;
        let tx = self.books.as_mut().expect("with_books first");
        assert!(tx.push(q, 0).is_ok(), "book ring has room");
    }

    /// Poll at `now + dt`.
    pub fn step(&mut self, dt: u64) {
        self.now += dt;
        self.stage.poll(self.now);
    }

    /// Step in `dt` until nothing is in flight or waiting; panics after `max` of time.
    pub fn settle(&mut self, dt: u64, max: u64) {
        let end = self.now + max;
        while self.now < end {
            self.step(dt);
            if self.stage.is_idle() {
                return;
            }
        }
        panic!(
            "stage not idle after {max} ns: {} in flight, {} waiting",
            self.stage.in_flight(),
            self.stage.waiting()
        );
    }

    /// A registry counter (panics on an unknown name: a typo must not read as zero).
    pub fn count(&self, name: &str) -> u64 {
        self.reg
            .counters
            .get(name)
            .unwrap_or_else(|| panic!("no counter {name}"))
    }

    /// An exec terminal counter.
    pub fn outcome(&self, o: Outcome) -> u64 {
        self.count(&counter_name("exec", o))
    }

    /// Sum of every exec terminal counter.
    pub fn terminal_sum(&self) -> u64 {
        super::accounting::terminal_sum(|n| self.count(n))
    }

    /// Flush the stage's counters (breaker, slots) into the registry.
    pub fn flush(&mut self) {
        self.stage.flush_telemetry(self.now);
    }
}
