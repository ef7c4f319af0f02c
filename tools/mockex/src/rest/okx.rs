//! OKX v5 spot REST dialect (OKX API v5 docs: "Trade > Place order", "Get order details",
//! "REST Authentication", "Error Code"):
//!
//! - `POST /api/v5/trade/order`, JSON body: `instId`, `tdMode` cash, `side` buy/sell, `ordType`
//!   `limit` (rests) or `ioc`, `px`, `sz`, optional `clOrdId` (letters and digits, up to 32);
//!   answered `{"code":"0","msg":"","data":[{"clOrdId","ordId","tag","ts","sCode":"0","sMsg"}],
//!   "inTime","outTime"}`. `GET /api/v5/trade/order?instId=&ordId=` or `&clOrdId=`.
//! - Authentication failures: HTTP 401 with 50103/50104/50106/50107 (a header missing), 50111
//!   key, 50105 passphrase, 50112 timestamp format, 50102 "Timestamp request expired", 50113
//!   signature. Parameter errors: HTTP 400 50014 "Parameter {0} can not be empty." / 51000
//!   "Parameter {0} error". A placement the venue refuses: HTTP 200 `code` "1" "All operations
//!   failed" with the reason in `data[0].sCode`/`sMsg` (51001 instrument, 51016 duplicated
//!   clOrdId, 51008 insufficient balance, 51121 lot size, 51020 minimum amount, ...). An order
//!   that does not exist: 51603. Rate limit: HTTP 429 50011 "Too Many Requests". The server-error
//!   fault: HTTP 500 50026 "System error. Try again later".

use std::fmt::Write;

use super::account::Account;
use super::answer::{Answer, Refusal, Rule};
use super::auth::{verify_okx, AuthError, OkxAuth};
use super::book::{MockOrder, NewOrder, OrderRef, State, Tif};
use super::dialect::{
    avg_px, client_id, dec, esc, positive, quote_scale, required, wide, Ctx, Dialect, Op, Venue,
};
use super::okx_info as info;
use super::params::Params;
use super::state::Request;
use crate::config::ApiCredentials;
use crate::format::Scales;
use crate::market::SimQuote;

/// OKX v5, spot (`instType` SPOT).
pub(crate) struct Okx;

/// An OKX answer `{"code","msg","data"}`.
pub(crate) fn envelope(status: u16, code: &str, msg: &str, data: &str) -> Answer {
    Answer::new(
        status,
        format!(r#"{{"code":"{code}","msg":"{}","data":{data}}}"#, esc(msg)),
    )
}

/// The answer to a placement or cancel, with `inTime`/`outTime` (µs) as OKX stamps them.
fn order_op(code: &str, msg: &str, item: &str, now_ms: u64) -> Answer {
    let us = now_ms * 1000;
    Answer::new(
        200,
        format!(
            r#"{{"code":"{code}","msg":"{msg}","data":[{item}],"inTime":"{us}","outTime":"{us}"}}"#
        ),
    )
}

fn id_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// OKX's `state` of `o`.
fn state_word(o: &MockOrder) -> &'static str {
    match o.state {
        State::Open if o.executed > 0 => "partially_filled",
        State::Open => "live",
        State::Filled => "filled",
        State::Expired | State::Canceled => "canceled",
    }
}

