//! One venue's orders on the mock exchange: matched against the venue's synthetic top of book
//! (the quotes its WebSocket feed sends), remembered for status queries by exchange id and by
//! client id, and, for good-till-cancel orders, resting until the quotes move through them or
//! they are cancelled.
//!
//! Matching on arrival (taker): a buy at limit `p` takes `min(open qty, ask size)` at the ask when
//! `ask <= p`; a sell takes `min(open qty, bid size)` at the bid when `bid >= p`. What is left of
//! an IOC order expires; what is left of a GTC order rests. On each later quote a resting buy
//! fills `min(open qty, ask size)` at its own price when `ask <= p` (a sell when `bid >= p`): it
//! is the maker. Displayed size is not depleted: each order sees each quote as sent. With no
//! quote yet nothing executes.

use std::collections::{BTreeSet, HashMap};

use super::answer::Refusal;
use crate::market::SimQuote;

/// How long an order lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tif {
    /// Immediate or cancel: what does not fill on arrival expires.
    Ioc,
    /// Good till cancelled: what does not fill on arrival rests on the book.
    Gtc,
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// On the book (GTC), possibly partly filled.
    Open,
    /// Fully executed.
    Filled,
    /// An IOC order's remainder expired.
    Expired,
    /// Cancelled by the client while open.
    Canceled,
}

/// One order the mock has taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MockOrder {
    /// Exchange order id (1, 2, ... per venue).
    pub order_id: u64,
    /// Client id as sent (`newClientOrderId`, `identifier`, `orderLinkId`, `clOrdId`), if any.
    pub client_id: Option<String>,
    /// Symbol as sent.
    pub symbol: String,
    /// True for a buy.
    pub buy: bool,
    /// Limit price mantissa.
    pub px: i64,
    /// Quantity mantissa.
    pub qty: i64,
    /// Executed quantity mantissa.
    pub executed: i64,
    /// Executed quote amount, mantissa at price scale + qty scale.
    pub quote: i128,
    /// Time in force.
    pub tif: Tif,
    /// Where it stands.
    pub state: State,
    /// Unix ms it arrived.
    pub created_ms: u64,
    /// Unix ms of its latest change.
    pub updated_ms: u64,
    /// Fee charged so far, at the account scale (price scale + qty scale).
    pub fee: i128,
    /// The asset the fee is charged in ("" until something executed).
    pub fee_asset: String,
    /// Executions so far (one on arrival at most, one per crossing quote while resting).
    pub trades: u32,
}

impl MockOrder {
    /// Quantity still open (0 once the order is closed).
    pub fn open_qty(&self) -> i64 {
        if self.state == State::Open {
            self.qty - self.executed
        } else {
            0
        }
    }
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
    /// Client id, when the client sent one.
    pub client_id: Option<String>,
    /// Time in force.
    pub tif: Tif,
}

/// How a request names an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OrderRef {
    /// By the exchange's order id.
    Id(u64),
    /// By the client's id.
    Client(String),
}

/// One execution: the order after it, and the quantity and quote amount it added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fill {
    /// The order after the execution.
    pub order: MockOrder,
    /// Quantity mantissa executed now.
    pub qty: i64,
    /// Quote amount executed now (price scale + qty scale).
    pub quote: i128,
}

/// One venue's orders.
#[derive(Debug, Default)]
pub(crate) struct Book {
    orders: HashMap<u64, MockOrder>,
    by_client: HashMap<String, u64>,
    open: BTreeSet<u64>,
    next_id: u64,
}

impl Book {
    /// Every order taken, oldest first (by exchange order id).
    pub fn all(&self) -> Vec<&MockOrder> {
        let mut v: Vec<&MockOrder> = self.orders.values().collect();
        v.sort_by_key(|o| o.order_id);
        v
    }

    /// Whether `client_id` was used before (a new order must not reuse it).
    pub fn has_client_id(&self, client_id: &str) -> bool {
        self.by_client.contains_key(client_id)
    }

