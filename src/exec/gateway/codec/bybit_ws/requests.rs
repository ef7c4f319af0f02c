//! The unsigned requests of an authenticated trade-WebSocket session (`auth` done):
//! `order.create`, `order.cancel`, and the `ping` both sockets need every 20 s.
//!
//! After `auth` Bybit takes orders with only a `header` (`X-BAPI-TIMESTAMP`, and
//! `X-BAPI-RECV-WINDOW`), no signature, so the per-order signing cost is zero. The order object is
//! the REST body's ([`write_order_json`]: IOC LIMIT, `orderLinkId = <prefix><order id>`); the
//! `reqId` is a [`RequestId`] carrying our order id:
//!
//! ```text
//! {"reqId":"c7","header":{"X-BAPI-TIMESTAMP":"1700000000123","X-BAPI-RECV-WINDOW":"5000"},
//!   "op":"order.create","args":[{"category":"spot","symbol":"BTCUSDT","side":"Buy",
//!   "orderType":"Limit","qty":"0.5","price":"25000.1","timeInForce":"IOC","orderLinkId":"ma7"}]}
//! {"reqId":"x7","header":{..},"op":"order.cancel","args":[{"category":"spot","symbol":"BTCUSDT",
//!   "orderLinkId":"ma7"}]}
//! {"req_id":"p3","op":"ping"}
//! ```
//!
//! Hot path: the writers only append to a caller-owned buffer reserved once
//! ([`BybitWsWriter::FRAME_CAPACITY`]); symbols and the prefix are checked at construction to need
//! no JSON escaping. No allocation, no formatting, no signing.

use crate::model::Order;

use super::super::answer::{check_ws_client_prefix, RequestError};
use super::super::bybit::{start_cancel_json, write_order_json};
use super::super::encode::push_u64;
use super::super::instruments::InstrumentTable;
use super::auth::WsSocket;
use super::request_id::{RequestId, WsOp};

/// Static settings of the trade-WebSocket writer.
#[derive(Debug, Clone)]
pub struct BybitWsSettings {
    /// `X-BAPI-RECV-WINDOW` in ms (Bybit's default 5000); 0 leaves it out.
    pub recv_window_ms: u32,
    /// Prefix of `orderLinkId` (the order id follows in decimal): at most 16 bytes of
    /// `[A-Za-z0-9._~-]`, the REST codec's rule, so both paths name an order alike (Bybit allows
    /// 36 characters; 16 + 20 digits fit).
    pub client_id_prefix: String,
}

/// Writes the session's unsigned requests.
#[derive(Debug)]
pub struct BybitWsWriter {
    settings: BybitWsSettings,
    instruments: InstrumentTable,
}

impl BybitWsWriter {
    /// Capacity to reserve for one request's buffer: the longest request here (an `order.create`
    /// with a 20-character symbol and 20-digit numbers) is under 400 bytes.
    pub const FRAME_CAPACITY: usize = 512;

    /// A writer for `instruments` (cold path: checks the prefix; the table already refused symbols
    /// that would need escaping).
    pub fn new(
        settings: BybitWsSettings,
        instruments: InstrumentTable,
    ) -> Result<Self, RequestError> {
        check_ws_client_prefix(settings.client_id_prefix.as_bytes())?;
        Ok(BybitWsWriter {
            settings,
            instruments,
        })
    }

    /// The venue's instruments (what the readers decode pushed figures at).
    pub fn instruments(&self) -> &InstrumentTable {
        &self.instruments
    }

    /// The configured `orderLinkId` prefix (what the readers strip to find our order id).
    pub fn client_id_prefix(&self) -> &[u8] {
        self.settings.client_id_prefix.as_bytes()
    }

    /// `order.create` for `order` (IOC LIMIT, id `c<order id>`) into `out` (cleared first).
    pub fn write_create(
        &self,
        order: &Order,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        let spec = self.instruments.for_order(order)?;
        self.start(out, WsOp::Create, order.id.0, unix_ms);
        write_order_json(spec, self.client_id_prefix(), order, out);
        out.extend_from_slice(b"]}");
        Ok(())
    }

    /// `order.cancel` for `order` by its `orderLinkId` (id `x<order id>`) into `out` (cleared
    /// first).
    pub fn write_cancel(
        &self,
        order: &Order,
        unix_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        let spec = self.instruments.get(order.instrument)?;
        self.start(out, WsOp::Cancel, order.id.0, unix_ms);
        start_cancel_json(spec.symbol.as_bytes(), out);
        out.extend_from_slice(self.client_id_prefix());
        push_u64(out, order.id.0);
        out.extend_from_slice(b"\"}]}");
        Ok(())
    }

    /// `{"reqId":..,"header":{..},"op":"<op>","args":[` into a cleared `out`.
    fn start(&self, out: &mut Vec<u8>, op: WsOp, number: u64, unix_ms: u64) {
        out.clear();
        out.push(b'{');
        out.extend_from_slice(WsSocket::Trade.id_key());
        RequestId { op, number }.push_json(out);
        out.extend_from_slice(b",\"header\":{\"X-BAPI-TIMESTAMP\":\"");
        push_u64(out, unix_ms);
        out.push(b'"');
        if self.settings.recv_window_ms > 0 {
            out.extend_from_slice(b",\"X-BAPI-RECV-WINDOW\":\"");
            push_u64(out, u64::from(self.settings.recv_window_ms));
            out.push(b'"');
        }
        out.extend_from_slice(b"},\"op\":\"");
        out.extend_from_slice(op.name());
        out.extend_from_slice(b"\",\"args\":[");
    }
}

/// `{"<id key>":"p<seq>","op":"ping"}` for `socket` into `out` (cleared first): the heartbeat both
/// sockets want every 20 s (Bybit cuts a silent connection after 10 minutes).
pub fn write_ping(socket: WsSocket, seq: u64, out: &mut Vec<u8>) {
    out.clear();
    out.push(b'{');
    out.extend_from_slice(socket.id_key());
    RequestId {
        op: WsOp::Ping,
        number: seq,
    }
    .push_json(out);
    out.extend_from_slice(b",\"op\":\"ping\"}");
}
