//! Fake-clock timelines for the zero-429 policy (kept beside `zero429.rs`, in their own file so the
//! policy reads in one screen).

use super::*;
use crate::exec::limits::gcra::scaled_interval;
use crate::exec::limits::rate_headers::{parse_upbit_remaining_req, BinanceUsage};

const MS: u64 = 1_000_000;
const STEP: u32 = RateRatio::SCALE / 20;

fn upbit() -> Zero429 {
    Zero429::for_venue(VenueKind::Upbit, Zero429Config::default()).unwrap()
}

/// Drain every token the group has at `now` (so the next check depends on the rate alone).
fn drain(z: &mut Zero429, g: EndpointGroup, now: u64) -> usize {
    let mut n = 0;
    while z.check(g, 1, now).is_ok() {
        n += 1;
    }
    n
}

#[test]
fn cut_retry_after_then_slow_recovery_to_full_rate() {
    let mut z = upbit();
    let g = EndpointGroup::Order;
    let base = z.gcra(g).unwrap().emission_interval_ns;
    let t0 = 1_000 * SEC;
    assert!(z.check(g, 1, t0).is_ok());

    // First 429 (threshold 1): cut to 0.5, Retry-After 2 s honoured.
    let change = z.on_429(g, Some(2 * SEC), t0);
    assert_eq!(
        change,
        Some(RatioChange {
            group: g,
            from: RateRatio::ONE,
            to: RateRatio::HALF
        })
    );
    assert_eq!(z.gcra(g).unwrap().emission_interval_ns, base * 2);
    assert_eq!(
        z.check(g, 1, t0 + SEC),
        Err(Throttle::RetryAfter {
            until_ns: t0 + 2 * SEC
        })
    );
    assert_eq!(z.earliest_at(g, t0 + SEC), Some(t0 + 2 * SEC));
    assert!(z.check(g, 1, t0 + 2 * SEC).is_ok());
    // Other groups are untouched.
    assert_eq!(z.ratio(EndpointGroup::ExchangeDefault), RateRatio::ONE);

    // Nothing changes before recovery_delay (300 s) has passed.
    assert!(z.check(g, 1, t0 + 300 * SEC - 1).is_ok());
    assert_eq!(z.ratio(g), RateRatio::HALF);
    // Then +5 % per 300 s quiet interval.
    let _ = z.check(g, 1, t0 + 300 * SEC);
    assert_eq!(z.ratio(g), RateRatio(RateRatio::HALF.0 + STEP));
    let _ = z.check(g, 1, t0 + 599 * SEC);
    assert_eq!(z.ratio(g), RateRatio(RateRatio::HALF.0 + STEP));
    let _ = z.check(g, 1, t0 + 600 * SEC);
    assert_eq!(z.ratio(g), RateRatio(RateRatio::HALF.0 + 2 * STEP));
    // 10 steps from 0.5 to 1.0: the last is due at t0 + 300 s + 9 x 300 s.
    let _ = z.check(g, 1, t0 + 2_999 * SEC);
    assert_eq!(z.ratio(g), RateRatio(RateRatio::HALF.0 + 9 * STEP));
    let _ = z.check(g, 1, t0 + 3_000 * SEC);
    assert_eq!(z.ratio(g), RateRatio::ONE);
    assert_eq!(z.gcra(g).unwrap().emission_interval_ns, base);
    let _ = z.check(g, 1, t0 + 9_000 * SEC);
    assert_eq!(z.ratio(g), RateRatio::ONE, "never above 1.0");
    let c = z.counters(g);
    assert_eq!(
        (c.status_429, c.cuts, c.recovery_steps, c.throttled),
        (1, 1, 10, 1)
    );
}

