//! One venue's trading state on the mock exchange, behind one lock: its book of orders
//! (`book`), its account (`account`) and its instruments (`instrument`: symbol, assets, rules). Placing checks the
//! rules and the balance, then matches; every execution (on arrival or, for a resting order, on a
//! later quote) moves the balances; closing an order unlocks what it left.

use super::account::{Account, Assets};
use super::answer::Refusal;
use super::book::{Book, MockOrder, NewOrder, OrderRef, State};
use super::fees::FeeModel;
use super::instrument::Instrument;
use super::order_events::{as_accepted, OrderEvent, TradeEvent};
use crate::market::SimQuote;

/// Book, account and instruments of one venue.
#[derive(Debug)]
pub(crate) struct Ledger {
    /// The orders (of every instrument).
    pub book: Book,
    /// The balances.
    pub account: Account,
    /// The instruments, indexed like the venue's symbols (at least one).
    pub instruments: Vec<Instrument>,
    /// The taker fee.
    pub fees: FeeModel,
    /// What happened to the orders since the venue last drained it (`order_events`).
    pub events: Vec<OrderEvent>,
    /// Whether `events` is kept (once a private stream subscribed; until then nothing is
    /// recorded, so venues without a stream pay nothing).
    pub record_events: bool,
}

impl Ledger {
    /// The index of the instrument spelled `symbol`.
    pub fn instrument_of(&self, symbol: &str) -> Option<usize> {
        self.instruments.iter().position(|i| i.symbol == symbol)
    }

    /// The assets of the instrument spelled `symbol` (an order's symbol was checked when it was
    /// placed, so every order has one).
    fn assets_of(&self, symbol: &str) -> Option<Assets> {
        let i = self.instrument_of(symbol)?;
        Some(self.instruments[i].assets.clone())
    }

    /// Check, lock and match a new order against `top`, its instrument's latest quote; an order
    /// on a symbol none of the instruments has is refused.
    pub fn place(
        &mut self,
        o: NewOrder,
        top: Option<SimQuote>,
        now_ms: u64,
    ) -> Result<MockOrder, Refusal> {
        let i = self
            .instrument_of(&o.symbol)
            .ok_or(Refusal::UnknownSymbol)?;
        if o.client_id
            .as_deref()
            .is_some_and(|c| self.book.has_client_id(c))
        {
            return Err(Refusal::Duplicate);
        }
        let ins = &self.instruments[i];
        ins.rules.check(o.px, o.qty).map_err(Refusal::Rule)?;
        let a = ins.assets.clone();
        let (buy, px, qty) = (o.buy, o.px, o.qty);
        if !self.account.reserve(&a, buy, px, qty) {
            return Err(Refusal::Insufficient { buy });
        }
        let m = match self.book.place(o, top, now_ms) {
            Ok(m) => m,
            Err(e) => {
                self.account.release(&a, buy, px, qty);
                return Err(e);
            }
        };
        let mut m = m;
        self.record(|| OrderEvent::Accepted(as_accepted(&m)));
        if m.executed > 0 {
            self.account.execute(&a, buy, px, m.executed, m.quote);
            m = self.charge(&a, &m, m.executed, m.quote);
            self.record(|| {
                OrderEvent::Trade(TradeEvent {
                    order: m.clone(),
                    qty: m.executed,
                    quote: m.quote,
                    fee: m.fee,
                    maker: false,
                })
            });
        }
        if m.state != State::Open && m.executed < m.qty {
            self.account.release(&a, buy, px, m.qty - m.executed);
        }
        if m.state != State::Open {
            self.record(|| OrderEvent::Closed(m.clone()));
        }
        Ok(m)
    }

    /// Keep the event `e` makes, when events are recorded.
    fn record(&mut self, e: impl FnOnce() -> OrderEvent) {
        if self.record_events {
            self.events.push(e());
        }
    }

    /// Charge the fee of an execution of `qty` for `quote` to `o`'s account (assets `a`) and order.
    fn charge(&mut self, a: &Assets, o: &MockOrder, qty: i64, quote: i128) -> MockOrder {
        let base = i128::from(qty) * self.account.unit_px();
        let (in_quote, fee) = self.fees.charge(o.buy, base, quote, self.account.scale());
        self.account.charge_fee(a, in_quote, fee);
        let asset = Account::fee_asset(a, in_quote);
        self.book
            .charge(o.order_id, asset, fee)
            .unwrap_or_else(|| o.clone())
    }

    /// Cancel the open order `r` names: the order before and after, or why not.
    pub fn cancel(&mut self, r: &OrderRef, now_ms: u64) -> Result<(MockOrder, MockOrder), Refusal> {
        let before = self.book.get(r).cloned().ok_or(Refusal::NotOpen)?;
        let after = self.book.cancel(r, now_ms)?;
        if let Some(a) = self.assets_of(&after.symbol) {
            self.account
                .release(&a, after.buy, after.px, after.qty - after.executed);
        }
        self.record(|| OrderEvent::Closed(after.clone()));
        Ok((before, after))
    }

