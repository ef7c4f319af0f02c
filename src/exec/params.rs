//! Everything the execution stage needs, built from a validated config on the cold path.
//!
//! [`ExecParams::from_config`] turns the config's decimals and bp into fixed-point values, assigns
//! asset ids from instrument names (`BTC/USDT` -> base `BTC`, quote `USDT`; `-` and `_` also
//! split), sets up the risk book (limits, and for paper trading the starting balances), the slot
//! table's caps, each venue's order endpoint groups and rate limits, and the paper venue. Tests
//! build one from a config and then adjust fields (a tighter limit, a failing venue) before
//! constructing the stage.
//!
//! Accounting unit: every asset's balances, the open-notional and loss limits and the realized
//! P&L are mantissas at [`ASSET_SCALE`] (1e-8) of the asset (P&L of the quote asset). The engine
//! treats all quote assets as one currency for the loss limit, which is right for the USDT
//! instruments it ships with and must be revisited before mixing KRW and USDT quotes.
//!
//! Rate limits per venue kind (order placement takes one token of each group listed; status
//! queries take `query_tokens` of `query_group`), each group's limit and burst from the venue's
//! `limits` keys, the published limits by default ([`configured_limit`],
//! `crate::config::venue_limits`):
//! - Binance: `orders-10s`, `orders-1d`, `request-weight`; queries weigh 4.
//! - Upbit: `order` (12/s since 2026-08-21); queries go to `default` (30/s).
//! - Bybit: `order` (spot order create, 20/s per UID); OKX: `order` (place order, 60 per 2 s
//!   per instrument, one limiter for all instruments); queries take a token of it too.
//!
//! The zero-429 policy's emergency mode takes its duration and trigger window from
//! `execution.emergency_seconds` and `execution.emergency_window_ms`.

use thiserror::Error;

use super::gateway::codec::{InstrumentTable, RequestError};
use super::gateway::{PaperFaults, PaperParams};
use super::guards::risk::{AssetId, InstrumentRisk, Risk, RiskConfigError, RiskUpdateError};
use super::guards::slots::{SlotConfig, MAX_SLOTS};
use super::limits::zero429::Zero429Config;
use super::limits::{
    apply_exchange_info, configured_limit, BinanceLimits, EmergencyConfig, EndpointGroup,
    ExchangeRateLimit, LimitSpec,
};
use super::orders::legs::LeggingParams;
use super::rules::{with_override, InstrumentRules, Names, RulesError, RulesTable};
use crate::base::breaker::BreakerConfig;
use crate::config::{Config, DecimalText, GatewayKind};
use crate::exec::guards::slots::SlotConfigError;
use crate::exec::limits::LimitError;
use crate::model::{
    assign_assets, AssetError, Assets, Bps, DecimalError, InstrumentId, VenueId, VenueKind,
    MAX_VENUES,
};

/// Scale of balances, limits and P&L (1e-8 of the asset).
pub const ASSET_SCALE: u8 = 8;

