//! Orders placed on the mock exchange through the venues' own order APIs, signed here with each
//! venue's documented scheme, as another program trading the same account would: a resting GTC
//! limit order (it lists as open and locks balance) or a marketable one (it fills at once and
//! moves the balances behind the engine's back). The engine itself only sends IOC orders.

use std::net::SocketAddr;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use microarb::exec::account::client::unix_ms_now;
use microarb::exec::account::http::{BlockingHttp, HttpResponse};
use microarb::exec::gateway::codec::jwt::JwtSigner;
use microarb::exec::gateway::codec::{binance, okx};
use microarb::net::http::HostSpec;

/// Who signs: API key, secret and (OKX) passphrase.
#[derive(Debug, Clone, Copy)]
pub struct Signer<'a> {
    /// API key.
    pub key: &'a str,
    /// API secret.
    pub secret: &'a str,
    /// OKX passphrase.
    pub passphrase: &'a str,
}

/// A GTC limit order.
#[derive(Debug, Clone, Copy)]
pub struct Limit<'a> {
    /// The venue's symbol.
    pub symbol: &'a str,
    /// Buy (else sell).
    pub buy: bool,
    /// Price, decimal text.
    pub price: &'a str,
    /// Quantity, decimal text.
    pub qty: &'a str,
    /// Client id.
    pub client_id: &'a str,
}

fn http(url: &str) -> BlockingHttp {
    let addr: SocketAddr = url.strip_prefix("http://").unwrap().parse().unwrap();
    BlockingHttp::new(
        &HostSpec { addr, tls: None },
        Duration::from_secs(5),
        1 << 20,
    )
    .unwrap()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Place `o` (GTC limit) on the venue of kind `mk` at REST base `url`, signed by `s`.
pub fn place_limit(url: &str, mk: mockex::VenueKind, o: Limit<'_>, s: Signer<'_>) -> HttpResponse {
    let host = url.strip_prefix("http://").unwrap();
    let ts = unix_ms_now();
    let (sym, price, qty, cid) = (o.symbol, o.price, o.qty, o.client_id);
    let (key, secret) = (s.key, s.secret);
    let post = |path: &str, headers: String, body: &str| {
        format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    let req = match mk {
        mockex::VenueKind::Binance => {
            let side = if o.buy { "BUY" } else { "SELL" };
            let p = format!(
                "symbol={sym}&side={side}&type=LIMIT&timeInForce=GTC&quantity={qty}&price={price}&newClientOrderId={cid}&timestamp={ts}"
            );
            let sig = binance::sign(secret.as_bytes(), p.as_bytes());
            let body = format!("{p}&signature={}", std::str::from_utf8(&sig).unwrap());
            format!(
                "POST /api/v3/order HTTP/1.1\r\nHost: {host}\r\nX-MBX-APIKEY: {key}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
        }
        mockex::VenueKind::Upbit => {
            let side = if o.buy { "bid" } else { "ask" };
            let q = format!(
                "market={sym}&side={side}&volume={qty}&price={price}&ord_type=limit&identifier={cid}"
            );
            let body = format!(
                r#"{{"market":"{sym}","side":"{side}","volume":"{qty}","price":"{price}","ord_type":"limit","identifier":"{cid}"}}"#
            );
            let mut token = Vec::new();
            JwtSigner::new(key.as_bytes(), secret.as_bytes())
                .unwrap()
                .write_token(
                    &mut token,
                    b"0f8fad5b-d9cb-469f-a165-70867728950e",
                    Some(q.as_bytes()),
                );
            let auth = format!(
                "Authorization: Bearer {}\r\n",
                String::from_utf8(token).unwrap()
            );
            post("/v1/orders", auth, &body)
        }
        mockex::VenueKind::Bybit => {
            let side = if o.buy { "Buy" } else { "Sell" };
            let body = format!(
                r#"{{"category":"spot","symbol":"{sym}","side":"{side}","orderType":"Limit","qty":"{qty}","price":"{price}","timeInForce":"GTC","orderLinkId":"{cid}"}}"#
            );
            let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
            let sig = hex(ring::hmac::sign(&k, format!("{ts}{key}5000{body}").as_bytes()).as_ref());
            let h = format!("X-BAPI-API-KEY: {key}\r\nX-BAPI-TIMESTAMP: {ts}\r\nX-BAPI-RECV-WINDOW: 5000\r\nX-BAPI-SIGN: {sig}\r\n");
            post("/v5/order/create", h, &body)
        }
        mockex::VenueKind::Okx => {
            let side = if o.buy { "buy" } else { "sell" };
            let body = format!(
                r#"{{"instId":"{sym}","tdMode":"cash","side":"{side}","ordType":"limit","px":"{price}","sz":"{qty}","clOrdId":"{cid}"}}"#
            );
            let iso = okx::iso_timestamp(ts);
            let iso = std::str::from_utf8(&iso).unwrap();
            let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
            let sig = STANDARD.encode(ring::hmac::sign(
                &k,
                format!("{iso}POST/api/v5/trade/order{body}").as_bytes(),
            ));
            let h = format!(
                "OK-ACCESS-KEY: {key}\r\nOK-ACCESS-SIGN: {sig}\r\nOK-ACCESS-TIMESTAMP: {iso}\r\nOK-ACCESS-PASSPHRASE: {}\r\n",
                s.passphrase
            );
            post("/api/v5/trade/order", h, &body)
        }
    };
    http(url).exchange(req.as_bytes()).expect("order answered")
}

/// A price as decimal text with 2 decimals, from a mantissa at 8 decimals (the mock's quotes).
pub fn cents(px_e8: i64) -> String {
    let c = px_e8 / 1_000_000;
    format!("{}.{:02}", c / 100, c % 100)
}
