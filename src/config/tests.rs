//! Each config rule refused with its key path.

use super::*;

const BASE: &str = r#"
[[venues]]
name = "a"
kind = "binance"
taker_fee_bps = 10.0
stale_after_ms = 500

[[venues]]
name = "b"
kind = "okx"
taker_fee_bps = 7.5

[[instruments]]
name = "BTC/USDT"
price_scale = 8
qty_scale = 8
lot = "0.00001"
symbols = { a = "BTCUSDT", b = "BTC-USDT" }
"#;

fn machine() -> Machine {
    Machine {
        cores: 2,
        check_cores: true,
    }
}

fn refused(text: &str, path: &str) {
    match Config::from_toml_str(text, &machine()) {
        Ok(_) => panic!("accepted, expected refusal at {path}:\n{text}"),
        Err(e) => assert!(
            e.has_path(path),
            "expected an error at `{path}`, got:\n{e}\nfor:\n{text}"
        ),
    }
}

fn with(extra: &str) -> String {
    format!("{BASE}\n{extra}")
}

#[test]
fn base_and_shipped_configs_are_valid() {
    let c = Config::from_toml_str(BASE, &machine()).expect("base is valid");
    assert_eq!(c.venues.len(), 2);
    assert_eq!(c.venues[1].stale_after_ms, 500, "default stale_after_ms");
    assert_eq!(c.execution.max_inflight, 3, "seed's semaphore of 3");
    Config::from_toml_str(DEMO_TOML, &machine()).expect("demo config is valid");
    let many = Machine {
        cores: 4,
        check_cores: true,
    };
    Config::from_toml_str(LIVE_EXAMPLE_TOML, &many).expect("live example is valid on 4 cores");
}

#[test]
fn unknown_keys_are_refused_with_their_path() {
    refused(
        &BASE.replace("stale_after_ms = 500", "stale_after = 500"),
        "venues[0].stale_after",
    );
    refused(&with("[strategy]\nmin_profit = 1.0"), "strategy.min_profit");
    refused(&with("[bogus]\nx = 1"), "bogus");
}

#[test]
fn wrong_types_and_missing_keys() {
    refused(
        &BASE.replace("taker_fee_bps = 7.5", "taker_fee_bps = \"x\""),
        "venues[1].taker_fee_bps",
    );
    refused(
        &BASE.replace("kind = \"okx\"", "kind = \"kraken\""),
        "venues[1].kind",
    );
    refused(&BASE.replace("taker_fee_bps = 7.5", ""), "venues[1]");
    refused(
        &BASE.replace("lot = \"0.00001\"", "lot = 0.00001"),
        "instruments[0].lot",
    );
}

#[test]
fn venue_rules() {
    refused(
        &BASE.replace("name = \"b\"", "name = \"a\""),
        "venues[1].name",
    );
    refused(
        &BASE.replace("name = \"b\"", "name = \"b c\""),
        "venues[1].name",
    );
    refused(
        &BASE.replace("stale_after_ms = 500", "stale_after_ms = 0"),
        "venues[0].stale_after_ms",
    );
    refused(
        &BASE.replace("taker_fee_bps = 7.5", "taker_fee_bps = -1.0"),
        "venues[1].taker_fee_bps",
    );
    refused(
        &BASE.replace("taker_fee_bps = 7.5", "taker_fee_bps = 7.555"),
        "venues[1].taker_fee_bps",
    );
    refused(
        &BASE.replace("kind = \"okx\"", "kind = \"okx\"\nurl = \"http://x\""),
        "venues[1].url",
    );
    refused(
        &BASE.replace("kind = \"okx\"", "kind = \"okx\"\nmax_inflight = 0"),
        "venues[1].max_inflight",
    );
}

