//! `[strategy]`: profit threshold, notional, the opportunity cache and its volatility-banded TTLs.

use crate::config::check::Check;
use crate::config::schema::Config;
use crate::model::MAX_SCALE;

/// Check the strategy section (the notional at every instrument's price scale).
pub(in crate::config) fn strategy(k: &mut Check, c: &Config) {
    let s = &c.strategy;
    k.bps("strategy.min_profit_bps", s.min_profit_bps, 0.0, 10_000.0);
    for ins in c.instruments.iter().filter(|i| i.price_scale <= MAX_SCALE) {
        let before = k.errors.len();
        k.positive_amount("strategy.max_notional", &s.max_notional, ins.price_scale);
        if k.errors.len() != before {
            break;
        }
    }
    k.range_u64(
        "strategy.cache_capacity",
        s.cache_capacity as u64,
        1,
        1 << 24,
    );
    for (key, v) in [
        ("ttl_high_vol_ms", s.ttl_high_vol_ms),
        ("ttl_mid_vol_ms", s.ttl_mid_vol_ms),
        ("ttl_low_vol_ms", s.ttl_low_vol_ms),
        ("opportunity_ttl_ms", s.opportunity_ttl_ms),
    ] {
        k.range_u64(&format!("strategy.{key}"), v, 1, 600_000);
    }
    if !(s.vol_mid.is_finite() && s.vol_mid >= 0.0) {
        k.fail(
            "strategy.vol_mid",
            format!("must be a finite number >= 0 (got {})", s.vol_mid),
        );
    } else if !(s.vol_high.is_finite() && s.vol_high > s.vol_mid) {
        k.fail(
            "strategy.vol_high",
            format!(
                "must be finite and above vol_mid {} (got {})",
                s.vol_mid, s.vol_high
            ),
        );
    }
}
