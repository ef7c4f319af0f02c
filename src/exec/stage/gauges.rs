//! The execution stage's state gauges for the `/metrics` endpoint: the kill switch, each venue's
//! breaker, each rate-limit group's token use and rate, balances, open notional, residual
//! positions and the wait queue (families in [`crate::telemetry::gauges`]).
//!
//! Registered on the cold path (one series per venue, asset and configured limit group, so the
//! series set is fixed by the config). [`ExecGauges::publish`] runs at the stage's telemetry flush,
//! once per interval, and is a relaxed store per series; the only per-event work is
//! [`ExecGauges::on_residual`], an add into a fixed table when an arbitrage ends unhedged.

use crate::base::breaker::{Breaker, BreakerState};
use crate::base::Gauge;
use crate::exec::guards::risk::{AssetId, Risk, MAX_ASSETS};
use crate::exec::guards::KillSwitch;
use crate::exec::limits::{EndpointGroup, Gcra, Zero429};
use crate::exec::params::ExecNames;
use crate::model::{InstrumentId, Opportunity, VenueId, MAX_VENUES};
use crate::telemetry::gauges::{
    BALANCE, BREAKER_STATE, KILL_SWITCH, OPEN_NOTIONAL, QUEUE_CAPACITY, QUEUE_DEPTH, RATE_RATIO,
    RESIDUAL, TOKEN_USE,
};
use crate::telemetry::Registry;

/// The `queue` label of the rate-limit wait queue.
pub(super) const WAIT_QUEUE: &str = "exec_wait";

/// Breaker states in gauge order, with their label values (as the transition counters name them).
const STATES: [(BreakerState, &str); 3] = [
    (BreakerState::Closed, "closed"),
    (BreakerState::HalfOpen, "half_open"),
    (BreakerState::Open, "open"),
];

struct LimitGauges {
    venue: usize,
    group: EndpointGroup,
    use_ratio: Gauge,
    rate_ratio: Gauge,
}

pub(super) struct ExecGauges {
    kill: Gauge,
    waiting: Gauge,
    breakers: Vec<[Gauge; 3]>,
    limits: Vec<LimitGauges>,
    /// (venue, asset, gauge) for every venue and asset.
    balances: Vec<(VenueId, AssetId, Gauge)>,
    residuals: Vec<(VenueId, AssetId, Gauge)>,
    open: Vec<(AssetId, Gauge)>,
    /// Unhedged base per `venue * assets + asset`, at the asset's scale.
    residual: Vec<i64>,
    /// Assets per venue row of `residual`.
    assets: usize,
}

impl ExecGauges {
    /// Register every series. Cold path: allocates.
    pub(super) fn register(
        reg: &mut Registry,
        names: &ExecNames,
        limits: &[Zero429],
        wait_capacity: usize,
    ) -> ExecGauges {
        let venues = names.venues.len().min(limits.len()).min(MAX_VENUES);
        let assets = names.assets.len().min(MAX_ASSETS);
        let capacity = reg.gauge(QUEUE_CAPACITY, &[("queue", WAIT_QUEUE)]);
        capacity.set(i64::try_from(wait_capacity).unwrap_or(i64::MAX));
        let mut g = ExecGauges {
            kill: reg.gauge(KILL_SWITCH, &[]),
            waiting: reg.gauge(QUEUE_DEPTH, &[("queue", WAIT_QUEUE)]),
            breakers: Vec::with_capacity(venues),
            limits: Vec::new(),
            balances: Vec::with_capacity(venues * assets),
            residuals: Vec::with_capacity(venues * assets),
            open: Vec::new(),
            residual: vec![0; venues * assets],
            assets,
        };
        for (v, venue) in names.venues.iter().take(venues).enumerate() {
            g.breakers.push(
                STATES.map(|(_, s)| reg.gauge(BREAKER_STATE, &[("venue", venue), ("state", s)])),
            );
            for group in EndpointGroup::ALL {
                if limits[v].gcra(group).is_none() {
                    continue;
                }
                let l = [("venue", venue.as_str()), ("group", group.name())];
                g.limits.push(LimitGauges {
                    venue: v,
                    group,
                    use_ratio: reg.gauge(TOKEN_USE, &l),
                    rate_ratio: reg.gauge(RATE_RATIO, &l),
                });
            }
            for (a, asset) in names.assets.iter().take(assets).enumerate() {
                let (vid, aid) = (VenueId(v as u8), AssetId(a as u16));
                let l = [("venue", venue.as_str()), ("asset", asset.as_str())];
                g.balances.push((vid, aid, reg.gauge(BALANCE, &l)));
                g.residuals.push((vid, aid, reg.gauge(RESIDUAL, &l)));
            }
        }
        for (a, asset) in names.assets.iter().take(assets).enumerate() {
            g.open.push((
                AssetId(a as u16),
                reg.gauge(OPEN_NOTIONAL, &[("asset", asset)]),
            ));
        }
        g
    }

