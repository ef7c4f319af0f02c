//! The one place `execution.gateway` is matched: [`build_stage`] builds the execution stage on the
//! gateway the config chose. Cold path (the REST arm reads credentials and connects).

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
/// every venue connected, its open orders reconciled and its balances read before it returns;
/// see [`super::startup`]).
pub fn build_stage(
    cfg: &Config,
    rx: RingRx<Opportunity>,
    clock: Clock,
    kill: KillSwitch,
    reg: &mut Registry,
) -> Result<ExecStage<AnyGateway>, ExecBuildError> {
    let mut p = ExecParams::from_config(cfg)?;
    let (gw, truth) = match cfg.execution.gateway {
        GatewayKind::Paper => {
            let gw = AnyGateway::Paper(Box::new(PaperGateway::new(p.paper.clone())));
            (gw, None)
        }
        GatewayKind::Rest => {
            let creds = load_credentials(cfg)?;
            let gw = AnyGateway::Rest(connected_router(cfg, &creds, clock)?);
            // Venue truth before any order: open orders reconciled, balances read.
            let truth = super::startup::start(cfg, &creds, &mut p, clock, reg)?;
            (gw, Some(truth))
        }
    };
    let mut stage = ExecStage::new(p, rx, gw, clock, kill, reg)?;
    if let Some(t) = truth {
        stage.set_truth(t);
    }
    Ok(stage)
}

impl ExecStage<RestRouter> {
    /// The stage on the REST gateways with credentials the caller loaded (`creds[i]` for
    /// `venues[i]`), connected ([`connected_router`]), *without* start-up venue truth: the
    /// risk book keeps the config's `execution.rest.balance_*` (test rigs; a run goes through
    /// [`build_stage`], and a caller can add it with [`super::startup::start`] and
    /// [`ExecStage::set_truth`]).
    pub fn rest_with_credentials(
        cfg: &Config,
        creds: &[ApiSecret],
        rx: RingRx<Opportunity>,
        clock: Clock,
        kill: KillSwitch,
        reg: &mut Registry,
    ) -> Result<ExecStage<RestRouter>, ExecBuildError> {
        let p = ExecParams::from_config(cfg)?;
        let gw = connected_router(cfg, creds, clock)?;
        ExecStage::new(p, rx, gw, clock, kill, reg)
    }
}
