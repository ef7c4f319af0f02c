//! Building the REST gateway from a validated config (`execution.gateway = "rest"`): credentials
//! loaded with [`ApiSecret`], one [`RestGateway`] per venue that trades (Binance, Upbit, Bybit v5,
//! OKX v5; a feed-only venue, `trade = false`, gets no route and no credentials), connected by
//! [`connected_router`].
//!
//! Contract: cold path only (DNS, file and environment reads, connecting). Errors name the venue,
//! the key path or the variable, never a key or secret: every message is built from
//! [`SecretError`](crate::exec::secrets::SecretError) (which never carries one) or from config
//! text that holds none.

use std::sync::Arc;

use super::error::{RestBuildError, UrlError};
use super::gateway::{GatewaySettings, RestGateway};
use super::router::{RestRoute, RestRouter};
use crate::base::Clock;
use crate::config::Config;
use crate::exec::gateway::codec::nonce::UuidGen;
use crate::exec::gateway::codec::{
    BinanceCodec, BinanceSettings, BybitCodec, BybitSettings, InstrumentTable, OkxCodec,
    OkxSettings, UpbitCodec, UpbitSettings, VenueCodec,
};
use crate::exec::gateway::ws::ws_gateway;
use crate::exec::params::VenueExec;
use crate::exec::secrets::{ApiSecret, SecretError};
use crate::model::{VenueId, VenueKind};
use crate::net::dns;
use crate::net::http::{HostSpec, PoolSettings};

/// The venue's public REST base, used when `venues[].rest_url` is absent.
pub const fn public_rest_url(kind: VenueKind) -> &'static str {
    match kind {
        VenueKind::Binance => "https://api.binance.com",
        VenueKind::Upbit => "https://api.upbit.com",
        VenueKind::Bybit => "https://api.bybit.com",
        VenueKind::Okx => "https://www.okx.com",
    }
}

/// Load the credentials of `venues[i]` from the sources its config names (environment variables
/// or an owner-only file). An OKX venue must come with its passphrase (`api_passphrase_env`, or a
/// `passphrase=` line in the file); any other kind must not. Errors name the key or the file,
/// never a value.
pub fn load_venue_credentials(cfg: &Config, i: usize) -> Result<ApiSecret, RestBuildError> {
    let v = &cfg.venues[i];
    let name = || v.name.clone();
    let r = match (&v.api_key_env, &v.api_secret_env, &v.api_secret_file) {
        (Some(k), Some(s), None) => match &v.api_passphrase_env {
            Some(p) => ApiSecret::from_env_with_passphrase(k, s, p),
            None => ApiSecret::from_env(k, s),
        },
        (None, None, Some(f)) => ApiSecret::from_file(std::path::Path::new(f)),
        _ => {
            return Err(RestBuildError::CredentialSource {
                venue: i,
                name: name(),
            })
        }
    };
    let cred = r.map_err(|source| {
        let key = match &source {
            SecretError::MissingEnv { var } | SecretError::EmptyEnv { var } => {
                if v.api_passphrase_env.as_ref() == Some(var) {
                    "api_passphrase_env"
                } else if v.api_secret_env.as_ref() == Some(var) {
                    "api_secret_env"
                } else {
                    "api_key_env"
                }
            }
            _ => "api_secret_file",
        };
        RestBuildError::Credentials {
            venue: i,
            name: name(),
            key,
            source,
        }
    })?;
    let okx = v.kind == VenueKind::Okx;
    let problem = match (okx, cred.expose_passphrase().is_some(), &v.api_secret_file) {
        (true, false, Some(_)) => {
            Some("okx needs its API passphrase: add a passphrase= line to api_secret_file")
        }
        (true, false, None) => Some("okx needs its API passphrase: set api_passphrase_env"),
        (false, true, _) => Some("api_secret_file has a passphrase= line, which only okx takes"),
        _ => None,
    };
    match problem {
        Some(problem) => Err(RestBuildError::Passphrase {
            venue: i,
            name: name(),
            problem,
        }),
        None => Ok(cred),
    }
}