#[test]
fn instrument_rules() {
    refused(
        &BASE.replace("b = \"BTC-USDT\"", "c = \"BTC-USDT\""),
        "instruments[0].symbols.c",
    );
    refused(
        &BASE.replace("price_scale = 8", "price_scale = 19"),
        "instruments[0].price_scale",
    );
    refused(
        &BASE.replace("lot = \"0.00001\"", "lot = \"0.000000001\""),
        "instruments[0].lot",
    );
    refused(
        &BASE.replace("lot = \"0.00001\"", "lot = \"0\""),
        "instruments[0].lot",
    );
    refused(
        &BASE.replace("lot = \"0.00001\"", "lot = \"abc\""),
        "instruments[0].lot",
    );
    refused(
        &BASE.replace(
            "symbols = { a = \"BTCUSDT\", b = \"BTC-USDT\" }",
            "symbols = {}",
        ),
        "instruments[0].symbols",
    );
    let twice = with(
        "[[instruments]]\nname = \"BTC/USDT\"\nprice_scale = 2\nqty_scale = 2\nlot = \"1\"\nsymbols = { a = \"BTCUSDT\" }",
    );
    refused(&twice, "instruments[1].name");
    refused(&twice, "instruments[1].symbols.a");
}

#[test]
fn strategy_execution_risk_rules() {
    refused(
        &with("[strategy]\nmin_profit_bps = -1.0"),
        "strategy.min_profit_bps",
    );
    refused(
        &with("[strategy]\nmax_notional = \"0\""),
        "strategy.max_notional",
    );
    refused(
        &with("[strategy]\nmax_notional = 1000.5"),
        "strategy.max_notional",
    );
    refused(
        &with("[strategy]\ncache_capacity = 0"),
        "strategy.cache_capacity",
    );
    refused(
        &with("[strategy]\nttl_low_vol_ms = 0"),
        "strategy.ttl_low_vol_ms",
    );
    refused(&with("[strategy]\nvol_high = 0.01"), "strategy.vol_high");
    refused(
        &with("[execution]\nmax_inflight = 0"),
        "execution.max_inflight",
    );
    refused(
        &with("[execution]\nreserved_slots = 3"),
        "execution.reserved_slots",
    );
    refused(&with("[execution]\ngateway = \"fix\""), "execution.gateway");
    refused(&with("[risk]\nloss_limit = \"-5\""), "risk.loss_limit");
    refused(&with("[risk]\nkill_file = \"\""), "risk.kill_file");
}

#[test]
fn ingest_rules() {
    refused(
        &with("[ingest]\nreconnect_after_ms = 100"),
        "ingest.reconnect_after_ms",
    );
    refused(
        &with("[ingest]\nconnect_timeout_ms = 0"),
        "ingest.connect_timeout_ms",
    );
    refused(
        &with("[ingest]\nmax_message_bytes = 10"),
        "ingest.max_message_bytes",
    );
    refused(
        &with("[ingest]\nbackoff_initial_ms = 500\nbackoff_max_ms = 100"),
        "ingest.backoff_max_ms",
    );
    refused(
        &with("[ingest]\nbreaker_failures = 0"),
        "ingest.breaker_failures",
    );
    refused(&with("[ingest]\nretry = 1"), "ingest.retry");
}

#[test]
fn runtime_and_telemetry_rules() {
    refused(
        &with("[runtime]\nring_capacity = 0"),
        "runtime.ring_capacity",
    );
    refused(&with("[runtime]\nidle = \"sleepy\""), "runtime.idle");
    refused(
        &with("[[runtime.threads]]\nname = \"t\"\nstages = [\"ingest\", \"strategy\", \"exec\"]\ncore = 7"),
        "runtime.threads[0].core",
    );
    refused(
        &with("[[runtime.threads]]\nname = \"t\"\nstages = [\"ingest\", \"strategy\"]"),
        "runtime.threads",
    );
    refused(
        &with("[[runtime.threads]]\nname = \"t\"\nstages = [\"ingest\", \"strategy\", \"exec\", \"exec\"]"),
        "runtime.threads[0].stages",
    );
    refused(
        &with("[telemetry]\ninterval_ms = 0"),
        "telemetry.interval_ms",
    );
    refused(
        &with("[telemetry]\nmetrics_addr = \"0.0.0.0:9464\""),
        "telemetry.metrics_addr",
    );
    refused(
        &with("[telemetry]\nmetrics_addr = \"nine\""),
        "telemetry.metrics_addr",
    );
    let remote = with("[telemetry]\nmetrics_addr = \"0.0.0.0:9464\"\nmetrics_allow_remote = true");
    Config::from_toml_str(&remote, &machine()).expect("a remote metrics address with the opt-in");
    // --no-pin: cores are not checked.
    let ok = with("[[runtime.threads]]\nname = \"t\"\nstages = [\"ingest\", \"strategy\", \"exec\"]\ncore = 7");
    let unpinned = Machine {
        cores: 2,
        check_cores: false,
    };
    Config::from_toml_str(&ok, &unpinned).expect("cores unchecked under --no-pin");
}

