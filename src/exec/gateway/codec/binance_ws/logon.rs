//! `session.logon`: the one signed request of a WebSocket API session.
//!
//! Binance's WebSocket API docs ("SIGNED request security", "SIGNED Request Example (Ed25519)",
//! "Log in with API key"): take every param except `signature`, sort by name, join as
//! `name=value` with `&` (no percent-encoding), sign the UTF-8 bytes with the Ed25519 key, and
//! send `signature = Base64(signature)` (standard alphabet, padded). For `session.logon` the params
//! are `apiKey`, `recvWindow` (optional) and `timestamp`, already in that order:
//!
//! ```text
//! apiKey=<key>&recvWindow=5000&timestamp=1649729878532
//! {"id":"l1","method":"session.logon","params":{"apiKey":"<key>","recvWindow":5000,
//!   "signature":"<base64>","timestamp":1649729878532}}
//! ```
//!
//! Cold path (once per session): it allocates the payload.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::super::answer::{check_unreserved, RequestError};
use super::super::encode::push_u64;
use super::key::Ed25519Key;
use super::request_id::{RequestId, WsMethod};

/// The params of one `session.logon`.
#[derive(Debug, Clone, Copy)]
pub struct LogonParams<'a> {
    /// The API key registered with the Ed25519 public key.
    pub api_key: &'a [u8],
    /// `timestamp`, unix ms.
    pub timestamp_ms: u64,
    /// `recvWindow` in ms; 0 leaves it out (Binance's default, 5000, applies).
    pub recv_window_ms: u32,
}

/// The signature payload of `params`: sorted by name (byte order, as Binance's "alphabetical"
/// over ASCII names), `name=value` joined with `&`, values as given (no percent-encoding).
pub fn sign_payload(params: &[(&str, &str)]) -> String {
    let mut sorted: Vec<&(&str, &str)> = params.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = String::new();
    for (i, (k, v)) in sorted.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// The complete `session.logon` request (id `l<seq>`) into `out` (cleared first). The API key must
/// be plain `[A-Za-z0-9._~-]` (it is written into JSON and the payload unescaped).
pub fn write_logon(
    key: &Ed25519Key,
    params: LogonParams<'_>,
    seq: u64,
    out: &mut Vec<u8>,
) -> Result<(), RequestError> {
    check_unreserved("api key", params.api_key)?;
    let api_key = std::str::from_utf8(params.api_key).map_err(|_| RequestError::BadText {
        what: "api key",
        byte: 0,
    })?;
    let ts = params.timestamp_ms.to_string();
    let rw = params.recv_window_ms.to_string();
    let mut fields: Vec<(&str, &str)> = vec![("apiKey", api_key), ("timestamp", &ts)];
    if params.recv_window_ms > 0 {
        fields.push(("recvWindow", &rw));
    }
    let payload = sign_payload(&fields);
    let signature = STANDARD.encode(key.sign(payload.as_bytes()));
    out.clear();
    out.extend_from_slice(b"{\"id\":");
    RequestId {
        method: WsMethod::Logon,
        number: seq,
    }
    .push_json(out);
    out.extend_from_slice(b",\"method\":\"session.logon\",\"params\":{\"apiKey\":\"");
    out.extend_from_slice(params.api_key);
    out.push(b'"');
    if params.recv_window_ms > 0 {
        out.extend_from_slice(b",\"recvWindow\":");
        push_u64(out, u64::from(params.recv_window_ms));
    }
    out.extend_from_slice(b",\"signature\":\"");
    out.extend_from_slice(signature.as_bytes());
    out.extend_from_slice(b"\",\"timestamp\":");
    push_u64(out, params.timestamp_ms);
    out.extend_from_slice(b"}}");
    Ok(())
}
