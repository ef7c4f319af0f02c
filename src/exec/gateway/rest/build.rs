//! Building the REST gateway from a validated config (`execution.gateway = "rest"`): credentials
//! loaded with [`ApiSecret`], one [`RestGateway`] per venue (Binance or Upbit kind; other kinds are
//! refused), connected by [`connected_router`].
//!
//! Contract: cold path only (DNS, file and environment reads, connecting). Errors name the venue,
//! the key path or the variable, never a key or secret: every message is built from
//! [`SecretError`](crate::exec::secrets::SecretError) (which never carries one) or from config
//! text that holds none.

use std::net::ToSocketAddrs;
use std::sync::Arc;

use super::error::{RestBuildError, UrlError};
use super::gateway::{GatewaySettings, RestGateway};
use super::router::{RestRoute, RestRouter};
use crate::base::Clock;
use crate::config::Config;
use crate::exec::gateway::codec::nonce::UuidGen;
use crate::exec::gateway::codec::{
    BinanceCodec, BinanceSettings, InstrumentTable, UpbitCodec, UpbitSettings,
};
use crate::exec::params::VenueExec;
use crate::exec::secrets::ApiSecret;
use crate::model::{VenueId, VenueKind};
use crate::net::http::{HostSpec, PoolSettings};

/// The venue's public REST base, used when `venues[].rest_url` is absent.
pub const fn public_rest_url(kind: VenueKind) -> Option<&'static str> {
    match kind {
        VenueKind::Binance => Some("https://api.binance.com"),
        VenueKind::Upbit => Some("https://api.upbit.com"),
        VenueKind::Bybit | VenueKind::Okx => None,
    }
}

/// Load every venue's credentials from the sources its config names (environment variables or
/// an owner-only file), in venue order.
pub fn load_credentials(cfg: &Config) -> Result<Vec<ApiSecret>, RestBuildError> {
    cfg.venues
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let r = match (&v.api_key_env, &v.api_secret_env, &v.api_secret_file) {
                (Some(k), Some(s), None) => ApiSecret::from_env(k, s),
                (None, None, Some(f)) => ApiSecret::from_file(std::path::Path::new(f)),
                _ => {
                    return Err(RestBuildError::CredentialSource {
                        venue: i,
                        name: v.name.clone(),
                    })
                }
            };
            r.map_err(|source| RestBuildError::Credentials {
                venue: i,
                name: v.name.clone(),
                source,
            })
        })
        .collect()
}

/// Where a REST base URL points: the socket address, TLS or not, and the `Host` header value.
/// Also used by the account API's client ([`crate::exec::account`]).
pub(crate) fn resolve(url: &str) -> Result<(HostSpec, String), UrlError> {
    let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return Err(UrlError::Scheme(url.to_string()));
    };
    let authority = rest.trim_end_matches('/');
    if authority.is_empty() || authority.contains('/') {
        return Err(UrlError::Path(url.to_string()));
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
        .map_err(|source| UrlError::Resolve {
            host: authority.to_string(),
            source,
        })?
        .next()
        .ok_or_else(|| UrlError::NoAddress(authority.to_string()))?;
    let host_name = authority
        .rsplit_once(':')
        .filter(|(_, p)| p.parse::<u16>().is_ok())
        .map_or(authority, |(h, _)| h)
        .to_string();
    let tls = if tls {
        let c = crate::net::tls::client_config(&[])?;
        Some((Arc::clone(&c), host_name))
    } else {
        None
    };
    Ok((HostSpec { addr, tls }, authority.to_string()))
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
) -> Result<RestRouter, RestBuildError> {
    if creds.len() != cfg.venues.len() {
        return Err(RestBuildError::CredentialCount {
            got: creds.len(),
            venues: cfg.venues.len(),
        });
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
        let name = || v.name.clone();
        let codec_err = |source| RestBuildError::Codec {
            venue: i,
            name: name(),
            source,
        };
        let pool_err = |source| RestBuildError::Pool {
            venue: i,
            name: name(),
            source,
        };
        let Some(default_url) = public_rest_url(v.kind) else {
            return Err(RestBuildError::NoRestApi {
                venue: i,
                name: name(),
                kind: v.kind.name(),
            });
        };
        let url = v.rest_url.as_deref().unwrap_or(default_url);
        let (host, host_header) = resolve(url).map_err(|source| RestBuildError::Url {
            venue: i,
            name: name(),
            source,
        })?;
        let table = InstrumentTable::for_venue(cfg, &v.name).map_err(codec_err)?;
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
                .map_err(codec_err)?;
                RestRoute::Binance(RestGateway::new(codec, &host, settings).map_err(pool_err)?)
            }
            VenueKind::Upbit => {
                let nonces = UuidGen::from_os().map_err(|source| RestBuildError::Nonce {
                    venue: i,
                    name: name(),
                    source,
                })?;
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
                .map_err(codec_err)?;
                RestRoute::Upbit(RestGateway::new(codec, &host, settings).map_err(pool_err)?)
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

/// [`router_from_config`], then connected: every venue waited for up to
/// `execution.rest.connect_timeout_ms` so the first opportunity finds a connection.
pub fn connected_router(
    cfg: &Config,
    creds: &[ApiSecret],
    clock: Clock,
) -> Result<RestRouter, RestBuildError> {
    let mut gw = router_from_config(cfg, creds, clock)?;
    let timeout_ms = cfg.execution.rest.connect_timeout_ms;
    if !gw.connect(timeout_ms * 1_000_000) {
        return Err(RestBuildError::Connect { timeout_ms });
    }
    Ok(gw)
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
