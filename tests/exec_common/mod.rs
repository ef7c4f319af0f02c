//! A harness for the execution stage on a fake clock: the demo config's venues, the paper gateway,
//! a ring to push opportunities into, and the registry's counters to read outcomes from.
#![allow(dead_code)]

use microarb::config::{Config, Machine, DEMO_TOML};
use microarb::exec::gateway::PaperGateway;
use microarb::exec::kill::KillSwitch;
use microarb::exec::params::ExecParams;
use microarb::exec::stage::ExecStage;
use microarb::model::{
    Bps, InstrumentId, OppId, Opportunity, Outcome, Price, Qty, VenueId, OUTCOME_COUNT,
};
use microarb::runtime::{ring, Clock, RingTx, Stage};
use microarb::telemetry::{counter_name, Registry};

pub const MS: u64 = 1_000_000;
pub const US: u64 = 1_000;
/// One unit at scale 8.
pub const ONE: i64 = 100_000_000;

pub const BINANCE: VenueId = VenueId(0);
pub const BYBIT: VenueId = VenueId(1);
pub const OKX: VenueId = VenueId(2);
pub const UPBIT: VenueId = VenueId(3);

pub struct Harness {
    pub stage: ExecStage<PaperGateway>,
    pub tx: RingTx<Opportunity>,
    pub reg: Registry,
    pub kill: KillSwitch,
    pub now: u64,
    pub next_id: u64,
    pub fed: u64,
}

/// The demo config with `extra` TOML added (keys of a leading `[execution]` go into the demo's own
/// `[execution]` table).
pub fn config(extra: &str) -> Config {
    let text = match extra.strip_prefix("[execution]\n") {
        Some(keys) => DEMO_TOML.replace("[execution]\n", &format!("[execution]\n{keys}\n")),
        None => format!("{DEMO_TOML}\n{extra}"),
    };
    Config::from_toml_str(&text, &Machine::this(false)).expect("test config")
}

/// A harness on `cfg`, with `edit` applied to the parameters (short timeouts by default).
pub fn harness_with(cfg: &Config, edit: impl FnOnce(&mut ExecParams)) -> Harness {
    let mut p = ExecParams::from_config(cfg).unwrap();
    p.order_timeout_ns = 5 * MS;
    p.status_query_ns = MS;
    edit(&mut p);
    let mut reg = Registry::new();
    let (tx, rx) = ring::<Opportunity>("opps", 1024, &mut reg.counters);
    let kill = KillSwitch::new();
    let gw = PaperGateway::new(p.paper);
    let stage = ExecStage::new(p, rx, gw, Clock::new(), kill.clone(), &mut reg).unwrap();
    Harness {
        stage,
        tx,
        reg,
        kill,
        now: 1_000 * MS,
        next_id: 1,
        fed: 0,
    }
}

pub fn harness(extra: &str) -> Harness {
    harness_with(&config(extra), |_| {})
}

impl Harness {
    /// An opportunity buying 1 BTC at 100 on `buy` and selling at 101 on `sell`, alive for 100 ms.
    pub fn opp(&mut self, buy: VenueId, sell: VenueId, net_bps: i64) -> Opportunity {
        let id = self.next_id;
        self.next_id += 1;
        Opportunity {
            id: OppId(id),
            buy_px: Price(100 * ONE),
            sell_px: Price(101 * ONE),
            qty: Qty(ONE),
            gross_bps: Bps(net_bps * 100 + 2_000),
            net_bps: Bps(net_bps * 100),
            recv_ts_ns: self.now,
            detect_ts_ns: self.now,
            expiry_ts_ns: self.now + 100 * MS,
            instrument: InstrumentId(0),
            confidence: 10_000,
            buy_venue: buy,
            sell_venue: sell,
            trigger_venue: buy,
            trigger_seq: id,
        }
    }

    /// Push an opportunity and poll once at the current time.
    pub fn feed(&mut self, o: Opportunity) {
        self.tx.push(o, 0).expect("ring has room");
        self.fed += 1;
        self.stage.poll(self.now);
    }

    /// Poll at `now + dt`.
    pub fn step(&mut self, dt: u64) {
        self.now += dt;
        self.stage.poll(self.now);
    }

    /// Advance time in `dt` steps until nothing is in flight or waiting (at most `max` of time).
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

    pub fn count(&self, name: &str) -> u64 {
        self.reg
            .counters
            .get(name)
            .unwrap_or_else(|| panic!("no counter {name}"))
    }

    pub fn outcome(&self, o: Outcome) -> u64 {
        self.count(&counter_name("exec", o))
    }

    /// Sum of every exec terminal counter.
    pub fn terminal_sum(&self) -> u64 {
        (0..OUTCOME_COUNT)
            .map(|i| self.outcome(Outcome::from_index(i).unwrap()))
            .sum()
    }

    /// Flush the stage's counters (breaker, slots) into the registry.
    pub fn flush(&mut self) {
        self.stage.flush_telemetry(self.now);
    }
}
