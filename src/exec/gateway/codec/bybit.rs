//! Bybit v5 spot `POST /v5/order/create`: the signed request bytes for an [`Order`].
//!
//! Signing (Bybit v5 "Integration guidance", HMAC): `X-BAPI-SIGN = hex(HMAC-SHA256(secret,
//! timestamp + apiKey + recvWindow + payload))`, where the payload is the JSON body of a POST and
//! the query string of a GET; `X-BAPI-TIMESTAMP` is the wall clock in ms:
//!
//! ```text
//! {"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.5","price":"25000.1","timeInForce":"IOC","orderLinkId":"ma7"}
//! ```
//!
//! The status query is `GET /v5/order/realtime?category=spot&symbol=..&orderLinkId=..` (Bybit
//! looks an order up by `orderLinkId` first when both are given; the symbol narrows it).
//!
//! Reading ([`RestVenue::parse_answer`]; Bybit v5 "Place Order", "Get Open & Closed Orders",
//! "Error Codes"): Bybit answers most errors with HTTP 200 and a non-zero `retCode`, so the body
//! decides:
//! - HTTP 429 / 418 / 5xx by status; 403 is Bybit's IP ban ("access too frequent": stop for
//!   ten minutes) and reads as [`AnswerKind::Banned`].
//! - `retCode` 0 on a create: `{"result":{"orderId":..,"orderLinkId":..}}` is only an
//!   acknowledgement, so the order is [`AnswerKind::Accepted`] (its fills must be queried).
//! - `retCode` 0 on a status query: `result.list[0].orderStatus` `Filled` -> filled,
//!   `PartiallyFilledCanceled` / `Cancelled` / `Deactivated` -> partly filled or cancelled by
//!   `cumExecQty`, `Rejected` -> rejected, `New` / `PartiallyFilled` / `Untriggered` /
//!   `Triggered` -> accepted (ask again); an empty list -> no such order.
//! - The order's `cumFeeDetail` (its fee by coin) and `orderId` go on the report
//!   ([`super::fees`]).
//! - `retCode` 10006 (too many visits) -> rate limited; 10016 (server error) and 10000 (server
//!   timeout) -> ambiguous; anything else (10002 timestamp or recv window, 10003 key, 10004
//!   signature, 170xxx order errors...) -> rejected, the code kept in
//!   [`RestAnswer::venue_code`].
//! - `X-Bapi-Limit-Status` / `X-Bapi-Limit-Reset-Timestamp` into [`RestAnswer::bybit_limit`].
//!
//! Key material stays in a `ring::hmac::Key`; `Debug` prints `****`.

mod account_auth;

use ring::hmac;

use crate::base::scan::{field, first_element, str_content, ObjIter};
use crate::exec::limits::rate_headers::{is_retry_after, BybitLimit};
use crate::model::{ExecStatus, Order, Price, Qty, Side};

use super::answer::{
    avg_price, check_unreserved, parse_i32, AnswerKind, InstrumentSpec, RequestError, RestAnswer,
    RestVenue, CODE_NO_SUCH_ORDER,
};
use super::encode::{push_body, push_decimal, push_hex, push_u64, start_request};
use super::fees;
use super::instruments::InstrumentTable;

/// `retCode` of Bybit's API rate limit ("Too many visits!").
pub const RET_RATE_LIMIT: i32 = 10006;
/// `retCode` "Server error" / "Server Timeout": the order's fate is unknown.
pub const RET_SERVER_ERROR: [i32; 2] = [10016, 10000];

/// Static settings of the Bybit codec.
#[derive(Debug, Clone)]
pub struct BybitSettings {
    /// `Host` header (`api.bybit.com`).
    pub host: String,
    /// `X-BAPI-RECV-WINDOW` in ms (Bybit default 5000).
    pub recv_window_ms: u32,
    /// Prefix of `orderLinkId` (the order id follows in decimal).
    pub client_id_prefix: String,
}

/// The Bybit order codec: builds signed requests, reads answers.
pub struct BybitCodec {
    settings: BybitSettings,
    api_key: Box<[u8]>,
    key: hmac::Key,
    instruments: InstrumentTable,
    payload: Vec<u8>,
}