/// Load every venue's credentials ([`load_venue_credentials`]), in venue order. A feed-only
/// venue (`trade = false`) reads none: its entry is empty and never used.
pub fn load_credentials(cfg: &Config) -> Result<Vec<ApiSecret>, RestBuildError> {
    (0..cfg.venues.len())
        .map(|i| {
            if cfg.venues[i].trade {
                load_venue_credentials(cfg, i)
            } else {
                Ok(ApiSecret::new("", ""))
            }
        })
        .collect()
}

/// Where a REST base URL points: the socket address, TLS or not, and the `Host` header value.
/// Also used by the account API's client ([`crate::exec::account`]). A failed lookup is retried
/// within [`dns::START_UP`] (see [`resolve_counted`]).
pub(crate) fn resolve(url: &str) -> Result<(HostSpec, String), UrlError> {
    resolve_counted(url, &mut || {})
}

/// A REST base URL's host name (brackets kept off an IPv6 literal), port (the scheme's default
/// when absent) and whether it is TLS. No resolving.
pub fn host_and_port(url: &str) -> Result<(String, u16, bool), UrlError> {
    let authority = host_header(url)?;
    let tls = url.starts_with("https://");
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') => match p.parse::<u16>() {
            Ok(p) => (h, p),
            Err(_) => (authority.as_str(), if tls { 443 } else { 80 }),
        },
        _ => (authority.as_str(), if tls { 443 } else { 80 }),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Ok((host.to_string(), port, tls))
}

/// [`resolve`], calling `on_retry` before each retry of a failed lookup (the caller counts
/// them); the error names the host once the bound is spent. Cold path (blocks while it waits).
pub(crate) fn resolve_counted(
    url: &str,
    on_retry: &mut dyn FnMut(),
) -> Result<(HostSpec, String), UrlError> {
    let authority = host_header(url)?;
    let (host_name, port, tls) = host_and_port(url)?;
    let addr = dns::resolve_at_start_up(&host_name, port, on_retry)?[0];
    let tls = if tls {
        let c = crate::net::tls::client_config(&[])?;
        Some((Arc::clone(&c), host_name))
    } else {
        None
    };
    Ok((HostSpec { addr, tls }, authority))
}

/// The `Host` header value of a REST base URL (`http://` or `https://`, no path): its authority,
/// port included when given. No resolving.
pub fn host_header(url: &str) -> Result<String, UrlError> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| UrlError::Scheme(url.to_string()))?;
    let authority = rest.trim_end_matches('/');
    if authority.is_empty() || authority.contains('/') {
        return Err(UrlError::Path(url.to_string()));
    }
    Ok(authority.to_string())
}

/// The signing codec of `venues[i]` with `cred` (a passphrase for OKX), `host_header` for its
/// `Host` line and client ids `<prefix><order id>`: the one place a venue's codec is built from
/// config, for the REST router and for `microarb sign`. Cold path (copies keys; an Upbit codec
/// seeds its nonces from the OS).
pub fn venue_codec(
    cfg: &Config,
    i: usize,
    cred: &ApiSecret,
    host_header: String,
    prefix: &str,
) -> Result<VenueCodec, RestBuildError> {
    let v = &cfg.venues[i];
    let name = || v.name.clone();
    let codec_err = |source| RestBuildError::Codec {
        venue: i,
        name: name(),
        source,
    };
    let r = &cfg.execution.rest;
    let table = InstrumentTable::for_venue(cfg, &v.name).map_err(codec_err)?;
    let (key, secret, prefix) = (cred.expose_key(), cred.expose_secret(), prefix.to_string());
    Ok(match v.kind {
        VenueKind::Binance => VenueCodec::Binance(
            BinanceCodec::new(
                BinanceSettings {
                    host: host_header,
                    recv_window_ms: r.recv_window_ms,
                    client_id_prefix: prefix,
                },
                key,
                secret,
                table,
            )
            .map_err(codec_err)?,
        ),
        VenueKind::Upbit => {
            let nonces = UuidGen::from_os().map_err(|source| RestBuildError::Nonce {
                venue: i,
                name: name(),
                source,
            })?;
            VenueCodec::Upbit(
                UpbitCodec::new(
                    UpbitSettings {
                        host: host_header,
                        identifier_prefix: prefix,
                        ioc: true,
                    },
                    key,
                    secret,
                    table,
                    nonces,
                )
                .map_err(codec_err)?,
            )
        }
        VenueKind::Bybit => VenueCodec::Bybit(
            BybitCodec::new(
                BybitSettings {
                    host: host_header,
                    recv_window_ms: r.recv_window_ms,
                    client_id_prefix: prefix,
                },
                key,
                secret,
                table,
            )
            .map_err(codec_err)?,
        ),
        VenueKind::Okx => {
            let Some(passphrase) = cred.expose_passphrase() else {
                return Err(RestBuildError::Passphrase {
                    venue: i,
                    name: name(),
                    problem: "okx needs its API passphrase and none was loaded",
                });
            };
            VenueCodec::Okx(
                OkxCodec::new(
                    OkxSettings {
                        host: host_header,
                        client_id_prefix: prefix,
                    },
                    key,
                    secret,
                    passphrase,
                    table,
                )
                .map_err(codec_err)?,
            )
        }
    })
}

