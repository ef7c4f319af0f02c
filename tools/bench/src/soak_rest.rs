//! `soak --gateway rest`: the soak's orders go over the engine's REST gateways
//! (`execution.gateway = "rest"`) to the mock exchange's REST endpoints instead of the paper venue,
//! so the zero-429 check is the exchange's own count, not a reconstruction from the `--opps` log.
//!
//! - Venues: the demo config's venues of the kinds both the mock ([`has_rest`]: every kind) and
//!   the engine (Binance and Upbit) trade over REST; the others (Bybit, OKX) are dropped from the
//!   run, and the run says so. Fewer than two such venues is an error
//!   (cross-venue arbitrage needs two), not a panic.
//! - Credentials: generated for the run ([`ApiCredentials::generate`]), written to an owner-only
//!   file in the soak's temp folder, which every venue's `api_secret_file` names; the derived
//!   config is validated like any config file.
//! - Per phase: the mock starts with its REST endpoints on, verifying those credentials and
//!   enforcing the venues' published limits ([`RestLimits::default`]); after the engine stops, the
//!   mock's own per-venue counts of 429 and 418 answers (and of requests refused for a bad
//!   signature or an unknown key, which would mean the run traded nothing) are read from
//!   [`VenueStats`](mockex::VenueStats). Any of them is a failure of the phase.
//!
//! Cold path: allocation and printing are fine here.

use std::path::Path;

use microarb::config::{Config, ConfigErrors, Machine};
use mockex::{has_rest, ApiCredentials, CredentialsError, MockError, MockExchange, RestLimits};
use serde_json::{json, Value};
use thiserror::Error;

use crate::mock::{mock_kind, serve_config_rest};

/// Which execution gateway the soak trades on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Gateway {
    /// The in-process paper venue (zero-429 counted from the `--opps` log's order times).
    Paper,
    /// The REST gateways against the mock exchange's REST endpoints (zero-429 as the mock counted).
    Rest,
}

/// Why the REST soak could not be set up.
#[derive(Debug, Error)]
pub enum SoakRestError {
    /// Fewer than two of the config's venues are of a kind the mock serves REST for.
    #[error(
        "--gateway rest needs two venues of a kind the mock exchange serves REST for (binance, upbit); the config has {0:?}"
    )]
    TooFewRestVenues(Vec<String>),
    /// The run's credentials could not be generated or written.
    #[error("credentials: {0}")]
    Credentials(#[from] CredentialsError),
    /// The derived config could not be written out as TOML.
    #[error("cannot write the REST config as TOML: {0}")]
    Toml(String),
    /// The derived config did not validate.
    #[error("the REST config is invalid: {0}")]
    Config(#[from] ConfigErrors),
}

impl SoakRestError {
    /// Whether this is a problem with the config (exit status 2) rather than with the machine.
    pub fn is_config(&self) -> bool {
        matches!(
            self,
            SoakRestError::TooFewRestVenues(_) | SoakRestError::Config(_)
        )
    }
}

/// The REST soak's setup: the credentials the mock verifies, and which venues were kept and
/// dropped (for the banner and the summary).
pub struct RestSoak {
    api: ApiCredentials,
    /// Names of the venues traded over REST.
    pub venues: Vec<String>,
    /// Names of the config's venues left out (no REST side in the mock).
    pub dropped: Vec<String>,
}

/// What the mock exchange answered one venue in one phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockAnswers {
    /// The venue.
    pub venue: String,
    /// Order placements received.
    pub orders: u64,
    /// Orders that executed some quantity.
    pub fills: u64,
    /// 429 answers sent.
    pub status_429: u64,
    /// 418 answers sent.
    pub status_418: u64,
    /// Requests refused for a bad signature or an unknown key.
    pub auth_refused: u64,
}

