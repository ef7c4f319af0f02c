//! Subcommands. Each returns the process exit status.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod check_config;
#[cfg(feature = "demo")]
mod demo;
mod hist;
mod kill;
#[cfg(feature = "demo")]
mod mock;
mod record;
mod replay;
mod run;

/// Cross-exchange micro-arbitrage engine.
#[derive(Debug, Parser)]
#[command(name = "microarb", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Options every engine-running command shares.
#[derive(Debug, clap::Args)]
pub struct EngineArgs {
    /// Stop cleanly after this many seconds.
    #[arg(long)]
    pub seconds: Option<f64>,
    /// Write the HdrHistogram V2 interval log here (and `.hgrm` files beside it at exit).
    #[arg(long)]
    pub hist_log: Option<PathBuf>,
    /// Write the JSON report here at exit.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Do not pin threads to cores.
    #[arg(long)]
    pub no_pin: bool,
    /// No status line on stderr.
    #[arg(long)]
    pub quiet: bool,
    /// Write one JSON line per detected opportunity here.
    #[arg(long)]
    pub opps: Option<PathBuf>,
}

impl EngineArgs {
    /// The run options these arguments ask for.
    pub fn options(&self, default_seconds: Option<f64>) -> microarb::pipeline::RunOptions {
        microarb::pipeline::RunOptions {
            seconds: self.seconds.or(default_seconds),
            hist_log: self.hist_log.clone(),
            report: self.report.clone(),
            no_pin: self.no_pin,
            status_line: if self.quiet { Some(false) } else { None },
            signals: true,
            shutdown: None,
            opps: self.opps.clone(),
        }
    }
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
    /// Check a config file and exit (0: valid, 2: every problem listed).
    CheckConfig(check_config::CheckArgs),
    /// Print percentiles per tag of an interval log; optionally plot them.
    Hist(hist::HistArgs),
    /// Turn on the kill switch of the engine running on a config (creates its `risk.kill_file`).
    Kill(kill::KillArgs),
}

/// Run the parsed command.
pub fn dispatch(cli: Cli) -> ExitCode {
    match cli.command {
        #[cfg(feature = "demo")]
        Command::Demo(a) => demo::main(a),
        Command::Run(a) => run::main(a),
        Command::Record(a) => record::main(a),
        Command::Replay(a) => replay::main(a),
        Command::CheckConfig(a) => check_config::main(a),
        Command::Hist(a) => hist::main(a),
        Command::Kill(a) => kill::main(a),
    }
}

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

/// Print the closing summary of a run on stderr.
pub fn print_summary(report: &serde_json::Value) {
    let o = &report["opportunities"];
    eprintln!(
        "microarb: opportunities detected {} executed {} partial {} expired {} dropped {} rejected {}",
        o["detected"], o["executed"], o["partial"], o["expired"], o["dropped"], o["rejected"]
    );
    let l = &report["latency_ns"];
    for tag in [
        "parse",
        "hop",
        "detect",
        "tick_to_decision",
        "tick_to_order",
    ] {
        let m = &l[tag];
        if m["count"].as_u64().unwrap_or(0) > 0 {
            eprintln!(
                "microarb: {tag:<17} count {:>9}  p50 {:>8} ns  p99 {:>8} ns  p99.9 {:>8} ns  max {:>9} ns",
                m["count"], m["p50"], m["p99"], m["p999"], m["max"]
            );
        }
    }
    eprintln!(
        "microarb: rss peak {} MiB",
        report["rss_bytes"]["peak"].as_u64().unwrap_or(0) / (1024 * 1024)
    );
}
