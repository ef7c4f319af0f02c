//! Binance's own statement of its limits: `GET /api/v3/exchangeInfo` `rateLimits`, read at
//! start-up, applied to the venue's configured groups.
//!
//! Each entry is `{"rateLimitType": "REQUEST_WEIGHT" | "ORDERS" | "RAW_REQUESTS", "interval":
//! "SECOND" | "MINUTE" | "DAY", "intervalNum": n, "limit": l}` (binance-spot-api-docs, `enums.md`,
//! "Rate limiters"; "All limits are optional"). The three the engine limits are matched by type and
//! window: `REQUEST_WEIGHT` per 1 minute ([`EndpointGroup::RequestWeight`]), `ORDERS` per 10
//! seconds ([`EndpointGroup::Orders10s`]) and per 1 day ([`EndpointGroup::OrdersDay`]).
//!
//! # The tighter of the two
//!
//! The config's values (the published defaults unless the operator lowered them) are ceilings the
//! operator chose; exchangeInfo says what this account may do now. Each matched group takes the
//! smaller limit; when exchangeInfo's is smaller the burst is the smaller of the configured one and
//! half the new limit, so the sizing rule still holds. exchangeInfo never raises a group above its
//! config. When the fetch failed (`None`) every group keeps its configured value, which by default
//! is the published limit.
//!
//! Entries the engine has no group for (`RAW_REQUESTS`, or an `ORDERS` limit over another window)
//! are counted in [`BinanceLimits::unmatched`] for the start-up log, and a zero or malformed limit
//! in [`BinanceLimits::invalid`]; neither changes a group. The parser of the response is the REST
//! gateway's (it builds [`ExchangeRateLimit`]s); this is only the decision.
//!
//! Cold path.

use super::venue::{EndpointGroup, LimitSpec};

const SEC: u64 = 1_000_000_000;

/// `rateLimitType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimitType {
    /// `REQUEST_WEIGHT`: weight per IP.
    RequestWeight,
    /// `ORDERS`: unfilled orders per account.
    Orders,
    /// `RAW_REQUESTS`: requests per IP, whatever their weight.
    RawRequests,
}

impl RateLimitType {
    /// From the wire spelling; `None` for a type this engine does not know.
    pub fn from_wire(s: &str) -> Option<RateLimitType> {
        match s {
            "REQUEST_WEIGHT" => Some(RateLimitType::RequestWeight),
            "ORDERS" => Some(RateLimitType::Orders),
            "RAW_REQUESTS" => Some(RateLimitType::RawRequests),
            _ => None,
        }
    }
}

/// `interval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateInterval {
    /// `SECOND`.
    Second,
    /// `MINUTE`.
    Minute,
    /// `DAY`.
    Day,
}

impl RateInterval {
    /// From the wire spelling; `None` for an unknown interval.
    pub fn from_wire(s: &str) -> Option<RateInterval> {
        match s {
            "SECOND" => Some(RateInterval::Second),
            "MINUTE" => Some(RateInterval::Minute),
            "DAY" => Some(RateInterval::Day),
            _ => None,
        }
    }

    /// One interval, ns.
    pub const fn ns(self) -> u64 {
        match self {
            RateInterval::Second => SEC,
            RateInterval::Minute => 60 * SEC,
            RateInterval::Day => 86_400 * SEC,
        }
    }
}

/// One parsed entry of `rateLimits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExchangeRateLimit {
    /// `rateLimitType`.
    pub kind: RateLimitType,
    /// `interval`.
    pub interval: RateInterval,
    /// `intervalNum`.
    pub interval_num: u32,
    /// `limit`.
    pub limit: u32,
}

impl ExchangeRateLimit {
    /// The window, ns (`intervalNum` intervals).
    pub fn window_ns(&self) -> u64 {
        self.interval
            .ns()
            .saturating_mul(u64::from(self.interval_num))
    }

    /// The engine's group for this entry, if it has one.
    pub fn group(&self) -> Option<EndpointGroup> {
        match (self.kind, self.window_ns()) {
            (RateLimitType::RequestWeight, w) if w == 60 * SEC => {
                Some(EndpointGroup::RequestWeight)
            }
            (RateLimitType::Orders, w) if w == 10 * SEC => Some(EndpointGroup::Orders10s),
            (RateLimitType::Orders, w) if w == 86_400 * SEC => Some(EndpointGroup::OrdersDay),
            _ => None,
        }
    }
}

/// Binance's groups after exchangeInfo (or without it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BinanceLimits {
    /// The limits to build the venue's limiter with, by [`EndpointGroup::index`].
    pub specs: [Option<LimitSpec>; EndpointGroup::COUNT],
    /// Whether exchangeInfo was read (false: the configured values, published by default).
    pub fetched: bool,
    /// Groups exchangeInfo lowered below the config.
    pub lowered: usize,
    /// Entries with no group here (logged at start-up, not enforced).
    pub unmatched: usize,
    /// Entries with a zero limit or window (ignored).
    pub invalid: usize,
}

