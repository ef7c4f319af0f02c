//! `microarb check-config FILE`.

use std::path::PathBuf;
use std::process::ExitCode;

use microarb::config::{load, Machine};

/// Arguments of `check-config`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The config file.
    file: PathBuf,
    /// Do not check core numbers against this machine (the config will run with --no-pin).
    #[arg(long)]
    no_pin: bool,
}

pub fn main(a: CheckArgs) -> ExitCode {
    match load(&a.file, &Machine::this(!a.no_pin)) {
        Ok(c) => {
            println!(
                "{}: ok ({} venues, {} instruments)",
                a.file.display(),
                c.venues.len(),
                c.instruments.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => super::config_failure(&e),
    }
}
