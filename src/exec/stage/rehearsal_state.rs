//! The execution stage's rehearsal state (see `rehearsal.rs` for what a rehearsal does): kept
//! apart from the code that runs it, so the stage's struct can hold it without the stage file
//! and the rehearsal file naming each other.

use crate::model::Opportunity;

/// The rehearsal's own state: nothing else in the stage is written by a rehearsal.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Rehearsal {
    /// Period (0: never).
    pub(super) every_ns: u64,
    /// Not before this time.
    pub(super) next_ns: u64,
    /// The latest opportunity received.
    pub(super) template: Option<Opportunity>,
    /// Rehearsals run.
    pub(super) count: u64,
}
