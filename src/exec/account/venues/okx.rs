//! OKX v5 spot account calls. OKX's own documentation (www.okx.com/docs-v5) was not reachable
//! when this was written; endpoints, parameters, error codes and answer shapes follow ccxt 4.5.90
//! (`okx.py`: its request building, its `exceptions` table and the OKX example answers it quotes),
//! an independent implementation. Private calls carry the order codec's `OK-ACCESS-*` headers
//! (Base64 HMAC over timestamp + method + path with query + body):
//!
//! | call | request |
//! |---|---|
//! | cancel | `POST /api/v5/trade/cancel-order` `{"instId":..,"clOrdId":..}` (per-order `sCode`) |
//! | open orders | `GET /api/v5/trade/orders-pending?instType=SPOT[&instId=][&after=]` (100 a page, paged by the last `ordId`) |
//! | balances | `GET /api/v5/account/balance` (`details[]`: `availBal`, `frozenBal`, `cashBal`) |
//! | rules | `GET /api/v5/public/instruments?instType=SPOT[&instId=]` (public: `tickSz`, `lotSz`, `minSz`) |
//! | time | `GET /api/v5/public/time` (public: `data[0].ts`) |
//!
//! Answers are `{"code":"0","msg":"","data":[..]}`. 501xx codes (and HTTP 401) are
//! authentication refusals (50102 timestamp, 50111 key, 50113 signature), 50011/50061 and HTTP
//! 429 rate limits. A cancel's `sCode` 51400/51603 is [`CancelOutcome::NotFound`], 51401
//! (already cancelled) and 51402 (already completed) [`CancelOutcome::AlreadyFinal`], 51410
//! (already being cancelled) [`CancelOutcome::Cancelled`]. OKX publishes no minimum notional
//! for spot instruments.

use crate::exec::account::error::AccountError;
use crate::exec::account::http::HttpResponse;
use crate::exec::account::json::{
    self, elements, get, members, opt_amount, req_amount, req_string, uint,
};
use crate::exec::account::request::{AccountAnswer, AccountRequest};
use crate::exec::account::types::{
    Balance, CancelOutcome, OpenOrder, OrderState, ServerTime, TickRule, TradingRules, VenueRules,
};
use crate::exec::account::venue::{AccountVenue, Ctx};
use crate::exec::gateway::codec::encode::{push_body, start_request};
use crate::exec::gateway::codec::OkxCodec;
use crate::model::Side;

use super::check_text;

/// OKX's page size for pending orders (its maximum and default).
pub const PAGE: usize = 100;

/// OKX's account API over its order codec's credentials.
#[derive(Debug)]
pub struct OkxAccount {
    name: String,
    codec: OkxCodec,
    /// What credential is missing (`None`: the codec holds real ones).
    missing: Option<&'static str>,
}

impl OkxAccount {
    /// For venue `name`, signing with `codec` (see `BinanceAccount::new` for `missing`).
    pub fn new(name: &str, codec: OkxCodec, missing: Option<&'static str>) -> Self {
        OkxAccount {
            name: name.to_string(),
            codec,
            missing,
        }
    }

    fn signed_get(&self, path: &str, unix_ms: u64, out: &mut Vec<u8>) {
        start_request(out, b"GET", &[path.as_bytes()], self.codec.host());
        self.codec
            .push_signed_headers(unix_ms, b"GET", path.as_bytes(), b"", out);
        out.extend_from_slice(b"\r\n");
    }

    fn public_get(&self, path: &str, out: &mut Vec<u8>) {
        start_request(out, b"GET", &[path.as_bytes()], self.codec.host());
        out.extend_from_slice(b"\r\n");
    }
}

