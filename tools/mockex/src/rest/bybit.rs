//! Bybit v5 spot REST dialect (bybit-exchange/docs `docs/v5/order/create-order.mdx`,
//! `order/open-order.mdx`, `error.mdx`, `guide.mdx`, `rate-limit/rate-limit.mdx`):
//!
//! - `POST /v5/order/create`, JSON body: `category` spot, `symbol`, `side` Buy/Sell, `orderType`
//!   Limit, `qty`, `price`, optional `timeInForce` (GTC when absent; IOC) and optional
//!   `orderLinkId` (up to 36 of letters, digits, `-`, `_`); answered
//!   `{"retCode":0,"retMsg":"OK","result":{"orderId","orderLinkId"},"retExtInfo":{},"time"}`.
//! - `GET /v5/order/realtime?category=spot&orderId=` or `&orderLinkId=` (orderId first): the
//!   order in `result.list` (an empty list when there is none, as Bybit answers); without an id
//!   the open orders.
//! - Errors as `retCode`/`retMsg` with HTTP 200 (pybit raises on `retCode` only after a 200):
//!   10003 key, 10004 sign, 10002 time window, 10006 "Too many visits!" (with the `X-Bapi-*`
//!   headers), spot 170105 "Parameter '%s' was empty.", 170130 "Data sent for paramter '%s' is
//!   not valid." (sic), 170115/170116/170117 invalid timeInForce/orderType/side, 170121 invalid
//!   symbol, 170141 duplicate clientOrderId, 170131 balance insufficient, 170213 order does not
//!   exist, 170134/170137/170136/170140 price decimals, volume decimals, min quantity, min value.
//!   HTTP 404 for an unknown path, 403 for the IP ban, and a 5xx (503 with 10016 "Server error.")
//!   for the server-error fault.

use std::fmt::Write;

use super::account::Account;
use super::answer::{Answer, Refusal, Rule};
use super::auth::{verify_bybit, AuthError, BybitAuth};
use super::book::{MockOrder, NewOrder, OrderRef, State, Tif};
use super::bybit_info as info;
use super::dialect::{
    avg_px, client_id, dec, esc, positive, quote_scale, required, tif, wide, Ctx, Dialect, Op,
    Venue,
};
use super::params::Params;
use super::state::Request;
use crate::config::ApiCredentials;
use crate::format::Scales;
use crate::market::SimQuote;

/// Bybit v5, spot category.
pub(crate) struct Bybit;

/// A Bybit answer `{"retCode","retMsg","result","retExtInfo","time"}`.
pub(crate) fn envelope(status: u16, code: i32, msg: &str, result: &str, now_ms: u64) -> Answer {
    Answer::new(
        status,
        format!(
            r#"{{"retCode":{code},"retMsg":"{}","result":{result},"retExtInfo":{{}},"time":{now_ms}}}"#,
            esc(msg)
        ),
    )
}

fn id_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Bybit's `orderStatus` of `o`.
pub(crate) fn status_word(o: &MockOrder) -> &'static str {
    match o.state {
        State::Open if o.executed > 0 => "PartiallyFilled",
        State::Open => "New",
        State::Filled => "Filled",
        State::Expired | State::Canceled if o.executed > 0 => "PartiallyFilledCanceled",
        State::Expired | State::Canceled => "Cancelled",
    }
}

