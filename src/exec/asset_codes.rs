//! Each instrument's (base, quote) asset codes from the execution parameters, for the trade
//! log's fixed-size records (cold path: built once with the stage).

use crate::exec::guards::risk::AssetId;
use crate::exec::params::ExecParams;
use crate::model::{AssetCode, InstrumentId};

/// Each instrument's (base, quote) asset code, by instrument index, for the records (cold path).
pub fn asset_codes(p: &ExecParams) -> Vec<(AssetCode, AssetCode)> {
    let code = |a: AssetId| {
        p.names
            .assets
            .get(usize::from(a.0))
            .and_then(|n| AssetCode::new(n.as_bytes()))
            .unwrap_or_default()
    };
    (0..p.scales.len())
        .map(|i| {
            p.risk
                .instrument_risk(InstrumentId(i as u16))
                .map_or((AssetCode::EMPTY, AssetCode::EMPTY), |r| {
                    (code(r.base), code(r.quote))
                })
        })
        .collect()
}
