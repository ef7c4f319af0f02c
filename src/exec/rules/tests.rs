//! Rounding onto ticks and steps, minimums, and the conversion of venue answers and overrides.

use proptest::prelude::*;

use super::*;
use crate::config::{DecimalText, RulesOverride};
use crate::exec::account::ticks::{UPBIT_KRW, UPBIT_USDT};
use crate::exec::account::{Amount, TickRule, TradingRules};
use crate::exec::orders::legs::{Hedge, HedgeKind};
use crate::model::{Bps, InstrumentId, Opportunity, Price, Qty, RejectReason, Side, VenueId};

const A: VenueId = VenueId(0);
const B: VenueId = VenueId(1);
const I: InstrumentId = InstrumentId(0);

fn amt(t: &str) -> Amount {
    Amount::parse(t.as_bytes()).unwrap()
}

fn names() -> Names<'static> {
    Names {
        venue: "binance",
        symbol: "BTCUSDT",
        key: "instruments[0].rules.binance",
    }
}

fn venue_rules(tick: &str, step: &str, min_qty: &str, min_notional: &str) -> TradingRules {
    TradingRules {
        symbol: "BTCUSDT".into(),
        tick: TickRule::Fixed(amt(tick)),
        step: Some(amt(step)),
        min_qty: Some(amt(min_qty)),
        min_notional: Some(amt(min_notional)),
        trading: true,
        venue_code: None,
    }
}

/// At scales (8, 8): tick 0.01, step 0.00001, min 0.0001 BTC, min notional 5 USDT.
fn binance() -> InstrumentRules {
    from_venue(
        names(),
        &venue_rules("0.01000000", "0.00001000", "0.00010000", "5.00000000"),
        (8, 8),
    )
    .unwrap()
}

fn opp(buy_px: i64, sell_px: i64, qty: i64) -> Opportunity {
    Opportunity {
        buy_px: Price(buy_px),
        sell_px: Price(sell_px),
        qty: Qty(qty),
        buy_venue: A,
        sell_venue: B,
        instrument: I,
        ..Opportunity::default()
    }
}

fn table(a: InstrumentRules, b: InstrumentRules) -> RulesTable {
    let mut t = RulesTable::new(2, 1, None);
    t.set(A, I, Some(a));
    t.set(B, I, Some(b));
    t
}

#[test]
fn the_issue_example_lands_on_the_tick_inside_the_buffer() {
    // 60000.5 with 1 bp: widened exactly it is 60006.50005 (off any 0.01 tick).
    let r = binance();
    let one_bp = Bps(100);
    let buy = r.tick.limit(Price(6_000_050_000_000), one_bp, Side::Buy);
    assert_eq!(buy, Some(Price(6_000_650_000_000)), "60006.50");
    let sell = r.tick.limit(Price(6_000_050_000_000), one_bp, Side::Sell);
    assert_eq!(
        sell,
        Some(Price(5_999_450_000_000)),
        "59994.50 (59994.49995 up)"
    );
}

#[test]
fn legs_are_planned_on_tick_and_step_and_minimums_refuse() {
    let t = table(binance(), binance());
    let slip = Bps(130); // 1.3 bp
    let p = t
        .plan(
            &opp(6_000_050_000_000, 6_010_000_000_000, 123_456),
            slip,
            slip,
        )
        .unwrap();
    assert_eq!(p.qty, Qty(123_000), "floored to 0.00001");
    assert_eq!(p.buy_px.0 % 1_000_000, 0);
    assert_eq!(p.sell_px.0 % 1_000_000, 0);
    // 0.00005 BTC is under min_qty 0.0001; 0.0001 BTC at 10 USDT is under 5 USDT notional.
    let low_qty = opp(6_000_050_000_000, 6_010_000_000_000, 5_000);
    assert_eq!(
        t.plan(&low_qty, slip, slip),
        Err(RejectReason::BelowMinimum)
    );
    let low_notional = opp(1_000_000_000, 1_000_000_000, 10_000);
    assert_eq!(
        t.plan(&low_notional, slip, slip),
        Err(RejectReason::BelowMinimum)
    );
    // Under one step after flooring: nothing left to send.
    let dust = opp(6_000_050_000_000, 6_010_000_000_000, 999);
    assert_eq!(t.plan(&dust, slip, slip), Err(RejectReason::BelowMinimum));
    // Unknown rules on the sell venue.
    let mut t = t;
    t.set(B, I, None);
    let o = opp(6_000_050_000_000, 6_010_000_000_000, 123_456);
    assert_eq!(t.plan(&o, slip, slip), Err(RejectReason::NoRules));
    assert_eq!(t.get(VenueId(5), I), None, "outside the table");
}

