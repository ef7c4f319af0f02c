//! Config builders: the demo config as a value (parsed once), edited field by field
//! (`cfg.execution.max_inflight = 2`), never as TOML text, so an edit can never silently miss.
//! [`checked`] validates an edited value the way a config file is validated (by serializing it and
//! parsing it back), and [`to_toml`] writes one for the tests that hand the binary a file.

use std::sync::OnceLock;

use microarb::config::{Config, Machine, VenueConfig, DEMO_TOML};

/// The demo config (four venues: binance 0, bybit 1, okx 2, upbit 3; one instrument, BTC/USDT).
pub fn demo() -> Config {
    static DEMO: OnceLock<Config> = OnceLock::new();
    DEMO.get_or_init(|| {
        Config::from_toml_str(DEMO_TOML, &Machine::this(false)).expect("demo config")
    })
    .clone()
}

/// `cfg` as TOML (what a config file holding this value says).
pub fn to_toml(cfg: &Config) -> String {
    toml::to_string(cfg).expect("config serializes")
}

/// `cfg` validated with every rule a config file goes through; panics naming what is wrong.
pub fn checked(cfg: Config) -> Config {
    Config::from_toml_str(&to_toml(&cfg), &Machine::this(false))
        .unwrap_or_else(|e| panic!("test config is invalid: {e}"))
}

/// The demo config with `edit` applied, validated.
pub fn demo_with(edit: impl FnOnce(&mut Config)) -> Config {
    let mut cfg = demo();
    edit(&mut cfg);
    checked(cfg)
}

/// The demo's venue `name` (its settings, to copy for a venue of that kind).
pub fn demo_venue(name: &str) -> VenueConfig {
    demo()
        .venues
        .into_iter()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("no venue {name} in the demo config"))
}

/// Trade on `venues` only, the demo instrument listed on each under `symbol(venue)`.
pub fn set_venues(
    cfg: &mut Config,
    venues: impl IntoIterator<Item = VenueConfig>,
    symbol: impl Fn(&VenueConfig) -> String,
) {
    cfg.venues = venues.into_iter().collect();
    let inst = &mut cfg.instruments[0];
    inst.symbols.clear();
    for v in &cfg.venues {
        inst.symbols.insert(v.name.clone(), symbol(v));
    }
}

/// The demo config trading BTC/USDT on Binance alone, its feed at `url`.
pub fn binance_only(url: &str) -> Config {
    let mut cfg = demo();
    let mut v = demo_venue("binance");
    v.url = Some(url.to_string());
    set_venues(&mut cfg, [v], |_| "BTCUSDT".into());
    cfg
}

/// A decimal amount as a config holds it (`"150"`, `"1.5"`).
pub fn dec(text: &str) -> microarb::config::DecimalText {
    microarb::config::DecimalText(text.to_string())
}
