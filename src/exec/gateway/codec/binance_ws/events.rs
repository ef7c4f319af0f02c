//! User-data events of the WebSocket API session (`userDataStream.subscribe`), which arrive as
//! `{"subscriptionId":0,"event":{...}}` ([`super::parse_inbound`] hands over the `event` object):
//! `executionReport` (an order's every change, each trade with its fee) and
//! `outboundAccountPosition` (the balances a change touched).
//!
//! Field names are Binance's one-letter, case-sensitive keys (user-data-stream.md): `s` symbol,
//! `c` client order id, `x` execution type, `X` order status, `i` venue order id, `l`/`L` last
//! quantity/price, `z`/`Z` cumulative quantity/quote, `n`/`N` commission and asset, `t` trade id,
//! `T` transaction time, `E` event time; balances `B: [{a, f, l}]`. Everything is borrowed from the
//! frame; quantities are decoded with the instrument's scales by the caller's spec, so reading
//! allocates nothing.

use crate::base::scan::{parse_u64, str_content, ArrIter, ObjIter, ScanError};
use crate::model::{ExecStatus, Fee, OrderId, Price, Qty, VenueOrderId};

use super::super::answer::{avg_price, InstrumentSpec};
use super::super::fees;

/// One user-data event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserEvent<'a> {
    /// `executionReport`.
    Execution(ExecutionReport<'a>),
    /// `outboundAccountPosition`.
    Position(AccountPosition<'a>),
    /// Another event type (`balanceUpdate`, `listStatus`, `eventStreamTerminated`, ...): its `e`.
    Other(&'a [u8]),
}

impl<'a> UserEvent<'a> {
    /// Read an `event` object.
    pub fn parse(event: &'a [u8]) -> Result<Self, ScanError> {
        let Some(kind) = crate::base::scan::field(event, b"e")?.and_then(str_content) else {
            return Ok(UserEvent::Other(b""));
        };
        Ok(match kind {
            b"executionReport" => UserEvent::Execution(ExecutionReport::parse(event)?),
            b"outboundAccountPosition" => UserEvent::Position(AccountPosition::parse(event)?),
            other => UserEvent::Other(other),
        })
    }
}

/// An `executionReport`, its texts borrowed from the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExecutionReport<'a> {
    /// `s`.
    pub symbol: &'a [u8],
    /// `c`: our `newClientOrderId` (`<prefix><order id>`).
    pub client_id: &'a [u8],
    /// `x`: `NEW`, `TRADE`, `CANCELED`, `EXPIRED`, `REJECTED`, ...
    pub exec_type: &'a [u8],
    /// `X`: `NEW`, `PARTIALLY_FILLED`, `FILLED`, `CANCELED`, `EXPIRED`, `REJECTED`, ...
    pub order_status: &'a [u8],
    /// `i`: the venue's order id, raw (read it with [`ExecutionReport::venue_order_id`]).
    pub venue_order_id_raw: &'a [u8],
    /// `l` (text).
    pub last_qty: &'a [u8],
    /// `L` (text).
    pub last_px: &'a [u8],
    /// `z` (text).
    pub cum_qty: &'a [u8],
    /// `Z` (text).
    pub cum_quote: &'a [u8],
    /// `n` (text).
    pub commission: &'a [u8],
    /// `N` (`None` when `null`: no trade yet).
    pub commission_asset: Option<&'a [u8]>,
    /// `t` (-1 when not a trade).
    pub trade_id: i64,
    /// `T`, unix ms.
    pub transaction_ms: u64,
    /// `E`, unix ms.
    pub event_ms: u64,
}

/// One trade of an order, decoded at the instrument's scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TradeFill {
    /// `l`.
    pub qty: Qty,
    /// `L`.
    pub px: Price,
    /// `n` in `N` (`None` when it cannot be read exactly).
    pub fee: Option<Fee>,
    /// `t`.
    pub trade_id: i64,
}

impl<'a> ExecutionReport<'a> {
    fn parse(event: &'a [u8]) -> Result<Self, ScanError> {
        let mut r = ExecutionReport {
            trade_id: -1,
            ..Default::default()
        };
        for m in ObjIter::new(event) {
            let (k, v) = m?;
            let text = || str_content(v).unwrap_or(b"");
            match k {
                b"s" => r.symbol = text(),
                b"c" => r.client_id = text(),
                b"x" => r.exec_type = text(),
                b"X" => r.order_status = text(),
                b"i" => r.venue_order_id_raw = v,
                b"l" => r.last_qty = text(),
                b"L" => r.last_px = text(),
                b"z" => r.cum_qty = text(),
                b"Z" => r.cum_quote = text(),
                b"n" => r.commission = text(),
                b"N" => r.commission_asset = str_content(v),
                b"t" => r.trade_id = parse_i64(v).unwrap_or(-1),
                b"T" => r.transaction_ms = parse_u64(v).unwrap_or(0),
                b"E" => r.event_ms = parse_u64(v).unwrap_or(0),
                _ => {}
            }
        }
        Ok(r)
    }

    /// The venue's order id (`i`), as the REST answers' reader keeps it.
    pub fn venue_order_id(&self) -> VenueOrderId {
        fees::venue_order_id(self.venue_order_id_raw)
    }

