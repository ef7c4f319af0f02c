//! Upbit's private WebSocket (`wss://api.upbit.com/websocket/v1/private`): the request that opens
//! it (the `Authorization: Bearer <JWT>` header and the subscription frame) and, in [`parse`], the
//! reading of its `myOrder` and `myAsset` frames.
//!
//! Upbit docs: <https://docs.upbit.com/kr/reference/websocket-myorder>,
//! <https://global-docs.upbit.com/reference/websocket-myasset>, and "Authentication": the private
//! stream's token is the REST token without a `query_hash` (`{"access_key":..,"nonce":..}`), so
//! the REST codec's [`JwtSigner`] writes it.

pub mod parse;

pub use parse::{
    MyAsset, MyOrder, MyOrderFill, OrderState, PrivateCounters, PrivateError, PrivateEvent,
    UpbitMarket, UpbitPrivateParser, BALANCE_SCALE,
};

use crate::exec::gateway::codec::answer::{check_unreserved, RequestError};
use crate::exec::gateway::codec::jwt::JwtSigner;

/// The private stream's path on Upbit's host.
pub const PRIVATE_PATH: &str = "/websocket/v1/private";

/// Append the value of the `Authorization` header of the upgrade request, `Bearer <JWT>`, for a
/// fresh `nonce` (a UUID from [`UuidGen`](crate::exec::gateway::codec::nonce::UuidGen)): the JWT
/// carries the access key and the nonce only, no query hash (the request has no parameters).
pub fn write_bearer(signer: &mut JwtSigner, nonce: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(b"Bearer ");
    signer.write_token(out, nonce, None);
}

/// Append the subscription frame sent once the socket is open:
/// `[{"ticket":"<ticket>"},{"type":"myOrder"},{"type":"myAsset"},{"format":"DEFAULT"}]`.
///
/// `myOrder` without `codes` subscribes every market (Upbit refuses `codes` on `myAsset` with
/// `WRONG_FORMAT`, so neither carries it). The ticket names the connection on Upbit's side; it
/// must need no JSON escaping (checked: unreserved characters only).
pub fn write_subscription(ticket: &[u8], out: &mut Vec<u8>) -> Result<(), RequestError> {
    check_unreserved("ticket", ticket)?;
    out.extend_from_slice(b"[{\"ticket\":\"");
    out.extend_from_slice(ticket);
    out.extend_from_slice(
        b"\"},{\"type\":\"myOrder\"},{\"type\":\"myAsset\"},{\"format\":\"DEFAULT\"}]",
    );
    Ok(())
}
