//! Bybit's and OKX's REST rate limits (the venues' "rate limit" pages), on rolling windows as the
//! venues count them.
//!
//! - Bybit v5 ("Rate Limit Rules"): per UID and endpoint per rolling second (spot
//!   `/v5/order/create` 20/s, `/v5/order/cancel` 20/s, `/v5/order/realtime` 50/s,
//!   `/v5/account/wallet-balance` 50/s). Every private answer carries `X-Bapi-Limit`,
//!   `X-Bapi-Limit-Status` (left in the window) and `X-Bapi-Limit-Reset-Timestamp` (when the
//!   limit resets if it was exceeded, else the current time). Past the limit: HTTP 200 with
//!   `retCode` 10006 "Too many visits!" (what pybit retries after the reset timestamp); going on
//!   is not punished further. The IP limit, 600 requests per 5 s over every endpoint, is
//!   different: past it the IP is banned (HTTP 403 "access too frequent", 10 minutes at the
//!   venue, [`RestLimits::ban_ms`](super::RestLimits::ban_ms) here) and every request is refused
//!   until the ban ends.
//! - OKX v5: per instrument per rolling 2 s for placing, cancelling and querying an order (60
//!   each), per user for pending orders (60) and balance (10), per IP for instruments (20), time
//!   (10) and books (40). Past a limit: HTTP 429 with `code` 50011 "Too Many Requests"; OKX sends
//!   no rate headers and bans no one for going on.

use std::collections::VecDeque;

use super::dialect::Op;
use super::limits::{Limiter, Verdict};

/// Count one arrival at `now_ms` in the rolling window `len_ms` of `log`, if fewer than `limit`
/// are in it: `Ok(left after this one)`, or `Err(unix ms when the oldest leaves the window)`.
fn rolling(log: &mut VecDeque<u64>, len_ms: u64, limit: u32, now_ms: u64) -> Result<u32, u64> {
    while log.front().is_some_and(|&t| t + len_ms <= now_ms) {
        log.pop_front();
    }
    if log.len() >= limit as usize {
        return Err(log.front().map_or(now_ms, |&t| t + len_ms));
    }
    log.push_back(now_ms);
    Ok(limit.saturating_sub(log.len() as u32))
}

impl Limiter {
    fn bucket(&mut self, key: String) -> &mut VecDeque<u64> {
        self.rolling.entry(key).or_default()
    }

    /// Bybit: the IP limit first, then the endpoint's UID limit (private endpoints only).
    pub(super) fn admit_bybit(&mut self, op: Op, now_ms: u64) -> Verdict {
        let l = self.limits;
        let ban = |until: u64| Verdict {
            status: 403,
            retry_after_s: until.saturating_sub(now_ms).div_ceil(1000).max(1),
            reset_ms: until,
            headers: String::new(),
        };
        if now_ms < self.banned_until_ms {
            return ban(self.banned_until_ms);
        }
        if rolling(self.bucket("ip".into()), 5000, l.bybit_ip_per_5s, now_ms).is_err() {
            self.banned_until_ms = now_ms + l.ban_ms;
            return ban(self.banned_until_ms);
        }
        let (name, limit) = match op {
            Op::Place => ("create", l.bybit_create_per_sec),
            Op::Cancel => ("cancel", l.bybit_cancel_per_sec),
            Op::Status | Op::OpenOrders => ("realtime", l.bybit_realtime_per_sec),
            Op::Balances => ("wallet", l.bybit_wallet_per_sec),
            Op::Rules | Op::Time | Op::Book => return Verdict::pass(String::new()),
        };
        let (left, reset, over) = match rolling(self.bucket(name.into()), 1000, limit, now_ms) {
            Ok(left) => (left, now_ms, false),
            Err(reset) => (0, reset, true),
        };
        let headers = format!(
            "X-Bapi-Limit: {limit}\r\nX-Bapi-Limit-Status: {left}\r\nX-Bapi-Limit-Reset-Timestamp: {reset}\r\n"
        );
        if !over {
            return Verdict::pass(headers);
        }
        Verdict {
            status: 200,
            retry_after_s: reset.saturating_sub(now_ms).div_ceil(1000).max(1),
            reset_ms: reset,
            headers,
        }
    }