impl std::fmt::Debug for BybitCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BybitCodec")
            .field("settings", &self.settings)
            .field("api_key", &"****")
            .field("secret", &"****")
            .finish_non_exhaustive()
    }
}

impl BybitCodec {
    /// A codec for `api_key` / `secret` (cold path).
    pub fn new(
        settings: BybitSettings,
        api_key: &[u8],
        secret: &[u8],
        instruments: InstrumentTable,
    ) -> Result<Self, RequestError> {
        check_unreserved("api key", api_key)?;
        check_unreserved("client id prefix", settings.client_id_prefix.as_bytes())?;
        Ok(BybitCodec {
            settings,
            api_key: api_key.into(),
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            instruments,
            payload: Vec::with_capacity(512),
        })
    }

    /// The JSON body of `order` into `out` (appended): [`write_order_json`] with this codec's
    /// table and prefix.
    pub fn write_body(&self, order: &Order, out: &mut Vec<u8>) -> Result<(), RequestError> {
        let spec = self.instruments.for_order(order)?;
        write_order_json(spec, self.settings.client_id_prefix.as_bytes(), order, out);
        Ok(())
    }

    /// The signing headers for `payload` at `unix_ms`, each ending in CRLF.
    fn push_auth(&self, unix_ms: u64, payload: &[u8], out: &mut Vec<u8>) {
        let mut ts = [0u8; 20];
        let ts = decimal(unix_ms, &mut ts);
        let mut rw = [0u8; 20];
        let rw = decimal(u64::from(self.settings.recv_window_ms), &mut rw);
        let mut ctx = hmac::Context::with_key(&self.key);
        ctx.update(ts);
        ctx.update(&self.api_key);
        ctx.update(rw);
        ctx.update(payload);
        let tag = ctx.sign();
        out.extend_from_slice(b"X-BAPI-API-KEY: ");
        out.extend_from_slice(&self.api_key);
        out.extend_from_slice(b"\r\nX-BAPI-TIMESTAMP: ");
        out.extend_from_slice(ts);
        out.extend_from_slice(b"\r\nX-BAPI-RECV-WINDOW: ");
        out.extend_from_slice(rw);
        out.extend_from_slice(b"\r\nX-BAPI-SIGN: ");
        push_hex(out, tag.as_ref());
        out.extend_from_slice(b"\r\n");
    }

    /// The order's state from a status query's `result` (`{"list":[{..}]}`), into `a`.
    fn read_order(&self, order: &Order, result: &[u8], a: &mut RestAnswer) {
        let Ok(Some(list)) = field(result, b"list") else {
            // A create's acknowledgement: `{"orderId":..,"orderLinkId":..}`.
            return a.set(AnswerKind::Accepted, ExecStatus::Unknown);
        };
        let entry = match first_element(list) {
            Ok(Some(e)) => e,
            Ok(None) => {
                // The venue has no order by that orderLinkId: it never reached the book.
                return a.set(
                    AnswerKind::Rejected,
                    ExecStatus::Rejected {
                        code: CODE_NO_SUCH_ORDER,
                    },
                );
            }
            Err(_) => return a.set(AnswerKind::Ambiguous, ExecStatus::Unknown),
        };
        let (mut state, mut qty, mut value, mut avg) = (None, None, None, None);
        for member in ObjIter::new(entry) {
            let Ok((k, v)) = member else {
                return a.set(AnswerKind::Ambiguous, ExecStatus::Unknown);
            };
            match k {
                b"orderStatus" => state = str_content(v),
                b"cumExecQty" => qty = str_content(v),
                b"cumExecValue" => value = str_content(v),
                b"avgPrice" => avg = str_content(v),
                b"orderId" => a.report.venue_order_id = fees::venue_order_id(v),
                b"cumFeeDetail" => a.report.fee = fees::bybit_fee_detail(v),
                _ => {}
            }
        }
        let Ok(spec) = self.instruments.get(order.instrument) else {
            return a.set(AnswerKind::Ambiguous, ExecStatus::Unknown);
        };
        let filled = qty
            .and_then(|t| Qty::parse(t, spec.qty_scale).ok())
            .unwrap_or(Qty::ZERO);
        a.report.filled_qty = filled;
        a.report.avg_px = order_avg_px(spec, filled, value, avg);
        match state.and_then(|s| order_state(s, filled)) {
            Some((kind, status)) => a.set(kind, status),
            None => a.set(AnswerKind::Ambiguous, ExecStatus::Unknown),
        }
    }