    /// Execute the resting orders of `q`'s instrument that `q` crosses; how many executions.
    pub fn on_quote(&mut self, q: &SimQuote, now_ms: u64) -> u64 {
        let Some(ins) = self.instruments.get(q.instrument) else {
            return 0;
        };
        let a = ins.assets.clone();
        let fills = self.book.on_quote(q, &ins.symbol, now_ms);
        for f in &fills {
            self.account
                .execute(&a, f.order.buy, f.order.px, f.qty, f.quote);
            let fee_before = f.order.fee;
            let after = self.charge(&a, &f.order, f.qty, f.quote);
            let closed = after.state != State::Open;
            self.record(|| {
                OrderEvent::Trade(TradeEvent {
                    fee: after.fee - fee_before,
                    order: after.clone(),
                    qty: f.qty,
                    quote: f.quote,
                    maker: true,
                })
            });
            if closed {
                self.record(|| OrderEvent::Closed(after));
            }
        }
        fills.len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::super::account::AccountConfig;
    use super::super::answer::Rule;
    use super::super::book::Tif;
    use super::super::rules::{InstrumentRules, Rules};
    use super::*;
    use crate::format::Scales;

    fn ledger(quote: u64, rules: InstrumentRules) -> Ledger {
        let s = Scales { price: 2, qty: 0 };
        let c = AccountConfig {
            base: "BTC".into(),
            quote: "USDT".into(),
            base_balance: 10,
            quote_balance: quote,
        };
        let eth = AccountConfig::for_symbol("ETHUSDT", false);
        let ins = |symbol: &str, c: &AccountConfig| Instrument {
            symbol: symbol.into(),
            assets: Assets::from(c),
            rules: Rules::new(&rules, s, false).unwrap(),
        };
        Ledger {
            book: Book::default(),
            account: Account::new(&[c.clone(), eth.clone()], s),
            instruments: vec![ins("BTCUSDT", &c), ins("ETHUSDT", &eth)],
            fees: FeeModel::default(),
            events: Vec::new(),
            record_events: false,
        }
    }

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

    fn order(buy: bool, px: i64, qty: i64, tif: Tif) -> NewOrder {
        NewOrder {
            symbol: "BTCUSDT".into(),
            buy,
            px,
            qty,
            client_id: None,
            tif,
        }
    }

    #[test]
    fn balances_follow_fills_locks_and_cancels() {
        let mut l = ledger(1000, InstrumentRules::default());
        // IOC buy 5 at 102.00: 3 fill at 101.00, the rest expires and is unlocked.
        let m = l
            .place(order(true, 10_200, 5, Tif::Ioc), Some(top()), 1)
            .unwrap();
        assert_eq!(m.executed, 3);
        assert_eq!(l.account.balance("USDT").free, (1000 - 303) * 100);
        assert_eq!(l.account.balance("USDT").locked, 0);
        assert_eq!(l.account.balance("BTC").free, 13 * 100);
        // A GTC buy rests and locks; a quote through it fills it at its price.
        let g = l
            .place(order(true, 10_050, 2, Tif::Gtc), Some(top()), 2)
            .unwrap();
        assert_eq!(l.account.balance("USDT").locked, 20_100);
        let through = SimQuote {
            ask_px: 10_000,
            ..top()
        };
        assert_eq!(l.on_quote(&through, 3), 1);
        assert_eq!(l.account.balance("USDT").locked, 0);
        assert_eq!(l.account.balance("BTC").free, 15 * 100);
        assert_eq!(
            l.book.get(&OrderRef::Id(g.order_id)).unwrap().state,
            State::Filled
        );
        // A resting sell, cancelled: the base comes back.
        let s = l
            .place(order(false, 20_000, 4, Tif::Gtc), Some(top()), 4)
            .unwrap();
        assert_eq!(l.account.balance("BTC").locked, 400);
        let (before, after) = l.cancel(&OrderRef::Id(s.order_id), 5).unwrap();
        assert_eq!((before.state, after.state), (State::Open, State::Canceled));
        assert_eq!(
            l.account.balance("BTC"),
            super::super::account::Balance {
                free: 1500,
                locked: 0
            }
        );
        assert_eq!(
            l.cancel(&OrderRef::Id(s.order_id), 6),
            Err(Refusal::NotOpen)
        );
        // More than the account holds.
        assert_eq!(
            l.place(order(true, 10_000, 100, Tif::Ioc), Some(top()), 7),
            Err(Refusal::Insufficient { buy: true })
        );
    }

    #[test]
    fn every_order_change_is_recorded_for_the_streams() {
        let mut l = ledger(1000, InstrumentRules::default());
        l.place(order(true, 10_200, 1, Tif::Ioc), Some(top()), 1)
            .unwrap();
        assert!(l.events.is_empty(), "nothing kept until a stream asks");
        l.record_events = true;
        let kinds = |l: &mut Ledger| -> Vec<&'static str> {
            std::mem::take(&mut l.events)
                .iter()
                .map(|e| match e {
                    OrderEvent::Accepted(_) => "accepted",
                    OrderEvent::Trade(t) if t.maker => "maker",
                    OrderEvent::Trade(_) => "taker",
                    OrderEvent::Closed(_) => "closed",
                })
                .collect()
        };
        // IOC partly filled: accepted, one taker trade, closed (its remainder expired).
        l.place(order(true, 10_200, 5, Tif::Ioc), Some(top()), 1)
            .unwrap();
        assert_eq!(kinds(&mut l), ["accepted", "taker", "closed"]);
        // IOC with nothing: accepted, closed.
        l.place(order(true, 1, 1, Tif::Ioc), Some(top()), 2)
            .unwrap();
        assert_eq!(kinds(&mut l), ["accepted", "closed"]);
        // GTC resting, then filled by a quote through it: accepted; maker trade, closed.
        let g = l
            .place(order(true, 10_050, 2, Tif::Gtc), Some(top()), 3)
            .unwrap();
        assert_eq!(kinds(&mut l), ["accepted"]);
        let through = SimQuote {
            ask_px: 10_000,
            ..top()
        };
        l.on_quote(&through, 4);
        let ev = std::mem::take(&mut l.events);
        let OrderEvent::Trade(t) = &ev[0] else {
            panic!("{ev:?}")
        };
        assert_eq!(
            (t.qty, t.quote, t.order.order_id),
            (2, 2 * 10_050, g.order_id)
        );
        assert!(ev[1].is_final() && ev[1].order().state == State::Filled);
        // A cancel: closed.
        let s = l
            .place(order(false, 20_000, 1, Tif::Gtc), Some(top()), 5)
            .unwrap();
        l.events.clear();
        l.cancel(&OrderRef::Id(s.order_id), 6).unwrap();
        assert_eq!(kinds(&mut l), ["closed"]);
        // A refused order records nothing.
        assert!(l
            .place(order(true, 10_000, 100, Tif::Ioc), None, 7)
            .is_err());
        assert!(l.events.is_empty());
    }

