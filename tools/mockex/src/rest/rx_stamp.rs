//! Kernel receive timestamps on the order sockets: when an order's bytes reached the mock's
//! socket, apart from when the mock's thread got round to reading them.
//!
//! Why: the order side's threads share a core with the feed's sender during the bench, and a
//! thread that yields (or blocks) reads an order whenever the scheduler runs it next, which on a
//! busy core is up to a time slice later (milliseconds). A stamp taken when `read` returns then
//! measures the mock's scheduling, not the engine. A NIC-side capture would see the bytes when they
//! arrived; on loopback the kernel can stamp the same moment: with `SO_TIMESTAMPNS` each segment is
//! stamped (`CLOCK_REALTIME`, the clock of the feed's send log) as the sender's `write` hands it to
//! the loopback device, and `recvmsg` returns the stamp of the last segment it read as a control
//! message. An engine writes each order in one `write`, so that is the segment with the order's
//! first byte.
//!
//! Both stamps are kept ([`Stamped`]): the bench's `wire_to_wire` ends at the kernel's, and the
//! read's shows how late the mock's thread was (the difference is the mock's, the same for any
//! engine). Where the kernel gives no stamp (the option refused, a platform without it) the
//! kernel stamp is the read's, so nothing is lost, only less exact.

use std::io::{self, IoSliceMut};
use std::net::TcpStream;
use std::os::fd::{AsFd, AsRawFd};

use nix::sys::socket::{
    recvmsg, setsockopt, sockopt, ControlMessageOwned, MsgFlags, SockaddrStorage,
};
use nix::sys::time::TimeSpec;

/// One read's bytes and when they came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamped {
    /// Bytes read (0: the peer closed).
    pub len: usize,
    /// Unix ns the kernel stamped the last segment read (the read's own time when it gave none).
    pub kernel_ns: u64,
    /// Unix ns when the read returned.
    pub read_ns: u64,
}

/// Ask the kernel to stamp every segment `socket` receives (on a listener: every connection it
/// accepts, which inherits the option). Returns whether it accepted; a refusal leaves reads
/// working, stamped by the read's time only.
///
/// The first socket to ask switches the kernel's stamping on a moment later (a deferred static
/// key), and segments that arrive before then are stamped when they are read: so the REST side
/// asks on its listener at start-up, long before any order.
pub fn enable(socket: &impl AsFd) -> bool {
    setsockopt(socket, sockopt::ReceiveTimestampns, &true).is_ok()
}

/// Room for one `SCM_TIMESTAMPNS` control message, allocated once per connection and reused by
/// every [`read`] and [`peek`] on it.
#[derive(Debug)]
pub struct StampBuf(Vec<u8>);

/// A [`StampBuf`] for one connection.
pub fn cmsg_buffer() -> StampBuf {
    StampBuf(nix::cmsg_space!(TimeSpec))
}

/// Read into `buf` like [`std::io::Read::read`] (non-blocking or with the socket's timeout, as
/// set), with the kernel's stamp of the data. `cmsg` comes from [`cmsg_buffer`].
pub fn read(stream: &TcpStream, buf: &mut [u8], cmsg: &mut StampBuf) -> io::Result<Stamped> {
    let mut iov = [IoSliceMut::new(buf)];
    let msg = recvmsg::<SockaddrStorage>(
        stream.as_raw_fd(),
        &mut iov,
        Some(&mut cmsg.0[..]),
        MsgFlags::empty(),
    )
    .map_err(io::Error::from)?;
    let read_ns = crate::send_log::unix_ns();
    Ok(Stamped {
        len: msg.bytes,
        kernel_ns: stamp_of(&msg).unwrap_or(read_ns),
        read_ns,
    })
}

/// What a [`peek`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peeked {
    /// Bytes wait; the kernel's stamp of the first of them (unix ns; the peek's own time when the
    /// kernel gave none).
    Data(u64),
    /// The peer closed.
    Closed,
}

/// Look at the next unread byte without taking it, never blocking: whether bytes wait and when
/// the segment that carried the first of them arrived. For a reader that cannot take the control
/// message from its own reads (tungstenite's): peeked before it reads, the stamp is the first
/// byte's. `WouldBlock` when nothing waits.
pub fn peek(stream: &TcpStream, cmsg: &mut StampBuf) -> io::Result<Peeked> {
    let mut one = [0u8; 1];
    let mut iov = [IoSliceMut::new(&mut one)];
    let msg = recvmsg::<SockaddrStorage>(
        stream.as_raw_fd(),
        &mut iov,
        Some(&mut cmsg.0[..]),
        MsgFlags::MSG_PEEK | MsgFlags::MSG_DONTWAIT,
    )
    .map_err(io::Error::from)?;
    if msg.bytes == 0 {
        return Ok(Peeked::Closed);
    }
    Ok(Peeked::Data(
        stamp_of(&msg).unwrap_or_else(crate::send_log::unix_ns),
    ))
}

