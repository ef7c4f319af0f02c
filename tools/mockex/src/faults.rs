//! Fault injection, per venue, at run time: what a test asks for ([`Fault`]) and the shared state
//! every connection thread of that venue polls ([`FaultState`]).
//!
//! One-shot faults (drop, garbage, oversized) are counters of requests: each connection remembers
//! how many it had already served when it started ([`FaultCursor`]) and carries out only the newer
//! ones, so a fault injected twice in a row is carried out twice, and a connection accepted later
//! does not replay old faults. Lasting faults (stall, ignore pings) are flags cleared by
//! [`Fault::Clear`]. Atomics only: a connection checks them once per loop turn without locking.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// A fault to inject into every connection of one venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Close every open connection's TCP socket at once, without a WebSocket close frame.
    DropConnections,
    /// Keep the connections open but send nothing and read nothing (no data, no keep-alive
    /// answers, no server pings) for the duration, or until [`Fault::Clear`] when `None`. Frames
    /// the source produces meanwhile are discarded (counted in `frames_discarded`).
    Stall(Option<Duration>),
    /// Send this many malformed frames (not JSON, truncated JSON, wrong shapes) on each connection.
    Garbage(u32),
    /// Send one text frame of this many bytes on each connection (pick it above the client's
    /// frame limit, e.g. the engine's `ingest.max_message_bytes`).
    Oversized(usize),
    /// Stop answering the venue's keep-alive (text pings of Upbit, Bybit and OKX) and stop sending
    /// Binance's server pings, until [`Fault::Clear`]. WebSocket control pings from a client are
    /// still answered by tungstenite's protocol layer (RFC 6455 requires it; it cannot be turned
    /// off), which no venue's client relies on.
    IgnorePings,
    /// End a stall and resume answering pings.
    Clear,
}

/// Time base for stall deadlines: ns since the exchange started.
pub(crate) const STALL_NONE: u64 = 0;
/// Stall deadline meaning "until cleared".
pub(crate) const STALL_FOREVER: u64 = u64::MAX;

/// One venue's fault requests, polled by its connection threads.
#[derive(Debug, Default)]
pub(crate) struct FaultState {
    drops: AtomicU64,
    garbage_frames: AtomicU64,
    oversized_requests: AtomicU64,
    oversized_bytes: AtomicU64,
    stall_until_ns: AtomicU64,
    ignore_pings: AtomicBool,
}

/// What one connection has already carried out.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FaultCursor {
    drops: u64,
    garbage_frames: u64,
    oversized_requests: u64,
}

/// One-shot work due on a connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Due {
    /// Close the socket abruptly.
    pub drop: bool,
    /// Malformed frames to send.
    pub garbage: u64,
    /// Oversized frames to send, and their size.
    pub oversized: u64,
    /// Size of each oversized frame.
    pub oversized_bytes: usize,
}

impl FaultState {
    /// Record `fault`; `now_ns` is on the exchange's clock (ns since start).
    pub fn inject(&self, fault: Fault, now_ns: u64) {
        match fault {
            Fault::DropConnections => {
                self.drops.fetch_add(1, Ordering::Release);
            }
            Fault::Stall(d) => {
                let until = match d {
                    Some(d) => now_ns
                        .saturating_add(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
                        .clamp(1, STALL_FOREVER - 1),
                    None => STALL_FOREVER,
                };
                self.stall_until_ns.store(until, Ordering::Release);
            }
            Fault::Garbage(n) => {
                self.garbage_frames
                    .fetch_add(u64::from(n), Ordering::Release);
            }
            Fault::Oversized(bytes) => {
                self.oversized_bytes.store(bytes as u64, Ordering::Release);
                self.oversized_requests.fetch_add(1, Ordering::Release);
            }
            Fault::IgnorePings => self.ignore_pings.store(true, Ordering::Release),
            Fault::Clear => {
                self.stall_until_ns.store(STALL_NONE, Ordering::Release);
                self.ignore_pings.store(false, Ordering::Release);
            }
        }
    }

    /// A cursor for a connection starting now: past requests are not its business.
    pub fn cursor(&self) -> FaultCursor {
        FaultCursor {
            drops: self.drops.load(Ordering::Acquire),
            garbage_frames: self.garbage_frames.load(Ordering::Acquire),
            oversized_requests: self.oversized_requests.load(Ordering::Acquire),
        }
    }

    /// One-shot work requested since `cursor`, which is advanced past it.
    pub fn due(&self, cursor: &mut FaultCursor) -> Due {
        let drops = self.drops.load(Ordering::Acquire);
        let garbage = self.garbage_frames.load(Ordering::Acquire);
        let oversized = self.oversized_requests.load(Ordering::Acquire);
        let due = Due {
            drop: drops != cursor.drops,
            garbage: garbage.wrapping_sub(cursor.garbage_frames),
            oversized: oversized.wrapping_sub(cursor.oversized_requests),
            oversized_bytes: self.oversized_bytes.load(Ordering::Acquire) as usize,
        };
        *cursor = FaultCursor {
            drops,
            garbage_frames: garbage,
            oversized_requests: oversized,
        };
        due
    }

    /// True when a drop was requested since `cursor` (which is not advanced): a stalled
    /// connection checks only this.
    pub fn drop_pending(&self, cursor: &FaultCursor) -> bool {
        self.drops.load(Ordering::Acquire) != cursor.drops
    }

    /// True while a stall is in force at `now_ns`.
    pub fn stalled(&self, now_ns: u64) -> bool {
        let until = self.stall_until_ns.load(Ordering::Acquire);
        until != STALL_NONE && now_ns < until
    }

    /// True while keep-alive answers are switched off.
    pub fn ignoring_pings(&self) -> bool {
        self.ignore_pings.load(Ordering::Acquire)
    }
}

/// The `i`-th malformed frame of a garbage burst: a rotation of shapes a parser must survive.
pub(crate) fn garbage_frame(i: u64) -> &'static str {
    const SHAPES: [&str; 6] = [
        "garbage \u{1}\u{2} not json",
        "{\"truncated\":",
        "[1,2,3",
        "{\"a\":\"unterminated}",
        "}{",
        "null",
    ];
    SHAPES[(i % SHAPES.len() as u64) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shot_faults_are_carried_out_once_per_connection() {
        let f = FaultState::default();
        f.inject(Fault::Garbage(3), 0);
        let mut c = f.cursor();
        assert_eq!(f.due(&mut c), Due::default());
        f.inject(Fault::Garbage(2), 0);
        f.inject(Fault::Garbage(1), 0);
        f.inject(Fault::Oversized(100), 0);
        f.inject(Fault::DropConnections, 0);
        let d = f.due(&mut c);
        assert_eq!((d.garbage, d.oversized, d.oversized_bytes), (3, 1, 100));
        assert!(d.drop);
        assert_eq!(f.due(&mut c).garbage, 0);
    }

    #[test]
    fn stall_and_ignore_pings_until_cleared() {
        let f = FaultState::default();
        assert!(!f.stalled(5));
        f.inject(Fault::Stall(Some(Duration::from_nanos(10))), 100);
        assert!(f.stalled(105) && !f.stalled(110));
        f.inject(Fault::Stall(None), 0);
        f.inject(Fault::IgnorePings, 0);
        assert!(f.stalled(u64::MAX - 1) && f.ignoring_pings());
        f.inject(Fault::Clear, 0);
        assert!(!f.stalled(1) && !f.ignoring_pings());
        for i in 0..12 {
            assert!(serde_json::from_str::<serde_json::Value>(garbage_frame(i))
                .map(|v| v.is_null())
                .unwrap_or(true));
        }
    }
}
