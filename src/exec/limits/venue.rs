//! The venues' published request limits per endpoint group, and how each is turned into a GCRA that
//! cannot draw a 429.
//!
//! # Sizing for zero 429
//!
//! A venue counts requests in fixed windows (Upbit per second, Binance per minute / 10 s / day). A
//! GCRA with interval `T` and burst `b` admits at most `ceil((W + (b-1)*T) / T)` requests in any
//! window of length `W` (see [`super::gcra`]). Requests also reach the venue later than we send them
//! and not in the order of our clock, so a window on the venue's side can catch requests we sent up
//! to `margin` apart beyond `W`. The interval is therefore chosen so that the count over `W + margin`
//! stays within the limit:
//!
//! ```text
//! T = ceil((W + margin) / (limit - burst + 1))
//! ```
//!
//! With `margin = T` this is the zero-429 sizing rule (docs/architecture.md, "Invariants") `burst + W / T <= limit` (100 orders / 10 s: burst 50,
//! one per 200 ms). Each default below uses half the limit as burst and a 200 ms margin for windows
//! of seconds (an hour for the daily one); [`LimitSpec::max_in_window`] and the tests check the rule.
//!
//! # Where the numbers come from
//!
//! The venues' published limits, with the page each comes from, are one table in
//! [`crate::config::venue_limits`]: they are the config's defaults and ceilings
//! (`venues[].limits`), so config validation and this module read the same numbers.
//! [`default_limit`] is a group's published limit with the default burst (half the limit);
//! [`configured_limit`] applies a venue's configured keys.
//!
//! # Deviations, on purpose
//!
//! - Seed 003 runs Upbit quotation at 10/s *with a burst of 10*. In a fixed one-second window that can
//!   admit 19-20 requests, so the default here is burst 5 at one per 200 ms (10 in any 1.2 s, never
//!   more). Configure `quotation_burst` to change it; a burst above the limit is refused.
//! - Upbit's quotation groups (market, candles, trades, ticker, orderbook) are separate 10/s budgets
//!   at the venue; one [`EndpointGroup::Quotation`] limiter for all of them is stricter, never looser.
//! - OKX counts orders per instrument and Bybit per UID; one [`EndpointGroup::Order`] limiter per
//!   venue for every instrument, status queries included, is stricter, never looser.
//! - Binance's limits come from `GET /api/v3/exchangeInfo` `rateLimits` where possible
//!   ([`super::binance_info`]); the table's values are the fallback.
//!
//! A Binance order costs one token in each of `RequestWeight` (weight 1), `Orders10s` and `OrdersDay`:
//! the caller checks all three (and takes none if any refuses: check the stricter ones first).
//!
//! Cold path: building specs and limiters happens at start-up.

use std::collections::BTreeMap;

use super::gcra::{Gcra, GcraConfigError};
use crate::config::venue_limits::{configured, published_limit};
use crate::model::VenueKind;
use thiserror::Error;

const SEC: u64 = 1_000_000_000;
const MS: u64 = 1_000_000;

/// A family of endpoints that share one rate limit at a venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EndpointGroup {
    /// Upbit public quotation endpoints (market, candles, trades, ticker, orderbook).
    Quotation,
    /// Upbit exchange (private) endpoints outside the order groups: `group=default`.
    ExchangeDefault,
    /// Order placement: Upbit `group=order`, Bybit spot `POST /v5/order/create`, OKX
    /// `POST /api/v5/trade/order` (Bybit and OKX status queries are charged here too).
    Order,
    /// Upbit cancel-all: `group=order-cancel-all`.
    OrderCancelAll,
    /// Binance IP request weight per minute (`X-MBX-USED-WEIGHT-1M`).
    RequestWeight,
    /// Binance orders per 10 s per account (`X-MBX-ORDER-COUNT-10S`).
    Orders10s,
    /// Binance orders per day per account (`X-MBX-ORDER-COUNT-1D`).
    OrdersDay,
}

