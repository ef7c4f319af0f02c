//! The frames Upbit's private stream pushes, written from the field tables and examples of
//! docs.upbit.com "내 주문 및 체결 (MyOrder)" and global-docs "My Asset" (numbers are `Double`s,
//! written as JSON numbers; abbreviated keys for `SIMPLE`):
//!
//! - `myOrder`, one per [`OrderEvent`]: `state` `wait` (accepted), `trade` (one execution:
//!   `price` / `volume` are the trade's, with `trade_uuid`, `trade_fee`, `is_maker`,
//!   `trade_timestamp`), `done` (fully executed) or `cancel` (cancelled, or an IOC remainder
//!   expired); `price` / `volume` otherwise the order's. `avg_price`, `executed_volume`,
//!   `executed_funds`, `paid_fee`, `trades_count` are the order's totals so far. `reserved_fee`,
//!   `remaining_fee` and `locked` match the REST side's order object (the mock reserves no fee).
//! - `myAsset`: `assets[]` of `{currency, balance, locked}`, `asset_uuid`, `asset_timestamp`,
//!   `timestamp`, `stream_type` `REALTIME`.

use std::fmt::Write;

use super::super::account::Balance;
use super::super::book::{MockOrder, State, Tif};
use super::super::dialect::{amount, avg_px, dec, esc};
use super::super::order_events::OrderEvent;
use super::super::private_hub::PrivateUpdate;
use super::super::upbit::uuid;
use super::request::Format;
use crate::format::Scales;

/// A JSON object written key by key, full or abbreviated keys.
struct Obj {
    out: String,
    simple: bool,
}

impl Obj {
    fn new(simple: bool) -> Obj {
        Obj {
            out: String::with_capacity(768),
            simple,
        }
    }

    /// A member whose value is raw JSON (a number, `null`, `true`).
    fn raw(&mut self, long: &str, short: &str, value: &str) {
        self.out.push(if self.out.is_empty() { '{' } else { ',' });
        let _ = write!(
            self.out,
            r#""{}":{value}"#,
            if self.simple { short } else { long }
        );
    }

