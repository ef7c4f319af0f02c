//! The venues' REST rate limits as the mock exchange enforces them (the venues' API
//! documentation, "rate limits" pages), with configurable sizes so a test can reach them in a few
//! requests.
//!
//! - Binance: request weight per minute (orders weigh `order_weight`, status queries
//!   `query_weight`, the other endpoints their documented weights), orders per 10 s and per day;
//!   fixed windows aligned to unix time, as Binance's are. Every answer carries
//!   `X-MBX-USED-WEIGHT-1M`, `X-MBX-ORDER-COUNT-10S` and `X-MBX-ORDER-COUNT-1D`. Past a limit:
//!   429 with `Retry-After` (seconds to the window's end).
//! - Upbit: requests per second per group (`order` for placing, `default` for the rest of the
//!   exchange API, `orderbook` for the public book); every answer carries
//!   `Remaining-Req: group=<g>; min=<left this minute>; sec=<left this second>`. Past the limit: 429.
//! - Binance and Upbit: a client that sends again to what was limited (every request after
//!   Binance's weight limit; orders after an order-count or Upbit `order` limit; the rest after
//!   Upbit's `default` limit) before the 429's `Retry-After` has passed is banned: 418 with
//!   `Retry-After` (`ban_ms`), as Binance does (Upbit answers 418 to clients that keep going too).
//! - Bybit and OKX: `limits_v5` (rolling windows, Bybit's `X-Bapi-*` headers and 403 IP ban,
//!   OKX's per-instrument 2 s windows and 429).
//!
//! One [`Limiter`] per venue behind a mutex shared by that venue's connection threads (test
//! tooling; the engine's hot path never sees this).

use std::collections::{HashMap, VecDeque};
use std::fmt::Write;

use super::dialect::Op;
use crate::venue_kind::VenueKind;

/// Limit sizes of the REST side (per venue; each venue uses the fields of its kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestLimits {
    /// Binance request weight per minute (the venue: 6000).
    pub binance_weight_1m: u32,
    /// Binance orders per 10 s (the venue: 100).
    pub binance_orders_10s: u32,
    /// Binance orders per day (the venue: 200 000).
    pub binance_orders_1d: u32,
    /// Weight of `POST /api/v3/order` (the venue: 1).
    pub binance_order_weight: u32,
    /// Weight of `GET /api/v3/order` (the venue: 4).
    pub binance_query_weight: u32,
    /// Upbit `order` group requests per second (the venue: 12 since 2026-08-21, 8 before).
    pub upbit_order_per_sec: u32,
    /// Upbit `default` group requests per second (the venue: 30).
    pub upbit_default_per_sec: u32,
    /// Upbit public `orderbook` group requests per second (the venue: 10 per IP).
    pub upbit_orderbook_per_sec: u32,
    /// Bybit `POST /v5/order/create` per second per UID, spot (the venue: 20).
    pub bybit_create_per_sec: u32,
    /// Bybit `POST /v5/order/cancel` per second per UID, spot (the venue: 20).
    pub bybit_cancel_per_sec: u32,
    /// Bybit `GET /v5/order/realtime` per second per UID (the venue: 50).
    pub bybit_realtime_per_sec: u32,
    /// Bybit `GET /v5/account/wallet-balance` per second per UID (the venue: 50).
    pub bybit_wallet_per_sec: u32,
    /// Bybit requests per 5 s per IP, all endpoints (the venue: 600); past it: 403 and a ban.
    pub bybit_ip_per_5s: u32,
    /// OKX `POST /api/v5/trade/order` per 2 s per instrument (the venue: 60).
    pub okx_orders_per_2s: u32,
    /// OKX `POST /api/v5/trade/cancel-order` per 2 s per instrument (the venue: 60).
    pub okx_cancels_per_2s: u32,
    /// OKX `GET /api/v5/trade/order` per 2 s per instrument (the venue: 60).
    pub okx_queries_per_2s: u32,
    /// OKX `GET /api/v5/trade/orders-pending` per 2 s (the venue: 60).
    pub okx_pending_per_2s: u32,
    /// OKX `GET /api/v5/account/balance` per 2 s (the venue: 10).
    pub okx_balance_per_2s: u32,
    /// OKX `GET /api/v5/public/instruments` per 2 s (the venue: 20).
    pub okx_instruments_per_2s: u32,
    /// OKX `GET /api/v5/public/time` per 2 s (the venue: 10).
    pub okx_time_per_2s: u32,
    /// OKX `GET /api/v5/market/books` per 2 s (the venue: 40).
    pub okx_books_per_2s: u32,
    /// How long a ban lasts, ms (Binance/Upbit 418, Bybit 403).
    pub ban_ms: u64,
}

