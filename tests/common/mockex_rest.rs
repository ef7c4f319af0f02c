//! The engine's REST gateways against the mock exchange's REST endpoints, for the tests that need
//! both (`exec/rest_mockex.rs` and the reliability scenarios run over REST): start the mock with
//! known API credentials, write a credentials file, build the engine config for the mock's
//! venues, and drive an execution stage over a `RestRouter` in real time, reading its counters and
//! the mock's.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::config::{checked, demo, set_venues};
use super::tmp::TempDir;

use microarb::base::Clock;
use microarb::config::{Config, GatewayKind, VenueConfig};
use microarb::exec::gateway::rest::router_from_config;
use microarb::exec::gateway::RestRouter;
use microarb::exec::params::{ExecBuildError, ExecParams};
use microarb::exec::secrets::ApiSecret;
use microarb::exec::AssetId;
use microarb::exec::ExecStage;
use microarb::exec::KillSwitch;
use microarb::model::{
    Bps, InstrumentId, OppId, Opportunity, Outcome, Price, Qty, VenueId, VenueKind, OUTCOME_COUNT,
};
use microarb::runtime::{ring, RingTx, Stage};
use microarb::telemetry::{counter_name, Registry};
use mockex::{
    ApiCredentials, MockConfig, MockExchange, MockVenue, RestLimits, SyntheticSource, VenueStats,
};

use super::mock::mock_kind;

/// The API key the mock accepts.
pub const KEY: &str = "mockKey123";
/// The API secret the mock verifies signatures with.
pub const SECRET: &str = "S3CRET-known-string-42";
/// The API passphrase the mock expects on OKX requests.
pub const PASSPHRASE: &str = "Pass-known-phrase-7";
/// One millisecond in ns.
pub const MS: u64 = 1_000_000;

/// A venue served by the mock and traded by the engine: name, kind (Binance, Upbit, Bybit or OKX:
/// every kind has REST). Engine-side venue settings are edits of the config value (see [`config`]).
#[derive(Debug, Clone, Copy)]
pub struct Venue {
    /// Name in both configs.
    pub name: &'static str,
    /// Kind.
    pub kind: VenueKind,
    /// Must be empty: kept so existing `Venue { .. }` literals compile; the engine config is
    /// edited as a value, never as text.
    pub extra: &'static str,
}

/// Binance (venue 0) and Upbit (venue 1), the pair most tests trade.
pub const BINANCE_UPBIT: [Venue; 2] = [
    Venue {
        name: "binance",
        kind: VenueKind::Binance,
        extra: "",
    },
    Venue {
        name: "upbit",
        kind: VenueKind::Upbit,
        extra: "",
    },
];

/// Bybit (venue 0) and OKX (venue 1), the v5 pair.
pub const BYBIT_OKX: [Venue; 2] = [
    Venue {
        name: "bybit",
        kind: VenueKind::Bybit,
        extra: "",
    },
    Venue {
        name: "okx",
        kind: VenueKind::Okx,
        extra: "",
    },
];

/// All four kinds: binance 0, upbit 1, bybit 2, okx 3.
pub const ALL_FOUR: [Venue; 4] = [
    BINANCE_UPBIT[0],
    BINANCE_UPBIT[1],
    BYBIT_OKX[0],
    BYBIT_OKX[1],
];

/// Start the mock for `venues` with REST (credentials [`KEY`] / [`SECRET`], OKX's passphrase
/// [`PASSPHRASE`], `limits`), its
/// synthetic market at 2000 frames/s, and wait until every venue has a quote to fill on.
pub fn start(venues: &[Venue], limits: RestLimits) -> MockExchange {
    start_with(venues, limits, |_| {})
}

/// [`start`] with `edit` applied to the mock's config (its instruments' trading rules, fees,
/// starting balances in `rest_accounts`, say).
pub fn start_with(
    venues: &[Venue],
    limits: RestLimits,
    edit: impl FnOnce(&mut MockConfig),
) -> MockExchange {
    let list = venues
        .iter()
        .map(|v| MockVenue::new(v.name, mock_kind(v.kind)))
        .collect();
    let mut cfg = MockConfig::synthetic(list, SyntheticSource::default());
    cfg.rate_per_s = 2000;
    cfg.wait_for_subscribers = false;
    cfg.api = Some(ApiCredentials::new(KEY, SECRET).with_passphrase(PASSPHRASE));
    cfg.rest_limits = limits;
    edit(&mut cfg);
    let ex = MockExchange::start(cfg).expect("mockex starts");
    let t = Instant::now();
    while venues.iter().any(|v| ex.top_of_book(v.name).is_none()) {
        assert!(t.elapsed() < Duration::from_secs(10), "no quotes");
        std::thread::sleep(Duration::from_millis(2));
    }
    ex
}

