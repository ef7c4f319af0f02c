//! microarb: a cross-exchange micro-arbitrage engine.
//!
//! ```text
//!  venue feeds (ws/wss)        SPSC ring           SPSC ring               order I/O (mio)
//! [ingest thread(s)] --Quote--> [strategy] --Opportunity--> [execution] ---Order---> gateways
//!        \______________ counters (atomics) + per-thread histograms ______________/
//!                                 [telemetry thread]
//! ```
//!
//! Modules follow the pipeline: [`model`] is the vocabulary every stage speaks; [`strategy`]
//! finds opportunities, [`cache`] dedupes them; [`runtime`] runs stages on pinned threads joined
//! by rings; [`telemetry`] counts and measures; [`pipeline`] assembles it all from a [`config`].

pub mod base;
pub mod cache;
pub mod config;
pub mod exec;
pub mod ingest;
pub mod model;
pub mod net;
pub mod pipeline;
pub mod record;
pub mod runtime;
pub mod strategy;
pub mod telemetry;