    /// Match `o` against `top` (the venue's latest quote), rest a GTC remainder, remember it.
    pub fn place(
        &mut self,
        o: NewOrder,
        top: Option<SimQuote>,
        now_ms: u64,
    ) -> Result<MockOrder, Refusal> {
        if o.client_id
            .as_deref()
            .is_some_and(|c| self.has_client_id(c))
        {
            return Err(Refusal::Duplicate);
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
        let state = match (executed == o.qty, o.tif) {
            (true, _) => State::Filled,
            (false, Tif::Ioc) => State::Expired,
            (false, Tif::Gtc) => State::Open,
        };
        self.next_id += 1;
        let m = MockOrder {
            order_id: self.next_id,
            client_id: o.client_id,
            symbol: o.symbol,
            buy: o.buy,
            px: o.px,
            qty: o.qty,
            executed,
            quote: i128::from(executed) * i128::from(at),
            tif: o.tif,
            state,
            created_ms: now_ms,
            updated_ms: now_ms,
            fee: 0,
            fee_asset: String::new(),
            trades: u32::from(executed > 0),
        };
        if let Some(c) = &m.client_id {
            self.by_client.insert(c.clone(), m.order_id);
        }
        if state == State::Open {
            self.open.insert(m.order_id);
        }
        self.orders.insert(m.order_id, m.clone());
        Ok(m)
    }

    /// Add `fee` (account scale, in `asset`) to order `id`'s fee.
    pub fn charge(&mut self, id: u64, asset: &str, fee: i128) -> Option<MockOrder> {
        let o = self.orders.get_mut(&id)?;
        o.fee += fee;
        asset.clone_into(&mut o.fee_asset);
        Some(o.clone())
    }

    /// The order `r` names.
    pub fn get(&self, r: &OrderRef) -> Option<&MockOrder> {
        let id = match r {
            OrderRef::Id(id) => *id,
            OrderRef::Client(c) => *self.by_client.get(c)?,
        };
        self.orders.get(&id)
    }

    /// Cancel the open order `r` names: the order after it, or why not.
    pub fn cancel(&mut self, r: &OrderRef, now_ms: u64) -> Result<MockOrder, Refusal> {
        let id = self.get(r).ok_or(Refusal::NotOpen)?.order_id;
        let o = self.orders.get_mut(&id).ok_or(Refusal::NotOpen)?;
        if o.state != State::Open {
            return Err(Refusal::NotOpen);
        }
        o.state = State::Canceled;
        o.updated_ms = now_ms;
        self.open.remove(&id);
        Ok(o.clone())
    }

    /// The open orders, oldest first.
    pub fn open_orders(&self) -> Vec<&MockOrder> {
        self.open
            .iter()
            .filter_map(|id| self.orders.get(id))
            .collect()
    }

    /// The latest `n` closed orders, newest first (Bybit's `openOnly=1`).
    pub fn recent_closed(&self, n: usize) -> Vec<&MockOrder> {
        let mut closed: Vec<&MockOrder> = self
            .orders
            .values()
            .filter(|o| o.state != State::Open)
            .collect();
        closed.sort_by_key(|o| std::cmp::Reverse(o.order_id));
        closed.truncate(n);
        closed
    }

    /// True when some order rests on the book.
    pub fn has_open(&self) -> bool {
        !self.open.is_empty()
    }

    /// Fill the resting orders on `symbol` (`q`'s instrument) that `q` crosses, at their own
    /// price; the executions.
    pub fn on_quote(&mut self, q: &SimQuote, symbol: &str, now_ms: u64) -> Vec<Fill> {
        let mut fills = Vec::new();
        let mut closed = Vec::new();
        for id in &self.open {
            let Some(o) = self.orders.get_mut(id) else {
                continue;
            };
            if o.symbol != symbol {
                continue;
            }
            let size = if o.buy && q.ask_px > 0 && q.ask_px <= o.px {
                q.ask_qty
            } else if !o.buy && q.bid_px > 0 && q.bid_px >= o.px {
                q.bid_qty
            } else {
                continue;
            };
            let n = (o.qty - o.executed).min(size).max(0);
            if n == 0 {
                continue;
            }
            let quote = i128::from(n) * i128::from(o.px);
            o.executed += n;
            o.quote += quote;
            o.trades += 1;
            o.updated_ms = now_ms;
            if o.executed == o.qty {
                o.state = State::Filled;
                closed.push(*id);
            }
            fills.push(Fill {
                order: o.clone(),
                qty: n,
                quote,
            });
        }
        for id in closed {
            self.open.remove(&id);
        }
        fills
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top() -> SimQuote {
        SimQuote {
            venue: 0,
            instrument: 0,
            seq: 1,
            bid_px: 10_000,
            bid_qty: 5,
            ask_px: 10_100,
            ask_qty: 3,
            dislocated: false,
        }
    }

    fn new(buy: bool, px: i64, qty: i64, id: Option<&str>, tif: Tif) -> NewOrder {
        NewOrder {
            symbol: "BTCUSDT".into(),
            buy,
            px,
            qty,
            client_id: id.map(Into::into),
            tif,
        }
    }

    #[test]
    fn ioc_matching() {
        let mut b = Book::default();
        let ioc = Tif::Ioc;
        let m = b
            .place(new(true, 10_100, 2, Some("a"), ioc), Some(top()), 1)
            .unwrap();
        assert_eq!(
            (m.executed, m.quote, m.state),
            (2, 2 * 10_100, State::Filled)
        );
        let m = b
            .place(new(true, 10_100, 9, Some("b"), ioc), Some(top()), 1)
            .unwrap();
        assert_eq!(
            (m.executed, m.state),
            (3, State::Expired),
            "capped at displayed size"
        );
        let m = b
            .place(new(true, 10_099, 1, Some("c"), ioc), Some(top()), 1)
            .unwrap();
        assert_eq!(m.executed, 0, "limit below the ask");
        let m = b
            .place(new(false, 9_900, 1, Some("d"), ioc), Some(top()), 1)
            .unwrap();
        assert_eq!((m.executed, m.quote), (1, 10_000));
        let m = b.place(new(false, 1, 1, None, ioc), None, 1).unwrap();
        assert_eq!(m.executed, 0, "no quote yet");
        assert_eq!(
            b.place(new(true, 1, 1, Some("a"), ioc), None, 1),
            Err(Refusal::Duplicate)
        );
        assert_eq!(b.get(&OrderRef::Client("d".into())).unwrap().executed, 1);
        assert_eq!(b.get(&OrderRef::Id(m.order_id)).unwrap().client_id, None);
        assert!(!b.has_open());
    }

    #[test]
    fn gtc_rests_crosses_and_cancels() {
        let mut b = Book::default();
        let gtc = Tif::Gtc;
        let m = b
            .place(new(true, 10_050, 4, Some("g"), gtc), Some(top()), 1)
            .unwrap();
        assert_eq!((m.executed, m.state), (0, State::Open));
        let s = b
            .place(new(false, 10_200, 1, None, gtc), Some(top()), 1)
            .unwrap();
        assert_eq!(b.open_orders().len(), 2);
        // The ask moves down through the buy: it fills at its own price, up to the shown size.
        let moved = SimQuote {
            ask_px: 10_040,
            ask_qty: 3,
            ..top()
        };
        let f = b.on_quote(&moved, "BTCUSDT", 2);
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].qty, f[0].quote, f[0].order.state),
            (3, 3 * 10_050, State::Open)
        );
        let f = b.on_quote(&moved, "BTCUSDT", 3);
        assert_eq!((f[0].qty, f[0].order.state), (1, State::Filled));
        assert!(b.on_quote(&moved, "BTCUSDT", 4).is_empty());
        assert_eq!(b.open_orders().len(), 1);
        let c = b.cancel(&OrderRef::Id(s.order_id), 5).unwrap();
        assert_eq!(c.state, State::Canceled);
        assert_eq!(
            b.cancel(&OrderRef::Id(s.order_id), 6),
            Err(Refusal::NotOpen)
        );
        assert_eq!(
            b.cancel(&OrderRef::Client("zz".into()), 6),
            Err(Refusal::NotOpen),
            "the venues answer an unknown and a closed order alike"
        );
        assert!(!b.has_open());
    }
}