/// `o` as an element of OKX's order `data`.
pub(crate) fn order_json(o: &MockOrder, s: Scales) -> String {
    let avg = avg_px(o).map(|p| dec(p, s.price)).unwrap_or_default();
    let mut out = String::with_capacity(900);
    let _ = write!(
        out,
        r#"{{"instType":"SPOT","instId":"{}","tgtCcy":"","ccy":"","ordId":"{}","clOrdId":"{}","tag":"","px":"{}","pxUsd":"","pxVol":"","pxType":"","sz":"{}","pnl":"0","ordType":"{}","side":"{}","posSide":"net","tdMode":"cash","accFillSz":"{}","fillPx":"{avg}","tradeId":"","fillSz":"{}","fillTime":"{}","avgPx":"{avg}","state":"{}","stpId":"","stpMode":"","lever":"","attachAlgoClOrdId":"","tpTriggerPx":"","tpTriggerPxType":"","tpOrdPx":"","slTriggerPx":"","slTriggerPxType":"","slOrdPx":"","feeCcy":"{}","fee":"{}","rebateCcy":"","rebate":"0","source":"","category":"normal","reduceOnly":"false","cancelSource":"{}","quickMgnType":"","algoClOrdId":"","algoId":"","isTpLimit":"false","uTime":"{}","cTime":"{}"}}"#,
        o.symbol,
        o.order_id,
        o.client_id.as_deref().unwrap_or(""),
        dec(o.px, s.price),
        dec(o.qty, s.qty),
        if o.tif == Tif::Ioc { "ioc" } else { "limit" },
        if o.buy { "buy" } else { "sell" },
        dec(o.executed, s.qty),
        dec(o.executed, s.qty),
        if o.executed > 0 {
            o.updated_ms.to_string()
        } else {
            String::new()
        },
        state_word(o),
        o.fee_asset,
        if o.fee == 0 {
            "0".to_owned()
        } else {
            // OKX reports a fee charged as a negative amount.
            wide(-o.fee, quote_scale(s))
        },
        if o.state == State::Canceled { "1" } else { "" },
        o.updated_ms,
        o.created_ms
    );
    out
}

/// The per-order refusal of a placement or cancel.
fn refused_item(c: &Ctx<'_>, code: &str, msg: &str) -> Answer {
    let item = format!(
        r#"{{"clOrdId":"{}","ordId":"","tag":"","ts":"{}","sCode":"{code}","sMsg":"{}"}}"#,
        c.client_id,
        c.now_ms,
        esc(msg)
    );
    order_op("1", "All operations failed", &item, c.now_ms)
}

