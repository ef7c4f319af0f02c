//! `[ingest]`: reconnect, timeouts, frame size, backoff and the feed breaker.

use crate::config::check::Check;
use crate::config::schema::Config;

/// Check the ingest section, and that no venue goes stale after the feed would be reconnected.
pub(in crate::config) fn ingest(k: &mut Check, c: &Config) {
    let g = &c.ingest;
    k.range_u64(
        "ingest.reconnect_after_ms",
        g.reconnect_after_ms,
        10,
        3_600_000,
    );
    k.range_u64(
        "ingest.connect_timeout_ms",
        g.connect_timeout_ms,
        10,
        600_000,
    );
    k.range_u64(
        "ingest.max_message_bytes",
        g.max_message_bytes,
        1024,
        64 << 20,
    );
    k.range_u64(
        "ingest.backoff_initial_ms",
        g.backoff_initial_ms,
        1,
        600_000,
    );
    if g.backoff_max_ms < g.backoff_initial_ms {
        k.fail(
            "ingest.backoff_max_ms",
            format!(
                "must be at least backoff_initial_ms {} (got {})",
                g.backoff_initial_ms, g.backoff_max_ms
            ),
        );
    }
    k.range_u64("ingest.healthy_after_ms", g.healthy_after_ms, 1, 3_600_000);
    k.range_u64(
        "ingest.breaker_failures",
        g.breaker_failures as u64,
        1,
        1_000_000,
    );
    k.range_u64("ingest.breaker_open_ms", g.breaker_open_ms, 1, 3_600_000);
    for (i, v) in c.venues.iter().enumerate() {
        if g.reconnect_after_ms < v.stale_after_ms {
            k.fail(
                "ingest.reconnect_after_ms",
                format!(
                    "must be at least venues[{i}].stale_after_ms {} (got {})",
                    v.stale_after_ms, g.reconnect_after_ms
                ),
            );
        }
    }
}
