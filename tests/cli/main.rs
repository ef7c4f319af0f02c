//! The `microarb` binary's commands, run as a child process.

#[path = "../common/mod.rs"]
mod common;

mod commands;
mod doctor;
mod emergency;
mod kill;
