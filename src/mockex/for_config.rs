//! The mock exchange for an engine config: serve that config's venues (its first instrument, with
//! the config's symbols and scales) as a synthetic market, and point the config's venue URLs at
//! it. What `demo`, `soak` and the feed tests all need, in one place. With REST
//! ([`serve_config_rest`]) the mock also serves its REST order endpoints, and the config's
//! `venues[].rest_url` point at them too.

use super::config::{ApiCredentials, MockConfig, MockVenue, SyntheticSource};
use super::rest::has_rest;
use super::rest_limits::RestLimits;
use super::server::{MockError, MockExchange};
use crate::config::Config;
use crate::sim::SimParams;

/// Start a mock exchange serving `cfg`'s venues at `rate_per_s` frames per second in total, with
/// one injected dislocation every `dislocation_every` frames, and set each `venues[].url` of `cfg`
/// to the mock's endpoint.
pub fn serve_config(
    cfg: &mut Config,
    rate_per_s: u64,
    dislocation_every: u64,
) -> Result<MockExchange, MockError> {
    serve(cfg, rate_per_s, dislocation_every, None)
}

/// [`serve_config`] with the REST order endpoints on too: requests are verified against `api`
/// and limited by `limits`, and each `venues[].rest_url` of `cfg` is set to its venue's REST base
/// as well. Every venue of `cfg` must be of a kind the mock serves REST for ([`has_rest`]): the
/// first that is not is [`MockError::NoRest`], before anything starts.
pub fn serve_config_rest(
    cfg: &mut Config,
    rate_per_s: u64,
    dislocation_every: u64,
    api: ApiCredentials,
    limits: RestLimits,
) -> Result<MockExchange, MockError> {
    if let Some(v) = cfg.venues.iter().find(|v| !has_rest(v.kind)) {
        return Err(MockError::NoRest(v.name.clone()));
    }
    serve(cfg, rate_per_s, dislocation_every, Some((api, limits)))
}

fn serve(
    cfg: &mut Config,
    rate_per_s: u64,
    dislocation_every: u64,
    rest: Option<(ApiCredentials, RestLimits)>,
) -> Result<MockExchange, MockError> {
    let instrument = &cfg.instruments[0];
    let venues: Vec<MockVenue> = cfg
        .venues
        .iter()
        .map(|v| MockVenue {
            name: v.name.clone(),
            kind: v.kind,
            symbol: instrument.symbols[&v.name].clone(),
        })
        .collect();
    let source = SyntheticSource {
        params: SimParams {
            venues: venues.len(),
            dislocation_every,
            ..SimParams::default()
        },
        price_scale: instrument.price_scale,
        qty_scale: instrument.qty_scale,
        max_frames: None,
    };
    let mut mock = MockConfig::synthetic(venues, source);
    mock.rate_per_s = rate_per_s;
    let with_rest = rest.is_some();
    if let Some((api, limits)) = rest {
        mock.api = Some(api);
        mock.rest_limits = limits;
    }
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
