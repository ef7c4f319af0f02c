//! Keep-alive rules as data: who pings, how, how often, and when the venue gives up on a silent
//! connection. The WebSocket client (built later) drives them; the parsers already recognise each
//! venue's keep-alive answer and return [`SkipKind::KeepAlive`](super::SkipKind::KeepAlive) for it,
//! so a pong is never counted as a parse error.
//!
//! Values come from the venues' documentation; the ones that are second-hand or a matter of margin (how long before
//! the venue's idle limit we ping) are fields, so the config can override them.

/// What the client must send to keep the connection open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientPing {
    /// Nothing: the server pings (WebSocket control ping) and the client answers each with a pong
    /// echoing its payload (tungstenite does this when the connection is read and flushed).
    AnswerServerPings,
    /// A WebSocket ping control frame.
    ControlFrame,
    /// A text frame with exactly this payload.
    Text(&'static str),
}

/// One venue's keep-alive rule. Times in ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepAlive {
    /// What the client sends (or answers).
    pub client_ping: ClientPing,
    /// Client ping period (client-driven venues) or the server's ping period (Binance).
    pub interval_ms: u64,
    /// When true the client pings only after `interval_ms` with nothing received (OKX's rule);
    /// when false it pings every `interval_ms` regardless (Bybit's rule).
    pub only_when_idle: bool,
    /// The server closes the connection after this long without the expected traffic (Binance: no
    /// pong within 60 s of its ping; Upbit: idle ~120 s; OKX: 30 s without a message).
    pub server_timeout_ms: u64,
}

impl KeepAlive {
    /// Whether the client should send its ping now, given when it last sent one and when it last
    /// received anything (both on the caller's monotonic clock, ns). Never true for
    /// [`ClientPing::AnswerServerPings`]: those pongs are sent when a ping arrives.
    #[inline]
    pub fn ping_due(&self, last_ping_sent_ns: u64, last_recv_ns: u64, now_ns: u64) -> bool {
        if self.client_ping == ClientPing::AnswerServerPings {
            return false;
        }
        let interval_ns = self.interval_ms.saturating_mul(1_000_000);
        let since_ping = now_ns.saturating_sub(last_ping_sent_ns);
        if self.only_when_idle {
            let since_recv = now_ns.saturating_sub(last_recv_ns);
            since_ping >= interval_ns && since_recv >= interval_ns
        } else {
            since_ping >= interval_ns
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn periodic_and_idle_rules() {
        let every = KeepAlive {
            client_ping: ClientPing::Text("{\"op\":\"ping\"}"),
            interval_ms: 20_000,
            only_when_idle: false,
            server_timeout_ms: 0,
        };
        assert!(!every.ping_due(0, 19_999 * MS, 19_999 * MS));
        assert!(every.ping_due(0, 20_000 * MS, 20_000 * MS));
        let idle = KeepAlive {
            only_when_idle: true,
            ..every
        };
        assert!(!idle.ping_due(0, 15_000 * MS, 20_000 * MS));
        assert!(idle.ping_due(0, 0, 20_000 * MS));
        let server = KeepAlive {
            client_ping: ClientPing::AnswerServerPings,
            ..every
        };
        assert!(!server.ping_due(0, 0, u64::MAX));
        // A clock that went backwards never underflows.
        assert!(!every.ping_due(10 * MS, 0, 5 * MS));
    }
}
