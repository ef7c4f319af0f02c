//! `[risk]`: order and open notional, loss limit, kill file.

use crate::config::check::Check;
use crate::config::schema::Config;

/// Check the risk section.
pub(in crate::config) fn risk(k: &mut Check, c: &Config) {
    let r = &c.risk;
    k.positive_amount("risk.max_order_notional", &r.max_order_notional, 8);
    k.positive_amount("risk.max_open_notional", &r.max_open_notional, 8);
    k.positive_amount("risk.loss_limit", &r.loss_limit, 8);
    if r.kill_file.as_deref() == Some("") {
        k.fail("risk.kill_file", "must not be empty when given");
    }
}
