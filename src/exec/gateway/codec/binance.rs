//! Binance spot `POST /api/v3/order`: the HMAC-SHA256 signed request bytes for an [`Order`] and the
//! reading of the answer into a [`RestAnswer`].
//!
//! Signing (Binance API docs, "SIGNED endpoint security"): `signature = hex(HMAC-SHA256(secret,
//! totalParams))` where totalParams is the query string concatenated with the request body. This
//! codec sends every parameter in the form body and no query string, so totalParams is the body:
//!
//! ```text
//! symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.01&price=60000.5
//!   &newClientOrderId=ma42&newOrderRespType=FULL&recvWindow=5000&timestamp=1700000000000
//!   &signature=<64 hex>
//! ```
//!
//! with `X-MBX-APIKEY: <key>`. `FULL` asks for the order's final state (`status`, `executedQty`,
//! `cummulativeQuoteQty`) and its `fills` (each trade's `commission` and `commissionAsset`: the
//! fee, read by [`super::fees`]); `orderId` is the venue's id. Symbols, the client-id prefix and the key are
//! checked at construction to need no url-encoding, so the hot path writes them as they are.
//!
//! Reading: 429 / 418 / 5xx by status (5xx and code -1007 are ambiguous: the fate is unknown);
//! `X-MBX-USED-WEIGHT-1M`, `X-MBX-ORDER-COUNT-10S`/`-1D` and `Retry-After` from the headers; on
//! 200, `status` FILLED -> filled, EXPIRED/CANCELED with `executedQty` > 0 -> partially filled,
//! else cancelled; a non-final status -> accepted (query it); other 4xx -> rejected with `code`.
//! The body is walked with the zero-copy [`scan`](crate::base::scan) scanner.
//!
//! Key material is held as a `ring::hmac::Key` and a copy of the API key; `Debug` prints `****`.

mod account_auth;

use ring::hmac;

use crate::base::scan::{str_content, ObjIter};
use crate::exec::limits::rate_headers::{is_retry_after, BinanceUsage};
use crate::model::{ExecStatus, Order, Qty, Side};

use super::answer::{
    avg_price, check_unreserved, parse_i32, AnswerKind, RequestError, RestAnswer, RestVenue,
    CODE_NO_SUCH_ORDER,
};
use super::encode::{push_body, push_decimal, push_u64, start_request};
use super::fees;
use super::instruments::InstrumentTable;

/// `hex(HMAC-SHA256(secret, total_params))`, the signature Binance expects.
pub fn sign(secret: &[u8], total_params: &[u8]) -> [u8; 64] {
    sign_with(&hmac::Key::new(hmac::HMAC_SHA256, secret), total_params)
}

fn sign_with(key: &hmac::Key, total_params: &[u8]) -> [u8; 64] {
    let tag = hmac::sign(key, total_params);
    let mut out = [0u8; 64];
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in tag.as_ref().iter().enumerate() {
        out[2 * i] = HEX[usize::from(b >> 4)];
        out[2 * i + 1] = HEX[usize::from(b & 0x0f)];
    }
    out
}

/// Static settings of the Binance codec.
#[derive(Debug, Clone)]
pub struct BinanceSettings {
    /// `Host` header (`api.binance.com`).
    pub host: String,
    /// `recvWindow` in ms (Binance default 5000, max 60000); 0 leaves it out.
    pub recv_window_ms: u32,
    /// Prefix of `newClientOrderId` (the order id follows in decimal); at most 16 bytes. Make it
    /// differ between runs whose order ids restart, so ids stay unique for reconciliation.
    pub client_id_prefix: String,
}

/// The Binance order codec: builds signed requests, reads answers.
pub struct BinanceCodec {
    settings: BinanceSettings,
    api_key: Box<[u8]>,
    key: hmac::Key,
    instruments: InstrumentTable,
    body: Vec<u8>,
}

impl std::fmt::Debug for BinanceCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BinanceCodec")
            .field("settings", &self.settings)
            .field("api_key", &"****")
            .field("secret", &"****")
            .finish_non_exhaustive()
    }
}

