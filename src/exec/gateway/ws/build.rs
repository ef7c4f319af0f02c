//! Building a venue's WebSocket gateway from a validated config (`order_entry = "ws"`, or a
//! private stream): each socket's URL resolved, TLS for `wss://`, the venue's dialect built with
//! its credentials (Binance's Ed25519 key read from its owner-only PEM file) over the venue's
//! instruments with the REST path's client-id prefix (so both paths name an order alike). Cold
//! path only (DNS, file reads). Errors name the venue's key or file, never key material.

use std::sync::Arc;

use thiserror::Error;

use crate::base::{Clock, ClockOffsets};
use crate::config::{Config, OrderEntry};
use crate::exec::gateway::codec::binance_ws::{Ed25519Key, KeyError, WsRequestWriter, WsSettings};
use crate::exec::gateway::codec::bybit_ws::{BybitWsSettings, BybitWsWriter, WsSocket};
use crate::exec::gateway::codec::jwt::JwtSigner;
use crate::exec::gateway::codec::nonce::UuidGen;
use crate::exec::gateway::codec::okx::{OkxCodec, OkxSettings};
use crate::exec::gateway::codec::okx_ws::{OkxWsSettings, OkxWsWriter};
use crate::exec::gateway::codec::InstrumentSpec;
use crate::exec::gateway::codec::{InstrumentTable, RequestError};
use crate::exec::guards::AssetId;
use crate::exec::private::upbit::{UpbitMarket, UpbitPrivateParser};
use crate::exec::secrets::ApiSecret;
use crate::model::{VenueId, VenueKind};
use crate::net::dns::{self, DnsError};
use crate::net::http::TlsTarget;
use crate::net::url::{UrlError, WsUrl};

use super::binance::BinanceDialect;
use super::bybit::BybitDialect;
use super::dialect::{AssetNames, WsDialect};
use super::gateway::WsGateway;
use super::handshake::path_of;
use super::okx::OkxDialect;
use super::session::{WsSession, WsSessionSettings};
use super::upbit::UpbitDialect;

/// Binance's spot WebSocket API, where `ws_api_url` is absent.
pub const PUBLIC_WS_API_URL: &str = "wss://ws-api.binance.com:443/ws-api/v3";
/// Bybit's trade socket (order entry), where a Bybit venue's `ws_api_url` is absent.
pub const BYBIT_TRADE_WS_URL: &str = "wss://stream.bybit.com/v5/trade";
/// Bybit's private stream, where a Bybit venue's `private_ws_url` is absent.
pub const BYBIT_PRIVATE_WS_URL: &str = "wss://stream.bybit.com/v5/private";

/// Upbit's private stream, where an Upbit venue's `private_ws_url` is absent.
pub const UPBIT_PRIVATE_WS_URL: &str = "wss://api.upbit.com/websocket/v1/private";

/// OKX's private WebSocket (orders and private channels), where `ws_api_url` is absent.
pub const OKX_PRIVATE_WS_URL: &str = "wss://ws.okx.com:8443/ws/v5/private";

