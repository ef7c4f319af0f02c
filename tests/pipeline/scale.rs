//! Many instruments (issue 15 item 4): 1,024 instruments on 8 venues pass `check-config`, build
//! every stage, and replay with every opportunity accounted; a config over a cap is refused by
//! `check-config` with the very reason the stage builder gives.

use std::collections::BTreeSet;

use crate::common::accounting::check_report;
use crate::common::config::{checked, demo, demo_venue, to_toml};
use crate::common::tmp::TempDir;
use microarb::base::Clock;
use microarb::config::{Config, InstrumentConfig, Machine};
use microarb::exec::{ExecParams, KillSwitch};
use microarb::ingest::parsers_from_config;
use microarb::ingest::venues::Frame;
use microarb::model::{Opportunity, Quote, VenueKind, MAX_ASSETS, MAX_INSTRUMENTS};
use microarb::pipeline::{run, Feed, Pace, RunOptions};
use microarb::record::CaptureWriter;
use microarb::runtime::ring;
use microarb::strategy::{StrategyStage, TimeSource};
use microarb::telemetry::Registry;

/// Instrument `i`'s symbol on a venue of `kind`.
fn symbol(kind: VenueKind, i: usize) -> String {
    match kind {
        VenueKind::Binance | VenueKind::Bybit => format!("C{i}USDT"),
        VenueKind::Okx => format!("C{i}-USDT"),
        VenueKind::Upbit => format!("USDT-C{i}"),
    }
}

/// `instruments` instruments `C{i}/USDT` listed on `venues` venues; `kinds` cycle over the venue
/// kinds given (venue `v` is `{kind}{v}`). Not validated.
fn wide(instruments: usize, kinds: &[VenueKind], venues: usize) -> Config {
    let mut cfg = demo();
    let template = cfg.instruments[0].clone();
    cfg.venues = (0..venues)
        .map(|v| {
            let kind = kinds[v % kinds.len()];
            let mut c = demo_venue(kind.name());
            c.name = format!("{}{v}", kind.name());
            c
        })
        .collect();
    cfg.instruments = (0..instruments)
        .map(|i| InstrumentConfig {
            name: format!("C{i}/USDT"),
            symbols: cfg
                .venues
                .iter()
                .map(|v| (v.name.clone(), symbol(v.kind, i)))
                .collect(),
            ..template.clone()
        })
        .collect();
    cfg
}

/// `cfg` through the check `check-config` runs (the file's text parsed and validated).
fn check_config(cfg: &Config) -> Result<Config, String> {
    Config::from_toml_str(&to_toml(cfg), &Machine::this(false)).map_err(|e| e.to_string())
}

/// How `check-config` words a refusal of `key`.
fn key(key: &str, reason: &str) -> String {
    format!("config key `{key}`: {reason}")
}

const KINDS: [VenueKind; 4] = [
    VenueKind::Binance,
    VenueKind::Bybit,
    VenueKind::Okx,
    VenueKind::Upbit,
];

#[test]
fn every_stage_builds_from_1024_instruments_on_8_venues() {
    let cfg = check_config(&wide(1024, &KINDS, 8)).expect("check-config accepts it");
    let mut reg = Registry::new();
    let (q_tx, q_rx) = ring::<Quote>("quotes", 1024, &mut reg.counters);
    let (o_tx, o_rx) = ring::<Opportunity>("opps", 1024, &mut reg.counters);
    let clock = Clock::new();
    StrategyStage::with_time(&cfg, q_rx, o_tx, clock, TimeSource::Live, &mut reg)
        .expect("strategy builds");
    let exec = microarb::exec::build_stage(&cfg, o_rx, clock, KillSwitch::new(), &mut reg)
        .expect("execution builds");
    // The risk book knows every instrument and asset (C0..C1023 and USDT).
    let p = ExecParams::from_config(&cfg).unwrap();
    assert_eq!(p.names.assets.len(), 1025);
    assert_eq!(p.names.venues.len(), 8);
    drop(exec);
    drop(q_tx);
    // Ingest: every venue's parser finds the last instrument by its symbol.
    let parsers = parsers_from_config(&cfg).expect("ingest parsers build");
    assert_eq!(parsers.len(), 8);
    for (_, p) in &parsers {
        assert_eq!(p.symbols().len(), 1024);
        let last = p
            .symbols()
            .get(symbol(p.kind(), 1023).as_bytes())
            .expect("symbol of instrument 1023");
        assert_eq!(last.instrument.0, 1023);
    }
    // A Binance frame for the last instrument parses to its id.
    let (_, mut binance) = parsers.into_iter().next().unwrap();
    let frame = br#"{"u":5,"s":"C1023USDT","b":"1.00","B":"2","a":"1.01","A":"3"}"#;
    match binance.parse(frame, 1).unwrap() {
        Frame::Quote(q) => assert_eq!(q.instrument.0, 1023),
        other => panic!("not a quote: {other:?}"),
    }
}

