//! Building the REST gateway from a validated config (`execution.gateway = "rest"`): credentials
//! loaded with [`ApiSecret`], one [`RestGateway`] per venue (Binance or Upbit kind; other kinds are
//! refused), and [`ExecStage::rest_from_config`].
//!
//! Contract: cold path only (DNS, file and environment reads, connecting). Errors name the venue,
//! the key path or the variable, never a key or secret: every message is built from
//! [`SecretError`](crate::exec::secrets::SecretError) (which never carries one) or from config
//! text that holds none.

use crate::config::GatewayKind;
use std::net::ToSocketAddrs;
use std::sync::Arc;

use super::rest::nonce::UuidGen;
use super::rest::pool::PoolSettings;
use super::rest::{
    BinanceCodec, BinanceSettings, GatewaySettings, HostSpec, InstrumentSpec, InstrumentTable,
    RestGateway, UpbitCodec, UpbitSettings,
};
use super::rest_router::{RestRoute, RestRouter};
use crate::base::Clock;
use crate::config::{Config, VenueConfig};
use crate::exec::kill::KillSwitch;
use crate::exec::params::{ExecBuildError, ExecParams, VenueExec};
use crate::exec::secrets::ApiSecret;
use crate::exec::stage::ExecStage;
use crate::model::{InstrumentId, Opportunity, VenueId, VenueKind};
use crate::runtime::RingRx;
use crate::telemetry::Registry;

/// The venue's public REST base, used when `venues[].rest_url` is absent.
pub const fn public_rest_url(kind: VenueKind) -> Option<&'static str> {
    match kind {
        VenueKind::Binance => Some("https://api.binance.com"),
        VenueKind::Upbit => Some("https://api.upbit.com"),
        VenueKind::Bybit | VenueKind::Okx => None,
    }
}

fn rest_err(msg: impl Into<String>) -> ExecBuildError {
    ExecBuildError::Rest(msg.into())
}

/// Load every venue's credentials from the sources its config names (environment variables or
/// an owner-only file), in venue order.
pub fn load_credentials(cfg: &Config) -> Result<Vec<ApiSecret>, ExecBuildError> {
    cfg.venues
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let r = match (&v.api_key_env, &v.api_secret_env, &v.api_secret_file) {
                (Some(k), Some(s), None) => ApiSecret::from_env(k, s),
                (None, None, Some(f)) => ApiSecret::from_file(std::path::Path::new(f)),
                _ => {
                    return Err(rest_err(format!(
                        "venues[{i}] ({}): give api_key_env + api_secret_env, or api_secret_file",
                        v.name
                    )))
                }
            };
            r.map_err(|e| rest_err(format!("venues[{i}] ({}): {e}", v.name)))
        })
        .collect()
}

/// Where a REST base URL points: the socket address, TLS or not, and the `Host` header value.
fn resolve(url: &str) -> Result<(HostSpec, String), String> {
    let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return Err(format!("{url:?} is not an http:// or https:// URL"));
    };
    let authority = rest.trim_end_matches('/');
    if authority.is_empty() || authority.contains('/') {
        return Err(format!("{url:?} must be a base URL without a path"));
    }
    let with_port = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        authority.to_string()
    } else {
        format!("{authority}:{}", if tls { 443 } else { 80 })
    };
    let addr = with_port
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {authority:?}: {e}"))?
        .next()
        .ok_or_else(|| format!("{authority:?} resolves to no address"))?;
    let host_name = authority
        .rsplit_once(':')
        .filter(|(_, p)| p.parse::<u16>().is_ok())
        .map_or(authority, |(h, _)| h)
        .to_string();
    let tls = if tls {
        let c = crate::net::tls::client_config(&[]).map_err(|e| format!("TLS: {e}"))?;
        Some((Arc::clone(&c), host_name))
    } else {
        None
    };
    Ok((HostSpec { addr, tls }, authority.to_string()))
}

/// The venue's instruments (symbol and scales) from the config.
fn instruments(cfg: &Config, v: &VenueConfig) -> Result<InstrumentTable, String> {
    let entries: Vec<(InstrumentId, InstrumentSpec)> = cfg
        .instruments
        .iter()
        .enumerate()
        .filter_map(|(i, ins)| {
            ins.symbols.get(&v.name).map(|sym| {
                (
                    InstrumentId(i as u16),
                    InstrumentSpec {
                        symbol: sym.clone(),
                        price_scale: ins.price_scale,
                        qty_scale: ins.qty_scale,
                    },
                )
            })
        })
        .collect();
    InstrumentTable::new(&entries).map_err(|e| e.to_string())
}

/// Client-id prefix for this run: the configured prefix, then the start time in seconds (last 7
/// digits) and an `x`, so ids differ between runs whose order ids restart at 1.
fn client_prefix(cfg: &Config, clock: &Clock) -> String {
    let secs = clock.unix_anchor_ns() / 1_000_000_000 % 10_000_000;
    format!("{}{secs}x", cfg.execution.rest.client_id_prefix)
}