impl AccountVenue for OkxAccount {
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
                let path: &[u8] = b"/api/v5/trade/cancel-order";
                let body = format!(r#"{{"instId":"{symbol}","clOrdId":"{client_id}"}}"#);
                start_request(out, b"POST", &[path], self.codec.host());
                self.codec
                    .push_signed_headers(unix_ms, b"POST", path, body.as_bytes(), out);
                out.extend_from_slice(b"Content-Type: application/json\r\nContent-Length: ");
                push_body(out, body.as_bytes());
            }
            AccountRequest::OpenOrders { symbol, cursor } => {
                let mut path = String::from("/api/v5/trade/orders-pending?instType=SPOT");
                if let Some(s) = symbol {
                    check_text(&ctx, "symbol", s)?;
                    path.push_str("&instId=");
                    path.push_str(s);
                }
                if let Some(c) = cursor {
                    check_text(&ctx, "cursor", c)?;
                    path.push_str("&after=");
                    path.push_str(c);
                }
                self.signed_get(&path, unix_ms, out);
            }
            AccountRequest::Balances => self.signed_get("/api/v5/account/balance", unix_ms, out),
            AccountRequest::Rules { symbols } => match symbols.as_slice() {
                [one] => {
                    check_text(&ctx, "symbol", one)?;
                    let p = format!("/api/v5/public/instruments?instType=SPOT&instId={one}");
                    self.public_get(&p, out);
                }
                _ => self.public_get("/api/v5/public/instruments?instType=SPOT", out),
            },
            AccountRequest::Time => self.public_get("/api/v5/public/time", out),
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
        let code = get(&m, "code").and_then(json::int);
        let msg = self.redact(&get(&m, "msg").map(json::text).unwrap_or_default());
        let code_text = code.map(|c| c.to_string()).unwrap_or_default();
        let data = get(&m, "data");
        // A single cancel reports per order: `sCode` decides, whatever the top-level code.
        if let (AccountRequest::Cancel { .. }, Some(d)) = (req, data) {
            if let Some(first) = elements(d).ok().and_then(|e| e.first().copied()) {
                let om = members(first).map_err(|e| ctx.unreadable(e))?;
                let s_code = get(&om, "sCode").and_then(json::int);
                let s_msg = self.redact(&get(&om, "sMsg").map(json::text).unwrap_or_default());
                return match s_code {
                    Some(0 | 51410) => Ok(AccountAnswer::Cancel(CancelOutcome::Cancelled)),
                    Some(51400 | 51603) => Ok(AccountAnswer::Cancel(CancelOutcome::NotFound)),
                    Some(51401 | 51402) => Ok(AccountAnswer::Cancel(CancelOutcome::AlreadyFinal)),
                    Some(c) => Err(ctx.refused(c.to_string(), s_msg)),
                    None => Err(ctx.unreadable("data[0].sCode: missing")),
                };
            }
        }
        match (resp.status, code) {
            (429, _) | (_, Some(50011 | 50061)) => return Err(ctx.rate_limited(code_text, resp)),
            (401, _) | (_, Some(50100..=50119)) => return Err(ctx.auth(code_text, msg)),
            (200, Some(0)) => {}
            (200, None) => return Err(ctx.unreadable("code: missing or not an integer")),
            _ => return Err(ctx.refused(code_text, msg)),
        }
        let data = data.ok_or_else(|| ctx.unreadable("data: missing"))?;
        let r = match req {
            AccountRequest::Cancel { .. } => {
                return Err(ctx.unreadable("data: no order in the cancel answer"))
            }
            AccountRequest::OpenOrders { .. } => {
                let orders = parse_open_orders(data).map_err(|e| ctx.unreadable(e))?;
                let next = (orders.len() >= PAGE)
                    .then(|| orders.last().map(|o| o.venue_order_id.clone()))
                    .flatten();
                AccountAnswer::OpenOrders { orders, next }
            }
            AccountRequest::Balances => {
                AccountAnswer::Balances(parse_balance(data).map_err(|e| ctx.unreadable(e))?)
            }
            AccountRequest::Rules { symbols } => {
                let mut rules = parse_instruments(data).map_err(|e| ctx.unreadable(e))?;
                if !symbols.is_empty() {
                    rules.retain(|r| symbols.contains(&r.symbol));
                }
                AccountAnswer::Rules(VenueRules {
                    instruments: rules,
                    rate_limits: Vec::new(),
                })
            }
            AccountRequest::Time => {
                let first = elements(data)
                    .map_err(|e| ctx.unreadable(e))?
                    .first()
                    .copied()
                    .ok_or_else(|| ctx.unreadable("data: empty"))?;
                let fm = members(first).map_err(|e| ctx.unreadable(e))?;
                let ms = get(&fm, "ts")
                    .and_then(json::uint)
                    .ok_or_else(|| ctx.unreadable("data[0].ts: missing or not an integer"))?;
                AccountAnswer::Time(ServerTime { unix_ms: ms })
            }
        };
        Ok(r)
    }

    fn redact(&self, text: &str) -> String {
        self.codec.redact(text)
    }
}

