//! OKX v5 spot `POST /api/v5/trade/order`: the signed request bytes for an [`Order`].
//!
//! Signing (OKX v5 "REST Authentication"): `OK-ACCESS-SIGN = Base64(HMAC-SHA256(secret,
//! timestamp + method + requestPath + body))` with `OK-ACCESS-TIMESTAMP` in ISO 8601 UTC with
//! milliseconds (`2020-12-08T09:08:57.715Z`), plus `OK-ACCESS-KEY` and `OK-ACCESS-PASSPHRASE`. IOC
//! is an order type there (`ordType: ioc`), and `clOrdId` allows only letters and digits:
//!
//! ```text
//! {"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"ioc","px":"25000.1","sz":"0.5","clOrdId":"ma7"}
//! ```
//!
//! The status query is `GET /api/v5/trade/order?instId=..&clOrdId=..` (the query is part of the
//! signed request path).
//!
//! Reading ([`RestVenue::parse_answer`]; OKX v5 "Place order", "Get order details", "Error
//! codes"): a body is `{"code":"0","msg":"","data":[{..}]}`, codes are strings.
//! - HTTP 429 (50011 too many requests, 50013 busy) / 418 / 5xx (50001, 50026) by status.
//! - A place answer's `data[0]` carries `sCode`: `"0"` means OKX took the order, which is then
//!   [`AnswerKind::Accepted`] (the answer holds no fill state: query it); otherwise `code` is
//!   `"1"` and `sCode` says why.
//! - A status query's `data[0]` carries `state`: `filled` -> filled, `canceled` /
//!   `mmp_canceled` -> partly filled or cancelled by `accFillSz` (the average from `avgPx`),
//!   `live` / `partially_filled` -> accepted (ask again); `51603` (order does not exist) or an
//!   empty `data` -> no such order. Its `fee` (negative when charged), `feeCcy` and `ordId` go
//!   on the report ([`super::fees`]).
//! - The code that decides (`sCode` when set, else `code`): 50011 (also on HTTP 200) -> rate
//!   limited; 50004 (endpoint timeout, "does not mean that the request was successful or
//!   failed"), 50001, 50013 and 50026 -> ambiguous; anything else (50102 timestamp, 50105
//!   passphrase, 50111 key, 50113 signature, 51xxx order errors) -> rejected, kept in
//!   [`RestAnswer::venue_code`]. OKX sends no usage headers; `Retry-After` is read if present.
//!
//! `Debug` prints no key material.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
mod account_auth;
mod ws_auth;

use ring::hmac;

use crate::base::scan::{field, first_element, str_content, ObjIter};
use crate::exec::limits::rate_headers::is_retry_after;
use crate::model::{ExecStatus, Fee, Order, Price, Qty, Side};

use super::answer::{
    check_unreserved, parse_i32, parse_wide, AnswerKind, RequestError, RestAnswer, RestVenue,
    CODE_NO_SUCH_ORDER,
};
use super::encode::{push_body, push_decimal, push_u64, start_request};
use super::fees;
use super::instruments::InstrumentTable;

/// `code` / `sCode` of OKX's rate limit ("Rate limit reached" / "Too Many Requests").
pub const CODE_RATE_LIMIT: i32 = 50011;
/// Codes after which the order's fate is unknown: endpoint timeout, service unavailable, busy,
/// system error.
pub const CODES_AMBIGUOUS: [i32; 4] = [50004, 50001, 50013, 50026];
/// `sCode` / `code` "Order does not exist".
pub const CODE_ORDER_NOT_FOUND: i32 = 51603;

const ORDER_PATH: &[u8] = b"/api/v5/trade/order";

/// Static settings of the OKX codec.
#[derive(Debug, Clone)]
pub struct OkxSettings {
    /// `Host` header (`www.okx.com`).
    pub host: String,
    /// Prefix of `clOrdId` (the order id follows in decimal); letters and digits only.
    pub client_id_prefix: String,
}

/// An OKX signature as Base64 text (44 bytes for HMAC-SHA256), on the stack.
#[derive(Clone, Copy)]
pub struct OkxSignature {
    text: [u8; 44],
    len: usize,
}

