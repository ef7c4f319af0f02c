//! Start-up step: the trading rules of every configured instrument on every trading venue, read
//! from the venue's public instrument endpoint through the account API
//! ([`AccountClient::rules`](crate::exec::account::AccountClient::rules): Binance `exchangeInfo`
//! filters, Bybit `instruments-info`, OKX `public/instruments`, Upbit's order-chance and its
//! price bands), merged with the `instruments[].rules.<venue>` overrides, into
//! [`ExecParams::rules`](crate::exec::params::ExecParams).
//!
//! An instrument whose rules cannot be known on a venue is not traded there: the call failed, the
//! answer does not list its symbol, says it does not trade now, lists it twice differently, or
//! holds a value that cannot be a rule (a zero tick, a negative minimum, a truncated or malformed
//! body). Its entry is cleared (its opportunities end `rejected: no_rules`, counted) and one line
//! says why ([`RulesStartup::lines`], printed to stderr by [`load_and_report`]). Nothing a venue
//! answers is trusted or panics. An override finer or looser than the venue's rule is a config
//! error: start-up stops with it, naming the key.
//!
//! Feed-only venues (`trade = false`) are not asked. Cold path: blocks on one exchange per venue
//! (Upbit: per instrument), each bounded by `execution.rest.connect_timeout_ms` (at least 1 s).

use std::time::Duration;

use crate::config::Config;
use crate::exec::account::{client_for_venue, TradingRules};
use crate::exec::params::{ExecBuildError, ExecParams};
use crate::exec::rules::{from_venue, with_override, Names, RulesError};
use crate::exec::secrets::ApiSecret;
use crate::model::{InstrumentId, VenueId};

/// What the step did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RulesStartup {
    /// (venue, instrument) pairs whose rules were read and set.
    pub loaded: usize,
    /// One line per (venue, instrument) left untraded, saying why.
    pub lines: Vec<String>,
    /// The venue's numeric id of each traded instrument that has one (OKX `instIdCode`), as
    /// (venue, venue symbol, code): what a WebSocket session's op writer needs
    /// ([`crate::exec::gateway::codec::InstrumentTable::set_venue_codes`]).
    pub venue_codes: Vec<(VenueId, String, u64)>,
}

impl RulesStartup {
    /// `venue`'s codes as [`crate::exec::gateway::codec::InstrumentTable::set_venue_codes`]
    /// takes them.
    pub fn codes_for(&self, venue: VenueId) -> Vec<(String, u64)> {
        self.venue_codes
            .iter()
            .filter(|(v, _, _)| *v == venue)
            .map(|(_, s, c)| (s.clone(), *c))
            .collect()
    }
}

/// The rules of `symbol` in a venue's answer: exactly one entry (or several identical), else why
/// not.
fn pick<'a>(
    venue: &str,
    symbol: &str,
    all: &'a [TradingRules],
) -> Result<&'a TradingRules, String> {
    let mut found = all.iter().filter(|r| r.symbol == symbol);
    let first = found
        .next()
        .ok_or_else(|| format!("the venue's answer does not list {symbol}"))?;
    if found.any(|r| r != first) {
        return Err(RulesError::Contradictory {
            venue: venue.to_string(),
            symbol: symbol.to_string(),
        }
        .to_string());
    }
    if !first.trading {
        return Err(format!("the venue says {symbol} does not trade now"));
    }
    Ok(first)
}

/// Read every trading venue's rules (`creds[i]` signs `venues[i]`'s calls; Upbit's order-chance
/// is private) into `p.rules`. `Err` only for an override the venue's rules refute.
pub fn load(
    cfg: &Config,
    creds: &[ApiSecret],
    p: &mut ExecParams,
) -> Result<RulesStartup, ExecBuildError> {
    let timeout = Duration::from_millis(cfg.execution.rest.connect_timeout_ms.max(1000));
    let mut out = RulesStartup::default();
    for (vi, v) in cfg.venues.iter().enumerate() {
        if !v.trade {
            continue;
        }
        let listed: Vec<(usize, String)> = cfg
            .instruments
            .iter()
            .enumerate()
            .filter_map(|(i, ins)| ins.symbols.get(&v.name).map(|s| (i, s.clone())))
            .collect();
        if listed.is_empty() {
            continue;
        }
        let symbols: Vec<String> = listed.iter().map(|(_, s)| s.clone()).collect();
        let answer = client_for_venue(cfg, &v.name, creds.get(vi), timeout)
            .and_then(|mut c| c.rules(&symbols));
        for (ii, symbol) in &listed {
            let ins = &cfg.instruments[*ii];
            let (venue, instrument) = (VenueId(vi as u8), InstrumentId(*ii as u16));
            let key = format!("instruments[{ii}].rules.{}", v.name);
            let names = Names {
                venue: &v.name,
                symbol,
                key: &key,
            };
            let scales = (ins.price_scale, ins.qty_scale);
            let mut code = None;
            let venue_rules = match &answer {
                Err(e) => Err(format!("its rules could not be read: {e}")),
                Ok(r) => pick(&v.name, symbol, &r.instruments).and_then(|t| {
                    code = t.venue_code;
                    from_venue(names, t, scales).map_err(|e| e.to_string())
                }),
            };
            match venue_rules {
                Ok(base) => {
                    if let Some(c) = code {
                        out.venue_codes.push((venue, symbol.clone(), c));
                    }
                    let merged = match ins.rules.get(&v.name) {
                        Some(o) => with_override(names, base, o, scales, true)?,
                        None => base,
                    };
                    p.rules.set(venue, instrument, Some(merged));
                    out.loaded += 1;
                }
                Err(why) => {
                    p.rules.set(venue, instrument, None);
                    out.lines.push(format!(
                        "microarb: {} ({symbol}) is not traded on {}: {why}",
                        ins.name, v.name
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// [`load`], each line of an untraded instrument written to stderr (the operator's start-up
/// output).
pub fn load_and_report(
    cfg: &Config,
    creds: &[ApiSecret],
    p: &mut ExecParams,
) -> Result<RulesStartup, ExecBuildError> {
    let r = load(cfg, creds, p)?;
    for l in &r.lines {
        eprintln!("{l}");
    }
    Ok(r)
}
