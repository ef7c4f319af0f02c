//! The engine on its live feeds against a mock exchange quoting 50 synthetic instruments on four
//! venues (Binance, Bybit, OKX, and Upbit in its binary frames), the default workload of the e2e
//! bench (issue 15 item 4): every frame parses, every venue's quotes reach the strategy, and the
//! injected dislocations, which rotate over the instruments and the venues, become opportunities
//! and paper orders on many instruments and on Upbit.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::config::{checked, demo};
use crate::common::mock::mock_kind;
use crate::common::tmp::TempDir;
use microarb::config::InstrumentConfig;
use microarb::pipeline::{run, Feed, RunOptions};
use mockex::{MockConfig, MockExchange, MockVenue, SimParams, SyntheticSource};

/// Synthetic instruments every venue quotes.
const INSTRUMENTS: usize = 50;

#[test]
fn fifty_instruments_on_four_venues_trade_on_many_instruments_and_on_upbit() {
    let mut cfg = demo();
    let venues: Vec<MockVenue> = cfg
        .venues
        .iter()
        .map(|v| MockVenue::with_instruments(&v.name, mock_kind(v.kind), INSTRUMENTS))
        .collect();
    assert!(venues.iter().any(|v| v.kind == mockex::VenueKind::Upbit));
    let template = cfg.instruments[0].clone();
    cfg.instruments = (0..INSTRUMENTS)
        .map(|i| InstrumentConfig {
            name: format!("{}/USDT", MockVenue::synthetic_base(i)),
            symbols: venues
                .iter()
                .map(|v| (v.name.clone(), v.symbols[i].clone()))
                .collect(),
            ..template.clone()
        })
        .collect();
    let source = SyntheticSource {
        params: SimParams {
            // About 20 dislocations a second over 200 (instrument, venue) books.
            dislocation_every: 250,
            // The paper venue matches on arrival: a dislocation must outlast the legs' trip, even
            // on a loaded machine (each (instrument, venue) book refreshes every 200 updates).
            hold_ticks: 3,
            qty_min: 200_000_000,
            qty_max: 200_000_000,
            ..SimParams::default()
        },
        ..SyntheticSource::default()
    };
    let mut mock = MockConfig::synthetic(venues.clone(), source);
    mock.rate_per_s = 5_000;
    let ex = MockExchange::start(mock).expect("mock exchange");
    for (v, e) in cfg.venues.iter_mut().zip(ex.endpoints()) {
        v.url = Some(e.ws_url.clone());
        v.slippage_bps = 2.0;
    }
    let cfg = checked(cfg);
    let dir = TempDir::new("multi-instrument");
    let opps = dir.join("opps.jsonl");
    let opts = RunOptions {
        seconds: Some(4.0),
        no_pin: true,
        status_line: Some(false),
        opps: Some(opps.clone()),
        ..RunOptions::default()
    };
    let feed = Feed::Live {
        settings: Default::default(),
        record: None,
        ingest_only: false,
    };
    let summary = run(&cfg, feed, &opts).expect("run");
    let r = &summary.report;
    let c = |n: &str| r["counters"][n].as_u64().unwrap_or(0);

    // Every venue's frames arrived and parsed: none dropped as unparsed or out of sequence, and
    // each venue's quotes (Upbit's binary frames included) reached the strategy.
    for v in &venues {
        let n = |what: &str| c(&format!("ingest.{}.{what}", v.name));
        assert!(n("frames") > 500, "{}: {} frames", v.name, n("frames"));
        assert_eq!(
            n("parse_errors"),
            0,
            "{}: frames that did not parse",
            v.name
        );
        assert_eq!(n("seq_drops"), 0, "{}: updates dropped as stale", v.name);
        assert!(n("quotes") > 500, "{}: {} quotes", v.name, n("quotes"));
        let stats = ex.venue_stats(&v.name).expect("venue served");
        assert_eq!(
            stats.frames_dropped, 0,
            "{}: the mock's queue overflowed",
            v.name
        );
    }

    // Opportunities and orders on many instruments, and with Upbit as a leg.
    let text = std::fs::read_to_string(&opps).expect("opps log");
    let mut detected = BTreeSet::new();
    let mut ordered: BTreeMap<String, u64> = BTreeMap::new();
    let mut upbit_legs = 0;
    for line in text.lines() {
        let o: serde_json::Value = serde_json::from_str(line).expect("opps line is JSON");
        let ins = o["instrument"].as_str().expect("instrument").to_owned();
        assert_ne!(ins, "?", "an opportunity on an unknown instrument: {line}");
        detected.insert(ins.clone());
        if o["order_ts"].as_u64().is_some() {
            *ordered.entry(ins).or_default() += 1;
            if o["buy_venue"] == "upbit" || o["sell_venue"] == "upbit" {
                upbit_legs += 1;
            }
        }
    }
    assert!(
        detected.len() >= 10,
        "opportunities on {} instruments: {detected:?}",
        detected.len()
    );
    assert!(
        ordered.len() >= 5,
        "orders on {} instruments: {ordered:?}",
        ordered.len()
    );
    assert!(upbit_legs > 0, "no order had a leg on Upbit");
    let o = &r["opportunities"];
    assert_eq!(
        o["terminal_sum"], o["detected"],
        "every opportunity accounted"
    );
}
