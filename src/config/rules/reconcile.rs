//! `[execution.reconcile]`: intervals, the balance tolerance and the status-query bound.

use crate::config::check::Check;
use crate::config::schema::Config;

/// Check `[execution.reconcile]`'s keys (the policy is an enum serde already checked).
pub(in crate::config) fn reconcile(k: &mut Check, c: &Config) {
    let r = &c.execution.reconcile;
    k.range_u64(
        "execution.reconcile.open_orders_ms",
        r.open_orders_ms,
        100,
        3_600_000,
    );
    k.range_u64(
        "execution.reconcile.balance_refresh_ms",
        r.balance_refresh_ms,
        100,
        3_600_000,
    );
    k.range_u64(
        "execution.reconcile.balance_after_fill_ms",
        r.balance_after_fill_ms,
        0,
        600_000,
    );
    k.bps(
        "execution.reconcile.balance_tolerance_bps",
        r.balance_tolerance_bps,
        0.0,
        10_000.0,
    );
    k.range_u64(
        "execution.reconcile.max_status_queries",
        u64::from(r.max_status_queries),
        1,
        1_000,
    );
    k.range_u64("execution.reconcile.timeout_ms", r.timeout_ms, 1, 600_000);
}
