//! Start-up steps of the REST gateway that talk to the venues before the first order (cold path:
//! blocking account calls, allocation, stderr lines), each in its own file.
//!
//! - [`rules`]: every trading venue's instrument rules (tick, step, minimums) into the stage's
//!   rules table, with the config's overrides checked against them.
#![forbid(unsafe_code)]

pub mod rules;
