//! The execution stage's rules, each driven through the stage on a fake clock with the paper
//! gateway: slots and tiers, every risk limit, the kill switch, bounded waiting, breakers, unknown
//! fates, 429 feedback and legging both ways.

use crate::common::config::dec;
use crate::common::paper::*;
use microarb::base::breaker::BreakerState;
use microarb::config::LeggingKind;
use microarb::exec::gateway::PaperFaults;
use microarb::exec::limits::LimitSpec;
use microarb::exec::AssetId;
use microarb::model::{Outcome, Price, Qty, RejectReason};

const BTC: AssetId = AssetId(0);
const USDT: AssetId = AssetId(1);

fn rejected(r: RejectReason) -> Outcome {
    Outcome::Rejected(r)
}

#[test]
fn executes_both_legs_and_moves_balances() {
    let mut h = harness(|_| {});
    let (btc0, usdt0) = (
        h.stage.risk().balance(BINANCE, BTC),
        h.stage.risk().balance(BINANCE, USDT),
    );
    let o = h.opp(BINANCE, BYBIT, 5);
    h.feed(o);
    assert_eq!(h.stage.in_flight(), 1);
    assert_eq!(h.count("exec.orders_sent"), 2);
    h.settle(50 * US, 10 * MS);
    assert_eq!(h.outcome(Outcome::Executed), 1);
    assert_eq!(h.count("exec.fills"), 2);
    let r = h.stage.risk();
    assert_eq!(
        r.balance(BINANCE, BTC),
        btc0 + ONE,
        "bought 1 BTC on the buy venue"
    );
    // Paid 100 USDT plus the 10 bp taker fee (0.1 USDT).
    assert_eq!(r.balance(BINANCE, USDT), usdt0 - 100 * ONE - ONE / 10);
    assert_eq!(r.balance(BYBIT, BTC), btc0 - ONE);
    assert_eq!(r.balance(BYBIT, USDT), usdt0 + 101 * ONE - 101 * ONE / 1000);
    assert_eq!(r.open_notional(USDT), 0, "closed when both legs ended");
    assert_eq!(h.terminal_sum(), h.fed);
}

#[test]
fn slots_global_cap_reserved_tier_and_per_venue_cap() {
    // Demo: 3 slots, 1 reserved for >= 10 bp, 2 per venue.
    let mut h = harness(|_| {});
    let a = h.opp(BINANCE, BYBIT, 3);
    h.feed(a);
    let b = h.opp(OKX, UPBIT, 3);
    h.feed(b);
    let c = h.opp(BINANCE, OKX, 3); // only the reserved slot is left: too little edge
    h.feed(c);
    assert_eq!(h.outcome(rejected(RejectReason::NoSlot)), 1);
    let d = h.opp(BYBIT, UPBIT, 12); // high edge takes the reserved slot
    h.feed(d);
    assert_eq!(h.stage.in_flight(), 3);
    let e = h.opp(BINANCE, UPBIT, 50); // global cap
    h.feed(e);
    assert_eq!(h.outcome(rejected(RejectReason::NoSlot)), 2);
    h.settle(50 * US, 10 * MS);
    assert_eq!(h.outcome(Outcome::Executed), 3);
    h.flush();
    assert_eq!(h.count("exec.slots.acquired_reserved"), 1);
    assert_eq!(
        h.count("exec.slots.acquired"),
        h.count("exec.slots.released")
    );

    // Per venue: cap 1 on every venue, no reserved tier.
    let cfg = config(|_| {});
    let mut h = harness_with(&cfg, |p| {
        p.slots.global = 5;
        p.slots.reserved = 0;
        p.slots.per_venue = [1; 16];
    });
    let a = h.opp(BINANCE, BYBIT, 3);
    h.feed(a);
    let b = h.opp(BINANCE, OKX, 30);
    h.feed(b);
    let c = h.opp(OKX, UPBIT, 3);
    h.feed(c);
    assert_eq!(h.outcome(rejected(RejectReason::NoSlot)), 1);
    assert_eq!(h.stage.in_flight(), 2);
    h.settle(50 * US, 10 * MS);
    assert_eq!(h.terminal_sum(), h.fed);
}

