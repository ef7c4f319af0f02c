//! The exec stage's side of venue truth: fresh balances applied to the risk book, the expected
//! total checked against the reported one, the lost-order bound, and the counters of all of it.
//!
//! Balances: the risk book holds each venue's *free* balance (what an order may spend); this
//! keeps beside it the part the venue reported *locked* at the last refresh, so the total the
//! engine expects is `risk balance + locked`: moved by the engine's own fills, unmoved by orders
//! resting elsewhere (a foreign order locking funds changes free and locked, not the total). A
//! refresh is compared and applied only when it can be complete: no leg of the venue pending now,
//! and no fill applied on that venue since the request left (else it is deferred and counted; the
//! next refresh, which a fill asks for anyway, brings it). A difference beyond
//! `execution.reconcile.balance_tolerance_bps` is a mismatch: counted, sent to the account
//! thread to print once with both figures, and the venue halted ([`Risk::halt`]); the reported
//! figures are adopted either way. A venue paused for lack of balance resumes with a fresh
//! balance (and pauses again at the next opportunity it still cannot cover).
//!
//! Hot path: fixed tables, relaxed counters, ring pushes that never block or allocate.

use super::msg::{ExecNote, TruthMsg};
use super::thread::TruthLink;
use crate::base::Counter;
use crate::exec::guards::{AssetId, Risk, MAX_ASSETS};
use crate::model::{VenueId, MAX_VENUES};
use crate::telemetry::Registry;

/// The stage's venue-truth state.
pub struct TruthState {
    link: Option<TruthLink>,
    max_queries: u32,
    /// Tolerance in millionths of the larger total (hundredths of a bp).
    tol_millionths: i64,
    /// Per `venue * assets + asset`, sized from the config.
    locked: Vec<i64>,
    /// Table sizes of `locked`.
    venues: usize,
    assets: usize,
    last_fill_ns: [u64; MAX_VENUES],
    lost: Counter,
    mismatches: Counter,
    updates: Counter,
    deferred: Counter,
    resumes: Counter,
    orphans: Counter,
    /// Trade-log lines of the previous run's orders settled at start-up, until the run takes
    /// them for the head of its trade log (cold path: taken once, before the stage runs).
    previous_lines: Vec<String>,
}

impl TruthState {
    /// Keep `lines` (see the field) for [`TruthState::take_previous_lines`].
    pub fn set_previous_lines(&mut self, lines: Vec<String>) {
        self.previous_lines = lines;
    }

    /// The previous run's settled lines, once (cold path).
    pub fn take_previous_lines(&mut self) -> Vec<String> {
        std::mem::take(&mut self.previous_lines)
    }

    /// No account thread yet (paper, or a REST stage built without start-up): only the lost-order
    /// bound applies. `max_queries`: unsettled status-query rounds before a leg is lost; `tolerance_bps`: see
    /// the module doc. Tables for `venues` venues and `assets` assets (the config's; each at most
    /// its cap). Registers the stage's `exec.reconcile.*` counters (cold path).
    pub fn new(
        reg: &mut Registry,
        max_queries: u32,
        tolerance_bps: f64,
        venues: usize,
        assets: usize,
    ) -> TruthState {
        let (venues, assets) = (venues.min(MAX_VENUES), assets.min(MAX_ASSETS));
        let mut c = |n: &str| reg.counter(&format!("exec.reconcile.{n}"));
        TruthState {
            link: None,
            previous_lines: Vec::new(),
            max_queries: max_queries.max(1),
            tol_millionths: (tolerance_bps * 100.0).round().max(0.0) as i64,
            locked: vec![0; venues * assets],
            venues,
            assets,
            last_fill_ns: [0; MAX_VENUES],
            lost: c("lost_orders"),
            mismatches: c("balance_mismatches"),
            updates: c("balance_updates"),
            deferred: c("balance_deferred"),
            resumes: c("resumes"),
            orphans: c("orphans"),
        }
    }

