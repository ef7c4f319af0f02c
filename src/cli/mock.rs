//! The mock exchange for an engine config: map the config's venues (its first instrument's
//! symbols and scales) to the mock's plain venue data, start [`mockex::serve_synthetic`], and
//! point the config's `venues[].url` (and with REST `venues[].rest_url`) at it. With REST, every
//! venue kind is served (the OKX passphrase travels in [`ApiCredentials::passphrase`]), and a
//! caller may set the mock's starting balances and instrument rules
//! ([`serve_config_rest_with`]).
//!
//! The one place the engine's config meets the mock exchange: `demo` uses it as a module of the
//! binary; the root tests (`tests/support/mock.rs`) and the bench tools (`tools/bench`) include
//! this same file with `#[path]`, since a binary's modules are not reachable from other crates.
//! It therefore names only `microarb::` and `mockex::` paths. Each includer uses part of it.
#![allow(dead_code)]

use microarb::config::Config;
use microarb::model::VenueKind;
use mockex::{ApiCredentials, MockConfig, MockError, MockExchange, MockVenue, RestLimits, Scales};

/// The mock's venue kind for an engine venue kind.
pub fn mock_kind(kind: VenueKind) -> mockex::VenueKind {
    match kind {
        VenueKind::Binance => mockex::VenueKind::Binance,
        VenueKind::Upbit => mockex::VenueKind::Upbit,
        VenueKind::Bybit => mockex::VenueKind::Bybit,
        VenueKind::Okx => mockex::VenueKind::Okx,
    }
}

/// The engine's venue kind for a mock venue kind (the inverse of [`mock_kind`]).
pub fn engine_kind(kind: mockex::VenueKind) -> VenueKind {
    match kind {
        mockex::VenueKind::Binance => VenueKind::Binance,
        mockex::VenueKind::Upbit => VenueKind::Upbit,
        mockex::VenueKind::Bybit => VenueKind::Bybit,
        mockex::VenueKind::Okx => VenueKind::Okx,
    }
}

/// `cfg`'s venues as the mock serves them (in config order, its first instrument's symbols) and
/// that instrument's scales.
pub fn mock_venues(cfg: &Config) -> (Vec<MockVenue>, Scales) {
    let instrument = &cfg.instruments[0];
    let venues = cfg
        .venues
        .iter()
        .map(|v| MockVenue {
            name: v.name.clone(),
            kind: mock_kind(v.kind),
            symbols: vec![instrument.symbols[&v.name].clone()],
        })
        .collect();
    let scales = Scales {
        price: instrument.price_scale,
        qty: instrument.qty_scale,
    };
    (venues, scales)
}

/// Start a mock exchange serving `cfg`'s venues at `rate_per_s` frames per second in total, with
/// one injected dislocation every `dislocation_every` frames, and set each `venues[].url` of `cfg`
/// to the mock's endpoint.
pub fn serve_config(
    cfg: &mut Config,
    rate_per_s: u64,
    dislocation_every: u64,
) -> Result<MockExchange, MockError> {
    serve(cfg, rate_per_s, dislocation_every, None, |_| {})
}

/// [`serve_config`] with `edit` applied to the mock's config before it starts (the demo lengthens
/// its dislocations through `source`).
pub fn serve_config_with(
    cfg: &mut Config,
    rate_per_s: u64,
    dislocation_every: u64,
    edit: impl FnOnce(&mut MockConfig),
) -> Result<MockExchange, MockError> {
    serve(cfg, rate_per_s, dislocation_every, None, edit)
}

/// [`serve_config`] with the REST endpoints on too (every venue kind: Binance, Upbit, Bybit,
/// OKX): requests are verified against `api` (OKX's passphrase is `api.passphrase`) and limited
/// by `limits`, and each `venues[].rest_url` of `cfg` is set to its venue's REST base as well.
/// The mock's accounts and instrument rules are its defaults (generous balances, rules every
/// order passes).
pub fn serve_config_rest(
    cfg: &mut Config,
    rate_per_s: u64,
    dislocation_every: u64,
    api: ApiCredentials,
    limits: RestLimits,
) -> Result<MockExchange, MockError> {
    serve_config_rest_with(cfg, rate_per_s, dislocation_every, api, limits, |_| {})
}

/// [`serve_config_rest`] with `edit` applied to the mock's config before it starts: set
/// `rest_accounts` (starting balances) or `rest_rules` (tick, step, minimums) per venue name.
pub fn serve_config_rest_with(
    cfg: &mut Config,
    rate_per_s: u64,
    dislocation_every: u64,
    api: ApiCredentials,
    limits: RestLimits,
    edit: impl FnOnce(&mut MockConfig),
) -> Result<MockExchange, MockError> {
    serve(
        cfg,
        rate_per_s,
        dislocation_every,
        Some((api, limits)),
        edit,
    )
}

fn serve(
    cfg: &mut Config,
    rate_per_s: u64,
    dislocation_every: u64,
    rest: Option<(ApiCredentials, RestLimits)>,
    edit: impl FnOnce(&mut MockConfig),
) -> Result<MockExchange, MockError> {
    let (venues, scales) = mock_venues(cfg);
    let with_rest = rest.is_some();
    let mut mock = mockex::synthetic_config(venues, scales, rate_per_s, dislocation_every, rest)?;
    edit(&mut mock);
    let ex = MockExchange::start(mock)?;
    for (v, e) in cfg.venues.iter_mut().zip(ex.endpoints()) {
        v.url = Some(e.ws_url.clone());
        if with_rest {
            v.rest_url = Some(
                e.rest_url
                    .clone()
                    .ok_or_else(|| MockError::NoRest(e.name.clone()))?,
            );
        }
    }
    Ok(ex)
}
