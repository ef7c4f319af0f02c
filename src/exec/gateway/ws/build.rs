//! Building a venue's WebSocket API gateway from a validated config (`order_entry = "ws"`):
//! the URL resolved, TLS for `wss://`, the Ed25519 key read from its owner-only PEM file, the
//! request writer over the venue's instruments with the REST path's client-id prefix (so both
//! paths name an order alike). Cold path only (DNS, file reads). Errors name the venue's key or
//! file, never key material.

use std::sync::Arc;

use thiserror::Error;

use crate::base::{Clock, ClockOffsets};
use crate::config::Config;
use crate::exec::gateway::codec::binance_ws::{Ed25519Key, KeyError, WsRequestWriter, WsSettings};
use crate::exec::gateway::codec::{InstrumentTable, RequestError};
use crate::model::VenueId;
use crate::net::dns::{self, DnsError};
use crate::net::http::TlsTarget;
use crate::net::url::{UrlError, WsUrl};

use super::gateway::BinanceWsGateway;
use super::handshake::path_of;
use super::session::{WsSession, WsSessionSettings};

/// Binance's spot WebSocket API, where `ws_api_url` is absent.
pub const PUBLIC_WS_API_URL: &str = "wss://ws-api.binance.com:443/ws-api/v3";

/// Why a venue's WebSocket API gateway could not be built.
#[derive(Debug, Error)]
pub enum WsBuildError {
    /// `ws_api_url` is not a usable `ws://` / `wss://` URL.
    #[error("ws_api_url: {0}")]
    Url(#[from] UrlError),
    /// Its host did not resolve within the start-up bound.
    #[error("ws_api_url: {0}")]
    Dns(#[from] DnsError),
    /// The TLS client configuration could not be built, or the host is no TLS server name.
    #[error("ws_api_url: TLS: {0}")]
    Tls(String),
    /// `ed25519_key_file` is not set.
    #[error("ed25519_key_file is required with order_entry = \"ws\"")]
    NoKeyFile,
    /// The key file could not be read as an Ed25519 PKCS#8 key.
    #[error("ed25519_key_file: {0}")]
    Key(#[from] KeyError),
    /// The request writer refused the venue's symbols or the client-id prefix.
    #[error("ws request writer: {0}")]
    Codec(#[from] RequestError),
}

/// The WebSocket API gateway of `venues[i]`, logging on with `api_key`, client ids
/// `<prefix><order id>`; `on_retry` is called before each retried DNS lookup. It connects on its
/// first poll.
pub fn ws_gateway(
    cfg: &Config,
    i: usize,
    api_key: &[u8],
    prefix: &str,
    clock: Clock,
    on_retry: &mut dyn FnMut(),
) -> Result<BinanceWsGateway, WsBuildError> {
    let v = &cfg.venues[i];
    let url = WsUrl::parse(v.ws_api_url.as_deref().unwrap_or(PUBLIC_WS_API_URL))?;
    let addr = dns::resolve_at_start_up(&url.host, url.port, on_retry)?[0];
    let tls = if url.tls {
        let config =
            crate::net::tls::client_config(&[]).map_err(|e| WsBuildError::Tls(e.to_string()))?;
        let name = rustls::pki_types::ServerName::try_from(url.host.clone())
            .map_err(|e| WsBuildError::Tls(e.to_string()))?;
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
    let file = v
        .ed25519_key_file
        .as_deref()
        .ok_or(WsBuildError::NoKeyFile)?;
    let key = Ed25519Key::from_pem_file(std::path::Path::new(file))?;
    let r = &cfg.execution.rest;
    let writer = WsRequestWriter::new(
        WsSettings {
            recv_window_ms: r.recv_window_ms,
            client_id_prefix: prefix.to_owned(),
            query_rate_limits: false,
        },
        InstrumentTable::for_venue(cfg, &v.name)?,
    )?;
    let mut s = WsSessionSettings::new(
        addr,
        host_header,
        path_of(&url.full).to_owned(),
        String::from_utf8_lossy(api_key).into_owned(),
    );
    s.recv_window_ms = r.recv_window_ms;
    // As the REST path: the stage times an order out at order_timeout and queries it; the
    // session gives the request up (Unknown) only later, so a late answer can still arrive.
    s.answer_timeout_ns = cfg.execution.order_timeout_ms.saturating_mul(2_000_000);
    s.connect_timeout_ns = r.connect_timeout_ms.saturating_mul(1_000_000);
    let session = WsSession::new(s, writer, key, tls);
    Ok(BinanceWsGateway::new(
        VenueId(i as u8),
        session,
        clock,
        ClockOffsets::new(),
    ))
}
