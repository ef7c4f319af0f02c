//! Venue truth through the stage, on a fake clock with the scripted gateway: the lost-order bound
//! (slot freed, residual, no hedge), and balances from a hand-fed account-thread link (pause for
//! lack of balance then resume, a mismatch counted and halting the venue, a refresh deferred while
//! a leg of the venue is pending).

use super::tests::{rig, rig_with, BINANCE, MS, T, UPBIT};
use super::*;
use crate::exec::guards::AssetId;
use crate::exec::truth::{ExecNote, TruthLink, TruthMsg};
use crate::runtime::{ring, RingRx, RingTx};
use crate::telemetry::counter_name;

const USDT: AssetId = AssetId(1);
/// One USDT at the risk book's scale.
const USDT_1: i64 = 100_000_000;

fn linked(t: &mut T) -> (RingTx<TruthMsg>, RingRx<ExecNote>) {
    let (tx_in, rx_in) = ring::<TruthMsg>("truth_in", 64, &mut t.reg.counters);
    let (tx_out, rx_out) = ring::<ExecNote>("truth_out", 64, &mut t.reg.counters);
    t.stage.set_truth(TruthLink {
        rx: rx_in,
        tx: tx_out,
        initial: Vec::new(),
    });
    (tx_in, rx_out)
}

fn balance(venue: VenueId, free: i64, total: i64, asked_ns: u64) -> TruthMsg {
    TruthMsg::Balance {
        venue,
        asset: USDT,
        free,
        total,
        asked_ns,
    }
}

fn send(tx: &mut RingTx<TruthMsg>, m: TruthMsg) {
    assert!(tx.push(m, 0).is_ok(), "ring has room");
}

fn rejected(t: &T, r: RejectReason) -> u64 {
    t.count(&counter_name("exec", Outcome::Rejected(r)))
}

#[test]
fn a_leg_unknown_past_the_query_bound_is_lost_and_its_slot_freed() {
    let mut t = rig_with(|p| p.max_status_queries = 5);
    let sent = t.arb();
    assert_eq!(sent.len(), 2);
    t.fill(&sent[0]);
    // Upbit never answers the order nor any status query.
    for _ in 0..2_000 {
        t.step(10 * MS);
        if t.stage.is_idle() {
            break;
        }
    }
    assert!(t.stage.is_idle(), "the lost leg freed its slot");
    assert_eq!(t.count("exec.reconcile.lost_orders"), 1);
    // Five rounds of status queries unanswered for an order timeout each: the bound.
    assert_eq!(t.count("exec.query_timeouts"), 5, "exactly the bound");
    assert!(t.count("exec.status_queries") >= 5);
    assert_eq!(
        t.count("exec.legging.residual"),
        1,
        "possible exposure kept"
    );
    assert_eq!(
        t.count("exec.legging.unwinds") + t.count("exec.legging.retries"),
        0,
        "no hedge on a guess"
    );
    assert_eq!(t.count("exec.slots.released"), 0, "copied at the flush");
    t.stage.flush_telemetry(t.now);
    assert_eq!(t.count("exec.slots.released"), 1);
    // Only the one sell order went to Upbit: nothing was sent after it was lost.
    let upbit = t
        .stage
        .gateway_mut()
        .orders
        .iter()
        .filter(|o| o.venue == UPBIT)
        .count();
    assert_eq!(upbit, 1);
    // Each unanswered round was a venue failure too: Upbit's breaker is open by now.
    assert_eq!(
        t.stage.breaker_state(UPBIT),
        crate::base::breaker::BreakerState::Open
    );
}

#[test]
fn a_venue_short_of_balance_pauses_then_resumes_on_a_fresh_balance() {
    let mut t = rig();
    let (mut tx, _notes) = linked(&mut t);
    // Binance, the buy venue, has half a USDT free, the rest of what the engine expects locked
    // (by an order resting there): a 1 USDT buy is short, and the total is as expected.
    let total = t.stage.risk().balance(BINANCE, USDT);
    send(&mut tx, balance(BINANCE, USDT_1 / 2, total, 0));
    t.step(MS);
    assert!(t.arb().is_empty(), "refused");
    assert_eq!(rejected(&t, RejectReason::InsufficientBalance), 1);
    assert!(t.stage.risk().is_paused(BINANCE));
    assert!(t.arb().is_empty(), "still paused");
    assert_eq!(rejected(&t, RejectReason::InsufficientBalance), 2);
    // A fresh balance covers it: resumed, and the next arbitrage is sent.
    let asked = t.now;
    send(&mut tx, balance(BINANCE, 10 * USDT_1, total, asked));
    t.step(MS);
    assert!(!t.stage.risk().is_paused(BINANCE));
    assert_eq!(t.count("exec.reconcile.resumes"), 1);
    assert_eq!(t.count("exec.reconcile.balance_updates"), 2);
    assert_eq!(t.arb().len(), 2, "trading again");
    assert_eq!(t.stage.risk().balance(BINANCE, USDT), 10 * USDT_1);
    assert_eq!(t.count("exec.reconcile.balance_mismatches"), 0);
}

