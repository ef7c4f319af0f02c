//! `microarb demo`: the whole engine on an embedded config, no network, paper trading.

use std::process::ExitCode;

use microarb::config::{Config, Machine, DEMO_TOML};
use microarb::pipeline::{run, Feed, RunOptions};
use microarb::sim::SimParams;

/// Arguments of `demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    #[command(flatten)]
    engine: super::EngineArgs,
    /// Synthetic quotes per second across all venues.
    #[arg(long, default_value_t = 50_000)]
    rate: u64,
}

pub fn main(a: DemoArgs) -> ExitCode {
    let cfg = match Config::from_toml_str(DEMO_TOML, &Machine::this(!a.engine.no_pin)) {
        Ok(c) => c,
        Err(e) => return super::config_failure(&e),
    };
    let seconds = a.engine.seconds.unwrap_or(5.0);
    eprintln!(
        "microarb demo: {} venues, {} quotes/s synthetic market, paper trading, {seconds} s",
        cfg.venues.len(),
        a.rate
    );
    let opts = RunOptions {
        seconds: Some(seconds),
        hist_log: a.engine.hist_log,
        report: a.engine.report,
        no_pin: a.engine.no_pin,
        status_line: if a.engine.quiet { Some(false) } else { None },
        signals: true,
        shutdown: None,
    };
    let feed = Feed::Sim {
        params: SimParams::default(),
        rate_per_s: a.rate,
        limit: None,
    };
    match run(&cfg, feed, &opts) {
        Ok(summary) => {
            super::print_summary(&summary.report);
            ExitCode::SUCCESS
        }
        Err(e) => super::runtime_failure(&e),
    }
}