    #[test]
    fn off_rule_orders_are_refused_before_anything_moves() {
        let rules = InstrumentRules {
            tick: Some("0.10".into()),
            step: Some("2".into()),
            min_qty: Some("2".into()),
            min_notional: Some("300".into()),
        };
        let mut l = ledger(1000, rules);
        let free = l.account.balance("USDT");
        assert_eq!(
            l.place(order(true, 10_105, 4, Tif::Ioc), None, 1),
            Err(Refusal::Rule(Rule::Tick))
        );
        assert_eq!(
            l.place(order(true, 10_100, 1, Tif::Ioc), None, 1),
            Err(Refusal::Rule(Rule::MinQty))
        );
        assert_eq!(
            l.place(order(true, 10_100, 3, Tif::Ioc), None, 1),
            Err(Refusal::Rule(Rule::Step))
        );
        assert_eq!(
            l.place(order(true, 10_000, 2, Tif::Ioc), None, 1),
            Err(Refusal::Rule(Rule::MinNotional))
        );
        assert_eq!(l.account.balance("USDT"), free);
        assert!(l.place(order(true, 10_100, 4, Tif::Ioc), None, 1).is_ok());
    }

    #[test]
    fn each_instrument_fills_on_its_own_quotes() {
        let mut l = ledger(1000, InstrumentRules::default());
        let eth_top = SimQuote {
            instrument: 1,
            ask_px: 5_000,
            bid_px: 4_900,
            ..top()
        };
        let mut eth = order(true, 5_100, 2, Tif::Ioc);
        eth.symbol = "ETHUSDT".into();
        // An ETH buy at 51.00 fills at ETH's ask (50.00), not BTC's (101.00).
        let m = l.place(eth, Some(eth_top), 1).unwrap();
        assert_eq!((m.executed, m.quote), (2, 2 * 5_000));
        assert_eq!(l.account.balance("USDT").free, (1000 - 100) * 100);
        assert_eq!(l.account.balance("BTC").free, 10 * 100);
        // A resting BTC buy is not filled by an ETH quote below its limit; a BTC one fills it.
        let g = l
            .place(order(true, 10_050, 1, Tif::Gtc), Some(top()), 2)
            .unwrap();
        assert_eq!(l.on_quote(&eth_top, 3), 0);
        let through = SimQuote {
            ask_px: 10_000,
            ..top()
        };
        assert_eq!(l.on_quote(&through, 4), 1);
        assert_eq!(
            l.book.get(&OrderRef::Id(g.order_id)).unwrap().state,
            State::Filled
        );
        let mut other = order(true, 100, 1, Tif::Ioc);
        other.symbol = "XRPUSDT".into();
        assert_eq!(l.place(other, Some(top()), 5), Err(Refusal::UnknownSymbol));
    }
}
