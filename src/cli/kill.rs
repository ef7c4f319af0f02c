//! `microarb kill --config FILE`: turn the kill switch on for the engine running on that config, by
//! creating the config's `risk.kill_file`. The running engine's watcher sees it within ~100 ms and
//! the execution stage refuses every new opportunity (`rejected: kill_switch`) while it exists;
//! on a REST run every order still open is cancelled at its venue and the engine prints what is
//! still exposed (residual positions by venue and asset). Remove the file to trade again.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use microarb::config::{load, Machine};
use microarb::exec::create_kill_file;

/// Arguments of `kill`.
#[derive(Debug, clap::Args)]
pub struct KillArgs {
    /// The config of the engine to stop trading.
    #[arg(long)]
    config: PathBuf,
}

pub fn main(a: KillArgs) -> ExitCode {
    let cfg = match load(&a.config, &Machine::this(false)) {
        Ok(c) => c,
        Err(e) => return super::config_failure(&e),
    };
    let Some(path) = cfg.risk.kill_file.as_deref() else {
        eprintln!(
            "microarb: risk.kill_file: not set in {}; the engine has no kill file to watch \
             (send it SIGUSR1 instead)",
            a.config.display()
        );
        return ExitCode::from(2);
    };
    match create_kill_file(Path::new(path)) {
        Ok(()) => {
            eprintln!("microarb: kill switch on: created {path}");
            ExitCode::SUCCESS
        }
        Err(e) => super::runtime_failure(&format!("cannot create kill file {path}: {e}")),
    }
}
