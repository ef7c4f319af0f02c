//! The state gauges on `/metrics` in a real run: they agree with the config and the final report
//! (breakers, balances moved by fills, residuals, queue capacities), and the series set is fixed
//! by the config: with many venues and instruments each family has exactly the series the config
//! implies, and traffic adds none.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::config::{checked, demo, demo_venue, demo_with};
use crate::metrics::{parse, scrape_run};
use microarb::config::{Config, InstrumentConfig};
use microarb::exec::VenueExec;
use microarb::model::{Bps, VenueKind};

const STATES: [&str; 3] = ["closed", "half_open", "open"];

/// The series of `family` in a parsed scrape, by label text.
fn series<'a>(scrape: &'a BTreeMap<String, f64>, family: &str) -> BTreeMap<&'a str, f64> {
    scrape
        .iter()
        .filter_map(|(k, v)| {
            let rest = k.strip_prefix(family)?;
            (rest.is_empty() || rest.starts_with('{')).then_some((rest, *v))
        })
        .collect()
}

#[test]
fn state_gauges_agree_with_the_config_and_the_report() {
    let cfg = demo_with(|c| c.telemetry.interval_ms = 100);
    let venues: Vec<String> = cfg.venues.iter().map(|v| v.name.clone()).collect();
    let cap = cfg.runtime.ring_capacity as f64;
    let (scrapes, report) = scrape_run(cfg, "127.0.0.1:0");
    let s = parse(&scrapes[1]);
    let counters = report["counters"].as_object().unwrap();
    assert_eq!(s["microarb_kill_switch"], 0.0);
    for v in &venues {
        let one: f64 = STATES
            .iter()
            .map(|st| s[&format!("microarb_breaker_state{{venue=\"{v}\",state=\"{st}\"}}")])
            .sum();
        assert_eq!(one, 1.0, "{v}: exactly one state");
    }
    for q in ["quotes", "opps", "books"] {
        assert_eq!(s[&format!("microarb_queue_capacity{{queue=\"{q}\"}}")], cap);
        let depth = s[&format!("microarb_queue_depth{{queue=\"{q}\"}}")];
        assert!((0.0..=cap).contains(&depth), "{q}: {depth}");
    }
    assert_eq!(s["microarb_queue_capacity{queue=\"exec_wait\"}"], 64.0);
    // The feed ended long before the second scrape: nothing is open, so every base moved by a
    // fill is accounted for by the residuals (the paper balances start at 1000 BTC a venue).
    assert_eq!(s["microarb_open_notional{asset=\"USDT\"}"], 0.0);
    let btc = |fam: &str| -> f64 {
        venues
            .iter()
            .map(|v| s[&format!("{fam}{{venue=\"{v}\",asset=\"BTC\"}}")])
            .sum()
    };
    let moved = btc("microarb_balance") - 1000.0 * venues.len() as f64;
    let residual = btc("microarb_residual_position");
    assert!((moved - residual).abs() < 1e-9, "{moved} vs {residual}");
    if counters["exec.legging.residual"].as_u64() == Some(0) {
        assert_eq!(residual, 0.0);
    }
    assert!(
        counters["exec.fills"].as_u64().unwrap() > 0,
        "the run traded, so the balances moved"
    );
    let usdt: f64 = venues
        .iter()
        .map(|v| s[&format!("microarb_balance{{venue=\"{v}\",asset=\"USDT\"}}")])
        .sum();
    assert!(
        usdt != 1e8 * venues.len() as f64,
        "fills moved the quote balances"
    );
}

/// 16 venues (every kind four times) and 30 instruments `A<i>/USDT` listed on all of them.
fn many() -> Config {
    let mut cfg = demo();
    let kinds = [
        ("binance", VenueKind::Binance),
        ("bybit", VenueKind::Bybit),
        ("okx", VenueKind::Okx),
        ("upbit", VenueKind::Upbit),
    ];
    cfg.venues = (0..16)
        .map(|i| {
            let (like, _) = kinds[i % 4];
            let mut v = demo_venue(like);
            v.name = format!("{like}{i}");
            v
        })
        .collect();
    let template = cfg.instruments[0].clone();
    cfg.instruments = (0..30)
        .map(|i| {
            let base = if i == 0 {
                "BTC".to_string()
            } else {
                format!("A{i}")
            };
            let mut ins = InstrumentConfig {
                name: format!("{base}/USDT"),
                ..template.clone()
            };
            ins.symbols = cfg
                .venues
                .iter()
                .map(|v| {
                    let sym = match v.kind {
                        VenueKind::Okx => format!("{base}-USDT"),
                        VenueKind::Upbit => format!("USDT-{base}"),
                        _ => format!("{base}USDT"),
                    };
                    (v.name.clone(), sym)
                })
                .collect();
            ins
        })
        .collect();
    cfg.telemetry.interval_ms = 100;
    checked(cfg)
}

#[test]
fn the_series_set_is_fixed_by_the_config_under_many_venues_and_instruments() {
    let cfg = many();
    let (v, a) = (cfg.venues.len(), cfg.instruments.len() + 1);
    // One rate-limit series per venue and configured limit group.
    let groups: usize = cfg
        .venues
        .iter()
        .map(|venue| {
            let e = VenueExec::for_kind(venue.kind, Bps(0), Bps(0));
            e.limits.iter().filter(|l| l.is_some()).count()
        })
        .sum();
    let (scrapes, report) = scrape_run(cfg, "127.0.0.1:0");
    assert!(report["opportunities"]["detected"].as_u64().unwrap() > 0);
    let first = parse(&scrapes[0]);
    let second = parse(&scrapes[1]);
    let keys = |m: &BTreeMap<String, f64>| m.keys().cloned().collect::<BTreeSet<_>>();
    assert_eq!(
        keys(&first),
        keys(&second),
        "traffic added or removed series"
    );
    let n = |fam: &str| series(&second, fam).len();
    assert_eq!(n("microarb_kill_switch"), 1);
    assert_eq!(n("microarb_breaker_state"), 3 * v);
    assert_eq!(n("microarb_balance"), v * a);
    assert_eq!(n("microarb_residual_position"), v * a);
    assert_eq!(n("microarb_open_notional"), a);
    // The rings (quotes, opps, and the paper venue's books) and the exec wait queue.
    let queues = |fam: &str| series(&second, fam).into_keys().collect::<Vec<_>>();
    let want = [
        "{queue=\"books\"}",
        "{queue=\"exec_wait\"}",
        "{queue=\"opps\"}",
        "{queue=\"quotes\"}",
    ];
    assert_eq!(queues("microarb_queue_depth"), want);
    assert_eq!(queues("microarb_queue_capacity"), want);
    assert_eq!(n("microarb_ratelimit_token_use_ratio"), groups);
    assert_eq!(n("microarb_ratelimit_rate_ratio"), groups);
    // The whole scrape is linear in venues, venue x asset pairs and fixed names: no family
    // grows with instruments beyond their assets, none with traffic.
    let total = second.len();
    let bound = 400 + 40 * v + 2 * v * a;
    assert!(total <= bound, "{total} series for {v} venues, {a} assets");
}
