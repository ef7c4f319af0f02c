//! Start-up of the REST gateway (`execution.gateway = "rest"`), cold path: what the engine asks
//! the venues before it trades, each step its own file, called from [`crate::exec::build`].
//!
//! - [`server_time`]: each venue's server clock, measured now and periodically, so signed
//!   timestamps are on the venue's clock.
//! - [`rate_limits`]: Binance's exchangeInfo `rateLimits` applied to its limiter groups.
//! - [`dns`]: start-up lookup retries counted, hosts resolved again on every reconnect.
#![forbid(unsafe_code)]

pub mod dns;
pub mod rate_limits;
pub mod server_time;
