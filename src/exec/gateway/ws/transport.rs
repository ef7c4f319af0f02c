//! The byte pipe under a session: one non-blocking `mio::net::TcpStream`, plain or through a
//! rustls `ClientConnection`, with an output buffer and an input buffer reserved once.
//!
//! Contract: nothing blocks; [`Transport::write_some`] and [`Transport::read_some`] move what the
//! socket takes or has and stop at `WouldBlock`. Two running totals say which output bytes have
//! *left* (handed to the socket, or to rustls, which then owns them): a request whose first byte
//! has left may have reached the venue, one whose bytes have not cannot have. No readiness
//! registration: the session polls by trying (one `read` returning `WouldBlock` when idle, the
//! price of an `epoll_wait`). Plain TCP allocates nothing after [`Transport::new`]; over TLS
//! rustls 0.23 allocates a record buffer per write and per read, as on the REST path.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;

use mio::net::TcpStream;
use rustls::ClientConnection;

use crate::net::http::TlsTarget;

/// Why the pipe is unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipeError {
    /// The peer closed the connection.
    Closed,
    /// A socket error.
    Io(io::ErrorKind),
    /// TLS failed (handshake, certificate, record).
    Tls,
}

fn would_block(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::WouldBlock
}

/// One connection's socket and buffers.
#[derive(Debug)]
pub struct Transport {
    tls_target: Option<TlsTarget>,
    stream: Option<TcpStream>,
    tls: Option<Box<ClientConnection>>,
    tcp_up: bool,
    /// Bytes to send; [`Transport::write_some`] drains it.
    pub out: Vec<u8>,
    out_pos: usize,
    /// Bytes read and not yet consumed, `inb[..in_len]`.
    pub inb: Box<[u8]>,
    /// Filled length of `inb`.
    pub in_len: usize,
    appended: u64,
    left: u64,
}

impl Transport {
    /// A closed pipe (TLS when `tls` is given) with `in_cap` input and `out_cap` output bytes.
    pub fn new(tls: Option<TlsTarget>, in_cap: usize, out_cap: usize) -> Self {
        Transport {
            tls_target: tls,
            stream: None,
            tls: None,
            tcp_up: false,
            out: Vec::with_capacity(out_cap),
            out_pos: 0,
            inb: vec![0u8; in_cap.max(1024)].into_boxed_slice(),
            in_len: 0,
            appended: 0,
            left: 0,
        }
    }

    /// Start a non-blocking connect to `addr` (closing any previous socket).
    pub fn connect(&mut self, addr: SocketAddr) -> io::Result<()> {
        self.close();
        let stream = TcpStream::connect(addr)?;
        if let Some(t) = &self.tls_target {
            let conn = ClientConnection::new(Arc::clone(&t.config), t.name.clone())
                .map_err(io::Error::other)?;
            self.tls = Some(Box::new(conn));
        }
        self.stream = Some(stream);
        Ok(())
    }

    /// Drop the socket and every buffered byte (the running totals stay, so a request staged
    /// before still reads as "left" or not).
    pub fn close(&mut self) {
        self.stream = None;
        self.tls = None;
        self.tcp_up = false;
        self.account_out();
        self.out.clear();
        self.out_pos = 0;
        self.in_len = 0;
    }

    /// True while a socket exists.
    pub fn is_open(&self) -> bool {
        self.stream.is_some()
    }

    /// `Ok(true)` once TCP is connected and (over TLS) the TLS handshake is done; drives both.
    pub fn poll_connected(&mut self) -> Result<bool, PipeError> {
        let Some(stream) = self.stream.as_ref() else {
            return Err(PipeError::Closed);
        };
        if !self.tcp_up {
            match stream.take_error() {
                Ok(Some(e)) | Err(e) => return Err(PipeError::Io(e.kind())),
                Ok(None) => {}
            }
            match stream.peer_addr() {
                Ok(_) => {
                    self.tcp_up = true;
                    let _ = stream.set_nodelay(true);
                }
                Err(e) if e.kind() == io::ErrorKind::NotConnected || would_block(&e) => {
                    return Ok(false)
                }
                Err(e) => return Err(PipeError::Io(e.kind())),
            }
        }
        if self.tls.is_some() {
            self.write_some()?;
            self.read_some()?;
            self.write_some()?;
            return Ok(self.tls.as_ref().is_some_and(|t| !t.is_handshaking()));
        }
        Ok(true)
    }

    /// Bytes appended to the output so far (all sessions): a request's start offset.
    pub fn appended(&self) -> u64 {
        self.appended + self.out.len() as u64
    }

    /// Bytes that have left so far (all sessions).
    pub fn left(&self) -> u64 {
        self.left
    }

    /// Output bytes appended and not yet left.
    pub fn unsent(&self) -> usize {
        self.out.len() - self.out_pos
    }

    /// Count the buffered output into `appended` before the buffer is cleared.
    fn account_out(&mut self) {
        self.appended += self.out.len() as u64;
    }