#[test]
fn every_error_is_reported_at_once() {
    let text = BASE
        .replace("stale_after_ms = 500", "stale_after_ms = 0")
        .replace("taker_fee_bps = 7.5", "taker_fee_bps = 2000.0");
    let e = Config::from_toml_str(&text, &machine()).unwrap_err();
    assert!(e.has_path("venues[0].stale_after_ms"));
    assert!(e.has_path("venues[1].taker_fee_bps"));
}

#[test]
fn syntax_errors_are_refused() {
    let e = Config::from_toml_str("[[venues]\nname=", &machine()).unwrap_err();
    assert!(matches!(e.0[0], ConfigError::Syntax { .. }), "{e}");
}

#[test]
fn environment_overrides_apply_and_are_checked() {
    let env = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
    let c = Config::from_toml_str_with_env(
        BASE,
        env("MICROARB_EXECUTION_MAX_INFLIGHT", "2"),
        &machine(),
    )
    .unwrap();
    assert_eq!(c.execution.max_inflight, 2);
    let c =
        Config::from_toml_str_with_env(BASE, env("MICROARB_RISK_LOSS_LIMIT", "250.5"), &machine())
            .unwrap();
    assert_eq!(c.risk.loss_limit, DecimalText::from("250.5"));
    let c = Config::from_toml_str_with_env(
        BASE,
        env("MICROARB_STRATEGY_MIN_PROFIT_BPS", "3"),
        &machine(),
    )
    .unwrap();
    assert_eq!(c.strategy.min_profit_bps, 3.0);
    let e = Config::from_toml_str_with_env(
        BASE,
        env("MICROARB_EXECUTION_MAX_INFLIGHT", "0"),
        &machine(),
    )
    .unwrap_err();
    assert!(e.has_path("execution.max_inflight"));
    let e = Config::from_toml_str_with_env(
        BASE,
        env("MICROARB_EXECUTION_MAX_INFLIGHT", "lots"),
        &machine(),
    )
    .unwrap_err();
    assert!(
        matches!(&e.0[0], ConfigError::Env { var, .. } if var == "MICROARB_EXECUTION_MAX_INFLIGHT")
    );
    let e = Config::from_toml_str_with_env(BASE, env("MICROARB_RISK_NOPE", "1"), &machine())
        .unwrap_err();
    assert!(e.has_path("risk.nope"), "{e}");
    let e = Config::from_toml_str_with_env(BASE, env("MICROARB_VENUES_X", "1"), &machine())
        .unwrap_err();
    assert!(matches!(&e.0[0], ConfigError::Env { .. }));
}

