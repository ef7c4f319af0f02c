//! The one scripted test gateway, shared by the exec and reliability tests: the execution stage
//! on the paper venue behind a gateway that logs every request it forwards (venue, time, order),
//! so a test can check from the venue's side what the stage sent and when (e.g. "never more than
//! Upbit's limit in any 1 s window", "nothing sent while the breaker was open"), and the
//! accounting checks every scenario ends with.
//!
//! It is the fake-clock rig of the reliability scenarios (each also runs over the mock exchange's
//! REST endpoints, which enforce the limits themselves): the paper venue enforces nothing, so the
//! limits are checked on the log of send times.

pub use super::rig::*;

use microarb::config::Config;
use microarb::exec::gateway::{Gateway, GatewayEvent, PaperGateway, SubmitError};
use microarb::exec::params::ExecParams;
use microarb::exec::AssetId;
use microarb::model::{Opportunity, Order, OrderId, Qty, VenueId};

pub const MS: u64 = 1_000_000;
pub const SEC: u64 = 1_000_000_000;
/// One request the venue received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// Where it went.
    pub venue: VenueId,
    /// When (the stage's `now_ns`).
    pub at_ns: u64,
    /// Which order.
    pub order: OrderId,
}

/// The paper venue, logging every order and status query it is sent.
pub struct Logged {
    pub inner: PaperGateway,
    pub orders: Vec<Sent>,
    pub queries: Vec<Sent>,
}

impl Gateway for Logged {
    fn name(&self) -> &'static str {
        "paper-logged"
    }
    fn on_market(&mut self, opp: &Opportunity, now_ns: u64) {
        self.inner.on_market(opp, now_ns)
    }
    fn on_quote(&mut self, q: &microarb::model::Quote) {
        self.inner.on_quote(q)
    }
    fn stage(&mut self, order: &Order, now_ns: u64) -> Result<(), SubmitError> {
        self.inner.stage(order, now_ns)?;
        self.orders.push(Sent {
            venue: order.venue,
            at_ns: now_ns,
            order: order.id,
        });
        Ok(())
    }
    fn stage_query(
        &mut self,
        order: OrderId,
        venue: VenueId,
        now_ns: u64,
    ) -> Result<(), SubmitError> {
        self.inner.stage_query(order, venue, now_ns)?;
        self.queries.push(Sent {
            venue,
            at_ns: now_ns,
            order,
        });
        Ok(())
    }
    fn discard(&mut self) {
        self.inner.discard()
    }
    fn send(&mut self, now_ns: u64) -> usize {
        self.inner.send(now_ns)
    }
    fn poll(&mut self, now_ns: u64, out: &mut [GatewayEvent]) -> usize {
        self.inner.poll(now_ns, out)
    }
}

/// The stage on a fake clock over the logged paper venue.
pub type Rig = ExecRig<Logged>;

/// The demo config (four venues: binance 0, bybit 1, okx 2, upbit 3).
pub fn demo_config() -> Config {
    super::config::demo()
}

/// A rig on the demo config with `edit` applied to the parameters.
pub fn rig(edit: impl FnOnce(&mut ExecParams)) -> Rig {
    let mut p = ExecParams::from_config(&demo_config()).expect("demo params");
    edit(&mut p);
    let gw = Logged {
        inner: PaperGateway::new(p.paper.clone()),
        orders: Vec::new(),
        queries: Vec::new(),
    };
    exec_rig(p, gw, 4096, SEC)
}

impl ExecRig<Logged> {
    /// An opportunity buying 0.01 unit at 100 on `buy`, selling at 101 on `sell`, alive `ttl_ns`.
    pub fn opp(&mut self, buy: VenueId, sell: VenueId, ttl_ns: u64) -> Opportunity {
        self.opp_with((buy, sell), Qty(ONE / 100), (100, 80), ttl_ns)
    }

    /// Push one opportunity (without polling). False when the ring is full (counted by the ring).
    pub fn push(&mut self, o: Opportunity) -> bool {
        if self.tx.push(o, 0).is_ok() {
            self.fed += 1;
            true
        } else {
            false
        }
    }

    /// The accounting invariant and its companions, once the stage is idle: every opportunity fed
    /// ended exactly once, every slot came back, nothing is left open, every order the venue saw
    /// was sent (and counted) by the stage.
    pub fn check_accounting(&mut self) {
        assert!(self.stage.is_idle(), "check only once idle");
        self.flush();
        super::accounting::check_stage(&self.stage, |n| self.count(n), self.fed);
        let orders = self.stage.gateway_mut().orders.len() as u64;
        assert_eq!(orders, self.count("exec.orders_sent"));
        assert_eq!(
            self.stage.gateway_mut().inner.counters().orders,
            self.count("exec.orders_sent")
        );
    }
}

/// The most of `times` (sorted or not) that fall in any half-open window `[t, t + w)`.
pub fn max_in_window(times: &[u64], w_ns: u64) -> usize {
    let mut t = times.to_vec();
    t.sort_unstable();
    let mut best = 0;
    let mut lo = 0;
    for hi in 0..t.len() {
        while t[hi] - t[lo] >= w_ns {
            lo += 1;
        }
        best = best.max(hi - lo + 1);
    }
    best
}

/// Send times of one venue's orders.
pub fn send_times(sent: &[Sent], venue: VenueId) -> Vec<u64> {
    sent.iter()
        .filter(|s| s.venue == venue)
        .map(|s| s.at_ns)
        .collect()
}
