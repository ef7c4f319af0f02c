//! The config's shape. Field names carry their units (`_ms`, `_bps`); defaults are the seed
//! documents' numbers where they give one. Every struct refuses unknown keys.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::money::DecimalText;
use super::reconcile::ReconcileConfig;
use crate::model::VenueKind;

/// The whole config file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Venues, in priority order: ties in the detector go to the venue listed first.
    pub venues: Vec<VenueConfig>,
    /// Instruments watched on those venues.
    pub instruments: Vec<InstrumentConfig>,
    /// Feed connections: reconnects, timeouts, frame limits.
    #[serde(default)]
    pub ingest: IngestConfig,
    /// Detection thresholds and the opportunity cache.
    #[serde(default)]
    pub strategy: StrategyConfig,
    /// Execution slots, waiting bounds, gateway choice.
    #[serde(default)]
    pub execution: ExecutionConfig,
    /// Risk limits.
    #[serde(default)]
    pub risk: RiskConfig,
    /// Threads, cores, rings, idle strategy.
    #[serde(default)]
    pub runtime: RuntimeConfig,
    /// Histogram interval, status line.
    #[serde(default)]
    pub telemetry: TelemetryConfig,
}

/// One venue connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VenueConfig {
    /// Unique name; also the venue column of captures and the key in reports.
    pub name: String,
    /// Which protocol it speaks.
    pub kind: VenueKind,
    /// Market-data WebSocket URL; the venue's public endpoint when absent.
    #[serde(default)]
    pub url: Option<String>,
    /// Taker fee in bp (0.01 bp resolution).
    pub taker_fee_bps: f64,
    /// A quote older than this is stale and never traded on.
    #[serde(default = "default_stale_after_ms")]
    pub stale_after_ms: u64,
    /// Extra bp the limit price of each leg is widened by (0.01 bp resolution).
    #[serde(default)]
    pub slippage_bps: f64,
    /// Most in-flight arbitrages with a leg on this venue.
    #[serde(default = "default_venue_inflight")]
    pub max_inflight: u32,
    /// REST API base URL (`http://host:port` or `https://host`) for `execution.gateway = "rest"`;
    /// the venue's public REST base when absent.
    #[serde(default)]
    pub rest_url: Option<String>,
    /// Name of the environment variable holding the API key (with `api_secret_env`).
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// Name of the environment variable holding the API secret (with `api_key_env`).
    #[serde(default)]
    pub api_secret_env: Option<String>,
    /// Path of an owner-only `key=` / `secret=` (OKX also `passphrase=`) credentials file
    /// (instead of the variables). Secrets themselves never go in the config file.
    #[serde(default)]
    pub api_secret_file: Option<String>,
    /// Name of the environment variable holding the API passphrase, with `api_key_env` and
    /// `api_secret_env`: required for an OKX venue that trades over REST, refused for any other.
    #[serde(default)]
    pub api_passphrase_env: Option<String>,
    /// Whether the engine trades on this venue (default true). `false` makes it a feed only: its
    /// quotes are read and traded against elsewhere, no credentials are read for it, and an
    /// opportunity with a leg on it is refused (`rejected: feed_only`) before any order is sent.
    /// Explicit, so a forgotten credential is a config error rather than a silent feed.
    #[serde(default = "default_trade")]
    pub trade: bool,
    /// Rate limits per endpoint group (`[venues.limits]`): `<group>_per_<window>` and
    /// `<group>_burst` keys of this venue's kind (the table in `config::venue_limits`). Absent keys
    /// take the venue's published limit and half of it as burst; a limit above the published one,
    /// or a burst above the limit, is refused.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub limits: BTreeMap<String, u32>,
    /// With `ingest.rest_fallback`: how often the venue's public REST top of book is polled while
    /// its WebSocket is down (every instrument once per interval). Bounded below by the venue's
    /// public rate limit ([`rest_poll`](super::rest_poll)); when absent, the smallest interval of
    /// at least 200 ms within that bound.
    #[serde(default)]
    pub rest_poll_ms: Option<u64>,
    /// How orders reach this venue with `execution.gateway = "rest"`: `"rest"` (the default:
    /// one signed HTTP request per order) or `"ws"` (a persistent WebSocket session logged on
    /// once: Binance's WebSocket API with an Ed25519 key, OKX's private socket, Bybit's trade
    /// socket; REST the fallback while it is down; one order is decided to one path before it is
    /// sent). Which kinds take `"ws"`: [`WS_ORDER_ENTRY`].
    #[serde(default)]
    pub order_entry: OrderEntry,
    /// With `order_entry = "ws"`: the order socket's URL (`ws://` or `wss://` with its path);
    /// the venue's public one when absent.
    #[serde(default)]
    pub ws_api_url: Option<String>,
    /// Whether the venue's private stream is read (fills and balances pushed as they happen):
    /// on the order socket (Binance's user-data stream, OKX's `orders`/`account` channels) or on
    /// its own socket (Bybit's private socket, Upbit's private stream, whose orders stay on
    /// REST). Default: on with `order_entry = "ws"`, off otherwise. Which kinds read one with
    /// REST order entry: [`STREAM_WITH_REST`].
    #[serde(default)]
    pub private_stream: Option<bool>,
    /// The private stream's own socket URL where it has one (Bybit, Upbit); the venue's public
    /// one when absent.
    #[serde(default)]
    pub private_ws_url: Option<String>,
    /// With `order_entry = "ws"`: the owner-only PKCS#8 PEM file of the Ed25519 private key
    /// registered with this venue's API key (`session.logon` signs with it).
    #[serde(default)]
    pub ed25519_key_file: Option<String>,
}

