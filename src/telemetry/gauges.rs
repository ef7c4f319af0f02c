//! Named gauges for the `/metrics` endpoint: which state a stage publishes, under which Prometheus
//! family, with which labels and decimal scale.
//!
//! A stage registers its gauges on the cold path ([`super::Registry::gauge`]) and afterwards only
//! stores into them ([`Gauge::set`], one relaxed store, at its telemetry flush); the telemetry
//! thread reads them when it renders a scrape. Every family is declared here ([`GaugeFamily`]) so
//! names, help and units sit beside the counter mapping in [`super::metrics::names`]. Label values
//! come from the config (venue, asset names) or from names fixed in code (states, rate-limit
//! groups, queues), so the series set of a run is bounded by the config, never by traffic.

use std::collections::HashMap;

use crate::base::Gauge;

/// One gauge family: its Prometheus name, help line, and the decimal scale of its values (a
/// stored mantissa `m` means `m / 10^scale`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GaugeFamily {
    /// Family name (`microarb_` prefix, no `_total`).
    pub name: &'static str,
    /// `# HELP` text.
    pub help: &'static str,
    /// Decimal places of the stored mantissa.
    pub scale: u8,
}

/// The kill switch as the execution stage last saw it: 1 on, 0 off.
pub const KILL_SWITCH: GaugeFamily = GaugeFamily {
    name: "microarb_kill_switch",
    help: "1 while the kill switch is on (as the exec stage saw it at its last telemetry flush).",
    scale: 0,
};

/// A venue's circuit breaker, one series per state, 1 for the current one.
pub const BREAKER_STATE: GaugeFamily = GaugeFamily {
    name: "microarb_breaker_state",
    help: "Circuit breaker state per venue: 1 for the current state, 0 for the others.",
    scale: 0,
};

/// Share of a rate-limit group's burst in use (0 to 1).
pub const TOKEN_USE: GaugeFamily = GaugeFamily {
    name: "microarb_ratelimit_token_use_ratio",
    help: "Share of the rate-limit group's burst in use (1 = no token left), per venue and group.",
    scale: 6,
};

/// The zero-429 policy's rate multiplier for a group (1 = the configured rate).
pub const RATE_RATIO: GaugeFamily = GaugeFamily {
    name: "microarb_ratelimit_rate_ratio",
    help: "The zero-429 policy's rate multiplier per venue and group (1 = the configured rate).",
    scale: 6,
};

/// A balance in the risk book, in units of the asset.
pub const BALANCE: GaugeFamily = GaugeFamily {
    name: "microarb_balance",
    help: "Balance in the risk book per venue and asset, in units of the asset.",
    scale: 8,
};

/// Notional of accepted, unfinished arbitrages, in units of the quote asset.
pub const OPEN_NOTIONAL: GaugeFamily = GaugeFamily {
    name: "microarb_open_notional",
    help: "Buy notional of arbitrages accepted and not yet finished, per quote asset.",
    scale: 8,
};

/// Base left unhedged by finished arbitrages (positive: long), in units of the asset.
pub const RESIDUAL: GaugeFamily = GaugeFamily {
    name: "microarb_residual_position",
    help: "Base asset left unhedged by finished arbitrages since start, per venue (long > 0).",
    scale: 8,
};

/// Items waiting in a queue (a ring, or the exec stage's rate-limit wait queue).
pub const QUEUE_DEPTH: GaugeFamily = GaugeFamily {
    name: "microarb_queue_depth",
    help: "Items waiting in a queue: the rings between stages and the exec rate-limit wait queue.",
    scale: 0,
};

/// A queue's capacity.
pub const QUEUE_CAPACITY: GaugeFamily = GaugeFamily {
    name: "microarb_queue_capacity",
    help: "Capacity of each queue in microarb_queue_depth.",
    scale: 0,
};

