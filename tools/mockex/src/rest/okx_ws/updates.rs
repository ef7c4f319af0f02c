//! The pushes one ledger update makes on one session (OKX API v5 docs "WS / Order channel":
//! "Retrieve order information ... Data will be pushed when triggered by events such as placing
//! order, canceling order, filling order", for every order of the account whichever way it was
//! placed; "Account channel": pushed "when triggered by events such as placing order, canceling
//! order, transaction execution").
//!
//! Each update is what one placement, cancel or crossing quote did to the venue's orders
//! (`private_hub`, the one source of order events the REST side, every WebSocket session and
//! the quote thread publish into), so an order placed over REST, on another session or on this
//! one is pushed the same way, once per change:
//!
//! - an acceptance as `live`, unless the same update goes on with the order (what happens on
//!   arrival is pushed as the one state it leaves the order in: the mock's reading, OKX documents
//!   no separate `live` push before a fill on arrival);
//! - an execution with that trade's `tradeId` / `fillPx` / `fillSz` / `fillFee` and the order's
//!   state after it (`partially_filled`, `filled`, or `canceled` for an IOC whose remainder
//!   expired);
//! - a close as `canceled` / `filled`, unless the execution just before it already showed that
//!   final state;
//! - every final state twice under [`OkxWsConfig::duplicate_final_pushes`](crate::OkxWsConfig).
//!
//! Then one `account` `event_update` with the currencies the update moved (or only the
//! subscription's `ccy`; nothing when that one did not move).

use serde_json::Value;

use super::super::book::MockOrder;
use super::super::order_events::OrderEvent;
use super::super::private_hub::PrivateUpdate;
use super::push::{self, Trade};
use crate::format::Scales;

/// The instrument types whose `orders` subscription the mock's spot orders are pushed to.
const SPOT_TYPES: [&str; 2] = ["SPOT", "ANY"];

/// What one session subscribed to, each arg as the client sent it with `uid` added (how the
/// pushes echo it).
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Channels {
    /// `orders` subscriptions.
    pub orders: Vec<Value>,
    /// The `account` subscription.
    pub account: Option<Value>,
}

impl Channels {
    /// The `orders` subscriptions an order on `symbol` is pushed under: spot (or `ANY`) ones
    /// naming `symbol` or no instrument.
    fn orders_of<'a>(&'a self, symbol: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.orders.iter().filter(move |arg| {
            let spot = arg
                .get("instType")
                .and_then(Value::as_str)
                .is_some_and(|t| SPOT_TYPES.contains(&t));
            let inst = arg.get("instId").and_then(Value::as_str);
            spot && inst.is_none_or(|i| i == symbol)
        })
    }
}

/// How one venue's pushes are written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PushStyle {
    /// The instruments' scales.
    pub scales: Scales,
    /// Push every final order state twice.
    pub duplicate_final: bool,
}

/// What the `orders` channel shows of event `i` of `events`: the order and the trade the push
/// reports, or `None` when the event is not pushed of its own (see the module docs).
fn shown(events: &[OrderEvent], i: usize) -> Option<(&MockOrder, Option<Trade>)> {
    let same = |e: &OrderEvent, o: &MockOrder| e.order().order_id == o.order_id;
    match &events[i] {
        OrderEvent::Accepted(o) => {
            let goes_on = events[i + 1..].iter().any(|e| same(e, o));
            (!goes_on).then_some((o, None))
        }
        OrderEvent::Trade(t) => {
            let o = &t.order;
            let trade = Trade {
                id: o
                    .order_id
                    .wrapping_mul(1000)
                    .wrapping_add(u64::from(o.trades)),
                qty: t.qty,
                quote: t.quote,
                fee: t.fee,
                maker: t.maker,
            };
            Some((o, Some(trade)))
        }
        OrderEvent::Closed(o) => {
            let before = events[..i].iter().rev().find(|e| same(e, o));
            let already = before
                .is_some_and(|e| matches!(e, OrderEvent::Trade(_)) && e.order().state == o.state);
            (!already).then_some((o, None))
        }
    }
}