    /// `retCode` and `result` of a body into `a` (status already classified as 200 or 4xx).
    fn read_body(&self, order: &Order, body: &[u8], a: &mut RestAnswer) {
        let (mut code, mut result) = (None, None);
        for member in ObjIter::new(body) {
            let Ok((k, v)) = member else {
                code = None;
                break;
            };
            match k {
                b"retCode" => code = parse_i32(v),
                b"result" => result = Some(v),
                _ => {}
            }
        }
        let refused = a.refusal();
        match code {
            None if a.http_status == 200 => a.set(AnswerKind::Ambiguous, ExecStatus::Unknown),
            None => a.set(AnswerKind::Rejected, refused),
            Some(c) => {
                a.venue_code = c;
                match c {
                    0 if a.http_status == 200 => self.read_order(order, result.unwrap_or(b"{}"), a),
                    RET_RATE_LIMIT => {
                        a.set(AnswerKind::RateLimited, ExecStatus::Rejected { code: 429 })
                    }
                    c if RET_SERVER_ERROR.contains(&c) => {
                        a.set(AnswerKind::Ambiguous, ExecStatus::Unknown)
                    }
                    _ => a.set(AnswerKind::Rejected, refused),
                }
            }
        }
    }
}

impl RestVenue for BybitCodec {
    /// The complete signed `POST /v5/order/create` for `order` into `out` (cleared first).
    fn write_request(
        &mut self,
        order: &Order,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        let mut body = std::mem::take(&mut self.payload);
        body.clear();
        let r = self.write_body(order, &mut body);
        if r.is_ok() {
            start_request(out, b"POST", &[b"/v5/order/create"], &self.settings.host);
            self.push_auth(unix_ms, &body, out);
            out.extend_from_slice(b"Content-Type: application/json\r\nContent-Length: ");
            push_body(out, &body);
        }
        self.payload = body;
        r
    }

    /// The complete signed status query (`GET /v5/order/realtime` by `orderLinkId`) into `out`.
    fn write_status_request(
        &mut self,
        order: &Order,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        let spec = self.instruments.get(order.instrument)?;
        let mut q = std::mem::take(&mut self.payload);
        q.clear();
        q.extend_from_slice(b"category=spot&symbol=");
        q.extend_from_slice(spec.symbol.as_bytes());
        q.extend_from_slice(b"&orderLinkId=");
        q.extend_from_slice(self.settings.client_id_prefix.as_bytes());
        push_u64(&mut q, order.id.0);
        start_request(
            out,
            b"GET",
            &[b"/v5/order/realtime?", &q],
            &self.settings.host,
        );
        self.push_auth(unix_ms, &q, out);
        out.extend_from_slice(b"\r\n");
        self.payload = q;
        Ok(())
    }