/// The tighter of `configured` (a venue's limits from its config) and exchangeInfo's `fetched`
/// `rateLimits`; `None` when the fetch failed. See the module doc.
pub fn apply_exchange_info(
    configured: [Option<LimitSpec>; EndpointGroup::COUNT],
    fetched: Option<&[ExchangeRateLimit]>,
) -> BinanceLimits {
    let mut out = BinanceLimits {
        specs: configured,
        fetched: fetched.is_some(),
        lowered: 0,
        unmatched: 0,
        invalid: 0,
    };
    for e in fetched.unwrap_or(&[]) {
        if e.limit == 0 || e.interval_num == 0 {
            out.invalid += 1;
            continue;
        }
        let Some(group) = e.group() else {
            out.unmatched += 1;
            continue;
        };
        let Some(spec) = out.specs[group.index()].as_mut() else {
            out.unmatched += 1;
            continue;
        };
        if e.limit < spec.limit {
            let half = (e.limit / 2).max(1);
            spec.limit = e.limit;
            spec.burst = spec.burst.min(half);
            out.lowered += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::limits::default_limit;
    use crate::model::VenueKind;

    fn published() -> [Option<LimitSpec>; EndpointGroup::COUNT] {
        EndpointGroup::ALL.map(|g| default_limit(VenueKind::Binance, g))
    }

    fn rl(kind: &str, interval: &str, num: u32, limit: u32) -> ExchangeRateLimit {
        ExchangeRateLimit {
            kind: RateLimitType::from_wire(kind).unwrap(),
            interval: RateInterval::from_wire(interval).unwrap(),
            interval_num: num,
            limit,
        }
    }

    #[test]
    fn a_failed_fetch_keeps_the_published_defaults() {
        let b = apply_exchange_info(published(), None);
        assert!(!b.fetched);
        assert_eq!(b.specs, published());
        let w = b.specs[EndpointGroup::RequestWeight.index()].unwrap();
        assert_eq!((w.limit, w.window_ns), (6_000, 60 * SEC));
    }

    #[test]
    fn the_documented_response_changes_nothing() {
        // The values the docs and exchangeInfo publish for spot: equal to the defaults.
        let info = [
            rl("REQUEST_WEIGHT", "MINUTE", 1, 6_000),
            rl("ORDERS", "SECOND", 10, 100),
            rl("ORDERS", "DAY", 1, 200_000),
            rl("RAW_REQUESTS", "MINUTE", 5, 61_000),
        ];
        let b = apply_exchange_info(published(), Some(&info));
        assert!(b.fetched);
        assert_eq!(b.specs, published());
        assert_eq!((b.lowered, b.unmatched, b.invalid), (0, 1, 0));
    }

    #[test]
    fn a_tighter_account_limit_wins_and_stays_zero_429_sized() {
        // The docs' GET /api/v3/rateLimit/order example: 50 per 10 s, 160000 per day.
        let info = [
            rl("ORDERS", "SECOND", 10, 50),
            rl("ORDERS", "DAY", 1, 160_000),
        ];
        let b = apply_exchange_info(published(), Some(&info));
        assert_eq!(b.lowered, 2);
        let s = b.specs[EndpointGroup::Orders10s.index()].unwrap();
        assert_eq!((s.limit, s.burst), (50, 25));
        assert!(s.max_in_window(s.window_ns + s.margin_ns).unwrap() <= 50);
        let d = b.specs[EndpointGroup::OrdersDay.index()].unwrap();
        assert_eq!((d.limit, d.burst), (160_000, 100));
    }

    #[test]
    fn exchange_info_never_raises_the_config() {
        let mut cfg = published();
        cfg[EndpointGroup::Orders10s.index()] = Some(LimitSpec {
            limit: 20,
            burst: 4,
            ..cfg[EndpointGroup::Orders10s.index()].unwrap()
        });
        let info = [rl("ORDERS", "SECOND", 10, 100)];
        let b = apply_exchange_info(cfg, Some(&info));
        assert_eq!(b.specs, cfg);
        assert_eq!(b.lowered, 0);
    }

    #[test]
    fn unknown_windows_and_zero_limits_change_nothing() {
        let info = [
            rl("ORDERS", "SECOND", 1, 10),
            rl("REQUEST_WEIGHT", "SECOND", 10, 1),
            rl("ORDERS", "DAY", 1, 0),
            rl("ORDERS", "SECOND", 0, 5),
        ];
        let b = apply_exchange_info(published(), Some(&info));
        assert_eq!(b.specs, published());
        assert_eq!((b.unmatched, b.invalid), (2, 2));
        assert_eq!(RateLimitType::from_wire("NOPE"), None);
        assert_eq!(RateInterval::from_wire("HOUR"), None);
    }
}
