//! `instruments[].rules.<venue>`: accepted when each value is an exact positive decimal at its
//! scale on a venue the instrument is listed on; refused naming the key otherwise.

use super::*;

const BASE: &str = r#"
[[venues]]
name = "a"
kind = "binance"
taker_fee_bps = 10.0

[[instruments]]
name = "BTC/USDT"
price_scale = 2
qty_scale = 5
lot = "0.00001"
symbols = { a = "BTCUSDT" }
RULES
"#;

fn parse(rules: &str) -> Result<Config, ConfigErrors> {
    Config::from_toml_str(&BASE.replace("RULES", rules), &Machine::this(false))
}

#[test]
fn overrides_are_read_and_checked_with_their_key() {
    let c = parse(
        "rules = { a = { tick = \"0.1\", step = \"0.001\", min_qty = \"0.01\", min_notional = \"5\" } }",
    )
    .unwrap();
    let o = &c.instruments[0].rules["a"];
    assert_eq!(o.tick, Some(DecimalText::from("0.1")));
    assert_eq!(o.min_notional, Some(DecimalText::from("5")));
    assert!(parse("").unwrap().instruments[0].rules.is_empty());
    for (rules, path) in [
        (
            "rules = { b = { tick = \"0.1\" } }",
            "instruments[0].rules.b",
        ),
        (
            "rules = { a = { tick = \"0.001\" } }",
            "instruments[0].rules.a.tick",
        ),
        (
            "rules = { a = { tick = \"0\" } }",
            "instruments[0].rules.a.tick",
        ),
        (
            "rules = { a = { step = \"0.000001\" } }",
            "instruments[0].rules.a.step",
        ),
        (
            "rules = { a = { min_qty = \"-1\" } }",
            "instruments[0].rules.a.min_qty",
        ),
        (
            "rules = { a = { min_notional = \"x\" } }",
            "instruments[0].rules.a.min_notional",
        ),
    ] {
        let e = parse(rules).expect_err(rules);
        assert!(e.has_path(path), "{rules}: {e}");
    }
    assert!(
        parse("rules = { a = { tick_size = \"0.1\" } }").is_err(),
        "unknown key"
    );
}
