//! Execution building blocks: everything that stands between an [`Opportunity`](crate::model::Opportunity)
//! and the order bytes, as pure single-owner components driven by `now_ns` arguments.
//!
//! Contract: nothing here reads a clock, opens a socket, allocates after construction, takes a lock
//! or logs. Each component answers a question in a few nanoseconds and returns what happened (a
//! transition, a refusal with its reason, a time to come back) so the caller counts and logs it off
//! the hot path. The gateways that use them come later (`exec/gateway/`).
//!
//! The order the execution stage asks them in, for one opportunity:
//!
//! 1. [`risk`]: kill switch, balances, notional limits (cheapest refusals first);
//! 2. [`breaker`]: is either venue's circuit open;
//! 3. [`slots`]: is there an execution slot (global, per venue, reserved tier);
//! 4. [`zero429`] + [`gcra`]: a rate-limit token per leg's (venue, endpoint group), and
//!    [`wait`] to decide between waiting (bounded by expiry and `max_wait`) and refusing.
//!
//! [`limits`] holds the venues' published limits sized for zero 429s, [`rate_headers`] parses the
//! usage headers the venues send back, and [`gcra_atomic`] is the limiter for limits shared between
//! threads.
#![forbid(unsafe_code)]

pub mod breaker;
pub mod gateway;
pub mod gcra;
pub mod gcra_atomic;
pub mod limits;
pub mod rate_headers;
pub mod risk;
pub mod slots;
mod sync;
pub mod wait;
pub mod zero429;
