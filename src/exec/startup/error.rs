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
    /// The previous run's orders could not be settled.
    #[error("start-up: {0}")]
    Previous(#[from] PreviousError),
    /// The account thread could not be started.
    #[error("cannot start the account thread: {0}")]
    Spawn(#[source] std::io::Error),
}

/// Why the previous run's log could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PreviousError {
    /// The file could not be read.
    #[error("execution.reconcile.previous_trades {path}: {source}")]
    Read {
        /// The path.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A line other than the last one is not a trade record (a crash truncates only the last).
    #[error(
        "execution.reconcile.previous_trades {path}: line {line} is not a trade record: {why}"
    )]
    Line {
        /// The path.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        why: String,
    },
    /// A venue could not be asked (connection, codec, credentials).
    #[error("previous run's orders on venue {venue}: {why}")]
    Venue {
        /// Venue name.
        venue: String,
        /// Why.
        why: String,
    },
}
