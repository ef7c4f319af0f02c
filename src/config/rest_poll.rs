//! How fast the REST fallback (`ingest.rest_fallback`) may poll each venue's public top of book:
//! the venue's published public limit for that endpoint, what one polling round costs against it,
//! and the interval bound that follows.
//!
//! One round asks for every configured instrument of the venue once:
//!
//! | venue | request | cost of one round | public limit (per IP) |
//! |---|---|---|---|
//! | Binance | `GET /api/v3/ticker/bookTicker?symbol=` (one instrument) or `symbols=[..]` | weight 2, or 4 with `symbols` | `REQUEST_WEIGHT` 6000 per minute |
//! | Upbit | `GET /v1/orderbook?markets=a,b` (all instruments) | 1 request | quotation group 10 per second |
//! | Bybit | `GET /v5/market/orderbook?category=spot&symbol=&limit=1` per instrument | 1 request each | 600 per 5 s window |
//! | OKX | `GET /api/v5/market/books?instId=&sz=1` per instrument | 1 request each | 40 per 2 s |
//!
//! Sources: Binance `rest-api.md` ("Symbol order book ticker", weights) and `enums.md`
//! (`REQUEST_WEIGHT` 6000/min); Upbit's REST rate-limit guide (quotation groups, 10/s per IP);
//! Bybit v5 "Rate Limit Rules" (HTTP IP limit 600 requests in 5 s); OKX v5 "Get order book"
//! (40 requests per 2 s, by IP). These budgets are shared by everything the host sends to the
//! venue (the Binance weight also by the order gateway), so the polls may use at most **half** of
//! one: `interval_ms >= 2 * cost * window_ms / limit`, rounded up. [`DEFAULT_POLL_MS`] is used
//! when that bound allows it.

use crate::model::VenueKind;

/// The interval used when `venues[].rest_poll_ms` is absent and the venue's bound allows it.
pub const DEFAULT_POLL_MS: u64 = 200;

/// Longest interval accepted (a slower poll is no fallback).
pub const MAX_POLL_MS: u64 = 60_000;

/// A venue's published public limit on the top-of-book endpoint and the cost of one round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicLimit {
    /// Units (requests or weight) allowed per window.
    pub limit: u64,
    /// The window, ms.
    pub window_ms: u64,
    /// Units one round (every instrument once) costs.
    pub round_cost: u64,
}

/// The limit and round cost for `kind` polling `instruments` instruments.
pub const fn public_limit(kind: VenueKind, instruments: u64) -> PublicLimit {
    match kind {
        VenueKind::Binance => PublicLimit {
            limit: 6000,
            window_ms: 60_000,
            round_cost: if instruments <= 1 { 2 } else { 4 },
        },
        VenueKind::Upbit => PublicLimit {
            limit: 10,
            window_ms: 1000,
            round_cost: 1,
        },
        VenueKind::Bybit => PublicLimit {
            limit: 600,
            window_ms: 5000,
            round_cost: instruments,
        },
        VenueKind::Okx => PublicLimit {
            limit: 40,
            window_ms: 2000,
            round_cost: instruments,
        },
    }
}

/// The shortest interval that keeps the polls within half of `kind`'s public limit.
pub const fn min_poll_ms(kind: VenueKind, instruments: u64) -> u64 {
    let l = public_limit(kind, instruments);
    let need = 2 * l.round_cost * l.window_ms;
    let ms = need.div_ceil(l.limit);
    if ms == 0 {
        1
    } else {
        ms
    }
}

/// The interval to poll at: `configured`, or [`DEFAULT_POLL_MS`] raised to the bound.
pub fn poll_ms(kind: VenueKind, instruments: u64, configured: Option<u64>) -> u64 {
    configured.unwrap_or_else(|| DEFAULT_POLL_MS.max(min_poll_ms(kind, instruments)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_per_venue() {
        // Binance: 2 * 2 * 60000 / 6000 = 40 ms for one symbol; 80 ms with `symbols`.
        assert_eq!(min_poll_ms(VenueKind::Binance, 1), 40);
        assert_eq!(min_poll_ms(VenueKind::Binance, 3), 80);
        // Upbit: one batched request, half of 10/s.
        assert_eq!(min_poll_ms(VenueKind::Upbit, 5), 200);
        // Bybit: 2 * n * 5000 / 600, rounded up.
        assert_eq!(min_poll_ms(VenueKind::Bybit, 1), 17);
        assert_eq!(min_poll_ms(VenueKind::Bybit, 30), 500);
        // OKX: 2 * n * 2000 / 40.
        assert_eq!(min_poll_ms(VenueKind::Okx, 1), 100);
        assert_eq!(min_poll_ms(VenueKind::Okx, 3), 300);
        assert_eq!(poll_ms(VenueKind::Okx, 1, None), 200);
        assert_eq!(poll_ms(VenueKind::Okx, 3, None), 300);
        assert_eq!(poll_ms(VenueKind::Binance, 1, Some(50)), 50);
    }

    #[test]
    fn the_bound_is_half_the_limit() {
        for kind in VenueKind::ALL {
            for n in [1u64, 2, 7, 40] {
                let l = public_limit(kind, n);
                let ms = min_poll_ms(kind, n);
                // Units per window at that interval, times two, within the limit.
                assert!(
                    2 * l.round_cost * l.window_ms <= l.limit * ms,
                    "{kind:?} {n}"
                );
                if ms > 1 {
                    assert!(
                        2 * l.round_cost * l.window_ms > l.limit * (ms - 1),
                        "{kind:?} {n}"
                    );
                }
            }
        }
    }
}
