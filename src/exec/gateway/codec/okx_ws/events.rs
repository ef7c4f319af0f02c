//! The private channels' pushes ([`super::Push`]`::data`): `orders` (an order's every change,
//! each trade with its fee) and `account` (balances).
//!
//! OKX v5 "WebSocket / Order channel": each `data` element is an order with `instId`, `ordId`,
//! `clOrdId`, `state` (`live`, `partially_filled`, `filled`, `canceled`, `mmp_canceled`),
//! `accFillSz` and `avgPx` (cumulative) and, when the push reports a trade, `tradeId`, `fillPx`,
//! `fillSz`, `fillFee` (negative when charged, as on REST) and `fillFeeCcy`, and the order's
//! cumulative `fee` / `feeCcy`; all strings, empty when not applicable. "Account channel": `data[0].details[]` with `ccy`, `availBal`, `cashBal`,
//! `frozenBal`. Everything is borrowed from the frame; figures are decoded at the instrument's
//! scales by the caller's spec, so reading allocates nothing.

use crate::base::scan::{parse_u64, str_content, ArrIter, ObjIter, ScanError};
use crate::model::{ExecStatus, Fee, OrderId, Price, Qty, VenueOrderId};

use super::super::answer::{parse_wide, InstrumentSpec};
use super::super::binance_ws::TradeFill;
use super::super::fees;

/// Iterator over the orders of an `orders` push's `data`; a malformed element yields one error
/// and ends.
#[derive(Debug, Clone)]
pub struct OrderUpdates<'a> {
    inner: ArrIter<'a>,
}

impl<'a> OrderUpdates<'a> {
    /// Over the raw `data` array.
    pub fn new(data: &'a [u8]) -> Self {
        OrderUpdates {
            inner: ArrIter::new(data),
        }
    }
}

impl<'a> Iterator for OrderUpdates<'a> {
    type Item = Result<OrderUpdate<'a>, ScanError>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(self.inner.next()?.and_then(OrderUpdate::parse))
    }
}

/// One order of an `orders` push, its texts borrowed from the frame (empty when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OrderUpdate<'a> {
    /// `instId`.
    pub inst_id: &'a [u8],
    /// `ordId`, raw (read it with [`OrderUpdate::venue_order_id`]).
    pub ord_id_raw: &'a [u8],
    /// `clOrdId`: our `<prefix><order id>`.
    pub cl_ord_id: &'a [u8],
    /// `state`.
    pub state: &'a [u8],
    /// `fillPx` (this trade).
    pub fill_px: &'a [u8],
    /// `fillSz` (this trade).
    pub fill_sz: &'a [u8],
    /// `tradeId` (empty when the push reports no trade).
    pub trade_id: &'a [u8],
    /// `fillFee` (this trade; negative when charged).
    pub fill_fee: &'a [u8],
    /// `fillFeeCcy`.
    pub fill_fee_ccy: &'a [u8],
    /// `accFillSz` (cumulative).
    pub acc_fill_sz: &'a [u8],
    /// `avgPx` (cumulative).
    pub avg_px: &'a [u8],
    /// `fee` (cumulative over the order's trades; negative when charged).
    pub fee: &'a [u8],
    /// `feeCcy`.
    pub fee_ccy: &'a [u8],
    /// `uTime`, unix ms (0 when absent).
    pub update_ms: u64,
}

impl<'a> OrderUpdate<'a> {
    fn parse(el: &'a [u8]) -> Result<Self, ScanError> {
        let mut u = OrderUpdate::default();
        for m in ObjIter::new(el) {
            let (k, v) = m?;
            let text = || str_content(v).unwrap_or(b"");
            match k {
                b"instId" => u.inst_id = text(),
                b"ordId" => u.ord_id_raw = v,
                b"clOrdId" => u.cl_ord_id = text(),
                b"state" => u.state = text(),
                b"fillPx" => u.fill_px = text(),
                b"fillSz" => u.fill_sz = text(),
                b"tradeId" => u.trade_id = text(),
                b"fillFee" => u.fill_fee = text(),
                b"fillFeeCcy" => u.fill_fee_ccy = text(),
                b"accFillSz" => u.acc_fill_sz = text(),
                b"avgPx" => u.avg_px = text(),
                b"fee" => u.fee = text(),
                b"feeCcy" => u.fee_ccy = text(),
                b"uTime" => u.update_ms = str_content(v).and_then(parse_u64).unwrap_or(0),
                _ => {}
            }
        }
        Ok(u)
    }

    /// The venue's order id (`ordId`), as the REST answers' reader keeps it.
    pub fn venue_order_id(&self) -> VenueOrderId {
        fees::venue_order_id(self.ord_id_raw)
    }

    /// Our order id, when `clOrdId` is `prefix` followed by decimal digits (`None`: not our order).
    pub fn order_id(&self, prefix: &[u8]) -> Option<OrderId> {
        parse_u64(self.cl_ord_id.strip_prefix(prefix)?).map(OrderId)
    }

    /// `accFillSz` at the instrument's quantity scale (`None` when unreadable; empty reads zero).
    pub fn cum_filled(&self, spec: &InstrumentSpec) -> Option<Qty> {
        if self.acc_fill_sz.is_empty() {
            return Some(Qty::ZERO);
        }
        Qty::parse(self.acc_fill_sz, spec.qty_scale).ok()
    }