#[test]
fn the_quantity_is_on_both_venues_steps() {
    let mut a = InstrumentRules::PASS;
    a.step = Qty(3);
    let mut b = InstrumentRules::PASS;
    b.step = Qty(2);
    let p = table(a, b)
        .plan(&opp(100, 100, 11), Bps(0), Bps(0))
        .unwrap();
    assert_eq!(p.qty, Qty(6));
}

#[test]
fn hedges_round_toward_their_better_side_and_respect_minimums() {
    let t = table(binance(), binance());
    let h = Hedge {
        kind: HedgeKind::Unwind,
        venue: A,
        side: Side::Sell,
        qty: Qty(123_456),
        px: Price(5_999_999_999_999),
    };
    let f = t.fit_hedge(I, h).unwrap();
    assert_eq!((f.px, f.qty), (Price(6_000_000_000_000), Qty(123_000)));
    let f = t
        .fit_hedge(
            I,
            Hedge {
                side: Side::Buy,
                ..h
            },
        )
        .unwrap();
    assert_eq!(f.px, Price(5_999_999_000_000));
    let small = Hedge {
        qty: Qty(9_999),
        ..h
    };
    assert_eq!(t.fit_hedge(I, small), Err(HedgeUnfit::BelowMinimum));
    let mut t = t;
    t.set(A, I, None);
    assert_eq!(t.fit_hedge(I, h), Err(HedgeUnfit::NoRules));
}

#[test]
fn upbit_bands_convert_and_round_across_band_edges() {
    let krw = TradingRules {
        symbol: "KRW-BTC".into(),
        tick: TickRule::Bands(UPBIT_KRW),
        step: None,
        min_qty: None,
        min_notional: Some(amt("5000")),
        trading: true,
        venue_code: None,
    };
    let r = from_venue(names(), &krw, (0, 8)).unwrap();
    assert_eq!(r.tick.tick_at(95_000_000), Some(1000));
    assert_eq!(r.tick.tick_at(99), None, "below the published bands");
    // A sell just under 1 000 000 (tick 500) rounds up into the 1 000 band, on its tick.
    assert_eq!(r.tick.ceil(999_999), Some(1_000_000));
    assert_eq!(r.tick.floor(999_999), Some(999_500));
    assert_eq!(
        r.tick.limit(Price(50), Bps(0), Side::Buy),
        None,
        "no tick there: the leg cannot be priced"
    );
    // USDT bands at price scale 2: 0.001 and finer ticks become one cent.
    let usdt = TradingRules {
        tick: TickRule::Bands(UPBIT_USDT),
        ..krw
    };
    let r = from_venue(names(), &usdt, (2, 8)).unwrap();
    assert_eq!(r.tick.tick_at(6_500_012), Some(1));
    assert_eq!(r.tick.tick_at(0), Some(1));
}

#[test]
fn venue_values_that_cannot_be_rules_are_refused_with_the_value() {
    for (tick, step, min_qty, min_notional, field) in [
        ("0", "0.001", "0.001", "5", "tick"),
        ("-0.01", "0.001", "0.001", "5", "tick"),
        ("0.01", "0", "0.001", "5", "step"),
        ("0.01", "0.001", "-1", "5", "min_qty"),
        ("0.01", "0.001", "0.001", "-5", "min_notional"),
        ("0.01", "0.001", "99999999999999999999", "5", "min_qty"),
    ] {
        let e = from_venue(
            names(),
            &venue_rules(tick, step, min_qty, min_notional),
            (8, 8),
        )
        .unwrap_err();
        match &e {
            RulesError::Unusable { field: f, .. } => assert_eq!(*f, field, "{e}"),
            other => panic!("{other:?}"),
        }
        assert!(e.to_string().contains("binance BTCUSDT"), "{e}");
    }
    // A step finer than the qty scale becomes the smallest multiple the scale writes.
    let fine = from_venue(
        names(),
        &venue_rules("0.01", "0.0000000025", "0", "0"),
        (8, 8),
    );
    assert_eq!(fine.unwrap().step, Qty(1));
    let odd = from_venue(
        names(),
        &venue_rules("0.01", "0.000000025", "0", "0"),
        (8, 8),
    );
    assert_eq!(odd.unwrap().step, Qty(5), "lcm of 2.5 and 1 units");
}

