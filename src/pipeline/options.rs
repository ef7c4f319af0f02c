//! What a run is asked to do (from the command line or a test) and what it gives back.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::runtime::Shutdown;

/// Run options from the command line.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Stop after this long (None: until a signal).
    pub seconds: Option<f64>,
    /// Interval log path.
    pub hist_log: Option<PathBuf>,
    /// JSON report path.
    pub report: Option<PathBuf>,
    /// Do not pin threads.
    pub no_pin: bool,
    /// Print the status line (overrides the config when set).
    pub status_line: Option<bool>,
    /// Install SIGINT/SIGTERM handlers (false in tests, which stop via the returned handle).
    pub signals: bool,
    /// Requested externally (tests, embedding); a fresh flag when None.
    pub shutdown: Option<Shutdown>,
    /// Write one JSON line per detected opportunity here.
    pub opps: Option<PathBuf>,
    /// Write the trade log here: one JSON line per order sent, fill and final state
    /// (`--trades`).
    pub trades: Option<PathBuf>,
    /// Serve Prometheus metrics here (`--metrics`; overrides `[telemetry] metrics_addr`, checked
    /// the same way, `metrics_allow_remote` included).
    pub metrics: Option<String>,
    /// Set to the metrics endpoint's bound address once it listens (tests pass port 0).
    pub metrics_bound: Option<Arc<OnceLock<SocketAddr>>>,
}

/// What a run returns: the report object (also written to `--report` when asked).
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The report JSON.
    pub report: serde_json::Value,
    /// Workers that did not drain in time.
    pub unfinished: Vec<String>,
}
