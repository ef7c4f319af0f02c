//! Binance spot account calls (REST API docs, `binance/binance-spot-api-docs` rest-api.md, checked
//! 2026-07): every parameter in the query string, SIGNED ones finished by the order codec's
//! `sign_params` (`recvWindow`, `timestamp`, `signature`) with `X-MBX-APIKEY`:
//!
//! | call | request | weight |
//! |---|---|---|
//! | cancel | `DELETE /api/v3/order?symbol=&origClientOrderId=` (SIGNED) | 1 |
//! | open orders | `GET /api/v3/openOrders[?symbol=]` (SIGNED) | 6, or 80 without a symbol |
//! | balances | `GET /api/v3/account?omitZeroBalances=true` (SIGNED) | 20 |
//! | rules | `GET /api/v3/exchangeInfo[?symbols=["A","B"]]` | 20 |
//! | time | `GET /api/v3/time` | 1 |
//!
//! Answers: errors are `{"code":-2011,"msg":"Unknown order sent."}` with a 4xx status; -1022
//! (bad signature), -2014 (bad key format) and -2015 (key, IP or permission refused) are
//! authentication refusals; a cancel answered -2011 "Unknown order sent." or -2013 is
//! [`CancelOutcome::NotFound`] (Binance says the same for a filled order: query it). Rules come
//! from the symbol `filters` (`PRICE_FILTER.tickSize`, `LOT_SIZE.stepSize`/`minQty`,
//! `NOTIONAL.minNotional`, older `MIN_NOTIONAL.minNotional`) and the top-level `rateLimits`.

use crate::base::scan::Member;
use crate::exec::account::amount::Amount;
use crate::exec::account::error::AccountError;
use crate::exec::account::http::HttpResponse;
use crate::exec::account::json::{self, elements, get, members, req_amount, req_string};
use crate::exec::account::request::{AccountAnswer, AccountRequest};
use crate::exec::account::types::{
    Balance, CancelOutcome, OpenOrder, OrderState, RateLimit, RateLimitKind, ServerTime, TickRule,
    TradingRules, VenueRules,
};
use crate::exec::account::venue::{AccountVenue, Ctx};
use crate::exec::gateway::codec::encode::start_request;
use crate::exec::gateway::codec::BinanceCodec;
use crate::model::Side;

use super::check_text;

/// Binance's account API over its order codec's credentials.
#[derive(Debug)]
pub struct BinanceAccount {
    name: String,
    codec: BinanceCodec,
    /// What credential is missing (`None`: the codec holds real ones).
    missing: Option<&'static str>,
}

impl BinanceAccount {
    /// For venue `name`, signing with `codec`. `missing` is `Some(what)` when the codec holds a
    /// placeholder key: public calls still work, the others answer
    /// [`AccountError::NoCredentials`] naming `what`.
    pub fn new(name: &str, codec: BinanceCodec, missing: Option<&'static str>) -> Self {
        BinanceAccount {
            name: name.to_string(),
            codec,
            missing,
        }
    }

    fn signed_get(
        &self,
        method: &[u8],
        path: &[u8],
        mut q: Vec<u8>,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) {
        self.codec.sign_params(&mut q, unix_ms);
        start_request(out, method, &[path, b"?", &q], self.codec.host());
        self.codec.push_key_header(out);
        out.extend_from_slice(b"\r\n");
    }
}

