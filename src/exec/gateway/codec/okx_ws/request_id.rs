//! The `id` of an OKX WebSocket op: a JSON string `"<tag><number>"`, where the tag names the op and
//! the number is our order id, so an answer matches back to its order *and* to the op that caused
//! it (an `order` and a `cancel-order` for the same order can be in flight at once). OKX echoes
//! the id unchanged and allows up to 32 case-sensitive letters and digits; this one is at most
//! 21.

use crate::base::scan::{parse_u64, str_content};

use super::super::encode::push_u64;

/// The ops this codec writes, each with its one-letter id tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OkxOp {
    /// `order` (tag `o`).
    Order,
    /// `cancel-order` (tag `c`).
    Cancel,
}

impl OkxOp {
    /// The `op` name OKX expects.
    pub fn name(self) -> &'static [u8] {
        match self {
            OkxOp::Order => b"order",
            OkxOp::Cancel => b"cancel-order",
        }
    }

    fn tag(self) -> u8 {
        match self {
            OkxOp::Order => b'o',
            OkxOp::Cancel => b'c',
        }
    }

    fn from_tag(tag: u8) -> Option<Self> {
        match tag {
            b'o' => Some(OkxOp::Order),
            b'c' => Some(OkxOp::Cancel),
            _ => None,
        }
    }
}

/// An op id: which op, and the order id it was sent for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OkxRequestId {
    /// The op.
    pub op: OkxOp,
    /// Our order id.
    pub order_id: u64,
}

impl OkxRequestId {
    /// Append the id as a JSON string (`"o42"`).
    #[inline]
    pub fn push_json(self, out: &mut Vec<u8>) {
        out.push(b'"');
        out.push(self.op.tag());
        push_u64(out, self.order_id);
        out.push(b'"');
    }

    /// Read a raw JSON `id` value back; `None` for an id this codec did not write (a number,
    /// another tag, digits that overflow).
    pub fn parse(raw: &[u8]) -> Option<Self> {
        let (&tag, digits) = str_content(raw)?.split_first()?;
        Some(OkxRequestId {
            op: OkxOp::from_tag(tag)?,
            order_id: parse_u64(digits)?,
        })
    }
}
