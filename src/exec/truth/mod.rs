//! Venue truth on the REST gateway: what the venues say about our balances and open orders,
//! checked against what the engine believes. See docs/reconciliation.md.
//!
//! - [`ids`]: whose order is this? An open order's client id says whether this process placed it
//!   (this run's prefix: [`ClientIds`]), a previous run of the engine did (the configured prefix
//!   with another run's stamp), or someone else did.
//! - [`msg`]: the fixed-size messages between the exec stage and the account thread (two rtrb
//!   rings: venue facts in, fill and mismatch notes out).
//! - [`error`]: [`TruthError`], every way venue truth is refused.
//! - [`convert`]: venue answers ([`crate::exec::account`]) turned into the risk book's mantissas,
//!   with every contradiction refused ([`TruthError`]).
//! - [`state`]: the exec stage's side: the locked part of each balance, the balance tolerance,
//!   the lost-order bound, the counters. No allocation after construction.
//! - [`thread`]: the account thread (cold): owns the [`AccountClient`](crate::exec::account::AccountClient)s,
//!   polls balances (`execution.reconcile.balance_refresh_ms`, and after fills) and open orders
//!   (`execution.reconcile.open_orders_ms`), cancels by policy, prints.
//!
//! Start-up (before any order) is [`crate::exec::startup`].
#![forbid(unsafe_code)]

pub mod convert;
pub mod counters;
pub mod error;
pub mod ids;
pub mod msg;
pub mod state;
pub mod thread;

pub use error::TruthError;
pub use ids::{ClientIds, Whose};
pub use msg::{ExecNote, TruthMsg};
pub use state::TruthState;
pub use thread::{AccountThread, TruthLink};
