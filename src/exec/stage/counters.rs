//! The execution stage's telemetry counters (`exec.*`), registered on the cold path. Live ones are
//! incremented where things happen; breaker, slot and rate-limit tallies kept by the building blocks
//! are copied into theirs at each telemetry flush (`exec.emergency.active` is a gauge: the venues in
//! rate-limit emergency mode at the flush).

use crate::base::Counter;
use crate::exec::limits::EmergencyCause;
use crate::telemetry::Registry;

pub(super) struct ExecCounters {
    pub(super) opps_in: Counter,
    pub(super) arbs_sent: Counter,
    pub(super) orders_sent: Counter,
    pub(super) order_bytes: Counter,
    pub(super) fills: Counter,
    pub(super) rejects: Counter,
    pub(super) status_429: Counter,
    pub(super) status_5xx: Counter,
    pub(super) timeouts: Counter,
    pub(super) query_timeouts: Counter,
    pub(super) status_queries: Counter,
    pub(super) accepted: Counter,
    pub(super) late_reports: Counter,
    pub(super) submit_errors: Counter,
    pub(super) encode_errors: Counter,
    pub(super) risk_update_errors: Counter,
    pub(super) waits: Counter,
    pub(super) wait_full: Counter,
    pub(super) imbalances: Counter,
    pub(super) retries: Counter,
    pub(super) unwinds: Counter,
    pub(super) residual: Counter,
    /// Hedges the legging policy asked for that the venue's rules refuse (no tick there, or under
    /// a minimum once floored to the step): not sent, the imbalance left as residual.
    pub(super) hedges_unfit: Counter,
    pub(super) breaker: [Counter; 4],
    pub(super) slots_acquired: Counter,
    pub(super) slots_reserved: Counter,
    pub(super) slots_released: Counter,
    pub(super) throttled: Counter,
    /// Venues that entered rate-limit emergency mode, by `EmergencyCause::index`.
    pub(super) emergency_entries: [Counter; EmergencyCause::COUNT],
    pub(super) emergency_exits: Counter,
    /// Venues in emergency mode now (a gauge, set at each flush).
    pub(super) emergency_active: Counter,
}

impl ExecCounters {
    pub(super) fn register(reg: &mut Registry) -> ExecCounters {
        let mut c = |n: &str| reg.counter(&format!("exec.{n}"));
        ExecCounters {
            opps_in: c("opps_in"),
            arbs_sent: c("arbs_sent"),
            orders_sent: c("orders_sent"),
            order_bytes: c("order_bytes"),
            fills: c("fills"),
            rejects: c("venue_rejects"),
            status_429: c("status_429"),
            status_5xx: c("status_5xx"),
            timeouts: c("timeouts"),
            query_timeouts: c("query_timeouts"),
            status_queries: c("status_queries"),
            accepted: c("accepted"),
            late_reports: c("late_reports"),
            submit_errors: c("submit_errors"),
            encode_errors: c("encode_errors"),
            risk_update_errors: c("risk_update_errors"),
            waits: c("ratelimit.waits"),
            wait_full: c("ratelimit.wait_queue_full"),
            imbalances: c("legging.imbalances"),
            retries: c("legging.retries"),
            unwinds: c("legging.unwinds"),
            residual: c("legging.residual"),
            hedges_unfit: c("legging.hedges_unfit"),
            breaker: [
                c("breaker.closed_to_open"),
                c("breaker.open_to_half_open"),
                c("breaker.half_open_to_closed"),
                c("breaker.half_open_to_open"),
            ],
            slots_acquired: c("slots.acquired"),
            slots_reserved: c("slots.acquired_reserved"),
            slots_released: c("slots.released"),
            throttled: c("ratelimit.throttled"),
            emergency_entries: EmergencyCause::ALL
                .map(|cause| c(&format!("emergency.entries.{}", cause.name()))),
            emergency_exits: c("emergency.exits"),
            emergency_active: c("emergency.active"),
        }
    }
}