impl Dialect for Okx {
    fn route(&self, method: &str, path: &str, _p: &Params) -> Option<Op> {
        match (method, path) {
            ("POST", "/api/v5/trade/order") => Some(Op::Place),
            ("GET", "/api/v5/trade/order") => Some(Op::Status),
            ("POST", "/api/v5/trade/cancel-order") => Some(Op::Cancel),
            ("GET", "/api/v5/trade/orders-pending") => Some(Op::OpenOrders),
            ("GET", "/api/v5/account/balance") => Some(Op::Balances),
            ("GET", "/api/v5/public/instruments") => Some(Op::Rules),
            ("GET", "/api/v5/public/time") => Some(Op::Time),
            ("GET", "/api/v5/market/books") => Some(Op::Book),
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
        let h = OkxAuth {
            key: req.header("ok-access-key"),
            passphrase: req.header("ok-access-passphrase"),
            timestamp: req.header("ok-access-timestamp"),
            sign: req.header("ok-access-sign"),
        };
        verify_okx(
            creds,
            h,
            &req.method,
            &req.path_and_query(),
            &req.body,
            now_ms,
        )
    }

    fn instrument<'p>(&self, p: &'p Params) -> &'p str {
        p.get("instId").unwrap_or("")
    }

    fn check(&self, op: Op, p: &Params) -> Result<(), Refusal> {
        match op {
            Op::Rules => match required(p, "instType")? {
                "SPOT" => Ok(()),
                _ => Err(Refusal::Invalid("instType")),
            },
            Op::Book => required(p, "instId").map(drop),
            Op::OpenOrders => match p.get("instType") {
                None | Some("SPOT") => Ok(()),
                Some(_) => Err(Refusal::Invalid("instType")),
            },
            _ => Ok(()),
        }
    }

    fn new_order(&self, p: &Params, s: Scales) -> Result<NewOrder, Refusal> {
        let symbol = required(p, "instId")?.to_owned();
        if required(p, "tdMode")? != "cash" {
            return Err(Refusal::Invalid("tdMode"));
        }
        let buy = match required(p, "side")? {
            "buy" => true,
            "sell" => false,
            _ => return Err(Refusal::Invalid("side")),
        };
        let tif = match required(p, "ordType")? {
            "ioc" => Tif::Ioc,
            "limit" => Tif::Gtc,
            _ => return Err(Refusal::Invalid("ordType")),
        };
        Ok(NewOrder {
            symbol,
            buy,
            px: positive(p, "px", s.price)?,
            qty: positive(p, "sz", s.qty)?,
            client_id: client_id(p, "clOrdId", 32, id_char)?,
            tif,
        })
    }

    fn order_ref(&self, p: &Params) -> Result<OrderRef, Refusal> {
        required(p, "instId")?;
        if let Some(id) = p.get("ordId") {
            return Ok(OrderRef::Id(id.parse().unwrap_or(0)));
        }
        match p.get("clOrdId") {
            Some(c) => Ok(OrderRef::Client(c.to_owned())),
            None => Err(Refusal::Missing("ordId")),
        }
    }

    fn placed(&self, o: &MockOrder, c: &Ctx<'_>) -> Answer {
        let item = format!(
            r#"{{"clOrdId":"{}","ordId":"{}","tag":"","ts":"{}","sCode":"0","sMsg":"Order placed"}}"#,
            o.client_id.as_deref().unwrap_or(""),
            o.order_id,
            c.now_ms
        );
        order_op("0", "", &item, c.now_ms)
    }

    fn status(&self, o: &MockOrder, c: &Ctx<'_>) -> Answer {
        envelope(200, "0", "", &format!("[{}]", order_json(o, c.scales)))
    }

    fn cancelled(&self, _before: &MockOrder, after: &MockOrder, c: &Ctx<'_>) -> Answer {
        info::cancelled(after, c)
    }

    fn open_orders(&self, orders: &[&MockOrder], c: &Ctx<'_>) -> Answer {
        info::open_orders(orders, c)
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
        let top = |status: u16, code: &str, msg: &str| envelope(status, code, msg, "[]");
        let per_order = matches!(c.op, Op::Place | Op::Cancel);
        match r {
            Refusal::NoRoute => top(404, "50000", "Not Found"),
            Refusal::Auth(a) => match a {
                AuthError::MissingHeader(h) => {
                    let code = match *h {
                        "OK-ACCESS-KEY" => "50103",
                        "OK-ACCESS-PASSPHRASE" => "50104",
                        "OK-ACCESS-SIGN" => "50106",
                        _ => "50107",
                    };
                    top(401, code, &format!("Request header {h} can not be empty."))
                }
                AuthError::UnknownKey => top(401, "50111", "Invalid OK-ACCESS-KEY."),
                AuthError::BadPassphrase => top(401, "50105", "Invalid OK-ACCESS-PASSPHRASE."),
                AuthError::Malformed => top(401, "50112", "Invalid OK-ACCESS-TIMESTAMP."),
                AuthError::StaleTimestamp => top(401, "50102", "Timestamp request expired."),
                _ => top(401, "50113", "Invalid Sign."),
            },
            Refusal::Missing(p) => top(400, "50014", &format!("Parameter {p} can not be empty.")),
            Refusal::Invalid(p) => top(400, "51000", &format!("Parameter {p} error")),
            Refusal::UnknownSymbol if per_order => {
                refused_item(c, "51001", "Instrument ID does not exist.")
            }
            Refusal::UnknownSymbol => top(200, "51001", "Instrument ID does not exist."),
            Refusal::Duplicate => refused_item(c, "51016", "Duplicated clOrdId"),
            Refusal::OrderNotFound => top(200, "51603", "Order does not exist"),
            Refusal::NotOpen => refused_item(
                c,
                "51400",
                "Order cancellation failed as the order has been filled, canceled or does not exist.",
            ),
            Refusal::Insufficient { buy } => {
                let ccy = if *buy { "quote" } else { "base" };
                refused_item(
                    c,
                    "51008",
                    &format!("Order failed. Insufficient {ccy} balance in account."),
                )
            }
            Refusal::Rule(rule) => match rule {
                Rule::Tick => refused_item(c, "51000", "Parameter px error"),
                Rule::Step => refused_item(
                    c,
                    "51121",
                    "Order quantity must be a multiple of the lot size.",
                ),
                Rule::MinQty | Rule::MinNotional => refused_item(
                    c,
                    "51020",
                    "Your order should meet or exceed the minimum order amount.",
                ),
            },
            Refusal::Limited { status, .. } => top(*status, "50011", "Too Many Requests"),
            Refusal::ServerError => top(500, "50026", "System error. Try again later"),
        }
    }
}
