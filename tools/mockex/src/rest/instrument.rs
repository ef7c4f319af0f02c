//! One instrument of a venue's REST side: its symbol as the venue spells it, the two assets its
//! orders move in the venue's account, and its trading rules. A venue quoting several synthetic
//! instruments has one each (`ledger`), indexed like the venue's symbols and the market's
//! instruments, so an order on any of them fills against that instrument's own quotes.

use super::account::Assets;
use super::rules::Rules;

/// One instrument the REST side trades.
#[derive(Debug, Clone)]
pub(crate) struct Instrument {
    /// The venue's symbol for it, exactly as configured (what an order must name).
    pub symbol: String,
    /// Its base and quote assets.
    pub assets: Assets,
    /// Its rules.
    pub rules: Rules,
}