/// The venue kinds whose orders can go over a WebSocket session (`order_entry = "ws"`).
pub const WS_ORDER_ENTRY: &[VenueKind] = &[VenueKind::Binance, VenueKind::Okx, VenueKind::Bybit];

/// The venue kinds whose private stream can be read while their orders go over REST.
pub const STREAM_WITH_REST: &[VenueKind] = &[VenueKind::Bybit, VenueKind::Upbit];

impl VenueConfig {
    /// Whether the venue's private stream is read: `private_stream`, else on exactly with
    /// `order_entry = "ws"`.
    pub fn reads_private_stream(&self) -> bool {
        self.private_stream
            .unwrap_or(self.order_entry == OrderEntry::Ws)
    }
}

/// How a venue's orders are sent (`venues[].order_entry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderEntry {
    /// A signed HTTP/1.1 request per order (the REST gateway).
    #[default]
    Rest,
    /// A persistent, logged-on WebSocket session (Binance's WebSocket API); REST while it is
    /// down.
    Ws,
}

/// One instrument and its symbol on each venue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstrumentConfig {
    /// Canonical name, e.g. `BTC/USDT`.
    pub name: String,
    /// Decimals kept in price mantissas (at most 18).
    pub price_scale: u8,
    /// Decimals kept in quantity mantissas (at most 18).
    pub qty_scale: u8,
    /// Smallest tradable quantity step, decimal text.
    pub lot: DecimalText,
    /// Per-instrument notional cap in the quote currency; `strategy.max_notional` when absent.
    #[serde(default)]
    pub max_notional: Option<DecimalText>,
    /// Venue name -> that venue's symbol.
    pub symbols: BTreeMap<String, String>,
    /// Venue name -> trading-rule overrides for this instrument there
    /// (`[instruments.rules.<venue>]`). With the REST gateway each value is checked against the
    /// venue's published rule at start-up and must be as coarse or coarser (a tick or step that is
    /// a multiple of the venue's, a minimum at or above it); with the paper gateway they are the
    /// rules, and what is absent passes everything (see [`RulesOverride`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<String, RulesOverride>,
}

/// One instrument's trading rules on one venue as the config states them: each absent key takes
/// the venue's published value (REST) or passes everything (paper: one unit of `price_scale` for
/// the tick, one unit of `qty_scale` for the step, no minimums).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesOverride {
    /// Price tick, decimal text exact at `price_scale`.
    #[serde(default)]
    pub tick: Option<DecimalText>,
    /// Quantity step, exact at `qty_scale`.
    #[serde(default)]
    pub step: Option<DecimalText>,
    /// Smallest order quantity, exact at `qty_scale`.
    #[serde(default)]
    pub min_qty: Option<DecimalText>,
    /// Smallest `price * qty` of an order in the quote currency, exact at `price_scale`.
    #[serde(default)]
    pub min_notional: Option<DecimalText>,
}

