//! Every rule a config must pass before anything starts. Rules collect all problems rather than
//! stopping at the first, so an operator fixes a file in one go.

use super::GatewayKind;
use std::collections::{BTreeMap, BTreeSet};

use super::error::{ConfigError, ConfigErrors};
use super::money::DecimalText;
use super::schema::{Config, StageName};
use crate::model::{VenueKind, MAX_INSTRUMENTS, MAX_SCALE, MAX_VENUES};

/// What the validator needs to know of the machine it will run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Machine {
    /// Cores the machine has (pinning to a core at or above this is refused).
    pub cores: usize,
    /// False under `--no-pin`: cores are then not checked, since nothing is pinned.
    pub check_cores: bool,
}

impl Machine {
    /// This machine, pinning as configured.
    pub fn this(check_cores: bool) -> Machine {
        Machine {
            cores: machine_cores(),
            check_cores,
        }
    }
}

/// Cores this machine has: the largest of what the scheduler lets us use and what sysfs lists.
pub fn machine_cores() -> usize {
    let allowed = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let listed = std::fs::read_dir("/sys/devices/system/cpu")
        .map(|dir| {
            dir.filter_map(|e| e.ok())
                .filter(|e| {
                    let name = e.file_name();
                    let name = name.to_string_lossy();
                    name.len() > 3
                        && name.starts_with("cpu")
                        && name[3..].bytes().all(|b| b.is_ascii_digit())
                })
                .count()
        })
        .unwrap_or(0);
    allowed.max(listed)
}

struct Check {
    errors: Vec<ConfigError>,
}

impl Check {
    fn fail(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        self.errors.push(ConfigError::field(path, reason));
    }

    /// A bp value: finite, within `[lo, hi)`, and a whole number of hundredths of a bp.
    fn bps(&mut self, path: &str, v: f64, lo: f64, hi: f64) {
        if !v.is_finite() || v < lo || v >= hi {
            self.fail(
                path,
                format!("must be at least {lo} and below {hi} bp (got {v})"),
            );
        } else if ((v * 100.0).round() - v * 100.0).abs() > 1e-6 {
            self.fail(path, format!("resolution is 0.01 bp (got {v})"));
        }
    }

    fn positive_amount(&mut self, path: &str, v: &DecimalText, scale: u8) {
        match v.at_scale(scale) {
            Ok(m) if m > 0 => {}
            Ok(_) => self.fail(path, format!("must be above zero (got \"{}\")", v.0)),
            Err(e) => self.fail(
                path,
                format!("\"{}\" is not an exact decimal at scale {scale}: {e}", v.0),
            ),
        }
    }

    fn range_u64(&mut self, path: &str, v: u64, lo: u64, hi: u64) {
        if v < lo || v > hi {
            self.fail(path, format!("must be between {lo} and {hi} (got {v})"));
        }
    }
}