#[test]
fn a_429_during_recovery_cuts_again_and_restarts_the_clock() {
    let mut z = upbit();
    let g = EndpointGroup::ExchangeDefault;
    z.on_429(g, None, 0);
    assert_eq!(
        z.check(g, 1, SEC - 1),
        Err(Throttle::RetryAfter { until_ns: SEC })
    );
    let _ = z.check(g, 1, 300 * SEC);
    assert_eq!(z.ratio(g), RateRatio(RateRatio::HALF.0 + STEP));
    let change = z.on_429(g, Some(0), 400 * SEC).unwrap();
    assert_eq!(change.to, RateRatio(275_000));
    let _ = z.check(g, 1, 699 * SEC);
    assert_eq!(
        z.ratio(g),
        RateRatio(275_000),
        "recovery waits 300 s from the latest 429"
    );
    let _ = z.check(g, 1, 700 * SEC);
    assert_eq!(z.ratio(g), RateRatio(325_000));
}

#[test]
fn idle_group_catches_up_in_one_check() {
    let mut z = upbit();
    let g = EndpointGroup::Quotation;
    z.on_429(g, None, 0);
    let _ = z.check(g, 1, 10_000 * SEC);
    assert_eq!(z.ratio(g), RateRatio::ONE);
    assert_eq!(z.counters(g).recovery_steps, 10);
}

#[test]
fn threshold_above_one_waits_for_more_429s() {
    let cfg = Zero429Config {
        error_429_threshold: 2,
        ..Zero429Config::default()
    };
    let mut z = Zero429::for_venue(VenueKind::Upbit, cfg).unwrap();
    assert_eq!(z.on_429(EndpointGroup::Order, Some(0), 0), None);
    assert!(z.on_429(EndpointGroup::Order, Some(0), MS).is_some());
    assert_eq!(z.ratio(EndpointGroup::Order), RateRatio::HALF);
}

#[test]
fn emergency_halves_every_group_for_its_duration() {
    let mut z = upbit();
    let base: Vec<u64> = [EndpointGroup::Quotation, EndpointGroup::Order]
        .iter()
        .map(|&g| z.gcra(g).unwrap().emission_interval_ns)
        .collect();
    let t = 50 * SEC;
    z.enter_emergency(EmergencyCause::Operator, 60 * SEC, t);
    assert!(z.in_emergency(t));
    for (i, g) in [EndpointGroup::Quotation, EndpointGroup::Order]
        .into_iter()
        .enumerate()
    {
        assert_eq!(z.gcra(g).unwrap().emission_interval_ns, base[i] * 2);
        assert_eq!(
            z.ratio(g),
            RateRatio::ONE,
            "policy ratio is kept underneath"
        );
    }
    // Quotation: burst 5 at 200 ms normally; at half rate 400 ms and a burst of max(1, 5 / 2).
    assert_eq!(drain(&mut z, EndpointGroup::Quotation, t), 2);
    assert_eq!(
        z.check(EndpointGroup::Quotation, 1, t),
        Err(Throttle::Rate {
            until_ns: t + 400 * MS
        })
    );
    // A cut during emergency stacks: 0.5 x 0.5.
    z.on_429(EndpointGroup::Order, Some(0), t);
    assert_eq!(
        z.gcra(EndpointGroup::Order).unwrap().emission_interval_ns,
        base[1] * 4
    );
    // After the duration the emergency factor goes by itself.
    let _ = z.check(EndpointGroup::Quotation, 1, t + 60 * SEC);
    assert!(!z.in_emergency(t + 60 * SEC));
    assert_eq!(
        z.gcra(EndpointGroup::Quotation)
            .unwrap()
            .emission_interval_ns,
        base[0]
    );
    let _ = z.check(EndpointGroup::Order, 1, t + 60 * SEC);
    assert_eq!(
        z.gcra(EndpointGroup::Order).unwrap().emission_interval_ns,
        base[1] * 2
    );
    z.enter_emergency(EmergencyCause::Operator, SEC, t + 61 * SEC);
    z.exit_emergency(t + 61 * SEC);
    assert!(!z.in_emergency(t + 61 * SEC));
    assert_eq!(
        z.gcra(EndpointGroup::Quotation)
            .unwrap()
            .emission_interval_ns,
        base[0]
    );
}

