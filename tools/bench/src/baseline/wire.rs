//! The baseline's network orders, sent the way a tokio design would: one shared
//! `reqwest::Client` (rustls, connection pool, HTTP/1.1 keep-alive), each leg a signed request
//! built as a `String` and awaited, both legs of an arbitrage concurrently (`tokio::join!`).
//!
//! The signing is written here from the venues' documentation (its own code, sharing nothing with
//! microarb's signer), with `ring` for HMAC-SHA256 / SHA-512 and `base64`:
//! - Binance `POST /api/v3/order`, form body, `signature` = hex HMAC-SHA256(secret, body),
//!   `X-MBX-APIKEY`.
//! - Bybit `POST /v5/order/create`, JSON body, `X-BAPI-SIGN` = hex HMAC-SHA256(secret,
//!   timestamp + key + recvWindow + body) with `X-BAPI-API-KEY`, `X-BAPI-TIMESTAMP`,
//!   `X-BAPI-RECV-WINDOW`.
//! - OKX `POST /api/v5/trade/order`, JSON body, `OK-ACCESS-SIGN` = Base64 HMAC-SHA256(secret,
//!   timestamp + "POST" + path + body), the timestamp ISO 8601 UTC with milliseconds.
//! - Upbit `POST /v1/orders`, JSON body, `Authorization: Bearer` HS256 JWT with `access_key`,
//!   `nonce`, `query_hash` (hex SHA-512 of the body's members as a query string), `SHA512`.
//!
//! Quantities and prices are printed from `f64` at the instrument's scales, as the seed does; a
//! venue may refuse one off its tick (counted under `answers_refused`, the order still crossed the
//! wire). Cold path at start-up (credentials read from the config's secret files); per order,
//! everything allocates: that is the design being measured. With `BASELINE_WIRE_DEBUG` set, each
//! failed leg's error goes to stderr.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use microarb::config::{Config, GatewayKind};
use microarb::model::VenueKind;
use ring::{digest, hmac};
use thiserror::Error;

