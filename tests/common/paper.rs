//! A harness for the execution stage on a fake clock: the demo config's venues, the paper gateway,
//! a ring to push opportunities into, and the registry's counters to read outcomes from.
#![allow(dead_code)]

pub use super::rig::*;

use microarb::config::Config;
use microarb::exec::gateway::PaperGateway;
use microarb::exec::params::ExecParams;
use microarb::model::{Opportunity, Qty, VenueId};
use microarb::runtime::Stage;

pub const MS: u64 = 1_000_000;
pub const US: u64 = 1_000;

pub const BINANCE: VenueId = VenueId(0);
pub const BYBIT: VenueId = VenueId(1);
pub const OKX: VenueId = VenueId(2);
pub const UPBIT: VenueId = VenueId(3);

/// The stage over the paper venue.
pub type Harness = ExecRig<PaperGateway>;

/// The demo config with `edit` applied to its fields.
pub fn config(edit: impl FnOnce(&mut Config)) -> Config {
    super::config::demo_with(edit)
}

/// A harness on `cfg`, with `edit` applied to the parameters (short timeouts by default).
pub fn harness_with(cfg: &Config, edit: impl FnOnce(&mut ExecParams)) -> Harness {
    let mut p = ExecParams::from_config(cfg).unwrap();
    p.order_timeout_ns = 5 * MS;
    p.status_query_ns = MS;
    edit(&mut p);
    let gw = PaperGateway::new(p.paper.clone());
    exec_rig(p, gw, 1024, 1_000 * MS)
}

/// A harness on the demo config with `edit` applied to its fields.
pub fn harness(edit: impl FnOnce(&mut Config)) -> Harness {
    harness_with(&config(edit), |_| {})
}

impl ExecRig<PaperGateway> {
    /// An opportunity buying 1 BTC at 100 on `buy` and selling at 101 on `sell`, alive for 100 ms.
    pub fn opp(&mut self, buy: VenueId, sell: VenueId, net_bps: i64) -> Opportunity {
        self.opp_with((buy, sell), Qty(ONE), (net_bps + 20, net_bps), 100 * MS)
    }

    /// Push an opportunity and poll once at the current time.
    pub fn feed(&mut self, o: Opportunity) {
        self.tx.push(o, 0).expect("ring has room");
        self.fed += 1;
        self.stage.poll(self.now);
    }
}
