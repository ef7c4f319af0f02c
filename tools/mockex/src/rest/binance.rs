//! Binance spot REST dialect (binance-spot-api-docs `rest-api.md`, `errors.md`, `filters.md`):
//!
//! - `POST /api/v3/order` (parameters in the query string and/or the form body): `symbol`,
//!   `side` BUY/SELL, `type` LIMIT, `timeInForce` IOC/GTC (mandatory for LIMIT), `quantity`,
//!   `price`, optional `newClientOrderId` (`^[\.A-Z\:/a-z0-9_-]{1,36}$`; absent, Binance makes
//!   one), answered with the `RESULT` object; `GET /api/v3/order` by `orderId` or
//!   `origClientOrderId`.
//! - Errors `{"code":-NNNN,"msg":"..."}`: -1102 "Mandatory parameter '%s' was not sent, was
//!   empty/null, or malformed.", -1100 illegal characters, -1117/-1116/-1115 invalid side, type,
//!   timeInForce, -1121 "Invalid symbol.", -2010 duplicate or insufficient balance, -2013 "Order
//!   does not exist.", -2011 "Unknown order sent.", -1013 "Filter failure: ...", -2015 / -1022
//!   / -1021 authentication, -1003 rate limits (429, 418), -1001 internal error (5xx).

use std::fmt::Write;

use super::account::Account;
use super::answer::{Answer, Refusal, Rule};
use super::auth::{verify_binance, AuthError};
use super::binance_info as info;
use super::book::{MockOrder, NewOrder, OrderRef, State, Tif};
use super::dialect::{
    client_id, dec, positive, quote_scale, required, tif, wide, Ctx, Dialect, Op, Venue,
};
use super::params::Params;
use super::state::Request;
use crate::config::ApiCredentials;
use crate::format::Scales;
use crate::market::SimQuote;

/// Binance spot.
pub(crate) struct Binance;

fn error(status: u16, code: i32, msg: &str) -> Answer {
    Answer::new(status, format!(r#"{{"code":{code},"msg":"{msg}"}}"#))
}

fn id_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b':' | b'/' | b'_' | b'-')
}

/// Binance's status word for `o`.
fn status_word(o: &MockOrder) -> &'static str {
    match o.state {
        State::Open if o.executed > 0 => "PARTIALLY_FILLED",
        State::Open => "NEW",
        State::Filled => "FILLED",
        State::Expired => "EXPIRED",
        State::Canceled => "CANCELED",
    }
}

/// The client id Binance reports for `o` (its own when the client sent none).
pub(crate) fn client_order_id(o: &MockOrder) -> String {
    o.client_id
        .clone()
        .unwrap_or_else(|| format!("mockex{}", o.order_id))
}

