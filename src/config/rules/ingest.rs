//! `[ingest]`: reconnect, timeouts, frame size, backoff, the feed breaker, and the REST fallback
//! (each venue's `rest_poll_ms` within half its public limit, see `config::rest_poll`).

use crate::config::check::Check;
use crate::config::rest_poll::{min_poll_ms, public_limit, MAX_POLL_MS};
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
    rest_fallback(k, c);
}

/// The REST fallback's keys: the answer timeout, and per venue a poll interval the venue's public
/// limit allows for its number of instruments.
fn rest_fallback(k: &mut Check, c: &Config) {
    let g = &c.ingest;
    k.range_u64("ingest.rest_timeout_ms", g.rest_timeout_ms, 10, 60_000);
    for (i, v) in c.venues.iter().enumerate() {
        let Some(ms) = v.rest_poll_ms else { continue };
        let n = c
            .instruments
            .iter()
            .filter(|ins| ins.symbols.contains_key(&v.name))
            .count() as u64;
        let min = min_poll_ms(v.kind, n.max(1));
        if ms < min || ms > MAX_POLL_MS {
            let l = public_limit(v.kind, n.max(1));
            k.fail(
                format!("venues[{i}].rest_poll_ms"),
                format!(
                    "must be in {min}..={MAX_POLL_MS} (got {ms}): {} allows {} per {} ms per IP and \
                     one round of {n} instrument(s) costs {}; polls may use half of it",
                    v.kind.name(),
                    l.limit,
                    l.window_ms,
                    l.round_cost
                ),
            );
        }
    }
}
