//! Upbit's account and market answers (docs.upbit.com "주문 취소 접수" / cancel order, "체결
//! 대기 주문 조회" / open orders, "전체 계좌 조회" / accounts, "주문 가능 정보" / order chance,
//! "호가 정보 조회" / orderbook): `DELETE /v1/order` (the order as it was, `state` wait: the
//! cancel is accepted), `GET /v1/orders/open`, `GET /v1/accounts`
//! (`[{currency, balance, locked, avg_buy_price, avg_buy_price_modified, unit_currency}]`),
//! `GET /v1/orders/chance?market=` (fees, the market's order types and `min_total`, both
//! accounts), and the public `GET /v1/orderbook?markets=` (numbers, not strings). Upbit has no
//! server-time endpoint: every answer's `Date` header carries the time.

use std::fmt::Write;

use super::account::{Account, Balance};
use super::answer::Answer;
use super::book::MockOrder;
use super::dialect::{amount, dec, quote_scale, Ctx, Venue};
use super::upbit::order_json;
use crate::market::SimQuote;

fn account_json(a: &Account, currency: &str, b: Balance) -> String {
    format!(
        r#"{{"currency":"{currency}","balance":"{}","locked":"{}","avg_buy_price":"0","avg_buy_price_modified":false,"unit_currency":"{}"}}"#,
        amount(b.free, a.scale()),
        amount(b.locked, a.scale()),
        a.unit
    )
}

/// The cancel answer: the order as it was when the cancel was accepted.
pub(crate) fn cancelled(before: &MockOrder, c: &Ctx<'_>) -> Answer {
    Answer::new(200, order_json(before, c.scales))
}

/// `GET /v1/orders/open`.
pub(crate) fn open_orders(orders: &[&MockOrder], c: &Ctx<'_>) -> Answer {
    let items: Vec<String> = orders.iter().map(|o| order_json(o, c.scales)).collect();
    Answer::new(200, format!("[{}]", items.join(",")))
}

/// `GET /v1/accounts`.
pub(crate) fn balances(a: &Account) -> Answer {
    let items: Vec<String> = a
        .balances()
        .map(|(cur, b)| account_json(a, cur, b))
        .collect();
    Answer::new(200, format!("[{}]", items.join(",")))
}

/// `GET /v1/orders/chance?market=`.
pub(crate) fn rules(v: &Venue<'_>, c: &Ctx<'_>) -> Answer {
    // One market per request: the one it names.
    let Some(ins) = v.listed.first() else {
        return Answer::new(
            404,
            String::from(r#"{"error":{"name":"not_found_market","message":"Market not found"}}"#),
        );
    };
    let (a, x, r) = (v.account, &ins.assets, &ins.rules);
    let min_total = amount(r.min_notional, quote_scale(c.scales));
    // KRW markets take the tick from the price band (no single unit to show).
    let unit = if r.krw_bands {
        "null".to_owned()
    } else {
        format!(r#""{}""#, dec(r.tick, c.scales.price))
    };
    let side = |_: &str| {
        format!(
            r#"{{"currency":"{}","price_unit":{unit},"min_total":"{min_total}"}}"#,
            x.quote
        )
    };
    let mut out = String::with_capacity(700);
    let _ = write!(
        out,
        r#"{{"bid_fee":"0","ask_fee":"0","maker_bid_fee":"0","maker_ask_fee":"0","market":{{"id":"{}","name":"{}/{}","order_types":["limit"],"order_sides":["ask","bid"],"bid_types":["limit","limit_ioc"],"ask_types":["limit","limit_ioc"],"bid":{},"ask":{},"max_total":"1000000000","state":"active"}},"bid_account":{},"ask_account":{}}}"#,
        ins.symbol,
        x.base,
        x.quote,
        side("bid"),
        side("ask"),
        account_json(a, &x.quote, a.balance(&x.quote)),
        account_json(a, &x.base, a.balance(&x.base)),
    );
    Answer::new(200, out)
}

/// `GET /v1/orderbook?markets=`: one market, its top level, as JSON numbers.
pub(crate) fn book(q: Option<&SimQuote>, c: &Ctx<'_>) -> Answer {
    let s = c.scales;
    let (bp, bq, ap, aq) = q.map_or((0, 0, 0, 0), |q| (q.bid_px, q.bid_qty, q.ask_px, q.ask_qty));
    let units = if q.is_some() {
        format!(
            r#"{{"ask_price":{},"bid_price":{},"ask_size":{},"bid_size":{}}}"#,
            dec(ap, s.price),
            dec(bp, s.price),
            dec(aq, s.qty),
            dec(bq, s.qty)
        )
    } else {
        String::new()
    };
    Answer::new(
        200,
        format!(
            r#"[{{"market":"{}","timestamp":{},"total_ask_size":{},"total_bid_size":{},"orderbook_units":[{units}],"level":0}}]"#,
            c.symbol,
            c.now_ms,
            dec(aq, s.qty),
            dec(bq, s.qty)
        ),
    )
}