#[test]
fn execution_legging_and_paper_rules() {
    let c = Config::from_toml_str(&with("[execution]\nlegging = \"retry\""), &machine())
        .expect("retry is a policy");
    assert_eq!(c.execution.legging, LeggingKind::Retry);
    assert_eq!(
        Config::from_toml_str(BASE, &machine())
            .unwrap()
            .execution
            .legging,
        LeggingKind::Unwind,
        "unwind is the default"
    );
    refused(
        &with("[execution]\nlegging = \"sideways\""),
        "execution.legging",
    );
    refused(
        &with("[execution]\nlegging_max_orders = 0"),
        "execution.legging_max_orders",
    );
    refused(
        &with("[execution]\nlegging_max_orders = 9"),
        "execution.legging_max_orders",
    );
    refused(
        &with("[execution]\nunwind_max_bps = 0.0"),
        "execution.unwind_max_bps",
    );
    refused(
        &with("[execution]\nunwind_max_bps = 1.001"),
        "execution.unwind_max_bps",
    );
    refused(
        &with("[execution]\norder_timeout_ms = 0"),
        "execution.order_timeout_ms",
    );
    refused(
        &with("[execution]\nstatus_query_ms = 0"),
        "execution.status_query_ms",
    );
    // Warm writes: 0 turns them off, and a period under 10 us would leave the thread nothing.
    refused(
        &with("[execution]\nwarm_write_every_us = 9"),
        "execution.warm_write_every_us",
    );
    for ok in [0, 10, 100] {
        let c = Config::from_toml_str(
            &with(&format!("[execution]\nwarm_write_every_us = {ok}")),
            &machine(),
        )
        .expect("a warm-write period it takes");
        assert_eq!(c.execution.warm_write_every_us, ok);
    }
    refused(
        &with("[execution.paper]\nlatency_us = 2000000"),
        "execution.paper.latency_us",
    );
    refused(
        &with("[execution.paper]\njitter_us = 2000000"),
        "execution.paper.jitter_us",
    );
    for key in ["p_429", "p_5xx", "p_timeout", "p_partial", "p_reject"] {
        refused(
            &with(&format!("[execution.paper]\n{key} = 1.5")),
            &format!("execution.paper.{key}"),
        );
        refused(
            &with(&format!("[execution.paper]\n{key} = -0.1")),
            &format!("execution.paper.{key}"),
        );
    }
    refused(
        &with("[execution.paper]\np_429 = 0.6\np_5xx = 0.6"),
        "execution.paper",
    );
    refused(
        &with("[execution.paper]\nretry_after_ms = 700000"),
        "execution.paper.retry_after_ms",
    );
    refused(
        &with("[execution.paper]\nspread_bps = -1.0"),
        "execution.paper.spread_bps",
    );
    refused(
        &with("[execution.paper]\nbalance_base = \"0\""),
        "execution.paper.balance_base",
    );
    refused(
        &with("[execution.paper]\nbalance_quote = \"abc\""),
        "execution.paper.balance_quote",
    );
    refused(
        &with("[execution.paper]\nlatency = 5"),
        "execution.paper.latency",
    );
}

/// BASE with venue `b` made an Upbit venue, so both venues have a REST gateway.
fn rest_base(venue_a: &str, venue_b: &str, execution: &str) -> String {
    let text = BASE
        .replace("kind = \"okx\"", "kind = \"upbit\"")
        .replace("b = \"BTC-USDT\"", "b = \"USDT-BTC\"")
        .replace(
            "stale_after_ms = 500\n",
            &format!("stale_after_ms = 500\n{venue_a}\n"),
        )
        .replace(
            "taker_fee_bps = 7.5\n",
            &format!("taker_fee_bps = 7.5\n{venue_b}\n"),
        );
    format!("{text}\n[execution]\n{execution}\n")
}

const CREDS: &str = "api_key_env = \"K\"\napi_secret_env = \"S\"";

#[test]
fn rest_gateway_config_is_accepted() {
    let text = rest_base(
        &format!("rest_url = \"http://127.0.0.1:9000\"\n{CREDS}"),
        "api_secret_file = \"/etc/microarb/upbit.creds\"",
        "gateway = \"rest\"\n[execution.rest]\nconns = 2\nclient_id_prefix = \"abc1\"",
    );
    let c = Config::from_toml_str(&text, &machine()).expect("valid rest config");
    assert_eq!(
        c.venues[0].rest_url.as_deref(),
        Some("http://127.0.0.1:9000")
    );
    assert_eq!(c.execution.rest.conns, 2);
    assert_eq!(c.execution.rest.recv_window_ms, 5000, "default");
    assert_eq!(c.execution.rest.clock_sync_ms, 60_000, "default");
}

