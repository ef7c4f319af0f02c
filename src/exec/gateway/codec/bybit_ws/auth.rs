//! `auth`: the one signed request of a Bybit v5 WebSocket session, the same on the trade socket
//! (`wss://stream.bybit.com/v5/trade`) and the private stream (`/v5/private`).
//!
//! Bybit v5 "Connect" (Authentication) and "Websocket Trade Guideline": `expires` is a unix-ms time
//! after which the request is void (a few seconds ahead of now), and
//! `signature = hex(HMAC-SHA256(secret, "GET/realtime" + expires))`:
//!
//! ```text
//! {"req_id":"a1","op":"auth","args":["<api key>",1700000010000,"<64 hex digits>"]}
//! ```
//!
//! `expires` is written as a JSON number, as in Bybit's own examples (ccxt sends the same digits as
//! a string; Bybit takes either). The trade socket's docs name the optional id `reqId`, the
//! private stream's `req_id`: [`WsSocket`] picks the one its socket documents.
//!
//! Cold path (once per connection), though it allocates nothing either.

use ring::hmac;

use super::super::answer::{check_unreserved, RequestError};
use super::super::bybit::decimal;
use super::super::encode::{push_hex, push_u64};
use super::request_id::{RequestId, WsOp};

/// Which Bybit v5 WebSocket a request goes to (they differ only in the name of the request id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WsSocket {
    /// `/v5/trade`, order entry: the id is `reqId`.
    Trade,
    /// `/v5/private`, the account's streams: the id is `req_id`.
    Private,
}

impl WsSocket {
    /// `"reqId":` or `"req_id":`.
    pub(crate) fn id_key(self) -> &'static [u8] {
        match self {
            WsSocket::Trade => b"\"reqId\":",
            WsSocket::Private => b"\"req_id\":",
        }
    }
}

/// The signature of an `auth` request: `HMAC-SHA256(secret, "GET/realtime" + expires)` (raw 32
/// bytes; the request carries it in lowercase hex).
pub fn auth_signature(key: &hmac::Key, expires_ms: u64) -> hmac::Tag {
    let mut buf = [0u8; 20];
    let mut ctx = hmac::Context::with_key(key);
    ctx.update(b"GET/realtime");
    ctx.update(decimal(expires_ms, &mut buf));
    ctx.sign()
}

/// The complete `auth` request (id `a<seq>`) for `socket` into `out` (cleared first). The API key
/// must be plain `[A-Za-z0-9._~-]` (it is written into the JSON unescaped).
pub fn write_auth(
    socket: WsSocket,
    api_key: &[u8],
    key: &hmac::Key,
    expires_ms: u64,
    seq: u64,
    out: &mut Vec<u8>,
) -> Result<(), RequestError> {
    check_unreserved("api key", api_key)?;
    let tag = auth_signature(key, expires_ms);
    out.clear();
    out.push(b'{');
    out.extend_from_slice(socket.id_key());
    RequestId {
        op: WsOp::Auth,
        number: seq,
    }
    .push_json(out);
    out.extend_from_slice(b",\"op\":\"auth\",\"args\":[\"");
    out.extend_from_slice(api_key);
    out.extend_from_slice(b"\",");
    push_u64(out, expires_ms);
    out.extend_from_slice(b",\"");
    push_hex(out, tag.as_ref());
    out.extend_from_slice(b"\"]}");
    Ok(())
}