#[test]
fn ban_blocks_every_group_until_retry_after() {
    let mut z = Zero429::for_venue(VenueKind::Binance, Zero429Config::default()).unwrap();
    let t = 5 * SEC;
    assert_eq!(z.on_418(Some(120 * SEC), t), 3);
    for g in [
        EndpointGroup::RequestWeight,
        EndpointGroup::Orders10s,
        EndpointGroup::OrdersDay,
    ] {
        assert_eq!(
            z.check(g, 1, t + SEC),
            Err(Throttle::Banned {
                until_ns: t + 120 * SEC
            })
        );
        assert_eq!(z.ratio(g), RateRatio::HALF);
        assert!(z.check(g, 1, t + 120 * SEC).is_ok());
    }
    assert_eq!(z.bans(), 1);
    // Default ban when the venue sent no usable Retry-After.
    z.on_418(None, 200 * SEC);
    assert_eq!(
        z.earliest_at(EndpointGroup::Orders10s, 200 * SEC),
        Some(320 * SEC)
    );
}

#[test]
fn upbit_remaining_req_holds_a_group_for_a_second() {
    let mut z = upbit();
    let h = parse_upbit_remaining_req(b"group=order; min=1800; sec=1").unwrap();
    let g = EndpointGroup::from_upbit_name(h.group).unwrap();
    let t = 7 * SEC;
    assert!(z.on_upbit_remaining(g, h.sec, t));
    assert_eq!(
        z.check(g, 1, t + 500 * MS),
        Err(Throttle::HeaderHold { until_ns: t + SEC })
    );
    assert!(z.check(g, 1, t + SEC).is_ok());
    assert!(!z.on_upbit_remaining(g, 5, t + SEC), "plenty left: no hold");
    assert_eq!(z.counters(g).header_holds, 1);
}

#[test]
fn binance_usage_holds_until_the_window_ends() {
    let mut z = Zero429::for_venue(VenueKind::Binance, Zero429Config::default()).unwrap();
    let mut u = BinanceUsage::default();
    u.apply(b"X-MBX-USED-WEIGHT-1M", b"5400").unwrap(); // 90 % of 6000
    u.apply(b"X-MBX-ORDER-COUNT-10S", b"10").unwrap(); // 10 %: no hold
    let now = 1_000 * SEC;
    let unix = 1_700_000_085 * SEC + 250 * MS; // 45.25 s into a minute (1_700_000_040 is one)
    assert_eq!(z.on_binance_usage(&u, now, unix), 1);
    let until = now + 14_750 * MS;
    assert_eq!(
        z.check(EndpointGroup::RequestWeight, 1, now),
        Err(Throttle::HeaderHold { until_ns: until })
    );
    assert!(z.check(EndpointGroup::Orders10s, 1, now).is_ok());
    assert!(z.check(EndpointGroup::RequestWeight, 1, until).is_ok());
}

#[test]
fn a_429_replaces_a_shorter_header_hold() {
    let mut z = upbit();
    let g = EndpointGroup::Order;
    z.on_upbit_remaining(g, 0, 0);
    z.on_429(g, Some(5 * SEC), 0);
    assert_eq!(
        z.check(g, 1, SEC),
        Err(Throttle::RetryAfter { until_ns: 5 * SEC })
    );
}

#[test]
fn groups_without_a_limit_are_refused() {
    let mut z = upbit();
    assert_eq!(
        z.check(EndpointGroup::RequestWeight, 1, 0),
        Err(Throttle::NoLimit(EndpointGroup::RequestWeight))
    );
    assert_eq!(z.earliest_at(EndpointGroup::RequestWeight, 0), None);
    assert_eq!(Throttle::NoLimit(EndpointGroup::Order).until_ns(), None);
    assert!(!z.on_upbit_remaining(EndpointGroup::RequestWeight, 0, 0));
}

#[test]
fn batches_and_rate() {
    let mut z = Zero429::for_venue(VenueKind::Binance, Zero429Config::default()).unwrap();
    let g = EndpointGroup::Orders10s;
    assert_eq!(
        z.check(g, 51, 0),
        Err(Throttle::BatchTooLarge { n: 51, burst: 50 })
    );
    assert!(z.check(g, 50, 0).is_ok());
    assert_eq!(z.check(g, 1, 0), Err(Throttle::Rate { until_ns: 200 * MS }));
}

