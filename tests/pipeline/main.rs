//! The whole pipeline in process: runs on the synthetic feed, and replays of captures.

#[path = "../common/mod.rs"]
mod common;

mod emergency;
mod engine_run;
mod metrics;
mod metrics_state;
mod multi;
mod replay;
mod replay_paper;
mod rest_fallback;
mod scale;
mod trades_log;