/// Check every value and cross-reference of `c`.
pub fn validate(c: &Config, machine: &Machine) -> Result<(), ConfigErrors> {
    let mut k = Check { errors: Vec::new() };

    // Venues.
    if c.venues.is_empty() {
        k.fail("venues", "at least one venue is required");
    }
    if c.venues.len() > MAX_VENUES {
        k.fail(
            "venues",
            format!("at most {MAX_VENUES} venues (got {})", c.venues.len()),
        );
    }
    let mut venue_names = BTreeSet::new();
    for (i, v) in c.venues.iter().enumerate() {
        let p = format!("venues[{i}]");
        if v.name.is_empty()
            || !v
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            k.fail(
                format!("{p}.name"),
                format!(
                    "must be non-empty letters, digits, '_' or '-' (got {:?})",
                    v.name
                ),
            );
        }
        if !venue_names.insert(v.name.as_str()) {
            k.fail(
                format!("{p}.name"),
                format!("duplicate venue name {:?}", v.name),
            );
        }
        if let Some(url) = &v.url {
            if !(url.starts_with("ws://") || url.starts_with("wss://")) || url.len() < 8 {
                k.fail(
                    format!("{p}.url"),
                    format!("must be a ws:// or wss:// URL (got {url:?})"),
                );
            }
        }
        k.bps(&format!("{p}.taker_fee_bps"), v.taker_fee_bps, 0.0, 1000.0);
        k.bps(&format!("{p}.slippage_bps"), v.slippage_bps, 0.0, 1000.0);
        k.range_u64(
            &format!("{p}.stale_after_ms"),
            v.stale_after_ms,
            1,
            3_600_000,
        );
        k.range_u64(&format!("{p}.max_inflight"), v.max_inflight as u64, 1, 1024);
    }

    // Instruments.
    if c.instruments.is_empty() {
        k.fail("instruments", "at least one instrument is required");
    }
    if c.instruments.len() > MAX_INSTRUMENTS {
        k.fail(
            "instruments",
            format!(
                "at most {MAX_INSTRUMENTS} instruments (got {})",
                c.instruments.len()
            ),
        );
    }
    let mut instrument_names = BTreeSet::new();
    let mut symbols_seen: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (i, ins) in c.instruments.iter().enumerate() {
        let p = format!("instruments[{i}]");
        if ins.name.is_empty() {
            k.fail(format!("{p}.name"), "must not be empty");
        }
        if !instrument_names.insert(ins.name.as_str()) {
            k.fail(
                format!("{p}.name"),
                format!("duplicate instrument name {:?}", ins.name),
            );
        }
        for (key, scale) in [
            ("price_scale", ins.price_scale),
            ("qty_scale", ins.qty_scale),
        ] {
            if scale > MAX_SCALE {
                k.fail(
                    format!("{p}.{key}"),
                    format!("at most {MAX_SCALE} (got {scale})"),
                );
            }
        }
        if ins.qty_scale <= MAX_SCALE {
            k.positive_amount(&format!("{p}.lot"), &ins.lot, ins.qty_scale);
        }
        if let (Some(mn), true) = (&ins.max_notional, ins.price_scale <= MAX_SCALE) {
            k.positive_amount(&format!("{p}.max_notional"), mn, ins.price_scale);
        }
        if ins.symbols.is_empty() {
            k.fail(
                format!("{p}.symbols"),
                "must map at least one venue to a symbol",
            );
        }
        for (venue, symbol) in &ins.symbols {
            let sp = format!("{p}.symbols.{venue}");
            if !venue_names.contains(venue.as_str()) {
                k.fail(
                    &sp,
                    format!("names unknown venue {venue:?} (not in [[venues]])"),
                );
            }
            if symbol.is_empty() || symbol.bytes().any(|b| b.is_ascii_whitespace() || b == b'"') {
                k.fail(
                    &sp,
                    format!("symbol must be non-empty without spaces or quotes (got {symbol:?})"),
                );
            }
            if let Some(other) = symbols_seen.insert((venue.as_str(), symbol.as_str()), i) {
                k.fail(
                    &sp,
                    format!(
                        "symbol {symbol:?} on {venue:?} is already used by instruments[{other}]"
                    ),
                );
            }
        }
    }

    // Ingest.
    let g = &c.ingest;
    k.range_u64(
        "ingest.reconnect_after_ms",
        g.reconnect_after_ms,
        10,
        3_600_000,
    );
    k.range_u64(
        "ingest.connect_timeout_ms",
        g.connect_timeout_ms,
        10,
        600_000,
    );
    k.range_u64(
        "ingest.max_message_bytes",
        g.max_message_bytes,
        1024,
        64 << 20,
    );
    k.range_u64(
        "ingest.backoff_initial_ms",
        g.backoff_initial_ms,
        1,
        600_000,
    );
    if g.backoff_max_ms < g.backoff_initial_ms {
        k.fail(
            "ingest.backoff_max_ms",
            format!(
                "must be at least backoff_initial_ms {} (got {})",
                g.backoff_initial_ms, g.backoff_max_ms
            ),
        );
    }
    k.range_u64("ingest.healthy_after_ms", g.healthy_after_ms, 1, 3_600_000);
    k.range_u64(
        "ingest.breaker_failures",
        g.breaker_failures as u64,
        1,
        1_000_000,
    );
    k.range_u64("ingest.breaker_open_ms", g.breaker_open_ms, 1, 3_600_000);
    for (i, v) in c.venues.iter().enumerate() {
        if g.reconnect_after_ms < v.stale_after_ms {
            k.fail(
                "ingest.reconnect_after_ms",
                format!(
                    "must be at least venues[{i}].stale_after_ms {} (got {})",
                    v.stale_after_ms, g.reconnect_after_ms
                ),
            );
        }
    }

    // Strategy.
    let s = &c.strategy;
    k.bps("strategy.min_profit_bps", s.min_profit_bps, 0.0, 10_000.0);
    for ins in c.instruments.iter().filter(|i| i.price_scale <= MAX_SCALE) {
        let before = k.errors.len();
        k.positive_amount("strategy.max_notional", &s.max_notional, ins.price_scale);
        if k.errors.len() != before {
            break;
        }
    }
    k.range_u64(
        "strategy.cache_capacity",
        s.cache_capacity as u64,
        1,
        1 << 24,
    );
    for (key, v) in [
        ("ttl_high_vol_ms", s.ttl_high_vol_ms),
        ("ttl_mid_vol_ms", s.ttl_mid_vol_ms),
        ("ttl_low_vol_ms", s.ttl_low_vol_ms),
        ("opportunity_ttl_ms", s.opportunity_ttl_ms),
    ] {
        k.range_u64(&format!("strategy.{key}"), v, 1, 600_000);
    }
    if !(s.vol_mid.is_finite() && s.vol_mid >= 0.0) {
        k.fail(
            "strategy.vol_mid",
            format!("must be a finite number >= 0 (got {})", s.vol_mid),
        );
    } else if !(s.vol_high.is_finite() && s.vol_high > s.vol_mid) {
        k.fail(
            "strategy.vol_high",
            format!(
                "must be finite and above vol_mid {} (got {})",
                s.vol_mid, s.vol_high
            ),
        );
    }

    // Execution.
    let e = &c.execution;
    k.range_u64("execution.max_inflight", e.max_inflight as u64, 1, 1024);
    if e.reserved_slots >= e.max_inflight && e.max_inflight > 0 {
        k.fail(
            "execution.reserved_slots",
            format!(
                "must be below max_inflight {} so ordinary opportunities keep a slot (got {})",
                e.max_inflight, e.reserved_slots
            ),
        );
    }
    k.bps(
        "execution.reserved_min_bps",
        e.reserved_min_bps,
        0.0,
        10_000.0,
    );
    k.range_u64("execution.max_wait_ms", e.max_wait_ms, 0, 60_000);
    k.range_u64(
        "execution.legging_max_orders",
        e.legging_max_orders as u64,
        1,
        8,
    );
    k.bps("execution.unwind_max_bps", e.unwind_max_bps, 0.01, 1000.0);
    k.range_u64("execution.order_timeout_ms", e.order_timeout_ms, 1, 60_000);
    k.range_u64("execution.status_query_ms", e.status_query_ms, 1, 60_000);
    let p = &e.paper;
    k.range_u64("execution.paper.latency_us", p.latency_us, 0, 1_000_000);
    k.range_u64("execution.paper.jitter_us", p.jitter_us, 0, 1_000_000);
    let probs = [
        ("p_429", p.p_429),
        ("p_5xx", p.p_5xx),
        ("p_timeout", p.p_timeout),
        ("p_partial", p.p_partial),
        ("p_reject", p.p_reject),
    ];
    let mut sum = 0.0;
    for (key, v) in probs {
        if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
            k.fail(
                format!("execution.paper.{key}"),
                format!("must be a probability in [0, 1] (got {v})"),
            );
        } else {
            sum += v;
        }
    }
    if sum > 1.0 + 1e-9 {
        k.fail(
            "execution.paper",
            format!("fault probabilities p_429 + p_5xx + p_timeout + p_partial + p_reject must add up to at most 1 (got {sum})"),
        );
    }
    k.range_u64(
        "execution.paper.retry_after_ms",
        p.retry_after_ms,
        0,
        600_000,
    );
    k.bps("execution.paper.spread_bps", p.spread_bps, 0.0, 1000.0);
    k.positive_amount("execution.paper.balance_base", &p.balance_base, 8);
    k.positive_amount("execution.paper.balance_quote", &p.balance_quote, 8);
    rest_rules(&mut k, c);

    // Risk.
    let r = &c.risk;
    k.positive_amount("risk.max_order_notional", &r.max_order_notional, 8);
    k.positive_amount("risk.max_open_notional", &r.max_open_notional, 8);
    k.positive_amount("risk.loss_limit", &r.loss_limit, 8);
    if r.kill_file.as_deref() == Some("") {
        k.fail("risk.kill_file", "must not be empty when given");
    }

    // Runtime.
    let rt = &c.runtime;
    k.range_u64("runtime.ring_capacity", rt.ring_capacity as u64, 1, 1 << 24);
    k.range_u64("runtime.park_us", rt.park_us, 1, 1_000_000);
    let mut thread_names = BTreeSet::new();
    let mut placed: BTreeMap<StageName, usize> = BTreeMap::new();
    for (i, t) in rt.threads.iter().enumerate() {
        let p = format!("runtime.threads[{i}]");
        if t.name.is_empty() || t.name.len() > 15 {
            k.fail(
                format!("{p}.name"),
                "must be 1 to 15 characters (the OS thread-name limit)",
            );
        }
        if !thread_names.insert(t.name.as_str()) {
            k.fail(
                format!("{p}.name"),
                format!("duplicate thread name {:?}", t.name),
            );
        }
        if t.stages.is_empty() {
            k.fail(format!("{p}.stages"), "must list at least one stage");
        }
        for st in &t.stages {
            if let Some(other) = placed.insert(*st, i) {
                k.fail(
                    format!("{p}.stages"),
                    format!(
                        "stage {:?} is already on runtime.threads[{other}]",
                        st.name()
                    ),
                );
            }
        }
        if let (Some(core), true) = (t.core, machine.check_cores) {
            if core >= machine.cores {
                k.fail(
                    format!("{p}.core"),
                    format!(
                        "this machine has cores 0..={} (got {core}); fix it or run with --no-pin",
                        machine.cores.saturating_sub(1)
                    ),
                );
            }
        }
    }
    if !rt.threads.is_empty() {
        for st in StageName::ALL {
            if !placed.contains_key(&st) {
                k.fail(
                    "runtime.threads",
                    format!("stage {:?} is on no thread", st.name()),
                );
            }
        }
    }

    // Telemetry.
    k.range_u64("telemetry.interval_ms", c.telemetry.interval_ms, 10, 60_000);

    if k.errors.is_empty() {
        Ok(())
    } else {
        Err(ConfigErrors(k.errors))
    }
}

