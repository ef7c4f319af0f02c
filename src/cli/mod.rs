//! Subcommands. Each returns the process exit status.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod account;
mod check_config;
#[cfg(feature = "demo")]
mod demo;
mod doctor;
mod emergency;
mod engine_args;
mod exit;
mod hist;
mod kill;
#[cfg(feature = "demo")]
mod mock;
mod record;
mod replay;
mod run;
mod sign;
mod summary;
#[cfg(feature = "top")]
mod top;

pub use engine_args::EngineArgs;
pub use exit::{config_failure, runtime_failure};
pub use summary::print_summary;

/// Cross-exchange micro-arbitrage engine.
#[derive(Debug, Parser)]
#[command(name = "microarb", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the whole engine on an embedded default: mock venues, paper trading, a latency report.
    #[cfg(feature = "demo")]
    Demo(demo::DemoArgs),
    /// Run the engine on a config.
    Run(run::RunArgs),
    /// Record the venues' raw frames to a capture file (no trading).
    Record(record::RecordArgs),
    /// Run a capture through the same parsers and pipeline, in capture time.
    Replay(replay::ReplayArgs),
    /// The venue account API: balances, open orders, rules, server time, cancel by client id.
    Account(account::AccountArgs),
    /// Check a config file and exit (0: valid, 2: every problem listed).
    CheckConfig(check_config::CheckArgs),
    /// Print percentiles per tag of an interval log; optionally plot them.
    Hist(hist::HistArgs),
    /// Turn on the kill switch of the engine running on a config (creates its `risk.kill_file`).
    Kill(kill::KillArgs),
    /// Put the engine running on a config into rate-limit emergency mode for a while (writes its
    /// `execution.emergency_file`).
    Emergency(emergency::EmergencyArgs),
    /// Check this host for the pinned cores: governor, isolation, IRQs, SMT, THP, clock, swap.
    Doctor(doctor::DoctorArgs),
    /// Print the exact signed HTTP request the engine would send for one IOC limit order.
    Sign(sign::SignArgs),
    /// A live terminal view of a running engine, from its metrics endpoint (`q` quits).
    #[cfg(feature = "top")]
    Top(top::TopArgs),
}

/// Run the parsed command.
pub fn dispatch(cli: Cli) -> ExitCode {
    match cli.command {
        #[cfg(feature = "demo")]
        Command::Demo(a) => demo::main(a),
        Command::Run(a) => run::main(a),
        Command::Record(a) => record::main(a),
        Command::Replay(a) => replay::main(a),
        Command::Account(a) => account::main(a),
        Command::CheckConfig(a) => check_config::main(a),
        Command::Hist(a) => hist::main(a),
        Command::Kill(a) => kill::main(a),
        Command::Emergency(a) => emergency::main(a),
        Command::Doctor(a) => doctor::main(a),
        Command::Sign(a) => sign::main(a),
        #[cfg(feature = "top")]
        Command::Top(a) => top::main(a),
    }
}