/// Feed connection behaviour, shared by every venue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IngestConfig {
    /// No message at all for this long: drop the connection and reconnect. Kept well above every
    /// venue's keep-alive period (a quiet book is not a dead connection); staleness for trading is
    /// `venues[].stale_after_ms`, judged per quote.
    pub reconnect_after_ms: u64,
    /// Longest TCP connect + TLS + WebSocket handshake.
    pub connect_timeout_ms: u64,
    /// Largest WebSocket frame or message accepted; a larger one drops the connection.
    pub max_message_bytes: u64,
    /// First reconnect delay (doubles per failure, with jitter).
    pub backoff_initial_ms: u64,
    /// Largest reconnect delay.
    pub backoff_max_ms: u64,
    /// A session open this long resets the backoff.
    pub healthy_after_ms: u64,
    /// Feed breaker: consecutive failed sessions before it stops attempts.
    pub breaker_failures: u32,
    /// Feed breaker: how long it stops attempts.
    pub breaker_open_ms: u64,
    /// While a venue's WebSocket is down (not open, its breaker open, or silent past its
    /// `stale_after_ms`), poll its public REST top of book every `venues[].rest_poll_ms` from
    /// `venues[].rest_url` (the venue's public REST base when absent). Off by default: a run
    /// never reaches a host its config does not ask for.
    pub rest_fallback: bool,
    /// Trade on quotes that came from those polls. Off by default: an opportunity with a leg
    /// whose latest quote came from REST is refused (`rejected: rest_quote`).
    pub trade_on_rest_quotes: bool,
    /// Longest wait for one REST poll's answer; a later answer is abandoned with its connection.
    pub rest_timeout_ms: u64,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            reconnect_after_ms: 30_000,
            connect_timeout_ms: 5_000,
            max_message_bytes: 1 << 20,
            backoff_initial_ms: 100,
            backoff_max_ms: 30_000,
            healthy_after_ms: 30_000,
            breaker_failures: 10,
            breaker_open_ms: 60_000,
            rest_fallback: false,
            trade_on_rest_quotes: false,
            rest_timeout_ms: 2_000,
        }
    }
}

/// Detection and dedupe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StrategyConfig {
    /// Smallest net edge after both taker fees worth trading, bp (0.01 bp resolution).
    pub min_profit_bps: f64,
    /// Largest notional per arbitrage, quote currency, decimal text.
    pub max_notional: DecimalText,
    /// Entries in the opportunity cache (slab LRU).
    pub cache_capacity: u32,
    /// Cache TTL when volatility is above `vol_high` (seed: 50 ms).
    pub ttl_high_vol_ms: u64,
    /// Cache TTL when volatility is above `vol_mid` (seed: 100 ms).
    pub ttl_mid_vol_ms: u64,
    /// Cache TTL otherwise (seed: 200 ms).
    pub ttl_low_vol_ms: u64,
    /// Volatility above which the TTL is `ttl_high_vol_ms`.
    pub vol_high: f64,
    /// Volatility above which the TTL is `ttl_mid_vol_ms`.
    pub vol_mid: f64,
    /// How long an emitted opportunity may wait before execution gives up on it.
    pub opportunity_ttl_ms: u64,
}

impl Default for StrategyConfig {
    fn default() -> Self {
        StrategyConfig {
            min_profit_bps: 2.0,
            max_notional: DecimalText::from("1000"),
            cache_capacity: 4096,
            ttl_high_vol_ms: 50,
            ttl_mid_vol_ms: 100,
            ttl_low_vol_ms: 200,
            vol_high: 0.05,
            vol_mid: 0.02,
            opportunity_ttl_ms: 100,
        }
    }
}

