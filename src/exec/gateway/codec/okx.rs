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
//! signed request path). No REST gateway reads OKX's answers yet; the paper gateway signs with
//! this codec so its `tick_to_order` covers the same work. `Debug` prints no key material.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
mod account_auth;

use ring::hmac;

use crate::model::{Order, Side};

use super::answer::{check_unreserved, RequestError};
use super::encode::{push_body, push_decimal, push_u64, start_request};
use super::instruments::InstrumentTable;

const ORDER_PATH: &[u8] = b"/api/v5/trade/order";

/// Static settings of the OKX codec.
#[derive(Debug, Clone)]
pub struct OkxSettings {
    /// `Host` header (`www.okx.com`).
    pub host: String,
    /// Prefix of `clOrdId` (the order id follows in decimal); letters and digits only.
    pub client_id_prefix: String,
}

/// The OKX order codec: builds signed requests.
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
        check_unreserved("passphrase", passphrase)?;
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

    /// The signing headers for `method path body` at `unix_ms`, each ending in CRLF.
    fn push_auth(&self, unix_ms: u64, method: &[u8], path: &[u8], body: &[u8], out: &mut Vec<u8>) {
        let ts = iso_timestamp(unix_ms);
        let mut ctx = hmac::Context::with_key(&self.key);
        ctx.update(&ts);
        ctx.update(method);
        ctx.update(path);
        ctx.update(body);
        let tag = ctx.sign();
        let mut sig = [0u8; 44];
        let n = STANDARD.encode_slice(tag.as_ref(), &mut sig).unwrap_or(0);
        out.extend_from_slice(b"OK-ACCESS-KEY: ");
        out.extend_from_slice(&self.api_key);
        out.extend_from_slice(b"\r\nOK-ACCESS-SIGN: ");
        out.extend_from_slice(&sig[..n]);
        out.extend_from_slice(b"\r\nOK-ACCESS-TIMESTAMP: ");
        out.extend_from_slice(&ts);
        out.extend_from_slice(b"\r\nOK-ACCESS-PASSPHRASE: ");
        out.extend_from_slice(&self.passphrase);
        out.extend_from_slice(b"\r\n");
    }

    /// The complete signed `POST /api/v5/trade/order` for `order` into `out` (cleared first).
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
            start_request(out, b"POST", &[ORDER_PATH], &self.settings.host);
            self.push_auth(unix_ms, b"POST", ORDER_PATH, &body, out);
            out.extend_from_slice(b"Content-Type: application/json\r\nContent-Length: ");
            push_body(out, &body);
        }
        self.payload = body;
        r
    }

    /// The complete signed status query (`GET /api/v5/trade/order` by `clOrdId`) into `out`.
    pub fn write_status_request(
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::gateway::codec::answer::InstrumentSpec;
    use crate::model::{InstrumentId, OppId, OrderId, Price, Qty, TimeInForce, VenueId};

    fn codec() -> OkxCodec {
        let table = InstrumentTable::new(&[(
            InstrumentId(0),
            InstrumentSpec {
                symbol: "BTC-USDT".into(),
                price_scale: 8,
                qty_scale: 8,
            },
        )])
        .unwrap();
        OkxCodec::new(
            OkxSettings {
                host: "www.okx.com".into(),
                client_id_prefix: "ma".into(),
            },
            b"key123",
            b"secret456",
            b"pass789",
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
            side: Side::Sell,
            tif: TimeInForce::Ioc,
        }
    }

    fn header<'a>(text: &'a str, name: &str) -> &'a str {
        text.split("\r\n")
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(": ")))
            .unwrap()
    }

    fn b64_hmac(prehash: &str) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"secret456");
        STANDARD.encode(hmac::sign(&key, prehash.as_bytes()))
    }

    #[test]
    fn timestamps() {
        // The example of OKX's docs.
        assert_eq!(
            &iso_timestamp(1_607_418_537_715),
            b"2020-12-08T09:08:57.715Z"
        );
        assert_eq!(&iso_timestamp(0), b"1970-01-01T00:00:00.000Z");
        assert_eq!(&iso_timestamp(951_782_400_001), b"2000-02-29T00:00:00.001Z");
        assert_eq!(
            &iso_timestamp(4_102_444_799_999),
            b"2099-12-31T23:59:59.999Z"
        );
    }

    #[test]
    fn signed_order_request() {
        let mut out = Vec::new();
        codec()
            .write_request(&order(), 1_607_418_537_715, &mut out)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        let body = r#"{"instId":"BTC-USDT","tdMode":"cash","side":"sell","ordType":"ioc","px":"25000.1","sz":"0.5","clOrdId":"ma7"}"#;
        assert!(text.starts_with("POST /api/v5/trade/order HTTP/1.1\r\nHost: www.okx.com\r\n"));
        assert!(text.ends_with(&format!("\r\n\r\n{body}")), "{text}");
        assert_eq!(header(&text, "OK-ACCESS-KEY"), "key123");
        assert_eq!(header(&text, "OK-ACCESS-PASSPHRASE"), "pass789");
        assert_eq!(
            header(&text, "OK-ACCESS-TIMESTAMP"),
            "2020-12-08T09:08:57.715Z"
        );
        assert_eq!(header(&text, "Content-Type"), "application/json");
        // The documented prehash: timestamp + "POST" + "/api/v5/trade/order" + body.
        let prehash = format!("2020-12-08T09:08:57.715ZPOST/api/v5/trade/order{body}");
        assert_eq!(header(&text, "OK-ACCESS-SIGN"), b64_hmac(&prehash));
    }

    #[test]
    fn signed_status_query_and_refusals() {
        let mut c = codec();
        let mut out = Vec::new();
        c.write_status_request(&order(), 0, &mut out).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        let path = "/api/v5/trade/order?instId=BTC-USDT&clOrdId=ma7";
        assert!(text.starts_with(&format!("GET {path} HTTP/1.1\r\n")));
        assert!(text.ends_with("\r\n\r\n"));
        let prehash = format!("1970-01-01T00:00:00.000ZGET{path}");
        assert_eq!(header(&text, "OK-ACCESS-SIGN"), b64_hmac(&prehash));
        let mut o = order();
        o.px = Price(-1);
        assert_eq!(
            c.write_request(&o, 1, &mut out),
            Err(RequestError::NonPositive(o.id))
        );
        let s = OkxSettings {
            host: "h".into(),
            client_id_prefix: "m-a".into(),
        };
        assert!(OkxCodec::new(s, b"k", b"s", b"p", InstrumentTable::default()).is_err());
        let d = format!("{c:?}");
        assert!(!d.contains("secret456") && !d.contains("pass789") && !d.contains("key123"));
    }
}