#[test]
fn rest_gateway_rules() {
    let rest = "gateway = \"rest\"";
    // URLs.
    refused(
        &rest_base(&format!("rest_url = \"ws://x\"\n{CREDS}"), CREDS, rest),
        "venues[0].rest_url",
    );
    refused(
        &rest_base(
            &format!("rest_url = \"https://h/api\"\n{CREDS}"),
            CREDS,
            rest,
        ),
        "venues[0].rest_url",
    );
    // Credential sources: pairs, exclusivity, presence, names.
    refused(
        &rest_base("api_key_env = \"K\"", CREDS, rest),
        "venues[0].api_secret_env",
    );
    refused(
        &rest_base("api_secret_env = \"S\"", CREDS, rest),
        "venues[0].api_key_env",
    );
    refused(
        &rest_base(&format!("{CREDS}\napi_secret_file = \"/f\""), CREDS, rest),
        "venues[0].api_secret_file",
    );
    refused(&rest_base("", CREDS, rest), "venues[0].api_key_env");
    refused(
        &rest_base("api_key_env = \"\"\napi_secret_env = \"S\"", CREDS, rest),
        "venues[0].api_key_env",
    );
    refused(
        &rest_base("api_secret_file = \"\"", CREDS, rest),
        "venues[0].api_secret_file",
    );
    // OKX (venue b of BASE) trades over REST too, with its passphrase.
    let okx = |b: &str| {
        with(&format!("[execution]\n{rest}\n"))
            .replace(
                "stale_after_ms = 500\n",
                &format!("stale_after_ms = 500\n{CREDS}\n"),
            )
            .replace(
                "taker_fee_bps = 7.5\n",
                &format!("taker_fee_bps = 7.5\n{b}\n"),
            )
    };
    refused(&okx(CREDS), "venues[1].api_passphrase_env");
    let c = Config::from_toml_str(
        &okx(&format!("{CREDS}\napi_passphrase_env = \"P\"")),
        &machine(),
    )
    .expect("okx with key, secret and passphrase variables");
    assert_eq!(c.venues[1].api_passphrase_env.as_deref(), Some("P"));
    Config::from_toml_str(&okx("api_secret_file = \"/etc/okx.creds\""), &machine())
        .expect("okx with a credentials file (its passphrase= line is checked when read)");
    refused(
        &okx("api_secret_file = \"/f\"\napi_passphrase_env = \"P\""),
        "venues[1].api_passphrase_env",
    );
    refused(
        &okx(&format!("{CREDS}\napi_passphrase_env = \"\"")),
        "venues[1].api_passphrase_env",
    );
    refused(
        &rest_base(&format!("{CREDS}\napi_passphrase_env = \"P\""), CREDS, rest),
        "venues[0].api_passphrase_env",
    );
    // Feed-only venues: no credentials needed, none accepted; the others still trade.
    let c = Config::from_toml_str(&okx("trade = false"), &machine()).expect("okx as a feed only");
    assert!(c.venues[0].trade && !c.venues[1].trade);
    refused(&okx(&format!("trade = false\n{CREDS}")), "venues[1].trade");
    refused(
        &rest_base(
            "trade = false\napi_secret_file = \"/f\"",
            "",
            "gateway = \"paper\"",
        ),
        "venues[0].trade",
    );
    // execution.rest.*
    for (keys, path) in [
        ("conns = 0", "execution.rest.conns"),
        ("conns = 65", "execution.rest.conns"),
        ("recv_window_ms = 0", "execution.rest.recv_window_ms"),
        ("recv_window_ms = 60001", "execution.rest.recv_window_ms"),
        (
            "connect_timeout_ms = 0",
            "execution.rest.connect_timeout_ms",
        ),
        ("clock_sync_ms = 999", "execution.rest.clock_sync_ms"),
        ("clock_sync_ms = 86400001", "execution.rest.clock_sync_ms"),
        (
            "client_id_prefix = \"a-b\"",
            "execution.rest.client_id_prefix",
        ),
        ("client_id_prefix = \"\"", "execution.rest.client_id_prefix"),
        (
            "client_id_prefix = \"abcdefghi\"",
            "execution.rest.client_id_prefix",
        ),
        ("balance_base = \"0\"", "execution.rest.balance_base"),
        ("balance_quote = \"x\"", "execution.rest.balance_quote"),
    ] {
        refused(
            &rest_base(CREDS, CREDS, &format!("{rest}\n[execution.rest]\n{keys}")),
            path,
        );
    }
    // The paper gateway does not need credentials, but still checks what is given.
    Config::from_toml_str(&rest_base("", "", "gateway = \"paper\""), &machine())
        .expect("paper needs no credentials");
    refused(
        &rest_base("rest_url = \"x\"", "", "gateway = \"paper\""),
        "venues[0].rest_url",
    );
}

