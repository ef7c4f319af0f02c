//! The options every engine-running command (`run`, `demo`, `replay`, `record`) shares.

use std::path::PathBuf;

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
    /// Write the trade log here: one JSON line per order sent (`kind: "order"`), per fill
    /// (`kind: "fill"`, with the fee and fee asset) and per final state (`kind: "final"`).
    #[arg(long, value_name = "FILE")]
    pub trades: Option<PathBuf>,
    /// Serve Prometheus metrics at http://ADDR/metrics (`PORT` alone binds 127.0.0.1; a
    /// non-loopback address needs `[telemetry] metrics_allow_remote = true`).
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<String>,
}

impl EngineArgs {
    /// Exit status 2 (with the reason printed) when `--metrics` is refused for `cfg`: the same
    /// check as `[telemetry] metrics_addr` (loopback unless `metrics_allow_remote = true`).
    pub fn metrics_refusal(
        &self,
        cfg: &microarb::config::Config,
    ) -> Option<std::process::ExitCode> {
        let text = self.metrics.as_deref()?;
        let e =
            microarb::config::parse_metrics_addr(text, cfg.telemetry.metrics_allow_remote).err()?;
        eprintln!("microarb: --metrics: {e}");
        Some(std::process::ExitCode::from(2))
    }

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
            trades: self.trades.clone(),
            metrics: self.metrics.clone(),
            metrics_bound: None,
        }
    }
}
