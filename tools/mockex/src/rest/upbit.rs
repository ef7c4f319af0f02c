//! Upbit REST dialect (docs.upbit.com: "주문하기" / create order, "개별 주문 조회" / get order,
//! "REST API 사용 및 에러 안내" / REST API guide):
//!
//! - `POST /v1/orders` with a JSON body: `market` (`KRW-BTC`, quote first), `side` bid/ask,
//!   `volume`, `price`, `ord_type` limit, optional `identifier` (the client id) and optional
//!   `time_in_force` (`ioc`; absent, a limit order rests); answered 201 with the order object.
//!   `GET /v1/order?uuid=` or `?identifier=`.
//! - Authentication: `Authorization: Bearer` JWT HS256 with the SHA-512 `query_hash` of the
//!   parameters (the JSON body's members as a query string for a POST).
//! - Errors `{"error":{"name":"...","message":"..."}}`: 400 `validation_error` for a value it does
//!   not take (`"side is missing, side does not have a valid value"`, as recorded by ccxt), and
//!   for a missing parameter the numeric name Upbit sends, `{"error":{"name":400,"message":
//!   "Missing request parameter error. Check the required parameters!"}}`; 400
//!   `insufficient_funds_bid`/`_ask`, `under_min_total_bid`/`_ask`; 401 `invalid_access_key`,
//!   `jwt_verification`, `invalid_query_payload`; 404 `order_not_found`; 429 / 418.

use std::fmt::Write;

use super::account::Account;
use super::answer::{Answer, Refusal, Rule};
use super::auth::{json_to_query, verify_upbit, AuthError};
use super::book::{MockOrder, NewOrder, OrderRef, State, Tif};
use super::dialect::{
    client_id, dec, iso8601, positive, quote_scale, required, tif, wide, Ctx, Dialect, Op, Venue,
};
use super::params::Params;
use super::state::Request;
use super::upbit_info as info;
use crate::config::ApiCredentials;
use crate::format::Scales;
use crate::market::SimQuote;

/// Upbit.
pub(crate) struct Upbit;

/// The uuid the mock gives order `id`.
pub(crate) fn uuid(id: u64) -> String {
    format!("00000000-0000-4000-8000-{id:012}")
}

fn error(status: u16, name: &str, msg: &str) -> Answer {
    Answer::new(
        status,
        format!(r#"{{"error":{{"name":"{name}","message":"{msg}"}}}}"#),
    )
}

fn id_char(b: u8) -> bool {
    b.is_ascii_graphic() && b != b'"' && b != b'\\'
}

/// Upbit's state word for `o`: `wait` while open, `done` when filled, else `cancel`.
fn state_word(o: &MockOrder) -> &'static str {
    match o.state {
        State::Open => "wait",
        State::Filled => "done",
        State::Expired | State::Canceled => "cancel",
    }
}

