//! Pre-trade risk: the cheapest refusals, asked first for every opportunity.
//!
//! Checked in this order (the first that fails names the reject reason):
//! 1. kill switch on -> `KillSwitch` (the flag is set by a signal, a file watcher or a command on the
//!    cold side and handed to the stage; here it is a plain bool);
//! 2. realized loss at or past `max_loss` -> `RiskLimit` (the caller reports P&L in one accounting
//!    unit of its choice, e.g. 1e-8 USD, because venues quote in different currencies);
//! 3. a leg's venue halted by a balance mismatch ([`Risk::halt`], venue truth) -> `RiskLimit`;
//!    a leg's venue paused for lack of balance -> `InsufficientBalance`;
//! 4. unknown instrument, or buy notional above the instrument's `max_order_notional` -> `RiskLimit`;
//! 5. open notional in the quote asset plus this one above that asset's `max_open_notional` ->
//!    `RiskLimit`;
//! 6. quote balance on the buy venue or base balance on the sell venue short -> `InsufficientBalance`,
//!    and that venue is paused until a balance update or [`Risk::resume`] (a venue that was short once
//!    will be short again on the next tick; pausing saves the round trip).
//!
//! Money stays fixed-point: balances are `i64` mantissas at each asset's scale; notionals are taken in
//! `i128` at `price_scale + qty_scale` and rescaled to the asset's scale, rounding *up* what we need
//! and *down* what we have. Tables are sized at construction; checks and updates allocate nothing.
//! Fees are not reserved here: the caller's balances should carry its fee buffer.

pub use crate::model::MAX_ASSETS;
use crate::model::{
    notional, InstrumentId, Opportunity, Price, Qty, RejectReason, Side, VenueId, MAX_INSTRUMENTS,
    MAX_VENUES,
};
use thiserror::Error;

/// An asset's index (BTC, USDT, KRW, ...), assigned by the config layer
/// ([`crate::model::assign_assets`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AssetId(pub u16);

/// What risk needs to know about an instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstrumentRisk {
    /// The asset bought and sold.
    pub base: AssetId,
    /// The asset it is priced in.
    pub quote: AssetId,
    /// The instrument's price scale.
    pub price_scale: u8,
    /// The instrument's quantity scale.
    pub qty_scale: u8,
    /// Largest notional of one leg, mantissa at `price_scale + qty_scale`.
    pub max_order_notional: i128,
}

/// Set-up errors (cold path).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum RiskConfigError {
    /// An id beyond the fixed tables.
    #[error("{what} id {id} is beyond the table size {max}")]
    OutOfRange {
        /// Which table.
        what: &'static str,
        /// The id.
        id: usize,
        /// The table size.
        max: usize,
    },
    /// A scale above 18 cannot be rescaled in an i128 safely.
    #[error("scale {0} is above 18")]
    Scale(u8),
}

/// A fill or balance update that could not be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum RiskUpdateError {
    /// The instrument has no risk entry.
    #[error("instrument {0:?} is not configured")]
    UnknownInstrument(InstrumentId),
    /// An id beyond the tables.
    #[error("venue {0:?} or asset out of range")]
    OutOfRange(VenueId),
    /// The amount does not fit an i64 at the asset's scale.
    #[error("amount overflows the asset's i64 mantissa")]
    Overflow,
}

/// The risk book for one execution stage.
#[derive(Debug, Clone)]
pub struct Risk {
    instruments: Vec<Option<InstrumentRisk>>,
    asset_scale: Vec<u8>,
    max_open: Vec<i64>,
    open: Vec<i64>,
    /// Per `venue * assets + asset`.
    balances: Vec<i64>,
    paused: Vec<bool>,
    halted: Vec<bool>,
    /// Table sizes: venues and assets (instruments is `instruments.len()`).
    venues: usize,
    assets: usize,
    pnl: i64,
    max_loss: i64,
    kill: bool,
}

