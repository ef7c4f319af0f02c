//! Configuration: TOML through serde, checked completely before anything starts.
//!
//! Contract: [`load`] (or [`Config::from_toml_str`]) either returns a [`Config`] in which every value
//! and every cross-reference has been checked, or every problem found, each naming its key path
//! (`venues[1].taker_fee_bps`) and the reason. The CLI turns such errors into exit status 2.
//! Unknown keys are refused, so a typo never silently falls back to a default.
//!
//! Environment overrides (see [`env`]) let an operator tighten limits without editing the file:
//! `MICROARB_<SECTION>_<KEY>=value` for the `strategy`, `execution` and `risk` sections, e.g.
//! `MICROARB_RISK_MAX_OPEN_NOTIONAL=5000` or `MICROARB_EXECUTION_MAX_INFLIGHT=1`. They are applied
//! before validation, so an override is checked like the file's own value.
//!
//! Everything here runs on the cold path and may allocate.
#![forbid(unsafe_code)]

mod check;
pub mod env;
mod error;
mod machine;
mod metrics_addr;
mod money;
mod reconcile;
pub mod rest_poll;
mod rules;
mod schema;
mod validate;
pub mod venue_limits;

pub use error::{ConfigError, ConfigErrors};
pub use machine::{machine_cores, Machine};
pub use metrics_addr::{parse_metrics_addr, MetricsAddrError};
pub use money::DecimalText;
pub use reconcile::{ForeignPolicy, ReconcileConfig};
pub use schema::{
    Config, ExecutionConfig, GatewayKind, IdleKind, IngestConfig, InstrumentConfig, LeggingKind,
    OrderEntry, PaperConfig, RestConfig, RiskConfig, RulesOverride, RuntimeConfig, StageName,
    StrategyConfig, TelemetryConfig, ThreadConfig, VenueConfig, STREAM_WITH_REST, WS_ORDER_ENTRY,
};

use std::path::Path;

/// The config `microarb demo` runs on: two venues of every kind on loopback, one instrument.
pub const DEMO_TOML: &str = include_str!("demo.toml");
/// An example config for the real venues (Binance, Upbit, Bybit, OKX), shipped for operators.
pub const LIVE_EXAMPLE_TOML: &str = include_str!("live.example.toml");

/// Read, override from the environment, parse and validate a config file.
pub fn load(path: &Path, machine: &Machine) -> Result<Config, ConfigErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigErrors::one(ConfigError::Io {
            file: path.display().to_string(),
            reason: e.to_string(),
        })
    })?;
    Config::from_toml_str_with_env(&text, env::from_process(), machine)
}

impl Config {
    /// Parse and validate TOML text with no environment overrides.
    pub fn from_toml_str(text: &str, machine: &Machine) -> Result<Config, ConfigErrors> {
        Self::from_toml_str_with_env(text, Vec::new(), machine)
    }

    /// Parse TOML text, apply `overrides` (`(variable, value)` pairs as from the environment),
    /// deserialize with key paths on errors, then validate every rule.
    pub fn from_toml_str_with_env(
        text: &str,
        overrides: Vec<(String, String)>,
        machine: &Machine,
    ) -> Result<Config, ConfigErrors> {
        let mut value: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            ConfigErrors::one(ConfigError::Syntax {
                reason: e.message().to_string(),
                span: e.span(),
            })
        })?;
        env::apply(&mut value, &overrides).map_err(ConfigErrors::one)?;
        let deserializer = toml::Value::Table(value);
        let config: Config = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            ConfigErrors::one(ConfigError::Field {
                path: e.path().to_string(),
                reason: e.inner().message().to_string(),
            })
        })?;
        validate::validate(&config, machine)?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod limits_tests;

#[cfg(test)]
mod rules_override_tests;
