//! The venues' published REST rate limits, one entry per endpoint group, and the config keys of
//! `venues[].limits` that set each group's limit and burst.
//!
//! These numbers are the defaults and the ceilings: a configured limit above the venue's published
//! one is refused (naming the key), a lower one is the operator's choice. The execution stage sizes
//! each group's limiter from them so it cannot draw a 429 (`exec::limits::venue`, the zero-429
//! sizing rule of docs/architecture.md, "Invariants"). Each entry names the page its number comes
//! from; the pages were read on 2026-12-02 through the project's document search.
//!
//! Keys per venue kind (limit / burst; default burst: half the limit, at least 1):
//!
//! | kind | group | limit key | default | burst key | default |
//! |---|---|---|---|---|---|
//! | binance | request weight | `weight_per_min` | 6000 | `weight_burst` | 3000 |
//! | binance | orders per 10 s | `orders_per_10s` | 100 | `orders_10s_burst` | 50 |
//! | binance | orders per day | `orders_per_day` | 200000 | `orders_day_burst` | 100 |
//! | upbit | quotation | `quotation_per_sec` | 10 | `quotation_burst` | 5 |
//! | upbit | exchange `default` | `default_per_sec` | 30 | `default_burst` | 15 |
//! | upbit | `order` | `order_per_sec` | 12 | `order_burst` | 6 |
//! | upbit | `order-cancel-all` | `cancel_all_per_2s` | 1 | `cancel_all_burst` | 1 |
//! | bybit | spot order create | `order_per_sec` | 20 | `order_burst` | 10 |
//! | okx | place order | `order_per_2s` | 60 | `order_burst` | 30 |
//!
//! Binance's three are also read from `GET /api/v3/exchangeInfo` `rateLimits` at start-up where
//! the gateway can; the tighter of that and the config wins (`exec::limits::binance_info`).
//!
//! Cold path: read while validating and building.

use std::collections::BTreeMap;

use crate::model::VenueKind;

const MS: u64 = 1_000_000;
const SEC: u64 = 1_000_000_000;

/// One limit a venue publishes for a family of endpoints, and how the config names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishedLimit {
    /// The group's name as the execution stage's limiter calls it (`EndpointGroup::name`).
    pub group: &'static str,
    /// Config key of the limit (requests per window; the window is in the key's name).
    pub limit_key: &'static str,
    /// Config key of the burst (requests let through at once).
    pub burst_key: &'static str,
    /// The venue's window, ns.
    pub window_ns: u64,
    /// The window as the refusal messages say it.
    pub window: &'static str,
    /// The venue's published limit per window: the default, and the most the config accepts.
    pub limit: u32,
    /// Cap of the default burst (the default is half the limit, at least 1, at most this).
    pub burst_cap: u32,
    /// Jitter allowance the limiter is sized with, ns (see `exec::limits::venue`).
    pub margin_ns: u64,
    /// Where the venue publishes the number.
    pub source: &'static str,
}

impl PublishedLimit {
    /// The burst used for `limit` when the config gives none: half of it, at least 1, at most
    /// [`PublishedLimit::burst_cap`].
    pub const fn default_burst(&self, limit: u32) -> u32 {
        let half = limit / 2;
        let b = if half == 0 { 1 } else { half };
        if b > self.burst_cap {
            self.burst_cap
        } else {
            b
        }
    }
}

