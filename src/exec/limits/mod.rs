//! Rate limits: the venues' published limits ([`venue`]), the GCRA that enforces one
//! ([`gcra`]), the adaptive zero-429 policy over a venue's groups ([`zero429`]), the venues'
//! usage headers that feed it ([`rate_headers`]), its emergency mode ([`emergency`]), Binance's
//! exchangeInfo limits applied to the config ([`binance_info`]), and how long an opportunity may wait for a token
//! ([`wait`]). Pure arithmetic on `now_ns` arguments: no clock, no allocation after construction.
#![forbid(unsafe_code)]

pub mod binance_info;
pub mod emergency;
pub mod gcra;
pub mod rate_headers;
pub mod venue;
pub mod wait;
pub mod zero429;

pub use binance_info::{apply_exchange_info, BinanceLimits, ExchangeRateLimit};
pub use emergency::{EmergencyCause, EmergencyConfig, EmergencyCounters};
pub use gcra::{Gcra, GcraConfigError, GcraError, NotUntil, RateRatio};
pub use rate_headers::{BinanceUsage, HeaderError};
pub use venue::{
    configured_limit, default_limit, upbit_order, EndpointGroup, LimitError, LimitSpec,
};
pub use wait::{WaitBudget, WaitDecision};
pub use zero429::{Throttle, Zero429, Zero429Config};
