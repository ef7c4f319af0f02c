//! Bybit v5 spot account calls (`bybit-exchange/docs`, docs/v5, checked 2026-07). Private calls
//! carry the order codec's `X-BAPI-*` headers (HMAC over timestamp + key + recvWindow + the JSON
//! body of a POST or the query string of a GET):
//!
//! | call | request |
//! |---|---|
//! | cancel | `POST /v5/order/cancel` `{"category":"spot","symbol":..,"orderLinkId":..}` (accepted; asynchronous) |
//! | open orders | `GET /v5/order/realtime?category=spot&openOnly=0&limit=50[&symbol=][&cursor=]` (paged by `nextPageCursor`) |
//! | balances | `GET /v5/account/wallet-balance?accountType=UNIFIED` (`coin[]`: `walletBalance`, `locked`) |
//! | rules | `GET /v5/market/instruments-info?category=spot[&symbol=]` (public; spot is not paged) |
//! | time | `GET /v5/market/time` (public; `timeNano`) |
//!
//! Answers are `{"retCode":0,"retMsg":"OK","result":{..}}`, errors mostly with HTTP 200 and a
//! non-zero `retCode`: 10003/10004/10005/10007/10010, 33004 and -2015 are authentication
//! refusals, 10006 and HTTP 429/403 rate limits, 110001/170213 ("Order does not exist") on a
//! cancel [`CancelOutcome::NotFound`] (also said of a filled order: query it). Spot rules:
//! `priceFilter.tickSize`, `lotSizeFilter.basePrecision` (the quantity step), `minOrderQty`,
//! `minOrderAmt` (the minimum notional). `free` is `walletBalance - locked`.

use crate::exec::account::error::AccountError;
use crate::exec::account::http::HttpResponse;
use crate::exec::account::json::{
    self, elements, get, members, opt_amount, req_amount, req_string,
};
use crate::exec::account::request::{AccountAnswer, AccountRequest};
use crate::exec::account::types::{
    Balance, CancelOutcome, OpenOrder, OrderState, ServerTime, TickRule, TradingRules, VenueRules,
};
use crate::exec::account::venue::{AccountVenue, Ctx};
use crate::exec::gateway::codec::bybit::start_cancel_json;
use crate::exec::gateway::codec::encode::{push_body, start_request};
use crate::exec::gateway::codec::BybitCodec;
use crate::model::Side;

use super::check_text;

/// Bybit's account API over its order codec's credentials.
#[derive(Debug)]
pub struct BybitAccount {
    name: String,
    codec: BybitCodec,
    /// What credential is missing (`None`: the codec holds real ones).
    missing: Option<&'static str>,
}

impl BybitAccount {
    /// For venue `name`, signing with `codec` (see `BinanceAccount::new` for `missing`).
    pub fn new(name: &str, codec: BybitCodec, missing: Option<&'static str>) -> Self {
        BybitAccount {
            name: name.to_string(),
            codec,
            missing,
        }
    }

    fn signed_get(&self, path: &[u8], q: &str, unix_ms: u64, out: &mut Vec<u8>) {
        start_request(out, b"GET", &[path, b"?", q.as_bytes()], self.codec.host());
        self.codec.push_signed_headers(unix_ms, q.as_bytes(), out);
        out.extend_from_slice(b"\r\n");
    }

    fn public_get(&self, target: &[u8], out: &mut Vec<u8>) {
        start_request(out, b"GET", &[target], self.codec.host());
        out.extend_from_slice(b"\r\n");
    }
}

/// A Bybit page cursor goes back as the venue wrote it: already url-encoded (`%3D`), so only
/// unreserved bytes and `%` are allowed.
fn check_cursor(ctx: &Ctx<'_>, cursor: &str) -> Result<(), AccountError> {
    match cursor
        .bytes()
        .find(|&b| !(crate::exec::gateway::codec::encode::is_unreserved(b) || b == b'%'))
    {
        Some(b) => Err(ctx.bad_request(format!("cursor holds byte {b:#04x}"))),
        None => Ok(()),
    }
}