    /// An arbitrage of `opp` finished with `net` (bought - sold, at the instrument's quantity
    /// scale) left over: long on the buy venue when positive, short on the sell venue when
    /// negative. A fixed-table add; nothing allocates.
    pub(super) fn on_residual(&mut self, risk: &Risk, opp: &Opportunity, net: i64) {
        let Some((asset, amount)) = to_base_asset(risk, opp.instrument, net) else {
            return;
        };
        if usize::from(asset.0) >= self.assets {
            return;
        }
        let venue = if net > 0 {
            opp.buy_venue
        } else {
            opp.sell_venue
        };
        if let Some(r) = self
            .residual
            .get_mut(venue.index() * self.assets + usize::from(asset.0))
        {
            *r = r.saturating_add(amount);
        }
    }

    /// Store every gauge's current value (the stage's telemetry flush).
    pub(super) fn publish(
        &self,
        now_ns: u64,
        kill: &KillSwitch,
        breakers: &[Breaker],
        limits: &[Zero429],
        risk: &Risk,
        waiting: usize,
    ) {
        self.kill.set(i64::from(kill.is_on()));
        self.waiting.set(i64::try_from(waiting).unwrap_or(i64::MAX));
        for (gauges, b) in self.breakers.iter().zip(breakers) {
            let state = b.state();
            for (g, (s, _)) in gauges.iter().zip(STATES) {
                g.set(i64::from(state == s));
            }
        }
        for l in &self.limits {
            if let Some(gcra) = limits.get(l.venue).and_then(|z| z.gcra(l.group)) {
                l.use_ratio.set(token_use_ppm(gcra, now_ns));
                l.rate_ratio.set(i64::from(gcra.ratio().0));
            }
        }
        for (v, a, g) in &self.balances {
            g.set(risk.balance(*v, *a));
        }
        for (v, a, g) in &self.residuals {
            g.set(self.residual[v.index() * self.assets + usize::from(a.0)]);
        }
        for (a, g) in &self.open {
            g.set(risk.open_notional(*a));
        }
    }
}

/// Share of `g`'s effective burst in use at `now_ns`, in parts per million: the tokens its TAT
/// runs ahead of now (`ceil((TAT - now) / T)`, at most the burst) over the burst.
pub(super) fn token_use_ppm(g: &Gcra, now_ns: u64) -> i64 {
    let burst = u64::from(g.burst().max(1));
    let ahead = g.tat_ns.saturating_sub(now_ns);
    let used = ahead.div_ceil(g.emission_interval_ns.max(1)).min(burst);
    (used * 1_000_000 / burst) as i64
}

/// `qty` of `instrument` (its quantity scale) as its base asset and an amount at that asset's
/// scale, rounded toward zero.
fn to_base_asset(risk: &Risk, instrument: InstrumentId, qty: i64) -> Option<(AssetId, i64)> {
    let r = risk.instrument_risk(instrument)?;
    let (from, to) = (r.qty_scale, risk.asset_scale(r.base));
    let q = i128::from(qty);
    let v = if to >= from {
        q.checked_mul(10i128.checked_pow(u32::from(to - from))?)?
    } else {
        q / 10i128.checked_pow(u32::from(from - to))?
    };
    Some((r.base, i64::try_from(v).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn token_use_counts_the_tokens_the_tat_runs_ahead() {
        let mut g = Gcra::new(100 * MS, 4).unwrap();
        let t0 = 10_000 * MS;
        assert_eq!(token_use_ppm(&g, t0), 0);
        g.check(t0).unwrap();
        assert_eq!(token_use_ppm(&g, t0), 250_000);
        for _ in 0..3 {
            g.check(t0).unwrap();
        }
        assert!(g.check(t0).is_err());
        assert_eq!(token_use_ppm(&g, t0), 1_000_000);
        // One interval later one token is back; a part of an interval does not give one.
        assert_eq!(token_use_ppm(&g, t0 + 100 * MS), 750_000);
        assert_eq!(token_use_ppm(&g, t0 + 150 * MS), 750_000);
        assert_eq!(token_use_ppm(&g, t0 + 10_000 * MS), 0);
    }
}
