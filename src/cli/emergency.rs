//! `microarb emergency --config FILE [--seconds N]`: put the engine running on that config into
//! rate-limit emergency mode for N seconds (default: the config's `execution.emergency_seconds`,
//! 300), by writing its `execution.emergency_file` with the expiry. The running engine's watcher
//! sees it within ~100 ms; every venue's rate-limit groups then run at half their rate and burst,
//! a single 429 cuts a group and recovery waits 600 s, until the time is up. Running it again sets
//! a new expiry (an earlier one than the engine already has does not shorten it).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use microarb::config::{load, Machine};
use microarb::exec::write_emergency_file;

/// Arguments of `emergency`.
#[derive(Debug, clap::Args)]
pub struct EmergencyArgs {
    /// The config of the engine to slow down.
    #[arg(long)]
    config: PathBuf,
    /// How long emergency mode lasts (1 to 86400; default: execution.emergency_seconds).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    seconds: Option<u64>,
}

pub fn main(a: EmergencyArgs) -> ExitCode {
    let cfg = match load(&a.config, &Machine::this(false)) {
        Ok(c) => c,
        Err(e) => return super::config_failure(&e),
    };
    let Some(path) = cfg.execution.emergency_file.as_deref() else {
        eprintln!(
            "microarb: execution.emergency_file: not set in {}; the engine has no emergency file \
             to watch",
            a.config.display()
        );
        return ExitCode::from(2);
    };
    let seconds = a.seconds.unwrap_or(cfg.execution.emergency_seconds);
    match write_emergency_file(Path::new(path), seconds) {
        Ok(until_ms) => {
            eprintln!(
                "microarb: emergency mode for {seconds} s (until unix {}.{:03}): wrote {path}",
                until_ms / 1000,
                until_ms % 1000
            );
            ExitCode::SUCCESS
        }
        Err(e) => super::runtime_failure(&format!("cannot write emergency file {path}: {e}")),
    }
}