/// Upbit: per-second limits per group ("요청 수 제한은 초 단위로 적용", groups counted together).
const UPBIT: [PublishedLimit; 4] = [
    // Quotation REST: 10/s per IP, per group (market, candle, trade, ticker, orderbook); one
    // limiter for all of them is stricter than the venue, never looser.
    // https://docs.upbit.com/kr/reference/rate-limits
    PublishedLimit {
        group: "quotation",
        limit_key: "quotation_per_sec",
        burst_key: "quotation_burst",
        window_ns: SEC,
        window: "second",
        limit: 10,
        burst_cap: u32::MAX,
        margin_ns: 200 * MS,
        source: "https://docs.upbit.com/kr/reference/rate-limits",
    },
    // Exchange `default`: 30/s per pocket ("exchange.default(초당 30회)").
    // https://docs.upbit.com/kr/changelog/exchange-api-rate-limit-pocket-scope
    PublishedLimit {
        group: "default",
        limit_key: "default_per_sec",
        burst_key: "default_burst",
        window_ns: SEC,
        window: "second",
        limit: 30,
        burst_cap: u32::MAX,
        margin_ns: 200 * MS,
        source: "https://docs.upbit.com/kr/changelog/exchange-api-rate-limit-pocket-scope",
    },
    // `order`: raised from 8/s to 12/s on 2026-08-21 21:00 KST ("대상 그룹 : order, 기존 : 초당
    // 최대 8회, 변경 : 초당 최대 12회").
    // https://docs.upbit.com/kr/changelog/order-rate-limit-update
    PublishedLimit {
        group: "order",
        limit_key: "order_per_sec",
        burst_key: "order_burst",
        window_ns: SEC,
        window: "second",
        limit: 12,
        burst_cap: u32::MAX,
        margin_ns: 200 * MS,
        source: "https://docs.upbit.com/kr/changelog/order-rate-limit-update",
    },
    // `order-cancel-all` (DELETE /v1/orders/open): 1 per 2 s ("2초당 1회").
    // https://docs.upbit.com/docs/user-request-guide
    PublishedLimit {
        group: "order-cancel-all",
        limit_key: "cancel_all_per_2s",
        burst_key: "cancel_all_burst",
        window_ns: 2 * SEC,
        window: "2 seconds",
        limit: 1,
        burst_cap: 1,
        margin_ns: 200 * MS,
        source: "https://docs.upbit.com/docs/user-request-guide",
    },
];

/// Binance spot: the `rateLimits` of `GET /api/v3/exchangeInfo` (read at start-up where possible);
/// these are the fallbacks.
const BINANCE: [PublishedLimit; 3] = [
    // REQUEST_WEIGHT, MINUTE, 1, 6000 (the enum's own example; per IP).
    // https://developers.binance.com/docs/binance-spot-api-docs/enums (Rate limiters)
    PublishedLimit {
        group: "request-weight",
        limit_key: "weight_per_min",
        burst_key: "weight_burst",
        window_ns: 60 * SEC,
        window: "minute",
        limit: 6_000,
        burst_cap: u32::MAX,
        margin_ns: SEC,
        source: "https://developers.binance.com/docs/binance-spot-api-docs/enums",
    },
    // ORDERS, SECOND, 10, 100 per account ("if the unfilled order rate limit is 100 per 10
    // seconds"). https://developers.binance.com/docs/binance-spot-api-docs/faqs/order_count_decrement
    PublishedLimit {
        group: "orders-10s",
        limit_key: "orders_per_10s",
        burst_key: "orders_10s_burst",
        window_ns: 10 * SEC,
        window: "10 seconds",
        limit: 100,
        burst_cap: u32::MAX,
        margin_ns: 200 * MS,
        source:
            "https://developers.binance.com/docs/binance-spot-api-docs/faqs/order_count_decrement",
    },
    // ORDERS, DAY, 1: the docs give no fixed figure (exchangeInfo is the source; its examples vary
    // by account); 200000 is the value exchangeInfo has long reported for spot accounts.
    PublishedLimit {
        group: "orders-1d",
        limit_key: "orders_per_day",
        burst_key: "orders_day_burst",
        window_ns: 86_400 * SEC,
        window: "day",
        limit: 200_000,
        burst_cap: 100,
        margin_ns: 3_600 * SEC,
        source: "https://developers.binance.com/docs/binance-spot-api-docs/rest-api#exchangeInfo",
    },
];

/// Bybit v5: spot `POST /v5/order/create` 20/s per UID, in a rolling one-second window (the
/// default for non-VIP accounts; status queries share this limiter, stricter than the venue's
/// separate 50/s for `GET /v5/order/realtime`). https://bybit-exchange.github.io/docs/v5/rate-limit
const BYBIT: [PublishedLimit; 1] = [PublishedLimit {
    group: "order",
    limit_key: "order_per_sec",
    burst_key: "order_burst",
    window_ns: SEC,
    window: "second",
    limit: 20,
    burst_cap: u32::MAX,
    margin_ns: 200 * MS,
    source: "https://bybit-exchange.github.io/docs/v5/rate-limit",
}];

