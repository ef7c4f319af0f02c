//! Exit statuses: 2 for a bad config (every problem listed), 1 for a runtime failure.

use std::process::ExitCode;

/// Print a config error and return exit status 2.
pub fn config_failure(e: &microarb::config::ConfigErrors) -> ExitCode {
    for line in e.to_string().lines() {
        eprintln!("microarb: {line}");
    }
    ExitCode::from(2)
}

/// Print a runtime error and return exit status 1.
pub fn runtime_failure(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("microarb: {e}");
    ExitCode::from(1)
}