    /// OKX: the endpoint's 2 s window, per instrument for the order endpoints.
    pub(super) fn admit_okx(&mut self, op: Op, inst: &str, now_ms: u64) -> Verdict {
        let l = self.limits;
        let (key, limit) = match op {
            Op::Place => (format!("order:{inst}"), l.okx_orders_per_2s),
            Op::Cancel => (format!("cancel:{inst}"), l.okx_cancels_per_2s),
            Op::Status => (format!("query:{inst}"), l.okx_queries_per_2s),
            Op::OpenOrders => ("pending".into(), l.okx_pending_per_2s),
            Op::Balances => ("balance".into(), l.okx_balance_per_2s),
            Op::Rules => ("instruments".into(), l.okx_instruments_per_2s),
            Op::Time => ("time".into(), l.okx_time_per_2s),
            Op::Book => ("books".into(), l.okx_books_per_2s),
        };
        match rolling(self.bucket(key), 2000, limit, now_ms) {
            Ok(_) => Verdict::pass(String::new()),
            Err(reset) => Verdict {
                status: 429,
                retry_after_s: reset.saturating_sub(now_ms).div_ceil(1000).max(1),
                reset_ms: reset,
                headers: String::new(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::limits::RestLimits;
    use super::*;
    use crate::venue_kind::VenueKind;

    #[test]
    fn bybit_uid_limit_headers_and_ip_ban() {
        let limits = RestLimits {
            bybit_create_per_sec: 2,
            bybit_ip_per_5s: 6,
            ..RestLimits::default()
        };
        let mut l = Limiter::new(VenueKind::Bybit, limits);
        let v = l.admit(Op::Place, "", 10_000);
        assert_eq!(v.status, 0);
        assert_eq!(
            v.headers,
            "X-Bapi-Limit: 2\r\nX-Bapi-Limit-Status: 1\r\nX-Bapi-Limit-Reset-Timestamp: 10000\r\n"
        );
        assert_eq!(l.admit(Op::Place, "", 10_400).status, 0);
        let v = l.admit(Op::Place, "", 10_900);
        assert_eq!(
            (v.status, v.reset_ms),
            (200, 11_000),
            "retCode 10006, rolling"
        );
        assert!(v.headers.contains("X-Bapi-Limit-Status: 0\r\n"));
        assert!(v
            .headers
            .contains("X-Bapi-Limit-Reset-Timestamp: 11000\r\n"));
        assert_eq!(
            l.admit(Op::Place, "", 11_000).status,
            0,
            "the first left the window"
        );
        // Public endpoints: no UID headers. Sixth request in 5 s is fine, the seventh a ban.
        assert_eq!(l.admit(Op::Time, "", 11_100), Verdict::pass(String::new()));
        assert_eq!(l.admit(Op::Time, "", 11_200).status, 0);
        let v = l.admit(Op::Time, "", 11_300);
        assert_eq!((v.status, v.reset_ms), (403, 13_300));
        assert_eq!(l.admit(Op::Status, "", 13_000).status, 403);
        assert_eq!(
            l.admit(Op::Status, "", 16_400).status,
            0,
            "ban over, window moved on"
        );
    }

    #[test]
    fn okx_per_instrument_2s() {
        let limits = RestLimits {
            okx_orders_per_2s: 2,
            ..RestLimits::default()
        };
        let mut l = Limiter::new(VenueKind::Okx, limits);
        assert_eq!(l.admit(Op::Place, "BTC-USDT", 0).status, 0);
        assert_eq!(l.admit(Op::Place, "BTC-USDT", 1500).status, 0);
        let v = l.admit(Op::Place, "BTC-USDT", 1900);
        assert_eq!(
            (v.status, v.retry_after_s, v.headers.as_str()),
            (429, 1, "")
        );
        assert_eq!(
            l.admit(Op::Place, "ETH-USDT", 1900).status,
            0,
            "per instrument"
        );
        assert_eq!(
            l.admit(Op::Status, "BTC-USDT", 1900).status,
            0,
            "own bucket"
        );
        assert_eq!(
            l.admit(Op::Place, "BTC-USDT", 1950).status,
            429,
            "no ban, still 429"
        );
        assert_eq!(l.admit(Op::Place, "BTC-USDT", 2000).status, 0);
    }
}
