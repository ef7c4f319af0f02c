//! Venue trading rules end to end (issue 13, item 1): read at start-up from the venues' instrument
//! endpoints (the mock exchange's, on loopback), every order priced on tick inside the slippage
//! buffer and sized on step, arbitrages under a minimum refused before any leg is sent, overrides
//! checked against the venue, unknown rules refused. Bad instrument answers: `rules_answers.rs`.

use std::time::Duration;

use crate::common::config::{checked, dec};
use crate::common::mockex_rest::{
    self, creds_with, engine_with, stats, Engine, Venue, BINANCE_UPBIT, BYBIT_OKX, PASSPHRASE,
    SECRET,
};
use microarb::config::{Config, RulesOverride};
use microarb::exec::params::{ExecBuildError, ExecParams};
use microarb::exec::rules::{InstrumentRules, RulesTable};
use microarb::exec::startup::rules::{load, RulesStartup};
use microarb::model::{InstrumentId, Outcome, Qty, RejectReason, VenueId};
use mockex::{InstrumentRules as MockRules, MockExchange, RestLimits};

const BINANCE: VenueId = VenueId(0);
const UPBIT: VenueId = VenueId(1);
const BTC: InstrumentId = InstrumentId(0);

/// Binance and Upbit: tick 0.01, step 0.00001, minimum 0.0001 BTC and `min_notional` USDT.
fn mock(min_notional: &str) -> MockExchange {
    mock_on(&BINANCE_UPBIT, min_notional)
}

/// `venues` on the mock with the rules of [`mock`].
fn mock_on(venues: &[Venue], min_notional: &str) -> MockExchange {
    mockex_rest::start_with(venues, RestLimits::default(), |m| {
        for v in venues.iter().map(|v| v.name) {
            m.rest_rules.insert(
                v.to_string(),
                MockRules {
                    tick: Some("0.01".into()),
                    step: Some("0.00001".into()),
                    min_qty: Some("0.0001".into()),
                    min_notional: Some(min_notional.into()),
                },
            );
        }
    })
}

/// The engine config for the mock's Binance and Upbit, slippage 1.3 bp on both.
fn config(ex: &MockExchange) -> Config {
    config_on(ex, &BINANCE_UPBIT)
}

/// The engine config for `venues` on the mock, slippage 1.3 bp on each.
fn config_on(ex: &MockExchange, venues: &[Venue]) -> Config {
    mockex_rest::config(ex, venues, "/nonexistent", |c| {
        for v in &mut c.venues {
            v.slippage_bps = 1.3;
        }
        c.execution.max_inflight = 3;
        c.execution.reserved_slots = 0;
    })
}

/// The REST stage with the venues' rules read at start-up, as `build_stage` does.
fn engine_with_venue_rules(cfg: &Config) -> (Engine, RulesStartup) {
    let creds = creds_with(cfg, SECRET, PASSPHRASE);
    let mut startup = None;
    let e = engine_with(cfg, SECRET, |p| {
        startup = Some(load(cfg, &creds, p).expect("rules load"));
    });
    (e, startup.expect("loaded"))
}

fn both_legs(i: u32) -> (VenueId, VenueId) {
    if i % 2 == 0 {
        (BINANCE, UPBIT)
    } else {
        (UPBIT, BINANCE)
    }
}

#[test]
fn off_tick_slippage_1_3_bp_on_a_0_01_tick_every_order_is_on_tick_and_step() {
    off_tick_on(&BINANCE_UPBIT);
}

#[test]
fn off_tick_on_bybit_and_okx_too() {
    off_tick_on(&BYBIT_OKX);
}

#[test]
fn okx_inst_id_codes_are_read_with_the_rules() {
    let ex = mock_on(&BYBIT_OKX, "5");
    let cfg = config_on(&ex, &BYBIT_OKX);
    let (_e, startup) = engine_with_venue_rules(&cfg);
    let symbol = cfg.instruments[0].symbols["okx"].clone();
    let code = mockex::okx_inst_id_code(&symbol);
    assert_eq!(
        startup.venue_codes,
        vec![(VenueId(1), symbol.clone(), code)]
    );
    assert_eq!(startup.codes_for(VenueId(1)), vec![(symbol, code)]);
    assert!(
        startup.codes_for(VenueId(0)).is_empty(),
        "Bybit publishes none"
    );
}

