//! Upbit account calls (Upbit developer center, docs.upbit.com; answer shapes also as ccxt 4.5.90
//! reads them). Every call is authenticated with the order codec's JWT (`query_hash` = SHA-512 of
//! the url-encoded query when there is one), except the time probe:
//!
//! | call | request |
//! |---|---|
//! | cancel | `DELETE /v1/order?identifier=` (cancel *accepted*: the order's final state comes later) |
//! | open orders | `GET /v1/orders/open[?market=]` (state `wait`/`watch`; the first 100, Upbit's default page) |
//! | balances | `GET /v1/accounts` (`[{currency, balance, locked}]`: `balance` is the available part) |
//! | rules | `GET /v1/orders/chance?market=` (one market per call: `market.bid.min_total`, `market.state`) |
//! | time | `GET /v1/market/all`, read for its `Date` header only (Upbit has no time endpoint) |
//!
//! Errors are `{"error":{"name":"...","message":"..."}}`: `order_not_found` on a cancel is
//! [`CancelOutcome::NotFound`]; `jwt_verification`, `invalid_access_key`, `expired_access_key`,
//! `no_authorization_token` and `out_of_scope` (or HTTP 401) are authentication refusals; 429
//! and 418 are rate limits. Ticks: the chance answer's `price_unit` is null on the markets this
//! was checked against, so the tick comes from Upbit's published tables by quote currency
//! ([`crate::exec::account::ticks`]).

use crate::exec::account::error::AccountError;
use crate::exec::account::http::HttpResponse;
use crate::exec::account::json::{
    self, elements, get, members, opt_amount, req_amount, req_string,
};
use crate::exec::account::request::{AccountAnswer, AccountRequest};
use crate::exec::account::ticks::{UPBIT_BTC_TICK, UPBIT_KRW, UPBIT_USDT};
use crate::exec::account::types::{
    Balance, CancelOutcome, OpenOrder, OrderState, ServerTime, TickRule, TradingRules, VenueRules,
};
use crate::exec::account::venue::{AccountVenue, Ctx};
use crate::exec::gateway::codec::encode::start_request;
use crate::exec::gateway::codec::UpbitCodec;
use crate::model::Side;

use super::{check_text, http_date_ms};

/// Upbit's account API over its order codec's credentials.
#[derive(Debug)]
pub struct UpbitAccount {
    name: String,
    codec: UpbitCodec,
    /// What credential is missing (`None`: the codec holds real ones).
    missing: Option<&'static str>,
    /// A fixed JWT nonce (reference checks only; `None`: a fresh one per request).
    fixed_nonce: Option<String>,
}

impl UpbitAccount {
    /// For venue `name`, signing with `codec` (see `BinanceAccount::new` for `missing`).
    pub fn new(name: &str, codec: UpbitCodec, missing: Option<&'static str>) -> Self {
        UpbitAccount {
            name: name.to_string(),
            codec,
            missing,
            fixed_nonce: None,
        }
    }

    /// Sign every request with `nonce` instead of a fresh one: only for comparing bytes with a
    /// reference implementation that fixes it (`tests/exec/ccxt_account_vectors.rs`). Upbit
    /// refuses a reused nonce, so the engine never does this.
    pub fn with_fixed_nonce(mut self, nonce: &str) -> Self {
        self.fixed_nonce = Some(nonce.to_string());
        self
    }

    fn authed(&mut self, method: &[u8], path: &[u8], query: &[u8], out: &mut Vec<u8>) {
        if query.is_empty() {
            start_request(out, method, &[path], self.codec.host());
        } else {
            start_request(out, method, &[path, b"?", query], self.codec.host());
        }
        let q = (!query.is_empty()).then_some(query);
        match &self.fixed_nonce {
            Some(n) => {
                let n = n.clone();
                self.codec.push_auth_header_with_nonce(q, n.as_bytes(), out);
            }
            None => self.codec.push_auth_header(q, out),
        }
        out.extend_from_slice(b"\r\n");
    }
}

