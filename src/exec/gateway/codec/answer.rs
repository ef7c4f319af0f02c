//! What a REST gateway hands back for one order ([`RestAnswer`]), the venue-independent pieces the
//! venue codecs share (instrument table, request errors, average-price arithmetic), and the
//! [`RestVenue`] trait a venue codec implements.
//!
//! Contract: an answer is a small `Copy` value. It carries the [`ExecReport`] the execution stage
//! acts on plus what the rate limiter and the breaker want from the same response (HTTP status,
//! `Retry-After`, the venue's usage headers) and *how sure* the report is ([`AnswerKind`]): a 5xx,
//! a timeout or a connection lost mid-request is [`AnswerKind::Ambiguous`] with
//! [`ExecStatus::Unknown`], never a failure, because the order may have executed.

use thiserror::Error;

use crate::exec::limits::rate_headers::BybitLimit;
use crate::model::{ExecReport, ExecStatus, Order, OrderId, Price, Qty, Scale};

/// Report code of a status-query answer saying the venue has no such order (Binance -2013, Upbit
/// `order_not_found`): the order never reached the book, so nothing filled. Same value as the
/// paper gateway's, which the execution stage treats as "final, nothing filled, not a failure".
pub const CODE_NO_SUCH_ORDER: u16 = crate::exec::gateway::CODE_NO_SUCH_ORDER;

/// How far a [`RestAnswer`] can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnswerKind {
    /// The venue gave the order's final state (filled, partly filled, cancelled).
    Final,
    /// The venue accepted the order but its final state is not in the answer (Upbit answers
    /// `state: wait` before matching); query it. The report is `Unknown`.
    Accepted,
    /// The venue refused the order (4xx other than 429/418): nothing happened.
    Rejected,
    /// 429: rate limit broken, nothing happened; honour `retry_after_ms`.
    RateLimited,
    /// 418 (Binance IP ban; Upbit after continuing past 429): stop sending to this venue.
    Banned,
    /// 5xx, timeout, connection lost after the request left, or an answer we could not read:
    /// the order's fate is unknown until queried.
    Ambiguous,
    /// The request never left this process (no connection, request could not be built): safe to
    /// retry or drop.
    NotSent,
}

/// One order's answer: the report plus the response facts the limiter and breaker need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestAnswer {
    /// The execution report (its `retry_after_ms` mirrors [`RestAnswer::retry_after_ms`]).
    pub report: ExecReport,
    /// How far to trust it.
    pub kind: AnswerKind,
    /// HTTP status (0 when no response arrived).
    pub http_status: u16,
    /// Venue error code when the body carried one (Binance `code`, negative; Bybit `retCode`; OKX
    /// `sCode` or else `code`), else 0.
    pub venue_code: i32,
    /// `Retry-After` in ms (0 when absent).
    pub retry_after_ms: u32,
    /// Binance `X-MBX-USED-WEIGHT-1M`.
    pub binance_weight_1m: Option<u32>,
    /// Binance `X-MBX-ORDER-COUNT-10S`.
    pub binance_orders_10s: Option<u32>,
    /// Binance `X-MBX-ORDER-COUNT-1D`.
    pub binance_orders_1d: Option<u32>,
    /// Upbit `Remaining-Req` `sec` (requests left this second in the group).
    pub upbit_remaining_sec: Option<u32>,
    /// Bybit `X-Bapi-Limit-Status` / `X-Bapi-Limit-Reset-Timestamp`.
    pub bybit_limit: BybitLimit,
    /// Number of response headers that were present but malformed (counted, not fatal).
    pub bad_headers: u8,
}

impl RestAnswer {
    /// An answer with no response: `kind` (`Ambiguous` or `NotSent`), report `Unknown` or
    /// `Rejected { code: 0 }` accordingly.
    pub fn without_response(order: &Order, kind: AnswerKind, now_ns: u64) -> Self {
        let status = match kind {
            AnswerKind::NotSent => ExecStatus::Rejected { code: 0 },
            _ => ExecStatus::Unknown,
        };
        let mut a = Self::blank(order, now_ns);
        a.kind = kind;
        a.report.status = status;
        a
    }

    /// An `Ambiguous`/`Unknown` answer for `order` with no response facts filled in yet.
    pub fn blank(order: &Order, now_ns: u64) -> Self {
        RestAnswer {
            report: ExecReport {
                order: order.id,
                opp: order.opp,
                venue: order.venue,
                status: ExecStatus::Unknown,
                filled_qty: Qty::ZERO,
                avg_px: Price::ZERO,
                recv_ts_ns: now_ns,
                retry_after_ms: 0,
                fee: None,
                venue_order_id: crate::model::VenueOrderId::EMPTY,
            },
            kind: AnswerKind::Ambiguous,
            http_status: 0,
            venue_code: 0,
            retry_after_ms: 0,
            binance_weight_1m: None,
            binance_orders_10s: None,
            binance_orders_1d: None,
            upbit_remaining_sec: None,
            bybit_limit: BybitLimit::default(),
            bad_headers: 0,
        }
    }

