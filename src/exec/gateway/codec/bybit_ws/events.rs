//! The private stream's pushes (`wss://stream.bybit.com/v5/private`, topics subscribed after
//! `auth`), each `{"id","topic","creationTime","data":[..]}` ([`super::parse_inbound`] hands
//! over the [`Push`]); one push may carry several entries:
//! - `order`: an order's every change (`orderStatus` `New`, `PartiallyFilled`, `Filled`,
//!   `Cancelled`, `PartiallyFilledCanceled`, `Rejected`, ...; `cumExecQty`, `cumExecValue`,
//!   `avgPrice`, `orderLinkId`), read into [`OrderUpdate`];
//! - `execution`: one trade each (`execId`, `execPrice`, `execQty`, `execFee`, `feeCurrency`,
//!   `orderLinkId`), read into [`Execution`];
//! - `wallet`: balances (`coin: [{coin, walletBalance, locked}]`), read into [`WalletAccount`].
//!
//! The order states mean what the REST status query's mean (one mapping,
//! [`super::super::bybit::order_state`]). A cancel racing a fill can bring a second final
//! `order` push, and a reconnect can replay executions: [`super::dedupe`] makes each count once.
//! Everything is borrowed from the frame; figures are decoded at the instrument's scales by the
//! caller's spec, so reading allocates nothing.

use crate::base::scan::{parse_u64, str_content, ArrIter, ObjIter, ScanError};
use crate::model::{ExecStatus, Fee, OrderId, Price, Qty, VenueOrderId};

use super::super::answer::{AnswerKind, InstrumentSpec};
use super::super::bybit::{order_avg_px, order_state};
use super::super::fees;
use super::answer::Push;

/// The topics this codec reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic<'a> {
    /// `order`.
    Order,
    /// `execution`.
    Execution,
    /// `wallet`.
    Wallet,
    /// Another topic (`position`, `execution.fast`, ...): its name.
    Other(&'a [u8]),
}

impl<'a> Push<'a> {
    /// Which topic this push is.
    pub fn kind(&self) -> Topic<'a> {
        match self.topic {
            b"order" => Topic::Order,
            b"execution" => Topic::Execution,
            b"wallet" => Topic::Wallet,
            other => Topic::Other(other),
        }
    }

    /// The `data` entries read as `order` updates (meaningful when [`Push::kind`] is `Order`).
    pub fn orders(&self) -> impl Iterator<Item = Result<OrderUpdate<'a>, ScanError>> + 'a {
        ArrIter::new(self.data).map(|el| el.and_then(OrderUpdate::parse))
    }

    /// The `data` entries read as executions (meaningful when [`Push::kind`] is `Execution`).
    pub fn executions(&self) -> impl Iterator<Item = Result<Execution<'a>, ScanError>> + 'a {
        ArrIter::new(self.data).map(|el| el.and_then(Execution::parse))
    }

    /// The `data` entries read as wallet accounts (meaningful when [`Push::kind`] is `Wallet`).
    pub fn wallets(&self) -> impl Iterator<Item = Result<WalletAccount<'a>, ScanError>> + 'a {
        ArrIter::new(self.data).map(|el| el.and_then(WalletAccount::parse))
    }
}

/// Our order id from an `orderLinkId` of `prefix` followed by decimal digits (`None`: not ours,
/// or an order placed by someone else on the account).
fn our_order_id(link_id: &[u8], prefix: &[u8]) -> Option<OrderId> {
    parse_u64(link_id.strip_prefix(prefix)?).map(OrderId)
}

/// One `order` entry, its texts borrowed from the frame (empty when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OrderUpdate<'a> {
    /// `symbol`.
    pub symbol: &'a [u8],
    /// `orderId`, raw (read it with [`OrderUpdate::venue_order_id`]).
    pub venue_order_id_raw: &'a [u8],
    /// `orderLinkId`: our `<prefix><order id>`.
    pub order_link_id: &'a [u8],
    /// `orderStatus`.
    pub order_status: &'a [u8],
    /// `cumExecQty` (text).
    pub cum_exec_qty: &'a [u8],
    /// `cumExecValue` (text).
    pub cum_exec_value: &'a [u8],
    /// `avgPrice` (text).
    pub avg_price: &'a [u8],
    /// `cumExecFee` (text).
    pub cum_exec_fee: &'a [u8],
    /// `feeCurrency` (spot: the coin `cumExecFee` is in).
    pub fee_currency: &'a [u8],
    /// `cumFeeDetail`, raw (`{"<coin>":"<amount>"}`; empty when absent).
    pub cum_fee_detail_raw: &'a [u8],
    /// `rejectReason` (`EC_NoError` when none).
    pub reject_reason: &'a [u8],
    /// `updatedTime`, unix ms (0 when absent or unreadable).
    pub updated_ms: u64,
}

