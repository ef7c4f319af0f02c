//! The engine against the mock exchange, and the mock exchange held to the venues' protocols by
//! clients that are not the engine's: captures streamed back, faults, feeds, keep-alive, the REST
//! side, and the engine's parsers and signers against the mock's own checks.

#[path = "../common/mod.rs"]
mod common;

mod capture;
mod engine_units;
mod faults;
mod feeds;
mod keepalive;
mod rest;
