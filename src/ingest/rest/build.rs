//! Building one venue's REST fallback from a validated config (cold path: parses the base URL,
//! resolves its host, writes every request of a round once).
//!
//! The requests carry no time, nonce or signature (the endpoints are public), so each is written
//! whole here and copied into the connection's buffer when due. Binance and Upbit ask for every
//! instrument in one request; Bybit and OKX take one request per instrument (see
//! `config::rest_poll` for what a round costs against each venue's limit).

use std::net::SocketAddr;
use std::sync::Arc;

use rustls::pki_types::ServerName;
use thiserror::Error;

use super::{binance, bybit, okx, upbit};
use crate::config::{rest_poll, Config};
use crate::ingest::venues::{SymbolInfo, SymbolTable};
use crate::model::{VenueId, VenueKind};
use crate::net::http::TlsTarget;

/// The venue's public market-data REST base, used when `venues[].rest_url` is absent.
pub const fn public_base(kind: VenueKind) -> &'static str {
    match kind {
        VenueKind::Binance => "https://api.binance.com",
        VenueKind::Upbit => "https://api.upbit.com",
        VenueKind::Bybit => "https://api.bybit.com",
        VenueKind::Okx => "https://www.okx.com",
    }
}

/// Why a venue's REST fallback could not be built.
#[derive(Debug, Error)]
pub enum RestBuildError {
    /// The base URL is not `http(s)://host[:port]`.
    #[error("venue {venue}: rest_url {url:?} is not an http:// or https:// base URL")]
    Url {
        /// Venue name.
        venue: String,
        /// The URL.
        url: String,
    },
    /// The host did not resolve.
    #[error("venue {venue}: cannot resolve {host}: {reason}")]
    Resolve {
        /// Venue name.
        venue: String,
        /// Host.
        host: String,
        /// The resolver's words.
        reason: String,
    },
}

/// One request of a round: its bytes and, for venues whose answer does not name it, the
/// instrument it asks for.
#[derive(Debug, Clone)]
pub struct RestRequest {
    /// The whole HTTP/1.1 request.
    pub bytes: Vec<u8>,
    /// The instrument asked for, when the request names exactly one.
    pub asked: Option<SymbolInfo>,
}

/// Everything fixed about one venue's REST fallback.
#[derive(Debug, Clone)]
pub struct RestSpec {
    /// Venue id.
    pub venue: VenueId,
    /// Venue name (counters).
    pub name: String,
    /// Protocol.
    pub kind: VenueKind,
    /// Where to connect.
    pub addr: SocketAddr,
    /// TLS identity for https.
    pub tls: Option<TlsTarget>,
    /// The requests of one round, in order.
    pub requests: Vec<RestRequest>,
    /// Interval between round starts.
    pub poll_ns: u64,
    /// Longest wait for an answer (and for a connect).
    pub timeout_ns: u64,
    /// Largest answer accepted.
    pub in_cap: usize,
    /// The venue's quiet time at start-up: no polling before the WebSocket had this long to
    /// deliver its first quote (its `stale_after_ms`).
    pub startup_grace_ns: u64,
}

fn split_base(url: &str) -> Option<(bool, String, u16)> {
    let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else {
        (false, url.strip_prefix("http://")?)
    };
    let authority = rest.trim_end_matches('/');
    if authority.is_empty() || authority.contains('/') {
        return None;
    }
    let default = if tls { 443 } else { 80 };
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']')?;
            match after.strip_prefix(':') {
                Some(p) => (host, p.parse().ok()?),
                None if after.is_empty() => (host, default),
                None => return None,
            }
        }
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()?),
            None => (authority, default),
        },
    };
    (!host.is_empty()).then(|| (tls, host.to_string(), port))
}

fn request(path: &str, host: &str, asked: Option<SymbolInfo>) -> RestRequest {
    let text = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: microarb\r\nAccept: application/json\r\n\r\n"
    );
    RestRequest {
        bytes: text.into_bytes(),
        asked,
    }
}

