//! The run's trade log: the channel the execution stage writes to, the writer thread (the
//! `--trades` file and the report's `trades` object), and what the kill switch does through it:
//! cancel at its venue every order the log shows as sent and not final ([`CancelOnKill`]).
//!
//! Cold path. The cancels are blocking HTTP calls ([`AccountClient::cancel`]) made on the writer
//! thread, never in the execution stage; they name each order by the client id the gateway sent.

use std::collections::BTreeMap;
use std::path::Path;
use std::thread::JoinHandle;
use std::time::Duration;

use super::error::RunError;
use crate::base::Clock;
use crate::config::{Config, GatewayKind};
use crate::exec::account::{
    client_for_venue, load_account_credentials, AccountClient, CancelOutcome,
};
use crate::exec::gateway::rest::client_prefix;
use crate::exec::KillSwitch;
use crate::telemetry::trades::{KillHook, OpenOrder, TradeLog, TradeNames};
use crate::telemetry::{Registry, TradeTx};

/// Timeout of one cancel at kill time: a hung venue must not hold the others' cancels long.
const CANCEL_TIMEOUT: Duration = Duration::from_secs(3);

/// The writer thread's handle: it returns the report's `trades` object.
pub(super) type TradesHandle = JoinHandle<std::io::Result<serde_json::Value>>;

/// Build the trade log of a run: the execution stage's end and the started writer.
/// `lossless` for replays; `path` is `--trades`; `head`, lines written first (the previous run's
/// orders settled at start-up).
pub(super) fn start(
    cfg: &Config,
    clock: &Clock,
    kill: &KillSwitch,
    lossless: bool,
    path: Option<&Path>,
    head: Vec<String>,
    reg: &mut Registry,
) -> Result<(TradeTx, TradesHandle), RunError> {
    let prefix = match cfg.execution.gateway {
        GatewayKind::Rest => client_prefix(cfg, clock),
        GatewayKind::Paper => String::new(),
    };
    let mut log = TradeLog::new(lossless);
    log.set_head(head);
    let tx = log.channel(reg);
    let hook = CancelOnKill {
        switch: kill.clone(),
        cfg: (cfg.execution.gateway == GatewayKind::Rest).then(|| cfg.clone()),
        clients: BTreeMap::new(),
    };
    let names = TradeNames::of(cfg, &prefix);
    let writer = log
        .spawn_writer(path, names, Some(Box::new(hook)))
        .map_err(|source| RunError::Output {
            what: path.map_or_else(|| "trade log".to_string(), |p| p.display().to_string()),
            source,
        })?;
    Ok((tx, writer))
}

/// Join the writer: the report's `trades` object.
pub(super) fn join(w: TradesHandle) -> Result<serde_json::Value, RunError> {
    match w.join() {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(source)) => Err(RunError::Output {
            what: "trade log".to_string(),
            source,
        }),
        Err(_) => Err(RunError::Panicked("trades-log".to_string())),
    }
}

/// The kill switch's cancels: every order still open, at its venue (REST runs; the paper venue
/// has nothing outside this process to cancel).
struct CancelOnKill {
    switch: KillSwitch,
    /// The run's config when it trades over REST.
    cfg: Option<Config>,
    /// One account client per venue index, built at the first cancel (or why it could not be).
    clients: BTreeMap<usize, Result<AccountClient, String>>,
}

impl CancelOnKill {
    fn client(&mut self, venue: usize) -> Result<&mut AccountClient, String> {
        let Some(cfg) = self.cfg.as_ref() else {
            return Err("no venue to cancel at".to_string());
        };
        self.clients
            .entry(venue)
            .or_insert_with(|| {
                let name = cfg
                    .venues
                    .get(venue)
                    .map(|v| v.name.clone())
                    .ok_or_else(|| format!("venue index {venue} is not in the config"))?;
                let creds = load_account_credentials(cfg, venue).map_err(|e| e.to_string())?;
                client_for_venue(cfg, &name, creds.as_ref(), CANCEL_TIMEOUT)
                    .map_err(|e| e.to_string())
            })
            .as_mut()
            .map_err(|e| e.clone())
    }

    fn symbol(&self, o: &OpenOrder, venue: &str) -> Option<String> {
        self.cfg
            .as_ref()?
            .instruments
            .get(o.instrument)?
            .symbols
            .get(venue)
            .cloned()
    }
}

impl KillHook for CancelOnKill {
    fn is_on(&self) -> bool {
        self.switch.is_on()
    }

    fn cancel(&mut self, open: &[OpenOrder], names: &TradeNames) -> Vec<serde_json::Value> {
        let mut out = Vec::with_capacity(open.len());
        for o in open {
            let venue = names.venue(o.venue);
            let client_id = names.client_id(o.order_id);
            let result = if self.cfg.is_none() {
                "paper venue: nothing to cancel".to_string()
            } else {
                match self.symbol(o, &venue) {
                    None => format!(
                        "error: no symbol for instrument {} on {venue}",
                        o.instrument
                    ),
                    Some(symbol) => match self.client(o.venue) {
                        Err(e) => format!("error: {e}"),
                        Ok(c) => match c.cancel(&symbol, &client_id) {
                            Ok(CancelOutcome::Cancelled) => "cancelled".to_string(),
                            Ok(CancelOutcome::AlreadyFinal) => "already_final".to_string(),
                            Ok(CancelOutcome::NotFound) => "not_found".to_string(),
                            Err(e) => format!("error: {e}"),
                        },
                    },
                }
            };
            out.push(serde_json::json!({
                "order_id": o.order_id,
                "venue": venue,
                "client_id": client_id,
                "result": result,
            }));
        }
        out
    }
}
