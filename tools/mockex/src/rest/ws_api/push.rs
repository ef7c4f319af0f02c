//! User-data events of a subscribed session (binance-spot-api-docs `user-data-stream.md`;
//! `userDataStream.subscribe` in `web-socket-api.md`), each in the WebSocket API's wrapper
//! `{"subscriptionId":0,"event":{...}}`:
//!
//! - `executionReport` for an order as it stands after a placement or cancel: `x` TRADE with
//!   the one execution on arrival (`l`/`L`, commission `n`/`N`) when something filled, else NEW
//!   (resting), EXPIRED (IOC, nothing filled) or CANCELED;
//! - `outboundAccountPosition` with the balances of the instrument's two assets.

use std::fmt::Write;

use super::super::account::Account;
use super::super::binance::client_order_id;
use super::super::book::{MockOrder, State, Tif};
use super::super::dialect::{avg_px, dec, fixed, quote_scale, wide};
use crate::format::Scales;

/// The subscription id every session's one subscription gets.
pub(crate) const SUBSCRIPTION_ID: u32 = 0;

fn wrap(event: &str) -> String {
    format!(r#"{{"subscriptionId":{SUBSCRIPTION_ID},"event":{event}}}"#)
}

/// The `executionReport` of `o` at `now_ms`; `cancelled`: the report of a cancel request.
pub(crate) fn execution_report(o: &MockOrder, s: Scales, now_ms: u64, cancelled: bool) -> String {
    let (exec_type, status) = match o.state {
        State::Canceled if cancelled => ("CANCELED", "CANCELED"),
        _ if o.executed > 0 => (
            "TRADE",
            if o.state == State::Open {
                "PARTIALLY_FILLED"
            } else {
                "FILLED"
            },
        ),
        State::Open => ("NEW", "NEW"),
        State::Expired => ("EXPIRED", "EXPIRED"),
        State::Canceled => ("CANCELED", "CANCELED"),
        State::Filled => ("TRADE", "FILLED"),
    };
    let traded = exec_type == "TRADE";
    let last_qty = if traded { o.executed } else { 0 };
    let last_px = if traded { avg_px(o).unwrap_or(0) } else { 0 };
    let mut e = String::with_capacity(512);
    let _ = write!(
        e,
        r#"{{"e":"executionReport","E":{now_ms},"s":"{}","c":"{}","S":"{}","o":"LIMIT","f":"{}","q":"{}","p":"{}","P":"0.00000000","F":"0.00000000","g":-1,"C":"","x":"{exec_type}","X":"{status}","r":"NONE","i":{},"l":"{}","z":"{}","L":"{}","n":"{}","N":{},"T":{},"t":{},"w":{},"m":false,"O":{},"Z":"{}","Y":"{}","Q":"0.00000000"}}"#,
        o.symbol,
        client_order_id(o),
        if o.buy { "BUY" } else { "SELL" },
        if o.tif == Tif::Ioc { "IOC" } else { "GTC" },
        dec(o.qty, s.qty),
        dec(o.px, s.price),
        o.order_id,
        dec(last_qty, s.qty),
        dec(o.executed, s.qty),
        dec(last_px, s.price),
        if traded {
            wide(o.fee, quote_scale(s))
        } else {
            "0".into()
        },
        if traded && !o.fee_asset.is_empty() {
            format!(r#""{}""#, o.fee_asset)
        } else {
            "null".into()
        },
        o.updated_ms,
        if traded { o.order_id as i64 } else { -1 },
        o.state == State::Open,
        o.created_ms,
        wide(o.quote, quote_scale(s)),
        if traded {
            wide(o.quote, quote_scale(s))
        } else {
            "0".into()
        },
    );
    wrap(&e)
}

/// The `outboundAccountPosition` of `a` at `now_ms`.
pub(crate) fn account_position(a: &Account, now_ms: u64) -> String {
    let mut list = String::new();
    for (asset, b) in a.balances() {
        if !list.is_empty() {
            list.push(',');
        }
        let _ = write!(
            list,
            r#"{{"a":"{asset}","f":"{}","l":"{}"}}"#,
            fixed(b.free, a.scale(), 8),
            fixed(b.locked, a.scale(), 8)
        );
    }
    wrap(&format!(
        r#"{{"e":"outboundAccountPosition","E":{now_ms},"u":{now_ms},"B":[{list}]}}"#
    ))
}
