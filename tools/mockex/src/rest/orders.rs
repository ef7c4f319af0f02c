//! The mock exchange's order side: IOC limit orders filled against the venue's latest synthetic
//! top of book (the same quotes its WebSocket feed sends), remembered by client order id for
//! status queries, and written back in the venue's JSON.
//!
//! Matching: a buy at limit `p` takes `min(qty, ask size)` at the ask when `ask <= p`; a sell takes
//! `min(qty, bid size)` at the bid when `bid >= p`; the rest expires (IOC). With no quote yet,
//! nothing executes. Displayed size is not depleted: each order sees the latest quote as sent.
//!
//! Answers: Binance `newOrderRespType=RESULT` (`status` `FILLED` / `EXPIRED`, `executedQty`,
//! `cummulativeQuoteQty`), the same object for `GET /api/v3/order`; Upbit's order object
//! (`state` `done` / `cancel`, `executed_volume`, `executed_funds`), final at once (the mock
//! matches before it answers, so it never says `wait`).

use std::collections::HashMap;
use std::fmt::Write;

use crate::decimal::{decimal_string, parse_decimal, Scale};
use crate::market::SimQuote;
use crate::venue_kind::VenueKind;

/// One order the mock has taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MockOrder {
    /// Exchange order id (1, 2, ... per venue).
    pub order_id: u64,
    /// Client id (`newClientOrderId` / `identifier`).
    pub client_id: String,
    /// Symbol as sent.
    pub symbol: String,
    /// True for a buy (`BUY` / `bid`).
    pub buy: bool,
    /// Limit price mantissa.
    pub px: i64,
    /// Quantity mantissa.
    pub qty: i64,
    /// Executed quantity mantissa.
    pub executed: i64,
    /// Executed quote amount, mantissa at price scale + qty scale.
    pub quote: i128,
    /// Unix ms of the match.
    pub time_ms: u64,
}

/// Why an order's parameters were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrderError {
    /// A parameter is missing or malformed (Binance -1102 / -1100).
    Param(&'static str),
    /// Not the venue's symbol (Binance -1121).
    Symbol,
    /// The client id was used before (Binance -2010 "Duplicate order sent.").
    Duplicate,
}

/// Parsed order parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewOrder {
    /// Symbol.
    pub symbol: String,
    /// Buy side.
    pub buy: bool,
    /// Limit price mantissa.
    pub px: i64,
    /// Quantity mantissa.
    pub qty: i64,
    /// Client id.
    pub client_id: String,
}

/// Read a venue's order parameters with `get(name)` at the given scales.
pub(crate) fn parse_new_order<'a>(
    kind: VenueKind,
    get: impl Fn(&str) -> Option<&'a [u8]>,
    price_scale: Scale,
    qty_scale: Scale,
) -> Result<NewOrder, OrderError> {
    let text = |k: &'static str| {
        get(k)
            .and_then(|v| std::str::from_utf8(v).ok())
            .filter(|v| !v.is_empty())
            .ok_or(OrderError::Param(k))
    };
    let (sym_k, side_k, qty_k, id_k, buy_w, sell_w, type_k, type_w) = match kind {
        VenueKind::Upbit => (
            "market",
            "side",
            "volume",
            "identifier",
            "bid",
            "ask",
            "ord_type",
            "limit",
        ),
        _ => (
            "symbol",
            "side",
            "quantity",
            "newClientOrderId",
            "BUY",
            "SELL",
            "type",
            "LIMIT",
        ),
    };
    let buy = match text(side_k)? {
        s if s == buy_w => true,
        s if s == sell_w => false,
        _ => return Err(OrderError::Param("side")),
    };
    if text(type_k)? != type_w {
        return Err(OrderError::Param("type"));
    }
    let dec = |k: &'static str, scale| {
        let v = parse_decimal(text(k)?.as_bytes(), scale).ok_or(OrderError::Param(k))?;
        if v <= 0 {
            return Err(OrderError::Param(k));
        }
        Ok(v)
    };
    Ok(NewOrder {
        symbol: text(sym_k)?.to_owned(),
        buy,
        px: dec("price", price_scale)?,
        qty: dec(qty_k, qty_scale)?,
        client_id: text(id_k)?.to_owned(),
    })
}

/// One venue's orders.
#[derive(Debug, Default)]
pub(crate) struct OrderBook {
    orders: HashMap<String, MockOrder>,
    next_id: u64,
}

impl OrderBook {
    /// Match `o` against `top` (the venue's latest quote) and remember it.
    pub fn place(
        &mut self,
        o: NewOrder,
        top: Option<SimQuote>,
        time_ms: u64,
    ) -> Result<MockOrder, OrderError> {
        if self.orders.contains_key(&o.client_id) {
            return Err(OrderError::Duplicate);
        }
        let (executed, at) = match top {
            Some(q) if o.buy && q.ask_px > 0 && q.ask_px <= o.px => {
                (o.qty.min(q.ask_qty), q.ask_px)
            }
            Some(q) if !o.buy && q.bid_px > 0 && q.bid_px >= o.px => {
                (o.qty.min(q.bid_qty), q.bid_px)
            }
            _ => (0, 0),
        };
        let executed = executed.max(0);
        self.next_id += 1;
        let m = MockOrder {
            order_id: self.next_id,
            client_id: o.client_id.clone(),
            symbol: o.symbol,
            buy: o.buy,
            px: o.px,
            qty: o.qty,
            executed,
            quote: i128::from(executed) * i128::from(at),
            time_ms,
        };
        self.orders.insert(o.client_id, m.clone());
        Ok(m)
    }

