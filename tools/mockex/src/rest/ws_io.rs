//! How the mock's WebSocket order and account sessions (Binance's WebSocket API, OKX's private
//! socket, Bybit's trade and private sockets) read and write their socket, written once:
//! blocking reads with a short timeout (the session loop turns for pings, expiry and stop), or,
//! while the latency bench has the REST side busy-polling
//! ([`MockConfig::rest_busy_poll`](crate::MockConfig::rest_busy_poll)), a non-blocking socket read
//! in a yielding loop, so the engine's `write` is not charged for waking this reader.

use std::net::TcpStream;
use std::time::Duration;

use tungstenite::{Message, Utf8Bytes, WebSocket};

use super::rx_stamp::{self, Peeked};
use super::state::Arrival;

/// Set the socket up for the session loop (`busy`: busy-poll, else block up to `tick` a read).
pub(crate) fn prepare(
    ws: &WebSocket<TcpStream>,
    busy: bool,
    tick: Duration,
) -> std::io::Result<()> {
    let s = ws.get_ref();
    let _ = s.set_nodelay(true);
    if busy {
        s.set_nonblocking(true)
    } else {
        s.set_nonblocking(false)
            .and_then(|()| s.set_read_timeout(Some(tick)))
    }
}

/// Reads a session's messages with when each one's first byte arrived: tungstenite reads the
/// socket itself, so before it does, a [`rx_stamp::peek`] takes the kernel's stamp of the bytes
/// waiting (the bench's `wire_to_wire` then does not wait for this thread's next turn on a busy
/// core). A message tungstenite had already buffered has no stamp of its own: the read's time.
pub(crate) struct StampedReader {
    cmsg: rx_stamp::StampBuf,
    busy: bool,
    /// The last read found nothing: tungstenite holds no whole message.
    drained: bool,
    /// The stamp of the first byte not yet part of a message returned.
    next: Option<u64>,
}

impl StampedReader {
    /// A reader for `ws` (`busy`: the socket is non-blocking and polled, as [`prepare`] set it).
    pub(crate) fn new(ws: &WebSocket<TcpStream>, busy: bool) -> StampedReader {
        rx_stamp::enable(ws.get_ref());
        StampedReader {
            cmsg: rx_stamp::cmsg_buffer(),
            busy,
            drained: false,
            next: None,
        }
    }

    /// `ws.read()`, and when the message arrived. While busy-polling, a socket with nothing
    /// waiting and nothing buffered answers `WouldBlock` from the peek alone (one system call a
    /// turn, as before). The error is tungstenite's own, passed on as `ws.read()` gives it.
    #[allow(clippy::result_large_err)]
    pub(crate) fn read(
        &mut self,
        ws: &mut WebSocket<TcpStream>,
    ) -> Result<(Message, Arrival), tungstenite::Error> {
        match rx_stamp::peek(ws.get_ref(), &mut self.cmsg) {
            Ok(Peeked::Data(at)) => {
                self.next.get_or_insert(at);
            }
            Ok(Peeked::Closed) => {}
            Err(e) if self.busy && self.drained && e.kind() == std::io::ErrorKind::WouldBlock => {
                return Err(tungstenite::Error::Io(e));
            }
            Err(_) => {}
        }
        match ws.read() {
            Ok(m) => {
                self.drained = false;
                let read_ns = crate::send_log::unix_ns();
                let kernel_ns = self.next.take().map_or(read_ns, |k| k.min(read_ns));
                Ok((m, Arrival { kernel_ns, read_ns }))
            }
            Err(e) => {
                self.drained = is_idle(&e);
                Err(e)
            }
        }
    }
}

/// A read that found nothing (would block, or timed out): yield when busy-polling, so the other
/// threads on the mock's core run between polls.
pub(crate) fn nothing_read(busy: bool) {
    if busy {
        std::thread::yield_now();
    }
}

/// Whether `e` is a read or write that found nothing to do now.
pub(crate) fn is_idle(e: &tungstenite::Error) -> bool {
    matches!(
        e,
        tungstenite::Error::Io(e) if matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        )
    )
}

/// Send `m`, waiting out a full socket buffer on a non-blocking socket (tungstenite keeps the
/// frame queued; flushing again writes it). False when the session is lost.
pub(crate) fn send(ws: &mut WebSocket<TcpStream>, m: Message) -> bool {
    let would_block = |e: &tungstenite::Error| matches!(e, tungstenite::Error::Io(e) if e.kind() == std::io::ErrorKind::WouldBlock);
    match ws.send(m) {
        Ok(()) => return true,
        Err(e) if would_block(&e) => {}
        Err(_) => return false,
    }
    loop {
        match ws.flush() {
            Ok(()) => return true,
            Err(e) if would_block(&e) => std::thread::yield_now(),
            Err(_) => return false,
        }
    }
}

/// Send each of `frames` as a text frame ([`send`]). False when the session is lost.
pub(crate) fn send_texts(ws: &mut WebSocket<TcpStream>, frames: Vec<String>) -> bool {
    frames
        .into_iter()
        .all(|f| send(ws, Message::Text(Utf8Bytes::from(f))))
}
