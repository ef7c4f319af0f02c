//! OKX v5's account and market answers (OKX API v5 docs "Cancel order", "Get order list"
//! (pending), "Get balance", "Get instruments", "Get system time", "Get order book"):
//! `POST /api/v5/trade/cancel-order` (`data[{clOrdId, ordId, ts, sCode, sMsg}]`),
//! `GET /api/v5/trade/orders-pending`, `GET /api/v5/account/balance` (`data[0].details[]` with
//! `cashBal`, `availBal`, `frozenBal`, `eq`), `GET /api/v5/public/instruments?instType=SPOT`
//! (`tickSz`, `lotSz`, `minSz`; OKX publishes no minimum notional for spot), `GET
//! /api/v5/public/time` (`data[{ts}]`) and the public `GET /api/v5/market/books?instId=&sz=1`
//! (levels `[px, sz, "0", orders]`).

use std::fmt::Write;

use super::account::Account;
use super::answer::Answer;
use super::book::MockOrder;
use super::dialect::{amount, dec, Ctx, Venue};
use super::okx::{envelope, order_json};
use super::params::Params;
use crate::market::SimQuote;

/// The cancel answer.
pub(crate) fn cancelled(o: &MockOrder, c: &Ctx<'_>) -> Answer {
    let us = c.now_ms * 1000;
    Answer::new(
        200,
        format!(
            r#"{{"code":"0","msg":"","data":[{{"clOrdId":"{}","ordId":"{}","ts":"{}","sCode":"0","sMsg":""}}],"inTime":"{us}","outTime":"{us}"}}"#,
            o.client_id.as_deref().unwrap_or(""),
            o.order_id,
            c.now_ms
        ),
    )
}

/// `GET /api/v5/trade/orders-pending`, newest first as OKX lists them.
pub(crate) fn open_orders(orders: &[&MockOrder], c: &Ctx<'_>) -> Answer {
    let items: Vec<String> = orders
        .iter()
        .rev()
        .map(|o| order_json(o, c.scales))
        .collect();
    envelope(200, "0", "", &format!("[{}]", items.join(",")))
}

/// `GET /api/v5/account/balance` (optionally `ccy=BTC,USDT`).
pub(crate) fn balances(a: &Account, p: &Params, c: &Ctx<'_>) -> Answer {
    let wanted: Option<Vec<&str>> = p.get("ccy").map(|v| v.split(',').collect());
    let mut details = String::new();
    for (ccy, b) in a.balances() {
        if wanted.as_ref().is_some_and(|w| !w.contains(&ccy)) {
            continue;
        }
        if !details.is_empty() {
            details.push(',');
        }
        let (free, locked) = (amount(b.free, a.scale()), amount(b.locked, a.scale()));
        let total = amount(b.free + b.locked, a.scale());
        let _ = write!(
            details,
            r#"{{"availBal":"{free}","availEq":"{free}","cashBal":"{total}","ccy":"{ccy}","crossLiab":"","disEq":"","eq":"{total}","eqUsd":"","fixedBal":"0","frozenBal":"{locked}","interest":"","isoEq":"","isoLiab":"","isoUpl":"","liab":"","maxLoan":"","mgnRatio":"","notionalLever":"","ordFrozen":"{locked}","stgyEq":"0","twap":"0","uTime":"{}","upl":"","uplLiab":""}}"#,
            c.now_ms
        );
    }
    let data = format!(
        r#"[{{"adjEq":"","borrowFroz":"","details":[{details}],"imr":"","isoEq":"0","mgnRatio":"","mmr":"","notionalUsd":"","ordFroz":"","totalEq":"","uTime":"{}","upl":""}}]"#,
        c.now_ms
    );
    envelope(200, "0", "", &data)
}

/// `GET /api/v5/public/instruments?instType=SPOT`: each listed instrument.
pub(crate) fn rules(v: &Venue<'_>, c: &Ctx<'_>) -> Answer {
    let s = c.scales;
    let items: Vec<String> = v
        .listed
        .iter()
        .map(|i| {
            let r = &i.rules;
            format!(
                r#"{{"instType":"SPOT","instId":"{}","uly":"","instFamily":"","baseCcy":"{}","quoteCcy":"{}","settleCcy":"","ctVal":"","ctMult":"","ctValCcy":"","optType":"","stk":"","listTime":"1606468572000","expTime":"","lever":"","tickSz":"{}","lotSz":"{}","minSz":"{}","ctType":"","alias":"","state":"live","instIdCode":{},"maxLmtSz":"10000","maxMktSz":"1000000","maxLmtAmt":"20000000","maxMktAmt":"1000000","maxTwapSz":"","maxIcebergSz":"","maxTriggerSz":"","maxStopSz":"","ruleType":"normal"}}"#,
                i.symbol,
                i.assets.base,
                i.assets.quote,
                dec(r.tick, s.price),
                dec(r.step, s.qty),
                dec(r.min_qty, s.qty),
                inst_id_code(&i.symbol),
            )
        })
        .collect();
    envelope(200, "0", "", &format!("[{}]", items.join(",")))
}

/// The numeric `instIdCode` the mock gives `symbol` (OKX's WebSocket `order` / `cancel-order` ops
/// name the instrument by it): FNV-1a of the symbol, below 10^9, fixed for a symbol so a client
/// that read it at start-up can be checked against it.
pub fn inst_id_code(symbol: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in symbol.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h % 1_000_000_000
}

/// `GET /api/v5/public/time`.
pub(crate) fn time(c: &Ctx<'_>) -> Answer {
    envelope(200, "0", "", &format!(r#"[{{"ts":"{}"}}]"#, c.now_ms))
}

/// `GET /api/v5/market/books?instId=&sz=1`.
pub(crate) fn book(q: Option<&SimQuote>, c: &Ctx<'_>) -> Answer {
    let s = c.scales;
    let level =
        |px: i64, qty: i64| format!(r#"["{}","{}","0","1"]"#, dec(px, s.price), dec(qty, s.qty));
    let (b, a) = match q {
        Some(q) => (level(q.bid_px, q.bid_qty), level(q.ask_px, q.ask_qty)),
        None => (String::new(), String::new()),
    };
    let data = format!(r#"[{{"asks":[{a}],"bids":[{b}],"ts":"{}"}}]"#, c.now_ms);
    envelope(200, "0", "", &data)
}
