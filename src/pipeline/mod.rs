//! Assembly: from a checked config to running threads and back to a report.
//!
//! [`run`] builds the registry, the two rings (`quotes`: ingest -> strategy, `opps`: strategy ->
//! execution), the three stages, places them on worker threads by the config's topology, starts
//! the telemetry thread, waits for `--seconds` or a signal, drains, and writes the outputs
//! (interval log, `.hgrm` files, JSON report). Cold path throughout; the hot path is in the stages.

mod drain;
mod error;
mod feed;
mod options;
mod outputs;
mod replay;
mod run;
mod trades;

pub use error::RunError;
pub use feed::{Feed, SourceBuilder};
pub use options::{RunOptions, RunSummary};
pub use outputs::{hgrm_path, write_outputs};
pub use replay::{Pace, ReplayStage};
pub use run::run;
