//! `venues[].limits` (each group's rate limit and burst, against the venue's published limits) and
//! the emergency-mode keys of `[execution]`.

use crate::config::check::Check;
use crate::config::schema::Config;
use crate::config::venue_limits::{configured, published_limits};

/// Check every venue's limit keys and the emergency-mode settings.
pub(in crate::config) fn limits(k: &mut Check, c: &Config) {
    for (i, v) in c.venues.iter().enumerate() {
        let published = published_limits(v.kind);
        for (key, &value) in &v.limits {
            let path = format!("venues[{i}].limits.{key}");
            let Some(p) = published
                .iter()
                .find(|p| p.limit_key == key || p.burst_key == key)
            else {
                let known: Vec<&str> = published
                    .iter()
                    .flat_map(|p| [p.limit_key, p.burst_key])
                    .collect();
                k.fail(
                    path,
                    format!(
                        "not a rate limit of {} venues (their keys: {})",
                        v.kind.name(),
                        known.join(", ")
                    ),
                );
                continue;
            };
            let (limit, _) = configured(p, &v.limits);
            if p.limit_key == key {
                if value == 0 || value > p.limit {
                    k.fail(
                        path,
                        format!(
                            "must be between 1 and {}, the {} limit of {} per {} ({}) (got {value})",
                            p.limit,
                            v.kind.name(),
                            p.limit,
                            p.window,
                            p.source
                        ),
                    );
                }
            } else if value == 0 || value > limit.clamp(1, p.limit) {
                k.fail(
                    path,
                    format!(
                        "must be between 1 and the group's limit {} (got {value}): a GCRA sized \
                         for zero 429s needs burst + window / interval <= limit, which no \
                         interval meets with a burst above the limit",
                        limit.clamp(1, p.limit)
                    ),
                );
            }
        }
    }
    let e = &c.execution;
    k.range_u64(
        "execution.emergency_seconds",
        e.emergency_seconds,
        1,
        86_400,
    );
    k.range_u64(
        "execution.emergency_window_ms",
        e.emergency_window_ms,
        1,
        3_600_000,
    );
    if e.emergency_file.as_deref() == Some("") {
        k.fail("execution.emergency_file", "must not be empty when given");
    }
}
