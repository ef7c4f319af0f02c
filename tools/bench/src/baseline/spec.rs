//! The baseline's view of the config, as seed 000 would hold it: owned `String` names and `f64`
//! numbers, built once from microarb's validated [`Config`] so both engines read the same file.
//!
//! Fees become fractions (`10.0` bp -> `0.001`), decimal texts (`lot`, `max_notional`) become
//! `f64`. Cold path; everything here allocates freely.

use std::collections::HashMap;

use microarb::config::Config;
use microarb::model::VenueKind;
use thiserror::Error;

/// One venue.
#[derive(Debug, Clone, PartialEq)]
pub struct VenueSpec {
    /// Config name (unique).
    pub name: String,
    /// Protocol.
    pub kind: VenueKind,
    /// Taker fee as a fraction of notional.
    pub fee: f64,
    /// A quote older than this (ns) is stale.
    pub stale_after_ns: u64,
}

/// One instrument.
#[derive(Debug, Clone, PartialEq)]
pub struct InstrumentSpec {
    /// Canonical name (`BTC/USDT`).
    pub name: String,
    /// Lot step.
    pub lot: f64,
    /// Notional cap per arbitrage, quote currency.
    pub max_notional: f64,
    /// Decimals printed in order prices.
    pub price_scale: u8,
    /// Decimals printed in order quantities.
    pub qty_scale: u8,
}

/// Everything the detector, cache and executor need from the config.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// Venues in config order (ties go to the earlier one).
    pub venues: Vec<VenueSpec>,
    /// Instruments in config order.
    pub instruments: Vec<InstrumentSpec>,
    /// `(venue name, venue symbol)` -> instrument name.
    pub symbols: HashMap<(String, String), String>,
    /// `(instrument name, venue name)` -> venue symbol (for order messages).
    pub venue_symbol: HashMap<(String, String), String>,
    /// Smallest net edge worth trading, bp.
    pub min_profit_bps: f64,
    /// Opportunity cache capacity.
    pub cache_capacity: usize,
    /// TTL bands (ns): high, mid, low volatility.
    pub ttl_ns: [u64; 3],
    /// Volatility band edges: high, mid.
    pub vol_bands: [f64; 2],
    /// How long an opportunity stays executable (ns).
    pub opportunity_ttl_ns: u64,
    /// Execution permits (seed: `Semaphore::new(3)`).
    pub max_inflight: usize,
    /// Longest wait for a permit (ns), the seed's `timeout` around `acquire`.
    pub acquire_timeout_ns: u64,
}

/// A config value the baseline cannot use.
#[derive(Debug, Error)]
pub enum SpecError {
    /// A decimal text that is not a number.
    #[error("{key}: not a number: {text:?}")]
    Number {
        /// Config key.
        key: String,
        /// The text.
        text: String,
    },
}

fn decimal(key: String, text: &str) -> Result<f64, SpecError> {
    text.trim().parse::<f64>().map_err(|_| SpecError::Number {
        key,
        text: text.to_string(),
    })
}

impl Spec {
    /// Build from a validated config.
    pub fn from_config(c: &Config) -> Result<Spec, SpecError> {
        const MS: u64 = 1_000_000;
        let venues = c
            .venues
            .iter()
            .map(|v| VenueSpec {
                name: v.name.clone(),
                kind: v.kind,
                fee: v.taker_fee_bps / 10_000.0,
                stale_after_ns: v.stale_after_ms * MS,
            })
            .collect();
        let default_notional = decimal("strategy.max_notional".into(), &c.strategy.max_notional.0)?;
        let mut instruments = Vec::new();
        let mut symbols = HashMap::new();
        let mut venue_symbol = HashMap::new();
        for (i, inst) in c.instruments.iter().enumerate() {
            let max_notional = match &inst.max_notional {
                Some(t) => decimal(format!("instruments[{i}].max_notional"), &t.0)?,
                None => default_notional,
            };
            instruments.push(InstrumentSpec {
                name: inst.name.clone(),
                lot: decimal(format!("instruments[{i}].lot"), &inst.lot.0)?,
                max_notional,
                price_scale: inst.price_scale,
                qty_scale: inst.qty_scale,
            });
            for (venue, symbol) in &inst.symbols {
                symbols.insert((venue.clone(), symbol.clone()), inst.name.clone());
                venue_symbol.insert((inst.name.clone(), venue.clone()), symbol.clone());
            }
        }
        let s = &c.strategy;
        Ok(Spec {
            venues,
            instruments,
            symbols,
            venue_symbol,
            min_profit_bps: s.min_profit_bps,
            cache_capacity: s.cache_capacity.max(1) as usize,
            ttl_ns: [
                s.ttl_high_vol_ms * MS,
                s.ttl_mid_vol_ms * MS,
                s.ttl_low_vol_ms * MS,
            ],
            vol_bands: [s.vol_high, s.vol_mid],
            opportunity_ttl_ns: s.opportunity_ttl_ms * MS,
            max_inflight: c.execution.max_inflight.max(1) as usize,
            acquire_timeout_ns: c.execution.max_wait_ms * MS,
        })
    }

    /// The symbols a venue must subscribe to, in instrument order.
    pub fn venue_symbols(&self, c: &Config, venue: &str) -> Vec<String> {
        c.instruments
            .iter()
            .filter_map(|i| i.symbols.get(venue).cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use microarb::config::{Machine, DEMO_TOML};

    #[test]
    fn demo_config_converts() {
        let c = Config::from_toml_str(DEMO_TOML, &Machine::this(false)).expect("demo config");
        let s = Spec::from_config(&c).expect("spec");
        assert_eq!(s.venues.len(), 4);
        assert_eq!(s.venues[0].fee, 0.001);
        assert_eq!(s.instruments[0].lot, 0.00001);
        assert_eq!(s.instruments[0].max_notional, 1000.0);
        assert_eq!(
            s.symbols[&("okx".to_string(), "BTC-USDT".to_string())],
            "BTC/USDT"
        );
        assert_eq!(s.max_inflight, 3);
        assert_eq!(s.venue_symbols(&c, "upbit"), vec!["USDT-BTC".to_string()]);
    }
}
