//! The one place `execution.gateway` is matched: [`build_stage`] builds the execution stage on the
//! gateway the config chose. Cold path (the REST arm reads credentials, connects, and runs the
//! venue start-up steps of [`super::startup`]).

use super::gateway::rest::{connected_router, load_credentials, RestRouter};
use super::gateway::{AnyGateway, PaperGateway};
use super::guards::KillSwitch;
use super::params::{ExecBuildError, ExecParams};
use super::secrets::ApiSecret;
use super::stage::ExecStage;
use crate::base::Clock;
use crate::config::{Config, GatewayKind};
use crate::model::Opportunity;
use crate::runtime::RingRx;
use crate::telemetry::Registry;

/// The execution stage of a run, on the gateway `cfg.execution.gateway` names: simulated venues
/// (`paper`), or the venues' REST APIs (`rest`: credentials from the sources the config names,
/// every venue connected, its clocks measured, its instrument rules read, its open orders
/// reconciled and its balances read before it returns; see [`super::startup`]).
pub fn build_stage(
    cfg: &Config,
    rx: RingRx<Opportunity>,
    clock: Clock,
    kill: KillSwitch,
    reg: &mut Registry,
) -> Result<ExecStage<AnyGateway>, ExecBuildError> {
    let mut p = ExecParams::from_config(cfg)?;
    let mut previous = Vec::new();
    let (gw, truth) = match cfg.execution.gateway {
        GatewayKind::Paper => {
            let gw = AnyGateway::Paper(Box::new(PaperGateway::new(p.paper.clone())));
            (gw, None)
        }
        GatewayKind::Rest => {
            let creds = load_credentials(cfg)?;
            let mut gw = connected_router(cfg, &creds, clock)?;
            rest_start_up(cfg, &mut p, &mut gw, clock, reg);
            let rules = super::startup::rules::load_and_report(cfg, &creds, &mut p)?;
            // The venues' instrument codes (OKX's instIdCode) for their WebSocket ops.
            for vi in 0..cfg.venues.len() {
                let venue = crate::model::VenueId(vi as u8);
                gw.set_venue_codes(venue, &rules.codes_for(venue));
            }
            // Venue truth before any order: open orders reconciled, balances read, signed on
            // the venues' clocks.
            let offsets = gw.clock_offsets();
            let (truth, settled) =
                super::startup::start_with_offsets(cfg, &creds, &mut p, clock, &offsets, reg)?;
            previous = settled.lines;
            (AnyGateway::Rest(gw), Some(truth))
        }
    };
    let mut stage = ExecStage::new(p, rx, gw, clock, kill, reg)?;
    if let Some(t) = truth {
        stage.set_truth(t);
    }
    stage.set_previous_lines(previous);
    Ok(stage)
}

impl ExecStage<RestRouter> {
    /// The stage on the REST gateways with credentials the caller loaded (`creds[i]` for
    /// `venues[i]`), connected ([`connected_router`]), *without* the venue start-up: its trading
    /// rules are the config's, as on paper, and the risk book keeps the config's
    /// `execution.rest.balance_*` (test rigs; a run goes through [`build_stage`], and a caller
    /// can add the steps with [`crate::exec::startup::rules::load`], [`super::startup::start`]
    /// and [`ExecStage::set_truth`]).
    pub fn rest_with_credentials(
        cfg: &Config,
        creds: &[ApiSecret],
        rx: RingRx<Opportunity>,
        clock: Clock,
        kill: KillSwitch,
        reg: &mut Registry,
    ) -> Result<ExecStage<RestRouter>, ExecBuildError> {
        let mut p = ExecParams::from_config(cfg)?;
        let mut gw = connected_router(cfg, creds, clock)?;
        rest_start_up(cfg, &mut p, &mut gw, clock, reg);
        ExecStage::new(p, rx, gw, clock, kill, reg)
    }
}

/// What the REST gateway asks the venues before trading ([`super::startup`]): Binance's
/// exchangeInfo rate limits into `p`, DNS upkeep (start-up retries counted, hosts resolved again
/// on reconnect by a `dns-refresh` thread), and the venues' server clocks into `gw`'s offsets (kept
/// up to date by a `clock-sync` thread that lives as long as `gw`). Never fails: each step
/// falls back (published limits, the host's clock) with a stderr line and a counter.
fn rest_start_up(
    cfg: &Config,
    p: &mut ExecParams,
    gw: &mut RestRouter,
    clock: Clock,
    reg: &mut Registry,
) {
    // The clocks first: a later step that signs (an account call) can then use
    // `gw.clock_offsets()` (`AccountClient::set_clock_offset_ms`).
    if let Some(sync) = super::startup::server_time::start(cfg, gw.clock_offsets(), clock, reg) {
        gw.keep(Box::new(sync));
    }
    super::startup::rate_limits::apply(cfg, p, reg);
    super::startup::dns::start(cfg, gw, reg);
}