    /// Hand the output to the socket (or to rustls) until it is empty or would block.
    pub fn write_some(&mut self) -> Result<(), PipeError> {
        let Some(stream) = self.stream.as_mut() else {
            return Err(PipeError::Closed);
        };
        if let Some(tls) = self.tls.as_mut() {
            if self.out_pos < self.out.len() && self.tcp_up {
                // rustls takes the plaintext whole (its send buffer is unbounded).
                tls.writer()
                    .write_all(&self.out[self.out_pos..])
                    .map_err(|_| PipeError::Tls)?;
                self.left += (self.out.len() - self.out_pos) as u64;
                self.out_pos = self.out.len();
            }
            while tls.wants_write() {
                match tls.write_tls(stream) {
                    Ok(_) => {}
                    Err(e) if would_block(&e) => break,
                    Err(e) => return Err(PipeError::Io(e.kind())),
                }
            }
        } else {
            while self.out_pos < self.out.len() {
                match stream.write(&self.out[self.out_pos..]) {
                    Ok(0) => return Err(PipeError::Closed),
                    Ok(n) => {
                        self.out_pos += n;
                        self.left += n as u64;
                    }
                    Err(e) if would_block(&e) => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(PipeError::Io(e.kind())),
                }
            }
        }
        if self.out_pos == self.out.len() && !self.out.is_empty() {
            self.account_out();
            self.out.clear();
            self.out_pos = 0;
        }
        Ok(())
    }

    /// Read what has arrived into `inb` until the socket would block or `inb` is full (the
    /// session consumes the frames there, and the next call reads on). `Err(Closed)` at end of
    /// stream (after the bytes before it were kept).
    pub fn read_some(&mut self) -> Result<(), PipeError> {
        let Some(stream) = self.stream.as_mut() else {
            return Err(PipeError::Closed);
        };
        let cap = self.inb.len();
        let mut eof = false;
        match self.tls.as_mut() {
            None => loop {
                if self.in_len == cap {
                    break;
                }
                match stream.read(&mut self.inb[self.in_len..]) {
                    Ok(0) => {
                        eof = true;
                        break;
                    }
                    Ok(n) => self.in_len += n,
                    Err(e) if would_block(&e) => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(PipeError::Io(e.kind())),
                }
            },
            Some(tls) => loop {
                let mut dry = false;
                match tls.read_tls(stream) {
                    Ok(0) => eof = true,
                    Ok(_) => {
                        tls.process_new_packets().map_err(|_| PipeError::Tls)?;
                    }
                    Err(e) if would_block(&e) => dry = true,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(PipeError::Io(e.kind())),
                }
                let mut full = false;
                loop {
                    if self.in_len == cap {
                        full = true;
                        break;
                    }
                    match tls.reader().read(&mut self.inb[self.in_len..]) {
                        Ok(0) => {
                            eof = true;
                            break;
                        }
                        Ok(n) => self.in_len += n,
                        Err(e) if would_block(&e) => break,
                        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                            eof = true;
                            break;
                        }
                        Err(e) => return Err(PipeError::Io(e.kind())),
                    }
                }
                if dry || eof || full {
                    break;
                }
            },
        }
        if eof {
            return Err(PipeError::Closed);
        }
        Ok(())
    }

    /// Drop the first `n` bytes of the input (the session consumed them).
    pub fn consume(&mut self, n: usize) {
        let n = n.min(self.in_len);
        self.inb.copy_within(n..self.in_len, 0);
        self.in_len -= n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// More bytes than the input buffer holds: each read fills it, the consumer frees it, the
    /// next read goes on; the end of stream comes after every byte; the running totals count
    /// what left.
    #[test]
    fn a_full_input_buffer_is_read_in_turns() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut got = [0u8; 5];
            std::io::Read::read_exact(&mut s, &mut got).unwrap();
            s.write_all(&[7u8; 3000]).unwrap();
            got
        });
        let mut t = Transport::new(None, 1024, 64);
        t.connect(addr).unwrap();
        let give_up = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !t.poll_connected().unwrap() {
            assert!(std::time::Instant::now() < give_up);
        }
        let start = t.appended();
        t.out.extend_from_slice(b"hello");
        t.write_some().unwrap();
        assert_eq!((start, t.left(), t.appended(), t.unsent()), (0, 5, 5, 0));
        assert_eq!(&server.join().unwrap(), b"hello");
        let mut total = 0;
        loop {
            assert!(std::time::Instant::now() < give_up);
            let r = t.read_some();
            assert!(t.in_len <= 1024);
            total += t.in_len;
            assert!(t.inb[..t.in_len].iter().all(|&b| b == 7));
            t.consume(t.in_len);
            match r {
                Ok(()) => {}
                Err(PipeError::Closed) => break,
                Err(e) => panic!("{e:?}"),
            }
        }
        assert_eq!(total, 3000);
    }
}