impl Default for RestLimits {
    /// The venues' published limits; bans of 2 s (Binance starts at 2 minutes, Bybit's IP ban is
    /// 10 minutes; kept short for tests that provoke one).
    fn default() -> Self {
        RestLimits {
            binance_weight_1m: 6000,
            binance_orders_10s: 100,
            binance_orders_1d: 200_000,
            binance_order_weight: 1,
            binance_query_weight: 4,
            upbit_order_per_sec: 12,
            upbit_default_per_sec: 30,
            upbit_orderbook_per_sec: 10,
            bybit_create_per_sec: 20,
            bybit_cancel_per_sec: 20,
            bybit_realtime_per_sec: 50,
            bybit_wallet_per_sec: 50,
            bybit_ip_per_5s: 600,
            okx_orders_per_2s: 60,
            okx_cancels_per_2s: 60,
            okx_queries_per_2s: 60,
            okx_pending_per_2s: 60,
            okx_balance_per_2s: 10,
            okx_instruments_per_2s: 20,
            okx_time_per_2s: 10,
            okx_books_per_2s: 40,
            ban_ms: 2000,
        }
    }
}

impl RestLimits {
    /// Limits no client reaches (a billion of everything per window, the weights kept): for
    /// latency benches whose engine runs unpaced (`execution.rest.venue_limits = false`), so
    /// the measured orders are as many as the bench makes. Never what a venue does.
    pub fn unlimited() -> RestLimits {
        const N: u32 = 1_000_000_000;
        RestLimits {
            binance_weight_1m: N,
            binance_orders_10s: N,
            binance_orders_1d: N,
            upbit_order_per_sec: N,
            upbit_default_per_sec: N,
            upbit_orderbook_per_sec: N,
            bybit_create_per_sec: N,
            bybit_cancel_per_sec: N,
            bybit_realtime_per_sec: N,
            bybit_wallet_per_sec: N,
            bybit_ip_per_5s: N,
            okx_orders_per_2s: N,
            okx_cancels_per_2s: N,
            okx_queries_per_2s: N,
            okx_pending_per_2s: N,
            okx_balance_per_2s: N,
            okx_instruments_per_2s: N,
            okx_time_per_2s: N,
            okx_books_per_2s: N,
            ..RestLimits::default()
        }
    }
}

/// What the limiter decided for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// 0: go ahead; else the status to answer (429, 418; Bybit 200 with retCode 10006, or 403).
    pub status: u16,
    /// `Retry-After` seconds when limited.
    pub retry_after_s: u64,
    /// Unix ms when the limit resets (Bybit's `X-Bapi-Limit-Reset-Timestamp`), when limited.
    pub reset_ms: u64,
    /// Rate headers to add to the answer (`Name: value\r\n` lines).
    pub headers: String,
}

impl Verdict {
    /// Go ahead, with these headers.
    pub fn pass(headers: String) -> Verdict {
        Verdict {
            status: 0,
            retry_after_s: 0,
            reset_ms: 0,
            headers,
        }
    }
}

/// A fixed window counter.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Window {
    index: u64,
    pub(super) used: u32,
}

impl Window {
    fn roll(&mut self, now_ms: u64, len_ms: u64) {
        let i = now_ms / len_ms;
        if i != self.index {
            *self = Window { index: i, used: 0 };
        }
    }

    fn retry_after_s(&self, now_ms: u64, len_ms: u64) -> u64 {
        let end = (self.index + 1) * len_ms;
        end.saturating_sub(now_ms).div_ceil(1000).max(1)
    }
}

