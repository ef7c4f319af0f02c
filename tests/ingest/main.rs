//! Ingest: the WebSocket stage over loopback (plain and TLS), and the venue parsers on captures
//! and fuzzed input.

#[path = "../common/mod.rs"]
mod common;

mod loopback;
mod tls;
mod venues_captures;
mod venues_fuzz;
