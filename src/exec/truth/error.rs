//! [`TruthError`]: why venue truth could not be established, or was refused. Its own file so the
//! build errors can carry it without importing the conversions (and through them the parameters).

use crate::exec::account::AccountError;

/// Why venue truth could not be established or was refused.
#[derive(Debug, thiserror::Error)]
pub enum TruthError {
    /// The account call failed (transport, timeout, refusal, unreadable answer).
    #[error(transparent)]
    Account(#[from] AccountError),
    /// The answer was readable but contradicts itself or the request.
    #[error("{venue}: {request}: contradictory answer: {detail}")]
    Contradictory {
        /// Venue name.
        venue: String,
        /// Which call.
        request: &'static str,
        /// What contradicts what, with the values.
        detail: String,
    },
    /// A foreign order must be cancelled (`execution.reconcile.foreign = "cancel"`) and cannot
    /// be: it has no client id, the cancel failed, or it is still open afterwards.
    #[error("{venue}: cannot cancel foreign order {venue_order_id} (client id {client_id:?}) on {symbol}: {reason}")]
    Cancel {
        /// Venue name.
        venue: String,
        /// The venue's symbol.
        symbol: String,
        /// The venue's order id.
        venue_order_id: String,
        /// Its client id (may be empty).
        client_id: String,
        /// Why.
        reason: String,
    },
}

impl TruthError {
    /// Whether the venue's answer itself was bad (unreadable or contradictory), as opposed to
    /// the call failing: counted as `exec.reconcile.bad_answers`.
    pub fn is_bad_answer(&self) -> bool {
        matches!(
            self,
            TruthError::Contradictory { .. } | TruthError::Account(AccountError::Unreadable { .. })
        )
    }
}
