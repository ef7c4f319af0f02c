//! `microarb demo`: the whole engine on an embedded config with no outside network: the mock
//! exchange serves the four venues' WebSocket protocols on loopback (a synthetic market with
//! injected dislocations), the engine connects to it over real sockets and trades on paper.

use std::process::ExitCode;

use microarb::config::{Config, Machine, DEMO_TOML};
use microarb::ingest::IngestSettings;
use microarb::pipeline::{run, Feed};

use super::mock::serve_config;

/// Arguments of `demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    #[command(flatten)]
    engine: super::EngineArgs,
    /// Frames per second the mock venues send, in total.
    #[arg(long, default_value_t = 20_000)]
    rate: u64,
    /// One injected cross-venue dislocation every this many frames. The default keeps the
    /// opportunity rate inside the venues' real order limits (Upbit: 8 orders/s), which the paper
    /// venue enforces; more dislocations mostly end `rejected: rate_limited`.
    #[arg(long, default_value_t = 5_000)]
    dislocation_every: u64,
}

pub fn main(a: DemoArgs) -> ExitCode {
    let mut cfg = match Config::from_toml_str(DEMO_TOML, &Machine::this(!a.engine.no_pin)) {
        Ok(c) => c,
        Err(e) => return super::config_failure(&e),
    };
    if let Some(code) = a.engine.metrics_refusal(&cfg) {
        return code;
    }
    let exchange = match serve_config(&mut cfg, a.rate, a.dislocation_every) {
        Ok(x) => x,
        Err(e) => return super::runtime_failure(&format!("mock exchange: {e}")),
    };
    let seconds = a.engine.seconds.unwrap_or(5.0);
    eprintln!(
        "microarb demo: mock venues on loopback ({}), {} frames/s, paper trading, {seconds} s",
        exchange
            .endpoints()
            .iter()
            .map(|e| format!("{} {}", e.name, e.ws_url))
            .collect::<Vec<_>>()
            .join(", "),
        a.rate
    );
    let feed = Feed::Live {
        settings: IngestSettings::default(),
        record: None,
        ingest_only: false,
    };
    let result = run(&cfg, feed, &a.engine.options(Some(seconds)));
    let injected = exchange.injected().len();
    drop(exchange);
    match result {
        Ok(summary) => {
            eprintln!("microarb: the mock exchange injected {injected} dislocations");
            super::print_summary(&summary.report);
            ExitCode::SUCCESS
        }
        Err(e) => super::runtime_failure(&e),
    }
}
