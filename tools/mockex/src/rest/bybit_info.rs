//! Bybit v5's account and market answers (bybit-exchange/docs `docs/v5/order/cancel-order.mdx`,
//! `account/wallet-balance.mdx`, `market/instrument.mdx`, `market/time.mdx`,
//! `market/orderbook.mdx`): `POST /v5/order/cancel` (`result {orderId, orderLinkId}`),
//! `GET /v5/account/wallet-balance?accountType=UNIFIED` (`result.list[0].coin[]` with
//! `walletBalance`, `locked`, `equity`), `GET /v5/market/instruments-info?category=spot`
//! (`lotSizeFilter {basePrecision, minOrderQty, minOrderAmt, ...}`, `priceFilter {tickSize}`),
//! `GET /v5/market/time` (`timeSecond`, `timeNano`) and the public
//! `GET /v5/market/orderbook?category=spot&symbol=&limit=1` (`result {s, b, a, ts, u, seq, cts}`).

use std::fmt::Write;

use super::account::Account;
use super::answer::Answer;
use super::book::MockOrder;
use super::bybit::envelope;
use super::dialect::{amount, dec, quote_scale, Ctx, Venue};
use super::params::Params;
use crate::market::SimQuote;

/// The cancel answer.
pub(crate) fn cancelled(o: &MockOrder, c: &Ctx<'_>) -> Answer {
    let result = format!(
        r#"{{"orderId":"{}","orderLinkId":"{}"}}"#,
        o.order_id,
        o.client_id.as_deref().unwrap_or("")
    );
    envelope(200, 0, "OK", &result, c.now_ms)
}

/// `GET /v5/account/wallet-balance` (optionally `coin=BTC,USDT`).
pub(crate) fn balances(a: &Account, p: &Params, c: &Ctx<'_>) -> Answer {
    let wanted: Option<Vec<&str>> = p.get("coin").map(|v| v.split(',').collect());
    let mut coins = String::new();
    for (coin, b) in a.balances() {
        if wanted.as_ref().is_some_and(|w| !w.contains(&coin)) {
            continue;
        }
        if !coins.is_empty() {
            coins.push(',');
        }
        let total = amount(b.free + b.locked, a.scale());
        let _ = write!(
            coins,
            r#"{{"availableToBorrow":"","bonus":"0","accruedInterest":"0","availableToWithdraw":"","totalOrderIM":"0","equity":"{total}","totalPositionMM":"0","usdValue":"","spotHedgingQty":"0","unrealisedPnl":"0","collateralSwitch":true,"borrowAmount":"0","totalPositionIM":"0","walletBalance":"{total}","cumRealisedPnl":"0","locked":"{}","marginCollateral":true,"coin":"{coin}"}}"#,
            amount(b.locked, a.scale())
        );
    }
    let result = format!(
        r#"{{"list":[{{"totalEquity":"","accountIMRate":"","totalMarginBalance":"","totalInitialMargin":"","accountType":"UNIFIED","totalAvailableBalance":"","accountMMRate":"","totalPerpUPL":"0","totalWalletBalance":"","accountLTV":"","totalMaintenanceMargin":"","coin":[{coins}]}}]}}"#
    );
    envelope(200, 0, "OK", &result, c.now_ms)
}

/// `GET /v5/market/instruments-info?category=spot`: each listed instrument.
pub(crate) fn rules(v: &Venue<'_>, c: &Ctx<'_>) -> Answer {
    let s = c.scales;
    let items: Vec<String> = v
        .listed
        .iter()
        .map(|i| {
            let r = &i.rules;
            format!(
                r#"{{"symbol":"{}","baseCoin":"{}","quoteCoin":"{}","innovation":"0","status":"Trading","marginTrading":"none","stTag":"0","lotSizeFilter":{{"basePrecision":"{}","quotePrecision":"{}","minOrderQty":"{}","maxOrderQty":"10000","minOrderAmt":"{}","maxOrderAmt":"100000000"}},"priceFilter":{{"tickSize":"{}"}},"riskParameters":{{"priceLimitRatioX":"0.05","priceLimitRatioY":"0.05"}}}}"#,
                i.symbol,
                i.assets.base,
                i.assets.quote,
                dec(r.step, s.qty),
                dec(r.tick, s.price),
                dec(r.min_qty, s.qty),
                amount(r.min_notional, quote_scale(s)),
                dec(r.tick, s.price),
            )
        })
        .collect();
    let result = format!(
        r#"{{"category":"spot","list":[{}],"nextPageCursor":""}}"#,
        items.join(",")
    );
    envelope(200, 0, "OK", &result, c.now_ms)
}

/// `GET /v5/market/time`.
pub(crate) fn time(c: &Ctx<'_>) -> Answer {
    let result = format!(
        r#"{{"timeSecond":"{}","timeNano":"{}"}}"#,
        c.now_ms / 1000,
        u128::from(c.now_ms) * 1_000_000
    );
    envelope(200, 0, "OK", &result, c.now_ms)
}

/// `GET /v5/market/orderbook?category=spot&symbol=&limit=1`.
pub(crate) fn book(q: Option<&SimQuote>, c: &Ctx<'_>) -> Answer {
    let s = c.scales;
    let level = |px: i64, qty: i64| format!(r#"["{}","{}"]"#, dec(px, s.price), dec(qty, s.qty));
    let (b, a, u) = match q {
        Some(q) => (
            level(q.bid_px, q.bid_qty),
            level(q.ask_px, q.ask_qty),
            q.seq,
        ),
        None => (String::new(), String::new(), 0),
    };
    let result = format!(
        r#"{{"s":"{}","b":[{b}],"a":[{a}],"ts":{},"u":{u},"seq":{u},"cts":{}}}"#,
        c.symbol, c.now_ms, c.now_ms
    );
    envelope(200, 0, "OK", &result, c.now_ms)
}
