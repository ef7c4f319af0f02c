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
//! queries take `query_tokens` of `query_group`):
//! - Binance: `orders-10s`, `orders-1d`, `request-weight` ([`default_limit`]); queries weigh 4.
//! - Upbit: `order` (8/s); queries go to `default`.
//! - Bybit, OKX: no published defaults in [`super::limits`]; a conservative 10/s with a burst of 5
//!   ([`CONSERVATIVE_ORDER_LIMIT`]) for orders and queries alike.

use crate::config::GatewayKind;
use thiserror::Error;

use super::gateway::{PaperFaults, PaperParams};
use super::legs::LeggingParams;
use super::limits::{default_limit, EndpointGroup, LimitSpec};
use super::order_bytes::{EncodeError, OrderEncoder};
use super::risk::{AssetId, InstrumentRisk, Risk, RiskConfigError, RiskUpdateError, MAX_ASSETS};
use super::slots::SlotConfig;
use super::zero429::Zero429Config;
use crate::base::breaker::BreakerConfig;
use crate::config::Config;
use crate::model::{Bps, DecimalError, InstrumentId, VenueId, VenueKind, MAX_VENUES};

/// Scale of balances, limits and P&L (1e-8 of the asset).
pub const ASSET_SCALE: u8 = 8;

/// Order limit for venues without a published default: 10 per second, burst 5.
pub const CONSERVATIVE_ORDER_LIMIT: LimitSpec = LimitSpec {
    limit: 10,
    window_ns: 1_000_000_000,
    burst: 5,
    margin_ns: 200_000_000,
};

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
    /// An instrument name does not say its base and quote asset.
    #[error("instruments[{index}].name {name:?} must be BASE/QUOTE (or BASE-QUOTE, BASE_QUOTE)")]
    InstrumentName {
        /// Instrument index.
        index: usize,
        /// The name.
        name: String,
    },
    /// More assets than the risk book holds.
    #[error("more than {MAX_ASSETS} assets")]
    TooManyAssets,
    /// The risk book refused a setting.
    #[error("risk: {0}")]
    Risk(#[from] RiskConfigError),
    /// A balance could not be set.
    #[error("risk balance: {0}")]
    Balance(#[from] RiskUpdateError),
    /// A symbol does not fit the order encoder.
    #[error("order encoding: {0}")]
    Encode(#[from] EncodeError),
    /// A rate limit or slot setting cannot work.
    #[error("{0}")]
    Limits(String),
    /// `execution.gateway` names another gateway than the constructor called builds.
    #[error("execution.gateway \"{}\" does not match the gateway being built", .0.as_str())]
    Gateway(GatewayKind),
    /// The REST gateways could not be built (credentials, URL, connections). Never carries a
    /// key or secret.
    #[error("rest gateway: {0}")]
    Rest(String),
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
}

impl VenueExec {
    /// Defaults for a venue kind with the given slippage and fee.
    pub fn for_kind(kind: VenueKind, slippage: Bps, fee: Bps) -> VenueExec {
        let mut limits = EndpointGroup::ALL.map(|g| default_limit(kind, g));
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
            VenueKind::Bybit | VenueKind::Okx => {
                limits[EndpointGroup::Order.index()] = Some(CONSERVATIVE_ORDER_LIMIT);
                (
                    [Some(EndpointGroup::Order), None, None],
                    (EndpointGroup::Order, 1),
                )
            }
        };
        VenueExec {
            kind,
            slippage,
            fee,
            limits,
            order_groups,
            query_group,
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
    /// Opportunities that may wait for a token at once; one more is refused `rate_limited`.
    pub wait_capacity: usize,
    /// Order encoder.
    pub encoder: OrderEncoder,
    /// The paper venue (used when the gateway is paper).
    pub paper: PaperParams,
}

fn bps(v: f64) -> Bps {
    Bps((v * Bps::SCALE as f64).round() as i64)
}

fn split_name(name: &str) -> Option<(&str, &str)> {
    let at = name.find(['/', '-', '_'])?;
    let (b, q) = (&name[..at], &name[at + 1..]);
    (!b.is_empty() && !q.is_empty()).then_some((b, q))
}

impl ExecParams {
    /// From a validated config. Cold path.
    pub fn from_config(cfg: &Config) -> Result<ExecParams, ExecBuildError> {
        let e = &cfg.execution;
        let r = &cfg.risk;
        let amount = |what: &str, t: &crate::config::DecimalText| {
            t.at_scale(ASSET_SCALE)
                .map_err(|source| ExecBuildError::Amount {
                    what: what.to_string(),
                    source,
                })
        };
        let max_order = amount("risk.max_order_notional", &r.max_order_notional)?;
        let max_open = amount("risk.max_open_notional", &r.max_open_notional)?;
        let loss = amount("risk.loss_limit", &r.loss_limit)?;
        let (bal_base, bal_quote) = if e.gateway == GatewayKind::Rest {
            (
                amount("execution.rest.balance_base", &e.rest.balance_base)?,
                amount("execution.rest.balance_quote", &e.rest.balance_quote)?,
            )
        } else {
            (
                amount("execution.paper.balance_base", &e.paper.balance_base)?,
                amount("execution.paper.balance_quote", &e.paper.balance_quote)?,
            )
        };

        let mut risk = Risk::new(loss);
        let mut assets: Vec<(String, bool)> = Vec::new();
        let mut asset_id = |name: &str, quote: bool| -> Result<AssetId, ExecBuildError> {
            if let Some(i) = assets.iter().position(|(n, _)| n == name) {
                assets[i].1 |= quote;
                return Ok(AssetId(i as u8));
            }
            if assets.len() >= MAX_ASSETS {
                return Err(ExecBuildError::TooManyAssets);
            }
            assets.push((name.to_string(), quote));
            Ok(AssetId((assets.len() - 1) as u8))
        };
        let mut scales = Vec::with_capacity(cfg.instruments.len());
        for (i, ins) in cfg.instruments.iter().enumerate() {
            let (b, q) = split_name(&ins.name).ok_or_else(|| ExecBuildError::InstrumentName {
                index: i,
                name: ins.name.clone(),
            })?;
            let (base, quote) = (asset_id(b, false)?, asset_id(q, true)?);
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
        for (i, (_, is_quote)) in assets.iter().enumerate() {
            risk.set_asset(AssetId(i as u8), ASSET_SCALE, max_open)?;
            if matches!(e.gateway, GatewayKind::Paper | GatewayKind::Rest) {
                for v in 0..cfg.venues.len() {
                    let amount = if *is_quote { bal_quote } else { bal_base };
                    risk.set_balance(VenueId(v as u8), AssetId(i as u8), amount)?;
                }
            }
        }

        let mut per_venue = [0u8; MAX_VENUES];
        let mut venues = Vec::with_capacity(cfg.venues.len());
        for (i, v) in cfg.venues.iter().enumerate() {
            per_venue[i] = v.max_inflight.min(u32::from(u8::MAX)) as u8;
            let mut venue = VenueExec::for_kind(v.kind, bps(v.slippage_bps), bps(v.taker_fee_bps));
            if e.gateway == GatewayKind::Paper && !e.paper.venue_limits {
                // No group to take tokens from: orders pass every rate check.
                venue.order_groups = [None; 3];
            }
            venues.push(venue);
        }
        let global = e.max_inflight.min(super::slots::MAX_SLOTS as u32) as u8;
        let p = &e.paper;
        let faults = PaperFaults {
            p_429: p.p_429,
            p_5xx: p.p_5xx,
            p_timeout: p.p_timeout,
            p_partial: p.p_partial,
            p_reject: p.p_reject,
        };
        Ok(ExecParams {
            slots: SlotConfig {
                global,
                reserved: e.reserved_slots.min(u32::from(global.saturating_sub(1))) as u8,
                reserved_min_net: bps(e.reserved_min_bps),
                per_venue,
            },
            breaker: BreakerConfig::default(),
            zero429: Zero429Config::default(),
            venues,
            max_wait_ns: e.max_wait_ms * 1_000_000,
            order_timeout_ns: e.order_timeout_ms * 1_000_000,
            status_query_ns: e.status_query_ms * 1_000_000,
            legging: LeggingParams {
                policy: e.legging,
                max_orders: e.legging_max_orders,
                unwind_max: bps(e.unwind_max_bps),
            },
            risk,
            scales,
            wait_capacity: 64,
            encoder: OrderEncoder::from_config(cfg)?,
            paper: PaperParams {
                latency_ns: p.latency_us * 1_000,
                jitter_ns: p.jitter_us * 1_000,
                seed: p.seed,
                faults: [faults; MAX_VENUES],
                retry_after_ms: p.retry_after_ms.min(u64::from(u32::MAX)) as u32,
                spread: bps(p.spread_bps),
                venues: cfg.venues.len(),
                instruments: cfg.instruments.len(),
                capacity: 1024,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Machine, DEMO_TOML};
    use crate::exec::risk::AssetId;

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
        assert_eq!(split_name("BTC-USDT"), Some(("BTC", "USDT")));
        assert_eq!(split_name("BTCUSDT"), None);
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
