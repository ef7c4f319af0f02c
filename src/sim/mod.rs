//! A synthetic multi-venue market: correlated random walks with injected cross-venue dislocations
//! of known size and time, so a test or a benchmark knows exactly which opportunities exist.
//!
//! Used by `microarb demo` (in process), and by the mock exchange to stream venue-format frames.
//! Deterministic for a given seed; integer arithmetic in ticks throughout.
#![forbid(unsafe_code)]

mod market;

pub use market::{Dislocation, SimParams, SimQuote, SyntheticMarket};
