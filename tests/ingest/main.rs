//! Ingest: the WebSocket stage over loopback (plain and TLS), and the venue parsers on captures
//! and fuzzed input.

#[path = "../common/mod.rs"]
mod common;

mod binance_serde;
mod binance_serde_tests;
mod loopback;
mod rest_poller;
mod tls;
mod venues_captures;
mod venues_fuzz;