#[test]
fn a_config_over_a_cap_is_refused_by_check_config_with_the_builders_reason() {
    // Assets: MAX_INSTRUMENTS instruments with their own base and one quote: one asset too many.
    let cfg = wide(MAX_INSTRUMENTS, &[VenueKind::Binance], 2);
    let err = check_config(&cfg).expect_err("check-config refuses too many assets");
    let built = ExecParams::from_config(&cfg).expect_err("the execution stage refuses it too");
    let reason = built.to_string();
    assert!(
        reason.contains(&format!("{} distinct assets", MAX_ASSETS + 1)),
        "{reason}"
    );
    assert!(
        err.contains(&key("instruments", &reason)),
        "{err}\nvs {reason}"
    );

    // Instruments: one more than the cap.
    let cfg = wide(MAX_INSTRUMENTS + 1, &[VenueKind::Binance], 2);
    let err = check_config(&cfg).expect_err("check-config refuses too many instruments");
    let mut reg = Registry::new();
    let (_q_tx, q_rx) = ring::<Quote>("quotes", 16, &mut reg.counters);
    let (o_tx, _o_rx) = ring::<Opportunity>("opps", 16, &mut reg.counters);
    let built =
        StrategyStage::with_time(&cfg, q_rx, o_tx, Clock::new(), TimeSource::Live, &mut reg)
            .err()
            .expect("the strategy refuses it too")
            .to_string();
    let reason = format!(
        "{} instruments; need 1..={MAX_INSTRUMENTS}",
        MAX_INSTRUMENTS + 1
    );
    assert!(built.contains(&reason), "{built}");
    assert!(err.contains(&key("instruments", &reason)), "{err}");

    // Venue symbols: too long for ingest's table, and equal to another but for case.
    let mut cfg = wide(2, &[VenueKind::Binance], 2);
    let long = format!("{}USDT", "X".repeat(40));
    cfg.instruments[0]
        .symbols
        .insert("binance0".into(), long.clone());
    cfg.instruments[1]
        .symbols
        .insert("binance1".into(), "c0usdt".into());
    let err = check_config(&cfg).expect_err("check-config refuses the symbols");
    let built = parsers_from_config(&cfg)
        .expect_err("ingest refuses them too")
        .to_string();
    let reason = format!("venue symbol {long:?} is longer than 32 bytes");
    assert_eq!(built, format!("venue binance0: {reason}"));
    assert!(
        err.contains(&key("instruments[0].symbols.binance0", &reason)),
        "{err}"
    );
    let twice = "venue symbol \"c0usdt\" appears twice";
    assert!(
        err.contains(&key("instruments[1].symbols.binance1", twice)),
        "{err}"
    );

    // A symbol byte the order codecs would have to url-encode.
    let mut cfg = wide(1, &[VenueKind::Binance], 2);
    cfg.instruments[0]
        .symbols
        .insert("binance1".into(), "C0/USDT".into());
    let err = check_config(&cfg).expect_err("check-config refuses the symbol");
    let built = ExecParams::from_config(&cfg).expect_err("execution refuses it too");
    let reason = "symbol holds byte 0x2f, which would need url-encoding";
    assert!(built.to_string().ends_with(reason), "{built}");
    assert!(
        err.contains(&key("instruments[0].symbols.binance1", reason)),
        "{err}"
    );
}

/// Binance `bookTicker` frame for instrument `i` with update id `u`.
fn frame(i: usize, u: u64, bid: &str, ask: &str) -> String {
    format!(
        r#"{{"stream":"c{i}usdt@bookTicker","data":{{"u":{u},"s":"C{i}USDT","b":"{bid}","B":"1.0","a":"{ask}","A":"1.0"}}}}"#
    )
}

#[test]
fn a_replay_of_1024_instruments_on_8_venues_finds_and_accounts_every_opportunity() {
    const N: usize = 1024;
    const V: usize = 8;
    let mut cfg = wide(N, &[VenueKind::Binance], V);
    cfg.execution.paper.venue_limits = false;
    let cfg = checked(cfg);
    let dir = TempDir::new("scale-replay");
    let path = dir.join("capture.tsv");
    let mut w = CaptureWriter::create(&path).unwrap();
    let t0 = 1_700_000_000_000_000_000u64;
    let mut t = t0;
    let mut u = 0u64;
    // Every (instrument, venue) quotes around 100 + i; then every 16th instrument's bid jumps 2 %
    // above the others' ask on venue i % 8; then that venue quotes back in line.
    let mid = |i: usize| 100.0 + i as f64;
    let px = |v: f64| format!("{v:.2}");
    let mut dislocated = BTreeSet::new();
    for round in 0..2 {
        for i in 0..N {
            for v in 0..V {
                u += 1;
                t += 10_000;
                let m = mid(i) + round as f64 * 0.01;
                let f = frame(i, u, &px(m - 0.01), &px(m + 0.01));
                w.write(t, &format!("binance{v}"), f.as_bytes()).unwrap();
            }
        }
    }
    for i in (0..N).step_by(16) {
        let v = i % V;
        u += 1;
        t += 10_000;
        let m = mid(i) * 1.02;
        let f = frame(i, u, &px(m), &px(m + 0.01));
        w.write(t, &format!("binance{v}"), f.as_bytes()).unwrap();
        dislocated.insert(format!("C{i}/USDT"));
        u += 1;
        t += 10_000;
        let f = frame(i, u, &px(mid(i) - 0.01), &px(mid(i) + 0.01));
        w.write(t, &format!("binance{v}"), f.as_bytes()).unwrap();
    }
    w.finish().unwrap();

    let opps = dir.join("opps.jsonl");
    let opts = RunOptions {
        no_pin: true,
        status_line: Some(false),
        opps: Some(opps.clone()),
        ..Default::default()
    };
    let feed = Feed::Replay {
        path: path.clone(),
        pace: Pace::Max,
    };
    let summary = run(&cfg, feed, &opts).expect("replay runs");
    let report = &summary.report;
    check_report(report);
    let o = &report["opportunities"];
    assert_eq!(o["dropped"], 0, "a replay never drops: {o}");
    let found: BTreeSet<String> = std::fs::read_to_string(&opps)
        .unwrap()
        .lines()
        .map(|l| {
            let row: serde_json::Value = serde_json::from_str(l).unwrap();
            row["instrument"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        found, dislocated,
        "one instrument per dislocation, every one found"
    );
    assert!(
        o["detected"].as_u64().unwrap() >= dislocated.len() as u64,
        "{o}"
    );
}
