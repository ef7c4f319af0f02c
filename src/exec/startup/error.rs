//! [`StartupError`]: why trading cannot start. Its own file so the stage's build error can carry
//! it without importing start-up itself (which needs the parameters).

use crate::exec::truth::error::TruthError;

/// Why trading cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A venue's step failed.
    #[error("start-up {step} on venue {venue} failed, trading does not start: {source}")]
    Venue {
        /// Venue name.
        venue: String,
        /// `account client`, `open orders` or `balances`.
        step: &'static str,
        /// Why.
        #[source]
        source: Box<TruthError>,
    },
    /// A balance did not fit the risk book.
    #[error("start-up balances on venue {venue}: {source}")]
    Risk {
        /// Venue name.
        venue: String,
        /// The risk book's refusal.
        #[source]
        source: crate::exec::guards::RiskUpdateError,
    },
    /// The account thread could not be started.
    #[error("cannot start the account thread: {0}")]
    Spawn(#[source] std::io::Error),
}