/// `v` at `from` decimals -> `to` decimals; `up` rounds away from zero, else toward zero.
fn rescale(v: i128, from: u8, to: u8, up: bool) -> Option<i64> {
    let r = if to >= from {
        v.checked_mul(10i128.checked_pow(u32::from(to - from))?)?
    } else {
        let d = 10i128.checked_pow(u32::from(from - to))?;
        let q = v / d;
        if up && v % d != 0 {
            q + v.signum()
        } else {
            q
        }
    };
    i64::try_from(r).ok()
}

impl Risk {
    /// An empty book with room for every id up to the caps ([`MAX_INSTRUMENTS`], [`MAX_VENUES`],
    /// [`MAX_ASSETS`]): no instruments, zero balances, loss limit `max_loss` (> 0, accounting
    /// unit). For tests and tools; the engine sizes its book from the config with [`Risk::sized`].
    pub fn new(max_loss: i64) -> Risk {
        Risk::sized(max_loss, MAX_INSTRUMENTS, MAX_VENUES, MAX_ASSETS)
    }

    /// An empty book for exactly `instruments`, `venues` and `assets` ids (each at most its cap),
    /// so its balance table is `venues x assets` and never grows. Allocates its tables here, once.
    pub fn sized(max_loss: i64, instruments: usize, venues: usize, assets: usize) -> Risk {
        let (instruments, venues, assets) = (
            instruments.min(MAX_INSTRUMENTS),
            venues.min(MAX_VENUES),
            assets.min(MAX_ASSETS),
        );
        Risk {
            instruments: vec![None; instruments],
            asset_scale: vec![8; assets],
            max_open: vec![0; assets],
            open: vec![0; assets],
            balances: vec![0; venues * assets],
            paused: vec![false; venues],
            halted: vec![false; venues],
            venues,
            assets,
            pnl: 0,
            max_loss,
            kill: false,
        }
    }

    /// Declare an asset: its scale and the most notional that may be open in it (as a quote asset).
    pub fn set_asset(
        &mut self,
        asset: AssetId,
        scale: u8,
        max_open_notional: i64,
    ) -> Result<(), RiskConfigError> {
        let i = usize::from(asset.0);
        if i >= self.assets {
            return Err(RiskConfigError::OutOfRange {
                what: "asset",
                id: i,
                max: self.assets,
            });
        }
        if scale > 18 {
            return Err(RiskConfigError::Scale(scale));
        }
        self.asset_scale[i] = scale;
        self.max_open[i] = max_open_notional;
        Ok(())
    }

    /// Declare an instrument.
    pub fn set_instrument(
        &mut self,
        id: InstrumentId,
        r: InstrumentRisk,
    ) -> Result<(), RiskConfigError> {
        for a in [r.base, r.quote] {
            if usize::from(a.0) >= self.assets {
                return Err(RiskConfigError::OutOfRange {
                    what: "asset",
                    id: a.0.into(),
                    max: self.assets,
                });
            }
        }
        if r.price_scale > 18 || r.qty_scale > 18 {
            return Err(RiskConfigError::Scale(r.price_scale.max(r.qty_scale)));
        }
        let max = self.instruments.len();
        let slot = self
            .instruments
            .get_mut(id.index())
            .ok_or(RiskConfigError::OutOfRange {
                what: "instrument",
                id: id.index(),
                max,
            })?;
        *slot = Some(r);
        Ok(())
    }

    /// Set a balance (from a venue's account snapshot); un-pauses the venue.
    pub fn set_balance(
        &mut self,
        venue: VenueId,
        asset: AssetId,
        amount: i64,
    ) -> Result<(), RiskUpdateError> {
        let i = self
            .slot(venue, asset)
            .ok_or(RiskUpdateError::OutOfRange(venue))?;
        self.balances[i] = amount;
        self.paused[venue.index()] = false;
        Ok(())
    }

    /// A balance, mantissa at the asset's scale (0 for ids out of range).
    pub fn balance(&self, venue: VenueId, asset: AssetId) -> i64 {
        self.slot(venue, asset).map_or(0, |i| self.balances[i])
    }

