//! The `reqId` of a trade-WebSocket request: `"<tag><order id>"` ([`super::super::tagged_id`]), so
//! an answer matches back to its order and to the request that caused it. Bybit echoes a `reqId`
//! unchanged and refuses a `reqId` it has already seen with `retCode` 20006, so every request kind
//! has its own tag and an order is created once; a second cancel of the same order reuses its id
//! and is answered 20006 (read as "fate unknown", see [`super::answer`]).

use super::super::tagged_id::{parse_tagged, push_tagged};

/// The requests this codec writes, each with its one-letter id tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WsOp {
    /// `auth` (tag `a`; number = sequence).
    Auth,
    /// `order.create` (tag `c`; number = order id).
    Create,
    /// `order.cancel` (tag `x`; number = order id).
    Cancel,
    /// `ping` (tag `p`; number = sequence).
    Ping,
}

impl WsOp {
    /// The `op` Bybit expects.
    pub fn name(self) -> &'static [u8] {
        match self {
            WsOp::Auth => b"auth",
            WsOp::Create => b"order.create",
            WsOp::Cancel => b"order.cancel",
            WsOp::Ping => b"ping",
        }
    }

    fn tag(self) -> u8 {
        match self {
            WsOp::Auth => b'a',
            WsOp::Create => b'c',
            WsOp::Cancel => b'x',
            WsOp::Ping => b'p',
        }
    }

    fn from_tag(tag: u8) -> Option<Self> {
        Some(match tag {
            b'a' => WsOp::Auth,
            b'c' => WsOp::Create,
            b'x' => WsOp::Cancel,
            b'p' => WsOp::Ping,
            _ => return None,
        })
    }
}

/// A request id: which op, and the order id or sequence number it was sent for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestId {
    /// The op.
    pub op: WsOp,
    /// Order id (`Create`, `Cancel`) or sequence number (`Auth`, `Ping`).
    pub number: u64,
}

impl RequestId {
    /// Append the id as a JSON string (`"c42"`).
    #[inline]
    pub fn push_json(self, out: &mut Vec<u8>) {
        push_tagged(out, self.op.tag(), self.number);
    }

    /// Read a raw JSON `reqId` / `req_id` value back; `None` for an id this codec did not write.
    pub fn parse(raw: &[u8]) -> Option<Self> {
        let (tag, number) = parse_tagged(raw)?;
        Some(RequestId {
            op: WsOp::from_tag(tag)?,
            number,
        })
    }
}
