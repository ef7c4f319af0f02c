//! The unsigned WebSocket API requests of an authenticated session (`session.logon` done):
//! `order.place`, `order.status`, `order.cancel`, `openOrders.status`, `account.status`.
//!
//! After `session.logon` Binance takes these without `apiKey` and `signature`; `timestamp` (and
//! `recvWindow`) stay. Each request's `id` is a [`RequestId`] carrying our order id, so the answer
//! matches back. `order.place` is an IOC LIMIT with `newClientOrderId = <prefix><order id>` and
//! `newOrderRespType=FULL` (the final state and the fills' commissions in the answer):
//!
//! ```text
//! {"id":"p42","method":"order.place","params":{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT",
//!   "timeInForce":"IOC","quantity":"0.01","price":"60000.5","newClientOrderId":"ma42",
//!   "newOrderRespType":"FULL","recvWindow":5000,"timestamp":1700000000000}}
//! ```
//!
//! Hot path: the writers only append to a caller-owned buffer reserved once
//! ([`WsRequestWriter::FRAME_CAPACITY`]); symbols and the client-id prefix are checked at
//! construction to need no JSON escaping, so they are copied as they are. No allocation, no
//! formatting, no signing.

use crate::model::{InstrumentId, Order, Side};

use super::super::answer::{check_unreserved, check_ws_client_prefix, RequestError};
use super::super::encode::{push_decimal, push_u64};
use super::super::instruments::InstrumentTable;
use super::request_id::{RequestId, WsMethod};

/// Static settings of the WebSocket request writer.
#[derive(Debug, Clone)]
pub struct WsSettings {
    /// `recvWindow` in ms (at most 60000); 0 leaves it out.
    pub recv_window_ms: u32,
    /// Prefix of `newClientOrderId` (the order id follows in decimal); at most 16 bytes of
    /// `[A-Za-z0-9._~-]`, like the REST codec's, so both paths name an order alike.
    pub client_id_prefix: String,
    /// `false` adds `"returnRateLimits":false` to the queries (`order.status`, `openOrders.status`,
    /// `account.status`), whose usage the limiter does not need, to save answer bytes. Orders and
    /// cancels always ask for `rateLimits` (they feed the order-count limiter).
    pub query_rate_limits: bool,
}

/// Writes the session's unsigned requests.
#[derive(Debug)]
pub struct WsRequestWriter {
    settings: WsSettings,
    instruments: InstrumentTable,
}

impl WsRequestWriter {
    /// Capacity to reserve for one request's buffer: the longest request here (an `order.place`
    /// with a 20-character symbol and 20-digit numbers) is under 320 bytes.
    pub const FRAME_CAPACITY: usize = 512;

    /// A writer for `instruments` (cold path: checks the prefix; the table already refused
    /// symbols that would need escaping).
    pub fn new(settings: WsSettings, instruments: InstrumentTable) -> Result<Self, RequestError> {
        check_ws_client_prefix(settings.client_id_prefix.as_bytes())?;
        Ok(WsRequestWriter {
            settings,
            instruments,
        })
    }

    /// The instruments the writer names (the answers are read against the same table).
    pub fn instruments(&self) -> &InstrumentTable {
        &self.instruments
    }

    /// `order.place` for `order` (IOC LIMIT) into `out` (cleared first).
    pub fn write_place(
        &self,
        order: &Order,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        let spec = self.instruments.for_order(order)?;
        self.start(out, WsMethod::Place, order.id.0, spec.symbol.as_bytes());
        out.extend_from_slice(match order.side {
            Side::Buy => b",\"side\":\"BUY\"",
            Side::Sell => b",\"side\":\"SELL\"",
        });
        out.extend_from_slice(b",\"type\":\"LIMIT\",\"timeInForce\":\"IOC\",\"quantity\":\"");
        push_decimal(out, order.qty.0, spec.qty_scale);
        out.extend_from_slice(b"\",\"price\":\"");
        push_decimal(out, order.px.0, spec.price_scale);
        out.extend_from_slice(b"\",\"newClientOrderId\":\"");
        self.push_client_id(out, order);
        out.extend_from_slice(b"\",\"newOrderRespType\":\"FULL\"");
        self.finish(out, unix_ms, true);
        Ok(())
    }

    /// `order.status` for `order` by its client id into `out` (cleared first).
    pub fn write_status(
        &self,
        order: &Order,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        self.write_by_client_id(WsMethod::Status, order, unix_ms, out)
    }

    /// `order.cancel` for `order` by its client id into `out` (cleared first).
    pub fn write_cancel(
        &self,
        order: &Order,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        self.write_by_client_id(WsMethod::Cancel, order, unix_ms, out)
    }

