//! Why a run failed (exit status 1), each with its source.

use thiserror::Error;

use crate::config::MetricsAddrError;
use crate::exec::ExecBuildError;
use crate::ingest::IngestBuildError;
use crate::record::CaptureError;
use crate::strategy::StrategyBuildError;

/// A runtime failure (exit status 1).
#[derive(Debug, Error)]
pub enum RunError {
    /// A thread could not be started.
    #[error("cannot start thread {thread}: {source}")]
    Spawn {
        /// Thread name.
        thread: String,
        /// OS error.
        source: std::io::Error,
    },
    /// The config passed validation but the detector refused its parameters.
    #[error("strategy parameters: {0}")]
    Strategy(#[from] StrategyBuildError),
    /// The venue connections could not be set up.
    #[error("ingest: {0}")]
    Ingest(#[from] IngestBuildError),
    /// The capture could not be opened or written.
    #[error("capture: {0}")]
    Capture(#[from] CaptureError),
    /// The execution stage refused its parameters.
    #[error("execution: {0}")]
    Exec(#[from] ExecBuildError),
    /// Signal handlers could not be installed.
    #[error("cannot install signal handlers: {0}")]
    Signals(std::io::Error),
    /// An output could not be written.
    #[error("cannot write {what}: {source}")]
    Output {
        /// Which output.
        what: String,
        /// OS error.
        source: std::io::Error,
    },
    /// The metrics address (`--metrics` or `[telemetry] metrics_addr`) was refused.
    #[error("{key}: {source}")]
    MetricsAddr {
        /// Where it came from: `--metrics` or `telemetry.metrics_addr`.
        key: &'static str,
        /// Why.
        source: MetricsAddrError,
    },
    /// A replay was asked to trade through a network gateway: a capture's prices are old, so
    /// replay only ever runs on the paper venue (`replay --paper` switches the config to it).
    #[error(
        "execution.gateway = \"{gateway}\": replay never sends orders to a venue; use gateway = \"paper\" (or `replay --paper`)"
    )]
    ReplayNeedsPaper {
        /// The configured gateway's name.
        gateway: &'static str,
    },
    /// A thread panicked.
    #[error("thread {0} panicked")]
    Panicked(String),
}
