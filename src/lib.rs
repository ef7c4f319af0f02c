//! microarb: a cross-exchange micro-arbitrage engine.
//!
//! ```text
//!  venue feeds (ws/wss)        SPSC ring           SPSC ring               order I/O (mio)
//! [ingest thread(s)] --Quote--> [strategy] --Opportunity--> [execution] ---Order---> gateways
//!        \______________ counters (atomics) + per-thread histograms ______________/
//!                                 [telemetry thread]
//! ```
//!
//! Modules follow the pipeline: [`model`] is the vocabulary every stage speaks.

pub mod ingest;
pub mod model;
pub mod record;