/// Execution slots and waiting bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExecutionConfig {
    /// In-flight arbitrages at once (seed: a semaphore of 3).
    pub max_inflight: u32,
    /// Of those, slots kept for opportunities with at least `reserved_min_bps` of edge.
    pub reserved_slots: u32,
    /// Edge that may use a reserved slot, bp.
    pub reserved_min_bps: f64,
    /// Longest an opportunity waits for a rate-limit token.
    pub max_wait_ms: u64,
    /// While no opportunity arrives, rehearse the last one this often (us; 0: never): the
    /// decision and signing path runs on a scratch copy that changes nothing (no order id, no
    /// token, no slot, no risk, nothing sent), so the first order after a quiet spell finds that
    /// code and its tables in cache. Costs about one order's CPU per period on the execution thread.
    /// The same period drives the ingest stage's rehearsal (one connection's last quote frame
    /// parsed again, no sequence check) and the strategy stage's (the detection rule and the
    /// dedupe lookup on the last quote, read-only), so the whole path from frame to order bytes
    /// stays warm.
    pub rehearse_every_us: u64,
    /// While no opportunity arrives, write an order-sized buffer to a loopback connection the
    /// engine owns this often (us; 0: never), and read it back: the kernel's send path is then in
    /// cache when an order is written (`src/net/warm_write.rs`). Only on a gateway that writes to
    /// the wire (not paper). Costs one loopback `write` and `read` (about 5 us on the 2-core VM)
    /// per period on the execution thread; under 10 us is refused, as it would leave that thread
    /// little else.
    pub warm_write_every_us: u64,
    /// `paper` (simulated venue) or `rest` (the venues' REST APIs).
    pub gateway: GatewayKind,
    /// What to do when one leg filled and the other did not (or less): `unwind` or `retry`.
    pub legging: LeggingKind,
    /// Most hedge orders (retries and unwinds) sent for one arbitrage's imbalance; under `retry`
    /// the last of them is always an unwind.
    pub legging_max_orders: u32,
    /// How much worse than the filled leg's price an unwind may trade, bp (0.01 bp resolution).
    pub unwind_max_bps: f64,
    /// An order with no answer after this long has an unknown fate: its status is queried.
    pub order_timeout_ms: u64,
    /// Delay before (and between) status queries of an order whose fate is unknown.
    pub status_query_ms: u64,
    /// How long rate-limit emergency mode lasts once entered (every group of the venue at half
    /// its rate and burst; seed: 300 s).
    pub emergency_seconds: u64,
    /// Emergency mode starts on a venue whose 429s hit more than one endpoint group within this
    /// window (or on its 418).
    pub emergency_window_ms: u64,
    /// While this file holds an expiry in the future, every venue is in emergency mode:
    /// `microarb emergency --config FILE [--seconds N]` writes it. Off when absent.
    pub emergency_file: Option<String>,
    /// The simulated venue behind `gateway = "paper"`.
    pub paper: PaperConfig,
    /// The REST gateways behind `gateway = "rest"`.
    pub rest: RestConfig,
    /// Venue truth: start-up reconciliation, balance and open-order refresh, lost orders.
    pub reconcile: ReconcileConfig,
}

/// The REST gateways (`execution.gateway = "rest"`); per-venue URLs and credential sources are
/// in `venues[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RestConfig {
    /// Keep-alive connections per venue (1..=64); each carries one request at a time.
    pub conns: u32,
    /// Binance `recvWindow`, ms (1..=60000).
    pub recv_window_ms: u32,
    /// How long start-up waits for every venue's first connection, ms.
    pub connect_timeout_ms: u64,
    /// How often each venue's server clock is measured (Binance, Bybit, OKX: at start-up, then
    /// every this many ms from a cold thread) so signed timestamps carry the venue's time, ms;
    /// 0 turns the correction off (the host's clock is signed as it is). 0 or 1000..=86400000.
    pub clock_sync_ms: u64,
    /// Prefix of client order ids (Binance `newClientOrderId`, Upbit `identifier`); letters and
    /// digits, at most 8. A start-time stamp follows it so ids differ between runs.
    pub client_id_prefix: String,
    /// Starting balance of every base asset on every venue for a stage built without start-up
    /// (test rigs); a run on the REST gateway replaces it by the venues' own balances at
    /// start-up (config balances are for the paper venue only). Decimal text.
    pub balance_base: DecimalText,
    /// Starting balance of every quote asset on every venue, decimal text.
    pub balance_quote: DecimalText,
    /// Whether the venues' rate limits pace the orders (default true). `false` is for latency
    /// benches against the mock exchange (its limits lifted too) and is refused unless every
    /// trading venue's `rest_url` is a loopback address: no real venue can be sent more than it
    /// allows.
    pub venue_limits: bool,
}