/// A credentials file (owner-only) holding [`KEY`] and `secret`, in a directory removed when the
/// returned guard drops.
pub fn creds_file(name: &str, secret: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new("rest");
    let p = dir.join(name);
    ApiCredentials::new(KEY, secret)
        .write_file(&p)
        .expect("credentials file written");
    (dir, p)
}

/// The demo config trading `venues` served by `ex` over REST (one instrument, BTC/USDT; each
/// venue's REST credentials read from `secret_file`), with `edit` applied to the value.
pub fn config(
    ex: &MockExchange,
    venues: &[Venue],
    secret_file: &str,
    edit: impl FnOnce(&mut Config),
) -> Config {
    let mut cfg = demo();
    let list: Vec<VenueConfig> = venues
        .iter()
        .map(|v| {
            assert!(
                v.extra.is_empty(),
                "edit the config value instead: {}",
                v.extra
            );
            let e = ex.endpoint(v.name).expect("served");
            let mut c = demo()
                .venues
                .into_iter()
                .find(|d| d.kind == v.kind)
                .expect("a demo venue of this kind");
            c.name = v.name.to_string();
            c.taker_fee_bps = 1.0;
            c.stale_after_ms = 2000;
            c.url = Some(e.ws_url.clone());
            c.rest_url = Some(e.rest_url.clone().expect("REST served"));
            c.api_secret_file = Some(secret_file.to_string());
            c
        })
        .collect();
    set_venues(&mut cfg, list, |c| {
        MockVenue::new(&c.name, mock_kind(c.kind))
            .symbol()
            .to_owned()
    });
    cfg.execution.gateway = GatewayKind::Rest;
    cfg.telemetry.status_line = false;
    edit(&mut cfg);
    checked(cfg)
}

/// An execution stage over the REST gateways, polled by the test in real time.
pub struct Engine {
    /// The stage.
    pub stage: ExecStage<RestRouter>,
    /// Where opportunities go in.
    pub tx: RingTx<Opportunity>,
    /// Its counters.
    pub reg: Registry,
    /// Its clock (monotonic ns; `unix_ns` maps them to the mock's wall-clock times).
    pub clock: Clock,
    /// Opportunities pushed.
    pub fed: u64,
    /// Venue names by id, to read the mock's quotes.
    names: Vec<String>,
}

fn engine_parts(
    stage: ExecStage<RestRouter>,
    tx: RingTx<Opportunity>,
    reg: Registry,
    clock: Clock,
    cfg: &Config,
) -> Engine {
    Engine {
        stage,
        tx,
        reg,
        clock,
        fed: 0,
        names: cfg.venues.iter().map(|v| v.name.clone()).collect(),
    }
}

fn creds(cfg: &Config, secret: &str) -> Vec<ApiSecret> {
    creds_with(cfg, secret, PASSPHRASE)
}

/// One [`KEY`] / `secret` per venue, OKX's with `passphrase`.
pub fn creds_with(cfg: &Config, secret: &str, passphrase: &str) -> Vec<ApiSecret> {
    cfg.venues
        .iter()
        .map(|v| {
            let c = ApiSecret::new(KEY, secret);
            if v.kind == VenueKind::Okx {
                c.with_passphrase(passphrase)
            } else {
                c
            }
        })
        .collect()
}

/// The stage on `cfg` as `ExecStage::rest_with_credentials` builds it, every venue's credentials
/// [`KEY`] and `secret` (connected before it returns).
pub fn engine(cfg: &Config, secret: &str) -> Engine {
    let mut reg = Registry::new();
    let (tx, rx) = ring::<Opportunity>("opps", 4096, &mut reg.counters);
    let clock = Clock::new();
    let stage = ExecStage::rest_with_credentials(
        cfg,
        &creds(cfg, secret),
        rx,
        clock,
        KillSwitch::new(),
        &mut reg,
    )
    .expect("rest stage builds and connects");
    engine_parts(stage, tx, reg, clock, cfg)
}

