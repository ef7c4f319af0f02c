//! What stands between an opportunity and its orders before any rate limit: the shared kill
//! switch ([`kill`]), the operator's emergency-mode request ([`emergency`]), the risk book ([`risk`]: loss limit, paused venues, notional, balances) and
//! the execution slots ([`slots`]). The venues' circuit breakers are
//! [`crate::base::breaker::Breaker`]s the stage keeps one of per venue.
#![forbid(unsafe_code)]

pub mod emergency;
pub mod kill;
pub mod risk;
pub mod slots;

pub use emergency::{write_emergency_file, EmergencySwitch};
pub use kill::{create_kill_file, KillSwitch};
pub use risk::{AssetId, InstrumentRisk, Risk, RiskConfigError, RiskUpdateError, MAX_ASSETS};
pub use slots::{SlotConfig, SlotConfigError, SlotCounters, SlotTicket, Slots, MAX_SLOTS};