impl Default for RestConfig {
    fn default() -> Self {
        RestConfig {
            conns: 4,
            recv_window_ms: 5000,
            connect_timeout_ms: 5000,
            clock_sync_ms: 60_000,
            client_id_prefix: "ma".to_string(),
            balance_base: DecimalText::from("1000"),
            balance_quote: DecimalText::from("100000000"),
            venue_limits: true,
        }
    }
}

/// Where orders go: the one place the gateway is chosen by name. Everything downstream matches
/// on this enum, never on a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GatewayKind {
    /// The simulated venue (paper trading): no order leaves the process.
    Paper,
    /// The venues' REST order APIs.
    Rest,
}

impl GatewayKind {
    /// The config spelling (`"paper"`, `"rest"`), for reports and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            GatewayKind::Paper => "paper",
            GatewayKind::Rest => "rest",
        }
    }
}

/// The legging policy (docs/architecture.md, "Invariants"): how a lone filled leg is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LeggingKind {
    /// Send an opposite IOC on the filled venue at a bounded-worse price.
    Unwind,
    /// Re-send the missing leg at its original limit; unwind if that still leaves an imbalance.
    Retry,
}

/// The paper gateway's simulated venue: latency model, seeded faults, starting balances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PaperConfig {
    /// Fixed one-way answer latency, microseconds.
    pub latency_us: u64,
    /// Uniform random jitter added to the latency, microseconds (seeded).
    pub jitter_us: u64,
    /// Seed of the latency and fault draws: the same seed replays the same faults.
    pub seed: u64,
    /// Probability an order is answered 429 with `Retry-After`.
    pub p_429: f64,
    /// Probability an order is answered 5xx (fate unknown until queried).
    pub p_5xx: f64,
    /// Probability an order is never answered (the stage times it out and queries).
    pub p_timeout: f64,
    /// Probability an order fills only partly.
    pub p_partial: f64,
    /// Probability an order is rejected by the venue.
    pub p_reject: f64,
    /// `Retry-After` sent with a simulated 429, ms.
    pub retry_after_ms: u64,
    /// Spread the simulated book assumes for the side an opportunity does not show, bp.
    pub spread_bps: f64,
    /// Starting balance of every base asset on every venue, decimal text.
    pub balance_base: DecimalText,
    /// Starting balance of every quote asset on every venue, decimal text.
    pub balance_quote: DecimalText,
    /// Hold paper orders to each venue's real order rate limits (default). `false` lifts them, for
    /// benchmarks that compare the engine's path with an engine that has no limiter; never for
    /// anything that will meet a real venue.
    pub venue_limits: bool,
}

impl Default for PaperConfig {
    fn default() -> Self {
        PaperConfig {
            latency_us: 100,
            jitter_us: 50,
            seed: 1,
            p_429: 0.0,
            p_5xx: 0.0,
            p_timeout: 0.0,
            p_partial: 0.0,
            p_reject: 0.0,
            retry_after_ms: 1000,
            spread_bps: 1.0,
            balance_base: DecimalText::from("1000"),
            balance_quote: DecimalText::from("100000000"),
            venue_limits: true,
        }
    }
}

