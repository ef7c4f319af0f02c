//! `microarb run --config FILE`: the real thing — live venue feeds, the configured gateway.

use std::path::PathBuf;
use std::process::ExitCode;

use microarb::config::{load, Machine};
use microarb::ingest::IngestSettings;
use microarb::pipeline::{run, Feed};

/// Arguments of `run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The config file.
    #[arg(long)]
    config: PathBuf,
    #[command(flatten)]
    engine: super::EngineArgs,
}

pub fn main(a: RunArgs) -> ExitCode {
    let cfg = match load(&a.config, &Machine::this(!a.engine.no_pin)) {
        Ok(c) => c,
        Err(e) => return super::config_failure(&e),
    };
    if let Some(code) = a.engine.metrics_refusal(&cfg) {
        return code;
    }
    let feed = Feed::Live {
        settings: IngestSettings::default(),
        record: None,
        ingest_only: false,
    };
    match run(&cfg, feed, &a.engine.options(None)) {
        Ok(summary) => {
            super::print_summary(&summary.report);
            ExitCode::SUCCESS
        }
        Err(e) => super::runtime_failure(&e),
    }
}
