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
    /// The previous run's trade log (`--trades` of a run that crashed or was killed): its orders
    /// without a final state are settled at their venues before this run trades, and their
    /// lines head this run's `--trades` (sets `execution.reconcile.previous_trades`; REST only).
    #[arg(long, value_name = "FILE")]
    resume: Option<PathBuf>,
    #[command(flatten)]
    engine: super::EngineArgs,
}

pub fn main(a: RunArgs) -> ExitCode {
    let mut cfg = match load(&a.config, &Machine::this(!a.engine.no_pin)) {
        Ok(c) => c,
        Err(e) => return super::config_failure(&e),
    };
    if let Some(prev) = a.resume {
        if cfg.execution.gateway != microarb::config::GatewayKind::Rest {
            eprintln!(
                "microarb: --resume: settles a previous run's orders at the venues; \
                 execution.gateway is \"{}\", not \"rest\"",
                cfg.execution.gateway.as_str()
            );
            return ExitCode::from(2);
        }
        cfg.execution.reconcile.previous_trades = Some(prev);
    }
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
