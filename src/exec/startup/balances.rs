//! Balances per (venue, configured asset) from the venue: at start-up into the risk book before
//! any order, and on the account thread every `execution.reconcile.balance_refresh_ms` and after
//! fills. The risk book gets the free amount; the total (free + locked) is what a mismatch is
//! judged on ([`crate::exec::truth::state`]). Venue asset codes are matched to the assets of the
//! configured instrument names (`BTC/USDT` -> `BTC`, `USDT`), ignoring ASCII case. Cold path.

use crate::exec::account::AccountClient;
use crate::exec::guards::{Risk, RiskUpdateError};
use crate::exec::truth::convert::{balances_of, AssetBalance};
use crate::exec::truth::TruthError;
use crate::model::VenueId;

/// Ask `client`'s venue for its balances of `assets` (names by asset id).
pub fn fetch_balances(
    client: &mut AccountClient,
    assets: &[String],
) -> Result<Vec<AssetBalance>, TruthError> {
    let answer = client.balances()?;
    balances_of(client.name(), &answer, assets)
}

/// Put a venue's balances into the risk book (free amounts).
pub fn apply(risk: &mut Risk, venue: VenueId, b: &[AssetBalance]) -> Result<(), RiskUpdateError> {
    for &(asset, free, _) in b {
        risk.set_balance(venue, asset, free)?;
    }
    Ok(())
}