    /// The order with client id `id`.
    pub fn get(&self, id: &str) -> Option<&MockOrder> {
        self.orders.get(id)
    }
}

/// `m` at `scale` decimals as text.
fn dec(m: i64, scale: Scale) -> String {
    decimal_string(m, scale)
}

/// `v` (non-negative) at `scale` decimals, for the wide quote amount.
fn format_wide(v: i128, scale: u32) -> String {
    let d = 10i128.pow(scale);
    if scale == 0 {
        return v.to_string();
    }
    format!("{}.{:0width$}", v / d, v % d, width = scale as usize)
}

/// The order as the venue's JSON object.
pub(crate) fn order_json(kind: VenueKind, o: &MockOrder, ps: Scale, qs: Scale) -> String {
    let px = dec(o.px, ps);
    let qty = dec(o.qty, qs);
    let exec = dec(o.executed, qs);
    let quote = format_wide(o.quote, u32::from(ps) + u32::from(qs));
    let mut s = String::with_capacity(400);
    match kind {
        VenueKind::Upbit => {
            let state = if o.executed > 0 { "done" } else { "cancel" };
            let rem = dec(o.qty - o.executed, qs);
            let _ = write!(
                s,
                r#"{{"uuid":"00000000-0000-4000-8000-{:012}","side":"{}","ord_type":"limit","price":"{px}","state":"{state}","market":"{}","created_at":"{}","volume":"{qty}","remaining_volume":"{rem}","reserved_fee":"0","remaining_fee":"0","paid_fee":"0","locked":"0","executed_volume":"{exec}","executed_funds":"{quote}","trades_count":{},"identifier":"{}","time_in_force":"ioc"}}"#,
                o.order_id,
                if o.buy { "bid" } else { "ask" },
                o.symbol,
                o.time_ms,
                u32::from(o.executed > 0),
                o.client_id
            );
        }
        _ => {
            let status = if o.executed > 0 && o.executed == o.qty {
                "FILLED"
            } else {
                "EXPIRED"
            };
            let _ = write!(
                s,
                r#"{{"symbol":"{}","orderId":{},"orderListId":-1,"clientOrderId":"{}","transactTime":{},"price":"{px}","origQty":"{qty}","executedQty":"{exec}","cummulativeQuoteQty":"{quote}","status":"{status}","timeInForce":"IOC","type":"LIMIT","side":"{}"}}"#,
                o.symbol,
                o.order_id,
                o.client_id,
                o.time_ms,
                if o.buy { "BUY" } else { "SELL" }
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top() -> SimQuote {
        SimQuote {
            venue: 0,
            seq: 1,
            bid_px: 10_000,
            bid_qty: 5,
            ask_px: 10_100,
            ask_qty: 3,
            dislocated: false,
        }
    }

    fn new(buy: bool, px: i64, qty: i64, id: &str) -> NewOrder {
        NewOrder {
            symbol: "BTCUSDT".into(),
            buy,
            px,
            qty,
            client_id: id.into(),
        }
    }

    #[test]
    fn ioc_matching() {
        let mut b = OrderBook::default();
        let m = b.place(new(true, 10_100, 2, "a"), Some(top()), 1).unwrap();
        assert_eq!((m.executed, m.quote), (2, 2 * 10_100));
        let m = b.place(new(true, 10_100, 9, "b"), Some(top()), 1).unwrap();
        assert_eq!(m.executed, 3, "capped at displayed size");
        let m = b.place(new(true, 10_099, 1, "c"), Some(top()), 1).unwrap();
        assert_eq!(m.executed, 0, "limit below the ask");
        let m = b.place(new(false, 99_00, 1, "d"), Some(top()), 1).unwrap();
        assert_eq!((m.executed, m.quote), (1, 10_000));
        let m = b.place(new(false, 1, 1, "e"), None, 1).unwrap();
        assert_eq!(m.executed, 0, "no quote yet");
        assert_eq!(
            b.place(new(true, 1, 1, "a"), None, 1),
            Err(OrderError::Duplicate)
        );
        assert_eq!(b.get("d").unwrap().executed, 1);
    }

    #[test]
    fn json_reads_back() {
        let mut b = OrderBook::default();
        let m = b.place(new(true, 10_100, 2, "a"), Some(top()), 1).unwrap();
        let j: serde_json::Value =
            serde_json::from_str(&order_json(VenueKind::Binance, &m, 2, 0)).unwrap();
        assert_eq!(j["status"], "FILLED");
        assert_eq!(j["cummulativeQuoteQty"], "202.00");
        let j: serde_json::Value =
            serde_json::from_str(&order_json(VenueKind::Upbit, &m, 2, 0)).unwrap();
        assert_eq!(
            (j["state"].as_str(), j["executed_volume"].as_str()),
            (Some("done"), Some("2"))
        );
        let get = |k: &str| match k {
            "market" => Some(&b"KRW-BTC"[..]),
            "side" => Some(&b"ask"[..]),
            "volume" => Some(&b"0.5"[..]),
            "price" => Some(&b"100.25"[..]),
            "ord_type" => Some(&b"limit"[..]),
            "identifier" => Some(&b"x1"[..]),
            _ => None,
        };
        let o = parse_new_order(VenueKind::Upbit, get, 2, 1).unwrap();
        assert_eq!((o.buy, o.px, o.qty), (false, 10_025, 5));
    }
}
