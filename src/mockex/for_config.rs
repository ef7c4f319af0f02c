//! The mock exchange for an engine config: serve that config's venues (its first instrument, with
//! the config's symbols and scales) as a synthetic market, and point the config's venue URLs at
//! it. What `demo`, `soak` and the feed tests all need, in one place.

use super::config::{MockConfig, MockVenue, SyntheticSource};
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
    let ex = MockExchange::start(mock)?;
    for (v, e) in cfg.venues.iter_mut().zip(ex.endpoints()) {
        v.url = Some(e.ws_url.clone());
    }
    Ok(ex)
}