/// The stage on `cfg` as a run builds it on the REST gateway: connected, then start-up venue
/// truth ([`microarb::exec::startup::start`]: open orders reconciled, balances read from the
/// venues) and the account thread attached. Every venue's credentials are [`KEY`] and `secret`.
pub fn try_engine_with_truth(cfg: &Config, secret: &str) -> Result<Engine, ExecBuildError> {
    let mut reg = Registry::new();
    let (tx, rx) = ring::<Opportunity>("opps", 4096, &mut reg.counters);
    let clock = Clock::new();
    let creds = creds(cfg, secret);
    let mut p = ExecParams::from_config(cfg)?;
    let mut gw = router_from_config(cfg, &creds, clock)?;
    assert!(
        gw.connect(cfg.execution.rest.connect_timeout_ms * MS),
        "connects"
    );
    let link = microarb::exec::startup::start(cfg, &creds, &mut p, clock, &mut reg)?;
    let mut stage = ExecStage::new(p, rx, gw, clock, KillSwitch::new(), &mut reg)?;
    stage.set_truth(link);
    Ok(engine_parts(stage, tx, reg, clock, cfg))
}

/// [`engine`] with `edit` applied to the parameters (breaker settings, slot sizes: what the config
/// does not expose).
pub fn engine_with(cfg: &Config, secret: &str, edit: impl FnOnce(&mut ExecParams)) -> Engine {
    engine_on(cfg, &creds(cfg, secret), Clock::new(), edit)
}

/// The stage on `cfg` with `creds` (one per venue) and `clock` (whose wall clock the gateways
/// sign: a skewed one makes stale timestamps), `edit` applied to the parameters.
pub fn engine_on(
    cfg: &Config,
    creds: &[ApiSecret],
    clock: Clock,
    edit: impl FnOnce(&mut ExecParams),
) -> Engine {
    let mut reg = Registry::new();
    let (tx, rx) = ring::<Opportunity>("opps", 4096, &mut reg.counters);
    let mut p = ExecParams::from_config(cfg).expect("params");
    edit(&mut p);
    let mut gw = router_from_config(cfg, creds, clock).expect("router builds");
    assert!(
        gw.connect(cfg.execution.rest.connect_timeout_ms * MS),
        "connects"
    );
    let stage = ExecStage::new(p, rx, gw, clock, KillSwitch::new(), &mut reg).expect("stage");
    engine_parts(stage, tx, reg, clock, cfg)
}

impl Engine {
    /// Buy `qty` on `buy`, sell on `sell`, priced 1 % through `ex`'s current quotes so an IOC
    /// crosses (it fills up to the displayed size), alive for `ttl_ns`.
    pub fn opp(
        &mut self,
        ex: &MockExchange,
        buy: VenueId,
        sell: VenueId,
        qty: Qty,
        ttl_ns: u64,
    ) -> Opportunity {
        let bq = ex.top_of_book(&self.names[buy.index()]).expect("quote");
        let sq = ex.top_of_book(&self.names[sell.index()]).expect("quote");
        let now = self.clock.now_ns();
        let id = self.fed + 1;
        Opportunity {
            id: OppId(id),
            buy_px: Price(bq.ask_px + bq.ask_px / 100),
            sell_px: Price(sq.bid_px - sq.bid_px / 100),
            qty,
            gross_bps: Bps(5_000),
            net_bps: Bps(3_000),
            recv_ts_ns: now,
            detect_ts_ns: now,
            expiry_ts_ns: now + ttl_ns,
            instrument: InstrumentId(0),
            confidence: 10_000,
            buy_venue: buy,
            sell_venue: sell,
            trigger_venue: buy,
            trigger_seq: id,
        }
    }

    /// Push one opportunity without polling.
    pub fn push(&mut self, o: Opportunity) {
        self.tx.push(o, 0).expect("ring has room");
        self.fed += 1;
    }

    /// Push a 0.001 BTC opportunity alive 500 ms and poll once.
    pub fn feed(&mut self, ex: &MockExchange, buy: VenueId, sell: VenueId) {
        let o = self.opp(ex, buy, sell, Qty(100_000), 500 * MS);
        self.push(o);
        self.poll_for(Duration::ZERO);
    }