/// `o` as Upbit's order object.
pub(crate) fn order_json(o: &MockOrder, s: Scales) -> String {
    let mut out = String::with_capacity(480);
    let rem = dec(o.qty - o.executed, s.qty);
    let locked = if o.state != State::Open {
        "0".to_owned()
    } else if o.buy {
        wide(
            i128::from(o.qty - o.executed) * i128::from(o.px),
            quote_scale(s),
        )
    } else {
        rem.clone()
    };
    let _ = write!(
        out,
        r#"{{"uuid":"{}","side":"{}","ord_type":"limit","price":"{}","state":"{}","market":"{}","created_at":"{}","volume":"{}","remaining_volume":"{rem}","reserved_fee":"0","remaining_fee":"0","paid_fee":"{}","locked":"{locked}","executed_volume":"{}","executed_funds":"{}","trades_count":{}"#,
        uuid(o.order_id),
        if o.buy { "bid" } else { "ask" },
        dec(o.px, s.price),
        state_word(o),
        o.symbol,
        iso8601(o.created_ms, 9, false),
        dec(o.qty, s.qty),
        wide(o.fee, quote_scale(s)),
        dec(o.executed, s.qty),
        wide(o.quote, quote_scale(s)),
        o.trades,
    );
    if let Some(c) = &o.client_id {
        let _ = write!(out, r#","identifier":"{c}""#);
    }
    if o.tif == Tif::Ioc {
        out.push_str(r#","time_in_force":"ioc""#);
    }
    out.push('}');
    out
}

impl Dialect for Upbit {
    fn route(&self, method: &str, path: &str, _p: &Params) -> Option<Op> {
        match (method, path) {
            ("POST", "/v1/orders") => Some(Op::Place),
            ("GET", "/v1/order") => Some(Op::Status),
            ("DELETE", "/v1/order") => Some(Op::Cancel),
            ("GET", "/v1/orders/open") => Some(Op::OpenOrders),
            ("GET", "/v1/accounts") => Some(Op::Balances),
            ("GET", "/v1/orders/chance") => Some(Op::Rules),
            ("GET", "/v1/orderbook") => Some(Op::Book),
            _ => None,
        }
    }

    fn signed(&self, op: Op) -> bool {
        !matches!(op, Op::Book)
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
        _now_ms: u64,
    ) -> Result<(), AuthError> {
        // The parameters as the token hashes them: the JSON body's, or the query string.
        let hashed = if req.method == "POST" {
            json_to_query(&req.body).unwrap_or_default()
        } else {
            req.query.clone()
        };
        verify_upbit(creds, req.header("authorization"), &hashed)
    }

    fn instrument<'p>(&self, p: &'p Params) -> &'p str {
        p.get("market").or_else(|| p.get("markets")).unwrap_or("")
    }

    fn check(&self, op: Op, p: &Params) -> Result<(), Refusal> {
        match op {
            Op::Rules => required(p, "market").map(drop),
            Op::Book => required(p, "markets").map(drop),
            _ => Ok(()),
        }
    }

    fn new_order(&self, p: &Params, s: Scales) -> Result<NewOrder, Refusal> {
        let symbol = required(p, "market")?.to_owned();
        let buy = match required(p, "side")? {
            "bid" => true,
            "ask" => false,
            _ => return Err(Refusal::Invalid("side")),
        };
        if required(p, "ord_type")? != "limit" {
            return Err(Refusal::Invalid("ord_type"));
        }
        let tif = match p.get("time_in_force") {
            None => Tif::Gtc,
            Some(v) => tif(v, "ioc", "").ok_or(Refusal::Invalid("time_in_force"))?,
        };
        Ok(NewOrder {
            symbol,
            buy,
            qty: positive(p, "volume", s.qty)?,
            px: positive(p, "price", s.price)?,
            client_id: client_id(p, "identifier", 64, id_char)?,
            tif,
        })
    }

    fn order_ref(&self, p: &Params) -> Result<OrderRef, Refusal> {
        if let Some(u) = p.get("uuid") {
            let id = u
                .strip_prefix("00000000-0000-4000-8000-")
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            return Ok(OrderRef::Id(id));
        }
        match p.get("identifier") {
            Some(c) => Ok(OrderRef::Client(c.to_owned())),
            None => Err(Refusal::Missing("uuid")),
        }
    }

    fn placed(&self, o: &MockOrder, c: &Ctx<'_>) -> Answer {
        Answer::new(201, order_json(o, c.scales))
    }

    fn status(&self, o: &MockOrder, c: &Ctx<'_>) -> Answer {
        Answer::new(200, order_json(o, c.scales))
    }

    fn cancelled(&self, before: &MockOrder, _after: &MockOrder, c: &Ctx<'_>) -> Answer {
        info::cancelled(before, c)
    }

    fn open_orders(&self, orders: &[&MockOrder], c: &Ctx<'_>) -> Answer {
        info::open_orders(orders, c)
    }

    fn balances(&self, a: &Account, _p: &Params, _c: &Ctx<'_>) -> Answer {
        info::balances(a)
    }

    fn rules(&self, v: &Venue<'_>, c: &Ctx<'_>) -> Answer {
        info::rules(v, c)
    }

    fn time(&self, c: &Ctx<'_>) -> Answer {
        self.refuse(&Refusal::NoRoute, c)
    }

    fn book(&self, q: Option<&SimQuote>, c: &Ctx<'_>) -> Answer {
        info::book(q, c)
    }

    fn refuse(&self, r: &Refusal, c: &Ctx<'_>) -> Answer {
        let side = |buy: bool| if buy { "bid" } else { "ask" };
        match r {
            Refusal::NoRoute => error(404, "not_found", "Unknown endpoint."),
            Refusal::Auth(e) => match e {
                AuthError::UnknownKey => {
                    error(401, "invalid_access_key", "잘못된 엑세스 키입니다.")
                }
                AuthError::BadQueryHash => error(
                    401,
                    "invalid_query_payload",
                    "JWT 헤더의 페이로드가 올바르지 않습니다.",
                ),
                _ => error(401, "jwt_verification", "JWT 토큰 검증에 실패했습니다."),
            },
            Refusal::Missing(_) => Answer::new(
                400,
                r#"{"error":{"name":400,"message":"Missing request parameter error. Check the required parameters!"}}"#.to_owned(),
            ),
            Refusal::Invalid(p) => error(
                400,
                "validation_error",
                &format!("{p} is missing, {p} does not have a valid value"),
            ),
            Refusal::UnknownSymbol => error(400, "validation_error", "market does not have a valid value"),
            Refusal::Duplicate => error(400, "validation_error", "identifier does not have a valid value"),
            Refusal::OrderNotFound | Refusal::NotOpen => {
                error(404, "order_not_found", "주문을 찾지 못했습니다.")
            }
            Refusal::Insufficient { buy } => error(
                400,
                &format!("insufficient_funds_{}", side(*buy)),
                "주문가능한 금액이 부족합니다.",
            ),
            Refusal::Rule(Rule::MinNotional | Rule::MinQty) => error(
                400,
                &format!("under_min_total_{}", side(c.buy)),
                "최소주문금액 이상으로 주문해주세요.",
            ),
            Refusal::Rule(_) => error(
                400,
                "invalid_price",
                "주문가격 단위를 잘못 입력하셨습니다. 확인 후 시도해주세요.",
            ),
            Refusal::Limited {
                status,
                retry_after_s,
                ..
            } => {
                let mut a = error(*status, "too_many_requests", "Too many API requests.");
                a.headers = format!("Retry-After: {retry_after_s}\r\n");
                a
            }
            Refusal::ServerError => error(500, "server_error", "Internal server error."),
        }
    }
}
