//! Memory the engine's tables take as instruments (1, 10, 50, 200, 1,000) and venues (2, 4, 8)
//! grow: each size is built in a fresh child process (strategy stage, execution stage on the
//! paper venue, every venue's ingest parser, the telemetry registry they register in, both
//! rings), and the child prints its resident memory before and after.
//!
//!     cargo run --release -p microarb-bench --bin scale_mem            # the whole table
//!     cargo run --release -p microarb-bench --bin scale_mem -- 200 4   # one size
//!     cargo run --release -p microarb-bench --bin scale_mem -- --json  # the table as JSON
//!
//! Venue kinds cycle Binance, Bybit, OKX, Upbit; instrument `i` is `C{i}/USDT` on every venue.
//! A measurement tool, not a test: it asserts nothing and prints figures.

use std::process::Command;

use microarb::base::Clock;
use microarb::config::{Config, InstrumentConfig, Machine, DEMO_TOML};
use microarb::exec::{build_stage, KillSwitch};
use microarb::ingest::parsers_from_config;
use microarb::model::{Opportunity, Quote, VenueKind};
use microarb::runtime::ring;
use microarb::strategy::{StrategyStage, TimeSource};
use microarb::telemetry::{rss, Registry};

const KINDS: [VenueKind; 4] = [
    VenueKind::Binance,
    VenueKind::Bybit,
    VenueKind::Okx,
    VenueKind::Upbit,
];

fn symbol(kind: VenueKind, i: usize) -> String {
    match kind {
        VenueKind::Binance | VenueKind::Bybit => format!("C{i}USDT"),
        VenueKind::Okx => format!("C{i}-USDT"),
        VenueKind::Upbit => format!("USDT-C{i}"),
    }
}

fn config(instruments: usize, venues: usize) -> Config {
    let mut cfg = Config::from_toml_str(DEMO_TOML, &Machine::this(false)).expect("demo config");
    let demo_venues = cfg.venues.clone();
    let template = cfg.instruments[0].clone();
    cfg.venues = (0..venues)
        .map(|v| {
            let kind = KINDS[v % KINDS.len()];
            let mut c = demo_venues
                .iter()
                .find(|d| d.kind == kind)
                .expect("the demo has every kind")
                .clone();
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
    let text = toml::to_string(&cfg).expect("config serializes");
    Config::from_toml_str(&text, &Machine::this(false)).expect("check-config accepts it")
}

fn child(instruments: usize, venues: usize) {
    let cfg = config(instruments, venues);
    let before = rss::read().unwrap_or_default();
    let mut reg = Registry::new();
    let cap = cfg.runtime.ring_capacity as usize;
    let (_q_tx, q_rx) = ring::<Quote>("quotes", cap, &mut reg.counters);
    let (o_tx, o_rx) = ring::<Opportunity>("opps", cap, &mut reg.counters);
    let clock = Clock::new();
    let strategy = StrategyStage::with_time(&cfg, q_rx, o_tx, clock, TimeSource::Live, &mut reg)
        .expect("strategy builds");
    let exec = build_stage(&cfg, o_rx, clock, KillSwitch::new(), &mut reg).expect("exec builds");
    let parsers = parsers_from_config(&cfg).expect("parsers build");
    let after = rss::read().unwrap_or_default();
    let (stages, process, peak) = (
        after.current.saturating_sub(before.current) / 1024,
        after.current / 1024,
        after.peak / 1024,
    );
    if std::env::args().any(|a| a == "--json") {
        println!(
            "{}",
            serde_json::json!({
                "instruments": instruments,
                "venues": venues,
                "stages_kib": stages,
                "process_kib": process,
                "peak_kib": peak,
            })
        );
    } else {
        println!(
            "{instruments:>5} instruments {venues} venues: stages +{stages:>6} KiB RSS, process {process:>6} KiB (peak {peak:>6} KiB)"
        );
    }
    drop((strategy, exec, parsers, reg));
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if let [n, v] = args[..] {
        child(n, v);
        return;
    }
    let json = std::env::args().any(|a| a == "--json");
    let me = std::env::current_exe().expect("own path");
    let mut rows = Vec::new();
    for v in [2usize, 4, 8] {
        for n in [1usize, 10, 50, 200, 1000] {
            let mut cmd = Command::new(&me);
            cmd.args([n.to_string(), v.to_string()]);
            if json {
                cmd.arg("--json");
            }
            let out = cmd.output().expect("child runs");
            let text = String::from_utf8_lossy(&out.stdout);
            if json {
                rows.extend(serde_json::from_str::<serde_json::Value>(text.trim()).ok());
            } else {
                print!("{text}");
            }
            eprint!("{}", String::from_utf8_lossy(&out.stderr));
        }
    }
    if json {
        println!("{}", serde_json::Value::Array(rows));
    }
}
