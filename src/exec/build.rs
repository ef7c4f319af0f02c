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
/// every venue's instrument rules read and every venue connected before it returns).
pub fn build_stage(
    cfg: &Config,
    rx: RingRx<Opportunity>,
    clock: Clock,
    kill: KillSwitch,
    reg: &mut Registry,
) -> Result<ExecStage<AnyGateway>, ExecBuildError> {
    let mut p = ExecParams::from_config(cfg)?;
    let gw = match cfg.execution.gateway {
        GatewayKind::Paper => AnyGateway::Paper(Box::new(PaperGateway::new(p.paper.clone()))),
        GatewayKind::Rest => {
            let creds = load_credentials(cfg)?;
            super::startup::rules::load_and_report(cfg, &creds, &mut p)?;
            AnyGateway::Rest(connected_router(cfg, &creds, clock)?)
        }
    };
    ExecStage::new(p, rx, gw, clock, kill, reg)
}

impl ExecStage<RestRouter> {
    /// The stage on the REST gateways with credentials the caller loaded (`creds[i]` for
    /// `venues[i]`), connected ([`connected_router`]). Its trading rules are the config's, as on
    /// paper: the venues' are read by [`build_stage`] (or by the caller, with
    /// [`crate::exec::startup::rules::load`]).
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
