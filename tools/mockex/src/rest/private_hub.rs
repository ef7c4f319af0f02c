//! How the REST side's order pipeline reaches the private streams of its venue (Upbit's
//! `/websocket/v1/private`, Bybit's `/v5/private`, OKX's `/ws/v5/private`): after each operation that moved orders (a placement, a cancel, a
//! quote crossing resting orders) the venue drains the ledger's [`OrderEvent`]s into one
//! [`PrivateUpdate`], with the balances of the assets those orders trade as they stand after it,
//! and hands it to every subscribed stream over its own channel. Publishing happens under the
//! ledger's lock, so every stream sees the updates in the order the ledger made them; a stream
//! that went away is forgotten at the next publish.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};

use super::account::Balance;
use super::ledger::Ledger;
use super::order_events::OrderEvent;
use super::state::lock;

/// What one operation did to the orders of a venue's account, for its private streams.
#[derive(Debug, Clone)]
pub(crate) struct PrivateUpdate {
    /// The order events, in the order they happened.
    pub events: Vec<OrderEvent>,
    /// The balances of every asset the events' instruments trade, after the operation.
    pub assets: Vec<(String, Balance)>,
    /// The scale of the balances and of the orders' quote amounts and fees.
    pub account_scale: u32,
    /// Server time of the operation, unix ms.
    pub now_ms: u64,
}

/// The subscribed streams of one venue.
#[derive(Debug, Default)]
pub(crate) struct PrivateHub {
    subs: Mutex<Vec<Sender<Arc<PrivateUpdate>>>>,
}

impl PrivateHub {
    /// A new subscriber: every later update arrives on the receiver.
    pub fn subscribe(&self) -> Receiver<Arc<PrivateUpdate>> {
        let (tx, rx) = channel();
        lock(&self.subs).push(tx);
        rx
    }

    /// Drain `l`'s events and, when some stream listens, send them with the balances they moved
    /// (called with the ledger locked, at server time `now_ms`).
    pub fn publish(&self, l: &mut Ledger, now_ms: u64) {
        if l.events.is_empty() {
            return;
        }
        let events = std::mem::take(&mut l.events);
        let mut subs = lock(&self.subs);
        if subs.is_empty() {
            return;
        }
        let mut assets: Vec<(String, Balance)> = Vec::new();
        for e in &events {
            let Some(i) = l.instrument_of(&e.order().symbol) else {
                continue;
            };
            let a = &l.instruments[i].assets;
            for name in [&a.quote, &a.base] {
                if !assets.iter().any(|(n, _)| n == name) {
                    assets.push((name.clone(), l.account.balance(name)));
                }
            }
        }
        let update = Arc::new(PrivateUpdate {
            events,
            assets,
            account_scale: l.account.scale(),
            now_ms,
        });
        subs.retain(|tx| tx.send(Arc::clone(&update)).is_ok());
    }
}