impl AccountVenue for UpbitAccount {
    fn write_request(
        &mut self,
        req: &AccountRequest,
        _unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), AccountError> {
        let ctx = Ctx {
            venue: &self.name,
            request: req.name(),
            status: 0,
        };
        if let (false, Some(missing)) = (matches!(req, AccountRequest::Time), self.missing) {
            return Err(AccountError::NoCredentials {
                venue: self.name.clone(),
                request: req.name(),
                missing,
            });
        }
        match req {
            AccountRequest::Cancel { client_id, .. } => {
                check_text(&ctx, "client id", client_id)?;
                let q = format!("identifier={client_id}");
                self.authed(b"DELETE", b"/v1/order", q.as_bytes(), out);
            }
            AccountRequest::OpenOrders { symbol, .. } => {
                let q = match symbol {
                    Some(s) => {
                        check_text(&ctx, "symbol", s)?;
                        format!("market={s}")
                    }
                    None => String::new(),
                };
                self.authed(b"GET", b"/v1/orders/open", q.as_bytes(), out);
            }
            AccountRequest::Balances => self.authed(b"GET", b"/v1/accounts", b"", out),
            AccountRequest::Rules { symbols } => {
                let [s] = symbols.as_slice() else {
                    return Err(ctx.bad_request(
                        "Upbit answers one market per /v1/orders/chance request: give exactly one symbol",
                    ));
                };
                check_text(&ctx, "symbol", s)?;
                let q = format!("market={s}");
                self.authed(b"GET", b"/v1/orders/chance", q.as_bytes(), out);
            }
            AccountRequest::Time => {
                start_request(out, b"GET", &[b"/v1/market/all"], self.codec.host());
                out.extend_from_slice(b"\r\n");
            }
        }
        Ok(())
    }

    fn parse_answer(
        &self,
        req: &AccountRequest,
        resp: &HttpResponse,
    ) -> Result<AccountAnswer, AccountError> {
        let ctx = Ctx {
            venue: &self.name,
            request: req.name(),
            status: resp.status,
        };
        if let AccountRequest::Time = req {
            // Any answer carries the server's clock.
            let date = resp
                .header("date")
                .ok_or_else(|| ctx.unreadable("no Date header"))?;
            let ms = http_date_ms(date).ok_or_else(|| {
                ctx.unreadable(format!(
                    "Date {:?} is not an HTTP date",
                    String::from_utf8_lossy(date)
                ))
            })?;
            return Ok(AccountAnswer::Time(ServerTime { unix_ms: ms }));
        }
        if !(200..300).contains(&resp.status) {
            let (name, message) = error_body(&resp.body);
            let message = self.redact(&message);
            if matches!(resp.status, 429 | 418) {
                return Err(ctx.rate_limited(name, resp));
            }
            return match name.as_str() {
                "order_not_found" if matches!(req, AccountRequest::Cancel { .. }) => {
                    Ok(AccountAnswer::Cancel(CancelOutcome::NotFound))
                }
                "jwt_verification"
                | "invalid_access_key"
                | "expired_access_key"
                | "no_authorization_token"
                | "out_of_scope" => Err(ctx.auth(name, message)),
                _ if resp.status == 401 => Err(ctx.auth(name, message)),
                _ => Err(ctx.refused(name, message)),
            };
        }
        let body = &resp.body;
        let r = match req {
            AccountRequest::Cancel { .. } => {
                let m = members(body).map_err(|e| ctx.unreadable(e))?;
                req_string(&m, "uuid").map_err(|e| ctx.unreadable(e))?;
                AccountAnswer::Cancel(CancelOutcome::Cancelled)
            }
            AccountRequest::OpenOrders { .. } => AccountAnswer::OpenOrders {
                orders: parse_open_orders(body).map_err(|e| ctx.unreadable(e))?,
                next: None,
            },
            AccountRequest::Balances => {
                AccountAnswer::Balances(parse_accounts(body).map_err(|e| ctx.unreadable(e))?)
            }
            AccountRequest::Rules { .. } => AccountAnswer::Rules(VenueRules {
                instruments: vec![parse_chance(body).map_err(|e| ctx.unreadable(e))?],
                rate_limits: Vec::new(),
            }),
            AccountRequest::Time => unreachable!("answered above"),
        };
        Ok(r)
    }

