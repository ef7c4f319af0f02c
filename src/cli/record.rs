//! `microarb record --config FILE --out CAPTURE [--seconds N]`: write every raw frame the venues
//! send, with its receive time, in the capture format (docs/architecture.md, "Contracts"). No trading.

use std::path::PathBuf;
use std::process::ExitCode;

use microarb::config::{load, Machine};
use microarb::ingest::IngestSettings;
use microarb::pipeline::{run, Feed};

/// Arguments of `record`.
#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    /// The config file (venues and instruments to subscribe to).
    #[arg(long)]
    config: PathBuf,
    /// The capture file to write (`.gz`: gzip).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    engine: super::EngineArgs,
}

pub fn main(a: RecordArgs) -> ExitCode {
    if a.engine.trades.is_some() {
        eprintln!("microarb: --trades: record does not trade, so it has no trade log");
        return ExitCode::from(2);
    }
    let cfg = match load(&a.config, &Machine::this(!a.engine.no_pin)) {
        Ok(c) => c,
        Err(e) => return super::config_failure(&e),
    };
    let feed = Feed::Live {
        settings: IngestSettings::default(),
        record: Some(a.out.clone()),
        ingest_only: true,
    };
    match run(&cfg, feed, &a.engine.options(None)) {
        Ok(summary) => {
            let c = &summary.report["counters"];
            eprintln!(
                "microarb: recorded {} frames to {} ({} not recorded: writer behind)",
                c["record.frames"],
                a.out.display(),
                c["record.dropped"]
            );
            ExitCode::SUCCESS
        }
        Err(e) => super::runtime_failure(&e),
    }
}