/// Client-id prefix for this run: the configured prefix, then the start time in seconds (last 7
/// digits) and an `x`, so ids differ between runs whose order ids restart at 1.
pub fn client_prefix(cfg: &Config, clock: &Clock) -> String {
    let secs = clock.unix_anchor_ns() / 1_000_000_000 % 10_000_000;
    format!("{}{secs}x", cfg.execution.rest.client_id_prefix)
}

/// One [`RestRouter`] over every venue of `cfg` that trades, with `creds[i]` for `venues[i]`
/// (a feed-only venue's entry is not read). Does not connect (see [`RestRouter::connect`]).
/// A host whose lookup fails is retried within [`dns::START_UP`] (the retries are kept for
/// [`RestRouter::dns_retries`]); one that never resolves is an error naming it.
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
    let router_clock = clock;
    let mut router = RestRouter::new(clock);
    for (i, (v, cred)) in cfg.venues.iter().zip(creds).enumerate() {
        if !v.trade {
            continue;
        }
        let url = v.rest_url.as_deref().unwrap_or(public_rest_url(v.kind));
        let mut retries = 0;
        let (host, host_header) =
            resolve_counted(url, &mut || retries += 1).map_err(|source| RestBuildError::Url {
                venue: i,
                name: v.name.clone(),
                source,
            })?;
        router.note_dns_retries(VenueId(i as u8), retries);
        let codec = venue_codec(cfg, i, cred, host_header, &prefix)?;
        let pool_err = |source| RestBuildError::Pool {
            venue: i,
            name: v.name.clone(),
            source,
        };
        let route = match codec {
            VenueCodec::Binance(c) => {
                RestRoute::Binance(RestGateway::new(c, &host, settings).map_err(pool_err)?)
            }
            VenueCodec::Upbit(c) => {
                RestRoute::Upbit(RestGateway::new(c, &host, settings).map_err(pool_err)?)
            }
            VenueCodec::Bybit(c) => {
                RestRoute::Bybit(RestGateway::new(c, &host, settings).map_err(pool_err)?)
            }
            VenueCodec::Okx(c) => {
                RestRoute::Okx(RestGateway::new(c, &host, settings).map_err(pool_err)?)
            }
        };
        let query_group = VenueExec::for_kind(v.kind, crate::model::Bps(0), crate::model::Bps(0))
            .query_group
            .0;
        router.add(VenueId(i as u8), route, query_group);
        let mut retries = 0;
        let ws = ws_gateway(cfg, i, cred, &prefix, router_clock, &mut || retries += 1).map_err(
            |source| RestBuildError::Ws {
                venue: i,
                name: v.name.clone(),
                source,
            },
        )?;
        router.note_dns_retries(VenueId(i as u8), retries);
        if let Some(ws) = ws {
            router.add_ws(VenueId(i as u8), ws);
        }
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
    fn every_kind_has_a_public_base() {
        for kind in VenueKind::ALL {
            assert!(resolve_shape(public_rest_url(kind)), "{kind:?}");
        }
        assert_eq!(public_rest_url(VenueKind::Okx), "https://www.okx.com");
    }

    /// An https base URL without a path (what `resolve` accepts, without resolving it).
    fn resolve_shape(url: &str) -> bool {
        url.strip_prefix("https://")
            .is_some_and(|h| !h.is_empty() && !h.contains('/'))
    }
}