    /// Turn the kill switch on or off.
    pub fn set_kill_switch(&mut self, on: bool) {
        self.kill = on;
    }

    /// Add realized P&L (accounting unit; negative for a loss).
    pub fn on_pnl(&mut self, delta: i64) {
        self.pnl = self.pnl.saturating_add(delta);
    }

    /// Un-pause a venue by hand.
    pub fn resume(&mut self, venue: VenueId) {
        if let Some(p) = self.paused.get_mut(venue.index()) {
            *p = false;
        }
    }

    /// Stop trading on `venue` for the rest of the run: its reported balance contradicts what the
    /// engine's own fills predict (a balance mismatch), so neither figure can be trusted. Unlike
    /// a pause for lack of balance, no balance update lifts it.
    pub fn halt(&mut self, venue: VenueId) {
        if let Some(h) = self.halted.get_mut(venue.index()) {
            *h = true;
        }
    }

    /// Whether a venue is halted by a balance mismatch ([`Risk::halt`]).
    pub fn is_halted(&self, venue: VenueId) -> bool {
        self.halted.get(venue.index()).copied().unwrap_or(true)
    }

    /// Whether a venue is paused for lack of balance.
    pub fn is_paused(&self, venue: VenueId) -> bool {
        self.paused.get(venue.index()).copied().unwrap_or(true)
    }

    /// May this opportunity be executed? See the module doc for the order of the checks. A venue
    /// without the balance a leg needs is paused until its balance is set again.
    pub fn check(&mut self, opp: &Opportunity) -> Result<(), RejectReason> {
        self.assess(opp).map_err(|(reason, pause)| {
            if let Some(v) = pause {
                self.paused[v.index()] = true;
            }
            reason
        })
    }

    /// [`check`](Self::check) without its one effect: the reason, and the venue a short balance
    /// would pause. Reads only (the execution stage's warm-up runs it between real orders).
    #[inline]
    pub fn assess(&self, opp: &Opportunity) -> Result<(), (RejectReason, Option<VenueId>)> {
        let plain = |r: RejectReason| (r, None);
        if self.kill {
            return Err(plain(RejectReason::KillSwitch));
        }
        if self.pnl <= -self.max_loss {
            return Err(plain(RejectReason::RiskLimit));
        }
        if self.is_halted(opp.buy_venue) || self.is_halted(opp.sell_venue) {
            return Err(plain(RejectReason::RiskLimit));
        }
        if self.is_paused(opp.buy_venue) || self.is_paused(opp.sell_venue) {
            return Err(plain(RejectReason::InsufficientBalance));
        }
        let r = self
            .instrument(opp.instrument)
            .ok_or(plain(RejectReason::RiskLimit))?;
        let buy_notional = notional(opp.buy_px, opp.qty);
        if buy_notional > r.max_order_notional || buy_notional < 0 || opp.qty.0 <= 0 {
            return Err(plain(RejectReason::RiskLimit));
        }
        let q = usize::from(r.quote.0);
        let cost = rescale(
            buy_notional,
            r.price_scale + r.qty_scale,
            self.asset_scale[q],
            true,
        )
        .ok_or(plain(RejectReason::RiskLimit))?;
        if self.open[q].saturating_add(cost) > self.max_open[q] {
            return Err(plain(RejectReason::RiskLimit));
        }
        let base_scale = self.asset_scale[usize::from(r.base.0)];
        let base_need = rescale(i128::from(opp.qty.0), r.qty_scale, base_scale, true)
            .ok_or(plain(RejectReason::RiskLimit))?;
        if self.balance(opp.buy_venue, r.quote) < cost {
            return Err((RejectReason::InsufficientBalance, Some(opp.buy_venue)));
        }
        if self.balance(opp.sell_venue, r.base) < base_need {
            return Err((RejectReason::InsufficientBalance, Some(opp.sell_venue)));
        }
        Ok(())
    }

