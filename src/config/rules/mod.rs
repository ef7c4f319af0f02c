//! The validation rules, one file per config section, each a named step of
//! [`validate`](super::validate::validate). Every step records problems in the shared
//! [`Check`](super::check::Check) rather than stopping at the first.

mod execution;
mod ingest;
mod instruments;
mod limits;
mod reconcile;
mod rest;
mod risk;
mod runtime;
mod strategy;
mod venues;

pub(super) use execution::{execution, paper};
pub(super) use ingest::ingest;
pub(super) use instruments::instruments;
pub(super) use limits::limits;
pub(super) use reconcile::reconcile;
pub(super) use rest::rest;
pub(super) use risk::risk;
pub(super) use runtime::{runtime, telemetry};
pub(super) use strategy::strategy;
pub(super) use venues::venues;