    /// Classify by HTTP status alone: 429, 418 and 5xx; other statuses are left to the codec.
    pub fn classify_status(&mut self, status: u16) -> bool {
        self.http_status = status;
        let (kind, st) = match status {
            429 => (AnswerKind::RateLimited, ExecStatus::Rejected { code: 429 }),
            418 => (AnswerKind::Banned, ExecStatus::Rejected { code: 418 }),
            500..=599 => (AnswerKind::Ambiguous, ExecStatus::Unknown),
            _ => return false,
        };
        self.kind = kind;
        self.report.status = st;
        true
    }

    /// Set `kind` and the report's status together.
    pub fn set(&mut self, kind: AnswerKind, status: ExecStatus) {
        self.kind = kind;
        self.report.status = status;
    }

    /// The report status of a venue's refusal: `Rejected` with the HTTP status when it is a 4xx,
    /// else 400 (a refusal sent with HTTP 200, as Bybit and OKX do). A 404 also reads 400: a
    /// report code of [`CODE_NO_SUCH_ORDER`] means "no such order", which a wrong path is not.
    pub fn refusal(&self) -> ExecStatus {
        let code = match self.http_status {
            CODE_NO_SUCH_ORDER => 400,
            s @ 400..=499 => s,
            _ => 400,
        };
        ExecStatus::Rejected { code }
    }

    /// Record `Retry-After` (delta-seconds) on both the answer and its report.
    pub fn set_retry_after(&mut self, value: &[u8]) {
        match crate::exec::limits::rate_headers::parse_retry_after_ns(value) {
            Ok(ns) => {
                let ms = u32::try_from(ns / 1_000_000).unwrap_or(u32::MAX);
                self.retry_after_ms = ms;
                self.report.retry_after_ms = ms;
            }
            Err(_) => self.bad_headers = self.bad_headers.saturating_add(1),
        }
    }
}

/// One tradable instrument as a venue names it, with the scales of its fixed-point values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstrumentSpec {
    /// The venue's symbol (`BTCUSDT`, `KRW-BTC`); unreserved URL characters only.
    pub symbol: String,
    /// Decimals in the price mantissa.
    pub price_scale: Scale,
    /// Decimals in the quantity mantissa.
    pub qty_scale: Scale,
}

/// Why a request could not be built or a codec could not be constructed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RequestError {
    /// The order's instrument has no entry in the venue's table.
    #[error("instrument {0} has no symbol on this venue")]
    UnknownInstrument(u16),
    /// A symbol, key or prefix holds a byte that would need escaping.
    #[error("{what} holds byte {byte:#04x}, which would need url-encoding")]
    BadText {
        /// Which configured text.
        what: &'static str,
        /// The offending byte.
        byte: u8,
    },
    /// The instrument has no numeric venue code (OKX `instIdCode`) in the table.
    #[error("instrument {0} has no numeric instrument code on this venue")]
    NoVenueCode(u16),
    /// Quantity or price is not positive.
    #[error("order {0:?} has a non-positive price or quantity")]
    NonPositive(OrderId),
    /// This socket carries no order requests (a stream-only socket, named here).
    #[error("the {0} takes no order requests")]
    NotTaken(&'static str),
}

/// Refuse configured text that url-encoding would change (see [`super::encode::is_unreserved`]).
pub fn check_unreserved(what: &'static str, text: &[u8]) -> Result<(), RequestError> {
    match text.iter().find(|&&b| !super::encode::is_unreserved(b)) {
        Some(&byte) => Err(RequestError::BadText { what, byte }),
        None => Ok(()),
    }
}

/// Refuse a WebSocket client-id prefix that url-encoding would change or that is over 16 bytes
/// (the order id's tag and up to 20 digits follow it within the venues' 36-character limit).
pub fn check_ws_client_prefix(prefix: &[u8]) -> Result<(), RequestError> {
    check_unreserved("client id prefix", prefix)?;
    match prefix.get(16) {
        Some(&byte) => Err(RequestError::BadText {
            what: "client id prefix (over 16 bytes)",
            byte,
        }),
        None => Ok(()),
    }
}

/// An unsigned decimal string ("123.4500") as an `i128` mantissa at `scale`, digits beyond the
/// scale truncated. Used for aggregate quote amounts whose precision exceeds any one instrument
/// scale; `None` on anything that is not plain `digits[.digits]` or on overflow.
pub fn parse_wide(text: &[u8], scale: u32) -> Option<i128> {
    let mut n: i128 = 0;
    let mut frac: Option<u32> = None;
    let mut any = false;
    for &c in text {
        match c {
            b'0'..=b'9' => {
                any = true;
                if let Some(f) = frac.as_mut() {
                    if *f >= scale {
                        continue;
                    }
                    *f += 1;
                }
                n = n.checked_mul(10)?.checked_add(i128::from(c - b'0'))?;
            }
            b'.' if frac.is_none() => frac = Some(0),
            _ => return None,
        }
    }
    if !any {
        return None;
    }
    let pad = scale - frac.unwrap_or(0);
    n.checked_mul(10i128.checked_pow(pad)?)
}

