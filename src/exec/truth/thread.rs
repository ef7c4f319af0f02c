//! The account thread: the cold helper that owns the venues' [`AccountClient`]s while the engine
//! runs. It refreshes every trading venue's balances every `execution.reconcile.balance_refresh_ms`
//! and soon after a fill (at most one every `balance_after_fill_ms`), cross-checks open orders
//! every `open_orders_ms` (foreign ones counted and handled by policy, the engine's own sent to
//! the stage, which says which it no longer tracks so they are cancelled), and prints what must be
//! printed: each balance mismatch once with both figures, each failed call. Blocking HTTP,
//! allocation and printing all happen here, never on the exec stage: the two talk through the
//! rings of a [`TruthLink`] only.
//!
//! It ends when the stage drops its end of the link (the run is over).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use super::convert::AssetBalance;
use super::counters::ColdCounters;
use super::ids::{ClientIds, Whose};
use super::msg::{ExecNote, TruthMsg};
use crate::base::Clock;
use crate::config::ForeignPolicy;
use crate::exec::account::AccountClient;
use crate::exec::guards::AssetId;
use crate::exec::startup::balances::fetch_balances;
use crate::exec::startup::reconcile::{cancel, reconcile_symbol, ForeignBook, Judge};
use crate::model::{OrderId, VenueId};
use crate::runtime::{RingRx, RingTx};

/// The exec stage's end of the account thread: venue facts in, notes out, and the balances
/// start-up read (venue, asset, free, total) to seed the expected totals.
pub struct TruthLink {
    /// Venue facts from the account thread.
    pub rx: RingRx<TruthMsg>,
    /// Notes to the account thread.
    pub tx: RingTx<ExecNote>,
    /// Start-up balances.
    pub initial: Vec<(VenueId, AssetId, i64, i64)>,
}

/// One trading venue as the account thread sees it.
pub struct VenueTruth {
    /// Its id.
    pub id: VenueId,
    /// Its account API.
    pub client: AccountClient,
    /// Its symbols of the configured instruments.
    pub symbols: Vec<String>,
}

/// How often the account thread asks.
#[derive(Debug, Clone, Copy)]
pub struct Intervals {
    /// Periodic balance refresh.
    pub balances: Duration,
    /// Shortest time between refreshes asked by fills.
    pub after_fill: Duration,
    /// Open-order cross-check.
    pub open_orders: Duration,
}

/// Per venue: when each refresh is due.
struct Due {
    balances: Instant,
    open_orders: Instant,
    last_balances: Instant,
    fill_pending: bool,
}

/// The account thread's state. Build with [`AccountThread::new`], start with
/// [`AccountThread::spawn`].
pub struct AccountThread {
    venues: Vec<VenueTruth>,
    due: Vec<Due>,
    assets: Vec<String>,
    venue_names: Vec<String>,
    ids: ClientIds,
    policy: ForeignPolicy,
    every: Intervals,
    clock: Clock,
    c: ColdCounters,
    book: ForeignBook,
    tx: RingTx<TruthMsg>,
    rx: RingRx<ExecNote>,
    /// The engine's own open orders seen in the last cross-check: where to cancel an orphan.
    own_open: HashMap<(VenueId, OrderId), (String, String)>,
    printed: HashSet<(VenueId, AssetId)>,
    /// Per venue, the account session's failure last printed (printed again only when it
    /// changes: a session down for an hour is one line, not one per round).
    session_said: Vec<Option<String>>,
}

/// What the account thread is built from (start-up hands its clients and counters over).
pub struct ThreadParts {
    /// The trading venues.
    pub venues: Vec<VenueTruth>,
    /// Asset names by id.
    pub assets: Vec<String>,
    /// Venue names by id.
    pub venue_names: Vec<String>,
    /// Client id classes.
    pub ids: ClientIds,
    /// Foreign-order policy.
    pub policy: ForeignPolicy,
    /// Intervals.
    pub every: Intervals,
    /// The engine clock (for `asked_ns`).
    pub clock: Clock,
    /// Cold counters (start-up wrote them first).
    pub counters: ColdCounters,
    /// Foreign orders start-up already counted.
    pub book: ForeignBook,
}