/// One venue's limit state.
#[derive(Debug)]
pub(crate) struct Limiter {
    pub(super) kind: VenueKind,
    pub(super) limits: RestLimits,
    weight_1m: Window,
    orders_10s: Window,
    orders_1d: Window,
    /// Upbit: (second, minute) windows per group.
    upbit: HashMap<&'static str, (Window, Window)>,
    /// Bybit and OKX: arrival times (unix ms) per rolling bucket.
    pub(super) rolling: HashMap<String, VecDeque<u64>>,
    /// After a 429: requests of the limited class (`[orders, the rest]`) before this (unix ms)
    /// are banned.
    retry_until_ms: [u64; 2],
    /// After a 418 (Bybit: a 403): requests before this are refused.
    pub(super) banned_until_ms: u64,
}

impl Limiter {
    /// A fresh limiter for a venue of `kind`.
    pub fn new(kind: VenueKind, limits: RestLimits) -> Limiter {
        Limiter {
            kind,
            limits,
            weight_1m: Window::default(),
            orders_10s: Window::default(),
            orders_1d: Window::default(),
            upbit: HashMap::new(),
            rolling: HashMap::new(),
            retry_until_ms: [0; 2],
            banned_until_ms: 0,
        }
    }

    /// Count one request for `op` on instrument `inst` at `now_ms` (unix).
    pub fn admit(&mut self, op: Op, inst: &str, now_ms: u64) -> Verdict {
        match self.kind {
            VenueKind::Bybit => return self.admit_bybit(op, now_ms),
            VenueKind::Okx => return self.admit_okx(op, inst, now_ms),
            VenueKind::Binance | VenueKind::Upbit => {}
        }
        let order = op == Op::Place;
        let class = usize::from(!order);
        if now_ms < self.banned_until_ms || now_ms < self.retry_until_ms[class] {
            self.banned_until_ms = now_ms + self.limits.ban_ms;
            self.retry_until_ms = [0; 2];
            let s = self.limits.ban_ms.div_ceil(1000).max(1);
            return Verdict {
                status: 418,
                retry_after_s: s,
                reset_ms: now_ms + self.limits.ban_ms,
                headers: String::new(),
            };
        }
        let v = match self.kind {
            VenueKind::Upbit => self.admit_upbit(op, now_ms),
            _ => self.admit_binance(op, now_ms),
        };
        if v.status == 429 {
            let until = now_ms + v.retry_after_s * 1000;
            // Binance's weight limit covers every request; the order counts and Upbit's groups
            // only their own kind.
            let weight = self.kind != VenueKind::Upbit
                && self.weight_1m.used > self.limits.binance_weight_1m;
            if weight {
                self.retry_until_ms = [until; 2];
            } else {
                self.retry_until_ms[class] = until;
            }
        }
        v
    }

    /// Binance's request weight of `op` (spot API docs: order 1, query 4, cancel 1, open orders
    /// of one symbol 6, account 20, exchangeInfo 20, time 1, bookTicker of one symbol 2).
    fn binance_weight(&self, op: Op) -> u32 {
        match op {
            Op::Place => self.limits.binance_order_weight,
            Op::Status => self.limits.binance_query_weight,
            Op::Cancel | Op::Time => 1,
            Op::OpenOrders => 6,
            Op::Balances | Op::Rules => 20,
            Op::Book => 2,
        }
    }

    /// Binance's counts now, `[REQUEST_WEIGHT per minute, ORDERS per 10 s, ORDERS per day]`:
    /// what the WebSocket API's `rateLimits` report (the same counters as the REST headers).
    pub fn binance_counts(&self) -> [u32; 3] {
        [
            self.weight_1m.used,
            self.orders_10s.used,
            self.orders_1d.used,
        ]
    }