/// A JSON integer value (`-1022`, `10006`), or the same digits in a string (OKX's `"51008"`), as an
/// `i32`; `None` for anything else.
pub fn parse_i32(v: &[u8]) -> Option<i32> {
    let v = crate::base::scan::str_content(v).unwrap_or(v);
    let (neg, digits) = match v {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, v),
    };
    let n = i32::try_from(crate::base::scan::parse_u64(digits)?).ok()?;
    Some(if neg { -n } else { n })
}

/// Average fill price from the quote amount (`cummulativeQuoteQty`, `executed_funds`) and the
/// filled quantity mantissa: `quote * 10^(ps+qs) / filled`, truncated; zero when nothing filled or
/// the figures cannot be read.
pub fn avg_price(quote_text: &[u8], filled: Qty, spec: &InstrumentSpec) -> Price {
    if filled.0 <= 0 {
        return Price::ZERO;
    }
    let scale = u32::from(spec.price_scale) + u32::from(spec.qty_scale);
    parse_wide(quote_text, scale)
        .map(|q| q / i128::from(filled.0))
        .and_then(|p| i64::try_from(p).ok())
        .map_or(Price::ZERO, Price)
}

/// A venue's REST order codec: builds the signed request bytes and reads the answer. The gateway
/// drives the connections; the codec knows the venue.
pub trait RestVenue {
    /// Write the complete HTTP/1.1 request for `order` into `out` (cleared first). `unix_ms` is
    /// wall-clock time for venues that sign a timestamp. Must not allocate once `out` has the
    /// capacity the gateway reserved.
    fn write_request(
        &mut self,
        order: &Order,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError>;

    /// Write the complete HTTP/1.1 status query (a GET by the order's client id) for `order` into
    /// `out` (cleared first). Same allocation rule as [`write_request`](Self::write_request). Its
    /// answer is read by [`parse_answer`](Self::parse_answer) like an order answer, except that
    /// "no such order" becomes `Rejected { code: CODE_NO_SUCH_ORDER }` (nothing happened).
    fn write_status_request(
        &mut self,
        order: &Order,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError>;

    /// Write `order`'s request into `out` exactly as [`write_request`](Self::write_request)
    /// would, to be thrown away: the warm-up that keeps the signing code and tables in cache
    /// between real orders. Leaves the codec as it found it (a codec whose requests consume
    /// state, such as a nonce, puts it back), so the next real request's bytes are the ones it
    /// would have written anyway. Same allocation rule.
    fn rehearse(
        &mut self,
        order: &Order,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        self.write_request(order, unix_ms, out)
    }

    /// Turn one HTTP response into an answer for `order`.
    fn parse_answer(
        &self,
        order: &Order,
        status: u16,
        headers: &[httparse::Header<'_>],
        body: &[u8],
        now_ns: u64,
    ) -> RestAnswer;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_decimals() {
        assert_eq!(parse_wide(b"123.45", 4), Some(1_234_500));
        assert_eq!(parse_wide(b"0.123456789", 3), Some(123));
        assert_eq!(parse_wide(b"7", 0), Some(7));
        assert_eq!(parse_wide(b"", 2), None);
        assert_eq!(parse_wide(b"1.2.3", 2), None);
        assert_eq!(parse_wide(b"-1", 2), None);
        assert_eq!(parse_wide(b"1e5", 2), None);
    }

    #[test]
    fn integer_codes() {
        assert_eq!(parse_i32(b"-1022"), Some(-1022));
        assert_eq!(parse_i32(b"10006"), Some(10006));
        assert_eq!(parse_i32(br#""51008""#), Some(51008));
        assert_eq!(parse_i32(br#""0""#), Some(0));
        assert_eq!(parse_i32(br#""""#), None);
        assert_eq!(parse_i32(b"1.5"), None);
        assert_eq!(parse_i32(b"99999999999"), None);
    }

    #[test]
    fn average_price() {
        let spec = InstrumentSpec {
            symbol: "BTCUSDT".into(),
            price_scale: 2,
            qty_scale: 8,
        };
        // 0.5 BTC for 30000.25 USDT -> 60000.50
        assert_eq!(
            avg_price(b"30000.25000000", Qty(50_000_000), &spec),
            Price(6_000_050)
        );
        assert_eq!(avg_price(b"0", Qty(0), &spec), Price::ZERO);
        assert_eq!(avg_price(b"junk", Qty(1), &spec), Price::ZERO);
    }

    #[test]
    fn unreserved_text() {
        assert!(check_unreserved("symbol", b"KRW-BTC").is_ok());
        assert_eq!(
            check_unreserved("symbol", b"BTC/USDT"),
            Err(RequestError::BadText {
                what: "symbol",
                byte: b'/'
            })
        );
    }
}