impl BinanceCodec {
    /// A codec for `api_key` / `secret` (cold path: copies the key, derives the HMAC key).
    pub fn new(
        settings: BinanceSettings,
        api_key: &[u8],
        secret: &[u8],
        instruments: InstrumentTable,
    ) -> Result<Self, RequestError> {
        check_unreserved("api key", api_key)?;
        check_unreserved("client id prefix", settings.client_id_prefix.as_bytes())?;
        if settings.client_id_prefix.len() > 16 {
            return Err(RequestError::BadText {
                what: "client id prefix (over 16 bytes)",
                byte: settings.client_id_prefix.as_bytes()[16],
            });
        }
        Ok(BinanceCodec {
            settings,
            api_key: api_key.into(),
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            instruments,
            body: Vec::with_capacity(512),
        })
    }

    /// The signed form body for `order` (what `write_request` sends), into `out`.
    pub fn write_body(
        &self,
        order: &Order,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        let spec = self.instruments.for_order(order)?;
        let start = out.len();
        out.extend_from_slice(b"symbol=");
        out.extend_from_slice(spec.symbol.as_bytes());
        out.extend_from_slice(match order.side {
            Side::Buy => b"&side=BUY",
            Side::Sell => b"&side=SELL",
        });
        out.extend_from_slice(b"&type=LIMIT&timeInForce=IOC&quantity=");
        push_decimal(out, order.qty.0, spec.qty_scale);
        out.extend_from_slice(b"&price=");
        push_decimal(out, order.px.0, spec.price_scale);
        out.extend_from_slice(b"&newClientOrderId=");
        out.extend_from_slice(self.settings.client_id_prefix.as_bytes());
        push_u64(out, order.id.0);
        out.extend_from_slice(b"&newOrderRespType=FULL");
        if self.settings.recv_window_ms > 0 {
            out.extend_from_slice(b"&recvWindow=");
            push_u64(out, u64::from(self.settings.recv_window_ms));
        }
        out.extend_from_slice(b"&timestamp=");
        push_u64(out, unix_ms);
        let sig = sign_with(&self.key, &out[start..]);
        out.extend_from_slice(b"&signature=");
        out.extend_from_slice(&sig);
        Ok(())
    }

    /// Read an order object (`POST`/`GET /api/v3/order`'s body, or the WebSocket API's `result`
    /// / `error` object, which carry the same fields) into `a`, whose `http_status` is set. Shared
    /// by the REST and WebSocket codecs so both read an order the same way.
    pub(crate) fn read_order_body(
        instruments: &InstrumentTable,
        order: &Order,
        body: &[u8],
        a: &mut RestAnswer,
    ) {
        let mut status: Option<&[u8]> = None;
        let mut executed: Option<&[u8]> = None;
        let mut quote: Option<&[u8]> = None;
        let mut code: Option<i32> = None;
        let mut fills: Option<&[u8]> = None;
        for member in ObjIter::new(body) {
            let Ok((k, v)) = member else {
                a.kind = AnswerKind::Ambiguous;
                a.report.status = ExecStatus::Unknown;
                return;
            };
            match k {
                b"status" => status = str_content(v),
                b"executedQty" => executed = str_content(v),
                b"cummulativeQuoteQty" => quote = str_content(v),
                b"code" => code = parse_i32(v),
                b"orderId" => a.report.venue_order_id = fees::venue_order_id(v),
                b"fills" => fills = Some(v),
                _ => {}
            }
        }
        if let Some(c) = code {
            a.venue_code = c;
        }
        a.report.fee = fills.and_then(fees::binance_fills);
        if a.http_status != 200 {
            if code == Some(-1007) {
                // "Timeout waiting for response from backend server. Send status unknown."
                a.kind = AnswerKind::Ambiguous;
                a.report.status = ExecStatus::Unknown;
            } else if code == Some(-2013) {
                // "Order does not exist." (a status query): it never reached the book.
                a.kind = AnswerKind::Rejected;
                a.report.status = ExecStatus::Rejected {
                    code: CODE_NO_SUCH_ORDER,
                };
            }
            return;
        }
        let Ok(spec) = instruments.get(order.instrument) else {
            return;
        };
        let filled = executed
            .and_then(|t| Qty::parse(t, spec.qty_scale).ok())
            .unwrap_or(Qty::ZERO);
        a.report.filled_qty = filled;
        if let Some(q) = quote {
            a.report.avg_px = avg_price(q, filled, spec);
        }
        let (kind, st) = match status {
            Some(b"FILLED") => (AnswerKind::Final, ExecStatus::Filled),
            Some(b"EXPIRED" | b"CANCELED" | b"EXPIRED_IN_MATCH") if filled.0 > 0 => {
                (AnswerKind::Final, ExecStatus::PartiallyFilled)
            }
            Some(b"EXPIRED" | b"CANCELED" | b"EXPIRED_IN_MATCH") => {
                (AnswerKind::Final, ExecStatus::Cancelled)
            }
            Some(b"REJECTED") => (AnswerKind::Rejected, ExecStatus::Rejected { code: 200 }),
            Some(b"NEW" | b"PARTIALLY_FILLED" | b"PENDING_NEW") => {
                (AnswerKind::Accepted, ExecStatus::Unknown)
            }
            _ => (AnswerKind::Ambiguous, ExecStatus::Unknown),
        };
        a.kind = kind;
        a.report.status = st;
    }
}

