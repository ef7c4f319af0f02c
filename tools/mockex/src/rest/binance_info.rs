//! Binance spot's account and market answers (binance-spot-api-docs `rest-api.md`,
//! `filters.md`): `DELETE /api/v3/order` (the order with status CANCELED), `GET
//! /api/v3/openOrders` (an array of order objects), `GET /api/v3/account` (`balances[{asset,
//! free, locked}]`, 8 decimals), `GET /api/v3/exchangeInfo` (`rateLimits` and the symbol's
//! `PRICE_FILTER`, `LOT_SIZE`, `NOTIONAL` filters), `GET /api/v3/time` (`serverTime`) and the
//! public `GET /api/v3/ticker/bookTicker?symbol=`.

use std::fmt::Write;

use super::account::Account;
use super::answer::Answer;
use super::binance::{client_order_id, order_json};
use super::book::MockOrder;
use super::dialect::{dec, fixed, quote_scale, wide, Ctx, Venue};
use crate::market::SimQuote;

/// The cancel answer: the order as it is now, under the cancel's own client id.
pub(crate) fn cancelled(o: &MockOrder, c: &Ctx<'_>) -> Answer {
    let s = c.scales;
    Answer::new(
        200,
        format!(
            r#"{{"symbol":"{}","origClientOrderId":"{}","orderId":{},"orderListId":-1,"clientOrderId":"mockexcancel{}","transactTime":{},"price":"{}","origQty":"{}","executedQty":"{}","cummulativeQuoteQty":"{}","status":"CANCELED","timeInForce":"GTC","type":"LIMIT","side":"{}","selfTradePreventionMode":"EXPIRE_MAKER"}}"#,
            o.symbol,
            client_order_id(o),
            o.order_id,
            o.order_id,
            c.now_ms,
            dec(o.px, s.price),
            dec(o.qty, s.qty),
            dec(o.executed, s.qty),
            wide(o.quote, quote_scale(s)),
            if o.buy { "BUY" } else { "SELL" }
        ),
    )
}

/// The open orders, as `GET /api/v3/order` writes each.
pub(crate) fn open_orders(orders: &[&MockOrder], c: &Ctx<'_>) -> Answer {
    let items: Vec<String> = orders
        .iter()
        .map(|o| order_json(o, c.scales, true))
        .collect();
    Answer::new(200, format!("[{}]", items.join(",")))
}

/// `GET /api/v3/account`.
pub(crate) fn balances(a: &Account, c: &Ctx<'_>) -> Answer {
    let mut list = String::new();
    for (asset, b) in a.balances() {
        if !list.is_empty() {
            list.push(',');
        }
        let _ = write!(
            list,
            r#"{{"asset":"{asset}","free":"{}","locked":"{}"}}"#,
            fixed(b.free, a.scale(), 8),
            fixed(b.locked, a.scale(), 8)
        );
    }
    Answer::new(
        200,
        format!(
            r#"{{"makerCommission":0,"takerCommission":0,"buyerCommission":0,"sellerCommission":0,"commissionRates":{{"maker":"0.00000000","taker":"0.00000000","buyer":"0.00000000","seller":"0.00000000"}},"canTrade":true,"canWithdraw":true,"canDeposit":true,"brokered":false,"requireSelfTradePrevention":false,"preventSor":false,"updateTime":{},"accountType":"SPOT","balances":[{list}],"permissions":["SPOT"],"uid":1}}"#,
            c.now_ms
        ),
    )
}

/// `GET /api/v3/exchangeInfo`: the limits the mock enforces and each listed instrument's filters.
pub(crate) fn rules(v: &Venue<'_>, c: &Ctx<'_>) -> Answer {
    let (l, s) = (v.limits, c.scales);
    let px8 = |m: i64| fixed(i128::from(m), u32::from(s.price), 8);
    let qty8 = |m: i64| fixed(i128::from(m), u32::from(s.qty), 8);
    let items: Vec<String> = v
        .listed
        .iter()
        .map(|i| {
            let r = &i.rules;
            format!(
                r#"{{"symbol":"{}","status":"TRADING","baseAsset":"{}","baseAssetPrecision":8,"quoteAsset":"{}","quotePrecision":8,"quoteAssetPrecision":8,"baseCommissionPrecision":8,"quoteCommissionPrecision":8,"orderTypes":["LIMIT","LIMIT_MAKER","MARKET"],"icebergAllowed":true,"ocoAllowed":true,"isSpotTradingAllowed":true,"isMarginTradingAllowed":false,"filters":[{{"filterType":"PRICE_FILTER","minPrice":"{}","maxPrice":"1000000.00000000","tickSize":"{}"}},{{"filterType":"LOT_SIZE","minQty":"{}","maxQty":"9000.00000000","stepSize":"{}"}},{{"filterType":"NOTIONAL","minNotional":"{}","applyMinToMarket":true,"maxNotional":"9000000.00000000","applyMaxToMarket":false,"avgPriceMins":5}}],"permissions":[],"permissionSets":[["SPOT"]],"defaultSelfTradePreventionMode":"EXPIRE_MAKER","allowedSelfTradePreventionModes":["NONE","EXPIRE_TAKER","EXPIRE_MAKER","EXPIRE_BOTH"]}}"#,
                i.symbol,
                i.assets.base,
                i.assets.quote,
                px8(r.tick),
                px8(r.tick),
                qty8(r.min_qty),
                qty8(r.step),
                fixed(r.min_notional, quote_scale(s), 8),
            )
        })
        .collect();
    Answer::new(
        200,
        format!(
            r#"{{"timezone":"UTC","serverTime":{},"rateLimits":[{{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":{}}},{{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":{}}},{{"rateLimitType":"ORDERS","interval":"DAY","intervalNum":1,"limit":{}}},{{"rateLimitType":"RAW_REQUESTS","interval":"MINUTE","intervalNum":5,"limit":61000}}],"exchangeFilters":[],"symbols":[{}]}}"#,
            c.now_ms,
            l.binance_weight_1m,
            l.binance_orders_10s,
            l.binance_orders_1d,
            items.join(","),
        ),
    )
}

/// `GET /api/v3/time`.
pub(crate) fn time(c: &Ctx<'_>) -> Answer {
    Answer::new(200, format!(r#"{{"serverTime":{}}}"#, c.now_ms))
}

/// `GET /api/v3/ticker/bookTicker?symbol=`: prices and sizes with 8 decimals, as Binance writes
/// them.
pub(crate) fn book(q: Option<&SimQuote>, c: &Ctx<'_>) -> Answer {
    let s = c.scales;
    let p = |m: i64| fixed(i128::from(m), u32::from(s.price), 8);
    let z = |m: i64| fixed(i128::from(m), u32::from(s.qty), 8);
    let (bp, bq, ap, aq) = q.map_or((0, 0, 0, 0), |q| (q.bid_px, q.bid_qty, q.ask_px, q.ask_qty));
    Answer::new(
        200,
        format!(
            r#"{{"symbol":"{}","bidPrice":"{}","bidQty":"{}","askPrice":"{}","askQty":"{}"}}"#,
            c.symbol,
            p(bp),
            z(bq),
            p(ap),
            z(aq)
        ),
    )
}