#[test]
fn bybit_limit_status_holds_until_the_reset() {
    let limits = crate::exec::params::VenueExec::for_kind(
        VenueKind::Bybit,
        crate::model::Bps(0),
        crate::model::Bps(0),
    )
    .limits;
    let mut z = Zero429::with_limits(limits, Zero429Config::default()).unwrap();
    let g = EndpointGroup::Order;
    let (t, unix) = (7 * SEC, 1_700_000_000_000 * MS);
    assert!(
        !z.on_bybit_limit(g, 5, None, t, unix),
        "plenty left: no hold"
    );
    // One left, the window resets 2.5 s from now on the venue's clock.
    assert!(z.on_bybit_limit(g, 1, Some(1_700_000_002_500), t, unix));
    assert_eq!(
        z.check(g, 1, t + SEC),
        Err(Throttle::HeaderHold {
            until_ns: t + 2_500 * MS
        })
    );
    assert!(z.check(g, 1, t + 2_500 * MS).is_ok());
    // A reset in the past (the venue's "now") still holds a whole second; one far ahead at most
    // a minute.
    let t2 = 20 * SEC;
    assert!(z.on_bybit_limit(g, 0, Some(1_600_000_000_000), t2, unix));
    assert_eq!(
        z.check(g, 1, t2),
        Err(Throttle::HeaderHold { until_ns: t2 + SEC })
    );
    let t3 = 30 * SEC;
    assert!(z.on_bybit_limit(g, 0, Some(1_800_000_000_000), t3, unix));
    assert_eq!(
        z.check(g, 1, t3),
        Err(Throttle::HeaderHold {
            until_ns: t3 + 60 * SEC
        })
    );
    assert_eq!(z.counters(g).header_holds, 3);
}

#[test]
fn a_418_enters_emergency_which_leaves_after_its_duration() {
    let mut z = Zero429::for_venue(VenueKind::Binance, Zero429Config::default()).unwrap();
    let g = EndpointGroup::Orders10s;
    let base = z.gcra(g).unwrap().emission_interval_ns;
    let t = 10 * SEC;
    z.on_418(Some(SEC), t);
    assert!(z.in_emergency(t));
    let c = z.emergency_counters();
    assert_eq!(c.entries[EmergencyCause::Ban418.index()], 1);
    // Cut to 0.5 by the ban, halved again by emergency mode.
    assert_eq!(z.gcra(g).unwrap().emission_interval_ns, base * 4);
    assert!(!z.tick(t + 300 * SEC - 1), "the default duration is 300 s");
    assert!(z.in_emergency(t + 300 * SEC - 1));
    assert!(z.tick(t + 300 * SEC));
    assert!(!z.in_emergency(t + 300 * SEC));
    assert_eq!(z.emergency_counters().exits, 1);
    assert!(!z.tick(t + 301 * SEC), "one exit");
    // The ban's own cut recovers on its clock: 600 s after the 418 (emergency's delay), not 300.
    assert_eq!(z.ratio(g), RateRatio::HALF);
    let _ = z.check(g, 1, t + 599 * SEC);
    assert_eq!(z.ratio(g), RateRatio::HALF);
    let _ = z.check(g, 1, t + 600 * SEC);
    assert_eq!(z.ratio(g), RateRatio(RateRatio::SCALE / 2 + STEP));
    assert_eq!(
        z.gcra(g).unwrap().emission_interval_ns,
        scaled_interval(base, RateRatio(RateRatio::SCALE / 2 + STEP))
    );
}

