//! The execution stage ([`ExecStage`]): opportunities in, orders out, every order tracked to a
//! final state. [`exec_stage`] holds the stage and its admission path; its child `answers` the
//! order side (gateway events, timers, hedges), and `counters` its telemetry counters.
#![forbid(unsafe_code)]

pub mod exec_stage;
pub(crate) mod mantissa;

pub use exec_stage::ExecStage;