/// How far a venue's server clock is from the engine's (ms, `server - local`): the offset every
/// signed timestamp of that venue carries (exec `startup::server_time`).
pub const CLOCK_OFFSET: GaugeFamily = GaugeFamily {
    name: "microarb_venue_clock_offset_ms",
    help: "Measured server clock offset per venue, ms (venue minus local), added to signed timestamps.",
    scale: 0,
};

/// One registered gauge series.
#[derive(Debug, Clone)]
pub struct GaugeSeries {
    /// Its family.
    pub family: GaugeFamily,
    /// Label names and values, in output order.
    pub labels: Vec<(&'static str, String)>,
    /// The value.
    pub gauge: Gauge,
}

/// A series' identity: family name and labels (key, value) in registration order.
type SeriesKey = (&'static str, Vec<(&'static str, String)>);

/// Every registered gauge, in registration order. Cloned to the telemetry thread, which reads.
#[derive(Debug, Clone, Default)]
pub struct Gauges {
    entries: Vec<GaugeSeries>,
    /// `entries` position by (family name, labels): registration stays O(1) with the thousands
    /// of series a config of many instruments and venues registers (cold path).
    by_key: HashMap<SeriesKey, usize>,
}

impl Gauges {
    /// An empty set.
    pub fn new() -> Gauges {
        Gauges::default()
    }

    /// Register the series `family{labels}`; registering it twice returns the same gauge (one
    /// writer still). Cold path: allocates.
    pub fn register(&mut self, family: GaugeFamily, labels: &[(&'static str, &str)]) -> Gauge {
        let labels: Vec<(&'static str, String)> =
            labels.iter().map(|(k, v)| (*k, v.to_string())).collect();
        let key = (family.name, labels);
        if let Some(&i) = self.by_key.get(&key) {
            return self.entries[i].gauge.clone();
        }
        let gauge = Gauge::new();
        self.entries.push(GaugeSeries {
            family,
            labels: key.1.clone(),
            gauge: gauge.clone(),
        });
        self.by_key.insert(key, self.entries.len() - 1);
        gauge
    }

    /// Every series.
    pub fn iter(&self) -> impl Iterator<Item = &GaugeSeries> {
        self.entries.iter()
    }

    /// The value of `family{labels}` (labels in registration order), if registered.
    pub fn get(&self, family: &str, labels: &[(&str, &str)]) -> Option<i64> {
        self.entries
            .iter()
            .find(|s| {
                s.family.name == family
                    && s.labels.len() == labels.len()
                    && s.labels
                        .iter()
                        .zip(labels)
                        .all(|(a, b)| a.0 == b.0 && a.1 == b.1)
            })
            .map(|s| s.gauge.get())
    }

    /// Number of series.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_series_per_family_and_label_set() {
        let mut g = Gauges::new();
        let a = g.register(BALANCE, &[("venue", "x"), ("asset", "BTC")]);
        let a2 = g.register(BALANCE, &[("venue", "x"), ("asset", "BTC")]);
        let b = g.register(BALANCE, &[("venue", "y"), ("asset", "BTC")]);
        a.set(-3);
        b.set(4);
        assert_eq!(a2.get(), -3);
        assert_eq!(g.len(), 2);
        assert_eq!(
            g.get("microarb_balance", &[("venue", "y"), ("asset", "BTC")]),
            Some(4)
        );
        assert_eq!(
            g.get("microarb_balance", &[("venue", "z"), ("asset", "BTC")]),
            None
        );
    }

    #[test]
    fn families_are_gauge_names() {
        for f in [
            KILL_SWITCH,
            BREAKER_STATE,
            TOKEN_USE,
            RATE_RATIO,
            BALANCE,
            OPEN_NOTIONAL,
            RESIDUAL,
            QUEUE_DEPTH,
            QUEUE_CAPACITY,
        ] {
            assert!(f.name.starts_with("microarb_"), "{}", f.name);
            assert!(!f.name.ends_with("_total"), "{}", f.name);
            assert!(f.help.ends_with('.'), "{}", f.name);
        }
    }
}
