//! The `order` and `cancel-order` ops of a logged-in private WebSocket session.
//!
//! OKX v5 "WebSocket / Place order" and "Cancel order": after `login` an op carries no signature.
//! The instrument is named by its numeric `instIdCode` (OKX's replacement for `instId` on these
//! ops; an op without it is refused with 50014), from the [`InstrumentTable`]'s venue codes. The
//! order is an IOC limit in the cash (spot) account with `clOrdId = <prefix><order id>`, like the
//! REST codec's, so both paths name an order alike; the op `id` is an [`OkxRequestId`]:
//!
//! ```text
//! {"id":"o42","op":"order","args":[{"instIdCode":10,"tdMode":"cash","side":"buy",
//!   "ordType":"ioc","px":"60000.5","sz":"0.01","clOrdId":"ma42"}]}
//! {"id":"c42","op":"cancel-order","args":[{"instIdCode":10,"clOrdId":"ma42"}]}
//! ```
//!
//! Hot path: the writers only append to a caller-owned buffer reserved once
//! ([`OkxWsWriter::FRAME_CAPACITY`]); the prefix is checked at construction to be letters and
//! digits, so nothing needs escaping. No allocation, no formatting, no signing.

use crate::model::{Order, Side};

use super::super::answer::RequestError;
use super::super::encode::{push_decimal, push_u64};
use super::super::instruments::InstrumentTable;
use super::request_id::{OkxOp, OkxRequestId};

/// Longest client-id prefix: `clOrdId` is at most 32 characters and the order id takes up to 20.
pub const MAX_PREFIX_LEN: usize = 12;

/// Static settings of the op writer.
#[derive(Debug, Clone)]
pub struct OkxWsSettings {
    /// Prefix of `clOrdId` (the order id follows in decimal): letters and digits only, at most
    /// [`MAX_PREFIX_LEN`] bytes.
    pub client_id_prefix: String,
}

/// Writes the session's `order` and `cancel-order` ops.
#[derive(Debug)]
pub struct OkxWsWriter {
    settings: OkxWsSettings,
    instruments: InstrumentTable,
}

impl OkxWsWriter {
    /// Capacity to reserve for one op's buffer: the longest op here (an `order` with a 20-digit
    /// code, id and numbers) is under 260 bytes.
    pub const FRAME_CAPACITY: usize = 384;

    /// A writer for `instruments` (cold path: checks the prefix; the codes are looked up per op).
    pub fn new(
        settings: OkxWsSettings,
        instruments: InstrumentTable,
    ) -> Result<Self, RequestError> {
        let prefix = settings.client_id_prefix.as_bytes();
        if let Some(&byte) = prefix.iter().find(|b| !b.is_ascii_alphanumeric()) {
            return Err(RequestError::BadText {
                what: "client id prefix (letters and digits only)",
                byte,
            });
        }
        if let Some(&byte) = prefix.get(MAX_PREFIX_LEN) {
            return Err(RequestError::BadText {
                what: "client id prefix (over 12 bytes)",
                byte,
            });
        }
        Ok(OkxWsWriter {
            settings,
            instruments,
        })
    }

    /// The instruments the ops name (symbols, scales and `instIdCode`s).
    pub fn instruments(&self) -> &InstrumentTable {
        &self.instruments
    }

    /// The `clOrdId` prefix (our order id follows it in decimal).
    pub fn client_id_prefix(&self) -> &[u8] {
        self.settings.client_id_prefix.as_bytes()
    }

    /// Record the venue's `instIdCode`s (`(symbol, code)`, from its instrument list; cold path):
    /// how many instruments got one.
    pub fn set_venue_codes(&mut self, codes: &[(String, u64)]) -> usize {
        self.instruments.set_venue_codes(codes)
    }

    /// The `order` op for `order` (IOC limit, cash) into `out` (cleared first).
    pub fn write_order(&self, order: &Order, out: &mut Vec<u8>) -> Result<(), RequestError> {
        let spec = self.instruments.for_order(order)?;
        let code = self.instruments.venue_code(order.instrument)?;
        self.start(out, OkxOp::Order, order, code);
        out.extend_from_slice(match order.side {
            Side::Buy => b",\"tdMode\":\"cash\",\"side\":\"buy\"",
            Side::Sell => b",\"tdMode\":\"cash\",\"side\":\"sell\"",
        });
        out.extend_from_slice(b",\"ordType\":\"ioc\",\"px\":\"");
        push_decimal(out, order.px.0, spec.price_scale);
        out.extend_from_slice(b"\",\"sz\":\"");
        push_decimal(out, order.qty.0, spec.qty_scale);
        out.push(b'"');
        self.finish(out, order);
        Ok(())
    }

    /// The `cancel-order` op for `order`, by its client id, into `out` (cleared first).
    pub fn write_cancel(&self, order: &Order, out: &mut Vec<u8>) -> Result<(), RequestError> {
        let code = self.instruments.venue_code(order.instrument)?;
        self.start(out, OkxOp::Cancel, order, code);
        self.finish(out, order);
        Ok(())
    }

    /// `{"id":"<tag><order id>","op":"<op>","args":[{"instIdCode":<code>` into a cleared `out`.
    fn start(&self, out: &mut Vec<u8>, op: OkxOp, order: &Order, code: u64) {
        out.clear();
        out.extend_from_slice(b"{\"id\":");
        OkxRequestId {
            op,
            order_id: order.id.0,
        }
        .push_json(out);
        out.extend_from_slice(b",\"op\":\"");
        out.extend_from_slice(op.name());
        out.extend_from_slice(b"\",\"args\":[{\"instIdCode\":");
        push_u64(out, code);
    }

    /// `,"clOrdId":"<prefix><order id>"}]}`.
    fn finish(&self, out: &mut Vec<u8>, order: &Order) {
        out.extend_from_slice(b",\"clOrdId\":\"");
        out.extend_from_slice(self.settings.client_id_prefix.as_bytes());
        push_u64(out, order.id.0);
        out.extend_from_slice(b"\"}]}");
    }
}
