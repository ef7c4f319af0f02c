//! `[execution.reconcile]`: venue truth on the REST gateway. What start-up does with open orders it
//! did not place, how often the running engine asks the venues for balances and open orders, how
//! far a venue's balance may drift from what the engine's fills predict, and how many status
//! queries an order of unknown fate gets before it is called lost (the last one applies to the
//! paper gateway too). See docs/reconciliation.md.

use serde::{Deserialize, Serialize};

/// What to do with a foreign open order (one this process did not place) found on a traded
/// instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ForeignPolicy {
    /// Cancel it (the default): nothing the engine does not track may lock balance or trade
    /// against it.
    Cancel,
    /// Leave it on the book; it is counted (`exec.reconcile.foreign_orders`).
    Leave,
}

/// `[execution.reconcile]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReconcileConfig {
    /// Foreign open orders: `cancel` (default) or `leave`.
    pub foreign: ForeignPolicy,
    /// Interval of the running engine's open-order cross-check, ms (default 10 s).
    pub open_orders_ms: u64,
    /// Interval of the running engine's balance refresh, ms (default 30 s); a fill also asks for
    /// one (at most one every `balance_after_fill_ms`).
    pub balance_refresh_ms: u64,
    /// Shortest time between two balance refreshes asked by fills, ms.
    pub balance_after_fill_ms: u64,
    /// How far a venue's reported total (free + locked) may differ from the total the engine
    /// expects after its own fills, bp of the larger of the two (at least one unit of 1e-8 is
    /// always tolerated). Beyond it the difference is a balance mismatch and the venue stops
    /// trading for the rest of the run.
    pub balance_tolerance_bps: f64,
    /// Status-query rounds an order of unknown fate gets before it is marked lost: a round ends
    /// unsettled when its answer is still unknown (a 5xx, the connection's timeout) or when none
    /// comes for `execution.order_timeout_ms`.
    pub max_status_queries: u32,
    /// Timeout of one account call (balances, open orders, cancel), ms.
    pub timeout_ms: u64,
}

impl Default for ReconcileConfig {
    fn default() -> Self {
        ReconcileConfig {
            foreign: ForeignPolicy::Cancel,
            open_orders_ms: 10_000,
            balance_refresh_ms: 30_000,
            balance_after_fill_ms: 500,
            balance_tolerance_bps: 10.0,
            max_status_queries: 5,
            timeout_ms: 5_000,
        }
    }
}