impl OkxSignature {
    /// The Base64 text.
    pub fn as_bytes(&self) -> &[u8] {
        self.text.get(..self.len).unwrap_or(&[])
    }
}

/// The OKX order codec: builds signed requests, reads answers.
pub struct OkxCodec {
    settings: OkxSettings,
    api_key: Box<[u8]>,
    passphrase: Box<[u8]>,
    key: hmac::Key,
    instruments: InstrumentTable,
    payload: Vec<u8>,
}

impl std::fmt::Debug for OkxCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OkxCodec")
            .field("settings", &self.settings)
            .field("api_key", &"****")
            .field("passphrase", &"****")
            .field("secret", &"****")
            .finish_non_exhaustive()
    }
}

/// `unix_ms` as ISO 8601 UTC with milliseconds (`2020-12-08T09:08:57.715Z`), without allocating.
pub fn iso_timestamp(unix_ms: u64) -> [u8; 24] {
    let secs = unix_ms / 1000;
    let (h, mi, s) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's `civil_from_days`).
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let mut out = *b"0000-00-00T00:00:00.000Z";
    let mut put = |at: usize, width: usize, mut v: u64| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, y.clamp(0, 9999) as u64);
    put(5, 2, m as u64);
    put(8, 2, d as u64);
    put(11, 2, h);
    put(14, 2, mi);
    put(17, 2, s);
    put(20, 3, unix_ms % 1000);
    out
}

impl OkxCodec {
    /// A codec for `api_key` / `secret` / `passphrase` (cold path).
    pub fn new(
        settings: OkxSettings,
        api_key: &[u8],
        secret: &[u8],
        passphrase: &[u8],
        instruments: InstrumentTable,
    ) -> Result<Self, RequestError> {
        check_unreserved("api key", api_key)?;
        // A header value: visible ASCII only (no space, no control byte that could end the line).
        if let Some(&byte) = passphrase.iter().find(|b| !b.is_ascii_graphic()) {
            return Err(RequestError::BadText {
                what: "passphrase (visible ASCII only)",
                byte,
            });
        }
        if let Some(&byte) = settings
            .client_id_prefix
            .as_bytes()
            .iter()
            .find(|b| !b.is_ascii_alphanumeric())
        {
            return Err(RequestError::BadText {
                what: "client id prefix (letters and digits only)",
                byte,
            });
        }
        Ok(OkxCodec {
            settings,
            api_key: api_key.into(),
            passphrase: passphrase.into(),
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            instruments,
            payload: Vec::with_capacity(512),
        })
    }

    /// The JSON body of `order` into `out` (appended).
    pub fn write_body(&self, order: &Order, out: &mut Vec<u8>) -> Result<(), RequestError> {
        let spec = self.instruments.for_order(order)?;
        out.extend_from_slice(b"{\"instId\":\"");
        out.extend_from_slice(spec.symbol.as_bytes());
        out.extend_from_slice(match order.side {
            Side::Buy => b"\",\"tdMode\":\"cash\",\"side\":\"buy\"",
            Side::Sell => b"\",\"tdMode\":\"cash\",\"side\":\"sell\"",
        });
        out.extend_from_slice(b",\"ordType\":\"ioc\",\"px\":\"");
        push_decimal(out, order.px.0, spec.price_scale);
        out.extend_from_slice(b"\",\"sz\":\"");
        push_decimal(out, order.qty.0, spec.qty_scale);
        out.extend_from_slice(b"\",\"clOrdId\":\"");
        out.extend_from_slice(self.settings.client_id_prefix.as_bytes());
        push_u64(out, order.id.0);
        out.extend_from_slice(b"\"}");
        Ok(())
    }

