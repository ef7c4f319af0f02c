//! [`TickTable`]: an instrument's price steps on one venue as price mantissas, and the rounding of
//! a limit price onto them.
//!
//! Most venues have one tick at every price (Binance `PRICE_FILTER.tickSize`, Bybit `tickSize`,
//! OKX `tickSz`); Upbit's KRW and USDT markets step by price band. Both are a table here: bands
//! highest first, a fixed tick being one band from zero. The table is `Copy` and fixed-size, built
//! on the cold path (`super::convert`), and read on the hot path with integer arithmetic only.
//!
//! Rounding ([`TickTable::limit`]): a buy limit is `floor_tick(ask * (1 + slippage))`, a sell limit
//! `ceil_tick(bid * (1 - slippage))`. So a limit is always on tick and never beyond the slippage
//! buffer (a buy never pays more than the widened ask, a sell never takes less than the narrowed
//! bid), and as the venue's own ask and bid are on tick, never inside the touch either: the buy
//! stays at or above the ask, the sell at or below the bid.

use crate::exec::orders::legs::widen;
use crate::model::{Bps, Price, Side};

/// Most price bands a table holds (Upbit's KRW table has 9, its USDT one 7).
pub const MAX_BANDS: usize = 12;

/// One band: from `from` (inclusive, price mantissa) up to the next higher band, prices step by
/// `tick` (price mantissa, at least 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Band {
    /// Lowest price of the band.
    pub from: i64,
    /// Its tick.
    pub tick: i64,
}

/// An instrument's ticks on one venue, highest band first; a price below every band has no tick
/// (the venue's table does not say it, so no order is priced there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TickTable {
    bands: [Band; MAX_BANDS],
    len: u8,
}

impl TickTable {
    /// One tick at every price (`tick` >= 1: clamped up, a tick below one mantissa unit is one).
    pub const fn fixed(tick: i64) -> TickTable {
        let mut bands = [Band { from: 0, tick: 1 }; MAX_BANDS];
        bands[0].tick = if tick < 1 { 1 } else { tick };
        TickTable { bands, len: 1 }
    }

    /// Bands, highest `from` first. `None` when empty, more than [`MAX_BANDS`], not strictly
    /// descending, or a tick below 1: a table that cannot be read unambiguously is not used.
    pub fn bands(list: &[Band]) -> Option<TickTable> {
        if list.is_empty() || list.len() > MAX_BANDS {
            return None;
        }
        let ordered = list.windows(2).all(|w| w[0].from > w[1].from);
        if !ordered || list.iter().any(|b| b.tick < 1 || b.from < 0) {
            return None;
        }
        let mut bands = [Band::default(); MAX_BANDS];
        bands[..list.len()].copy_from_slice(list);
        Some(TickTable {
            bands,
            len: list.len() as u8,
        })
    }

    /// The bands, highest first.
    pub fn as_slice(&self) -> &[Band] {
        &self.bands[..usize::from(self.len)]
    }

    /// The tick at `px`: that of the first band (highest first) whose `from` it reaches.
    #[inline]
    pub fn tick_at(&self, px: i64) -> Option<i64> {
        self.as_slice()
            .iter()
            .find(|b| px >= b.from)
            .map(|b| b.tick)
    }

    /// Whether `px` is a positive price on the tick its band has.
    #[inline]
    pub fn is_on_tick(&self, px: i64) -> bool {
        px > 0 && self.tick_at(px).is_some_and(|t| px % t == 0)
    }

    /// `px` rounded down onto the tick (`None`: no tick there, or the result is not positive or
    /// not on its own band's tick).
    #[inline]
    pub fn floor(&self, px: i64) -> Option<i64> {
        let t = self.tick_at(px)?;
        let p = px - px.rem_euclid(t);
        self.is_on_tick(p).then_some(p)
    }

    /// `px` rounded up onto the tick: when that crosses into a higher band whose tick the result
    /// is not on, up once more onto that band's (`None`: no tick there, overflow, or still off).
    #[inline]
    pub fn ceil(&self, px: i64) -> Option<i64> {
        let mut p = px;
        for _ in 0..2 {
            let t = self.tick_at(p)?;
            let r = p.rem_euclid(t);
            if r == 0 {
                return (p > 0).then_some(p);
            }
            p = p.checked_add(t - r)?;
        }
        self.is_on_tick(p).then_some(p)
    }

    /// `px` onto the tick toward the side's better price: down for a buy, up for a sell. Used
    /// for a bound that must not be crossed (an unwind's worst price, a widened limit).
    #[inline]
    pub fn toward_better(&self, px: i64, side: Side) -> Option<i64> {
        match side {
            Side::Buy => self.floor(px),
            Side::Sell => self.ceil(px),
        }
    }

    /// The limit for a leg that takes `touch` (the ask for a buy, the bid for a sell), widened by
    /// `slippage` (buy up, sell down) and rounded onto the tick inside the buffer. `None`: no tick
    /// covers the price, so the leg cannot be priced.
    #[inline]
    pub fn limit(&self, touch: Price, slippage: Bps, side: Side) -> Option<Price> {
        let buy = side == Side::Buy;
        // Widen rounding inside the buffer (buy down, sell up), then the tick does the same.
        let wide = widen(touch, slippage, buy, !buy);
        self.toward_better(wide.0, side).map(Price)
    }
}