impl AccountVenue for BybitAccount {
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
        let public = matches!(req, AccountRequest::Rules { .. } | AccountRequest::Time);
        if let (false, Some(missing)) = (public, self.missing) {
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
                let mut body = Vec::with_capacity(96);
                start_cancel_json(symbol.as_bytes(), &mut body);
                body.extend_from_slice(client_id.as_bytes());
                body.extend_from_slice(b"\"}");
                start_request(out, b"POST", &[b"/v5/order/cancel"], self.codec.host());
                self.codec.push_signed_headers(unix_ms, &body, out);
                out.extend_from_slice(b"Content-Type: application/json\r\nContent-Length: ");
                push_body(out, &body);
            }
            AccountRequest::OpenOrders { symbol, cursor } => {
                let mut q = String::from("category=spot&openOnly=0&limit=50");
                if let Some(s) = symbol {
                    check_text(&ctx, "symbol", s)?;
                    q.push_str("&symbol=");
                    q.push_str(s);
                }
                if let Some(c) = cursor {
                    check_cursor(&ctx, c)?;
                    q.push_str("&cursor=");
                    q.push_str(c);
                }
                self.signed_get(b"/v5/order/realtime", &q, unix_ms, out);
            }
            AccountRequest::Balances => self.signed_get(
                b"/v5/account/wallet-balance",
                "accountType=UNIFIED",
                unix_ms,
                out,
            ),
            AccountRequest::Rules { symbols } => match symbols.as_slice() {
                [one] => {
                    check_text(&ctx, "symbol", one)?;
                    let t = format!("/v5/market/instruments-info?category=spot&symbol={one}");
                    self.public_get(t.as_bytes(), out);
                }
                _ => self.public_get(b"/v5/market/instruments-info?category=spot", out),
            },
            AccountRequest::Time => self.public_get(b"/v5/market/time", out),
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
        let m = members(&resp.body).unwrap_or_default();
        let code = get(&m, "retCode").and_then(json::int);
        let msg = self.redact(&get(&m, "retMsg").map(json::text).unwrap_or_default());
        let code_text = code.map(|c| c.to_string()).unwrap_or_default();
        match resp.status {
            429 | 403 => return Err(ctx.rate_limited(code_text, resp)),
            401 => return Err(ctx.auth(code_text, msg)),
            200 => {}
            _ => return Err(ctx.refused(code_text, msg)),
        }
        match code {
            Some(0) => {}
            Some(110001 | 170213) if matches!(req, AccountRequest::Cancel { .. }) => {
                return Ok(AccountAnswer::Cancel(CancelOutcome::NotFound))
            }
            Some(10003 | 10004 | 10005 | 10007 | 10010 | 33004 | -2015) => {
                return Err(ctx.auth(code_text, msg))
            }
            Some(10006) => return Err(ctx.rate_limited(code_text, resp)),
            Some(_) => return Err(ctx.refused(code_text, msg)),
            None => return Err(ctx.unreadable("retCode: missing or not an integer")),
        }
        let result = get(&m, "result").ok_or_else(|| ctx.unreadable("result: missing"))?;
        let r = match req {
            AccountRequest::Cancel { .. } => AccountAnswer::Cancel(CancelOutcome::Cancelled),
            AccountRequest::OpenOrders { .. } => {
                let (orders, next) = parse_open_orders(result).map_err(|e| ctx.unreadable(e))?;
                AccountAnswer::OpenOrders { orders, next }
            }
            AccountRequest::Balances => {
                AccountAnswer::Balances(parse_wallet(result).map_err(|e| ctx.unreadable(e))?)
            }
            AccountRequest::Rules { symbols } => {
                let mut rules = parse_instruments(result).map_err(|e| ctx.unreadable(e))?;
                if !symbols.is_empty() {
                    rules.retain(|r| symbols.contains(&r.symbol));
                }
                AccountAnswer::Rules(VenueRules {
                    instruments: rules,
                    rate_limits: Vec::new(),
                })
            }
            AccountRequest::Time => {
                let rm = members(result).map_err(|e| ctx.unreadable(e))?;
                let ms = get(&rm, "timeNano")
                    .and_then(json::uint)
                    .map(|ns| ns / 1_000_000)
                    .or_else(|| {
                        get(&rm, "timeSecond")
                            .and_then(json::uint)
                            .map(|s| s * 1000)
                    })
                    .ok_or_else(|| ctx.unreadable("timeNano/timeSecond: missing"))?;
                AccountAnswer::Time(ServerTime { unix_ms: ms })
            }
        };
        Ok(r)
    }

    fn redact(&self, text: &str) -> String {
        self.codec.redact(text)
    }
}