/// `o` as Binance's order object (`newOrderRespType=RESULT`; with `query`, the
/// `GET /api/v3/order` fields `time`, `updateTime`, `isWorking` too).
pub(crate) fn order_json(o: &MockOrder, s: Scales, query: bool) -> String {
    let mut out = String::with_capacity(420);
    let _ = write!(
        out,
        r#"{{"symbol":"{}","orderId":{},"orderListId":-1,"clientOrderId":"{}","#,
        o.symbol,
        o.order_id,
        client_order_id(o)
    );
    if !query {
        let _ = write!(out, r#""transactTime":{},"#, o.created_ms);
    }
    let _ = write!(
        out,
        r#""price":"{}","origQty":"{}","executedQty":"{}","cummulativeQuoteQty":"{}","status":"{}","timeInForce":"{}","type":"LIMIT","side":"{}""#,
        dec(o.px, s.price),
        dec(o.qty, s.qty),
        dec(o.executed, s.qty),
        wide(o.quote, quote_scale(s)),
        status_word(o),
        if o.tif == Tif::Ioc { "IOC" } else { "GTC" },
        if o.buy { "BUY" } else { "SELL" }
    );
    if query {
        let _ = write!(
            out,
            r#","time":{},"updateTime":{},"isWorking":true,"origQuoteOrderQty":"0""#,
            o.created_ms, o.updated_ms
        );
    }
    out.push('}');
    out
}

impl Dialect for Binance {
    fn route(&self, method: &str, path: &str, _p: &Params) -> Option<Op> {
        match (method, path) {
            ("POST", "/api/v3/order") => Some(Op::Place),
            ("GET", "/api/v3/order") => Some(Op::Status),
            ("DELETE", "/api/v3/order") => Some(Op::Cancel),
            ("GET", "/api/v3/openOrders") => Some(Op::OpenOrders),
            ("GET", "/api/v3/account") => Some(Op::Balances),
            ("GET", "/api/v3/exchangeInfo") => Some(Op::Rules),
            ("GET", "/api/v3/time") => Some(Op::Time),
            ("GET", "/api/v3/ticker/bookTicker") => Some(Op::Book),
            _ => None,
        }
    }

    fn signed(&self, op: Op) -> bool {
        !matches!(op, Op::Rules | Op::Time | Op::Book)
    }

    fn params(&self, req: &Request) -> Option<Params> {
        let mut p = Params::from_form(&req.query);
        p.extend_form(&req.body);
        Some(p)
    }

    fn authenticate(
        &self,
        creds: &ApiCredentials,
        req: &Request,
        now_ms: u64,
    ) -> Result<(), AuthError> {
        let key = req.header("x-mbx-apikey");
        verify_binance(creds, key, &req.query, &req.body, now_ms)
    }

    fn instrument<'p>(&self, p: &'p Params) -> &'p str {
        p.get("symbol").unwrap_or("")
    }

    fn new_order(&self, p: &Params, s: Scales) -> Result<NewOrder, Refusal> {
        let symbol = required(p, "symbol")?.to_owned();
        let buy = match required(p, "side")? {
            "BUY" => true,
            "SELL" => false,
            _ => return Err(Refusal::Invalid("side")),
        };
        if required(p, "type")? != "LIMIT" {
            return Err(Refusal::Invalid("type"));
        }
        let tif = tif(required(p, "timeInForce")?, "IOC", "GTC")
            .ok_or(Refusal::Invalid("timeInForce"))?;
        Ok(NewOrder {
            symbol,
            buy,
            qty: positive(p, "quantity", s.qty)?,
            px: positive(p, "price", s.price)?,
            client_id: client_id(p, "newClientOrderId", 36, id_char)?,
            tif,
        })
    }

    fn order_ref(&self, p: &Params) -> Result<OrderRef, Refusal> {
        required(p, "symbol")?;
        if let Some(id) = p.get("orderId") {
            return id
                .parse()
                .map(OrderRef::Id)
                .map_err(|_| Refusal::Invalid("orderId"));
        }
        match p.get("origClientOrderId") {
            // The ids the mock made for orders sent without one name them too.
            Some(c) => Ok(
                match c.strip_prefix("mockex").and_then(|n| n.parse().ok()) {
                    Some(id) => OrderRef::Id(id),
                    None => OrderRef::Client(c.to_owned()),
                },
            ),
            None => Err(Refusal::Missing("origClientOrderId")),
        }
    }

    fn placed(&self, o: &MockOrder, c: &Ctx<'_>) -> Answer {
        Answer::new(200, order_json(o, c.scales, false))
    }

    fn status(&self, o: &MockOrder, c: &Ctx<'_>) -> Answer {
        Answer::new(200, order_json(o, c.scales, true))
    }

    fn cancelled(&self, _before: &MockOrder, after: &MockOrder, c: &Ctx<'_>) -> Answer {
        info::cancelled(after, c)
    }

    fn open_orders(&self, orders: &[&MockOrder], c: &Ctx<'_>) -> Answer {
        info::open_orders(orders, c)
    }

    fn balances(&self, a: &Account, _p: &Params, c: &Ctx<'_>) -> Answer {
        info::balances(a, c)
    }

    fn rules(&self, v: &Venue<'_>, c: &Ctx<'_>) -> Answer {
        info::rules(v, c)
    }

    fn time(&self, c: &Ctx<'_>) -> Answer {
        info::time(c)
    }

    fn book(&self, q: Option<&SimQuote>, c: &Ctx<'_>) -> Answer {
        info::book(q, c)
    }

    fn refuse(&self, r: &Refusal, _c: &Ctx<'_>) -> Answer {
        match r {
            Refusal::NoRoute => error(404, -1000, "Unknown endpoint."),
            Refusal::Auth(e) => match e {
                AuthError::UnknownKey => error(
                    401,
                    -2015,
                    "Invalid API-key, IP, or permissions for action.",
                ),
                AuthError::StaleTimestamp => error(
                    400,
                    -1021,
                    "Timestamp for this request is outside of the recvWindow.",
                ),
                AuthError::AheadTimestamp => error(
                    400,
                    -1021,
                    "Timestamp for this request was 1000ms ahead of the server's time.",
                ),
                AuthError::Malformed => error(
                    400,
                    -1102,
                    "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
                ),
                _ => error(400, -1022, "Signature for this request is not valid."),
            },
            Refusal::Missing("origClientOrderId") => error(
                400,
                -1102,
                "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
            ),
            Refusal::Missing(p) => error(
                400,
                -1102,
                &format!("Mandatory parameter '{p}' was not sent, was empty/null, or malformed."),
            ),
            Refusal::Invalid("side") => error(400, -1117, "Invalid side."),
            Refusal::Invalid("type") => error(400, -1116, "Invalid orderType."),
            Refusal::Invalid("timeInForce") => error(400, -1115, "Invalid timeInForce."),
            Refusal::Invalid(p) => error(
                400,
                -1100,
                &format!("Illegal characters found in parameter '{p}'."),
            ),
            Refusal::UnknownSymbol => error(400, -1121, "Invalid symbol."),
            Refusal::Duplicate => error(400, -2010, "Duplicate order sent."),
            Refusal::OrderNotFound => error(400, -2013, "Order does not exist."),
            Refusal::NotOpen => error(400, -2011, "Unknown order sent."),
            Refusal::Insufficient { .. } => error(
                400,
                -2010,
                "Account has insufficient balance for requested action.",
            ),
            Refusal::Rule(rule) => {
                let f = match rule {
                    Rule::Tick => "PRICE_FILTER",
                    Rule::Step | Rule::MinQty => "LOT_SIZE",
                    Rule::MinNotional => "NOTIONAL",
                };
                error(400, -1013, &format!("Filter failure: {f}"))
            }
            Refusal::Limited {
                status,
                retry_after_s,
                ..
            } => {
                let msg = if *status == 418 {
                    "Way too much request weight used; IP banned until later. Please use WebSocket Streams for live updates to avoid bans."
                } else {
                    "Too many requests; current limit is exceeded."
                };
                let mut a = error(*status, -1003, msg);
                a.headers = format!("Retry-After: {retry_after_s}\r\n");
                a
            }
            Refusal::ServerError => error(
                503,
                -1001,
                "Internal error; unable to process your request. Please try again.",
            ),
        }
    }
}