#[test]
fn rest_fallback_rules() {
    let c = Config::from_toml_str(BASE, &machine()).expect("base");
    assert!(!c.ingest.rest_fallback, "no polling unless asked");
    assert!(
        !c.ingest.trade_on_rest_quotes,
        "never trade on REST quotes by default"
    );
    assert_eq!(c.venues[0].rest_poll_ms, None);
    // Binance, one symbol: weight 2 per poll, half of 6000/min allows one every 40 ms.
    let a = |ms: u64| {
        BASE.replace(
            "stale_after_ms = 500",
            &format!("stale_after_ms = 500\nrest_poll_ms = {ms}"),
        )
    };
    Config::from_toml_str(&a(40), &machine()).expect("40 ms is within Binance's bound");
    refused(&a(39), "venues[0].rest_poll_ms");
    refused(&a(60_001), "venues[0].rest_poll_ms");
    // OKX: 40 per 2 s, so 100 ms for one instrument.
    let b = BASE.replace(
        "taker_fee_bps = 7.5",
        "taker_fee_bps = 7.5\nrest_poll_ms = 99",
    );
    refused(&b, "venues[1].rest_poll_ms");
    refused(
        &with("[ingest]\nrest_timeout_ms = 0"),
        "ingest.rest_timeout_ms",
    );
    let on = Config::from_toml_str(
        &with("[ingest]\nrest_fallback = true\ntrade_on_rest_quotes = true"),
        &machine(),
    )
    .expect("switches accepted");
    assert!(on.ingest.rest_fallback && on.ingest.trade_on_rest_quotes);
}

#[test]
fn reconcile_keys_default_and_refuse_bad_values_by_name() {
    let c = Config::from_toml_str(BASE, &machine()).expect("base");
    let r = &c.execution.reconcile;
    assert_eq!(r.foreign, crate::config::ForeignPolicy::Cancel);
    assert_eq!((r.open_orders_ms, r.balance_refresh_ms), (10_000, 30_000));
    assert_eq!(r.max_status_queries, 5);
    let leave = Config::from_toml_str(
        &with("[execution.reconcile]\nforeign = \"leave\""),
        &machine(),
    )
    .expect("leave accepted");
    assert_eq!(
        leave.execution.reconcile.foreign,
        crate::config::ForeignPolicy::Leave
    );
    for (line, key) in [
        ("open_orders_ms = 0", "execution.reconcile.open_orders_ms"),
        (
            "balance_refresh_ms = 99",
            "execution.reconcile.balance_refresh_ms",
        ),
        (
            "balance_after_fill_ms = 600001",
            "execution.reconcile.balance_after_fill_ms",
        ),
        (
            "balance_tolerance_bps = -1.0",
            "execution.reconcile.balance_tolerance_bps",
        ),
        (
            "max_status_queries = 0",
            "execution.reconcile.max_status_queries",
        ),
        ("timeout_ms = 0", "execution.reconcile.timeout_ms"),
    ] {
        refused(&with(&format!("[execution.reconcile]\n{line}")), key);
    }
    assert!(Config::from_toml_str(
        &with("[execution.reconcile]\nforeign = \"ignore\""),
        &machine()
    )
    .is_err());
}

#[test]
fn unpaced_rest_orders_are_for_loopback_only() {
    let lo = |u: &str| format!("rest_url = \"{u}\"\n{CREDS}");
    let unpaced = "gateway = \"rest\"\n[execution.rest]\nvenue_limits = false";
    for (a, b) in [
        ("http://127.0.0.1:9000", "http://127.0.0.2:9001"),
        ("http://localhost:9000", "http://[::1]:9001"),
    ] {
        let text = rest_base(&lo(a), &lo(b), unpaced);
        let c = Config::from_toml_str(&text, &machine()).expect("loopback may run unpaced");
        assert!(!c.execution.rest.venue_limits);
    }
    // A venue on any other host (or on its public endpoint: no rest_url) is refused.
    for (a, b) in [
        (lo("http://127.0.0.1:9000"), lo("https://api.binance.com")),
        (lo("http://10.0.0.1:9000"), lo("http://127.0.0.1:9001")),
        (lo("http://127.0.0.1.evil.com"), lo("http://127.0.0.1:9001")),
        (lo("http://127.0.0.1:9000"), CREDS.to_string()),
    ] {
        refused(&rest_base(&a, &b, unpaced), "execution.rest.venue_limits");
    }
    // Paced (the default) on any host.
    let paced = rest_base(&lo("https://api.binance.com"), CREDS, "gateway = \"rest\"");
    let c = Config::from_toml_str(&paced, &machine()).expect("paced");
    assert!(c.execution.rest.venue_limits, "default");
}

