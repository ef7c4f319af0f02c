//! Where a run's quotes come from: the venues' feeds, a capture, or a stage the caller builds.

use std::path::PathBuf;

use super::replay::Pace;
use crate::ingest::IngestSettings;
use crate::model::Quote;
use crate::runtime::{RingTx, Stage};
use crate::telemetry::Registry;

/// Where quotes come from.
pub enum Feed {
    /// The venues' WebSocket feeds (the config's URLs).
    Live {
        /// TLS roots and jitter seed.
        settings: IngestSettings,
        /// Record every raw frame to this capture file.
        record: Option<PathBuf>,
        /// Only ingest (and record); no strategy or execution (`microarb record`).
        ingest_only: bool,
    },
    /// A capture file, in capture time.
    Replay {
        /// The capture.
        path: PathBuf,
        /// Max speed or recorded pace.
        pace: Pace,
    },
    /// A quote source the caller builds: the extension point for tests and benches that feed
    /// the engine in process (a synthetic market, a scripted sequence). [`run`] calls it once
    /// with the `quotes` ring's producer and the run's registry (for the stage's counters); the
    /// stage it returns stands where the ingest stage stands, in live time.
    Source(SourceBuilder),
}

/// Builds a [`Feed::Source`] stage from the `quotes` ring's producer and the run's registry.
pub type SourceBuilder = Box<dyn FnOnce(RingTx<Quote>, &mut Registry) -> Box<dyn Stage> + Send>;
