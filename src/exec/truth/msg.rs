//! The messages of the two rings between the exec stage and the account thread. Small and
//! `Copy`, so a push never allocates; a full ring drops the message and counts it (the
//! `ring.truth_in.*` and `ring.truth_out.*` counters), and the next refresh sends it again.

use crate::exec::guards::AssetId;
use crate::model::{OrderId, VenueId};

/// Account thread -> exec stage: what a venue said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TruthMsg {
    /// One configured asset's balance on a venue, mantissas at
    /// [`ASSET_SCALE`](crate::exec::params::ASSET_SCALE). `asked_ns` is when the request left
    /// (engine clock): a fill the stage applied after it may be missing from the answer.
    Balance {
        /// The venue.
        venue: VenueId,
        /// The asset.
        asset: AssetId,
        /// Available to trade.
        free: i64,
        /// Free plus locked.
        total: i64,
        /// When the balances request was sent.
        asked_ns: u64,
    },
    /// One of this process's own orders is open on the venue.
    OwnOpen {
        /// The venue.
        venue: VenueId,
        /// The engine's order id (from the client id).
        order: OrderId,
    },
}

/// Exec stage -> account thread: what it should do or say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecNote {
    /// A fill on `venue`: refresh its balances.
    Filled {
        /// The venue.
        venue: VenueId,
    },
    /// The venue's total of `asset` differs from the expected one beyond the tolerance; the
    /// venue is halted. The account thread prints both figures once.
    Mismatch {
        /// The venue.
        venue: VenueId,
        /// The asset.
        asset: AssetId,
        /// Total the engine expected (1e-8 units).
        expected: i64,
        /// Total the venue reported (1e-8 units).
        reported: i64,
    },
    /// An own order is open on the venue that the stage no longer tracks (it ended or was
    /// marked lost): cancel it.
    Orphan {
        /// The venue.
        venue: VenueId,
        /// The order id.
        order: OrderId,
    },
}