/// `o` as an element of Bybit's `result.list`.
pub(crate) fn order_json(o: &MockOrder, s: Scales) -> String {
    let leaves = if o.state == State::Open {
        o.qty - o.executed
    } else {
        0
    };
    let mut out = String::with_capacity(900);
    let _ = write!(
        out,
        r#"{{"orderId":"{}","orderLinkId":"{}","blockTradeId":"","symbol":"{}","price":"{}","qty":"{}","side":"{}","isLeverage":"0","positionIdx":0,"orderStatus":"{}","cancelType":"{}","rejectReason":"EC_NoError","avgPrice":"{}","leavesQty":"{}","leavesValue":"{}","cumExecQty":"{}","cumExecValue":"{}","cumExecFee":"{}","cumFeeDetail":{},"timeInForce":"{}","orderType":"Limit","stopOrderType":"","orderIv":"","triggerPrice":"0","takeProfit":"0","stopLoss":"0","tpTriggerBy":"","slTriggerBy":"","triggerDirection":0,"triggerBy":"","lastPriceOnCreated":"","reduceOnly":false,"closeOnTrigger":false,"smpType":"None","smpGroup":0,"smpOrderId":"","createdTime":"{}","updatedTime":"{}"}}"#,
        o.order_id,
        o.client_id.as_deref().unwrap_or(""),
        o.symbol,
        dec(o.px, s.price),
        dec(o.qty, s.qty),
        if o.buy { "Buy" } else { "Sell" },
        status_word(o),
        match o.state {
            State::Canceled => "CancelByUser",
            _ => "UNKNOWN",
        },
        avg_px(o).map(|p| dec(p, s.price)).unwrap_or_default(),
        dec(leaves, s.qty),
        wide(i128::from(leaves) * i128::from(o.px), quote_scale(s)),
        dec(o.executed, s.qty),
        wide(o.quote, quote_scale(s)),
        wide(o.fee, quote_scale(s)),
        if o.fee_asset.is_empty() {
            "{}".to_owned()
        } else {
            format!(r#"{{"{}":"{}"}}"#, o.fee_asset, wide(o.fee, quote_scale(s)))
        },
        if o.tif == Tif::Ioc { "IOC" } else { "GTC" },
        o.created_ms,
        o.updated_ms
    );
    out
}

/// `result` of a list answer with these orders.
pub(crate) fn list_result(orders: &[&MockOrder], s: Scales) -> String {
    let items: Vec<String> = orders.iter().map(|o| order_json(o, s)).collect();
    format!(
        r#"{{"category":"spot","nextPageCursor":"","list":[{}]}}"#,
        items.join(",")
    )
}

impl Dialect for Bybit {
    fn route(&self, method: &str, path: &str, p: &Params) -> Option<Op> {
        match (method, path) {
            ("POST", "/v5/order/create") => Some(Op::Place),
            ("POST", "/v5/order/cancel") => Some(Op::Cancel),
            ("GET", "/v5/account/wallet-balance") => Some(Op::Balances),
            ("GET", "/v5/market/instruments-info") => Some(Op::Rules),
            ("GET", "/v5/market/time") => Some(Op::Time),
            ("GET", "/v5/market/orderbook") => Some(Op::Book),
            ("GET", "/v5/order/realtime") => {
                if p.get("orderId").is_some() || p.get("orderLinkId").is_some() {
                    Some(Op::Status)
                } else {
                    Some(Op::OpenOrders)
                }
            }
            _ => None,
        }
    }

    fn signed(&self, op: Op) -> bool {
        !matches!(op, Op::Rules | Op::Time | Op::Book)
    }

    fn params(&self, req: &Request) -> Option<Params> {
        if req.method == "POST" {
            Params::from_json(&req.body)
        } else {
            Some(Params::from_form(&req.query))
        }
    }

    fn authenticate(
        &self,
        creds: &ApiCredentials,
        req: &Request,
        now_ms: u64,
    ) -> Result<(), AuthError> {
        let h = BybitAuth {
            api_key: req.header("x-bapi-api-key"),
            timestamp: req.header("x-bapi-timestamp"),
            recv_window: req.header("x-bapi-recv-window"),
            sign: req.header("x-bapi-sign"),
        };
        let payload = if req.method == "POST" {
            &req.body
        } else {
            &req.query
        };
        verify_bybit(creds, h, payload, now_ms)
    }

    fn instrument<'p>(&self, p: &'p Params) -> &'p str {
        p.get("symbol").unwrap_or("")
    }

    fn check(&self, op: Op, p: &Params) -> Result<(), Refusal> {
        let spot = |p: &Params| match required(p, "category")? {
            "spot" => Ok(()),
            _ => Err(Refusal::Invalid("category")),
        };
        match op {
            Op::OpenOrders | Op::Rules => spot(p),
            Op::Book => spot(p).and_then(|()| required(p, "symbol").map(drop)),
            Op::Balances => match required(p, "accountType")? {
                "UNIFIED" => Ok(()),
                _ => Err(Refusal::Invalid("accountType")),
            },
            _ => Ok(()),
        }
    }

    fn new_order(&self, p: &Params, s: Scales) -> Result<NewOrder, Refusal> {
        if required(p, "category")? != "spot" {
            return Err(Refusal::Invalid("category"));
        }
        let symbol = required(p, "symbol")?.to_owned();
        let buy = match required(p, "side")? {
            "Buy" => true,
            "Sell" => false,
            _ => return Err(Refusal::Invalid("side")),
        };
        if required(p, "orderType")? != "Limit" {
            return Err(Refusal::Invalid("orderType"));
        }
        let tif = match p.get("timeInForce") {
            None => Tif::Gtc,
            Some(v) => tif(v, "IOC", "GTC").ok_or(Refusal::Invalid("timeInForce"))?,
        };
        Ok(NewOrder {
            symbol,
            buy,
            qty: positive(p, "qty", s.qty)?,
            px: positive(p, "price", s.price)?,
            client_id: client_id(p, "orderLinkId", 36, id_char)?,
            tif,
        })
    }

    fn order_ref(&self, p: &Params) -> Result<OrderRef, Refusal> {
        if required(p, "category")? != "spot" {
            return Err(Refusal::Invalid("category"));
        }
        if let Some(id) = p.get("orderId") {
            // An id the mock never gave names no order (an empty list), as at the venue.
            return Ok(OrderRef::Id(id.parse().unwrap_or(0)));
        }
        match p.get("orderLinkId") {
            Some(c) => Ok(OrderRef::Client(c.to_owned())),
            None => Err(Refusal::Missing("orderId")),
        }
    }

    fn placed(&self, o: &MockOrder, c: &Ctx<'_>) -> Answer {
        let result = format!(
            r#"{{"orderId":"{}","orderLinkId":"{}"}}"#,
            o.order_id,
            o.client_id.as_deref().unwrap_or("")
        );
        envelope(200, 0, "OK", &result, c.now_ms)
    }

    fn status(&self, o: &MockOrder, c: &Ctx<'_>) -> Answer {
        envelope(200, 0, "OK", &list_result(&[o], c.scales), c.now_ms)
    }

    fn cancelled(&self, _before: &MockOrder, after: &MockOrder, c: &Ctx<'_>) -> Answer {
        info::cancelled(after, c)
    }

    fn open_orders(&self, orders: &[&MockOrder], c: &Ctx<'_>) -> Answer {
        envelope(200, 0, "OK", &list_result(orders, c.scales), c.now_ms)
    }

    fn balances(&self, a: &Account, p: &Params, c: &Ctx<'_>) -> Answer {
        info::balances(a, p, c)
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

    fn refuse(&self, r: &Refusal, c: &Ctx<'_>) -> Answer {
        let t = c.now_ms;
        let e = |code: i32, msg: &str| envelope(200, code, msg, "{}", t);
        match r {
            Refusal::NoRoute => envelope(404, 10017, "Route not found.", "{}", t),
            Refusal::Auth(a) => match a {
                AuthError::UnknownKey => e(10003, "API key is invalid."),
                AuthError::StaleTimestamp => e(
                    10002,
                    "invalid request, please check your server timestamp or recv_window param",
                ),
                _ => e(
                    10004,
                    "Error sign, please check your signature generation algorithm.",
                ),
            },
            Refusal::Missing(p) => e(170105, &format!("Parameter '{p}' was empty.")),
            Refusal::Invalid("side") => e(170117, "Invalid side."),
            Refusal::Invalid("orderType") => e(170116, "Invalid orderType."),
            Refusal::Invalid("timeInForce") => e(170115, "Invalid timeInForce."),
            Refusal::Invalid("category") => e(10001, "Illegal category"),
            Refusal::Invalid(p) => e(
                170130,
                &format!("Data sent for paramter '{p}' is not valid."),
            ),
            Refusal::UnknownSymbol => e(170121, "Invalid symbol."),
            Refusal::Duplicate => e(170141, "Duplicate clientOrderId"),
            Refusal::OrderNotFound => envelope(200, 0, "OK", &list_result(&[], c.scales), t),
            Refusal::NotOpen => e(170213, "Order does not exist."),
            Refusal::Insufficient { .. } => e(170131, "Balance insufficient"),
            Refusal::Rule(rule) => match rule {
                Rule::Tick => e(170134, "Order price decimal too long."),
                Rule::Step => e(170137, "Order volume decimal too long"),
                Rule::MinQty => e(170136, "Order quantity lower than the minimum."),
                Rule::MinNotional => e(170140, "Order value exceeded lower limit"),
            },
            Refusal::Limited { status: 403, .. } => {
                envelope(403, 10018, "access too frequent", "{}", t)
            }
            Refusal::Limited { .. } => e(10006, "Too many visits!"),
            Refusal::ServerError => envelope(503, 10016, "Server error.", "{}", t),
        }
    }
}
