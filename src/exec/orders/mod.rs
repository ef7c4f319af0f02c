//! Orders after they are sent: the fixed table of arbitrages in flight ([`inflight`], private to
//! the stage) and the legging policy that decides how an imbalance is hedged ([`legs`]).
#![forbid(unsafe_code)]

pub(crate) mod inflight;
pub mod legs;

pub use legs::{outcome, widen, Hedge, HedgeKind, LeggingParams, Legs};