impl AccountVenue for BinanceAccount {
    fn write_request(
        &mut self,
        req: &AccountRequest,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), AccountError> {
        let ctx = Ctx {
            venue: &self.name,
            request: req.name(),
            status: 0,
        };
        let needs_key = !matches!(req, AccountRequest::Rules { .. } | AccountRequest::Time);
        if let (true, Some(missing)) = (needs_key, self.missing) {
            return Err(AccountError::NoCredentials {
                venue: self.name.clone(),
                request: req.name(),
                missing,
            });
        }
        match req {
            AccountRequest::Cancel { symbol, client_id } => {
                check_text(&ctx, "symbol", symbol)?;
                check_text(&ctx, "client id", client_id)?;
                let q = format!("symbol={symbol}&origClientOrderId={client_id}").into_bytes();
                self.signed_get(b"DELETE", b"/api/v3/order", q, unix_ms, out);
            }
            AccountRequest::OpenOrders { symbol, .. } => {
                let q = match symbol {
                    Some(s) => {
                        check_text(&ctx, "symbol", s)?;
                        format!("symbol={s}").into_bytes()
                    }
                    None => Vec::new(),
                };
                self.signed_get(b"GET", b"/api/v3/openOrders", q, unix_ms, out);
            }
            AccountRequest::Balances => {
                let q = b"omitZeroBalances=true".to_vec();
                self.signed_get(b"GET", b"/api/v3/account", q, unix_ms, out);
            }
            AccountRequest::Rules { symbols } => {
                if symbols.is_empty() {
                    start_request(out, b"GET", &[b"/api/v3/exchangeInfo"], self.codec.host());
                } else {
                    let mut q = String::from("symbols=%5B");
                    for (i, s) in symbols.iter().enumerate() {
                        check_text(&ctx, "symbol", s)?;
                        if i > 0 {
                            q.push_str("%2C");
                        }
                        q.push_str("%22");
                        q.push_str(s);
                        q.push_str("%22");
                    }
                    q.push_str("%5D");
                    start_request(
                        out,
                        b"GET",
                        &[b"/api/v3/exchangeInfo?", q.as_bytes()],
                        self.codec.host(),
                    );
                }
                out.extend_from_slice(b"\r\n");
            }
            AccountRequest::Time => {
                start_request(out, b"GET", &[b"/api/v3/time"], self.codec.host());
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
        if matches!(resp.status, 429 | 418) {
            return Err(ctx.rate_limited(error_code(&resp.body).unwrap_or_default(), resp));
        }
        if resp.status != 200 {
            let m = members(&resp.body).unwrap_or_default();
            let code = get(&m, "code").and_then(json::int);
            let msg = self.redact(&get(&m, "msg").map(json::text).unwrap_or_default());
            let code_text = code.map(|c| c.to_string()).unwrap_or_default();
            return match (req, code) {
                (AccountRequest::Cancel { .. }, Some(-2013)) => {
                    Ok(AccountAnswer::Cancel(CancelOutcome::NotFound))
                }
                (AccountRequest::Cancel { .. }, Some(-2011)) if msg == "Unknown order sent." => {
                    Ok(AccountAnswer::Cancel(CancelOutcome::NotFound))
                }
                (_, Some(-1022 | -2014 | -2015)) => Err(ctx.auth(code_text, msg)),
                _ if resp.status == 401 => Err(ctx.auth(code_text, msg)),
                _ => Err(ctx.refused(code_text, msg)),
            };
        }
        let body = &resp.body;
        let r = match req {
            AccountRequest::Cancel { .. } => {
                let m = members(body).map_err(|e| ctx.unreadable(e))?;
                req_string(&m, "symbol").map_err(|e| ctx.unreadable(e))?;
                AccountAnswer::Cancel(CancelOutcome::Cancelled)
            }
            AccountRequest::OpenOrders { .. } => AccountAnswer::OpenOrders {
                orders: parse_open_orders(body).map_err(|e| ctx.unreadable(e))?,
                next: None,
            },
            AccountRequest::Balances => {
                AccountAnswer::Balances(parse_balances(body).map_err(|e| ctx.unreadable(e))?)
            }
            AccountRequest::Rules { .. } => {
                AccountAnswer::Rules(parse_exchange_info(body).map_err(|e| ctx.unreadable(e))?)
            }
            AccountRequest::Time => {
                let m = members(body).map_err(|e| ctx.unreadable(e))?;
                let ms = get(&m, "serverTime")
                    .and_then(json::uint)
                    .ok_or_else(|| ctx.unreadable("serverTime: missing or not an integer"))?;
                AccountAnswer::Time(ServerTime { unix_ms: ms })
            }
        };
        Ok(r)
    }

    fn redact(&self, text: &str) -> String {
        self.codec.redact(text)
    }
}

fn error_code(body: &[u8]) -> Option<String> {
    let m = members(body).ok()?;
    get(&m, "code").and_then(json::int).map(|c| c.to_string())
}

fn side(m: &[Member<'_>]) -> Result<Side, String> {
    match req_string(m, "side")?.as_str() {
        "BUY" => Ok(Side::Buy),
        "SELL" => Ok(Side::Sell),
        other => Err(format!("side: {other:?} is neither BUY nor SELL")),
    }
}

/// `GET /api/v3/openOrders`: an array of orders.
pub fn parse_open_orders(body: &[u8]) -> Result<Vec<OpenOrder>, String> {
    elements(body)?
        .into_iter()
        .map(|o| {
            let m = members(o)?;
            let state = match req_string(&m, "status")?.as_str() {
                "NEW" => OrderState::New,
                "PARTIALLY_FILLED" => OrderState::PartiallyFilled,
                other => OrderState::Other(other.to_string()),
            };
            Ok(OpenOrder {
                symbol: req_string(&m, "symbol")?,
                client_id: req_string(&m, "clientOrderId")?,
                venue_order_id: get(&m, "orderId")
                    .and_then(json::uint)
                    .ok_or("orderId: missing or not an integer")?
                    .to_string(),
                side: side(&m)?,
                price: req_amount(&m, "price")?,
                qty: req_amount(&m, "origQty")?,
                filled: req_amount(&m, "executedQty")?,
                state,
            })
        })
        .collect()
}

/// `GET /api/v3/account`: `balances[{asset, free, locked}]`.
pub fn parse_balances(body: &[u8]) -> Result<Vec<Balance>, String> {
    let m = members(body)?;
    let list = get(&m, "balances").ok_or("balances: missing")?;
    elements(list)?
        .into_iter()
        .map(|b| {
            let m = members(b)?;
            Ok(Balance {
                asset: req_string(&m, "asset")?,
                free: req_amount(&m, "free")?,
                locked: req_amount(&m, "locked")?,
            })
        })
        .collect()
}

/// `exchangeInfo.rateLimits` alone: what Binance publishes as its limits (the limiter's start-up
/// source). `body` is the whole `exchangeInfo` answer.
pub fn parse_rate_limits(body: &[u8]) -> Result<Vec<RateLimit>, String> {
    let m = members(body)?;
    let Some(list) = get(&m, "rateLimits") else {
        return Ok(Vec::new());
    };
    elements(list)?
        .into_iter()
        .map(|l| {
            let m = members(l)?;
            let kind = match req_string(&m, "rateLimitType")?.as_str() {
                "REQUEST_WEIGHT" => RateLimitKind::RequestWeight,
                "ORDERS" => RateLimitKind::Orders,
                "RAW_REQUESTS" => RateLimitKind::RawRequests,
                other => RateLimitKind::Other(other.to_string()),
            };
            let unit_ms: u64 = match req_string(&m, "interval")?.as_str() {
                "SECOND" => 1_000,
                "MINUTE" => 60_000,
                "HOUR" => 3_600_000,
                "DAY" => 86_400_000,
                other => return Err(format!("interval: {other:?} is not SECOND/MINUTE/HOUR/DAY")),
            };
            let num = get(&m, "intervalNum")
                .and_then(json::uint)
                .ok_or("intervalNum: missing or not an integer")?;
            let limit = get(&m, "limit")
                .and_then(json::uint)
                .ok_or("limit: missing or not an integer")?;
            Ok(RateLimit {
                kind,
                interval_ms: unit_ms.checked_mul(num).ok_or("intervalNum: overflow")?,
                limit,
            })
        })
        .collect()
}

/// `GET /api/v3/exchangeInfo`: every symbol's rules and the rate limits.
pub fn parse_exchange_info(body: &[u8]) -> Result<VenueRules, String> {
    let m = members(body)?;
    let symbols = get(&m, "symbols").ok_or("symbols: missing")?;
    let instruments = elements(symbols)?
        .into_iter()
        .map(|s| {
            let sm = members(s)?;
            let symbol = req_string(&sm, "symbol")?;
            let mut tick: Option<Amount> = None;
            let mut step = None;
            let mut min_qty = None;
            let mut min_notional = None;
            let filters =
                get(&sm, "filters").ok_or_else(|| format!("{symbol}: filters: missing"))?;
            for f in elements(filters)? {
                let fm = members(f)?;
                match req_string(&fm, "filterType")?.as_str() {
                    "PRICE_FILTER" => tick = Some(req_amount(&fm, "tickSize")?),
                    "LOT_SIZE" => {
                        step = Some(req_amount(&fm, "stepSize")?);
                        min_qty = Some(req_amount(&fm, "minQty")?);
                    }
                    "NOTIONAL" => min_notional = Some(req_amount(&fm, "minNotional")?),
                    "MIN_NOTIONAL" if min_notional.is_none() => {
                        min_notional = Some(req_amount(&fm, "minNotional")?)
                    }
                    _ => {}
                }
            }
            Ok(TradingRules {
                tick: TickRule::Fixed(tick.ok_or_else(|| format!("{symbol}: no PRICE_FILTER"))?),
                step,
                min_qty,
                min_notional,
                trading: req_string(&sm, "status")? == "TRADING",
                venue_code: None,
                symbol,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(VenueRules {
        instruments,
        rate_limits: parse_rate_limits(body)?,
    })
}

#[cfg(test)]
#[path = "binance_tests.rs"]
mod tests;
