//! `venues[].limits` and the emergency keys: defaults, refusals naming the key, environment
//! overrides.

use super::*;

const BASE: &str = r#"
[[venues]]
name = "a"
kind = "binance"
taker_fee_bps = 10.0

[[venues]]
name = "up-bit"
kind = "upbit"
taker_fee_bps = 5.0
LIMITS

[[instruments]]
name = "BTC/USDT"
price_scale = 8
qty_scale = 8
lot = "0.00001"
symbols = { a = "BTCUSDT", up-bit = "USDT-BTC" }
"#;

fn machine() -> Machine {
    Machine {
        cores: 2,
        check_cores: false,
    }
}

fn text(limits: &str) -> String {
    BASE.replace("LIMITS", limits)
}

fn refused_at(text: &str, env: Vec<(String, String)>, path: &str) -> ConfigErrors {
    let e = Config::from_toml_str_with_env(text, env, &machine())
        .expect_err("accepted, expected a refusal");
    assert!(e.has_path(path), "expected `{path}`, got:\n{e}");
    e
}

fn env(k: &str, v: &str) -> Vec<(String, String)> {
    vec![(k.to_string(), v.to_string())]
}

#[test]
fn absent_keys_are_the_published_limits() {
    let c = Config::from_toml_str(&text(""), &machine()).unwrap();
    assert!(c.venues[1].limits.is_empty());
    assert_eq!(c.execution.emergency_seconds, 300, "seed 003");
    assert_eq!(c.execution.emergency_file, None);
}

#[test]
fn a_limit_at_or_below_the_published_one_is_taken() {
    let c = Config::from_toml_str(
        &text("limits = { order_per_sec = 12, order_burst = 3, default_per_sec = 20 }"),
        &machine(),
    )
    .unwrap();
    assert_eq!(c.venues[1].limits["order_per_sec"], 12);
    assert_eq!(c.venues[1].limits["order_burst"], 3);
}

#[test]
fn a_limit_above_the_published_one_is_refused_naming_the_key() {
    let e = refused_at(
        &text("limits = { order_per_sec = 13 }"),
        vec![],
        "venues[1].limits.order_per_sec",
    );
    let msg = e.to_string();
    assert!(
        msg.contains("12") && msg.contains("order-rate-limit-update"),
        "{msg}"
    );
    refused_at(
        &text("limits = { default_per_sec = 0 }"),
        vec![],
        "venues[1].limits.default_per_sec",
    );
}

#[test]
fn a_burst_that_breaks_the_zero_429_rule_is_refused() {
    let e = refused_at(
        &text("limits = { order_per_sec = 4, order_burst = 5 }"),
        vec![],
        "venues[1].limits.order_burst",
    );
    assert!(e.to_string().contains("zero 429"), "{e}");
    refused_at(
        &text("limits = { order_burst = 0 }"),
        vec![],
        "venues[1].limits.order_burst",
    );
    // At the limit is drawable (one interval per window): taken.
    Config::from_toml_str(
        &text("limits = { order_per_sec = 4, order_burst = 4 }"),
        &machine(),
    )
    .unwrap();
}

#[test]
fn a_key_of_another_venue_kind_is_refused() {
    let e = refused_at(
        &text("limits = { weight_per_min = 100 }"),
        vec![],
        "venues[1].limits.weight_per_min",
    );
    assert!(
        e.to_string().contains("order_per_sec"),
        "lists the kind's keys: {e}"
    );
}

#[test]
fn environment_overrides_cover_the_limit_keys() {
    let c = Config::from_toml_str_with_env(
        &text(""),
        env("MICROARB_VENUES_UP_BIT_LIMITS_ORDER_PER_SEC", "10"),
        &machine(),
    )
    .unwrap();
    assert_eq!(c.venues[1].limits["order_per_sec"], 10);
    // Over a key the file sets, checked like the file's.
    let c = Config::from_toml_str_with_env(
        &text("limits = { order_per_sec = 12 }"),
        env("MICROARB_VENUES_UP_BIT_LIMITS_ORDER_PER_SEC", "8"),
        &machine(),
    )
    .unwrap();
    assert_eq!(c.venues[1].limits["order_per_sec"], 8);
    refused_at(
        &text(""),
        env("MICROARB_VENUES_UP_BIT_LIMITS_ORDER_PER_SEC", "20"),
        "venues[1].limits.order_per_sec",
    );
    let c = Config::from_toml_str_with_env(
        &text(""),
        env("MICROARB_VENUES_A_LIMITS_ORDERS_PER_10S", "50"),
        &machine(),
    )
    .unwrap();
    assert_eq!(c.venues[0].limits["orders_per_10s"], 50);
    for (var, value) in [
        ("MICROARB_VENUES_NOPE_LIMITS_ORDER_PER_SEC", "5"),
        ("MICROARB_VENUES_UP_BIT_LIMITS_ORDER_PER_SEC", "lots"),
        ("MICROARB_VENUES_UP_BIT_LIMITS_", "5"),
    ] {
        let e =
            Config::from_toml_str_with_env(&text(""), env(var, value), &machine()).expect_err(var);
        assert!(
            matches!(&e.0[0], ConfigError::Env { var: v, .. } if v == var),
            "{var}: {e}"
        );
    }
}

#[test]
fn emergency_keys_are_checked_and_overridable() {
    refused_at(
        &format!("{}\n[execution]\nemergency_seconds = 0", text("")),
        vec![],
        "execution.emergency_seconds",
    );
    refused_at(
        &format!("{}\n[execution]\nemergency_file = \"\"", text("")),
        vec![],
        "execution.emergency_file",
    );
    let c = Config::from_toml_str_with_env(
        &text(""),
        vec![
            ("MICROARB_EXECUTION_EMERGENCY_SECONDS".into(), "60".into()),
            (
                "MICROARB_EXECUTION_EMERGENCY_WINDOW_MS".into(),
                "5000".into(),
            ),
            ("MICROARB_EXECUTION_EMERGENCY_FILE".into(), "/tmp/em".into()),
        ],
        &machine(),
    )
    .unwrap();
    assert_eq!(c.execution.emergency_seconds, 60);
    assert_eq!(c.execution.emergency_window_ms, 5000);
    assert_eq!(c.execution.emergency_file.as_deref(), Some("/tmp/em"));
}
