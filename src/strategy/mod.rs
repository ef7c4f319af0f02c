//! Strategy stage: the book table, the cross-venue detector, volatility and confidence.
//!
//! Contract: the strategy thread owns one [`Detector`] and calls [`Detector::on_quote`] with every
//! quote popped from the ingest ring and the current monotonic time (the capture's time in a
//! replay). It returns at most one [`Candidate`]: the best fresh (buy venue, sell venue) pair of
//! that instrument per the detection rule (docs/architecture.md), only when it involves the quote's venue, clears
//! `min_profit` after both taker fees, and has a positive quantity in whole lots. The caller
//! dedupes it by [`Candidate::key`] in the opportunity cache (`cache/`), choosing the TTL from
//! [`Detector::volatility`], and turns it into an `Opportunity` with an id and an expiry.
//!
//! Why this shape: the decision must be exact and reproducible (the same capture gives the same
//! opportunities on any machine), so money stays integer from parse to decision, fees are
//! converted once to millionths ([`fees`]), and time is an argument. The hot path allocates
//! nothing, takes no lock and makes no syscall; all storage is sized in [`Detector::new`] from
//! [`DetectorParams`], which the config builds on the cold path.
//!
//! | file | concept |
//! |------|---------|
//! | `book.rs` | latest quote per (instrument, venue), flat array |
//! | `fees.rs` | fee and threshold conversion from bp to exact millionths |
//! | `wide.rs` | 256-bit products for exact ratio comparison |
//! | `pair.rs` | best (buy, sell) pair in one pass, the detection rule's ties |
//! | `params.rs` | detector parameters and their validation |
//! | `volatility.rs` | EWMA of mid log returns per instrument |
//! | `confidence.rs` | confidence score from age, size, volatility |
//! | `detector.rs` | the rule itself, counters, candidates |
#![forbid(unsafe_code)]

mod book;
mod confidence;
mod detector;
pub mod fees;
mod pair;
mod params;
mod stage;
mod volatility;
pub mod wide;

pub use book::{ask_usable, bid_usable, BookTable, UnknownIds};
pub use confidence::{confidence, ConfidenceParams, LegAge, CONFIDENCE_ONE};
pub use detector::{Candidate, Detector, DetectorStats};
pub use fees::{threshold_from_bps, FeeRate, RateError, RATE_ONE};
pub use pair::PairScan;
pub use params::{DetectorParams, InstrumentParams, ParamsError, VenueParams};
pub use stage::{detector_params, StrategyBuildError, StrategyStage, TimeSource};
pub use volatility::{VolParams, VolTracker, SEED_HIGH_VOL, SEED_MEDIUM_VOL};
