//! State shared by the mock exchange's threads (accept, source, connections): per-venue fault
//! requests, counters, send-time log and the queues of the connections to feed. Cold-path types;
//! the only lock on the frame path is the short one the source takes to copy a venue's list of
//! connection queues once per batch.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Instant;

use tungstenite::Bytes;

use super::config::{KeepAliveSettings, MockVenue};
use super::faults::FaultState;
use super::format::Scales;
use super::instrument_sends::InstrumentSends;
use super::send_log::SendLog;
use super::stats::VenueCounters;
use crate::market::{Dislocation, SimQuote};

/// One recorded frame to send as is.
#[derive(Debug, Clone)]
pub(crate) struct RawFrame {
    /// Its id in the send log (1-based ordinal among the venue's frames).
    pub id: u64,
    /// The payload as recorded.
    pub payload: Bytes,
    /// Send as a binary frame (Upbit) rather than text.
    pub binary: bool,
}

/// Frames for one venue, handed to each of its connections at once.
#[derive(Debug)]
pub(crate) enum Batch {
    /// Synthetic tops of book, formatted by each connection in the format it subscribed with.
    Sim(Vec<SimQuote>),
    /// Recorded payloads.
    Raw(Vec<RawFrame>),
}

impl Batch {
    /// Frames in the batch.
    pub fn len(&self) -> usize {
        match self {
            Batch::Sim(v) => v.len(),
            Batch::Raw(v) => v.len(),
        }
    }
}

/// A dislocation the synthetic source injected, where it went out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectedDislocation {
    /// What the generator injected (update number, venue and instrument index, direction, size).
    pub dislocation: Dislocation,
    /// Name of the venue whose book jumped.
    pub venue: String,
    /// That venue's symbol of the instrument that jumped.
    pub symbol: String,
    /// The venue's update id of the dislocated quote (Binance `u`, Bybit `u`, OKX `seqId`).
    pub update_id: u64,
    /// When it was written to the venue's connection (unix ns), if it was and is still logged.
    pub send_ns: Option<u64>,
}

/// One venue's shared state.
pub(crate) struct VenueShared {
    pub spec: MockVenue,
    pub faults: FaultState,
    pub counters: VenueCounters,
    pub log: Arc<SendLog>,
    /// Send times per instrument, for a venue whose frames carry no update id (Upbit); `None`
    /// for the others.
    pub by_instrument: Option<Arc<InstrumentSends>>,
    /// Queues of this venue's live connections, with the connection's number.
    pub conns: Mutex<Vec<(u64, SyncSender<Arc<Batch>>)>>,
    /// Connections subscribed to every instrument the source streams for this venue (what
    /// [`MockConfig::wait_for_subscribers`](crate::MockConfig::wait_for_subscribers) waits for).
    pub feeding: AtomicU64,
    /// The latest synthetic top of book of each of this venue's instruments, by instrument index
    /// (the REST side fills orders on the one of their symbol).
    pub tops: Mutex<Vec<Option<SimQuote>>>,
}

impl VenueShared {
    /// The connection queues (a poisoned lock still holds a valid list).
    pub fn conns(&self) -> MutexGuard<'_, Vec<(u64, SyncSender<Arc<Batch>>)>> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The latest top of book of instrument `i` (None before its first quote).
    pub fn top(&self, i: usize) -> Option<SimQuote> {
        let tops = self.tops.lock().unwrap_or_else(|p| p.into_inner());
        tops.get(i).copied().flatten()
    }

    /// The index of the instrument this venue spells `symbol` (exactly as configured).
    pub fn instrument_of(&self, symbol: &str) -> Option<usize> {
        self.spec.symbols.iter().position(|s| s == symbol)
    }
}

/// Everything the threads share.
pub(crate) struct Shared {
    /// The REST side, when served (the source crosses resting orders on its quotes).
    pub rest: Option<Arc<crate::rest::RestSide>>,
    pub stop: AtomicBool,
    pub venues: Vec<VenueShared>,
    pub keep_alive: KeepAliveSettings,
    pub max_client_message_bytes: usize,
    pub scales: Scales,
    /// Capture source: every subscribed connection is fed (payloads carry their own symbols).
    pub feed_any_subscription: bool,
    pub started: Instant,
    pub injected: Mutex<Vec<InjectedDislocation>>,
    pub source_done: AtomicBool,
    pub generated: AtomicU64,
    pub conn_threads: Mutex<Vec<JoinHandle<()>>>,
    pub next_conn: AtomicU64,
}

impl Shared {
    /// ns since the exchange started (the clock of stall deadlines and keep-alive timers).
    pub fn now_ns(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// True once stop was asked.
    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }
}
