//! Reading what arrives on a Bybit v5 WebSocket, the trade socket and the private stream alike,
//! zero-copy over the frame's payload: an answer to one of our ops
//! (`{"reqId","retCode","retMsg","op","data","header","connId"}` on `/v5/trade`,
//! `{"req_id","success","ret_msg","op","conn_id"}` on `/v5/private`) or a topic push
//! (`{"id","topic","creationTime","data":[..]}`, read with [`super::events`]).
//!
//! An `order.create` answer is an acknowledgement, never a fill: `retCode` 0 says Bybit took the
//! order, not what became of it (Bybit: "the ack only says accepted: confirm on the order
//! stream"), so [`read_order_answer`] returns [`AnswerKind::Accepted`] with
//! [`ExecStatus::Unknown`], the same as the REST create's acknowledgement, and the fate comes from
//! the `order` / `execution` pushes (or a status query). Other codes (Bybit v5 "Error Codes",
//! "Websocket Trade Guideline"):
//! - 10006 (too many visits) and 10429 (system frequency protection): rate limited, nothing done.
//! - 10016 / 10000 (server error, timeout): fate unknown, query it.
//! - 20006 (`reqId` duplicated): this request was refused, but an earlier one with the same id
//!   may have been taken: fate unknown, query it (never "rejected").
//! - anything else (10001 params, 10003 key, 10004 signature, 10005 permission, 10019 service
//!   restarting and taking no new requests, 10404 unknown op or category, 110xxx / 170xxx order
//!   errors): refused, nothing happened, the code kept in [`RestAnswer::venue_code`].
//!
//! The answer's `header` (`X-Bapi-Limit-Status`, `X-Bapi-Limit-Reset-Timestamp`) fills
//! [`RestAnswer::bybit_limit`] as the REST response headers do.

use thiserror::Error;

use crate::base::scan::{field, parse_u64, str_content, ObjIter, ScanError};
use crate::model::{ExecStatus, Order};

use super::super::answer::{parse_i32, AnswerKind, RestAnswer};
use super::super::bybit::{RET_RATE_LIMIT, RET_SERVER_ERROR};
use super::super::fees;
use super::request_id::RequestId;

/// `retCode` of the trade socket's system-level frequency protection.
pub const RET_SYSTEM_RATE_LIMIT: i32 = 10429;
/// `retCode` "reqId is duplicated": the earlier request with this id may have been taken.
pub const RET_DUPLICATE_REQ_ID: i32 = 20006;
/// `retCode` of an `auth` on a connection that is already authenticated.
pub const RET_REPEAT_AUTH: i32 = 20001;

/// Why a frame could not be read (the frame is counted and dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum WsError {
    /// Not well-formed JSON.
    #[error("Bybit WebSocket frame: {0}")]
    Json(#[from] ScanError),
    /// Neither an op answer (`op`) nor a push (`topic`).
    #[error("Bybit WebSocket frame is neither an op answer nor a topic push")]
    Unrecognised,
}

/// An answer to one of our ops, its parts borrowed from the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpAnswer<'a> {
    /// `op` (`order.create`, `auth`, `pong`, `subscribe`, ...).
    pub op: &'a [u8],
    /// `reqId` / `req_id`, when it is one this codec wrote (`None`: absent or foreign).
    pub id: Option<RequestId>,
    /// `retCode` (trade socket), when present and an integer.
    pub ret_code: Option<i32>,
    /// `success` (private stream), when present.
    pub success: Option<bool>,
    /// `retMsg` / `ret_msg` (raw string content; empty when absent).
    pub ret_msg: &'a [u8],
    /// The raw `data` value.
    pub data: Option<&'a [u8]>,
    /// The raw `header` object.
    pub header: Option<&'a [u8]>,
}

impl OpAnswer<'_> {
    /// Whether the venue says the op succeeded (`retCode` 0, or `success: true`).
    pub fn ok(&self) -> bool {
        match (self.ret_code, self.success) {
            (Some(code), _) => code == 0,
            (None, Some(s)) => s,
            (None, None) => false,
        }
    }
}

/// A topic push, its parts borrowed from the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Push<'a> {
    /// `topic` (`order`, `execution`, `wallet`, ...).
    pub topic: &'a [u8],
    /// `id`, the message id (raw string content).
    pub id: &'a [u8],
    /// `creationTime`, unix ms (0 when absent).
    pub creation_ms: u64,
    /// The raw `data` array.
    pub data: &'a [u8],
}