    /// `openOrders.status` for one instrument (or every symbol with `None`, weight 80) with id
    /// `o<seq>`, into `out` (cleared first).
    pub fn write_open_orders(
        &self,
        instrument: Option<InstrumentId>,
        seq: u64,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        let symbol = match instrument {
            Some(id) => Some(self.instruments.get(id)?.symbol.as_bytes()),
            None => None,
        };
        self.write_open_orders_of(symbol, seq, unix_ms, out)
    }

    /// `openOrders.status` for the venue symbol `symbol` (or every symbol with `None`) with id
    /// `o<seq>`, into `out` (cleared first): the account thread's reconciliation names symbols,
    /// not instruments. A symbol that would need JSON escaping is refused.
    pub fn write_open_orders_of(
        &self,
        symbol: Option<&[u8]>,
        seq: u64,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        match symbol {
            Some(symbol) => {
                check_unreserved("symbol", symbol)?;
                self.start(out, WsMethod::OpenOrders, seq, symbol);
                self.finish(out, unix_ms, self.settings.query_rate_limits);
            }
            None => {
                self.start_params(out, WsMethod::OpenOrders, seq);
                self.finish_first(out, unix_ms, self.settings.query_rate_limits);
            }
        }
        Ok(())
    }

    /// `account.status` (non-zero balances only) with id `a<seq>`, into `out` (cleared first).
    pub fn write_account(&self, seq: u64, unix_ms: u64, out: &mut Vec<u8>) {
        self.start_params(out, WsMethod::Account, seq);
        out.extend_from_slice(b"\"omitZeroBalances\":true");
        self.finish(out, unix_ms, self.settings.query_rate_limits);
    }

    /// `userDataStream.subscribe` with id `u<seq>` into `out` (cleared first): on a logged-on
    /// session it takes no parameters, and the account's `executionReport`s and
    /// `outboundAccountPosition`s then arrive on the same connection.
    pub fn write_subscribe(&self, seq: u64, out: &mut Vec<u8>) {
        out.clear();
        out.extend_from_slice(b"{\"id\":");
        RequestId {
            method: WsMethod::Subscribe,
            number: seq,
        }
        .push_json(out);
        out.extend_from_slice(b",\"method\":\"userDataStream.subscribe\"}");
    }

    /// The client-id prefix (`<prefix><order id>` names our orders in pushes too).
    pub fn client_id_prefix(&self) -> &[u8] {
        self.settings.client_id_prefix.as_bytes()
    }

    fn write_by_client_id(
        &self,
        method: WsMethod,
        order: &Order,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        let spec = self.instruments.get(order.instrument)?;
        self.start(out, method, order.id.0, spec.symbol.as_bytes());
        out.extend_from_slice(b",\"origClientOrderId\":\"");
        self.push_client_id(out, order);
        out.push(b'"');
        let rate_limits = method == WsMethod::Cancel || self.settings.query_rate_limits;
        self.finish(out, unix_ms, rate_limits);
        Ok(())
    }

    fn push_client_id(&self, out: &mut Vec<u8>, order: &Order) {
        out.extend_from_slice(self.settings.client_id_prefix.as_bytes());
        push_u64(out, order.id.0);
    }

    /// `{"id":"<tag><n>","method":"<m>","params":{` into a cleared `out`.
    fn start_params(&self, out: &mut Vec<u8>, method: WsMethod, number: u64) {
        out.clear();
        out.extend_from_slice(b"{\"id\":");
        RequestId { method, number }.push_json(out);
        out.extend_from_slice(b",\"method\":\"");
        out.extend_from_slice(method.name());
        out.extend_from_slice(b"\",\"params\":{");
    }

    /// [`Self::start_params`] then `"symbol":"<symbol>"`.
    fn start(&self, out: &mut Vec<u8>, method: WsMethod, number: u64, symbol: &[u8]) {
        self.start_params(out, method, number);
        out.extend_from_slice(b"\"symbol\":\"");
        out.extend_from_slice(symbol);
        out.push(b'"');
    }

    /// `,"recvWindow":..,"timestamp":..}}` (and `"returnRateLimits":false` when not wanted).
    fn finish(&self, out: &mut Vec<u8>, unix_ms: u64, rate_limits: bool) {
        out.push(b',');
        self.finish_first(out, unix_ms, rate_limits);
    }

    /// [`Self::finish`] where nothing precedes it in `params` (no leading comma).
    fn finish_first(&self, out: &mut Vec<u8>, unix_ms: u64, rate_limits: bool) {
        if self.settings.recv_window_ms > 0 {
            out.extend_from_slice(b"\"recvWindow\":");
            push_u64(out, u64::from(self.settings.recv_window_ms));
            out.push(b',');
        }
        if !rate_limits {
            out.extend_from_slice(b"\"returnRateLimits\":false,");
        }
        out.extend_from_slice(b"\"timestamp\":");
        push_u64(out, unix_ms);
        out.extend_from_slice(b"}}");
    }
}