    fn parse_answer(
        &self,
        order: &Order,
        status: u16,
        headers: &[httparse::Header<'_>],
        body: &[u8],
        now_ns: u64,
    ) -> RestAnswer {
        let mut a = RestAnswer::blank(order, now_ns);
        let mut limit = BybitLimit::default();
        for h in headers {
            let name = h.name.as_bytes();
            if is_retry_after(name) {
                a.set_retry_after(h.value);
            } else if limit.apply(name, h.value).is_err() {
                a.bad_headers = a.bad_headers.saturating_add(1);
            }
        }
        a.bybit_limit = limit;
        if a.classify_status(status) {
            return a;
        }
        match status {
            403 => a.set(AnswerKind::Banned, ExecStatus::Rejected { code: 403 }),
            200 | 400..=499 => self.read_body(order, body, &mut a),
            _ => a.set(AnswerKind::Ambiguous, ExecStatus::Unknown),
        }
        a
    }
}

/// The order object Bybit's `POST /v5/order/create` body and the trade WebSocket's
/// `order.create` `args[0]` share (IOC LIMIT, `orderLinkId = <prefix><order id>`), appended to
/// `out`. Hot path: no allocation once `out` has room; the symbol and prefix were checked at
/// construction to need no escaping.
pub fn write_order_json(spec: &InstrumentSpec, prefix: &[u8], order: &Order, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"category\":\"spot\",\"symbol\":\"");
    out.extend_from_slice(spec.symbol.as_bytes());
    out.extend_from_slice(match order.side {
        Side::Buy => b"\",\"side\":\"Buy\"",
        Side::Sell => b"\",\"side\":\"Sell\"",
    });
    out.extend_from_slice(b",\"orderType\":\"Limit\",\"qty\":\"");
    push_decimal(out, order.qty.0, spec.qty_scale);
    out.extend_from_slice(b"\",\"price\":\"");
    push_decimal(out, order.px.0, spec.price_scale);
    out.extend_from_slice(b"\",\"timeInForce\":\"IOC\",\"orderLinkId\":\"");
    out.extend_from_slice(prefix);
    push_u64(out, order.id.0);
    out.extend_from_slice(b"\"}");
}

/// The start of a cancel-by-`orderLinkId` object (`POST /v5/order/cancel` body, the trade
/// WebSocket's `order.cancel` `args[0]`): `{"category":"spot","symbol":"<symbol>","orderLinkId":"`,
/// appended; the caller writes the link id and then `"}`.
pub fn start_cancel_json(symbol: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"category\":\"spot\",\"symbol\":\"");
    out.extend_from_slice(symbol);
    out.extend_from_slice(b"\",\"orderLinkId\":\"");
}

/// What a Bybit `orderStatus` says of an order that filled `filled` so far, as the REST status
/// query and the private `order` stream both read it: `Filled` -> final filled;
/// `PartiallyFilledCanceled` / `Cancelled` / `Deactivated` -> final, partly filled or cancelled by
/// `filled`; `Rejected` -> refused; `New` / `PartiallyFilled` / `Untriggered` / `Triggered` ->
/// accepted, fate pending (`Unknown`). `None` for a status this codec does not know.
pub fn order_state(state: &[u8], filled: Qty) -> Option<(AnswerKind, ExecStatus)> {
    let done = if filled.0 > 0 {
        ExecStatus::PartiallyFilled
    } else {
        ExecStatus::Cancelled
    };
    Some(match state {
        b"Filled" => (AnswerKind::Final, ExecStatus::Filled),
        b"PartiallyFilledCanceled" | b"Cancelled" | b"Deactivated" => (AnswerKind::Final, done),
        b"Rejected" => (AnswerKind::Rejected, ExecStatus::Rejected { code: 400 }),
        b"New" | b"PartiallyFilled" | b"Untriggered" | b"Triggered" => {
            (AnswerKind::Accepted, ExecStatus::Unknown)
        }
        _ => return None,
    })
}

/// An order's average fill price from `cumExecValue / cumExecQty` when the value is present,
/// else its `avgPrice` text (when something filled), else zero: the REST status query and the
/// private `order` stream alike.
pub fn order_avg_px(
    spec: &InstrumentSpec,
    filled: Qty,
    cum_value: Option<&[u8]>,
    avg_price_text: Option<&[u8]>,
) -> Price {
    match cum_value.filter(|v| !v.is_empty()) {
        Some(v) => avg_price(v, filled, spec),
        None if filled.0 > 0 => avg_price_text
            .and_then(|t| Price::parse(t, spec.price_scale).ok())
            .unwrap_or(Price::ZERO),
        None => Price::ZERO,
    }
}

/// `n` in decimal, written at the end of `buf`.
pub(crate) fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[i..]
}

#[cfg(test)]
#[path = "bybit_tests.rs"]
mod tests;