#[test]
fn overrides_must_be_as_coarse_as_the_venue() {
    let o = |tick: Option<&str>, step: Option<&str>, mq: Option<&str>, mn: Option<&str>| {
        RulesOverride {
            tick: tick.map(DecimalText::from),
            step: step.map(DecimalText::from),
            min_qty: mq.map(DecimalText::from),
            min_notional: mn.map(DecimalText::from),
        }
    };
    let base = binance();
    let ok = with_override(
        names(),
        base,
        &o(Some("0.1"), Some("0.0001"), Some("0.001"), Some("10")),
        (8, 8),
        true,
    )
    .unwrap();
    assert_eq!(ok.tick.tick_at(1), Some(10_000_000));
    assert_eq!(ok.step, Qty(10_000));
    assert_eq!(ok.min_notional, 10 * 10i128.pow(16));
    for (ov, key) in [
        (o(Some("0.001"), None, None, None), "tick"),
        (o(Some("0.015"), None, None, None), "tick"),
        (o(None, Some("0.000001"), None, None), "step"),
        (o(None, None, Some("0.00001"), None), "min_qty"),
        (o(None, None, None, Some("1")), "min_notional"),
    ] {
        let e = with_override(names(), base, &ov, (8, 8), true).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains(&format!("instruments[0].rules.binance.{key}")),
            "{msg}"
        );
    }
    // Paper: nothing to check against, the override is the rule.
    let paper = with_override(
        names(),
        InstrumentRules::PASS,
        &o(Some("0.001"), None, None, None),
        (8, 8),
        false,
    )
    .unwrap();
    assert_eq!(paper.tick.tick_at(5), Some(100_000));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// A limit is on tick and inside the buffer, never beyond it; as the touch is on tick, it
    /// never crosses inside the touch either.
    #[test]
    fn limits_are_on_tick_within_the_buffer(
        ticks in 1i64..1_000_000, tick_pow in 0u32..7, slip in 0i64..100_000,
        buy in any::<bool>(),
    ) {
        let tick = 10i64.pow(tick_pow);
        let touch = ticks * tick;
        let t = TickTable::fixed(tick);
        let side = if buy { Side::Buy } else { Side::Sell };
        let px = t.limit(Price(touch), Bps(slip), side).expect("a fixed tick covers every price");
        prop_assert_eq!(px.0 % tick, 0);
        let (den, s) = (1_000_000i128, i128::from(slip));
        let (p, x) = (i128::from(px.0), i128::from(touch));
        if buy {
            prop_assert!(p >= x && p * den <= x * (den + s), "buy {} touch {}", p, x);
        } else {
            prop_assert!(p <= x && p * den >= x * (den - s), "sell {} touch {}", p, x);
        }
    }

    /// The same on Upbit's KRW bands, from any touch on its band's tick.
    #[test]
    fn band_limits_are_on_their_band_tick(
        whole in 100i64..5_000_000, slip in 0i64..50_000, buy in any::<bool>(),
    ) {
        let krw = TradingRules {
            symbol: "KRW-BTC".into(),
            tick: TickRule::Bands(UPBIT_KRW),
            step: None,
            min_qty: None,
            min_notional: None,
            trading: true,
            venue_code: None,
        };
        let t = from_venue(names(), &krw, (0, 8)).unwrap().tick;
        let touch = t.floor(whole).unwrap();
        let side = if buy { Side::Buy } else { Side::Sell };
        let Some(px) = t.limit(Price(touch), Bps(slip), side) else {
            // Only a sell narrowed below the lowest band has no tick.
            prop_assert!(!buy);
            return Ok(());
        };
        prop_assert!(t.is_on_tick(px.0), "{} off tick", px.0);
        let (den, s) = (1_000_000i128, i128::from(slip));
        let (p, x) = (i128::from(px.0), i128::from(touch));
        if buy {
            prop_assert!(p >= x && p * den <= x * (den + s));
        } else {
            prop_assert!(p <= x && p * den >= x * (den - s));
        }
    }
}

#[test]
fn paper_rules_are_the_config_overrides_over_pass() {
    use crate::config::{Config, Machine, DEMO_TOML};
    use crate::exec::params::ExecParams;
    let text = DEMO_TOML.replace(
        "symbols = { binance = \"BTCUSDT\", bybit = \"BTCUSDT\", okx = \"BTC-USDT\", upbit = \"USDT-BTC\" }",
        "symbols = { binance = \"BTCUSDT\", bybit = \"BTCUSDT\", okx = \"BTC-USDT\", upbit = \"USDT-BTC\" }\n\
         rules = { okx = { tick = \"0.1\", step = \"0.0001\", min_qty = \"0.001\", min_notional = \"10\" } }",
    );
    let cfg = Config::from_toml_str(&text, &Machine::this(false)).unwrap();
    let p = ExecParams::from_config(&cfg).unwrap();
    let okx = cfg.venues.iter().position(|v| v.name == "okx").unwrap();
    let r = p.rules.get(VenueId(okx as u8), I).copied().unwrap();
    assert_eq!(r.tick.tick_at(1), Some(10_000_000));
    assert_eq!((r.step, r.min_qty), (Qty(10_000), Qty(100_000)));
    assert_eq!(r.min_notional, 10 * 10i128.pow(16));
    assert_eq!(
        p.rules.get(A, I).copied(),
        Some(InstrumentRules::PASS),
        "binance: none given"
    );
    assert_eq!(p.rules.venues(), 4);
}