    /// Count an accepted opportunity's buy notional as open until [`Risk::close`].
    pub fn open(&mut self, opp: &Opportunity) {
        if let Some((q, cost)) = self.open_cost(opp) {
            self.open[q] = self.open[q].saturating_add(cost);
        }
    }

    /// Its legs reached a final state: the notional is no longer open.
    pub fn close(&mut self, opp: &Opportunity) {
        if let Some((q, cost)) = self.open_cost(opp) {
            self.open[q] = self.open[q].saturating_sub(cost).max(0);
        }
    }

    /// Open notional in a quote asset.
    pub fn open_notional(&self, asset: AssetId) -> i64 {
        self.open.get(usize::from(asset.0)).copied().unwrap_or(0)
    }

    /// A fill: moves base and quote balances on `venue`; `fee` is in the quote asset's mantissa and
    /// always paid.
    pub fn on_fill(
        &mut self,
        venue: VenueId,
        instrument: InstrumentId,
        side: Side,
        px: Price,
        qty: Qty,
        fee: i64,
    ) -> Result<(), RiskUpdateError> {
        let r = self
            .instrument(instrument)
            .ok_or(RiskUpdateError::UnknownInstrument(instrument))?;
        let (qs, bs) = (
            self.asset_scale[usize::from(r.quote.0)],
            self.asset_scale[usize::from(r.base.0)],
        );
        let n = notional(px, qty);
        let bq = self
            .slot(venue, r.base)
            .ok_or(RiskUpdateError::OutOfRange(venue))?;
        let qq = self
            .slot(venue, r.quote)
            .ok_or(RiskUpdateError::OutOfRange(venue))?;
        // What we pay rounds up, what we receive rounds down.
        let (d_base, d_quote) = match side {
            Side::Buy => (
                rescale(i128::from(qty.0), r.qty_scale, bs, false),
                rescale(n, r.price_scale + r.qty_scale, qs, true).map(|c| -c),
            ),
            Side::Sell => (
                rescale(i128::from(qty.0), r.qty_scale, bs, true).map(|c| -c),
                rescale(n, r.price_scale + r.qty_scale, qs, false),
            ),
        };
        let (d_base, d_quote) = (
            d_base.ok_or(RiskUpdateError::Overflow)?,
            d_quote.ok_or(RiskUpdateError::Overflow)?,
        );
        let nb = self.balances[bq]
            .checked_add(d_base)
            .ok_or(RiskUpdateError::Overflow)?;
        let nq = self.balances[qq]
            .checked_add(d_quote)
            .and_then(|v| v.checked_sub(fee))
            .ok_or(RiskUpdateError::Overflow)?;
        self.balances[bq] = nb;
        self.balances[qq] = nq;
        Ok(())
    }

    /// An instrument's risk entry (its base and quote asset and scales), if configured.
    pub fn instrument_risk(&self, id: InstrumentId) -> Option<InstrumentRisk> {
        self.instrument(id)
    }

    /// An asset's scale (decimal places of its balances and notionals).
    pub fn asset_scale(&self, asset: AssetId) -> u8 {
        self.asset_scale
            .get(usize::from(asset.0))
            .copied()
            .unwrap_or(8)
    }

    fn instrument(&self, id: InstrumentId) -> Option<InstrumentRisk> {
        self.instruments.get(id.index()).copied().flatten()
    }

    fn open_cost(&self, opp: &Opportunity) -> Option<(usize, i64)> {
        let r = self.instrument(opp.instrument)?;
        let q = usize::from(r.quote.0);
        let cost = rescale(
            notional(opp.buy_px, opp.qty),
            r.price_scale + r.qty_scale,
            self.asset_scale[q],
            true,
        )?;
        Some((q, cost))
    }

    fn slot(&self, venue: VenueId, asset: AssetId) -> Option<usize> {
        (venue.index() < self.venues && usize::from(asset.0) < self.assets)
            .then(|| venue.index() * self.assets + usize::from(asset.0))
    }
}

#[cfg(test)]
#[path = "risk_tests.rs"]
mod tests;
