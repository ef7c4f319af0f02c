//! The private stream's subscriptions and the pushes one ledger update makes
//! (bybit-exchange/docs `docs/v5/websocket/wss-authentication.mdx`, "How to Subscribe to
//! Topics", "Understanding the Subscription Response"; the topics' pages for the pushes):
//!
//! - topics `order`, `execution` (or their categorised `order.spot`, `execution.spot`) and
//!   `wallet`; an answer `{"req_id"?,"success":true,"ret_msg":"","op":"subscribe","conn_id"}`
//!   (the docs' private example), `success: false` naming a topic the mock does not serve
//!   (its text our reading).
//! - per update (what one placement, cancel or crossing quote did, `private_hub`): for each
//!   order event, an acceptance as `order` (`New`), an execution as `execution` (and as `order`
//!   while the order stays open: `PartiallyFilled`), a close as `order` (twice under
//!   [`BybitWsConfig::duplicate_final_orders`](crate::BybitWsConfig)); then one `wallet` with the
//!   balances the update moved; each only when subscribed. "There is no snapshot event given at
//!   the time when the subscription is successful": nothing is pushed for what happened before.

use serde_json::Value;

use super::super::book::State;
use super::super::order_events::OrderEvent;
use super::super::private_hub::PrivateUpdate;
use super::push;
use crate::format::Scales;

/// What one private stream subscribed to, each topic as the client spelled it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Topics {
    order: Option<&'static str>,
    execution: Option<&'static str>,
    wallet: bool,
}

impl Topics {
    /// Subscribe `name`; false for a topic the mock does not serve.
    pub fn add(&mut self, name: &str) -> bool {
        match name {
            "order" => self.order = Some("order"),
            "order.spot" => self.order = Some("order.spot"),
            "execution" => self.execution = Some("execution"),
            "execution.spot" => self.execution = Some("execution.spot"),
            "wallet" => self.wallet = true,
            _ => return false,
        }
        true
    }

    /// Unsubscribe `name`; false for a topic the mock does not serve.
    pub fn remove(&mut self, name: &str) -> bool {
        match name {
            "order" | "order.spot" => self.order = None,
            "execution" | "execution.spot" => self.execution = None,
            "wallet" => self.wallet = false,
            _ => return false,
        }
        true
    }

    /// Whether anything is subscribed.
    pub fn any(&self) -> bool {
        self.order.is_some() || self.execution.is_some() || self.wallet
    }
}

/// How the pushes of one venue are written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PushStyle {
    /// The instruments' scales.
    pub scales: Scales,
    /// The venue's fee rate, bps.
    pub fee_bps: u32,
    /// Push final `order` messages twice.
    pub duplicate_final: bool,
}

/// The pushes `u` makes for a stream subscribed to `t`; `seq` numbers the messages (their ids).
pub(crate) fn frames(u: &PrivateUpdate, t: &Topics, st: &PushStyle, seq: &mut u64) -> Vec<String> {
    let mut out = Vec::new();
    let now = u.now_ms;
    let mut next = || {
        *seq += 1;
        *seq
    };
    for e in &u.events {
        match e {
            OrderEvent::Accepted(o) => {
                if let Some(topic) = t.order {
                    out.push(push::order(o, next(), st.scales, topic, now, false));
                }
            }
            OrderEvent::Trade(x) => {
                if let Some(topic) = t.execution {
                    out.push(push::execution(
                        x,
                        next(),
                        st.scales,
                        st.fee_bps,
                        topic,
                        now,
                    ));
                }
                if let (Some(topic), State::Open) = (t.order, x.order.state) {
                    out.push(push::order(&x.order, next(), st.scales, topic, now, false));
                }
            }
            OrderEvent::Closed(o) => {
                if let Some(topic) = t.order {
                    out.push(push::order(o, next(), st.scales, topic, now, false));
                    if st.duplicate_final {
                        out.push(push::order(o, next(), st.scales, topic, now, true));
                    }
                }
            }
        }
    }
    if t.wallet && !u.assets.is_empty() {
        out.push(push::wallet(&u.assets, next(), u.account_scale, now));
    }
    out
}

/// The private stream's answer to `op`: `{"req_id"?,"success","ret_msg","op","conn_id"}`.
pub(crate) fn op_answer(
    req_id: Option<&Value>,
    success: bool,
    msg: &str,
    op: &str,
    conn_id: &str,
) -> String {
    let id = req_id
        .map(|v| format!(r#""req_id":{v},"#))
        .unwrap_or_default();
    format!(
        r#"{{{id}"success":{success},"ret_msg":{},"op":{},"conn_id":"{conn_id}"}}"#,
        Value::from(msg),
        Value::from(op)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_as_spelled() {
        let mut t = Topics::default();
        assert!(!t.any());
        assert!(t.add("order.spot") && t.add("execution") && t.add("wallet"));
        assert!(!t.add("position"));
        assert_eq!(
            (t.order, t.execution),
            (Some("order.spot"), Some("execution"))
        );
        assert!(t.remove("order") && t.remove("execution") && t.remove("wallet"));
        assert!(!t.any());
    }

    #[test]
    fn answers_read_back() {
        let v: Value = serde_json::from_str(&op_answer(
            Some(&Value::from("s1")),
            true,
            "",
            "subscribe",
            "c",
        ))
        .unwrap();
        assert_eq!(
            (v["req_id"].as_str(), v["success"].as_bool()),
            (Some("s1"), Some(true))
        );
        let v: Value =
            serde_json::from_str(&op_answer(None, false, "Invalid sign", "auth", "c")).unwrap();
        assert!(v.get("req_id").is_none());
        assert_eq!(v["ret_msg"], "Invalid sign");
    }
}
