//! The `microarb` binary's commands, run as a child process.

#[path = "../common/mod.rs"]
mod common;

mod account;
mod account_mockex;
mod commands;
mod crash_restart;
mod demo;
mod doctor;
mod emergency;
mod kill;
mod sign;
mod trades;