/// The REST fallback of venue `vi` (`symbols`: its `(venue symbol, ...)` entries, in instrument
/// order, as ingest builds its symbol table).
pub fn rest_spec(
    cfg: &Config,
    vi: usize,
    symbols: &[(&str, crate::model::InstrumentId, u8, u8)],
    tls: Option<Arc<rustls::ClientConfig>>,
) -> Result<RestSpec, RestBuildError> {
    let v = &cfg.venues[vi];
    let url = v.rest_url.as_deref().unwrap_or(public_base(v.kind));
    let bad = || RestBuildError::Url {
        venue: v.name.clone(),
        url: url.to_string(),
    };
    let (https, host, port) = split_base(url).ok_or_else(bad)?;
    // A failed lookup is retried within the start-up bound (`net::dns::START_UP`).
    let addr = crate::net::dns::resolve_at_start_up(&host, port, &mut || {}).map_err(|e| {
        RestBuildError::Resolve {
            venue: v.name.clone(),
            host: host.clone(),
            reason: e.to_string(),
        }
    })?[0];
    let tls = match (https, tls) {
        (true, Some(config)) => Some(TlsTarget {
            config,
            name: ServerName::try_from(host.clone()).map_err(|_| bad())?,
        }),
        (true, None) => return Err(bad()),
        (false, _) => None,
    };
    let host_header = if port == if https { 443 } else { 80 } {
        host.clone()
    } else if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let names: Vec<&str> = symbols.iter().map(|s| s.0).collect();
    let table = SymbolTable::from_entries(symbols.iter().copied()).map_err(|_| bad())?;
    let requests = match v.kind {
        VenueKind::Binance => vec![request(&binance::path(&names), &host_header, None)],
        VenueKind::Upbit => vec![request(&upbit::path(&names), &host_header, None)],
        VenueKind::Bybit | VenueKind::Okx => names
            .iter()
            .map(|s| {
                let path = if v.kind == VenueKind::Bybit {
                    bybit::path(s)
                } else {
                    okx::path(s)
                };
                request(&path, &host_header, table.get(s.as_bytes()))
            })
            .collect(),
    };
    let n = symbols.len() as u64;
    let poll_ms = rest_poll::poll_ms(v.kind, n.max(1), v.rest_poll_ms);
    Ok(RestSpec {
        venue: VenueId(vi as u8),
        name: v.name.clone(),
        kind: v.kind,
        addr,
        tls,
        requests,
        poll_ns: poll_ms * 1_000_000,
        timeout_ns: cfg.ingest.rest_timeout_ms * 1_000_000,
        in_cap: 16 * 1024 + 4096 * symbols.len(),
        startup_grace_ns: v.stale_after_ms * 1_000_000,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            split_base("https://api.binance.com"),
            Some((true, "api.binance.com".into(), 443))
        );
        assert_eq!(
            split_base("http://127.0.0.1:8080/"),
            Some((false, "127.0.0.1".into(), 8080))
        );
        assert_eq!(
            split_base("http://[::1]:81"),
            Some((false, "::1".into(), 81))
        );
        assert_eq!(split_base("https://[::1]"), Some((true, "::1".into(), 443)));
        assert_eq!(split_base("ftp://x"), None);
        assert_eq!(split_base("http://h/path"), None);
        assert_eq!(split_base("http://h:notaport"), None);
        for kind in VenueKind::ALL {
            assert!(split_base(public_base(kind)).is_some());
        }
    }

    #[test]
    fn requests_per_round() {
        let r = request("/v1/orderbook?markets=KRW-BTC", "api.upbit.com", None);
        assert_eq!(
            String::from_utf8(r.bytes).unwrap(),
            "GET /v1/orderbook?markets=KRW-BTC HTTP/1.1\r\nHost: api.upbit.com\r\nUser-Agent: microarb\r\nAccept: application/json\r\n\r\n"
        );
    }
}