    /// `avgPx` at the instrument's price scale, digits beyond it truncated (an average need not be
    /// on tick); zero when absent or unreadable.
    pub fn avg_px(&self, spec: &InstrumentSpec) -> Price {
        parse_wide(self.avg_px, u32::from(spec.price_scale))
            .and_then(|n| i64::try_from(n).ok())
            .map_or(Price::ZERO, Price)
    }

    /// The order's state after this push: `Some((status, final))`, or `None` for a state this
    /// codec does not know or a cumulative size it cannot read (count it). `live` and
    /// `partially_filled` read `Unknown` with `final = false`; a cancelled IOC that filled some
    /// reads `PartiallyFilled`.
    pub fn status(&self, spec: &InstrumentSpec) -> Option<(ExecStatus, bool)> {
        let filled = self.cum_filled(spec)?;
        Some(match self.state {
            b"filled" => (ExecStatus::Filled, true),
            b"canceled" | b"mmp_canceled" if filled.0 > 0 => (ExecStatus::PartiallyFilled, true),
            b"canceled" | b"mmp_canceled" => (ExecStatus::Cancelled, true),
            b"live" | b"partially_filled" => (ExecStatus::Unknown, false),
            _ => return None,
        })
    }

    /// The order's fee so far (`fee` / `feeCcy`, OKX's negative "charged" turned into the
    /// engine's positive "paid"); `None` when absent or unreadable.
    pub fn cum_fee(&self) -> Option<Fee> {
        if self.fee_ccy.is_empty() {
            return None;
        }
        Fee::parse(self.fee, self.fee_ccy, true)
    }

    /// The trade this push reports (a `tradeId` and a positive `fillSz`), decoded; `None` when it
    /// reports none or its figures cannot be read exactly at the instrument's scales. The fee is
    /// `None` when it cannot be read (OKX's negative "charged" sign is turned into the engine's
    /// positive "paid").
    pub fn trade(&self, spec: &InstrumentSpec) -> Option<TradeFill> {
        let trade_id = i64::try_from(parse_u64(self.trade_id)?).ok()?;
        let qty = Qty::parse(self.fill_sz, spec.qty_scale).ok()?;
        if qty.0 <= 0 {
            return None;
        }
        Some(TradeFill {
            qty,
            px: Price::parse(self.fill_px, spec.price_scale).ok()?,
            fee: Fee::parse(self.fill_fee, self.fill_fee_ccy, true),
            trade_id,
        })
    }
}

/// An `account` push: the first (OKX sends one) account object of its `data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountUpdate<'a> {
    /// `uTime`, unix ms (0 when absent).
    pub update_ms: u64,
    /// The raw `details` array.
    pub details_raw: &'a [u8],
}

impl<'a> AccountUpdate<'a> {
    /// Read the raw `data` array of an `account` push (`details` empty when there is none).
    pub fn parse(data: &'a [u8]) -> Result<Self, ScanError> {
        let mut a = AccountUpdate {
            update_ms: 0,
            details_raw: b"[]",
        };
        let Some(first) = crate::base::scan::first_element(data)? else {
            return Ok(a);
        };
        for m in ObjIter::new(first) {
            let (k, v) = m?;
            match k {
                b"uTime" => a.update_ms = str_content(v).and_then(parse_u64).unwrap_or(0),
                b"details" => a.details_raw = v,
                _ => {}
            }
        }
        Ok(a)
    }

    /// The balances, one per currency.
    pub fn balances(&self) -> BalanceIter<'a> {
        BalanceIter {
            inner: ArrIter::new(self.details_raw),
        }
    }
}

/// One currency's balance of an `account` push, as text (empty when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OkxBalance<'a> {
    /// `ccy`.
    pub ccy: &'a [u8],
    /// `availBal`: what new orders may use.
    pub avail_bal: &'a [u8],
    /// `cashBal`: the whole balance.
    pub cash_bal: &'a [u8],
    /// `frozenBal`: held by open orders.
    pub frozen_bal: &'a [u8],
}

/// Iterator over an [`AccountUpdate`]'s balances; a malformed entry yields one error and ends.
#[derive(Debug, Clone)]
pub struct BalanceIter<'a> {
    inner: ArrIter<'a>,
}

impl<'a> Iterator for BalanceIter<'a> {
    type Item = Result<OkxBalance<'a>, ScanError>;

    fn next(&mut self) -> Option<Self::Item> {
        let el = match self.inner.next()? {
            Ok(el) => el,
            Err(e) => return Some(Err(e)),
        };
        let mut b = OkxBalance::default();
        for m in ObjIter::new(el) {
            match m {
                Ok((k, v)) => {
                    let text = str_content(v).unwrap_or(b"");
                    match k {
                        b"ccy" => b.ccy = text,
                        b"availBal" => b.avail_bal = text,
                        b"cashBal" => b.cash_bal = text,
                        b"frozenBal" => b.frozen_bal = text,
                        _ => {}
                    }
                }
                Err(e) => return Some(Err(e)),
            }
        }
        Some(Ok(b))
    }
}