/// The frames `u` makes on a session subscribed to `ch`, in the order they are sent.
pub(crate) fn frames(u: &PrivateUpdate, ch: &Channels, st: &PushStyle) -> Vec<String> {
    let mut out = Vec::new();
    if !ch.orders.is_empty() {
        for i in 0..u.events.len() {
            let Some((o, trade)) = shown(&u.events, i) else {
                continue;
            };
            let copies = if push::is_final(o) && st.duplicate_final {
                2
            } else {
                1
            };
            for arg in ch.orders_of(&o.symbol) {
                let f = push::order(&arg.to_string(), o, trade, st.scales, u.now_ms);
                for _ in 1..copies {
                    out.push(f.clone());
                }
                out.push(f);
            }
        }
    }
    if let Some(arg) = &ch.account {
        let ccy = arg.get("ccy").and_then(Value::as_str);
        let moved = || {
            u.assets
                .iter()
                .filter(move |(name, _)| ccy.is_none_or(|c| c == name))
                .map(|(name, b)| (name.as_str(), *b))
        };
        if moved().next().is_some() {
            out.push(push::account(
                &arg.to_string(),
                moved(),
                u.account_scale,
                false,
                u.now_ms,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::super::account::Balance;
    use super::super::super::book::{State, Tif};
    use super::super::super::order_events::{as_accepted, TradeEvent};
    use super::*;

    const S: Scales = Scales { price: 2, qty: 0 };

    fn order(id: u64, state: State, executed: i64) -> MockOrder {
        MockOrder {
            order_id: id,
            client_id: Some(format!("c{id}")),
            symbol: "BTC-USDT".into(),
            buy: true,
            px: 10_000,
            qty: 3,
            executed,
            quote: i128::from(executed) * 9_900,
            tif: Tif::Ioc,
            state,
            created_ms: 1,
            updated_ms: 2,
            fee: 0,
            fee_asset: "BTC".into(),
            trades: u32::from(executed > 0),
        }
    }

    fn update(events: Vec<OrderEvent>) -> PrivateUpdate {
        PrivateUpdate {
            events,
            assets: vec![
                ("USDT".into(), Balance { free: 5, locked: 0 }),
                ("BTC".into(), Balance { free: 3, locked: 0 }),
            ],
            account_scale: 2,
            now_ms: 9,
        }
    }

    fn channels(account: Value) -> Channels {
        Channels {
            orders: vec![serde_json::json!({"channel":"orders","instType":"SPOT","uid":"1"})],
            account: Some(account),
        }
    }

    fn json(f: &str) -> Value {
        serde_json::from_str(f).unwrap()
    }

    fn style(duplicate_final: bool) -> PushStyle {
        PushStyle {
            scales: S,
            duplicate_final,
        }
    }

    /// An IOC filled on arrival: accepted, traded, closed.
    fn filled_on_arrival() -> PrivateUpdate {
        let done = order(4, State::Filled, 3);
        update(vec![
            OrderEvent::Accepted(as_accepted(&done)),
            OrderEvent::Trade(TradeEvent {
                order: done.clone(),
                qty: 3,
                quote: 29_700,
                fee: 1,
                maker: false,
            }),
            OrderEvent::Closed(done),
        ])
    }

    #[test]
    fn a_fill_on_arrival_is_one_filled_push_then_the_balances() {
        let ch = channels(serde_json::json!({"channel":"account","uid":"1"}));
        let f = frames(&filled_on_arrival(), &ch, &style(false));
        assert_eq!(f.len(), 2, "{f:?}");
        let o = json(&f[0]);
        let d = &o["data"][0];
        assert_eq!(
            (
                d["state"].as_str(),
                d["fillSz"].as_str(),
                d["tradeId"].as_str()
            ),
            (Some("filled"), Some("3"), Some("4001"))
        );
        assert_eq!(
            (d["fillTime"].as_str(), d["execType"].as_str()),
            (Some("9"), Some("T"))
        );
        let a = json(&f[1]);
        assert_eq!(a["eventType"], "event_update");
        let ccys: Vec<&str> = a["data"][0]["details"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["ccy"].as_str())
            .collect();
        assert_eq!(ccys, ["USDT", "BTC"]);
        let twice = frames(&filled_on_arrival(), &ch, &style(true));
        assert_eq!((twice.len(), twice[0] == twice[1]), (3, true));
    }

    #[test]
    fn resting_orders_show_each_change() {
        let ch = channels(serde_json::json!({"channel":"account","ccy":"ETH","uid":"1"}));
        let rest = order(5, State::Open, 0);
        let live = frames(&update(vec![OrderEvent::Accepted(rest)]), &ch, &style(true));
        assert_eq!(live.len(), 1, "no ETH moved: no account push: {live:?}");
        assert_eq!(json(&live[0])["data"][0]["state"], "live");
        let part = order(5, State::Open, 1);
        let trade = OrderEvent::Trade(TradeEvent {
            order: part.clone(),
            qty: 1,
            quote: 9_900,
            fee: 0,
            maker: true,
        });
        let p = frames(&update(vec![trade]), &ch, &style(true));
        let d = json(&p[0]);
        assert_eq!(
            (
                d["data"][0]["state"].as_str(),
                d["data"][0]["execType"].as_str()
            ),
            (Some("partially_filled"), Some("M"))
        );
        let gone = order(5, State::Canceled, 1);
        let c = frames(&update(vec![OrderEvent::Closed(gone)]), &ch, &style(true));
        assert_eq!(c.len(), 2, "the final twice");
        assert_eq!(json(&c[0])["data"][0]["state"], "canceled");
    }

    #[test]
    fn only_matching_subscriptions_get_orders() {
        let mut ch = Channels {
            orders: vec![
                serde_json::json!({"channel":"orders","instType":"SPOT","instId":"ETH-USDT"}),
            ],
            account: None,
        };
        assert!(frames(&filled_on_arrival(), &ch, &style(false)).is_empty());
        ch.orders
            .push(serde_json::json!({"channel":"orders","instType":"SWAP"}));
        assert!(frames(&filled_on_arrival(), &ch, &style(false)).is_empty());
        ch.orders
            .push(serde_json::json!({"channel":"orders","instType":"ANY","instId":"BTC-USDT"}));
        assert_eq!(frames(&filled_on_arrival(), &ch, &style(false)).len(), 1);
    }
}