impl EndpointGroup {
    /// Number of groups (size of per-group arrays).
    pub const COUNT: usize = 7;

    /// Every group, in index order.
    pub const ALL: [EndpointGroup; Self::COUNT] = [
        EndpointGroup::Quotation,
        EndpointGroup::ExchangeDefault,
        EndpointGroup::Order,
        EndpointGroup::OrderCancelAll,
        EndpointGroup::RequestWeight,
        EndpointGroup::Orders10s,
        EndpointGroup::OrdersDay,
    ];

    /// Dense index for per-group arrays.
    #[inline]
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Stable name for reports.
    pub const fn name(self) -> &'static str {
        match self {
            EndpointGroup::Quotation => "quotation",
            EndpointGroup::ExchangeDefault => "default",
            EndpointGroup::Order => "order",
            EndpointGroup::OrderCancelAll => "order-cancel-all",
            EndpointGroup::RequestWeight => "request-weight",
            EndpointGroup::Orders10s => "orders-10s",
            EndpointGroup::OrdersDay => "orders-1d",
        }
    }

    /// The group an Upbit `Remaining-Req: group=...` value names, if it is one we limit.
    pub fn from_upbit_name(name: &[u8]) -> Option<EndpointGroup> {
        match name {
            b"default" => Some(EndpointGroup::ExchangeDefault),
            b"order" => Some(EndpointGroup::Order),
            b"order-cancel-all" => Some(EndpointGroup::OrderCancelAll),
            b"market" | b"candles" | b"candle" | b"trades" | b"trade" | b"ticker"
            | b"orderbook" => Some(EndpointGroup::Quotation),
            _ => None,
        }
    }
}

/// A venue limit: at most `limit` requests per `window_ns`, drawn by a GCRA with `burst`, with
/// `margin_ns` of slack for network and clock jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSpec {
    /// Requests (or weight units) the venue allows per window.
    pub limit: u32,
    /// The venue's window, ns.
    pub window_ns: u64,
    /// Requests the limiter lets through at once.
    pub burst: u32,
    /// Jitter allowance, ns (see the module doc).
    pub margin_ns: u64,
}

/// A limit that cannot be drawn without a 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum LimitError {
    /// Limit, window or burst is zero, or the burst is above the limit.
    #[error("limit {limit} per {window_ns} ns with burst {burst} is not drawable (need 1 <= burst <= limit)")]
    Invalid {
        /// Limit given.
        limit: u32,
        /// Window given.
        window_ns: u64,
        /// Burst given.
        burst: u32,
    },
    /// The limiter could not be built.
    #[error(transparent)]
    Gcra(#[from] GcraConfigError),
}

impl LimitSpec {
    /// The emission interval `ceil((W + margin) / (limit - burst + 1))`, ns.
    pub fn interval_ns(&self) -> Result<u64, LimitError> {
        if self.limit == 0 || self.window_ns == 0 || self.burst == 0 || self.burst > self.limit {
            return Err(LimitError::Invalid {
                limit: self.limit,
                window_ns: self.window_ns,
                burst: self.burst,
            });
        }
        let slots = u64::from(self.limit - self.burst + 1);
        Ok(self
            .window_ns
            .saturating_add(self.margin_ns)
            .div_ceil(slots))
    }

    /// A single-owner limiter sized for zero 429s.
    pub fn gcra(&self) -> Result<Gcra, LimitError> {
        Ok(Gcra::new(self.interval_ns()?, self.burst)?)
    }

    /// The most requests the sized limiter can admit in any half-open window of `w_ns`.
    pub fn max_in_window(&self, w_ns: u64) -> Result<u64, LimitError> {
        let t = self.interval_ns()?;
        let tau = t * u64::from(self.burst - 1);
        Ok((w_ns + tau).div_ceil(t))
    }
}