/// Why network orders cannot be set up.
#[derive(Debug, Error)]
pub enum WireError {
    /// A trading venue has no `rest_url`.
    #[error("venue {0}: execution.gateway = \"rest\" needs rest_url")]
    NoUrl(String),
    /// A trading venue has no `api_secret_file`.
    #[error("venue {0}: execution.gateway = \"rest\" needs api_secret_file")]
    NoSecretFile(String),
    /// The secret file could not be read.
    #[error("venue {venue}: cannot read {path}: {source}")]
    Read {
        /// The venue.
        venue: String,
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The secret file lacks `key=` or `secret=` (or OKX's `passphrase=`).
    #[error("venue {venue}: {path} has no {what}= line")]
    Missing {
        /// The venue.
        venue: String,
        /// The file.
        path: String,
        /// The line missing.
        what: &'static str,
    },
    /// The HTTP client could not be built.
    #[error("http client: {0}")]
    Client(#[from] reqwest::Error),
}

/// One trading venue's endpoint and credentials.
#[derive(Debug, Clone)]
struct WireVenue {
    kind: VenueKind,
    base: String,
    key: String,
    secret: String,
    passphrase: String,
}

/// One leg as the executor hands it over.
#[derive(Debug, Clone)]
pub struct Leg<'a> {
    /// The venue's config name.
    pub venue: &'a str,
    /// The venue's symbol.
    pub symbol: &'a str,
    /// Buy (true) or sell.
    pub buy: bool,
    /// Quantity, printed at `qty_scale` decimals.
    pub qty: f64,
    /// Limit price, printed at `price_scale` decimals.
    pub px: f64,
    /// Decimals of the quantity.
    pub qty_scale: usize,
    /// Decimals of the price.
    pub price_scale: usize,
    /// The client order id (`bl<n>`).
    pub client_id: &'a str,
}

/// How a sent leg ended, as far as the baseline looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// HTTP 2xx and no venue error code in the body.
    Accepted,
    /// The venue answered and refused it (4xx, or a 200 carrying an error code).
    Refused,
    /// No answer: connection error or timeout.
    Failed,
}

/// The network sender: one client for every venue.
pub struct Wire {
    client: reqwest::Client,
    venues: HashMap<String, WireVenue>,
    nonce: AtomicU64,
}

impl Wire {
    /// From the config when `execution.gateway = "rest"` (`None` for paper): every trading
    /// venue's `rest_url` and secret file.
    pub fn from_config(c: &Config) -> Result<Option<Wire>, WireError> {
        if c.execution.gateway != GatewayKind::Rest {
            return Ok(None);
        }
        let mut venues = HashMap::new();
        for v in c.venues.iter().filter(|v| v.trade) {
            let base = v
                .rest_url
                .clone()
                .ok_or_else(|| WireError::NoUrl(v.name.clone()))?;
            let path = v
                .api_secret_file
                .clone()
                .ok_or_else(|| WireError::NoSecretFile(v.name.clone()))?;
            let text = std::fs::read_to_string(&path).map_err(|source| WireError::Read {
                venue: v.name.clone(),
                path: path.clone(),
                source,
            })?;
            let field = |what: &'static str| {
                text.lines()
                    .find_map(|l| l.strip_prefix(what)?.strip_prefix('='))
                    .map(|s| s.trim().to_string())
            };
            let need = |what: &'static str| {
                field(what).ok_or_else(|| WireError::Missing {
                    venue: v.name.clone(),
                    path: path.clone(),
                    what,
                })
            };
            let passphrase = if v.kind == VenueKind::Okx {
                need("passphrase")?
            } else {
                String::new()
            };
            venues.insert(
                v.name.clone(),
                WireVenue {
                    kind: v.kind,
                    base: base.trim_end_matches('/').to_string(),
                    key: need("key")?,
                    secret: need("secret")?,
                    passphrase,
                },
            );
        }
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .tcp_nodelay(true)
            .pool_idle_timeout(Duration::from_secs(90))
            .timeout(Duration::from_secs(5))
            .build()?;
        Ok(Some(Wire {
            client,
            venues,
            nonce: AtomicU64::new(1),
        }))
    }

    /// The signed request for `leg` (`None` for a venue without credentials here).
    pub fn request(&self, leg: &Leg<'_>) -> Option<reqwest::RequestBuilder> {
        let v = self.venues.get(leg.venue)?;
        let unix_ms = unix_ms();
        let (qty, px) = (
            format!("{:.*}", leg.qty_scale, leg.qty),
            format!("{:.*}", leg.price_scale, leg.px),
        );
        Some(match v.kind {
            VenueKind::Binance => {
                let side = if leg.buy { "BUY" } else { "SELL" };
                let body = format!(
                    "symbol={}&side={side}&type=LIMIT&timeInForce=IOC&quantity={qty}&price={px}&newClientOrderId={}&recvWindow=5000&timestamp={unix_ms}",
                    leg.symbol, leg.client_id
                );
                let sig = hex(hmac_sha256(&v.secret, body.as_bytes()).as_ref());
                self.client
                    .post(format!("{}/api/v3/order", v.base))
                    .header("X-MBX-APIKEY", &v.key)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(format!("{body}&signature={sig}"))
            }
            VenueKind::Bybit => {
                let side = if leg.buy { "Buy" } else { "Sell" };
                let body = format!(
                    r#"{{"category":"spot","symbol":"{}","side":"{side}","orderType":"Limit","qty":"{qty}","price":"{px}","timeInForce":"IOC","orderLinkId":"{}"}}"#,
                    leg.symbol, leg.client_id
                );
                let ts = unix_ms.to_string();
                let signed = format!("{ts}{}5000{body}", v.key);
                let sig = hex(hmac_sha256(&v.secret, signed.as_bytes()).as_ref());
                self.client
                    .post(format!("{}/v5/order/create", v.base))
                    .header("X-BAPI-API-KEY", &v.key)
                    .header("X-BAPI-TIMESTAMP", ts)
                    .header("X-BAPI-RECV-WINDOW", "5000")
                    .header("X-BAPI-SIGN", sig)
                    .header("Content-Type", "application/json")
                    .body(body)
            }
            VenueKind::Okx => {
                let side = if leg.buy { "buy" } else { "sell" };
                let body = format!(
                    r#"{{"instId":"{}","tdMode":"cash","side":"{side}","ordType":"ioc","px":"{px}","sz":"{qty}","clOrdId":"{}"}}"#,
                    leg.symbol, leg.client_id
                );
                let ts = iso8601_ms(unix_ms);
                let path = "/api/v5/trade/order";
                let signed = format!("{ts}POST{path}{body}");
                let sig = STANDARD.encode(hmac_sha256(&v.secret, signed.as_bytes()).as_ref());
                self.client
                    .post(format!("{}{path}", v.base))
                    .header("OK-ACCESS-KEY", &v.key)
                    .header("OK-ACCESS-SIGN", sig)
                    .header("OK-ACCESS-TIMESTAMP", ts)
                    .header("OK-ACCESS-PASSPHRASE", &v.passphrase)
                    .header("Content-Type", "application/json")
                    .body(body)
            }
            VenueKind::Upbit => {
                let side = if leg.buy { "bid" } else { "ask" };
                let params = [
                    ("market", leg.symbol),
                    ("side", side),
                    ("volume", &qty),
                    ("price", &px),
                    ("ord_type", "limit"),
                    ("time_in_force", "ioc"),
                    ("identifier", leg.client_id),
                ];
                let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let body: Vec<String> = params
                    .iter()
                    .map(|(k, v)| format!(r#""{k}":"{v}""#))
                    .collect();
                let hash =
                    hex(digest::digest(&digest::SHA512, query.join("&").as_bytes()).as_ref());
                let n = self.nonce.fetch_add(1, Ordering::Relaxed);
                let payload = format!(
                    r#"{{"access_key":"{}","nonce":"{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}","query_hash":"{hash}","query_hash_alg":"SHA512"}}"#,
                    v.key,
                    (unix_ms >> 16) as u32,
                    (unix_ms & 0xffff) as u16,
                    (std::process::id() & 0xfff) as u16,
                    (n >> 48) as u16 & 0xfff,
                    n & 0xffff_ffff_ffff
                );
                let head = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
                let claims = URL_SAFE_NO_PAD.encode(payload.as_bytes());
                let signing = format!("{head}.{claims}");
                let sig = URL_SAFE_NO_PAD.encode(hmac_sha256(&v.secret, signing.as_bytes()));
                self.client
                    .post(format!("{}/v1/orders", v.base))
                    .header("Authorization", format!("Bearer {signing}.{sig}"))
                    .header("Content-Type", "application/json")
                    .body(format!("{{{}}}", body.join(",")))
            }
        })
    }

    /// Send one built request and classify its answer.
    pub async fn send(&self, req: reqwest::RequestBuilder) -> Answer {
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                if std::env::var_os("BASELINE_WIRE_DEBUG").is_some() {
                    eprintln!("baseline: send: {e:?}");
                }
                return Answer::Failed;
            }
        };
        let ok = resp.status().is_success();
        let body = match resp.text().await {
            Ok(b) => b,
            Err(e) => {
                if std::env::var_os("BASELINE_WIRE_DEBUG").is_some() {
                    eprintln!("baseline: body: {e:?}");
                }
                return Answer::Failed;
            }
        };
        if ok && !refused_in_body(&body) {
            Answer::Accepted
        } else {
            Answer::Refused
        }
    }
}

