//! OKX's keepalive: a connection with no traffic for 30 s is closed by OKX, so a client sends the
//! text frame `ping` after a quiet spell shorter than that and expects the text `pong` (OKX v5
//! "WebSocket / Connect": "send the string 'ping' ... expect a 'pong' as a response ... if not
//! received within N seconds, raise an error or reconnect").
//!
//! [`Keepalive`] is the rule alone, time passed in by the caller (`now_ns` from the session's
//! clock), so it is tested without sleeping: any frame received resets it; after `idle_ns` of
//! silence it asks for one ping; if nothing arrives within `pong_wait_ns` after that, the
//! connection is dead.

/// The text frame to send when idle.
pub const PING: &[u8] = b"ping";
/// The text frame OKX answers with.
pub const PONG: &[u8] = b"pong";

/// What the session should do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeepaliveAction {
    /// Nothing: traffic is recent, or a ping is out and its wait has not run out.
    Nothing,
    /// Send [`PING`] now (then call [`Keepalive::ping_sent`]).
    SendPing,
    /// A ping went unanswered for `pong_wait_ns`: reconnect.
    Dead,
}

/// The idle / ping / pong rule of one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keepalive {
    idle_ns: u64,
    pong_wait_ns: u64,
    last_rx_ns: u64,
    ping_sent_ns: Option<u64>,
}

impl Keepalive {
    /// A rule that pings after `idle_ns` of silence (OKX closes at 30 s: use well under it) and
    /// gives up `pong_wait_ns` after an unanswered ping; `now_ns` counts as the last traffic.
    pub fn new(idle_ns: u64, pong_wait_ns: u64, now_ns: u64) -> Self {
        Keepalive {
            idle_ns,
            pong_wait_ns,
            last_rx_ns: now_ns,
            ping_sent_ns: None,
        }
    }

    /// Any frame arrived (a `pong` or anything else: all prove the connection alive).
    #[inline]
    pub fn on_frame(&mut self, now_ns: u64) {
        self.last_rx_ns = now_ns;
        self.ping_sent_ns = None;
    }

    /// The ping asked for by [`Keepalive::poll`] was sent.
    #[inline]
    pub fn ping_sent(&mut self, now_ns: u64) {
        self.ping_sent_ns = Some(now_ns);
    }

    /// What to do at `now_ns`.
    #[inline]
    pub fn poll(&self, now_ns: u64) -> KeepaliveAction {
        match self.ping_sent_ns {
            Some(sent) if now_ns.saturating_sub(sent) >= self.pong_wait_ns => KeepaliveAction::Dead,
            Some(_) => KeepaliveAction::Nothing,
            None if now_ns.saturating_sub(self.last_rx_ns) >= self.idle_ns => {
                KeepaliveAction::SendPing
            }
            None => KeepaliveAction::Nothing,
        }
    }
}

/// Whether a text frame is OKX's `pong` (surrounding whitespace ignored).
#[inline]
pub fn is_pong(frame: &[u8]) -> bool {
    frame.trim_ascii() == PONG
}