/// Why the stage could not be built from a (validated) config.
#[derive(Debug, Error)]
pub enum ExecBuildError {
    /// An amount does not fit its scale.
    #[error("{what}: {source}")]
    Amount {
        /// Key path.
        what: String,
        /// Parser error.
        source: DecimalError,
    },
    /// An instrument name does not split into assets, or more assets than the risk book's cap
    /// (the same refusal, and message, as `check-config`'s).
    #[error(transparent)]
    Assets(#[from] AssetError),
    /// The risk book refused a setting.
    #[error("risk: {0}")]
    Risk(#[from] RiskConfigError),
    /// A balance could not be set.
    #[error("risk balance: {0}")]
    Balance(#[from] RiskUpdateError),
    /// A venue's symbols cannot be signed by its codec.
    #[error("venues[{venue}] ({name}): {source}")]
    Codec {
        /// Venue index.
        venue: usize,
        /// Venue name.
        name: String,
        /// The codec's refusal.
        #[source]
        source: RequestError,
    },
    /// The slot caps cannot work.
    #[error("slots: {0}")]
    Slots(#[from] SlotConfigError),
    /// A venue's rate limit cannot work.
    #[error("rate limits of venue {venue}: {source}")]
    Limits {
        /// Venue id.
        venue: usize,
        /// The limiter's refusal.
        #[source]
        source: LimitError,
    },
    /// The REST gateways could not be built (credentials, URL, connections). Never carries a
    /// key or secret.
    #[error(transparent)]
    Rest(#[from] crate::exec::gateway::rest::error::RestBuildError),
    /// An instrument's trading rules or their override cannot be used (an override finer or
    /// looser than the venue's rule; the error names the key).
    #[error("trading rules: {0}")]
    Rules(#[from] RulesError),
    /// Start-up venue truth failed (balances, reconciliation): trading does not start.
    #[error(transparent)]
    Startup(Box<crate::exec::startup::error::StartupError>),
}

impl From<crate::exec::startup::error::StartupError> for ExecBuildError {
    fn from(e: crate::exec::startup::error::StartupError) -> Self {
        ExecBuildError::Startup(Box::new(e))
    }
}

/// One venue as execution sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VenueExec {
    /// Protocol.
    pub kind: VenueKind,
    /// Limit-price widening per leg.
    pub slippage: Bps,
    /// Taker fee.
    pub fee: Bps,
    /// Rate limits per endpoint group (index [`EndpointGroup::index`]).
    pub limits: [Option<LimitSpec>; EndpointGroup::COUNT],
    /// Groups one order takes a token of.
    pub order_groups: [Option<EndpointGroup>; 3],
    /// Group a status query is charged to, and how many tokens.
    pub query_group: (EndpointGroup, u32),
    /// Whether orders go to this venue (`venues[].trade`); a feed-only venue's legs are refused.
    pub trades: bool,
}

impl VenueExec {
    /// Defaults for a venue kind with the given slippage and fee: the published limits.
    pub fn for_kind(kind: VenueKind, slippage: Bps, fee: Bps) -> VenueExec {
        Self::with_limits(kind, slippage, fee, &std::collections::BTreeMap::new())
    }

    /// A venue of `kind` whose groups take its config's `limits` keys (validated), the published
    /// limits for the rest.
    pub fn with_limits(
        kind: VenueKind,
        slippage: Bps,
        fee: Bps,
        keys: &std::collections::BTreeMap<String, u32>,
    ) -> VenueExec {
        let limits = EndpointGroup::ALL.map(|g| configured_limit(kind, g, keys));
        let (order_groups, query_group) = match kind {
            VenueKind::Binance => (
                [
                    Some(EndpointGroup::Orders10s),
                    Some(EndpointGroup::OrdersDay),
                    Some(EndpointGroup::RequestWeight),
                ],
                (EndpointGroup::RequestWeight, 4),
            ),
            VenueKind::Upbit => (
                [Some(EndpointGroup::Order), None, None],
                (EndpointGroup::ExchangeDefault, 1),
            ),
            VenueKind::Bybit | VenueKind::Okx => (
                [Some(EndpointGroup::Order), None, None],
                (EndpointGroup::Order, 1),
            ),
        };
        VenueExec {
            kind,
            slippage,
            fee,
            limits,
            order_groups,
            query_group,
            trades: true,
        }
    }
}

/// The execution stage's settings.
#[derive(Debug, Clone)]
pub struct ExecParams {
    /// Slot caps.
    pub slots: SlotConfig,
    /// Breaker settings (every venue).
    pub breaker: BreakerConfig,
    /// Zero-429 policy (every venue).
    pub zero429: Zero429Config,
    /// Venues by id.
    pub venues: Vec<VenueExec>,
    /// Longest wait for a rate-limit token.
    pub max_wait_ns: u64,
    /// Period of the idle rehearsal of the order path (0: none); see `execution.rehearse_every_us`.
    pub rehearse_every_ns: u64,
    /// Period of the idle warm writes (0: none); see `execution.warm_write_every_us`.
    pub warm_write_every_ns: u64,
    /// Answer timeout before an order's fate counts as unknown.
    pub order_timeout_ns: u64,
    /// Delay before and between status queries.
    pub status_query_ns: u64,
    /// Legging policy.
    pub legging: LeggingParams,
    /// The risk book with its limits and starting balances.
    pub risk: Risk,
    /// Price and quantity scale per instrument.
    pub scales: Vec<(u8, u8)>,
    /// Trading rules per (venue, instrument): from `instruments[].rules` over
    /// [`InstrumentRules::PASS`] here; the REST gateway's start-up replaces them with the
    /// venues' own (`crate::exec::startup::rules`).
    pub rules: RulesTable,
    /// Opportunities that may wait for a token at once; one more is refused `rate_limited`.
    pub wait_capacity: usize,
    /// The paper venue (used when the gateway is paper).
    pub paper: PaperParams,
    /// Venue names by id, and asset names by [`AssetId`]: the labels of the stage's gauges.
    pub names: ExecNames,
    /// Unsettled status-query rounds a leg of unknown fate gets before it is marked lost
    /// (`execution.reconcile.max_status_queries`).
    pub max_status_queries: u32,
    /// Tolerated drift of a venue's reported balance from the expected one, bp
    /// (`execution.reconcile.balance_tolerance_bps`).
    pub balance_tolerance_bps: f64,
}

/// Names of the ids the execution stage works with, for telemetry labels only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecNames {
    /// Venue names by `VenueId`.
    pub venues: Vec<String>,
    /// Asset names by `AssetId` (`BTC/USDT` gives `BTC` and `USDT`).
    pub assets: Vec<String>,
}

fn bps(v: f64) -> Bps {
    Bps((v * Bps::SCALE as f64).round() as i64)
}

/// Where a run's starting balances come from, and whether the venues' rate limits apply: the
/// part of `execution.gateway` the parameters depend on.
struct GatewayInputs<'a> {
    balance_base: (&'static str, &'a DecimalText),
    balance_quote: (&'static str, &'a DecimalText),
    venue_limits: bool,
}

impl<'a> GatewayInputs<'a> {
    fn of(cfg: &'a Config) -> GatewayInputs<'a> {
        let e = &cfg.execution;
        match e.gateway {
            GatewayKind::Rest => GatewayInputs {
                balance_base: ("execution.rest.balance_base", &e.rest.balance_base),
                balance_quote: ("execution.rest.balance_quote", &e.rest.balance_quote),
                // Off only for benches on loopback (config rules refuse it for any other URL).
                venue_limits: e.rest.venue_limits,
            },
            GatewayKind::Paper => GatewayInputs {
                balance_base: ("execution.paper.balance_base", &e.paper.balance_base),
                balance_quote: ("execution.paper.balance_quote", &e.paper.balance_quote),
                // Off only for benchmarks: no group to take tokens from, every rate check passes.
                venue_limits: e.paper.venue_limits,
            },
        }
    }
}

/// `t` at [`ASSET_SCALE`], or the error naming `what`.
fn amount(what: &str, t: &DecimalText) -> Result<i64, ExecBuildError> {
    t.at_scale(ASSET_SCALE)
        .map_err(|source| ExecBuildError::Amount {
            what: what.to_string(),
            source,
        })
}

/// The risk book, each instrument's (price, qty) scale, and the assets by id.
type RiskBook = (Risk, Vec<(u8, u8)>, Assets);

impl ExecParams {
    /// From a validated config. Cold path.
    pub fn from_config(cfg: &Config) -> Result<ExecParams, ExecBuildError> {
        let e = &cfg.execution;
        let g = GatewayInputs::of(cfg);
        let (risk, scales, assets) = Self::risk_book(cfg, &g)?;
        let venues = Self::venues(cfg, &g);
        Ok(ExecParams {
            slots: Self::slot_config(cfg),
            breaker: BreakerConfig::default(),
            zero429: Zero429Config {
                emergency: EmergencyConfig {
                    duration_ns: e.emergency_seconds.saturating_mul(1_000_000_000),
                    window_ns: e.emergency_window_ms.saturating_mul(1_000_000),
                    ..EmergencyConfig::default()
                },
                ..Zero429Config::default()
            },
            venues,
            max_wait_ns: e.max_wait_ms * 1_000_000,
            rehearse_every_ns: e.rehearse_every_us.saturating_mul(1_000),
            warm_write_every_ns: e.warm_write_every_us.saturating_mul(1_000),
            order_timeout_ns: e.order_timeout_ms * 1_000_000,
            status_query_ns: e.status_query_ms * 1_000_000,
            legging: LeggingParams {
                policy: e.legging,
                max_orders: e.legging_max_orders,
                unwind_max: bps(e.unwind_max_bps),
            },
            risk,
            rules: Self::config_rules(cfg, &scales)?,
            scales,
            wait_capacity: 64,
            paper: Self::paper(cfg)?,
            names: ExecNames {
                venues: cfg.venues.iter().map(|v| v.name.clone()).collect(),
                assets: assets.names.into_iter().map(|(n, _)| n).collect(),
            },
            max_status_queries: e.reconcile.max_status_queries,
            balance_tolerance_bps: e.reconcile.balance_tolerance_bps,
        })
    }

    /// Binance venue `venue`'s groups after its `GET /api/v3/exchangeInfo` `rateLimits`
    /// (`None`: the fetch failed, the configured values stay): the tighter of the two
    /// ([`super::limits::binance_info`]). For the REST gateway's start-up, before the stage is
    /// built; `None` when `venue` is not a Binance venue. Cold path.
    pub fn apply_binance_exchange_info(
        &mut self,
        venue: usize,
        fetched: Option<&[ExchangeRateLimit]>,
    ) -> Option<BinanceLimits> {
        let v = self.venues.get_mut(venue)?;
        if v.kind != VenueKind::Binance {
            return None;
        }
        let out = apply_exchange_info(v.limits, fetched);
        v.limits = out.specs;
        Some(out)
    }

    /// The risk book (limits, instruments, assets, starting balances on every venue), each
    /// instrument's (price, qty) scale, and the assets by id.
    fn risk_book(cfg: &Config, g: &GatewayInputs<'_>) -> Result<RiskBook, ExecBuildError> {
        let r = &cfg.risk;
        let max_order = amount("risk.max_order_notional", &r.max_order_notional)?;
        let max_open = amount("risk.max_open_notional", &r.max_open_notional)?;
        let loss = amount("risk.loss_limit", &r.loss_limit)?;
        let bal_base = amount(g.balance_base.0, g.balance_base.1)?;
        let bal_quote = amount(g.balance_quote.0, g.balance_quote.1)?;
        let assets = assign_assets(cfg.instruments.iter().map(|i| i.name.as_str()))?;
        let mut risk = Risk::sized(
            loss,
            cfg.instruments.len(),
            cfg.venues.len(),
            assets.names.len(),
        );
        let mut scales = Vec::with_capacity(cfg.instruments.len());
        for (i, (ins, &(b, q))) in cfg
            .instruments
            .iter()
            .zip(&assets.of_instrument)
            .enumerate()
        {
            let (base, quote) = (AssetId(b), AssetId(q));
            let total = ins.price_scale + ins.qty_scale;
            let max_order_notional = if total >= ASSET_SCALE {
                i128::from(max_order) * 10i128.pow(u32::from(total - ASSET_SCALE))
            } else {
                i128::from(max_order) / 10i128.pow(u32::from(ASSET_SCALE - total))
            };
            risk.set_instrument(
                InstrumentId(i as u16),
                InstrumentRisk {
                    base,
                    quote,
                    price_scale: ins.price_scale,
                    qty_scale: ins.qty_scale,
                    max_order_notional,
                },
            )?;
            scales.push((ins.price_scale, ins.qty_scale));
        }
        for (i, (_, is_quote)) in assets.names.iter().enumerate() {
            risk.set_asset(AssetId(i as u16), ASSET_SCALE, max_open)?;
            for v in 0..cfg.venues.len() {
                let amount = if *is_quote { bal_quote } else { bal_base };
                risk.set_balance(VenueId(v as u8), AssetId(i as u16), amount)?;
            }
        }
        Ok((risk, scales, assets))
    }

    /// Every (venue, instrument) at [`InstrumentRules::PASS`] with the config's overrides applied
    /// (nothing to check them against before a venue has answered).
    fn config_rules(cfg: &Config, scales: &[(u8, u8)]) -> Result<RulesTable, ExecBuildError> {
        let mut t = RulesTable::new(
            cfg.venues.len(),
            cfg.instruments.len(),
            Some(InstrumentRules::PASS),
        );
        for (ii, ins) in cfg.instruments.iter().enumerate() {
            for (name, o) in &ins.rules {
                let Some(vi) = cfg.venues.iter().position(|v| &v.name == name) else {
                    continue;
                };
                let key = format!("instruments[{ii}].rules.{name}");
                let symbol = ins.symbols.get(name).map_or("", String::as_str);
                let n = Names {
                    venue: name,
                    symbol,
                    key: &key,
                };
                let r = with_override(n, InstrumentRules::PASS, o, scales[ii], false)?;
                t.set(VenueId(vi as u8), InstrumentId(ii as u16), Some(r));
            }
        }
        Ok(t)
    }

    /// Each venue's fees, slippage and rate-limit groups.
    fn venues(cfg: &Config, g: &GatewayInputs<'_>) -> Vec<VenueExec> {
        cfg.venues
            .iter()
            .map(|v| {
                let mut venue = VenueExec::with_limits(
                    v.kind,
                    bps(v.slippage_bps),
                    bps(v.taker_fee_bps),
                    &v.limits,
                );
                if !g.venue_limits {
                    venue.order_groups = [None; 3];
                }
                venue.trades = v.trade;
                venue
            })
            .collect()
    }

    /// The slot caps: global, reserved tier, per venue.
    fn slot_config(cfg: &Config) -> SlotConfig {
        let e = &cfg.execution;
        let mut per_venue = [0u8; MAX_VENUES];
        for (i, v) in cfg.venues.iter().enumerate().take(MAX_VENUES) {
            per_venue[i] = v.max_inflight.min(u32::from(u8::MAX)) as u8;
        }
        let global = e.max_inflight.min(MAX_SLOTS as u32) as u8;
        SlotConfig {
            global,
            reserved: e.reserved_slots.min(u32::from(global.saturating_sub(1))) as u8,
            reserved_min_net: bps(e.reserved_min_bps),
            per_venue,
        }
    }

    /// The paper venues: latency, faults, and the codec each venue signs with.
    fn paper(cfg: &Config) -> Result<PaperParams, ExecBuildError> {
        let p = &cfg.execution.paper;
        let faults = PaperFaults {
            p_429: p.p_429,
            p_5xx: p.p_5xx,
            p_timeout: p.p_timeout,
            p_partial: p.p_partial,
            p_reject: p.p_reject,
        };
        let signing = cfg
            .venues
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let table = InstrumentTable::for_venue(cfg, &v.name).map_err(|source| {
                    ExecBuildError::Codec {
                        venue: i,
                        name: v.name.clone(),
                        source,
                    }
                })?;
                Ok((v.kind, table))
            })
            .collect::<Result<Vec<_>, ExecBuildError>>()?;
        Ok(PaperParams {
            latency_ns: p.latency_us * 1_000,
            jitter_ns: p.jitter_us * 1_000,
            seed: p.seed,
            faults: [faults; MAX_VENUES],
            retry_after_ms: p.retry_after_ms.min(u64::from(u32::MAX)) as u32,
            spread: bps(p.spread_bps),
            venues: cfg.venues.len(),
            instruments: cfg.instruments.len(),
            capacity: 1024,
            signing,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Machine, DEMO_TOML};
    use crate::exec::guards::risk::AssetId;

    #[test]
    fn demo_config_builds() {
        let cfg = Config::from_toml_str(
            DEMO_TOML,
            &Machine {
                cores: 2,
                check_cores: false,
            },
        )
        .unwrap();
        let p = ExecParams::from_config(&cfg).unwrap();
        assert_eq!(p.venues.len(), 4);
        assert_eq!(p.slots.global, 3);
        assert_eq!(p.slots.per_venue[0], 2);
        assert_eq!(p.venues[0].fee, Bps(1_000));
        // BTC is asset 0 (base), USDT asset 1 (quote); paper balances on every venue.
        assert_eq!(p.risk.balance(VenueId(3), AssetId(0)), 1_000 * 100_000_000);
        assert_eq!(
            p.risk.balance(VenueId(0), AssetId(1)),
            100_000_000 * 100_000_000
        );
        assert_eq!(p.venues[1].order_groups[0], Some(EndpointGroup::Order));
        assert!(p.venues[1].limits[EndpointGroup::Order.index()].is_some());
    }

    #[test]
    fn venue_limits_and_emergency_settings_come_from_the_config() {
        let text = crate::config::DEMO_TOML
            .replace(
                "name = \"upbit\"\nkind = \"upbit\"",
                "name = \"upbit\"\nkind = \"upbit\"\nlimits = { order_per_sec = 10, order_burst = 2 }",
            )
            .replace(
                "gateway = \"paper\"",
                "gateway = \"paper\"\nemergency_seconds = 60\nemergency_window_ms = 5000",
            );
        let cfg = Config::from_toml_str(&text, &crate::config::Machine::this(false)).unwrap();
        let p = ExecParams::from_config(&cfg).unwrap();
        let upbit = cfg.venues.iter().position(|v| v.name == "upbit").unwrap();
        let o = p.venues[upbit].limits[EndpointGroup::Order.index()].unwrap();
        assert_eq!((o.limit, o.burst), (10, 2));
        let d = p.venues[upbit].limits[EndpointGroup::ExchangeDefault.index()].unwrap();
        assert_eq!((d.limit, d.burst), (30, 15), "the published default");
        let okx = cfg.venues.iter().position(|v| v.name == "okx").unwrap();
        let o = p.venues[okx].limits[EndpointGroup::Order.index()].unwrap();
        assert_eq!((o.limit, o.window_ns), (60, 2_000_000_000));
        assert_eq!(p.zero429.emergency.duration_ns, 60_000_000_000);
        assert_eq!(p.zero429.emergency.window_ns, 5_000_000_000);
    }

    #[test]
    fn binance_exchange_info_tightens_its_venue_only() {
        use crate::exec::limits::binance_info::{RateInterval, RateLimitType};
        let cfg = Config::from_toml_str(DEMO_TOML, &Machine::this(false)).unwrap();
        let mut p = ExecParams::from_config(&cfg).unwrap();
        let info = [ExchangeRateLimit {
            kind: RateLimitType::Orders,
            interval: RateInterval::Second,
            interval_num: 10,
            limit: 40,
        }];
        let b = p.apply_binance_exchange_info(0, Some(&info)).unwrap();
        assert_eq!(b.lowered, 1);
        let s = p.venues[0].limits[EndpointGroup::Orders10s.index()].unwrap();
        assert_eq!((s.limit, s.burst), (40, 20));
        assert!(
            p.apply_binance_exchange_info(1, Some(&info)).is_none(),
            "bybit"
        );
        assert!(p.apply_binance_exchange_info(9, None).is_none());
    }

    #[test]
    fn paper_venue_limits_can_be_lifted_for_benchmarks() {
        let text = crate::config::DEMO_TOML.replace(
            "gateway = \"paper\"",
            "gateway = \"paper\"\n\n[execution.paper]\nvenue_limits = false",
        );
        let cfg = Config::from_toml_str(&text, &crate::config::Machine::this(false)).unwrap();
        let p = ExecParams::from_config(&cfg).unwrap();
        assert!(p
            .venues
            .iter()
            .all(|v| v.order_groups.iter().all(Option::is_none)));
    }
}