    /// A string member.
    fn text(&mut self, long: &str, short: &str, value: &str) {
        self.raw(long, short, &format!(r#""{}""#, esc(value)));
    }

    fn finish(mut self, format: Format) -> String {
        self.out.push('}');
        if format.list() {
            format!("[{}]", self.out)
        } else {
            self.out
        }
    }
}

/// Upbit's id of the `n`-th execution of order `id`.
pub(crate) fn trade_uuid(id: u64, n: u32) -> String {
    format!("00000000-0000-4000-9000-{:06}{n:06}", id % 1_000_000)
}

fn state_word(e: &OrderEvent) -> &'static str {
    match e {
        OrderEvent::Accepted(_) => "wait",
        OrderEvent::Trade(_) => "trade",
        OrderEvent::Closed(o) if o.state == State::Filled => "done",
        OrderEvent::Closed(_) => "cancel",
    }
}

/// What `o` holds locked: a buy its remaining quote, a sell its remaining base; nothing closed.
fn locked(o: &MockOrder, s: Scales, qs: u32) -> String {
    if o.state != State::Open {
        return "0".to_owned();
    }
    let rest = o.qty - o.executed;
    if o.buy {
        amount(i128::from(rest) * i128::from(o.px), qs)
    } else {
        dec(rest, s.qty)
    }
}

/// The `myOrder` frame of `e`, one of `u`'s events, at the instruments' `scales`.
pub(crate) fn my_order(e: &OrderEvent, u: &PrivateUpdate, s: Scales, format: Format) -> String {
    let o = e.order();
    let qs = u.account_scale;
    let trade = match e {
        OrderEvent::Trade(t) => Some(t),
        _ => None,
    };
    let (price, volume) = match trade {
        Some(t) if t.qty > 0 => {
            let px = i64::try_from(t.quote / i128::from(t.qty)).unwrap_or(0);
            (dec(px, s.price), dec(t.qty, s.qty))
        }
        _ => (dec(o.px, s.price), dec(o.qty, s.qty)),
    };
    let null = || "null".to_owned();
    let mut j = Obj::new(format.simple());
    j.text("type", "ty", "myOrder");
    j.text("code", "cd", &o.symbol);
    j.text("uuid", "uid", &uuid(o.order_id));
    j.text("ask_bid", "ab", if o.buy { "BID" } else { "ASK" });
    j.text("order_type", "ot", "limit");
    j.text("state", "s", state_word(e));
    match trade {
        Some(_) => j.text("trade_uuid", "tuid", &trade_uuid(o.order_id, o.trades)),
        None => j.raw("trade_uuid", "tuid", "null"),
    }
    j.raw("price", "p", &price);
    j.raw("avg_price", "ap", &dec(avg_px(o).unwrap_or(0), s.price));
    j.raw("volume", "v", &volume);
    j.raw("remaining_volume", "rv", &dec(o.qty - o.executed, s.qty));
    j.raw("executed_volume", "ev", &dec(o.executed, s.qty));
    j.raw("trades_count", "tc", &o.trades.to_string());
    j.raw("reserved_fee", "rsf", "0");
    j.raw("remaining_fee", "rmf", "0");
    j.raw("paid_fee", "pf", &amount(o.fee, qs));
    j.raw("locked", "l", &locked(o, s, qs));
    j.raw("executed_funds", "ef", &amount(o.quote, qs));
    match o.tif {
        Tif::Ioc => j.text("time_in_force", "tif", "ioc"),
        Tif::Gtc => j.raw("time_in_force", "tif", "null"),
    }
    j.raw(
        "trade_fee",
        "tf",
        &trade.map_or_else(null, |t| amount(t.fee, qs)),
    );
    j.raw(
        "is_maker",
        "im",
        &trade.map_or_else(null, |t| t.maker.to_string()),
    );
    match &o.client_id {
        Some(c) => j.text("identifier", "id", c),
        None => j.raw("identifier", "id", "null"),
    }
    j.raw("smp_type", "smpt", "null");
    j.raw("prevented_volume", "pv", "0");
    j.raw("prevented_locked", "pl", "0");
    j.raw(
        "trade_timestamp",
        "ttms",
        &trade.map_or_else(null, |_| u.now_ms.to_string()),
    );
    j.raw("order_timestamp", "otms", &o.created_ms.to_string());
    j.raw("timestamp", "tms", &u.now_ms.to_string());
    j.text("stream_type", "st", "REALTIME");
    j.finish(format)
}

/// The `myAsset` frame of `u`'s balances (`seq`: the mock's count of asset frames, its
/// `asset_uuid`).
pub(crate) fn my_asset(u: &PrivateUpdate, seq: u64, format: Format) -> String {
    let simple = format.simple();
    let mut list = String::from("[");
    for (i, (currency, b)) in u.assets.iter().enumerate() {
        let Balance { free, locked } = *b;
        if i > 0 {
            list.push(',');
        }
        let (c, bal, l) = if simple {
            ("cu", "b", "l")
        } else {
            ("currency", "balance", "locked")
        };
        let _ = write!(
            list,
            r#"{{"{c}":"{}","{bal}":{},"{l}":{}}}"#,
            esc(currency),
            amount(free, u.account_scale),
            amount(locked, u.account_scale)
        );
    }
    list.push(']');
    let mut j = Obj::new(simple);
    j.text("type", "ty", "myAsset");
    j.text(
        "asset_uuid",
        "astuid",
        &format!("00000000-0000-4000-a000-{:012}", seq % 1_000_000_000_000),
    );
    j.raw("assets", "ast", &list);
    j.raw("asset_timestamp", "asttms", &u.now_ms.to_string());
    j.raw("timestamp", "tms", &u.now_ms.to_string());
    j.text("stream_type", "st", "REALTIME");
    j.finish(format)
}

#[cfg(test)]
mod tests {
    use super::super::super::order_events::TradeEvent;
    use super::*;
    use serde_json::Value;

    fn order() -> MockOrder {
        MockOrder {
            order_id: 7,
            client_id: Some("ma42".into()),
            symbol: "KRW-BTC".into(),
            buy: true,
            px: 95_000_000,
            qty: 100_000,
            executed: 50_000,
            quote: 50_000 * 95_000_000,
            tif: Tif::Gtc,
            state: State::Open,
            created_ms: 1_710_751_590_000,
            updated_ms: 1_710_751_590_421,
            fee: 0,
            fee_asset: String::new(),
            trades: 1,
        }
    }

    fn update(e: OrderEvent) -> PrivateUpdate {
        PrivateUpdate {
            events: vec![e],
            assets: vec![(
                "KRW".into(),
                Balance {
                    free: 206_183_235_000_000,
                    locked: 382_412_730_000_000,
                },
            )],
            account_scale: 8,
            now_ms: 1_710_751_597_500,
        }
    }