/// Upbit's `order` group at `per_sec` requests per second with half of it as burst (12 since
/// 2026-08-21, the default; 8 before).
pub const fn upbit_order(per_sec: u32) -> LimitSpec {
    LimitSpec {
        limit: per_sec,
        window_ns: SEC,
        burst: if per_sec / 2 == 0 { 1 } else { per_sec / 2 },
        margin_ns: 200 * MS,
    }
}

/// The published limit for `group` at a venue of `kind`, with the default burst; `None` where
/// that venue has no such group.
pub fn default_limit(kind: VenueKind, group: EndpointGroup) -> Option<LimitSpec> {
    configured_limit(kind, group, &BTreeMap::new())
}

/// `group`'s limit at a venue of `kind` under its config keys (`venues[].limits`, validated):
/// each key the config sets, the published limit and default burst for the rest.
pub fn configured_limit(
    kind: VenueKind,
    group: EndpointGroup,
    keys: &BTreeMap<String, u32>,
) -> Option<LimitSpec> {
    let p = published_limit(kind, group.name())?;
    let (limit, burst) = configured(p, keys);
    Some(LimitSpec {
        limit,
        window_ns: p.window_ns,
        burst,
        margin_ns: p.margin_ns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_index_is_dense() {
        for (i, g) in EndpointGroup::ALL.iter().enumerate() {
            assert_eq!(g.index(), i);
        }
    }

    #[test]
    fn binance_orders_match_the_venues_note() {
        let spec = default_limit(VenueKind::Binance, EndpointGroup::Orders10s).unwrap();
        assert_eq!(spec.interval_ns().unwrap(), 200 * MS);
        assert_eq!(spec.burst, 50);
    }

    #[test]
    fn upbit_quotation_is_ten_per_second_never_more() {
        let spec = default_limit(VenueKind::Upbit, EndpointGroup::Quotation).unwrap();
        assert_eq!(spec.interval_ns().unwrap(), 200 * MS);
        assert_eq!(spec.max_in_window(SEC).unwrap(), 9);
        assert_eq!(spec.max_in_window(SEC + 200 * MS).unwrap(), 10);
    }

    #[test]
    fn every_default_is_zero_429_sized() {
        for kind in VenueKind::ALL {
            for g in EndpointGroup::ALL {
                if let Some(spec) = default_limit(kind, g) {
                    let w = spec.window_ns + spec.margin_ns;
                    let max = spec.max_in_window(w).unwrap();
                    assert!(
                        max <= u64::from(spec.limit),
                        "{kind:?}/{g:?}: {max} > {}",
                        spec.limit
                    );
                    assert!(spec.gcra().is_ok());
                }
            }
        }
        assert!(default_limit(VenueKind::Okx, EndpointGroup::Orders10s).is_none());
        assert!(default_limit(VenueKind::Bybit, EndpointGroup::Quotation).is_none());
    }

    #[test]
    fn simulated_fixed_windows_never_exceed_the_limit() {
        // Saturate each limiter for 3 windows and count per fixed window at several phases.
        for kind in VenueKind::ALL {
            for g in EndpointGroup::ALL {
                let Some(spec) = default_limit(kind, g) else {
                    continue;
                };
                if spec.window_ns > 60 * SEC {
                    continue; // the daily window is covered by the formula test
                }
                let mut lim = spec.gcra().unwrap();
                let mut admitted = Vec::new();
                let mut now = 0;
                while now < 3 * spec.window_ns {
                    match lim.check(now) {
                        Ok(()) => admitted.push(now),
                        Err(e) => now = e.earliest_ns,
                    }
                }
                for phase in [0, spec.window_ns / 3, spec.window_ns / 2] {
                    let mut start = phase;
                    while start < 2 * spec.window_ns {
                        let n = admitted
                            .iter()
                            .filter(|&&a| a >= start && a < start + spec.window_ns)
                            .count();
                        assert!(
                            n as u64 <= u64::from(spec.limit),
                            "{kind:?}/{g:?} phase {phase}: {n}"
                        );
                        start += spec.window_ns;
                    }
                }
            }
        }
    }

    #[test]
    fn upbit_order_is_twelve_per_second_since_2026_08_21() {
        let spec = default_limit(VenueKind::Upbit, EndpointGroup::Order).unwrap();
        assert_eq!(spec, upbit_order(12));
        assert_eq!(spec.burst, 6);
        assert!(spec.interval_ns().unwrap() < upbit_order(8).interval_ns().unwrap());
        assert_eq!(spec.max_in_window(SEC + spec.margin_ns).unwrap(), 12);
        assert_eq!(upbit_order(1).burst, 1);
        let d = default_limit(VenueKind::Upbit, EndpointGroup::ExchangeDefault).unwrap();
        assert_eq!((d.limit, d.window_ns), (30, SEC));
    }

    #[test]
    fn bybit_and_okx_order_groups_are_the_published_ones() {
        let b = default_limit(VenueKind::Bybit, EndpointGroup::Order).unwrap();
        assert_eq!((b.limit, b.window_ns, b.burst), (20, SEC, 10));
        let o = default_limit(VenueKind::Okx, EndpointGroup::Order).unwrap();
        assert_eq!((o.limit, o.window_ns, o.burst), (60, 2 * SEC, 30));
        for s in [b, o] {
            assert!(s.max_in_window(s.window_ns + s.margin_ns).unwrap() <= u64::from(s.limit));
        }
    }

    #[test]
    fn configured_keys_replace_the_defaults() {
        let keys = BTreeMap::from([
            ("order_per_sec".to_string(), 10),
            ("order_burst".to_string(), 2),
        ]);
        let s = configured_limit(VenueKind::Upbit, EndpointGroup::Order, &keys).unwrap();
        assert_eq!((s.limit, s.burst), (10, 2));
        // Bybit's order key has the same name; OKX's window is in its key.
        let s = configured_limit(VenueKind::Bybit, EndpointGroup::Order, &keys).unwrap();
        assert_eq!((s.limit, s.burst), (10, 2));
        let s = configured_limit(VenueKind::Okx, EndpointGroup::Order, &keys).unwrap();
        assert_eq!((s.limit, s.burst), (60, 2));
        assert!(s.max_in_window(s.window_ns + s.margin_ns).unwrap() <= 60);
    }

    #[test]
    fn every_published_group_is_a_limiter_group() {
        for kind in VenueKind::ALL {
            for p in crate::config::venue_limits::published_limits(kind) {
                assert!(
                    EndpointGroup::ALL.iter().any(|g| g.name() == p.group),
                    "{kind:?}: {} names no EndpointGroup",
                    p.group
                );
            }
        }
    }

    #[test]
    fn bad_specs_refused() {
        let bad = LimitSpec {
            limit: 5,
            window_ns: SEC,
            burst: 6,
            margin_ns: 0,
        };
        assert!(matches!(bad.interval_ns(), Err(LimitError::Invalid { .. })));
        let zero = LimitSpec {
            limit: 0,
            window_ns: SEC,
            burst: 0,
            margin_ns: 0,
        };
        assert!(zero.gcra().is_err());
    }

    #[test]
    fn upbit_group_names() {
        assert_eq!(
            EndpointGroup::from_upbit_name(b"default"),
            Some(EndpointGroup::ExchangeDefault)
        );
        assert_eq!(
            EndpointGroup::from_upbit_name(b"order-cancel-all"),
            Some(EndpointGroup::OrderCancelAll)
        );
        assert_eq!(
            EndpointGroup::from_upbit_name(b"orderbook"),
            Some(EndpointGroup::Quotation)
        );
        assert_eq!(EndpointGroup::from_upbit_name(b"nope"), None);
    }
}