/// `result` of `GET /v5/order/realtime`: the page's orders and the next cursor.
pub fn parse_open_orders(result: &[u8]) -> Result<(Vec<OpenOrder>, Option<String>), String> {
    let m = members(result)?;
    let list = get(&m, "list").ok_or("list: missing")?;
    let orders = elements(list)?
        .into_iter()
        .map(|o| {
            let m = members(o)?;
            let side = match req_string(&m, "side")?.as_str() {
                "Buy" => Side::Buy,
                "Sell" => Side::Sell,
                other => return Err(format!("side: {other:?} is neither Buy nor Sell")),
            };
            let state = match req_string(&m, "orderStatus")?.as_str() {
                "New" => OrderState::New,
                "PartiallyFilled" => OrderState::PartiallyFilled,
                other => OrderState::Other(other.to_string()),
            };
            Ok(OpenOrder {
                symbol: req_string(&m, "symbol")?,
                client_id: req_string(&m, "orderLinkId")?,
                venue_order_id: req_string(&m, "orderId")?,
                side,
                price: req_amount(&m, "price")?,
                qty: req_amount(&m, "qty")?,
                filled: req_amount(&m, "cumExecQty")?,
                state,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let next = get(&m, "nextPageCursor")
        .and_then(json::string)
        .filter(|c| !c.is_empty());
    // A cursor with an empty page would loop: no orders means no next page.
    let next = if orders.is_empty() { None } else { next };
    Ok((orders, next))
}

/// `result` of `GET /v5/account/wallet-balance`: every coin of every listed account.
pub fn parse_wallet(result: &[u8]) -> Result<Vec<Balance>, String> {
    let m = members(result)?;
    let mut out = Vec::new();
    for account in elements(get(&m, "list").ok_or("list: missing")?)? {
        let am = members(account)?;
        for c in elements(get(&am, "coin").ok_or("coin: missing")?)? {
            let cm = members(c)?;
            let asset = req_string(&cm, "coin")?;
            let wallet = req_amount(&cm, "walletBalance")?;
            let locked = opt_amount(&cm, "locked")?.unwrap_or_default();
            let free = wallet
                .checked_sub(&locked)
                .ok_or_else(|| format!("{asset}: walletBalance - locked overflows"))?;
            out.push(Balance {
                asset,
                free,
                locked,
            });
        }
    }
    Ok(out)
}

/// `result` of `GET /v5/market/instruments-info?category=spot`.
pub fn parse_instruments(result: &[u8]) -> Result<Vec<TradingRules>, String> {
    let m = members(result)?;
    elements(get(&m, "list").ok_or("list: missing")?)?
        .into_iter()
        .map(|i| {
            let im = members(i)?;
            let symbol = req_string(&im, "symbol")?;
            let lot = members(get(&im, "lotSizeFilter").ok_or("lotSizeFilter: missing")?)?;
            let price = members(get(&im, "priceFilter").ok_or("priceFilter: missing")?)?;
            Ok(TradingRules {
                tick: TickRule::Fixed(req_amount(&price, "tickSize")?),
                step: opt_amount(&lot, "basePrecision")?,
                min_qty: opt_amount(&lot, "minOrderQty")?,
                min_notional: opt_amount(&lot, "minOrderAmt")?,
                trading: req_string(&im, "status")? == "Trading",
                venue_code: None,
                symbol,
            })
        })
        .collect()
}

#[cfg(test)]
#[path = "bybit_tests.rs"]
mod tests;