impl RestSoak {
    /// From the paper soak config: keep the REST-capable venues (and their symbols), switch
    /// `execution.gateway` to `"rest"`, generate credentials into an owner-only file in `dir`,
    /// point every venue's `api_secret_file` at it, and validate the result for `machine`.
    pub fn prepare(
        paper: &Config,
        dir: &Path,
        machine: &Machine,
    ) -> Result<(Config, RestSoak), SoakRestError> {
        let mut cfg = paper.clone();
        let (kept, dropped): (Vec<_>, Vec<_>) = cfg
            .venues
            .drain(..)
            .partition(|v| has_rest(mock_kind(v.kind)) && engine_rest_kind(v.kind));
        let venues: Vec<String> = kept.iter().map(|v| v.name.clone()).collect();
        if venues.len() < 2 {
            return Err(SoakRestError::TooFewRestVenues(venues));
        }
        let api = ApiCredentials::generate()?;
        let creds_file = dir.join("rest.creds");
        api.write_file(&creds_file)?;
        cfg.venues = kept;
        for v in &mut cfg.venues {
            v.api_key_env = None;
            v.api_secret_env = None;
            v.api_secret_file = Some(creds_file.display().to_string());
        }
        for ins in &mut cfg.instruments {
            ins.symbols.retain(|name, _| venues.contains(name));
        }
        cfg.execution.gateway = microarb::config::GatewayKind::Rest;
        let text = toml::to_string(&cfg).map_err(|e| SoakRestError::Toml(e.to_string()))?;
        let cfg = Config::from_toml_str(&text, machine)?;
        let rest = RestSoak {
            api,
            venues,
            dropped: dropped.into_iter().map(|v| v.name).collect(),
        };
        Ok((cfg, rest))
    }

    /// Start the phase's mock exchange at `rate` frames/s with REST on (these credentials, the
    /// venues' published limits), pointing `cfg`'s `url` and `rest_url` at it.
    pub fn serve(
        &self,
        cfg: &mut Config,
        rate: u64,
        dislocation_every: u64,
    ) -> Result<MockExchange, MockError> {
        serve_config_rest(
            cfg,
            rate,
            dislocation_every,
            self.api.clone(),
            RestLimits::default(),
        )
    }

    /// The banner's description of the venue set.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "REST orders (execution.gateway = \"rest\") on {} against the mock exchange's REST endpoints at the venues' published limits",
            self.venues.join(", ")
        );
        if !self.dropped.is_empty() {
            s += &format!(
                "; {} left out: the mock exchange serves no REST for them",
                self.dropped.join(", ")
            );
        }
        s
    }
}

/// What `ex` answered each of its venues (read after the phase's engine stopped).
pub fn mock_answers(ex: &MockExchange) -> Vec<MockAnswers> {
    ex.endpoints()
        .iter()
        .filter_map(|e| ex.venue_stats(&e.name))
        .map(|s| MockAnswers {
            orders: s.rest_orders,
            fills: s.rest_fills,
            status_429: s.rest_429s,
            status_418: s.rest_418s,
            auth_refused: s.rest_bad_signatures + s.rest_unknown_keys,
            venue: s.name,
        })
        .collect()
}

/// Phase `i`'s failures in the mock's answers: any 429, 418 or refused credentials.
pub fn failures(i: u32, answers: &[MockAnswers]) -> Vec<String> {
    let mut out = Vec::new();
    for a in answers {
        if a.status_429 + a.status_418 != 0 {
            out.push(format!(
                "phase {i}: {}: the mock exchange answered {} x 429 and {} x 418",
                a.venue, a.status_429, a.status_418
            ));
        }
        if a.auth_refused != 0 {
            out.push(format!(
                "phase {i}: {}: the mock exchange refused {} requests' credentials",
                a.venue, a.auth_refused
            ));
        }
    }
    out
}

/// The answers as the phase summary's `mock_rest` list.
pub fn to_json(answers: &[MockAnswers]) -> Value {
    answers
        .iter()
        .map(|a| {
            json!({
                "venue": a.venue, "orders": a.orders, "fills": a.fills,
                "status_429": a.status_429, "status_418": a.status_418,
                "auth_refused": a.auth_refused,
            })
        })
        .collect()
}