impl Default for ExecutionConfig {
    fn default() -> Self {
        ExecutionConfig {
            max_inflight: 3,
            reserved_slots: 1,
            reserved_min_bps: 10.0,
            max_wait_ms: 50,
            rehearse_every_us: 20,
            warm_write_every_us: 100,
            gateway: GatewayKind::Paper,
            legging: LeggingKind::Unwind,
            legging_max_orders: 2,
            unwind_max_bps: 20.0,
            order_timeout_ms: 1000,
            status_query_ms: 50,
            emergency_seconds: 300,
            emergency_window_ms: 60_000,
            emergency_file: None,
            paper: PaperConfig::default(),
            rest: RestConfig::default(),
            reconcile: ReconcileConfig::default(),
        }
    }
}

/// Risk limits (quote currency, decimal text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RiskConfig {
    /// Largest notional of one order.
    pub max_order_notional: DecimalText,
    /// Largest notional in flight across all orders.
    pub max_open_notional: DecimalText,
    /// Realised loss at which trading stops.
    pub loss_limit: DecimalText,
    /// While this file exists, the kill switch is on.
    pub kill_file: Option<String>,
}

impl Default for RiskConfig {
    fn default() -> Self {
        RiskConfig {
            max_order_notional: DecimalText::from("5000"),
            max_open_notional: DecimalText::from("20000"),
            loss_limit: DecimalText::from("500"),
            kill_file: None,
        }
    }
}

/// How a worker thread waits when its stages have nothing to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdleKind {
    /// Never yields the core: lowest latency, one full core per thread.
    BusySpin,
    /// Spins a while, then `yield_now`.
    SpinYield,
    /// Spins, then backs off (crossbeam `Backoff`), then parks for `park_us`.
    Park,
}

/// A pipeline stage a thread can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StageName {
    /// Venue feeds -> quotes.
    Ingest,
    /// Quotes -> opportunities.
    Strategy,
    /// Opportunities -> orders -> reports.
    Exec,
}

impl StageName {
    /// Every stage, in pipeline order.
    pub const ALL: [StageName; 3] = [StageName::Ingest, StageName::Strategy, StageName::Exec];

    /// The config spelling.
    pub const fn name(self) -> &'static str {
        match self {
            StageName::Ingest => "ingest",
            StageName::Strategy => "strategy",
            StageName::Exec => "exec",
        }
    }
}

/// One worker thread: its stages, its core, its idle strategy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreadConfig {
    /// Thread name (shown by `top -H` and `perf`).
    pub name: String,
    /// Stages it runs, polled in this order.
    pub stages: Vec<StageName>,
    /// Core to pin to; unpinned when absent.
    #[serde(default)]
    pub core: Option<usize>,
    /// Overrides `runtime.idle` for this thread.
    #[serde(default)]
    pub idle: Option<IdleKind>,
}

/// Threads, rings and idling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RuntimeConfig {
    /// Slots in each ring between stages.
    pub ring_capacity: u32,
    /// Default idle strategy.
    pub idle: IdleKind,
    /// Spins before yielding or backing off.
    pub spin_iterations: u32,
    /// Longest park in `park` idling, microseconds (bounds the wake-up latency it adds).
    pub park_us: u64,
    /// Worker threads; empty means the default topology for this machine's core count.
    pub threads: Vec<ThreadConfig>,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            ring_capacity: 4096,
            idle: IdleKind::Park,
            spin_iterations: 2000,
            park_us: 50,
            threads: Vec::new(),
        }
    }
}

/// Telemetry outputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TelemetryConfig {
    /// Histogram interval: one `.hlog` line per metric per interval.
    pub interval_ms: u64,
    /// Print the one-line status on stderr every interval.
    pub status_line: bool,
    /// Serve Prometheus metrics at `http://ADDR/metrics` from the telemetry thread (`PORT` alone
    /// binds 127.0.0.1); off when absent. `--metrics` overrides it.
    pub metrics_addr: Option<String>,
    /// Allow a non-loopback `metrics_addr` (the endpoint has no authentication).
    pub metrics_allow_remote: bool,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        TelemetryConfig {
            interval_ms: 1000,
            status_line: true,
            metrics_addr: None,
            metrics_allow_remote: false,
        }
    }
}

fn default_stale_after_ms() -> u64 {
    500
}

fn default_trade() -> bool {
    true
}

fn default_venue_inflight() -> u32 {
    2
}