    fn admit_binance(&mut self, op: Op, now_ms: u64) -> Verdict {
        let l = self.limits;
        self.weight_1m.roll(now_ms, 60_000);
        self.orders_10s.roll(now_ms, 10_000);
        self.orders_1d.roll(now_ms, 86_400_000);
        let w = self.binance_weight(op);
        self.weight_1m.used = self.weight_1m.used.saturating_add(w);
        let mut retry = 0;
        if self.weight_1m.used > l.binance_weight_1m {
            retry = self.weight_1m.retry_after_s(now_ms, 60_000);
        } else if op == Op::Place {
            if self.orders_10s.used >= l.binance_orders_10s {
                retry = self.orders_10s.retry_after_s(now_ms, 10_000);
            } else if self.orders_1d.used >= l.binance_orders_1d {
                retry = self.orders_1d.retry_after_s(now_ms, 86_400_000);
            } else {
                self.orders_10s.used += 1;
                self.orders_1d.used += 1;
            }
        }
        let mut headers = String::new();
        let _ = write!(
            headers,
            "X-MBX-USED-WEIGHT-1M: {}\r\nX-MBX-ORDER-COUNT-10S: {}\r\nX-MBX-ORDER-COUNT-1D: {}\r\n",
            self.weight_1m.used, self.orders_10s.used, self.orders_1d.used
        );
        Verdict {
            status: if retry > 0 { 429 } else { 0 },
            retry_after_s: retry,
            reset_ms: 0,
            headers,
        }
    }

    fn admit_upbit(&mut self, op: Op, now_ms: u64) -> Verdict {
        let (group, limit) = match op {
            Op::Place => ("order", self.limits.upbit_order_per_sec),
            Op::Book => ("orderbook", self.limits.upbit_orderbook_per_sec),
            _ => ("default", self.limits.upbit_default_per_sec),
        };
        let (sec, min) = self.upbit.entry(group).or_default();
        sec.roll(now_ms, 1000);
        min.roll(now_ms, 60_000);
        let over = sec.used >= limit;
        let retry = if over {
            sec.retry_after_s(now_ms, 1000)
        } else {
            sec.used += 1;
            min.used += 1;
            0
        };
        let headers = format!(
            "Remaining-Req: group={group}; min={}; sec={}\r\n",
            limit.saturating_mul(60).saturating_sub(min.used),
            limit.saturating_sub(sec.used)
        );
        Verdict {
            status: if over { 429 } else { 0 },
            retry_after_s: retry,
            reset_ms: 0,
            headers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binance_orders_per_10s_then_ban() {
        let limits = RestLimits {
            binance_orders_10s: 2,
            ..RestLimits::default()
        };
        let mut l = Limiter::new(VenueKind::Binance, limits);
        let t = 1_000_000_000; // a 10 s boundary
        assert_eq!(l.admit(Op::Place, "", t).status, 0);
        let v = l.admit(Op::Place, "", t + 1);
        assert!(
            v.headers.contains("X-MBX-ORDER-COUNT-10S: 2"),
            "{}",
            v.headers
        );
        let v = l.admit(Op::Place, "", t + 2);
        assert_eq!((v.status, v.retry_after_s), (429, 10));
        // A query is not an order: the order-count limit does not cover it.
        assert_eq!(l.admit(Op::Status, "", t + 3).status, 0);
        // Another order inside Retry-After is a ban, and the ban covers everything.
        assert_eq!(l.admit(Op::Place, "", t + 4).status, 418);
        assert_eq!(l.admit(Op::Status, "", t + 5).status, 418);
        assert_eq!(l.admit(Op::Place, "", t + 1000).status, 418);
        // After the ban, a new window.
        assert_eq!(l.admit(Op::Place, "", t + 20_000).status, 0);
    }

    #[test]
    fn upbit_remaining_counts_down() {
        let limits = RestLimits {
            upbit_order_per_sec: 2,
            ..RestLimits::default()
        };
        let mut l = Limiter::new(VenueKind::Upbit, limits);
        let v = l.admit(Op::Place, "", 5_000);
        assert_eq!(v.headers, "Remaining-Req: group=order; min=119; sec=1\r\n");
        assert_eq!(l.admit(Op::Place, "", 5_100).status, 0);
        assert_eq!(l.admit(Op::Place, "", 5_200).status, 429);
        assert_eq!(
            l.admit(Op::Status, "", 7_000).status,
            0,
            "after Retry-After"
        );
        assert!(l.admit(Op::Place, "", 7_000).headers.contains("sec=1"));
    }
}
