//! The runtime: stages polled by pinned worker threads, connected by SPSC rings.
//!
//! Contract:
//! - A [`Stage`] does a bounded amount of work per [`Stage::poll`] and never blocks; it reports how
//!   much it did so the worker knows when to idle.
//! - A [`Worker`] runs one or more stages in a loop on its own thread, pinned to a core when the
//!   config says so, idling by its [`IdleStrategy`] when every stage reports no work.
//! - Stages talk only through [`ring`]s. A full ring never blocks the producer: the message is
//!   counted as dropped and the consumer can read that gap count.
//! - Shutdown ([`Shutdown`]) drains: source stages stop first, every other stage finishes once its
//!   inputs are abandoned and empty, telemetry is flushed, and the worker exits.
//!
//! Everything on the loop's path is allocation-free; building workers and rings allocates (cold).

mod idle;
mod pin;
mod ring;
mod shutdown;
mod stage;
mod topology;
mod worker;

pub use idle::{IdleStrategy, Idler};
pub use pin::pin_current;
pub use ring::{prefault, ring, RingRx, RingTx, Stamped};
pub use shutdown::Shutdown;
pub use stage::{Stage, Work};
pub use topology::{default_threads, effective_threads};
pub use worker::{Worker, WorkerReport};
