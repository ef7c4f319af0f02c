//! What a WebSocket session counts: every way a connection, a request or a frame can end
//! other than as planned, so a test or `/metrics` can say where an order went. Plain `u64`s on the
//! owning thread (one writer); read them with [`WsSession::counters`](super::WsSession::counters).

/// A session's counters (since it was built, across reconnects).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WsCounters {
    /// TCP connects started.
    pub connects: u64,
    /// Connects, TLS or upgrade handshakes that failed or timed out.
    pub connect_failures: u64,
    /// Logins the venue accepted (or upgrades of a socket that needs none).
    pub logons: u64,
    /// Logins the venue refused (bad key, signature, timestamp), or that got no answer in time.
    pub logon_refusals: u64,
    /// Sessions lost after logon (peer closed, socket error, close frame).
    pub disconnects: u64,
    /// Sessions ended as half-open: a request waited with nothing read since it was sent and the
    /// liveness ping went unanswered, or a kept-alive socket read nothing for three keep-alive
    /// intervals; counted in `disconnects` too.
    pub stale_sessions: u64,
    /// Liveness pings sent to a suspect session.
    pub probes: u64,
    /// Sessions the venue de-authenticated while logged on (a key revoked, deleted or stripped
    /// of a permission); counted in `disconnects` too.
    pub revocations: u64,
    /// Sessions closed on purpose to renew them before the venue's 24 h limit.
    pub renewals: u64,
    /// Requests written on the session.
    pub requests: u64,
    /// Answers matched to a request.
    pub answers: u64,
    /// Requests that got no answer by their deadline (reported `Unknown`: status query follows).
    pub timeouts: u64,
    /// Requests in flight when the session was lost after their bytes left (reported `Unknown`).
    pub lost_in_flight: u64,
    /// Requests in flight when the session was lost before any of their bytes left (reported
    /// not sent: nothing reached the venue).
    pub lost_unsent: u64,
    /// Requests refused before staging: the session is not ready.
    pub refused_not_ready: u64,
    /// Requests refused before staging: the table of requests in flight or the output buffer
    /// is full.
    pub refused_full: u64,
    /// Answers whose id names no request in flight (late after a timeout, or not ours).
    pub stray_answers: u64,
    /// Text frames that were not a readable answer or event.
    pub unreadable_frames: u64,
    /// Pushes received (order updates, balances, notices), each read by the dialect.
    pub pushes: u64,
    /// Stream events the pushes gave (order finals, balances), handed to the gateway.
    pub stream_events: u64,
    /// Subscription requests written after a login.
    pub subscriptions: u64,
    /// Text keep-alives written (the dialect's, after its idle time).
    pub keepalives: u64,
    /// Fragmented or otherwise unexpected data frames (the session is dropped for a fragment:
    /// this client does not reassemble). Binary frames are read as text (Upbit sends its JSON so).
    pub unexpected_frames: u64,
    /// Frames that broke RFC 6455 or exceeded the input buffer (the session is dropped).
    pub protocol_errors: u64,
    /// Server pings answered with a pong.
    pub pings_answered: u64,
    /// Pongs that did not fit the output buffer (the ping goes unanswered).
    pub pongs_dropped: u64,
}

impl WsCounters {
    /// Every counter with its name (for `/metrics`: `gateway.ws.<venue>.<socket>.<name>`).
    pub fn fields(&self) -> [(&'static str, u64); 26] {
        [
            ("revocations", self.revocations),
            ("stale_sessions", self.stale_sessions),
            ("probes", self.probes),
            ("connects", self.connects),
            ("connect_failures", self.connect_failures),
            ("logons", self.logons),
            ("logon_refusals", self.logon_refusals),
            ("disconnects", self.disconnects),
            ("renewals", self.renewals),
            ("requests", self.requests),
            ("answers", self.answers),
            ("timeouts", self.timeouts),
            ("lost_in_flight", self.lost_in_flight),
            ("lost_unsent", self.lost_unsent),
            ("refused_not_ready", self.refused_not_ready),
            ("refused_full", self.refused_full),
            ("stray_answers", self.stray_answers),
            ("unreadable_frames", self.unreadable_frames),
            ("pushes", self.pushes),
            ("stream_events", self.stream_events),
            ("subscriptions", self.subscriptions),
            ("keepalives", self.keepalives),
            ("unexpected_frames", self.unexpected_frames),
            ("protocol_errors", self.protocol_errors),
            ("pings_answered", self.pings_answered),
            ("pongs_dropped", self.pongs_dropped),
        ]
    }
}
