//! Execution: everything that stands between an [`Opportunity`](crate::model::Opportunity) and the
//! signed order bytes on the wire, and everything that follows an order until its final state.
//!
//! Contract: nothing here reads a clock (time is a `now_ns` argument; the stage reads its
//! [`Clock`](crate::base::Clock) only to measure latencies), allocates after construction, takes a
//! lock or logs on the hot path, and the only syscall on it is the socket write. Each component
//! answers in a few nanoseconds and returns what happened (a transition, a refusal with its
//! reason, a time to come back) so the caller counts it.
//!
//! [`ExecStage`] drives them, for one opportunity, in this order:
//!
//! 1. [`guards::kill`]: the shared kill switch (signal, file watcher, `microarb kill`);
//! 2. expiry;
//! 3. the venues' circuit breakers ([`crate::base::breaker`]);
//! 4. [`guards::risk`]: loss limit, paused venues, order and open notional, balances;
//! 5. [`guards::slots`]: an execution slot (global, per venue, reserved tier);
//! 6. [`limits`]: a rate-limit token per leg's (venue, endpoint group), the wait bounded by expiry
//!    and `max_wait`;
//! 7. [`gateway`]: both legs encoded and signed by their venues' [`gateway::codec`]s, then sent;
//!    answers are tracked to final states ([`orders`]), and [`orders::legs`] decides how an
//!    imbalance is hedged.
//!
//! [`rules`] holds every (venue, instrument)'s trading rules (tick or price bands, step, minimums):
//! limits go out on tick inside the slippage buffer, quantities on step, and an arbitrage under a
//! minimum is refused before any leg is sent; [`startup`] reads them from the venues when the REST
//! gateway starts.
//!
//! Beside the order path, [`account`] is the venues' cold-path account API (cancel, open orders,
//! balances, rules, server time) for start-up, reconciliation and operator commands.
//!
//! On the REST gateway, [`startup`] reconciles open orders and reads balances from the venues
//! before any order, and [`truth`]'s account thread keeps them current while the engine runs
//! (see docs/reconciliation.md).
//!
//! [`build_stage`] builds the stage from config on the gateway it names; [`params`] turns the
//! config into the stage's settings, and [`secrets`] holds API keys that never print. See
//! `docs/architecture.md` ("Pipeline", "Hot-path rules", "Measurement points").
#![forbid(unsafe_code)]

pub mod account;
pub mod asset_codes;
pub mod build;
pub mod gateway;
pub mod guards;
pub mod limits;
pub mod orders;
pub mod params;
pub mod private;
pub mod rules;
pub mod secrets;
pub mod stage;
pub mod startup;
pub mod truth;

pub use build::build_stage;
pub use gateway::rest::{RestBuildError, RestRouter};
pub use gateway::{
    AnyGateway, Gateway, GatewayEvent, PaperFaults, PaperGateway, PaperParams, SubmitError,
};
pub use guards::{
    create_kill_file, write_emergency_file, AssetId, EmergencySwitch, KillSwitch, Risk, SlotConfig,
    Slots,
};
pub use limits::{default_limit, EndpointGroup, Gcra, LimitSpec, Zero429, Zero429Config};
pub use orders::LeggingParams;
pub use params::{ExecBuildError, ExecNames, ExecParams, VenueExec, ASSET_SCALE};
pub use secrets::{ApiSecret, SecretError};
pub use stage::ExecStage;
