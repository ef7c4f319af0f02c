//! Execution: everything that stands between an [`Opportunity`](crate::model::Opportunity) and the
//! order bytes, and everything that follows an order until its final state.
//!
//! Contract: nothing here reads a clock (time is a `now_ns` argument; the stage reads its
//! [`Clock`](crate::base::Clock) only to measure latencies), opens a socket, allocates after
//! construction, takes a lock or logs on the hot path. Each component answers in a few nanoseconds
//! and returns what happened (a transition, a refusal with its reason, a time to come back) so the
//! caller counts it.
//!
//! [`stage::ExecStage`] drives them, for one opportunity, in this order:
//!
//! 1. [`kill`]: the shared kill switch (signal, file watcher, `microarb kill`);
//! 2. expiry;
//! 3. [`breaker`]: is either venue's circuit open;
//! 4. [`risk`]: loss limit, paused venues, order and open notional, balances;
//! 5. [`slots`]: an execution slot (global, per venue, reserved tier);
//! 6. [`zero429`] + [`gcra`]: a rate-limit token per leg's (venue, endpoint group), with [`wait`]
//!    bounding the wait by expiry and `max_wait`;
//! 7. [`order_bytes`]: both legs encoded in their venues' forms, then submitted to a
//!    [`gateway`] (the [`gateway::paper`] venue today); answers are tracked to final states, and
//!    [`legs`] decides how an imbalance is hedged.
//!
//! [`params`] builds it all from config; [`limits`] holds the venues' published limits sized for zero
//! 429s, [`rate_headers`] parses the usage headers the venues send back, [`gcra_atomic`] is the
//! limiter for limits shared between threads, and [`secrets`] holds API keys that never print.
#![forbid(unsafe_code)]

pub mod gateway;
pub mod gcra;
pub mod gcra_atomic;
mod inflight;
pub mod kill;
pub mod legs;
pub mod limits;
pub mod order_bytes;
pub mod params;
pub mod rate_headers;
pub mod risk;
pub mod secrets;
pub mod slots;
pub mod stage;
mod sync;
pub mod wait;
pub mod zero429;
