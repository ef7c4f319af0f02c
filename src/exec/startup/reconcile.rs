//! Open orders against the engine's own, per venue and configured symbol: at start-up before any
//! order, and on the account thread every `execution.reconcile.open_orders_ms`.
//!
//! An open order is the engine's own when its client id carries this run's prefix
//! ([`ClientIds`]); everything else is foreign (a previous run's leftovers are foreign too, and
//! counted apart as well). Foreign orders are counted once each and, by
//! `execution.reconcile.foreign`, cancelled (`cancel`, the default) or left on the book
//! (`leave`). An order without a client id cannot be cancelled by the account API: under
//! `cancel` that fails reconciliation, like a cancel the venue refuses. At start-up a failure is
//! fatal (the run exits 1 naming the venue and the reason); while running it is counted, printed
//! and tried again next round. Cold path.

use std::collections::HashSet;

use crate::config::ForeignPolicy;
use crate::exec::account::{AccountClient, CancelOutcome};
use crate::exec::truth::convert::{open_orders_of, Classified};
use crate::exec::truth::counters::ColdCounters;
use crate::exec::truth::{ClientIds, TruthError, Whose};

/// Foreign orders already counted and cancelled, so an order is counted once however many
/// rounds list it (an asynchronous cancel may list it once more).
#[derive(Debug, Default)]
pub struct ForeignBook {
    seen: HashSet<(u8, String)>,
    cancelled: HashSet<(u8, String)>,
}

/// How one venue's open orders are judged.
#[derive(Debug, Clone, Copy)]
pub struct Judge<'a> {
    /// The venue's id (the book's key).
    pub venue: u8,
    /// Who placed what.
    pub ids: &'a ClientIds,
    /// What to do with foreign orders.
    pub policy: ForeignPolicy,
    /// The counters.
    pub counters: &'a ColdCounters,
    /// Start-up: this process has placed nothing yet, so an id with its own prefix can only be
    /// a previous run's that started in the same second, and is judged as one.
    pub startup: bool,
}

fn key(o: &Classified) -> String {
    if o.order.venue_order_id.is_empty() {
        format!("cid:{}", o.order.client_id)
    } else {
        o.order.venue_order_id.clone()
    }
}

/// List `symbol`'s open orders on `client`'s venue, count and handle the foreign ones by policy,
/// and return the engine's own (for the stage's cross-check) and the foreign ones cancelled
/// now. An error leaves the rest of the round undone.
pub fn reconcile_symbol(
    client: &mut AccountClient,
    symbol: &str,
    j: &Judge<'_>,
    book: &mut ForeignBook,
) -> Result<(Vec<Classified>, Vec<Classified>), TruthError> {
    let listed = client.open_orders(Some(symbol))?;
    let orders = open_orders_of(client.name(), symbol, listed, j.ids)?;
    let (mut own, mut cancelled) = (Vec::new(), Vec::new());
    for mut o in orders {
        if j.startup && matches!(o.whose, Whose::Own(_)) {
            o.whose = Whose::PreviousRun;
        }
        if matches!(o.whose, Whose::Own(_)) {
            own.push(o);
            continue;
        }
        let k = (j.venue, key(&o));
        if book.seen.insert(k.clone()) {
            j.counters.foreign.inc();
            if o.whose == Whose::PreviousRun {
                j.counters.previous_run.inc();
            }
            if j.policy == ForeignPolicy::Leave {
                j.counters.left.inc();
            }
        }
        if j.policy == ForeignPolicy::Cancel {
            cancel(client, &o, j.counters)?;
            if book.cancelled.insert(k) {
                j.counters.cancelled.inc();
            }
            cancelled.push(o);
        }
    }
    Ok((own, cancelled))
}

/// Cancel `o` by its client id. An order that is gone by now (`NotFound`, `AlreadyFinal`) needs
/// no cancel.
pub fn cancel(
    client: &mut AccountClient,
    o: &Classified,
    c: &ColdCounters,
) -> Result<CancelOutcome, TruthError> {
    let venue = client.name().to_string();
    let fail = |reason: String| TruthError::Cancel {
        venue: venue.clone(),
        symbol: o.order.symbol.clone(),
        venue_order_id: o.order.venue_order_id.clone(),
        client_id: o.order.client_id.clone(),
        reason,
    };
    if o.order.client_id.is_empty() {
        c.cancel_failures.inc();
        return Err(fail(
            "it has no client id, and orders are cancelled by client id".into(),
        ));
    }
    let r = client.cancel(&o.order.symbol, &o.order.client_id);
    r.map_err(|e| {
        c.cancel_failures.inc();
        fail(e.to_string())
    })
}

/// Start-up: after cancelling, list again until none of `cancelled` is open (venues that cancel
/// asynchronously), for up to `tries` lists `pause` apart.
pub fn wait_gone(
    client: &mut AccountClient,
    symbol: &str,
    ids: &ClientIds,
    cancelled: &[Classified],
    tries: u32,
    pause: std::time::Duration,
) -> Result<(), TruthError> {
    if cancelled.is_empty() {
        return Ok(());
    }
    let mut still = Vec::new();
    for _ in 0..tries.max(1) {
        let listed = client.open_orders(Some(symbol))?;
        let now = open_orders_of(client.name(), symbol, listed, ids)?;
        still = cancelled
            .iter()
            .filter(|c| now.iter().any(|n| key(n) == key(c)))
            .collect::<Vec<_>>();
        if still.is_empty() {
            return Ok(());
        }
        std::thread::sleep(pause);
    }
    let o = still[0];
    Err(TruthError::Cancel {
        venue: client.name().to_string(),
        symbol: o.order.symbol.clone(),
        venue_order_id: o.order.venue_order_id.clone(),
        client_id: o.order.client_id.clone(),
        reason: format!("still open after the cancel ({} such orders)", still.len()),
    })
}