/// OKX v5: `POST /api/v5/trade/order` 60 requests per 2 s, per user ID and instrument ID. One
/// limiter for every instrument (and for status queries, `GET /api/v5/trade/order`, 60 per 2 s
/// per instrument at the venue) is stricter than the venue, never looser.
/// https://www.okx.com/docs-v5/en/#order-book-trading-trade-post-place-order
const OKX: [PublishedLimit; 1] = [PublishedLimit {
    group: "order",
    limit_key: "order_per_2s",
    burst_key: "order_burst",
    window_ns: 2 * SEC,
    window: "2 seconds",
    limit: 60,
    burst_cap: u32::MAX,
    margin_ns: 200 * MS,
    source: "https://www.okx.com/docs-v5/en/#order-book-trading-trade-post-place-order",
}];

/// Every group `kind` publishes a limit for.
pub const fn published_limits(kind: VenueKind) -> &'static [PublishedLimit] {
    match kind {
        VenueKind::Binance => &BINANCE,
        VenueKind::Upbit => &UPBIT,
        VenueKind::Bybit => &BYBIT,
        VenueKind::Okx => &OKX,
    }
}

/// The published limit of `kind`'s group named `group` (`EndpointGroup::name`), if it has one.
pub fn published_limit(kind: VenueKind, group: &str) -> Option<&'static PublishedLimit> {
    published_limits(kind).iter().find(|p| p.group == group)
}

/// `(limit, burst)` of group `p` under a venue's `limits` keys: the configured values, else the
/// published limit and the default burst of the configured limit. Assumes a validated config.
pub fn configured(p: &PublishedLimit, keys: &BTreeMap<String, u32>) -> (u32, u32) {
    let limit = keys.get(p.limit_key).copied().unwrap_or(p.limit);
    let burst = keys
        .get(p.burst_key)
        .copied()
        .unwrap_or_else(|| p.default_burst(limit));
    (limit, burst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_per_kind_and_defaults_drawable() {
        for kind in VenueKind::ALL {
            let ps = published_limits(kind);
            let mut keys: Vec<&str> = ps.iter().flat_map(|p| [p.limit_key, p.burst_key]).collect();
            let n = keys.len();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), n, "{kind:?}: duplicate keys");
            for p in ps {
                let (limit, burst) = configured(p, &BTreeMap::new());
                assert_eq!(limit, p.limit);
                assert!((1..=limit).contains(&burst), "{kind:?}/{}", p.group);
                assert!(p.source.starts_with("https://"));
            }
        }
    }

    #[test]
    fn the_current_published_numbers() {
        let l = |k, g| published_limit(k, g).unwrap().limit;
        assert_eq!(
            l(VenueKind::Upbit, "order"),
            12,
            "raised from 8 on 2026-08-21"
        );
        assert_eq!(l(VenueKind::Upbit, "default"), 30);
        assert_eq!(l(VenueKind::Bybit, "order"), 20);
        assert_eq!(l(VenueKind::Okx, "order"), 60);
        assert_eq!(
            published_limit(VenueKind::Okx, "order").unwrap().window_ns,
            2 * SEC
        );
        assert_eq!(l(VenueKind::Binance, "request-weight"), 6_000);
        assert_eq!(l(VenueKind::Binance, "orders-10s"), 100);
        assert_eq!(l(VenueKind::Binance, "orders-1d"), 200_000);
        assert_eq!(
            published_limit(VenueKind::Binance, "orders-1d")
                .unwrap()
                .default_burst(200_000),
            100
        );
    }

    #[test]
    fn a_lower_limit_without_a_burst_gets_half_of_it() {
        let p = published_limit(VenueKind::Upbit, "order").unwrap();
        let keys = BTreeMap::from([("order_per_sec".to_string(), 5)]);
        assert_eq!(configured(p, &keys), (5, 2));
        let keys = BTreeMap::from([("order_per_sec".to_string(), 1)]);
        assert_eq!(configured(p, &keys), (1, 1));
    }
}
