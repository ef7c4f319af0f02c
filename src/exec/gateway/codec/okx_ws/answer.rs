//! Reading what arrives on a private WebSocket session, zero-copy over the frame's payload: the
//! text `pong`, an event (`login`, `error`, `subscribe`, ...), an op answer
//! `{"id","op","code","msg","data":[{"ordId","clOrdId","sCode","sMsg","ts"}],"inTime","outTime"}`
//! or a channel push `{"arg":{"channel",..},"data":[..]}`.
//!
//! An op answer becomes the same [`RestAnswer`] the REST path produces, read by the REST codec's
//! own body reader ([`OkxCodec::read_order_body`]: the op answer carries the REST body's `code`,
//! `msg` and `data[].sCode`), so both paths judge an order alike: `sCode` `"0"` -> accepted (the
//! fill state comes on the `orders` channel), 50011 -> rate limited, 50001/50004/50013/50026 ->
//! ambiguous, any other (51xxx order errors, 50014 missing parameter) -> rejected, kept in
//! [`RestAnswer::venue_code`]. A WebSocket answer has no HTTP status; it is read as a 200.
//!
//! `inTime` is when OKX's WebSocket gateway received the op and `outTime` when it sent the answer
//! (unix microseconds, as strings): [`OkxWsAnswer`] keeps both, so the venue gateway's own share of
//! an order's round trip is measured.

use thiserror::Error;

use crate::base::scan::{parse_u64, str_content, ObjIter, ScanError};
use crate::model::Order;

use super::super::answer::{parse_i32, RestAnswer};
use super::super::instruments::InstrumentTable;
use super::super::okx::OkxCodec;
use super::keepalive::is_pong;
use super::request_id::OkxRequestId;

/// Why a frame could not be read (the frame is counted and dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum OkxWsError {
    /// Not well-formed JSON (nor the text `pong`).
    #[error("OKX WebSocket frame: {0}")]
    Json(#[from] ScanError),
    /// An object that is neither an event, an op answer nor a channel push.
    #[error("OKX WebSocket frame is neither an event, an op answer nor a push")]
    Unrecognised,
}

/// One op answer, its parts borrowed from the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpEnvelope<'a> {
    /// The op id, when it is one this codec wrote (`None`: unmatched, count it).
    pub id: Option<OkxRequestId>,
    /// `op` (`order`, `cancel-order`, ...).
    pub op: &'a [u8],
    /// `code` (`None` when absent or not an integer).
    pub code: Option<i32>,
    /// `msg`.
    pub msg: &'a [u8],
    /// `inTime`: OKX's gateway received the op, unix us.
    pub in_time_us: Option<u64>,
    /// `outTime`: OKX's gateway sent the answer, unix us.
    pub out_time_us: Option<u64>,
    /// The whole frame, read by the REST codec's body reader.
    pub frame: &'a [u8],
}

/// A channel push, its parts borrowed from the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Push<'a> {
    /// `arg.channel` (`orders`, `account`, ...).
    pub channel: &'a [u8],
    /// The raw `arg` object.
    pub arg: &'a [u8],
    /// The raw `data` array (read it with [`super::OrderUpdates`] or [`super::AccountUpdate`]).
    pub data: &'a [u8],
}

/// What one text frame is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OkxInbound<'a> {
    /// The text `pong`.
    Pong,
    /// `event: login` with its `code` (`Some(0)`: logged in; see [`super::login_result`]).
    Login {
        /// `code`.
        code: Option<i32>,
        /// `msg`.
        msg: &'a [u8],
    },
    /// `event: error` (a refused login, subscription or malformed request).
    Error {
        /// `code` (60009 login failed, 60004 bad timestamp, 60006 expired, 60012 bad request, ...).
        code: Option<i32>,
        /// `msg`.
        msg: &'a [u8],
    },
    /// Another event (`subscribe`, `unsubscribe`, `notice`, `channel-conn-count`, ...).
    Event {
        /// `event`.
        event: &'a [u8],
        /// The raw `arg` object, when present.
        arg: Option<&'a [u8]>,
    },
    /// The answer to one of our ops.
    Answer(OpEnvelope<'a>),
    /// A channel push.
    Push(Push<'a>),
}

/// Classify and split one text frame.
pub fn parse_inbound(frame: &[u8]) -> Result<OkxInbound<'_>, OkxWsError> {
    if is_pong(frame) {
        return Ok(OkxInbound::Pong);
    }
    let (mut id, mut op, mut code, mut msg, mut event) = (None, None, None, &b""[..], None);
    let (mut arg, mut data, mut in_time, mut out_time) = (None, None, None, None);
    for m in ObjIter::new(frame) {
        let (k, v) = m?;
        match k {
            b"id" => id = Some(v),
            b"op" => op = str_content(v),
            b"code" => code = parse_i32(v),
            b"msg" => msg = str_content(v).unwrap_or(b""),
            b"event" => event = str_content(v),
            b"arg" => arg = Some(v),
            b"data" => data = Some(v),
            b"inTime" => in_time = str_content(v).and_then(parse_u64),
            b"outTime" => out_time = str_content(v).and_then(parse_u64),
            _ => {}
        }
    }
    if let Some(event) = event {
        return Ok(match event {
            b"login" => OkxInbound::Login { code, msg },
            b"error" => OkxInbound::Error { code, msg },
            _ => OkxInbound::Event { event, arg },
        });
    }
    if let Some(op) = op {
        return Ok(OkxInbound::Answer(OpEnvelope {
            id: id.and_then(OkxRequestId::parse),
            op,
            code,
            msg,
            in_time_us: in_time,
            out_time_us: out_time,
            frame,
        }));
    }
    match (arg, data) {
        (Some(arg), Some(data)) => {
            let channel = crate::base::scan::field(arg, b"channel")?
                .and_then(str_content)
                .ok_or(OkxWsError::Unrecognised)?;
            Ok(OkxInbound::Push(Push { channel, arg, data }))
        }
        _ => Err(OkxWsError::Unrecognised),
    }
}

/// An op answer as the engine uses it: the [`RestAnswer`] plus OKX's gateway times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OkxWsAnswer {
    /// The answer, as the REST path would read the same body.
    pub answer: RestAnswer,
    /// `inTime`, unix us.
    pub in_time_us: Option<u64>,
    /// `outTime`, unix us.
    pub out_time_us: Option<u64>,
}

impl OkxWsAnswer {
    /// `outTime - inTime`: how long OKX's side took, us (`None` unless both are known and in
    /// order).
    pub fn venue_latency_us(&self) -> Option<u64> {
        self.out_time_us?.checked_sub(self.in_time_us?)
    }
}

/// The answer to an `order` / `cancel-order` op for `order` (the caller matched `env.id` to it).
pub fn read_op_answer(
    instruments: &InstrumentTable,
    order: &Order,
    env: &OpEnvelope<'_>,
    now_ns: u64,
) -> OkxWsAnswer {
    let mut a = RestAnswer::blank(order, now_ns);
    // No HTTP status on a WebSocket: the body alone decides, as on an HTTP 200.
    a.classify_status(200);
    OkxCodec::read_order_body(instruments, order, env.frame, &mut a);
    OkxWsAnswer {
        answer: a,
        in_time_us: env.in_time_us,
        out_time_us: env.out_time_us,
    }
}
