//! The private streams through the stage, on a fake clock with the scripted gateway: a fill
//! pushed before the order's answer settles the leg once (the late answer is then only late), a
//! pushed final for a settled leg confirms or disagrees and never books a second fill, an
//! acknowledged leg is settled by the push instead of its status query, and a pushed balance goes
//! through the venue-truth rules (deferred while a leg of the venue is pending).

use super::tests::{rig, MS, T, UPBIT};
use super::*;
use crate::exec::guards::AssetId;
use crate::exec::truth::{ExecNote, TruthLink, TruthMsg};
use crate::model::{ExecReport, ExecStatus};
use crate::runtime::ring;

fn report(o: &Order, status: ExecStatus, filled: Qty, now: u64) -> ExecReport {
    ExecReport {
        order: o.id,
        opp: o.opp,
        venue: o.venue,
        status,
        filled_qty: filled,
        avg_px: o.px,
        recv_ts_ns: now,
        retry_after_ms: 0,
        fee: None,
        venue_order_id: crate::model::VenueOrderId::EMPTY,
    }
}

fn push(t: &mut T, e: GatewayEvent) {
    t.stage.gateway_mut().ready.push(e);
}

fn base_balance(t: &T, venue: VenueId) -> i64 {
    t.stage.risk().balance(venue, AssetId(0))
}

#[test]
fn a_fill_pushed_before_the_answer_settles_the_leg_once() {
    let mut t = rig();
    let sent = t.arb();
    assert_eq!(sent.len(), 2);
    let before = base_balance(&t, sent[0].venue);
    // Both fills arrive on the stream first.
    for o in &sent {
        let r = report(o, ExecStatus::Filled, o.qty, t.now);
        push(&mut t, GatewayEvent::Pushed(r));
    }
    t.step(MS);
    assert!(t.stage.is_idle(), "both legs settled by the stream");
    assert_eq!(t.count("exec.stream.settled"), 2);
    assert_eq!(t.count("exec.fills"), 2);
    let after = base_balance(&t, sent[0].venue);
    // Then the answers come: each is late, nothing is booked twice.
    t.fill(&sent[0]);
    t.fill(&sent[1]);
    t.step(MS);
    assert_eq!(t.count("exec.fills"), 2, "no second fill");
    assert_eq!(t.count("exec.late_reports"), 2);
    assert_eq!(base_balance(&t, sent[0].venue), after);
    assert_ne!(before, after, "the pushed fill moved the balance");
}

#[test]
fn a_pushed_final_after_the_answer_confirms_or_disagrees_and_books_nothing() {
    let mut t = rig();
    let sent = t.arb();
    t.fill(&sent[0]);
    t.fill(&sent[1]);
    t.step(MS);
    assert!(t.stage.is_idle());
    let after = base_balance(&t, sent[0].venue);
    // The same fill pushed (twice: a venue's duplicate), and one that says less.
    let same = report(&sent[0], ExecStatus::Filled, sent[0].qty, t.now);
    push(&mut t, GatewayEvent::Pushed(same));
    push(&mut t, GatewayEvent::Pushed(same));
    let less = report(&sent[1], ExecStatus::PartiallyFilled, Qty(1), t.now);
    push(&mut t, GatewayEvent::Pushed(less));
    t.step(MS);
    assert_eq!(t.count("exec.stream.finals"), 3);
    assert_eq!(t.count("exec.stream.confirms"), 2);
    assert_eq!(t.count("exec.stream.disagreements"), 1);
    assert_eq!(t.count("exec.stream.settled"), 0);
    assert_eq!(
        t.count("exec.fills"),
        2,
        "pushes after the answer book nothing"
    );
    assert_eq!(base_balance(&t, sent[0].venue), after);
    // An order the stage never sent.
    let mut stranger = sent[0];
    stranger.id = OrderId(999_999);
    let r = report(&stranger, ExecStatus::Filled, stranger.qty, t.now);
    push(&mut t, GatewayEvent::Pushed(r));
    t.step(MS);
    assert_eq!(t.count("exec.stream.unmatched"), 1);
}

#[test]
fn an_acknowledged_leg_is_settled_by_its_pushed_fill_before_any_status_query() {
    let mut t = rig();
    let sent = t.arb();
    t.fill(&sent[0]);
    // Upbit acknowledges (fate pending) ...
    let ack = report(&sent[1], ExecStatus::Unknown, Qty::ZERO, t.now);
    push(&mut t, GatewayEvent::Accepted(ack));
    t.step(MS);
    assert!(!t.stage.is_idle());
    // ... and its fill is pushed before the status query is due.
    let r = report(&sent[1], ExecStatus::Filled, sent[1].qty, t.now);
    push(&mut t, GatewayEvent::Pushed(r));
    t.step(MS);
    assert!(t.stage.is_idle(), "settled by the stream");
    assert_eq!(t.count("exec.status_queries"), 0, "no query was needed");
    assert_eq!(t.count("exec.stream.settled"), 1);
    assert_eq!(t.stage.gateway_mut().queries.len(), 0);
}

fn balance(t: &mut T, venue: VenueId, asset: AssetId, free: i64) {
    push(
        t,
        GatewayEvent::Balance {
            venue,
            asset,
            free,
            total: free,
        },
    );
    t.step(MS);
}

#[test]
fn a_pushed_balance_without_venue_truth_is_counted_and_left() {
    let mut t = rig();
    let usdt = AssetId(1);
    let held = t.stage.risk().balance(UPBIT, usdt);
    balance(&mut t, UPBIT, usdt, held / 2);
    assert_eq!(t.count("exec.stream.balances_ignored"), 1);
    assert_eq!(t.count("exec.stream.balances"), 0);
    assert_eq!(t.stage.risk().balance(UPBIT, usdt), held);
    assert_eq!(t.arb().len(), 2, "nothing halted");
}

#[test]
fn a_pushed_balance_is_applied_by_the_truth_rules_and_deferred_while_busy() {
    let mut t = rig();
    let (tx_in, rx_in) = ring::<TruthMsg>("truth_in", 64, &mut t.reg.counters);
    let (tx_out, rx_out) = ring::<ExecNote>("truth_out", 64, &mut t.reg.counters);
    t.stage.set_truth(TruthLink {
        rx: rx_in,
        tx: tx_out,
        initial: Vec::new(),
    });
    let _keep = (tx_in, rx_out);
    let usdt = AssetId(1);
    // A leg of the venue pending: deferred, the book unchanged.
    let sent = t.arb();
    assert_eq!(sent.len(), 2);
    let held = t.stage.risk().balance(UPBIT, usdt);
    balance(&mut t, UPBIT, usdt, 1);
    assert_eq!(t.count("exec.stream.balances"), 1);
    assert_eq!(t.count("exec.reconcile.balance_deferred"), 1);
    assert_eq!(t.stage.risk().balance(UPBIT, usdt), held);
    // Settled, idle: the venue's figure agrees with the book's and is applied.
    t.fill(&sent[0]);
    t.fill(&sent[1]);
    t.step(MS);
    assert!(t.stage.is_idle());
    let now_held = t.stage.risk().balance(UPBIT, usdt);
    balance(&mut t, UPBIT, usdt, now_held);
    assert_eq!(t.count("exec.reconcile.balance_updates"), 1);
    assert_eq!(t.count("exec.reconcile.balance_mismatches"), 0);
    // A figure far from the book's: a mismatch, and the venue halts (no new arbitrage on it).
    balance(&mut t, UPBIT, usdt, now_held / 2);
    assert_eq!(t.count("exec.reconcile.balance_mismatches"), 1);
    assert!(t.arb().is_empty(), "the venue is halted");
}
