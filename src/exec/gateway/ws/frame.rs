//! RFC 6455 framing for a client session, without allocation: masked frames written into a
//! caller-owned buffer reserved once, and server frames read in place from the input buffer.
//!
//! Why our own: tungstenite's `send` builds a `Message` (an owned payload) and a frame per call,
//! which allocates on every order; here the codec's JSON is copied once into the output buffer,
//! XOR-ed with the mask as it goes (section 5.3: every client frame is masked with a fresh key).
//!
//! ```text
//!  0x81  0x80|len (or 126 + u16, 127 + u64, big-endian)  mask[4]  payload ^ mask[i % 4]
//! ```
//!
//! Reading: a server frame is never masked (section 5.1: a masked one is a protocol error);
//! [`read_head`] says where the payload lies once the whole frame is in the buffer. Control
//! frames (ping, pong, close) carry at most 125 bytes and are never fragmented (section 5.5).

use thiserror::Error;

/// Text frame opcode.
pub const OP_TEXT: u8 = 0x1;
/// Binary frame opcode.
pub const OP_BINARY: u8 = 0x2;
/// Continuation frame opcode.
pub const OP_CONTINUATION: u8 = 0x0;
/// Close frame opcode.
pub const OP_CLOSE: u8 = 0x8;
/// Ping frame opcode.
pub const OP_PING: u8 = 0x9;
/// Pong frame opcode.
pub const OP_PONG: u8 = 0xA;

/// Largest control-frame payload (RFC 6455, 5.5).
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// Why a frame could not be written or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum FrameError {
    /// The output buffer's reserved capacity cannot take the frame (it would have to grow).
    #[error("frame of {needed} bytes does not fit the {free} bytes left in the output buffer")]
    NoRoom {
        /// Bytes the frame needs.
        needed: usize,
        /// Bytes left before the buffer would reallocate.
        free: usize,
    },
    /// A server frame with the mask bit set, reserved bits set, or an unknown opcode.
    #[error("server frame violates RFC 6455 (first byte {first:#04x}, second {second:#04x})")]
    Protocol {
        /// The frame's first byte.
        first: u8,
        /// The frame's second byte.
        second: u8,
    },
    /// A frame longer than the input buffer can ever hold.
    #[error("server frame of {len} bytes exceeds the {cap}-byte input buffer")]
    TooLarge {
        /// The frame's length with its header.
        len: u64,
        /// The input buffer's size.
        cap: usize,
    },
}

/// The header length of a client frame with `len` payload bytes (mask included).
#[inline]
pub fn client_header_len(len: usize) -> usize {
    match len {
        0..=125 => 6,
        126..=65535 => 8,
        _ => 14,
    }
}

/// Append one final, masked client frame of `opcode` carrying `payload` to `out`, refusing
/// (nothing appended) when it would not fit `out`'s capacity, so `out` never reallocates.
#[inline]
pub fn write_client_frame(
    out: &mut Vec<u8>,
    opcode: u8,
    payload: &[u8],
    mask: [u8; 4],
) -> Result<(), FrameError> {
    let len = payload.len();
    let needed = client_header_len(len) + len;
    let free = out.capacity() - out.len();
    if needed > free {
        return Err(FrameError::NoRoom { needed, free });
    }
    out.push(0x80 | (opcode & 0x0F));
    match len {
        0..=125 => out.push(0x80 | len as u8),
        126..=65535 => {
            out.push(0x80 | 126);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            out.push(0x80 | 127);
            out.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(&mask);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i & 3]));
    Ok(())
}

/// Where one complete server frame lies in the buffer it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHead {
    /// FIN bit: the last frame of its message.
    pub fin: bool,
    /// Opcode.
    pub opcode: u8,
    /// Payload start (offset from the frame's first byte).
    pub payload_start: usize,
    /// Total frame length (header + payload).
    pub frame_len: usize,
}

/// The head of the server frame at the start of `buf`: `Ok(None)` until the whole frame is
/// there; `cap` is the most the buffer can ever hold (a longer frame is [`FrameError::TooLarge`]).
#[inline]
pub fn read_head(buf: &[u8], cap: usize) -> Result<Option<FrameHead>, FrameError> {
    let [first, second, ..] = *buf else {
        return Ok(None);
    };
    let opcode = first & 0x0F;
    let known = matches!(
        opcode,
        OP_CONTINUATION | OP_TEXT | OP_BINARY | OP_CLOSE | OP_PING | OP_PONG
    );
    if first & 0x70 != 0 || second & 0x80 != 0 || !known {
        return Err(FrameError::Protocol { first, second });
    }
    let (payload_len, header) = match second & 0x7F {
        126 => match buf.get(2..4) {
            Some(b) => (u64::from(u16::from_be_bytes([b[0], b[1]])), 4),
            None => return Ok(None),
        },
        127 => match buf.get(2..10) {
            Some(b) => {
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                (u64::from_be_bytes(a), 10)
            }
            None => return Ok(None),
        },
        n => (u64::from(n), 2),
    };
    let total = payload_len.saturating_add(header as u64);
    if total > cap as u64 {
        return Err(FrameError::TooLarge { len: total, cap });
    }
    let total = total as usize;
    if buf.len() < total {
        return Ok(None);
    }
    Ok(Some(FrameHead {
        fin: first & 0x80 != 0,
        opcode,
        payload_start: header,
        frame_len: total,
    }))
}