#[test]
fn okx_order_entry_ws_reads_its_stream_on_the_order_socket() {
    let okx = "api_key_env = \"K\"\napi_secret_env = \"S\"\napi_passphrase_env = \"P\"\norder_entry = \"ws\"";
    let text = BASE.replace(
        "taker_fee_bps = 7.5\n",
        &format!("taker_fee_bps = 7.5\n{okx}\n"),
    );
    let text = format!("{text}\n[execution]\ngateway = \"rest\"\n");
    let text = text.replace(
        "stale_after_ms = 500\n",
        &format!("stale_after_ms = 500\n{CREDS}\n"),
    );
    let c = Config::from_toml_str(&text, &machine()).expect("okx over its private WebSocket");
    assert_eq!(c.venues[1].order_entry, super::OrderEntry::Ws);
    assert!(c.venues[1].reads_private_stream(), "on by default with ws");
    let url = text.replace(
        "order_entry = \"ws\"",
        "order_entry = \"ws\"\nws_api_url = \"ws://127.0.0.1:9/ws/v5/private\"",
    );
    Config::from_toml_str(&url, &machine()).expect("a mock's private WebSocket URL");
    // OKX's stream is on its order socket: no URL of its own, no Ed25519 key.
    refused(
        &text.replace(
            "order_entry = \"ws\"",
            "order_entry = \"ws\"\nprivate_ws_url = \"ws://127.0.0.1:9/x\"",
        ),
        "venues[1].private_ws_url",
    );
    refused(
        &text.replace(
            "order_entry = \"ws\"",
            "order_entry = \"ws\"\ned25519_key_file = \"/k.pem\"",
        ),
        "venues[1].ed25519_key_file",
    );
}

#[test]
fn order_entry_ws_is_binance_only_and_needs_its_key_file() {
    let rest = "gateway = \"rest\"";
    let ws = "order_entry = \"ws\"\ned25519_key_file = \"/etc/microarb/binance-ed25519.pem\"";
    // Venue a is Binance, venue b Upbit.
    let c = Config::from_toml_str(
        &rest_base(&format!("{CREDS}\n{ws}"), CREDS, rest),
        &machine(),
    )
    .expect("binance over its WebSocket API");
    assert_eq!(c.venues[0].order_entry, super::OrderEntry::Ws);
    assert_eq!(c.venues[1].order_entry, super::OrderEntry::Rest, "default");
    Config::from_toml_str(
        &rest_base(
            &format!("{CREDS}\n{ws}\nws_api_url = \"ws://127.0.0.1:9/ws-api/v3\""),
            CREDS,
            rest,
        ),
        &machine(),
    )
    .expect("a mock's WebSocket API URL");
    refused(
        &rest_base(CREDS, &format!("{CREDS}\n{ws}"), rest),
        "venues[1].order_entry",
    );
    refused(
        &rest_base(&format!("{CREDS}\norder_entry = \"ws\""), CREDS, rest),
        "venues[0].ed25519_key_file",
    );
    refused(
        &rest_base(
            &format!("{CREDS}\n{ws}\nws_api_url = \"http://x\""),
            CREDS,
            rest,
        ),
        "venues[0].ws_api_url",
    );
    refused(
        &rest_base(
            &format!("{CREDS}\ned25519_key_file = \"/k.pem\""),
            CREDS,
            rest,
        ),
        "venues[0].ed25519_key_file",
    );
    refused(
        &rest_base(&format!("{CREDS}\norder_entry = \"fix\""), CREDS, rest),
        "venues[0].order_entry",
    );
}