/// The off-tick test on `venues` (venue 0 and 1).
fn off_tick_on(venues: &[Venue; 2]) {
    let names = venues.map(|v| v.name);
    let ex = mock_on(venues, "5");
    let cfg = config_on(&ex, venues);
    let (mut e, startup) = engine_with_venue_rules(&cfg);
    assert_eq!(startup.loaded, 2, "{:?}", startup.lines);
    assert!(startup.lines.is_empty(), "{:?}", startup.lines);
    let mut off_tick = 0;
    for i in 0..8u32 {
        let (b, s) = both_legs(i);
        // Off-step quantities (0.00123456 BTC and up); the touch prices are the mock's quotes 1 %
        // through, mostly off the 0.01 tick, and 1.3 bp of slippage would land off it anyway.
        let o = e.opp(
            &ex,
            b,
            s,
            Qty(123_456 + i64::from(i) * 7_777),
            500 * mockex_rest::MS,
        );
        off_tick +=
            u32::from(o.buy_px.0 % 1_000_000 != 0) + u32::from(o.sell_px.0 % 1_000_000 != 0);
        e.push(o);
        e.settle(Duration::from_secs(3));
        // Paced under Upbit's order rate (this test is about prices, not rate limits).
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(off_tick > 0, "the test feeds off-tick touches");
    let outcomes: Vec<String> = e
        .reg
        .counters
        .iter()
        .filter(|(n, v)| n.starts_with("exec.opps") && *v > 0)
        .map(|(n, v)| format!("{n}={v}"))
        .collect();
    assert_eq!(e.outcome(Outcome::Executed), 8, "{outcomes:?}");
    e.check_accounting(&ex, venues);
    for v in names {
        let s = stats(&ex, v);
        assert!(s.rest_orders >= 8, "{v}: {s:?}");
        assert_eq!(
            s.rest_rule_rejects, 0,
            "{v}: an order off tick or step: {s:?}"
        );
        assert_eq!(s.rest_rejects, 0, "{v}: the mock rejected an order: {s:?}");
        assert!(s.rest_fills > 0, "{v}: {s:?}");
    }

    // The same opportunities with the rules forgotten (every tick and step one mantissa unit):
    // the mock refuses them as off tick, so the check above is not vacuous.
    let ex2 = mock_on(venues, "5");
    let cfg2 = config_on(&ex2, venues);
    let mut raw = engine_with(&cfg2, SECRET, |p| {
        p.rules = RulesTable::new(2, 1, Some(InstrumentRules::PASS));
    });
    let o = raw.opp(&ex2, BINANCE, UPBIT, Qty(123_456), 500 * mockex_rest::MS);
    raw.push(o);
    raw.settle(Duration::from_secs(3));
    let refused: u64 = names.iter().map(|v| stats(&ex2, v).rest_rule_rejects).sum();
    assert!(refused > 0, "off-tick orders are refused by the mock");
}

#[test]
fn minimum_notional_refused_before_sending() {
    // 100 USDT minimum: 0.001 BTC (about 60 USDT) falls under it on both venues.
    let ex = mock("100");
    let cfg = config(&ex);
    let (mut e, startup) = engine_with_venue_rules(&cfg);
    assert_eq!(startup.loaded, 2, "{:?}", startup.lines);
    let o = e.opp(&ex, BINANCE, UPBIT, Qty(100_000), 500 * mockex_rest::MS);
    e.push(o);
    e.settle(Duration::from_secs(3));
    assert_eq!(
        e.outcome(Outcome::Rejected(RejectReason::BelowMinimum)),
        1,
        "refused with its own reason"
    );
    assert_eq!(e.count("exec.orders_sent"), 0, "no leg sent");
    for v in ["binance", "upbit"] {
        let s = stats(&ex, v);
        assert_eq!((s.rest_orders, s.rest_rejects), (0, 0), "{v}: {s:?}");
    }
    // 0.01 BTC (about 600 USDT) clears the minimum and trades.
    let o = e.opp(&ex, UPBIT, BINANCE, Qty(1_000_000), 500 * mockex_rest::MS);
    e.push(o);
    e.settle(Duration::from_secs(3));
    assert_eq!(e.outcome(Outcome::Executed), 1);
    e.check_accounting(&ex, &BINANCE_UPBIT);
    assert_eq!(stats(&ex, "binance").rest_rule_rejects, 0);
}

#[test]
fn an_override_finer_than_the_venue_is_refused_naming_the_key() {
    let ex = mock("5");
    let mut cfg = config(&ex);
    cfg.instruments[0].rules.insert(
        "binance".into(),
        RulesOverride {
            tick: Some(dec("0.001")),
            ..RulesOverride::default()
        },
    );
    let cfg = checked(cfg);
    let creds = creds_with(&cfg, SECRET, PASSPHRASE);
    let mut p = ExecParams::from_config(&cfg).unwrap();
    let err = load(&cfg, &creds, &mut p).expect_err("finer than the venue's 0.01");
    assert!(matches!(err, ExecBuildError::Rules(_)), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("instruments[0].rules.binance.tick") && msg.contains("0.01"),
        "{msg}"
    );
    // A coarser one is taken.
    let mut cfg = cfg;
    cfg.instruments[0].rules.get_mut("binance").unwrap().tick = Some(dec("0.1"));
    let mut p = ExecParams::from_config(&cfg).unwrap();
    load(&cfg, &creds, &mut p).unwrap();
    let r = p.rules.get(BINANCE, BTC).unwrap();
    assert_eq!(r.tick.tick_at(1), Some(10_000_000));
}

#[test]
fn an_instrument_with_unknown_rules_is_not_traded_and_its_opportunities_are_counted() {
    let ex = mock("5");
    let cfg = config(&ex);
    // As after a refused answer: Upbit's entry cleared.
    let mut e = engine_with(&cfg, SECRET, |p| {
        p.rules.set(UPBIT, BTC, None);
    });
    let o = e.opp(&ex, BINANCE, UPBIT, Qty(100_000), 500 * mockex_rest::MS);
    e.push(o);
    e.settle(Duration::from_secs(3));
    assert_eq!(e.outcome(Outcome::Rejected(RejectReason::NoRules)), 1);
    assert_eq!(e.count("exec.orders_sent"), 0);
    assert_eq!(
        stats(&ex, "binance").rest_orders,
        0,
        "not even the known leg"
    );
    e.check_accounting(&ex, &BINANCE_UPBIT);
}