    /// `Base64(HMAC-SHA256(secret, parts concatenated))`: OKX's one signature, for the REST
    /// headers (`timestamp + method + requestPath + body`) and the WebSocket login
    /// (`timestamp + "GET" + "/users/self/verify"`). No allocation.
    fn sign(&self, parts: &[&[u8]]) -> OkxSignature {
        let mut ctx = hmac::Context::with_key(&self.key);
        for part in parts {
            ctx.update(part);
        }
        let tag = ctx.sign();
        let mut sig = OkxSignature {
            text: [0u8; 44],
            len: 0,
        };
        // 32 bytes always encode to 44 characters, so the slice is large enough.
        sig.len = STANDARD
            .encode_slice(tag.as_ref(), &mut sig.text)
            .unwrap_or(0);
        sig
    }

    /// The signing headers for `method path body` at `unix_ms`, each ending in CRLF.
    fn push_auth(&self, unix_ms: u64, method: &[u8], path: &[u8], body: &[u8], out: &mut Vec<u8>) {
        let ts = iso_timestamp(unix_ms);
        let sig = self.sign(&[&ts, method, path, body]);
        out.extend_from_slice(b"OK-ACCESS-KEY: ");
        out.extend_from_slice(&self.api_key);
        out.extend_from_slice(b"\r\nOK-ACCESS-SIGN: ");
        out.extend_from_slice(sig.as_bytes());
        out.extend_from_slice(b"\r\nOK-ACCESS-TIMESTAMP: ");
        out.extend_from_slice(&ts);
        out.extend_from_slice(b"\r\nOK-ACCESS-PASSPHRASE: ");
        out.extend_from_slice(&self.passphrase);
        out.extend_from_slice(b"\r\n");
    }

    /// An order's state from `data[0]` of a status query's answer, into `a`.
    fn read_order(instruments: &InstrumentTable, order: &Order, entry: &[u8], a: &mut RestAnswer) {
        let (mut state, mut filled, mut avg) = (None, None, None);
        let (mut fee, mut fee_ccy) = (None, None);
        for member in ObjIter::new(entry) {
            let Ok((k, v)) = member else {
                return a.set(AnswerKind::Ambiguous, ExecStatus::Unknown);
            };
            match k {
                b"state" => state = str_content(v),
                b"accFillSz" => filled = str_content(v),
                b"avgPx" => avg = str_content(v),
                b"ordId" => a.report.venue_order_id = fees::venue_order_id(v),
                b"fee" => fee = str_content(v),
                b"feeCcy" => fee_ccy = str_content(v),
                _ => {}
            }
        }
        // OKX reports a fee charged as a negative number.
        a.report.fee = fee
            .zip(fee_ccy)
            .filter(|(f, c)| !f.is_empty() && !c.is_empty())
            .and_then(|(f, c)| Fee::parse(f, c, true));
        let Ok(spec) = instruments.get(order.instrument) else {
            return a.set(AnswerKind::Ambiguous, ExecStatus::Unknown);
        };
        let q = filled
            .and_then(|t| parse_wide(t, u32::from(spec.qty_scale)))
            .and_then(|n| i64::try_from(n).ok())
            .map_or(Qty::ZERO, Qty);
        a.report.filled_qty = q;
        if q.0 > 0 {
            a.report.avg_px = avg
                .and_then(|t| parse_wide(t, u32::from(spec.price_scale)))
                .and_then(|n| i64::try_from(n).ok())
                .map_or(Price::ZERO, Price);
        }
        match state {
            Some(b"filled") => a.set(AnswerKind::Final, ExecStatus::Filled),
            Some(b"canceled" | b"mmp_canceled") if q.0 > 0 => {
                a.set(AnswerKind::Final, ExecStatus::PartiallyFilled)
            }
            Some(b"canceled" | b"mmp_canceled") => a.set(AnswerKind::Final, ExecStatus::Cancelled),
            Some(b"live" | b"partially_filled") => a.set(AnswerKind::Accepted, ExecStatus::Unknown),
            _ => a.set(AnswerKind::Ambiguous, ExecStatus::Unknown),
        }
    }

