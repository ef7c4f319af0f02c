//! `microarb run --config FILE`: the real thing.

use std::path::PathBuf;
use std::process::ExitCode;

use microarb::config::{load, Machine};

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
    let _cfg = match load(&a.config, &Machine::this(!a.engine.no_pin)) {
        Ok(c) => c,
        Err(e) => return super::config_failure(&e),
    };
    super::runtime_failure(
        &"`run` needs the live venue ingest (WebSocket client), which is not built yet; \
          the config is valid. Use `microarb demo` meanwhile.",
    )
}
