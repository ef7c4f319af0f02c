//! HTTP/1.1 response framing over a connection's input buffer: where the head ends, where the body
//! is, and whether the message is complete yet. `httparse` parses the head; the body is delimited
//! by `Content-Length`, by `Transfer-Encoding: chunked` (decoded in place), or, with neither, by the
//! connection closing (RFC 9112 section 6.3).
//!
//! Contract: [`frame`] looks at `buf` and either says "not complete yet" (`Ok(None)`: read more and
//! call again), or returns a [`Framed`] whose body bytes are contiguous at `body` (a chunked body
//! has been compacted there) and whose message occupies `buf[..msg_len]`, or refuses the bytes with
//! an [`HttpError`] (the connection must then be dropped: the stream can no longer be trusted).
//! No allocation: headers land in a stack array of [`MAX_HEADERS`], the caller re-parses the head
//! ([`parse_head`]) when it wants to read them. Interim `1xx` answers are refused (nothing we send
//! asks for one).

use std::ops::Range;

use thiserror::Error;

/// Most response headers read; more is refused.
pub const MAX_HEADERS: usize = 32;

/// Why response bytes were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum HttpError {
    /// The head is not valid HTTP/1.x.
    #[error("bad response head: {0}")]
    Head(httparse::Error),
    /// `Content-Length` is not a number (or is given twice, differently).
    #[error("bad Content-Length")]
    ContentLength,
    /// A chunk size line is malformed.
    #[error("bad chunk at byte {0}")]
    Chunk(usize),
    /// The response does not fit the input buffer.
    #[error("response larger than the {0}-byte buffer")]
    TooLarge(usize),
    /// A 1xx interim response (not expected).
    #[error("unexpected interim status {0}")]
    Interim(u16),
}

/// A complete response's layout in the buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framed {
    /// Status code.
    pub status: u16,
    /// Where the (decoded, contiguous) body lies.
    pub body: Range<usize>,
    /// Bytes the whole message took in the buffer (anything after belongs to the next message).
    pub msg_len: usize,
    /// The server said `Connection: close` (or the body was delimited by close).
    pub close: bool,
}

/// A parsed head: status, head length in bytes, the headers.
pub type Head<'h, 'b> = (u16, usize, &'h [httparse::Header<'b>]);

/// Parse the head of `buf` into `headers`: `Ok(Some((status, head_len)))` when complete.
pub fn parse_head<'h, 'b>(
    buf: &'b [u8],
    headers: &'h mut [httparse::Header<'b>],
) -> Result<Option<Head<'h, 'b>>, HttpError> {
    let mut resp = httparse::Response::new(headers);
    match resp.parse(buf).map_err(HttpError::Head)? {
        httparse::Status::Partial => Ok(None),
        httparse::Status::Complete(n) => {
            let status = resp.code.unwrap_or(0);
            Ok(Some((status, n, resp.headers)))
        }
    }
}

enum Delim {
    Length(usize),
    Chunked,
    Close,
}

/// Frame the response at the start of `buf` (`eof`: the peer has closed its side). May rewrite the
/// body bytes in place (chunked decoding), never the head.
pub fn frame(buf: &mut [u8], eof: bool) -> Result<Option<Framed>, HttpError> {
    let mut storage = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let Some((status, head_len, headers)) = parse_head(buf, &mut storage)? else {
        return Ok(None);
    };
    if (100..200).contains(&status) {
        return Err(HttpError::Interim(status));
    }
    let mut length: Option<usize> = None;
    let mut chunked = false;
    let mut close = false;
    for h in headers.iter() {
        if h.name.eq_ignore_ascii_case("content-length") {
            let n = parse_len(h.value).ok_or(HttpError::ContentLength)?;
            if length.is_some_and(|l| l != n) {
                return Err(HttpError::ContentLength);
            }
            length = Some(n);
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = last_token_is(h.value, b"chunked");
        } else if h.name.eq_ignore_ascii_case("connection") {
            close = h
                .value
                .split(|&b| b == b',')
                .any(|t| trim(t).eq_ignore_ascii_case(b"close"));
        }
    }
    let delim = if status == 204 || status == 304 {
        Delim::Length(0)
    } else if chunked {
        Delim::Chunked
    } else if let Some(n) = length {
        Delim::Length(n)
    } else {
        Delim::Close
    };
    match delim {
        Delim::Length(n) => {
            let end = head_len.checked_add(n).ok_or(HttpError::ContentLength)?;
            Ok((buf.len() >= end).then_some(Framed {
                status,
                body: head_len..end,
                msg_len: end,
                close,
            }))
        }
        Delim::Close => Ok(eof.then_some(Framed {
            status,
            body: head_len..buf.len(),
            msg_len: buf.len(),
            close: true,
        })),
        Delim::Chunked => {
            let Some((body_len, msg_len)) = dechunk(buf, head_len)? else {
                return Ok(None);
            };
            Ok(Some(Framed {
                status,
                body: head_len..head_len + body_len,
                msg_len,
                close,
            }))
        }
    }
}

/// Walk the chunks from `start`; when the message is complete, compact the chunk data to `start`
/// and return `(body_len, msg_len)`.
fn dechunk(buf: &mut [u8], start: usize) -> Result<Option<(usize, usize)>, HttpError> {
    // First pass: is it all here? (Compacting before knowing would corrupt a partial message.)
    let mut pos = start;
    loop {
        let (consumed, size) = match httparse::parse_chunk_size(&buf[pos..]) {
            Ok(httparse::Status::Complete(c)) => c,
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(_) => return Err(HttpError::Chunk(pos)),
        };
        let size = usize::try_from(size).map_err(|_| HttpError::Chunk(pos))?;
        pos += consumed;
        if size == 0 {
            // Trailer section: header lines up to an empty line.
            loop {
                let Some(nl) = buf[pos..].iter().position(|&b| b == b'\n') else {
                    return Ok(None);
                };
                let line = &buf[pos..pos + nl];
                pos += nl + 1;
                if line.is_empty() || line == b"\r" {
                    break;
                }
            }
            break;
        }
        let data_end = pos.checked_add(size).ok_or(HttpError::Chunk(pos))?;
        if buf.len() < data_end + 2 {
            return Ok(None);
        }
        if &buf[data_end..data_end + 2] != b"\r\n" {
            return Err(HttpError::Chunk(data_end));
        }
        pos = data_end + 2;
    }
    let msg_len = pos;
    // Second pass: move each chunk's data down; destinations never pass sources.
    let mut read = start;
    let mut write = start;
    loop {
        let Ok(httparse::Status::Complete((consumed, size))) =
            httparse::parse_chunk_size(&buf[read..])
        else {
            return Err(HttpError::Chunk(read));
        };
        read += consumed;
        let size = size as usize;
        if size == 0 {
            break;
        }
        buf.copy_within(read..read + size, write);
        write += size;
        read += size + 2;
    }
    Ok(Some((write - start, msg_len)))
}

fn trim(v: &[u8]) -> &[u8] {
    let s = v
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(v.len());
    let e = v
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(s, |e| e + 1);
    &v[s..e]
}

fn last_token_is(v: &[u8], token: &[u8]) -> bool {
    v.rsplit(|&b| b == b',')
        .next()
        .is_some_and(|t| trim(t).eq_ignore_ascii_case(token))
}

fn parse_len(v: &[u8]) -> Option<usize> {
    let t = trim(v);
    if t.is_empty() || t.len() > 15 {
        return None;
    }
    t.iter().try_fold(0usize, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + usize::from(b - b'0'))
    })
}

#[cfg(test)]
#[path = "response_tests.rs"]
mod tests;
