//! microarb: a cross-exchange micro-arbitrage engine.
//!
//! ```text
//!  venue feeds (ws/wss)        SPSC ring           SPSC ring               order bytes (mio)
//! [ingest] ------Quote-------> [strategy] --Opportunity--> [exec] ---signed request---> gateway
//!        \______________ counters (atomics) + per-thread histograms ______________/
//!                                 [telemetry thread]
//! ```
//!
//! Modules in pipeline order, each layer importing only the ones above it in this list
//! (`docs/architecture.md`, "Layers"; `tests/architecture.rs` enforces it):
//!
//! | module | layer | what |
//! |---|---|---|
//! | [`model`] | vocabulary | fixed-point money, ids, `Quote`, `Opportunity`, `Order`, `ExecReport`, outcomes |
//! | [`base`] | shared | clock, single-writer counters, RNG, circuit breaker, backoff, zero-copy JSON scanner |
//! | [`net`] | shared | TLS client config, URLs, the HTTP/1.1 keep-alive client |
//! | [`config`] | shared | the TOML schema, every rule checked with its key path, env overrides |
//! | [`runtime`] | threads | stages, pinned workers, idle strategies, SPSC rings, shutdown |
//! | [`cache`] | data structure | the slab LRU with TTL that dedupes opportunities |
//! | [`telemetry`] | outputs | counter registry, histogram hand-off, interval log, report, plot |
//! | [`record`] | capture | the capture file format: recorder thread and reader |
//! | [`ingest`] | stage 1 | mio event loop, WebSocket client, feed health; `venues/`: one parser per venue |
//! | [`strategy`] | stage 2 | book table, exact detector, volatility, confidence |
//! | [`exec`] | stage 3 | guards, limits, orders, gateways (paper, REST) and the execution stage |
//! | [`pipeline`] | assembly | from a checked config to running threads and back to a report |
//!
//! The mock exchange the tests and the demo trade against is its own crate (`tools/mockex`),
//! sharing no code with the engine it checks.

pub mod model;

pub mod base;
pub mod config;
pub mod net;

pub mod cache;
pub mod runtime;

pub mod telemetry;

pub mod record;

pub mod exec;
pub mod ingest;
pub mod strategy;

pub mod pipeline;