/// The `SCM_TIMESTAMPNS` of a received message, as unix ns.
fn stamp_of(msg: &nix::sys::socket::RecvMsg<'_, '_, SockaddrStorage>) -> Option<u64> {
    let mut ns = None;
    if let Ok(cmsgs) = msg.cmsgs() {
        for c in cmsgs {
            if let ControlMessageOwned::ScmTimestampns(ts) = c {
                ns = unix_ns_of(ts);
            }
        }
    }
    ns
}

/// Unix ns of a kernel timestamp (`None` for zero or one before 1970).
fn unix_ns_of(ts: TimeSpec) -> Option<u64> {
    let secs = u64::try_from(ts.tv_sec()).ok()?;
    let nanos = u64::try_from(ts.tv_nsec()).ok()?;
    let ns = secs.checked_mul(1_000_000_000)?.checked_add(nanos)?;
    (ns != 0).then_some(ns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;
    use std::time::Duration;

    fn pair() -> (TcpStream, TcpStream) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (server, _) = l.accept().unwrap();
        (client, server)
    }

    #[test]
    fn the_kernel_stamps_a_segment_when_it_was_written_not_when_it_was_read() {
        let (mut client, server) = pair();
        assert!(
            enable(&server),
            "SO_TIMESTAMPNS refused on a loopback TCP socket"
        );
        // Let the kernel's deferred switch-on happen (see `enable`).
        std::thread::sleep(Duration::from_millis(20));
        let before = crate::send_log::unix_ns();
        client
            .write_all(b"POST /api/v3/order HTTP/1.1\r\n\r\n")
            .unwrap();
        let after_write = crate::send_log::unix_ns();
        // The reader comes late: the stamp must still be the write's moment.
        std::thread::sleep(Duration::from_millis(30));
        let mut buf = [0u8; 256];
        let mut cmsg = cmsg_buffer();
        let s = read(&server, &mut buf, &mut cmsg).unwrap();
        assert_eq!(&buf[..s.len], b"POST /api/v3/order HTTP/1.1\r\n\r\n");
        assert!(
            before <= s.kernel_ns && s.kernel_ns <= after_write,
            "kernel stamp {} not within the write [{before}, {after_write}]",
            s.kernel_ns
        );
        assert!(
            s.read_ns >= s.kernel_ns + 30_000_000,
            "the read ({}) came 30 ms after the write ({})",
            s.read_ns,
            s.kernel_ns
        );
    }

    #[test]
    fn a_connection_accepted_by_a_stamping_listener_is_stamped() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        assert!(enable(&l));
        std::thread::sleep(Duration::from_millis(20));
        let mut client = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (server, _) = l.accept().unwrap();
        let before = crate::send_log::unix_ns();
        client.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
        let after_write = crate::send_log::unix_ns();
        std::thread::sleep(Duration::from_millis(30));
        let mut buf = [0u8; 64];
        let mut cmsg = cmsg_buffer();
        let s = read(&server, &mut buf, &mut cmsg).unwrap();
        assert!(
            before <= s.kernel_ns && s.kernel_ns <= after_write,
            "kernel stamp {} not within the write [{before}, {after_write}]",
            s.kernel_ns
        );
    }

    #[test]
    fn without_the_option_the_read_time_stands_in_and_a_close_reads_zero() {
        let (mut client, server) = pair();
        client.write_all(b"x").unwrap();
        let mut buf = [0u8; 8];
        let mut cmsg = cmsg_buffer();
        let s = read(&server, &mut buf, &mut cmsg).unwrap();
        assert_eq!(s.len, 1);
        assert_eq!(s.kernel_ns, s.read_ns);
        drop(client);
        let s = read(&server, &mut buf, &mut cmsg).unwrap();
        assert_eq!(s.len, 0);
    }

    #[test]
    fn a_peek_stamps_the_waiting_bytes_and_leaves_them_to_read() {
        let (mut client, server) = pair();
        assert!(enable(&server));
        std::thread::sleep(Duration::from_millis(20));
        let mut cmsg = cmsg_buffer();
        assert_eq!(
            peek(&server, &mut cmsg).unwrap_err().kind(),
            io::ErrorKind::WouldBlock,
            "a peek with nothing waiting must not block"
        );
        let before = crate::send_log::unix_ns();
        client.write_all(b"abc").unwrap();
        let after_write = crate::send_log::unix_ns();
        std::thread::sleep(Duration::from_millis(30));
        let Peeked::Data(at) = peek(&server, &mut cmsg).unwrap() else {
            panic!("bytes were written")
        };
        assert!(
            before <= at && at <= after_write,
            "{at} not in [{before}, {after_write}]"
        );
        let mut buf = [0u8; 8];
        let s = read(&server, &mut buf, &mut cmsg).unwrap();
        assert_eq!(&buf[..s.len], b"abc", "the peek took nothing");
        drop(client);
        assert_eq!(peek(&server, &mut cmsg).unwrap(), Peeked::Closed);
    }

    #[test]
    fn a_non_blocking_socket_with_nothing_to_read_says_would_block() {
        let (_client, server) = pair();
        enable(&server);
        server.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 8];
        let mut cmsg = cmsg_buffer();
        let e = read(&server, &mut buf, &mut cmsg).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
    }
}