/// The REST side: `execution.rest.*`, and per venue `rest_url` and the credential sources. With
/// `gateway = "rest"` every venue must be a REST kind (Binance, Upbit) with exactly one credential
/// source (both variables, or a file).
fn rest_rules(k: &mut Check, c: &Config) {
    let r = &c.execution.rest;
    k.range_u64("execution.rest.conns", u64::from(r.conns), 1, 64);
    k.range_u64(
        "execution.rest.recv_window_ms",
        u64::from(r.recv_window_ms),
        1,
        60_000,
    );
    k.range_u64(
        "execution.rest.connect_timeout_ms",
        r.connect_timeout_ms,
        1,
        600_000,
    );
    let prefix = &r.client_id_prefix;
    if prefix.is_empty() || prefix.len() > 8 || !prefix.bytes().all(|b| b.is_ascii_alphanumeric()) {
        k.fail(
            "execution.rest.client_id_prefix",
            format!("must be 1 to 8 letters or digits (got {prefix:?})"),
        );
    }
    k.positive_amount("execution.rest.balance_base", &r.balance_base, 8);
    k.positive_amount("execution.rest.balance_quote", &r.balance_quote, 8);
    let rest = c.execution.gateway == GatewayKind::Rest;
    for (i, v) in c.venues.iter().enumerate() {
        let p = format!("venues[{i}]");
        if let Some(url) = &v.rest_url {
            let host = url
                .strip_prefix("http://")
                .or_else(|| url.strip_prefix("https://"));
            if host.is_none_or(|h| h.is_empty() || h.contains('/') && !h.ends_with('/')) {
                k.fail(
                    format!("{p}.rest_url"),
                    format!("must be an http:// or https:// base URL without a path (got {url:?})"),
                );
            }
        }
        for (key, var) in [
            ("api_key_env", &v.api_key_env),
            ("api_secret_env", &v.api_secret_env),
        ] {
            if let Some(var) = var {
                if var.is_empty() || var.contains('=') || var.contains('\0') {
                    k.fail(
                        format!("{p}.{key}"),
                        format!("must be an environment variable name (got {var:?})"),
                    );
                }
            }
        }
        if v.api_secret_file.as_deref() == Some("") {
            k.fail(
                format!("{p}.api_secret_file"),
                "must not be empty when given",
            );
        }
        let env = (v.api_key_env.is_some(), v.api_secret_env.is_some());
        match env {
            (true, false) => k.fail(
                format!("{p}.api_secret_env"),
                "is required with api_key_env",
            ),
            (false, true) => k.fail(
                format!("{p}.api_key_env"),
                "is required with api_secret_env",
            ),
            _ => {}
        }
        if env.0 && v.api_secret_file.is_some() {
            k.fail(
                format!("{p}.api_secret_file"),
                "give either api_key_env/api_secret_env or api_secret_file, not both",
            );
        }
        if !rest {
            continue;
        }
        if !matches!(v.kind, VenueKind::Binance | VenueKind::Upbit) {
            k.fail(
                format!("{p}.kind"),
                format!(
                    "{} has no REST order gateway; execution.gateway = \"rest\" supports binance and upbit",
                    v.kind.name()
                ),
            );
        } else if !env.0 && !env.1 && v.api_secret_file.is_none() {
            k.fail(
                format!("{p}.api_key_env"),
                "execution.gateway = \"rest\" needs credentials: api_key_env + api_secret_env, or api_secret_file",
            );
        }
    }
}