#[test]
fn a_balance_mismatch_is_counted_noted_and_halts_the_venue() {
    let mut t = rig();
    let (mut tx, mut notes) = linked(&mut t);
    let expected = t.stage.risk().balance(BINANCE, USDT);
    // Within the tolerance (10 bp): adopted, no mismatch.
    let near = expected - expected / 10_000;
    send(&mut tx, balance(BINANCE, near, near, t.now));
    t.step(MS);
    assert_eq!(t.count("exec.reconcile.balance_mismatches"), 0);
    assert_eq!(t.stage.risk().balance(BINANCE, USDT), near);
    // 1 % short of what the engine expects: a mismatch.
    let far = near - near / 100;
    send(&mut tx, balance(BINANCE, far, far, t.now));
    t.step(MS);
    assert_eq!(t.count("exec.reconcile.balance_mismatches"), 1);
    let n = notes.pop().map(|m| m.msg);
    assert_eq!(
        n,
        Some(ExecNote::Mismatch {
            venue: BINANCE,
            asset: USDT,
            expected: near,
            reported: far
        }),
        "both figures go to the account thread to print"
    );
    assert!(t.stage.risk().is_halted(BINANCE));
    assert!(t.arb().is_empty(), "halted");
    assert_eq!(rejected(&t, RejectReason::RiskLimit), 1);
    // A later consistent balance does not lift the halt.
    send(&mut tx, balance(BINANCE, far, far, t.now));
    t.step(MS);
    assert_eq!(t.count("exec.reconcile.balance_mismatches"), 1);
    assert!(t.arb().is_empty(), "still halted");
}

#[test]
fn a_refresh_is_deferred_while_the_venue_has_a_leg_pending_or_filled_since() {
    let mut t = rig();
    let (mut tx, mut notes) = linked(&mut t);
    let sent = t.arb();
    assert_eq!(sent.len(), 2);
    // Binance's leg is pending: a refresh now may or may not hold its fill.
    send(&mut tx, balance(BINANCE, 1, 1, t.now));
    t.step(MS);
    assert_eq!(t.count("exec.reconcile.balance_deferred"), 1);
    let asked_before_fill = t.now;
    t.fill(&sent[0]);
    t.fill(&sent[1]);
    t.step(MS);
    assert!(t.stage.is_idle());
    assert!(matches!(
        notes.pop().map(|m| m.msg),
        Some(ExecNote::Filled { .. })
    ));
    // Asked before the fill was applied: deferred too; asked after: applied.
    send(&mut tx, balance(BINANCE, 1, 1, asked_before_fill));
    t.step(MS);
    assert_eq!(t.count("exec.reconcile.balance_deferred"), 2);
    let b = t.stage.risk().balance(BINANCE, USDT);
    send(&mut tx, balance(BINANCE, b, b, t.now));
    t.step(MS);
    assert_eq!(t.count("exec.reconcile.balance_updates"), 1);
    assert_eq!(t.count("exec.reconcile.balance_mismatches"), 0);
}

#[test]
fn an_own_order_open_on_the_venue_but_untracked_is_an_orphan_to_cancel() {
    let mut t = rig();
    let (mut tx, mut notes) = linked(&mut t);
    let sent = t.arb();
    assert_eq!(sent.len(), 2);
    // Listed while in flight: tracked, nothing to do.
    send(
        &mut tx,
        TruthMsg::OwnOpen {
            venue: UPBIT,
            order: sent[1].id,
        },
    );
    t.step(MS);
    assert_eq!(t.count("exec.reconcile.orphans"), 0);
    t.fill(&sent[0]);
    t.fill(&sent[1]);
    t.step(MS);
    assert!(t.stage.is_idle());
    while notes.pop().is_some() {}
    // Listed after the stage finished with it: the venue holds an order the engine gave up on.
    send(
        &mut tx,
        TruthMsg::OwnOpen {
            venue: UPBIT,
            order: sent[1].id,
        },
    );
    t.step(MS);
    assert_eq!(t.count("exec.reconcile.orphans"), 1);
    assert_eq!(
        notes.pop().map(|m| m.msg),
        Some(ExecNote::Orphan {
            venue: UPBIT,
            order: sent[1].id
        })
    );
}
