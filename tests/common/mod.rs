//! The test toolkit every integration-test binary shares (`#[path = "../common/mod.rs"] mod
//! common;`), one concept a file:
//!
//! - [`config`]: the demo config as a value and builders that edit its fields;
//! - [`rig`]: the execution stage on a fake clock over any gateway;
//! - [`paper`]: that rig over the paper venue (`Harness`);
//! - [`gateway`]: the one scripted test gateway (the paper venue behind a request log) and its rig;
//! - [`accounting`]: the accounting checks every scenario ends with;
//! - [`tmp`]: temporary directories, removed when done;
//! - [`fake_venue`]: a loopback REST server with answers the test sets (bad venue answers);
//! - [`alloc`]: the counting allocator of the zero-allocation tests;
//! - [`mockex_feed`], [`mockex_rest`]: clients and an engine rig against the mock exchange;
//! - [`mock`]: the engine binary's own map from an engine config to the mock exchange;
//! - [`sim_feed`]: an in-process quote source on the mock's synthetic market;
//! - [`venue_orders`]: orders placed on the mock through the venues' own APIs (another trader).
//! - [`trades`]: reading a `--trades` log back and recomputing its sums.
//! - [`ws`]: what the WebSocket gateway tests share (an order, polling, answers and pushes).
#![allow(dead_code, unused_imports)]

pub mod accounting;
pub mod alloc;
pub mod config;
pub mod fake_venue;
pub mod gateway;
#[path = "../../src/cli/mock.rs"]
pub mod mock;
pub mod mockex_feed;
pub mod mockex_rest;
pub mod paper;
pub mod rig;
pub mod sim_feed;
pub mod tmp;
pub mod trades;
pub mod venue_orders;
pub mod ws;
