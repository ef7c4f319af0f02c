//! The opening handshake of a client WebSocket (RFC 6455 section 4): the `GET` upgrade request
//! and the check of the server's `101 Switching Protocols` answer, on bytes the session's
//! transport moves (so it resumes across `WouldBlock` like everything else). Cold path, once per
//! connection: it allocates the request.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ring::digest;
use thiserror::Error;

/// The GUID RFC 6455 appends to the key before hashing (section 1.3).
const GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Why the server's answer does not open a WebSocket.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HandshakeError {
    /// Not an HTTP response head.
    #[error("handshake answer is not HTTP ({0})")]
    NotHttp(String),
    /// A status other than 101.
    #[error("handshake answered HTTP {0}, not 101")]
    Status(u16),
    /// `Sec-WebSocket-Accept` missing or not the hash of our key.
    #[error("handshake answer has no valid Sec-WebSocket-Accept")]
    Accept,
    /// The head did not end within the input buffer.
    #[error("handshake answer head exceeds {0} bytes")]
    TooLarge(usize),
}

/// One handshake: the key sent and the `Sec-WebSocket-Accept` it requires.
#[derive(Debug, Clone)]
pub struct Handshake {
    key: String,
    accept: String,
}

impl Handshake {
    /// A handshake with the 16 random bytes `nonce` as its key.
    pub fn new(nonce: [u8; 16]) -> Self {
        let key = STANDARD.encode(nonce);
        let mut ctx = digest::Context::new(&digest::SHA1_FOR_LEGACY_USE_ONLY);
        ctx.update(key.as_bytes());
        ctx.update(GUID);
        let accept = STANDARD.encode(ctx.finish().as_ref());
        Handshake { key, accept }
    }

    /// The upgrade request for `host` (with `:port` when not the scheme's default) and `path`
    /// (with its query), with `extra` header lines (each ending `\r\n`: a venue's
    /// `Authorization`), appended to `out`.
    pub fn write_request(&self, host_header: &str, path: &str, extra: &[u8], out: &mut Vec<u8>) {
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: {host_header}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {}\r\nSec-WebSocket-Version: 13\r\n",
            self.key
        );
        out.extend_from_slice(req.as_bytes());
        out.extend_from_slice(extra);
        out.extend_from_slice(b"\r\n");
    }

    /// Read the answer at the start of `buf`: `Ok(None)` until its head is complete, else the
    /// head's length (the bytes after it are the first frames).
    pub fn read_response(&self, buf: &[u8], cap: usize) -> Result<Option<usize>, HandshakeError> {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut resp = httparse::Response::new(&mut headers);
        let head = match resp.parse(buf) {
            Ok(httparse::Status::Complete(n)) => n,
            Ok(httparse::Status::Partial) if buf.len() >= cap => {
                return Err(HandshakeError::TooLarge(cap))
            }
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(e) => return Err(HandshakeError::NotHttp(e.to_string())),
        };
        let status = resp.code.unwrap_or(0);
        if status != 101 {
            return Err(HandshakeError::Status(status));
        }
        let ok = resp.headers.iter().any(|h| {
            h.name.eq_ignore_ascii_case("sec-websocket-accept")
                && h.value.trim_ascii() == self.accept.as_bytes()
        });
        if !ok {
            return Err(HandshakeError::Accept);
        }
        Ok(Some(head))
    }
}

/// The path and query of a `ws://` / `wss://` URL (`/` when it has none).
pub fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find(['/', '?']).map_or("/", |i| &rest[i..])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6455 section 1.3: key `dGhlIHNhbXBsZSBub25jZQ==` (the bytes of "the sample nonce")
    /// is accepted as `s3pPLMBiTxaQ9kYGzzhZRbK+xOo=`.
    #[test]
    fn rfc_accept_and_request() {
        let h = Handshake::new(*b"the sample nonce");
        assert_eq!(h.key, "dGhlIHNhbXBsZSBub25jZQ==");
        assert_eq!(h.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        let mut out = Vec::new();
        h.write_request("ws-api.binance.com", "/ws-api/v3", b"", &mut out);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("GET /ws-api/v3 HTTP/1.1\r\nHost: ws-api.binance.com\r\n"));
        assert!(text.contains("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
        assert!(text.ends_with("\r\n\r\n"));
        let ok = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x81\x00";
        assert_eq!(h.read_response(ok, 4096), Ok(Some(ok.len() - 2)));
        assert_eq!(h.read_response(&ok[..20], 4096), Ok(None));
        let wrong = b"HTTP/1.1 101 OK\r\nSec-WebSocket-Accept: x\r\n\r\n";
        assert_eq!(h.read_response(wrong, 4096), Err(HandshakeError::Accept));
        let refused = b"HTTP/1.1 403 Forbidden\r\n\r\n";
        assert_eq!(
            h.read_response(refused, 4096),
            Err(HandshakeError::Status(403))
        );
        assert!(matches!(
            h.read_response(b"\x00\x01garbage\r\n\r\n", 4096),
            Err(HandshakeError::NotHttp(_))
        ));
    }

    #[test]
    fn paths() {
        assert_eq!(
            path_of("wss://ws-api.binance.com:443/ws-api/v3"),
            "/ws-api/v3"
        );
        assert_eq!(path_of("ws://127.0.0.1:9/ws-api/v3?x=1"), "/ws-api/v3?x=1");
        assert_eq!(path_of("ws://h"), "/");
    }
}
