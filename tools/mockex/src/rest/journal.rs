//! A venue's order events, for the pushed account streams (Bybit's `/v5/private`): every change
//! the ledger makes to an order (placed, executed on arrival or later on a quote, cancelled),
//! with the execution it carried and the balances of the order's two assets just after, in the
//! order the ledger made them.
//!
//! The journal lives in the ledger, behind its lock, so an order placed on any path (a REST
//! request, the trade socket, a resting order filled by the source thread) is recorded by the
//! code that changed it and no path can forget to publish. It records only while some stream
//! listens (`listen`), so venues without one pay nothing, and keeps the latest [`JOURNAL_CAP`]
//! events: a reader that fell further behind misses the oldest (and counts them).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::account::{Account, Assets, Balance};
use super::book::MockOrder;

/// Events kept for readers that are behind.
pub(crate) const JOURNAL_CAP: usize = 1 << 16;

/// One execution an event carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Exec {
    /// Executed quantity mantissa.
    pub qty: i64,
    /// Executed quote amount (price scale + qty scale).
    pub quote: i128,
    /// Fee of this execution (account scale).
    pub fee: i128,
    /// Whether the order was the maker (a resting order filled on a later quote).
    pub maker: bool,
}

/// One change to one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OrderEvent {
    /// Position in the venue's journal (1, 2, ...).
    pub seq: u64,
    /// The order just after the change.
    pub order: MockOrder,
    /// The execution, when the change was one.
    pub exec: Option<Exec>,
    /// The balances of the order's assets just after the change (base, then quote).
    pub balances: Vec<(String, Balance)>,
}

/// The journal of one venue.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    listeners: usize,
    next_seq: u64,
    events: VecDeque<OrderEvent>,
    /// [`Journal::end`], published for readers that poll without the ledger's lock.
    published: Arc<AtomicU64>,
}

impl Journal {
    /// Start listening: events from now on are recorded; the cursor to read them from.
    pub fn listen(&mut self) -> u64 {
        self.listeners += 1;
        self.next_seq + 1
    }

    /// Stop listening (the last listener gone, nothing more is recorded and the events go).
    pub fn unlisten(&mut self) {
        self.listeners = self.listeners.saturating_sub(1);
        if self.listeners == 0 {
            self.events.clear();
        }
    }

    /// Record that `order` changed (with `exec`), its assets `assets` now standing in `account`.
    pub fn record(
        &mut self,
        order: &MockOrder,
        exec: Option<Exec>,
        assets: Option<&Assets>,
        account: &Account,
    ) {
        if self.listeners == 0 {
            return;
        }
        self.next_seq += 1;
        if self.events.len() == JOURNAL_CAP {
            self.events.pop_front();
        }
        let balances = assets
            .map(|a| {
                [&a.base, &a.quote]
                    .iter()
                    .map(|asset| ((*asset).clone(), account.balance(asset)))
                    .collect()
            })
            .unwrap_or_default();
        self.events.push_back(OrderEvent {
            seq: self.next_seq,
            order: order.clone(),
            exec,
            balances,
        });
        self.published.store(self.next_seq + 1, Ordering::Release);
    }

    /// [`Journal::end`] as an atomic a reader can poll without the ledger's lock (a busy-polling
    /// stream would otherwise take the lock the order path needs on every turn): when it still
    /// equals the reader's cursor, there is nothing new.
    pub fn published_end(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.published)
    }

    /// The events from `cursor` on, and how many before them a reader at `cursor` missed.
    pub fn since(&self, cursor: u64) -> (impl Iterator<Item = &OrderEvent>, u64) {
        let first = self.events.front().map_or(self.next_seq + 1, |e| e.seq);
        let missed = first.saturating_sub(cursor);
        let skip = cursor.saturating_sub(first) as usize;
        (self.events.iter().skip(skip), missed)
    }

    /// The cursor just past the latest event.
    pub fn end(&self) -> u64 {
        self.next_seq + 1
    }
}

#[cfg(test)]
mod tests {
    use super::super::account::AccountConfig;
    use super::super::book::{State, Tif};
    use super::*;
    use crate::format::Scales;

    fn order(id: u64) -> MockOrder {
        MockOrder {
            order_id: id,
            client_id: None,
            symbol: "BTCUSDT".into(),
            buy: true,
            px: 1,
            qty: 1,
            executed: 0,
            quote: 0,
            tif: Tif::Gtc,
            state: State::Open,
            created_ms: 0,
            updated_ms: 0,
            fee: 0,
            fee_asset: String::new(),
        }
    }

    #[test]
    fn records_only_while_listened_and_reads_from_a_cursor() {
        let c = AccountConfig::for_symbol("BTCUSDT", false);
        let account = Account::new(std::slice::from_ref(&c), Scales { price: 2, qty: 0 });
        let assets = Assets::from(&c);
        let mut j = Journal::default();
        j.record(&order(1), None, Some(&assets), &account);
        let cur = j.listen();
        j.record(&order(2), None, Some(&assets), &account);
        j.record(&order(3), None, None, &account);
        let (ev, missed) = j.since(cur);
        let ids: Vec<u64> = ev.map(|e| e.order.order_id).collect();
        assert_eq!((ids, missed), (vec![2, 3], 0));
        let (ev, _) = j.since(cur + 1);
        assert_eq!(ev.count(), 1);
        assert_eq!(j.since(j.end()).0.count(), 0);
        assert_eq!(j.published_end().load(Ordering::Acquire), j.end());
        let first = j.since(cur).0.next().unwrap();
        assert_eq!(first.balances[0].0, "BTC");
        assert_eq!(first.balances[1].0, "USDT");
        j.unlisten();
        j.record(&order(4), None, None, &account);
        assert_eq!(j.since(cur).0.count(), 0);
    }

    #[test]
    fn a_reader_far_behind_counts_what_it_missed() {
        let account = Account::new(&[], Scales { price: 2, qty: 0 });
        let mut j = Journal::default();
        let cur = j.listen();
        for i in 0..(JOURNAL_CAP as u64 + 3) {
            j.record(&order(i), None, None, &account);
        }
        let (ev, missed) = j.since(cur);
        assert_eq!((ev.count(), missed), (JOURNAL_CAP, 3));
    }
}