    fn redact(&self, text: &str) -> String {
        self.codec.redact(text)
    }
}

/// `(error.name, error.message)` of an Upbit error body (empty strings when absent).
fn error_body(body: &[u8]) -> (String, String) {
    let m = members(body).unwrap_or_default();
    let e = get(&m, "error")
        .and_then(|e| members(e).ok())
        .unwrap_or_default();
    (
        get(&e, "name").map(json::text).unwrap_or_default(),
        get(&e, "message").map(json::text).unwrap_or_default(),
    )
}

/// `GET /v1/orders/open`: an array of orders.
pub fn parse_open_orders(body: &[u8]) -> Result<Vec<OpenOrder>, String> {
    elements(body)?
        .into_iter()
        .map(|o| {
            let m = members(o)?;
            let side = match req_string(&m, "side")?.as_str() {
                "bid" => Side::Buy,
                "ask" => Side::Sell,
                other => return Err(format!("side: {other:?} is neither bid nor ask")),
            };
            let filled = req_amount(&m, "executed_volume")?;
            let state = match req_string(&m, "state")?.as_str() {
                "wait" if filled.is_zero() => OrderState::New,
                "wait" => OrderState::PartiallyFilled,
                other => OrderState::Other(other.to_string()),
            };
            Ok(OpenOrder {
                symbol: req_string(&m, "market")?,
                // Upbit gives `identifier` only for orders placed with one (and after 2024-10-18).
                client_id: get(&m, "identifier")
                    .and_then(json::string)
                    .unwrap_or_default(),
                venue_order_id: req_string(&m, "uuid")?,
                side,
                price: req_amount(&m, "price")?,
                qty: req_amount(&m, "volume")?,
                filled,
                state,
            })
        })
        .collect()
}

/// `GET /v1/accounts`: `[{currency, balance, locked, ...}]`.
pub fn parse_accounts(body: &[u8]) -> Result<Vec<Balance>, String> {
    elements(body)?
        .into_iter()
        .map(|a| {
            let m = members(a)?;
            Ok(Balance {
                asset: req_string(&m, "currency")?,
                free: req_amount(&m, "balance")?,
                locked: req_amount(&m, "locked")?,
            })
        })
        .collect()
}

/// `GET /v1/orders/chance?market=`: the market's rules.
pub fn parse_chance(body: &[u8]) -> Result<TradingRules, String> {
    let m = members(body)?;
    let market = members(get(&m, "market").ok_or("market: missing")?)?;
    let symbol = req_string(&market, "id")?;
    let bid = members(get(&market, "bid").ok_or("market.bid: missing")?)?;
    let quote = req_string(&bid, "currency")?;
    let tick = match opt_amount(&bid, "price_unit")? {
        Some(unit) => TickRule::Fixed(unit),
        None => match quote.as_str() {
            "KRW" => TickRule::Bands(UPBIT_KRW),
            "USDT" => TickRule::Bands(UPBIT_USDT),
            "BTC" => TickRule::Fixed(UPBIT_BTC_TICK),
            other => {
                return Err(format!(
                    "{symbol}: no price_unit and no tick table for quote {other}"
                ))
            }
        },
    };
    Ok(TradingRules {
        symbol,
        tick,
        step: None,
        min_qty: None,
        min_notional: opt_amount(&bid, "min_total")?,
        trading: req_string(&market, "state")? == "active",
        venue_code: None,
    })
}

#[cfg(test)]
#[path = "upbit_tests.rs"]
mod tests;