    /// Talk to an account thread through `link`; its start-up balances' locked parts seed the
    /// expected totals. Cold path.
    pub fn attach(&mut self, link: TruthLink) {
        for &(venue, asset, free, total) in &link.initial {
            if let Some(i) = self.slot(venue, asset) {
                self.locked[i] = total.saturating_sub(free);
            }
        }
        self.link = Some(link);
    }

    /// Whether an account thread is attached.
    pub fn attached(&self) -> bool {
        self.link.is_some()
    }

    /// Unsettled status-query rounds a leg of unknown fate gets before it is marked lost.
    pub fn max_queries(&self) -> u32 {
        self.max_queries
    }

    /// A leg was marked lost.
    pub fn on_lost(&self) {
        self.lost.inc();
    }

    /// A fill was applied on `venue` at `now_ns`: refreshes of it asked before now are
    /// incomplete, and a new one is asked for.
    pub fn on_fill(&mut self, venue: VenueId, now_ns: u64) {
        if let Some(t) = self.last_fill_ns.get_mut(venue.index()) {
            *t = now_ns;
        }
        self.note(ExecNote::Filled { venue }, now_ns);
    }

    /// The next message from the account thread.
    pub fn pop(&mut self) -> Option<TruthMsg> {
        self.link.as_mut()?.rx.pop().map(|m| m.msg)
    }

    fn note(&mut self, n: ExecNote, now_ns: u64) {
        if let Some(l) = self.link.as_mut() {
            // A full ring drops the note (counted by the ring); the periodic refresh covers it.
            let _ = l.tx.push(n, now_ns);
        }
    }

    /// An own order open on the venue that the stage no longer tracks: counted, and the account
    /// thread asked to cancel it.
    pub fn on_orphan(&mut self, n: ExecNote, now_ns: u64) {
        self.orphans.inc();
        self.note(n, now_ns);
    }

    /// Whether `reported` differs from `expected` beyond the tolerance.
    pub fn exceeds(&self, expected: i64, reported: i64) -> bool {
        let diff = (i128::from(expected) - i128::from(reported)).abs();
        let base = i128::from(expected).abs().max(i128::from(reported).abs());
        diff > 1 && diff * 1_000_000 > i128::from(self.tol_millionths) * base
    }

    /// Apply one balance refresh ([`TruthMsg::Balance`]) to `risk`; `busy`: a leg of the venue
    /// is pending now. See the module doc.
    #[allow(clippy::too_many_arguments)]
    pub fn apply_balance(
        &mut self,
        risk: &mut Risk,
        venue: VenueId,
        asset: AssetId,
        free: i64,
        total: i64,
        asked_ns: u64,
        busy: bool,
        now_ns: u64,
    ) {
        let Some(i) = self.slot(venue, asset) else {
            return;
        };
        let last_fill = self.last_fill_ns[venue.index()];
        if busy || (last_fill != 0 && last_fill >= asked_ns) {
            self.deferred.inc();
            return;
        }
        let expected = risk.balance(venue, asset).saturating_add(self.locked[i]);
        if self.exceeds(expected, total) {
            self.mismatches.inc();
            risk.halt(venue);
            self.note(
                ExecNote::Mismatch {
                    venue,
                    asset,
                    expected,
                    reported: total,
                },
                now_ns,
            );
        }
        self.locked[i] = total.saturating_sub(free).max(0);
        let was_paused = risk.is_paused(venue);
        if risk.set_balance(venue, asset, free).is_ok() {
            self.updates.inc();
            if was_paused {
                self.resumes.inc();
            }
        }
    }
}

impl TruthState {
    fn slot(&self, venue: VenueId, asset: AssetId) -> Option<usize> {
        (venue.index() < self.venues && usize::from(asset.0) < self.assets)
            .then(|| venue.index() * self.assets + usize::from(asset.0))
    }
}