    const S: Scales = Scales { price: 0, qty: 8 };

    #[test]
    fn trade_frame_has_the_documented_fields() {
        let e = OrderEvent::Trade(TradeEvent {
            order: order(),
            qty: 50_000,
            quote: 50_000 * 95_000_000,
            fee: 2_375_000_000,
            maker: false,
        });
        let u = update(e.clone());
        let v: Value = serde_json::from_str(&my_order(&e, &u, S, Format::Default)).unwrap();
        // Every key of the docs' DEFAULT example, in its order.
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let documented = "type code uuid ask_bid order_type state trade_uuid price avg_price volume remaining_volume executed_volume trades_count reserved_fee remaining_fee paid_fee locked executed_funds time_in_force trade_fee is_maker identifier smp_type prevented_volume prevented_locked trade_timestamp order_timestamp timestamp stream_type";
        let mut sorted: Vec<&str> = documented.split(' ').collect();
        sorted.sort_unstable();
        assert_eq!(keys, sorted, "serde_json sorts keys");
        assert_eq!(v["state"], "trade");
        assert_eq!(v["ask_bid"], "BID");
        assert_eq!(v["price"].as_f64(), Some(95_000_000.0));
        assert_eq!(v["volume"].as_f64(), Some(0.0005));
        assert_eq!(v["remaining_volume"].as_f64(), Some(0.0005));
        assert_eq!(v["executed_funds"].as_f64(), Some(47_500.0));
        assert_eq!(v["trade_fee"].as_f64(), Some(23.75));
        assert_eq!(v["is_maker"], false);
        assert_eq!(v["identifier"], "ma42");
        assert_eq!(v["trade_timestamp"], 1_710_751_597_500u64);
        assert_eq!(v["stream_type"], "REALTIME");
        let simple: Value = serde_json::from_str(&my_order(&e, &u, S, Format::SimpleList)).unwrap();
        let simple = &simple[0];
        assert_eq!(
            (simple["ty"].as_str(), simple["s"].as_str()),
            (Some("myOrder"), Some("trade"))
        );
        assert_eq!(simple["ev"].as_f64(), Some(0.0005));
        assert_eq!(simple["tf"].as_f64(), Some(23.75));
    }

    #[test]
    fn wait_and_done_frames_carry_no_trade() {
        let mut o = order();
        o.executed = 0;
        o.quote = 0;
        o.trades = 0;
        let e = OrderEvent::Accepted(o.clone());
        let v: Value =
            serde_json::from_str(&my_order(&e, &update(e.clone()), S, Format::Default)).unwrap();
        assert_eq!(v["state"], "wait");
        assert!(v["trade_uuid"].is_null() && v["trade_fee"].is_null() && v["is_maker"].is_null());
        assert_eq!(v["volume"].as_f64(), Some(0.001));
        assert_eq!(v["locked"].as_f64(), Some(95_000.0));
        let mut done = order();
        done.executed = done.qty;
        done.quote = i128::from(done.qty) * 95_000_000;
        done.state = State::Filled;
        let e = OrderEvent::Closed(done);
        let v: Value =
            serde_json::from_str(&my_order(&e, &update(e.clone()), S, Format::Default)).unwrap();
        assert_eq!(v["state"], "done");
        assert_eq!(v["executed_volume"].as_f64(), Some(0.001));
        assert_eq!(v["avg_price"].as_f64(), Some(95_000_000.0));
        assert_eq!(v["locked"].as_f64(), Some(0.0));
    }

    #[test]
    fn asset_frame() {
        let u = update(OrderEvent::Accepted(order()));
        let v: Value = serde_json::from_str(&my_asset(&u, 3, Format::Default)).unwrap();
        assert_eq!(v["type"], "myAsset");
        assert_eq!(v["assets"][0]["currency"], "KRW");
        assert_eq!(v["assets"][0]["balance"].as_f64(), Some(2_061_832.35));
        assert_eq!(v["assets"][0]["locked"].as_f64(), Some(3_824_127.3));
        assert_eq!(v["stream_type"], "REALTIME");
        let v: Value = serde_json::from_str(&my_asset(&u, 3, Format::Simple)).unwrap();
        assert_eq!(v["ast"][0]["cu"], "KRW");
        assert!(v["asttms"].is_u64());
    }
}
