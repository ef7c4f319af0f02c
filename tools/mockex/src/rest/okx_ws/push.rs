//! The private channels' pushes `{"arg":{..},"data":[{..}]}` (OKX API v5 docs "WS / Order
//! channel" and "Account channel"):
//!
//! - `orders`: the order as it stands after a change, `state` `live` / `partially_filled` /
//!   `filled` / `canceled`, cumulative `accFillSz`, `avgPx` (`"0"` when nothing filled), `fee`
//!   (negative: charged) and `feeCcy`; when the change is a trade, that trade's `tradeId`,
//!   `fillPx`, `fillSz`, `fillTime`, `fillFee`, `fillFeeCcy` and `execType` (`T` taker, `M`
//!   maker), else those are empty. An IOC whose remainder expired is `canceled` (OKX has no
//!   expired state) with whatever it filled.
//! - `account`: one page of `eventType` `snapshot` right after the subscription (every
//!   currency), then an `event_update` after each change (the currencies it moved,
//!   `updates`), with one account object whose `details[]` hold each currency's (or the
//!   subscribed `ccy`'s) `ccy`, `cashBal` (the whole balance), `availBal` (free), `frozenBal`
//!   (held by open orders), `eq`, `ordFrozen`, `uTime`.

use std::fmt::Write;

use super::super::account::Balance;
use super::super::book::{MockOrder, State, Tif};
use super::super::dialect::{amount, dec, quote_scale, wide};
use super::frames::string;
use crate::format::Scales;

/// The `uid` the mock's pushes carry in their `arg` (OKX's user id of the account).
pub(crate) const UID: &str = "600000000000001";

/// One execution a push reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Trade {
    /// OKX's `tradeId`.
    pub id: u64,
    /// Quantity mantissa executed (qty scale).
    pub qty: i64,
    /// Quote amount executed (price scale + qty scale).
    pub quote: i128,
    /// Fee charged on it (account scale, positive: charged).
    pub fee: i128,
    /// True when the order was the maker (it rested and a quote crossed it).
    pub maker: bool,
}

/// OKX's `state` of `o`.
pub(crate) fn state_word(o: &MockOrder) -> &'static str {
    match o.state {
        State::Open if o.executed > 0 => "partially_filled",
        State::Open => "live",
        State::Filled => "filled",
        State::Expired | State::Canceled => "canceled",
    }
}

/// Whether `o` will change no more (`filled` or `canceled`).
pub(crate) fn is_final(o: &MockOrder) -> bool {
    o.state != State::Open
}

/// A fee as OKX reports it: negative when charged, `"0"` when none.
fn fee_text(fee: i128, s: Scales) -> String {
    if fee == 0 {
        "0".to_owned()
    } else {
        wide(-fee, quote_scale(s))
    }
}

/// The `orders` push of `o` under the subscription `arg` (raw JSON object, `uid` included), with
/// the `trade` this change is, if any, at `now_ms`.
pub(crate) fn order(
    arg: &str,
    o: &MockOrder,
    trade: Option<Trade>,
    s: Scales,
    now_ms: u64,
) -> String {
    let avg = match o.executed {
        0 => "0".to_owned(),
        n => dec(i64::try_from(o.quote / i128::from(n)).unwrap_or(0), s.price),
    };
    let (trade_id, fill_px, fill_sz, fill_time, fill_fee, fill_ccy, exec) = match trade {
        Some(t) if t.qty > 0 => (
            t.id.to_string(),
            dec(
                i64::try_from(t.quote / i128::from(t.qty)).unwrap_or(0),
                s.price,
            ),
            dec(t.qty, s.qty),
            now_ms.to_string(),
            fee_text(t.fee, s),
            o.fee_asset.clone(),
            if t.maker { "M" } else { "T" },
        ),
        _ => (
            String::new(),
            String::new(),
            "0".to_owned(),
            String::new(),
            "0".to_owned(),
            String::new(),
            "",
        ),
    };
    let mut d = String::with_capacity(1024);
    let _ = write!(
        d,
        r#"{{"accFillSz":"{}","algoClOrdId":"","algoId":"","amendResult":"","amendSource":"","avgPx":"{avg}","cancelSource":"{}","category":"normal","ccy":"","clOrdId":{},"code":"0","cTime":"{}","execType":"{exec}","fee":"{}","feeCcy":{},"fillFee":"{fill_fee}","fillFeeCcy":{},"fillNotionalUsd":"","fillPx":"{fill_px}","fillSz":"{fill_sz}","fillPnl":"0","fillTime":"{fill_time}","instId":{},"instType":"SPOT","lever":"0","msg":"","notionalUsd":"","ordId":"{}","ordType":"{}","pnl":"0","posSide":"","px":"{}","pxUsd":"","pxVol":"","pxType":"","quickMgnType":"","rebate":"0","rebateCcy":"","reduceOnly":"false","reqId":"","side":"{}","source":"","state":"{}","stpId":"","stpMode":"cancel_maker","sz":"{}","tag":"","tdMode":"cash","tgtCcy":"","tradeId":"{trade_id}","uTime":"{}"}}"#,
        dec(o.executed, s.qty),
        match o.state {
            State::Canceled => "1",
            State::Expired => "0",
            _ => "",
        },
        string(o.client_id.as_deref().unwrap_or("")),
        o.created_ms,
        fee_text(o.fee, s),
        string(&o.fee_asset),
        string(&fill_ccy),
        string(&o.symbol),
        o.order_id,
        if o.tif == Tif::Ioc { "ioc" } else { "limit" },
        dec(o.px, s.price),
        if o.buy { "buy" } else { "sell" },
        state_word(o),
        dec(o.qty, s.qty),
        o.updated_ms,
    );
    format!(r#"{{"arg":{arg},"data":[{d}]}}"#)
}

/// The `account` push of `balances` (amounts at `scale` decimals) under the subscription `arg`
/// (raw JSON object, `uid` included) at `now_ms`, one `details[]` entry each; `snapshot`: the
/// push that follows the subscription (`eventType` `snapshot`, one page), else an
/// `event_update`. Which currencies (all, the ones a change moved, the subscription's `ccy`) is
/// the caller's choice.
pub(crate) fn account<'a>(
    arg: &str,
    balances: impl Iterator<Item = (&'a str, Balance)>,
    scale: u32,
    snapshot: bool,
    now_ms: u64,
) -> String {
    let mut details = String::new();
    for (ccy, b) in balances {
        if !details.is_empty() {
            details.push(',');
        }
        let (free, frozen) = (amount(b.free, scale), amount(b.locked, scale));
        let total = amount(b.free + b.locked, scale);
        let _ = write!(
            details,
            r#"{{"availBal":"{free}","availEq":"{free}","cashBal":"{total}","ccy":{},"crossLiab":"","disEq":"","eq":"{total}","eqUsd":"","fixedBal":"0","frozenBal":"{frozen}","interest":"","isoEq":"","isoLiab":"","liab":"","maxLoan":"","mgnRatio":"","notionalLever":"","ordFrozen":"{frozen}","upl":"","uplLiab":"","uTime":"{now_ms}"}}"#,
            string(ccy)
        );
    }
    let event = if snapshot {
        r#""eventType":"snapshot","curPage":1,"lastPage":true"#
    } else {
        r#""eventType":"event_update""#
    };
    format!(
        r#"{{"arg":{arg},{event},"data":[{{"adjEq":"","imr":"","isoEq":"","mgnRatio":"","mmr":"","notionalUsd":"","ordFroz":"","totalEq":"","uTime":"{now_ms}","details":[{details}]}}]}}"#
    )
}