impl<'a> OrderUpdate<'a> {
    fn parse(entry: &'a [u8]) -> Result<Self, ScanError> {
        let mut u = OrderUpdate::default();
        for m in ObjIter::new(entry) {
            let (k, v) = m?;
            let text = || str_content(v).unwrap_or(b"");
            match k {
                b"symbol" => u.symbol = text(),
                b"orderId" => u.venue_order_id_raw = v,
                b"orderLinkId" => u.order_link_id = text(),
                b"orderStatus" => u.order_status = text(),
                b"cumExecQty" => u.cum_exec_qty = text(),
                b"cumExecValue" => u.cum_exec_value = text(),
                b"avgPrice" => u.avg_price = text(),
                b"cumExecFee" => u.cum_exec_fee = text(),
                b"feeCurrency" => u.fee_currency = text(),
                b"cumFeeDetail" => u.cum_fee_detail_raw = v,
                b"rejectReason" => u.reject_reason = text(),
                b"updatedTime" => u.updated_ms = parse_u64(text()).unwrap_or(0),
                _ => {}
            }
        }
        Ok(u)
    }

    /// Our order id, when `orderLinkId` is `prefix` followed by decimal digits.
    pub fn order_id(&self, prefix: &[u8]) -> Option<OrderId> {
        our_order_id(self.order_link_id, prefix)
    }

    /// The venue's order id (`orderId`), as the REST answers' reader keeps it.
    pub fn venue_order_id(&self) -> VenueOrderId {
        fees::venue_order_id(self.venue_order_id_raw)
    }

    /// `cumExecQty` at the instrument's quantity scale (`None` when unreadable).
    pub fn cum_filled(&self, spec: &InstrumentSpec) -> Option<Qty> {
        Qty::parse(self.cum_exec_qty, spec.qty_scale).ok()
    }

    /// The order's state after this update: `Some((status, final))`, or `None` for a status this
    /// codec does not know or an unreadable `cumExecQty` (count it). `New` and `PartiallyFilled`
    /// read `Unknown` with `final = false`: an ack, a fill may follow.
    pub fn status(&self, spec: &InstrumentSpec) -> Option<(ExecStatus, bool)> {
        let filled = self.cum_filled(spec)?;
        let (kind, status) = order_state(self.order_status, filled)?;
        Some((status, kind != AnswerKind::Accepted))
    }

    /// The average fill price (`cumExecValue / cumExecQty`, else `avgPrice`; zero when nothing
    /// filled or unreadable).
    pub fn avg_px(&self, spec: &InstrumentSpec) -> Price {
        match self.cum_filled(spec) {
            Some(filled) => order_avg_px(
                spec,
                filled,
                Some(self.cum_exec_value),
                Some(self.avg_price),
            ),
            None => Price::ZERO,
        }
    }

    /// The order's fee so far: `cumFeeDetail` when present (one coin), else `cumExecFee` in
    /// `feeCurrency`; `None` when neither can be read exactly.
    pub fn fee(&self) -> Option<Fee> {
        if !self.cum_fee_detail_raw.is_empty() {
            if let Some(f) = fees::bybit_fee_detail(self.cum_fee_detail_raw) {
                return Some(f);
            }
        }
        Fee::parse(self.cum_exec_fee, self.fee_currency, false)
    }
}

/// One `execution` entry, its texts borrowed from the frame (empty when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Execution<'a> {
    /// `symbol`.
    pub symbol: &'a [u8],
    /// `orderId`, raw.
    pub venue_order_id_raw: &'a [u8],
    /// `orderLinkId`: our `<prefix><order id>`.
    pub order_link_id: &'a [u8],
    /// `execId`: the trade's id (the dedupe key).
    pub exec_id: &'a [u8],
    /// `execType` (`Trade` for a fill).
    pub exec_type: &'a [u8],
    /// `execPrice` (text).
    pub exec_price: &'a [u8],
    /// `execQty` (text).
    pub exec_qty: &'a [u8],
    /// `execFee` (text).
    pub exec_fee: &'a [u8],
    /// `feeCurrency`.
    pub fee_currency: &'a [u8],
    /// `execTime`, unix ms (0 when absent or unreadable).
    pub exec_ms: u64,
    /// `isMaker`.
    pub is_maker: bool,
}