/// Per venue over every phase's `mock_rest` list, the summary's `mock_rest_totals`: 429s and
/// 418s the mock answered, in the venues' order.
pub fn totals(phases: &[Value]) -> Value {
    let mut out: Vec<(String, u64, u64)> = Vec::new();
    for m in phases
        .iter()
        .filter_map(|p| p["mock_rest"].as_array())
        .flatten()
    {
        let name = m["venue"].as_str().unwrap_or("?");
        let (s429, s418) = (
            m["status_429"].as_u64().unwrap_or(0),
            m["status_418"].as_u64().unwrap_or(0),
        );
        match out.iter_mut().find(|t| t.0 == name) {
            Some(t) => {
                t.1 += s429;
                t.2 += s418;
            }
            None => out.push((name.to_string(), s429, s418)),
        }
    }
    out.into_iter()
        .map(|(venue, s429, s418)| json!({"venue": venue, "status_429": s429, "status_418": s418}))
        .collect()
}

/// The summary's zero-429 line for the REST soak: the engine's count, then the mock's per venue.
pub fn zero_429_line(s: &Value) -> String {
    let venues: Vec<String> = s["mock_rest_totals"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            format!(
                "{} {} x 429 {} x 418",
                v["venue"].as_str().unwrap_or("?"),
                v["status_429"],
                v["status_418"]
            )
        })
        .collect();
    format!(
        "zero-429        {} answers 429 (engine); mock exchange: {}\n",
        s["status_429_total"],
        venues.join(", ")
    )
}

/// A phase's per-venue lines of the table: what the mock exchange received and answered.
pub fn phase_lines(p: &Value) -> String {
    let mut out = String::new();
    for m in p["mock_rest"].as_array().into_iter().flatten() {
        out += &format!(
            "        {}: mock exchange received {} orders, {} filled, {} x 429, {} x 418\n",
            m["venue"].as_str().unwrap_or("?"),
            m["orders"],
            m["fills"],
            m["status_429"],
            m["status_418"]
        );
    }
    out
}

/// Whether the engine has a REST order gateway for `kind` (its config rule for
/// `execution.gateway = "rest"`: Binance and Upbit). The mock serves REST for every kind, so the
/// soak keeps the venues both sides can trade.
fn engine_rest_kind(kind: microarb::model::VenueKind) -> bool {
    use microarb::model::VenueKind;
    matches!(kind, VenueKind::Binance | VenueKind::Upbit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use microarb::config::DEMO_TOML;

    fn dir(name: &str) -> std::path::PathBuf {
        let d =
            std::env::temp_dir().join(format!("microarb-soak-rest-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("temp dir");
        d
    }

    #[test]
    fn the_demo_config_trades_binance_and_upbit_over_rest() {
        let m = Machine::this(false);
        let paper = Config::from_toml_str(DEMO_TOML, &m).expect("demo config");
        let d = dir("demo");
        let (cfg, r) = RestSoak::prepare(&paper, &d, &m).expect("prepared");
        assert_eq!(r.venues, ["binance", "upbit"]);
        assert_eq!(r.dropped, ["bybit", "okx"]);
        assert_eq!(cfg.execution.gateway, microarb::config::GatewayKind::Rest);
        assert_eq!(cfg.instruments[0].symbols.len(), 2);
        let creds = d.join("rest.creds").display().to_string();
        assert!(cfg
            .venues
            .iter()
            .all(|v| v.api_secret_file.as_deref() == Some(creds.as_str())));
        assert!(r.describe().contains("bybit, okx left out"));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn one_rest_venue_is_a_config_error_not_a_panic() {
        let m = Machine::this(false);
        let mut paper = Config::from_toml_str(DEMO_TOML, &m).expect("demo config");
        let upbit = paper.venues.iter_mut().find(|v| v.name == "upbit");
        upbit.expect("the demo has upbit").kind = microarb::model::VenueKind::Okx;
        let d = dir("one");
        let e = RestSoak::prepare(&paper, &d, &m).err().expect("refused");
        assert!(e.is_config(), "{e}");
        assert!(e.to_string().contains("binance"), "{e}");
        let _ = std::fs::remove_dir_all(&d);
    }
}
