//! Reading what arrives on a WebSocket API session: an answer
//! `{"id","status","result" | "error","rateLimits"}` or a user-data event
//! `{"subscriptionId","event"}`, zero-copy over the frame's payload.
//!
//! An order's answer (`order.place`, `order.status`, `order.cancel`) becomes the same
//! [`RestAnswer`] the REST path produces, read by the REST codec's own order-object reader
//! ([`BinanceCodec::read_order_body`]: the WebSocket `result` and `error` objects carry the REST
//! body's fields), so both paths judge an order alike. `status` plays the HTTP status's part: 429
//! rate limited, 418 banned, 5xx unknown, other 4xx refused; `error.code` -1007 (backend timeout)
//! also means the fate is unknown, so a status query follows, never a blind retry. `rateLimits`
//! fills the answer's usage fields (`REQUEST_WEIGHT` per minute, `ORDERS` per 10 s and per day);
//! on 429/418 `error.data.retryAfter - serverTime` becomes `retry_after_ms`.

use thiserror::Error;

use crate::base::scan::{parse_u64, str_content, ArrIter, ObjIter, ScanError};
use crate::model::{ExecStatus, Order};

use super::super::answer::{AnswerKind, RestAnswer};
use super::super::binance::BinanceCodec;
use super::super::instruments::InstrumentTable;
use super::request_id::RequestId;

/// Why a frame could not be read as an answer or an event (the frame is counted and dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum WsError {
    /// Not well-formed JSON.
    #[error("WebSocket API frame: {0}")]
    Json(#[from] ScanError),
    /// Neither an answer (`status`) nor an event (`event`).
    #[error("WebSocket API frame is neither an answer nor an event")]
    Unrecognised,
    /// `status` is not a number from 100 to 599.
    #[error("WebSocket API answer has status {0}, not an HTTP-like status")]
    BadStatus(u64),
}

/// The usage an answer's `rateLimits` reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WsRateLimits {
    /// `REQUEST_WEIGHT` / 1 `MINUTE` `count`.
    pub weight_1m: Option<u32>,
    /// `ORDERS` / 10 `SECOND` `count`.
    pub orders_10s: Option<u32>,
    /// `ORDERS` / 1 `DAY` `count`.
    pub orders_1d: Option<u32>,
    /// Entries of another type or interval (counted, not used).
    pub unrecognised: u8,
    /// Entries that could not be read (counted, not fatal).
    pub malformed: u8,
}

impl WsRateLimits {
    /// Read a `rateLimits` array.
    pub fn parse(raw: &[u8]) -> Self {
        let mut r = WsRateLimits::default();
        for el in ArrIter::new(raw) {
            let Ok(el) = el else {
                r.malformed = r.malformed.saturating_add(1);
                break;
            };
            let (mut kind, mut interval, mut num, mut count) = (None, None, None, None);
            let mut bad = false;
            for m in ObjIter::new(el) {
                let Ok((k, v)) = m else {
                    bad = true;
                    break;
                };
                match k {
                    b"rateLimitType" => kind = str_content(v),
                    b"interval" => interval = str_content(v),
                    b"intervalNum" => num = parse_u64(v),
                    b"count" => count = parse_u64(v).and_then(|c| u32::try_from(c).ok()),
                    _ => {}
                }
            }
            let slot = match (kind, interval, num) {
                _ if bad || count.is_none() => None,
                (Some(b"REQUEST_WEIGHT"), Some(b"MINUTE"), Some(1)) => Some(&mut r.weight_1m),
                (Some(b"ORDERS"), Some(b"SECOND"), Some(10)) => Some(&mut r.orders_10s),
                (Some(b"ORDERS"), Some(b"DAY"), Some(1)) => Some(&mut r.orders_1d),
                (Some(_), Some(_), Some(_)) => {
                    r.unrecognised = r.unrecognised.saturating_add(1);
                    continue;
                }
                _ => None,
            };
            match slot {
                Some(s) => *s = count,
                None => r.malformed = r.malformed.saturating_add(1),
            }
        }
        r
    }
}

