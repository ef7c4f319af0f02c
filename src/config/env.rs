//! Environment overrides for limits: `MICROARB_<SECTION>_<KEY>=value`, and a venue's rate limits:
//! `MICROARB_VENUES_<NAME>_LIMITS_<KEY>=value`.
//!
//! Sections: `strategy`, `execution`, `risk`. The key is the config key in upper case
//! (`MICROARB_STRATEGY_MIN_PROFIT_BPS=3.5`, `MICROARB_EXECUTION_MAX_INFLIGHT=1`,
//! `MICROARB_RISK_LOSS_LIMIT=250`). Values are read as TOML scalars: an integer, a float, `true` /
//! `false`, or else a string. An override of a key the section does not have is refused by the
//! same unknown-key rule as the file, naming the variable.
//!
//! Venue rate limits: `NAME` is a venue's `name` in upper case with `-` written `_`, `KEY` a key
//! of its `limits` table (`MICROARB_VENUES_UPBIT_LIMITS_ORDER_PER_SEC=10` sets
//! `venues[i].limits.order_per_sec` of the venue named `upbit`); the value is an integer. A name no
//! venue of the file has (or that two venues share once written so) is refused, naming the
//! variable; the key and value are then checked like the file's own.

use super::error::ConfigError;

/// Prefix every override starts with.
pub const PREFIX: &str = "MICROARB_";
/// Sections that may be overridden.
pub const SECTIONS: [&str; 3] = ["strategy", "execution", "risk"];
/// What a venue rate-limit override starts with after [`PREFIX`] (lower case).
pub const VENUES: &str = "venues_";

/// The overrides present in this process's environment, sorted by name.
pub fn from_process() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| {
            k.starts_with(PREFIX) && {
                let rest = k[PREFIX.len()..].to_ascii_lowercase();
                rest.starts_with(VENUES)
                    || SECTIONS.iter().any(|s| rest.starts_with(&format!("{s}_")))
            }
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
        if let Some(tail) = rest.strip_prefix(VENUES) {
            apply_venue_limit(table, var, tail, raw)?;
            continue;
        }
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

/// `MICROARB_VENUES_<NAME>_LIMITS_<KEY>`: `tail` is `<name>_limits_<key>` in lower case.
fn apply_venue_limit(
    table: &mut toml::Table,
    var: &str,
    tail: &str,
    raw: &str,
) -> Result<(), ConfigError> {
    let err = |reason: String| ConfigError::Env {
        var: var.to_string(),
        reason,
    };
    let Some(toml::Value::Array(venues)) = table.get_mut("venues") else {
        return Err(err("the file has no [[venues]]".to_string()));
    };
    let env_name = |v: &toml::Value| {
        v.get("name")
            .and_then(toml::Value::as_str)
            .map(|n| n.to_ascii_lowercase().replace('-', "_"))
    };
    let matches: Vec<(usize, String)> = venues
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let name = env_name(v)?;
            let key = tail.strip_prefix(&format!("{name}_limits_"))?;
            Some((i, key.to_string()))
        })
        .collect();
    let (index, key) = match matches.as_slice() {
        [(i, key)] if !key.is_empty() => (*i, key.clone()),
        [_] => return Err(err("names no key".to_string())),
        [] => {
            let names: Vec<String> = venues.iter().filter_map(env_name).collect();
            return Err(err(format!(
                "must be MICROARB_VENUES_<NAME>_LIMITS_<KEY> with NAME one of the file's venues \
                 ({})",
                names.join(", ").to_ascii_uppercase()
            )));
        }
        _ => return Err(err("names more than one venue".to_string())),
    };
    let value: i64 = raw.trim().parse().map_err(|_| {
        err(format!(
            "venues[{index}].limits.{key} takes an integer (got {:?})",
            raw.trim()
        ))
    })?;
    let venue = venues[index]
        .as_table_mut()
        .ok_or_else(|| err(format!("venues[{index}] in the file is not a table")))?;
    match venue
        .entry("limits")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()))
    {
        toml::Value::Table(t) => {
            t.insert(key, toml::Value::Integer(value));
            Ok(())
        }
        _ => Err(err(format!(
            "venues[{index}].limits in the file is not a table"
        ))),
    }
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
