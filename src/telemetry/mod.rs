//! Telemetry: counters, latency histograms, and their outputs.
//!
//! Contract:
//! - Counters ([`Counter`]) are single-writer atomics, one cache line each, written with relaxed
//!   load + store; the telemetry thread only reads them.
//! - Histograms are owned by the stage that records into them ([`Recorder`]) and handed to the
//!   telemetry thread once per interval through an SPSC ring, swapped for an empty one that comes
//!   back through another: recording never locks and the steady state never allocates.
//! - The telemetry thread ([`thread::spawn`]) writes the HdrHistogram V2 interval log
//!   ([`hlog`]), the status line, and at exit the `.hgrm` distributions ([`hgrm`]) and the JSON
//!   report ([`report`]).

pub mod gauges;
pub mod hgrm;
pub mod hlog;
mod hub;
mod metric;
pub mod metrics;
pub mod opps_log;
mod outcomes;
pub mod plot;
mod recorder;
mod registry;
pub mod report;
pub mod rss;
mod samples;
mod status;
pub mod thread;
pub mod trades;

pub use gauges::{GaugeFamily, Gauges};
pub use hub::{Collected, Hub};
pub use metric::{new_histogram, Metric, HIGHEST_NS, SIGFIG};
pub use opps_log::{OppLog, OppLogEntry, OppLogTx};
pub use outcomes::{counter_name, OppTotals, OutcomeCounters};
pub use recorder::{Interval, Recorder};
pub use registry::Registry;
pub use samples::SampleTx;
pub use status::StatusLine;
pub use thread::TelemetryOptions;
pub use trades::{TradeLog, TradeTx};