impl AccountThread {
    /// The thread's state over `parts`, talking through `tx` / `rx` (the stage holds the other
    /// ends in a [`TruthLink`]).
    pub fn new(parts: ThreadParts, tx: RingTx<TruthMsg>, rx: RingRx<ExecNote>) -> AccountThread {
        let now = Instant::now();
        let due = parts
            .venues
            .iter()
            .map(|_| Due {
                balances: now + parts.every.balances,
                open_orders: now + parts.every.open_orders,
                last_balances: now,
                fill_pending: false,
            })
            .collect();
        let session_said = vec![None; parts.venues.len()];
        AccountThread {
            session_said,
            venues: parts.venues,
            due,
            assets: parts.assets,
            venue_names: parts.venue_names,
            ids: parts.ids,
            policy: parts.policy,
            every: parts.every,
            clock: parts.clock,
            c: parts.counters,
            book: parts.book,
            tx,
            rx,
            own_open: HashMap::new(),
            printed: HashSet::new(),
        }
    }

    /// Start the thread (named `account`). It ends once the stage's end of the link is dropped.
    pub fn spawn(self) -> std::io::Result<std::thread::JoinHandle<()>> {
        std::thread::Builder::new()
            .name("account".into())
            .spawn(move || self.run())
    }

    fn run(mut self) {
        while !self.tx.is_abandoned() {
            self.notes();
            let now = Instant::now();
            for vi in 0..self.venues.len() {
                let d = &self.due[vi];
                let after_fill = d.fill_pending && now >= d.last_balances + self.every.after_fill;
                if now >= d.balances || after_fill {
                    self.balance_round(vi);
                }
                if now >= self.due[vi].open_orders {
                    self.open_order_round(vi);
                }
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn venue_name(&self, v: VenueId) -> &str {
        self.venue_names.get(v.index()).map_or("?", String::as_str)
    }

    fn asset_name(&self, a: AssetId) -> &str {
        self.assets
            .get(usize::from(a.0))
            .map_or("?", String::as_str)
    }

    fn notes(&mut self) {
        while let Some(m) = self.rx.pop() {
            match m.msg {
                ExecNote::Filled { venue } => {
                    if let Some(vi) = self.venues.iter().position(|v| v.id == venue) {
                        self.due[vi].fill_pending = true;
                    }
                }
                ExecNote::Mismatch {
                    venue,
                    asset,
                    expected,
                    reported,
                } => {
                    if self.printed.insert((venue, asset)) {
                        let line = mismatch_line(
                            self.venue_name(venue),
                            self.asset_name(asset),
                            expected,
                            reported,
                        );
                        eprintln!("{line}");
                    }
                }
                ExecNote::Orphan { venue, order } => self.cancel_orphan(venue, order),
            }
        }
    }

    fn cancel_orphan(&mut self, venue: VenueId, order: OrderId) {
        let Some((symbol, client_id)) = self.own_open.remove(&(venue, order)) else {
            return;
        };
        let Some(vi) = self.venues.iter().position(|v| v.id == venue) else {
            return;
        };
        let o = super::convert::Classified {
            order: crate::exec::account::OpenOrder {
                symbol,
                client_id,
                venue_order_id: String::new(),
                side: crate::model::Side::Buy,
                price: crate::exec::account::Amount::ZERO,
                qty: crate::exec::account::Amount::ZERO,
                filled: crate::exec::account::Amount::ZERO,
                state: crate::exec::account::OrderState::New,
            },
            whose: Whose::Own(order),
        };
        match cancel(&mut self.venues[vi].client, &o, &self.c) {
            Ok(_) => self.c.cancelled.inc(),
            Err(e) => eprintln!("microarb: reconcile: {e}"),
        }
    }

    fn balance_round(&mut self, vi: usize) {
        let now = Instant::now();
        let d = &mut self.due[vi];
        d.balances = now + self.every.balances;
        d.last_balances = now;
        d.fill_pending = false;
        let asked_ns = self.clock.now_ns();
        let r = fetch_balances(&mut self.venues[vi].client, &self.assets);
        self.session_note(vi);
        match r {
            Ok(b) => {
                self.c.balance_rounds.inc();
                let venue = self.venues[vi].id;
                self.send_balances(venue, &b, asked_ns);
            }
            Err(e) => {
                self.c.on_error(&e);
                eprintln!("microarb: reconcile: balances refused, kept the previous ones: {e}");
            }
        }
    }

    /// Print why venue `vi`'s account session failed a call (asked over REST instead), once
    /// per distinct reason.
    fn session_note(&mut self, vi: usize) {
        let Some(e) = self.venues[vi].client.take_session_error() else {
            return;
        };
        if self.session_said[vi].as_deref() != Some(e.as_str()) {
            let name = self.venues[vi].client.name();
            eprintln!("microarb: reconcile: {name}: account session: {e}; asked over REST");
            self.session_said[vi] = Some(e);
        }
    }

    fn send_balances(&mut self, venue: VenueId, b: &[AssetBalance], asked_ns: u64) {
        for &(asset, free, total) in b {
            let m = TruthMsg::Balance {
                venue,
                asset,
                free,
                total,
                asked_ns,
            };
            // A full ring drops it (counted by the ring); the next round sends it again.
            let _ = self.tx.push(m, self.clock.now_ns());
        }
    }

    fn open_order_round(&mut self, vi: usize) {
        self.due[vi].open_orders = Instant::now() + self.every.open_orders;
        let v = &mut self.venues[vi];
        let j = Judge {
            venue: v.id.0,
            ids: &self.ids,
            policy: self.policy,
            counters: &self.c,
            startup: false,
        };
        let venue = v.id;
        self.own_open.retain(|(ven, _), _| *ven != venue);
        let mut own_all = Vec::new();
        for symbol in &v.symbols {
            match reconcile_symbol(&mut v.client, symbol, &j, &mut self.book) {
                Ok((own, _)) => own_all.extend(own),
                Err(e) => {
                    self.c.on_error(&e);
                    eprintln!("microarb: reconcile: open orders: {e}");
                }
            }
        }
        self.c.open_order_rounds.inc();
        self.session_note(vi);
        for o in own_all {
            if let Whose::Own(order) = o.whose {
                self.own_open
                    .insert((venue, order), (o.order.symbol, o.order.client_id));
                let _ = self
                    .tx
                    .push(TruthMsg::OwnOpen { venue, order }, self.clock.now_ns());
            }
        }
    }
}

/// The line printed (once per venue and asset) for a balance mismatch: both figures.
pub fn mismatch_line(venue: &str, asset: &str, expected: i64, reported: i64) -> String {
    format!(
        "microarb: venue {venue}: {asset} balance mismatch: expected {} after the engine's fills, the venue reports {}; trading on {venue} stops for this run",
        units(expected),
        units(reported),
    )
}

/// A 1e-8 mantissa as decimal text (printing only).
fn units(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    format!("{sign}{}.{:08}", a / 100_000_000, a % 100_000_000)
}

#[cfg(test)]
mod tests {
    #[test]
    fn units_print_exactly() {
        assert_eq!(super::units(150_000_001), "1.50000001");
        assert_eq!(super::units(-5), "-0.00000005");
    }

    #[test]
    fn a_mismatch_prints_both_figures() {
        let l = super::mismatch_line("binance", "BTC", 1_000_000_000, 1_100_000_000);
        assert!(l.contains("venue binance: BTC balance mismatch"), "{l}");
        assert!(l.contains("expected 10.00000000"), "{l}");
        assert!(l.contains("reports 11.00000000"), "{l}");
    }
}
