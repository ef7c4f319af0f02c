//! Environment overrides for limits: `MICROARB_<SECTION>_<KEY>=value`.
//!
//! Sections: `strategy`, `execution`, `risk`. The key is the config key in upper case
//! (`MICROARB_STRATEGY_MIN_PROFIT_BPS=3.5`, `MICROARB_EXECUTION_MAX_INFLIGHT=1`,
//! `MICROARB_RISK_LOSS_LIMIT=250`). Values are read as TOML scalars: an integer, a float, `true` /
//! `false`, or else a string. An override of a key the section does not have is refused by the
//! same unknown-key rule as the file, naming the variable.

use super::error::ConfigError;

/// Prefix every override starts with.
pub const PREFIX: &str = "MICROARB_";
/// Sections that may be overridden.
pub const SECTIONS: [&str; 3] = ["strategy", "execution", "risk"];

/// The overrides present in this process's environment, sorted by name.
pub fn from_process() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| {
            k.starts_with(PREFIX)
                && SECTIONS.iter().any(|s| {
                    k[PREFIX.len()..]
                        .to_ascii_lowercase()
                        .starts_with(&format!("{s}_"))
                })
        })
        .collect();
    v.sort();
    v
}

/// Apply `overrides` onto the parsed TOML table.
pub fn apply(table: &mut toml::Table, overrides: &[(String, String)]) -> Result<(), ConfigError> {
    for (var, raw) in overrides {
        let rest = var
            .strip_prefix(PREFIX)
            .ok_or_else(|| ConfigError::Env {
                var: var.clone(),
                reason: format!("does not start with {PREFIX}"),
            })?
            .to_ascii_lowercase();
        let (section, key) = SECTIONS
            .iter()
            .find_map(|s| {
                rest.strip_prefix(&format!("{s}_"))
                    .map(|k| (*s, k.to_string()))
            })
            .ok_or_else(|| ConfigError::Env {
                var: var.clone(),
                reason: format!("names no overridable section (one of {SECTIONS:?})"),
            })?;
        if key.is_empty() {
            return Err(ConfigError::Env {
                var: var.clone(),
                reason: "names no key".to_string(),
            });
        }
        let value = coerce(var, raw, section, &key, table)?;
        let entry = table
            .entry(section.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        match entry {
            toml::Value::Table(t) => {
                t.insert(key, value);
            }
            _ => {
                return Err(ConfigError::Env {
                    var: var.clone(),
                    reason: format!("[{section}] in the file is not a table"),
                })
            }
        }
    }
    Ok(())
}

/// Read `raw` as the type the key has in the file, else in the defaults, else infer it.
fn coerce(
    var: &str,
    raw: &str,
    section: &str,
    key: &str,
    table: &toml::Table,
) -> Result<toml::Value, ConfigError> {
    let t = raw.trim();
    let defaults = default_section(section);
    let like = table
        .get(section)
        .and_then(|s| s.get(key))
        .or_else(|| defaults.as_ref().and_then(|d| d.get(key)));
    let bad = |what: &str| ConfigError::Env {
        var: var.to_string(),
        reason: format!("{section}.{key} takes {what} (got {t:?})"),
    };
    Ok(match like {
        Some(toml::Value::String(_)) => toml::Value::String(t.to_string()),
        Some(toml::Value::Integer(_)) => {
            toml::Value::Integer(t.parse().map_err(|_| bad("an integer"))?)
        }
        Some(toml::Value::Float(_)) => toml::Value::Float(t.parse().map_err(|_| bad("a number"))?),
        Some(toml::Value::Boolean(_)) => {
            toml::Value::Boolean(t.parse().map_err(|_| bad("true or false"))?)
        }
        _ => {
            if let Ok(i) = t.parse::<i64>() {
                toml::Value::Integer(i)
            } else if let Ok(f) = t.parse::<f64>() {
                toml::Value::Float(f)
            } else if let Ok(b) = t.parse::<bool>() {
                toml::Value::Boolean(b)
            } else {
                toml::Value::String(t.to_string())
            }
        }
    })
}

fn default_section(section: &str) -> Option<toml::Table> {
    use super::schema::{ExecutionConfig, RiskConfig, StrategyConfig};
    let v = match section {
        "strategy" => toml::Table::try_from(StrategyConfig::default()),
        "execution" => toml::Table::try_from(ExecutionConfig::default()),
        "risk" => toml::Table::try_from(RiskConfig::default()),
        _ => return None,
    };
    v.ok()
}
