//! The private stream's pushes (bybit-exchange/docs `docs/v5/websocket/private/order.mdx`,
//! `execution.mdx`, `wallet.mdx`), each `{"id","topic","creationTime","data":[..]}` with one
//! entry, built from the ledger's order events (`order_events`):
//!
//! - `order`: the order as it stands after the change (`orderStatus` `New`, `PartiallyFilled`,
//!   `Filled`, `Cancelled`, `PartiallyFilledCanceled`; `cumExecQty`, `cumExecValue`, `avgPrice`
//!   (`""` before anything executed), `cumExecFee` and `cumFeeDetail`, `feeCurrency`,
//!   `orderLinkId`). The docs' tip on a cancel racing a fill ("one message contains
//!   orderStatus=Filled, rejectReason=EC_NoError, and another ... cancelType=CancelByUser,
//!   rejectReason=EC_OrigClOrdIDDoesNotExist") is [`order`] with `raced_cancel`.
//! - `execution`: the one trade (`execId`, `execType` `Trade`, `execPrice`, `execQty`,
//!   `execValue`, `execFee`, `feeCurrency`, `feeRate`, `isMaker`, `leavesQty`, `seq`).
//! - `wallet`: the `UNIFIED` account with the order's two coins (`walletBalance` = free +
//!   locked, `locked`); the docs mark `free` and `availableToWithdraw` deprecated for unified
//!   accounts, so `free` is left out and `availableToWithdraw` is `""`.

use std::fmt::Write;

use super::super::account::Balance;
use super::super::book::{MockOrder, State, Tif};
use super::super::bybit::status_word;
use super::super::dialect::{amount, avg_px, dec, quote_scale};
use super::super::order_events::TradeEvent;
use crate::format::Scales;

/// The message around one `data` entry.
fn message(topic: &str, id: &str, now_ms: u64, entry: &str) -> String {
    format!(r#"{{"id":"{id}","topic":"{topic}","creationTime":{now_ms},"data":[{entry}]}}"#)
}

/// A message id in Bybit's shape (hex, a dash, more hex), unique per message and topic.
fn message_id(seq: u64, topic: &str) -> String {
    format!("{seq:012x}{:04x}-{}", topic.len(), topic)
}

/// The `order` push of `o` as it stands (message number `seq`, topic spelled `topic`);
/// `raced_cancel`: the second copy a cancel racing a fill brings.
pub(crate) fn order(
    o: &MockOrder,
    seq: u64,
    s: Scales,
    topic: &str,
    now_ms: u64,
    raced_cancel: bool,
) -> String {
    let leaves = o.open_qty();
    let qs = quote_scale(s);
    let fee_detail = if o.fee_asset.is_empty() {
        "{}".to_owned()
    } else {
        format!(r#"{{"{}":"{}"}}"#, o.fee_asset, amount(o.fee, qs))
    };
    let (cancel_type, reject) = match o.state {
        _ if raced_cancel && o.state == State::Filled => {
            ("CancelByUser", "EC_OrigClOrdIDDoesNotExist")
        }
        State::Canceled => ("CancelByUser", "EC_NoError"),
        _ => ("UNKNOWN", "EC_NoError"),
    };
    let mut e = String::with_capacity(1200);
    let _ = write!(
        e,
        r#"{{"category":"spot","symbol":"{}","orderId":"{}","orderLinkId":"{}","parentOrderLinkId":"","isLeverage":"0","blockTradeId":"","price":"{}","qty":"{}","side":"{}","positionIdx":0,"orderStatus":"{}","cancelType":"{cancel_type}","rejectReason":"{reject}","avgPrice":"{}","leavesQty":"{}","leavesValue":"{}","cumExecQty":"{}","cumExecValue":"{}","cumExecFee":"{}","closedPnl":"0","feeCurrency":"{}","timeInForce":"{}","orderType":"Limit","stopOrderType":"","ocoTriggerBy":"","orderIv":"","marketUnit":"","slippageToleranceType":"UNKNOWN","slippageTolerance":"0","triggerPrice":"0","takeProfit":"0","stopLoss":"0","tpslMode":"","tpLimitPrice":"0","slLimitPrice":"0","tpTriggerBy":"","slTriggerBy":"","triggerDirection":0,"triggerBy":"","lastPriceOnCreated":"","reduceOnly":false,"closeOnTrigger":false,"placeType":"","smpType":"None","smpGroup":0,"smpOrderId":"","createdTime":"{}","updatedTime":"{}","cumFeeDetail":{fee_detail},"rpiTakerAccess":false,"rpiMatchedQty":"0"}}"#,
        o.symbol,
        o.order_id,
        o.client_id.as_deref().unwrap_or(""),
        dec(o.px, s.price),
        dec(o.qty, s.qty),
        if o.buy { "Buy" } else { "Sell" },
        status_word(o),
        avg_px(o).map(|p| dec(p, s.price)).unwrap_or_default(),
        dec(leaves, s.qty),
        amount(i128::from(leaves) * i128::from(o.px), qs),
        dec(o.executed, s.qty),
        amount(o.quote, qs),
        amount(o.fee, qs),
        o.fee_asset,
        if o.tif == Tif::Ioc { "IOC" } else { "GTC" },
        o.created_ms,
        o.updated_ms,
    );
    message(topic, &message_id(seq, topic), now_ms, &e)
}

/// An execution id in Bybit's UUID shape, unique per order and execution.
fn exec_id(o: &MockOrder, seq: u64) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-8000-{:012x}",
        o.order_id & 0xffff_ffff,
        (o.order_id >> 32) & 0xffff,
        (seq >> 48) & 0xfff,
        seq & 0xffff_ffff_ffff
    )
}