/// One trade of an order, decoded at the instrument's scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecFill {
    /// `execQty`.
    pub qty: Qty,
    /// `execPrice`.
    pub px: Price,
    /// `execFee` in `feeCurrency` (`None` when it cannot be read exactly).
    pub fee: Option<Fee>,
}

impl<'a> Execution<'a> {
    fn parse(entry: &'a [u8]) -> Result<Self, ScanError> {
        let mut e = Execution::default();
        for m in ObjIter::new(entry) {
            let (k, v) = m?;
            let text = || str_content(v).unwrap_or(b"");
            match k {
                b"symbol" => e.symbol = text(),
                b"orderId" => e.venue_order_id_raw = v,
                b"orderLinkId" => e.order_link_id = text(),
                b"execId" => e.exec_id = text(),
                b"execType" => e.exec_type = text(),
                b"execPrice" => e.exec_price = text(),
                b"execQty" => e.exec_qty = text(),
                b"execFee" => e.exec_fee = text(),
                b"feeCurrency" => e.fee_currency = text(),
                b"execTime" => e.exec_ms = parse_u64(text()).unwrap_or(0),
                b"isMaker" => e.is_maker = v == b"true",
                _ => {}
            }
        }
        Ok(e)
    }

    /// Our order id, when `orderLinkId` is `prefix` followed by decimal digits.
    pub fn order_id(&self, prefix: &[u8]) -> Option<OrderId> {
        our_order_id(self.order_link_id, prefix)
    }

    /// The venue's order id (`orderId`).
    pub fn venue_order_id(&self) -> VenueOrderId {
        fees::venue_order_id(self.venue_order_id_raw)
    }

    /// The trade, decoded; `None` for another `execType` (funding, settlement...) or figures that
    /// cannot be read at the instrument's scales (count it).
    pub fn fill(&self, spec: &InstrumentSpec) -> Option<ExecFill> {
        if self.exec_type != b"Trade" {
            return None;
        }
        Some(ExecFill {
            qty: Qty::parse(self.exec_qty, spec.qty_scale).ok()?,
            px: Price::parse(self.exec_price, spec.price_scale).ok()?,
            fee: Fee::parse(self.exec_fee, self.fee_currency, false),
        })
    }
}

/// One `wallet` entry (an account), its `coin` array borrowed from the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalletAccount<'a> {
    /// `accountType` (`UNIFIED`).
    pub account_type: &'a [u8],
    /// The raw `coin` array.
    pub coins_raw: &'a [u8],
}

impl<'a> WalletAccount<'a> {
    fn parse(entry: &'a [u8]) -> Result<Self, ScanError> {
        let mut w = WalletAccount {
            account_type: b"",
            coins_raw: b"[]",
        };
        for m in ObjIter::new(entry) {
            let (k, v) = m?;
            match k {
                b"accountType" => w.account_type = str_content(v).unwrap_or(b""),
                b"coin" => w.coins_raw = v,
                _ => {}
            }
        }
        Ok(w)
    }

    /// The coins: `(coin, walletBalance, locked)` texts.
    pub fn coins(&self) -> CoinIter<'a> {
        CoinIter {
            inner: ArrIter::new(self.coins_raw),
        }
    }
}

/// One coin of a [`WalletAccount`]: `coin`, `walletBalance` and `locked` as text (empty when
/// absent).
pub type CoinText<'a> = (&'a [u8], &'a [u8], &'a [u8]);

/// Iterator over a [`WalletAccount`]'s coins; a malformed entry yields one error.
#[derive(Debug, Clone)]
pub struct CoinIter<'a> {
    inner: ArrIter<'a>,
}

impl<'a> Iterator for CoinIter<'a> {
    type Item = Result<CoinText<'a>, ScanError>;

    fn next(&mut self) -> Option<Self::Item> {
        let el = match self.inner.next()? {
            Ok(el) => el,
            Err(e) => return Some(Err(e)),
        };
        let (mut c, mut w, mut l) = (&b""[..], &b""[..], &b""[..]);
        for m in ObjIter::new(el) {
            match m {
                Ok((b"coin", v)) => c = str_content(v).unwrap_or(b""),
                Ok((b"walletBalance", v)) => w = str_content(v).unwrap_or(b""),
                Ok((b"locked", v)) => l = str_content(v).unwrap_or(b""),
                Ok(_) => {}
                Err(e) => return Some(Err(e)),
            }
        }
        Some(Ok((c, w, l)))
    }
}
