//! `[execution]`: slots, waits, legging, timeouts, and the paper venue's latency and faults.

use crate::config::check::Check;
use crate::config::schema::Config;

/// Check the execution section's own keys.
pub(in crate::config) fn execution(k: &mut Check, c: &Config) {
    let e = &c.execution;
    k.range_u64("execution.max_inflight", e.max_inflight as u64, 1, 1024);
    if e.reserved_slots >= e.max_inflight && e.max_inflight > 0 {
        k.fail(
            "execution.reserved_slots",
            format!(
                "must be below max_inflight {} so ordinary opportunities keep a slot (got {})",
                e.max_inflight, e.reserved_slots
            ),
        );
    }
    k.bps(
        "execution.reserved_min_bps",
        e.reserved_min_bps,
        0.0,
        10_000.0,
    );
    k.range_u64("execution.max_wait_ms", e.max_wait_ms, 0, 60_000);
    k.range_u64(
        "execution.legging_max_orders",
        e.legging_max_orders as u64,
        1,
        8,
    );
    k.bps("execution.unwind_max_bps", e.unwind_max_bps, 0.01, 1000.0);
    k.range_u64("execution.order_timeout_ms", e.order_timeout_ms, 1, 60_000);
    k.range_u64("execution.status_query_ms", e.status_query_ms, 1, 60_000);
    if e.warm_write_every_us != 0 {
        k.range_u64(
            "execution.warm_write_every_us",
            e.warm_write_every_us,
            10,
            10_000_000,
        );
    }
}

/// Check `[execution.paper]`: latency, fault probabilities (which must add up to at most 1),
/// spread and starting balances.
pub(in crate::config) fn paper(k: &mut Check, c: &Config) {
    let p = &c.execution.paper;
    k.range_u64("execution.paper.latency_us", p.latency_us, 0, 1_000_000);
    k.range_u64("execution.paper.jitter_us", p.jitter_us, 0, 1_000_000);
    let probs = [
        ("p_429", p.p_429),
        ("p_5xx", p.p_5xx),
        ("p_timeout", p.p_timeout),
        ("p_partial", p.p_partial),
        ("p_reject", p.p_reject),
    ];
    let mut sum = 0.0;
    for (key, v) in probs {
        if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
            k.fail(
                format!("execution.paper.{key}"),
                format!("must be a probability in [0, 1] (got {v})"),
            );
        } else {
            sum += v;
        }
    }
    if sum > 1.0 + 1e-9 {
        k.fail(
            "execution.paper",
            format!("fault probabilities p_429 + p_5xx + p_timeout + p_partial + p_reject must add up to at most 1 (got {sum})"),
        );
    }
    k.range_u64(
        "execution.paper.retry_after_ms",
        p.retry_after_ms,
        0,
        600_000,
    );
    k.bps("execution.paper.spread_bps", p.spread_bps, 0.0, 1000.0);
    k.positive_amount("execution.paper.balance_base", &p.balance_base, 8);
    k.positive_amount("execution.paper.balance_quote", &p.balance_quote, 8);
}