/// Why a venue's WebSocket gateway could not be built.
#[derive(Debug, Error)]
pub enum WsBuildError {
    /// `ws_api_url` / `private_ws_url` is not a usable `ws://` / `wss://` URL.
    #[error("{key}: {source}")]
    Url {
        /// The config key.
        key: &'static str,
        /// Why.
        source: UrlError,
    },
    /// Its host did not resolve within the start-up bound.
    #[error("{key}: {source}")]
    Dns {
        /// The config key.
        key: &'static str,
        /// Why.
        source: DnsError,
    },
    /// The TLS client configuration could not be built, or the host is no TLS server name.
    #[error("{key}: TLS: {why}")]
    Tls {
        /// The config key.
        key: &'static str,
        /// Why.
        why: String,
    },
    /// `ed25519_key_file` is not set.
    #[error("ed25519_key_file is required with order_entry = \"ws\"")]
    NoKeyFile,
    /// The key file could not be read as an Ed25519 PKCS#8 key.
    #[error("ed25519_key_file: {0}")]
    Key(#[from] KeyError),
    /// The request writer refused the venue's symbols or the client-id prefix.
    #[error("ws request writer: {0}")]
    Codec(#[from] RequestError),
    /// No WebSocket session of this kind is built for the venue's kind.
    #[error("no WebSocket {what} for {kind} venues")]
    Unsupported {
        /// `order entry` or `private stream`.
        what: &'static str,
        /// The venue kind.
        kind: &'static str,
    },
    /// A credential the venue's login needs is missing (OKX's passphrase).
    #[error("the venue's credentials lack its {0}")]
    Credential(&'static str),
    /// The nonce generator could not be seeded from the OS (Upbit's JWT).
    #[error("nonce generator: {0}")]
    Nonce(#[source] std::io::Error),
}

/// Where one socket connects: address, `Host` header, path and TLS identity.
#[derive(Debug)]
pub struct Target {
    /// Session settings with the address, host header and path (defaults otherwise).
    pub settings: WsSessionSettings,
    /// TLS identity for `wss://`.
    pub tls: Option<TlsTarget>,
}

/// Resolve `url` (config key `key`) into a [`Target`] with the run's timeouts (cold path).
pub fn target(
    cfg: &Config,
    key: &'static str,
    url: &str,
    on_retry: &mut dyn FnMut(),
) -> Result<Target, WsBuildError> {
    let url = WsUrl::parse(url).map_err(|source| WsBuildError::Url { key, source })?;
    let addr = dns::resolve_at_start_up(&url.host, url.port, on_retry)
        .map_err(|source| WsBuildError::Dns { key, source })?[0];
    let tls = if url.tls {
        let tls_err = |e: &dyn std::fmt::Display| WsBuildError::Tls {
            key,
            why: e.to_string(),
        };
        let config = crate::net::tls::client_config(&[]).map_err(|e| tls_err(&e))?;
        let name =
            rustls::pki_types::ServerName::try_from(url.host.clone()).map_err(|e| tls_err(&e))?;
        Some(TlsTarget {
            config: Arc::clone(&config),
            name,
        })
    } else {
        None
    };
    let default_port = if url.tls { 443 } else { 80 };
    let host_header = if url.port == default_port {
        url.host.clone()
    } else if url.host.contains(':') {
        format!("[{}]:{}", url.host, url.port)
    } else {
        format!("{}:{}", url.host, url.port)
    };
    let mut s = WsSessionSettings::new(addr, host_header, path_of(&url.full).to_owned());
    let r = &cfg.execution.rest;
    // As the REST path: the stage times an order out at order_timeout and queries it; the
    // session gives the request up (Unknown) only later, so a late answer can still arrive.
    s.answer_timeout_ns = cfg.execution.order_timeout_ms.saturating_mul(2_000_000);
    s.connect_timeout_ns = r.connect_timeout_ms.saturating_mul(1_000_000);
    // A request unanswered for an order timeout with nothing read makes the session suspect.
    s.stale_after_ns = cfg.execution.order_timeout_ms.saturating_mul(1_000_000);
    Ok(Target { settings: s, tls })
}

/// The configured assets by name (cold path), for the dialects' balance pushes.
pub fn asset_names(cfg: &Config) -> AssetNames {
    match crate::model::assign_assets(cfg.instruments.iter().map(|i| i.name.as_str())) {
        Ok(a) => AssetNames::new(
            a.names
                .iter()
                .enumerate()
                .map(|(i, (n, _))| (n.as_str(), AssetId(i as u16))),
        ),
        Err(_) => AssetNames::default(),
    }
}

/// What a venue's build needs from the caller (cold path).
pub struct VenueInputs<'a> {
    /// The run's config.
    pub cfg: &'a Config,
    /// The venue's index in `cfg.venues`.
    pub index: usize,
    /// Its credentials (the REST path's).
    pub cred: &'a ApiSecret,
    /// The client-id prefix (`<prefix><order id>`).
    pub prefix: &'a str,
    /// Called before each retried DNS lookup.
    pub on_retry: &'a mut dyn FnMut(),
}

/// A venue's sockets: the order session's dialect and target, and the stream session's (where
/// the stream has a socket of its own).
type Sockets = (
    Option<(Box<dyn WsDialect>, Target)>,
    Option<(Box<dyn WsDialect>, Target)>,
);

/// The WebSocket gateway of `venues[i]` (order entry over `ws`, its private stream, or both), or
/// `None` when the venue uses neither; it connects on its first poll.
pub fn ws_gateway(
    cfg: &Config,
    i: usize,
    cred: &ApiSecret,
    prefix: &str,
    clock: Clock,
    on_retry: &mut dyn FnMut(),
) -> Result<Option<WsGateway>, WsBuildError> {
    let v = &cfg.venues[i];
    let ws = v.order_entry == OrderEntry::Ws;
    if !ws && !v.reads_private_stream() {
        return Ok(None);
    }
    let mut inputs = VenueInputs {
        cfg,
        index: i,
        cred,
        prefix,
        on_retry,
    };
    let (orders, stream): Sockets = match v.kind {
        VenueKind::Binance => (Some(binance(&mut inputs)?), None),
        VenueKind::Bybit => bybit(&mut inputs)?,
        VenueKind::Upbit if !ws => (None, Some(upbit(&mut inputs)?)),
        VenueKind::Okx => (Some(okx(&mut inputs)?), None),
        kind => {
            return Err(WsBuildError::Unsupported {
                what: if ws { "order entry" } else { "private stream" },
                kind: kind.name(),
            })
        }
    };
    let session = |(d, t): (Box<dyn WsDialect>, Target)| WsSession::new(t.settings, d, t.tls);
    Ok(Some(WsGateway::new(
        VenueId(i as u8),
        orders.map(session),
        stream.map(session),
        clock,
        ClockOffsets::new(),
    )))
}

/// Binance: the WebSocket API session, with the user-data stream on it when the private stream
/// is read.
fn binance(x: &mut VenueInputs<'_>) -> Result<(Box<dyn WsDialect>, Target), WsBuildError> {
    let v = &x.cfg.venues[x.index];
    let t = target(
        x.cfg,
        "ws_api_url",
        v.ws_api_url.as_deref().unwrap_or(PUBLIC_WS_API_URL),
        x.on_retry,
    )?;
    let file = v
        .ed25519_key_file
        .as_deref()
        .ok_or(WsBuildError::NoKeyFile)?;
    let key = Ed25519Key::from_pem_file(std::path::Path::new(file))?;
    let r = &x.cfg.execution.rest;
    let writer = WsRequestWriter::new(
        WsSettings {
            recv_window_ms: r.recv_window_ms,
            client_id_prefix: x.prefix.to_owned(),
            query_rate_limits: false,
        },
        InstrumentTable::for_venue(x.cfg, &v.name)?,
    )?;
    let dialect = BinanceDialect::new(
        writer,
        key,
        String::from_utf8_lossy(x.cred.expose_key()).into_owned(),
        r.recv_window_ms,
        v.reads_private_stream(),
        asset_names(x.cfg),
    );
    Ok((Box::new(dialect), t))
}

/// Bybit: the trade socket with `order_entry = "ws"`, and the private stream on its own socket
/// when it is read (both authenticated with the REST path's key and secret).
fn bybit(x: &mut VenueInputs<'_>) -> Result<Sockets, WsBuildError> {
    let v = &x.cfg.venues[x.index];
    let r = &x.cfg.execution.rest;
    let writer = || -> Result<BybitWsWriter, WsBuildError> {
        Ok(BybitWsWriter::new(
            BybitWsSettings {
                recv_window_ms: r.recv_window_ms,
                client_id_prefix: x.prefix.to_owned(),
            },
            InstrumentTable::for_venue(x.cfg, &v.name)?,
        )?)
    };
    let dialect = |socket, w| -> Box<dyn WsDialect> {
        Box::new(BybitDialect::new(
            socket,
            w,
            x.cred.expose_key(),
            x.cred.expose_secret(),
            asset_names(x.cfg),
        ))
    };
    let orders = if v.order_entry == OrderEntry::Ws {
        let url = v.ws_api_url.as_deref().unwrap_or(BYBIT_TRADE_WS_URL);
        let t = target(x.cfg, "ws_api_url", url, x.on_retry)?;
        Some((dialect(WsSocket::Trade, writer()?), t))
    } else {
        None
    };
    let stream = if v.reads_private_stream() {
        let url = v.private_ws_url.as_deref().unwrap_or(BYBIT_PRIVATE_WS_URL);
        let t = target(x.cfg, "private_ws_url", url, x.on_retry)?;
        Some((dialect(WsSocket::Private, writer()?), t))
    } else {
        None
    };
    Ok((orders, stream))
}

/// Upbit: the private stream on its own socket (orders stay on REST), authenticated by the
/// upgrade's Bearer JWT from the REST credentials, reading `myOrder` for the venue's markets
/// (identifiers `<prefix><order id>`, the REST codec's) and `myAsset` for configured assets.
fn upbit(x: &mut VenueInputs<'_>) -> Result<(Box<dyn WsDialect>, Target), WsBuildError> {
    let v = &x.cfg.venues[x.index];
    let t = target(
        x.cfg,
        "private_ws_url",
        v.private_ws_url.as_deref().unwrap_or(UPBIT_PRIVATE_WS_URL),
        x.on_retry,
    )?;
    let signer = JwtSigner::new(x.cred.expose_key(), x.cred.expose_secret())?;
    let nonces = UuidGen::from_os().map_err(WsBuildError::Nonce)?;
    let markets = x
        .cfg
        .instruments
        .iter()
        .enumerate()
        .filter_map(|(i, ins)| {
            ins.symbols.get(&v.name).map(|sym| UpbitMarket {
                instrument: crate::model::InstrumentId(i as u16),
                spec: InstrumentSpec {
                    symbol: sym.clone(),
                    price_scale: ins.price_scale,
                    qty_scale: ins.qty_scale,
                },
            })
        })
        .collect();
    let parser = UpbitPrivateParser::new(markets, x.prefix);
    let dialect = UpbitDialect::new(signer, nonces, parser, asset_names(x.cfg));
    Ok((Box::new(dialect), t))
}

/// OKX: the private WebSocket session (`ws_api_url`), its `orders` and `account` channels on it
/// when the private stream is read. The ops name instruments by `instIdCode`, which the start-up
/// rules give later ([`WsGateway::set_venue_codes`]); until then orders go on REST.
fn okx(x: &mut VenueInputs<'_>) -> Result<(Box<dyn WsDialect>, Target), WsBuildError> {
    let v = &x.cfg.venues[x.index];
    let t = target(
        x.cfg,
        "ws_api_url",
        v.ws_api_url.as_deref().unwrap_or(OKX_PRIVATE_WS_URL),
        x.on_retry,
    )?;
    let passphrase = x
        .cred
        .expose_passphrase()
        .ok_or(WsBuildError::Credential("passphrase"))?;
    let table = InstrumentTable::for_venue(x.cfg, &v.name)?;
    // The login's signer: the REST codec over the same credentials (its host is not used here).
    let codec = OkxCodec::new(
        OkxSettings {
            host: t.settings.host_header.clone(),
            client_id_prefix: x.prefix.to_owned(),
        },
        x.cred.expose_key(),
        x.cred.expose_secret(),
        passphrase,
        table.clone(),
    )?;
    let writer = OkxWsWriter::new(
        OkxWsSettings {
            client_id_prefix: x.prefix.to_owned(),
        },
        table,
    )?;
    let dialect = OkxDialect::new(writer, codec, v.reads_private_stream(), asset_names(x.cfg));
    Ok((Box::new(dialect), t))
}