#[test]
fn max_order_notional() {
    let mut h = harness(|c| c.risk.max_order_notional = dec("150"));
    let ok = h.opp(BINANCE, BYBIT, 5);
    h.feed(ok);
    let mut big = h.opp(BINANCE, OKX, 5);
    big.qty = Qty(2 * ONE); // 200 USDT
    h.feed(big);
    assert_eq!(h.outcome(rejected(RejectReason::RiskLimit)), 1);
    h.settle(50 * US, 10 * MS);
    assert_eq!(h.outcome(Outcome::Executed), 1);
}

#[test]
fn max_open_notional_counts_in_flight_and_frees_on_completion() {
    let mut h = harness(|c| c.risk.max_open_notional = dec("250"));
    let a = h.opp(BINANCE, BYBIT, 5);
    h.feed(a);
    let b = h.opp(OKX, UPBIT, 5);
    h.feed(b);
    assert_eq!(h.stage.risk().open_notional(USDT), 200 * ONE);
    let c = h.opp(BYBIT, OKX, 50);
    h.feed(c);
    assert_eq!(h.outcome(rejected(RejectReason::RiskLimit)), 1);
    h.settle(50 * US, 10 * MS);
    assert_eq!(h.stage.risk().open_notional(USDT), 0);
    let d = h.opp(BYBIT, OKX, 50);
    h.feed(d);
    h.settle(50 * US, 10 * MS);
    assert_eq!(h.outcome(Outcome::Executed), 3);
}

#[test]
fn loss_limit_stops_trading_after_realized_losses() {
    let mut h = harness(|c| c.risk.loss_limit = dec("1"));
    // Buy at 100, sell at 99: a sure loss of 1 USDT plus fees.
    let mut bad = h.opp(BINANCE, BYBIT, 5);
    bad.sell_px = Price(99 * ONE);
    h.feed(bad);
    h.settle(50 * US, 10 * MS);
    assert_eq!(h.outcome(Outcome::Executed), 1);
    let next = h.opp(OKX, UPBIT, 5);
    h.feed(next);
    assert_eq!(h.outcome(rejected(RejectReason::RiskLimit)), 1);
    assert_eq!(h.terminal_sum(), 2);
}

#[test]
fn insufficient_balance_refuses_and_pauses_the_venue() {
    let mut h = harness(|c| {
        c.execution.paper.balance_quote = dec("150");
        c.execution.paper.balance_base = dec("1.5");
    });
    let a = h.opp(BINANCE, BYBIT, 5);
    h.feed(a);
    h.settle(50 * US, 10 * MS);
    assert_eq!(h.outcome(Outcome::Executed), 1);
    // Binance has ~50 USDT left: buying 100 more is refused and Binance is paused.
    let b = h.opp(BINANCE, OKX, 5);
    h.feed(b);
    assert_eq!(h.outcome(rejected(RejectReason::InsufficientBalance)), 1);
    assert!(h.stage.risk().is_paused(BINANCE));
    // Paused: even selling BTC there (it has 2.5 BTC now) is refused until a balance update.
    let c = h.opp(OKX, BINANCE, 5);
    h.feed(c);
    assert_eq!(h.outcome(rejected(RejectReason::InsufficientBalance)), 2);
    // Bybit has 0.5 BTC left: selling 1 is refused.
    let d = h.opp(UPBIT, BYBIT, 5);
    h.feed(d);
    assert_eq!(h.outcome(rejected(RejectReason::InsufficientBalance)), 3);
    assert_eq!(h.count("exec.orders_sent"), 2);
}

