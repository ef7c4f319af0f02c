//! The `id` of a WebSocket API request: a JSON string `"<tag><number>"`, where the tag names the
//! method and the number is our order id (or, for requests about no single order, a sequence
//! number), so an answer matches back to its order *and* to the request that caused it (an
//! `order.place` and an `order.status` for the same order can be in flight at once). Binance
//! echoes the id unchanged; a string id may be 36 characters, this one is at most 21.

use super::super::tagged_id::{parse_tagged, push_tagged};

/// The request kinds this codec writes, each with its one-letter id tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WsMethod {
    /// `session.logon` (tag `l`).
    Logon,
    /// `order.place` (tag `p`; number = order id).
    Place,
    /// `order.status` (tag `s`; number = order id).
    Status,
    /// `order.cancel` (tag `c`; number = order id).
    Cancel,
    /// `openOrders.status` (tag `o`; number = sequence).
    OpenOrders,
    /// `account.status` (tag `a`; number = sequence).
    Account,
    /// `userDataStream.subscribe` (tag `u`; number = sequence).
    Subscribe,
}

impl WsMethod {
    /// The method name Binance expects.
    pub fn name(self) -> &'static [u8] {
        match self {
            WsMethod::Logon => b"session.logon",
            WsMethod::Place => b"order.place",
            WsMethod::Status => b"order.status",
            WsMethod::Cancel => b"order.cancel",
            WsMethod::OpenOrders => b"openOrders.status",
            WsMethod::Account => b"account.status",
            WsMethod::Subscribe => b"userDataStream.subscribe",
        }
    }

    fn tag(self) -> u8 {
        match self {
            WsMethod::Logon => b'l',
            WsMethod::Place => b'p',
            WsMethod::Status => b's',
            WsMethod::Cancel => b'c',
            WsMethod::OpenOrders => b'o',
            WsMethod::Account => b'a',
            WsMethod::Subscribe => b'u',
        }
    }

    fn from_tag(tag: u8) -> Option<Self> {
        Some(match tag {
            b'l' => WsMethod::Logon,
            b'p' => WsMethod::Place,
            b's' => WsMethod::Status,
            b'c' => WsMethod::Cancel,
            b'o' => WsMethod::OpenOrders,
            b'a' => WsMethod::Account,
            b'u' => WsMethod::Subscribe,
            _ => return None,
        })
    }
}

/// A request id: which method, and the order id or sequence number it was sent for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestId {
    /// The method.
    pub method: WsMethod,
    /// Order id (`Place`, `Status`, `Cancel`) or sequence number (the others).
    pub number: u64,
}

impl RequestId {
    /// Append the id as a JSON string (`"p42"`).
    #[inline]
    pub fn push_json(self, out: &mut Vec<u8>) {
        push_tagged(out, self.method.tag(), self.number);
    }

    /// Read a raw JSON `id` value back; `None` for an id this codec did not write (a number,
    /// `null`, another tag, digits that overflow).
    pub fn parse(raw: &[u8]) -> Option<Self> {
        let (tag, number) = parse_tagged(raw)?;
        Some(RequestId {
            method: WsMethod::from_tag(tag)?,
            number,
        })
    }
}
