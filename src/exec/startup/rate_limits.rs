//! Binance's own statement of its limits at start-up: `GET /api/v3/exchangeInfo` `rateLimits`
//! (through the account API, [`AccountClient::rules`]), applied to the venue's rate-limit groups
//! before the execution stage builds its limiters.
//!
//! The decision is [`crate::exec::limits::binance_info`]'s (through
//! [`ExecParams::apply_binance_exchange_info`]): each group takes the tighter of its configured
//! limit (`[venues.limits]`, the published default when absent) and exchangeInfo's, and a
//! lowered group's burst is at most half its new limit, so the zero-429 sizing rule still holds.
//! exchangeInfo never raises a group above its config.
//!
//! When exchangeInfo cannot be read (unreachable, refused, unreadable), the configured values
//! stay (the published defaults unless the config lowered them), a line says so on stderr, and
//! `rate_limits.<venue>.defaults` counts it; a read counts `rate_limits.<venue>.fetched`, and
//! each group it lowered `rate_limits.<venue>.lowered`. Never fatal.
//!
//! Cold path (blocking HTTP, allocation, stderr).

use std::time::Duration;

use crate::config::Config;
use crate::exec::account::{client_for_venue, AccountClient, RateLimit, RateLimitKind};
use crate::exec::limits::binance_info::{RateInterval, RateLimitType};
use crate::exec::limits::{BinanceLimits, ExchangeRateLimit};
use crate::exec::params::ExecParams;
use crate::model::VenueKind;
use crate::telemetry::Registry;

/// Timeout of the exchangeInfo call.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// The account API's reading of `rateLimits` in the limiter's terms. An entry of a type the
/// limiter has no name for (`Other`), or whose window is not a whole number of seconds, is
/// left out and counted in the second value (reported like exchangeInfo's unmatched entries).
pub fn to_exchange_limits(list: &[RateLimit]) -> (Vec<ExchangeRateLimit>, usize) {
    let mut out = Vec::with_capacity(list.len());
    let mut skipped = 0;
    for l in list {
        let kind = match l.kind {
            RateLimitKind::RequestWeight => RateLimitType::RequestWeight,
            RateLimitKind::Orders => RateLimitType::Orders,
            RateLimitKind::RawRequests => RateLimitType::RawRequests,
            RateLimitKind::Other(_) => {
                skipped += 1;
                continue;
            }
        };
        let (interval, unit_ms) = if l.interval_ms % 86_400_000 == 0 {
            (RateInterval::Day, 86_400_000)
        } else if l.interval_ms % 60_000 == 0 {
            (RateInterval::Minute, 60_000)
        } else if l.interval_ms % 1000 == 0 {
            (RateInterval::Second, 1000)
        } else {
            skipped += 1;
            continue;
        };
        out.push(ExchangeRateLimit {
            kind,
            interval,
            // A zero window stays zero (counted invalid by the decision); a huge one saturates.
            interval_num: u32::try_from(l.interval_ms / unit_ms).unwrap_or(u32::MAX),
            // A limit beyond u32 can never lower a group: saturate.
            limit: u32::try_from(l.limit).unwrap_or(u32::MAX),
        });
    }
    (out, skipped)
}

/// Venue `venue`'s configured symbols (what exchangeInfo is asked about).
fn venue_symbols(cfg: &Config, venue: &str) -> Vec<String> {
    cfg.instruments
        .iter()
        .filter_map(|i| i.symbols.get(venue).cloned())
        .collect()
}

/// Read `client`'s exchangeInfo `rateLimits` (for `symbols`) and apply them to venue `venue` of
/// `p`; `Err` (the reason) leaves the configured values, applied as a failed fetch. Returns the
/// decision ([`BinanceLimits`], `unmatched` including entries the limiter cannot name).
pub fn apply_from(
    client: &mut AccountClient,
    symbols: &[String],
    p: &mut ExecParams,
    venue: usize,
) -> (Option<BinanceLimits>, Option<String>) {
    match client.rules(symbols) {
        Ok(rules) => {
            let (list, skipped) = to_exchange_limits(&rules.rate_limits);
            let out = p
                .apply_binance_exchange_info(venue, Some(&list))
                .map(|mut b| {
                    b.unmatched += skipped;
                    b
                });
            (out, None)
        }
        Err(e) => (
            p.apply_binance_exchange_info(venue, None),
            Some(e.to_string()),
        ),
    }
}

/// The REST start-up's rate-limit step: every Binance venue of `cfg` that trades gets its
/// exchangeInfo `rateLimits` applied to `p` (see the module doc), each outcome on stderr and in
/// `reg`'s counters. Cold path.
pub fn apply(cfg: &Config, p: &mut ExecParams, reg: &mut Registry) {
    for (i, v) in cfg.venues.iter().enumerate() {
        if !v.trade || v.kind != VenueKind::Binance {
            continue;
        }
        let fetched = reg.counter(&format!("rate_limits.{}.fetched", v.name));
        let defaults = reg.counter(&format!("rate_limits.{}.defaults", v.name));
        let lowered = reg.counter(&format!("rate_limits.{}.lowered", v.name));
        let (out, err) = match client_for_venue(cfg, &v.name, None, CALL_TIMEOUT) {
            Ok(mut c) => apply_from(&mut c, &venue_symbols(cfg, &v.name), p, i),
            Err(e) => (p.apply_binance_exchange_info(i, None), Some(e.to_string())),
        };
        match (out, err) {
            (Some(b), None) => {
                fetched.inc();
                lowered.add(b.lowered as u64);
                eprintln!(
                    "rate limits: {}: exchangeInfo read: {} group(s) lowered below the config, {} entr(ies) not enforced, {} invalid",
                    v.name, b.lowered, b.unmatched, b.invalid
                );
            }
            (_, Some(why)) => {
                defaults.inc();
                eprintln!(
                    "rate limits: {}: exchangeInfo not read ({why}); using the configured limits (the published defaults unless [venues.limits] lowers them)",
                    v.name
                );
            }
            (None, None) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rl(kind: RateLimitKind, interval_ms: u64, limit: u64) -> RateLimit {
        RateLimit {
            kind,
            interval_ms,
            limit,
        }
    }

    #[test]
    fn account_limits_convert_to_the_limiter_s_terms() {
        let (list, skipped) = to_exchange_limits(&[
            rl(RateLimitKind::RequestWeight, 60_000, 6000),
            rl(RateLimitKind::Orders, 10_000, 50),
            rl(RateLimitKind::Orders, 86_400_000, 160_000),
            rl(RateLimitKind::RawRequests, 300_000, 61_000),
            rl(RateLimitKind::Other("X".into()), 1000, 1),
            rl(RateLimitKind::Orders, 1500, 1),
            rl(RateLimitKind::Orders, 3_600_000, u64::MAX),
        ]);
        assert_eq!(skipped, 2);
        let w: Vec<_> = list
            .iter()
            .map(|e| (e.group(), e.window_ns(), e.limit))
            .collect();
        use crate::exec::limits::EndpointGroup as G;
        assert_eq!(
            w,
            vec![
                (Some(G::RequestWeight), 60_000_000_000, 6000),
                (Some(G::Orders10s), 10_000_000_000, 50),
                (Some(G::OrdersDay), 86_400_000_000_000, 160_000),
                (None, 300_000_000_000, 61_000),
                (None, 3_600_000_000_000, u32::MAX),
            ]
        );
    }
}