#[test]
fn two_groups_429s_within_the_window_enter_emergency() {
    let mut z = upbit();
    let t = 100 * SEC;
    for i in 0..5 {
        z.on_429(EndpointGroup::Order, Some(0), t + i * 10 * SEC);
    }
    assert!(
        !z.in_emergency(t + 40 * SEC),
        "one group's 429s cut that group only"
    );
    z.on_429(EndpointGroup::ExchangeDefault, Some(0), t + 100 * SEC);
    assert!(
        z.in_emergency(t + 100 * SEC),
        "60 s after the last order 429"
    );
    let c = z.emergency_counters();
    assert_eq!(c.entries, [0, 1, 0]);
    assert!(z.tick(t + 400 * SEC));
    // Outside the window: nothing.
    let mut z = upbit();
    z.on_429(EndpointGroup::Order, Some(0), t);
    z.on_429(EndpointGroup::ExchangeDefault, Some(0), t + 61 * SEC);
    assert!(!z.in_emergency(t + 61 * SEC));
    // The window is configurable.
    let cfg = Zero429Config {
        emergency: EmergencyConfig {
            window_ns: 100 * SEC,
            ..EmergencyConfig::default()
        },
        ..Zero429Config::default()
    };
    let mut z = Zero429::for_venue(VenueKind::Upbit, cfg).unwrap();
    z.on_429(EndpointGroup::Order, Some(0), t);
    z.on_429(EndpointGroup::ExchangeDefault, Some(0), t + 61 * SEC);
    assert!(z.in_emergency(t + 61 * SEC));
}

#[test]
fn the_operator_enters_it_for_the_seconds_given() {
    let mut z = upbit();
    let t = 5 * SEC;
    assert!(z.enter_emergency(EmergencyCause::Operator, 30 * SEC, t));
    assert!(
        !z.enter_emergency(EmergencyCause::Operator, 10 * SEC, t),
        "kept the later end"
    );
    assert!(z.in_emergency(t + 30 * SEC - 1));
    // A request after the end restores the group even before any tick.
    let base = upbit()
        .gcra(EndpointGroup::Order)
        .unwrap()
        .emission_interval_ns;
    let _ = z.check(EndpointGroup::Order, 1, t + 30 * SEC);
    assert_eq!(
        z.gcra(EndpointGroup::Order).unwrap().emission_interval_ns,
        base
    );
    let c = z.emergency_counters();
    assert_eq!(
        (c.entries[EmergencyCause::Operator.index()], c.exits),
        (1, 1)
    );
}

#[test]
fn emergency_halves_burst_and_threshold_is_one() {
    let cfg = Zero429Config {
        error_429_threshold: 3,
        ..Zero429Config::default()
    };
    let mut z = Zero429::for_venue(VenueKind::Upbit, cfg).unwrap();
    let g = EndpointGroup::Order;
    let t = 10 * SEC;
    z.enter_emergency(EmergencyCause::Operator, 100 * SEC, t);
    let d = EndpointGroup::ExchangeDefault;
    assert_eq!(drain(&mut z, g, t), 3, "Upbit order burst 6 -> 3");
    assert_eq!(drain(&mut z, d, t), 7, "default burst 15 -> 7");
    assert!(z.on_429(g, Some(0), t).is_some(), "one 429 cuts while on");
    z.exit_emergency(t + 50 * SEC);
    assert!(!z.in_emergency(t + 50 * SEC));
    assert_eq!(
        drain(&mut z, d, t + 100 * SEC),
        15,
        "the full burst is back"
    );
    assert!(
        z.on_429(d, Some(0), t + 100 * SEC).is_none(),
        "threshold 3 again"
    );
}

#[test]
fn emergency_admits_at_most_half_the_limit_in_any_window() {
    for kind in [
        VenueKind::Upbit,
        VenueKind::Binance,
        VenueKind::Bybit,
        VenueKind::Okx,
    ] {
        let mut z = Zero429::for_venue(kind, Zero429Config::default()).unwrap();
        z.enter_emergency(EmergencyCause::Operator, 3_600 * SEC, 0);
        for g in EndpointGroup::ALL {
            let Some(spec) = crate::exec::limits::default_limit(kind, g) else {
                continue;
            };
            if spec.window_ns > 60 * SEC {
                continue;
            }
            let mut admitted = Vec::new();
            let mut now = 0;
            while now < 3 * spec.window_ns {
                match z.check(g, 1, now) {
                    Ok(()) => admitted.push(now),
                    Err(e) => now = e.until_ns().unwrap(),
                }
            }
            let w = spec.window_ns + spec.margin_ns;
            for &a in &admitted {
                let n = admitted.iter().filter(|&&b| b >= a && b < a + w).count() as u64;
                assert!(
                    n <= u64::from(spec.limit).div_ceil(2),
                    "{kind:?}/{g:?}: {n} in {w} ns"
                );
            }
        }
    }
}
