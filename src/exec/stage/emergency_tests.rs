//! Rate-limit emergency mode through the stage, on a fake clock with the scripted gateway: each way
//! in (a 418, 429s in two groups of one venue, the operator's request) and the way out (its
//! duration elapsed), with the `exec.emergency.*` counters.

use super::tests::{rig_with, Script, BINANCE, MS, T, TIMEOUT, UPBIT};
use super::*;
use crate::exec::guards::EmergencySwitch;
use crate::exec::params::VenueExec;
use crate::model::{ExecReport, ExecStatus};

const SEC: u64 = 1_000_000_000;

/// The rig with each venue's real order groups (the default rig lifts them).
fn limited() -> T {
    rig_with(|p| {
        for v in &mut p.venues {
            v.order_groups = VenueExec::for_kind(v.kind, v.slippage, v.fee).order_groups;
        }
    })
}

fn answer(t: &mut T, o: &Order, status: ExecStatus, retry_after_ms: u32) {
    let r = ExecReport {
        order: o.id,
        opp: o.opp,
        venue: o.venue,
        status,
        filled_qty: Qty::ZERO,
        avg_px: Price::ZERO,
        recv_ts_ns: t.now,
        retry_after_ms,
        fee: None,
        venue_order_id: crate::model::VenueOrderId::EMPTY,
    };
    t.stage.gateway_mut().ready.push(GatewayEvent::Report(r));
}

fn flush(t: &mut T) {
    let now = t.now;
    t.stage.flush_telemetry(now);
}

fn script(t: &mut T) -> &mut Script {
    t.stage.gateway_mut()
}

#[test]
fn a_418_puts_its_venue_in_emergency_mode_for_the_configured_duration() {
    let mut t = limited();
    script(&mut t).ready.push(GatewayEvent::Banned {
        venue: UPBIT,
        retry_after_ms: 1_000,
    });
    t.step(MS);
    assert!(t.stage.in_emergency(UPBIT, t.now));
    assert!(!t.stage.in_emergency(BINANCE, t.now), "per venue");
    flush(&mut t);
    assert_eq!(t.count("exec.emergency.entries.ban_418"), 1);
    assert_eq!(t.count("exec.emergency.active"), 1);
    t.step(300 * SEC - 2 * MS);
    flush(&mut t);
    assert!(t.stage.in_emergency(UPBIT, t.now));
    assert_eq!(t.count("exec.emergency.exits"), 0);
    t.step(2 * MS);
    flush(&mut t);
    assert!(!t.stage.in_emergency(UPBIT, t.now));
    assert_eq!(t.count("exec.emergency.exits"), 1);
    assert_eq!(t.count("exec.emergency.active"), 0);
}

#[test]
fn a_429_to_an_order_and_one_to_a_status_query_are_two_groups() {
    let mut t = limited();
    // An Upbit order answered 429: its group (`order`) is cut; no emergency for one group.
    let first = t.arb();
    assert_eq!(first.len(), 2);
    answer(&mut t, &first[0], ExecStatus::Cancelled, 0);
    answer(&mut t, &first[1], ExecStatus::Rejected { code: 429 }, 0);
    t.step(MS);
    assert!(t.stage.is_idle());
    assert!(!t.stage.in_emergency(UPBIT, t.now));
    // The next Upbit leg goes unanswered: its fate is unknown, so its status is queried, and the
    // query draws a 429 (the `default` group): the leg stays unknown and emergency mode starts.
    t.step(2 * SEC);
    let second = t.arb();
    assert_eq!(second.len(), 2);
    answer(&mut t, &second[0], ExecStatus::Cancelled, 0);
    t.step(TIMEOUT + MS);
    let asked = script(&mut t).queries.len();
    t.step(30 * MS);
    assert!(
        script(&mut t).queries.len() > asked,
        "its status was queried"
    );
    answer(&mut t, &second[1], ExecStatus::Rejected { code: 429 }, 500);
    t.step(MS);
    assert!(t.stage.in_emergency(UPBIT, t.now));
    assert!(
        !t.stage.is_idle(),
        "a 429 to the query says nothing of the order"
    );
    let asked = script(&mut t).queries.len();
    t.step(400 * MS);
    assert_eq!(script(&mut t).queries.len(), asked, "Retry-After honoured");
    t.step(200 * MS);
    assert!(script(&mut t).queries.len() > asked, "asked again after it");
    answer(&mut t, &second[1], ExecStatus::Filled, 0);
    t.step(MS);
    flush(&mut t);
    assert_eq!(t.count("exec.emergency.entries.multi_group_429"), 1);
    assert_eq!(t.count("exec.status_429"), 2);
}

#[test]
fn the_operator_request_reaches_every_venue_and_ends_on_time() {
    let mut t = limited();
    let switch = EmergencySwitch::new();
    t.stage.set_emergency_switch(switch.clone());
    t.step(MS);
    assert!(!t.stage.in_emergency(BINANCE, t.now), "no request yet");
    let now_ms = t.stage.clock.unix_ns(t.now) / 1_000_000;
    switch.request(now_ms + 60_000);
    t.step(MS);
    let venues = t.stage.venues.len();
    for v in 0..venues {
        assert!(t.stage.in_emergency(VenueId(v as u8), t.now), "venue {v}");
    }
    flush(&mut t);
    assert_eq!(t.count("exec.emergency.entries.operator"), venues as u64);
    assert_eq!(t.count("exec.emergency.active"), venues as u64);
    // The same request seen again changes nothing; a past one is ignored.
    t.step(MS);
    flush(&mut t);
    assert_eq!(t.count("exec.emergency.entries.operator"), venues as u64);
    t.step(60 * SEC);
    flush(&mut t);
    assert_eq!(t.count("exec.emergency.active"), 0);
    assert_eq!(t.count("exec.emergency.exits"), venues as u64);
    switch.request(now_ms + 1_000);
    t.step(MS);
    assert!(!t.stage.in_emergency(BINANCE, t.now), "already past");
}