    /// Poll once now.
    pub fn poll(&mut self) {
        self.stage.poll(self.clock.now_ns());
    }

    /// Poll for `d` (at least once), 200 us apart.
    pub fn poll_for(&mut self, d: Duration) {
        let end = Instant::now() + d;
        loop {
            self.poll();
            if Instant::now() >= end {
                return;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    /// For `dur` of real time, call `tick` (with the time since the start) 200 us apart until it
    /// returns false; `tick` pushes what is due and polls.
    pub fn run_for(&mut self, dur: Duration, mut tick: impl FnMut(&mut Engine, Duration) -> bool) {
        let start = Instant::now();
        while start.elapsed() < dur {
            if !tick(self, start.elapsed()) {
                return;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    /// Poll until `done`; panics after `max` (a generous bound, not a speed claim).
    pub fn poll_until(&mut self, max: Duration, mut done: impl FnMut(&mut Engine) -> bool) {
        let end = Instant::now() + max;
        while Instant::now() < end {
            self.poll();
            if done(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        panic!("not done after {max:?}");
    }

    /// Poll until idle; panics after `max` (a generous bound, not a speed claim).
    pub fn settle(&mut self, max: Duration) {
        let end = Instant::now() + max;
        while Instant::now() < end {
            self.poll();
            if self.stage.is_idle() {
                return;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        panic!(
            "not idle after {max:?}: {} in flight, {} waiting",
            self.stage.in_flight(),
            self.stage.waiting()
        );
    }

    /// A registry counter (0 when absent).
    pub fn count(&self, name: &str) -> u64 {
        self.reg.counters.get(name).unwrap_or(0)
    }

    /// An exec terminal counter.
    pub fn outcome(&self, o: Outcome) -> u64 {
        self.count(&counter_name("exec", o))
    }

    /// Sum of every exec terminal counter.
    pub fn terminal_sum(&self) -> u64 {
        super::accounting::terminal_sum(|n| self.count(n))
    }

    /// The accounting invariant and its companions, once idle: every opportunity pushed ended
    /// exactly once, every slot came back, nothing is left open, and every order placement the
    /// mock received on `venues` was sent (and counted) by the stage.
    pub fn check_accounting(&mut self, ex: &MockExchange, venues: &[Venue]) {
        assert!(self.stage.is_idle(), "check only once idle");
        self.stage.flush_telemetry(self.clock.now_ns());
        super::accounting::check_stage(&self.stage, |n| self.count(n), self.fed);
        let received: u64 = venues.iter().map(|v| stats(ex, v.name).rest_orders).sum();
        assert_eq!(
            received,
            self.count("exec.orders_sent"),
            "orders at the mock"
        );
    }
}

/// The mock's counters of venue `name`.
pub fn stats(ex: &MockExchange, name: &str) -> VenueStats {
    ex.venue_stats(name).expect("served venue")
}

/// Eight arbitrages between Binance (`binance`, its venue limit 3 orders per 10 s and unknown to
/// the engine) and `other`, then what a honoured 429 leaves: every opportunity ended once, one
/// 429 (two if the mock's window rolled over), no 418 (nothing sent inside Retry-After), orders
/// stopped after it, counted as rate limited. Shared by the REST and the WebSocket API tests.
pub fn eight_arbs_and_a_honoured_429(
    e: &mut Engine,
    ex: &MockExchange,
    binance: VenueId,
    other: VenueId,
) {
    for _ in 0..8 {
        e.feed(ex, binance, other);
        e.settle(Duration::from_secs(3));
    }
    assert_eq!(e.terminal_sum(), e.fed);
    let b = stats(ex, "binance");
    // The mock's 10 s window may roll over once during the test, allowing a second 429 at most.
    assert!((1..=2).contains(&b.rest_429s), "{b:?}");
    assert_eq!(b.rest_418s, 0, "no request inside Retry-After: {b:?}");
    assert!(
        b.rest_orders <= 3 + b.rest_429s + 3,
        "orders stopped after the 429: {b:?}"
    );
    assert!(
        e.outcome(Outcome::Rejected(
            microarb::model::RejectReason::RateLimited
        )) > 0
    );
    assert!(e.count("exec.status_429") >= 1);
}
