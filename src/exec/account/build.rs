//! Building an [`AccountClient`] for one venue of a config: its REST base URL (`venues[].rest_url`
//! or the venue's public one), its credentials (the same sources the order gateway reads), and
//! the venue's order codec for the signing.
//!
//! Cold path (DNS, environment and file reads). Errors name the venue and the key path or the
//! variable, never a key or secret.

use std::time::Duration;

use super::client::AccountClient;
use super::error::AccountError;
use super::http::{BlockingHttp, DEFAULT_MAX_RESPONSE};
use super::venue::AccountVenue;
use super::venues::{BinanceAccount, BybitAccount, OkxAccount, UpbitAccount};
use crate::config::Config;
use crate::exec::gateway::codec::nonce::UuidGen;
use crate::exec::gateway::codec::{
    BinanceCodec, BinanceSettings, BybitCodec, BybitSettings, InstrumentTable, OkxCodec,
    OkxSettings, UpbitCodec, UpbitSettings,
};
use crate::exec::gateway::rest::{load_venue_credentials, public_rest_url};
use crate::exec::secrets::ApiSecret;
use crate::model::VenueKind;

/// Timeout of one account exchange unless the caller chooses another.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Load the credentials of `cfg.venues[i]` with the order gateway's own loader
/// ([`crate::exec::gateway::rest::load_venue_credentials`]: the same sources, the same checks,
/// OKX's passphrase included). `Ok(None)` when the venue names no credential source at all, so
/// public calls (rules, time) still work.
pub fn load_account_credentials(cfg: &Config, i: usize) -> Result<Option<ApiSecret>, AccountError> {
    let v = &cfg.venues[i];
    let none = v.api_key_env.is_none()
        && v.api_secret_env.is_none()
        && v.api_secret_file.is_none()
        && v.api_passphrase_env.is_none();
    if none {
        return Ok(None);
    }
    load_venue_credentials(cfg, i)
        .map(Some)
        .map_err(|e| AccountError::Setup {
            venue: v.name.clone(),
            why: e.to_string(),
        })
}

/// The client for the venue named `venue` in `cfg`, signing with `creds` (`None`: public calls
/// only; see [`load_account_credentials`]).
pub fn client_for_venue(
    cfg: &Config,
    venue: &str,
    creds: Option<&ApiSecret>,
    timeout: Duration,
) -> Result<AccountClient, AccountError> {
    let v = cfg
        .venues
        .iter()
        .find(|v| v.name == venue)
        .ok_or_else(|| AccountError::Setup {
            venue: venue.to_string(),
            why: format!(
                "no such venue in the config (venues: {})",
                cfg.venues
                    .iter()
                    .map(|v| v.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
    let url = v.rest_url.as_deref().unwrap_or(public_rest_url(v.kind));
    client_for_url(
        &v.name,
        v.kind,
        url,
        cfg.execution.rest.recv_window_ms,
        creds,
        timeout,
    )
}

/// The client for a venue of `kind` named `name` at REST base `url` (`http://` or `https://`,
/// no path).
pub fn client_for_url(
    name: &str,
    kind: VenueKind,
    url: &str,
    recv_window_ms: u32,
    creds: Option<&ApiSecret>,
    timeout: Duration,
) -> Result<AccountClient, AccountError> {
    let setup = |why: String| AccountError::Setup {
        venue: name.to_string(),
        why,
    };
    let codec_err = |source| AccountError::Codec {
        venue: name.to_string(),
        source,
    };
    let (host, host_header) =
        crate::exec::gateway::rest::build::resolve(url).map_err(|e| setup(e.to_string()))?;
    let http = BlockingHttp::new(&host, timeout, DEFAULT_MAX_RESPONSE).map_err(setup)?;
    let (key, secret): (&[u8], &[u8]) = match creds {
        Some(s) => (s.expose_key(), s.expose_secret()),
        None => (b"", b""),
    };
    let passphrase = creds.and_then(ApiSecret::expose_passphrase);
    let no_keys = creds.is_none().then_some("API credentials");
    // The account calls name orders by the client id they were placed with, so the codecs need
    // no instruments and no prefix of their own.
    let table = InstrumentTable::default();
    let prefix = String::new();
    let venue: Box<dyn AccountVenue + Send> = match kind {
        VenueKind::Binance => Box::new(BinanceAccount::new(
            name,
            BinanceCodec::new(
                BinanceSettings {
                    host: host_header,
                    recv_window_ms,
                    client_id_prefix: prefix,
                },
                key,
                secret,
                table,
            )
            .map_err(codec_err)?,
            no_keys,
        )),
        VenueKind::Upbit => {
            let nonces = UuidGen::from_os().map_err(|e| setup(format!("nonce seed: {e}")))?;
            Box::new(UpbitAccount::new(
                name,
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
                no_keys,
            ))
        }
        VenueKind::Bybit => Box::new(BybitAccount::new(
            name,
            BybitCodec::new(
                BybitSettings {
                    host: host_header,
                    recv_window_ms,
                    client_id_prefix: prefix,
                },
                key,
                secret,
                table,
            )
            .map_err(codec_err)?,
            no_keys,
        )),
        VenueKind::Okx => {
            let missing = no_keys.or(passphrase.is_none().then_some("an OKX API passphrase"));
            Box::new(OkxAccount::new(
                name,
                OkxCodec::new(
                    OkxSettings {
                        host: host_header,
                        client_id_prefix: prefix,
                    },
                    key,
                    secret,
                    passphrase.unwrap_or(b""),
                    table,
                )
                .map_err(codec_err)?,
                missing,
            ))
        }
    };
    Ok(AccountClient::new(
        name,
        venue,
        http,
        matches!(kind, VenueKind::Upbit),
    ))
}