#[test]
fn private_stream_keys_are_refused_where_they_would_not_be_read() {
    let rest = "gateway = \"rest\"";
    let ws = "order_entry = \"ws\"\ned25519_key_file = \"/etc/microarb/binance-ed25519.pem\"";
    // Venue a is Binance, venue b Upbit.
    let c = Config::from_toml_str(
        &rest_base(&format!("{CREDS}\n{ws}"), CREDS, rest),
        &machine(),
    )
    .expect("binance over its WebSocket API");
    assert!(c.venues[0].reads_private_stream(), "on by default with ws");
    assert!(
        !c.venues[1].reads_private_stream(),
        "off by default with rest"
    );
    let c = Config::from_toml_str(
        &rest_base(
            &format!("{CREDS}\n{ws}\nprivate_stream = false"),
            CREDS,
            rest,
        ),
        &machine(),
    )
    .expect("orders on the session, no user-data stream");
    assert!(!c.venues[0].reads_private_stream());
    // Binance reads its stream on the order socket: not with REST order entry, no own URL.
    refused(
        &rest_base(&format!("{CREDS}\nprivate_stream = true"), CREDS, rest),
        "venues[0].private_stream",
    );
    refused(
        &rest_base(
            &format!("{CREDS}\n{ws}\nprivate_ws_url = \"ws://127.0.0.1:9/x\""),
            CREDS,
            rest,
        ),
        "venues[0].private_ws_url",
    );
}

#[test]
fn bybit_takes_ws_order_entry_and_its_private_stream_without_a_key_file() {
    let rest = "gateway = \"rest\"";
    // Venue a is Binance, venue b Bybit.
    let bybit = |b: &str| {
        rest_base(CREDS, &format!("{CREDS}\n{b}"), rest)
            .replace("kind = \"upbit\"", "kind = \"bybit\"")
            .replace("b = \"USDT-BTC\"", "b = \"BTCUSDT\"")
    };
    let c = Config::from_toml_str(&bybit("order_entry = \"ws\""), &machine())
        .expect("bybit's trade socket, authenticated with the REST key and secret");
    assert_eq!(c.venues[1].order_entry, super::OrderEntry::Ws);
    assert!(c.venues[1].reads_private_stream(), "on by default with ws");
    Config::from_toml_str(
        &bybit(
            "order_entry = \"ws\"\nws_api_url = \"ws://127.0.0.1:9/v5/trade\"\nprivate_ws_url = \"ws://127.0.0.1:9/v5/private\"",
        ),
        &machine(),
    )
    .expect("a mock's trade and private sockets");
    let c = Config::from_toml_str(&bybit("private_stream = true"), &machine())
        .expect("bybit's private stream with REST order entry");
    assert_eq!(c.venues[1].order_entry, super::OrderEntry::Rest);
    assert!(c.venues[1].reads_private_stream());
    refused(
        &bybit("order_entry = \"ws\"\ned25519_key_file = \"/k.pem\""),
        "venues[1].ed25519_key_file",
    );
    refused(
        &bybit("order_entry = \"ws\"\nprivate_ws_url = \"http://x\""),
        "venues[1].private_ws_url",
    );
}

#[test]
fn upbit_reads_its_private_stream_with_rest_order_entry() {
    let rest = "gateway = \"rest\"";
    // Venue a is Binance, venue b Upbit.
    let c = Config::from_toml_str(
        &rest_base(CREDS, &format!("{CREDS}\nprivate_stream = true"), rest),
        &machine(),
    )
    .expect("upbit's private stream, orders on REST");
    assert!(c.venues[1].reads_private_stream());
    assert_eq!(c.venues[1].order_entry, super::OrderEntry::Rest);
    let c = Config::from_toml_str(
        &rest_base(
            CREDS,
            &format!(
                "{CREDS}\nprivate_stream = true\nprivate_ws_url = \"ws://127.0.0.1:9/websocket/v1/private\""
            ),
            rest,
        ),
        &machine(),
    )
    .expect("its own socket's URL");
    assert_eq!(
        c.venues[1].private_ws_url.as_deref(),
        Some("ws://127.0.0.1:9/websocket/v1/private")
    );
    // The URL without the stream, and Upbit orders over "ws", are refused.
    refused(
        &rest_base(
            CREDS,
            &format!("{CREDS}\nprivate_ws_url = \"ws://127.0.0.1:9/x\""),
            rest,
        ),
        "venues[1].private_ws_url",
    );
    refused(
        &rest_base(CREDS, &format!("{CREDS}\norder_entry = \"ws\""), rest),
        "venues[1].order_entry",
    );
}
