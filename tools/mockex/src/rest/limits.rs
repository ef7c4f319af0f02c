//! The venues' REST rate limits as the mock exchange enforces them (the venues' API documentation), with configurable
//! sizes so a test can reach them in a few requests.
//!
//! - Binance: request weight per minute (orders weigh `order_weight`, status queries
//!   `query_weight`), orders per 10 s and per day; fixed windows aligned to unix time, as Binance's
//!   are. Every answer carries `X-MBX-USED-WEIGHT-1M`, `X-MBX-ORDER-COUNT-10S` and
//!   `X-MBX-ORDER-COUNT-1D`. Past a limit: 429 with `Retry-After` (seconds to the window's end).
//! - Upbit: requests per second per group (`order` for placing, `default` for the rest); every
//!   answer carries `Remaining-Req: group=<g>; min=<left this minute>; sec=<left this second>`.
//!   Past the limit: 429.
//! - Both: a client that sends again to what was limited (every request after Binance's weight
//!   limit; orders after an order-count or Upbit `order` limit; queries after Upbit's `default`
//!   limit) before the 429's `Retry-After` has passed is banned: 418 with `Retry-After`
//!   (`ban_ms`), as Binance does (Upbit answers 418 to clients that keep going too).
//!
//! One [`Limiter`] per venue behind a mutex shared by that venue's connection threads (test
//! tooling; the engine's hot path never sees this).

use std::fmt::Write;

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
    /// Upbit `order` group requests per second (the venue: 8).
    pub upbit_order_per_sec: u32,
    /// Upbit `default` group requests per second (the venue: 30).
    pub upbit_default_per_sec: u32,
    /// How long a 418 ban lasts, ms.
    pub ban_ms: u64,
}

impl Default for RestLimits {
    /// The venues' published limits; bans of 2 s (Binance starts at 2 minutes; kept short for
    /// tests that provoke one).
    fn default() -> Self {
        RestLimits {
            binance_weight_1m: 6000,
            binance_orders_10s: 100,
            binance_orders_1d: 200_000,
            binance_order_weight: 1,
            binance_query_weight: 4,
            upbit_order_per_sec: 8,
            upbit_default_per_sec: 30,
            ban_ms: 2000,
        }
    }
}

/// What the limiter decided for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// 0: go ahead; 429 or 418: answer that.
    pub status: u16,
    /// `Retry-After` seconds for a 429/418.
    pub retry_after_s: u64,
    /// Rate headers to add to the answer (`Name: value\r\n` lines).
    pub headers: String,
}

/// A fixed window counter.
#[derive(Debug, Clone, Copy, Default)]
struct Window {
    index: u64,
    used: u32,
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
    kind: VenueKind,
    limits: RestLimits,
    weight_1m: Window,
    orders_10s: Window,
    orders_1d: Window,
    upbit_order: Window,
    upbit_default: Window,
    upbit_order_min: Window,
    upbit_default_min: Window,
    /// After a 429: requests of the limited class (`[orders, queries]`) before this (unix ms)
    /// are banned.
    retry_until_ms: [u64; 2],
    /// After a 418: requests before this are answered 418.
    banned_until_ms: u64,
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
            upbit_order: Window::default(),
            upbit_default: Window::default(),
            upbit_order_min: Window::default(),
            upbit_default_min: Window::default(),
            retry_until_ms: [0; 2],
            banned_until_ms: 0,
        }
    }

    /// Count one request (`order`: placing an order; else a status query) at `now_ms` (unix).
    pub fn admit(&mut self, order: bool, now_ms: u64) -> Verdict {
        let class = usize::from(!order);
        if now_ms < self.banned_until_ms || now_ms < self.retry_until_ms[class] {
            self.banned_until_ms = now_ms + self.limits.ban_ms;
            self.retry_until_ms = [0; 2];
            return Verdict {
                status: 418,
                retry_after_s: self.limits.ban_ms.div_ceil(1000).max(1),
                headers: String::new(),
            };
        }
        let v = match self.kind {
            VenueKind::Upbit => self.admit_upbit(order, now_ms),
            _ => self.admit_binance(order, now_ms),
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

    fn admit_binance(&mut self, order: bool, now_ms: u64) -> Verdict {
        let l = self.limits;
        self.weight_1m.roll(now_ms, 60_000);
        self.orders_10s.roll(now_ms, 10_000);
        self.orders_1d.roll(now_ms, 86_400_000);
        let w = if order {
            l.binance_order_weight
        } else {
            l.binance_query_weight
        };
        self.weight_1m.used = self.weight_1m.used.saturating_add(w);
        let mut retry = 0;
        if self.weight_1m.used > l.binance_weight_1m {
            retry = self.weight_1m.retry_after_s(now_ms, 60_000);
        } else if order {
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
            headers,
        }
    }

    fn admit_upbit(&mut self, order: bool, now_ms: u64) -> Verdict {
        let (sec, min, limit, group) = if order {
            (
                &mut self.upbit_order,
                &mut self.upbit_order_min,
                self.limits.upbit_order_per_sec,
                "order",
            )
        } else {
            (
                &mut self.upbit_default,
                &mut self.upbit_default_min,
                self.limits.upbit_default_per_sec,
                "default",
            )
        };
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
            (limit * 60).saturating_sub(min.used),
            limit.saturating_sub(sec.used)
        );
        Verdict {
            status: if over { 429 } else { 0 },
            retry_after_s: retry,
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
        assert_eq!(l.admit(true, t).status, 0);
        let v = l.admit(true, t + 1);
        assert!(
            v.headers.contains("X-MBX-ORDER-COUNT-10S: 2"),
            "{}",
            v.headers
        );
        let v = l.admit(true, t + 2);
        assert_eq!((v.status, v.retry_after_s), (429, 10));
        // A query is not an order: the order-count limit does not cover it.
        assert_eq!(l.admit(false, t + 3).status, 0);
        // Another order inside Retry-After is a ban, and the ban covers everything.
        assert_eq!(l.admit(true, t + 4).status, 418);
        assert_eq!(l.admit(false, t + 5).status, 418);
        assert_eq!(l.admit(true, t + 1000).status, 418);
        // After the ban, a new window.
        assert_eq!(l.admit(true, t + 20_000).status, 0);
    }

    #[test]
    fn upbit_remaining_counts_down() {
        let limits = RestLimits {
            upbit_order_per_sec: 2,
            ..RestLimits::default()
        };
        let mut l = Limiter::new(VenueKind::Upbit, limits);
        let v = l.admit(true, 5_000);
        assert_eq!(v.headers, "Remaining-Req: group=order; min=119; sec=1\r\n");
        assert_eq!(l.admit(true, 5_100).status, 0);
        assert_eq!(l.admit(true, 5_200).status, 429);
        assert_eq!(l.admit(false, 7_000).status, 0, "after Retry-After");
        assert!(l.admit(true, 7_000).headers.contains("sec=1"));
    }
}
