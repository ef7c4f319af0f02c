//! Dotted engine counter names (`ingest.<venue>.quotes`) to Prometheus series: a family name
//! (`microarb_` prefix, base units, `_total`) and a bounded label set. Every label value comes from
//! the config (venue names) or from names fixed in code (stages, rings, fields), so the series set
//! of a run is bounded.

/// Where one engine counter goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapped {
    /// One counter series.
    Series {
        /// The family name, ending in `_total`.
        family: String,
        /// Label names and values, in output order.
        labels: Vec<(&'static str, String)>,
    },
    /// An opportunity count (`<stage>.opps.*`), exported summed across stages as
    /// `microarb_opportunities_*` (as the report sums them), not one series per stage.
    Opportunity,
    /// A value that goes up and down (an engine counter the stage sets to a level).
    Gauge {
        /// The family name (no `_total`).
        family: String,
        /// Label names and values, in output order.
        labels: Vec<(&'static str, String)>,
    },
}

/// Map an engine counter name to its series.
pub fn map(name: &str) -> Mapped {
    let series =
        |family: String, labels: Vec<(&'static str, String)>| Mapped::Series { family, labels };
    if let Some(rest) = name.strip_prefix("ingest.") {
        // The venue name may hold dots; the field never does.
        if let Some((venue, field)) = rest.rsplit_once('.') {
            let family = match field {
                "quotes" => "microarb_quotes_total".to_string(),
                "bytes" => "microarb_ingest_received_bytes_total".to_string(),
                f => format!("microarb_ingest_{}_total", sanitize(f)),
            };
            return series(family, vec![("venue", venue.to_string())]);
        }
    }
    // Cold-path venue start-up and upkeep: `clock_sync.<venue>.measured|failed`,
    // `rate_limits.<venue>.fetched|defaults|lowered`, `dns.<venue>.retries|failed|re_resolved`.
    for prefix in ["clock_sync", "rate_limits", "dns"] {
        if let Some(rest) = name.strip_prefix(prefix).and_then(|r| r.strip_prefix('.')) {
            if let Some((venue, field)) = rest.rsplit_once('.') {
                return series(
                    format!("microarb_{prefix}_{}_total", sanitize(field)),
                    vec![("venue", venue.to_string())],
                );
            }
        }
    }
    if let Some(rest) = name.strip_prefix("ring.") {
        if let Some((ring, field)) = rest.rsplit_once('.') {
            return series(
                format!("microarb_ring_{}_total", sanitize(field)),
                vec![("ring", ring.to_string())],
            );
        }
    }
    if let Some((stage, rest)) = name.split_once('.') {
        if rest.starts_with("opps.") && !stage.is_empty() {
            return Mapped::Opportunity;
        }
        if rest == "telemetry_late" {
            return series(
                "microarb_telemetry_late_intervals_total".to_string(),
                vec![("stage", stage.to_string())],
            );
        }
        if let Some(tr) = rest.strip_prefix("breaker.") {
            if let Some((from, to)) = tr.split_once("_to_") {
                return series(
                    "microarb_breaker_transitions_total".to_string(),
                    vec![
                        ("breaker", stage.to_string()),
                        ("from", from.to_string()),
                        ("to", to.to_string()),
                    ],
                );
            }
        }
        if stage == "exec" {
            // Rate-limit emergency mode: entries by cause, exits, and the venues in it now.
            if let Some(cause) = rest.strip_prefix("emergency.entries.") {
                return series(
                    "microarb_ratelimit_emergency_entries_total".to_string(),
                    vec![("cause", cause.to_string())],
                );
            }
            match rest {
                "emergency.exits" => {
                    return series(
                        "microarb_ratelimit_emergency_exits_total".to_string(),
                        Vec::new(),
                    )
                }
                "emergency.active" => {
                    return Mapped::Gauge {
                        family: "microarb_ratelimit_emergency_active".to_string(),
                        labels: Vec::new(),
                    }
                }
                _ => {}
            }
        }
        if matches!(stage, "exec" | "strategy" | "replay" | "record") {
            return series(
                format!("microarb_{stage}_{}_total", sanitize(rest)),
                Vec::new(),
            );
        }
    }
    if let Some(field) = name.strip_prefix("trades_log.") {
        return series(
            format!("microarb_trades_log_{}_total", sanitize(field)),
            Vec::new(),
        );
    }
    series(
        "microarb_other_total".to_string(),
        vec![("name", name.to_string())],
    )
}

/// `name` with every character outside `[A-Za-z0-9_]` replaced by `_`.
pub fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(family: &str, labels: &[(&'static str, &str)]) -> Mapped {
        Mapped::Series {
            family: family.to_string(),
            labels: labels.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        }
    }

    #[test]
    fn the_stage_counters_map_to_labelled_families() {
        assert_eq!(
            map("ingest.binance.quotes"),
            s("microarb_quotes_total", &[("venue", "binance")])
        );
        assert_eq!(
            map("ingest.a.b.parse_errors"),
            s("microarb_ingest_parse_errors_total", &[("venue", "a.b")])
        );
        // Quotes by source: the stream's, and the REST fallback's (`ingest/rest/`).
        assert_eq!(
            map("ingest.okx.rest_quotes"),
            s("microarb_ingest_rest_quotes_total", &[("venue", "okx")])
        );
        assert_eq!(
            map("ingest.okx.rest_http_429"),
            s("microarb_ingest_rest_http_429_total", &[("venue", "okx")])
        );
        assert_eq!(
            map("ingest.okx.bytes"),
            s("microarb_ingest_received_bytes_total", &[("venue", "okx")])
        );
        assert_eq!(
            map("clock_sync.binance.failed"),
            s("microarb_clock_sync_failed_total", &[("venue", "binance")])
        );
        assert_eq!(
            map("rate_limits.binance.defaults"),
            s(
                "microarb_rate_limits_defaults_total",
                &[("venue", "binance")]
            )
        );
        assert_eq!(
            map("dns.okx.retries"),
            s("microarb_dns_retries_total", &[("venue", "okx")])
        );
        assert_eq!(
            map("ring.quotes.dropped"),
            s("microarb_ring_dropped_total", &[("ring", "quotes")])
        );
        assert_eq!(
            map("exec.status_429"),
            s("microarb_exec_status_429_total", &[])
        );
        assert_eq!(
            map("exec.ratelimit.throttled"),
            s("microarb_exec_ratelimit_throttled_total", &[])
        );
        assert_eq!(
            map("exec.breaker.half_open_to_closed"),
            s(
                "microarb_breaker_transitions_total",
                &[("breaker", "exec"), ("from", "half_open"), ("to", "closed")]
            )
        );
        assert_eq!(
            map("exec.emergency.entries.ban_418"),
            s(
                "microarb_ratelimit_emergency_entries_total",
                &[("cause", "ban_418")]
            )
        );
        assert_eq!(
            map("exec.emergency.exits"),
            s("microarb_ratelimit_emergency_exits_total", &[])
        );
        assert_eq!(
            map("exec.emergency.active"),
            Mapped::Gauge {
                family: "microarb_ratelimit_emergency_active".to_string(),
                labels: Vec::new()
            }
        );
        assert_eq!(map("exec.opps.rejected.duplicate"), Mapped::Opportunity);
        assert_eq!(map("strategy.opps.detected"), Mapped::Opportunity);
        assert_eq!(
            map("exec.telemetry_late"),
            s(
                "microarb_telemetry_late_intervals_total",
                &[("stage", "exec")]
            )
        );
        assert_eq!(
            map("opps_log.strategy.dropped"),
            s(
                "microarb_other_total",
                &[("name", "opps_log.strategy.dropped")]
            )
        );
        assert_eq!(
            map("trades_log.dropped"),
            s("microarb_trades_log_dropped_total", &[])
        );
    }
}