/// The `execution` push of the execution `x` (message number `seq`, topic spelled `topic`);
/// `fee_bps`: the venue's fee rate.
pub(crate) fn execution(
    x: &TradeEvent,
    seq: u64,
    s: Scales,
    fee_bps: u32,
    topic: &str,
    now_ms: u64,
) -> String {
    let o = &x.order;
    let qs = quote_scale(s);
    let px = if x.qty > 0 {
        i64::try_from(x.quote / i128::from(x.qty)).unwrap_or(0)
    } else {
        0
    };
    let mut e = String::with_capacity(800);
    let _ = write!(
        e,
        r#"{{"category":"spot","symbol":"{}","isLeverage":"0","orderId":"{}","orderLinkId":"{}","side":"{}","orderPrice":"{}","orderQty":"{}","leavesQty":"{}","orderType":"Limit","stopOrderType":"","execFee":"{}","execId":"{}","execPrice":"{}","execQty":"{}","execPnl":"0","execType":"Trade","execValue":"{}","execTime":"{}","isMaker":{},"feeRate":"{}","tradeIv":"","markIv":"","markPrice":"","indexPrice":"","underlyingPrice":"","blockTradeId":"","closedSize":"","extraFees":"","seq":{},"marketUnit":"","feeCurrency":"{}"}}"#,
        o.symbol,
        o.order_id,
        o.client_id.as_deref().unwrap_or(""),
        if o.buy { "Buy" } else { "Sell" },
        dec(o.px, s.price),
        dec(o.qty, s.qty),
        dec(o.open_qty(), s.qty),
        amount(x.fee, qs),
        exec_id(o, u64::from(o.trades)),
        dec(px, s.price),
        dec(x.qty, s.qty),
        amount(x.quote, qs),
        o.updated_ms,
        x.maker,
        dec(i64::from(fee_bps), 4),
        seq,
        o.fee_asset,
    );
    message(topic, &message_id(seq, topic), now_ms, &e)
}