/// A 200 whose body still carries a venue error (Bybit `retCode` != 0, OKX `code`/`sCode` != 0).
fn refused_in_body(body: &str) -> bool {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
        return false;
    };
    let nonzero = |x: &serde_json::Value| match x {
        serde_json::Value::Number(n) => n.as_i64() != Some(0),
        serde_json::Value::String(s) => s != "0",
        _ => false,
    };
    nonzero(&v["retCode"])
        || nonzero(&v["code"])
        || v["data"]
            .as_array()
            .is_some_and(|d| d.iter().any(|e| nonzero(&e["sCode"])))
}

fn hmac_sha256(secret: &str, msg: &[u8]) -> hmac::Tag {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes()), msg)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// `2020-12-08T09:08:57.715Z` for a unix time in ms (chrono, as a tokio service would).
fn iso8601_ms(unix_ms: u64) -> String {
    chrono::DateTime::from_timestamp_millis(unix_ms as i64)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_timestamps_match_okx_form() {
        assert_eq!(iso8601_ms(1_607_418_537_715), "2020-12-08T09:08:57.715Z");
        assert_eq!(iso8601_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601_ms(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn body_errors_are_refusals() {
        assert!(refused_in_body(r#"{"retCode":170131,"retMsg":"x"}"#));
        assert!(!refused_in_body(r#"{"retCode":0,"result":{}}"#));
        assert!(refused_in_body(
            r#"{"code":"1","data":[{"sCode":"51008"}]}"#
        ));
        assert!(!refused_in_body(r#"{"code":"0","data":[{"sCode":"0"}]}"#));
        assert!(!refused_in_body(r#"{"orderId":1,"status":"FILLED"}"#));
    }
}
