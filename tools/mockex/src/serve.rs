//! A synthetic market over plain venue data, the mock exchange every engine-side caller wants:
//! `demo`, `soak` and the feed tests map their engine config to [`MockVenue`]s and scales (one
//! helper, the engine binary's `src/cli/mock.rs`) and start the mock here, then point their
//! config's venue URLs at [`MockExchange::endpoints`]. Optionally with the REST order endpoints.

use super::config::{ApiCredentials, MockConfig, MockVenue, SyntheticSource};
use super::format::Scales;
use super::rest::has_rest;
use super::rest::RestLimits;
use super::server::{MockError, MockExchange};
use crate::market::SimParams;

/// Start a mock exchange serving `venues` (in order: the market's venue `i` is `venues[i]`) as
/// one synthetic market whose mantissas are at `scales`, `rate_per_s` frames per second in total,
/// one injected dislocation every `dislocation_every` frames. With `rest` the REST order
/// endpoints are served too, verifying against its credentials and enforcing its limits; then
/// every venue must be of a kind the mock serves REST for ([`has_rest`]): the first that is not
/// is [`MockError::NoRest`], before anything starts.
pub fn serve_synthetic(
    venues: Vec<MockVenue>,
    scales: Scales,
    rate_per_s: u64,
    dislocation_every: u64,
    rest: Option<(ApiCredentials, RestLimits)>,
) -> Result<MockExchange, MockError> {
    let mock = synthetic_config(venues, scales, rate_per_s, dislocation_every, rest)?;
    MockExchange::start(mock)
}

/// The config [`serve_synthetic`] starts, for a caller that edits it first (the REST side's
/// rules and starting balances, [`MockConfig::rest_rules`], [`MockConfig::rest_accounts`]) and
/// then calls [`MockExchange::start`].
pub fn synthetic_config(
    venues: Vec<MockVenue>,
    scales: Scales,
    rate_per_s: u64,
    dislocation_every: u64,
    rest: Option<(ApiCredentials, RestLimits)>,
) -> Result<MockConfig, MockError> {
    if rest.is_some() {
        if let Some(v) = venues.iter().find(|v| !has_rest(v.kind)) {
            return Err(MockError::NoRest(v.name.clone()));
        }
    }
    let source = SyntheticSource {
        params: SimParams {
            venues: venues.len(),
            dislocation_every,
            ..SimParams::default()
        },
        price_scale: scales.price,
        qty_scale: scales.qty,
        max_frames: None,
    };
    let mut mock = MockConfig::synthetic(venues, source);
    mock.rate_per_s = rate_per_s;
    if let Some((api, limits)) = rest {
        mock.api = Some(api);
        mock.rest_limits = limits;
    }
    Ok(mock)
}