/// What one frame is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BybitInbound<'a> {
    /// The answer to an `order.create` / `order.amend` / `order.cancel`.
    Order(OpAnswer<'a>),
    /// The answer to `auth` (read it with [`auth_result`]).
    Auth(OpAnswer<'a>),
    /// A pong (`op` `pong`, or a `ping` echoed with `success`).
    Pong(OpAnswer<'a>),
    /// The answer to a `subscribe` / `unsubscribe`.
    Subscribed(OpAnswer<'a>),
    /// An answer to another op (counted).
    OtherOp(OpAnswer<'a>),
    /// A topic push.
    Push(Push<'a>),
}

/// Classify and split one text frame.
pub fn parse_inbound(frame: &[u8]) -> Result<BybitInbound<'_>, WsError> {
    let mut a = OpAnswer {
        op: b"",
        id: None,
        ret_code: None,
        success: None,
        ret_msg: b"",
        data: None,
        header: None,
    };
    let (mut op, mut topic, mut msg_id, mut creation) = (None, None, None, None);
    for m in ObjIter::new(frame) {
        let (k, v) = m?;
        match k {
            b"op" => op = str_content(v),
            b"topic" => topic = str_content(v),
            b"reqId" | b"req_id" => a.id = RequestId::parse(v),
            b"retCode" => a.ret_code = parse_i32(v),
            b"success" => a.success = parse_bool(v),
            b"retMsg" | b"ret_msg" => a.ret_msg = str_content(v).unwrap_or(b""),
            b"data" => a.data = Some(v),
            b"header" => a.header = Some(v),
            b"id" => msg_id = str_content(v),
            b"creationTime" => creation = parse_u64(v),
            _ => {}
        }
    }
    if let Some(topic) = topic {
        return Ok(BybitInbound::Push(Push {
            topic,
            id: msg_id.unwrap_or(b""),
            creation_ms: creation.unwrap_or(0),
            data: a.data.unwrap_or(b"[]"),
        }));
    }
    let op = op.ok_or(WsError::Unrecognised)?;
    a.op = op;
    Ok(match op {
        b"order.create" | b"order.amend" | b"order.cancel" => BybitInbound::Order(a),
        b"auth" => BybitInbound::Auth(a),
        b"pong" | b"ping" => BybitInbound::Pong(a),
        b"subscribe" | b"unsubscribe" => BybitInbound::Subscribed(a),
        _ => BybitInbound::OtherOp(a),
    })
}

fn parse_bool(v: &[u8]) -> Option<bool> {
    match v {
        b"true" => Some(true),
        b"false" => Some(false),
        _ => None,
    }
}

/// What an `auth` answer says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthResult {
    /// Authenticated.
    Ok,
    /// `retCode` 20001: the connection already was.
    AlreadyAuthenticated,
    /// Refused: `retCode` (10004 signature, 10003 key, 10001 params, ...), or 0 when only
    /// `success: false` said so (the private stream's form; its reason is in `ret_msg`).
    Refused {
        /// The venue's code (0 when none).
        code: i32,
    },
}

/// Read an `auth` answer (either socket's form).
pub fn auth_result(a: &OpAnswer<'_>) -> AuthResult {
    match a.ret_code {
        Some(RET_REPEAT_AUTH) => AuthResult::AlreadyAuthenticated,
        _ if a.ok() => AuthResult::Ok,
        code => AuthResult::Refused {
            code: code.unwrap_or(0),
        },
    }
}

/// The answer to an `order.create` / `order.cancel` for `order` (the caller matched `a.id` to
/// it) as a [`RestAnswer`]; `http_status` stays 0 (no HTTP here), the `retCode` goes in
/// `venue_code`.
pub fn read_order_answer(order: &Order, a: &OpAnswer<'_>, now_ns: u64) -> RestAnswer {
    let mut r = RestAnswer::blank(order, now_ns);
    if let Some(header) = a.header {
        read_limit_header(header, &mut r);
    }
    let Some(code) = a.ret_code else {
        // Nothing says what happened.
        return r;
    };
    r.venue_code = code;
    match code {
        0 => {
            r.set(AnswerKind::Accepted, ExecStatus::Unknown);
            if let Some(data) = a.data {
                if let Ok(Some(id)) = field(data, b"orderId") {
                    r.report.venue_order_id = fees::venue_order_id(id);
                }
            }
        }
        RET_RATE_LIMIT | RET_SYSTEM_RATE_LIMIT => {
            r.set(AnswerKind::RateLimited, ExecStatus::Rejected { code: 429 })
        }
        RET_DUPLICATE_REQ_ID => r.set(AnswerKind::Ambiguous, ExecStatus::Unknown),
        c if RET_SERVER_ERROR.contains(&c) => r.set(AnswerKind::Ambiguous, ExecStatus::Unknown),
        _ => {
            let refused = r.refusal();
            r.set(AnswerKind::Rejected, refused);
        }
    }
    r
}

/// The answer `header`'s usage fields into `r.bybit_limit`; a malformed one counts in
/// `bad_headers`.
fn read_limit_header(header: &[u8], r: &mut RestAnswer) {
    for m in ObjIter::new(header) {
        let Ok((k, v)) = m else {
            r.bad_headers = r.bad_headers.saturating_add(1);
            return;
        };
        let value = str_content(v).unwrap_or(v);
        if r.bybit_limit.apply(k, value).is_err() {
            r.bad_headers = r.bad_headers.saturating_add(1);
        }
    }
}