impl RestVenue for BinanceCodec {
    fn write_request(
        &mut self,
        order: &Order,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        let mut body = std::mem::take(&mut self.body);
        body.clear();
        let r = self.write_body(order, unix_ms, &mut body);
        if r.is_ok() {
            start_request(out, b"POST", &[b"/api/v3/order"], &self.settings.host);
            out.extend_from_slice(b"X-MBX-APIKEY: ");
            out.extend_from_slice(&self.api_key);
            out.extend_from_slice(
                b"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ",
            );
            push_body(out, &body);
        }
        self.body = body;
        r
    }

    fn write_status_request(
        &mut self,
        order: &Order,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        let spec = self.instruments.get(order.instrument)?;
        let mut q = std::mem::take(&mut self.body);
        q.clear();
        q.extend_from_slice(b"symbol=");
        q.extend_from_slice(spec.symbol.as_bytes());
        q.extend_from_slice(b"&origClientOrderId=");
        q.extend_from_slice(self.settings.client_id_prefix.as_bytes());
        push_u64(&mut q, order.id.0);
        if self.settings.recv_window_ms > 0 {
            q.extend_from_slice(b"&recvWindow=");
            push_u64(&mut q, u64::from(self.settings.recv_window_ms));
        }
        q.extend_from_slice(b"&timestamp=");
        push_u64(&mut q, unix_ms);
        let sig = sign_with(&self.key, &q);
        q.extend_from_slice(b"&signature=");
        q.extend_from_slice(&sig);
        start_request(out, b"GET", &[b"/api/v3/order?", &q], &self.settings.host);
        out.extend_from_slice(b"X-MBX-APIKEY: ");
        out.extend_from_slice(&self.api_key);
        out.extend_from_slice(b"\r\n\r\n");
        self.body = q;
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
        let mut usage = BinanceUsage::default();
        for h in headers {
            let name = h.name.as_bytes();
            if is_retry_after(name) {
                a.set_retry_after(h.value);
            } else if usage.apply(name, h.value).is_err() {
                a.bad_headers = a.bad_headers.saturating_add(1);
            }
        }
        a.binance_weight_1m = usage.used_weight_1m;
        a.binance_orders_10s = usage.order_count_10s;
        a.binance_orders_1d = usage.order_count_1d;
        if !a.classify_status(status) {
            match status {
                200 => {}
                400..=499 => {
                    a.kind = AnswerKind::Rejected;
                    a.report.status = ExecStatus::Rejected { code: status };
                }
                _ => {
                    a.kind = AnswerKind::Ambiguous;
                    a.report.status = ExecStatus::Unknown;
                }
            }
        }
        Self::read_order_body(&self.instruments, order, body, &mut a);
        a
    }
}

#[cfg(test)]
#[path = "binance_tests.rs"]
pub(crate) mod tests;