/// The `wallet` push of `balances` (message number `seq`, account amounts at `scale` decimals).
pub(crate) fn wallet(balances: &[(String, Balance)], seq: u64, scale: u32, now_ms: u64) -> String {
    let mut coins = String::new();
    for (coin, b) in balances {
        let Balance { free, locked } = *b;
        if !coins.is_empty() {
            coins.push(',');
        }
        let total = amount(free + locked, scale);
        let _ = write!(
            coins,
            r#"{{"coin":"{coin}","equity":"{total}","usdValue":"","walletBalance":"{total}","locked":"{}","spotHedgingQty":"0","borrowAmount":"0","accruedInterest":"0","totalOrderIM":"0","totalPositionIM":"0","totalPositionMM":"0","unrealisedPnl":"0","cumRealisedPnl":"0","bonus":"0","collateralSwitch":true,"marginCollateral":true,"spotBorrow":"0","availableToBorrow":"","availableToWithdraw":""}}"#,
            amount(locked, scale)
        );
    }
    let entry = format!(
        r#"{{"accountType":"UNIFIED","accountIMRate":"0","accountMMRate":"0","totalEquity":"","totalWalletBalance":"","totalMarginBalance":"","totalAvailableBalance":"","totalPerpUPL":"0","totalInitialMargin":"0","totalMaintenanceMargin":"0","accountIMRateByMp":"0","accountMMRateByMp":"0","totalInitialMarginByMp":"0","totalMaintenanceMarginByMp":"0","accountLTV":"0","coin":[{coins}]}}"#
    );
    message("wallet", &message_id(seq, "wallet"), now_ms, &entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn filled(state: State, executed: i64) -> MockOrder {
        MockOrder {
            order_id: 3,
            client_id: Some("c3".into()),
            symbol: "BTCUSDT".into(),
            buy: true,
            px: 10_000,
            qty: 3,
            executed,
            quote: i128::from(executed) * 9_900,
            tif: Tif::Gtc,
            state,
            created_ms: 1,
            updated_ms: 2,
            fee: 0,
            fee_asset: if executed > 0 {
                "BTC".into()
            } else {
                String::new()
            },
            trades: u32::from(executed > 0),
        }
    }

    const S: Scales = Scales { price: 2, qty: 0 };

    fn json(s: &str) -> Value {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn order_push_reads_as_the_docs_example() {
        let v = json(&order(&filled(State::Open, 0), 7, S, "order", 9, false));
        assert_eq!(
            (v["topic"].as_str(), v["creationTime"].as_u64()),
            (Some("order"), Some(9))
        );
        let d = &v["data"][0];
        assert_eq!(d["orderStatus"], "New");
        assert_eq!(
            (d["avgPrice"].as_str(), d["cumExecQty"].as_str()),
            (Some(""), Some("0"))
        );
        assert_eq!(
            (d["orderLinkId"].as_str(), d["orderId"].as_str()),
            (Some("c3"), Some("3"))
        );
        let f = json(&order(&filled(State::Filled, 3), 8, S, "order", 9, true));
        let d = &f["data"][0];
        assert_eq!(
            (d["orderStatus"].as_str(), d["avgPrice"].as_str()),
            (Some("Filled"), Some("99"))
        );
        assert_eq!(d["cumExecValue"], "297");
        assert_eq!(d["rejectReason"], "EC_OrigClOrdIDDoesNotExist");
        assert_eq!(d["cancelType"], "CancelByUser");
        assert_ne!(v["id"], f["id"], "each message its own id");
        let p = json(&order(&filled(State::Canceled, 1), 9, S, "order", 9, false));
        assert_eq!(p["data"][0]["orderStatus"], "PartiallyFilledCanceled");
    }

    #[test]
    fn execution_and_wallet_pushes() {
        let x = TradeEvent {
            order: filled(State::Filled, 3),
            qty: 3,
            quote: 29_700,
            fee: 3,
            maker: false,
        };
        let v = json(&execution(&x, 1, S, 10, "execution", 9));
        let d = &v["data"][0];
        assert_eq!(
            (d["execPrice"].as_str(), d["execQty"].as_str()),
            (Some("99"), Some("3"))
        );
        assert_eq!(
            (d["execFee"].as_str(), d["feeRate"].as_str()),
            (Some("0.03"), Some("0.001"))
        );
        assert_eq!(d["execId"].as_str().unwrap().len(), 36);
        let balances = vec![
            (
                "BTC".to_owned(),
                Balance {
                    free: 150,
                    locked: 0,
                },
            ),
            (
                "USDT".to_owned(),
                Balance {
                    free: 5,
                    locked: 20_000,
                },
            ),
        ];
        let w = json(&wallet(&balances, 2, 2, 9));
        let c = &w["data"][0]["coin"];
        assert_eq!(
            (c[0]["coin"].as_str(), c[0]["walletBalance"].as_str()),
            (Some("BTC"), Some("1.5"))
        );
        assert_eq!(
            (c[1]["walletBalance"].as_str(), c[1]["locked"].as_str()),
            (Some("200.05"), Some("200"))
        );
    }
}
