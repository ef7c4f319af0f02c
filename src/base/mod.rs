//! Building blocks that several stages share, and that import no stage.
//!
//! Each file is one small concept with its own tests: the engine's [`Clock`] and the venues'
//! [`ClockOffsets`], single-writer
//! [`Counter`]s and [`Gauge`]s, a deterministic [`Rng`], the circuit [`breaker`], reconnect
//! [`backoff`], and the zero-copy JSON [`scan`]ner that both the venue feed parsers and the REST
//! answer parsers walk. Nothing here knows about quotes, venues' protocols or threads: this layer
//! imports only [`model`](crate::model) (see `docs/architecture.md`, "Layers").

pub mod backoff;
pub mod breaker;
mod clock;
mod clock_offset;
mod counter;
mod gauge;
mod rng;
pub mod scan;

pub use clock::Clock;
pub use clock_offset::ClockOffsets;
pub use counter::{Counter, Counters};
pub use gauge::Gauge;
pub use rng::Rng;