    /// Our order id, when `c` is `prefix` followed by decimal digits (`None`: not our order, or
    /// one placed by someone else on the account).
    pub fn order_id(&self, prefix: &[u8]) -> Option<OrderId> {
        let digits = self.client_id.strip_prefix(prefix)?;
        parse_u64(digits).map(OrderId)
    }

    /// The order's state after this event: `Some((status, final))`, or `None` for a status this
    /// codec does not know (count it). Non-final states (`NEW`, `PARTIALLY_FILLED`) read
    /// `Unknown` with `final = false`; an `EXPIRED`/`CANCELED` order that filled some reads
    /// `PartiallyFilled`.
    pub fn status(&self, spec: &InstrumentSpec) -> Option<(ExecStatus, bool)> {
        let filled = self.cum_filled(spec)?;
        Some(match self.order_status {
            b"FILLED" => (ExecStatus::Filled, true),
            b"EXPIRED" | b"CANCELED" | b"EXPIRED_IN_MATCH" if filled.0 > 0 => {
                (ExecStatus::PartiallyFilled, true)
            }
            b"EXPIRED" | b"CANCELED" | b"EXPIRED_IN_MATCH" => (ExecStatus::Cancelled, true),
            b"REJECTED" => (ExecStatus::Rejected { code: 200 }, true),
            b"NEW" | b"PARTIALLY_FILLED" | b"PENDING_NEW" | b"PENDING_CANCEL" => {
                (ExecStatus::Unknown, false)
            }
            _ => return None,
        })
    }

    /// `z` at the instrument's quantity scale (`None` when unreadable).
    pub fn cum_filled(&self, spec: &InstrumentSpec) -> Option<Qty> {
        Qty::parse(self.cum_qty, spec.qty_scale).ok()
    }

    /// `Z / z` at the instrument's price scale (zero when nothing filled).
    pub fn avg_px(&self, spec: &InstrumentSpec) -> Price {
        match self.cum_filled(spec) {
            Some(filled) => avg_price(self.cum_quote, filled, spec),
            None => Price::ZERO,
        }
    }

    /// The trade this event reports (`x` = `TRADE`), decoded; `None` for other execution types
    /// or figures that cannot be read at the instrument's scales.
    pub fn trade(&self, spec: &InstrumentSpec) -> Option<TradeFill> {
        if self.exec_type != b"TRADE" {
            return None;
        }
        Some(TradeFill {
            qty: Qty::parse(self.last_qty, spec.qty_scale).ok()?,
            px: Price::parse(self.last_px, spec.price_scale).ok()?,
            fee: self
                .commission_asset
                .and_then(|asset| Fee::parse(self.commission, asset, false)),
            trade_id: self.trade_id,
        })
    }
}

fn parse_i64(v: &[u8]) -> Option<i64> {
    match v {
        [b'-', digits @ ..] => i64::try_from(parse_u64(digits)?).ok().map(|n| -n),
        _ => i64::try_from(parse_u64(v)?).ok(),
    }
}

/// An `outboundAccountPosition`: the balances one account change touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountPosition<'a> {
    /// `E`, unix ms.
    pub event_ms: u64,
    /// `u`: time of the account update, unix ms.
    pub update_ms: u64,
    /// The raw `B` array (iterate with [`AccountPosition::balances`]).
    pub balances_raw: &'a [u8],
}

impl<'a> AccountPosition<'a> {
    fn parse(event: &'a [u8]) -> Result<Self, ScanError> {
        let mut p = AccountPosition {
            event_ms: 0,
            update_ms: 0,
            balances_raw: b"[]",
        };
        for m in ObjIter::new(event) {
            let (k, v) = m?;
            match k {
                b"E" => p.event_ms = parse_u64(v).unwrap_or(0),
                b"u" => p.update_ms = parse_u64(v).unwrap_or(0),
                b"B" => p.balances_raw = v,
                _ => {}
            }
        }
        Ok(p)
    }

    /// The balances: `(asset, free, locked)` texts.
    pub fn balances(&self) -> BalanceIter<'a> {
        BalanceIter {
            inner: ArrIter::new(self.balances_raw),
        }
    }
}

/// One balance of an [`AccountPosition`]: asset, free and locked amounts as text.
pub type BalanceText<'a> = (&'a [u8], &'a [u8], &'a [u8]);

/// Iterator over an [`AccountPosition`]'s balances; a malformed entry yields one error.
#[derive(Debug, Clone)]
pub struct BalanceIter<'a> {
    inner: ArrIter<'a>,
}

impl<'a> Iterator for BalanceIter<'a> {
    type Item = Result<BalanceText<'a>, ScanError>;

    fn next(&mut self) -> Option<Self::Item> {
        let el = match self.inner.next()? {
            Ok(el) => el,
            Err(e) => return Some(Err(e)),
        };
        let (mut a, mut f, mut l) = (&b""[..], &b""[..], &b""[..]);
        for m in ObjIter::new(el) {
            match m {
                Ok((b"a", v)) => a = str_content(v).unwrap_or(b""),
                Ok((b"f", v)) => f = str_content(v).unwrap_or(b""),
                Ok((b"l", v)) => l = str_content(v).unwrap_or(b""),
                Ok(_) => {}
                Err(e) => return Some(Err(e)),
            }
        }
        Some(Ok((a, f, l)))
    }
}
