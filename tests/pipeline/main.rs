//! The whole pipeline in process: runs on the synthetic feed, and replays of captures.

#[path = "../common/mod.rs"]
mod common;

mod engine_run;
mod metrics;
mod replay;
mod rest_fallback;
mod replay_paper;