/// A small xorshift generator for masking keys: RFC 6455 asks for unpredictable keys so a
/// hostile page cannot steer the bytes an intermediary sees; for a trading client talking TLS to
/// its venue that threat is absent, and a seeded xorshift keeps the order path free of syscalls.
#[derive(Debug, Clone)]
pub struct MaskRng(u64);

impl MaskRng {
    /// A generator from `seed` (0 is replaced: xorshift must not start at 0).
    pub fn new(seed: u64) -> Self {
        MaskRng(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// The next masking key.
    #[inline]
    pub fn mask(&mut self) -> [u8; 4] {
        (self.next_u64() as u32).to_ne_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6455 section 5.7: "a single-frame masked text message" containing "Hello".
    #[test]
    fn rfc_masked_hello() {
        let mut out = Vec::with_capacity(64);
        write_client_frame(&mut out, OP_TEXT, b"Hello", [0x37, 0xfa, 0x21, 0x3d]).unwrap();
        assert_eq!(
            out,
            [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
        );
    }

    #[test]
    fn lengths_16_and_64_bit_and_no_room() {
        let payload = vec![b'x'; 300];
        let mut out = Vec::with_capacity(400);
        write_client_frame(&mut out, OP_TEXT, &payload, [0; 4]).unwrap();
        assert_eq!(&out[..4], &[0x81, 0x80 | 126, 0x01, 0x2c]);
        assert_eq!(out.len(), 8 + 300);
        let cap = out.capacity();
        let r = write_client_frame(&mut out, OP_TEXT, &payload, [0; 4]);
        assert!(matches!(r, Err(FrameError::NoRoom { .. })));
        assert_eq!((out.len(), out.capacity()), (308, cap), "nothing appended");
        let big = vec![0u8; 70_000];
        let mut out = Vec::with_capacity(70_100);
        write_client_frame(&mut out, OP_BINARY, &big, [1, 2, 3, 4]).unwrap();
        assert_eq!(out[1], 0x80 | 127);
        assert_eq!(&out[2..10], &70_000u64.to_be_bytes());
        assert_eq!(client_header_len(70_000), 14);
    }

    #[test]
    fn server_heads() {
        // RFC 6455 5.7: unmasked "Hello", then an unmasked ping "Hello".
        let text = [0x81, 0x05, b'H', b'e', b'l', b'l', b'o'];
        let h = read_head(&text, 1024).unwrap().unwrap();
        assert_eq!(
            (h.fin, h.opcode, h.payload_start, h.frame_len),
            (true, OP_TEXT, 2, 7)
        );
        assert_eq!(read_head(&text[..4], 1024), Ok(None), "partial");
        assert_eq!(read_head(&text[..1], 1024), Ok(None));
        let ping = [0x89, 0x05, b'H', b'e', b'l', b'l', b'o'];
        assert_eq!(read_head(&ping, 1024).unwrap().unwrap().opcode, OP_PING);
        // A fragment (FIN clear), 16-bit and 64-bit lengths.
        let frag = [0x01, 0x00];
        assert!(!read_head(&frag, 16).unwrap().unwrap().fin);
        let mut long = vec![0x82, 126, 0x01, 0x00];
        long.resize(4 + 256, 0);
        assert_eq!(read_head(&long, 4096).unwrap().unwrap().frame_len, 260);
        let huge = [0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0];
        assert!(matches!(
            read_head(&huge, 4096),
            Err(FrameError::TooLarge { .. })
        ));
        // Masked server frames, reserved bits and unknown opcodes are refused.
        for bad in [[0x81, 0x85], [0xC1, 0x00], [0x83, 0x00]] {
            assert!(matches!(
                read_head(&bad, 64),
                Err(FrameError::Protocol { .. })
            ));
        }
    }

    #[test]
    fn masks_vary() {
        let mut r = MaskRng::new(0);
        let a = r.mask();
        let b = r.mask();
        assert_ne!(a, b);
    }
}