/// One [`RestRouter`] over every venue of `cfg` with `creds[i]` for `venues[i]`. Does not connect
/// (see [`RestRouter::connect`]).
pub fn router_from_config(
    cfg: &Config,
    creds: &[ApiSecret],
    clock: Clock,
) -> Result<RestRouter, ExecBuildError> {
    if creds.len() != cfg.venues.len() {
        return Err(rest_err(format!(
            "{} credentials for {} venues",
            creds.len(),
            cfg.venues.len()
        )));
    }
    let r = &cfg.execution.rest;
    let settings = GatewaySettings {
        pool: PoolSettings {
            conns: r.conns as usize,
            ..PoolSettings::default()
        },
        // The stage times an order out at order_timeout and queries it; the connection is given
        // up (answer Ambiguous) only later, so a late answer can still arrive meanwhile.
        timeout_ns: cfg.execution.order_timeout_ms * 2_000_000,
    };
    let prefix = client_prefix(cfg, &clock);
    let mut router = RestRouter::new(clock);
    for (i, (v, cred)) in cfg.venues.iter().zip(creds).enumerate() {
        let at = |e: String| rest_err(format!("venues[{i}] ({}): {e}", v.name));
        let Some(default_url) = public_rest_url(v.kind) else {
            return Err(at(format!(
                "kind {} has no REST order gateway (execution.gateway = \"rest\" supports binance and upbit)",
                v.kind.name()
            )));
        };
        let url = v.rest_url.as_deref().unwrap_or(default_url);
        let (host, host_header) = resolve(url).map_err(at)?;
        let table = instruments(cfg, v).map_err(at)?;
        let route = match v.kind {
            VenueKind::Binance => {
                let codec = BinanceCodec::new(
                    BinanceSettings {
                        host: host_header,
                        recv_window_ms: r.recv_window_ms,
                        client_id_prefix: prefix.clone(),
                    },
                    cred.expose_key(),
                    cred.expose_secret(),
                    table,
                )
                .map_err(|e| at(e.to_string()))?;
                RestRoute::Binance(
                    RestGateway::new(codec, &host, settings).map_err(|e| at(e.to_string()))?,
                )
            }
            VenueKind::Upbit => {
                let nonces = UuidGen::from_os().map_err(|e| at(format!("nonce seed: {e}")))?;
                let codec = UpbitCodec::new(
                    UpbitSettings {
                        host: host_header,
                        identifier_prefix: prefix.clone(),
                        ioc: true,
                    },
                    cred.expose_key(),
                    cred.expose_secret(),
                    table,
                    nonces,
                )
                .map_err(|e| at(e.to_string()))?;
                RestRoute::Upbit(
                    RestGateway::new(codec, &host, settings).map_err(|e| at(e.to_string()))?,
                )
            }
            VenueKind::Bybit | VenueKind::Okx => unreachable!("refused above"),
        };
        let query_group = VenueExec::for_kind(v.kind, crate::model::Bps(0), crate::model::Bps(0))
            .query_group
            .0;
        router.add(VenueId(i as u8), route, query_group);
    }
    Ok(router)
}

impl ExecStage<RestRouter> {
    /// The stage on the REST gateways (`execution.gateway = "rest"`): credentials from the
    /// sources the config names, then [`rest_with_credentials`](Self::rest_with_credentials).
    pub fn rest_from_config(
        cfg: &Config,
        rx: RingRx<Opportunity>,
        clock: Clock,
        kill: KillSwitch,
        reg: &mut Registry,
    ) -> Result<ExecStage<RestRouter>, ExecBuildError> {
        if cfg.execution.gateway != GatewayKind::Rest {
            return Err(ExecBuildError::Gateway(cfg.execution.gateway));
        }
        let creds = load_credentials(cfg)?;
        Self::rest_with_credentials(cfg, &creds, rx, clock, kill, reg)
    }

    /// The stage on the REST gateways with credentials the caller loaded (`creds[i]` for
    /// `venues[i]`). Connects every venue (waiting up to `execution.rest.connect_timeout_ms`) so
    /// the first opportunity finds a connection.
    pub fn rest_with_credentials(
        cfg: &Config,
        creds: &[ApiSecret],
        rx: RingRx<Opportunity>,
        clock: Clock,
        kill: KillSwitch,
        reg: &mut Registry,
    ) -> Result<ExecStage<RestRouter>, ExecBuildError> {
        let p = ExecParams::from_config(cfg)?;
        let mut gw = router_from_config(cfg, creds, clock)?;
        if !gw.connect(cfg.execution.rest.connect_timeout_ms * 1_000_000) {
            return Err(rest_err(format!(
                "could not connect to every venue's REST API within {} ms",
                cfg.execution.rest.connect_timeout_ms
            )));
        }
        ExecStage::new(p, rx, gw, clock, kill, reg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_resolve() {
        let (h, host) = resolve("http://127.0.0.1:8080").unwrap();
        assert_eq!(host, "127.0.0.1:8080");
        assert!(h.tls.is_none());
        assert_eq!(h.addr.port(), 8080);
        assert!(resolve("ftp://x").is_err());
        assert!(resolve("http://127.0.0.1:1/api").is_err());
        assert!(resolve("http://").is_err());
    }

    #[test]
    fn only_rest_kinds_have_a_default() {
        assert!(public_rest_url(VenueKind::Binance).is_some());
        assert!(public_rest_url(VenueKind::Okx).is_none());
    }
}
