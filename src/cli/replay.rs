//! `microarb replay --config FILE CAPTURE [--pace max|recorded] [--paper] [--opps FILE] ...`: a
//! capture through the same parsers and pipeline, deterministically (time is the capture's), always
//! on the paper venue: a config with a network gateway is refused (exit 2) unless `--paper` is given.

use std::path::PathBuf;
use std::process::ExitCode;

use microarb::config::{load, GatewayKind, Machine};
use microarb::pipeline::{run, Feed, Pace};

/// Arguments of `replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The config file (venue names must match the capture's).
    #[arg(long)]
    config: PathBuf,
    /// The capture to replay (`.gz`: gzip).
    capture: PathBuf,
    /// `max`: as fast as possible; `recorded`: keep the recorded gaps.
    #[arg(long, default_value = "max", value_parser = ["max", "recorded"])]
    pace: String,
    /// Replay on the paper venue whatever `execution.gateway` says (without it, a config whose
    /// gateway is not `paper` is refused: replay never sends an order to a venue).
    #[arg(long)]
    paper: bool,
    #[command(flatten)]
    engine: super::EngineArgs,
}

pub fn main(a: ReplayArgs) -> ExitCode {
    let mut cfg = match load(&a.config, &Machine::this(!a.engine.no_pin)) {
        Ok(c) => c,
        Err(e) => return super::config_failure(&e),
    };
    if a.paper {
        cfg.execution.gateway = GatewayKind::Paper;
    } else if cfg.execution.gateway != GatewayKind::Paper {
        eprintln!(
            "microarb: execution.gateway = \"{}\": replay never sends orders to a venue; set gateway = \"paper\" or pass --paper",
            cfg.execution.gateway.as_str()
        );
        return ExitCode::from(2);
    }
    if !a.capture.exists() {
        eprintln!("microarb: capture {} does not exist", a.capture.display());
        return ExitCode::from(2);
    }
    let pace = if a.pace == "recorded" {
        Pace::Recorded
    } else {
        Pace::Max
    };
    let feed = Feed::Replay {
        path: a.capture.clone(),
        pace,
    };
    match run(&cfg, feed, &a.engine.options(None)) {
        Ok(summary) => {
            let c = &summary.report["counters"];
            eprintln!(
                "microarb: replayed {} frames, {} quotes, {} parse errors",
                c["replay.frames"], c["replay.quotes"], c["replay.parse_errors"]
            );
            super::print_summary(&summary.report);
            ExitCode::SUCCESS
        }
        Err(e) => super::runtime_failure(&e),
    }
}
