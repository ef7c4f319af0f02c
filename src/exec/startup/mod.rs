//! Start-up of the REST gateway (`execution.gateway = "rest"`), cold path: what the engine asks
//! the venues before it trades (blocking account calls, allocation, stderr lines), each step its
//! own file, called from [`crate::exec::build`] in this order:
//!
//! - [`dns`]: start-up lookup retries counted, hosts resolved again on every reconnect.
//! - [`server_time`]: each venue's server clock, measured now and periodically, so signed
//!   timestamps are on the venue's clock (first: the signed steps after it use the offset).
//! - [`rate_limits`]: Binance's exchangeInfo `rateLimits` applied to its limiter groups.
//! - [`rules`]: every trading venue's instrument rules (tick, step, minimums) into the stage's
//!   rules table, with the config's overrides checked against them.
#![forbid(unsafe_code)]

pub mod dns;
pub mod rate_limits;
pub mod rules;
pub mod server_time;