/// `data` of `GET /api/v5/trade/orders-pending`.
pub fn parse_open_orders(data: &[u8]) -> Result<Vec<OpenOrder>, String> {
    elements(data)?
        .into_iter()
        .map(|o| {
            let m = members(o)?;
            let side = match req_string(&m, "side")?.as_str() {
                "buy" => Side::Buy,
                "sell" => Side::Sell,
                other => return Err(format!("side: {other:?} is neither buy nor sell")),
            };
            let state = match req_string(&m, "state")?.as_str() {
                "live" => OrderState::New,
                "partially_filled" => OrderState::PartiallyFilled,
                other => OrderState::Other(other.to_string()),
            };
            Ok(OpenOrder {
                symbol: req_string(&m, "instId")?,
                client_id: req_string(&m, "clOrdId")?,
                venue_order_id: req_string(&m, "ordId")?,
                side,
                price: req_amount(&m, "px")?,
                qty: req_amount(&m, "sz")?,
                filled: req_amount(&m, "accFillSz")?,
                state,
            })
        })
        .collect()
}

/// `data` of `GET /api/v5/account/balance`: every currency of `details`. `free` is `availBal`
/// (or, where a margin mode leaves it empty, `cashBal - frozenBal`), `locked` is `frozenBal`.
pub fn parse_balance(data: &[u8]) -> Result<Vec<Balance>, String> {
    let mut out = Vec::new();
    for account in elements(data)? {
        let am = members(account)?;
        for d in elements(get(&am, "details").ok_or("details: missing")?)? {
            let dm = members(d)?;
            let asset = req_string(&dm, "ccy")?;
            let locked = opt_amount(&dm, "frozenBal")?.unwrap_or_default();
            let free = match opt_amount(&dm, "availBal")? {
                Some(a) => a,
                None => req_amount(&dm, "cashBal")?
                    .checked_sub(&locked)
                    .ok_or_else(|| format!("{asset}: cashBal - frozenBal overflows"))?,
            };
            out.push(Balance {
                asset,
                free,
                locked,
            });
        }
    }
    Ok(out)
}

/// `instIdCode` (a number, or digits in a string): absent, empty or `null` is `None`, anything
/// else an error, so a code the WebSocket ops would need is never silently dropped.
fn opt_code(m: &[crate::base::scan::Member<'_>]) -> Result<Option<u64>, String> {
    match get(m, "instIdCode") {
        None | Some(b"null") | Some(b"\"\"") => Ok(None),
        Some(v) => uint(v).map(Some).ok_or_else(|| {
            format!(
                "instIdCode: {} is not an unsigned integer",
                String::from_utf8_lossy(v)
            )
        }),
    }
}

/// `data` of `GET /api/v5/public/instruments?instType=SPOT`.
pub fn parse_instruments(data: &[u8]) -> Result<Vec<TradingRules>, String> {
    elements(data)?
        .into_iter()
        .map(|i| {
            let m = members(i)?;
            Ok(TradingRules {
                symbol: req_string(&m, "instId")?,
                tick: TickRule::Fixed(req_amount(&m, "tickSz")?),
                step: opt_amount(&m, "lotSz")?,
                min_qty: opt_amount(&m, "minSz")?,
                min_notional: None,
                trading: req_string(&m, "state")? == "live",
                venue_code: opt_code(&m)?,
            })
        })
        .collect()
}

#[cfg(test)]
#[path = "okx_tests.rs"]
mod tests;
