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
//! The status query is `GET /v5/order/realtime?category=spot&symbol=..&orderLinkId=..`. No REST
//! gateway reads Bybit's answers yet; the paper gateway signs with this codec so its
//! `tick_to_order` covers the same work. Key material stays in a `ring::hmac::Key`; `Debug`
//! prints `****`.

mod account_auth;

use ring::hmac;

use crate::model::{Order, Side};

use super::answer::{check_unreserved, RequestError};
use super::encode::{push_body, push_decimal, push_hex, push_u64, start_request};
use super::instruments::InstrumentTable;

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

/// The Bybit order codec: builds signed requests.
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

    /// The JSON body of `order` into `out` (appended).
    pub fn write_body(&self, order: &Order, out: &mut Vec<u8>) -> Result<(), RequestError> {
        let spec = self.instruments.for_order(order)?;
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
        out.extend_from_slice(self.settings.client_id_prefix.as_bytes());
        push_u64(out, order.id.0);
        out.extend_from_slice(b"\"}");
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

    /// The complete signed `POST /v5/order/create` for `order` into `out` (cleared first).
    pub fn write_request(
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
    pub fn write_status_request(
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
}

/// `n` in decimal, written at the end of `buf`.
fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
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
mod tests {
    use super::*;
    use crate::exec::gateway::codec::answer::InstrumentSpec;
    use crate::model::{InstrumentId, OppId, OrderId, Price, Qty, TimeInForce, VenueId};

    fn codec() -> BybitCodec {
        let table = InstrumentTable::new(&[(
            InstrumentId(0),
            InstrumentSpec {
                symbol: "BTCUSDT".into(),
                price_scale: 8,
                qty_scale: 8,
            },
        )])
        .unwrap();
        BybitCodec::new(
            BybitSettings {
                host: "api.bybit.com".into(),
                recv_window_ms: 5000,
                client_id_prefix: "ma".into(),
            },
            b"key123",
            b"secret456",
            table,
        )
        .unwrap()
    }

    fn order() -> Order {
        Order {
            id: OrderId(7),
            opp: OppId(1),
            px: Price(2_500_010_000_000),
            qty: Qty(50_000_000),
            sent_ts_ns: 0,
            recv_ts_ns: 0,
            instrument: InstrumentId(0),
            venue: VenueId(0),
            side: Side::Buy,
            tif: TimeInForce::Ioc,
        }
    }

    fn header<'a>(text: &'a str, name: &str) -> &'a str {
        text.split("\r\n")
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(": ")))
            .unwrap()
    }

    #[test]
    fn signed_order_request() {
        let mut out = Vec::new();
        codec()
            .write_request(&order(), 1_700_000_000_123, &mut out)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        let body = r#"{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.5","price":"25000.1","timeInForce":"IOC","orderLinkId":"ma7"}"#;
        assert!(text.starts_with("POST /v5/order/create HTTP/1.1\r\nHost: api.bybit.com\r\n"));
        assert!(text.ends_with(&format!("\r\n\r\n{body}")), "{text}");
        assert_eq!(header(&text, "X-BAPI-API-KEY"), "key123");
        assert_eq!(header(&text, "X-BAPI-TIMESTAMP"), "1700000000123");
        assert_eq!(header(&text, "X-BAPI-RECV-WINDOW"), "5000");
        assert_eq!(header(&text, "Content-Length"), body.len().to_string());
        // The documented prehash: timestamp + apiKey + recvWindow + body.
        let prehash = format!("1700000000123key1235000{body}");
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"secret456");
        let want: String = hmac::sign(&key, prehash.as_bytes())
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(header(&text, "X-BAPI-SIGN"), want);
    }

    #[test]
    fn signed_status_query_and_refusals() {
        let mut c = codec();
        let mut out = Vec::new();
        c.write_status_request(&order(), 5, &mut out).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        let q = "category=spot&symbol=BTCUSDT&orderLinkId=ma7";
        assert!(text.starts_with(&format!("GET /v5/order/realtime?{q} HTTP/1.1\r\n")));
        assert!(text.ends_with("\r\n\r\n"));
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"secret456");
        let want: String = hmac::sign(&key, format!("5key1235000{q}").as_bytes())
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(header(&text, "X-BAPI-SIGN"), want);
        let mut o = order();
        o.instrument = InstrumentId(3);
        assert_eq!(
            c.write_request(&o, 1, &mut out),
            Err(RequestError::UnknownInstrument(3))
        );
        o = order();
        o.qty = Qty(0);
        assert_eq!(
            c.write_request(&o, 1, &mut out),
            Err(RequestError::NonPositive(o.id))
        );
        assert!(!format!("{c:?}").contains("secret456"));
    }
}
