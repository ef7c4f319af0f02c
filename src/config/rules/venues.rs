//! `[[venues]]`: names, URLs, fees, staleness, per-venue in-flight caps.

use std::collections::BTreeSet;

use crate::config::check::Check;
use crate::config::schema::Config;
use crate::model::MAX_VENUES;

/// Check every venue; returns the set of venue names for the rules that refer to venues.
pub(in crate::config) fn venues<'c>(k: &mut Check, c: &'c Config) -> BTreeSet<&'c str> {
    if c.venues.is_empty() {
        k.fail("venues", "at least one venue is required");
    }
    if c.venues.len() > MAX_VENUES {
        k.fail(
            "venues",
            format!("{} venues; need 1..={MAX_VENUES}", c.venues.len()),
        );
    }
    let mut venue_names = BTreeSet::new();
    for (i, v) in c.venues.iter().enumerate() {
        let p = format!("venues[{i}]");
        if v.name.is_empty()
            || !v
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            k.fail(
                format!("{p}.name"),
                format!(
                    "must be non-empty letters, digits, '_' or '-' (got {:?})",
                    v.name
                ),
            );
        }
        if !venue_names.insert(v.name.as_str()) {
            k.fail(
                format!("{p}.name"),
                format!("duplicate venue name {:?}", v.name),
            );
        }
        if let Some(url) = &v.url {
            if !(url.starts_with("ws://") || url.starts_with("wss://")) || url.len() < 8 {
                k.fail(
                    format!("{p}.url"),
                    format!("must be a ws:// or wss:// URL (got {url:?})"),
                );
            }
        }
        k.bps(&format!("{p}.taker_fee_bps"), v.taker_fee_bps, 0.0, 1000.0);
        k.bps(&format!("{p}.slippage_bps"), v.slippage_bps, 0.0, 1000.0);
        k.range_u64(
            &format!("{p}.stale_after_ms"),
            v.stale_after_ms,
            1,
            3_600_000,
        );
        k.range_u64(&format!("{p}.max_inflight"), v.max_inflight as u64, 1, 1024);
    }
    venue_names
}