/// One answer, its parts borrowed from the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WsEnvelope<'a> {
    /// The request id, when it is one this codec wrote (`None`: unmatched, count it).
    pub id: Option<RequestId>,
    /// The HTTP-like status.
    pub status: u16,
    /// The raw `result` value.
    pub result: Option<&'a [u8]>,
    /// The raw `error` object.
    pub error: Option<&'a [u8]>,
    /// What `rateLimits` said (all `None` when the answer carried none).
    pub rate_limits: WsRateLimits,
}

/// What one frame is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WsInbound<'a> {
    /// An answer to one of our requests.
    Answer(WsEnvelope<'a>),
    /// A user-data event: the raw `event` object (read it with [`super::UserEvent::parse`]).
    Event(&'a [u8]),
}

/// Classify and split one text frame.
pub fn parse_inbound(frame: &[u8]) -> Result<WsInbound<'_>, WsError> {
    let (mut id, mut status, mut result, mut error, mut limits, mut event) =
        (None, None, None, None, None, None);
    for m in ObjIter::new(frame) {
        let (k, v) = m?;
        match k {
            b"id" => id = Some(v),
            b"status" => status = Some(v),
            b"result" => result = Some(v),
            b"error" => error = Some(v),
            b"rateLimits" => limits = Some(v),
            b"event" => event = Some(v),
            _ => {}
        }
    }
    if let Some(s) = status {
        let n = parse_u64(s).ok_or(WsError::Unrecognised)?;
        let status = match u16::try_from(n) {
            Ok(st @ 100..=599) => st,
            _ => return Err(WsError::BadStatus(n)),
        };
        return Ok(WsInbound::Answer(WsEnvelope {
            id: id.and_then(RequestId::parse),
            status,
            result,
            error,
            rate_limits: limits.map(WsRateLimits::parse).unwrap_or_default(),
        }));
    }
    event.map(WsInbound::Event).ok_or(WsError::Unrecognised)
}

/// The answer to an `order.place` / `order.status` / `order.cancel` for `order` (the caller
/// matched `env.id` to it) as a [`RestAnswer`]: `http_status` is the answer's `status`.
pub fn read_order_answer(
    instruments: &InstrumentTable,
    order: &Order,
    env: &WsEnvelope<'_>,
    now_ns: u64,
) -> RestAnswer {
    let mut a = RestAnswer::blank(order, now_ns);
    a.binance_weight_1m = env.rate_limits.weight_1m;
    a.binance_orders_10s = env.rate_limits.orders_10s;
    a.binance_orders_1d = env.rate_limits.orders_1d;
    if !a.classify_status(env.status) {
        match env.status {
            200 => {}
            400..=499 => a.set(
                AnswerKind::Rejected,
                ExecStatus::Rejected { code: env.status },
            ),
            _ => a.set(AnswerKind::Ambiguous, ExecStatus::Unknown),
        }
    }
    if let Some(err) = env.error {
        set_retry_after(err, &mut a);
    }
    match (env.status, env.result, env.error) {
        (200, Some(body), _) => BinanceCodec::read_order_body(instruments, order, body, &mut a),
        // 200 without a result: nothing says what happened.
        (200, None, _) => a.set(AnswerKind::Ambiguous, ExecStatus::Unknown),
        (_, _, Some(body)) => BinanceCodec::read_order_body(instruments, order, body, &mut a),
        _ => {}
    }
    a
}

/// `error.data.retryAfter` (unix ms) minus `error.data.serverTime`, ms: how long a 429 or 418
/// answer asks the client to wait (`None`: the error carries no such data). Zero-copy.
pub fn retry_after_ms(error: &[u8]) -> Option<u64> {
    let data = crate::base::scan::field(error, b"data").ok()??;
    let (mut until, mut now) = (None, None);
    for m in ObjIter::new(data) {
        let (k, v) = m.ok()?;
        match k {
            b"retryAfter" => until = parse_u64(v),
            b"serverTime" => now = parse_u64(v),
            _ => {}
        }
    }
    Some(until?.saturating_sub(now?))
}

/// [`retry_after_ms`] as the answer's Retry-After.
fn set_retry_after(error: &[u8], a: &mut RestAnswer) {
    if let Some(ms) = retry_after_ms(error) {
        let ms = u32::try_from(ms).unwrap_or(u32::MAX);
        a.retry_after_ms = ms;
        a.report.retry_after_ms = ms;
    }
}