    /// `code`, `data[0].sCode` and the order's state of a body `{"code","msg","data":[..]}` into
    /// `a` (status already classified as 200 or 4xx). Shared with the WebSocket session
    /// ([`super::okx_ws`]), whose op answers carry the same members, so both paths judge an
    /// order alike.
    pub fn read_order_body(
        instruments: &InstrumentTable,
        order: &Order,
        body: &[u8],
        a: &mut RestAnswer,
    ) {
        let (mut code, mut data, mut broken) = (None, None, false);
        for member in ObjIter::new(body) {
            let Ok((k, v)) = member else {
                broken = true;
                break;
            };
            match k {
                b"code" => code = parse_i32(v),
                b"data" => data = Some(v),
                _ => {}
            }
        }
        let entry = match data.map(first_element) {
            Some(Ok(e)) => e,
            Some(Err(_)) => {
                broken = true;
                None
            }
            None => None,
        };
        let s_code = match entry.map(|e| field(e, b"sCode")) {
            Some(Ok(v)) => v.and_then(parse_i32),
            Some(Err(_)) => {
                broken = true;
                None
            }
            None => None,
        };
        let refused = a.refusal();
        let Some(code) = code.filter(|_| !broken) else {
            return if a.http_status == 200 {
                a.set(AnswerKind::Ambiguous, ExecStatus::Unknown)
            } else {
                a.set(AnswerKind::Rejected, refused)
            };
        };
        let decisive = match s_code {
            Some(s) if s != 0 => s,
            _ => code,
        };
        a.venue_code = decisive;
        match decisive {
            0 if a.http_status == 200 => match (entry, s_code) {
                // A place answer: taken, state not known yet.
                (Some(_), Some(0)) => a.set(AnswerKind::Accepted, ExecStatus::Unknown),
                (Some(e), _) => Self::read_order(instruments, order, e, a),
                (None, _) => a.set(
                    AnswerKind::Rejected,
                    ExecStatus::Rejected {
                        code: CODE_NO_SUCH_ORDER,
                    },
                ),
            },
            CODE_ORDER_NOT_FOUND => a.set(
                AnswerKind::Rejected,
                ExecStatus::Rejected {
                    code: CODE_NO_SUCH_ORDER,
                },
            ),
            CODE_RATE_LIMIT => a.set(AnswerKind::RateLimited, ExecStatus::Rejected { code: 429 }),
            c if CODES_AMBIGUOUS.contains(&c) => a.set(AnswerKind::Ambiguous, ExecStatus::Unknown),
            _ => a.set(AnswerKind::Rejected, refused),
        }
    }
}

impl RestVenue for OkxCodec {
    /// The complete signed `POST /api/v5/trade/order` for `order` into `out` (cleared first).
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
            start_request(out, b"POST", &[ORDER_PATH], &self.settings.host);
            self.push_auth(unix_ms, b"POST", ORDER_PATH, &body, out);
            out.extend_from_slice(b"Content-Type: application/json\r\nContent-Length: ");
            push_body(out, &body);
        }
        self.payload = body;
        r
    }

    /// The complete signed status query (`GET /api/v5/trade/order` by `clOrdId`) into `out`.
    fn write_status_request(
        &mut self,
        order: &Order,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        let spec = self.instruments.get(order.instrument)?;
        let mut path = std::mem::take(&mut self.payload);
        path.clear();
        path.extend_from_slice(ORDER_PATH);
        path.extend_from_slice(b"?instId=");
        path.extend_from_slice(spec.symbol.as_bytes());
        path.extend_from_slice(b"&clOrdId=");
        path.extend_from_slice(self.settings.client_id_prefix.as_bytes());
        push_u64(&mut path, order.id.0);
        start_request(out, b"GET", &[&path], &self.settings.host);
        self.push_auth(unix_ms, b"GET", &path, b"", out);
        out.extend_from_slice(b"\r\n");
        self.payload = path;
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
        for h in headers {
            if is_retry_after(h.name.as_bytes()) {
                a.set_retry_after(h.value);
            }
        }
        if a.classify_status(status) {
            return a;
        }
        match status {
            200 | 400..=499 => Self::read_order_body(&self.instruments, order, body, &mut a),
            _ => a.set(AnswerKind::Ambiguous, ExecStatus::Unknown),
        }
        a
    }
}

#[cfg(test)]
#[path = "okx_tests.rs"]
mod tests;