#[test]
fn kill_switch_by_flag_refuses_new_and_finishes_sent() {
    let mut h = harness(|_| {});
    let a = h.opp(BINANCE, BYBIT, 5);
    h.feed(a);
    h.kill.trip();
    let b = h.opp(OKX, UPBIT, 5);
    h.feed(b);
    assert_eq!(h.outcome(rejected(RejectReason::KillSwitch)), 1);
    h.settle(50 * US, 10 * MS);
    assert_eq!(
        h.outcome(Outcome::Executed),
        1,
        "orders already sent finish"
    );
    assert_eq!(h.count("exec.orders_sent"), 2);
}

#[test]
fn kill_switch_by_file_through_the_watcher() {
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;
    let dir = crate::common::tmp::TempDir::new("exec-kill");
    let path = dir.join("KILL");
    let mut h = harness(|_| {});
    let stop = Arc::new(AtomicBool::new(false));
    let w = h
        .kill
        .watch_file(
            path.clone(),
            std::time::Duration::from_millis(5),
            Arc::clone(&stop),
        )
        .unwrap();
    let a = h.opp(BINANCE, BYBIT, 5);
    h.feed(a);
    h.settle(50 * US, 10 * MS);
    microarb::exec::create_kill_file(&path).unwrap();
    let mut on = false;
    for _ in 0..400 {
        if h.kill.is_on() {
            on = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(on, "the watcher saw the kill file");
    let b = h.opp(BINANCE, BYBIT, 5);
    h.feed(b);
    assert_eq!(h.outcome(rejected(RejectReason::KillSwitch)), 1);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    w.join().unwrap();
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn expiry_and_max_wait_bound_the_wait_for_a_token() {
    let cfg = config(|c| c.execution.max_wait_ms = 50);
    // One token per 10 ms on Bybit and OKX.
    let mut h = harness_with(&cfg, |p| {
        for v in [1, 2] {
            for g in p.venues[v].limits.iter_mut().flatten() {
                *g = LimitSpec {
                    limit: 1,
                    window_ns: 10 * MS,
                    burst: 1,
                    margin_ns: 0,
                };
            }
        }
    });
    let a = h.opp(BYBIT, OKX, 5);
    h.feed(a);
    assert_eq!(h.count("exec.orders_sent"), 2);
    // Next token in 10 ms; this one expires in 15 ms: it waits...
    let mut b = h.opp(OKX, BYBIT, 5);
    b.expiry_ts_ns = h.now + 15 * MS;
    h.feed(b);
    assert_eq!(h.stage.waiting(), 1);
    // ... and expires in the queue when the stage next looks after its expiry.
    h.step(16 * MS);
    assert_eq!(h.outcome(Outcome::Expired), 1);
    assert_eq!(h.stage.waiting(), 0);
    assert_eq!(h.count("exec.orders_sent"), 2, "nothing sent for it");
    // A token beyond the expiry: refused at once as rate limited.
    h.settle(50 * US, 20 * MS);
    let c = h.opp(BYBIT, OKX, 5);
    h.feed(c);
    let mut d = h.opp(OKX, BYBIT, 5);
    d.expiry_ts_ns = h.now + 5 * MS;
    h.feed(d);
    assert_eq!(h.outcome(rejected(RejectReason::RateLimited)), 1);
    // Within both bounds: waits, then goes when the token comes.
    let e = h.opp(OKX, BYBIT, 5);
    h.feed(e);
    assert_eq!(h.stage.waiting(), 1);
    h.step(10 * MS);
    assert_eq!(h.stage.waiting(), 0);
    assert_eq!(h.count("exec.orders_sent"), 6);
    assert_eq!(h.count("exec.ratelimit.waits"), 2);
    h.settle(50 * US, 20 * MS);
    assert_eq!(h.terminal_sum(), h.fed);
}

#[test]
fn breaker_opens_after_five_failures_and_nothing_is_sent_while_open() {
    let mut h = harness(|_| {});
    h.stage.gateway_mut().set_faults(
        BYBIT,
        PaperFaults {
            p_reject: 1.0,
            ..Default::default()
        },
    );
    for i in 0..5 {
        assert_eq!(
            h.stage.breaker_state(BYBIT),
            BreakerState::Closed,
            "after {i}"
        );
        let o = h.opp(BINANCE, BYBIT, 5);
        h.feed(o);
        h.settle(50 * US, 20 * MS);
    }
    assert_eq!(h.stage.breaker_state(BYBIT), BreakerState::Open);
    assert_eq!(h.count("exec.venue_rejects"), 5);
    // Each lone buy was unwound on Binance.
    assert_eq!(h.outcome(Outcome::Partial), 5);
    assert_eq!(h.count("exec.legging.unwinds"), 5);
    let sent = h.stage.gateway_mut().counters().orders;
    for _ in 0..3 {
        let o = h.opp(OKX, BYBIT, 5);
        h.feed(o);
    }
    assert_eq!(h.outcome(rejected(RejectReason::BreakerOpen)), 3);
    assert_eq!(
        h.stage.gateway_mut().counters().orders,
        sent,
        "no order while open"
    );
    h.flush();
    assert_eq!(h.count("exec.breaker.closed_to_open"), 1);
    assert_eq!(h.terminal_sum(), h.fed);
}

#[test]
fn unknown_fates_are_queried_to_a_final_state() {
    for faults in [
        PaperFaults {
            p_5xx: 1.0,
            ..Default::default()
        },
        PaperFaults {
            p_timeout: 1.0,
            ..Default::default()
        },
    ] {
        // Ambiguous answers are not counted against the breaker's patience here: this test is
        // about fates, and 404s ("never reached") in a row would open it.
        let mut h = harness_with(&config(|_| {}), |p| p.breaker.failure_threshold = 1_000);
        for v in [BINANCE, BYBIT] {
            h.stage.gateway_mut().set_faults(v, faults);
        }
        for _ in 0..4 {
            let o = h.opp(BINANCE, BYBIT, 5);
            h.feed(o);
            h.settle(100 * US, 2_000 * MS);
        }
        assert!(h.count("exec.status_queries") >= 8, "{faults:?}");
        assert_eq!(
            h.count("exec.status_5xx") + h.count("exec.timeouts"),
            h.count("exec.orders_sent"),
            "every order's first answer was ambiguous"
        );
        assert_eq!(h.terminal_sum(), 4);
    }
}

#[test]
fn a_429_blocks_the_group_for_retry_after() {
    let mut h = harness(|_| {});
    h.stage.gateway_mut().set_faults(
        UPBIT,
        PaperFaults {
            p_429: 1.0,
            ..Default::default()
        },
    );
    let a = h.opp(UPBIT, BINANCE, 5);
    h.feed(a);
    h.settle(50 * US, 10 * MS);
    assert_eq!(h.count("exec.status_429"), 1);
    assert_eq!(
        h.outcome(Outcome::Partial),
        1,
        "the Binance sell filled alone"
    );
    // Retry-After 1 s > max_wait 50 ms: the next Upbit opportunity is refused without sending.
    let sent = h.count("exec.orders_sent");
    let b = h.opp(UPBIT, OKX, 5);
    h.feed(b);
    assert_eq!(h.outcome(rejected(RejectReason::RateLimited)), 1);
    assert_eq!(h.count("exec.orders_sent"), sent);
    // Both legs 429: rate limited, no position.
    h.step(2_000 * MS);
    h.stage.gateway_mut().set_faults(
        OKX,
        PaperFaults {
            p_429: 1.0,
            ..Default::default()
        },
    );
    let c = h.opp(UPBIT, OKX, 5);
    h.feed(c);
    h.settle(50 * US, 10 * MS);
    assert_eq!(h.outcome(rejected(RejectReason::RateLimited)), 2);
}

#[test]
fn legging_unwind_flattens_on_the_filled_venue() {
    let mut h = harness(|c| c.execution.legging = LeggingKind::Unwind);
    let btc0 = h.stage.risk().balance(BINANCE, BTC);
    h.stage.gateway_mut().set_faults(
        BYBIT,
        PaperFaults {
            p_reject: 1.0,
            ..Default::default()
        },
    );
    let o = h.opp(BINANCE, BYBIT, 5);
    h.feed(o);
    h.settle(50 * US, 10 * MS);
    assert_eq!(h.outcome(Outcome::Partial), 1);
    assert_eq!(h.count("exec.legging.imbalances"), 1);
    assert_eq!(h.count("exec.legging.unwinds"), 1);
    assert_eq!(h.count("exec.legging.retries"), 0);
    assert_eq!(h.count("exec.legging.residual"), 0);
    assert_eq!(
        h.stage.risk().balance(BINANCE, BTC),
        btc0,
        "bought and sold back on Binance"
    );
}

#[test]
fn legging_retry_resends_the_missing_leg_then_unwinds() {
    let mut h = harness(|c| {
        c.execution.legging = LeggingKind::Retry;
        c.execution.legging_max_orders = 3;
    });
    let (b0, s0) = (
        h.stage.risk().balance(BINANCE, BTC),
        h.stage.risk().balance(BYBIT, BTC),
    );
    h.stage.gateway_mut().set_faults(
        BYBIT,
        PaperFaults {
            p_partial: 1.0,
            ..Default::default()
        },
    );
    let o = h.opp(BINANCE, BYBIT, 5);
    h.feed(o);
    h.settle(50 * US, 10 * MS);
    // The sell fills 0.5; two retries on Bybit fill 0.25 and 0.125 (half each time); the last
    // hedge allowed unwinds the 0.125 left on Binance.
    assert_eq!(h.outcome(Outcome::Partial), 1);
    assert_eq!(h.count("exec.legging.retries"), 2);
    assert_eq!(h.count("exec.legging.unwinds"), 1);
    assert_eq!(h.count("exec.orders_sent"), 5);
    assert_eq!(h.count("exec.legging.residual"), 0);
    let r = h.stage.risk();
    assert_eq!(r.balance(BYBIT, BTC), s0 - ONE / 2 - ONE / 4 - ONE / 8);
    assert_eq!(
        r.balance(BINANCE, BTC) - b0,
        ONE - ONE / 8,
        "bought 1, unwound the last 1/8"
    );
    assert_eq!(
        (r.balance(BINANCE, BTC) - b0) + (r.balance(BYBIT, BTC) - s0),
        0,
        "flat across venues"
    );
}

#[test]
fn with_every_slot_taken_the_answers_of_the_same_poll_are_read_first_and_free_one() {
    // One slot. The first arbitrage holds it until its answers (0.1-0.2 ms on the paper venue).
    let cfg = config(|_| {});
    let mut h = harness_with(&cfg, |p| {
        p.slots.global = 1;
        p.slots.reserved = 0;
    });
    let a = h.opp(BINANCE, BYBIT, 3);
    h.feed(a);
    assert_eq!(h.stage.in_flight(), 1);
    // The second arrives when the first's answers are already due, unread: the poll must read
    // them (and free the slot) before it decides the second, or the second finds no slot.
    h.now += 10 * MS;
    let b = h.opp(OKX, UPBIT, 3);
    assert!(h.tx.push(b, h.now).is_ok());
    h.fed += 1;
    h.step(0);
    assert_eq!(h.outcome(rejected(RejectReason::NoSlot)), 0);
    h.settle(50 * US, 10 * MS);
    assert_eq!(h.outcome(Outcome::Executed), 2);
    assert_eq!(h.terminal_sum(), h.fed);
}
