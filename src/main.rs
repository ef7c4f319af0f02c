//! The `microarb` command line: `demo`, `run`, `check-config`, `hist`.
//!
//! Exit status: 0 on success, 2 for bad usage or a bad config (the message names the key and the
//! reason), 1 for a runtime failure.

use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    cli::dispatch(args)
}
