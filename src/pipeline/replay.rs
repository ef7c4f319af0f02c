//! The replay source: a capture file fed through the same parsers and pipeline as the live feed.
//!
//! Time is the capture's: each quote carries its recorded receive time, the strategy judges
//! staleness and TTLs by it, so a replay decides the same on any machine. The reader never drops:
//! when the quotes ring is full it keeps the quote and offers it again on the next poll (it does
//! not spin inside a poll, so it can share a thread with the strategy). At the end of the file it
//! asks for shutdown, and the pipeline drains.

use std::io::BufRead;

use crate::base::Counter;
use crate::ingest::venues::{FeedParser, Frame, SkipKind};
use crate::model::Quote;
use crate::record::{CaptureError, CaptureReader};
use crate::runtime::{RingTx, Shutdown, Stage, Work};
use crate::telemetry::Registry;

/// How fast to replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// As fast as the pipeline takes it.
    Max,
    /// At the recorded pace (the gaps between receive times are kept).
    Recorded,
}

/// Most records read per poll.
const BATCH: u32 = 512;

/// Reads a capture and pushes its quotes.
pub struct ReplayStage {
    reader: CaptureReader<Box<dyn BufRead + Send>>,
    parsers: Vec<(String, FeedParser)>,
    tx: RingTx<Quote>,
    shutdown: Shutdown,
    pace: Pace,
    first_capture_ns: Option<u64>,
    first_poll_ns: u64,
    pending: Option<Quote>,
    done: bool,
    frames: Counter,
    quotes: Counter,
    parse_errors: Counter,
    skipped: Counter,
    seq_drops: Counter,
    unknown_venue: Counter,
    bad_lines: Counter,
}

impl ReplayStage {
    /// Replay `reader` through `parsers` (venue name, parser; see
    /// [`parsers_from_config`](crate::ingest::parsers_from_config)).
    pub fn new(
        reader: CaptureReader<Box<dyn BufRead + Send>>,
        parsers: Vec<(String, FeedParser)>,
        tx: RingTx<Quote>,
        shutdown: Shutdown,
        pace: Pace,
        reg: &mut Registry,
    ) -> ReplayStage {
        ReplayStage {
            reader,
            parsers,
            tx,
            shutdown,
            pace,
            first_capture_ns: None,
            first_poll_ns: 0,
            pending: None,
            done: false,
            frames: reg.counter("replay.frames"),
            quotes: reg.counter("replay.quotes"),
            parse_errors: reg.counter("replay.parse_errors"),
            skipped: reg.counter("replay.skipped"),
            seq_drops: reg.counter("replay.seq_drops"),
            unknown_venue: reg.counter("replay.unknown_venue"),
            bad_lines: reg.counter("replay.bad_lines"),
        }
    }

    /// Is the quote due at `now` under the pace?
    fn due(&mut self, q: &Quote, now: u64) -> bool {
        if self.pace == Pace::Max {
            return true;
        }
        let first = *self.first_capture_ns.get_or_insert_with(|| {
            self.first_poll_ns = now;
            q.recv_ts_ns
        });
        q.recv_ts_ns.saturating_sub(first) <= now.saturating_sub(self.first_poll_ns)
    }

    /// Push the pending quote if it is due and there is room; true when nothing is pending.
    fn flush_pending(&mut self, now: u64) -> bool {
        if let Some(q) = self.pending {
            if !self.due(&q, now) || self.tx.slots() == 0 {
                return false;
            }
            if self.tx.push(q, now).is_ok() {
                self.quotes.inc();
            }
            self.pending = None;
        }
        true
    }
}

impl Stage for ReplayStage {
    fn name(&self) -> &'static str {
        "replay"
    }

    fn poll(&mut self, now_ns: u64) -> Work {
        let mut n = 0;
        while n < BATCH && !self.done {
            if !self.flush_pending(now_ns) {
                break;
            }
            let rec = match self.reader.next_record() {
                Ok(Some(r)) => r,
                Ok(None) => {
                    self.done = true;
                    break;
                }
                Err(CaptureError::Io { .. }) => {
                    self.bad_lines.inc();
                    self.done = true;
                    break;
                }
                Err(_) => {
                    self.bad_lines.inc();
                    continue;
                }
            };
            n += 1;
            self.frames.inc();
            let Some((_, parser)) = self.parsers.iter_mut().find(|(name, _)| name == rec.venue)
            else {
                self.unknown_venue.inc();
                continue;
            };
            match parser.parse(rec.payload, rec.recv_ns) {
                Ok(Frame::Quote(q)) => self.pending = Some(q),
                Ok(Frame::Skip(SkipKind::StaleSequence)) => self.seq_drops.inc(),
                Ok(Frame::Skip(_)) => self.skipped.inc(),
                Err(_) => self.parse_errors.inc(),
            }
        }
        if self.done && self.flush_pending(now_ns) && !self.shutdown.is_requested() {
            self.shutdown.request();
        }
        Work(n)
    }

    fn is_finished(&self, stopping: bool) -> bool {
        // Stopped early (a signal): finish at once; at the end of the file: once the last quote
        // is in the ring.
        stopping && (self.pending.is_none() || !self.done)
    }
}
