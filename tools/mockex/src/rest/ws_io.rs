//! How the mock's WebSocket order and account sessions (Binance's WebSocket API, OKX's private
//! socket, Bybit's trade and private sockets) read and write their socket, written once:
//! blocking reads with a short timeout (the session loop turns for pings, expiry and stop), or,
//! while the latency bench has the REST side busy-polling
//! ([`MockConfig::rest_busy_poll`](crate::MockConfig::rest_busy_poll)), a non-blocking socket read
//! in a yielding loop, so the engine's `write` is not charged for waking this reader.

use std::net::TcpStream;
use std::time::Duration;

use tungstenite::{Message, Utf8Bytes, WebSocket};

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
